"""kg ask: the reply's shape, its evidence, abstaining instead of guessing, and determinism."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from kg.namespaces import AIG
from kg.use.query import QueryText, execute
from kg.use.questions import ask
from kg.use.questions.mentions import find_mentions
from kg.use.questions.text import concepts_of, stem, tokenize
from tests.conftest import heavy_imports, kg_cli

ID = "https://w3id.org/aigov/id/"


@pytest.fixture(scope="module")
def reply_of(built, store):
    return lambda question: ask(question, built, store)


def test_the_json_reply_has_every_field(built, source_text):
    result = kg_cli("ask", "Which blocs signed the Paris statement?", "--format", "json", project=built)
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert set(reply) >= {"question", "query", "parameters", "sparql", "confidence", "answers", "abstained", "reason", "alternatives", "note"}
    assert reply["query"] == "signatories" and reply["abstained"] is False and reply["reason"] is None
    assert reply["parameters"] == {"pledge": ID + "statement-on-inclusive-and-sustainable-ai"}
    assert 0.55 <= reply["confidence"] <= 1.0
    assert [a["label"] for a in reply["answers"]] == ["African Union", "European Union"]
    for answer in reply["answers"]:
        assert answer["iri"].startswith(ID) and answer["value"] is None
        assert set(answer) == {"label", "value", "iri", "fields", "evidence"}
        quoted = [e for e in answer["evidence"] if e["kind"] == "quoted"]
        (evidence,) = quoted  # the article, once; the cited pages after it
        assert evidence["quote"] in source_text and evidence["locator"] is None
        assert evidence["source"] == ID + "asianews-china-paris-ai-summit"
        assert evidence["source_title"].startswith("China's stance")
        for cited in answer["evidence"]:
            if cited["kind"] == "cited":
                assert cited["quote"] is None and cited["locator"] and cited["url"].startswith("https://")
    (eu,) = [a for a in reply["answers"] if a["label"] == "European Union"]
    assert len({e["source"] for e in eu["evidence"]}) == len(eu["evidence"]) >= 3  # one answer, every source behind it


def test_a_number_is_the_value_and_the_sparql_runs_alone(reply_of, store):
    reply = reply_of("How many countries signed the Paris statement?")
    assert reply.query == "signatory-counts"
    assert {"53", "57", "58", "60", "61", "64"} <= {a.value for a in reply.answers}
    assert all(a.label in (a.value, f"{a.fields['bound']} {a.value}") and a.iri is None for a in reply.answers)
    assert {"about 60", "more than 60"} <= {a.label for a in reply.answers}  # the bound leads with the number
    rows = execute(store, QueryText(reply.sparql, "<reply>")).rows
    assert len(rows) == len(reply.answers)  # the SPARQL shown, parameters in its VALUES block, gives these rows


def test_when_the_sources_differ_the_reply_says_so_and_why(reply_of):
    reply = reply_of("How many countries signed the Paris statement?")
    assert reply.note.startswith("The sources differ: 6 different values (53, 57, 58, 60, 61, 64)")
    assert "counted (nations, nations and organizations, unspecified parties)" in reply.note
    assert "None is settled as the one answer" in reply.note
    agreed = reply_of("Where was the AI Action Summit held?")
    assert agreed.note is None


def test_the_paris_declaration_is_the_pledge_adopted_at_the_summit_held_in_paris(reply_of):
    reply = reply_of("Who declined to endorse the Paris declaration?")
    assert reply.parameters == {"pledge": ID + "statement-on-inclusive-and-sustainable-ai"}
    assert {a.label for a in reply.answers} >= {"United States", "United Kingdom"}


def test_a_when_question_answers_with_the_year(reply_of):
    reply = reply_of("When was the Global AI Governance Initiative proposed?")
    assert reply.relation == AIG + "proposedInYear" and [a.label for a in reply.answers] == ["2023"]
    # the year's own evidence, not the proposer's
    assert [e.quote for e in reply.answers[0].evidence] == ["proposed by President Xi Jinping in 2023"]


def test_names_beyond_the_parameters_narrow_the_rows(reply_of):
    eu = reply_of("Did the EU endorse the Paris statement?")  # a verdict on the two names, from aig:endorsed
    assert eu.verdict == "Yes" and [a.label for a in eu.answers] == ["Statement on Inclusive and Sustainable AI"]
    us = reply_of("Did the US sign the Paris statement?")  # the US's position on that pledge: its refusal
    assert us.verdict == "No" and us.answers and all(a.fields["accepted"] == "yes" for a in us.answers)
    deepseek = reply_of("Did DeepSeek sign the Paris statement?")  # an agent with no claim either way
    assert deepseek.verdict == "Not reported" and not deepseek.answers


@pytest.mark.parametrize(
    "question, code, words",
    [
        ("Which nations signed the Hiroshima Declaration?", "unknown-name", "Hiroshima Declaration"),
        ("Did Chile sign the Paris statement?", "unknown-name", "Chile"),  # not "corrected" to an ordinary word
        ("Did the EU sign the statement?", "ambiguous-name", "Seoul Ministerial Statement or"),  # four summits, six pledges
        ("Who proposed the initiative?", "ambiguous-name", "Digital Silk Road or Global AI Governance Initiative"),
        ("What was the budget of the AI Action Summit?", "unknown-name", "budget"),
        ("asdf qwerty", "unknown-name", "asdf"),
        # found in review: parts of names, other scripts, a name from no name at all
        ("Did South Africa sign the Paris statement?", "unknown-name", "South"),
        ("did the european commission sign the paris statement?", "unknown-name", "european"),
        ("Did Africa sign the Paris statement?", "unknown-name", "Africa"),
        ("Did 日本 sign the Paris statement?", "unknown-name", "日本"),
        # the only company, the only place: what a yes/no question asks about, so it must be in the rows
        ("Did Paris sign the Paris statement?", "no-results", "Paris"),
        # a name that is not what the graph is about must be in the rows (not the statement's endorsers)
        ("Which countries joined the UN?", "no-results", "United Nations"),
    ],
)
def test_it_abstains_and_says_why(reply_of, question, code, words):
    reply = reply_of(question)
    assert reply.abstained and reply.answers == [] and reply.query is None
    assert reply.reason_code == code and words in reply.reason
    assert reply.alternatives and all({"question", "query"} == set(a) for a in reply.alternatives)


def test_a_fitting_query_that_finds_nothing_abstains(reply_of):
    reply = reply_of("Which AU members endorsed the Paris statement?")  # no Wikidata enrichment shipped yet
    assert reply.abstained and reply.reason_code == "no-results" and reply.query == "endorsers-member-of"


def test_the_text_output_and_exit_codes(built):
    answered = kg_cli("ask", "Who represented China at the Paris summit?", project=built)
    assert answered.returncode == 0
    assert "1. Zhang Guoqing" in answered.stdout and "“Vice-Premier Zhang Guoqing" in answered.stdout
    assert "SPARQL (kg query representatives)" in answered.stdout
    refused = kg_cli("ask", "Who signed the Hiroshima declaration?", project=built)
    assert refused.returncode == 1
    assert "I cannot answer that from the graph: the graph holds nothing called 'Hiroshima declaration'" in refused.stdout
    assert "Questions it can answer that come close:" in refused.stdout


def test_us_the_pronoun_is_not_the_united_states(built, store):
    from kg.use.questions import Asker

    index = Asker(store, built.queries_dir).index
    for question, expected in (("Tell us about China", ["china"]), ("What did the US decline?", ["united-states"])):
        tokens = tokenize(question)
        mentions = find_mentions(tokens, [t.word for t in tokens], index, mixed_case=True)
        assert [m.entity for m in mentions] == expected, question


def test_words_become_concepts():
    assert stem("signatories") == stem("signatory") and stem("endorsed") == stem("endorsing")
    assert concepts_of(["who", "did", "not", "sign"]) == ["who", "decline"]
    assert concepts_of(["how", "many", "countries"]) == ["count", "nation"]
    assert [t.word for t in tokenize("Didn't the U.S. sign China's pledge?")] == ["did", "not", "the", "us", "sign", "china", "pledge"]


def test_replies_are_the_same_whatever_the_hash_seed(built):
    outputs = []
    for seed in ("1", "2"):
        code = "import json, kg, sys; from pathlib import Path; from kg.project import Project\n" \
               "print(json.dumps([kg.ask(q, Project(Path(sys.argv[1]))).as_json() for q in ('Who took part in the summit?', 'Who declined?', 'Who is Zhang Guoqing?')]))"
        result = subprocess.run([sys.executable, "-c", code, str(built.root)], capture_output=True, text=True,
                                env={**os.environ, "PYTHONHASHSEED": seed}, check=True)
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]


def test_asking_imports_no_heavy_library(built):
    assert heavy_imports(built, "ask", "Which blocs signed the Paris statement?") == []


def test_kg_ask_is_the_function_from_python(built):
    code = "import kg, kg.use.questions, sys\nfrom pathlib import Path\nfrom kg.project import Project\n" \
           "print(kg.ask('Where was the Paris summit held?', Project(Path(sys.argv[1]))).answers[0].label)"
    result = subprocess.run([sys.executable, "-c", code, str(built.root)], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "Paris"


@pytest.mark.parametrize("question", ["Who represented China at the Paris summit?", "Who signed the Hiroshima declaration?"])
def test_the_text_reply_is_what_kg_ask_prints(built, question):
    printed = kg_cli("ask", question, project=built)
    assert ask(question, built).as_text() == printed.stdout


def test_the_text_reply_shows_control_characters_from_the_graph_as_escapes(built):
    from kg.use.store import open_store

    store = open_store(built, cache_from_bytes=1 << 40)  # in memory: changed here only
    store.update("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                 'DELETE { ?e rdfs:label ?l } INSERT { ?e rdfs:label "African Union\\u001b]0;owned\\u0007\\u202e" } '
                 f"WHERE {{ BIND(<{ID}african-union> AS ?e) ?e rdfs:label ?l }}")
    reply = ask("Which blocs signed the Paris statement?", built, store)
    assert reply.answers[0].label == "African Union\x1b]0;owned\x07\u202e"  # the data as it is (and in --format json)
    text = reply.as_text()
    assert "1. African Union\\x1b]0;owned\\x07\\u202e\n" in text
    assert not any(ch in text for ch in "\x1b\x07\u202e")


@pytest.mark.parametrize(
    "question, entities",
    [
        ("Who attended the AI Action Summit held in Paris?", ["ai-action-summit"]),  # the place after it qualifies it
        ("Who spoke at the Paris AI Action Summit?", ["ai-action-summit"]),  # the place before it too
        ("Who proposed China's AI governance initiative?", ["global-ai-governance-initiative"]),  # the owner is in the name
    ],
)
def test_mentions_repeated_are_found_each_time(built, store, question, entities):
    """Each mention is found in one pass (no step quadratic in the question's words): a question
    said three times names the same things three times."""
    from kg.use.questions import Asker

    index = Asker(store, built.queries_dir).index
    tokens = tokenize(" ".join([question] * 3))
    mentions = find_mentions(tokens, [t.word for t in tokens], index, mixed_case=True)
    assert [m.entity for m in mentions] == entities * 3

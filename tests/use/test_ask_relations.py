"""kg ask through the ontology's properties (kg/use/questions/relations.py, claimed.py): one-hop
questions no saved query answers, the answer leading with what was asked, yes/no verdicts,
counts with their bounds, disagreements shown, and abstentions with a reason.

Uses the session's built copy of the project (tests/conftest.py: ``built``, ``store``)."""

from __future__ import annotations

from kg.namespaces import AIG, ID
from kg.use.questions import ask
from kg.use.questions.relations import relations
from tests.ask.score_answers import HERE, judge, read_answers


def test_every_property_the_claims_use_is_askable_by_its_labels(store):
    found = relations(store)
    assert {"holdsOffice", "proposedBy", "endorsed", "signatoryCount", "startDate", "hostedBy"} <= set(found)
    assert found["endorsed"].opposite == frozenset({"declinedToEndorse"})  # from owl:propertyDisjointWith
    assert found["signatoryCount"].kind == "count" and found["startDate"].kind == "date"
    assert all(r.names for r in found.values())


def test_an_office_is_answered_from_the_property_not_a_saved_query(built, store):
    reply = ask("What office does Zhang Guoqing hold?", built, store)
    assert not reply.abstained and reply.query is None
    assert reply.relation == AIG + "holdsOffice"
    assert [a.iri for a in reply.answers] == [ID + "vice-premier-of-china"]
    assert reply.lead.startswith("Vice-Premier of China")
    assert reply.answers[0].evidence and reply.answers[0].evidence[0].kind == "quoted"
    assert "aig:claimSubject" in reply.sparql and ID + "zhang-guoqing" in reply.sparql


def test_a_count_leads_with_its_bound(built, store):
    reply = ask("How many countries back China's UN resolutions on AI capacity building?", built, store)
    assert reply.lead.startswith("more than 140")
    assert reply.answers[0].label == "more than 140" and reply.answers[0].value == "140"


def test_yes_no_and_not_reported(built, store):
    yes = ask("Did China sign the Bletchley Declaration?", built, store)
    assert yes.verdict == "Yes" and yes.lead.startswith("Yes: ") and yes.answers[0].evidence
    no = ask("Did the United States sign the Paris statement on inclusive AI?", built, store)
    assert no.verdict == "No" and no.lead.startswith("No: ")
    assert all(e.source.startswith(ID) for a in no.answers for e in a.evidence) and no.answers
    absent = ask("Did Kenya sign the Paris statement?", built, store)
    assert absent.verdict == "Not reported" and not absent.answers and "absence is not refusal" in absent.lead
    assert absent.as_text().startswith("Not reported: ")


def test_a_disputed_date_shows_every_value_and_settles_none(built, store):
    reply = ask("When did the India AI Impact Summit begin?", built, store)
    assert {a.value for a in reply.answers} >= {"2026-02-16", "2026-02-18"}
    assert reply.lead.startswith("The sources differ") and "differ" in reply.note


def test_a_relation_the_entity_lacks_abstains_with_the_reason(built, store):
    reply = ask("What office does Ashwini Vaishnaw hold?", built, store)
    assert reply.abstained and "holds office" in reply.reason


def test_no_unanswerable_question_is_answered(built, store):
    for name in ("devset-answers.tsv", "heldout-4.tsv"):
        rows = [row for row in read_answers(HERE / name) if row.kind == "unanswerable"]
        assert len(rows) >= 10
        answered = [row.question for row in rows if judge(ask(row.question, built, store), row) != "right"]
        assert not answered, (name, answered)

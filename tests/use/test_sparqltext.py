from pathlib import Path

import pytest

from kg.use.sparqltext import (
    MAX_CHAIN,
    MAX_PARTS,
    QueryTextError,
    check_chains,
    check_nesting,
    check_text,
    mask,
)


def test_mask_blanks_strings_iris_and_comments_keeping_positions():
    text = 'SELECT * WHERE { ?s <http://x/a> "{{" . # {{\n ?s ?p """{\n{""" }'
    masked = mask(text)
    assert len(masked) == len(text) and masked.count("\n") == text.count("\n")
    assert masked.count("{") == 1 and masked.count("}") == 1


def test_ordinary_queries_pass_and_deep_ones_are_refused_with_a_position():
    check_nesting("SELECT * WHERE { { { ?s ?p ?o } } FILTER((1 + (2)) > 0) }")
    check_nesting('SELECT * WHERE { ?s ?p "' + "{" * 1000 + '" }')
    deep = "SELECT * WHERE\n" + "{" * 200 + "}" * 200
    with pytest.raises(QueryTextError) as err:
        check_nesting(deep)
    assert (err.value.line, err.value.column) == (2, 129)


def test_the_limit_is_configurable():
    with pytest.raises(QueryTextError):
        check_nesting("ASK { { { } } }", limit=2)


@pytest.mark.parametrize(
    "query, opens",
    [
        ("SELECT ?x WHERE { ?x ?p ?o { SELECT ?y WHERE { ?y ?p ?o } } }", "{ ?x ?p ?o {"),
        ("PREFIX a: <http://x/{> SELECT * { ?s ?p ?o }", "{ ?s ?p ?o }"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?q ?o }", "{ ?s ?q ?o }"),
        ("CONSTRUCT { ?s ?p ?o } { ?s ?q ?o }", "{ ?s ?q ?o }"),
        ("CONSTRUCT WHERE { ?s ?q ?o }", "{ ?s ?q ?o }"),
        ("ASK { ?s ?q ?o }", "{ ?s ?q ?o }"),
    ],
)
def test_where_group_start(query, opens):
    from kg.use.sparqltext import where_group_start

    assert query[where_group_start(query):].startswith(opens)
    assert where_group_start("DESCRIBE <http://x/a>") == -1


ROOT = Path(__file__).resolve().parents[2]
PREFIX = "PREFIX ex: <http://example.org/>\n"


def chain(kind: str, operators: int) -> str:
    """A query whose line 2 chains ``operators`` operators of ``kind`` in one expression or path."""
    terms = operators + 1
    bodies = {
        "!": "SELECT * WHERE { FILTER(" + "!" * operators + "true) }",
        "||": "SELECT * WHERE { FILTER(" + "||".join(["true"] * terms) + ") }",
        "&&": "SELECT * WHERE { FILTER(" + " && ".join(["?x"] * terms) + ") }",
        "+": "SELECT (" + "+".join(["1"] * terms) + " AS ?x) {}",
        "-": "SELECT (" + "-".join(["?x"] * terms) + " AS ?y) { BIND(1 AS ?x) }",
        "*": "SELECT (" + "*".join(["2"] * terms) + " AS ?x) {}",
        "/": "SELECT (" + " / ".join(["2"] * terms) + " AS ?x) {}",
        "path /": "SELECT * { ?s " + "/".join(["ex:p"] * terms) + " ?o }",
        "path |": "SELECT * { ?s " + "|".join(["<http://example.org/p>"] * terms) + " ?o }",
        "path ^": "SELECT * { ?s " + "/".join(["^ex:p"] * (operators // 2)) + "/^ex:p" * (operators % 2) + " ?o }",
        "nested": "SELECT (" + "(" * 4 + "1" + "+1" * (operators % 4) + (")" + "+1" * (operators // 4)) * 4 + " AS ?x) {}",
        "?a<?b+1>": "SELECT * { FILTER(?a<?b" + "+1" * (operators - 2) + ">0) }",
    }
    return PREFIX + bodies[kind]


@pytest.mark.parametrize("kind", ["!", "||", "&&", "+", "-", "*", "/", "path /", "path |", "path ^", "nested", "?a<?b+1>"])
def test_a_chain_is_accepted_at_the_limit_and_refused_past_it_with_a_position(kind):
    check_text(chain(kind, MAX_CHAIN))
    text = chain(kind, MAX_CHAIN + 1)
    with pytest.raises(QueryTextError) as err:
        check_text(text)
    assert f"chains {MAX_CHAIN + 1} " in str(err.value) and f"at most {MAX_CHAIN}" in str(err.value)
    assert "property path" in str(err.value) if kind.startswith("path") else "one expression" in str(err.value)
    assert err.value.line == 2 and err.value.hint
    assert text.splitlines()[1][err.value.column - 1] in "!|&+-*/^)>"


def test_the_attacks_that_crash_the_engine_are_refused_with_the_whole_count():
    with pytest.raises(QueryTextError) as err:
        check_text("SELECT * WHERE { FILTER(" + "!" * 10_000 + "true) }")
    assert str(err.value).startswith("the query chains 10,000 operators in one expression; at most 256")
    assert (err.value.line, err.value.column) == (1, 25 + MAX_CHAIN)
    with pytest.raises(QueryTextError, match="chains 9,999 path operators"):
        check_text("SELECT * { ?s " + "/".join(["<http://x/p>"] * 10_000) + " ?o }")


def test_a_comparison_cannot_hide_a_chain_in_what_looks_like_an_iri():
    """After an operand the engine reads ``<`` as less-than, so ``<?b+…+'>`` is not an IRI, and the
    string that seems to start at its end is not one either."""
    with pytest.raises(QueryTextError, match="chains 1,003 operators"):
        check_text("SELECT * { FILTER(?a<?b+'>'" + "+1" * 1000 + "+'x') }")


def test_many_short_chains_flat_lists_strings_and_comments_pass():
    check_text("SELECT * { " + " ".join(["FILTER(1+1+1+1+1+1+1+1+1+1 > ?x || !?y && ?z)"] * 200) + " }")
    check_text(PREFIX + "SELECT * {\n" + "".join(f"  ?s{i} ex:a/ex:b/^ex:c|ex:d ?o .\n" for i in range(80)) + "}")
    check_text("SELECT * { FILTER(?x IN (" + ", ".join(["-1"] * 5000) + ")) VALUES ?y { " + "-1 " * 5000 + "} }")
    check_text("SELECT * { VALUES (?a ?b) { " + "(<http://x.org/a/b/c> <http://x.org/a/b/d>) " * 300 + "} }")
    check_text("SELECT * { VALUES (?a ?b) { " + '(1 "a") ' * 5000 + "} }")  # rows the engine keeps flat
    check_text('SELECT * { ?s ?p "' + "+" * 5000 + '" . ?s <http://x/' + "/" * 5000 + "> ?o } # " + "!" * 5000)
    check_text(PREFIX + "SELECT * { FILTER(?x = ex:a" + "-1" * 1000 + ") }")  # one prefixed name


def test_a_query_with_too_many_patterns_is_refused():
    check_text("SELECT * {\n" + "?s ?p ?o .\n" * (MAX_PARTS - 1) + "}")
    with pytest.raises(QueryTextError) as err:
        check_text("SELECT * {\n" + "?s ?p ?o .\n" * MAX_PARTS + "}")
    assert f"at most {MAX_PARTS:,}" in str(err.value) and (err.value.line, err.value.column) == (MAX_PARTS + 1, 10)
    megabyte = "SELECT * { " + "?s ?p ?o . " * 100_000 + "}"
    with pytest.raises(QueryTextError, match="joins 100,001 patterns"):
        check_text(megabyte)
    with pytest.raises(QueryTextError, match="joins"):
        check_text("SELECT * { " + " UNION ".join(["{ ?s ?p ?o }"] * MAX_PARTS) + " }")
    with pytest.raises(QueryTextError, match="joins"):  # a collection is two triple patterns a member
        check_text("SELECT * { ?s ?p (" + " 1" * MAX_PARTS + ") }")
    with pytest.raises(QueryTextError, match="joins"):
        check_text("SELECT * { " + "".join(f"BIND({i} AS ?x{i}) " for i in range(MAX_PARTS)) + "}")


def test_the_limits_are_configurable():
    with pytest.raises(QueryTextError):
        check_chains("ASK { FILTER(1+1+1) }", chain_limit=1)
    with pytest.raises(QueryTextError):
        check_chains("ASK { ?s ?p ?o . ?s ?p ?o }", parts_limit=1)


@pytest.mark.parametrize("path", sorted((ROOT / "queries").glob("**/*.rq")), ids=lambda path: path.name)
def test_every_saved_query_passes(path):
    check_text(path.read_text(encoding="utf-8"))


# The quick test that lets most queries skip the scan must never pass what the scan refuses.
_PIECES = ["(", ")", "{", "}", "[", "]", "!", "+", "-", "*", "/", "|", "^", "&&", "||", "<", ">", "=", ".", ",", ";",
           " ", "?a", "1", "<>", '""', "a", "ex:p", "VALUES", "#", "\n", "'x'", "<http://e/p>", "FILTER", "1.5"]


def test_what_the_quick_count_passes_the_scan_passes_too():
    import random

    from kg.use.sparqltext import MAX_CHAIN, MAX_NESTING, MAX_PARTS, check_chains, check_nesting, surely_within_limits

    generator = random.Random(13)
    dense = ["(" * MAX_NESTING + ")" * MAX_NESTING, "(" + "1+" * MAX_CHAIN + "1)", "(" + "<>1" * (MAX_PARTS // 3) + ")",
             "{ ?s " + "<p>/" * 120 + "<p> ?o }", "(" + "?a?b" * 120 + ")"]
    texts = dense + ["".join(generator.choices(_PIECES, k=generator.randint(1, 250)))[:MAX_PARTS] for _ in range(3000)]
    passed = 0
    for text in texts:
        if surely_within_limits(text):
            passed += 1
            check_nesting(text)
            check_chains(text)
    assert passed > 1000  # the quick test does let many through
    assert not surely_within_limits("(" * (MAX_NESTING + 1)) and not surely_within_limits("1+" * (MAX_CHAIN + 1))
    assert not surely_within_limits(" " * (MAX_PARTS + 1))

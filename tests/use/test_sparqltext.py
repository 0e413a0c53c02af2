import pytest

from kg.use.sparqltext import QueryTextError, check_nesting, mask


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

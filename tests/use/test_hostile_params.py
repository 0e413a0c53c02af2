"""Hostile input to kg query's parameters and kg ask, through the command line: a clear error
and an exit code, never a traceback, a recursion without end or minutes of work."""

import pytest

from tests.conftest import kg_cli


def refused(result, code: int, words: str) -> None:
    assert result.returncode == code, result.stderr
    assert words in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr) < 1000  # the message quotes an excerpt of the value, not all of it


@pytest.mark.parametrize(
    "param",
    ["entity=china\n", "entity=china\r", "entity=\nchina", "entity=chi\tna", "entity=china\x1b[2J", "entity=china\u202e", "entity=china\x85"],
)
def test_an_entity_with_a_control_character_or_line_break_is_a_usage_error(built, param):
    result = kg_cli("query", "entity-facts", "--param", param, project=built)
    refused(result, 2, "--param entity: ")
    assert "holds a control character or a line break" in result.stderr
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr  # shown as escapes


@pytest.mark.parametrize("args", [("initiatives-proposed-in", "--param", "year=2023\n"), ("-e", "SELECT ?x WHERE {}", "--param", "x=1\n")])
def test_a_year_or_a_plain_value_with_a_trailing_newline_is_refused_too(built, args):
    refused(kg_cli("query", *args, project=built), 2, "holds a control character or a line break")


def test_a_thousand_leading_thes_are_a_clear_not_found(built):
    result = kg_cli("query", "entity-facts", "--param", "entity=" + "the " * 1000 + "china", project=built)
    refused(result, 1, "no entity has the id, label or alternative label 'the the the")
    assert "RecursionError" not in result.stderr


def test_one_leading_the_is_still_dropped(built):
    result = kg_cli("query", "entity-facts", "--param", "entity=the EU", "--format", "csv", project=built)
    assert result.returncode == 0, result.stderr
    assert "https://w3id.org/aigov/id/european-union,European Union," in result.stdout


@pytest.mark.parametrize(
    "question, words",
    [
        ("Which countries signed the Paris statement? " * 2400, "the question is longer than 1000 characters (105,600)"),
        ("a " * 101, "the question is longer than 100 words (101)"),
    ],
)
def test_a_question_too_long_is_a_usage_error(built, question, words):
    refused(kg_cli("ask", question, project=built), 2, words)


def test_a_question_of_a_hundred_words_is_still_answered(built):
    question = "Which countries signed the Paris statement " + "and " * 93 + "when?"
    result = kg_cli("ask", question, project=built)
    assert result.returncode in (0, 1), result.stderr  # answered or abstained, not refused
    assert "I cannot answer" in result.stdout or "answer(s)" in result.stdout

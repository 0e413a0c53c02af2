"""kg ask on its development set (tests/ask/devset.tsv): the targets of the ask issue, at least
95% right on answerable questions and no answer at all to an unanswerable one."""

from __future__ import annotations

import re

from kg.use.questions import ask
from kg.use.savedquery import saved_queries
from tests.ask.evaluate import evaluate, read_devset
from tests.conftest import ROOT

ROWS = read_devset()


def test_the_set_is_large_and_covers_every_saved_query():
    assert len(ROWS) >= 60
    kinds = {kind for *_, kind in ROWS}
    assert {"plain", "typo", "abbreviation", "unanswerable"} <= kinds
    covered = [expected for _, expected, _, _ in ROWS if expected]
    for query in saved_queries(ROOT / "queries"):
        if not query.group and not query.network_required:
            assert covered.count(query.name) >= 3, query.name


def test_no_question_is_a_header_phrasing():
    def plain(text: str) -> str:
        return re.sub(r"[^a-z ]", "", text.lower()).strip()

    phrasings = {plain(p) for q in saved_queries(ROOT / "queries") for p in q.phrasings}
    assert not [q for q, *_ in ROWS if plain(q) in phrasings]


def test_targets_are_met(built, store):
    counts, misses = evaluate(lambda question: ask(question, built, store), ROWS)
    answerable = sum(v for (group, _), v in counts.items() if group == "answerable")
    assert counts[("answerable", "right")] >= 0.95 * answerable, misses
    assert counts[("unanswerable", "wrong")] == 0, misses

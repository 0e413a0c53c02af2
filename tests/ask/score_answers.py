"""Score kg ask by its answers, on a set in the answer format (tests/ask/heldout-4.tsv and the
answer rows of the development set): does the reply lead with what was asked?

Each row gives a question, its kind and the expected answer:

- ``unanswerable``: ``abstain``; right only when the reply abstains;
- ``yes-no``: ``Yes``, ``No`` or ``Not reported``; right when the reply's verdict is that;
- ``who``, ``where``, ``what``, ``list``, ``compare``: entity ids joined by ``|``; right when the
  entities answered are exactly those (a literal answer instead of an entity is wrong); a
  ``what`` whose expected answer is text (not an id) is right when the first answer holds most of
  its words;
- ``when``: an ISO date or year; right when every answer is that value;
- ``how-many``: a number with its bound (``more than 140``); right when the reply's lead begins
  with it or its first answer says exactly that;
- ``disagreement``: the values joined by ``|``; right when the reply shows every one of them
  and says the sources differ.

Run after ``python build.py``:

    python -m tests.ask.score_answers [tests/ask/heldout-4.tsv] [--show-misses]
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
ID = "https://w3id.org/aigov/id/"
_ID_SHAPE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SMALL = frozenset("a an the of to and or for in on at by with".split())


class Row(NamedTuple):
    """One question of an answer-format set."""

    question: str
    kind: str
    expected: str
    sources: tuple[str, ...]
    note: str


def read_answers(path: Path = HERE / "heldout-4.tsv") -> list[Row]:
    """The rows of an answer-format set (comment lines and the header skipped)."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) != 5:
            raise ValueError(f"{path}: row {number} has {len(cells)} columns, not 5: {line!r}")
        question, kind, expected, sources, note = cells
        rows.append(Row(question, kind, expected, tuple(s for s in sources.split("|") if s), note))
    return rows


def _id(iri: str | None) -> str | None:
    return iri[len(ID):] if iri and iri.startswith(ID) else None


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9 ]", " ", text.lower())).strip()


def _words(text: str) -> set[str]:
    return {w for w in _plain(text).split() if w not in _SMALL}


def _shown(answer) -> set[str]:  # type: ignore[no-untyped-def]
    """The texts an answer shows as its value: its label and value, plainly written."""
    return {_plain(t) for t in (answer.label, answer.value or "") if t}


def judge(reply, row: Row) -> str:  # type: ignore[no-untyped-def]
    """``right``, ``abstained`` or ``wrong`` for one reply to ``row``."""
    if row.kind == "unanswerable":
        return "right" if reply.abstained else "wrong"
    if reply.abstained:
        return "abstained"
    answers = reply.answers
    expected = row.expected.split("|")
    if row.kind == "yes-no":
        ok = getattr(reply, "verdict", None) == row.expected
    elif row.kind == "when":
        ok = bool(answers) and all(_plain(row.expected) in _shown(a) for a in answers)
    elif row.kind == "how-many":  # the lead ("2: Rishi Sunak and …") or else the first answer
        lead = _plain(getattr(reply, "lead", None) or "")
        ok = lead.startswith(_plain(row.expected) + " ") or bool(answers) and _plain(row.expected) in _shown(answers[0])
    elif row.kind == "disagreement":
        shown = set().union(*(_shown(a) for a in answers)) if answers else set()
        says = "differ" in (reply.note or "").lower()
        ok = says and all(_plain(value) in shown for value in expected)
    elif row.kind == "what" and not all(_ID_SHAPE.match(e) for e in expected):
        want = _words(row.expected)
        ok = bool(answers) and len(want & _words(answers[0].label)) >= 0.6 * len(want)
    else:  # who, where, what, list, compare: exactly the expected entities
        ids = [_id(a.iri) for a in answers]
        ok = bool(answers) and None not in ids and set(ids) == set(expected)
    return "right" if ok else "wrong"


def score(ask, rows: list[Row]):  # type: ignore[no-untyped-def]
    """Counter of (answerable|unanswerable, outcome), and the misses with what was answered."""
    counts: Counter[tuple[str, str]] = Counter()
    misses = []
    for row in rows:
        reply = ask(row.question)
        result = judge(reply, row)
        counts[("unanswerable" if row.kind == "unanswerable" else "answerable", result)] += 1
        if result != "right":
            got = reply.reason if reply.abstained else [(_id(a.iri) or a.label) for a in reply.answers][:8]
            misses.append((row.kind, row.question, row.expected, result, reply.query, getattr(reply, "verdict", None), got))
    return counts, misses


def report(counts: Counter[tuple[str, str]], total: int) -> list[str]:
    """The score as lines of text."""
    answerable = sum(v for (g, _), v in counts.items() if g == "answerable")
    unanswerable = total - answerable
    lines = [f"{total} questions: {answerable} answerable, {unanswerable} unanswerable"]
    for result in ("right", "abstained", "wrong"):
        n = counts[("answerable", result)]
        lines.append(f"  answerable   {result:<9} {n:3d}  {100 * n / max(answerable, 1):5.1f}%")
    for result in ("right", "wrong"):
        n = counts[("unanswerable", result)]
        lines.append(f"  unanswerable {'abstained' if result == 'right' else 'answered':<9} {n:3d}  {100 * n / max(unanswerable, 1):5.1f}%")
    return lines


def main() -> int:
    from kg.project import Project
    from kg.use.questions import ask

    project = Project(HERE.parents[1])
    paths = [Path(a) for a in sys.argv[1:] if not a.startswith("--")]
    rows = read_answers(paths[0]) if paths else read_answers()
    counts, misses = score(lambda q: ask(q, project), rows)
    print("\n".join(report(counts, len(rows))))
    if "--show-misses" in sys.argv:
        for miss in misses:
            print("MISS", *miss, sep="\n   ")
    return 0


if __name__ == "__main__":
    sys.exit(main())

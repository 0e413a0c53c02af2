"""Score kg ask on the development set (tests/ask/devset.tsv), or on another set in its format
(the held-out sets): right answers, abstentions and wrong answers. Run after ``python build.py``:

    python -m tests.ask.evaluate [tests/ask/heldout.tsv] [--show-misses]
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent


def read_devset(path: Path = HERE / "devset.tsv") -> list[tuple[str, str | None, dict[str, str], str]]:
    """(question, expected query or None for ABSTAIN, expected parameters, kind) per line."""
    rows = []
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    for line in lines[1:]:
        question, expected, kind = line.split("\t")
        name, *pairs = expected.split()
        params = dict(pair.split("=", 1) for pair in pairs)
        rows.append((question, None if name == "ABSTAIN" else name, params, kind))
    return rows


def outcome(reply, expected: str | None, params: dict[str, str]) -> str:  # type: ignore[no-untyped-def]
    """``right``, ``abstained`` or ``wrong`` for one reply. The right query with the right
    parameters that finds nothing (``no-results``, e.g. Wikidata memberships before any
    enrichment) is right: the true answer is that the graph holds none. An expected
    ``relation:NAME`` is a question the ontology's property aig:NAME answers (a yes/no verdict,
    a count with its bound), rather than a saved query; its answers are scored by
    tests/ask/score_answers.py on the answer-format sets."""
    if expected is None:
        return "right" if reply.abstained else "wrong"
    if expected.startswith("relation:"):
        chose = (getattr(reply, "relation", None) or "").endswith("#" + expected[len("relation:"):])
        return "abstained" if reply.abstained else "right" if chose else "wrong"
    got = {k: (v if isinstance(v, int) else v.rsplit("/", 1)[-1]) for k, v in reply.parameters.items()}
    want = {k: (int(v) if v.isdigit() else v) for k, v in params.items()}
    chose_right = reply.query == expected and got == want
    if reply.abstained:  # an abstention is never wrong; it is right when the right query finds nothing
        return "right" if reply.reason_code == "no-results" and chose_right else "abstained"
    return "right" if chose_right else "wrong"


def evaluate(ask, rows):  # type: ignore[no-untyped-def]
    """Counter of (answerable|unanswerable, outcome), and the misses."""
    counts: Counter[tuple[str, str]] = Counter()
    misses = []
    for question, expected, params, kind in rows:
        reply = ask(question)
        result = outcome(reply, expected, params)
        group = "unanswerable" if expected is None else "answerable"
        counts[(group, result)] += 1
        if result != "right":
            misses.append((question, expected, params, reply.query, reply.parameters, reply.reason, reply.confidence))
    return counts, misses


def main() -> int:
    from kg.project import Project
    from kg.use.questions import ask
    from tests.ask.score_answers import report

    project = Project(HERE.parents[1])
    paths = [Path(a) for a in sys.argv[1:] if not a.startswith("--")]
    rows = read_devset(paths[0]) if paths else read_devset()
    counts, misses = evaluate(lambda q: ask(q, project), rows)
    print("\n".join(report(counts, len(rows))))
    if "--show-misses" in sys.argv:
        for miss in misses:
            print("MISS", *miss, sep="\n   ")
    return 0


if __name__ == "__main__":
    sys.exit(main())

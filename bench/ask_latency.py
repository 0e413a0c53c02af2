#!/usr/bin/env python3
"""In-process answer time of kg ask (target: under 100 ms a question): every question of the
development set (tests/ask/devset.tsv), asked repeatedly against the project's built graph,
with the answerer built once as kg.ask keeps it; and the first question's time, which includes
reading the queries and indexing the graph's names.

    python build.py && python bench/ask_latency.py [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.project import Project  # noqa: E402
from kg.use.questions import Asker  # noqa: E402
from kg.use.store import open_store  # noqa: E402
from tests.ask.evaluate import read_devset  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="times each question is asked (default 20)")
    args = parser.parse_args()
    project = Project(ROOT)
    questions = [q for q, *_ in read_devset()]

    start = time.perf_counter()
    asker = Asker(open_store(project), project.queries_dir)
    asker.ask(questions[0])
    first = time.perf_counter() - start

    per_question = []
    for question in questions:
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            asker.ask(question)
            times.append(time.perf_counter() - t0)
        per_question.append((statistics.median(times), question))
    medians = sorted(t for t, _ in per_question)
    p95 = medians[int(0.95 * (len(medians) - 1))]
    print(f"{len(questions)} questions x {args.runs} runs, answerer already built")
    print(f"  median of per-question medians {1000 * statistics.median(medians):7.2f} ms")
    print(f"  95th percentile                {1000 * p95:7.2f} ms")
    print(f"  slowest                        {1000 * medians[-1]:7.2f} ms  ({max(per_question)[1]})")
    print(f"first question, including loading the graph and indexing: {1000 * first:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""In-process latency of every saved query on a built project, opened as `kg query` opens it
(the accepted graph as the default graph, each source's claims a named graph): p50 and p95
over repeated runs, with parameters at their defaults (year=2023), bound as `kg query` binds
them. Queries with a parameter are lookups (target: p50 under 5 ms); the others list the whole
graph and grow with it. For a large dataset of the real shape, build synthetic sources first:

    python bench/build_scale.py --sources 500 --keep /tmp/scale500
    python bench/query_latency.py --project /tmp/scale500 [--runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.use.params import bind  # noqa: E402
from kg.project import Project  # noqa: E402
from kg.use.query import execute, local_lookup, saved  # noqa: E402
from kg.use.savedquery import saved_queries  # noqa: E402
from kg.use.store import open_store  # noqa: E402

DEFAULTS = {"initiatives-proposed-in": {"year": "2023"}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, default=ROOT, help="a built project (default: this one)")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    project = Project(args.project.resolve())
    start = time.perf_counter()
    store = open_store(project, cache_from_bytes=1 << 62)  # in memory, whatever its size
    print(f"loaded {len(store):,} quads in {time.perf_counter() - start:.1f} s")
    print(f"{'query':<26} {'kind':<7} {'rows':>7} {'p50 ms':>9} {'p95 ms':>9}")
    for query in saved_queries(project.queries_dir):
        if query.group:
            continue
        text = saved(project, query.name)
        terms = bind(query, DEFAULTS.get(query.name, {}), local_lookup(store))
        times, rows = [], 0
        for _ in range(args.runs):
            begin = time.perf_counter()
            rows = len(execute(store, text, terms).rows)
            times.append((time.perf_counter() - begin) * 1000)
        times.sort()
        kind = "lookup" if query.params else "listing"
        print(f"{query.name:<26} {kind:<7} {rows:>7} {statistics.median(times):>9.2f} {times[int(len(times) * 0.95) - 1]:>9.2f}")


if __name__ == "__main__":
    main()

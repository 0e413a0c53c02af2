#!/usr/bin/env python3
"""`kg query NAME` as a whole process, beside the Rust `oxigraph query` CLI and a plain rdflib
script answering the same query on the same data; medians of many interleaved runs.

Needs a built dist/ (python build.py) and the test extras (the `oxigraph` CLI).

    python bench/query_cli.py [--runs 41] [--query signatories]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.project import Project  # noqa: E402
from kg.use.query import local_lookup, saved  # noqa: E402
from kg.use.params import bind  # noqa: E402
from kg.use.remote import with_values  # noqa: E402
from kg.use.store import dataset_file, graph_files, open_store  # noqa: E402

RDFLIB_SCRIPT = """
import sys, rdflib
d = rdflib.Dataset()  # the default graph is the accepted graph, as kg query opens it
for f in sys.argv[2:]:
    if f.endswith(".nq"):
        d.parse(f, format="nquads")
    else:
        d.default_graph.parse(f, format="nt")
sys.stdout.write(d.query(open(sys.argv[1], encoding="utf-8").read()).serialize(format="csv").decode())
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=41)
    parser.add_argument("--query", default="signatories")
    args = parser.parse_args()
    project = Project(ROOT)
    # the ontology and the accepted graph (default graph) and the sources' claims (named graphs)
    files = [str(f) for f in [*graph_files(project), dataset_file(project)]]
    query = saved(project, args.query)
    store = open_store(project)
    # the same query with its default parameters bound as VALUES, for the tools that take text
    text = with_values(query.text, bind(query.saved, {}, local_lookup(store)))
    kg = shutil.which("kg", path=str(Path(sys.executable).parent)) or "kg"
    oxigraph = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or "oxigraph"
    with tempfile.TemporaryDirectory() as tmp:
        location, query_file = Path(tmp) / "store", Path(tmp) / "query.rq"
        query_file.write_text(text, encoding="utf-8")
        subprocess.run([oxigraph, "load", "--location", str(location), *sum((["--file", f] for f in files), [])], check=True, capture_output=True)
        commands = {
            f"kg query {args.query}": [kg, "query", args.query, "--format", "csv"],
            "oxigraph query (Rust CLI, on-disk store)": [oxigraph, "query", "--location", str(location), "--query-file", str(query_file), "--results-format", "csv"],
            "rdflib script": [sys.executable, "-c", RDFLIB_SCRIPT, str(query_file), *files],
            "python -c pass": [sys.executable, "-c", "pass"],
        }
        # as on a user's machine, Python may cache bytecode (this workplace sets PYTHONDONTWRITEBYTECODE)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        outputs = {name: subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT, env=env).stdout for name, cmd in commands.items()}
        rows = {name: len(out.strip().splitlines()) - 1 for name, out in outputs.items() if name != "python -c pass"}
        assert len(set(rows.values())) == 1, f"the tools disagree on the number of rows: {rows}"
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():  # interleaved, so load on the machine hits all alike
                start = time.perf_counter()
                subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True, cwd=ROOT, env=env)
                times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    reference = medians[f"kg query {args.query}"]
    print(f"whole process, median of {args.runs} runs ({next(iter(rows.values()))} result rows each):")
    for name, value in medians.items():
        print(f"  {name:<42} {value:7.1f} ms   kg / this = {reference / value:5.2f}")


if __name__ == "__main__":
    main()

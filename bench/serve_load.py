#!/usr/bin/env python3
"""Requests per second of `kg serve` against `oxigraph serve-read-only` on the same data, both
loaded by wrk (C, epoll: the load generator is not the bottleneck, as Python threads were):

    python build.py && python bench/serve_load.py [--rounds 5] [--seconds 5] [--connections 16]
        [--queries ask,blocs,signatories] [--project DIR]

The Oxigraph store is laid out as `kg serve` lays out its own (see kg/use/store.py): the
ontology and the accepted graph as the default graph, each source's claims a named graph. Each
query is a GET /sparql?query=… (Oxigraph: /query?query=…) asking for SPARQL JSON results:

- ask: ``ASK { ?s ?p ?o }``, the trivial query;
- blocs: the blocs that endorsed the Paris statement, a lookup in the accepted graph;
- signatories: the saved query ``signatories`` with its pledge bound in a VALUES block, as
  /api/queries lists it: a lookup in the claims graphs.

Each runs **uncached** (every request a different text: a comment with a number no other
request has, so an answer cache keyed on the request cannot answer it and a worker must) and
**cached** (the same URL every time). Runs are interleaved (kg serve and Oxigraph in turns,
the order swapped each round) and the median of the rounds is reported, with the ratio
kg/oxigraph against the issue's targets: uncached at least 0.3x, cached at least 1x.

Both servers and wrk share this machine's cores, so the figures compare the two servers; they
are not an absolute capacity.
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.namespaces import ACCEPTED_GRAPH  # noqa: E402
from kg.project import Project  # noqa: E402
from tests.conftest import free_port, start_kg_serve, stop  # noqa: E402

ACCEPT = "application/sparql-results+json"
ASK = "ASK { ?s ?p ?o }"
BLOCS = """PREFIX aig: <https://w3id.org/aigov/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?bloc ?label WHERE { ?bloc aig:endorsed <https://w3id.org/aigov/id/statement-on-inclusive-and-sustainable-ai> ;
  a aig:Bloc ; rdfs:label ?label }"""
TARGETS = {"uncached": 0.3, "cached": 1.0}  # kg serve's requests/s over Oxigraph's, at least

# wrk's Lua: a path per request (uncached: the query, then a comment "# <run>-<thread>-<n>"), and
# the summary as one JSON line. Each wrk thread has its own Lua state: setup() numbers them. The
# run's own number keeps the texts of one run from repeating an earlier run's (found in review:
# without it, every round after the first was answered from kg serve's cache).
SCRIPT = """
local path, vary, run = %(path)s, %(vary)s, %(run)d
local threads, counter = 0, 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
function request()
  if not vary then return wrk.format(nil, path) end
  counter = counter + 1
  return wrk.format(nil, path .. "%%0A%%23%%20" .. run .. "-" .. id .. "-" .. counter)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %%d, "seconds": %%f, "refused": %%d, "failed": %%d, "p50_ms": %%f, "p99_ms": %%f}\\n',
    summary.requests, summary.duration / 1e6, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


_RUNS = itertools.count(1)


class Run(NamedTuple):
    """What one wrk run measured."""

    per_second: float  # answers that were not errors, per second
    errors: int  # non-2xx/3xx answers, and connections that failed or timed out
    p50_ms: float
    p99_ms: float


def wrk(url: str, vary: bool, args: argparse.Namespace, scripts: Path) -> Run:
    """Load ``url`` (scheme, host, port and path with its query string) with wrk."""
    split = urllib.parse.urlsplit(url)
    script = scripts / "load.lua"  # runs are one at a time: each writes its own over the last
    script.write_text(SCRIPT % {"path": json.dumps(f"{split.path}?{split.query}"), "vary": "true" if vary else "false",
                                "run": next(_RUNS)})
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.seconds:g}s", "--timeout", "10s",
               "-H", f"Accept: {ACCEPT}", "-s", str(script), f"{split.scheme}://{split.netloc}/"]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    summary = json.loads([line for line in result.stdout.splitlines() if line.startswith("{")][-1])
    answered = summary["requests"] - summary["refused"]
    return Run(answered / summary["seconds"], summary["refused"] + summary["failed"], summary["p50_ms"], summary["p99_ms"])


def oxigraph_store(project: Project, location: Path) -> None:
    """Load the project's dist/ into an Oxigraph store at ``location``, laid out as kg serve's."""
    exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    dist = project.dist
    subprocess.run([exe, "load", "--location", str(location), "--file", str(dist / "kg.nq")], check=True, capture_output=True)
    # the accepted graph is the default graph, not also a named one (kg.use.store._load)
    subprocess.run([exe, "update", "--location", str(location), "--update", f"DROP SILENT GRAPH <{ACCEPTED_GRAPH}>"], check=True, capture_output=True)
    subprocess.run([exe, "load", "--location", str(location), "--file", str(dist / "ontology.nt"), str(dist / "kg.nt")], check=True, capture_output=True)


def start_oxigraph(location: Path) -> tuple[subprocess.Popen, str]:
    """`oxigraph serve-read-only` on ``location``; (process, base URL) once it answers."""
    exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    port = free_port()
    process = subprocess.Popen([exe, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{base}query?query=ASK%7B%7D", timeout=1).read()
            return process, base
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("oxigraph serve-read-only did not start")


def answer_size(url: str) -> int:
    """The rows of a SELECT answer at ``url``, or 1 for a true ASK: what the two must agree on."""
    request = urllib.request.Request(url, headers={"Accept": ACCEPT})
    with urllib.request.urlopen(request, timeout=30) as answer:
        result = json.loads(answer.read())
    return int(result["boolean"]) if "boolean" in result else len(result["results"]["bindings"])


def signatories(kg_base: str) -> str:
    """The saved query ``signatories`` with its parameter's default bound, as the server lists it."""
    with urllib.request.urlopen(f"{kg_base}api/queries", timeout=30) as answer:
        return next(q["sparql"] for q in json.loads(answer.read()) if q["name"] == "signatories")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, default=ROOT, help="the project whose dist/ is served (default: this one)")
    parser.add_argument("--rounds", type=int, default=5, help="runs of each query and mode per server (the median is reported)")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each wrk run")
    parser.add_argument("--connections", type=int, default=16, help="wrk's open connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads")
    parser.add_argument("--workers", type=int, default=4, help="kg serve --workers")
    parser.add_argument("--queries", default="ask,blocs,signatories", help="which queries, comma-separated (default: all three)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        parser.error("needs wrk (apt-get install wrk)")
    project = Project(args.project.resolve())
    if not (project.dist / "kg.nq").is_file():
        print("no build in dist/: building it first", flush=True)
        subprocess.run([sys.executable, str(ROOT / "build.py"), "--project", str(project.root)], check=True)

    with tempfile.TemporaryDirectory() as tmp:
        oxigraph_store(project, Path(tmp) / "store")
        scripts = Path(tmp)
        kg_process, kg_base = start_kg_serve(project, "--workers", str(args.workers), "--timeout", "30")
        ox_process, ox_base = start_oxigraph(Path(tmp) / "store")
        try:
            chosen = args.queries.split(",")
            texts = {"ask": lambda: ASK, "blocs": lambda: BLOCS, "signatories": lambda: signatories(kg_base)}
            unknown = sorted(set(chosen) - set(texts))
            if unknown:
                parser.error(f"no query {unknown[0]!r}: choose among {', '.join(texts)}")
            queries = {name: texts[name]() for name in chosen}
            urls = {name: {"kg serve": f"{kg_base}sparql?query={urllib.parse.quote(text)}",
                           "oxigraph": f"{ox_base}query?query={urllib.parse.quote(text)}"} for name, text in queries.items()}
            for name, pair in urls.items():
                sizes = {server: answer_size(url) for server, url in pair.items()}
                if len(set(sizes.values())) != 1:
                    raise SystemExit(f"the two servers disagree on {name}: {sizes}; they do not hold the same data")
            print(f"wrk -t{args.threads} -c{args.connections} -d{args.seconds:g}s, {args.rounds} rounds; "
                  f"kg serve --workers {args.workers}; the two servers alternate, the order swapped each round", flush=True)
            runs: dict[tuple[str, str, str], list[Run]] = {}
            for round_ in range(args.rounds):
                for name, pair in urls.items():
                    for mode in TARGETS:
                        order = list(pair) if round_ % 2 == 0 else list(reversed(pair))
                        for server in order:
                            run = wrk(pair[server], mode == "uncached", args, scripts)
                            runs.setdefault((name, mode, server), []).append(run)
                            print(f"  round {round_ + 1}: {name:<12} {mode:<9} {server:<9} {run.per_second:8.0f} req/s"
                                  f"  p50 {run.p50_ms:6.2f} ms  p99 {run.p99_ms:7.2f} ms  errors {run.errors}", flush=True)
        finally:
            stop(kg_process)
            ox_process.terminate()
            ox_process.wait(timeout=10)

    print()
    print(f"{'query':<12} {'mode':<9} {'kg serve':>10} {'oxigraph':>10} {'kg/oxigraph':>12} {'target':>7}  {'met':<4} {'errors (kg, oxigraph)'}")
    for name in queries:
        for mode, target in TARGETS.items():
            ours, theirs = (runs[(name, mode, server)] for server in ("kg serve", "oxigraph"))
            kg_rate = statistics.median(r.per_second for r in ours)
            ox_rate = statistics.median(r.per_second for r in theirs)
            ratio = kg_rate / ox_rate if ox_rate else float("inf")
            print(f"{name:<12} {mode:<9} {kg_rate:10.0f} {ox_rate:10.0f} {ratio:11.2f}x {target:6.1f}x  {'yes' if ratio >= target else 'NO':<4}"
                  f" {sum(r.errors for r in ours)}, {sum(r.errors for r in theirs)}")
    print("requests/s: the median of the rounds, counting only answers that were not errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Requests per second and latency of `kg serve` against `oxigraph serve-read-only` on the same
data (dist/ontology.nt + dist/kg.nt), each loaded by the same Python clients: N threads, one
keep-alive connection each, for T seconds, sending one SPARQL query by POST.

    python build.py && python bench/serve_load.py [--clients 16] [--seconds 10]

Both servers and the clients share this machine's cores, so the figures are for comparison
between the two, not absolute capacity.
"""

from __future__ import annotations

import argparse
import http.client
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import free_port, start_kg_serve, stop  # noqa: E402

QUERIES = {
    "ask": "ASK { ?s ?p ?o }",
    "lookup": """PREFIX aig: <https://w3id.org/aigov/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?bloc ?label WHERE { ?bloc aig:endorsed <https://w3id.org/aigov/id/statement-on-inclusive-and-sustainable-ai> ;
  a aig:Bloc ; rdfs:label ?label }""",
}


def load(host: str, port: int, path: str, query: str, clients: int, seconds: float) -> tuple[int, int, list[float]]:
    """(answers, errors, latencies in seconds) of ``clients`` threads posting ``query``."""
    body = urllib.parse.urlencode({"query": query})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"}
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=30)
        mine, failed = [], 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                connection.request("POST", path, body, headers)
                answer = connection.getresponse()
                answer.read()
                ok = answer.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=30)
            if ok:
                mine.append(time.perf_counter() - started)
            else:
                failed += 1
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies), errors[0], latencies


def report(name: str, answers: int, errors: int, latencies: list[float], seconds: float) -> float:
    latencies.sort()
    pick = lambda q: 1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
    rps = answers / seconds
    print(f"  {name:<28} {rps:8.0f} req/s  p50 {pick(0.5):6.2f} ms  p95 {pick(0.95):6.2f} ms  p99 {pick(0.99):6.2f} ms  errors {errors}")
    return rps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=4, help="kg serve --workers")
    args = parser.parse_args()
    from kg.project import Project

    project = Project(ROOT)
    exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        for name in ("ontology.nt", "kg.nt"):
            subprocess.run([exe, "load", "--location", str(store), "--file", str(project.dist / name)], check=True, capture_output=True)
        port = free_port()
        oxigraph = subprocess.Popen([exe, "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        kg_process, kg_url = start_kg_serve(project, "--workers", str(args.workers), "--timeout", "30")
        kg_port = urllib.parse.urlsplit(kg_url).port
        time.sleep(1)
        try:
            print(f"{args.clients} clients x {args.seconds:g} s each, keep-alive, POST form; kg serve --workers {args.workers}")
            for label, query in QUERIES.items():
                print(f"{label}:")
                ours = report("kg serve", *load("127.0.0.1", kg_port, "/sparql", query, args.clients, args.seconds), args.seconds)
                theirs = report("oxigraph serve-read-only", *load("127.0.0.1", port, "/query", query, args.clients, args.seconds), args.seconds)
                print(f"  ratio (oxigraph / kg serve, throughput): {theirs / ours:.2f}")
        finally:
            stop(kg_process)
            oxigraph.terminate()
            oxigraph.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())

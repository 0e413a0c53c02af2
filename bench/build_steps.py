#!/usr/bin/env python3
"""Time the build, step by step, on a copy of this project; print medians over several runs.

Also times loading the published graph, the reference comparison for later query work:
pyoxigraph versus a plain rdflib script on dist/kg.nt + dist/ontology.nt.

    python bench/build_steps.py [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.make.steps import STEPS, run  # noqa: E402
from kg.project import Project  # noqa: E402


def timed_process(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        project = Project(Path(tmp))
        for name in ("ontology", "data", "queries"):
            shutil.copytree(ROOT / name, project.root / name)
        seconds: dict[str, list[float]] = {step: [] for step in STEPS}
        whole: list[float] = []
        for _ in range(runs):
            start = time.perf_counter()
            report = run(project, say=lambda line: None)
            whole.append(time.perf_counter() - start)
            for step, value in report.seconds.items():
                seconds[step].append(value)
        print(f"build, in process, median of {runs} runs")
        for step, values in seconds.items():
            print(f"  {step:<9} {statistics.median(values):7.3f} s")
        print(f"  {'total':<9} {statistics.median(whole):7.3f} s")

        cold = [timed_process(f"import runpy, sys; sys.argv=['build.py', '--project', {str(project.root)!r}]; runpy.run_path({str(ROOT / 'build.py')!r}, run_name='__main__')") for _ in range(runs)]
        print(f"python build.py, whole process: median {statistics.median(cold):.3f} s")

        files = [str(project.dist / "ontology.nt"), str(project.dist / "kg.nt")]
        ox = [timed_process(f"import pyoxigraph as o; s=o.Store(); [s.bulk_load(path=f, format=o.RdfFormat.N_TRIPLES) for f in {files!r}]; len(s)") for _ in range(runs)]
        rd = [timed_process(f"import rdflib; g=rdflib.Graph(); [g.parse(f, format='nt') for f in {files!r}]; len(g)") for _ in range(runs)]
        print("load dist/ (ontology.nt + kg.nt) in a new process, median:")
        print(f"  pyoxigraph {statistics.median(ox) * 1000:7.1f} ms")
        print(f"  rdflib     {statistics.median(rd) * 1000:7.1f} ms  ({statistics.median(rd) / statistics.median(ox):.1f}x pyoxigraph)")


if __name__ == "__main__":
    main()

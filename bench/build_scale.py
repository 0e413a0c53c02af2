#!/usr/bin/env python3
"""How the build grows with its sources: N synthetic sources shaped like the article (about 50
claims and 20 entities each, the entities shared between sources, a quoted text per source),
added to a temporary copy of this project and built in process; prints one JSON object:

    {"sources": N, "claims": ..., "triples": ..., "steps": {"load": s, ...}, "total": s}

    python bench/build_scale.py --sources 100 [--keep DIR]

Synthetic: names, texts and numbers mean nothing, and never reach the repository. Sources
disagree as real ones do (some say a party signed, others that it declined; counts differ), so
the acceptance rules and the disagreement report are exercised at scale. Deterministic for a
given --seed. Not run by the tests (the 100-source run takes minutes).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.make.steps import run  # noqa: E402
from kg.project import Project  # noqa: E402

PLEDGES = 8
NATIONS = 120
PEOPLE = 60
PER_SOURCE = 20  # entities each source speaks of


def entities(rng: random.Random) -> str:
    """The synthetic entities, as data/entities.yaml entries."""
    lines = []
    for i in range(PLEDGES):
        lines += [f"  - id: syn-pledge-{i}", "    type: Pledge", f"    label: Synthetic pledge {i}"]
        lines += [f"  - id: syn-summit-{i}", "    type: Summit", f"    label: Synthetic summit {i}"]
    for i in range(NATIONS):
        lines += [f"  - id: syn-nation-{i}", "    type: Nation", f"    label: Synthetic nation {i}"]
    for i in range(PEOPLE):
        lines += [f"  - id: syn-person-{i}", "    type: Person", f"    label: Synthetic person {i}"]
    return "\n".join(lines) + "\n"


def source(number: int, rng: random.Random) -> tuple[str, str]:
    """The text and the claims file of synthetic source ``number``: about 50 claims."""
    sid = f"syn-source-{number}"
    nations = rng.sample(range(NATIONS), PER_SOURCE - 4)
    people = rng.sample(range(PEOPLE), 2)
    pledge, summit = rng.randrange(PLEDGES), rng.randrange(PLEDGES)
    sentences, claims = [], []

    def claim(subject: str, prop: str, target: str, words: str) -> None:
        sentence = f"Report {number} item {len(sentences)}: {words}."
        sentences.append(sentence)
        claims.append(f"  - {{subject: {subject}, property: {prop}, {target}, quote: \"{sentence[:-1]}\"}}")

    claim(f"syn-summit-{summit}", "heldIn", "object: paris", f"summit {summit} was held in Paris")
    claim(f"syn-pledge-{pledge}", "endorsedAt", f"object: syn-summit-{summit}", f"pledge {pledge} was adopted at summit {summit}")
    for n in nations:
        signed = rng.random() < 0.85
        prop = "endorsed" if signed else "declinedToEndorse"
        claim(f"syn-nation-{n}", prop, f"object: syn-pledge-{pledge}", f"nation {n} {'signed' if signed else 'did not sign'} pledge {pledge}")
        claim(f"syn-nation-{n}", "participatedIn", f"object: syn-summit-{summit}", f"nation {n} took part in summit {summit}")
        if rng.random() < 0.3:
            claim(f"syn-nation-{n}", "emphasized", f"value: \"point {rng.randrange(40)}\"", f"nation {n} stressed point number {rng.randrange(1000)}")
    for p in people:
        claim(f"syn-person-{p}", "participatedIn", f"object: syn-summit-{summit}", f"person {p} attended summit {summit}")
        claim(f"syn-person-{p}", "represented", f"object: syn-nation-{rng.choice(nations)}", f"person {p} represented a nation")
    count = 50 + rng.randrange(20)
    sentence = f"Report {number} item {len(sentences)}: {count} nations signed pledge {pledge}."
    sentences.append(sentence)
    claims.append(f"  - {{subject: syn-pledge-{pledge}, property: signatoryCount, value: {count}, counted: nations, "
                  f"bound: exactly, quote: \"{sentence[:-1]}\"}}")
    text = " ".join(sentences)
    claims_file = f"source: {sid}\ngroups:\n  - {{id: analysts, label: analysts (synthetic), quote: \"Report {number} item 0\"}}\nclaims:\n" + "\n".join(claims) + "\n"
    return text, claims_file


def prepare(root: Path, sources: int, seed: int) -> Project:
    """A copy of the project with ``sources`` synthetic sources added."""
    rng = random.Random(seed)
    for name in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / name, root / name)
    project = Project(root)
    with project.entities.open("a", encoding="utf-8") as register:
        register.write(entities(rng))
    for number in range(sources):
        text, claims = source(number, rng)
        sid = f"syn-source-{number}"
        data = text.encode("utf-8")
        (project.sources_dir / f"{sid}.txt").write_bytes(data)
        (project.sources_dir / f"{sid}.meta.yaml").write_text(
            f"id: {sid}\nkind: quoted\ntitle: Synthetic source {number}\ntitle_note: synthetic, for the benchmark\n"
            f"language: en\nmedia_type: text/plain; charset=utf-8\nnormalization: verbatim-utf8\nrights: synthetic\n"
            f"subjects: [benchmark]\nsha256: {hashlib.sha256(data).hexdigest()}\n", encoding="utf-8")
        (project.claims_dir / f"{sid}.yaml").write_text(claims, encoding="utf-8")
    return project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, required=True, help="synthetic sources to add to the project's own")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="build in this new directory and keep it (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp) / "project"
        project = prepare(root, args.sources, args.seed)
        lines: list[str] = []
        start = time.perf_counter()
        report = run(project, say=lines.append)
        total = time.perf_counter() - start
        claims = sum(1 for line in (project.dist / "kg.nq").read_text(encoding="utf-8").splitlines()
                     if "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/aigov/ontology#Claim>" in line)
        triples = sum(1 for _ in (project.dist / "kg.nq").open(encoding="utf-8"))
        print(json.dumps({"sources": args.sources, "claims": claims, "triples": triples,
                          "steps": {step: round(seconds, 2) for step, seconds in report.seconds.items()},
                          "total": round(total, 2)}))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Scale the graph's shapes synthetically: many summits, pledges, nations, blocs, endorsements,
initiatives, representatives and resolutions, every fact with its axiom annotation and evidence
selectors exactly as the loader writes them, added to the real built graph (so the saved
queries' default parameters still resolve).

    python bench/generate.py --triples 1000000 --output bench/out/scaled.nt

Synthetic: the names and numbers mean nothing. Deterministic for a given --seed.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AIG = "https://w3id.org/aigov/ontology#"
ID = "https://w3id.org/aigov/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
OWL = "http://www.w3.org/2002/07/owl#"
OA = "http://www.w3.org/ns/oa#"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"


class Writer:
    """Writes N-Triples lines, and facts with their provenance as the loader does."""

    def __init__(self, out, rng: random.Random) -> None:
        self.out, self.rng, self.count, self.facts = out, rng, 0, 0

    def triple(self, s: str, p: str, o: str) -> None:
        self.out.write(f"{s} <{p}> {o} .\n")
        self.count += 1

    def entity(self, slug: str, cls: str, label: str, source: str) -> str:
        node = f"<{ID}{slug}>"
        self.triple(node, LABEL, f'"{label}"@en')
        self.triple(node, RDF_TYPE, f"<{OWL}NamedIndividual>")
        self.fact(node, RDF_TYPE, f"<{AIG}{cls}>", source)
        return node

    def fact(self, s: str, p: str, o: str, source: str) -> None:
        self.triple(s, p, o)
        self.facts += 1
        axiom = f"_:f{self.facts}"
        start = self.rng.randrange(0, 3000)
        end = start + self.rng.randrange(10, 120)
        evidence = f"<{ID}evidence/{source}/{start}-{end}>"
        self.triple(axiom, RDF_TYPE, f"<{OWL}Axiom>")
        self.triple(axiom, f"{OWL}annotatedSource", s)
        self.triple(axiom, f"{OWL}annotatedProperty", f"<{p}>")
        self.triple(axiom, f"{OWL}annotatedTarget", o)
        self.triple(axiom, PROV_DERIVED, f"<{ID}{source}>")
        self.triple(axiom, f"{AIG}evidence", evidence)
        quote, position = f"<{ID}evidence/{source}/{start}-{end}/quote>", f"<{ID}evidence/{source}/{start}-{end}/position>"
        self.triple(evidence, RDF_TYPE, f"<{OA}SpecificResource>")
        self.triple(evidence, f"{OA}hasSource", f"<{ID}{source}>")
        self.triple(evidence, f"{OA}hasSelector", quote)
        self.triple(evidence, f"{OA}hasSelector", position)
        self.triple(quote, RDF_TYPE, f"<{OA}TextQuoteSelector>")
        self.triple(quote, f"{OA}exact", f'"synthetic quote {self.facts}"')
        self.triple(position, RDF_TYPE, f"<{OA}TextPositionSelector>")
        self.triple(position, f"{OA}start", f'"{start}"^^<{XSD}nonNegativeInteger>')
        self.triple(position, f"{OA}end", f'"{end}"^^<{XSD}nonNegativeInteger>')


def generate(target: int, out, seed: int) -> int:
    rng = random.Random(seed)
    w = Writer(out, rng)
    sources = []
    for i in range(max(10, target // 20_000)):
        slug = f"synthetic-source-{i}"
        node = f"<{ID}{slug}>"
        w.triple(node, RDF_TYPE, f"<{AIG}SourceDocument>")
        w.triple(node, LABEL, f'"Synthetic source {i}"@en')
        sources.append(slug)
    scale = max(1, target // 20_000)
    src = lambda: rng.choice(sources)  # noqa: E731
    nations = [w.entity(f"nation-{i}", "Nation", f"Nation {i}", src()) for i in range(20 * scale)]
    blocs = [w.entity(f"bloc-{i}", "Bloc", f"Bloc {i}", src()) for i in range(scale)]
    places = [w.entity(f"place-{i}", "Place", f"Place {i}", src()) for i in range(5 * scale)]
    people = [w.entity(f"person-{i}", "Person", f"Person {i}", src()) for i in range(10 * scale)]
    offices = [w.entity(f"office-{i}", "Office", f"Office {i}", src()) for i in range(2 * scale)]
    while w.count < target:
        n = w.facts
        summit = w.entity(f"summit-{n}", "Summit", f"Summit {n}", src())
        w.fact(summit, f"{AIG}heldIn", rng.choice(places), src())
        pledge = w.entity(f"pledge-{n}", "Pledge", f"Pledge {n}", src())
        w.fact(pledge, f"{AIG}endorsedAt", summit, src())
        signers = rng.sample(nations, 10) + rng.sample(blocs, 1)
        for signer in signers:
            w.fact(signer, f"{AIG}endorsed", pledge, src())
        w.fact(pledge, f"{AIG}endorsingNationCount", f'"{len(signers) - 1}"^^<{XSD}nonNegativeInteger>', src())
        w.fact(rng.choice(nations), f"{AIG}declinedToEndorse", pledge, src())
        person = rng.choice(people)
        w.fact(person, f"{AIG}participatedIn", summit, src())
        w.fact(person, f"{AIG}represented", rng.choice(people), src())
        w.fact(person, f"{AIG}holdsOffice", rng.choice(offices), src())
        initiative = w.entity(f"initiative-{n}", "Initiative", f"Initiative {n}", src())
        w.fact(initiative, f"{AIG}proposedBy", person, src())
        w.fact(initiative, f"{AIG}proposedInYear", f'"{rng.randrange(1990, 2026)}"^^<{XSD}integer>', src())
        w.fact(rng.choice(nations), f"{AIG}committedTo", f'"synthetic commitment {n}"@en', src())
        if n % 5 == 0:
            resolution = w.entity(f"resolution-{n}", "Resolution", f"Resolution {n}", src())
            w.fact(resolution, f"{AIG}ledBy", rng.choice(nations), src())
            w.fact(resolution, f"{AIG}supportingNationCountExceeds", f'"{rng.randrange(10, 190)}"^^<{XSD}nonNegativeInteger>', src())
            w.fact(person, f"{AIG}warnedAgainst", f'"synthetic warning {n}"@en', src())
    return w.count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "out" / "scaled.nt")
    args = parser.parse_args()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8") as out:
        for name in ("ontology.nt", "kg.nt"):
            real = (ROOT / "dist" / name).read_text(encoding="utf-8")
            out.write(real)
        count = generate(args.triples, out, args.seed)
    print(f"wrote {args.output}: {count:,} synthetic triples plus the real graph")


if __name__ == "__main__":
    main()

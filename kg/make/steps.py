"""The named build steps — load, validate, reason, publish — and the runner that times them."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from kg.errors import KGError, excerpt
from kg.make.loader import Loaded, load
from kg.project import Project

STEPS: dict[str, str] = {
    "load": "read ontology, entities, sources, claims, decisions and mappings; locate every quote; "
            "build each source's graph and derive the accepted graph by the acceptance rules",
    "validate": "SHACL shapes (pySHACL) and the queries/qc/*-violation.rq checks (pyoxigraph)",
    "reason": "OWL 2 consistency and class satisfiability of the accepted graph with HermiT (owlready2, Java)",
    "publish": "write dist/ (TriG, N-Quads, Turtle, N-Triples, JSON-LD, RDF/XML, VoID+DCAT, the site, SHA256SUMS) atomically",
}


@dataclass
class BuildReport:
    """What a build did: seconds per step and a line of results per step."""

    seconds: dict[str, float] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)


def run(project: Project, until: str = "publish", say: Callable[[str], None] = print, base: str | None = None) -> BuildReport:
    """Run the steps in order up to and including ``until``; any failure raises :class:`KGError`
    before ``dist/`` is touched. ``base``: the site's base URL (default the w3id.org IRIs)."""
    if until not in STEPS:
        raise KGError(f"unknown step {excerpt(until)}", hint=f"steps: {', '.join(STEPS)}")
    report = BuildReport()
    loaded: Loaded | None = None

    def step(name: str, work: Callable[[], str]) -> None:
        start = time.perf_counter()
        summary = work()
        report.seconds[name] = time.perf_counter() - start
        line = f"{name:<9}{report.seconds[name]:6.2f} s  {summary}"
        report.lines.append(line)
        say(line)

    def do_load() -> str:
        nonlocal loaded
        loaded = load(project)
        kinds = Counter(s.kind for s in loaded.sources.values())
        unsettled = sum(1 for d in loaded.disagreements if d.settlement == "Unsettled")
        triples = len(loaded.accepted) + sum(len(g) for g in loaded.source_graphs.values())
        return (
            f"{len(loaded.sources)} source(s) ({kinds['quoted']} quoted, {kinds['cited']} cited), "
            f"{len(loaded.entities)} entities ({len(loaded.mappings)} linked to Wikidata), "
            f"{len(loaded.claims)} claims, {len(loaded.acceptance.accepted)} accepted; "
            f"{len(loaded.disagreements)} disagreement(s) ({unsettled} unsettled; kg conflicts lists them); "
            f"{triples} triples; Wikidata: {loaded.cached_wikidata_items} item(s) cached, "
            f"{_wikidata_facts(loaded)} fact(s) pulled by kg link enrich"
        )

    def do_validate() -> str:
        from kg.make.loader import source_graph_iri
        from kg.make.validate import check_shapes, run_qc, to_store

        assert loaded is not None
        results = [check_shapes(project, loaded.vocabulary.graph, [loaded.accepted, *loaded.source_graphs.values()])]
        named = {str(source_graph_iri(s)): g for s, g in loaded.source_graphs.items()}
        results += run_qc(project, to_store([loaded.vocabulary.graph, loaded.accepted], named))
        failed = [r for r in results if not r.passed]
        if failed:
            detail = "; ".join(f"{r.name}: " + " | ".join(r.problems[:5]) for r in failed)
            raise KGError(f"validation failed: {detail}", hint="each problem names the entity or term to fix")
        return f"{len(results)} checks passed ({', '.join(r.name for r in results)})"

    def do_reason() -> str:
        from kg.make.reason import reason

        assert loaded is not None
        reason(loaded.vocabulary.graph, loaded.assertions, loaded.origins)
        return (f"the accepted graph is consistent; every class satisfiable ({len(loaded.vocabulary.classes)} aig: classes, "
                f"{len(loaded.assertions)} asserted triples)")

    def do_publish() -> str:
        from kg.make.publish import render, write_dist

        assert loaded is not None
        published = write_dist(project, render(project, loaded, base))
        return f"{len(published.files)} files, {sum(published.files.values()):,} bytes in {project.relative(project.dist)}/"

    work = {"load": do_load, "validate": do_validate, "reason": do_reason, "publish": do_publish}
    for name in STEPS:
        step(name, work[name])
        if name == until:
            break
    return report


def _wikidata_facts(loaded: Loaded) -> int:
    """The triples of the enrichment graph that state Wikidata facts (not its provenance)."""
    from kg.namespaces import WDT

    if loaded.enrichment is None:
        return 0
    return sum(1 for _, p, _ in loaded.enrichment if str(p).startswith(WDT))

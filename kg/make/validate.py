"""Check the dataset: SHACL shapes (pySHACL) over every graph, and the quality-control queries
(pyoxigraph) over the store as ``kg query`` sees it (default graph: the ontology and the
accepted graph; named graphs: the sources and the Wikidata facts)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
from rdflib import Graph, URIRef

from kg.errors import KGError
from kg.project import Project


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one named check: ``problems`` is empty when it passed."""

    name: str
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """True when the check found nothing wrong."""
        return not self.problems


def check_shapes(project: Project, ontology: Graph, graphs: Iterable[Graph]) -> CheckResult:
    """Validate ontology + the union of ``graphs`` against ``ontology/shapes.ttl`` with pySHACL.

    The shapes use SHACL Core only (no SHACL-SPARQL, no qualified value shapes): pySHACL runs a
    SPARQL constraint once per focus node and a qualified shape builds a result per value it
    discards, both of which grow worse than linearly; those checks are quality-control queries
    on pyoxigraph instead (``queries/qc/``).
    """
    import pyshacl  # slow to import (~0.2 s): only the build needs it

    shapes = Graph()
    try:
        shapes.parse(project.shapes, format="turtle")
    except Exception as err:  # any rdflib parser error means the shapes file is not valid Turtle
        raise KGError(f"not valid Turtle: {err}", path=project.relative(project.shapes), hint="fix the syntax") from None
    data = Graph(bind_namespaces="none")
    for graph in graphs:
        for triple in graph:
            data.add(triple)
    conforms, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        advanced=False,
        allow_warnings=False,
    )
    problems: list[str] = []
    if not conforms:
        sh = "http://www.w3.org/ns/shacl#"
        for result in sorted(report.subjects(URIRef(sh + "resultSeverity"), None), key=str):
            focus = report.value(result, URIRef(sh + "focusNode"))
            path = report.value(result, URIRef(sh + "resultPath"))
            message = report.value(result, URIRef(sh + "resultMessage"))
            problems.append(f"{focus}" + (f" {path}" if path else "") + f": {message}")
    return CheckResult("SHACL shapes", tuple(sorted(problems)))


def qc_queries(project: Project) -> list[Path]:
    """The quality-control queries, ``queries/qc/*-violation.rq``, in name order."""
    return sorted((project.queries_dir / "qc").glob("*-violation.rq"))


def run_qc(project: Project, store: pyoxigraph.Store) -> list[CheckResult]:
    """Run every QC query over ``store``; each must be a SELECT that returns no rows."""
    from kg.use.query import QueryText, execute
    from kg.use.results import plain_text

    results = []
    for path in qc_queries(project):
        shown = project.relative(path)
        result = execute(store, QueryText(path.read_text(encoding="utf-8"), shown))
        if result.kind != "select":
            raise KGError("a quality check must be a SELECT query", path=shown, hint="make it SELECT the offending terms")
        rows = tuple(
            ", ".join(f"{name}={plain_text(term)}" for name, term in zip(result.variables, row) if term is not None) for row in result.rows
        )
        results.append(CheckResult(f"QC {path.stem}", rows))
    return results


def to_store(default: Iterable[Graph], named: dict[str, Graph]) -> pyoxigraph.Store:
    """An in-memory pyoxigraph store laid out as ``kg query`` sees the published dataset: the
    union of ``default`` in the default graph, and each graph of ``named`` under its IRI."""
    store = pyoxigraph.Store()
    for graph in default:
        store.bulk_load(graph.serialize(format="nt", encoding="utf-8"), pyoxigraph.RdfFormat.N_TRIPLES)
    for iri, graph in sorted(named.items()):
        store.bulk_load(graph.serialize(format="nt", encoding="utf-8"), pyoxigraph.RdfFormat.N_TRIPLES,
                        to_graph=pyoxigraph.NamedNode(iri))
    return store

"""OWL 2 reasoning with HermiT (through owlready2) over the ontology and the direct triples.

owlready2 cannot read Turtle and its inconsistency error carries no message, so this module
hands it N-Triples and, when HermiT finds a clash, explains it: first by the disjointness,
property-disjointness and functionality axioms a clash usually comes from, tracing each derived
type to the fact and the file line that gave it; failing that, by shrinking the facts to a
minimal set that is still inconsistent.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from rdflib import OWL, RDF, RDFS, BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.errors import KGError

Triple = tuple[Node, Node, Node]
Origins = dict[Triple, list[tuple[str, int]]]

JAVA_HINT = "install Java 11 or newer (Debian/Ubuntu: apt-get install -y default-jre-headless), or put java on PATH"


def check_java() -> str:
    """The path of the java executable HermiT will run on; a clear error when there is none."""
    import owlready2

    java = shutil.which(owlready2.JAVA_EXE) or shutil.which("java")
    if java is None:
        raise KGError("Java not found: the reasoning step runs HermiT, which needs Java", hint=JAVA_HINT)
    owlready2.JAVA_EXE = java
    return java


def is_consistent(ontology: Graph, assertions: Iterable[Triple]) -> tuple[bool, tuple[str, ...]]:
    """Run HermiT on ``ontology`` plus ``assertions``: (consistent?, unsatisfiable class IRIs)."""
    import owlready2

    check_java()
    graph = Graph()
    for triple in ontology:
        graph.add(triple)
    for triple in assertions:
        graph.add(triple)
    with tempfile.TemporaryDirectory(prefix="aigov-reason-") as tmp:
        path = Path(tmp) / "input.nt"
        graph.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        try:
            world.get_ontology(path.as_uri()).load(format="ntriples")
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
            return True, tuple(sorted(c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing))
        except owlready2.OwlReadyInconsistentOntologyError:
            return False, ()
        except owlready2.OwlReadyJavaError as err:
            cause = _java_cause(str(err)) or repr(err)
            raise KGError(
                f"HermiT could not reason over the ontology: {cause}",
                path="ontology/aigov.ttl",
                hint="HermiT accepts only OWL 2 DL; an unsupported datatype means a range outside the OWL 2 "
                "datatype map (use xsd:integer, not xsd:gYear)",
            ) from None
        finally:
            world.close()


def _java_cause(message: str) -> str:
    """The Java exception's own message, without the stack trace or owlready2's command line."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if "Exception" in line), None)
    if start is None:
        return ""
    cause = []
    for line in lines[start:]:
        if line.startswith("at "):
            break
        cause.append(line)
    return " ".join(cause).removeprefix('Exception in thread "main" ')


def reason(ontology: Graph, assertions: Graph, origins: Origins) -> None:
    """Check consistency and class satisfiability; either failure raises an explained KGError."""
    consistent, unsatisfiable = is_consistent(ontology, assertions)
    if not consistent:
        raise explain(ontology, assertions, origins)
    if unsatisfiable:
        raise KGError(
            "unsatisfiable classes (no individual can belong to them): " + ", ".join(unsatisfiable),
            path="ontology/aigov.ttl",
            hint="check the disjointness and subclass axioms of these classes",
        )


def explain(ontology: Graph, assertions: Graph, origins: Origins) -> KGError:
    """A KGError saying which facts, at which file lines, make the graph inconsistent."""
    clashes = _disjointness_clashes(ontology, assertions, origins)
    if clashes:
        first = clashes[0]
        return KGError(
            "the facts make the ontology inconsistent (HermiT): " + "; ".join(c.text for c in clashes),
            path=first.path,
            line=first.line,
            hint="correct the entity's type or the fact, or revise the disjointness axioms in ontology/aigov.ttl",
        )
    return _minimal_explanation(ontology, assertions, origins)


@dataclass(frozen=True)
class _Clash:
    text: str
    path: str | None
    line: int | None


def _where(triple: Triple, origins: Origins) -> tuple[str | None, int | None, str]:
    found = origins.get(triple)
    if not found:
        return None, None, "the ontology"
    path, line = found[0]
    return path, line, f"{path}:{line}"


def _short(node: Node) -> str:
    text = str(node)
    for cut in ("#", "/"):
        if cut in text:
            text = text.rsplit(cut, 1)[1]
    return text


def _disjointness_clashes(ontology: Graph, assertions: Graph, origins: Origins) -> list[_Clash]:
    """Clashes a reader can follow: an individual in two disjoint classes, a pair in two
    disjoint properties, or two values of a functional property."""
    superclasses: dict[Node, set[Node]] = defaultdict(set)
    for sub, sup in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(sup, URIRef):
            superclasses[sub].add(sup)
    for a, b in ontology.subject_objects(OWL.equivalentClass):
        superclasses[a].add(b)
        superclasses[b].add(a)

    def closure(cls: Node) -> set[Node]:
        seen, todo = {cls}, [cls]
        while todo:
            for sup in superclasses[todo.pop()]:
                if sup not in seen:
                    seen.add(sup)
                    todo.append(sup)
        return seen

    # types[individual][class] = the triple that gives it that class
    types: dict[Node, dict[Node, Triple]] = defaultdict(dict)

    def give(individual: Node, cls: Node, why: Triple) -> None:
        for c in closure(cls):
            types[individual].setdefault(c, why)

    for triple in sorted(assertions):
        s, p, o = triple
        if p == RDF.type:
            give(s, o, triple)
            continue
        for domain in ontology.objects(p, RDFS.domain):
            give(s, domain, triple)
        if isinstance(o, URIRef):
            for range_ in ontology.objects(p, RDFS.range):
                give(o, range_, triple)

    disjoint: set[frozenset[Node]] = {frozenset(pair) for pair in ontology.subject_objects(OWL.disjointWith)}
    for node in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
        members = ontology.value(node, OWL.members)
        if isinstance(members, BNode):
            disjoint.update(frozenset(pair) for pair in combinations(list(Collection(ontology, members)), 2))

    clashes: list[_Clash] = []
    for individual in sorted(types):
        held = types[individual]
        for pair in sorted(disjoint, key=lambda p: sorted(map(str, p))):
            a, b = sorted(pair, key=str)
            if a in held and b in held:
                pa, la, wa = _where(held[a], origins)
                pb, lb, wb = _where(held[b], origins)
                clashes.append(
                    _Clash(
                        f"{_short(individual)} would be both {_short(a)} (from {_describe(held[a])} at {wa}) "
                        f"and {_short(b)} (from {_describe(held[b])} at {wb}), which the ontology declares disjoint",
                        pb or pa,
                        lb if pb else la,
                    )
                )
    for p, q in ontology.subject_objects(OWL.propertyDisjointWith):
        for s, o in assertions.subject_objects(p):
            if (s, q, o) in assertions:
                path, line, where = _where((s, q, o), origins)
                clashes.append(
                    _Clash(
                        f"{_short(s)} both {_short(p)} and {_short(q)} {_short(o)} ({where}), "
                        "which the ontology declares disjoint properties",
                        path,
                        line,
                    )
                )
    for p in ontology.subjects(RDF.type, OWL.FunctionalProperty):
        for s in set(assertions.subjects(p)):
            values = sorted(assertions.objects(s, p))
            if len(values) > 1:
                path, line, where = _where((s, p, values[-1]), origins)
                clashes.append(
                    _Clash(
                        f"{_short(s)} has {len(values)} values of the functional property {_short(p)} "
                        f"({', '.join(map(str, values))}; one at {where})",
                        path,
                        line,
                    )
                )
    return clashes


def _describe(triple: Triple) -> str:
    s, p, o = triple
    if p == RDF.type:
        return f"its type {_short(o)}"
    return f"the fact {_short(s)} {_short(p)} {_short(o)}"


def _minimal_explanation(ontology: Graph, assertions: Graph, origins: Origins) -> KGError:
    """Shrink the assertions to a minimal inconsistent set with QuickXplain (Junker, 2004), which
    needs about 2k·log(n/k) HermiT runs to find k culprits among n facts."""

    def consistent(triples: list[Triple]) -> bool:
        return is_consistent(ontology, triples)[0]

    def quickxplain(background: list[Triple], added: bool, candidates: list[Triple]) -> list[Triple]:
        if added and not consistent(background):
            return []
        if len(candidates) == 1:
            return candidates
        half = len(candidates) // 2
        first, second = candidates[:half], candidates[half:]
        culprits2 = quickxplain(background + first, True, second)
        culprits1 = quickxplain(background + culprits2, bool(culprits2), first)
        return culprits1 + culprits2

    kept = sorted(quickxplain([], False, sorted(assertions)))
    places = [_where(t, origins) for t in kept]
    listed = "; ".join(f"{_short(s)} {_short(p)} {_short(o)} ({w})" for (s, p, o), (_, _, w) in zip(kept, places))
    path, line = next(((p, n) for p, n, _ in places if p), (None, None))
    return KGError(
        f"the facts make the ontology inconsistent (HermiT); these {len(kept)} together clash: {listed}",
        path=path,
        line=line,
        hint="correct one of these facts, or revise the ontology axioms they meet",
    )

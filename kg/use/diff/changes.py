"""What changed, sorted by kind for :mod:`kg.use.diff`: the records of a :class:`Diff` and the
:class:`Differ` that makes one from the quads two builds do not share, with the labels
(:class:`Labels`) both builds give."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph

from kg.errors import printable
from kg.namespaces import ACCEPTED_GRAPH, AIG, CLAIM, DISAGREEMENT, ID, PREFIXES, SOURCE_GRAPH
from kg.use.diff.builds import (
    CLAIM_PARTS,
    EVIDENCE,
    ONTOLOGY_FILE,
    RDF_TYPE,
    RDFS_LABEL,
    SOURCE_GRAPH_START,
    Scan,
    damaged,
    parse_lines,
    raw_lines,
    split_line,
)

@dataclass(frozen=True, order=True)
class Statement:
    """One statement (property, value) about a subject, with labels to show."""

    property_label: str
    value_label: str
    property: str  # its IRI
    value: str  # the value in N-Triples form: <iri>, "text"@en, "10"^^<xsd:…>


@dataclass(frozen=True)
class Item:
    """A thing added or removed (an entity, a source, a disagreement)."""

    label: str
    iri: str
    detail: str = ""  # entities: their classes; sources: their number of claims


@dataclass(frozen=True)
class Change:
    """A thing in both builds whose statements differ."""

    label: str
    iri: str
    added: tuple[Statement, ...] = ()
    removed: tuple[Statement, ...] = ()


@dataclass(frozen=True)
class ClaimItem:
    """A claim added or removed; ``accepted`` tells whether its build accepted it."""

    label: str
    iri: str
    source: str
    accepted: bool


@dataclass(frozen=True)
class ClaimChange:
    """A claim in both builds that changed: its statements, its evidence (one :class:`Change`
    per evidence node that differs), or its acceptance (``accepted``: [old, new], or None
    when it did not change)."""

    label: str
    iri: str
    source: str
    added: tuple[Statement, ...] = ()
    removed: tuple[Statement, ...] = ()
    evidence: tuple[Change, ...] = ()
    accepted: tuple[bool, bool] | None = None


@dataclass(frozen=True)
class Diff:
    """What changed from the build ``old`` to the build ``new`` (each as :func:`build_of` gives it)."""

    old: dict[str, str | None]
    new: dict[str, str | None]
    entities_added: tuple[Item, ...] = ()
    entities_removed: tuple[Item, ...] = ()
    entities_changed: tuple[Change, ...] = ()
    claims_added: tuple[ClaimItem, ...] = ()
    claims_removed: tuple[ClaimItem, ...] = ()
    claims_changed: tuple[ClaimChange, ...] = ()
    sources_added: tuple[Item, ...] = ()
    sources_removed: tuple[Item, ...] = ()
    sources_changed: tuple[Change, ...] = ()
    disagreements_appeared: tuple[Item, ...] = ()
    disagreements_resolved: tuple[Item, ...] = ()
    disagreements_changed: tuple[Change, ...] = ()
    ontology_changed: bool = False
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """True when the two builds hold the same dataset and ontology (what ``diff(1)`` would
        answer with exit code 0)."""
        return not self.ontology_changed and self.counts.get("quads_added", 0) == 0 and self.counts.get("quads_removed", 0) == 0


def prefixed(iri: str) -> str:
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(namespace) and re.fullmatch(r"[A-Za-z0-9_.\-/]*", iri[len(namespace):]):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


class Labels:
    """Labels of entities (both builds' accepted graphs, the new one first) and of the
    ontology's terms."""

    def __init__(self, old: Scan, new: Scan, dists: tuple[Path, Path]) -> None:
        self.scans = (new, old)
        self.cache: dict[str, str] = {}
        self.terms: dict[str, str] = {}
        for dist in reversed(dists):  # the old build first, so the new one's labels win
            path = dist / ONTOLOGY_FILE
            if not path.is_file():
                continue
            try:
                for t in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.N_TRIPLES):
                    if t.predicate.value == RDFS_LABEL and isinstance(t.object, pyoxigraph.Literal) and t.object.language in (None, "en"):
                        self.terms[t.subject.value] = t.object.value
            except (SyntaxError, ValueError, OSError) as err:
                raise damaged(path, f"it is not valid N-Triples ({printable(str(err))})") from None

    def of(self, iri: str) -> str:
        """The label of ``iri``: its ``rdfs:label``, else its prefixed name."""
        if iri in self.terms:
            return self.terms[iri]
        if iri not in self.cache:
            key = f"<{iri}>".encode()
            label = None
            for scan in self.scans:
                if key in scan.labels:
                    label = parse_lines([scan.labels[key]], scan.path)[0].object.value
                    break
            self.cache[iri] = label if label is not None else prefixed(iri)
        return self.cache[iri]

    def value(self, term: pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal) -> str:
        """How a value reads: an IRI's label, a literal's text."""
        if isinstance(term, pyoxigraph.NamedNode):
            return self.of(term.value)
        return str(term.value) if isinstance(term, pyoxigraph.Literal) else "a blank node"

    def statement(self, quad: pyoxigraph.Quad) -> Statement:
        return Statement(self.of(quad.predicate.value), self.value(quad.object), quad.predicate.value, str(quad.object))


class Differ:
    """Sorts the differing quads into entities, claims, sources and disagreements."""

    def __init__(self, scans: tuple[Scan, Scan], labels: Labels, removed: list[pyoxigraph.Quad], added: list[pyoxigraph.Quad]) -> None:
        self.scans, self.labels = scans, labels
        self.removed, self.added = removed, added
        # subject IRI -> ("+"/"-" -> quads), per kind
        self.accepted: dict[str, dict[str, list[pyoxigraph.Quad]]] = defaultdict(lambda: defaultdict(list))
        self.claims: dict[str, dict[str, list[pyoxigraph.Quad]]] = defaultdict(lambda: defaultdict(list))
        self.evidence: dict[tuple[str, str], dict[str, dict[str, list[pyoxigraph.Quad]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
        self.acceptance: dict[str, set[str]] = {"+": set(), "-": set()}
        self.counts: dict[str, int] = defaultdict(int)
        for sign, quads in (("-", removed), ("+", added)):
            for quad in quads:
                self._sort(sign, quad)

    def _sort(self, sign: str, quad: pyoxigraph.Quad) -> None:
        graph = quad.graph_name.value if isinstance(quad.graph_name, pyoxigraph.NamedNode) else ""
        subject = quad.subject.value if isinstance(quad.subject, pyoxigraph.NamedNode) else None
        word = "added" if sign == "+" else "removed"
        if graph == ACCEPTED_GRAPH:
            self.counts[f"accepted_statements_{word}"] += 1
            if subject is not None:
                self.accepted[subject][sign].append(quad)
            elif quad.predicate.value == AIG + "claim" and isinstance(quad.object, pyoxigraph.NamedNode):
                self.acceptance[sign].add(quad.object.value)
        elif graph.startswith(SOURCE_GRAPH):
            self.counts[f"source_statements_{word}"] += 1
            if subject is not None and subject.startswith(CLAIM):
                self.claims[subject][sign].append(quad)
            elif subject is not None and subject.startswith(EVIDENCE):
                root = ID + "/".join(subject[len(ID):].split("/")[:3])
                self.evidence[(graph, root)][subject][sign].append(quad)
        else:
            self.counts[f"other_statements_{word}"] += 1

    # each kind -------------------------------------------------------------------------------

    def _statements(self, quads: list[pyoxigraph.Quad]) -> tuple[Statement, ...]:
        return tuple(sorted({self.labels.statement(q) for q in quads}))

    def _change(self, iri: str, changes: dict[str, list[pyoxigraph.Quad]], label: str | None = None) -> Change:
        return Change(label or self.labels.of(iri), iri, self._statements(changes["+"]), self._statements(changes["-"]))

    def _typed(self, iri: str, quads: list[pyoxigraph.Quad]) -> str:
        types = sorted(self.labels.of(q.object.value) for q in quads
                       if q.predicate.value == RDF_TYPE and isinstance(q.object, pyoxigraph.NamedNode) and q.object.value.startswith(AIG))
        return ", ".join(types)

    def entities_and_sources(self) -> dict[str, list]:  # type: ignore[type-arg]
        old, new = self.scans
        kinds: dict[str, list] = defaultdict(list)  # type: ignore[type-arg]
        for iri, changes in self.accepted.items():
            key = f"<{iri}>".encode()
            if iri.startswith(DISAGREEMENT):
                kind = "disagreements"
            elif iri.startswith(ID) and (key in old.individuals or key in new.individuals):
                kind = "sources" if key in old.source_documents or key in new.source_documents else "entities"
            else:
                continue
            before, after = key in old.individuals, key in new.individuals
            if kind == "sources":
                if before and after:
                    kinds["sources_changed"].append(self._change(iri, changes))
                continue
            if before and after:
                kinds[f"{kind}_changed"].append(self._change(iri, changes))
            elif after:
                kinds["disagreements_appeared" if kind == "disagreements" else "entities_added"].append(
                    Item(self.labels.of(iri), iri, self._typed(iri, changes["+"]) if kind == "entities" else ""))
            elif before:
                kinds["disagreements_resolved" if kind == "disagreements" else "entities_removed"].append(
                    Item(self.labels.of(iri), iri, self._typed(iri, changes["-"]) if kind == "entities" else ""))
        for word, here, there, scan in (("added", new, old, new), ("removed", old, new, old)):
            for graph in sorted(set(here.graphs) - set(there.graphs)):
                if graph.startswith(SOURCE_GRAPH_START):
                    slug = graph.decode("utf-8", "replace")[len(SOURCE_GRAPH) + 1:-1]
                    count = scan.claims.get(graph, 0)
                    kinds[f"sources_{word}"].append(Item(self.labels.of(ID + slug), ID + slug, f"{count} claim{'s' if count != 1 else ''}"))
        return kinds

    def _describe(self, quads: Iterable[pyoxigraph.Quad]) -> str:
        parts: dict[str, str] = {}
        for q in quads:
            if q.predicate.value in CLAIM_PARTS:
                parts[CLAIM_PARTS[q.predicate.value]] = self.labels.value(q.object)
        return " · ".join(parts.get(k, "?") for k in ("subject", "property", "value"))

    def claims_of(self) -> dict[str, list]:  # type: ignore[type-arg]
        kinds: dict[str, list] = defaultdict(list)  # type: ignore[type-arg]
        changed: set[str] = set()
        claim_type = pyoxigraph.NamedNode(AIG + "Claim")
        for iri, changes in self.claims.items():
            source = iri[len(CLAIM):].split("/")[0]
            if any(q.predicate.value == RDF_TYPE and q.object == claim_type for q in changes["+"]):
                kinds["claims_added"].append(ClaimItem(self._describe(changes["+"]), iri, source, iri in self.acceptance["+"]))
            elif any(q.predicate.value == RDF_TYPE and q.object == claim_type for q in changes["-"]):
                kinds["claims_removed"].append(ClaimItem(self._describe(changes["-"]), iri, source, iri in self.acceptance["-"]))
            else:
                changed.add(iri)
        gone = {c.iri for c in kinds["claims_added"]} | {c.iri for c in kinds["claims_removed"]}
        changed |= (self.acceptance["+"] ^ self.acceptance["-"]) - gone
        links, description = self._look_up(changed, gone)
        for iri in changed:
            source = iri[len(CLAIM):].split("/")[0]
            graph = SOURCE_GRAPH + source
            changes = self.claims.get(iri, {"+": [], "-": []})
            evidence = tuple(sorted((self._change(node, node_changes, node[len(ID):])
                                     for root in links.get(iri, ())
                                     for node, node_changes in self.evidence[(graph, root)].items()), key=lambda c: c.iri))
            accepted = None
            if (iri in self.acceptance["+"]) != (iri in self.acceptance["-"]):
                accepted = (iri in self.acceptance["-"], iri in self.acceptance["+"])
            label = self._describe(parse_lines(description.get(iri, []), self.scans[1].path))
            kinds["claims_changed"].append(ClaimChange(label, iri, source, self._statements(changes.get("+", [])),
                                                       self._statements(changes.get("-", [])), evidence, accepted))
        return kinds

    def _look_up(self, changed: set[str], gone: set[str]) -> tuple[dict[str, set[str]], dict[str, list[bytes]]]:
        """One walk through the new build's claims: the claims that cite evidence that changed
        (added to ``changed`` unless in ``gone``), by claim, and the lines that describe each
        changed claim (subject, property, value), for its label."""
        links: dict[str, set[str]] = defaultdict(set)  # claim -> the evidence (root node) that changed
        description: dict[str, list[bytes]] = defaultdict(list)
        roots = {f"<{root}>".encode(): (f"<{graph}>".encode(), root) for graph, root in self.evidence}
        if not changed and not roots:
            return links, description
        claim_start = f"<{CLAIM}".encode()
        evidence_p = f"<{AIG}evidence>".encode()
        parts = {f"<{p}>".encode() for p in CLAIM_PARTS}
        wanted = {f"<{iri}>".encode() for iri in changed}
        current, seen = b"", []  # the claim being read, and its describing lines so far
        for line in raw_lines(self.scans[1].path):
            if not line.startswith(claim_start):
                continue
            first = line.index(b" ")
            second = line.index(b" ", first + 1)
            s, p = line[:first], line[first + 1:second]
            if s != current:
                current, seen = s, []
            if p in parts:
                seen.append(line)
                if s in wanted:
                    description[s.decode("utf-8", "replace")[1:-1]].append(line)
            elif p == evidence_p and (o := split_line(line)[2]) in roots and line.endswith(b" " + roots[o][0] + b" ."):
                claim = s.decode("utf-8", "replace")[1:-1]
                if claim not in gone:
                    links[claim].add(roots[o][1])
                    if s not in wanted:
                        changed.add(claim)
                        wanted.add(s)
                        description[claim] = list(seen)
        missing = {f"<{iri}>".encode() for iri in changed if len(description.get(iri, ())) < 3}
        if missing:  # lines not in the build's order: look for these once more
            for line in raw_lines(self.scans[1].path):
                if line.startswith(claim_start) and line[:line.index(b" ")] in missing:
                    s, p, _, _ = split_line(line)
                    if p in parts and line not in description[s.decode("utf-8", "replace")[1:-1]]:
                        description[s.decode("utf-8", "replace")[1:-1]].append(line)
        return links, description

    def result(self, builds: tuple[dict[str, str | None], dict[str, str | None]], ontology_changed: bool) -> Diff:
        kinds = {**self.entities_and_sources(), **self.claims_of()}
        order = lambda x: (x.label.casefold(), x.label, x.iri)  # noqa: E731
        sections = {name: tuple(sorted(kinds.get(name, []), key=order)) for name in SECTIONS}
        old, new = self.scans
        counts = dict(self.counts)
        counts.update({f"{name}": len(items) for name, items in sections.items()})
        counts.update({
            "quads_removed": len(self.removed), "quads_added": len(self.added),
            "old_quads": old.quads, "new_quads": new.quads,
            "old_claims": sum(old.claims.values()), "new_claims": sum(new.claims.values()),
            "old_entities": len(old.individuals - old.source_documents - _disagreements(old)),
            "new_entities": len(new.individuals - new.source_documents - _disagreements(new)),
            "old_sources": len(old.graphs),
            "new_sources": len(new.graphs),
        })
        for key in ("accepted_statements", "source_statements", "other_statements"):
            counts.setdefault(f"{key}_added", 0)
            counts.setdefault(f"{key}_removed", 0)
        return Diff(builds[0], builds[1], ontology_changed=ontology_changed, counts=dict(sorted(counts.items())), **sections)


def _disagreements(scan: Scan) -> set[bytes]:
    prefix = f"<{DISAGREEMENT}".encode()
    return {i for i in scan.individuals if i.startswith(prefix) or not i.startswith(f"<{ID}".encode())}


SECTIONS = (
    "entities_added", "entities_removed", "entities_changed",
    "claims_added", "claims_removed", "claims_changed",
    "sources_added", "sources_removed", "sources_changed",
    "disagreements_appeared", "disagreements_resolved", "disagreements_changed",
)

"""What changed between two builds (two ``dist/`` folders): entities, claims, sources and
disagreements, for a changelog (``kg diff OLD NEW``).

The comparison reads ``kg.nq``, the whole dataset (the accepted graph, one graph per source,
the Wikidata facts), whose lines the build writes sorted: the two files are walked side by side
like ``comm(1)``, holding in memory only the lines that differ, the entities' labels and kinds;
only the differing lines are parsed (pyoxigraph). Two builds of 800,000 quads each compare in
about 10 s (pure Python line handling, on a busy 2-core machine) in about 50 MB. Each file is
checked against its SHA-256 in ``SHA256SUMS`` as it is read, so a cut or edited file is an
error, not a difference; a file whose lines are not in the build's order (written by hand) is
compared all the same, sorted in memory.

- An **entity** is an ``owl:NamedIndividual`` of the accepted graph under
  ``https://w3id.org/aigov/id/`` that is not a source document; it changed when the accepted
  graph's statements about it (as subject) differ.
- A **claim** is an ``aig:Claim`` of a source graph, identified by its IRI (which hashes its
  subject, property and value, so a new value is a claim removed and one added); it changed
  when its own statements, the statements of its evidence, or its acceptance (whether the
  accepted graph records it) differ.
- A **source** is a source graph (``https://w3id.org/aigov/graph/source/<id>``); it changed
  when the accepted graph's description of its document differs.
- A **disagreement** appeared or was resolved when its IRI is new or gone; it changed when its
  statements (settlement, claims involved) differ.

Blank nodes (the ``owl:Axiom`` records of accepted facts) are compared by content: those on a
differing line are given a label derived from their statements in each build, so two builds
that only name them differently do not differ.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph

from kg.errors import KGError, UsageError, printable
from kg.namespaces import ACCEPTED_GRAPH, AIG, CLAIM, DATASET, DISAGREEMENT, ID, PREFIXES, SOURCE_GRAPH

CHECKSUMS = "SHA256SUMS"
DATASET_FILE = "kg.nq"
ONTOLOGY_FILE = "ontology.nt"
VOID_FILE = "void.ttl"
SITE = "site/"
FORMATS = ("text", "json")

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_NAMED_INDIVIDUAL = "http://www.w3.org/2002/07/owl#NamedIndividual"
_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"
_EVIDENCE = ID + "evidence/"
_CLAIM_PARTS = {AIG + "claimSubject": "subject", AIG + "claimProperty": "property",
                AIG + "claimValue": "value", AIG + "claimObject": "value"}

# Byte patterns of the lines pass 1 watches, as the build writes them (rdflib's N-Quads).
_ACCEPTED_G = f"<{ACCEPTED_GRAPH}>".encode()
_ACCEPTED_END = b" " + _ACCEPTED_G + b" ."
_SOURCE_G = f"<{SOURCE_GRAPH}".encode()
_LABEL_P = f"<{_RDFS_LABEL}> ".encode()
_TYPE_OF = f" <{_RDF_TYPE}> <{{}}> <{ACCEPTED_GRAPH}> .".format
_INDIVIDUAL_END = _TYPE_OF(_NAMED_INDIVIDUAL).encode()
_SOURCE_DOC_END = _TYPE_OF(AIG + "SourceDocument").encode()
_CLAIM_TYPE = f" <{_RDF_TYPE}> <{AIG}Claim> <{SOURCE_GRAPH}".encode()
_CLAIM_START = f"<{CLAIM}".encode()
_ID_START = f"<{ID}".encode()
_SOURCE_DESCRIBED = f" <{_RDF_TYPE}> <{AIG}SourceDocument> <{SOURCE_GRAPH}".encode()


# --- the result --------------------------------------------------------------------------------


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


# --- the builds --------------------------------------------------------------------------------


def build_of(dist: Path) -> dict[str, str | None]:
    """The identity of the build in ``dist``: ``build``, the digest its site's footer shows
    (the first 16 hex digits of the SHA-256 of the ``SHA256SUMS`` lines of the files outside
    ``site/``), and ``version``, the dataset's ``owl:versionInfo`` in ``void.ttl`` (None when
    it has none)."""
    dist = _check_build(dist)
    sums = _checksums(dist)
    listing = "".join(f"{digest}  {name}\n" for name, digest in sums.items() if not name.startswith(SITE))
    return {"build": hashlib.sha256(listing.encode("utf-8")).hexdigest()[:16], "version": _version(dist)}


def _check_build(dist: Path) -> Path:
    dist = Path(dist)
    fix = "pass the dist/ folder of a build (python build.py makes one)"
    if not dist.exists():
        raise UsageError(f"no such directory: {dist}", hint=fix)
    if not dist.is_dir():
        raise UsageError(f"{dist} is not a directory", hint=fix)
    for name in (CHECKSUMS, DATASET_FILE):
        if not (dist / name).is_file():
            if (dist / "dist" / name).is_file():
                raise UsageError(f"{dist} is not a build (no {name})", hint=f"pass its dist/ folder: {dist / 'dist'}")
            raise UsageError(f"{dist} is not a build: {name} is missing", hint=fix)
    return dist


def _damaged(path: Path, what: str) -> KGError:
    return KGError(f"the build is damaged: {what}", path=path, hint="rebuild it (python build.py), or pass an intact dist/ folder")


def _checksums(dist: Path) -> dict[str, str]:
    """``SHA256SUMS`` as file name -> hex digest, in its order."""
    path = dist / CHECKSUMS
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise _damaged(path, "it is not UTF-8 text") from None
    except OSError as err:
        raise KGError(f"cannot read it: {err.strerror}", path=path) from None
    sums: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = re.fullmatch(r"([0-9a-f]{64})  (\S.*)", line)
        if not match:
            raise _damaged(path, f"line {number} is not '<sha256>  <file>'")
        sums[match[2]] = match[1]
    if DATASET_FILE not in sums:
        raise _damaged(path, f"it does not list {DATASET_FILE}")
    return sums


def _version(dist: Path) -> str | None:
    path = dist / VOID_FILE
    if not path.is_file():
        return None
    try:
        for quad in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE):
            if quad.subject == pyoxigraph.NamedNode(DATASET) and quad.predicate == pyoxigraph.NamedNode(_VERSION_INFO):
                return str(quad.object.value)
    except (SyntaxError, ValueError, OSError) as err:
        raise _damaged(path, f"it is not valid Turtle ({printable(str(err))})") from None
    return None


# --- pass 1: the lines that differ, and what each build says of labels and kinds ---------------


class _Unsorted(Exception):
    """The file's lines are not in order (not written by the build): compare them in memory."""


@dataclass
class _Scan:
    """What one walk through a build's ``kg.nq`` gathers."""

    path: Path
    expected: str
    quads: int = 0
    graphs: set[bytes] = field(default_factory=set)  # the source graphs
    claims: dict[bytes, int] = field(default_factory=lambda: defaultdict(int))
    labels: dict[bytes, bytes] = field(default_factory=dict)  # subject -> its rdfs:label line (accepted graph)
    individuals: set[bytes] = field(default_factory=set)
    source_documents: set[bytes] = field(default_factory=set)

    def lines(self, unsorted_ok: bool = False) -> Iterator[bytes]:
        """The lines of the file (without their newline), each once, checked against the
        file's checksum; :class:`_Unsorted` when they are out of order (unless ``unsorted_ok``,
        then in order from memory)."""
        digest = hashlib.sha256()
        previous = b""
        try:
            with open(self.path, "rb") as handle:
                source: Iterable[bytes] = handle
                if unsorted_ok:
                    source = sorted(set(handle))
                for raw in source:
                    digest.update(raw)
                    if not raw.endswith(b" .\n"):
                        raise _damaged(self.path, "a line does not end with ' .' (the file is cut or is not N-Quads)")
                    line = raw[:-1]
                    if line <= previous:
                        if line == previous:
                            continue
                        raise _Unsorted
                    previous = line
                    self._observe(line)
                    yield line
        except OSError as err:
            raise KGError(f"cannot read it: {err.strerror}", path=self.path) from None
        if not unsorted_ok and digest.hexdigest() != self.expected:
            raise _damaged(self.path, f"it does not match its SHA-256 in {CHECKSUMS} (cut short or edited)")

    def _observe(self, line: bytes) -> None:
        self.quads += 1
        if line.endswith(_ACCEPTED_END):
            space = line.find(b" ")
            if line.startswith(_LABEL_P, space + 1):
                self.labels[line[:space]] = line
            elif line.endswith(_INDIVIDUAL_END):
                self.individuals.add(line[: -len(_INDIVIDUAL_END)])
            elif line.endswith(_SOURCE_DOC_END):
                self.source_documents.add(line[: -len(_SOURCE_DOC_END)])
        elif line.startswith(_CLAIM_START):
            if _CLAIM_TYPE in line:
                graph = line[line.rfind(b" ", 0, len(line) - 2) + 1:-2]
                self.claims[graph] += 1
                self.graphs.add(graph)
        elif line.startswith(_ID_START) and _SOURCE_DESCRIBED in line:  # a source graph describes its source
            self.graphs.add(line[line.rfind(b" ", 0, len(line) - 2) + 1:-2])


def _compare(old: _Scan, new: _Scan, unsorted_ok: bool) -> tuple[list[bytes], list[bytes]]:
    """The lines only in ``old`` and only in ``new``, walking both files at once."""
    removed: list[bytes] = []
    added: list[bytes] = []
    a, b = old.lines(unsorted_ok), new.lines(unsorted_ok)
    x, y = next(a, None), next(b, None)
    while x is not None or y is not None:
        if y is None or (x is not None and x < y):
            removed.append(x)  # type: ignore[arg-type]
            x = next(a, None)
        elif x is None or y < x:
            added.append(y)
            y = next(b, None)
        else:
            x, y = next(a, None), next(b, None)
    return removed, added


def _split(line: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    """Subject, predicate, object and graph of a build's N-Quads line (none but the object
    may hold a space)."""
    first = line.index(b" ")
    second = line.index(b" ", first + 1)
    last = line.rindex(b" ", 0, len(line) - 2)
    return line[:first], line[first + 1:second], line[second + 1:last], line[last + 1:-2]


# --- blank nodes, compared by content ----------------------------------------------------------


def _by_content(old: _Scan, new: _Scan, removed: list[bytes], added: list[bytes]) -> tuple[list[bytes], list[bytes]]:
    """The differing lines once every blank node on them is named after its content in its own
    build (so a blank node only named differently is no difference)."""
    touched = {node for line in removed + added for node in _blanks(line)}
    if not touched:
        return removed, added
    lines = {}
    for scan in (old, new):
        wanted, found = set(touched), []
        for _ in range(8):  # each pass follows blank nodes one step further
            found = [line for line in _raw_lines(scan.path)
                     if (line.startswith(b"_:") and line[: line.index(b" ")] in wanted)
                     or (b" _:" in line and not wanted.isdisjoint(_blanks(line)))]
            more = {node for line in found for node in _blanks(line)} - wanted
            if not more:
                break
            wanted |= more
        lines[scan is new] = found
    skolem_old, skolem_new = _skolemise(lines[False]), _skolemise(lines[True])
    del lines
    return (sorted([line for line in removed if not _blanks(line)] + list(skolem_old - skolem_new)),
            sorted([line for line in added if not _blanks(line)] + list(skolem_new - skolem_old)))


def _blanks(line: bytes) -> tuple[bytes, ...]:
    """The blank nodes of a line (subject, object)."""
    found: tuple[bytes, ...] = (line[: line.index(b" ")],) if line.startswith(b"_:") else ()
    if b" _:" in line:
        obj = _split(line)[2]
        if obj.startswith(b"_:"):
            found += (obj,)
    return found


def _raw_lines(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        for raw in handle:
            yield raw[:-1] if raw.endswith(b"\n") else raw


def _skolemise(lines: list[bytes]) -> set[bytes]:
    """``lines`` with each blank node renamed ``_:c<digest of its statements>``."""
    # each line as (blank subject or b"", what follows up to the object, blank object or b"", the rest)
    parts: list[tuple[bytes, bytes, bytes, bytes]] = []
    statements: dict[bytes, list[tuple[bytes, bytes, bytes]]] = defaultdict(list)
    for line in lines:
        start = line.index(b" ") if line.startswith(b"_:") else 0
        subject, rest, obj, after = line[:start], line[start:], b"", b""
        if b" _:" in rest:
            first = line.index(b" ")
            second = line.index(b" ", first + 1)
            last = line.rindex(b" ", 0, len(line) - 2)
            if line.startswith(b"_:", second + 1):
                rest, obj, after = line[start:second + 1], line[second + 1:last], line[last:]
        parts.append((subject, rest, obj, after))
        if subject:
            statements[subject].append((rest, obj, after))
    names: dict[bytes, bytes] = {}

    def name(node: bytes, seen: frozenset[bytes] = frozenset()) -> bytes:
        if not node:
            return node
        if node in names:
            return names[node]
        if node in seen:  # a cycle: keep the build's own label
            return node
        content = sorted(rest + (name(obj, seen | {node}) if obj else b"") + after for rest, obj, after in statements[node])
        names[node] = b"_:c" + hashlib.sha256(b"\n".join(content)).hexdigest()[:16].encode()
        return names[node]

    return {name(subject) + rest + name(obj) + after for subject, rest, obj, after in parts}


# --- labels ------------------------------------------------------------------------------------


def _prefixed(iri: str) -> str:
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(namespace) and re.fullmatch(r"[A-Za-z0-9_.\-/]*", iri[len(namespace):]):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


class _Labels:
    """Labels of entities (both builds' accepted graphs, the new one first) and of the
    ontology's terms."""

    def __init__(self, old: _Scan, new: _Scan, dists: tuple[Path, Path]) -> None:
        self.scans = (new, old)
        self.cache: dict[str, str] = {}
        self.terms: dict[str, str] = {}
        for dist in reversed(dists):  # the old build first, so the new one's labels win
            path = dist / ONTOLOGY_FILE
            if not path.is_file():
                continue
            try:
                for t in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.N_TRIPLES):
                    if t.predicate.value == _RDFS_LABEL and isinstance(t.object, pyoxigraph.Literal) and t.object.language in (None, "en"):
                        self.terms[t.subject.value] = t.object.value
            except (SyntaxError, ValueError, OSError) as err:
                raise _damaged(path, f"it is not valid N-Triples ({printable(str(err))})") from None

    def of(self, iri: str) -> str:
        """The label of ``iri``: its ``rdfs:label``, else its prefixed name."""
        if iri in self.terms:
            return self.terms[iri]
        if iri not in self.cache:
            key = f"<{iri}>".encode()
            label = None
            for scan in self.scans:
                if key in scan.labels:
                    label = _parse([scan.labels[key]], scan.path)[0].object.value
                    break
            self.cache[iri] = label if label is not None else _prefixed(iri)
        return self.cache[iri]

    def value(self, term: pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal) -> str:
        """How a value reads: an IRI's label, a literal's text."""
        if isinstance(term, pyoxigraph.NamedNode):
            return self.of(term.value)
        return str(term.value) if isinstance(term, pyoxigraph.Literal) else "a blank node"

    def statement(self, quad: pyoxigraph.Quad) -> Statement:
        return Statement(self.of(quad.predicate.value), self.value(quad.object), quad.predicate.value, str(quad.object))


def _parse(lines: list[bytes], path: Path) -> list[pyoxigraph.Quad]:
    if not lines:
        return []
    try:
        quads = list(pyoxigraph.parse(b"\n".join(lines) + b"\n", format=pyoxigraph.RdfFormat.N_QUADS))
    except (SyntaxError, ValueError) as err:
        raise _damaged(path, f"a line is not valid N-Quads ({printable(str(err))})") from None
    if len(quads) != len(lines):
        raise _damaged(path, "a line does not hold exactly one quad")
    return quads


# --- the diff ----------------------------------------------------------------------------------


def diff(old: Path, new: Path) -> Diff:
    """What changed from the build in ``old`` to the build in ``new`` (two ``dist/`` folders).

    A :class:`~kg.errors.UsageError` when either is not a build's folder, a
    :class:`~kg.errors.KGError` when a file of one is damaged."""
    old, new = _check_build(old), _check_build(new)
    builds = (build_of(old), build_of(new))
    sums = (_checksums(old), _checksums(new))
    scans = (_Scan(old / DATASET_FILE, sums[0][DATASET_FILE]), _Scan(new / DATASET_FILE, sums[1][DATASET_FILE]))
    try:
        if sums[0][DATASET_FILE] == sums[1][DATASET_FILE]:  # the same dataset: read it once, for its counts
            _verify(scans[1])
            removed, added = [], []
            for _ in scans[0].lines():
                pass
            scans = (scans[0], scans[0])
        else:
            removed, added = _compare(*scans, unsorted_ok=False)
    except _Unsorted:  # not as the build writes it, yet intact: compare the sorted lines
        for scan in scans:
            _verify(scan)
        scans = (_Scan(old / DATASET_FILE, sums[0][DATASET_FILE]), _Scan(new / DATASET_FILE, sums[1][DATASET_FILE]))
        removed, added = _compare(*scans, unsorted_ok=True)
    removed, added = _by_content(*scans, removed, added)
    labels = _Labels(*scans, (old, new))
    return _Differ(scans, labels, _parse(removed, old / DATASET_FILE), _parse(added, new / DATASET_FILE)).result(
        builds, sums[0].get(ONTOLOGY_FILE) != sums[1].get(ONTOLOGY_FILE))


def _verify(scan: _Scan) -> None:
    """Check that ``scan``'s file matches its checksum, without reading its lines."""
    try:
        with open(scan.path, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as err:
        raise KGError(f"cannot read it: {err.strerror}", path=scan.path) from None
    if digest != scan.expected:
        raise _damaged(scan.path, f"it does not match its SHA-256 in {CHECKSUMS} (cut short or edited)")


class _Differ:
    """Sorts the differing quads into entities, claims, sources and disagreements."""

    def __init__(self, scans: tuple[_Scan, _Scan], labels: _Labels, removed: list[pyoxigraph.Quad], added: list[pyoxigraph.Quad]) -> None:
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
            elif subject is not None and subject.startswith(_EVIDENCE):
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
                       if q.predicate.value == _RDF_TYPE and isinstance(q.object, pyoxigraph.NamedNode) and q.object.value.startswith(AIG))
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
                if graph.startswith(_SOURCE_G):
                    slug = graph.decode("utf-8", "replace")[len(SOURCE_GRAPH) + 1:-1]
                    count = scan.claims.get(graph, 0)
                    kinds[f"sources_{word}"].append(Item(self.labels.of(ID + slug), ID + slug, f"{count} claim{'s' if count != 1 else ''}"))
        return kinds

    def _describe(self, quads: Iterable[pyoxigraph.Quad]) -> str:
        parts: dict[str, str] = {}
        for q in quads:
            if q.predicate.value in _CLAIM_PARTS:
                parts[_CLAIM_PARTS[q.predicate.value]] = self.labels.value(q.object)
        return " · ".join(parts.get(k, "?") for k in ("subject", "property", "value"))

    def claims_of(self) -> dict[str, list]:  # type: ignore[type-arg]
        kinds: dict[str, list] = defaultdict(list)  # type: ignore[type-arg]
        changed: set[str] = set()
        claim_type = pyoxigraph.NamedNode(AIG + "Claim")
        for iri, changes in self.claims.items():
            source = iri[len(CLAIM):].split("/")[0]
            if any(q.predicate.value == _RDF_TYPE and q.object == claim_type for q in changes["+"]):
                kinds["claims_added"].append(ClaimItem(self._describe(changes["+"]), iri, source, iri in self.acceptance["+"]))
            elif any(q.predicate.value == _RDF_TYPE and q.object == claim_type for q in changes["-"]):
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
            label = self._describe(_parse(description.get(iri, []), self.scans[1].path))
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
        parts = {f"<{p}>".encode() for p in _CLAIM_PARTS}
        wanted = {f"<{iri}>".encode() for iri in changed}
        current, seen = b"", []  # the claim being read, and its describing lines so far
        for line in _raw_lines(self.scans[1].path):
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
            elif p == evidence_p and (o := _split(line)[2]) in roots and line.endswith(b" " + roots[o][0] + b" ."):
                claim = s.decode("utf-8", "replace")[1:-1]
                if claim not in gone:
                    links[claim].add(roots[o][1])
                    if s not in wanted:
                        changed.add(claim)
                        wanted.add(s)
                        description[claim] = list(seen)
        missing = {f"<{iri}>".encode() for iri in changed if len(description.get(iri, ())) < 3}
        if missing:  # lines not in the build's order: look for these once more
            for line in _raw_lines(self.scans[1].path):
                if line.startswith(claim_start) and line[:line.index(b" ")] in missing:
                    s, p, _, _ = _split(line)
                    if p in parts and line not in description[s.decode("utf-8", "replace")[1:-1]]:
                        description[s.decode("utf-8", "replace")[1:-1]].append(line)
        return links, description

    def result(self, builds: tuple[dict[str, str | None], dict[str, str | None]], ontology_changed: bool) -> Diff:
        kinds = {**self.entities_and_sources(), **self.claims_of()}
        order = lambda x: (x.label.casefold(), x.label, x.iri)  # noqa: E731
        sections = {name: tuple(sorted(kinds.get(name, []), key=order)) for name in _SECTIONS}
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


def _disagreements(scan: _Scan) -> set[bytes]:
    prefix = f"<{DISAGREEMENT}".encode()
    return {i for i in scan.individuals if i.startswith(prefix) or not i.startswith(f"<{ID}".encode())}


_SECTIONS = (
    "entities_added", "entities_removed", "entities_changed",
    "claims_added", "claims_removed", "claims_changed",
    "sources_added", "sources_removed", "sources_changed",
    "disagreements_appeared", "disagreements_resolved", "disagreements_changed",
)


# --- output ------------------------------------------------------------------------------------


def render(d: Diff, fmt: str = "text") -> str:
    """``d`` as ``text`` (Markdown for a changelog: a summary line, then a heading per section
    with one bullet per change, labels first and IRIs after) or ``json`` (sorted keys)."""
    if fmt == "json":
        return json.dumps(to_json(d), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if fmt == "text":
        return _markdown(d)
    raise UsageError(f"unknown format {printable(repr(fmt))}", hint="use one of: " + ", ".join(FORMATS))


def to_json(d: Diff) -> dict[str, object]:
    """``d`` as plain JSON data: ``old``, ``new``, ``counts``, ``ontology_changed`` and one
    object per kind (``entities``, ``claims``, ``sources``, ``disagreements``) of lists."""
    data = asdict(d)
    out: dict[str, object] = {"old": data["old"], "new": data["new"], "counts": data["counts"],
                              "ontology_changed": d.ontology_changed, "empty": d.empty}
    for name in _SECTIONS:
        kind, word = name.split("_")
        out.setdefault(kind, {})[word] = data[name]  # type: ignore[index]
    return out


_MARKDOWN = re.compile(r"[\\`*_\[\]<>|~&#]")
_LINE_BREAKS = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\x85"}


def md(text: str) -> str:
    """``text`` safe inside one Markdown line: line breaks written as ``\\n``, control
    characters escaped (:func:`kg.errors.printable`), and the characters Markdown or HTML
    would act on backslash-escaped, so a label shows as written and cannot start a block,
    a link or a tag."""
    text = _MARKDOWN.sub(lambda m: "\\" + m.group(), text)
    text = "".join(_LINE_BREAKS.get(c, c) for c in text)
    return printable(text)


def _lead(text: str) -> str:
    """:func:`md` of a text that opens a bullet: a leading ``-``, ``+``, ``=`` or ``1.`` is
    escaped too, so it cannot start a nested list or a heading underline."""
    return re.sub(r"^(\s*)([-+=]|\d+[.)])", r"\1\\\2", md(text))


def _iri(iri: str) -> str:
    return f"<{printable(iri)}>" if re.fullmatch(r"[^\s<>\"{}|\\^`]+", iri) else f"`{md(iri)}`"


def _value(s: Statement) -> str:
    if s.value.startswith("<"):
        iri = s.value[1:-1]
        return f"{md(s.value_label)} {_iri(iri)}" if s.value_label != _prefixed(iri) else _iri(iri)
    if s.value.startswith('"'):
        tail = s.value[s.value.rfind('"') + 1:]
        if tail.startswith("^^<"):
            tail = "^^" + _prefixed(tail[3:-1])
        return f'"{md(s.value_label)}"{md(tail)}'
    return md(s.value_label)


def _property(s: Statement) -> str:
    short = _prefixed(s.property)
    return md(short) if s.property_label == short else f"{md(s.property_label)} ({md(short)})"


def _statements(change: Change | ClaimChange, indent: str = "  ") -> list[str]:
    return ([f"{indent}- added: {_property(s)} {_value(s)}" for s in change.added]
            + [f"{indent}- removed: {_property(s)} {_value(s)}" for s in change.removed])


def _plural(n: int, word: str) -> str:
    return f"{n} {word if n == 1 else {'entity': 'entities'}.get(word, word + 's')}"


def _markdown(d: Diff) -> str:
    c = d.counts

    def build(b: dict[str, str | None]) -> str:
        return f"build {md(str(b['build']))}" + (f" (version {md(b['version'])})" if b.get("version") else "")

    lines = [f"# Changes from {build(d.old)} to {build(d.new)}", ""]
    summary = (f"Summary: {_plural(c['entities_added'], 'entity')} added, {c['entities_removed']} removed, {c['entities_changed']} changed; "
               f"{_plural(c['claims_added'], 'claim')} added, {c['claims_removed']} removed, {c['claims_changed']} changed; "
               f"{_plural(c['sources_added'], 'source')} added, {c['sources_removed']} removed, {c['sources_changed']} changed; "
               f"{_plural(c['disagreements_appeared'], 'disagreement')} appeared, {c['disagreements_resolved']} resolved, "
               f"{c['disagreements_changed']} changed; quads +{c['quads_added']} -{c['quads_removed']} "
               f"({c['old_quads']} -> {c['new_quads']})" + ("; the ontology changed" if d.ontology_changed else "") + ".")
    lines.append(summary if not d.empty else "No changes: the two builds hold the same data.")

    def items(title: str, entries: tuple[Item, ...]) -> None:
        if entries:
            lines.extend(["", f"## {title}", ""])
            lines.extend(f"- {_lead(e.label)}" + (f" ({md(e.detail)})" if e.detail else "") + f" {_iri(e.iri)}" for e in entries)

    def changes(title: str, entries: tuple[Change, ...]) -> None:
        if entries:
            lines.extend(["", f"## {title}", ""])
            for e in entries:
                lines.append(f"- {_lead(e.label)} {_iri(e.iri)}")
                lines.extend(_statements(e))

    def claims(title: str, entries: tuple[ClaimItem, ...]) -> None:
        if entries:
            lines.extend(["", f"## {title}", ""])
            lines.extend(f"- {_lead(e.label)} (source {md(e.source)}; {'accepted' if e.accepted else 'not accepted'}) {_iri(e.iri)}" for e in entries)

    items("Entities added", d.entities_added)
    items("Entities removed", d.entities_removed)
    changes("Entities changed", d.entities_changed)
    claims("Claims added", d.claims_added)
    claims("Claims removed", d.claims_removed)
    if d.claims_changed:
        lines.extend(["", "## Claims changed", ""])
        for e in d.claims_changed:
            lines.append(f"- {_lead(e.label)} (source {md(e.source)}) {_iri(e.iri)}")
            if e.accepted is not None:
                lines.append(f"  - {'now accepted' if e.accepted[1] else 'no longer accepted'}")
            lines.extend(_statements(e))
            for ev in e.evidence:
                lines.append(f"  - evidence {_iri(ev.iri)}")
                lines.extend(_statements(ev, "    "))
    items("Sources added", d.sources_added)
    items("Sources removed", d.sources_removed)
    changes("Sources changed", d.sources_changed)
    items("Disagreements appeared", d.disagreements_appeared)
    items("Disagreements resolved", d.disagreements_resolved)
    changes("Disagreements changed", d.disagreements_changed)
    return "\n".join(lines) + "\n"

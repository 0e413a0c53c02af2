"""Reading a build for :mod:`kg.use.diff`: its identity, its checksums, and one walk through
its ``kg.nq`` (:class:`Scan`) that checks the file against its SHA-256 as it reads and gathers
what the comparison needs (labels, kinds, claims per source); the lines two builds do not share
(:func:`compare`), with blank nodes named after their content (:func:`by_content`)."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph

from kg.errors import KGError, UsageError, printable
from kg.namespaces import ACCEPTED_GRAPH, AIG, CLAIM, DATASET, ID, SOURCE_GRAPH

CHECKSUMS = "SHA256SUMS"
DATASET_FILE = "kg.nq"
ONTOLOGY_FILE = "ontology.nt"
VOID_FILE = "void.ttl"
SITE = "site/"

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_NAMED_INDIVIDUAL = "http://www.w3.org/2002/07/owl#NamedIndividual"
_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"
EVIDENCE = ID + "evidence/"
CLAIM_PARTS = {AIG + "claimSubject": "subject", AIG + "claimProperty": "property",
                AIG + "claimValue": "value", AIG + "claimObject": "value"}

# Byte patterns of the lines pass 1 watches, as the build writes them (rdflib's N-Quads).
_ACCEPTED_G = f"<{ACCEPTED_GRAPH}>".encode()
_ACCEPTED_END = b" " + _ACCEPTED_G + b" ."
SOURCE_GRAPH_START = f"<{SOURCE_GRAPH}".encode()
_LABEL_P = f"<{RDFS_LABEL}> ".encode()
_TYPE_OF = f" <{RDF_TYPE}> <{{}}> <{ACCEPTED_GRAPH}> .".format
_INDIVIDUAL_END = _TYPE_OF(_NAMED_INDIVIDUAL).encode()
_SOURCE_DOC_END = _TYPE_OF(AIG + "SourceDocument").encode()
_CLAIM_TYPE = f" <{RDF_TYPE}> <{AIG}Claim> <{SOURCE_GRAPH}".encode()
_CLAIM_START = f"<{CLAIM}".encode()
_ID_START = f"<{ID}".encode()
_SOURCE_DESCRIBED = f" <{RDF_TYPE}> <{AIG}SourceDocument> <{SOURCE_GRAPH}".encode()


def build_of(dist: Path) -> dict[str, str | None]:
    """The identity of the build in ``dist``: ``build``, the digest its site's footer shows
    (the first 16 hex digits of the SHA-256 of the ``SHA256SUMS`` lines of the files outside
    ``site/``), and ``version``, the dataset's ``owl:versionInfo`` in ``void.ttl`` (None when
    it has none)."""
    dist = check_build(dist)
    sums = read_checksums(dist)
    listing = "".join(f"{digest}  {name}\n" for name, digest in sums.items() if not name.startswith(SITE))
    return {"build": hashlib.sha256(listing.encode("utf-8")).hexdigest()[:16], "version": read_version(dist)}


def check_build(dist: Path) -> Path:
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


def damaged(path: Path, what: str) -> KGError:
    return KGError(f"the build is damaged: {what}", path=path, hint="rebuild it (python build.py), or pass an intact dist/ folder")


def read_checksums(dist: Path) -> dict[str, str]:
    """``SHA256SUMS`` as file name -> hex digest, in its order."""
    path = dist / CHECKSUMS
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise damaged(path, "it is not UTF-8 text") from None
    except OSError as err:
        raise KGError(f"cannot read it: {err.strerror}", path=path) from None
    sums: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = re.fullmatch(r"([0-9a-f]{64})  (\S.*)", line)
        if not match:
            raise damaged(path, f"line {number} is not '<sha256>  <file>'")
        sums[match[2]] = match[1]
    if DATASET_FILE not in sums:
        raise damaged(path, f"it does not list {DATASET_FILE}")
    return sums


def read_version(dist: Path) -> str | None:
    path = dist / VOID_FILE
    if not path.is_file():
        return None
    try:
        for quad in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE):
            if quad.subject == pyoxigraph.NamedNode(DATASET) and quad.predicate == pyoxigraph.NamedNode(_VERSION_INFO):
                return str(quad.object.value)
    except (SyntaxError, ValueError, OSError) as err:
        raise damaged(path, f"it is not valid Turtle ({printable(str(err))})") from None
    return None


# --- pass 1: the lines that differ, and what each build says of labels and kinds ---------------


class Unsorted(Exception):
    """The file's lines are not in order (not written by the build): compare them in memory."""


@dataclass
class Scan:
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
        file's checksum; :class:`Unsorted` when they are out of order (unless ``unsorted_ok``,
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
                        raise damaged(self.path, "a line does not end with ' .' (the file is cut or is not N-Quads)")
                    line = raw[:-1]
                    if line <= previous:
                        if line == previous:
                            continue
                        raise Unsorted
                    previous = line
                    self._observe(line)
                    yield line
        except OSError as err:
            raise KGError(f"cannot read it: {err.strerror}", path=self.path) from None
        if not unsorted_ok and digest.hexdigest() != self.expected:
            raise damaged(self.path, f"it does not match its SHA-256 in {CHECKSUMS} (cut short or edited)")

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


def compare(old: Scan, new: Scan, unsorted_ok: bool) -> tuple[list[bytes], list[bytes]]:
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


def split_line(line: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    """Subject, predicate, object and graph of a build's N-Quads line (none but the object
    may hold a space)."""
    first = line.index(b" ")
    second = line.index(b" ", first + 1)
    last = line.rindex(b" ", 0, len(line) - 2)
    return line[:first], line[first + 1:second], line[second + 1:last], line[last + 1:-2]


# --- blank nodes, compared by content ----------------------------------------------------------


def by_content(old: Scan, new: Scan, removed: list[bytes], added: list[bytes]) -> tuple[list[bytes], list[bytes]]:
    """The differing lines once every blank node on them is named after its content in its own
    build (so a blank node only named differently is no difference)."""
    touched = {node for line in removed + added for node in _blanks(line)}
    if not touched:
        return removed, added
    lines = {}
    for scan in (old, new):
        wanted, found = set(touched), []
        for _ in range(8):  # each pass follows blank nodes one step further
            found = [line for line in raw_lines(scan.path)
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
        obj = split_line(line)[2]
        if obj.startswith(b"_:"):
            found += (obj,)
    return found


def raw_lines(path: Path) -> Iterator[bytes]:
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


def parse_lines(lines: list[bytes], path: Path) -> list[pyoxigraph.Quad]:
    if not lines:
        return []
    try:
        quads = list(pyoxigraph.parse(b"\n".join(lines) + b"\n", format=pyoxigraph.RdfFormat.N_QUADS))
    except (SyntaxError, ValueError) as err:
        raise damaged(path, f"a line is not valid N-Quads ({printable(str(err))})") from None
    if len(quads) != len(lines):
        raise damaged(path, "a line does not hold exactly one quad")
    return quads


def verify(scan: Scan) -> None:
    """Check that ``scan``'s file matches its checksum, without reading its lines."""
    try:
        with open(scan.path, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as err:
        raise KGError(f"cannot read it: {err.strerror}", path=scan.path) from None
    if digest != scan.expected:
        raise damaged(scan.path, f"it does not match its SHA-256 in {CHECKSUMS} (cut short or edited)")

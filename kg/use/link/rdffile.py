"""Read and write the small Turtle files under ``data/wikidata/``: parse errors say file and
line; writing is sorted (byte-identical for the same triples) and replaces the file whole."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph

from kg.errors import KGError
from kg.files import replace_file

PREFIXES = {
    "wd": "http://www.wikidata.org/entity/",
    "wdt": "http://www.wikidata.org/prop/direct/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "schema": "http://schema.org/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "pav": "http://purl.org/pav/",
    "prov": "http://www.w3.org/ns/prov#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "void": "http://rdfs.org/ns/void#",
}


def read_turtle(path: Path, shown_as: str) -> list[pyoxigraph.Triple]:
    """The triples of the Turtle file at ``path``; a missing file has none."""
    if not path.is_file():
        return []
    try:
        return [q.triple for q in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)]
    except SyntaxError as err:
        raise KGError(
            f"not valid Turtle: {err.msg}",
            path=shown_as,
            line=err.lineno,
            hint="this file is written by kg link; restore it from git (git checkout -- FILE) and run the command again",
        ) from None


def write_turtle(path: Path, header: str, triples: Iterable[pyoxigraph.Triple]) -> None:
    """Write ``header`` (comment lines) and ``triples`` sorted, as Turtle, replacing ``path`` whole."""
    ordered = sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    text = (pyoxigraph.serialize(ordered, format=pyoxigraph.RdfFormat.TURTLE, prefixes=PREFIXES) or b"").decode("utf-8")
    # pyoxigraph writes every prefix given, in an order of its own: write the used ones, sorted
    statements = "".join(line + "\n" for line in text.splitlines() if not line.startswith("@prefix "))
    used = sorted(name for name in PREFIXES if f"{name}:" in statements)
    body = ("".join(f"@prefix {name}: <{PREFIXES[name]}> .\n" for name in used) + "\n" + statements).encode("utf-8")
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.strip().splitlines())
    replace_file(path, comment.encode("utf-8") + b"\n" + body)

"""How to cite a source of the graph and a claim of the dataset: a citation line, BibTeX and
CSL-JSON, made from what the published graph says of the source.

A field the source does not give is left out, never guessed (the graph records it with
``aig:notGiven``). A title we wrote ourselves (a quoted source whose text carries none: its
``rdfs:label`` and no ``dcterms:title``) is marked as ours wherever it is written. The graph
does not keep the order of a source's authors (``dcterms:creator`` is a set), so they are
listed in alphabetical order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pyoxigraph

from kg.errors import UsageError
from kg.namespaces import DATASET, ID

OURS = "title by aigov-kg"  # the mark on a title the project wrote
AUTHORS = "aigov-kg contributors"  # the authors CITATION.cff names
_FIELDS = """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX pav: <http://purl.org/pav/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <http://schema.org/>
PREFIX aig: <https://w3id.org/aigov/ontology#>
SELECT ?source ?kind ?title ?label ?creator ?publisher ?issued ?url ?retrieved WHERE {
  VALUES ?kind { aig:QuotedSource aig:CitedSource }
  ?source a ?kind .
  OPTIONAL { ?source dcterms:title ?title }
  OPTIONAL { ?source rdfs:label ?label }
  OPTIONAL { ?source dcterms:creator ?creator }
  OPTIONAL { ?source dcterms:publisher ?publisher }
  OPTIONAL { ?source dcterms:issued ?issued }
  OPTIONAL { ?source schema:url ?url }
  OPTIONAL { ?source pav:retrievedOn ?retrieved }
}"""


@dataclass(frozen=True)
class Citation:
    """What the graph says of a source that a citation uses; None (or empty) where not given."""

    iri: str
    title: str
    title_is_ours: bool
    authors: tuple[str, ...]
    publisher: str | None
    issued: str | None  # an ISO date
    url: str | None
    retrieved: str | None  # an ISO date

    @property
    def key(self) -> str:
        """A citation key: the source's id, as in the graph."""
        return self.iri[len(ID):] if self.iri.startswith(ID) else self.iri


def citation(store: pyoxigraph.Store, source: str) -> Citation:
    """The citation of ``source`` (an IRI, or an id under ``https://w3id.org/aigov/id/``);
    :class:`UsageError` when the graph has no such source."""
    iri = source if "://" in source else ID + source
    rows = list(store.query(_FIELDS, substitutions={pyoxigraph.Variable("source"): pyoxigraph.NamedNode(iri)}))
    if not rows:
        raise UsageError(f"no source {source!r} in the graph", hint="kg query sources lists them")

    def values(name: str) -> list[str]:
        return sorted({row[name].value for row in rows if row[name] is not None})

    titles, labels = values("title"), values("label")
    return Citation(
        iri=iri,
        title=(titles or labels or [iri])[0],
        title_is_ours=not titles,
        authors=tuple(values("creator")),
        publisher=next(iter(values("publisher")), None),
        issued=next(iter(values("issued")), None),
        url=next(iter(values("url")), None),
        retrieved=next(iter(values("retrieved")), None),
    )


def page_citation(iri: str, label: str) -> Citation:
    """The citation of the dataset's page about ``iri`` (an entity): by the project's authors
    (as ``CITATION.cff`` names them), titled with the entity's label, at its IRI."""
    return Citation(iri=iri, title=f"{label} (aigov-kg)", title_is_ours=False, authors=(AUTHORS,), publisher="aigov-kg",
                    issued=None, url=iri, retrieved=None)


def text(cite: Citation) -> str:
    """A citation line: authors, date, title (marked when ours), publisher, address, when read."""
    parts = []
    if cite.authors:
        parts.append(", ".join(cite.authors) + ".")
    if cite.issued:
        parts.append(f"({cite.issued}).")
    parts.append(f"{cite.title} [{OURS}]." if cite.title_is_ours else f"{cite.title}.")
    if cite.publisher:
        parts.append(cite.publisher + ".")
    if cite.url:
        parts.append(cite.url + (f" (retrieved {cite.retrieved})" if cite.retrieved else ""))
    return " ".join(parts)


def bibtex(cite: Citation, claim: str | None = None, version: str | None = None) -> str:
    """A BibTeX (biblatex ``@online``) entry; ``claim`` and ``version`` (the claim's IRI and the
    dataset's version) go in its note, the version alone when there is no claim."""
    fields = [("title", _braced(cite.title)), ("author", " and ".join("{" + _braced(a) + "}" for a in cite.authors) or None),
              ("organization", _braced(cite.publisher) if cite.publisher else None), ("date", cite.issued),
              ("url", _url(cite.url) if cite.url else None), ("urldate", cite.retrieved), ("note", _braced(_note(cite, claim, version)) or None)]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@online{{{_key(cite.key)},\n{body}\n}}\n"


def csl_json(cite: Citation, claim: str | None = None, version: str | None = None) -> str:
    """The citation as CSL-JSON (one item, in a list, as citation managers import it)."""
    item: dict[str, object] = {"id": cite.key, "type": "webpage", "title": cite.title}
    if cite.authors:
        item["author"] = [{"literal": a} for a in cite.authors]
    if cite.publisher:
        item["publisher"] = cite.publisher
    if cite.issued:
        item["issued"] = _date_parts(cite.issued)
    if cite.url:
        item["URL"] = cite.url
    if cite.retrieved:
        item["accessed"] = _date_parts(cite.retrieved)
    note = _note(cite, claim, version)
    if note:
        item["note"] = note
    return json.dumps([item], ensure_ascii=False, indent=2)


def _note(cite: Citation, claim: str | None, version: str | None) -> str:
    parts = []
    if cite.title_is_ours:
        parts.append(f"The title is aigov-kg's ({OURS}): the source carries none.")
    if claim:
        parts.append(f"As recorded in aigov-kg{f' {version}' if version else ''}: {claim} ({DATASET}).")
    elif version:
        parts.append(f"aigov-kg {version} ({DATASET}).")
    return " ".join(parts)


def _date_parts(iso: str) -> dict[str, list[list[int]]]:
    return {"date-parts": [[int(p) for p in iso.split("-")[:3]]]}


# BibTeX's special characters, each written so that it prints as itself
_BIBTEX = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "#": r"\#", "_": r"\_", "$": r"\$",
           "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _braced(value: str) -> str:
    """``value`` safe inside a BibTeX field: special characters escaped, so braces stay balanced."""
    return "".join(_BIBTEX.get(c, c) for c in value)


def _url(value: str) -> str:
    """A URL inside a BibTeX field (read verbatim by biblatex): braces and backslashes
    percent-encoded, so the field stays balanced."""
    return "".join({"{": "%7B", "}": "%7D", "\\": "%5C"}.get(c, c) for c in value)


def _key(value: str) -> str:
    """A BibTeX key: letters, digits and ``-:._`` only."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "-:._") else "-" for c in value)

"""Choose a result format from an HTTP ``Accept`` header, as the SPARQL 1.1 Protocol asks."""

from __future__ import annotations

import functools

from kg.use.formats import FORMATS, Format

# Media types the endpoint answers in, by result kind; the first is the default.
SOLUTIONS = ("json", "xml", "csv", "tsv")
GRAPHS = ("turtle", "ntriples", "jsonld", "rdfxml")
# Other media types clients send, each with the formats it stands for; the one of the result's
# kind is meant: generic XML is SPARQL results XML for solutions, RDF/XML for graphs.
_ALIASES = {
    "application/json": ("json",),
    "application/xml": ("xml", "rdfxml"),
    "text/xml": ("xml", "rdfxml"),
    "text/plain": ("ntriples",),  # N-Triples' older media type
    "application/x-turtle": ("turtle",),
}


def accepted(header: str | None) -> list[tuple[str, float]]:
    """The media ranges of an Accept header, most wanted first (by q, then by order), with
    those the client refuses (q=0) last, at q 0."""
    ranges = []
    for position, part in enumerate((header or "*/*").split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for field in fields[1:]:
            name, _, value = field.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((media, max(q, 0.0), position))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(media, q) for media, q, _ in ranges]


@functools.lru_cache(maxsize=256)  # clients send few distinct Accept headers; a hit skips the parse
def choose(header: str | None, kind: str) -> Format | None:
    """The format to answer a ``kind`` result (``select``, ``ask`` or ``graph``) in, or None
    when the client accepts none of those the endpoint has (HTTP 406)."""
    names = GRAPHS if kind == "graph" else SOLUTIONS
    ranges = accepted(header)
    refused = {_named(media, names) for media, q in ranges if q == 0}
    names = tuple(n for n in names if n not in refused)  # "text/csv;q=0" excludes CSV even from */*
    if not names:
        return None
    for media, q in ranges:
        if q == 0:
            continue
        if media in ("*/*", "application/*", "text/*") and (media == "*/*" or FORMATS[names[0]].media_type.startswith(media[:-1])):
            return FORMATS[names[0]]
        named = _named(media, names)
        if named is not None:
            return FORMATS[named]
        if media.endswith("/*"):
            matching = [n for n in names if FORMATS[n].media_type.startswith(media[:-1])]
            if matching:
                return FORMATS[matching[0]]
    return None


def _named(media: str, names: tuple[str, ...]) -> str | None:
    """The one of ``names`` (formats of one result kind) that ``media``, a media type without
    wildcards, names directly or as an alias; None when it names none of them."""
    direct = next((n for n in names if FORMATS[n].media_type == media), None)
    return direct or next((n for n in _ALIASES.get(media, ()) if n in names), None)


# The documents the site writes for a thing (``id/<slug>.<extension>``), by extension, each with
# the media types that ask for it; HTML first, for browsers and ``*/*``.
DOCUMENTS = {
    "html": ("text/html", "application/xhtml+xml"),
    "ttl": ("text/turtle", "application/x-turtle"),
    "jsonld": ("application/ld+json", "application/json"),
    "nt": ("application/n-triples", "text/plain"),
    "rdf": ("application/rdf+xml", "application/xml", "text/xml"),
}


@functools.lru_cache(maxsize=256)
def choose_document(header: str | None) -> str | None:
    """The extension of the document of a thing to send for an Accept ``header`` (the most
    wanted by q, then by order; a wildcard means the first of :data:`DOCUMENTS` it covers, so
    ``*/*`` and no header mean HTML), or None when the client accepts none (HTTP 406)."""
    ranges = accepted(header)
    refused = {extension for media, q in ranges if q == 0 for extension, types in DOCUMENTS.items() if media in types}
    offered = [extension for extension in DOCUMENTS if extension not in refused]
    for media, q in ranges:
        if q == 0:
            continue
        if media.endswith("/*"):
            prefix = "" if media == "*/*" else media[:-1]
            covered = [e for e in offered if any(t.startswith(prefix) for t in DOCUMENTS[e])]
            if covered:
                return covered[0]
        covered = [e for e in offered if media in DOCUMENTS[e]]
        if covered:
            return covered[0]
    return None

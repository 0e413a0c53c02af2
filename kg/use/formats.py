"""Writing query results: one table of format names, media types and file extensions.

:func:`write` writes a result piece by piece into a text file-like (a row, a line, or a chunk of
serialized RDF at a time), so a writer that refuses more than a number of bytes stops a big
result early; :func:`render` is the same into a string.
"""

from __future__ import annotations

import codecs
import io
import re
from collections import namedtuple

import pyoxigraph

from kg.errors import UsageError, printable
from kg.namespaces import PREFIXES
from kg.use.results import Result, Term, plain_text


class Format(namedtuple("Format", ["name", "media_type", "extensions", "solutions", "graphs"])):
    """An output format: for solutions (SELECT/ASK) and/or graphs (CONSTRUCT/DESCRIBE)."""

    __slots__ = ()


FORMATS = {
    f.name: f
    for f in (
        Format("table", "text/plain", (".txt",), True, False),
        Format("csv", "text/csv", (".csv",), True, False),
        Format("tsv", "text/tab-separated-values", (".tsv",), True, False),
        Format("json", "application/sparql-results+json", (".json", ".srj"), True, False),
        Format("xml", "application/sparql-results+xml", (".xml", ".srx"), True, False),
        Format("turtle", "text/turtle", (".ttl",), False, True),
        Format("ntriples", "application/n-triples", (".nt",), False, True),
        Format("jsonld", "application/ld+json", (".jsonld",), False, True),
        Format("rdfxml", "application/rdf+xml", (".rdf",), False, True),
    )
}

_RDF_FORMATS = {
    "turtle": pyoxigraph.RdfFormat.TURTLE,
    "ntriples": pyoxigraph.RdfFormat.N_TRIPLES,
    "jsonld": pyoxigraph.RdfFormat.JSON_LD,
    "rdfxml": pyoxigraph.RdfFormat.RDF_XML,
}
# RDF/XML writes a predicate as an element, so its IRI must end in an XML name (pyoxigraph writes
# a broken element, `<oxprefix:>`, for one that does not: http://example.org/1, …/p/, …#).
_XML_NAME_AT_END = re.compile(r"[^\W\d][\w.\-]*$")


def format_for_extension(filename: str) -> Format:
    """The format a file name's extension implies; a usage error when none does."""
    for fmt in FORMATS.values():
        if filename.lower().endswith(fmt.extensions):
            return fmt
    known = ", ".join(ext for f in FORMATS.values() for ext in f.extensions)
    raise UsageError(f"cannot tell the format of {filename!r} from its extension", hint=f"use one of {known}, or give --format")


def default_format(result: Result, terminal: bool) -> Format:
    """``table`` on a terminal, CSV into a pipe or file; Turtle for graphs."""
    if result.kind == "graph":
        return FORMATS["turtle"]
    return FORMATS["table" if terminal else "csv"]


def render(result: Result, fmt: Format) -> str:
    """``result`` written in ``fmt`` (see :func:`write`), as one string."""
    out = io.StringIO()
    write(result, fmt, out)
    return out.getvalue()


def write(result: Result, fmt: Format, out: io.TextIOBase, compact: bool = False) -> None:
    """Write ``result`` in ``fmt`` into ``out`` piece by piece: ``table`` is for people, its cells
    safe for a terminal (:func:`kg.errors.printable`); every other format is data, its values
    written as they are. An exception ``out.write`` raises stops the writing. ``compact``: JSON
    without indentation (for programs: the standard library encodes it in C, several times
    faster, which is most of what a server spends on a small answer)."""
    if compact and fmt.name == "json" and result.kind != "graph":
        _compact_json(result, out)
        return
    if result.kind == "graph":
        if not fmt.graphs:
            raise UsageError(f"a CONSTRUCT or DESCRIBE result cannot be written as {fmt.name}", hint="use --format turtle, ntriples, jsonld or rdfxml")
        _rdf(result.triples, fmt, out)
        return
    if not fmt.solutions:
        raise UsageError(f"a SELECT or ASK result cannot be written as {fmt.name}", hint="use --format table, csv, tsv, json or xml")
    {"table": _table, "csv": _csv, "tsv": _tsv, "json": _json, "xml": _xml}[fmt.name](result, out)


class _Decoding:
    """The binary file-like pyoxigraph's serializer writes into, passing each chunk on to a text
    ``out`` (decoded incrementally: a chunk may end inside a character)."""

    def __init__(self, out: io.TextIOBase) -> None:
        self.out = out
        self.decoder = codecs.getincrementaldecoder("utf-8")()

    def write(self, data: bytes) -> int:
        self.out.write(self.decoder.decode(data))
        return len(data)

    def flush(self) -> None:  # pyoxigraph calls it when done
        self.out.flush()


def _rdf(triples: list[pyoxigraph.Triple], fmt: Format, out: io.TextIOBase) -> None:
    """Serialize ``triples`` with pyoxigraph, which hands its output over in chunks of about 8 KB."""
    if fmt.name == "rdfxml":
        _check_xml_predicates(triples)
    prefixes = PREFIXES if fmt.name != "ntriples" else None
    target = _Decoding(out)
    pyoxigraph.serialize(triples, target, _RDF_FORMATS[fmt.name], prefixes=prefixes)
    out.write(target.decoder.decode(b"", final=True))


def _check_xml_predicates(triples: list[pyoxigraph.Triple]) -> None:
    """Refuse a graph RDF/XML cannot write: one with a predicate that does not end in an XML name."""
    for predicate in {t.predicate.value for t in triples}:
        if not _XML_NAME_AT_END.search(predicate):
            raise UsageError(f"RDF/XML cannot write the predicate <{predicate}>: its IRI does not end in an XML name",
                             hint="ask for Turtle, N-Triples or JSON-LD")


def _short(term: Term | None) -> str:
    """A term for people: prefixed IRIs, literal values without quotes or datatypes."""
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.NamedNode):
        for prefix, namespace in PREFIXES.items():
            local = term.value.removeprefix(namespace)
            if local != term.value and local and "/" not in local:
                return f"{prefix}:{local}"
        return term.value
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    return term.value


def columns(rows: list[tuple[str, ...]]) -> str:
    """``rows`` (the first one the header) as left-aligned columns, the last one unpadded; each
    value on one line and safe for a terminal (control and bidi characters shown as escapes)."""
    rows = [tuple(_cell(str(v)) for v in row) for row in rows]
    widths = [max(len(v) for v in column) for column in zip(*rows)]
    lines = []
    for row in rows:
        cells = [v.ljust(w) for v, w in zip(row[:-1], widths)] + [row[-1]]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """``text`` as one cell of a table on a terminal: on one line, control and bidi characters
    written as escapes, so a label cannot move the cursor, recolour or reorder the screen."""
    return printable(text.replace("\n", " ").replace("\t", " "))


def _table(result: Result, out: io.TextIOBase) -> None:
    """A table for people: its column widths need every row, so it is written in one piece."""
    if result.kind == "ask":
        out.write(("yes" if result.boolean else "no") + "\n")
        return
    cells = [[_cell(_short(t)) for t in row] for row in result.rows]
    widths = [max([len(v)] + [len(row[i]) for row in cells]) for i, v in enumerate(result.variables)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()
    lines = [line(result.variables), line(["-" * w for w in widths])] + [line(row) for row in cells]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    out.write("\n".join(lines) + "\n")


def _csv(result: Result, out: io.TextIOBase) -> None:
    """SPARQL 1.1 Query Results CSV: plain values, CRLF line ends, a row at a time."""
    import csv

    writer = csv.writer(out, lineterminator="\r\n")
    if result.kind == "ask":
        writer.writerow(["_askResult"])
        writer.writerow(["true" if result.boolean else "false"])
        return
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([plain_text(t) for t in row])


def _tsv(result: Result, out: io.TextIOBase) -> None:
    """SPARQL 1.1 Query Results TSV: terms in SPARQL/N-Triples syntax, a row at a time."""
    if result.kind == "ask":
        out.write("?_askResult\n" + ("true" if result.boolean else "false") + "\n")
        return
    out.write("\t".join(f"?{v}" for v in result.variables) + "\n")
    out.writelines("\t".join("" if t is None else str(t) for t in row) + "\n" for row in result.rows)


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, pyoxigraph.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, pyoxigraph.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


def _json(result: Result, out: io.TextIOBase) -> None:
    """SPARQL 1.1 Query Results JSON, a binding at a time: the same text as ``json.dumps`` of the
    whole document with ``indent=2`` (each binding is encoded on its own and indented to its depth;
    JSON escapes a newline inside a string, so every newline in the encoding is structural)."""
    import json

    encoder = json.JSONEncoder(ensure_ascii=False, indent=2)
    if result.kind == "ask":
        out.write(encoder.encode({"head": {}, "boolean": bool(result.boolean)}) + "\n")
        return
    head = encoder.encode({"vars": result.variables}).replace("\n", "\n  ")
    out.write('{\n  "head": ' + head + ',\n  "results": {\n    "bindings": [')
    for index, row in enumerate(result.rows):
        out.write(("," if index else "") + "\n      " + encoder.encode(_binding(result.variables, row)).replace("\n", "\n      "))
    out.write(("\n    " if result.rows else "") + "]\n  }\n}\n")


def _binding(variables: list[str], row: tuple[Term | None, ...]) -> dict[str, dict[str, str]]:
    """One row as a SPARQL JSON results binding: the variables bound in it, each a term object."""
    return {v: _json_term(t) for v, t in zip(variables, row) if t is not None}


# Bindings encoded by one call of the C encoder: few calls for a small answer, and a large one
# still reaches ``out`` (which may refuse past a size) a piece at a time.
_COMPACT_ROWS = 256


def _compact_json(result: Result, out: io.TextIOBase) -> None:
    """SPARQL 1.1 Query Results JSON without indentation, :data:`_COMPACT_ROWS` bindings at a time."""
    import json

    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    if result.kind == "ask":
        out.write(encode({"head": {}, "boolean": bool(result.boolean)}))
        return
    variables, rows = result.variables, result.rows
    head = '{"head":' + encode({"vars": variables}) + ',"results":{"bindings":'
    if len(rows) <= _COMPACT_ROWS:
        out.write(head + encode([_binding(variables, row) for row in rows]) + "}}")
        return
    out.write(head + "[")
    for start in range(0, len(rows), _COMPACT_ROWS):
        piece = encode([_binding(variables, row) for row in rows[start:start + _COMPACT_ROWS]])[1:-1]
        out.write(("," if start else "") + piece)
    out.write("]}}")


def escape(text: str) -> str:
    """``text`` safe inside an XML element (xml.sax.saxutils would pull in urllib: +25 ms)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    """``text`` as a double-quoted XML attribute value."""
    return '"' + escape(text).replace('"', "&quot;") + '"'


def _xml_term(term: Term) -> str:
    if isinstance(term, pyoxigraph.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, pyoxigraph.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _xml(result: Result, out: io.TextIOBase) -> None:
    """SPARQL Query Results XML, a result (line) at a time."""
    out.write('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n')
    if result.kind == "ask":
        out.write(f"  <head/>\n  <boolean>{'true' if result.boolean else 'false'}</boolean>\n</sparql>\n")
        return
    out.write("  <head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in result.variables) + "</head>\n  <results>\n")
    for row in result.rows:
        cells = "".join(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>" for v, t in zip(result.variables, row) if t is not None)
        out.write(f"    <result>{cells}</result>\n")
    out.write("  </results>\n</sparql>\n")

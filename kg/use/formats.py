"""Writing query results: one table of format names, media types and file extensions."""

from __future__ import annotations

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
    )
}


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
    """``result`` written in ``fmt``: ``table`` is for people, its cells safe for a terminal
    (:func:`kg.errors.printable`); every other format is data, its values written as they are."""
    if result.kind == "graph":
        if not fmt.graphs:
            raise UsageError(f"a CONSTRUCT or DESCRIBE result cannot be written as {fmt.name}", hint="use --format turtle, ntriples or jsonld")
        rdf = {"turtle": pyoxigraph.RdfFormat.TURTLE, "ntriples": pyoxigraph.RdfFormat.N_TRIPLES, "jsonld": pyoxigraph.RdfFormat.JSON_LD}[fmt.name]
        prefixes = PREFIXES if fmt.name != "ntriples" else None
        return pyoxigraph.serialize(result.triples, format=rdf, prefixes=prefixes).decode("utf-8")
    if not fmt.solutions:
        raise UsageError(f"a SELECT or ASK result cannot be written as {fmt.name}", hint="use --format table, csv, tsv, json or xml")
    return {"table": _table, "csv": _csv, "tsv": _tsv, "json": _json, "xml": _xml}[fmt.name](result)


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


def _table(result: Result) -> str:
    if result.kind == "ask":
        return ("yes" if result.boolean else "no") + "\n"
    cells = [[_cell(_short(t)) for t in row] for row in result.rows]
    widths = [max([len(v)] + [len(row[i]) for row in cells]) for i, v in enumerate(result.variables)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()  # noqa: E731
    out = [line(result.variables), line(["-" * w for w in widths])] + [line(row) for row in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out) + "\n"


def _csv(result: Result) -> str:
    """SPARQL 1.1 Query Results CSV: plain values, CRLF line ends."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if result.kind == "ask":
        writer.writerow(["_askResult"])
        writer.writerow(["true" if result.boolean else "false"])
    else:
        writer.writerow(result.variables)
        writer.writerows([plain_text(t) for t in row] for row in result.rows)
    return buffer.getvalue()


def _tsv(result: Result) -> str:
    """SPARQL 1.1 Query Results TSV: terms in SPARQL/N-Triples syntax."""
    if result.kind == "ask":
        return "?_askResult\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


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


def _json(result: Result) -> str:
    """SPARQL 1.1 Query Results JSON."""
    import json

    if result.kind == "ask":
        document: dict = {"head": {}, "boolean": bool(result.boolean)}
    else:
        bindings = [{v: _json_term(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows]
        document = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


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


def _xml(result: Result) -> str:
    """SPARQL Query Results XML."""
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if result.kind == "ask":
        out += ["  <head/>", f"  <boolean>{'true' if result.boolean else 'false'}</boolean>"]
    else:
        out.append("  <head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in result.variables) + "</head>")
        out.append("  <results>")
        for row in result.rows:
            cells = "".join(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>" for v, t in zip(result.variables, row) if t is not None)
            out.append(f"    <result>{cells}</result>")
        out.append("  </results>")
    out.append("</sparql>")
    return "\n".join(out) + "\n"

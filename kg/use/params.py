"""Turn parameter values given as text into RDF terms, by the type the query header declares.

Values become terms (an IRI, a literal), never text spliced into a query: locally the engine
binds them by substitution; on a remote endpoint they go in a VALUES block written by
pyoxigraph's term serializer (escaped). A value that looks like SPARQL is only a value that
matches nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pyoxigraph

from kg.errors import UNSAFE_CHARACTERS, KGError, NotFound, UsageError, excerpt
from kg.namespaces import ID, SLUG, VARIABLE
from kg.use.results import Result
from kg.use.savedquery import Param, SavedQuery

Term = pyoxigraph.NamedNode | pyoxigraph.Literal
# Runs SPARQL text with variables bound to terms, on the local store or a remote endpoint.
Lookup = Callable[[str, dict[str, Term]], Result]

XSD_INTEGER = pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
# Control characters (line breaks and tabs too), bidi controls and lone surrogates: never part
# of a name, an id, a number or an IRI, and what would garble a message or a terminal.
_CONTROL = re.compile(f"[\t\n{UNSAFE_CHARACTERS}]")

_BY_NAME = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?entity ?wanted WHERE {
  ?entity rdfs:label|skos:altLabel ?name .
  FILTER (LCASE(STR(?name)) = LCASE(STR(?wanted)))
  FILTER STRSTARTS(STR(?entity), "%s")
}
ORDER BY ?entity
""" % ID

_EXISTS = "ASK { ?entity ?property ?value }"

_ALL_NAMES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?name WHERE { ?entity rdfs:label|skos:altLabel ?name . FILTER STRSTARTS(STR(?entity), "%s") }
""" % ID


def parse_assignments(pairs: list[str]) -> dict[str, str]:
    """``["key=value", ...]`` as a dict; a pair without ``=`` is a usage error."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--param {pair!r} is not key=value", hint="write --param pledge=statement-on-inclusive-and-sustainable-ai")
        if not VARIABLE.fullmatch(name):
            raise UsageError(f"--param {name!r}: a parameter name is a SPARQL variable name", hint="letters, digits and _, not starting with a digit")
        values[name] = value
    return values


def bind(saved: SavedQuery | None, given: dict[str, str], lookup: Lookup) -> dict[str, Term]:
    """The terms for every parameter of ``saved`` from ``given`` values or header defaults.

    For an ad-hoc query (``saved`` is None) each value is bound as a plain string literal. A
    value holding a control character or a line break is a usage error.
    """
    for name, value in given.items():
        if _CONTROL.search(value):
            raise UsageError(
                f"--param {name}: {excerpt(value)} holds a control character or a line break",
                hint="give the value on one line, without control characters (a trailing newline from a file or a paste counts)",
            )
    if saved is None:
        return {name: pyoxigraph.Literal(value) for name, value in given.items()}
    declared = {p.name: p for p in saved.params}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        takes = ", ".join(f"{p.name} ({p.type})" for p in saved.params) or "no parameters"
        raise UsageError(f"query {saved.name!r} has no parameter {unknown[0]!r}", hint=f"it takes: {takes}")
    terms = {}
    for param in saved.params:
        value = given.get(param.name, param.default)
        if value is None:
            raise UsageError(
                f"query {saved.name!r} needs --param {param.name}=… ({param.type}: {param.doc})",
                hint=f"for example: kg query {saved.name} --param {param.name}=VALUE",
            )
        terms[param.name] = term_for(param, value, lookup)
    return terms


def term_for(param: Param, value: str, lookup: Lookup) -> Term:
    """One parameter value as a term of the declared type."""
    if param.type == "entity":
        return resolve_entity(value, lookup, param.name)
    if param.type == "iri":
        try:
            return pyoxigraph.NamedNode(value)
        except ValueError as err:
            raise KGError(f"--param {param.name}: {excerpt(value)} is not an IRI ({err})", hint="give an absolute IRI such as https://w3id.org/aigov/id/china") from None
    if param.type in ("integer", "year"):
        pattern = r"-?\d{1,4}" if param.type == "year" else r"[+-]?\d+"
        if not re.fullmatch(pattern, value.strip()):
            raise KGError(f"--param {param.name}: {excerpt(value)} is not {'a year' if param.type == 'year' else 'a whole number'}", hint="write digits only, e.g. 2023")
        return pyoxigraph.Literal(str(int(value)), datatype=XSD_INTEGER)
    return pyoxigraph.Literal(value)


def resolve_entity(value: str, lookup: Lookup, name: str = "entity") -> pyoxigraph.NamedNode:
    """An entity by id (``african-union``), IRI, label or alternative label (case-insensitive);
    a name found only without one leading "the" ("the US", "the Paris declaration") is that one."""
    found = _named(value, lookup)
    if not found and value[:4].lower() == "the ":
        found = _named(value[4:], lookup)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        ids = ", ".join(f.value.removeprefix(ID) for f in found)
        raise KGError(f"--param {name}: {excerpt(value)} names several entities: {ids}", hint="give the id of the one you mean")
    from kg.suggest import did_you_mean

    names = {row[0].value for row in lookup(_ALL_NAMES, {}).rows}
    raise NotFound(
        f"--param {name}: no entity has the id, label or alternative label {excerpt(value)}",
        hint=did_you_mean(value, names) + "run 'kg query entities' to list entities (with --endpoint: of the endpoint's default graph)",
    )


def _named(value: str, lookup: Lookup) -> list[pyoxigraph.NamedNode]:
    """The entity whose id or IRI ``value`` is, if it exists; else those it is a label or
    alternative label of."""
    candidate = None
    if SLUG.fullmatch(value):
        candidate = pyoxigraph.NamedNode(ID + value)
    elif value.startswith(ID):
        try:
            candidate = pyoxigraph.NamedNode(value)
        except ValueError:
            pass
    if candidate is not None and lookup(_EXISTS, {"entity": candidate}).boolean:
        return [candidate]
    return [row[0] for row in lookup(_BY_NAME, {"wanted": pyoxigraph.Literal(value)}).rows if row[0] is not None]

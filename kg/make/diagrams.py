"""Diagrams of the built graph (issue 14): an entity's neighbourhood and the ontology's classes.

Each diagram is Graphviz DOT source, drawn to SVG or PNG by Graphviz's ``dot`` command
(:func:`render`); :func:`describe` is the same neighbourhood as plain English, the text
alternative of the picture. Everything shown comes from the store: the accepted graph's links
between entities and the ontology's labels; nothing is made up.

Every label is data, so each is written as a DOT double-quoted string with its quotes,
backslashes and line breaks escaped (:func:`quote`), never as an HTML-like label: a label cannot
add nodes or edges, and ``dot`` writes ``<`` and ``>`` into SVG as ``&lt;`` and ``&gt;``.
"""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph

from kg.errors import KGError, UsageError, excerpt, printable
from kg.namespaces import AIG, ID, SLUG

# The most neighbours a neighbourhood diagram draws; the rest are one "and N more" node.
NEIGHBOURS = 40
FORMATS = ("svg", "png")
# Seconds dot may take to draw a diagram (it takes well under one for these sizes).
RENDER_TIMEOUT = 60
# The width, in characters, labels are wrapped to.
WRAP = 30
# The node standing for the neighbours left out; no entity IRI is this name.
MORE = "more"

_PREFIXES = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

_IS_ENTITY = _PREFIXES + "ASK { ?entity a owl:NamedIndividual }"

_ENTITIES = _PREFIXES + 'SELECT ?entity WHERE { ?entity a owl:NamedIndividual . FILTER STRSTARTS(STR(?entity), "%s") }' % ID

# The links of ?entity to other entities: aig: object properties between named individuals of
# the id/ namespace, which leaves out literals, claims, evidence and their selectors.
_LINKS = _PREFIXES + """
SELECT DISTINCT ?entity ?subject ?property ?object WHERE {
  { ?entity ?property ?object . BIND (?entity AS ?subject) }
  UNION
  { ?subject ?property ?entity . BIND (?entity AS ?object) }
  ?property a owl:ObjectProperty .
  ?subject a owl:NamedIndividual .
  ?object a owl:NamedIndividual .
  FILTER (STRSTARTS(STR(?property), "%s") && STRSTARTS(STR(?subject), "%s") && STRSTARTS(STR(?object), "%s"))
}
""" % (AIG, ID, ID)

_LABELS = _PREFIXES + "SELECT ?node ?label WHERE { VALUES ?node { %s } ?node rdfs:label ?label }"

_TYPES = _PREFIXES + 'SELECT ?node ?label WHERE { VALUES ?node { %s } ?node a ?class . ?class rdfs:label ?label . FILTER STRSTARTS(STR(?class), "%s") }'

_CLASSES = _PREFIXES + """
SELECT ?class (MIN(STR(?text)) AS ?definition) WHERE {
  ?class a owl:Class .
  OPTIONAL { ?class skos:definition ?text }
  FILTER STRSTARTS(STR(?class), "%s")
}
GROUP BY ?class
""" % AIG

_SUBCLASSES = _PREFIXES + "SELECT ?class ?super WHERE { ?class rdfs:subClassOf ?super }"

_DOMAINS_AND_RANGES = _PREFIXES + """
SELECT ?property ?domain ?range WHERE {
  ?property a owl:ObjectProperty ; rdfs:domain ?domain ; rdfs:range ?range .
  FILTER STRSTARTS(STR(?property), "%s")
}
""" % AIG

_STYLE = """\
  graph [rankdir=LR, fontname="Helvetica"];
  node [shape=box, style=rounded, fontname="Helvetica"];
  edge [fontname="Helvetica", fontsize=10];"""


@dataclass(frozen=True, order=True)
class Link:
    """One accepted triple between two entities (IRIs)."""

    subject: str
    property: str
    object: str


def quote(text: str) -> str:
    """``text`` as a DOT double-quoted string that Graphviz shows exactly as written.

    Backslashes and quotes are escaped (so no ``\\N`` or ``\\l`` is interpreted and the string
    cannot end early), ``&`` is written ``&amp;`` (Graphviz would read ``&lt;`` as ``<``), a line
    break becomes DOT's ``\\n`` and any other control character its printable escape (``\\x1b``)."""
    text = printable(text).replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")
    return '"' + text.replace("\n", "\\n") + '"'


def entity_iri(store: pyoxigraph.Store, entity: str) -> str:
    """The IRI of ``entity``, given as its id (``european-union``) or its IRI; a
    :class:`UsageError` with a hint when the graph has no such entity."""
    iri = ID + entity if SLUG.fullmatch(entity) else entity
    try:
        node = pyoxigraph.NamedNode(iri)
    except ValueError:
        node = None
    if node is None or not iri.startswith(ID) or not store.query(_IS_ENTITY, substitutions={pyoxigraph.Variable("entity"): node}):
        from kg.suggest import did_you_mean  # only on the error path

        ids = {row["entity"].value.removeprefix(ID) for row in store.query(_ENTITIES)}
        raise UsageError(
            f"no entity {printable(excerpt(entity))} in the built graph",
            hint=did_you_mean(entity, ids) + "kg query entities lists them (give the id, the end of the entity's IRI)",
        )
    return iri


def links(store: pyoxigraph.Store, iri: str) -> list[Link]:
    """The accepted links from and to the entity ``iri`` (see :func:`entity_iri`), sorted."""
    rows = store.query(_LINKS, substitutions={pyoxigraph.Variable("entity"): pyoxigraph.NamedNode(iri)})
    return sorted(Link(row["subject"].value, row["property"].value, row["object"].value) for row in rows)


def neighbourhood(store: pyoxigraph.Store, entity: str, limit: int = NEIGHBOURS) -> str:
    """DOT source of ``entity`` (an id or IRI) with the entities it links to and that link to it
    in the accepted graph, edges labelled with the property's label and nodes with the entity's
    label and class. At most ``limit`` neighbours (the first by IRI) are drawn, the others as
    one "and N more" node. The same store gives the same text."""
    iri = entity_iri(store, entity)
    found = links(store, iri)
    neighbours = sorted({link.object if link.subject == iri else link.subject for link in found} - {iri})
    shown = {iri, *neighbours[:limit]}
    found = [link for link in found if link.subject in shown and link.object in shown]
    names = _labels(store, shown | {link.property for link in found})
    kinds = _types(store, shown)
    lines = [f"digraph {quote('neighbourhood of ' + iri.removeprefix(ID))} {{", _STYLE]  # Graphviz shows a name's escapes, so no label
    for node in sorted(shown):
        bold = ", penwidth=2" if node == iri else ""
        lines.append(f"  {quote(node)} [label={_label(names[node], kinds.get(node))}{bold}];")
    for link in found:
        lines.append(f"  {quote(link.subject)} -> {quote(link.object)} [label={_label(names[link.property])}];")
    if len(neighbours) > limit:
        lines.append(f"  {quote(MORE)} [label={quote(f'and {len(neighbours) - limit} more')}, style=dashed];")
        lines.append(f"  {quote(iri)} -> {quote(MORE)} [style=dashed, arrowhead=none];")
    return "\n".join([*lines, "}", ""])


def ontology_classes(store: pyoxigraph.Store) -> str:
    """DOT source of the ontology's aig: classes (a store holding the ontology, such as the built
    dataset's): "subclass of" edges between them, and each object property as an edge from its
    domain to its range where both are aig: classes. A class's definition is its tooltip."""
    definitions = {row["class"].value: row["definition"].value if row["definition"] else "" for row in store.query(_CLASSES)}
    subclasses = sorted({(row["class"].value, row["super"].value) for row in store.query(_SUBCLASSES)})
    properties = sorted({(row["domain"].value, row["range"].value, row["property"].value) for row in store.query(_DOMAINS_AND_RANGES)})
    names = _labels(store, definitions.keys() | {p for _, _, p in properties})
    lines = ['digraph "classes of the ontology" {', _STYLE]
    for node in sorted(definitions):
        lines.append(f"  {quote(node)} [label={_label(names[node])}, tooltip={quote(definitions[node])}];")
    for narrow, broad in subclasses:
        if narrow in definitions and broad in definitions:
            lines.append(f"  {quote(narrow)} -> {quote(broad)} [label={_label('subclass of')}, arrowhead=empty, style=dashed];")
    for domain, range_, p in properties:
        if domain in definitions and range_ in definitions:
            lines.append(f"  {quote(domain)} -> {quote(range_)} [label={_label(names[p])}];")
    return "\n".join([*lines, "}", ""])


def describe(store: pyoxigraph.Store, entity: str) -> str:
    """The neighbourhood of ``entity`` (an id or IRI) in plain English, every link (none left
    out), the text alternative of its diagram: "European Union (bloc): endorsed Bletchley
    Declaration and …; participated in …. Vera Jourová represented European Union." """
    iri = entity_iri(store, entity)
    found = links(store, iri)
    names = _labels(store, {iri} | {n for link in found for n in (link.subject, link.property, link.object)})
    kinds = _types(store, {iri})
    outgoing: dict[str, list[str]] = defaultdict(list)
    incoming: dict[str, list[str]] = defaultdict(list)
    for link in found:
        if link.subject == iri:
            outgoing[names[link.property]].append(names[link.object])
        else:
            incoming[names[link.property]].append(names[link.subject])
    title = names[iri] + (f" ({kinds[iri]})" if iri in kinds else "")
    if not found:
        return f"{title} has no links to other entities in the accepted graph."
    head = title + (": " + "; ".join(f"{p} {_and(o)}" for p, o in sorted(outgoing.items())) if outgoing else "")
    return " ".join([head + ".", *(f"{_and(s)} {p} {names[iri]}." for p, s in sorted(incoming.items()))])


def render(dot_source: str, fmt: str = "svg", timeout: float = RENDER_TIMEOUT) -> bytes:
    """``dot_source`` drawn by Graphviz's ``dot`` as ``fmt`` ("svg" or "png"); the same source
    gives the same bytes. A :class:`KGError` says how to install Graphviz when ``dot`` is not
    on the PATH, and what ``dot`` said when it fails or takes longer than ``timeout`` seconds."""
    if fmt not in FORMATS:
        raise UsageError(f"no diagram format {printable(repr(fmt))}", hint="give svg or png")
    dot = shutil.which("dot")
    if dot is None:
        raise KGError("Graphviz's dot command is not on the PATH", hint="install Graphviz: apt-get install graphviz")
    try:
        done = subprocess.run([dot, f"-T{fmt}"], input=dot_source.encode("utf-8"), capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise KGError(f"dot took longer than {timeout:g} s to draw the diagram", hint="draw a smaller diagram") from None
    if done.returncode != 0:
        said = printable(done.stderr.decode("utf-8", "replace").strip()) or f"exit status {done.returncode}"
        raise KGError(f"dot could not draw the diagram: {said}", hint="check that Graphviz is installed: dot -V")
    return done.stdout


def _labels(store: pyoxigraph.Store, iris: set[str]) -> dict[str, str]:
    """Each IRI's rdfs:label (the first, sorted, when it has several), or the end of the IRI
    when it has none."""
    found: dict[str, list[str]] = defaultdict(list)
    for row in _for_each(store, _LABELS, iris):
        found[row["node"].value].append(row["label"].value)
    return {iri: min(found[iri]) if found[iri] else iri.removeprefix(ID).rpartition("#")[2] for iri in iris}


def _types(store: pyoxigraph.Store, iris: set[str]) -> dict[str, str]:
    """The labels of each IRI's aig: classes, sorted and joined by commas, for those that have one."""
    found: dict[str, set[str]] = defaultdict(set)
    for row in _for_each(store, _TYPES, iris, AIG):
        found[row["node"].value].add(row["label"].value)
    return {iri: ", ".join(sorted(labels)) for iri, labels in found.items()}


def _for_each(store: pyoxigraph.Store, query: str, iris: set[str], *more: str) -> pyoxigraph.QuerySolutions:
    """``query`` run with its VALUES block listing ``iris`` (written by pyoxigraph's term writer)."""
    return store.query(query % (" ".join(str(pyoxigraph.NamedNode(iri)) for iri in sorted(iris)), *more))


def _label(text: str, kind: str | None = None) -> str:
    """A node or edge label: ``text`` wrapped to :data:`WRAP` characters, then ``kind`` in
    parentheses on a line of its own, quoted for DOT."""
    lines = textwrap.wrap(text, WRAP) or [""]
    if kind:
        lines.append(f"({kind})")
    return quote("\n".join(lines))


def _and(items: list[str]) -> str:
    """``items`` sorted, as English lists them: "a", "a and b", "a, b and c"."""
    items = sorted(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

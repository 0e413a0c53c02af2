"""The ontology's documentation page of the site (``ontology.html``, issue 14).

One section per aig: term, its ``id`` the term's fragment, so the hash IRI
``https://w3id.org/aigov/ontology#Pledge`` resolves to ``ontology.html#Pledge``. Everything shown
comes from the store (the ontology in its default graph): labels, definitions, domains and
ranges, super- and sub-terms, the mappings the ontology states (``owl:equivalentClass``,
``owl:equivalentProperty``, ``owl:inverseOf``, super-terms outside aig:, and any other statement
about a term, shown under its predicate's label or prefixed name); nothing is made up. The class
diagram is an ``<img>`` of the SVG drawn by :func:`kg.make.diagrams.ontology_classes`, its text
alternative the subclass relations it draws.

Every value from the graph is written with :func:`~kg.make.site.page.text` or
:func:`~kg.make.site.page.attr`; only http(s) IRIs become links. Terms are sorted by label
(then IRI), so the same store gives the same bytes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph

from kg.make.diagrams import ontology_classes, render
from kg.make.site.page import Page, Site, attr, link, text
from kg.namespaces import AIG, ONTOLOGY_IRI, PREFIXES

PATH = "ontology.html"
DIAGRAM = "ontology-classes.svg"
ALTERNATES = {"ttl": "ontology.ttl", "jsonld": "ontology.jsonld", "nt": "ontology.nt", "rdf": "ontology.rdf"}

RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
OWL = PREFIXES["owl"]
SKOS = PREFIXES["skos"]
DCTERMS = PREFIXES["dcterms"]
VANN = PREFIXES["vann"]
TYPE = RDF + "type"
LABEL = RDFS + "label"

# The kinds of term, in the order of the page; a term declared as several is shown under the first.
KINDS = (
    (OWL + "Class", "classes", "Classes"),
    (OWL + "ObjectProperty", "object-properties", "Object properties"),
    (OWL + "DatatypeProperty", "data-properties", "Data properties"),
    (OWL + "AnnotationProperty", "annotation-properties", "Annotation properties"),
    (OWL + "NamedIndividual", "individuals", "Individuals"),
)
# OWL's own types, shown as words.
TYPE_NAMES = {
    OWL + "Class": "class",
    OWL + "ObjectProperty": "object property",
    OWL + "DatatypeProperty": "data property",
    OWL + "AnnotationProperty": "annotation property",
    OWL + "NamedIndividual": "named individual",
    OWL + "FunctionalProperty": "functional property",
    OWL + "InverseFunctionalProperty": "inverse functional property",
    OWL + "TransitiveProperty": "transitive property",
    OWL + "SymmetricProperty": "symmetric property",
    OWL + "AsymmetricProperty": "asymmetric property",
    OWL + "ReflexiveProperty": "reflexive property",
    OWL + "IrreflexiveProperty": "irreflexive property",
    RDFS + "Class": "class",
    RDF + "Property": "property",
}
# The statements of a term shown in rows of their own, in this order (predicate, heading);
# any other statement follows under its predicate's label or prefixed name.
ROWS = (
    (TYPE, "Type"),
    (SKOS + "definition", "Definition"),
    (RDFS + "comment", "Comment"),
    (RDFS + "domain", "Domain"),
    (RDFS + "range", "Range"),
    (RDFS + "subClassOf", "Subclass of"),
    (RDFS + "subPropertyOf", "Subproperty of"),
    (OWL + "equivalentClass", "Equivalent class"),
    (OWL + "equivalentProperty", "Equivalent property"),
    (OWL + "inverseOf", "Inverse of"),
    (OWL + "disjointWith", "Disjoint with"),
    (OWL + "propertyDisjointWith", "Disjoint with"),
)
# Relations read from the other end: (predicate, heading of the rows on the object's section).
REVERSE = (
    (RDFS + "subClassOf", "Subclasses"),
    (RDFS + "subPropertyOf", "Subproperties"),
    (OWL + "inverseOf", "Inverse of"),  # owl:inverseOf holds both ways
    (OWL + "disjointWith", "Disjoint with"),  # so do the disjointness axioms
    (OWL + "propertyDisjointWith", "Disjoint with"),
    (RDFS + "domain", "Domain of"),
    (RDFS + "range", "Range of"),
)
# The ids of the page's own parts (the layout's search box is "q"); a term whose fragment is one
# of them keeps it, and the part takes another.
PARTS = ("ontology-introduction", "ontology-contents", "ontology-diagram", *(f"terms-{key}" for _, key, _ in KINDS))
LAYOUT_IDS = ("q",)
# A local name written after a prefix (a conservative subset of Turtle's PN_LOCAL).
LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?\Z")

_TRIPLES = "SELECT ?s ?p ?o WHERE { ?s ?p ?o . FILTER (isIRI(?s) && STRSTARTS(STR(?s), %s)) }"
_REVERSE = """
SELECT ?s ?p ?o WHERE {
  VALUES ?p { %s }
  ?s ?p ?o .
  FILTER (isIRI(?o) && STRSTARTS(STR(?o), %s))
}"""
_ALL_DISJOINT = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT DISTINCT ?a ?b WHERE {
  VALUES ?kind { owl:AllDisjointClasses owl:AllDisjointProperties }
  ?axiom a ?kind ; owl:members ?list .
  ?list rdf:rest*/rdf:first ?a .
  ?list rdf:rest*/rdf:first ?b .
  FILTER (isIRI(?a) && isIRI(?b) && ?a != ?b)
}"""
_LABELS = "SELECT ?node ?label WHERE { VALUES ?node { %s } ?node <http://www.w3.org/2000/01/rdf-schema#label> ?label }"


@dataclass
class Term:
    """One aig: term: its IRI, fragment, kind and what the store says of it."""

    iri: str
    fragment: str
    kind: str  # the key of its kind in KINDS
    label: str
    statements: dict[str, list[pyoxigraph.Term]] = field(default_factory=lambda: defaultdict(list))
    reverse: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # heading -> IRIs


def ontology_page(store: pyoxigraph.Store, site: Site) -> tuple[Page, dict[str, bytes]]:
    """The page ``ontology.html`` documenting the ontology in ``store`` (the built dataset's, or
    any store holding an ontology in its default graph), and the other files it needs beside it
    (the class diagram, ``ontology-classes.svg``). The caller writes the page's alternates
    (``ontology.ttl``, ``ontology.jsonld``). The same store gives the same page and bytes."""
    subjects = _statements(store)
    labels = _labels(store, subjects)
    header = subjects.get(ONTOLOGY_IRI, {})
    terms = _terms(subjects, labels)
    _add_reverse(store, terms)
    ids = _part_ids(terms)
    writer = _Writer(terms, labels)

    title = _plain(header.get(DCTERMS + "title")) or "Ontology"
    description = _plain(header.get(DCTERMS + "description"))
    diagram = render(ontology_classes(store), "svg")

    body = [
        _introduction(header, writer, ids),
        _contents(terms, ids, writer),
        _diagram(terms, ids, writer),
        *(_kind_section(kind, heading, terms, ids, writer) for _, kind, heading in KINDS if any(t.kind == kind for t in terms.values())),
    ]
    page = Page(
        path=PATH,
        title=title,
        body="\n".join(part for part in body if part),
        iri=ONTOLOGY_IRI,
        kind="ontology",
        alternates=dict(ALTERNATES),
        data=_json_ld(header, terms),
        description=description,
    )
    return page, {DIAGRAM: diagram}


# --- reading the store -------------------------------------------------------------------------


def _statements(store: pyoxigraph.Store) -> dict[str, dict[str, list[pyoxigraph.Term]]]:
    """Every statement in the default graph about the ontology and its terms, by subject and
    predicate, each list sorted."""
    found: dict[str, dict[str, list[pyoxigraph.Term]]] = defaultdict(lambda: defaultdict(list))
    for row in store.query(_TRIPLES % _string(ONTOLOGY_IRI)):
        found[row["s"].value][row["p"].value].append(row["o"])
    for predicates in found.values():
        for values in predicates.values():
            values.sort(key=_term_key)
    return found


def _labels(store: pyoxigraph.Store, subjects: dict[str, dict[str, list[pyoxigraph.Term]]]) -> dict[str, str]:
    """The label of every IRI the statements of ``subjects`` name (and the subjects'): their
    English (or untagged) rdfs:label, the least when several."""
    iris = set(subjects)
    for predicates in subjects.values():
        iris.update(predicates)
        iris.update(v.value for values in predicates.values() for v in values if isinstance(v, pyoxigraph.NamedNode))
    found: dict[str, list[pyoxigraph.Literal]] = defaultdict(list)
    ordered = sorted(iris)
    for start in range(0, len(ordered), 200):
        values = " ".join(str(pyoxigraph.NamedNode(iri)) for iri in ordered[start:start + 200])
        for row in store.query(_LABELS % values):
            if isinstance(row["label"], pyoxigraph.Literal):
                found[row["node"].value].append(row["label"])
    return {iri: label for iri, literals in found.items() if (label := _plain(literals))}


def _terms(subjects: dict[str, dict[str, list[pyoxigraph.Term]]], labels: dict[str, str]) -> dict[str, Term]:
    """The aig: terms declared by one of :data:`KINDS`, by IRI."""
    terms: dict[str, Term] = {}
    for iri, predicates in subjects.items():
        fragment = iri.removeprefix(AIG)
        if not iri.startswith(AIG) or not fragment:
            continue
        types = {v.value for v in predicates.get(TYPE, [])}
        kind = next((key for type_, key, _ in KINDS if type_ in types), None)
        if kind is None:
            continue
        term = Term(iri, fragment, kind, labels.get(iri, fragment))
        for predicate, values in predicates.items():
            term.statements[predicate] = list(values)
        terms[iri] = term
    return terms


def _add_reverse(store: pyoxigraph.Store, terms: dict[str, Term]) -> None:
    """Record on each term the relations read from its other end (its subclasses, the
    properties whose domain it is, …) and the disjointness stated in owl:AllDisjoint… axioms."""
    headings = {p: heading for p, heading in REVERSE}
    values = " ".join(str(pyoxigraph.NamedNode(p)) for p in headings)
    for row in store.query(_REVERSE % (values, _string(AIG))):
        subject, predicate, target = row["s"], row["p"].value, row["o"].value
        if target in terms and isinstance(subject, pyoxigraph.NamedNode):
            terms[target].reverse[headings[predicate]].append(subject.value)
    for row in store.query(_ALL_DISJOINT):
        if row["a"].value in terms:
            terms[row["a"].value].reverse["Disjoint with"].append(row["b"].value)


def _part_ids(terms: dict[str, Term]) -> dict[str, str]:
    """The id of each of the page's own parts: its name in :data:`PARTS`, or, when a term's
    fragment is that name, the name followed by "-part" as often as it takes."""
    taken = {t.fragment for t in terms.values()} | set(LAYOUT_IDS)
    ids = {}
    for name in PARTS:
        chosen = name
        while chosen in taken:
            chosen += "-part"
        taken.add(chosen)
        ids[name] = chosen
    return ids


# --- writing the page --------------------------------------------------------------------------


class _Writer:
    """Writes IRIs and literals of the store as HTML: aig: terms with a section as links to
    their anchors, other IRIs as prefixed names (linked when http or https)."""

    def __init__(self, terms: dict[str, Term], labels: dict[str, str]) -> None:
        self.terms = terms
        self.labels = labels

    def label(self, iri: str) -> str:
        return self.terms[iri].label if iri in self.terms else self.labels.get(iri, "")

    def iri(self, iri: str) -> str:
        if iri in self.terms:
            term = self.terms[iri]
            return f'<a href={attr("#" + term.fragment)} title={attr(_prefixed(iri) or iri)}>{text(term.label)}</a>'
        shown = f"<code>{text(_prefixed(iri) or iri)}</code>"
        if re.match(r"https?://", iri):
            shown = f"<a href={attr(iri)}>{shown}</a>"
        label = self.labels.get(iri)
        return shown + (f" ({text(label)})" if label and iri != ONTOLOGY_IRI else "")

    def value(self, value: pyoxigraph.Term) -> str:
        if isinstance(value, pyoxigraph.NamedNode):
            return self.iri(value.value)
        if isinstance(value, pyoxigraph.Literal):
            datatype = value.datatype.value
            if value.language or datatype in (PREFIXES["xsd"] + "string", RDF + "langString"):
                return text(value.value)
            return f"{text(value.value)} <small>({text(_prefixed(datatype) or datatype)})</small>"
        return "an anonymous class or property expression"

    def iris(self, iris: list[str]) -> list[str]:
        """``iris`` written, without repeats, sorted by what is shown."""
        return [self.iri(i) for i in sorted(set(iris), key=lambda i: (self.label(i).casefold() or "\uffff", _prefixed(i) or i))]


def _introduction(header: dict[str, list[pyoxigraph.Term]], writer: _Writer, ids: dict[str, str]) -> str:
    """What the ontology says of itself: its description, comments, version, licence and prefix."""
    parts = [f'<section id={attr(ids["ontology-introduction"])}>', "<h2>About this ontology</h2>"]
    for predicate in (DCTERMS + "description", RDFS + "comment"):
        parts.extend(f"<p>{writer.value(v)}</p>" for v in _preferred(header.get(predicate, [])))
    facts = [
        (OWL + "versionInfo", "Version"),
        (OWL + "versionIRI", "Version IRI"),
        (DCTERMS + "license", "Licence"),
        (DCTERMS + "creator", "Creator"),
        (VANN + "preferredNamespacePrefix", "Preferred prefix"),
        (VANN + "preferredNamespaceUri", "Namespace"),
    ]
    rows = [(heading, [_literal_code(v, writer) if predicate.startswith(VANN) else writer.value(v) for v in header[predicate]])
            for predicate, heading in facts if header.get(predicate)]
    if rows:
        parts.append(_dl(rows))
    parts.append("</section>")
    return "\n".join(parts)


def _contents(terms: dict[str, Term], ids: dict[str, str], writer: _Writer) -> str:
    """The table of contents: the diagram, then each kind of term with its terms."""
    items = [f'<li><a href={attr("#" + ids["ontology-diagram"])}>Class diagram</a></li>']
    for _, kind, heading in KINDS:
        members = _sorted(t for t in terms.values() if t.kind == kind)
        if not members:
            continue
        inner = "\n".join(f'<li><a href={attr("#" + t.fragment)}>{text(t.label)}</a></li>' for t in members)
        items.append(f'<li><a href={attr("#" + ids["terms-" + kind])}>{text(heading)}</a> ({len(members)})\n<ul>\n{inner}\n</ul></li>')
    return (f'<nav id={attr(ids["ontology-contents"])} aria-label="Contents">\n<h2>Contents</h2>\n<ul>\n'
            + "\n".join(items) + "\n</ul>\n</nav>")


def _diagram(terms: dict[str, Term], ids: dict[str, str], writer: _Writer) -> str:
    """The class diagram as an image, its text alternative the subclass relations it draws."""
    classes = {iri for iri, t in terms.items() if t.kind == "classes"}
    supers: dict[str, set[str]] = defaultdict(set)
    for iri in classes:
        for value in terms[iri].statements.get(RDFS + "subClassOf", []):
            if value.value in classes:
                supers[value.value].add(iri)
    sentences = [f"Diagram of the {len(classes)} classes of the ontology."]
    for broad in sorted(supers, key=lambda i: (terms[i].label.casefold(), i)):
        narrow = [terms[i].label for i in sorted(supers[broad], key=lambda i: (terms[i].label.casefold(), i))]
        verb = "is a subclass" if len(narrow) == 1 else "are subclasses"
        sentence = f"{_and(narrow)} {verb} of {terms[broad].label}."
        sentences.append(sentence[:1].upper() + sentence[1:])
    if not supers:
        sentences.append("None is a subclass of another.")
    sentences.append("Arrows also join each object property's domain to its range, as listed under the properties below.")
    alt = " ".join(sentences)
    return (f'<section id={attr(ids["ontology-diagram"])}>\n<h2>Class diagram</h2>\n<figure>\n'
            f'<img src={attr(link(PATH, DIAGRAM))} alt={attr(alt)}>\n'
            "<figcaption>The ontology's classes. Dashed arrows: subclass of; solid arrows: an object property "
            "from its domain to its range.</figcaption>\n</figure>\n</section>")


def _kind_section(kind: str, heading: str, terms: dict[str, Term], ids: dict[str, str], writer: _Writer) -> str:
    members = _sorted(t for t in terms.values() if t.kind == kind)
    return "\n".join([f'<section id={attr(ids["terms-" + kind])}>', f"<h2>{text(heading)}</h2>",
                      *(_term_section(t, writer) for t in members), "</section>"])


def _term_section(term: Term, writer: _Writer) -> str:
    """The section of one term: its label, IRI, and every statement of the store about it."""
    rows: list[tuple[str, list[str]]] = [("IRI", [f"<code>{text(term.iri)}</code>"])]
    by_heading: dict[str, list[str]] = defaultdict(list)
    order: list[str] = []

    def add(heading: str, cells: list[str]) -> None:
        if heading not in by_heading:
            order.append(heading)
        by_heading[heading].extend(cell for cell in cells if cell not in by_heading[heading])

    shown = {LABEL}
    labels = term.statements.get(LABEL, [])
    if len(labels) > 1:
        add("Labels", [writer.value(v) for v in labels])
    for predicate, heading in ROWS:
        shown.add(predicate)
        values = term.statements.get(predicate, [])
        if predicate == TYPE:
            names = sorted({TYPE_NAMES[v.value] for v in values if v.value in TYPE_NAMES})
            others = [v.value for v in values if isinstance(v, pyoxigraph.NamedNode) and v.value not in TYPE_NAMES]
            if names or others:
                add(heading, [text(", ".join(names))] if names else [])
                add(heading, writer.iris(others))
            continue
        if predicate in (SKOS + "definition", RDFS + "comment"):
            if values:
                add(heading, [writer.value(v) for v in values])
            continue
        named = [v.value for v in values if isinstance(v, pyoxigraph.NamedNode)]
        if values:
            add(heading, writer.iris(named) + [writer.value(v) for v in values if not isinstance(v, pyoxigraph.NamedNode)])
    for heading in ("Subclasses", "Subproperties", "Disjoint with", "Inverse of", "Domain of", "Range of"):
        if term.reverse.get(heading):
            add(heading, writer.iris(term.reverse[heading]))
    if term.kind == "classes":
        members = [i for i, t in writer.terms.items() if any(v.value == term.iri for v in t.statements.get(TYPE, []))]
        if members:
            add("Individuals", writer.iris(members))
    others = sorted((p for p in term.statements if p not in shown), key=lambda p: (writer.label(p).casefold() or "\uffff", _prefixed(p) or p))
    for predicate in others:
        heading = writer.label(predicate) or _prefixed(predicate) or predicate
        values = term.statements[predicate]
        named = [v.value for v in values if isinstance(v, pyoxigraph.NamedNode)]
        add(heading[:1].upper() + heading[1:], writer.iris(named) + [writer.value(v) for v in values if not isinstance(v, pyoxigraph.NamedNode)])
    rows.extend((heading, by_heading[heading]) for heading in order if by_heading[heading])
    return "\n".join([
        f'<section id={attr(term.fragment)} class="term">',
        f'<h3>{text(term.label)} <code class="prefixed">{text(_prefixed(term.iri) or term.iri)}</code></h3>',
        _dl(rows),
        "</section>",
    ])


def _dl(rows: list[tuple[str, list[str]]]) -> str:
    """A description list; each row's heading is plain text, each cell already HTML."""
    lines = ["<dl>"]
    for heading, cells in rows:
        lines.append(f"<dt>{text(heading)}</dt>")
        lines.extend(f"<dd>{cell}</dd>" for cell in cells)
    lines.append("</dl>")
    return "\n".join(lines)


def _json_ld(header: dict[str, list[pyoxigraph.Term]], terms: dict[str, Term]) -> dict[str, object]:
    """The ontology as an owl:Ontology and schema:DefinedTermSet, with what the graph gives of
    its title, description, version and licence, and its terms as schema:DefinedTerm."""
    data: dict[str, object] = {
        "@context": {"schema": PREFIXES["schema"], "owl": OWL, "dcterms": DCTERMS},
        "@id": ONTOLOGY_IRI,
        "@type": ["owl:Ontology", "schema:DefinedTermSet"],
    }
    if title := _plain(header.get(DCTERMS + "title")):
        data["schema:name"] = data["dcterms:title"] = title
    if description := _plain(header.get(DCTERMS + "description")):
        data["schema:description"] = description
    if version := _plain(header.get(OWL + "versionInfo")):
        data["schema:version"] = data["owl:versionInfo"] = version
    version_iris = [v.value for v in header.get(OWL + "versionIRI", []) if isinstance(v, pyoxigraph.NamedNode)]
    if version_iris:
        data["owl:versionIRI"] = {"@id": version_iris[0]}
    licences = [{"@id": v.value} for v in header.get(DCTERMS + "license", []) if isinstance(v, pyoxigraph.NamedNode)]
    if licences:
        data["schema:license"] = licences[0] if len(licences) == 1 else licences
    defined = []
    for term in _sorted(terms.values()):
        entry: dict[str, object] = {"@id": term.iri, "@type": "schema:DefinedTerm", "schema:name": term.label, "schema:termCode": term.fragment}
        if definition := _plain(term.statements.get(SKOS + "definition")):
            entry["schema:description"] = definition
        defined.append(entry)
    if defined:
        data["schema:hasDefinedTerm"] = defined
    return data


# --- helpers -----------------------------------------------------------------------------------


def _prefixed(iri: str) -> str:
    """``iri`` as a prefixed name (``aig:Pledge``, ``wd:Q5``) with the project's prefixes, or ""
    when no prefix fits."""
    best = ""
    for prefix, namespace in sorted(PREFIXES.items()):
        local = iri[len(namespace):]
        if iri.startswith(namespace) and LOCAL.match(local) and len(namespace) > len(PREFIXES.get(best, "")):
            best = prefix
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else ""


def _string(value: str) -> str:
    """``value`` as a SPARQL string literal."""
    return str(pyoxigraph.Literal(value))


def _term_key(term: pyoxigraph.Term) -> tuple[str, str]:
    return (type(term).__name__, str(term))


def _preferred(values: list[pyoxigraph.Term] | None) -> list[pyoxigraph.Term]:
    """The literals of ``values`` in English or untagged when there are any, else all of them."""
    values = values or []
    english = [v for v in values if isinstance(v, pyoxigraph.Literal) and (v.language or "en").lower().split("-")[0] == "en"]
    return english or list(values)


def _plain(values: list[pyoxigraph.Term] | None) -> str:
    """The one text to show of ``values``: the least of the preferred literals, or ""."""
    found = sorted(v.value for v in _preferred(values) if isinstance(v, pyoxigraph.Literal))
    return found[0] if found else ""


def _literal_code(value: pyoxigraph.Term, writer: _Writer) -> str:
    if isinstance(value, pyoxigraph.Literal):
        return f"<code>{text(value.value)}</code>"
    return writer.value(value)


def _sorted(terms) -> list[Term]:
    return sorted(terms, key=lambda t: (t.label.casefold(), t.label, t.iri))


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

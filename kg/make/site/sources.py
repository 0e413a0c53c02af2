"""A page for every source of the graph (``id/<source>.html``): what the graph records of it
(title, publisher, authors, dates, language, address, notes, rights), how to cite it, every
claim taken from it, and, for a quoted source, each quoted span in reading order.

A quoted span is shown as its text quote selector gives it: a few words before (``oa:prefix``),
the exact words (``oa:exact``, in ``<mark>``) and a few words after (``oa:suffix``), with its
offsets (``oa:start``, ``oa:end``) and links to what it supports. The source's text itself is
never written: it is not the project's to republish (``aig:rights``).

Each claim has the last segment of its IRI as its anchor (``id/<source>.html#<hash>``, as the
entity pages link it), each quoted span ``quote-<segment>``; the citation is under ``#cite``.
Every value from the graph reaches the HTML through :func:`~kg.make.site.page.text` or
:func:`~kg.make.site.page.attr`; only ``http`` and ``https`` addresses become links.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph

from kg.make import cite as citing
from kg.make.site.page import Page, Site, attr, data_paths, graph_labels, link, page_path, text
from kg.namespaces import AIG, ID, SOURCE_GRAPH

_DCTERMS = "http://purl.org/dc/terms/"
_OA = "http://www.w3.org/ns/oa#"
_PAV = "http://purl.org/pav/"
_PROV = "http://www.w3.org/ns/prov#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_SCHEMA = "http://schema.org/"
_SKOS = "http://www.w3.org/2004/02/skos/core#"

_PREFIXES = """PREFIX aig: <https://w3id.org/aigov/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
_SOURCES = _PREFIXES + """SELECT ?source ?kind ?property ?value WHERE {
  VALUES ?kind { aig:QuotedSource aig:CitedSource }
  ?source a ?kind ; ?property ?value .
}"""
_CLAIMS = _PREFIXES + f"""SELECT ?graph ?claim ?property ?value WHERE {{
  GRAPH ?graph {{ ?claim a aig:Claim ; ?property ?value }}
  FILTER (STRSTARTS(STR(?graph), "{SOURCE_GRAPH}"))
}}"""
_EVIDENCE = _PREFIXES + f"""SELECT ?graph ?evidence ?locator ?exact ?prefix ?suffix ?start ?end WHERE {{
  GRAPH ?graph {{
    ?evidence a oa:SpecificResource .
    OPTIONAL {{ ?evidence aig:locator ?locator }}
    OPTIONAL {{ ?evidence oa:hasSelector ?quote . ?quote a oa:TextQuoteSelector ; oa:exact ?exact .
               OPTIONAL {{ ?quote oa:prefix ?prefix }} OPTIONAL {{ ?quote oa:suffix ?suffix }} }}
    OPTIONAL {{ ?evidence oa:hasSelector ?position . ?position a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end }}
  }}
  FILTER (STRSTARTS(STR(?graph), "{SOURCE_GRAPH}"))
}}"""
# What else a source's evidence supports: the unnamed groups it names ("analysts note that").
_NAMED = _PREFIXES + f"""SELECT ?graph ?thing ?evidence WHERE {{
  GRAPH ?graph {{ ?thing aig:evidence ?evidence . FILTER NOT EXISTS {{ ?thing a aig:Claim }} }}
  FILTER (STRSTARTS(STR(?graph), "{SOURCE_GRAPH}"))
}}"""

# The parts of a claim that are not qualifiers
_CORE = {_RDF_TYPE, AIG + "claimSubject", AIG + "claimProperty", AIG + "claimObject", AIG + "claimValue", AIG + "rank",
         AIG + "rankReason", AIG + "evidence", _PROV + "wasDerivedFrom", _SKOS + "note"}
# Names of the citation fields a source may record as not given (aig:notGiven)
_FIELDS = {_DCTERMS + "title": "title", _DCTERMS + "creator": "author", _DCTERMS + "issued": "date published",
           _DCTERMS + "publisher": "publisher"}


@dataclass
class _Evidence:
    iri: str
    locators: set[str] = field(default_factory=set)
    exact: str | None = None
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None

    @property
    def anchor(self) -> str:
        return "quote-" + _segment(self.iri)

    def order(self) -> tuple[int, int, str]:
        return (self.start if self.start is not None else -1, self.end if self.end is not None else -1, self.iri)


@dataclass
class _Claim:
    iri: str
    values: dict[str, list[pyoxigraph.NamedNode | pyoxigraph.Literal | pyoxigraph.BlankNode]] = field(default_factory=lambda: defaultdict(list))

    def one(self, prop: str) -> pyoxigraph.NamedNode | pyoxigraph.Literal | pyoxigraph.BlankNode | None:
        found = sorted(self.values.get(prop, []), key=str)
        return found[0] if found else None

    def all(self, prop: str) -> list[pyoxigraph.NamedNode | pyoxigraph.Literal | pyoxigraph.BlankNode]:
        return sorted(self.values.get(prop, []), key=str)

    @property
    def anchor(self) -> str:
        return _segment(self.iri)


def source_pages(store: pyoxigraph.Store, site: Site, labels: dict[str, str] | None = None) -> list[Page]:
    """The page of every source (``aig:QuotedSource`` and ``aig:CitedSource``), sorted by IRI;
    ``labels`` is :func:`graph_labels` of ``store``, when the caller has it already."""
    labels = graph_labels(store) if labels is None else labels
    sources: dict[str, tuple[set[str], dict[str, list[pyoxigraph.NamedNode | pyoxigraph.Literal | pyoxigraph.BlankNode]]]] = {}
    for row in store.query(_SOURCES):
        kinds, facts = sources.setdefault(row["source"].value, (set(), defaultdict(list)))
        kinds.add(row["kind"].value)
        if row["value"] not in facts[row["property"].value]:
            facts[row["property"].value].append(row["value"])
    claims: dict[str, dict[str, _Claim]] = defaultdict(dict)
    for row in store.query(_CLAIMS):
        claim = claims[row["graph"].value].setdefault(row["claim"].value, _Claim(row["claim"].value))
        claim.values[row["property"].value].append(row["value"])
    evidence: dict[str, dict[str, _Evidence]] = defaultdict(dict)
    for row in store.query(_EVIDENCE):
        found = evidence[row["graph"].value].setdefault(row["evidence"].value, _Evidence(row["evidence"].value))
        if row["locator"] is not None:
            found.locators.add(row["locator"].value)
        if row["exact"] is not None:
            found.exact = row["exact"].value
            found.prefix = row["prefix"].value if row["prefix"] is not None else ""
            found.suffix = row["suffix"].value if row["suffix"] is not None else ""
        if row["start"] is not None and row["end"] is not None:
            found.start, found.end = int(row["start"].value), int(row["end"].value)
    named: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))  # graph -> evidence -> things
    for row in store.query(_NAMED):
        named[row["graph"].value][row["evidence"].value].add(row["thing"].value)
    pages = []
    for iri in sorted(sources):
        kinds, facts = sources[iri]
        graph = SOURCE_GRAPH + _key(iri)
        pages.append(_source_page(store, site, labels, iri, min(kinds), facts, claims.get(graph, {}),
                                  evidence.get(graph, {}), named.get(graph, {})))
    return pages


def _source_page(store: pyoxigraph.Store, site: Site, labels: dict[str, str], iri: str, kind: str,
                 facts: dict[str, list], claims: dict[str, _Claim], evidence: dict[str, _Evidence],  # type: ignore[type-arg]
                 named: dict[str, set[str]]) -> Page:
    path = page_path(iri)
    cited = citing.citation(store, iri)
    kind_label = labels.get(kind, kind.rsplit("#", 1)[-1])
    quoted = kind == AIG + "QuotedSource"

    def values(prop: str) -> list[str]:
        return sorted({v.value for v in facts.get(prop, [])})

    def name(node: pyoxigraph.NamedNode | pyoxigraph.Literal | pyoxigraph.BlankNode) -> str:
        """A node as HTML: an entity linked to its page, a web address linked to itself, a
        literal or another node as text."""
        if isinstance(node, pyoxigraph.NamedNode):
            shown = labels.get(node.value) or _segment(node.value)
            if node.value.startswith(ID) and not node.value.startswith(ID + "evidence/"):
                return f"<a href={attr(link(path, page_path(node.value)))}>{text(shown)}</a>"
            if node.value.startswith(AIG):
                return f"<a href={attr(link(path, 'ontology.html#' + node.value[len(AIG):]))}>{text(shown)}</a>"
            return _web(node.value, shown)
        return text(node.value)

    def plain(node: pyoxigraph.NamedNode | pyoxigraph.Literal | pyoxigraph.BlankNode | None) -> str:
        if node is None:
            return ""
        if isinstance(node, pyoxigraph.NamedNode):
            return labels.get(node.value) or _segment(node.value)
        return node.value

    # ----- what the graph records of the source
    about: list[tuple[str, list[str]]] = []
    title = text(cited.title) + (f' <span class="ours">({text(citing.OURS)})</span>' if cited.title_is_ours else "")
    about.append(("Title", [title]))
    if cited.title_is_ours and values(_DCTERMS + "title"):
        about.append(("Its own title", [text(t) for t in values(_DCTERMS + "title")]))
    about.append(("Kind", [text(kind_label)]))
    for label, prop in (("Publisher", _DCTERMS + "publisher"), ("Authors", _DCTERMS + "creator"),
                        ("Published", _DCTERMS + "issued"), ("Retrieved", _PAV + "retrievedOn"),
                        ("Language", _DCTERMS + "language")):
        if values(prop):
            about.append((label, [text(v) for v in values(prop)]))
    if values(_SCHEMA + "url"):
        about.append(("Address", [_web(u, u) for u in values(_SCHEMA + "url")]))
    if values(AIG + "copyAt"):
        about.append(("Also published at", [_web(u, u) for u in values(AIG + "copyAt")]))
    if values(AIG + "namesOriginalSource"):
        about.append(("Names as its original source", [text(v) for v in values(AIG + "namesOriginalSource")]))
    not_given = sorted(_FIELDS.get(v, _segment(v)) for v in values(AIG + "notGiven"))
    if not_given:
        about.append(("Not given by the source", [text(", ".join(not_given))]))
    if values(_DCTERMS + "subject"):
        about.append(("Subjects", [text(v) for v in values(_DCTERMS + "subject")]))
    notes = values(_SKOS + "note") + values(_SKOS + "editorialNote")
    if notes:
        about.append(("Notes", [text(n) for n in notes]))
    if values(AIG + "rights"):
        about.append(("Rights", [text(v) for v in values(AIG + "rights")]))
    if quoted:
        kept = [f"{text(count)} characters" for count in values(AIG + "characterCount")]
        kept += [f"as {text(form)}" for form in values(_DCTERMS + "format")]
        kept += ["kept " + text(labels.get(rule, _segment(rule))) for rule in values(AIG + "normalization")]
        kept += [f"SHA-256 <code>{text(digest)}</code>" for digest in values(AIG + "sha256")]
        if kept:
            about.append(("Its text", [", ".join(kept) + ". The project keeps it to check every quote against it; "
                                       "this page shows only the quoted spans, never the text."]))
    body = ['<section id="about"><h2>About this source</h2><dl>']
    for label, shown in about:
        body.append(f"<dt>{text(label)}</dt>" + "".join(f"<dd>{s}</dd>" for s in shown))
    body.append("</dl></section>")

    # ----- how to cite it
    body.append('<section id="cite"><h2>Cite this</h2>'
                f'<p class="citation">{text(citing.text(cited))}</p>'
                f'<h3>BibTeX</h3><pre class="bibtex">{text(citing.bibtex(cited))}</pre>'
                f'<h3>CSL-JSON</h3><pre class="csl-json">{text(citing.csl_json(cited))}</pre></section>')

    # ----- its claims (anchors first: the claims link their quoted spans, the spans their claims)
    spans = sorted((e for e in evidence.values() if e.exact is not None), key=_Evidence.order)
    ids = _Ids({"about", "cite", "claims", "quotes", "q"})

    def summary(claim: _Claim) -> str:
        value = claim.one(AIG + "claimObject") or claim.one(AIG + "claimValue")
        return " ".join(p for p in (plain(claim.one(AIG + "claimSubject")), plain(claim.one(AIG + "claimProperty")), plain(value)) if p)

    def order(claim: _Claim) -> tuple:  # type: ignore[type-arg]
        value = claim.one(AIG + "claimObject") or claim.one(AIG + "claimValue")
        return (plain(claim.one(AIG + "claimSubject")), plain(claim.one(AIG + "claimProperty")), _sortable(plain(value)), claim.iri)

    ordered = sorted(claims.values(), key=order)
    anchors = {claim.iri: ids.new(claim.anchor) for claim in ordered}
    quotes = {span.iri: ids.new(span.anchor) for span in spans}
    body.append(f'<section id="claims"><h2>Claims ({len(ordered)})</h2>')
    if not ordered:
        body.append("<p>The graph records no claim from this source.</p>")
    else:
        body.append("<ol>")
    for claim in ordered:
        subject, prop = claim.one(AIG + "claimSubject"), claim.one(AIG + "claimProperty")
        head = [name(subject) if subject is not None else "",
                f'<span class="property">{name(prop) if prop.value.startswith(AIG) else text(plain(prop))}</span>' if prop is not None else ""]
        head += [name(v) for v in claim.all(AIG + "claimObject") + claim.all(AIG + "claimValue")]
        details: list[tuple[str, str]] = []
        for qualifier in sorted(p for p in claim.values if p not in _CORE):
            details.append((labels.get(qualifier, _segment(qualifier)), ", ".join(name(v) for v in claim.all(qualifier))))
        rank = ", ".join(text(plain(r)) for r in claim.all(AIG + "rank"))
        reasons = claim.all(AIG + "rankReason")
        if reasons:
            rank += " (" + "; ".join(text(r.value) for r in reasons) + ")"
        if rank:
            details.append(("rank", rank))
        for item in sorted((evidence.get(e.value) or _Evidence(e.value) for e in claim.all(AIG + "evidence")), key=_Evidence.order):
            details.append(("evidence", _evidence_html(item, quotes)))
        for note in claim.all(_SKOS + "note"):
            details.append(("note", text(note.value)))
        body.append(f'<li id={attr(anchors[claim.iri])}><p class="claim">{" ".join(h for h in head if h)}</p><dl class="claim-details">'
                    + "".join(f"<dt>{text(label)}</dt><dd>{shown}</dd>" for label, shown in details)
                    + f'</dl><p class="claim-iri"><code>{text(claim.iri)}</code></p></li>')
    if ordered:
        body.append("</ol>")
    body.append("</section>")

    # ----- its quoted spans, in reading order
    if quoted or spans:
        supports: dict[str, list[_Claim]] = defaultdict(list)
        for claim in ordered:
            for e in claim.all(AIG + "evidence"):
                supports[e.value].append(claim)
        count = values(AIG + "characterCount")
        total = f" of {text(count[0])}" if count else ""
        body.append(f'<section id="quotes"><h2>Quoted spans ({len(spans)})</h2>'
                    "<p>Each span as its selector gives it: a few words before, the exact words marked, a few words after, "
                    "and its offsets in code points.</p>")
        if spans:
            body.append("<ol>")
        for span in spans:
            context = (f'<span class="before">…{text(span.prefix)}</span>' if span.prefix else "") + f"<mark>{text(span.exact)}</mark>" \
                + (f'<span class="after">{text(span.suffix)}…</span>' if span.suffix else "")
            offsets = f"characters {span.start}–{span.end}{total}" if span.start is not None else "offsets not recorded"
            parts = [f'<p class="span">{context}</p><p class="offsets">{offsets}</p>']
            backed = supports.get(span.iri, [])
            if backed:
                parts.append("<p>Supports: " + "; ".join(f"<a href={attr('#' + anchors[c.iri])}>{text(summary(c))}</a>" for c in backed) + "</p>")
            things = sorted(named.get(span.iri, set()))
            if things:
                parts.append("<p>Names: " + ", ".join(name(pyoxigraph.NamedNode(t)) for t in things) + "</p>")
            body.append(f"<li id={attr(quotes[span.iri])}>" + "".join(parts) + "</li>")
        if spans:
            body.append("</ol>")
        body.append("</section>")

    data: dict[str, object] = {"@context": {"@vocab": _SCHEMA}, "@id": iri,
                               "@type": "CreativeWork" if quoted else "WebPage", "name": cited.title}
    if not cited.title_is_ours:
        data["headline"] = cited.title
    if cited.publisher:
        data["publisher"] = {"@type": "Organization", "name": cited.publisher}
    if cited.authors:
        data["author"] = [{"name": a} for a in cited.authors]
    if cited.issued:
        data["datePublished"] = cited.issued
    if cited.url:
        data["url"] = cited.url
    if values(_DCTERMS + "language"):
        data["inLanguage"] = values(_DCTERMS + "language")[0]
    return Page(path=path, title=cited.title, body="\n".join(body), iri=iri, kind=kind_label,
                alternates=data_paths(iri), data=data,
                description=f"{cited.title}: a {kind_label} of aigov-kg, {site.version}, with the {len(ordered)} claims taken from it.")


class _Ids:
    """The ids of one page: each new one unique (a repeated one gets ``-2``, ``-3``, …)."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = set(taken)

    def new(self, wanted: str) -> str:
        wanted = "".join(c for c in wanted if not c.isspace()) or "x"
        found, n = wanted, 1
        while found in self.taken:
            n += 1
            found = f"{wanted}-{n}"
        self.taken.add(found)
        return found


def _sortable(value: str) -> tuple[int, float, str]:
    """A value's sort key: numbers in numeric order, before words."""
    try:
        number = float(value)
    except ValueError:
        return (1, 0.0, value)
    return (0, number, value) if math.isfinite(number) else (1, 0.0, value)


def _evidence_html(evidence: _Evidence, quotes: dict[str, str]) -> str:
    """A claim's evidence: its quoted words linked to the span, or where on the page it is."""
    shown = []
    if evidence.exact is not None:
        offsets = f" (characters {evidence.start}–{evidence.end})" if evidence.start is not None else ""
        shown.append(f"<a href={attr('#' + quotes[evidence.iri])}><q>{text(evidence.exact)}</q></a>{offsets}")
    for locator in sorted(evidence.locators):
        shown.append(f'<span class="locator">{text(locator)}</span>')
    return "; ".join(shown) or f"<code>{text(evidence.iri)}</code>"


def _web(address: str, shown: str) -> str:
    """A link to a web address, or the address as text when it is not ``http`` or ``https``."""
    if address.lower().startswith(("http://", "https://")):
        return f"<a href={attr(address)}>{text(shown)}</a>"
    return text(shown)


def _key(iri: str) -> str:
    """A source's id: its IRI under ``https://w3id.org/aigov/id/``."""
    return iri[len(ID):] if iri.startswith(ID) else _segment(iri)


def _segment(iri: str) -> str:
    """The last segment of an IRI (after its last ``/`` or ``#``)."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]

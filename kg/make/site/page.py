"""The layout every page of the site shares, and the escaping every value goes through.

A page is a :class:`Page`: its path in the site (``id/european-union.html``), title, body (HTML
made with :func:`text` and :func:`attr`), its alternates (Turtle, JSON-LD written beside it) and
its embedded JSON-LD. :func:`render` wraps it in the layout: a header with the site's links and
search box, the footer with both licences and the dataset's version. Links between pages are
relative (:func:`link`), so the same files work from disk, under ``kg serve`` and behind the
w3id.org redirect; the base (``kg build --base``) appears only in the canonical link and the JSON-LD.

Every value from the graph is data: it reaches HTML through :func:`text` or :func:`attr` only,
and JSON-LD through :func:`json_ld`, which writes ``<``, ``>`` and ``&`` as JSON escapes, so no
label can close a ``<script>`` element or open one.
"""

from __future__ import annotations

import html
import json
import posixpath
from dataclasses import dataclass, field

import pyoxigraph

# The base of the graph's permanent IRIs (entities, ontology), and the site's default base.
W3ID = "https://w3id.org/aigov/"

# A page's alternates, by extension: their media type and name. The same four formats the
# server's content negotiation and the generated .htaccess redirect to.
ALTERNATES = {"ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples", "rdf": "application/rdf+xml"}
FORMAT_NAMES = {"ttl": "Turtle", "jsonld": "JSON-LD", "nt": "N-Triples", "rdf": "RDF/XML"}
RDF_FORMATS = {"ttl": pyoxigraph.RdfFormat.TURTLE, "jsonld": pyoxigraph.RdfFormat.JSON_LD,
               "nt": pyoxigraph.RdfFormat.N_TRIPLES, "rdf": pyoxigraph.RdfFormat.RDF_XML}  # pyoxigraph's, by extension
CODE_LICENCE = "Apache License 2.0"
DATA_LICENCE = "CC BY 4.0"
DATA_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


def text(value: object) -> str:
    """``value`` as HTML text (``<``, ``>``, ``&`` and quotes escaped)."""
    return html.escape(str(value), quote=True)


def attr(value: object) -> str:
    """``value`` as a double-quoted HTML attribute value, quotes included."""
    return '"' + html.escape(str(value), quote=True) + '"'


def json_ld(document: object) -> str:
    """``document`` as JSON safe inside ``<script type="application/ld+json">``: ``<``, ``>``
    and ``&`` are written as ``\\u003c``, ``\\u003e`` and ``\\u0026`` (JSON reads them back as
    the same characters), so no ``</script>`` or ``<!--`` can appear in it."""
    encoded = json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1)
    return encoded.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def link(source: str, target: str) -> str:
    """The relative URL from the page at ``source`` to the file at ``target`` (both paths in
    the site, such as ``id/a.html`` and ``ontology.html#Pledge``)."""
    target_path, hash_, fragment = target.partition("#")
    relative = posixpath.relpath(target_path, posixpath.dirname(source) or ".")
    return relative + hash_ + fragment


def page_path(iri: str) -> str:
    """The path in the site of the page of ``iri``, an entity, a source or a disagreement
    (``https://w3id.org/aigov/id/x`` is ``id/x.html``)."""
    return f"{iri[len(W3ID):]}.html"


def data_paths(iri: str) -> dict[str, str]:
    """The paths of the data written beside the page of ``iri`` (Turtle, JSON-LD, N-Triples,
    RDF/XML), by extension."""
    stem = page_path(iri)[:-len(".html")]
    return {extension: f"{stem}.{extension}" for extension in ALTERNATES}


def graph_labels(store: pyoxigraph.Store) -> dict[str, str]:
    """The label of every node of ``store`` that has one (the least, when it has several)."""
    return {row["node"].value: row["label"].value for row in store.query(_LABELS)}


_LABELS = ("SELECT ?node (MIN(?name) AS ?label) WHERE { ?node <http://www.w3.org/2000/01/rdf-schema#label> ?name } "
           "GROUP BY ?node")


@dataclass
class Site:
    """What every page needs to know of the site: the base IRI its pages stand for, the
    dataset's version and build."""

    base: str  # e.g. https://w3id.org/aigov/ (the pages of id/x are the documents of <base>id/x)
    version: str
    build: str

    def address(self, iri: str) -> str:
        """Where ``iri`` (a w3id.org IRI of the graph) is looked up on this site's base: the
        IRI itself under the default base, else the same path under the base the build was
        given (``kg build --base``)."""
        return self.base + iri[len(W3ID):] if iri.startswith(W3ID) else iri


@dataclass
class Page:
    """One page: its path in the site, title, body, alternates and embedded JSON-LD."""

    path: str
    title: str
    body: str
    iri: str | None = None  # the thing the page describes, if it has an IRI
    kind: str = ""  # shown under the title, e.g. "nation"
    alternates: dict[str, str] = field(default_factory=dict)  # extension -> path in the site
    data: dict[str, object] | None = None  # embedded JSON-LD
    description: str = ""


def render(site: Site, page: Page) -> bytes:
    """The whole HTML document of ``page``."""

    def up(target: str) -> str:
        return attr(link(page.path, target))

    head = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{text(page.title)} · aigov-kg</title>",
        f'<link rel="stylesheet" href={up("static/site.css")}>',
        f'<link rel="icon" type="image/svg+xml" href={up("static/favicon.svg")}>',  # else browsers ask /favicon.ico
    ]
    if page.description:
        head.append(f"<meta name=\"description\" content={attr(page.description)}>")
    if page.iri:
        head.append(f"<link rel=\"canonical\" href={attr(site.address(page.iri))}>")
    for extension, target in sorted(page.alternates.items()):
        head.append(f'<link rel="alternate" type="{ALTERNATES[extension]}" href={up(target)}>')
    if page.data is not None:
        head.append(f'<script type="application/ld+json">{json_ld(page.data)}</script>')
    kind = f'<p class="kind">{text(page.kind)}</p>' if page.kind else ""
    iri = f'<p class="iri"><code>{text(page.iri)}</code></p>' if page.iri else ""
    alternates = ""
    if page.alternates:
        alternates = '<p class="alternates">This page as data: ' + ", ".join(
            f'<a href={up(target)} type="{ALTERNATES[extension]}">{FORMAT_NAMES[extension]}</a>'
            for extension, target in sorted(page.alternates.items(), key=lambda item: list(ALTERNATES).index(item[0]))) + "</p>"
    document = f"""<!DOCTYPE html>
<html lang="en">
<head>
{chr(10).join(head)}
</head>
<body>
<header>
<nav><a href={up("index.html")} class="home">aigov-kg</a> <a href={up("index.html#entities")}>Entities</a> <a href={up("index.html#sources")}>Sources</a> <a href={up("queries/index.html")}>Queries</a> <a href={up("ontology.html")}>Ontology</a></nav>
<form class="search" action={up("index.html")} role="search"><label for="q">Search</label> <input id="q" name="q" type="search" placeholder="a name, a pledge, a source"></form>
</header>
<main>
<h1>{text(page.title)}</h1>
{kind}{iri}{alternates}
{page.body}
</main>
<footer>
<p>aigov-kg {text(site.version)}, build {text(site.build)}. The data is published under <a href={attr(DATA_LICENCE_URL)}>{DATA_LICENCE}</a>;
quoted spans remain their publishers'. The code that builds it is under the {CODE_LICENCE}.</p>
</footer>
</body>
</html>
"""
    return document.encode("utf-8")

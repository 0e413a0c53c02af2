"""Build the static site (``dist/site/``) from the published files: a store is made of them as
``kg serve`` makes its own, so the site shows exactly what is published.

Every page with an IRI has its data beside it: ``id/<slug>.ttl`` and ``id/<slug>.jsonld``, the
accepted graph's statements about the thing and those that point at it. The index lists every
page by kind, and its search box filters that list in the browser (``static/search.js``: it
fetches nothing, so it works from disk). Nothing is loaded from another site.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph

from kg.make.site.page import RDF_FORMATS, W3ID, Page, Site, attr, graph_labels, link, render, text
from kg.namespaces import ID

STATIC = Path(__file__).resolve().parent / "static"
_ABOUT = """PREFIX owl: <http://www.w3.org/2002/07/owl#>
CONSTRUCT { ?thing ?p ?o . ?s ?q ?thing } WHERE {
  { ?thing ?p ?o } UNION { ?s ?q ?thing . ?s a owl:NamedIndividual }
}"""


def store_of(files: dict[str, bytes]) -> pyoxigraph.Store:
    """A store of the published ``files`` laid out as :func:`kg.use.store.open_store` lays out
    dist/ (:func:`kg.use.store.load_layout`)."""
    from kg.use.store import DATASET_FILE, GRAPH_FILES, load_layout

    return load_layout(pyoxigraph.Store(), {"input": files[DATASET_FILE]}, [{"input": files[name]} for name in GRAPH_FILES])


def build_site(files: dict[str, bytes], version: str, build: str, queries_dir: Path, base: str = W3ID) -> dict[str, bytes]:
    """Every file of the site, by its path under ``dist/site/``, from the published ``files``
    and the saved queries of ``queries_dir``; ``base`` is where the site's IRIs are looked up
    (the canonical links)."""
    from kg.make.site.dataset import dataset_page
    from kg.make.site.disagreements import disagreement_pages
    from kg.make.site.entities import entity_pages
    from kg.make.site.htaccess import htaccess
    from kg.make.site.ontology import ontology_page
    from kg.make.site.queries import query_pages
    from kg.make.site.sources import source_pages
    from kg.make.site.summits import add_sections, series, timeline

    store = store_of(files)
    site = Site(base=base, version=version, build=build)
    labels = graph_labels(store)
    pages, out = entity_pages(store, site, labels)
    sources = source_pages(store, site, labels)
    disputes = disagreement_pages(store, site, labels)
    for page in pages + sources + disputes:
        out.update(_alternates(store, page))
    ontology, pictures = ontology_page(store, site)
    out.update(pictures)
    for extension, name in (("ttl", "ontology.ttl"), ("jsonld", "ontology.jsonld"), ("nt", "ontology.nt"), ("rdf", "ontology.owl")):
        out[f"ontology.{extension}"] = files[name]
    figures, summary = _charts(store, queries_dir, pages)
    out.update(figures)
    add_sections(store, pages, labels, set(out))
    linked = {page.iri for page in pages + sources if page.iri}
    queries = query_pages(store, site, queries_dir, linked)
    dataset, described = dataset_page(files["void.ttl"], site)
    out.update(described)
    pages = [*pages, *sources, *disputes, ontology, dataset, *queries]
    pages.append(_index(site, pages, summary, timeline("index.html", series(store), labels)))
    for page in pages:
        out[page.path] = render(site, page)
    for path in sorted(STATIC.iterdir()):
        out[f"static/{path.name}"] = path.read_bytes()
    out[".htaccess"] = htaccess()  # the same content negotiation as kg serve, on any Apache
    return dict(sorted(out.items()))


def _alternates(store: pyoxigraph.Store, page: Page) -> dict[str, bytes]:
    """The page's data in each format of :data:`kg.make.site.page.ALTERNATES`: what the
    accepted graph says of its thing and what points at it, sorted, so the same build gives the
    same bytes."""
    if page.iri is None:
        return {}
    triples = sorted(store.query(_ABOUT, substitutions={pyoxigraph.Variable("thing"): pyoxigraph.NamedNode(page.iri)}), key=str)
    written = {}
    for extension, path in page.alternates.items():
        fmt = RDF_FORMATS[extension]
        prefixes = _PREFIXES if fmt in (pyoxigraph.RdfFormat.TURTLE, pyoxigraph.RdfFormat.RDF_XML) else None
        written[path] = pyoxigraph.serialize(triples, format=fmt, prefixes=prefixes)
    return written


_PREFIXES = {"aig": "https://w3id.org/aigov/ontology#", "id": ID, "owl": "http://www.w3.org/2002/07/owl#",
             "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "skos": "http://www.w3.org/2004/02/skos/core#"}


def _charts(store: pyoxigraph.Store, queries_dir: Path, pages: list[Page]) -> tuple[dict[str, bytes], str]:
    """The charts of the site (:mod:`kg.make.charts`): the parties per pledge, for the index
    (``signatories.svg``; its text alternative is returned too), and on each pledge's page its
    world map (``id/<pledge>-map.svg``) and the signatory counts its sources report
    (``id/<pledge>-counts.svg``), when they report any."""
    from kg.errors import UsageError
    from kg.make.charts import chart, describe, render
    from kg.make.maps import country_codes
    from kg.make.site.summits import insert
    from kg.project import Project

    project = Project(queries_dir.parent)
    signatories = chart(project, "signatories", store=store)
    out = {"signatories.svg": render(signatories, "svg")}
    codes = country_codes(project)
    for page in pages:
        if page.kind != "pledge" or page.iri is None:
            continue
        slug = page.iri[len(ID):]
        out[f"id/{slug}-map.svg"], section = _map(store, page, slug, codes)
        insert(page, section, before=("claims",))
        try:
            spec = chart(project, "counts", {"pledge": slug}, store=store)
        except UsageError:  # no source reports a count of it
            continue
        out[f"id/{slug}-counts.svg"] = render(spec, "svg")
        insert(page, f'<section id="counts"><h2>The counts its sources report</h2><figure class="chart">'
                     f'<img src={attr(slug + "-counts.svg")} alt={attr(describe(spec))}>'
                     "<figcaption>Each point is one source's count (larger where several report the same), by the date it is as of (else the source's "
                     "publication date); the sources disagree on what they counted and when.</figcaption></figure></section>",
               before=("claims",))
    return out, describe(signatories)


def _map(store: pyoxigraph.Store, page: Page, slug: str, codes: dict[str, str]) -> tuple[bytes, str]:
    """The pledge's world map (``id/<slug>-map.svg``) and the page's section that shows it, with
    the parties that are not nations listed beside it (:mod:`kg.make.maps`)."""
    from kg.make.charts import render
    from kg.make.maps import describe_map, parties_apart, world_map

    assert page.iri is not None
    spec = world_map(store, page.iri, codes)
    apart = parties_apart(store, page.iri)
    listed = "".join(f"<li>{text(label)} ({text(kind)}): {text(position)}</li>" for label, kind, position in apart)
    section = (f'<section id="map"><h2>Who endorsed and who declined, on the map</h2><figure class="chart">'
               f'<img src={attr(slug + "-map.svg")} alt={attr(describe_map(spec))}><figcaption>Nations by their position in the '
               "accepted graph; grey: the graph holds no position of theirs (not reported is not a refusal). Country shapes: "
               "Natural Earth, via world-atlas.</figcaption></figure>"
               + (f"<p>Not on the map (not nations):</p><ul>{listed}</ul>" if listed else "") + "</section>")
    return render(spec, "svg"), section


def _index(site: Site, pages: list[Page], chart: str, summits: str) -> Page:
    """The front page: the summit series (``summits``, a :func:`~kg.make.site.summits.timeline`),
    the parties-per-pledge chart (``chart`` is its text alternative), every page by kind, and
    the search box that filters them."""
    by_kind: dict[str, list[Page]] = {}
    sources = [page for page in pages if page.path.startswith("id/") and page.kind.endswith("source")]
    for page in pages:
        if page.path.startswith("id/") and page not in sources:
            by_kind.setdefault(page.kind or "other", []).append(page)
    body = ['<p>Every entity of the graph, with every claim its sources make about it, side by side; every source, with the '
            'words it says them in. Type in the search box to filter the list.</p>',
            '<p id="matches" class="matches" hidden></p>',
            f'<section id="summits"><h2>The summits</h2>{summits}</section>']
    body.append(f'<figure class="chart"><img src="signatories.svg" alt={attr(chart)}><figcaption>Who endorsed or declined '
                'each pledge, by kind of party (the accepted graph).</figcaption></figure>')
    body.append('<section id="entities"><h2>Entities</h2>')
    for kind in sorted(by_kind):
        body.append(f"<h3>{text(kind)}</h3><ul class=\"pages\">")
        for page in sorted(by_kind[kind], key=lambda p: (p.title.casefold(), p.path)):
            body.append(f"<li data-search={attr(page.title.casefold())}><a href={attr(link('index.html', page.path))}>{text(page.title)}</a></li>")
        body.append("</ul>")
    body.append("</section>")
    disputes = sorted((page for page in pages if page.kind == "disagreement"), key=lambda p: (p.title.casefold(), p.path))
    body.append('<section id="disagreements"><h2>Where the sources disagree</h2><ul class="pages">')
    for page in disputes:
        body.append(f"<li data-search={attr(page.title.casefold())}><a href={attr(link('index.html', page.path))}>{text(page.title)}</a></li>")
    body.append("</ul></section>")
    body.append('<section id="sources"><h2>Sources</h2><ul class="pages">')
    for page in sorted(sources, key=lambda p: (p.title.casefold(), p.path)):
        body.append(f"<li data-search={attr(page.title.casefold())}><a href={attr(link('index.html', page.path))}>{text(page.title)}</a></li>")
    body.append("</ul></section>")
    body.append('<p>Also: <a href="dataset.html">the dataset and its files</a>, <a href="ontology.html">the ontology</a>, '
                '<a href="queries/index.html">the saved queries</a>.</p>')
    body.append('<script src="static/search.js"></script>')
    return Page(path="index.html", title="aigov-kg: a knowledge graph of AI governance", body="\n".join(body),
                description="Summits, nations, blocs and pledges of AI governance: who endorsed or declined what, "
                "each claim with its source and evidence.", data={"@context": {"@vocab": "http://schema.org/"}, "@type": "Dataset",
                "@id": site.base + "dataset", "name": "aigov-kg", "version": site.version, "license": "https://creativecommons.org/licenses/by/4.0/"})

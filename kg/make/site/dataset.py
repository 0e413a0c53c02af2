"""The page of the dataset itself (``dataset.html``, the document of
``https://w3id.org/aigov/dataset``): what VoID and DCAT say of it (``void.ttl``) — its
description, version, licence, size, and every published file with its media type, size and
SHA-256 — with that description beside it in the four data formats.
"""

from __future__ import annotations

import pyoxigraph

from kg.make.site.page import RDF_FORMATS, Page, Site, attr, text
from kg.namespaces import DATASET

PATH = "dataset.html"
ALTERNATES = {extension: f"dataset.{extension}" for extension in RDF_FORMATS}
_ABOUT = """PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX void: <http://rdfs.org/ns/void#>
SELECT ?dataset ?description ?version ?license ?triples WHERE { ?dataset dcterms:description ?description ; owl:versionInfo ?version ;
  dcterms:license ?license ; void:triples ?triples }"""
_FILES = """PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX spdx: <http://spdx.org/rdf/terms#>
SELECT ?dataset ?name ?url ?media ?bytes ?sha256 WHERE { ?dataset dcat:distribution ?file . ?file dcterms:title ?name ; dcat:downloadURL ?url ;
  dcat:mediaType ?media ; dcat:byteSize ?bytes ; spdx:checksum [ spdx:checksumValue ?sha256 ] } ORDER BY ?name"""


def dataset_page(void: bytes, site: Site) -> tuple[Page, dict[str, bytes]]:
    """The dataset's page, and its data files (``void``, the build's ``void.ttl``, in four formats)."""
    store = pyoxigraph.Store()
    store.load(void, format=pyoxigraph.RdfFormat.TURTLE)
    bound = {pyoxigraph.Variable("dataset"): pyoxigraph.NamedNode(DATASET)}
    about = next(iter(store.query(_ABOUT, substitutions=bound)), None)
    body = []
    if about is not None:
        body.append(f"<p>{text(about['description'].value)}</p><dl><dt>Version</dt><dd>{text(about['version'].value)}</dd>"
                    f"<dt>Licence</dt><dd><a href={attr(about['license'].value)}>{text(about['license'].value)}</a></dd>"
                    f"<dt>Statements (accepted graph)</dt><dd>{int(about['triples'].value):,}</dd></dl>")
    body.append('<section id="files"><h2>The published files</h2><p>Each with its size and SHA-256, as <code>SHA256SUMS</code> '
                "lists them; <code>kg serve</code> offers them under <code>/dist/</code>.</p><table><thead><tr><th>File</th>"
                "<th>Media type</th><th>Bytes</th><th>SHA-256</th></tr></thead><tbody>")
    for row in store.query(_FILES, substitutions=bound):
        media = row["media"].value.rsplit("/media-types/", 1)[-1]
        body.append(f"<tr><td><a href={attr(row['url'].value)}>{text(row['name'].value)}</a></td><td>{text(media)}</td>"
                    f"<td>{int(row['bytes'].value):,}</td><td><code>{text(row['sha256'].value)}</code></td></tr>")
    body.append("</tbody></table></section>")
    triples = sorted((quad.triple for quad in store), key=str)
    files = {path: void if extension == "ttl" else pyoxigraph.serialize(triples, format=RDF_FORMATS[extension])
             for extension, path in ALTERNATES.items()}
    page = Page(path=PATH, title="The dataset", body="\n".join(body), iri=DATASET, kind="dataset", alternates=dict(ALTERNATES),
                data={"@context": {"@vocab": "http://schema.org/"}, "@type": "Dataset", "@id": DATASET, "name": "aigov-kg",
                      "version": site.version, "license": about["license"].value if about is not None else None},
                description="aigov-kg, the dataset: its description (VoID, DCAT) and every published file with its checksum.")
    return page, files

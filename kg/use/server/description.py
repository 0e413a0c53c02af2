"""The SPARQL 1.1 Service Description of the endpoint (``GET /sparql`` without a query): what
it speaks, the formats it answers in, and the dataset it serves, its named graphs listed."""

from __future__ import annotations

import pyoxigraph

_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
            "Turtle", "N-Triples", "JSON-LD", "RDF_XML")


def service_description(endpoint: str, named_graphs: list[str], federated: bool) -> str:
    """The description as Turtle; ``endpoint`` is the absolute URL of ``/sparql``."""
    graphs = "".join(
        f"\n        sd:namedGraph [ a sd:NamedGraph ; sd:name <{iri}> ]{' ;' if i < len(named_graphs) - 1 else ''}"
        for i, iri in enumerate(named_graphs)
    )
    formats = ", ".join(f"<http://www.w3.org/ns/formats/{name}>" for name in _FORMATS)
    feature = "\n    sd:feature sd:BasicFederatedQuery ;" if federated else ""
    return f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

<{endpoint}> a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;{feature}
    sd:resultFormat {formats} ;
    dcterms:description "Read-only. The default graph is the ontology and the accepted graph; the claims of each source and the Wikidata facts are named graphs." ;
    sd:defaultDataset [
        a sd:Dataset ;
        sd:defaultGraph [ a sd:Graph ]{' ;' if graphs else ''}{graphs}
    ] .
"""


def convert(turtle: str, media_type: str) -> bytes:
    """The Turtle ``turtle`` in the RDF format named by ``media_type``."""
    quads = pyoxigraph.parse(turtle.encode(), format=pyoxigraph.RdfFormat.TURTLE)
    return pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.from_media_type(media_type))

"""IRIs of the project's namespaces and of the standard vocabularies it may use.

Plain strings, so the query path can use them without importing rdflib.
"""

from __future__ import annotations

import re

# An entity id: the last segment of its IRI (https://w3id.org/aigov/id/<slug>).
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
# A SPARQL variable name, as written after ? (VARNAME, ASCII part).
VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

AIG = "https://w3id.org/aigov/ontology#"
ONTOLOGY_IRI = "https://w3id.org/aigov/ontology"
ID = "https://w3id.org/aigov/id/"
DATASET = "https://w3id.org/aigov/dataset"
# A claim: https://w3id.org/aigov/claim/<source>/<16 hex digits of the SHA-256 of subject, property, value>.
CLAIM = "https://w3id.org/aigov/claim/"
# A disagreement between claims: https://w3id.org/aigov/disagreement/<16 hex digits>.
DISAGREEMENT = "https://w3id.org/aigov/disagreement/"
# The named graphs of the dataset: the accepted graph, one graph per source, the Wikidata facts.
ACCEPTED_GRAPH = "https://w3id.org/aigov/graph/accepted"
SOURCE_GRAPH = "https://w3id.org/aigov/graph/source/"
WIKIDATA_GRAPH = "https://w3id.org/aigov/graph/wikidata"
WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"

# The standard vocabularies the loader may write terms of; any other namespace is refused.
STANDARD = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "dcterms": "http://purl.org/dc/terms/",
    "vann": "http://purl.org/vocab/vann/",
    "pav": "http://purl.org/pav/",
    "schema": "http://schema.org/",
}

# Prefixes written into every published serialization that supports them.
PREFIXES = {
    "aig": AIG,
    "id": ID,
    "wd": WD,
    "wdt": WDT,
    **STANDARD,
}

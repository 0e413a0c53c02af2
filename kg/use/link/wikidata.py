"""Ask a Wikidata SPARQL endpoint about items, in few requests, as Wikidata's own RDF.

The endpoint is the Wikidata Query Service by default, or any server holding data in its shape
(a mirror such as QLever's, or the test fixture). Answers are CONSTRUCTed triples in
Wikidata's vocabulary (``rdfs:label``, ``skos:altLabel``, ``schema:description``, ``wdt:``,
``owl:sameAs`` for a redirect), so what is cached is what Wikidata said, nothing derived.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, NamedTuple

import pyoxigraph

from kg import __version__
from kg.namespaces import WD, WDT

if TYPE_CHECKING:
    from kg.use.remote import Deadline

WDQS = "https://query.wikidata.org/sparql"
SCHEMA = "http://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
# Items a request asks about at most: WDQS accepts far longer VALUES blocks, but a smaller
# batch keeps each request well inside its 60 s limit.
BATCH = 50
# Languages whose labels count as names: English, and "mul", the default label for all languages.
LANGUAGES = ("en", "mul")

PREFIXES = f"""PREFIX wd: <{WD}>
PREFIX wdt: <{WDT}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <{SKOS}>
PREFIX schema: <{SCHEMA}>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""


class Endpoint(NamedTuple):
    """A Wikidata SPARQL endpoint: its URL, how long each request may take (seconds) or the
    :class:`~kg.use.remote.Deadline` of the whole command, and the contact (an e-mail or URL)
    to name in the User-Agent, as Wikimedia's policy asks."""

    url: str = WDQS
    timeout: float | Deadline = 60.0
    contact: str = ""

    @property
    def user_agent(self) -> str:
        """``aigov-kg/VERSION (project URL; contact) Python-urllib/3.N``, Wikimedia's pattern."""
        contact = f"; {self.contact}" if self.contact else ""
        return f"aigov-kg/{__version__} (https://w3id.org/aigov{contact}) Python-urllib/{sys.version_info[0]}.{sys.version_info[1]}"


def qid_of(iri: str) -> str:
    """``Q148`` from ``http://www.wikidata.org/entity/Q148``."""
    return iri.removeprefix(WD)


def batches(items: Iterable[str], size: int | None = None) -> Iterator[list[str]]:
    """``items`` in sorted lists of at most ``size`` (default :data:`BATCH`), so requests are the
    same run to run."""
    size = size or BATCH
    ordered = sorted(set(items), key=lambda q: (len(q), q))
    for start in range(0, len(ordered), size):
        yield ordered[start:start + size]


def _values(qids: Iterable[str]) -> str:
    return " ".join(f"wd:{q}" for q in qids)


def item_facts_query(qids: list[str], expected: Iterable[str]) -> str:
    """CONSTRUCT what a link check or a suggestion needs about ``qids``: labels and aliases (en,
    mul), English description, instance of with the classes' labels, a redirect, country (P17),
    country of citizenship (P27), positions held (P39) with their country, and the subclass-of
    (P279) steps from the items' classes up to any of the ``expected`` classes."""
    languages = ", ".join(f'"{lang}"' for lang in LANGUAGES)
    expected = sorted(set(expected))
    type_path = (
        f"\n  UNION {{ VALUES ?expected {{ {_values(expected)} }}"
        " ?item wdt:P31/wdt:P279* ?sub . ?sub wdt:P279 ?super . ?super wdt:P279* ?expected }"
        if expected
        else ""
    )
    return f"""{PREFIXES}CONSTRUCT {{
  ?item rdfs:label ?label ; skos:altLabel ?alias ; schema:description ?description ; owl:sameAs ?target ;
    wdt:P31 ?class ; wdt:P17 ?country ; wdt:P27 ?citizenship ; wdt:P39 ?position .
  ?class rdfs:label ?classLabel .
  ?position wdt:P17 ?positionCountry .
  ?sub wdt:P279 ?super .
}} WHERE {{
  VALUES ?item {{ {_values(qids)} }}
  {{ ?item rdfs:label ?label FILTER (LANG(?label) IN ({languages})) }}
  UNION {{ ?item skos:altLabel ?alias FILTER (LANG(?alias) IN ({languages})) }}
  UNION {{ ?item schema:description ?description FILTER (LANG(?description) = "en") }}
  UNION {{ ?item owl:sameAs ?target }}
  UNION {{ ?item wdt:P31 ?class OPTIONAL {{ ?class rdfs:label ?classLabel FILTER (LANG(?classLabel) = "en") }} }}
  UNION {{ ?item wdt:P17 ?country }}
  UNION {{ ?item wdt:P27 ?citizenship }}
  UNION {{ ?item wdt:P39 ?position OPTIONAL {{ ?position wdt:P17 ?positionCountry }} }}{type_path}
}}"""


def name_match_query(names: list[pyoxigraph.Literal]) -> str:
    """SELECT the items whose label or alias is exactly one of ``names`` (language-tagged
    literals), the way WDQS can answer fast (an indexed object, no string functions)."""
    values = " ".join(str(name) for name in names)
    return f"""{PREFIXES}SELECT DISTINCT ?name ?item WHERE {{
  VALUES ?name {{ {values} }}
  ?item rdfs:label|skos:altLabel ?name .
  FILTER (STRSTARTS(STR(?item), "{WD}Q"))
}}"""


def construct(endpoint: Endpoint, query: str) -> list[pyoxigraph.Triple]:
    """The triples ``query`` (a CONSTRUCT) gets from ``endpoint``."""
    from kg.use.query import QueryText
    from kg.use.remote import execute_remote

    result = execute_remote(endpoint.url, QueryText(query, "<wikidata>"), timeout=endpoint.timeout, agent=endpoint.user_agent)
    return list(result.triples or ())


def select(endpoint: Endpoint, query: str) -> list[dict[str, pyoxigraph.NamedNode | pyoxigraph.Literal]]:
    """The rows ``query`` (a SELECT) gets from ``endpoint``, as variable name -> term."""
    from kg.use.query import QueryText
    from kg.use.remote import execute_remote

    result = execute_remote(endpoint.url, QueryText(query, "<wikidata>"), timeout=endpoint.timeout, agent=endpoint.user_agent)
    return [{name: term for name, term in zip(result.variables, row) if term is not None} for row in result.rows]


def fetch_items(endpoint: Endpoint, qids: Iterable[str], expected: Iterable[str] = ()) -> list[pyoxigraph.Triple]:
    """:func:`item_facts_query` for all ``qids``, :data:`BATCH` at a time."""
    expected = tuple(expected)
    triples: list[pyoxigraph.Triple] = []
    for batch in batches(qids):
        triples += construct(endpoint, item_facts_query(batch, expected))
    return triples

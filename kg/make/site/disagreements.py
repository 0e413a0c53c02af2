"""A page for every disagreement between sources (``disagreement/<key>.html``, the document of
``https://w3id.org/aigov/disagreement/<key>``): what it is about, how it is settled and why,
and every claim in it side by side, each value with its qualifiers and its source (linked to
the claim on the source's page). None of the values is shown as settled unless the accepted
graph holds it.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph

from kg.make.site.page import Page, Site, attr, data_paths, link, page_path, text
from kg.namespaces import DISAGREEMENT

_DISAGREEMENTS = """PREFIX aig: <https://w3id.org/aigov/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?disagreement ?label ?comment ?settlement ?subject ?property WHERE {
  ?disagreement a aig:Disagreement .
  OPTIONAL { ?disagreement rdfs:label ?label }
  OPTIONAL { ?disagreement rdfs:comment ?comment }
  OPTIONAL { ?disagreement aig:settlement ?settlement }
  OPTIONAL { ?disagreement aig:contestedSubject ?subject }
  OPTIONAL { ?disagreement aig:contestedProperty ?property }
}"""
# (a substituted variable must be in the projection: pyoxigraph refuses it otherwise)
_CLAIMS = """PREFIX aig: <https://w3id.org/aigov/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?disagreement ?claim ?value ?source ?qualifier ?qualifierValue ?accepted WHERE {
  ?disagreement aig:involvesClaim ?claim .
  GRAPH ?graph {
    ?claim prov:wasDerivedFrom ?source ; aig:claimSubject ?subject ; aig:claimProperty ?property .
    OPTIONAL { ?claim aig:claimObject ?object }
    OPTIONAL { ?claim aig:claimValue ?literal }
    OPTIONAL { ?claim ?qualifier ?qualifierValue . FILTER (?qualifier IN (aig:asOf, aig:soFar, aig:counted, aig:bound, aig:statedBy)) }
  }
  BIND (COALESCE(?object, ?literal) AS ?value)
  BIND (EXISTS { ?subject ?property ?value } AS ?accepted)
}"""


def disagreement_pages(store: pyoxigraph.Store, site: Site, labels: dict[str, str]) -> list[Page]:
    """The page of every disagreement of ``store``, sorted by IRI."""
    found: dict[str, dict[str, str]] = {}
    for row in store.query(_DISAGREEMENTS):
        found.setdefault(row["disagreement"].value, {
            key: row[key].value for key in ("label", "comment", "settlement", "subject", "property") if row[key] is not None})
    return [_page(store, site, labels, iri, about) for iri, about in sorted(found.items()) if iri.startswith(DISAGREEMENT)]


def _page(store: pyoxigraph.Store, site: Site, labels: dict[str, str], iri: str, about: dict[str, str]) -> Page:
    path = page_path(iri)
    title = about.get("label") or labels.get(iri, iri)
    body = ["<dl>"]
    if "subject" in about:
        body.append(f"<dt>About</dt><dd><a href={attr(link(path, page_path(about['subject'])) + '#disagreements')}>"
                    f"{text(labels.get(about['subject'], about['subject']))}</a>"
                    + (f": {text(labels.get(about['property'], about['property']))}" if "property" in about else "") + "</dd>")
    if "settlement" in about:
        body.append(f"<dt>Settled</dt><dd>{text(labels.get(about['settlement'], about['settlement']))}</dd>")
    if "comment" in about:
        body.append(f"<dt>Why</dt><dd>{text(about['comment'])}</dd>")
    body.append("</dl>")
    claims: dict[str, dict] = {}  # type: ignore[type-arg]
    qualifiers: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for row in store.query(_CLAIMS, substitutions={pyoxigraph.Variable("disagreement"): pyoxigraph.NamedNode(iri)}):
        claim = row["claim"].value
        claims[claim] = {"value": row["value"], "source": row["source"].value, "accepted": row["accepted"].value == "true"}
        if row["qualifier"] is not None:
            qualifiers[claim].add((row["qualifier"].value, row["qualifierValue"].value))
    body.append('<section id="claims"><h2>The claims, side by side</h2><table><thead><tr><th>Value</th><th>Qualifiers</th>'
                "<th>Source</th><th>Accepted</th></tr></thead><tbody>")
    for claim, seen in sorted(claims.items(), key=lambda item: (str(item[1]["value"]), labels.get(item[1]["source"], ""), item[0])):
        value = seen["value"]
        shown = labels.get(value.value, value.value) if isinstance(value, pyoxigraph.NamedNode) else str(getattr(value, "value", ""))
        said = "; ".join(f"{labels.get(q, q.rsplit('#', 1)[-1])}: {labels.get(v, v)}" for q, v in sorted(qualifiers[claim]))
        source = seen["source"]
        mark = '<span class="accepted">accepted</span>' if seen["accepted"] else "no"
        body.append(f"<tr><td>{text(shown)}</td><td>{text(said)}</td><td><a href={attr(link(path, page_path(source)) + '#' + claim.rsplit('/', 1)[1])}>"
                    f"{text(labels.get(source, source))}</a></td><td>{mark}</td></tr>")
    body.append("</tbody></table></section>")
    return Page(path=path, title=title, body="\n".join(body), iri=iri, kind="disagreement", alternates=data_paths(iri),
                data={"@context": {"@vocab": "http://schema.org/"}, "@id": iri, "@type": "Thing", "name": title},
                description=f"{title}: a disagreement between sources, in aigov-kg, with every claim in it side by side.")

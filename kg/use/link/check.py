"""``kg link check``: is each reviewed link still right? Ask Wikidata about every linked item in
a few batched requests, compare its label and type with the entity's, and record the outcome."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

import pyoxigraph

from kg.errors import KGError
from kg.use.link.cache import Cache, ItemView, Retrieval
from kg.use.link.entities import Entity, read_entities
from kg.use.link.score import LABEL_THRESHOLD, Features, features
from kg.use.link.wikidata import Endpoint, fetch_items
from kg.make.mappings import Mapping, read_mappings, update_mappings
from kg.project import Project

STATUSES = ("ok", "label-mismatch", "type-mismatch", "redirect", "missing")
METHOD = (
    "kg link check against {endpoint}: item exists, redirect, label and aliases (en, mul) against the entity's names "
    "(similarity >= {threshold}), instance of (P31, through subclass of P279) one of the entity class's Wikidata classes"
)


class LinkReport(NamedTuple):
    """The outcome of checking one link: ``status`` is one of :data:`STATUSES`; ``view`` what
    Wikidata said about the item; ``target`` what it said about the item a redirect leads to."""

    entity: Entity
    qid: str
    status: str
    view: ItemView
    features: Features | None
    target: ItemView | None
    retrieval: Retrieval
    note: str

    @property
    def score(self) -> float:
        """The features' score (of the redirect target for a redirect); 0 when the item is missing."""
        return self.features.score if self.features else 0.0

    def as_json(self) -> dict[str, object]:
        """One object of ``kg link check --format json``."""
        return {
            "entity": self.entity.id,
            "entity_label": self.entity.label,
            "entity_iri": self.entity.iri,
            "qid": self.qid,
            "status": self.status,
            "score": self.score,
            "wikidata": self.view.as_json() if self.view.exists else None,
            "redirect_target": (self.target.as_json() | {"qid": self.target.qid}) if self.target else None,
            "expected_types": sorted(self.entity.expected, key=lambda q: (len(q), q)),
            "features": self.features.as_json() if self.features else [],
            "retrieved": {"endpoint": self.retrieval.endpoint, "on": self.retrieval.when},
            "note": self.note,
        }


def now_utc() -> str:
    """The current time as an xsd:dateTime in UTC, to the second."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def evaluate(entity: Entity, qid: str, cache: Cache) -> LinkReport:
    """The status of the link ``entity`` → ``qid`` from what ``cache`` holds about the item."""
    retrieval = cache.retrieval(qid)
    if retrieval is None:
        raise KGError(
            f"no Wikidata answer about {qid} ({entity.id}) is cached",
            hint="run kg link check without --offline where Wikidata (or a mirror given with --endpoint) is reachable",
        )
    view = cache.view(qid)
    if not view.exists:
        return LinkReport(entity, qid, "missing", view, None, None, retrieval, f"{qid} does not exist in Wikidata (deleted, or never created)")
    if view.redirect:
        target = cache.view(view.redirect) if cache.retrieval(view.redirect) else None
        scored = features(entity, target, cache) if target and target.exists else None
        note = f"{qid} redirects to {view.redirect}" + (f" ({target.label})" if target and target.label else "")
        return LinkReport(entity, qid, "redirect", view, scored, target, retrieval, note + f": change the row of aigid:{entity.id} to wd:{view.redirect}")
    scored = features(entity, view, cache)
    if scored.type_match is False:
        shown = ", ".join(f"{q} ({label})" if label else q for q, label in view.types) or "nothing"
        expected = ", ".join(sorted(entity.expected))
        status, note = "type-mismatch", f"{qid} is an instance of {shown}, none of them (or their superclasses) {expected}, what aig:{entity.cls} expects"
    elif scored.name < LABEL_THRESHOLD:
        status = "label-mismatch"
        note = f"Wikidata calls {qid} {view.label!r}; the closest of its names to ours is {scored.names[1]!r} vs {scored.names[0]!r} (similarity {scored.name:.2f})"
    else:
        unchecked = "" if scored.type_match else f"; no Wikidata class is declared for aig:{entity.cls}, so the type was not checked"
        status, note = "ok", f"Wikidata's {scored.names[1]!r} matches our {scored.names[0]!r}{unchecked}"
    return LinkReport(entity, qid, status, view, scored, None, retrieval, note)


def linked_entities(project: Project, store: pyoxigraph.Store | None = None) -> tuple[list[Mapping], dict[str, Entity]]:
    """The mapping table's rows and the entities of the built graph (opened unless ``store``
    is given); a clear error when a row names an entity the build does not have."""
    from kg.use.store import open_store

    mappings = list(read_mappings(project.mappings, project.relative(project.mappings)))
    entities = read_entities(store if store is not None else open_store(project))
    for mapping in mappings:
        if mapping.entity_id not in entities:
            raise KGError(
                f"aigid:{mapping.entity_id} is not in the built graph",
                path=project.relative(project.mappings),
                line=mapping.line,
                hint="rebuild (python build.py), or fix the subject_id",
            )
    return mappings, entities


def refresh(cache: Cache, endpoint: Endpoint, qids: set[str], expected: set[str], when: str) -> None:
    """Ask ``endpoint`` about ``qids`` (and the items any of them redirect to) and record the
    answers in ``cache``."""
    cache.record(qids, fetch_items(endpoint, qids, expected), endpoint.url, when)
    targets = {cache.view(q).redirect for q in qids} - {""} - qids
    if targets:
        cache.record(targets, fetch_items(endpoint, targets, expected), endpoint.url, when)


def check_links(project: Project, endpoint: Endpoint | None, save: bool = True) -> list[LinkReport]:
    """Check every link of the mapping table: against ``endpoint`` (the answers are cached, and
    with ``save`` the cache and the table's check columns are written), or, when ``endpoint`` is
    None, against the cache alone."""
    mappings, entities = linked_entities(project)
    cache = Cache.load(project.wikidata_cache, project.relative(project.wikidata_cache))
    if endpoint is not None and mappings:
        expected = set().union(*(entities[m.entity_id].expected for m in mappings))
        refresh(cache, endpoint, {m.qid for m in mappings}, expected, now_utc())
    reports = [evaluate(entities[m.entity_id], m.qid, cache) for m in mappings]
    if endpoint is not None and save:
        cache.save(project.wikidata_cache)
        method = METHOD.format(endpoint=endpoint.url, threshold=LABEL_THRESHOLD)
        changes = {r.entity.id: {"check_status": r.status, "check_date": r.retrieval.day, "check_method": method} for r in reports}
        update_mappings(project.mappings, changes)
    return reports

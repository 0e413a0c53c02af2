"""``kg link suggest`` and ``kg link accept``: find Wikidata items for unlinked entities, score
them, and write the one a person chooses into the mapping table with their evidence.

Candidates come from exact label and alias matches (in English and the default ``mul``
language, in the spellings :func:`~kg.use.link.names.case_variants` gives, so the match is
case-insensitive while staying an indexed look-up on the endpoint). Candidates that are not an
instance of the entity class's Wikidata classes are dropped; none is ever accepted without a
type match.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import pyoxigraph

from kg import __version__
from kg.errors import KGError, excerpt
from kg.use.link.cache import Cache, ItemView
from kg.use.link.check import (
    METHOD,
    LinkReport,
    evaluate,
    linked_entities,
    now_utc,
    refresh,
)
from kg.use.link.entities import Entity
from kg.use.link.names import case_variants
from kg.use.link.score import ACCEPT_THRESHOLD, LABEL_THRESHOLD, Features, features
from kg.use.link.wikidata import (
    LANGUAGES,
    Endpoint,
    fetch_items,
    name_match_query,
    qid_of,
    select,
)
from kg.make.mappings import QID, update_mappings
from kg.project import Project
from kg.suggest import did_you_mean

# Name literals a look-up request carries at most.
NAMES_PER_REQUEST = 120


class Candidate(NamedTuple):
    """A Wikidata item proposed for an entity; ``match`` as in the Reconciliation API: a
    confident match (score at least :data:`ACCEPT_THRESHOLD`, a type match, and no other
    candidate as good)."""

    view: ItemView
    features: Features
    match: bool

    def as_json(self) -> dict[str, object]:
        """A Reconciliation API candidate: ``id``, ``name``, ``description``, ``type``, ``score``,
        ``match``, ``features``."""
        return {
            "id": self.view.qid,
            "name": self.view.label,
            "description": self.view.description,
            "type": [{"id": q, "name": label} for q, label in self.view.types],
            "score": self.features.score,
            "match": self.match,
            "features": self.features.as_json(),
        }


class Suggestion(NamedTuple):
    """The candidates for one entity, best first; ``rejected`` counts the items whose names
    matched but whose type did not."""

    entity: Entity
    candidates: list[Candidate]
    rejected: int

    def as_json(self) -> dict[str, object]:
        """One object of ``kg link suggest --format json``."""
        return {
            "entity": self.entity.id,
            "entity_label": self.entity.label,
            "class": f"aig:{self.entity.cls}",
            "expected_types": sorted(self.entity.expected, key=lambda q: (len(q), q)),
            "candidates": [c.as_json() for c in self.candidates],
            "rejected_for_type": self.rejected,
            "acceptable": bool(self.entity.expected),
        }


def _known_entity(entity_id: str, entities: dict[str, Entity]) -> Entity:
    if entity_id not in entities:
        raise KGError(f"no entity {entity_id!r} in the built graph", hint=did_you_mean(entity_id, entities) + "see kg query entities")
    return entities[entity_id]


def name_literals(entity: Entity) -> list[pyoxigraph.Literal]:
    """The language-tagged spellings of the entity's names an exact look-up tries."""
    return [
        pyoxigraph.Literal(variant, language=lang)
        for name in entity.names
        if len(name) >= 2
        for variant in case_variants(name)
        for lang in LANGUAGES
    ]


def _look_up(endpoint: Endpoint, targets: list[Entity]) -> dict[str, set[str]]:
    """Entity id -> QIDs of the items with one of its names as label or alias."""
    wanted: dict[tuple[str, str], set[str]] = {}
    for entity in targets:
        for literal in name_literals(entity):
            wanted.setdefault((literal.value, literal.language or ""), set()).add(entity.id)
    literals = [pyoxigraph.Literal(value, language=lang) for value, lang in sorted(wanted)]
    found: dict[str, set[str]] = {e.id: set() for e in targets}
    for start in range(0, len(literals), NAMES_PER_REQUEST):
        for row in select(endpoint, name_match_query(literals[start:start + NAMES_PER_REQUEST])):
            name, item = row.get("name"), row.get("item")
            if isinstance(name, pyoxigraph.Literal) and isinstance(item, pyoxigraph.NamedNode) and QID.fullmatch(qid_of(item.value)):
                for entity_id in wanted.get((name.value, name.language or ""), ()):
                    found[entity_id].add(qid_of(item.value))
    return found


def rank(entity: Entity, qids: Iterable[str], cache: Cache, limit: int) -> Suggestion:
    """The candidates among ``qids`` for ``entity``, scored from ``cache``, best first."""
    scored, rejected = [], 0
    for qid in qids:
        view = cache.view(qid)
        if not view.exists or view.redirect:
            continue
        found = features(entity, view, cache)
        if found.type_match is False:
            rejected += 1
            continue
        scored.append((view, found))
    scored.sort(key=lambda pair: (-pair[1].score, len(pair[0].qid), pair[0].qid))
    confident = [v for v, f in scored if f.type_match and f.score >= ACCEPT_THRESHOLD]
    candidates = [Candidate(v, f, len(confident) == 1 and v is confident[0]) for v, f in scored[:limit]]
    return Suggestion(entity, candidates, rejected)


def suggest(project: Project, endpoint: Endpoint, entity_ids: Iterable[str] = (), limit: int = 5, save: bool = True) -> list[Suggestion]:
    """Candidates for the given entities (default: every unlinked entity that can be linked),
    from ``endpoint``; with ``save`` what was learned goes to the cache."""
    mappings, entities = linked_entities(project)
    linked = {m.entity_id: m for m in mappings}
    targets = []
    for entity_id in entity_ids:
        entity = _known_entity(entity_id, entities)
        if entity_id in linked:
            raise KGError(
                f"{entity_id} is already linked to wd:{linked[entity_id].qid}",
                path=project.relative(project.mappings),
                line=linked[entity_id].line,
                hint="kg link check checks existing links; to relink, delete that row first",
            )
        if not entity.linkable:
            raise KGError(f"{entity_id} is an aig:{entity.cls}, which is never linked to Wikidata", hint="suggest links for named things only")
        targets.append(entity)
    if not targets:
        targets = [e for e in entities.values() if e.linkable and e.id not in linked]
    cache = Cache.load(project.wikidata_cache, project.relative(project.wikidata_cache))
    found = _look_up(endpoint, targets)
    qids = set().union(*found.values()) if found else set()
    if qids:
        expected = set().union(*(e.expected for e in targets))
        cache.record(qids, fetch_items(endpoint, qids, expected), endpoint.url, now_utc())
        if save:
            cache.save(project.wikidata_cache)
    return [rank(entity, found[entity.id], cache, limit) for entity in targets]


def accept(project: Project, entity_id: str, qid: str, evidence: str, endpoint: Endpoint | None, force: bool = False) -> LinkReport:
    """Check ``qid`` as a link for ``entity_id`` (afresh against ``endpoint``, or from the cache
    when it is None) and, when it passes, add it to the mapping table with ``evidence``.

    Refused: a malformed QID, no evidence, an entity already linked or a QID already used, a
    class with no declared Wikidata class, an item missing or redirected, any type mismatch, and
    a score under :data:`ACCEPT_THRESHOLD` unless ``force``."""
    evidence = " ".join(evidence.split())
    if not QID.fullmatch(qid):
        raise KGError(f"{excerpt(qid)} is not a Wikidata item id", hint="give Q followed by digits, e.g. Q148")
    if not evidence:
        raise KGError("no evidence given", hint="--evidence 'a URL or a sentence saying why this item is the entity'")
    mappings, entities = linked_entities(project)
    entity = _known_entity(entity_id, entities)
    table = project.relative(project.mappings)
    for mapping in mappings:
        if mapping.entity_id == entity_id:
            raise KGError(f"{entity_id} is already linked to wd:{mapping.qid}", path=table, line=mapping.line, hint="to relink, delete that row first")
        if mapping.qid == qid:
            raise KGError(f"wd:{qid} is already linked to aigid:{mapping.entity_id}", path=table, line=mapping.line, hint="two entities cannot be the same item; check which one it is")
    if not entity.linkable or not entity.expected:
        raise KGError(
            f"no Wikidata class is declared for aig:{entity.cls}, so a type match cannot be checked",
            hint="declare a verified class with aig:acceptedWikidataClass in ontology/aigov.ttl (and on data/wikidata/verified-ids.tsv) first",
        )
    cache = Cache.load(project.wikidata_cache, project.relative(project.wikidata_cache))
    if endpoint is not None:
        refresh(cache, endpoint, {qid}, set(entity.expected), now_utc())
    report = evaluate(entity, qid, cache)
    if report.status in ("missing", "redirect", "type-mismatch"):
        raise KGError(f"not accepted: {report.note}", hint="pick another candidate (kg link suggest " + entity_id + ")")
    if report.score < ACCEPT_THRESHOLD and not force:
        raise KGError(
            f"not accepted: score {report.score:.2f} is under {ACCEPT_THRESHOLD} ({report.note})",
            hint="if your evidence shows it is the same thing all the same, add --force",
        )
    is_url = evidence.startswith(("http://", "https://"))
    row = {
        "subject_id": f"aigid:{entity.id}",
        "subject_label": entity.label,
        "predicate_id": "owl:sameAs",
        "object_id": f"wd:{qid}",
        "object_label": report.view.label,
        "mapping_justification": "semapv:ManualMappingCuration",
        "confidence": f"{report.score:.3f}",
        "mapping_date": report.retrieval.day,
        "mapping_tool": f"aigov-kg {__version__} (kg link accept)",
        "see_also": evidence if is_url else "",
        "check_status": report.status,
        "check_date": report.retrieval.day,
        "check_method": METHOD.format(endpoint=report.retrieval.endpoint, threshold=LABEL_THRESHOLD),
        "comment": "" if is_url else f"evidence: {evidence}",
    }
    update_mappings(project.mappings, {}, (row,))
    if endpoint is not None:
        cache.save(project.wikidata_cache)
    return report

"""Parse and check the entity register (``data/entities.yaml``): every entity, declared once,
with its type (the project's classification), its label and the names it is looked up by."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.errors import KGError, excerpt
from kg.make.claimfile import LOCAL_NAME
from kg.namespaces import SLUG
from kg.yamlfile import Located, read_yaml

_KEYS = {"id", "type", "label", "alt_labels", "note"}


@dataclass(frozen=True)
class Entity:
    """A thing the sources' claims are about; ``note`` is the curator's, in our words."""

    id: str
    types: tuple[str, ...]
    label: str
    alt_labels: tuple[str, ...]
    note: str | None
    line: int


def read_entities(path: Path, shown_as: str) -> tuple[Entity, ...]:
    """Read and check the register at ``path``; errors name ``shown_as`` and a line."""
    doc = read_yaml(path, shown_as)
    if not isinstance(doc, Located) or set(doc) != {"entities"} or not isinstance(doc["entities"], list):
        raise KGError("the entity register must be a mapping with one key, entities: a list", path=shown_as, line=1,
                      hint="write entities: and under it one '- id: ...' item per entity")
    entities, seen = [], {}
    for item in doc["entities"]:
        if not isinstance(item, Located):
            raise KGError(f"each entity must be a mapping, got {excerpt(item)}", path=shown_as, line=doc.line_of("entities"),
                          hint="write '- id: ...' with type: and label: under it")
        entity = _entity(item, shown_as)
        if entity.id in seen:
            raise KGError(f"duplicate entity id {excerpt(entity.id)} (first on line {seen[entity.id]})", path=shown_as, line=entity.line,
                          hint="declare each entity once; merge the two entries")
        seen[entity.id] = entity.line
        entities.append(entity)
    return tuple(entities)


def _entity(item: Located, shown_as: str) -> Entity:
    unknown = sorted((k for k in item if k not in _KEYS), key=str)
    if unknown:
        raise KGError(f"unknown key {excerpt(unknown[0])} in entity", path=shown_as, line=item.line_of(str(unknown[0])),
                      hint=f"allowed keys: {', '.join(sorted(_KEYS))}; a source's words go in its claims file")
    for key in ("id", "type", "label"):
        if key not in item:
            raise KGError(f"entity is missing {key!r}", path=shown_as, line=item.line, hint="every entity needs id, type and label")

    def text(key: str, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise KGError(f"{key} must be non-empty text, got {excerpt(value)}", path=shown_as, line=item.line_of(key),
                          hint=f"quote the {key} if YAML reads it as another type")
        return value.strip()

    entity_id = item["id"]
    if not isinstance(entity_id, str) or not SLUG.fullmatch(entity_id):  # as written: "paris\n" is not paris
        raise KGError(f"id {excerpt(entity_id)} is not a valid id", path=shown_as, line=item.line_of("id"),
                      hint="ids are lowercase words joined by hyphens, e.g. african-union")
    raw_types = item["type"] if isinstance(item["type"], list) else [item["type"]]
    types = tuple(text("type", t) for t in raw_types)
    if not types:
        raise KGError("type is an empty list", path=shown_as, line=item.line_of("type"),
                      hint="give the entity its ontology class, e.g. type: Nation")
    for name in types:
        if not LOCAL_NAME.fullmatch(name):
            raise KGError(f"type {excerpt(name)} is not an ontology class name", path=shown_as, line=item.line_of("type"),
                          hint="write the local name without prefix, e.g. Nation")
    alt = item.get("alt_labels", [])
    if not isinstance(alt, list):
        raise KGError("alt_labels must be a list of names", path=shown_as, line=item.line_of("alt_labels"),
                      hint="write alt_labels: [name one, name two]")
    label = text("label", item["label"])
    alt_labels = tuple(text("alt_labels", a) for a in alt)
    if label in alt_labels or len(set(alt_labels)) != len(alt_labels):
        raise KGError("alt_labels repeat a name (or the label)", path=shown_as, line=item.line_of("alt_labels"),
                      hint="list each other name once, and not the label")
    return Entity(
        id=entity_id,
        types=types,
        label=label,
        alt_labels=alt_labels,
        note=text("note", item["note"]) if "note" in item else None,
        line=item.line,
    )

"""Parse and check one human-edited facts file (``data/facts/<source>.yaml``).

This module checks the file's own shape: required keys, well-formed ids, no duplicates.
Whether its classes, properties and entity ids exist is checked by :mod:`kg.make.loader`,
which knows the ontology and every other facts file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import KGError
from kg.namespaces import SLUG
from kg.yamlfile import Located, read_yaml

LOCAL_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")

_ENTITY_KEYS = {"id", "type", "label", "alt_labels", "quote"}
_FACT_KEYS = {"subject", "predicate", "object", "value", "quote"}


@dataclass(frozen=True)
class Quote:
    """Words a person copied from the source; ``occurrence`` (1-based) picks one of several."""

    text: str
    occurrence: int | None
    line: int


@dataclass(frozen=True)
class Entity:
    """A thing the source names, with the words that introduce it as its type."""

    id: str
    types: tuple[str, ...]
    label: str
    alt_labels: tuple[str, ...]
    quotes: tuple[Quote, ...]
    line: int


@dataclass(frozen=True)
class Fact:
    """One claim of the source: exactly one of ``object`` (an entity id) or ``value`` is set."""

    subject: str
    predicate: str
    object: str | None
    value: str | int | bool | None
    quotes: tuple[Quote, ...]
    line: int


@dataclass(frozen=True)
class FactFile:
    """The entities and facts one source states."""

    path: str
    source: str
    entities: tuple[Entity, ...]
    facts: tuple[Fact, ...]


def read_facts(path: Path, shown_as: str) -> FactFile:
    """Read and check the facts file at ``path``; errors name ``shown_as`` and a line."""
    doc = read_yaml(path, shown_as)
    if not isinstance(doc, Located):
        raise KGError(
            "a facts file must be a mapping with keys source, entities and facts",
            path=shown_as,
            line=1,
            hint="see data/facts/ for an example",
        )
    _check_keys(doc, {"source", "entities", "facts"}, {"source", "entities", "facts"}, shown_as, "file")
    source = doc["source"]
    if not isinstance(source, str) or not SLUG.match(source):
        raise KGError(
            f"source must be the id of a file in data/sources/, got {source!r}",
            path=shown_as,
            line=doc.line_of("source"),
            hint="use the file name of the source text without .txt",
        )
    entities = tuple(_entity(item, shown_as) for item in _list(doc, "entities", shown_as))
    seen: dict[str, int] = {}
    for entity in entities:
        if entity.id in seen:
            raise KGError(
                f"duplicate entity id {entity.id!r} (first on line {seen[entity.id]})",
                path=shown_as,
                line=entity.line,
                hint="give each entity one id; merge the two entries or rename one",
            )
        seen[entity.id] = entity.line
    facts = tuple(_fact(item, shown_as) for item in _list(doc, "facts", shown_as))
    return FactFile(path=shown_as, source=source, entities=entities, facts=facts)


def _list(doc: Located, key: str, shown_as: str) -> list[Located]:
    items = doc[key]
    if not isinstance(items, list) or not all(isinstance(i, Located) for i in items):
        raise KGError(
            f"{key} must be a list of mappings",
            path=shown_as,
            line=doc.line_of(key),
            hint=f"write each item of {key} as '- key: value' lines",
        )
    return items


def _check_keys(item: Located, required: set[str], allowed: set[str], shown_as: str, what: str) -> None:
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise KGError(
            f"unknown key {unknown[0]!r} in {what}",
            path=shown_as,
            line=item.line_of(unknown[0]),
            hint=f"allowed keys: {', '.join(sorted(allowed))}",
        )
    missing = sorted(required - set(item))
    if missing:
        raise KGError(
            f"{what} is missing {missing[0]!r}",
            path=shown_as,
            line=item.line,
            hint=f"every {what} needs: {', '.join(sorted(required))}",
        )


def _text(item: Located, key: str, shown_as: str) -> str:
    value = item[key]
    if not isinstance(value, str) or not value.strip():
        raise KGError(
            f"{key} must be non-empty text, got {value!r}",
            path=shown_as,
            line=item.line_of(key),
            hint=f"quote the {key} if YAML reads it as another type",
        )
    return value


def _matching(item: Located, key: str, shown_as: str, pattern: re.Pattern[str], what: str, hint: str) -> str:
    value = _text(item, key, shown_as)
    if not pattern.match(value):
        raise KGError(f"{key} {value!r} is not {what}", path=shown_as, line=item.line_of(key), hint=hint)
    return value


def _slug(item: Located, key: str, shown_as: str) -> str:
    return _matching(item, key, shown_as, SLUG, "a valid id", "ids are lowercase words joined by hyphens, e.g. african-union")


def _name(item: Located, key: str, shown_as: str) -> str:
    return _matching(item, key, shown_as, LOCAL_NAME, "an ontology term name", "write the local name without prefix, e.g. endorsed or Nation")


def _quotes(item: Located, shown_as: str) -> tuple[Quote, ...]:
    raw: Any = item["quote"]
    line = item.line_of("quote")
    entries = raw if isinstance(raw, list) else [raw]
    quotes = []
    for entry in entries:
        if isinstance(entry, str) and entry.strip():
            quotes.append(Quote(entry, None, line))
        elif isinstance(entry, Located) and set(entry) <= {"text", "occurrence"} and "text" in entry:
            occurrence = entry.get("occurrence")
            if occurrence is not None and (not isinstance(occurrence, int) or isinstance(occurrence, bool) or occurrence < 1):
                raise KGError(
                    f"occurrence must be a whole number from 1, got {occurrence!r}",
                    path=shown_as,
                    line=entry.line_of("occurrence"),
                    hint="count the quote's appearances in the source from 1",
                )
            quotes.append(Quote(_text(entry, "text", shown_as), occurrence, entry.line))
        else:
            raise KGError(
                f"a quote must be text or {{text: ..., occurrence: N}}, got {entry!r}",
                path=shown_as,
                line=line,
                hint="copy the exact words from the source text",
            )
    if not quotes:
        raise KGError("quote is empty", path=shown_as, line=line, hint="copy the exact words from the source text")
    return tuple(quotes)


def _entity(item: Located, shown_as: str) -> Entity:
    _check_keys(item, {"id", "type", "label", "quote"}, _ENTITY_KEYS, shown_as, "entity")
    raw_types = item["type"] if isinstance(item["type"], list) else [item["type"]]
    types = tuple(_name(_single(item, "type", t), "type", shown_as) for t in raw_types)
    alt = item.get("alt_labels", [])
    if not isinstance(alt, list) or not all(isinstance(a, str) and a.strip() for a in alt):
        raise KGError(
            "alt_labels must be a list of names",
            path=shown_as,
            line=item.line_of("alt_labels"),
            hint="write alt_labels: [name one, name two]",
        )
    return Entity(
        id=_slug(item, "id", shown_as),
        types=types,
        label=_text(item, "label", shown_as),
        alt_labels=tuple(alt),
        quotes=_quotes(item, shown_as),
        line=item.line,
    )


def _single(item: Located, key: str, value: Any) -> Located:
    """A one-key mapping holding ``value`` at the line of ``item[key]``, so list items are checked alike."""
    single = Located({key: value})
    single.line = item.line
    single.key_lines = {key: item.line_of(key)}
    return single


def _fact(item: Located, shown_as: str) -> Fact:
    _check_keys(item, {"subject", "predicate", "quote"}, _FACT_KEYS, shown_as, "fact")
    has_object, has_value = "object" in item, "value" in item
    if has_object == has_value:
        raise KGError(
            "a fact needs exactly one of object (an entity id) or value (a literal)",
            path=shown_as,
            line=item.line,
            hint="use object: for things the graph names, value: for numbers, years and text",
        )
    value = item.get("value")
    if has_value and not isinstance(value, (str, int, bool)):
        raise KGError(
            f"value must be text, a whole number or true/false, got {value!r}",
            path=shown_as,
            line=item.line_of("value"),
            hint="write a single literal value",
        )
    return Fact(
        subject=_slug(item, "subject", shown_as),
        predicate=_name(item, "predicate", shown_as),
        object=_slug(item, "object", shown_as) if has_object else None,
        value=value,
        quotes=_quotes(item, shown_as),
        line=item.line,
    )

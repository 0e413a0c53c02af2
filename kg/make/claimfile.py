"""Parse and check one human-edited claims file (``data/claims/<source>.yaml``): what one source
says, as claims, the names it uses for entities, and the unnamed groups it speaks of.

This module checks the file's own shape: required keys, well-formed ids and qualifiers, one
kind of evidence per entry. Whether its properties, entities and quotes exist is checked by
:mod:`kg.make.loader`, which knows the ontology, the entity register and the source.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import KGError, excerpt
from kg.namespaces import SLUG
from kg.yamlfile import Located, read_yaml

LOCAL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")

# Qualifier keys a claim may carry, and what their values are.
COUNTED = {"nations": "CountOfNations", "nations and organizations": "CountOfNationsAndOrganizations",
           "unspecified parties": "CountOfUnspecifiedParties"}
BOUNDS = {"exactly": "Exactly", "about": "About", "more than": "MoreThan", "at least": "AtLeast",
          "fewer than": "FewerThan", "at most": "AtMost"}
SO_FAR = "so far"

_CLAIM_KEYS = {"subject", "property", "object", "value", "quote", "locator",
               "counted", "bound", "as_of", "regarding", "stated_by", "start", "end", "note"}
_NAME_KEYS = {"entity", "name", "quote", "locator"}
_GROUP_KEYS = {"id", "label", "quote", "locator"}


@dataclass(frozen=True)
class Quote:
    """Words a person copied from a quoted source; ``occurrence`` (1-based) picks one of several."""

    text: str
    occurrence: int | None
    line: int


@dataclass(frozen=True)
class Evidence:
    """Where the source states an entry: ``quotes`` (a quoted source) or ``locators`` (a cited
    page, in our own words); exactly one of them is non-empty, or both are empty for a name
    whose quote defaults to the name itself."""

    quotes: tuple[Quote, ...] = ()
    locators: tuple[str, ...] = ()


@dataclass(frozen=True)
class Qualifiers:
    """What narrows a claim: ``counted`` and ``bound`` (ontology individual names) on counts,
    ``as_of`` (a date) and ``so_far``, ``regarding`` (an entity id) and ``stated_by`` (our
    words) on reported reasons, ``start``/``end`` dates, and a ``note`` in our words."""

    counted: str | None = None
    bound: str | None = None
    as_of: dt.date | None = None
    so_far: bool = False
    regarding: str | None = None
    stated_by: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    note: str | None = None


@dataclass(frozen=True)
class ClaimEntry:
    """One claim as written: exactly one of ``object`` (an entity id) or ``value`` is set."""

    subject: str
    property: str
    object: str | None
    value: str | int | bool | dt.date | None
    qualifiers: Qualifiers
    evidence: Evidence
    line: int


@dataclass(frozen=True)
class NameEntry:
    """A name the source uses for an entity."""

    entity: str
    name: str
    evidence: Evidence
    line: int


@dataclass(frozen=True)
class GroupEntry:
    """People the source speaks of without naming them; they belong to this source."""

    id: str
    label: str
    evidence: Evidence
    line: int


@dataclass(frozen=True)
class ClaimFile:
    """Everything one source says."""

    path: str
    source: str
    groups: tuple[GroupEntry, ...]
    names: tuple[NameEntry, ...]
    claims: tuple[ClaimEntry, ...]


def read_claims(path: Path, shown_as: str) -> ClaimFile:
    """Read and check the claims file at ``path``; errors name ``shown_as`` and a line."""
    doc = read_yaml(path, shown_as)
    if not isinstance(doc, Located):
        raise KGError("a claims file must be a mapping with keys source and claims (and names, groups)",
                      path=shown_as, line=1, hint="see data/claims/ for an example, or start one with kg source add")
    _check_keys(doc, {"source", "claims"}, {"source", "claims", "names", "groups"}, shown_as, "file")
    source = doc["source"]
    if not isinstance(source, str) or not SLUG.fullmatch(source):
        raise KGError(f"source must be the id of a source in data/sources/, got {excerpt(source)}", path=shown_as,
                      line=doc.line_of("source"), hint="use the file name of its metadata record without .meta.yaml")
    groups = tuple(_group(item, shown_as) for item in _list(doc, "groups", shown_as))
    seen: dict[str, int] = {}
    for group in groups:
        if group.id in seen:
            raise KGError(f"duplicate group id {excerpt(group.id)} (first on line {seen[group.id]})", path=shown_as, line=group.line,
                          hint="give each group one id")
        seen[group.id] = group.line
    names = tuple(_name_entry(item, shown_as) for item in _list(doc, "names", shown_as))
    claims = tuple(_claim(item, shown_as) for item in _list(doc, "claims", shown_as))
    return ClaimFile(path=shown_as, source=source, groups=groups, names=names, claims=claims)


def _list(doc: Located, key: str, shown_as: str) -> list[Located]:
    items = doc.get(key, [])
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(i, Located) for i in items):
        raise KGError(f"{key} must be a list of mappings", path=shown_as, line=doc.line_of(key),
                      hint=f"write each item of {key} as '- key: value' lines")
    return items


def _check_keys(item: Located, required: set[str], allowed: set[str], shown_as: str, what: str) -> None:
    unknown = sorted((k for k in item if k not in allowed), key=str)
    if unknown:
        hint = f"allowed keys: {', '.join(sorted(allowed))}"
        if unknown[0] == "predicate":
            hint = "write property: (the claim's property), not predicate:"
        raise KGError(f"unknown key {excerpt(unknown[0])} in {what}", path=shown_as, line=item.line_of(str(unknown[0])), hint=hint)
    missing = sorted(required - set(item))
    if missing:
        raise KGError(f"{what} is missing {missing[0]!r}", path=shown_as, line=item.line,
                      hint=f"every {what} needs: {', '.join(sorted(required))}")


def _text(item: Located, key: str, shown_as: str) -> str:
    value = item[key]
    if not isinstance(value, str) or not value.strip():
        raise KGError(f"{key} must be non-empty text, got {excerpt(value)}", path=shown_as, line=item.line_of(key),
                      hint=f"quote the {key} if YAML reads it as another type")
    return value


def _matching(item: Located, key: str, shown_as: str, pattern: re.Pattern[str], what: str, hint: str) -> str:
    value = _text(item, key, shown_as)
    if not pattern.fullmatch(value):
        raise KGError(f"{key} {excerpt(value)} is not {what}", path=shown_as, line=item.line_of(key), hint=hint)
    return value


def _slug(item: Located, key: str, shown_as: str) -> str:
    return _matching(item, key, shown_as, SLUG, "a valid id", "ids are lowercase words joined by hyphens, e.g. african-union")


def _date(item: Located, key: str, shown_as: str) -> dt.date:
    value = item[key]
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise KGError(f"{key} must be a date, YYYY-MM-DD, got {excerpt(value)}", path=shown_as, line=item.line_of(key),
                  hint=f"write {key}: 2025-02-11")


def _choice(item: Located, key: str, shown_as: str, choices: dict[str, str]) -> str:
    value = _text(item, key, shown_as)
    if value not in choices:
        raise KGError(f"{key} {excerpt(value)} is not one of: {', '.join(choices)}", path=shown_as, line=item.line_of(key),
                      hint=f"write {key}: {next(iter(choices))}")
    return choices[value]


def _evidence(item: Located, shown_as: str, required: bool = True) -> Evidence:
    if "quote" in item and "locator" in item:
        raise KGError("give quote: (a quoted source) or locator: (a cited page), not both", path=shown_as, line=item.line,
                      hint="a quoted source's evidence is its exact words; a cited page's is where on the page, in our words")
    if "locator" in item:
        raw = item["locator"]
        entries = raw if isinstance(raw, list) else [raw]
        if not entries or not all(isinstance(e, str) and e.strip() for e in entries):
            raise KGError(f"locator must be text or a list of texts, got {excerpt(raw)}", path=shown_as, line=item.line_of("locator"),
                          hint="say where on the page, in our words: 'headline', 'second paragraph'")
        return Evidence(locators=tuple(e.strip() for e in entries))
    if "quote" in item:
        return Evidence(quotes=_quotes(item, shown_as))
    if required:
        raise KGError("the entry gives no evidence: quote: (a quoted source) or locator: (a cited page)", path=shown_as,
                      line=item.line, hint="every claim says where its source states it")
    return Evidence()


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
                raise KGError(f"occurrence must be a whole number from 1, got {excerpt(occurrence)}", path=shown_as,
                              line=entry.line_of("occurrence"), hint="count the quote's appearances in the source from 1")
            quotes.append(Quote(_text(entry, "text", shown_as), occurrence, entry.line))
        else:
            raise KGError(f"a quote must be text or {{text: ..., occurrence: N}}, got {excerpt(entry)}", path=shown_as, line=line,
                          hint="copy the exact words from the source text")
    if not quotes:
        raise KGError("quote is empty", path=shown_as, line=line, hint="copy the exact words from the source text")
    return tuple(quotes)


def _group(item: Located, shown_as: str) -> GroupEntry:
    _check_keys(item, {"id", "label"}, _GROUP_KEYS, shown_as, "group")
    return GroupEntry(_slug(item, "id", shown_as), _text(item, "label", shown_as), _evidence(item, shown_as), item.line)


def _name_entry(item: Located, shown_as: str) -> NameEntry:
    _check_keys(item, {"entity", "name"}, _NAME_KEYS, shown_as, "name")
    return NameEntry(_slug(item, "entity", shown_as), _text(item, "name", shown_as).strip(),
                     _evidence(item, shown_as, required=False), item.line)


def _qualifiers(item: Located, shown_as: str) -> Qualifiers:
    as_of, so_far = None, False
    if "as_of" in item:
        if item["as_of"] == SO_FAR:
            so_far = True
        else:
            as_of = _date(item, "as_of", shown_as)
    return Qualifiers(
        counted=_choice(item, "counted", shown_as, COUNTED) if "counted" in item else None,
        bound=_choice(item, "bound", shown_as, BOUNDS) if "bound" in item else None,
        as_of=as_of,
        so_far=so_far,
        regarding=_slug(item, "regarding", shown_as) if "regarding" in item else None,
        stated_by=_text(item, "stated_by", shown_as).strip() if "stated_by" in item else None,
        start=_date(item, "start", shown_as) if "start" in item else None,
        end=_date(item, "end", shown_as) if "end" in item else None,
        note=_text(item, "note", shown_as).strip() if "note" in item else None,
    )


def _claim(item: Located, shown_as: str) -> ClaimEntry:
    _check_keys(item, {"subject", "property"}, _CLAIM_KEYS, shown_as, "claim")
    has_object, has_value = "object" in item, "value" in item
    if has_object == has_value:
        raise KGError("a claim needs exactly one of object (an entity id) or value (a literal)", path=shown_as, line=item.line,
                      hint="use object: for things the graph names, value: for numbers, dates and text")
    value = item.get("value")
    if has_value and (not isinstance(value, (str, int, bool, dt.date)) or isinstance(value, dt.datetime)):
        raise KGError(f"value must be text, a whole number, a date or true/false, got {excerpt(value)}", path=shown_as,
                      line=item.line_of("value"), hint="write a single literal value")
    if isinstance(value, str) and not value.strip():
        raise KGError("value is empty", path=shown_as, line=item.line_of("value"), hint="write the value in our words")
    return ClaimEntry(
        subject=_slug(item, "subject", shown_as),
        property=_matching(item, "property", shown_as, LOCAL_NAME, "an ontology term name",
                           "write the local name without prefix, e.g. endorsed"),
        object=_slug(item, "object", shown_as) if has_object else None,
        value=value,
        qualifiers=_qualifiers(item, shown_as),
        evidence=_evidence(item, shown_as),
        line=item.line,
    )

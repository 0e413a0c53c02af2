"""Parse the curators' recorded decisions (``data/decisions.yaml``): which claims to prefer or
deprecate where sources disagree, each with its reason, as Wikidata ranks its statements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KGError, excerpt
from kg.make.claimfile import LOCAL_NAME
from kg.namespaces import SLUG
from kg.yamlfile import Located, read_yaml

RANKS = {"preferred": "PreferredRank", "deprecated": "DeprecatedRank"}
_KEYS = {"subject", "property", "object", "value", "source", "rank", "reason"}


@dataclass(frozen=True)
class Decision:
    """Give ``rank`` to the claims of (subject, property, object or value), of every source or of
    ``source`` only; ``reason`` says why, in the curator's words."""

    subject: str
    property: str
    object: str | None
    value: str | int | bool | dt.date | None
    source: str | None
    rank: str
    reason: str
    line: int


def read_decisions(path: Path, shown_as: str) -> tuple[Decision, ...]:
    """The decisions in ``path`` (none when the file does not exist)."""
    if not path.is_file():
        return ()
    doc = read_yaml(path, shown_as)
    if not isinstance(doc, Located) or set(doc) != {"decisions"} or not isinstance(doc["decisions"], list | None):
        raise KGError("the decisions file must be a mapping with one key, decisions: a list", path=shown_as, line=1,
                      hint="write decisions: and under it one '- subject: ...' item per decision")
    return tuple(_decision(item, shown_as) for item in doc["decisions"] or [])


def _decision(item: object, shown_as: str) -> Decision:
    if not isinstance(item, Located):
        raise KGError(f"each decision must be a mapping, got {excerpt(item)}", path=shown_as, hint="write '- subject: ...'")
    unknown = sorted((k for k in item if k not in _KEYS), key=str)
    if unknown:
        raise KGError(f"unknown key {excerpt(unknown[0])} in decision", path=shown_as, line=item.line_of(str(unknown[0])),
                      hint=f"allowed keys: {', '.join(sorted(_KEYS))}")
    for key in ("subject", "property", "rank", "reason"):
        if key not in item:
            raise KGError(f"decision is missing {key!r}", path=shown_as, line=item.line,
                          hint="a decision names the claims (subject, property, object or value), a rank and a reason")
    if ("object" in item) == ("value" in item):
        raise KGError("a decision needs exactly one of object or value", path=shown_as, line=item.line,
                      hint="name the value whose claims the rank applies to")

    def text(key: str) -> str:
        value = item[key]
        if not isinstance(value, str) or not value.strip():
            raise KGError(f"{key} must be non-empty text, got {excerpt(value)}", path=shown_as, line=item.line_of(key),
                          hint=f"write {key}: ...")
        return value.strip()

    def slug(key: str) -> str:
        value = item[key]
        if not isinstance(value, str) or not SLUG.fullmatch(value):  # as written: "paris\n" is not paris
            raise KGError(f"{key} {excerpt(value)} is not a valid id", path=shown_as, line=item.line_of(key),
                          hint="ids are lowercase words joined by hyphens")
        return value

    rank = text("rank")
    if rank not in RANKS:
        raise KGError(f"rank {excerpt(rank)} is not preferred or deprecated", path=shown_as, line=item.line_of("rank"),
                      hint="preferred: this value is the one accepted; deprecated: keep these claims out of the accepted graph")
    prop = text("property")
    if not LOCAL_NAME.fullmatch(prop):
        raise KGError(f"property {excerpt(prop)} is not an ontology term name", path=shown_as, line=item.line_of("property"),
                      hint="write the local name without prefix, e.g. endorsed")
    value = item.get("value")
    if "value" in item and not isinstance(value, (str, int, bool, dt.date)):
        raise KGError(f"value must be text, a number, a date or true/false, got {excerpt(value)}", path=shown_as,
                      line=item.line_of("value"), hint="write the value exactly as the claims give it")
    return Decision(
        subject=slug("subject"),
        property=prop,
        object=slug("object") if "object" in item else None,
        value=value,
        source=slug("source") if "source" in item else None,
        rank=RANKS[rank],
        reason=text("reason"),
        line=item.line,
    )

"""The reviewed SSSOM table of links from entities to Wikidata items."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KGError

QID = re.compile(r"^Q[1-9][0-9]*$")
_COLUMNS = ("subject_id", "predicate_id", "object_id", "mapping_justification")


@dataclass(frozen=True)
class Mapping:
    """One reviewed link: entity ``entity_id`` is the same as Wikidata item ``qid``."""

    entity_id: str
    qid: str
    justification: str
    comment: str
    line: int


def read_mappings(path: Path, shown_as: str) -> tuple[Mapping, ...]:
    """Read the SSSOM TSV at ``path`` (``#`` lines are its YAML metadata) and check every row."""
    lines = path.read_text(encoding="utf-8").splitlines()
    body = [(n, text) for n, text in enumerate(lines, start=1) if not text.startswith("#") and text.strip()]
    if not body:
        raise KGError("no header row", path=shown_as, hint=f"the first non-# line names the columns: {', '.join(_COLUMNS)}")
    header_line, header = body[0]
    columns = header.split("\t")
    for column in _COLUMNS:
        if column not in columns:
            raise KGError(f"missing column {column!r}", path=shown_as, line=header_line, hint="SSSOM tables are tab-separated")
    mappings: list[Mapping] = []
    seen: dict[str, int] = {}
    for line, row in zip((n for n, _ in body[1:]), csv.DictReader((t for _, t in body), delimiter="\t")):
        subject, predicate, obj = row["subject_id"] or "", row["predicate_id"] or "", row["object_id"] or ""
        if not subject.startswith("aigid:"):
            raise KGError(f"subject_id {subject!r} is not an aigid: CURIE", path=shown_as, line=line, hint="write aigid:<entity id>")
        if predicate != "owl:sameAs":
            raise KGError(f"predicate_id {predicate!r} is not owl:sameAs", path=shown_as, line=line, hint="this table holds identity links only")
        qid = obj.removeprefix("wd:")
        if not obj.startswith("wd:") or not QID.match(qid):
            raise KGError(
                f"object_id {obj!r} is not a well-formed Wikidata item",
                path=shown_as,
                line=line,
                hint="write wd:Q followed by digits, e.g. wd:Q148, and only a QID verified in two independent sources",
            )
        entity_id = subject.removeprefix("aigid:")
        if entity_id in seen:
            raise KGError(f"{subject} is mapped twice (first on line {seen[entity_id]})", path=shown_as, line=line, hint="keep one row per entity")
        seen[entity_id] = line
        mappings.append(Mapping(entity_id, qid, row["mapping_justification"] or "", row.get("comment") or "", line))
    return tuple(mappings)

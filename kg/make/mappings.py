"""The reviewed SSSOM table of links from entities to Wikidata items: read, check, and update.

Updates (``kg link check``, ``kg link accept``) rewrite only the rows they concern, keep the
``#`` metadata and the column order, and replace the file whole (written beside it, then
renamed), so a failure never leaves half a table.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KGError, excerpt
from kg.files import replace_file

# \Z, not $ (which also matches before a final newline), so that QID.match is a full match too.
QID = re.compile(r"Q[1-9][0-9]*\Z")
_COLUMNS = ("subject_id", "predicate_id", "object_id", "mapping_justification")
# The columns a new table row is written with, in order (SSSOM slots, then this project's
# extension slots declared in the table's extension_definitions, then the comment).
COLUMNS = (
    "subject_id", "subject_label", "predicate_id", "object_id", "object_label", "mapping_justification",
    "confidence", "mapping_date", "mapping_tool", "see_also", "check_status", "check_date", "check_method", "comment",
)


@dataclass(frozen=True)
class Mapping:
    """One reviewed link: entity ``entity_id`` is the same as Wikidata item ``qid``."""

    entity_id: str
    qid: str
    justification: str
    comment: str
    line: int
    check_status: str = ""
    check_date: str = ""


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
    # QUOTE_NONE: cells are written raw (see update_mappings), so a '"' is a character, not the
    # start of a quoted cell that would swallow the rows after it
    rows = csv.DictReader((t for _, t in body), delimiter="\t", quoting=csv.QUOTE_NONE)
    for line, row in zip((n for n, _ in body[1:]), rows):
        if None in row:
            raise KGError(f"{len(columns) + len(row[None])} cells, but the header names {len(columns)}", path=shown_as, line=line,
                          hint="cells are separated by single tabs")
        subject, predicate, obj = row["subject_id"] or "", row["predicate_id"] or "", row["object_id"] or ""
        if not subject.startswith("aigid:"):
            raise KGError(f"subject_id {excerpt(subject)} is not an aigid: CURIE", path=shown_as, line=line, hint="write aigid:<entity id>")
        if predicate != "owl:sameAs":
            raise KGError(f"predicate_id {excerpt(predicate)} is not owl:sameAs", path=shown_as, line=line, hint="this table holds identity links only")
        qid = obj.removeprefix("wd:")
        if not obj.startswith("wd:") or not QID.fullmatch(qid):
            raise KGError(
                f"object_id {excerpt(obj)} is not a well-formed Wikidata item",
                path=shown_as,
                line=line,
                hint="write wd:Q followed by digits, e.g. wd:Q148, and only a QID verified in two independent sources",
            )
        entity_id = subject.removeprefix("aigid:")
        if entity_id in seen:
            raise KGError(f"{excerpt(subject)} is mapped twice (first on line {seen[entity_id]})", path=shown_as, line=line, hint="keep one row per entity")
        seen[entity_id] = line
        mappings.append(
            Mapping(
                entity_id, qid, row["mapping_justification"] or "", row.get("comment") or "", line,
                row.get("check_status") or "", row.get("check_date") or "",
            )
        )
    return tuple(mappings)


def _clean(value: str) -> str:
    """A cell value: tabs and line breaks would break the table's rows, so they become spaces."""
    return " ".join(str(value).split())


def update_mappings(path: Path, changes: dict[str, dict[str, str]], new_rows: tuple[dict[str, str], ...] = ()) -> None:
    """Set the given columns of the rows of the entities in ``changes`` (entity id -> column ->
    value), append ``new_rows`` (column -> value), and replace the file in one rename.

    Columns the table lacks are added to its header (empty in the other rows)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header_at = next((i for i, text in enumerate(lines) if text.strip() and not text.startswith("#")), None)
    if header_at is None:
        raise KGError("no header row", path=str(path), hint="restore the table's header line from git")
    columns = lines[header_at].split("\t")
    needed = {c for row in (*changes.values(), *new_rows) for c in row}
    for column in COLUMNS:
        if column in needed and column not in columns:
            columns.insert(columns.index("comment") if "comment" in columns else len(columns), column)
    output = lines[:header_at] + ["\t".join(columns)]
    old_columns = lines[header_at].split("\t")
    for text in lines[header_at + 1:]:
        if not text.strip() or text.startswith("#"):
            output.append(text)
            continue
        cells = text.split("\t")
        if len(cells) > len(old_columns):
            raise KGError(f"{len(cells)} cells, but the header names {len(old_columns)}", path=str(path), hint="cells are separated by single tabs")
        row = dict(zip(old_columns, cells))
        entity_id = row.get("subject_id", "").removeprefix("aigid:")
        row.update({k: _clean(v) for k, v in changes.get(entity_id, {}).items()})
        output.append("\t".join(row.get(c, "") for c in columns))
    for row in new_rows:
        output.append("\t".join(_clean(row.get(c, "")) for c in columns))
    replace_file(path, ("\n".join(output) + "\n").encode("utf-8"))

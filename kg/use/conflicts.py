"""The disagreements between sources, as ``kg conflicts`` shows them: read from the built
dataset with the saved query ``disagreements`` (so the command and the query can never say
different things), one entry per disagreement, each value with its qualifiers and its sources
side by side, and how (or whether) the accepted graph settles it."""

from __future__ import annotations

from typing import NamedTuple

import pyoxigraph

from kg.errors import printable
from kg.project import Project
from kg.use.results import plain_text

QUERY = "disagreements"
UNSETTLED = "https://w3id.org/aigov/ontology#Unsettled"


class Report(NamedTuple):
    """One source giving a value: its id (the end of its IRI), label, page and note."""

    source: str
    label: str
    url: str | None
    note: str | None


class Value(NamedTuple):
    """One value claimed in a disagreement, with its qualifiers, whether the accepted graph
    holds it, and the sources that give it."""

    property: str
    value: str
    label: str
    counted: str | None
    bound: str | None
    as_of: str | None
    so_far: bool
    rank: str
    accepted: bool
    sources: tuple[Report, ...]

    def qualifiers(self) -> str:
        """The qualifiers as one phrase: 'nations, exactly, as of 2025-02-11'."""
        parts = [p for p in (self.counted, self.bound) if p]
        if self.as_of:
            parts.append(f"as of {self.as_of}")
        if self.so_far:
            parts.append("so far")
        return ", ".join(parts)


class Conflict(NamedTuple):
    """A disagreement: what it is about, how it is settled and why, and its values."""

    iri: str
    label: str
    subject: str
    settlement: str
    explanation: str
    values: tuple[Value, ...]
    settlement_kind: str = ""

    @property
    def unsettled(self) -> bool:
        """Whether no rule or decision settles it (by the settlement's IRI, not its label)."""
        return self.settlement_kind == UNSETTLED

    def as_json(self) -> dict[str, object]:
        """The conflict as ``kg conflicts --format json`` prints it."""
        return {
            "disagreement": self.iri,
            "label": self.label,
            "subject": self.subject,
            "settlement": self.settlement,
            "explanation": self.explanation,
            "values": [
                {
                    "property": v.property, "value": v.value, "label": v.label, "counted": v.counted, "bound": v.bound,
                    "as_of": v.as_of, "so_far": v.so_far, "rank": v.rank, "accepted": v.accepted,
                    "sources": [r._asdict() for r in v.sources],
                }
                for v in self.values
            ],
        }


def conflicts(project: Project | None = None, store: pyoxigraph.Store | None = None) -> list[Conflict]:
    """Every disagreement in the built dataset of ``project`` (found from the current directory
    upward unless given), or in ``store``."""
    from kg.use.query import run

    result = run(QUERY, project=project, store=store)
    rows = [{name: (plain_text(term) if term is not None else None) for name, term in zip(result.variables, row)} for row in result.rows]
    by_conflict: dict[str, list[dict[str, str | None]]] = {}
    for row in rows:
        by_conflict.setdefault(row["disagreement"] or "", []).append(row)
    found = []
    for iri, group in by_conflict.items():
        first = group[0]
        properties = {row["property"] for row in group}
        values: dict[tuple, list[dict[str, str | None]]] = {}  # type: ignore[type-arg]
        group.sort(key=lambda row: (row["propertyLabel"] or "", _order(row["value"]), row["counted"] or "", row["bound"] or "",
                                    row["asOf"] or "", row["sourceLabel"] or ""))
        for row in group:
            key = (row["property"], row["value"], row["counted"], row["bound"], row["asOf"], row["soFar"], row["rank"], row["accepted"])
            values.setdefault(key, []).append(row)
        found.append(Conflict(
            iri=iri,
            label=first["disagreementLabel"] or iri,
            subject=first["subject"] or "",
            settlement=first["settlement"] or "",
            explanation=first["explanation"] or "",
            settlement_kind=first["settlementKind"] or "",
            values=tuple(
                Value(
                    property=rows_[0]["propertyLabel"] or "",
                    value=rows_[0]["value"] or "",
                    label=(f"{rows_[0]['propertyLabel']} " if len(properties) > 1 else "") + (rows_[0]["valueLabel"] or rows_[0]["value"] or ""),
                    counted=rows_[0]["counted"],
                    bound=rows_[0]["bound"],
                    as_of=rows_[0]["asOf"],
                    so_far=rows_[0]["soFar"] == "true",
                    rank=rows_[0]["rank"] or "",
                    accepted=rows_[0]["accepted"] == "true",
                    sources=tuple(Report(_id(r["source"]), r["sourceLabel"] or "", r["url"], r["note"]) for r in rows_),
                )
                for rows_ in values.values()
            ),
        ))
    return found


def table(found: list[Conflict]) -> str:
    """The conflicts as text for people: a block per disagreement, a line per value. Every text
    of the dataset goes through :func:`~kg.errors.printable`, so a label cannot act on the terminal."""
    from kg.use.formats import columns

    blocks = []
    for conflict in found:
        lines = [printable(f"{conflict.label} — {conflict.settlement}"), "  " + printable(conflict.explanation)]
        rows = [("value", "qualifiers", "accepted", "rank", "sources")]
        rows += [(v.label, v.qualifiers(), "yes" if v.accepted else "no", v.rank, ", ".join(r.source for r in v.sources))
                 for v in conflict.values]  # columns() escapes each cell
        lines += ["  " + line for line in columns(rows).splitlines()]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def summary(found: list[Conflict]) -> str:
    """One line: how many disagreements, by settlement."""
    counts: dict[str, int] = {}
    for conflict in found:
        counts[conflict.settlement] = counts.get(conflict.settlement, 0) + 1
    parts = ", ".join(f"{n} {printable(settlement)}" for settlement, n in sorted(counts.items()))
    return f"{len(found)} disagreement(s)" + (f": {parts}" if parts else "")


def _order(value: str | None) -> tuple[float, str]:
    """Numbers in numeric order, then other values in text order."""
    try:
        return (float(value or ""), "")
    except ValueError:
        return (float("inf"), value or "")


def _id(iri: str | None) -> str:
    return (iri or "").rsplit("/", 1)[-1]

"""Run the chosen saved query and shape its rows as answers, each with the evidence behind it."""

from __future__ import annotations

from typing import NamedTuple

import pyoxigraph

from kg.namespaces import ID
from kg.use.questions.mentions import EntityIndex
from kg.use.results import Result, Term, plain_text
from kg.use.savedquery import SavedQuery

XSD = "http://www.w3.org/2001/XMLSchema#"
_EVIDENCE = ("quote", "source")


class Evidence(NamedTuple):
    """The words of a source that state an answer."""

    quote: str
    source: str
    source_title: str


class Answer(NamedTuple):
    """One result row: ``label`` the answer as text, ``value`` its literal value (when a
    literal), ``iri`` the entity (when one), ``fields`` the row's other columns."""

    label: str
    value: str | None
    iri: str | None
    fields: dict[str, str]
    evidence: tuple[Evidence, ...]

    def as_json(self) -> dict[str, object]:
        """The answer as ``kg ask --format json`` prints it."""
        return {
            "label": self.label,
            "value": self.value,
            "iri": self.iri,
            "fields": self.fields,
            "evidence": [e._asdict() for e in self.evidence],
        }


def answer_columns(query: SavedQuery, variables: list[str], kinds: set[str]) -> list[str]:
    """The columns holding the answer, most wanted first: those the header's ``#+ answer:``
    names, else (a year for a *when* question first) every column that is not a parameter, a
    label or evidence."""
    if query.answer:
        return [c for c in query.answer if c in variables]
    params = {p.name for p in query.params}
    eligible = [
        v for v in variables
        if v not in params and v not in _EVIDENCE and not (v.endswith("Label") and v[: -len("Label")] in variables)
    ]
    if "when" in kinds:
        eligible.sort(key=lambda v: v not in ("year", "date"))
    return eligible


def _is_number(term: Term | None) -> bool:
    return isinstance(term, pyoxigraph.Literal) and term.datatype.value.startswith(XSD) and term.datatype.value[len(XSD):] in (
        "integer", "decimal", "nonNegativeInteger", "positiveInteger", "int", "long", "double", "float")


def shape(result: Result, query: SavedQuery, kinds: set[str], index: EntityIndex) -> list[Answer]:
    """One :class:`Answer` per result row."""
    variables = result.variables
    columns = answer_columns(query, variables, kinds)
    answers = []
    for row in result.rows:
        cells = dict(zip(variables, row))
        ordered = columns
        if "count" in kinds:
            ordered = sorted(columns, key=lambda c: not _is_number(cells.get(c)))
        main = next((c for c in ordered if cells.get(c) is not None), None)
        term = cells.get(main) if main else None
        if isinstance(term, pyoxigraph.NamedNode):
            label_term = cells.get(f"{main}Label")
            label = plain_text(label_term) if label_term is not None else index.labels.get(term.value.removeprefix(ID), term.value)
            value, iri = None, term.value
        else:
            label = plain_text(term)
            value, iri = (label if term is not None else None), None
        evidence = ()
        if cells.get("quote") is not None and cells.get("source") is not None:
            source = plain_text(cells["source"])
            evidence = (Evidence(plain_text(cells["quote"]), source, index.labels.get(source.removeprefix(ID), "")),)
        fields = {name: plain_text(cell) for name, cell in cells.items() if name != main and name not in _EVIDENCE and cell is not None}
        answers.append(Answer(label, value, iri, fields, evidence))
    return answers

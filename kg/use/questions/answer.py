"""Run the chosen saved query and shape its rows as answers, each with the evidence behind it."""

from __future__ import annotations

from typing import NamedTuple

import pyoxigraph

from kg.namespaces import ID
from kg.use.questions.mentions import EntityIndex
from kg.use.results import Term, plain_text
from kg.use.savedquery import SavedQuery

XSD = "http://www.w3.org/2001/XMLSchema#"
_EVIDENCE = ("quote", "locator", "url", "source")
# The columns that say where a row comes from rather than what it is about.
EVIDENCE_COLUMNS = frozenset((*_EVIDENCE, "sourceLabel", "published"))
# Columns that answer a *when* question, whatever the query's own answer columns.
_WHEN = ("year", "date", "start", "end", "adoptedOn", "asOf", "published")


class Evidence(NamedTuple):
    """Where a source states an answer: ``kind`` is ``quoted`` (``quote``: the exact words) or
    ``cited`` (``locator``: where on the page ``url``, in our words), with the source's
    ``publisher`` and ``published`` date where the graph has them."""

    kind: str
    quote: str | None
    locator: str | None
    url: str | None
    source: str
    source_title: str
    publisher: str | None = None
    published: str | None = None


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
        eligible = [c for c in query.answer if c in variables]
    else:
        params = {p.name for p in query.params}
        eligible = [
            v for v in variables
            if v not in params and v not in _EVIDENCE and not (v.endswith("Label") and v[: -len("Label")] in variables)
        ]
    if "when" in kinds:
        eligible.sort(key=lambda v: v not in _WHEN)
    return eligible


def differences(variables: list[str], rows: list[tuple], query: SavedQuery) -> str | None:  # type: ignore[type-arg]
    """For a query whose rows are alternative reports of one thing (its header's ``compare``):
    when the reported values differ, a sentence saying so, how many values and sources, and in
    which of the other compared columns the reports differ (what was counted, how exactly,
    when); None when they agree or the query compares nothing."""
    if not query.compare or query.compare[0] not in variables:
        return None
    index = {name: i for i, name in enumerate(variables)}
    value = query.compare[0]
    values = sorted({plain_text(row[index[value]]) for row in rows if row[index[value]] is not None},
                    key=lambda v: (len(v), v))
    if len(values) < 2:
        return None
    sources = {plain_text(row[index["source"]]) for row in rows} if "source" in index else set()
    differing = []
    for column in query.compare[1:]:
        if column in index:
            seen = sorted({plain_text(row[index[column]]) for row in rows if row[index[column]] is not None})
            if len(seen) > 1 or (seen and any(row[index[column]] is None for row in rows)):
                differing.append(f"{_words(column)} ({', '.join(seen)})")
    why = f"; they differ in {'; '.join(differing)}" if differing else ""
    count = f" from {len(sources)} sources" if sources else ""
    return f"The sources differ: {len(values)} different values ({', '.join(values)}){count}{why}. None is settled as the one answer."


def _rows_that_answer(variables: list[str], rows: list[tuple], columns: list[str], kinds: set[str]) -> list[tuple]:  # type: ignore[type-arg]
    """For a query whose rows each state one kind of fact (a place in some rows, a date in
    others, each with its own evidence): the rows whose fact the question asks for — dates for
    a *when* question, the rest for any other — when there are any; all rows otherwise, and
    for a question that asks both *where* and *when*."""
    if "when" in kinds and "where" in kinds:
        return rows
    wanted = [variables.index(c) for c in columns if (c in _WHEN) == ("when" in kinds)]
    chosen = [row for row in rows if any(row[i] is not None for i in wanted)]
    return chosen or rows


def _words(column: str) -> str:
    """'asOf' -> 'as of': a column name as words."""
    import re

    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", column).lower()


def _is_number(term: Term | None) -> bool:
    return isinstance(term, pyoxigraph.Literal) and term.datatype.value.startswith(XSD) and term.datatype.value[len(XSD):] in (
        "integer", "decimal", "nonNegativeInteger", "positiveInteger", "int", "long", "double", "float")


def shape(variables: list[str], rows: list[tuple], query: SavedQuery, kinds: set[str], index: EntityIndex) -> list[Answer]:  # type: ignore[type-arg]
    """One :class:`Answer` per distinct answer: rows that differ only in their evidence (several
    sources, or several quotes of one) are one answer with all that evidence."""
    columns = answer_columns(query, variables, kinds)
    rows = _rows_that_answer(variables, rows, columns, kinds)
    answers: list[Answer] = []
    merged: dict[tuple, int] = {}  # type: ignore[type-arg]
    for row in rows:
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
            bound = cells.get("bound")
            if _is_number(term) and bound is not None and plain_text(bound) != "exactly":
                label = f"{plain_text(bound)} {label}"  # "more than 60": a count says how exact it is
        evidence = ()
        if cells.get("source") is not None and (cells.get("quote") is not None or cells.get("locator") is not None):
            source = plain_text(cells["source"])
            title = index.labels.get(source.removeprefix(ID), "")
            if cells.get("quote") is not None:
                evidence = (Evidence("quoted", plain_text(cells["quote"]), None, None, source, title),)
            else:
                url = plain_text(cells["url"]) if cells.get("url") is not None else None
                evidence = (Evidence("cited", None, plain_text(cells["locator"]), url, source, title),)
        fields = {name: plain_text(cell) for name, cell in cells.items()
                  if name != main and name not in EVIDENCE_COLUMNS and cell is not None}
        key = (label, value, iri, tuple(sorted(fields.items())))
        if key in merged:  # the same answer from another source, or other words of the same one
            previous = answers[merged[key]]
            answers[merged[key]] = previous._replace(evidence=previous.evidence + tuple(e for e in evidence if e not in previous.evidence))
        else:
            merged[key] = len(answers)
            answers.append(Answer(label, value, iri, fields, evidence))
    return answers

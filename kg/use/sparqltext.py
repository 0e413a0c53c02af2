"""Lexical checks on SPARQL text, made before a query reaches the engine.

pyoxigraph's parser recurses once per nested group or bracket and crashes the whole process
(a stack overflow, not an exception) on a query nested a few thousand levels deep, so the
nesting is measured here first. Strings, comments and IRIs are masked so their brackets do
not count.
"""

from __future__ import annotations

import re

import pyoxigraph

from kg.errors import KGError

# Far beyond any real query (the saved ones nest at most 4 deep), far below the crash.
MAX_NESTING = 128

_MASKED = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*",
    re.DOTALL,
)


class QueryTextError(ValueError):
    """A query refused before it reaches the engine; ``line`` and ``column`` are 1-based."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def mask(text: str) -> str:
    """``text`` with strings, IRIs and comments blanked out, every other character in place."""
    return _MASKED.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def query_form(text: str) -> str | None:
    """The form of the query (``SELECT``, ``CONSTRUCT``, ``ASK``, ``DESCRIBE``), read past its
    comments, strings and IRIs; None when it has none (an update, or not SPARQL)."""
    form = re.search(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", mask(text), re.IGNORECASE)
    return form.group(1).upper() if form else None


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def check_nesting(text: str, limit: int = MAX_NESTING) -> None:
    """Refuse a query whose groups and brackets nest deeper than ``limit``."""
    depth = 0
    for index, char in enumerate(mask(text)):
        if char in "{([":
            depth += 1
            if depth > limit:
                line, column = _position(text, index)
                raise QueryTextError(
                    f"the query nests more than {limit} groups or brackets deep, which the engine cannot survive",
                    line,
                    column,
                )
        elif char in "})]":
            depth -= 1


def where_group_start(text: str) -> int:
    """The index of the ``{`` that opens the query's own WHERE group (not a sub-query's, not a
    CONSTRUCT template's); -1 when there is none (a DESCRIBE without WHERE)."""
    masked = mask(text)
    form = re.search(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", masked, re.IGNORECASE)
    if form is None:
        return -1
    skip = 0
    if form.group(1).upper() == "CONSTRUCT" and not re.match(r"\s*WHERE\b", masked[form.end():], re.IGNORECASE):
        skip = 1  # the template comes first
    depth = 0
    for index in range(form.end(), len(masked)):
        char = masked[index]
        if char == "{":
            if depth == 0:
                if skip == 0:
                    return index
                skip -= 1
            depth += 1
        elif char == "}":
            depth -= 1
    return -1


_SERVICE = re.compile(r"\bSERVICE(\s+SILENT)?(\s*)<([^<>\"{}|^`\\\s]*)>", re.IGNORECASE)


def redirect_services(text: str, redirects: dict[str, str]) -> str:
    """``text`` with the endpoint IRI of each ``SERVICE <from>`` clause (not inside a string or
    comment) replaced by ``redirects[from]``, e.g. to send a federated query to a Wikidata mirror."""
    code = mask(text)
    pieces, last = [], 0
    for match in _SERVICE.finditer(text):
        if code[match.start()] == " " or match.group(3) not in redirects:
            continue
        start, end = match.span(3)
        pieces += [text[last:start], redirects[match.group(3)]]
        last = end
    return "".join(pieces) + text[last:]


def with_values(text: str, terms: dict[str, pyoxigraph.NamedNode | pyoxigraph.Literal]) -> str:
    """``text`` with ``VALUES (?a ?b) { (t1 t2) }`` opening its WHERE group."""
    if not terms:
        return text
    start = where_group_start(text)
    if start < 0:
        raise KGError("cannot bind parameters: the query has no WHERE group", hint="add a WHERE { … } clause")
    names = " ".join(f"?{name}" for name in terms)
    values = " ".join(str(term) for term in terms.values())
    return f"{text[:start + 1]}\n  VALUES ({names}) {{ ({values}) }}{text[start + 1:]}"

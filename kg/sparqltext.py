"""Lexical checks on SPARQL text, made before a query reaches the engine.

pyoxigraph's parser recurses once per nested group or bracket and crashes the whole process
(a stack overflow, not an exception) on a query nested a few thousand levels deep, so the
nesting is measured here first. Strings, comments and IRIs are masked so their brackets do
not count.
"""

from __future__ import annotations

import re

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

"""The one error type for bad project input: it says where, what is wrong, and how to fix it."""

from __future__ import annotations

import re
from pathlib import Path


class KGError(Exception):
    """A problem in the project's inputs (facts, ontology, mappings, sources) or its build.

    ``str(error)`` reads ``path:line[:column]: message`` followed by ``  fix: hint`` when a hint is given,
    the form editors and terminals turn into links.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path + "".join(f":{n}" for n in (self.line, self.column) if n) + ": "
        text = where + self.message
        if self.hint:
            text += f"\n  fix: {self.hint}"
        return text


def excerpt(value: object, limit: int = 80) -> str:
    """``value`` as a message shows it: its ``repr``, cut to ``limit`` characters, so a huge or
    deeply nested input cannot make the message itself huge."""
    if isinstance(value, (dict, list, tuple, set)):  # never expand a deep structure just to cut it
        return f"a {type(value).__name__} of {len(value)} item(s)"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


# C0 and C1 controls but tab and newline, DEL, the bidi embedding/override/isolate controls and
# lone surrogates: what a terminal would act on or cannot encode. Text in any script is left alone.
UNSAFE_CHARACTERS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"  # a regex class body
_UNSAFE = re.compile(f"[{UNSAFE_CHARACTERS}]")


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: each control character, bidi control or lone
    surrogate is written as its escape (``\\x1b``, ``\\u202e``), so a label or a remote answer
    cannot move the cursor, recolour the screen, reorder what is shown, or crash the encoder."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class UsageError(KGError):
    """The command was called wrongly (unknown parameter, conflicting options): exit code 2."""


class NotFound(KGError):
    """A value that names nothing: an entity no id, IRI, label or alternative label matches."""

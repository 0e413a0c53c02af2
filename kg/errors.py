"""The one error type for bad project input: it says where, what is wrong, and how to fix it."""

from __future__ import annotations

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


class UsageError(KGError):
    """The command was called wrongly (unknown parameter, conflicting options): exit code 2."""


class NotFound(KGError):
    """A value that names nothing: an entity no id, IRI, label or alternative label matches."""

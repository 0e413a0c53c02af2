"""Checks on a request's SPARQL made before it reaches any engine: nesting or operator chains too
deep for the engine to survive, and SERVICE calls to endpoints that are not allowed.

Both are made on the raw text, not on a view with strings, IRIs and comments masked: a masker
cannot know, as the engine's parser does, whether ``<`` opens an IRI or compares two values,
so ``FILTER(1<2)SERVICE#>`` would hide the keyword from it (found in review). The raw checks
err on the side of refusing. SPARQL lets ``\\uXXXX`` escapes stand for any character anywhere,
so the text is read with them decoded.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from kg.use.sparqltext import QueryTextError, check_text

# Brackets a request may hold in all: whatever is a string or an IRI, the engine cannot nest
# deeper than this, and pyoxigraph 0.5 survives 2,000 levels (it crashes at about 5,000).
MAX_BRACKETS = 2000
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_WORD = re.compile(r"service", re.IGNORECASE)
_TARGET = re.compile(r"\s*(?:SILENT\b\s*)?(?:<([^<>\s]*)>)?", re.IGNORECASE)
# After these, "service" cannot be the keyword: it is part of a variable (?service), a
# prefixed name (ex:service) or a longer word (eservice).
_NAME_BEFORE = re.compile(r"[A-Za-z_?$:\u00B7\u00C0-\uFFFF]")
# The keyword must be followed by SILENT or an endpoint; followed by one of these it is a
# syntax error for the engine, so not a call ("customer service" in a string).
_NOT_A_CALL = set("\"'),;.}]>/")


class Refused(Exception):
    """A request refused before any query runs: ``status`` and a message for the client."""

    def __init__(self, status: int, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.hint = hint


def decode_escapes(text: str) -> str:
    """``text`` with SPARQL's codepoint escapes replaced by the characters they stand for."""

    def char(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _ESCAPE.sub(char, text)


def check_query(text: str, allowed_services: Collection[str]) -> None:
    """Refuse ``text`` when it may nest or chain too deep for the engine or may call a SERVICE not allowed."""
    plain = decode_escapes(text)
    try:
        check_text(plain)
    except QueryTextError as err:
        raise Refused(400, f"{err} (line {err.line}, column {err.column})", err.hint) from None
    brackets = sum(plain.count(c) for c in "{([")
    if brackets > MAX_BRACKETS:
        raise Refused(400, f"the query has {brackets:,} brackets; this server takes at most {MAX_BRACKETS:,}", "split it into smaller queries")
    for match in _WORD.finditer(plain):
        before = plain[match.start() - 1] if match.start() else " "
        after = plain[match.end()] if match.end() < len(plain) else " "
        if _NAME_BEFORE.match(before) or after.isalnum() or after in "_-":
            continue  # ?service, ex:service, services: not the keyword
        rest = plain[match.end():].lstrip()
        if rest[:1] in _NOT_A_CALL:
            continue
        target = _TARGET.match(plain, match.end())
        iri = target.group(1) if target else None
        if iri is None or iri not in allowed_services:
            shown = f"<{iri}>" if iri is not None else "with this endpoint"
            raise Refused(
                403,
                f"SERVICE {shown} is not allowed: this server does not fetch URLs a query names",
                "the server's operator can allow named endpoints with kg serve --allow-service URL; "
                "the word 'service' is refused wherever it could start a SERVICE call",
            )

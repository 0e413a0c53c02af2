"""Checks on a request's SPARQL made before it reaches any engine: too deep a nesting, a
SERVICE call to an endpoint that is not allowed. SPARQL lets ``\\uXXXX`` escapes stand for any
character anywhere in a query, so the checks read the text with them decoded."""

from __future__ import annotations

import re
from collections.abc import Collection

from kg.sparqltext import QueryTextError, check_nesting, mask

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)
_TARGET = re.compile(r"\s*(?:SILENT\b\s*)?(<([^<>\s]*)>|[?$]\w+)", re.IGNORECASE)


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
    """Refuse ``text`` when it nests too deep for the engine or calls a SERVICE not allowed."""
    plain = decode_escapes(text)
    try:
        check_nesting(plain)
    except QueryTextError as err:
        raise Refused(400, f"{err} (line {err.line}, column {err.column})", "flatten the query") from None
    code = mask(plain)  # strings, IRIs and comments blanked: a keyword there is not a keyword
    for match in _SERVICE.finditer(code):
        target = _TARGET.match(plain, match.end())
        iri = target.group(2) if target else None
        if iri is None or iri not in allowed_services:
            shown = target.group(1) if target else "without an endpoint"
            raise Refused(
                403,
                f"SERVICE {shown} is not allowed: this server does not fetch URLs a query names",
                "the server's operator can allow named endpoints with kg serve --allow-service URL",
            )

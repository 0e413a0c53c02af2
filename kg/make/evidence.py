"""Find a quote in its source text and describe the span as W3C Web Annotation selectors.

Offsets count Unicode code points (Python ``str`` indices), as the TextPositionSelector
requires; they are computed here, never typed by a person.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from kg.errors import excerpt
from kg.make.text import codepoint

# How many characters of context the TextQuoteSelector carries on each side.
CONTEXT = 32
# A quote longer than this is not compared character by character with its near miss (the
# comparison grows with the square of the length); the hint then shows the passage only.
MAX_COMPARED = 1000

_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


@dataclass(frozen=True)
class Span:
    """A located quote: ``text[start:end] == exact``, with ``prefix`` and ``suffix`` around it."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


class QuoteError(ValueError):
    """The quote cannot be located exactly once; the message says why and ``hint`` how to fix it."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def occurrences(text: str, quote: str) -> list[int]:
    """Start offsets of every (possibly overlapping) occurrence of ``quote`` in ``text``."""
    starts, at = [], text.find(quote)
    while at != -1:
        starts.append(at)
        at = text.find(quote, at + 1)
    return starts


def locate(text: str, quote: str, occurrence: int | None = None) -> Span:
    """Locate ``quote`` in ``text``; ``occurrence`` (1-based) chooses when it appears more than once."""
    starts = occurrences(text, quote)
    if not starts:
        raise QuoteError(f"quote not found in the source: {excerpt(quote)}", _near_miss(text, quote))
    if occurrence is None and len(starts) > 1:
        raise QuoteError(
            f"quote found {len(starts)} times in the source: {excerpt(quote)}",
            "add neighbouring words to the quote until it is unique, or write "
            "{text: ..., occurrence: N} to pick the N-th",
        )
    if occurrence is not None and occurrence > len(starts):
        raise QuoteError(
            f"occurrence {occurrence} asked for, but the quote appears {len(starts)} time(s): {excerpt(quote)}",
            f"use an occurrence from 1 to {len(starts)}",
        )
    start = starts[(occurrence or 1) - 1]
    end = start + len(quote)
    return Span(
        start=start,
        end=end,
        exact=quote,
        prefix=text[max(0, start - CONTEXT):start],
        suffix=text[end:end + CONTEXT],
    )


def locate_name(text: str, name: str) -> Span:
    """The first occurrence of ``name`` in ``text`` as a word of its own (not inside a longer
    word): the evidence that the source uses that name."""
    before = r"(?<!\w)" if name[:1].isalnum() else ""
    after = r"(?!\w)" if name[-1:].isalnum() else ""
    match = re.search(before + re.escape(name) + after, text)
    if match is None:
        raise QuoteError(f"name not found in the source: {excerpt(name)}", _near_miss(text, name))
    start, end = match.start(), match.end()
    return Span(start=start, end=end, exact=name, prefix=text[max(0, start - CONTEXT):start], suffix=text[end:end + CONTEXT])


def _near_miss(text: str, quote: str) -> str:
    """A hint for a quote (or name) not in ``text``: the closest passage, found ignoring case,
    accents, quote marks, dashes, spacing and invisible characters, and which characters differ."""
    folded_text, origin = _fold(text)
    folded_quote = _fold(quote)[0].strip()
    at = folded_text.find(folded_quote) if folded_quote else -1
    if at == -1:
        return ("no passage of the source matches it, even ignoring case, accents, quote marks, dashes, spacing and "
                "invisible characters: copy the words exactly from the source text")
    start, end = origin[at], origin[at + len(folded_quote) - 1] + 1
    while end < len(text) and unicodedata.combining(text[end]):  # the accents of the passage's last letter
        end += 1
    passage = text[start:end]
    if len(quote) > MAX_COMPARED:
        return f"the source has {excerpt(passage, 200)}: copy the passage from the source text as it is"
    differences = _differences(passage, quote)
    more = f"; and {len(differences) - 3} more difference(s)" if len(differences) > 3 else ""
    return f"the source has {excerpt(passage, 200)}: " + "; ".join(differences[:3]) + more


def _fold(text: str) -> tuple[str, list[int]]:
    """``text`` folded for the near-miss search (lower case, no accents, no invisible format
    characters such as U+200B, straight quote marks, hyphens for dashes, single spaces) and, for
    each folded character, the index in ``text`` of the character it comes from."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char.isspace():
            if folded and folded[-1] == " ":
                continue
            piece = " "
        elif unicodedata.category(char) == "Cf" or unicodedata.combining(char):
            continue
        else:
            base = unicodedata.normalize("NFD", char.translate(_FOLD))
            piece = "".join(c for c in base if not unicodedata.combining(c)).casefold()
        folded.append(piece)
        origin += [index] * len(piece)
    return "".join(folded), origin


def _clusters(text: str) -> list[str]:
    """``text`` cut into letters each with the combining marks (accents) that follow it."""
    clusters: list[str] = []
    for char in text:
        if clusters and unicodedata.combining(char):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _differences(passage: str, quote: str) -> list[str]:
    """Each place where the quote differs from the source's ``passage``, at its column in the
    quote (1-based, in characters), with what to do about it."""
    ours, theirs = _clusters(passage), _clusters(quote)
    found = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ours, theirs, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        has, written = "".join(ours[i1:i2]), "".join(theirs[j1:j2])
        column = sum(len(c) for c in theirs[:j1]) + 1
        if not has:
            found.append(f"the quote has {_chars(written)} at column {column}, which the text does not: delete it")
        elif not written:
            found.append(f"the text has {_chars(has)} before column {column} of the quote: copy it too")
        elif unicodedata.normalize("NFC", has) == unicodedata.normalize("NFC", written):
            nfd, fix = (("NFD", "normalise the quote to NFC") if unicodedata.is_normalized("NFC", has)
                        else ("the text is NFD", "copy those characters from the source text"))
            found.append(f"at column {column} the text has {_chars(has)} where the quote has {_chars(written)} ({nfd}): {fix}")
        else:
            found.append(f"at column {column} the text has {_chars(has)} where the quote has {_chars(written)}: copy the text's characters")
    return found


def _chars(text: str) -> str:
    """A few characters by their code points and names; more as quoted text."""
    return " ".join(codepoint(c) for c in text) if len(text) <= 3 else excerpt(text)

"""Find a quote in its source text and describe the span as W3C Web Annotation selectors.

Offsets count Unicode code points (Python ``str`` indices), as the TextPositionSelector
requires; they are computed here, never typed by a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# How many characters of context the TextQuoteSelector carries on each side.
CONTEXT = 32

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
        raise QuoteError(f"quote not found in the source: {_short(quote)!r}", _near_miss(text, quote))
    if occurrence is None and len(starts) > 1:
        raise QuoteError(
            f"quote found {len(starts)} times in the source: {_short(quote)!r}",
            "add neighbouring words to the quote until it is unique, or write "
            "{text: ..., occurrence: N} to pick the N-th",
        )
    if occurrence is not None and occurrence > len(starts):
        raise QuoteError(
            f"occurrence {occurrence} asked for, but the quote appears {len(starts)} time(s): {_short(quote)!r}",
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
        raise QuoteError(f"name not found in the source: {_short(name)!r}", _near_miss(text, name))
    start, end = match.start(), match.end()
    return Span(start=start, end=end, exact=name, prefix=text[max(0, start - CONTEXT):start], suffix=text[end:end + CONTEXT])


def _short(quote: str) -> str:
    return quote if len(quote) <= 80 else quote[:77] + "..."


def _near_miss(text: str, quote: str) -> str:
    """A hint: the source's own spelling when the quote differs only in quotes, dashes or spacing."""
    folded_quote = re.sub(r"\s+", " ", quote.translate(_FOLD)).strip()
    folded_text = text.translate(_FOLD)  # same length as text: every mapping is one character
    pattern = r"\s+".join(re.escape(word) for word in folded_quote.split(" "))
    match = re.search(pattern, folded_text)
    if match:
        return f"the source has it as {text[match.start():match.end()]!r} (curly quotes, dashes or spacing differ); copy that"
    return "copy the words exactly from the source text (it uses curly quotes ’ “ ”); check spelling and case"

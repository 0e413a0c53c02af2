"""The one check of text the project publishes (labels, names, notes, locators, titles,
publishers, ...): every YAML input (:mod:`kg.yamlfile`) and ``kg source add`` refuse the
characters a reader cannot see or that change what is shown, while text in any script stays fine."""

from __future__ import annotations

import unicodedata

from kg.errors import printable

# What to do about a refused character, for every reader's message.
UNSAFE_HINT = ("delete it (copy the text again as plain text): control and bidi control characters are invisible and "
               "can hide or reorder what readers see; letters of any script are fine")


def codepoint(char: str) -> str:
    """``char`` as a message names it: ``U+00E9 LATIN SMALL LETTER E WITH ACUTE`` (the number
    alone when Unicode gives the character no name, as for controls)."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def unsafe(text: str) -> str | None:
    """The first character of ``text`` that must not be published, described with its position
    (``U+202E RIGHT-TO-LEFT OVERRIDE, a bidi control character, at character 6``); None when
    there is none. Refused: what :func:`kg.errors.printable` escapes, i.e. C0 and C1 controls
    but tab and line feed, DEL, the bidi embedding/override/isolate controls and lone surrogates."""
    if printable(text) == text:
        return None
    at, char = next((i, c) for i, c in enumerate(text) if printable(c) != c)
    if "\ud800" <= char <= "\udfff":
        kind = "a lone surrogate (half of a UTF-16 pair, which UTF-8 cannot encode)"
    elif "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
        kind = "a bidi control character"
    else:
        kind = "a control character"
    return f"{codepoint(char)}, {kind}, at character {at + 1}"

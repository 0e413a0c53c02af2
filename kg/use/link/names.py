"""Compare names the way people read them: case, accents, punctuation and a leading "the"
do not matter."""

from __future__ import annotations

import difflib
import re
import unicodedata

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def normalize(name: str) -> str:
    """``name`` folded for comparison: no accents, lower case, words split on punctuation,
    without a leading "the"."""
    decomposed = unicodedata.normalize("NFKD", name.replace("’", "'").replace("'", ""))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    words = _NOT_WORD.sub(" ", plain).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def similarity(a: str, b: str) -> float:
    """1.0 for the same name (after :func:`normalize`), else the share of matching characters
    (difflib's ratio), between 0 and 1."""
    left, right = normalize(a), normalize(b)
    if not left or not right:
        return 0.0
    if left == right:
        return 1.0
    return difflib.SequenceMatcher(None, left, right).ratio()


def best_similarity(ours: tuple[str, ...], theirs: tuple[str, ...]) -> tuple[float, str, str]:
    """The highest :func:`similarity` between any of ``ours`` and any of ``theirs``, with the
    two names that gave it (empty names when either side has none)."""
    best = (0.0, "", "")
    for a in ours:
        for b in theirs:
            value = similarity(a, b)
            if value > best[0]:
                best = (value, a, b)
    return best


def case_variants(name: str) -> list[str]:
    """``name`` as written, in lower case, in title case, with a capital first letter and in
    upper case: the spellings an exact-match lookup must try to match case-insensitively."""
    variants = [name, name.lower(), name.title(), name[:1].upper() + name[1:], name.upper()]
    return list(dict.fromkeys(variants))

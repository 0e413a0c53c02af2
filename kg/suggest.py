"""One way to say "did you mean …?" for every unknown name."""

from __future__ import annotations

from collections.abc import Iterable


def did_you_mean(name: str, known: Iterable[str], cutoff: float = 0.6) -> str:
    """``did you mean a or b? `` for names close to ``name``, else an empty string."""
    import difflib  # only on the error path

    close = difflib.get_close_matches(name, sorted(known), n=3, cutoff=cutoff)
    return f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""

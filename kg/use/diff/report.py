"""A :class:`~kg.use.diff.changes.Diff` as Markdown for a changelog, or as JSON."""

from __future__ import annotations

import json
import re
from dataclasses import asdict

from kg.errors import UsageError, printable
from kg.use.diff.changes import SECTIONS, Change, ClaimChange, ClaimItem, Diff, Item, Statement, prefixed

FORMATS = ("text", "json")


def render(d: Diff, fmt: str = "text") -> str:
    """``d`` as ``text`` (Markdown for a changelog: a summary line, then a heading per section
    with one bullet per change, labels first and IRIs after) or ``json`` (sorted keys)."""
    if fmt == "json":
        return json.dumps(to_json(d), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if fmt == "text":
        return _markdown(d)
    raise UsageError(f"unknown format {printable(repr(fmt))}", hint="use one of: " + ", ".join(FORMATS))


def to_json(d: Diff) -> dict[str, object]:
    """``d`` as plain JSON data: ``old``, ``new``, ``counts``, ``ontology_changed`` and one
    object per kind (``entities``, ``claims``, ``sources``, ``disagreements``) of lists."""
    data = asdict(d)
    out: dict[str, object] = {"old": data["old"], "new": data["new"], "counts": data["counts"],
                              "ontology_changed": d.ontology_changed, "empty": d.empty}
    for name in SECTIONS:
        kind, word = name.split("_")
        out.setdefault(kind, {})[word] = data[name]  # type: ignore[index]
    return out


_MARKDOWN = re.compile(r"[\\`*_\[\]<>|~&#]")
_LINE_BREAKS = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\x85"}


def md(text: str) -> str:
    """``text`` safe inside one Markdown line: line breaks written as ``\\n``, control
    characters escaped (:func:`kg.errors.printable`), and the characters Markdown or HTML
    would act on backslash-escaped, so a label shows as written and cannot start a block,
    a link or a tag."""
    text = _MARKDOWN.sub(lambda m: "\\" + m.group(), text)
    text = "".join(_LINE_BREAKS.get(c, c) for c in text)
    return printable(text)


def _lead(text: str) -> str:
    """:func:`md` of a text that opens a bullet: a leading ``-``, ``+``, ``=`` or ``1.`` is
    escaped too, so it cannot start a nested list or a heading underline."""
    return re.sub(r"^(\s*)([-+=]|\d+[.)])", r"\1\\\2", md(text))


def _iri(iri: str) -> str:
    return f"<{printable(iri)}>" if re.fullmatch(r"[^\s<>\"{}|\\^`]+", iri) else f"`{md(iri)}`"


def _value(s: Statement) -> str:
    if s.value.startswith("<"):
        iri = s.value[1:-1]
        return f"{md(s.value_label)} {_iri(iri)}" if s.value_label != prefixed(iri) else _iri(iri)
    if s.value.startswith('"'):
        tail = s.value[s.value.rfind('"') + 1:]
        if tail.startswith("^^<"):
            tail = "^^" + prefixed(tail[3:-1])
        return f'"{md(s.value_label)}"{md(tail)}'
    return md(s.value_label)


def _property(s: Statement) -> str:
    short = prefixed(s.property)
    return md(short) if s.property_label == short else f"{md(s.property_label)} ({md(short)})"


def _statements(change: Change | ClaimChange, indent: str = "  ") -> list[str]:
    return ([f"{indent}- added: {_property(s)} {_value(s)}" for s in change.added]
            + [f"{indent}- removed: {_property(s)} {_value(s)}" for s in change.removed])


def _plural(n: int, word: str) -> str:
    return f"{n} {word if n == 1 else {'entity': 'entities'}.get(word, word + 's')}"


def _markdown(d: Diff) -> str:
    c = d.counts

    def build(b: dict[str, str | None]) -> str:
        return f"build {md(str(b['build']))}" + (f" (version {md(b['version'])})" if b.get("version") else "")

    lines = [f"# Changes from {build(d.old)} to {build(d.new)}", ""]
    summary = (f"Summary: {_plural(c['entities_added'], 'entity')} added, {c['entities_removed']} removed, {c['entities_changed']} changed; "
               f"{_plural(c['claims_added'], 'claim')} added, {c['claims_removed']} removed, {c['claims_changed']} changed; "
               f"{_plural(c['sources_added'], 'source')} added, {c['sources_removed']} removed, {c['sources_changed']} changed; "
               f"{_plural(c['disagreements_appeared'], 'disagreement')} appeared, {c['disagreements_resolved']} resolved, "
               f"{c['disagreements_changed']} changed; quads +{c['quads_added']} -{c['quads_removed']} "
               f"({c['old_quads']} -> {c['new_quads']})" + ("; the ontology changed" if d.ontology_changed else "") + ".")
    lines.append(summary if not d.empty else "No changes: the two builds hold the same data.")

    def items(title: str, entries: tuple[Item, ...]) -> None:
        if entries:
            lines.extend(["", f"## {title}", ""])
            lines.extend(f"- {_lead(e.label)}" + (f" ({md(e.detail)})" if e.detail else "") + f" {_iri(e.iri)}" for e in entries)

    def changes(title: str, entries: tuple[Change, ...]) -> None:
        if entries:
            lines.extend(["", f"## {title}", ""])
            for e in entries:
                lines.append(f"- {_lead(e.label)} {_iri(e.iri)}")
                lines.extend(_statements(e))

    def claims(title: str, entries: tuple[ClaimItem, ...]) -> None:
        if entries:
            lines.extend(["", f"## {title}", ""])
            lines.extend(f"- {_lead(e.label)} (source {md(e.source)}; {'accepted' if e.accepted else 'not accepted'}) {_iri(e.iri)}" for e in entries)

    items("Entities added", d.entities_added)
    items("Entities removed", d.entities_removed)
    changes("Entities changed", d.entities_changed)
    claims("Claims added", d.claims_added)
    claims("Claims removed", d.claims_removed)
    if d.claims_changed:
        lines.extend(["", "## Claims changed", ""])
        for e in d.claims_changed:
            lines.append(f"- {_lead(e.label)} (source {md(e.source)}) {_iri(e.iri)}")
            if e.accepted is not None:
                lines.append(f"  - {'now accepted' if e.accepted[1] else 'no longer accepted'}")
            lines.extend(_statements(e))
            for ev in e.evidence:
                lines.append(f"  - evidence {_iri(ev.iri)}")
                lines.extend(_statements(ev, "    "))
    items("Sources added", d.sources_added)
    items("Sources removed", d.sources_removed)
    changes("Sources changed", d.sources_changed)
    items("Disagreements appeared", d.disagreements_appeared)
    items("Disagreements resolved", d.disagreements_resolved)
    changes("Disagreements changed", d.disagreements_changed)
    return "\n".join(lines) + "\n"

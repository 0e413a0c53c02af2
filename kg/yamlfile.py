"""Read a YAML file into plain Python values that remember the line each mapping and key is on.

Every YAML input goes through :func:`read_yaml`, which bounds what a small file can cost and
refuses what the project never needs: anchors and aliases (``&a``/``*a``, which let a few
hundred bytes stand for billions of values), nesting deeper than :data:`MAX_DEPTH`, files
larger than :data:`MAX_BYTES`, and text that must not be published (:func:`kg.make.text.unsafe`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kg.errors import KGError, excerpt
from kg.make.text import UNSAFE_HINT, unsafe

# The project's inputs nest four or five levels and weigh a few kilobytes; these bounds leave
# ample room and keep a hostile file from exhausting the stack or the memory.
MAX_DEPTH = 32
MAX_BYTES = 4 * 1024 * 1024


class Located(dict):
    """A YAML mapping that also knows its own line and the line of each key (1-based)."""

    line: int
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """The line of ``key`` if present, else the line of the mapping itself."""
        return self.key_lines.get(key, self.line)


class _LineLoader(yaml.SafeLoader):
    """A safe loader whose mappings are :class:`Located` and that refuses duplicate keys,
    anchors and aliases, nesting deeper than :data:`MAX_DEPTH` and unsafe text."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:  # type: ignore[override]
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
            kind = "alias" if isinstance(event, yaml.AliasEvent) else "anchor"
            raise KGError(f"YAML {kind} {excerpt(event.anchor)}: anchors (&name) and aliases (*name) are not allowed in project inputs",
                          path=self.name, line=line, hint="write each value out in full where it is used")
        if self.depth >= MAX_DEPTH:
            raise KGError(f"nested more than {MAX_DEPTH} levels deep", path=self.name, line=line,
                          hint="project inputs nest a few levels: a list of mappings of values; check the brackets and indentation")
        if isinstance(event, yaml.ScalarEvent) and (problem := unsafe(event.value)):
            raise KGError(f"the text {excerpt(event.value)} contains {problem}", path=self.name, line=line, hint=UNSAFE_HINT)
        self.depth += 1
        try:
            return super().compose_node(parent, index)  # type: ignore[no-untyped-call]
        finally:
            self.depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Located:  # type: ignore[override]
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, (str, int, float, bool)):
                raise KGError(f"a key must be a plain word, got {excerpt(key)}", path=self.name, line=line, hint="write key: value")
            if key in seen:
                raise KGError(
                    f"duplicate key {excerpt(key)} (first on line {seen[key]})",
                    path=self.name,
                    line=line,
                    hint="remove one of the two keys or merge their values",
                )
            seen[key] = line
        mapping = Located(super().construct_mapping(node, deep=True))
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {str(k): v for k, v in seen.items()}
        return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping)


def read_yaml(path: Path, shown_as: str) -> Any:
    """Parse ``path``; a syntax error, or an input the loader refuses, becomes a :class:`KGError`
    naming ``shown_as`` and the line."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise KGError(f"{size:,} bytes: larger than the {MAX_BYTES // (1024 * 1024)} MB a YAML input may be", path=shown_as,
                      hint="a hand-edited input is a few kilobytes: check that this is the right file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise KGError(f"not UTF-8 text ({err.reason} at byte {err.start})", path=shown_as, hint="save the file as UTF-8") from None
    try:
        loader = _LineLoader(text)
    except yaml.YAMLError as err:  # the reader refuses a control character before parsing
        raise KGError(f"malformed YAML: {err}", path=shown_as, hint="remove the offending character") from None
    loader.name = shown_as
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        raise KGError(
            f"malformed YAML: {err.problem or err.context}",
            path=shown_as,
            line=line,
            hint="check indentation and quoting near that line (a value containing ': ' needs quotes)",
        ) from None
    except ValueError as err:  # a value YAML resolves but cannot build: a date like 2025-02-30
        line = _line_of_bad_value(text, err)
        raise KGError(f"not a valid value: {err}", path=shown_as, line=line,
                      hint="write a real calendar date as YYYY-MM-DD (or quote the value if it is text)") from None
    finally:
        loader.dispose()


def _line_of_bad_value(text: str, err: ValueError) -> int | None:
    """The first line holding a date-like value that is not a calendar date (PyYAML's error
    carries no position); None when there is none."""
    import datetime as dt
    import re

    for number, line in enumerate(text.splitlines(), start=1):
        for match in re.finditer(r"(?<![\w-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w-])", line):
            try:
                dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                return number
    return None

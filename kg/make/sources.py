"""Sources and their metadata records (``data/sources/<id>.meta.yaml``).

A source is **quoted** when the project may keep its text (``data/sources/<id>.txt``, checked
against the SHA-256 in its record): its claims' evidence is the exact words. It is **cited**
when it is a public page whose text must not be copied: its record gives the page's URL and
citation metadata, and its claims' evidence is a locator in the project's own words. A citation
field the page does not give is written ``not given``: recorded as such, never guessed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from kg.errors import KGError, excerpt
from kg.project import Project
from kg.yamlfile import Located, read_yaml

NOT_GIVEN = "not given"
# The named text normalisations a quoted source may declare, and their ontology individuals.
NORMALIZATIONS = {"verbatim-utf8": "VerbatimUTF8"}
# Both are checked with fullmatch: a trailing newline is not part of a URL or a tag.
URL = re.compile(r"https?://[^\s<>\"{}|\\^`]+")
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")

_COMMON = {"id", "kind", "language", "subjects", "original_source", "original_source_note"}
_QUOTED = _COMMON | {"title", "title_note", "media_type", "normalization", "rights", "sha256"}
_CITED = _COMMON | {"url", "title", "label", "publisher", "authors", "published", "retrieved", "copies", "note"}
_REQUIRED = {
    "quoted": ("id", "kind", "title", "title_note", "language", "media_type", "normalization", "rights", "subjects", "sha256"),
    "cited": ("id", "kind", "url", "title", "publisher", "authors", "published", "retrieved", "language", "subjects"),
}


@dataclass(frozen=True)
class Source:
    """A source and what its metadata record says of it. ``kind`` is ``quoted`` or ``cited``;
    ``text`` is the kept text of a quoted source (None for a cited one). For a cited source,
    ``title`` is the title as published (None: not given) and ``label`` the name we show."""

    id: str
    kind: str
    label: str
    label_is_ours: bool
    title: str | None
    language: str
    subjects: tuple[str, ...]
    original_source: str | None
    meta_path: str
    text: str | None = None
    sha256: str | None = None
    media_type: str | None = None
    normalization: str | None = None
    rights: str | None = None
    url: str | None = None
    publisher: str | None = None
    authors: tuple[str, ...] | None = None
    published: dt.date | None = None
    retrieved: dt.date | None = None
    copies: tuple[str, ...] = ()
    note: str | None = None

    @property
    def quoted(self) -> bool:
        """True when the source's text is kept and its evidence is quoted."""
        return self.kind == "quoted"

    def not_given(self) -> tuple[str, ...]:
        """The citation fields the page does not give: ``title``, ``authors``, ``published``, ``publisher``."""
        if self.quoted:
            return ()
        fields = {"title": self.title, "authors": self.authors, "published": self.published, "publisher": self.publisher}
        return tuple(name for name, value in fields.items() if value is None)


def source_ids(project: Project) -> list[str]:
    """The ids of every source with a metadata record, in name order."""
    return sorted(p.name.removesuffix(".meta.yaml") for p in project.sources_dir.glob("*.meta.yaml"))


def read_source(project: Project, source_id: str, cited_by: str, line: int) -> Source:
    """Read source ``source_id``: its metadata record and, for a quoted source, its text, checked
    against the SHA-256 the record gives. ``cited_by`` and ``line`` say where the id was named,
    for the message when there is no such source."""
    meta_path = project.sources_dir / f"{source_id}.meta.yaml"
    text_path = project.sources_dir / f"{source_id}.txt"
    if not meta_path.is_file():
        raise KGError(
            f"source {excerpt(source_id)} not found: no {project.relative(meta_path)}",
            path=cited_by,
            line=line,
            hint="add the source with kg source add, or correct the id",
        )
    shown = project.relative(meta_path)
    meta = read_yaml(meta_path, shown)
    if not isinstance(meta, Located):
        raise KGError("a metadata record must be a mapping", path=shown, line=1, hint="see the other .meta.yaml files")
    kind = meta.get("kind")
    if not isinstance(kind, str) or kind not in _REQUIRED:
        raise KGError(
            f"kind must be quoted or cited, got {excerpt(kind)}",
            path=shown,
            line=meta.line_of("kind"),
            hint="quoted: the text is kept beside the record (.txt); cited: a public page, given by its url",
        )
    allowed = _QUOTED if kind == "quoted" else _CITED
    for key in meta:
        if key not in allowed:
            raise KGError(f"unknown key {excerpt(key)} for a {kind} source", path=shown, line=meta.line_of(str(key)),
                          hint=f"allowed keys: {', '.join(sorted(allowed))}")
    for key in _REQUIRED[kind]:
        if key not in meta:
            raise KGError(f"metadata record is missing {key!r}", path=shown, line=meta.line,
                          hint=f"a {kind} source needs: {', '.join(_REQUIRED[kind])}")
    if meta["id"] != source_id:
        raise KGError(f"id {excerpt(meta['id'])} does not match the file name {excerpt(source_id)}", path=shown,
                      line=meta.line_of("id"), hint="make the id the file name without .meta.yaml")
    fields = _Fields(meta, shown)
    language = fields.text("language")
    if not LANGUAGE_TAG.fullmatch(language):
        raise KGError(f"language {excerpt(language)} is not a language tag", path=shown, line=meta.line_of("language"),
                      hint="write a BCP 47 tag such as en or fr")
    common = dict(
        id=source_id,
        kind=kind,
        language=language,
        subjects=fields.text_list("subjects"),
        original_source=fields.text("original_source") if "original_source" in meta else None,
        meta_path=shown,
    )
    if kind == "quoted":
        return _quoted(project, meta, fields, common, text_path)
    if text_path.exists():
        raise KGError(f"a cited source keeps no text, but {project.relative(text_path)} exists", path=shown, line=meta.line_of("kind"),
                      hint="a cited page's sentences are never copied into the repository: delete the .txt file")
    title = fields.optional_text("title")
    if title is None and "label" not in meta:
        raise KGError("the page gives no title, so the record needs a label: a short descriptive title in our words",
                      path=shown, line=meta.line_of("title"), hint="add label: ... (it is marked as ours)")
    published, retrieved = fields.optional_date("published"), fields.date("retrieved")
    if published is not None and published > retrieved:
        raise KGError("published is after retrieved", path=shown, line=meta.line_of("published"), hint="check both dates")
    return Source(
        **common,
        label=fields.text("label") if "label" in meta else (title or ""),
        label_is_ours="label" in meta,
        title=title,
        url=fields.url("url"),
        publisher=fields.optional_text("publisher"),
        authors=fields.optional_text_list("authors"),
        published=published,
        retrieved=retrieved,
        copies=tuple(fields.url_list("copies")) if "copies" in meta else (),
        note=fields.text("note") if "note" in meta else None,
    )


def _quoted(project: Project, meta: Located, fields: "_Fields", common: dict, text_path) -> Source:  # type: ignore[no-untyped-def, type-arg]
    shown = fields.shown
    if not text_path.is_file():
        raise KGError(f"a quoted source needs its text: no {project.relative(text_path)}", path=shown, line=meta.line_of("kind"),
                      hint="put the text beside the record, byte for byte as received, or make the source cited")
    data = text_path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != meta["sha256"]:
        raise KGError(
            f"the text's SHA-256 is {digest}, not the {excerpt(meta['sha256'])} recorded",
            path=shown,
            line=meta.line_of("sha256"),
            hint="source texts are byte-for-byte copies and never edited; restore the original text",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise KGError(f"the source text is not UTF-8 ({err.reason} at byte {err.start})", path=project.relative(text_path),
                      hint="store sources as UTF-8") from None
    normalization = fields.text("normalization")
    if normalization not in NORMALIZATIONS:
        raise KGError(f"unknown normalization {excerpt(normalization)}", path=shown, line=meta.line_of("normalization"),
                      hint=f"use one of: {', '.join(NORMALIZATIONS)}")
    return Source(
        **common,
        label=fields.text("title"),
        label_is_ours=True,
        title=None,
        text=text,
        sha256=digest,
        media_type=fields.text("media_type"),
        normalization=normalization,
        rights=fields.text("rights"),
        note=fields.text("title_note"),
    )


class _Fields:
    """Typed reads of a metadata record's values, each error naming the key's line."""

    def __init__(self, meta: Located, shown: str) -> None:
        self.meta, self.shown = meta, shown

    def _error(self, key: str, what: str, hint: str) -> KGError:
        return KGError(f"{key} {what}, got {excerpt(self.meta[key])}", path=self.shown, line=self.meta.line_of(key), hint=hint)

    def text(self, key: str) -> str:
        value = self.meta[key]
        if not isinstance(value, str) or not value.strip():
            raise self._error(key, "must be non-empty text", f"write {key}: ... (quote it if YAML reads it as another type)")
        return value.strip()

    def optional_text(self, key: str) -> str | None:
        value = self.text(key)
        return None if value == NOT_GIVEN else value

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.meta[key]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise self._error(key, "must be a list of texts", f"write {key}: [one, two]")
        return tuple(v.strip() for v in value)

    def optional_text_list(self, key: str) -> tuple[str, ...] | None:
        if self.meta[key] == NOT_GIVEN:
            return None
        return self.text_list(key)

    def url(self, key: str) -> str:
        value = self.text(key)
        if not URL.fullmatch(value):
            raise self._error(key, "must be an http(s) URL", "copy the address exactly as the search tool returned it")
        return value

    def url_list(self, key: str) -> list[str]:
        values = self.text_list(key)
        bad = [v for v in values if not URL.fullmatch(v)]
        if bad:
            raise self._error(key, "must be a list of http(s) URLs", "copy each address exactly as the search tool returned it")
        return list(values)

    def date(self, key: str) -> dt.date:
        value = self.meta[key]
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise self._error(key, "must be a date, YYYY-MM-DD", f"write {key}: 2025-02-11")

    def optional_date(self, key: str) -> dt.date | None:
        return None if self.meta[key] == NOT_GIVEN else self.date(key)

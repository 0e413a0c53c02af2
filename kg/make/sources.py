"""Source texts and their metadata records (``data/sources/<id>.txt`` and ``<id>.meta.yaml``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from kg.errors import KGError
from kg.project import Project
from kg.yamlfile import Located, read_yaml

_REQUIRED = ("id", "title", "title_note", "original_source", "language", "media_type", "subjects", "sha256")


@dataclass(frozen=True)
class Source:
    """A source text, read as Unicode, and what its metadata record says of it."""

    id: str
    text: str
    title: str
    title_note: str
    original_source: str
    language: str
    media_type: str
    subjects: tuple[str, ...]
    sha256: str


def read_source(project: Project, source_id: str, cited_by: str, line: int) -> Source:
    """Read source ``source_id`` and check its text against the SHA-256 in its metadata record.

    ``cited_by`` and ``line`` say where the id was named, for the message when it is missing.
    """
    text_path = project.sources_dir / f"{source_id}.txt"
    meta_path = project.sources_dir / f"{source_id}.meta.yaml"
    if not text_path.is_file():
        raise KGError(
            f"source {source_id!r} not found: no {project.relative(text_path)}",
            path=cited_by,
            line=line,
            hint="add the source text to data/sources/ or correct the id",
        )
    shown = project.relative(meta_path)
    if not meta_path.is_file():
        raise KGError(
            "source text has no metadata record",
            path=shown,
            hint=f"write {meta_path.name} beside the text (see the other .meta.yaml files)",
        )
    meta = read_yaml(meta_path, shown)
    if not isinstance(meta, Located):
        raise KGError("metadata record must be a mapping", path=shown, line=1, hint="see the other .meta.yaml files")
    for key in _REQUIRED:
        if key not in meta:
            raise KGError(f"metadata record is missing {key!r}", path=shown, line=1, hint=f"required keys: {', '.join(_REQUIRED)}")
    if meta["id"] != source_id:
        raise KGError(
            f"id {meta['id']!r} does not match the file name {source_id!r}",
            path=shown,
            line=meta.line_of("id"),
            hint="make the id the file name without .meta.yaml",
        )
    data = text_path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != meta["sha256"]:
        raise KGError(
            f"the text's SHA-256 is {digest}, not the {meta['sha256']} recorded",
            path=shown,
            line=meta.line_of("sha256"),
            hint="source texts are byte-for-byte copies and never edited; restore the original text",
        )
    subjects = meta["subjects"]
    if not isinstance(subjects, list) or not subjects or not all(isinstance(s, str) and s.strip() for s in subjects):
        raise KGError("subjects must be a list of subject names", path=shown, line=meta.line_of("subjects"), hint="write subjects: [AI governance, ...]")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise KGError(f"the source text is not UTF-8 ({err.reason} at byte {err.start})", path=project.relative(text_path), hint="store sources as UTF-8") from None
    return Source(
        id=source_id,
        text=text,
        title=str(meta["title"]),
        title_note=str(meta["title_note"]),
        original_source=str(meta["original_source"]),
        language=str(meta["language"]),
        media_type=str(meta["media_type"]),
        subjects=tuple(subjects),
        sha256=digest,
    )

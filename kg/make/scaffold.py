"""``kg source add``: start a new source — its metadata record, its text when it is quoted, and an
empty claims file that says how to fill it. Nothing is written unless everything can be."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path

from kg.errors import KGError, UsageError, excerpt
from kg.files import replace_file
from kg.make.sources import LANGUAGE_TAG, NOT_GIVEN, URL
from kg.make.text import UNSAFE_HINT, unsafe
from kg.namespaces import SLUG
from kg.project import Project

# A source text larger than this is refused: the build reads every text whole.
MAX_TEXT_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class NewSource:
    """What ``kg source add`` was told. ``text`` (a local file) makes a quoted source, ``url`` a
    cited one; a citation field left None is written as 'not given'."""

    id: str
    title: str | None = None
    label: str | None = None
    text: Path | None = None
    rights: str | None = None
    url: str | None = None
    publisher: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    retrieved: str | None = None
    language: str = "en"
    original_source: str | None = None
    subjects: tuple[str, ...] = ("AI governance",)


def add_source(project: Project, new: NewSource) -> list[Path]:
    """Write the files of ``new`` and return their paths; refuses an id already used, bad
    values, or a text that is not UTF-8, before writing anything."""
    if not SLUG.fullmatch(new.id):
        raise UsageError(f"{excerpt(new.id)} is not a valid source id", hint="lowercase words joined by hyphens, e.g. reuters-paris-summit-count")
    for option, value in _options(new):
        if problem := unsafe(value):
            raise UsageError(f"--{option} {excerpt(value)} contains {problem}", hint=UNSAFE_HINT)
    if (new.text is None) == (new.url is None):
        raise UsageError("give --text FILE (a quoted source, whose text may be kept) or --url URL (a cited page), not both",
                         hint="see kg source add --help")
    if not LANGUAGE_TAG.fullmatch(new.language):
        raise UsageError(f"--language {excerpt(new.language)} is not a language tag", hint="e.g. en or fr")
    meta = project.sources_dir / f"{new.id}.meta.yaml"
    claims = project.claims_dir / f"{new.id}.yaml"
    text_path = project.sources_dir / f"{new.id}.txt"
    for path in (meta, claims, text_path):
        if path.exists():
            raise KGError(f"{project.relative(path)} already exists", hint="choose another id, or edit the existing source")
    if project.entities.is_file():
        from kg.make.entities import read_entities

        if new.id in {e.id for e in read_entities(project.entities, project.relative(project.entities))}:
            raise UsageError(f"{excerpt(new.id)} is an entity id of {project.relative(project.entities)}",
                             hint="a source and an entity share one IRI space: choose another id")
    files: dict[Path, bytes] = {}
    if new.text is not None:
        files[text_path], files[meta] = _quoted(new)
    else:
        files[meta] = _cited(new)
    files[claims] = _claims_template(new, cited=new.url is not None).encode("utf-8")
    _check_as_the_build_reads_them(project, new.id, files)
    written: list[Path] = []
    try:
        for path, content in files.items():
            replace_file(path, content)
            written.append(path)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return list(files)


def _options(new: NewSource) -> Iterator[tuple[str, str]]:
    """Each text ``new`` was given, with the option that gave it (``--author`` once per author)."""
    for field in fields(new):
        value = getattr(new, field.name)
        option = {"authors": "author", "subjects": "subject"}.get(field.name, field.name.replace("_", "-"))
        for text in value if isinstance(value, tuple) else (value,):
            if isinstance(text, str):
                yield option, text


def _check_as_the_build_reads_them(project: Project, source_id: str, files: dict[Path, bytes]) -> None:
    """Read the staged files with the build's own readers, in a scratch copy of their folders, so
    that nothing is written the build would then refuse."""
    import tempfile

    from kg.make.claimfile import read_claims
    from kg.make.sources import read_source

    with tempfile.TemporaryDirectory(prefix="aigov-source-") as tmp:
        scratch = Project(Path(tmp))
        for path, content in files.items():
            staged = scratch.root / path.relative_to(project.root)
            staged.parent.mkdir(parents=True, exist_ok=True)
            staged.write_bytes(content)
        try:
            read_source(scratch, source_id, "kg source add", 1)
            read_claims(scratch.claims_dir / f"{source_id}.yaml", f"data/claims/{source_id}.yaml")
        except KGError as err:
            raise UsageError(f"not written: the build would refuse it: {err.message}", hint=err.hint or "check the options") from None


def _yaml(value: str) -> str:
    """A YAML scalar for ``value``, always quoted (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def _quoted(new: NewSource) -> tuple[bytes, bytes]:
    assert new.text is not None
    if not new.title:
        raise UsageError("a quoted source needs --title: a short descriptive title in our words", hint="it is marked as ours")
    if not new.rights:
        raise UsageError("a quoted source needs --rights: on what terms the project may keep its text",
                         hint="e.g. --rights 'published under CC BY 4.0' or the publisher's permission")
    if not new.text.is_file():
        raise UsageError(f"no such file: {new.text}", hint="give the path of the source's text")
    if new.text.stat().st_size > MAX_TEXT_BYTES:
        raise KGError(f"{new.text} is larger than {MAX_TEXT_BYTES // (1024 * 1024)} MB", hint="keep only the article's text")
    data = new.text.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise KGError(f"{new.text} is not UTF-8 text ({err.reason} at byte {err.start})", hint="convert it to UTF-8 first") from None
    lines = [
        f"# Metadata record of {new.id}.txt, kept beside the text: a quoted source.",
        "# The text is a byte-for-byte copy as it reached us; never edit it (the build checks its SHA-256).",
        f"id: {_yaml(new.id)}",
        "kind: quoted",
        f"title: {_yaml(new.title)}",
        'title_note: "Descriptive title written by aigov-kg."',
        f"original_source: {_yaml(new.original_source)}" if new.original_source else None,
        f"language: {_yaml(new.language)}",
        "media_type: text/plain; charset=utf-8",
        "normalization: verbatim-utf8",
        f"rights: {_yaml(new.rights)}",
        "subjects: [" + ", ".join(_yaml(s) for s in new.subjects) + "]",
        f"sha256: {hashlib.sha256(data).hexdigest()}",
    ]
    return data, ("\n".join(line for line in lines if line is not None) + "\n").encode("utf-8")


def _cited(new: NewSource) -> bytes:
    assert new.url is not None
    if not URL.fullmatch(new.url):
        raise UsageError(f"--url {excerpt(new.url)} is not an http(s) URL", hint="copy the address exactly as the search tool returned it")
    if not new.title and not new.label:
        raise UsageError("the page's title was not given, so give --label: a short descriptive title in our words",
                         hint="or --title 'the title as published'")
    dates = {}
    if new.retrieved == NOT_GIVEN:
        raise UsageError("--retrieved cannot be 'not given': it is the day you read the page",
                         hint="leave it out for today, or write YYYY-MM-DD")
    for name, value in (("published", new.published), ("retrieved", new.retrieved or dt.date.today().isoformat())):
        if value is None or value == NOT_GIVEN:
            dates[name] = NOT_GIVEN
            continue
        try:
            dates[name] = dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise UsageError(f"--{name} {excerpt(value)} is not a date", hint="write YYYY-MM-DD, or leave it out when the page gives none") from None
    if dates["published"] != NOT_GIVEN and dates["published"] > dates["retrieved"]:
        raise UsageError(f"--published {dates['published']} is after --retrieved {dates['retrieved']}",
                         hint="a page is read after it is published: check both dates")
    lines = [
        "# Metadata record of a cited source: a public page whose text is not copied here.",
        "# Fill in what the page gives; a field the page does not give stays 'not given' (never guessed).",
        f"id: {_yaml(new.id)}",
        "kind: cited",
        f"url: {_yaml(new.url)}",
        f"title: {_yaml(new.title) if new.title else NOT_GIVEN}",
        f"label: {_yaml(new.label)}" if new.label else None,
        f"publisher: {_yaml(new.publisher) if new.publisher else NOT_GIVEN}",
        ("authors: [" + ", ".join(_yaml(a) for a in new.authors) + "]") if new.authors else f"authors: {NOT_GIVEN}",
        f"published: {dates['published']}",
        f"retrieved: {dates['retrieved']}",
        f"language: {_yaml(new.language)}",
        f"original_source: {_yaml(new.original_source)}" if new.original_source else None,
        "subjects: [" + ", ".join(_yaml(s) for s in new.subjects) + "]",
    ]
    return ("\n".join(line for line in lines if line is not None) + "\n").encode("utf-8")


def _claims_template(new: NewSource, cited: bool) -> str:
    evidence = (
        "locator: where on the page it is stated, in our own words ('headline', 'second paragraph').\n"
        "#   Never copy a sentence of the page: values are in our words, facts and figures only."
        if cited else
        "quote: the exact words of the text that state it (copy them; the\n"
        "#   build finds them and computes the offsets)."
    )
    example = "locator: second paragraph" if cited else "quote: A total of 58 nations, including China"
    return f"""# What {new.id} says, and nothing else: each entry is a claim of this source, not a fact of
# the world (see README.md, "Claims, not truths").
#
# claims: subject (an entity id of data/entities.yaml, or a group below), property (an aig:
#   property of ontology/aigov.ttl), object (an entity id) or value (a number, a date, true/false,
#   or text in our words), and {evidence}
#   Counts (signatoryCount, participantCount, supporterCount) also need counted: (nations |
#   nations and organizations | unspecified parties) and bound: (exactly | about | more than |
#   at least | fewer than | at most), and take as_of: (a date, or "so far").
#   A reason for not signing: property declineReason, regarding: <pledge id>, stated_by: who.
#   Absence is not refusal: record declinedToEndorse only where the source says so.
# names: other names this source uses for entities: - {{entity: ..., name: ...}}
# groups: people the source speaks of without naming them: - {{id: ..., label: ...}}
#
# For example:
#   - subject: china
#     property: endorsed
#     object: statement-on-inclusive-and-sustainable-ai
#     {example}

source: {_yaml(new.id)}

names: []

groups: []

claims: []
"""

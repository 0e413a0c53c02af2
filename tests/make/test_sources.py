"""Sources: quoted texts are byte-for-byte copies checked against their SHA-256; cited pages
give their citation metadata, with 'not given' where the page says nothing."""

import datetime as dt
import hashlib

import pytest

from kg.errors import KGError
from kg.make.sources import read_source, source_ids
from tests.conftest import ROOT, SOURCE_ID, edit

CITED = "computerweekly-uk-us-refuse-to-sign"


def test_a_quoted_source_is_read_as_unicode_with_its_metadata(project):
    source = read_source(project, SOURCE_ID, "x", 1)
    raw = (ROOT / "data" / "sources" / f"{SOURCE_ID}.txt").read_bytes()
    assert source.quoted and source.kind == "quoted"
    assert source.sha256 == hashlib.sha256(raw).hexdigest()
    assert source.text == raw.decode("utf-8")
    assert not source.text.endswith("\n")
    assert source.text.endswith("Original Source: asianews.network")
    assert source.original_source == "asianews.network"
    assert source.language == "en"
    assert source.normalization == "verbatim-utf8"
    assert source.label_is_ours and "aigov-kg" in (source.note or "")
    assert source.not_given() == ()


def test_a_cited_source_keeps_no_text_and_says_what_the_page_does_not_give(project):
    source = read_source(project, CITED, "x", 1)
    assert source.kind == "cited" and source.text is None
    assert source.url.startswith("https://www.computerweekly.com/")
    assert source.publisher == "Computer Weekly"
    assert source.retrieved == dt.date(2026, 12, 2)
    assert source.title is None and source.label_is_ours
    assert source.not_given() == ("title", "authors", "published")


def test_the_copy_is_identical_to_the_given_article():
    given = ROOT.parent / "shared" / "sources" / f"{SOURCE_ID}.txt"
    if not given.exists():
        pytest.skip("the shared sources folder is not beside this checkout")
    assert (ROOT / "data" / "sources" / f"{SOURCE_ID}.txt").read_bytes() == given.read_bytes()


def test_every_record_is_found(project):
    ids = source_ids(project)
    assert SOURCE_ID in ids and CITED in ids and len(ids) >= 9


def test_a_missing_source_names_the_claims_file(project):
    with pytest.raises(KGError) as err:
        read_source(project, "no-such-source", "data/claims/no-such-source.yaml", 1)
    assert err.value.path == "data/claims/no-such-source.yaml"
    assert "not found" in err.value.message


def test_a_metadata_id_that_differs_from_the_file_name_is_refused(project):
    edit(project.sources_dir / f"{SOURCE_ID}.meta.yaml", f"id: {SOURCE_ID}", "id: other")
    with pytest.raises(KGError, match="does not match the file name"):
        read_source(project, SOURCE_ID, "x", 1)


def test_an_edited_text_is_refused(project):
    path = project.sources_dir / f"{SOURCE_ID}.txt"
    path.write_bytes(path.read_bytes() + b" ")
    with pytest.raises(KGError, match="SHA-256"):
        read_source(project, SOURCE_ID, "x", 1)


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("kind: cited", "kind: quoted", "unknown key 'url' for a quoted source"),
        ("kind: cited", "kind: web", "kind must be quoted or cited"),
        ("kind: cited", "kind: [cited]", "kind must be quoted or cited"),
        ("retrieved: 2026-12-02", "retrieved: yesterday", "retrieved must be a date"),
        ("url: https://www.computerweekly.com", "url: www.computerweekly.com", "url must be an http(s) URL"),
        ("language: en", "language: English", "is not a language tag"),
        ("publisher: 'Computer Weekly'", "publisher: 'Computer Weekly'\nsha256: abc", "unknown key 'sha256' for a cited source"),
        ("title: not given\n", "", "missing 'title'"),
    ],
)
def test_a_malformed_cited_record_is_refused(project, old, new, message):
    edit(project.sources_dir / f"{CITED}.meta.yaml", old, new)
    with pytest.raises(KGError) as err:
        read_source(project, CITED, "x", 1)
    assert message in err.value.message
    assert err.value.path == f"data/sources/{CITED}.meta.yaml" and err.value.hint


def test_a_cited_page_without_a_title_needs_our_label(project):
    path = project.sources_dir / f"{CITED}.meta.yaml"
    path.write_text("".join(line for line in path.read_text(encoding="utf-8").splitlines(True) if not line.startswith("label:")),
                    encoding="utf-8")
    with pytest.raises(KGError, match="needs a label"):
        read_source(project, CITED, "x", 1)


def test_a_cited_source_may_not_keep_a_text(project):
    (project.sources_dir / f"{CITED}.txt").write_text("copied sentences", encoding="utf-8")
    with pytest.raises(KGError, match="keeps no text"):
        read_source(project, CITED, "x", 1)

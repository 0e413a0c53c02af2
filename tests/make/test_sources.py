"""Source texts are byte-for-byte copies, checked against the SHA-256 in their metadata record."""

import hashlib

import pytest

from kg.errors import KGError
from kg.make.sources import read_source
from tests.conftest import ROOT, SOURCE_ID, edit


def test_the_source_is_read_as_unicode_with_its_metadata(project):
    source = read_source(project, SOURCE_ID, "x", 1)
    raw = (ROOT / "data" / "sources" / f"{SOURCE_ID}.txt").read_bytes()
    assert source.sha256 == hashlib.sha256(raw).hexdigest()
    assert source.text == raw.decode("utf-8")
    assert not source.text.endswith("\n")
    assert source.text.endswith("Original Source: asianews.network")
    assert source.original_source == "asianews.network"
    assert source.language == "en"
    assert "aigov-kg" in source.title_note


def test_the_copy_is_identical_to_the_given_article():
    given = ROOT.parent / "shared" / "sources" / f"{SOURCE_ID}.txt"
    if not given.exists():
        pytest.skip("the shared sources folder is not beside this checkout")
    assert (ROOT / "data" / "sources" / f"{SOURCE_ID}.txt").read_bytes() == given.read_bytes()


def test_a_missing_source_names_the_facts_file(project):
    with pytest.raises(KGError) as err:
        read_source(project, "no-such-source", "data/facts/no-such-source.yaml", 1)
    assert err.value.path == "data/facts/no-such-source.yaml"
    assert "not found" in err.value.message


def test_a_metadata_id_that_differs_from_the_file_name_is_refused(project):
    edit(project.sources_dir / f"{SOURCE_ID}.meta.yaml", f"id: {SOURCE_ID}", "id: other")
    with pytest.raises(KGError, match="does not match the file name"):
        read_source(project, SOURCE_ID, "x", 1)


def test_subjects_must_be_a_list(project):
    meta = project.sources_dir / f"{SOURCE_ID}.meta.yaml"
    text = meta.read_text(encoding="utf-8")
    start = text.index("subjects:")
    end = text.index("sha256:")
    meta.write_text(text[:start] + "subjects: AI governance\n" + text[end:], encoding="utf-8")
    with pytest.raises(KGError, match="subjects must be a list"):
        read_source(project, SOURCE_ID, "x", 1)

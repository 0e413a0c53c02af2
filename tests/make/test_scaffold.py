"""kg source add: a new source's files, ready to fill and to build; nothing written on bad input."""

import hashlib

import pytest

from kg.errors import KGError, UsageError
from kg.make.loader import load
from kg.make.scaffold import NewSource, add_source
from tests.conftest import kg_cli


def written(project):
    return sorted(p.name for d in (project.sources_dir, project.claims_dir) for p in d.iterdir())


def test_a_cited_source_gets_its_record_and_an_empty_claims_file_that_builds(project):
    before = written(project)
    paths = add_source(project, NewSource(id="example-page", url="https://example.org/news/1", label="Example page about the summit",
                                          publisher="Example News", published="2025-02-11", retrieved="2026-12-02"))
    assert sorted(p.name for p in paths) == ["example-page.meta.yaml", "example-page.yaml"]
    meta = (project.sources_dir / "example-page.meta.yaml").read_text(encoding="utf-8")
    assert "title: not given" in meta and "authors: not given" in meta and 'publisher: "Example News"' in meta
    claims = (project.claims_dir / "example-page.yaml").read_text(encoding="utf-8")
    assert "locator:" in claims and "claims: []" in claims and "Never copy a sentence" in claims
    loaded = load(project)  # the new files are valid inputs as they stand
    source = loaded.sources["example-page"]
    assert source.kind == "cited" and source.not_given() == ("title", "authors") and source.label_is_ours
    assert len(written(project)) == len(before) + 2


def test_a_quoted_source_keeps_its_text_byte_for_byte(project, tmp_path):
    text = tmp_path / "article.txt"
    text.write_bytes("Sixty “countries” signed.\r\nNo final newline".encode("utf-8"))
    add_source(project, NewSource(id="my-article", text=text, title="Our title", rights="published under CC BY 4.0"))
    kept = project.sources_dir / "my-article.txt"
    assert kept.read_bytes() == text.read_bytes()
    meta = (project.sources_dir / "my-article.meta.yaml").read_text(encoding="utf-8")
    assert f"sha256: {hashlib.sha256(text.read_bytes()).hexdigest()}" in meta
    assert "quote:" in (project.claims_dir / "my-article.yaml").read_text(encoding="utf-8")
    assert load(project).sources["my-article"].text == text.read_bytes().decode("utf-8")


@pytest.mark.parametrize(
    "new, message",
    [
        (NewSource(id="Bad Id", url="https://example.org/"), "not a valid source id"),
        (NewSource(id="x", url="https://example.org/", text=None, label=None), "give --label"),
        (NewSource(id="x"), "give --text FILE"),
        (NewSource(id="x", url="ftp://example.org/", label="x"), "not an http(s) URL"),
        (NewSource(id="x", url="https://example.org/", label="x", published="last Tuesday"), "not a date"),
        (NewSource(id="x", url="https://example.org/", label="x", language="English"), "not a language tag"),
        (NewSource(id="asianews-china-paris-ai-summit", url="https://example.org/", label="x"), "already exists"),
        (NewSource(id="china", url="https://example.org/", label="x"), "is an entity id"),
        (NewSource(id="x", url="https://example.org/", label="x", published="2030-01-01", retrieved="2026-12-02"), "is after --retrieved"),
        (NewSource(id="x", url="https://example.org/", label="x", retrieved="not given"), "cannot be 'not given'"),
    ],
)
def test_bad_values_write_nothing(project, new, message):
    before = written(project)
    with pytest.raises(KGError) as err:
        add_source(project, new)
    assert message in err.value.message and err.value.hint
    assert written(project) == before


@pytest.mark.parametrize(
    "new",
    [
        NewSource(id="2025-02-11", url="https://example.org/", label="x"),  # YAML would read a date
        NewSource(id="null", url="https://example.org/", label="x"),  # ... nothing
        NewSource(id="norway-page", url="https://example.org/", label="x", language="no"),  # ... false
        NewSource(id="colon-url", url="https://example.org/e:", label="x"),  # ... a mapping
    ],
)
def test_values_yaml_would_misread_are_written_so_the_build_reads_them(project, new):
    add_source(project, new)
    source = load(project).sources[new.id]
    assert source.id == new.id and source.language == new.language and source.url == new.url


def test_a_text_that_is_not_utf8_is_refused(project, tmp_path):
    text = tmp_path / "latin1.txt"
    text.write_bytes("café".encode("latin-1"))
    before = written(project)
    with pytest.raises(KGError, match="not UTF-8"):
        add_source(project, NewSource(id="latin", text=text, title="t", rights="r"))
    with pytest.raises(UsageError, match="--rights"):
        add_source(project, NewSource(id="latin", text=text, title="t"))
    assert written(project) == before


def test_the_command_line(project):
    result = kg_cli("source", "add", "cli-page", "--url", "https://example.org/p", "--title", "A Title As Published",
                    "--author", "A. Writer", "--published", "2025-02-12", project=project)
    assert result.returncode == 0, result.stderr
    assert "wrote data/sources/cli-page.meta.yaml" in result.stderr and "next: fill in data/claims/cli-page.yaml" in result.stderr
    meta = (project.sources_dir / "cli-page.meta.yaml").read_text(encoding="utf-8")
    assert 'authors: ["A. Writer"]' in meta and "published: 2025-02-12" in meta
    again = kg_cli("source", "add", "cli-page", "--url", "https://example.org/p", "--title", "t", project=project)
    assert again.returncode == 1 and "already exists" in again.stderr
    assert kg_cli("source", "add", "x", "--url", "https://e.org", "--text", "f.txt", project=project).returncode == 2

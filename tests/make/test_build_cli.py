"""`python build.py` end to end: each kind of bad input gives file, line and problem, exit 1,
and leaves dist/ untouched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SOURCE_ID, edit, run_build

CLAIMS = f"data/claims/{SOURCE_ID}.yaml"
ENTITIES = "data/entities.yaml"
MAPPINGS = "data/mappings/wikidata.sssom.tsv"
META = f"data/sources/{SOURCE_ID}.meta.yaml"
CITED = "data/claims/newamerica-inside-look-paris-summit.yaml"


def line_of(path: Path, text: str) -> int:
    """1-based line of the first occurrence of ``text`` in ``path``."""
    content = path.read_text(encoding="utf-8")
    assert text in content
    return content[: content.index(text)].count("\n") + 1


def snapshot(dist: Path) -> dict[str, bytes]:
    """Every file under ``dist``, the site's included, by its path there."""
    return {str(p.relative_to(dist)): p.read_bytes() for p in sorted(dist.rglob("*")) if p.is_file()}


APPENDED_CLAIM = """
  - subject: china
    property: endorsed
    object: ai-action-summit
    quote: the recent Artificial Intelligence Action Summit in Paris
"""

# (name, file edited, old text, new text, file named in the error, text whose line is named, message part)
BAD_INPUTS = [
    ("malformed-yaml", ENTITIES, "  - id: paris\n    type: Place", "  - id: paris\n    type: [Place", ENTITIES, "    label: Paris", "malformed YAML"),
    ("unknown-class", ENTITIES, "type: Place\n    label: Paris", "type: Plac\n    label: Paris", ENTITIES, "  - id: paris", "unknown class aig:Plac"),
    ("unknown-property", CLAIMS, "property: heldIn", "property: heldAt", CLAIMS, "  - subject: ai-action-summit\n    property: heldAt", "unknown property aig:heldAt"),
    ("unknown-entity", CLAIMS, "object: paris\n", "object: pariss\n", CLAIMS, "  - subject: ai-action-summit\n    property: heldIn", "unknown entity id 'pariss'"),
    ("quote-not-in-source", CLAIMS, "quote: the U.S. maintained an “America first” approach\n", 'quote: the U.S. maintained an "America first" approach\n', CLAIMS, 'quote: the U.S. maintained an "America first" approach', "quote not found in the source"),
    ("quote-found-twice", CLAIMS, "    quote: Experts remark that\n", "    quote: the summit\n", CLAIMS, "quote: the summit", "found 2 times"),
    ("duplicate-id", ENTITIES, "id: japan", "id: france", ENTITIES, "  - id: france\n    type: Nation\n    label: Japan", "duplicate entity id 'france'"),
    ("malformed-qid", MAPPINGS, "wd:Q148\t", "wd:148\t", MAPPINGS, "aigid:china", "is not a well-formed Wikidata item"),
    ("wrong-literal", CLAIMS, "value: 58", "value: fifty-eight", CLAIMS, "  - subject: statement-on-inclusive-and-sustainable-ai\n    property: signatoryCount", "takes a whole number from 0"),
    ("edited-source", f"data/sources/{SOURCE_ID}.txt", "58 nations endorsed", "59 nations endorsed", META, "sha256:", "SHA-256"),
    ("quote-for-a-cited-page", CITED, "value: 60, counted: nations", "value: 60, quote: 60 countries, counted: nations", CITED, "  - {subject: statement", "not both"),
]


@pytest.mark.parametrize(
    "file, old, new, named_file, named_text, message",
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_is_reported_and_dist_untouched(project, file, old, new, named_file, named_text, message):
    project.dist.mkdir()
    (project.dist / "kg.ttl").write_text("# the previous build\n", encoding="utf-8")
    before = snapshot(project.dist)
    edit(project.root / file, old, new)
    expected_line = line_of(project.root / named_file, named_text)

    result = run_build(project)

    assert result.returncode == 1, result.stderr
    assert f"Error: {named_file}:{expected_line}: " in result.stderr
    assert message in result.stderr
    assert "fix:" in result.stderr
    assert snapshot(project.dist) == before
    assert not list(project.root.glob(".dist-*"))


def test_inconsistent_claim_names_the_clash_and_its_line(project):
    claims = project.root / CLAIMS
    claims.write_text(claims.read_text(encoding="utf-8") + APPENDED_CLAIM, encoding="utf-8")
    expected_line = line_of(claims, "  - subject: china\n    property: endorsed\n    object: ai-action-summit")
    assert run_build(project, "reason").returncode == 1
    result = run_build(project)
    assert result.returncode == 1
    assert f"Error: {CLAIMS}:{expected_line}: the facts make the ontology inconsistent" in result.stderr
    assert "ai-action-summit would be both Event" in result.stderr and "Text" in result.stderr
    assert not project.dist.exists()


def test_a_failed_build_keeps_the_previous_dist(project):
    assert run_build(project).returncode == 0
    before = snapshot(project.dist)
    edit(project.root / ENTITIES, "type: Place\n    label: Paris", "type: Plac\n    label: Paris")
    assert run_build(project).returncode == 1
    assert snapshot(project.dist) == before


def test_build_prints_each_step_with_counts_and_time(project):
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["load", "validate", "reason", "publish"]
    entities = (project.root / "data" / "entities.yaml").read_text(encoding="utf-8").count("\n  - id: ")
    cited = sum(1 for path in project.sources_dir.glob("*.meta.yaml") if "kind: cited" in path.read_text(encoding="utf-8"))
    assert f"{entities} entities (12 linked to Wikidata)" in lines[0] and f"(1 quoted, {cited} cited)" in lines[0]
    assert cited >= 70 and "disagreement(s)" in lines[0]
    assert "checks passed" in lines[1]
    assert "consistent" in lines[2]
    assert all(" s  " in line for line in lines)


def test_build_stops_after_the_named_step(project):
    result = run_build(project, "validate")
    assert result.returncode == 0, result.stderr
    assert [line.split()[0] for line in result.stdout.splitlines()] == ["load", "validate"]
    assert not project.dist.exists()


def test_usage_errors_exit_2_and_help_lists_the_steps(project):
    assert run_build(project, "deploy").returncode == 2
    result = run_build(project, "--help")
    assert result.returncode == 0
    for step in ("load", "validate", "reason", "publish"):
        assert step in result.stdout


def test_a_closed_pipe_stops_the_build_quietly(project):
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody reads: the first line printed meets a broken pipe
    try:
        result = subprocess.run(
            [sys.executable, str(ROOT / "build.py"), "--project", str(project.root)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 141
    assert "Traceback" not in result.stderr
    assert not project.dist.exists()

"""kg diff's library (kg/use/diff.py): what changed between two builds, by entity and by claim.

Three copies of the project are built once for the module, side by side: the sources as they
are (twice, under different hash seeds) and with an edit to data/ (an entity's label made
hostile, an entity added, a claim removed, one added, one's note changed). The other cases
(blank nodes, evidence, acceptance, damaged files) edit a copy of a built dist/ directly.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import KGError, UsageError
from kg.use.diff import Diff, build_of, diff, md, render, to_json
from tests.conftest import ROOT, copy_project, edit

ID = "https://w3id.org/aigov/id/"
CLAIM = "https://w3id.org/aigov/claim/"
AKEX = "data/claims/akex-seoul-10-nations-and-eu.yaml"
HOSTILE = "Grand Palais\n# <b>*x*</b> [a](b) `c` & |d|"
REMOVED_CLAIM = CLAIM + "akex-seoul-10-nations-and-eu/1bc4be4adedd5d33"  # japan endorsed seoul-declaration
ADDED_CLAIM = CLAIM + "akex-seoul-10-nations-and-eu/f9417079a21587fe"  # japan participatedIn ai-seoul-summit
NOTED_CLAIM = CLAIM + "akex-seoul-10-nations-and-eu/02cddcd23a8c67b5"  # seoul-declaration adoptedOn 2024-05-21


def _edit_sources(root: Path) -> None:
    edit(root / "data/entities.yaml", "    label: Grand Palais\n", "    label: " + json.dumps(HOSTILE) + "\n")
    edit(root / "data/entities.yaml", "  - id: grand-palais\n", '  - id: test-place\n    type: Place\n    label: "- Test <i>place</i>"\n\n  - id: grand-palais\n')
    edit(root / AKEX, "  - {subject: japan, property: endorsed, object: seoul-declaration, locator: fourth paragraph}\n", "")
    edit(root / AKEX, "claims:\n", "claims:\n  - {subject: japan, property: participatedIn, object: ai-seoul-summit, locator: first paragraph}\n")
    edit(root / AKEX, 'note: "signed on 21 May 2024"', 'note: "signed on 21 May 2024 in Seoul"')


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The dist/ folders of three builds made at once: ``base``, ``again`` (the same sources,
    another hash seed) and ``edited``."""
    top = tmp_path_factory.mktemp("diff")
    projects = {name: copy_project(top / name) for name in ("base", "again", "edited")}
    _edit_sources(projects["edited"].root)
    running = {
        name: subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--project", str(p.root)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "PYTHONHASHSEED": "1" if name == "again" else "0"})
        for name, p in projects.items()
    }
    for name, process in running.items():
        output, _ = process.communicate()
        assert process.returncode == 0, f"{name}: {output[-3000:]}"
    return {name: p.dist for name, p in projects.items()}


@pytest.fixture(scope="module")
def edited(builds: dict[str, Path]) -> Diff:
    return diff(builds["base"], builds["edited"])


def _iris(items: tuple) -> list[str]:  # type: ignore[type-arg]
    return [item.iri for item in items]


# --- the builds --------------------------------------------------------------------------------


def test_build_id_is_the_site_footers(builds: dict[str, Path]) -> None:
    for dist in builds.values():
        footer = re.search(r"build ([0-9a-f]{16})", (dist / "site" / "index.html").read_text(encoding="utf-8"))
        assert footer and build_of(dist)["build"] == footer[1]
    assert build_of(builds["base"])["build"] == build_of(builds["again"])["build"] != build_of(builds["edited"])["build"]


def test_same_sources_give_an_empty_diff(builds: dict[str, Path]) -> None:
    d = diff(builds["base"], builds["again"])
    assert d.empty
    assert d.counts["quads_added"] == d.counts["quads_removed"] == 0
    assert d.counts["old_quads"] == d.counts["new_quads"] > 10_000
    assert "No changes" in render(d, "text")
    assert json.loads(render(d, "json"))["empty"] is True


# --- an edit to data/ shows exactly those changes ----------------------------------------------


def test_an_edit_shows_exactly_its_changes(edited: Diff) -> None:
    assert not edited.empty
    assert _iris(edited.entities_added) == [ID + "test-place"]
    assert edited.entities_added[0].label == "- Test <i>place</i>"
    assert _iris(edited.entities_removed) == []
    assert _iris(edited.entities_changed) == [ID + "grand-palais"]
    palais = edited.entities_changed[0]
    assert [(s.property_label, s.value_label) for s in palais.added] == [("rdfs:label", HOSTILE)]
    assert [(s.property_label, s.value_label) for s in palais.removed] == [("rdfs:label", "Grand Palais")]
    assert palais.label == HOSTILE

    assert _iris(edited.claims_added) == [ADDED_CLAIM]
    assert (edited.claims_added[0].label, edited.claims_added[0].source) == ("Japan · participated in · AI Seoul Summit", "akex-seoul-10-nations-and-eu")
    assert _iris(edited.claims_removed) == [REMOVED_CLAIM]
    assert edited.claims_removed[0].label == "Japan · endorsed · Seoul Declaration"
    assert edited.claims_removed[0].accepted  # it was accepted (other sources say so too)
    assert _iris(edited.claims_changed) == [NOTED_CLAIM]
    noted = edited.claims_changed[0]
    assert noted.label == "Seoul Declaration · adopted on · 2024-05-21"
    assert [s.value for s in noted.added] == ['"signed on 21 May 2024 in Seoul"@en']
    assert [s.value for s in noted.removed] == ['"signed on 21 May 2024"@en']
    assert noted.evidence == () and noted.accepted is None

    for section in ("sources_added", "sources_removed", "sources_changed",
                    "disagreements_appeared", "disagreements_resolved", "disagreements_changed"):
        assert getattr(edited, section) == (), section
    assert not edited.ontology_changed
    assert edited.counts["new_entities"] == edited.counts["old_entities"] + 1
    assert edited.counts["new_claims"] == edited.counts["old_claims"]


def test_the_reverse_diff_swaps_added_and_removed(builds: dict[str, Path], edited: Diff) -> None:
    back = diff(builds["edited"], builds["base"])
    assert _iris(back.entities_removed) == _iris(edited.entities_added)
    assert _iris(back.claims_added) == _iris(edited.claims_removed)
    assert _iris(back.claims_removed) == _iris(edited.claims_added)
    assert back.entities_changed[0].added == edited.entities_changed[0].removed
    assert back.counts["quads_added"] == edited.counts["quads_removed"]


def test_the_diff_is_deterministic(builds: dict[str, Path], edited: Diff) -> None:
    assert render(diff(builds["base"], builds["edited"]), "json") == render(edited, "json")
    assert render(diff(builds["again"], builds["edited"]), "text").splitlines()[1:] == render(edited, "text").splitlines()[1:]


# --- output ------------------------------------------------------------------------------------


def test_text_is_markdown_one_line_per_bullet(edited: Diff) -> None:
    text = render(edited, "text")
    lines = text.splitlines()
    assert lines[0].startswith("# Changes from build ")
    assert lines[2].startswith("Summary: 1 entity added, 0 removed, 1 changed; 1 claim added, 1 removed, 1 changed;")
    headings = [line for line in lines if line.startswith("## ")]
    assert headings == ["## Entities added", "## Entities changed", "## Claims added", "## Claims removed", "## Claims changed"]
    # the hostile label: escaped, on the bullet's own line, its newline written \n
    bullet = next(line for line in lines if line.endswith(f"<{ID}grand-palais>"))
    assert bullet == r"- Grand Palais\n\# \<b\>\*x\*\</b\> \[a\](b) \`c\` \& \|d\| <https://w3id.org/aigov/id/grand-palais>"
    assert r"  - added: rdfs:label " in text and r'  - removed: rdfs:label "Grand Palais"@en' in text
    assert f"- \\- Test \\<i\\>place\\</i\\> (place) <{ID}test-place>" in lines
    assert "<b>" not in text and "<i>" not in text
    assert f"- Japan · endorsed · Seoul Declaration (source akex-seoul-10-nations-and-eu; accepted) <{REMOVED_CLAIM}>" in lines
    assert '  - added: note (skos:note) "signed on 21 May 2024 in Seoul"@en' in lines
    for line in lines:  # every line is a heading, a bullet, the summary or blank
        assert line == "" or line.startswith(("# ", "## ", "- ", "  - ", "    - ", "Summary: "))


def test_json_parses_with_stable_keys(edited: Diff) -> None:
    text = render(edited, "json")
    data = json.loads(text)
    assert data == json.loads(json.dumps(to_json(edited)))
    assert list(data) == sorted(data)
    assert set(data) == {"claims", "counts", "disagreements", "empty", "entities", "new", "old", "ontology_changed", "sources"}
    assert data["entities"]["changed"][0]["added"][0]["value_label"] == HOSTILE
    assert [c["iri"] for c in data["claims"]["removed"]] == [REMOVED_CLAIM]
    assert data["old"] == edited.old and data["new"] == edited.new
    assert set(data["old"]) == {"build", "version"}


def test_md_escapes_what_markdown_and_terminals_act_on() -> None:
    assert md("a\nb\r\tc\u2028") == r"a\nb\r\tc\u2028"
    assert md("\x1b[31mred") == r"\x1b\[31mred"
    assert md("<script>&amp;") == r"\<script\>\&amp;"
    assert md(r"back\slash") == r"back\\slash"
    assert md("Mission 1.0 - Phase") == "Mission 1.0 - Phase"  # ordinary text stays as it reads


def test_an_unknown_format_is_a_usage_error(edited: Diff) -> None:
    with pytest.raises(UsageError, match="unknown format"):
        render(edited, "yaml")


# --- edits to a built dist/ --------------------------------------------------------------------

KEEP = ("SHA256SUMS", "kg.nq", "ontology.nt", "void.ttl")


def _variant(dist: Path, target: Path, change=None) -> Path:  # type: ignore[no-untyped-def]
    """A copy of the files of ``dist`` the diff reads, its kg.nq's lines passed through
    ``change`` and its checksum updated, as a build would have written it."""
    target.mkdir(parents=True)
    for name in KEEP:
        shutil.copy(dist / name, target / name)
    if change is not None:
        lines = (dist / "kg.nq").read_bytes().decode("utf-8").splitlines()
        content = ("\n".join(change(lines)) + "\n").encode("utf-8")
        (target / "kg.nq").write_bytes(content)
        sums = (target / "SHA256SUMS").read_text(encoding="utf-8")
        sums = re.sub(r"^[0-9a-f]{64}  kg\.nq$", f"{hashlib.sha256(content).hexdigest()}  kg.nq", sums, flags=re.M)
        (target / "SHA256SUMS").write_text(sums, encoding="utf-8")
    return target


def test_blank_nodes_are_compared_by_content(builds: dict[str, Path], tmp_path: Path) -> None:
    renamed = _variant(builds["base"], tmp_path / "renamed",
                       lambda lines: sorted(re.sub(r"_:fact-([0-9a-f]+)", lambda m: "_:other" + m[1][::-1], line) for line in lines))
    assert (renamed / "kg.nq").read_bytes() != (builds["base"] / "kg.nq").read_bytes()
    d = diff(builds["base"], renamed)
    assert d.empty and d.counts["quads_added"] == 0


def test_lines_out_of_order_are_compared_all_the_same(builds: dict[str, Path], tmp_path: Path) -> None:
    shuffled = _variant(builds["base"], tmp_path / "shuffled", lambda lines: list(reversed(lines)))
    assert diff(builds["base"], shuffled).empty


def test_evidence_and_acceptance_changes_are_told(builds: dict[str, Path], tmp_path: Path) -> None:
    nq = (builds["base"] / "kg.nq").read_text(encoding="utf-8")
    quote = re.search(r'^(<https://w3id.org/aigov/id/evidence/([^/]+)/\d+-\d+)/quote> <http://www.w3.org/ns/oa#exact> "([^"]+)" (<https://w3id.org/aigov/graph/source/[^>]+>) \.$', nq, re.M)
    assert quote
    evidence, exact = quote[1], quote[3]
    users = sorted(set(re.findall(rf"^<({CLAIM}[^>]+)> <https://w3id.org/aigov/ontology#evidence> {re.escape(evidence)}> {re.escape(quote[4])} \.$", nq, re.M)))
    assert users
    axiom = re.search(rf"^(_:\S+) <https://w3id.org/aigov/ontology#claim> <({CLAIM}[^>]+)> ", nq, re.M)
    assert axiom

    def change(lines: list[str]) -> list[str]:
        lines = [line.replace(f'"{exact}"', f'"{exact} (changed)"') if line.startswith(evidence + "/quote> <http://www.w3.org/ns/oa#exact>") else line
                 for line in lines]
        return [line for line in lines if not line.startswith(axiom[1] + " ")]

    d = diff(builds["base"], _variant(builds["base"], tmp_path / "changed", change))
    changed = {c.iri: c for c in d.claims_changed}
    assert set(changed) == set(users) | {axiom[2]}
    for iri in users:
        assert [e.iri for e in changed[iri].evidence] == [evidence[1:] + "/quote"]
        assert [s.value_label for s in changed[iri].evidence[0].added] == [f"{exact} (changed)"]
        assert [s.value_label for s in changed[iri].evidence[0].removed] == [exact]
    assert changed[axiom[2]].accepted == (True, False)
    text = render(d, "text")
    assert "  - no longer accepted" in text and "  - evidence " in text
    assert d.entities_changed == () and d.claims_added == () and d.claims_removed == ()


# --- errors ------------------------------------------------------------------------------------


def test_a_missing_directory_is_named(builds: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        diff(tmp_path / "nowhere", builds["base"])
    assert str(tmp_path / "nowhere") in str(caught.value) and "python build.py" in str(caught.value)


def test_a_folder_that_is_no_build_is_named(builds: dict[str, Path], tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="is not a build") as caught:
        diff(builds["base"], tmp_path / "empty")
    assert "python build.py" in str(caught.value)
    with pytest.raises(UsageError, match="pass its dist/ folder") as caught:  # the project, not its dist/
        diff(builds["base"].parent, builds["base"])
    assert str(builds["base"]) in str(caught.value)


def test_a_truncated_dataset_is_a_clear_error(builds: dict[str, Path], tmp_path: Path) -> None:
    cut = _variant(builds["base"], tmp_path / "cut")
    content = (cut / "kg.nq").read_bytes()
    (cut / "kg.nq").write_bytes(content[: len(content) // 2])
    with pytest.raises(KGError, match="damaged") as caught:
        diff(builds["base"], cut)
    assert str(cut / "kg.nq") in str(caught.value) and "python build.py" in str(caught.value)
    (cut / "kg.nq").write_bytes(content[: content.rindex(b"\n", 0, len(content) // 2) + 1])  # whole lines, fewer
    with pytest.raises(KGError, match="SHA-256"):
        diff(builds["base"], cut)


def test_a_damaged_checksum_list_or_line_is_a_clear_error(builds: dict[str, Path], tmp_path: Path) -> None:
    bad = _variant(builds["base"], tmp_path / "sums")
    (bad / "SHA256SUMS").write_bytes(b"\xff\xfe not a list\n")
    with pytest.raises(KGError, match="damaged"):
        build_of(bad)
    garbled = _variant(builds["base"], tmp_path / "garbled", lambda lines: sorted([*lines, "<a> <b> not rdf <c> ."]))
    with pytest.raises(KGError, match="not valid N-Quads"):
        diff(builds["base"], garbled)


def test_a_source_dropped_and_a_disagreement_resolved(builds: dict[str, Path], tmp_path: Path) -> None:
    nq = (builds["base"] / "kg.nq").read_text(encoding="utf-8")
    disagreement = re.search(r"^<(https://w3id.org/aigov/disagreement/[^>]+)> ", nq, re.M)
    assert disagreement
    graph = "<https://w3id.org/aigov/graph/source/akex-seoul-10-nations-and-eu> ."
    claims = sorted(set(re.findall(rf"^<({CLAIM}akex-seoul-10-nations-and-eu/[^>]+)> \S+ \S+ {re.escape(graph)}$", nq, re.M)))
    fewer = _variant(builds["base"], tmp_path / "fewer", lambda lines: [
        line for line in lines if not line.endswith(graph) and not line.startswith(f"<{disagreement[1]}> ")])
    d = diff(builds["base"], fewer)
    assert [(s.iri, s.detail) for s in d.sources_removed] == [(ID + "akex-seoul-10-nations-and-eu", f"{len(claims)} claims")]
    assert _iris(d.disagreements_resolved) == [disagreement[1]]
    assert sorted(_iris(d.claims_removed)) == claims
    assert d.claims_added == d.claims_changed == d.entities_removed == d.sources_added == ()
    back = diff(fewer, builds["base"])
    assert _iris(back.sources_added) == [ID + "akex-seoul-10-nations-and-eu"] and _iris(back.disagreements_appeared) == [disagreement[1]]
    text = render(back, "text")
    assert "## Sources added" in text and "## Disagreements appeared" in text

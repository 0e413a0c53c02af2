"""The dataset as a whole, end to end (`python build.py`, `kg conflicts`): a source that
contradicts the others is built, reported and kept out of the accepted graph; a curator's
decision settles it; a retracted source takes exactly its claims with it.

The contradicting page is test data made up here (example.org), never a claim about the world.
"""

import json

import pytest

from kg.make.scaffold import NewSource, add_source
from tests.conftest import copy_project, kg_cli, run_build

CONTRARY = "contrary-test-page"
US = "https://w3id.org/aigov/id/united-states"
STATEMENT = "https://w3id.org/aigov/id/statement-on-inclusive-and-sustainable-ai"
AIG = "https://w3id.org/aigov/ontology#"


def add_contrary_source(project):
    add_source(project, NewSource(id=CONTRARY, url="https://example.org/contrary", label="A made-up page that contradicts the others (test data)",
                                  retrieved="2026-12-02"))
    (project.claims_dir / f"{CONTRARY}.yaml").write_text(f"""source: {CONTRARY}
claims:
  - {{subject: united-states, property: endorsed, object: statement-on-inclusive-and-sustainable-ai, locator: first paragraph}}
  - {{subject: statement-on-inclusive-and-sustainable-ai, property: signatoryCount, value: 70, counted: nations, bound: exactly, locator: headline}}
  - {{subject: ai-action-summit, property: startDate, value: 2025-02-09, locator: second paragraph}}
""", encoding="utf-8")


def nquads(project):
    return set((project.dist / "kg.nq").read_text(encoding="utf-8").splitlines())


def accepted(project):
    return set((project.dist / "kg.nt").read_text(encoding="utf-8").splitlines())


def conflicts(project):
    result = kg_cli("conflicts", "--format", "json", project=project)
    assert result.returncode == 0, result.stderr
    return {c["label"]: c for c in json.loads(result.stdout)}


@pytest.fixture(scope="module")
def contradicted(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("contradicted") / "project")
    add_contrary_source(project)
    result = run_build(project)
    assert result.returncode == 0, result.stderr  # a disagreement never stops the build
    return project, result


def unsettled(project):
    return sum(1 for c in conflicts(project).values() if c["settlement"] == "unsettled")


def test_the_build_succeeds_and_says_what_is_unsettled(contradicted, built):
    _, result = contradicted
    assert f"{unsettled(built) + 2} unsettled; kg conflicts lists them" in result.stdout.splitlines()[0]  # the page adds two
    assert "the accepted graph is consistent" in result.stdout


def test_endorsed_against_declined_is_reported_and_neither_is_accepted(contradicted):
    project, _ = contradicted
    found = conflicts(project)
    us = found["United States: declined to endorse or endorsed"]
    assert us["settlement"] == "unsettled"
    by_property = {v["property"]: v for v in us["values"]}
    assert [s["source"] for s in by_property["endorsed"]["sources"]] == [CONTRARY]
    assert len(by_property["declined to endorse"]["sources"]) >= 10
    assert not any(v["accepted"] for v in us["values"])
    triples = accepted(project)
    assert f"<{US}> <{AIG}endorsed> <{STATEMENT}> ." not in triples
    assert f"<{US}> <{AIG}declinedToEndorse> <{STATEMENT}> ." not in triples


def test_a_differing_count_and_a_differing_date(contradicted):
    project, _ = contradicted
    found = conflicts(project)
    counts = found["Statement on Inclusive and Sustainable AI: signatory count"]
    assert counts["settlement"] == "kept as observations" and "70" in {v["value"] for v in counts["values"]}
    dates = found["Artificial Intelligence Action Summit: start date"]
    assert dates["settlement"] == "unsettled" and {v["value"] for v in dates["values"]} == {"2025-02-09", "2025-02-10"}
    assert not [t for t in accepted(project) if t.startswith("<https://w3id.org/aigov/id/ai-action-summit>") and f"<{AIG}startDate>" in t]


def test_fail_on_unresolved_is_for_ci(contradicted, built):
    project, _ = contradicted
    result = kg_cli("conflicts", "--fail-on", "unresolved", project=project)
    assert result.returncode == 1 and f"{unsettled(built) + 2} unsettled" in result.stderr
    assert "United States: declined to endorse or endorsed — unsettled" in result.stdout


def test_curators_decisions_settle_it_with_their_reasons(contradicted, built, tmp_path):
    project = copy_project(tmp_path / "decided")
    add_contrary_source(project)
    project.decisions.write_text("""decisions:
  - subject: united-states
    property: declinedToEndorse
    object: statement-on-inclusive-and-sustainable-ai
    rank: preferred
    reason: every other source says the United States did not sign (a test decision)
  - subject: ai-action-summit
    property: startDate
    value: 2025-02-09
    source: contrary-test-page
    rank: deprecated
    reason: the summit's own statement gives 10 February (a test decision)
""", encoding="utf-8")
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    found = conflicts(project)
    us = found["United States: declined to endorse or endorsed"]
    assert us["settlement"] == "settled by a decision" and "every other source says" in us["explanation"]
    assert f"<{US}> <{AIG}declinedToEndorse> <{STATEMENT}> ." in accepted(project)
    dates = found["Artificial Intelligence Action Summit: start date"]  # settled, and still on the record
    assert dates["settlement"] == "settled by a decision" and "the summit's own statement gives 10 February" in dates["explanation"]
    assert {v["value"]: v["rank"] for v in dates["values"]} == {"2025-02-09": "deprecated", "2025-02-10": "normal"}
    assert f'<https://w3id.org/aigov/id/ai-action-summit> <{AIG}startDate> "2025-02-10"^^<http://www.w3.org/2001/XMLSchema#date> .' in accepted(project)
    assert unsettled(project) == unsettled(built)  # the two this page opened are settled
    ranks = [q for q in nquads(project) if f"<{AIG}rank> <{AIG}DeprecatedRank>" in q]
    assert len(ranks) == 1 and CONTRARY in ranks[0]


def test_a_retracted_source_takes_exactly_its_claims_with_it(built, tmp_path):
    retracted = "hcamag-over-60-signatories"
    project = copy_project(tmp_path / "retracted")
    (project.sources_dir / f"{retracted}.meta.yaml").unlink()
    (project.claims_dir / f"{retracted}.yaml").unlink()
    assert run_build(project).returncode == 0
    before, after = nquads(built), nquads(project)
    graph = f"<https://w3id.org/aigov/graph/source/{retracted}> ."
    accepted_graph = "<https://w3id.org/aigov/graph/accepted> ."
    # every other source's graph is exactly as it was; the retracted one is gone
    assert {q for q in before if not q.endswith((graph, accepted_graph))} == {q for q in after if not q.endswith(accepted_graph)}
    claims = lambda quads: {q.split(" ")[0] for q in quads if f"<{AIG}Claim>" in q}  # noqa: E731
    assert claims(before) - claims(after) == {c for c in claims(before) if f"/claim/{retracted}/" in c}
    assert claims(after) <= claims(before)
    assert not [t for t in accepted(project) if retracted in t]
    # what only it said is no longer accepted; what others say too still is
    nz = "<https://w3id.org/aigov/id/new-zealand>"
    assert f"{nz} <{AIG}endorsed> <{STATEMENT}> ." in accepted(built) and f"{nz} <{AIG}endorsed> <{STATEMENT}> ." not in accepted(project)
    china = f"<https://w3id.org/aigov/id/china> <{AIG}endorsed> <{STATEMENT}> ."
    assert china in accepted(project)

"""The `kg` console script."""

import shutil
import subprocess
import sys

import pytest

from kg import __version__


def kg(*args, cwd=None):
    exe = shutil.which("kg")
    command = [exe] if exe else [sys.executable, "-m", "kg.cli"]
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=cwd, check=False)


def test_version():
    result = kg("--version")
    assert result.returncode == 0 and __version__ in result.stdout


def test_no_command_is_a_usage_error():
    assert kg().returncode == 2


def test_kg_build_builds_the_project_in_the_current_directory(project):
    result = kg("build", cwd=project.root)
    assert result.returncode == 0, result.stderr
    assert (project.dist / "kg.ttl").is_file()


def test_kg_build_reports_bad_input_with_exit_1(project):
    (project.claims_dir / "asianews-china-paris-ai-summit.yaml").write_text("source: [\n", encoding="utf-8")
    result = kg("build", cwd=project.root)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: data/claims/asianews-china-paris-ai-summit.yaml:")


@pytest.mark.parametrize("module", ["kg", "kg.errors", "kg.namespaces", "kg.project"])
def test_light_modules_import_no_heavy_library(module):
    code = f"import sys, {module}; print(sorted(m for m in ('rdflib', 'owlready2', 'pyshacl') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_kg_chart_writes_the_picture_its_output_names(built, tmp_path):
    svg, png = tmp_path / "s.svg", tmp_path / "c.png"
    result = kg("chart", "signatories", "--project", str(built.root), "--output", str(svg))
    assert result.returncode == 0, result.stderr
    assert svg.read_text(encoding="utf-8").startswith("<svg") and 'class="mark-rect' in svg.read_text(encoding="utf-8")
    result = kg("chart", "counts", "--project", str(built.root), "--param", "pledge=Bletchley Declaration", "--output", str(png))
    assert result.returncode == 0, result.stderr
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    spec = kg("chart", "counts", "--project", str(built.root), "--format", "json")
    assert spec.returncode == 0 and '"values"' in spec.stdout and '"url"' not in spec.stdout
    said = kg("chart", "signatories", "--project", str(built.root), "--describe")
    assert said.returncode == 0 and said.stdout.startswith("Parties per pledge")
    world = kg("chart", "map", "--project", str(built.root), "--param", "pledge=Statement on Inclusive and Sustainable AI", "--describe")
    assert world.returncode == 0 and "declined to endorse it (2): United Kingdom, United States" in world.stdout, world.stdout


def test_kg_diagram_draws_an_entity_or_the_ontology(built, tmp_path):
    svg = tmp_path / "eu.svg"
    result = kg("diagram", "european-union", "--project", str(built.root), "--output", str(svg))
    assert result.returncode == 0, result.stderr
    assert "European Union" in svg.read_text(encoding="utf-8")
    dot = kg("diagram", "--ontology", "--project", str(built.root), "--format", "dot")
    assert dot.returncode == 0 and dot.stdout.startswith("digraph")
    said = kg("diagram", "european-union", "--project", str(built.root), "--describe")
    assert said.returncode == 0 and "European Union" in said.stdout


@pytest.mark.parametrize("args, message", [
    (["chart", "nope"], "no chart 'nope'"),
    (["chart", "counts", "--output", "x.gif"], "cannot tell the format of --output x.gif"),
    (["chart", "counts", "--output", "x.svg", "--format", "png"], "conflicts with the extension"),
    (["diagram"], "give an entity, or --ontology"),
    (["diagram", "european-union", "--ontology"], "give an entity, or --ontology"),
    (["diagram", "no-such-entity"], "no entity 'no-such-entity'"),
], ids=["unknown-chart", "unknown-extension", "format-conflict", "nothing-to-draw", "both", "unknown-entity"])
def test_kg_chart_and_diagram_refuse_with_a_message(built, tmp_path, args, message):
    result = kg(*args, "--project", str(built.root), cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_kg_diff_reports_and_exits_as_diff_does(built, tmp_path):
    import json
    import shutil

    same = kg("diff", str(built.dist), str(built.dist), "--exit-code")
    assert same.returncode == 0 and "No changes" in same.stdout, same.stderr
    data = json.loads(kg("diff", str(built.dist), str(built.dist), "--format", "json").stdout)
    assert data["empty"] is True and data["old"] == data["new"]
    damaged = tmp_path / "dist"
    shutil.copytree(built.dist, damaged, ignore=shutil.ignore_patterns("site"))
    with (damaged / "kg.nq").open("r+b") as nq:
        nq.truncate(nq.seek(0, 2) // 2)
    for options, code in ((["--exit-code"], 2), ([], 1)):
        result = kg("diff", str(built.dist), str(damaged), *options)
        assert result.returncode == code and "Error:" in result.stderr and "Traceback" not in result.stderr
    missing = kg("diff", str(built.dist), str(tmp_path / "nothing"), "--exit-code")
    assert missing.returncode == 2 and "python build.py" in missing.stderr


def test_kg_htaccess_prints_the_sites_file_or_the_w3id_one(built):
    own = kg("htaccess")
    assert own.returncode == 0 and own.stdout.encode() == (built.dist / "site" / ".htaccess").read_bytes()
    w3id = kg("htaccess", "--target", "https://example.org/aigov-kg/")
    assert w3id.returncode == 0 and "RewriteRule ^(.*)$ https://example.org/aigov-kg/$1 [R=302,L]" in w3id.stdout
    bad = kg("htaccess", "--target", "https://example.org/a b/")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr

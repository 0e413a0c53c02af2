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

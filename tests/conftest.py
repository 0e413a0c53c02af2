"""Shared fixtures.

Tests never touch the repository's own dist/: each fixture works on a copy of the project's
hand-edited inputs (ontology/, data/, queries/) in a temporary directory.

- ``project``: a fresh, writable copy for a test that edits inputs or builds.
- ``built``: one copy built once per session (read-only by convention).
- ``store``: a pyoxigraph store holding the built ontology.ttl and kg.ttl.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest

from kg.build import run
from kg.project import Project

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ("ontology", "data", "queries")
SOURCE_ID = "asianews-china-paris-ai-summit"


def copy_project(target: Path) -> Project:
    """Copy the project's hand-edited inputs into ``target``."""
    for name in INPUTS:
        shutil.copytree(ROOT / name, target / name)
    return Project(target)


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in ``path`` with ``new``; fail if not exactly one."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def run_build(project: Project, *args: str, seed: str = "0") -> subprocess.CompletedProcess[str]:
    """Run ``python build.py --project`` on ``project`` in a new process."""
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--project", str(project.root), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Project:
    proj = copy_project(tmp_path_factory.mktemp("built") / "project")
    run(proj, say=lambda line: None)
    return proj


@pytest.fixture(scope="session")
def store(built: Project) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    for name in ("ontology.ttl", "kg.ttl"):
        store.load(path=str(built.dist / name), format=pyoxigraph.RdfFormat.TURTLE)
    return store


@pytest.fixture(scope="session")
def source_text() -> str:
    return (ROOT / "data" / "sources" / f"{SOURCE_ID}.txt").read_text(encoding="utf-8")

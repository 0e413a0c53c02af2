"""dist/ never vanishes: the swap is one atomic step, what a killed build leaves behind the next
one restores or removes, and every file is on disk before the swap.

The kills are real: strace stops ``python build.py`` with SIGKILL on entering the swap's system
call (``renameat2``), or, with ``renameat2`` made to fail as where it is unavailable, between
the two renames of the fallback.
"""

import re
import os
import shutil
import subprocess
import sys
import threading

import pytest

from kg.make.publish import recover_dist, write_dist
from tests.conftest import ROOT, run_build

STRACE = shutil.which("strace")


def _can_trace() -> bool:
    """Whether strace is installed and this machine lets it trace (some containers forbid ptrace)."""
    return STRACE is not None and subprocess.run([STRACE, "-o", os.devnull, "true"], capture_output=True).returncode == 0


needs_strace = pytest.mark.skipif(not _can_trace(), reason="needs strace, allowed to trace, to kill the build at the swap")


def traced_build(project, *strace_options: str) -> subprocess.CompletedProcess[str]:
    """``python build.py`` on ``project`` under strace with ``strace_options``."""
    command = [STRACE, "-f", *strace_options, sys.executable, str(ROOT / "build.py"), "--project", str(project.root)]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)


def contents(folder):
    """Every file under ``folder`` (the site's too), by its path there."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def published(project, built):
    """A project copy with the session's build in its dist/."""
    shutil.copytree(built.dist, project.dist)
    return project


@needs_strace
def test_a_build_killed_at_the_swap_keeps_dist_and_the_next_one_cleans_up_having_synced_every_file(published, tmp_path):
    before = contents(published.dist)
    killed = traced_build(published, "-o", "/dev/null", "-e", "trace=renameat2", "-e", "inject=renameat2:signal=SIGKILL")
    assert killed.returncode not in (0, 1, 2), killed.stderr  # killed, not a failure of its own
    assert contents(published.dist) == before
    assert [p.name.startswith(".dist-new-") for p in published.root.glob(".dist-*")] == [True]

    log = tmp_path / "strace.log"
    done = traced_build(published, "-y", "-o", str(log), "-e", "trace=fsync,fdatasync,renameat2")
    assert done.returncode == 0, done.stderr
    assert not list(published.root.glob(".dist-*"))
    assert contents(published.dist) == before  # the same inputs, the same bytes

    calls = [line.split(maxsplit=1)[1] for line in log.read_text(encoding="utf-8").splitlines() if " fsync(" in line or " renameat2(" in line]
    swap = next(i for i, call in enumerate(calls) if call.startswith("renameat2(") and "RENAME_EXCHANGE" in call and call.endswith("= 0"))
    staging = re.search(r'"([^"]*/\.dist-new-[^"/]*)"', calls[swap]).group(1)
    synced = [m.group(1) if (m := re.match(r"f(?:data)?sync\(\d+<([^>]*)>\) += 0", call)) else None for call in calls]
    assert {f"{staging}/{name}" for name in before} | {staging} <= set(synced[:swap])  # the files and their folder
    assert str(published.root) in synced[swap + 1:]  # the parent, which records the swap


@needs_strace
def test_a_kill_between_the_two_renames_of_the_fallback_is_recovered(published):
    before = contents(published.dist)
    killed = traced_build(published, "-o", "/dev/null", "-e", "trace=renameat2,rename",
                          "-e", "inject=renameat2:error=ENOSYS", "-e", "inject=rename:signal=SIGKILL:when=2")
    assert killed.returncode not in (0, 1, 2), killed.stderr
    assert not published.dist.exists()  # what a kill there did before this fix, for good
    assert len(list(published.root.glob(".dist-old-*/dist"))) == 1

    recover_dist(published)
    assert contents(published.dist) == before
    assert not list(published.root.glob(".dist-*"))


def test_the_next_build_restores_a_stranded_dist_and_removes_leftovers(published):
    before = contents(published.dist)
    stranded = published.root / ".dist-old-killed"
    stranded.mkdir()
    published.dist.rename(stranded / "dist")
    (published.root / ".dist-new-killed").mkdir()
    (published.root / ".dist-new-killed" / "kg.ttl").write_bytes(b"half written")

    with pytest.raises(IsADirectoryError):  # a publish that fails still finds the previous dist/ back
        write_dist(published, {"kg.ttl": b"new", "clash": b"never", "clash/x.ttl": b"never"})
    assert contents(published.dist) == before
    assert not list(published.root.glob(".dist-*"))

    stranded.mkdir()
    published.dist.rename(stranded / "dist")
    (published.root / ".dist-new-killed").mkdir()
    done = run_build(published)
    assert done.returncode == 0, done.stderr
    assert contents(published.dist) == before
    assert not list(published.root.glob(".dist-*"))


def test_dist_exists_at_every_moment_of_repeated_publishes(project):
    write_dist(project, {"kg.ttl": b"first"})
    missing, stop = [], threading.Event()

    def watch() -> None:
        while not stop.is_set():
            if not project.dist.is_dir():
                missing.append(1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for n in range(100):
            write_dist(project, {"kg.ttl": f"build {n}".encode(), "kg.nt": b"x"})
    finally:
        stop.set()
        watcher.join()
    assert not missing
    assert (project.dist / "kg.ttl").read_bytes() == b"build 99"
    assert not list(project.root.glob(".dist-*"))

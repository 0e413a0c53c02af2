"""Shared fixtures.

Tests never touch the repository's own dist/: each fixture works on a copy of the project's
hand-edited inputs (ontology/, data/, queries/) in a temporary directory.

- ``project``: a fresh, writable copy for a test that edits inputs or builds.
- ``built``: one copy built once per session (read-only by convention).
- ``store``: the built graph opened as `kg query` opens it (dist/ontology.nt and kg.nt).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest

from kg.make.steps import run
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
    """The built graph as `kg query` opens it (dist/*.nt); test_publish checks the other files agree."""
    from kg.use.store import open_store

    return open_store(built)


@pytest.fixture(scope="session")
def source_text() -> str:
    return (ROOT / "data" / "sources" / f"{SOURCE_ID}.txt").read_text(encoding="utf-8")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_oxigraph(*options: str) -> tuple[subprocess.Popen, str]:
    """Start a real Oxigraph server (`oxigraph serve`, from the oxigraph package on PyPI) on a
    free loopback port, in memory, read-write, with ``options`` (``--union-default-graph``);
    returns the process and its base URL (…/query, …/update, …/store) once it answers."""
    import time
    import urllib.request

    exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    port = free_port()
    process = subprocess.Popen([exe, "serve", "--bind", f"127.0.0.1:{port}", *options], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while True:
        try:
            urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=1).read()
            return process, base
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"oxigraph serve did not start: {process.stderr.read().decode()}") from None
            time.sleep(0.05)


@pytest.fixture
def oxigraph_server():
    """The base URL of a fresh Oxigraph server, stopped after the test."""
    process, base = start_oxigraph()
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def wikidata_endpoint():
    """The SPARQL query URL of a real Oxigraph server on 127.0.0.1 loaded with
    ``tests/fixtures/wikidata.ttl``: test data in the shape of the Wikidata Query Service's
    answers (see the file's header), never claims about the world. Tests only read it."""
    import urllib.request

    process, base = start_oxigraph()
    try:
        upload = urllib.request.Request(
            f"{base}/store?default",
            data=(FIXTURES / "wikidata.ttl").read_bytes(),
            headers={"Content-Type": "text/turtle"},
            method="POST",
        )
        urllib.request.urlopen(upload, timeout=10).read()
        yield f"{base}/query"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def linkable(tmp_path: Path, built: Project) -> Project:
    """A writable copy of the project with the session's build (dist/) copied in, for the
    commands that read the built graph and write data/ (kg link)."""
    proj = copy_project(tmp_path / "project")
    shutil.copytree(built.dist, proj.dist)
    return proj


def kg_cli(*args: str, project: Project | None = None, stdin: str | None = None, timeout: float | None = None,
           cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the ``kg`` command line in a new process (``python -m kg.cli``), in ``cwd`` (default
    the current directory); ``timeout`` guards against a hang (the test fails, never blocks)."""
    extra = ["--project", str(project.root)] if project is not None else []
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args, *extra],
        capture_output=True,
        text=True,
        input=stdin,
        check=False,
        timeout=timeout,
        cwd=cwd,
    )


class _Limiter:
    """What the rate-limiting front of :func:`rate_limited` answered, request by request."""

    def __init__(self, refusals: int, retry_after: str) -> None:
        self.refusals = refusals
        self.retry_after = retry_after
        self.statuses: list[int] = []


def rate_limited(target: str, refusals: int = 1, retry_after: str = "1"):
    """A loopback HTTP front for the real server at ``target`` (a base URL): it answers the first
    ``refusals`` requests with 429 Too Many Requests and ``Retry-After``, as WDQS does under load,
    and passes every later request through to ``target`` unchanged. A context manager yielding
    (its base URL, the :class:`_Limiter` recording the statuses it sent)."""
    import contextlib
    import http.server
    import urllib.error
    import urllib.request

    limiter = _Limiter(refusals, retry_after)

    class Front(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def _relay(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or None
            if len(limiter.statuses) < limiter.refusals:
                limiter.statuses.append(429)
                self.send_response(429)
                self.send_header("Retry-After", limiter.retry_after)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept", "user-agent")}
            request = urllib.request.Request(target + self.path, data=body, headers=headers, method=self.command)
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    status, content, kind = answer.status, answer.read(), answer.headers.get("Content-Type", "")
            except urllib.error.HTTPError as err:
                status, content, kind = err.code, err.read(), err.headers.get("Content-Type", "")
            limiter.statuses.append(status)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = _relay

    @contextlib.contextmanager
    def running():
        import threading

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Front)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}", limiter
        finally:
            server.shutdown()
            server.server_close()

    return running()


def start_kg_serve(project: Project, *options: str) -> tuple[subprocess.Popen, str]:
    """Start ``kg serve`` on a free loopback port for ``project`` (built); returns the process
    and its base URL (ending in /) once it listens."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--project", str(project.root), "--port", "0", "--quiet", *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = process.stderr.readline()
    if " at http://" not in line:
        process.kill()
        raise RuntimeError(f"kg serve did not start: {line}{process.stderr.read()}")
    return process, line.split(" at ", 1)[1].split(" ", 1)[0]


def stop(process: subprocess.Popen) -> None:
    """Stop a server started by a fixture (Ctrl-C, as a user would), or kill it."""
    import signal

    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


HEAVY = ("rdflib", "owlready2", "pyshacl", "SPARQLWrapper", "yaml")


def heavy_imports(project: Project, *argv: str) -> list[str]:
    """The heavy libraries (:data:`HEAVY`) loaded after ``kg ARGV`` ran, and succeeded, in a
    fresh process in ``project``: the query path must load none of them."""
    code = (
        "import sys, io, contextlib\nfrom kg.cli import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()): assert main({list(argv)!r}) == 0\n"
        f"print(','.join(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=project.root, check=True)
    return [m for m in result.stdout.strip().split(",") if m]

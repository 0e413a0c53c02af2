"""The site's ``.htaccess`` (kg.make.site.htaccess) in a real Apache httpd: every IRI answers
303 See Other to the file of the format its Accept header asks for, with ``Vary: Accept``, and
that file answers 200 with its media type; at a sub-path (the site under an Alias), for the
current and an earlier release, and as the w3id.org side (``htaccess(target)``) redirecting into
the site. A bad target is refused before any file is written.

Apache runs from a temporary ServerRoot on 127.0.0.1 and a free port, and is stopped when the
module's tests end; without apache2 or curl the tests skip (fail in CI, where they must run)."""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
import pytest

from kg.errors import UsageError
from kg.make.site.htaccess import htaccess
from kg.project import Project

APACHE = shutil.which("apache2") or "/usr/sbin/apache2"
MODULES = Path("/usr/lib/apache2/modules")
LOADED = ("mpm_prefork", "authz_core", "mime", "dir", "alias", "rewrite", "headers")
SLUG = "african-union"
OLD = "0.0.1"  # the earlier release the test host keeps under releases/
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CHROME = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
          "application/signed-exchange;v=b3;q=0.7")
NO_ACCEPT = None
CONTENT_TYPES = {"ttl": "text/turtle; charset=utf-8", "jsonld": "application/ld+json", "nt": "application/n-triples",
                 "rdf": "application/rdf+xml; charset=utf-8", "html": "text/html; charset=utf-8"}
ASKED = {"ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples", "rdf": "application/rdf+xml"}
CHOSEN = [
    *((accept, extension) for extension, accept in ASKED.items()),
    (FIREFOX, "html"),
    (CHROME, "html"),
    ("*/*", "html"),
    (NO_ACCEPT, "html"),
    ("text/turtle;q=0.9, text/html;q=0.1", "ttl"),
    ("text/html, text/turtle;q=0.1", "ttl"),  # matching is textual: a named data format wins (see the file's header)
    ("TEXT/Turtle", "ttl"),
    ('application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"', "jsonld"),
    ("text/turtle;q=0, application/ld+json", "jsonld"),  # q=0 refuses a format
    ("text/turtle; charset=utf-8; q=0.0", "html"),
    ("application/n-triples;q=0.5, application/rdf+xml", "nt"),  # the rules' order, not the q-values
    ("text/*", "html"),
    ("application/json", "html"),
]


@dataclass(frozen=True)
class Reply:
    """What curl saw of the last response."""

    status: int
    location: str
    content_type: str
    vary: str
    url: str


@dataclass(frozen=True)
class Server:
    """The running Apache: the site at ``site`` (a directory under ``root``) served at ``base``,
    and the w3id.org side, ``htaccess(base)``, served at ``w3id``."""

    root: Path
    site: Path
    base: str
    w3id: str


def require_tools() -> None:
    """Skip (fail in CI) unless Apache, its modules and curl are installed."""
    missing = [name for name, present in (("apache2", Path(APACHE).exists() and MODULES.is_dir()),
                                          ("curl", shutil.which("curl") is not None)) if not present]
    if missing:
        message = f"{' and '.join(missing)} not installed"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: apt-get install apache2 curl")
        pytest.skip(f"{message} (apt-get install apache2 curl)")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def config(root: Path, site: Path, port: int) -> str:
    """A minimal httpd.conf: everything under ``root``, the site under ``Alias /aigov/`` and the
    w3id.org side under the DocumentRoot at ``/w3id/aigov/``; the media types come from a types
    file that knows HTML and CSS only, so the data formats' types must come from the .htaccess."""
    lines = [f'ServerRoot "{root}"', f"Listen 127.0.0.1:{port}", f"ServerName 127.0.0.1:{port}",
             *(f"LoadModule {name}_module {MODULES}/mod_{name}.so" for name in LOADED),
             f'PidFile "{root}/httpd.pid"', f'ErrorLog "{root}/error.log"', f'DefaultRuntimeDir "{root}"',
             f"Mutex file:{root} default", "LogLevel warn", "StartServers 2", "MaxRequestWorkers 16", "KeepAlive Off",
             f'TypesConfig "{root}/mime.types"', "DirectoryIndex index.html", "Options None",
             f'DocumentRoot "{root}/docroot"', f'Alias /aigov/ "{site}/"',
             '<Directory "/">', "  AllowOverride None", "  Require all denied", "</Directory>",
             '<FilesMatch "^\\.ht">', "  Require all denied", "</FilesMatch>",  # as in the stock httpd.conf
             *(line for path in (root / "docroot", site) for line in
               (f'<Directory "{path}">', "  AllowOverride All", "  Require all granted", "</Directory>"))]
    if os.geteuid() == 0:  # Apache will not serve as root: its children run as nobody
        lines += [f"User {pwd.getpwnam('nobody').pw_name}", f"Group {grp.getgrgid(pwd.getpwnam('nobody').pw_gid).gr_name}"]
    return "\n".join(lines) + "\n"


def add_missing_data(site: Path) -> None:
    """STAND-IN until the build writes them: each page's and the ontology's N-Triples (``.nt``)
    and RDF/XML (``.rdf``) made from its Turtle, when the built site lacks them, so this test
    does not depend on when the build starts writing them."""
    for turtle in [site / "ontology.ttl", *sorted((site / "id").glob("*.ttl"))]:
        for extension, fmt in (("nt", pyoxigraph.RdfFormat.N_TRIPLES), ("rdf", pyoxigraph.RdfFormat.RDF_XML)):
            if not turtle.with_suffix(f".{extension}").exists():
                triples = pyoxigraph.parse(turtle.read_bytes(), format=pyoxigraph.RdfFormat.TURTLE)
                turtle.with_suffix(f".{extension}").write_bytes(pyoxigraph.serialize(triples, format=fmt))


def lay_out(root: Path, built: Path, port: int) -> Path:
    """The served tree under ``root``: the site (with an earlier release under ``releases/``) and
    its ``.htaccess``, the w3id.org side's ``.htaccess``, a file outside both that no request may
    reach, the types file and the config. Everything readable by Apache's user. The site's path."""
    site = root / "site"
    for release in (site, site / "releases" / OLD):
        shutil.copytree(built, release)
        add_missing_data(release)
    (site / ".htaccess").write_bytes(htaccess())
    w3id = root / "docroot" / "w3id" / "aigov"
    w3id.mkdir(parents=True)
    (w3id / ".htaccess").write_bytes(htaccess(f"http://127.0.0.1:{port}/aigov/"))
    (root / "secret.txt").write_text("SECRET outside the site\n", encoding="utf-8")
    (root / "mime.types").write_text("text/html html\ntext/css css\nimage/svg+xml svg\n", encoding="utf-8")
    (root / "httpd.conf").write_text(config(root, site, port), encoding="utf-8")
    for directory, _, files in os.walk(root):
        os.chmod(directory, 0o755)
        for name in files:
            os.chmod(os.path.join(directory, name), 0o644)
    return site


def wait_until_listening(process: subprocess.Popen[bytes], port: int, root: Path) -> None:
    """Return once Apache accepts connections on ``port``; fail with what it wrote to stderr and
    its error log if it stops, or if it has not started within 15 s."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = "".join(path.read_text(errors="replace") for path in (root / "stderr.log", root / "error.log") if path.exists())
            pytest.fail(f"apache2 exited with {process.returncode}: {said}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"apache2 did not listen on port {port} within 15 s")


@pytest.fixture(scope="module")
def server(built: Project) -> Iterator[Server]:
    """Apache serving a copy of the built site at ``/aigov/`` and the w3id.org side at
    ``/w3id/aigov/``, stopped (and its tree removed) when the module's tests end. It runs in a
    session of its own: in the foreground, prefork stops by signalling its whole process group."""
    require_tools()
    root = Path(tempfile.mkdtemp(prefix="aigov-apache-"))  # not under pytest's 0700 tmp: Apache's user must read it
    try:
        port = free_port()
        site = lay_out(root, built.dist / "site", port)
        with open(root / "stderr.log", "wb") as stderr:
            process = subprocess.Popen([APACHE, "-d", str(root), "-f", str(root / "httpd.conf"), "-DFOREGROUND"],
                                       stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
        try:
            wait_until_listening(process, port, root)
            yield Server(root=root, site=site, base=f"http://127.0.0.1:{port}/aigov/", w3id=f"http://127.0.0.1:{port}/w3id/aigov/")
        finally:
            stop(process)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop Apache: SIGTERM (it stops its children), SIGKILL if it has not exited within 15 s."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def curl(url: str, accept: str | None, *, follow: bool = False, body: Path | None = None) -> Reply:
    """Request ``url`` with ``accept`` as the Accept header (``None``: no Accept header at all),
    the path sent as written; following redirects if ``follow``; the body saved to ``body``."""
    command = ["curl", "-s", "--path-as-is", "--max-time", "10", "-o", str(body or os.devnull),
               "-w", "%{http_code}\n%{redirect_url}\n%{content_type}\n%header{vary}\n%{url_effective}",
               "-H", f"Accept: {accept}" if accept is not None else "Accept:"]
    out = subprocess.run([*command, *(["-L"] if follow else []), url], capture_output=True, text=True, check=True).stdout
    status, location, content_type, vary, effective = out.split("\n")
    return Reply(int(status), location, content_type, vary, effective)


def assert_negotiated(reply: Reply, location: str) -> None:
    """``reply`` is the 303 to ``location`` that varies by Accept."""
    assert (reply.status, reply.location) == (303, location), reply
    assert "accept" in reply.vary.lower(), reply


@pytest.mark.parametrize(("accept", "extension"), CHOSEN)
def test_an_iri_redirects_to_the_format_its_accept_header_asks_for(server, accept, extension):
    assert_negotiated(curl(server.base + f"id/{SLUG}", accept), server.base + f"id/{SLUG}.{extension}")


@pytest.mark.parametrize("extension", list(CONTENT_TYPES))
def test_the_redirect_leads_to_the_file_with_its_media_type(server, extension, tmp_path):
    accept = ASKED.get(extension, FIREFOX)
    reply = curl(server.base + f"id/{SLUG}", accept, follow=True, body=tmp_path / "body")
    assert (reply.status, reply.url, reply.content_type) == (200, server.base + f"id/{SLUG}.{extension}", CONTENT_TYPES[extension])
    assert (tmp_path / "body").read_bytes() == (server.site / "id" / f"{SLUG}.{extension}").read_bytes()


@pytest.mark.parametrize("extension", list(CONTENT_TYPES))
def test_the_ontology_is_negotiated_too(server, extension):
    accept = ASKED.get(extension, NO_ACCEPT)
    assert_negotiated(curl(server.base + "ontology", accept), server.base + f"ontology.{extension}")
    reply = curl(server.base + "ontology", accept, follow=True)
    assert (reply.status, reply.content_type) == (200, CONTENT_TYPES[extension])


@pytest.mark.parametrize(("path", "file"), [(f"{OLD}/id/{SLUG}", f"id/{SLUG}"), (f"{OLD}/ontology", "ontology"),
                                            (f"ontology/{OLD}", "ontology")])
@pytest.mark.parametrize("extension", ["ttl", "html"])
def test_a_versioned_iri_goes_to_that_release(server, path, file, extension):
    accept = ASKED.get(extension, CHROME)
    assert_negotiated(curl(server.base + path, accept), server.base + f"releases/{OLD}/{file}.{extension}")
    reply = curl(server.base + path, accept, follow=True)
    assert (reply.status, reply.content_type) == (200, CONTENT_TYPES[extension])


@pytest.mark.parametrize(("path", "content_type"), [("", "text/html; charset=utf-8"), ("index.html", "text/html; charset=utf-8"),
                                                    (f"id/{SLUG}.ttl", CONTENT_TYPES["ttl"]), ("ontology.rdf", CONTENT_TYPES["rdf"]),
                                                    ("static/site.css", "text/css"), (f"releases/{OLD}/id/{SLUG}.nt", CONTENT_TYPES["nt"])])
def test_the_sites_own_files_pass_through(server, path, content_type):
    reply = curl(server.base + path, "text/turtle")
    assert (reply.status, reply.location, reply.content_type) == (200, "", content_type)
    assert "accept" not in reply.vary.lower()


def test_an_unknown_slug_is_redirected_then_not_found(server):
    assert_negotiated(curl(server.base + "id/no-such-thing", "text/turtle"), server.base + "id/no-such-thing.ttl")
    assert curl(server.base + "id/no-such-thing", "text/turtle", follow=True).status == 404
    assert curl(server.base + "id/No_Such", "text/turtle").status == 404  # not a slug: no rule, no file


@pytest.mark.parametrize("path", ["id/../../secret.txt", "id/..", "id/%2e%2e/%2e%2e/secret.txt", "id/..%2f..%2fsecret.txt",
                                  f"{OLD}/id/../../../secret.txt", "ontology/../../secret.txt", "id/a%00b", "id/.htaccess",
                                  ".htaccess"])
def test_dot_dot_does_not_escape_the_site(server, path, tmp_path):
    reply = curl(server.base + path, "text/turtle", follow=True, body=tmp_path / "body")
    assert reply.status in (200, 400, 403, 404), reply
    assert reply.url.startswith(server.base) or not reply.url.startswith("http://127.0.0.1"), reply
    assert b"SECRET" not in (tmp_path / "body").read_bytes()
    assert b"RewriteRule" not in (tmp_path / "body").read_bytes()


@pytest.mark.parametrize(("path", "accept", "location"), [
    (f"id/{SLUG}", "text/turtle", f"id/{SLUG}.ttl"),
    (f"id/{SLUG}", FIREFOX, f"id/{SLUG}.html"),
    ("ontology", "application/rdf+xml", "ontology.rdf"),
    (f"{OLD}/id/{SLUG}", "application/ld+json", f"releases/{OLD}/id/{SLUG}.jsonld"),
    (f"ontology/{OLD}", "application/n-triples", f"releases/{OLD}/ontology.nt"),
])
def test_the_w3id_side_redirects_into_the_site(server, path, accept, location):
    assert_negotiated(curl(server.w3id + path, accept), server.base + location)
    extension = location.rsplit(".", 1)[1]
    reply = curl(server.w3id + path, accept, follow=True)
    assert (reply.status, reply.url, reply.content_type) == (200, server.base + location, CONTENT_TYPES[extension])


@pytest.mark.parametrize("path", ["", "index.html", "queries/index.html"])
def test_the_w3id_side_sends_any_other_path_to_the_same_path_on_the_site(server, path):
    reply = curl(server.w3id + path, FIREFOX)
    assert (reply.status, reply.location) == (302, server.base + path)
    assert curl(server.w3id + path, FIREFOX, follow=True).status == 200


def test_apache_logged_no_error(server):
    """Runs after the requests above (pytest keeps file order): no rule made Apache complain,
    but for the refusals to serve .htaccess itself (AH01630) that the tests above ask for."""
    log = (server.root / "error.log").read_text(encoding="utf-8", errors="replace").splitlines()
    errors = [line for line in log if any(f":{level}]" in line for level in ("error", "crit", "alert", "emerg"))]
    assert [line for line in errors if not ("AH01630" in line and line.endswith("/.htaccess"))] == [], "\n".join(log)


def test_without_a_target_every_rule_redirects_within_the_directory_it_finds_itself_in():
    text = htaccess().decode("ascii")
    assert htaccess() == htaccess() and "RewriteBase" not in text
    first, *rules = [line.split() for line in text.splitlines() if line.startswith("RewriteRule")]
    assert first[2:] == ["-", "[E=AIGOV_BASE:%1]"]
    assert rules and all(rule[2].startswith("%{ENV:AIGOV_BASE}") for rule in rules)
    claims = [rule for rule in rules if rule[1].startswith(("^claim/", "^id/evidence/"))]
    assert len(claims) == 2 and all(rule[3] == "[R=303,NE,L]" for rule in claims)  # NE: the # of the page's anchor is not escaped
    assert all(rule[3] == "[R=303,L,E=AIGOV_NEGOTIATED:1]" for rule in rules if rule not in claims)


def test_with_a_target_every_rule_redirects_there():
    target = "https://example.org/aigov-kg/"
    rules = [line.split() for line in htaccess(target).decode("ascii").splitlines() if line.startswith("RewriteRule")]
    assert rules and all(rule[2].startswith(target) for rule in rules)
    assert "AddType" not in htaccess(target).decode("ascii")  # nothing is served from w3id.org itself


@pytest.mark.parametrize(("target", "complaint"), [
    ("ftp://example.org/aigov/", "not an http(s) URL"),
    ("example.org/aigov/", "not an http(s) URL"),
    ("https://example.org/aigov", "does not end in /"),
    ("https://example.org/ai gov/", "' '"),
    ('https://example.org/"aigov/', "'\"'"),
    ("https://example.org/'/", '"\'"'),
    ("https://example.org/aigov/\nRewriteRule ^ http://evil/ [R]\n/", "'\\n'"),
    ("https://example.org/$1/", "'$'"),
    ("https://example.org/%1/", "'%'"),
    ("https://example.org/a\\b/", "'\\\\'"),
    ("https://example.org/?a=/", "'?'"),
    ("https://example.org/#a/", "'#'"),
    ("https://example.org/é/", "'é'"),
    ("https:///", "no valid host"),
    ("https://-example.org/", "no valid host"),
])
def test_a_target_that_could_break_the_file_is_refused(target, complaint):
    with pytest.raises(UsageError) as raised:
        htaccess(target)
    assert complaint in str(raised.value) and "fix: give the absolute http(s) URL" in str(raised.value)


def test_a_nested_iri_and_a_claim_resolve(server, built):
    """An unnamed group of a source (id/<source>/<group>) and a disagreement are negotiated like
    any thing; a claim's IRI leads to the claim's anchor on its source's page."""
    store = pyoxigraph.Store()
    store.load(path=str(built.dist / "kg.nq"), format=pyoxigraph.RdfFormat.N_QUADS)
    claim = next(iter(store.query("SELECT ?c WHERE { GRAPH ?g { ?c a <https://w3id.org/aigov/ontology#Claim> } } ORDER BY ?c LIMIT 1")))["c"].value
    source, key = claim.rsplit("/", 2)[1:]
    assert_negotiated(curl(server.base + "id/asianews-china-paris-ai-summit/analysts", "text/turtle"),
                      server.base + "id/asianews-china-paris-ai-summit/analysts.ttl")
    disagreement = next(iter(store.query("SELECT ?d WHERE { GRAPH ?g { ?d a <https://w3id.org/aigov/ontology#Disagreement> } } ORDER BY ?d LIMIT 1")))["d"].value
    path = disagreement[len("https://w3id.org/aigov/"):]
    assert_negotiated(curl(server.base + path, "application/ld+json"), server.base + path + ".jsonld")
    assert curl(server.base + path, "application/ld+json", follow=True).status == 200
    assert_negotiated(curl(server.base + "dataset", "text/turtle"), server.base + "dataset.ttl")
    reply = curl(server.base + f"claim/{source}/{key}", FIREFOX)
    assert (reply.status, reply.location) == (303, server.base + f"id/{source}.html#{key}")
    assert f'id="{key}"' in (server.site / "id" / f"{source}.html").read_text(encoding="utf-8")
    assert curl(server.w3id + f"claim/{source}/{key}", FIREFOX).location == server.base + f"id/{source}.html#{key}"
    evidence = next(iter(store.query("SELECT ?e WHERE { GRAPH ?g { ?c <https://w3id.org/aigov/ontology#evidence> ?e } } ORDER BY ?e LIMIT 1")))["e"].value
    cited = evidence.split("/")[6]
    reply = curl(server.base + evidence[len("https://w3id.org/aigov/"):], FIREFOX)
    assert (reply.status, reply.location) == (303, server.base + f"id/{cited}.html#claims")

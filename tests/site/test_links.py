"""Offline checks of the built site's files: links and anchors, and the pages the chapter list implies."""

from __future__ import annotations

import linkcheck
from conftest import SITE, chapters, require_site, site_pages

require_site()


def test_internal_links_and_anchors_resolve():
    report = linkcheck.check(SITE)
    assert report.pages > 0 and report.internal > 0
    assert report.broken == [], "\n".join(report.broken)


def test_every_chapter_has_its_pages():
    """A chapter in chapters.toml has a chapter page, an executed notebook and a row in each table."""
    pages = set(site_pages())
    choosing = (SITE / "choosing" / "index.html").read_text(encoding="utf-8")
    scoreboard = (SITE / "benchmarks" / "index.html").read_text(encoding="utf-8")
    for chapter in chapters():
        folder = chapter["folder"]
        assert f"chapters/{folder}/" in pages
        notebook = (SITE / "try" / folder / "index.html").read_text(encoding="utf-8")
        assert "jp-OutputArea-output" in notebook, f"the {folder} notebook has no outputs: was it executed?"
        assert "Traceback" not in notebook
        for module in chapter["modules"] + [v["module"] for v in chapter.get("variant", [])]:
            assert f"<code>{module}</code>" in choosing, f"{module} is missing from the comparison table"
            assert f"<code>{module}</code>" in scoreboard, f"{module} is missing from the scoreboard"

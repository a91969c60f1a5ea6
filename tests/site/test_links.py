"""Offline checks of the built site's files: links and anchors, and the pages the two lists imply."""

from __future__ import annotations

import re
from html import unescape

import linkcheck
import pytest
from conftest import (
    SITE,
    chapters,
    import_names,
    page_html,
    recipes,
    require_site,
    site_pages,
)

require_site()


def text_of(html: str) -> str:
    """A page's text, roughly: tags dropped, entities decoded."""
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_internal_links_and_anchors_resolve():
    report = linkcheck.check(SITE)
    assert report.pages > 0
    assert report.internal > 0
    assert report.broken == [], "\n".join(report.broken)


@pytest.mark.parametrize("chapter", chapters(), ids=lambda c: c["folder"])
def test_every_chapter_has_its_pages(chapter):
    """A chapter in chapters.toml has a chapter page opening with its quick start, and a row in each table."""
    folder = chapter["folder"]
    assert f"chapters/{folder}/" in set(site_pages())
    page = page_html(f"chapters/{folder}/")
    assert 'id="quick-start"' in page, f"the {folder} page has no quick start"
    quick_start = page[page.index('id="quick-start"'):page.index('id="where-it-sits"')]
    assert chapter["quickstart"], f"chapters.toml gives {folder} no quick start"
    for entry in chapter["quickstart"]:
        assert f"pip install ./{entry['project']}" in text_of(quick_start)
        assert f"import {entry['module']}" in text_of(quick_start)
    choosing, scoreboard = page_html("choosing/"), page_html("benchmarks/")
    for module in import_names(chapter):
        assert f"<code>{module}</code>" in choosing, f"{module} is missing from the comparison table"
        assert f"<code>{module}</code>" in scoreboard, f"{module} is missing from the scoreboard"


def test_try_page_has_a_session_per_installed_module():
    """One "Try it" page: per chapter, a session with each module `pip install chapters/<folder>`
    installs (not a variant built from a project of its own), with real output."""
    text = text_of(page_html("try/"))
    for chapter in chapters():
        assert f"pip install chapters/{chapter['folder']}" in text
        for module in import_names(chapter):
            variant = next((v for v in chapter.get("variant", []) if v["module"] == module), None)
            imported = f">>> from {module} import " in text
            if variant is not None and variant.get("project"):
                assert not imported, f"the try page imports {module}, which `pip install chapters/{chapter['folder']}` does not install"
            else:
                assert imported, f"the try page has no session with {module}"
    # Every session ran: an output line follows the call.
    assert re.search(r">>> fib\(90\)\s*\n2880067194370816120", text)


@pytest.mark.parametrize("recipe", recipes(), ids=lambda r: r["slug"])
def test_every_recipe_page_links_its_contract_and_figures(recipe):
    """A recipe of recipes.toml has a page that links to its contract section and to each of its workloads on the scoreboard."""
    page = page_html(f"recipes/{recipe['slug']}/")
    assert f'href="../../contract/#{recipe["contract"]}"' in page
    for workload in recipe.get("workload", []):
        assert f'href="../../benchmarks/#workload-{workload["id"]}"' in page
        assert f'id="workload-{workload["id"]}"' in page_html("benchmarks/")


def test_the_contract_is_on_the_site_and_linked_from_home():
    assert 'href="contract/"' in page_html("")
    contract = page_html("contract/")
    for recipe in recipes():
        assert f'id="{recipe["contract"]}"' in contract


def test_bad_input_table_shows_every_module():
    """Every import name was called; the contract's own errors read the same in every module."""
    page = page_html("bad-input/")
    for chapter in chapters():
        for module in import_names(chapter):
            assert f"<code>{module}</code>" in page, f"the bad-input page does not say it called {module}"
    section = page[page.index('id="the-contracts-own-errors"'):page.index('id="type-errors-each-technologys-own-words"')]
    rows = re.findall(r"<tr>(.*?)</tr>", section, re.S)[1:]
    assert rows, "the table of the contract's own errors is empty"
    differing = [text_of(r) for r in rows if not re.search(r"<td>none</td>\s*$", r.strip())]
    assert differing == [], "modules word the contract's errors differently:\n" + "\n".join(differing)


def test_no_page_counts_the_recipes():
    """More recipes are coming: no page may say how many there are."""
    for path in site_pages():
        if path.endswith(".html") and path.startswith("annotate/"):
            continue
        text = text_of(page_html(path))
        assert not re.search(r"\bfive (recipes|of them)\b|\bthe five\b", text, re.I), path

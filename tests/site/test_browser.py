"""The built site in a real browser: every page clean, tabs linked, search, images, diagrams."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from conftest import chapters, page_html, recipes, require_site, site_pages

require_site()

PAGES = site_pages()
RECIPES = [r["slug"] for r in recipes()]


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images: list[str] = []
        self.mermaid = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        if "mermaid" in (attrs.get("class") or "").split():
            self.mermaid += 1


def tags(path: str) -> _Tags:
    parser = _Tags()
    parser.feed(page_html(path))
    return parser


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_without_errors(visit, path):
    """No console error, no uncaught exception, no failed request, no request off 127.0.0.1."""
    seen = visit(path)
    seen.page.wait_for_timeout(300)  # late scripts (search worker, Mermaid) report their errors too
    assert seen.problems() == []


@pytest.mark.parametrize("path", [p for p in PAGES if tags(p).images])
def test_every_image_loads(visit, path):
    """Every <img> (the benchmark plots above all) is fetched and decoded: it has a size."""
    seen = visit(path)
    images = seen.page.locator("img")
    assert images.count() == len(tags(path).images)
    for i in range(images.count()):
        image = images.nth(i)
        image.scroll_into_view_if_needed()
        image.evaluate("img => img.complete || new Promise(ok => img.addEventListener('load', ok, {once: true}))")
        width = image.evaluate("img => img.naturalWidth")
        assert width > 0, f"{image.get_attribute('src')} did not load"
    assert seen.problems() == []


def tab_sets(page):
    """For each tab set on the page: the labels and which one is selected."""
    return page.evaluate("""() => [...document.querySelectorAll('.tabbed-set')].map(set => {
        const labels = [...set.querySelectorAll(':scope > .tabbed-labels > label')];
        const inputs = [...set.querySelectorAll(':scope > input')];
        return {labels: labels.map(l => l.innerText.trim()),
                checked: inputs.findIndex(i => i.checked)};
    })""")


def selected(sets, label):
    """(sets that offer `label`, how many of them have it selected)."""
    offering = [s for s in sets if label in s["labels"]]
    return len(offering), sum(1 for s in offering if s["labels"][s["checked"]] == label)


def test_linked_tabs_stay_in_sync(visit):
    """Picking a technology in one tab set selects it in every tab set, here and on the next page."""
    technology = chapters()[-1]["technology"]  # not the first tab, which is selected anyway
    seen = visit("recipes/fib/")
    page = seen.page
    before = tab_sets(page)
    offering, _ = selected(before, technology)
    assert offering >= 2, f"the fib page should have at least two tab sets offering {technology!r}: {before}"
    page.locator(".tabbed-set .tabbed-labels > label", has_text=technology).first.click()
    page.wait_for_timeout(200)
    offering, chosen = selected(tab_sets(page), technology)
    assert chosen == offering, f"only {chosen} of {offering} tab sets switched to {technology!r}"
    # The choice is remembered: the next recipe page opens on the same technology.
    other = visit("recipes/most_common/", context=page.context)
    offering, chosen = selected(tab_sets(other.page), technology)
    assert offering >= 2, f"the most_common page should offer {technology!r} in at least two tab sets"
    assert chosen == offering, f"{technology!r} was not kept on the next page"
    # And switching back works too.
    first = chapters()[0]["technology"]
    other.page.locator(".tabbed-set .tabbed-labels > label", has_text=re.compile(rf"^{re.escape(first)}$")).first.click()
    other.page.wait_for_timeout(200)
    offering, chosen = selected(tab_sets(other.page), first)
    assert chosen == offering
    assert seen.problems() == []
    assert other.problems() == []


@pytest.mark.parametrize("recipe", RECIPES)
def test_every_recipe_page_has_every_chapter(visit, recipe):
    """Each recipe page shows a code tab and a pitfalls tab for every chapter in chapters.toml."""
    seen = visit(f"recipes/{recipe}/")
    sets = tab_sets(seen.page)
    for chapter in chapters():
        offering, _ = selected(sets, chapter["technology"])
        assert offering >= 2, f"{recipe}: no code and pitfalls tabs for {chapter['technology']!r}"
    assert seen.page.locator("pre code").count() >= len(chapters())


@pytest.mark.parametrize(("query", "recipe"), [(r["export"], r["slug"]) for r in recipes()])
def test_search_finds_a_recipe(visit, query, recipe):
    """The search box (lunr in a web worker, all local) finds the recipe's page."""
    seen = visit("")
    page = seen.page
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially(query, delay=20)  # Material searches on key events, as a user types
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=15000)
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert any(f"recipes/{recipe}/" in (h or "") for h in hrefs), f"{query!r} found {hrefs}"
    assert seen.problems() == []


@pytest.mark.parametrize("path", [p for p in PAGES if tags(p).mermaid])
def test_mermaid_diagrams_render_to_svg(visit, path):
    """Every ```mermaid block becomes an SVG drawn by the vendored Mermaid, with no CDN request."""
    expected = tags(path).mermaid
    seen = visit(path)
    page = seen.page
    page.wait_for_function(
        "n => document.querySelectorAll('div.mermaid').length === n && "
        "[...document.querySelectorAll('div.mermaid')].every(d => d.shadowRoot && d.shadowRoot.querySelector('svg'))",
        arg=expected, timeout=30000,
    )
    sizes = page.evaluate("""() => [...document.querySelectorAll('div.mermaid')].map(d => {
        const box = d.shadowRoot.querySelector('svg').getBoundingClientRect();
        return [box.width, box.height, d.shadowRoot.querySelectorAll('.node').length];
    })""")
    assert all(w > 50 and h > 20 and nodes >= 2 for w, h, nodes in sizes), sizes
    assert page.locator("pre.mermaid").count() == 0, "a diagram was left as text"
    assert seen.problems() == []


def test_try_page_shows_each_chapter_in_its_tab(visit):
    """"Try it": one tab per chapter; choosing it shows that chapter's install line and a session that ran."""
    seen = visit("try/")
    page = seen.page
    outer = page.locator(".tabbed-set").first
    labels = outer.locator(":scope > .tabbed-labels > label")
    assert [labels.nth(i).inner_text().strip() for i in range(labels.count())] == [c["technology"] for c in chapters()]
    blocks = outer.locator(":scope > .tabbed-content > .tabbed-block")
    for i, chapter in enumerate(chapters()):
        labels.nth(i).click()
        page.wait_for_timeout(100)
        assert blocks.nth(i).is_visible(), f"the {chapter['technology']!r} tab did not open"
        text = blocks.nth(i).inner_text()
        assert f"pip install chapters/{chapter['folder']}" in text
        assert ">>> from " in text
        assert "2880067194370816120" in text, f"the {chapter['folder']} session shows no output of fib(90)"
    assert seen.problems() == []

"""mkdocs hook: generate the pages that depend on the chapter list or on this build's benchmark run.

The generators are in docs/hooks/sitegen.py (plain functions, runnable without mkdocs). This
hook calls them when the configuration is loaded, sets the navigation from chapters.toml, and
puts the vendored Mermaid on the pages that draw a diagram. A new chapter in chapters.toml
appears everywhere without touching this file; a chapter whose README, sources or measurements
are missing fails the build (set SITE_PARTIAL=1 while developing to leave such chapters out).
"""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sitegen

log = logging.getLogger("mkdocs.hooks.cookbook")

MERMAID_SITE_PATH = "assets/vendor/mermaid.min.js"
BUNDLE = re.compile(r'<script src="[^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js"></script>')


def on_config(config, **kwargs):
    try:
        ctx = sitegen.Context.load()
        sitegen.generate(ctx)
        if not sitegen.mermaid_ok():
            raise sitegen.SiteError(
                f"Mermaid {sitegen.MERMAID_VERSION} is not vendored in {sitegen.MERMAID_JS.relative_to(sitegen.ROOT)}: "
                "run `python docs/hooks/sitegen.py vendor-mermaid` (nox -s docs does it)"
            )
    except sitegen.SiteError as exc:
        raise PluginError(str(exc)) from None
    for folder, why in ctx.skipped.items():
        log.info("SITE_PARTIAL: left out %s: %s", folder, why)
    config["nav"] = sitegen.nav(ctx)
    return config


def on_post_page(output: str, page, config, **kwargs):
    """Load the local Mermaid before Material's bundle, on the pages that have a diagram.

    Material draws `pre.mermaid` blocks with the global `mermaid` if one exists, and otherwise
    fetches Mermaid from a CDN; defining it first keeps every request on this site.
    """
    if 'class="mermaid"' not in output:
        return output
    src = get_relative_url(MERMAID_SITE_PATH, page.url)
    bundle = BUNDLE.search(output)
    if not bundle:
        raise PluginError(f"{page.file.src_uri}: cannot find Material's bundle script to load Mermaid before it")
    return output[:bundle.start()] + f'<script src="{src}"></script>\n      ' + output[bundle.start():]

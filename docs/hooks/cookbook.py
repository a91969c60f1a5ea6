"""mkdocs hook: everything on the site that depends on the chapter list or on a benchmark run.

From chapters/chapters.toml and the benchmark results JSON of this build (BENCH_RESULTS, by
default .cache/bench/results.json, written by `nox -s docs`), it writes:

- docs/chapters/<folder>.md   each chapter's README, links rewritten for the site, plus the
                              chapter's own benchmark table and a link to its notebook
- docs/try/<folder>.ipynb     a "try it" notebook per chapter, executed by mkdocs-jupyter
- docs/generated/bench/       the benchmark tables (Markdown, for snippets) and SVG plots
- the navigation

Files are only rewritten when their content changes, so `mkdocs serve` does not loop.
A new chapter in chapters.toml appears everywhere without touching this file.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tomllib
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT / "bench"))

import report  # noqa: E402  (bench/report.py: the same tables the benchmark prints)


def _write(path: Path, text: str) -> None:
    if not path.exists() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _chapters() -> list[dict]:
    return tomllib.loads((ROOT / "chapters" / "chapters.toml").read_text())["chapter"]


def _results() -> dict:
    path = Path(os.environ.get("BENCH_RESULTS", ROOT / ".cache" / "bench" / "results.json"))
    if not path.exists():
        raise PluginError(f"no benchmark results at {path}: build the site with `nox -s docs`, which runs the benchmark first")
    return json.loads(path.read_text())


def _modules(chapter: dict) -> list[str]:
    return chapter["modules"] + [v["module"] for v in chapter.get("variant", [])]


CHAPTER_LINK = re.compile(r"\]\(\.\./(\d\d-[\w-]+)/README\.md(#[\w-]+)?\)")


def chapter_page(chapter: dict, results: dict) -> str:
    readme = (ROOT / "chapters" / chapter["folder"] / "README.md").read_text()
    # On GitHub a chapter links to ../05-pyo3/README.md; on the site that page is 05-pyo3.md.
    text = CHAPTER_LINK.sub(lambda m: f"]({m.group(1)}.md{m.group(2) or ''})", readme)
    measured = [m for m in _modules(chapter) if m in results["results"]]
    if measured:
        text += "\n\n## Measured\n\nFrom the benchmark run of this site build (median ± half the interquartile range; "
        text += "speedup over pure Python below each time). How it was measured: [Benchmarks](../benchmarks.md).\n\n"
        text += report.scoreboard_table(_subset(results, measured))
    text += f"\n\n## Try it\n\nThe [notebook for this chapter](../try/{chapter['folder']}.ipynb) imports "
    text += ", ".join(f"`{m}`" for m in _modules(chapter)) + ", calls every recipe, shows the errors for bad input and times a call. "
    text += "It was executed when this site was built.\n"
    return text


def _subset(results: dict, modules: list[str]) -> dict:
    keep = set(modules)
    return {
        **results,
        "floor": {},
        "modules": [m for m in results["modules"] if m["module"] in keep],
        "results": {k: v for k, v in results["results"].items() if k in keep},
        "ratios": {k: v for k, v in results["ratios"].items() if k in keep},
    }


def _cell(kind: str, source: str) -> dict:
    cell = {"cell_type": kind, "metadata": {}, "source": source.strip("\n").splitlines(keepends=True)}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def notebook(chapter: dict) -> str:
    modules = _modules(chapter)
    cells = [
        _cell("markdown", f"# Try chapter {chapter['id']}: {chapter['title']}\n\n"
              "This notebook was executed when the site was built, against the modules built from this "
              "repository. Every output below is real."),
        _cell("code", "import importlib, platform, sys\n"
              f"modules = {{name: importlib.import_module(name) for name in {modules!r}}}\n"
              "print(platform.python_implementation(), platform.python_version(), 'on', platform.machine())\n"
              "for name, m in modules.items():\n    print(name, '->', getattr(m, '__file__', m))"),
        _cell("markdown", "## Every recipe"),
        _cell("code", "from itertools import islice\nimport tempfile, pathlib\n"
              "text = pathlib.Path(tempfile.mkdtemp()) / 'text.txt'\n"
              "text.write_text('The cat and the hat. THE END, the end.\\nÉté, été.\\n', encoding='utf-8')\n"
              "for name, m in modules.items():\n"
              "    print(f'--- {name}')\n"
              "    print('fib(90)            =', m.fib(90))\n"
              "    print('fib_recursive(20)  =', m.fib_recursive(20))\n"
              "    print('Lucas numbers      =', list(islice(m.LinearRecurrence([1, 1], [2, 1]), 12)))\n"
              "    print('most_common(..., 3) =', m.most_common(text, 3))\n"
              "    print('calc_pi(30)        =', m.calc_pi(30))"),
        _cell("markdown", "## Bad input raises the exceptions the contract names"),
        _cell("code", "bad_calls = {\n"
              "    'fib(-1)': lambda m: m.fib(-1),\n"
              "    'fib(94)': lambda m: m.fib(94),\n"
              "    'fib(1.5)': lambda m: m.fib(1.5),\n"
              "    'LinearRecurrence([], [])': lambda m: m.LinearRecurrence([], []),\n"
              "    'next() past 2**63': lambda m: list(islice(m.LinearRecurrence([2], [1]), 64)),\n"
              "    \"most_common('missing.txt', 3)\": lambda m: m.most_common('missing.txt', 3),\n"
              "    'calc_pi(10**6)': lambda m: m.calc_pi(10**6),\n"
              "}\n"
              "for name, m in modules.items():\n"
              "    print(f'--- {name}')\n"
              "    for call, bad in bad_calls.items():\n"
              "        try:\n"
              "            bad(m)\n"
              "        except Exception as exc:\n"
              "            print(f'{call:28} -> {type(exc).__name__}: {exc}')\n"
              "        else:\n"
              "            raise AssertionError(f'{call} did not raise')"),
        _cell("markdown", "## Time a call\n\nA rough `%timeit` for a feel of the numbers; the "
              "[benchmarks](../benchmarks.md) page has the careful ones."),
        *[_cell("code", f"%timeit -n 20000 -r 5 modules[{m!r}].fib(90)") for m in modules],
    ]
    nb = {
        "cells": cells,
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    for i, cell in enumerate(nb["cells"]):
        cell["id"] = f"cell-{i}"
    return json.dumps(nb, indent=1) + "\n"


def on_config(config, **kwargs):
    chapters = _chapters()
    results = _results()
    for path in report.write_all(results, DOCS / "generated" / "bench"):
        pass  # SVGs are deterministic (fixed hash salt, no date), so rewriting them is harmless
    for chapter in chapters:
        _write(DOCS / "chapters" / f"{chapter['folder']}.md", chapter_page(chapter, results))
        _write(DOCS / "try" / f"{chapter['folder']}.ipynb", notebook(chapter))
    config["nav"] = [
        {"Home": "index.md"},
        {"Chapters": [f"chapters/{c['folder']}.md" for c in chapters]},
        {"Try it": [{f"{c['id']}. {c['technology']}": f"try/{c['folder']}.ipynb"} for c in chapters]},
        {"Benchmarks": "benchmarks.md"},
    ]
    return config

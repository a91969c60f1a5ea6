"""Everything on the site that is generated: from the chapter list, the chapter sources and the
benchmark run of this build. Plain functions, no mkdocs import: docs/hooks/cookbook.py calls them
from mkdocs, and `python docs/hooks/sitegen.py` runs them without mkdocs (for a successor to
mkdocs that has no hooks; see README.md).

    python docs/hooks/sitegen.py generate        write every generated page and table
    python docs/hooks/sitegen.py vendor-mermaid  fetch the pinned Mermaid from npm into docs/assets/vendor/

What it writes (all ignored by git; see docs/.gitignore and the root .gitignore):

    docs/recipes/<recipe>.md       one page per recipe: the code of every chapter in linked tabs,
                                   the benchmark of that recipe, the pitfalls per technology
    docs/chapters/<folder>.md      each chapter's README, with its diagram, its measurements,
                                   its notebook link (and its Cython annotation, if it declares one)
    docs/try/<folder>.ipynb        a "try it" notebook per chapter, executed by mkdocs-jupyter
    docs/annotate/<folder>/*.html  `cython -a` output for the files a chapter lists in `annotate`
    docs/generated/bench/          benchmark tables (Markdown) and SVG plots (bench/report.py)
    docs/generated/comparison-*.md the "Choosing a technology" tables (bench/report.py)
    docs/generated/diagrams.md     every chapter's diagram, for the architecture page

Hand-written prose lives beside it in docs/: docs/recipe-notes/<recipe>.md (a recipe's intro
and one pitfalls note per chapter) and docs/diagrams/<folder>.md (a chapter's Mermaid diagram).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
CHAPTERS_DIR = ROOT / "chapters"
sys.path.insert(0, str(ROOT / "bench"))

import report  # noqa: E402  (bench/report.py: the benchmark's own tables and plots)

# Mermaid, vendored at build time from the npm registry (pinned version and the registry's own
# sha512 integrity of the tarball), so the site draws its diagrams with no CDN request.
MERMAID_VERSION = "11.17.2"
MERMAID_INTEGRITY = "sha512-V6K3C8EBdEsPFZXSKMJe6ppQOENxuHARr9GvHX4hh47lAbhMRD9qf4oEK7LoaRQxULMa80/qt5gHO73aCleBBg=="
CACHE = Path(os.environ.get("EXTENDING_PYTHON_CACHE", ROOT / ".cache"))  # as in noxfile.py
MERMAID_JS = DOCS / "assets" / "vendor" / "mermaid.min.js"
MERMAID_STAMP = MERMAID_JS.with_suffix(".version")


class SiteError(Exception):
    """Something the site needs is missing or wrong; the message says what to do."""


# --- inputs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipe:
    slug: str  # the page name and the core snippet section
    call: str  # how it is called, for titles
    workloads: tuple[str, ...]  # the benchmark workloads that time it


# The five recipes of the contract, in its order; the sections are the contract's snippet names.
RECIPES = (
    Recipe("fib", "fib(n)", ("call", "fib90")),
    Recipe("fib_recursive", "fib_recursive(n)", ("fibrec30",)),
    Recipe("linear_recurrence", "LinearRecurrence(coefficients, initial)", ("recurrence",)),
    Recipe("most_common", "most_common(path, n)", ("words",)),
    Recipe("calc_pi", "calc_pi(digits)", ("pi",)),
)

SECTION = re.compile(r"--8<--\s*\[start:([\w.-]+)\]")
CHAPTER_LINK = re.compile(r"\]\(\.\./(\d\d-[\w-]+)/README\.md(#[\w-]+)?\)")


def load_chapters() -> list[dict]:
    return tomllib.loads((CHAPTERS_DIR / "chapters.toml").read_text())["chapter"]


def module_rows(chapter: dict) -> list[dict]:
    """The import names of a chapter (its modules, then its variants), with a label and project."""
    rows = [{"module": m, "label": m, "variant": False, "project": ""} for m in chapter["modules"]]
    rows += [{"module": v["module"], "label": v.get("label", v["module"]), "variant": True, "project": v.get("project", "")}
             for v in chapter.get("variant", [])]
    return rows


def modules_of(chapter: dict) -> list[str]:
    return [r["module"] for r in module_rows(chapter)]


def load_results(path: Path | None = None) -> dict:
    path = Path(path or os.environ.get("BENCH_RESULTS", CACHE / "bench" / "results.json"))
    if not path.exists():
        raise SiteError(f"no benchmark results at {path}: build the site with `nox -s docs`, which runs the benchmark first")
    return json.loads(path.read_text())


def load_build_info(path: Path | None = None) -> dict:
    path = Path(path or os.environ.get("BUILD_INFO", CACHE / "build-info.json"))
    if not path.exists():
        raise SiteError(
            f"no build record at {path}: the comparison table needs each chapter's build time and size, which "
            "nox writes when it builds a wheel. Run `nox -s docs` (delete .cache/wheels first if the wheels are "
            "cached from before the record existed)."
        )
    return json.loads(path.read_text())


def sections_in(path: Path) -> list[str]:
    return SECTION.findall(path.read_text(encoding="utf-8"))


def matches_recipe(section: str, recipe: Recipe) -> bool:
    """The core section (`fib`), the binding section (`bind_fib`), or another layer's (`ffi_fib`)."""
    return section == recipe.slug or (section.endswith("_" + recipe.slug) and re.fullmatch(r"[a-z0-9]+_" + recipe.slug, section) is not None)


@dataclass
class Context:
    """What one build of the site knows: the chapters, this build's benchmark run, the build record."""

    chapters: list[dict]
    results: dict
    build_info: dict | None = None
    partial: bool = False  # development only: leave out chapters that are not ready, instead of failing
    skipped: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, partial: bool | None = None) -> "Context":
        if partial is None:
            partial = os.environ.get("SITE_PARTIAL", "") not in ("", "0")
        ctx = cls(load_chapters(), load_results(), partial=partial)
        try:
            ctx.build_info = load_build_info()
        except SiteError:
            if not partial:
                raise
            ctx.build_info = {}
        ctx.chapters = [c for c in ctx.chapters if ctx._ready(c)]
        return ctx

    def _ready(self, chapter: dict) -> bool:
        """A chapter is on the site with its README, its sources and its measurements, or the build fails."""
        folder = chapter["folder"]
        problems = []
        if not (CHAPTERS_DIR / folder / "README.md").is_file():
            problems.append(f"chapters/{folder}/README.md is missing")
        for source in chapter.get("source", []):
            if not (CHAPTERS_DIR / folder / source["path"]).is_file():
                problems.append(f"its source chapters/{folder}/{source['path']} (chapters.toml) is missing")
        unmeasured = [m for m in modules_of(chapter) if m not in self.results["results"]]
        if unmeasured:
            problems.append(f"the benchmark results have no {', '.join(unmeasured)} (is it installed where bench/run.py ran?)")
        if not problems:
            return True
        if self.partial:
            self.skipped[folder] = "; ".join(problems)
            return False
        raise SiteError(f"chapter {chapter['id']} ({folder}): " + "; ".join(problems))

    def measured(self) -> dict:
        """The results, restricted to the chapters on the site (plus the floor)."""
        keep = [m for c in self.chapters for m in modules_of(c)]
        return subset(self.results, keep, floor=True)


def subset(results: dict, modules: list[str], floor: bool = False) -> dict:
    keep = set(modules)
    return {
        **results,
        "floor": results.get("floor", {}) if floor else {},
        "modules": [m for m in results["modules"] if m["module"] in keep],
        "results": {k: v for k, v in results["results"].items() if k in keep},
        "ratios": {k: v for k, v in results["ratios"].items() if k in keep},
    }


# --- small helpers ---------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    """Write a generated page only when its content changes (see report.write_if_changed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return report.write_if_changed(path, text.encode())


def indent(text: str, by: int = 4) -> str:
    pad = " " * by
    return "\n".join(pad + line if line.strip() else "" for line in text.strip("\n").splitlines())


def tabs(items: list[tuple[str, str]]) -> str:
    """pymdownx.tabbed content tabs; with content.tabs.link, equal labels switch together."""
    return "\n\n".join(f'=== "{label}"\n\n{indent(body)}' for label, body in items)


# --- recipe pages ----------------------------------------------------------------------------

NOTE_MARKER = re.compile(r"^<!-- pitfalls: ([\w-]+) -->[ \t]*$", re.M)


def recipe_notes(recipe: Recipe) -> tuple[str, dict[str, str]]:
    """docs/recipe-notes/<slug>.md: the page title and intro, then `<!-- pitfalls: FOLDER -->` notes."""
    path = DOCS / "recipe-notes" / f"{recipe.slug}.md"
    if not path.is_file():
        raise SiteError(f"the recipe page {recipe.slug} needs its hand-written notes in {path.relative_to(ROOT)}")
    parts = NOTE_MARKER.split(path.read_text())
    intro, notes = parts[0].strip(), {}
    for folder, text in zip(parts[1::2], parts[2::2]):
        notes[folder] = text.strip()
    known = {c["folder"] for c in load_chapters()}
    unknown = set(notes) - known
    if unknown:
        raise SiteError(f"{path.relative_to(ROOT)} has notes for {sorted(unknown)}, which chapters.toml does not list")
    if not intro.startswith("# "):
        raise SiteError(f"{path.relative_to(ROOT)} must start with the page title (`# ...`)")
    return intro, notes


def code_tab(chapter: dict, recipe: Recipe) -> str:
    """One chapter's code for a recipe: every listed source with a matching section, in file order."""
    folder = chapter["folder"]
    files = []
    for source in chapter.get("source", []):
        rel = f"chapters/{folder}/{source['path']}"
        found = [s for s in sections_in(ROOT / rel) if matches_recipe(s, recipe)]
        if found:
            blocks = [f'```{source["lang"]} title="{source["path"]}{"" if len(found) == 1 else f" · {s}"}"\n--8<-- "{rel}:{s}"\n```'
                      for s in found]
            files.append((source["label"], "\n\n".join(blocks)))
    sections = [s for source in chapter.get("source", []) for s in sections_in(CHAPTERS_DIR / folder / source["path"])]
    if recipe.slug not in sections:
        raise SiteError(
            f"chapter {chapter['id']} ({folder}) shows no code for {recipe.slug}: none of its [[chapter.source]] files "
            f"has a `--8<-- [start:{recipe.slug}]` section"
        )
    return files[0][1] if len(files) == 1 else tabs(files)


def measured_line(chapter: dict, recipe: Recipe, results: dict) -> str:
    """This chapter's figures for the recipe's workloads, from this build's run, above its code."""
    parts = []
    for module in modules_of(chapter):
        per, ratios = results["results"].get(module, {}), results["ratios"].get(module, {})
        figures = []
        for w in recipe.workloads:
            if w in per:
                speedup = ratios.get(w, {}).get("speedup_vs_python")
                extra = f" ({report.fmt_ratio(speedup)} Python)" if speedup and module != report.REFERENCE else ""
                figures.append(f"`{w}` {report.fmt_time(per[w]['median'])}{extra}")
        if figures:
            parts.append(f"`{module}`: " + ", ".join(figures))
    if not parts:
        return ""
    return "<small>Measured in this build: " + "; ".join(parts) + ".</small>\n\n"


def recipe_page(recipe: Recipe, ctx: Context) -> str:
    intro, notes = recipe_notes(recipe)
    results = ctx.measured()
    out = [intro, ""]
    out += ["## The code", "",
            "The same recipe in every chapter, included from the sources the tests and the benchmark ran. "
            "Pick a technology once: every tab set on the site follows.", ""]
    out.append(tabs([(c["technology"], measured_line(c, recipe, results) + code_tab(c, recipe)) for c in ctx.chapters]))
    out += ["", "## Measured", "",
            "From the benchmark run of this site build: median ± half the interquartile range, and ratios of medians "
            "from the same run. [How it was measured](../benchmarks.md#how-it-is-measured).", ""]
    for w in recipe.workloads:
        if w not in report.workloads_of(results):
            raise SiteError(f"the benchmark results have no `{w}` workload (the recipe page {recipe.slug} shows it)")
        out += [f"### `{w}`: {report.WORKLOAD_TITLES[w]}", "",
                f'--8<-- "docs/generated/bench/workload-{w}.md"', "",
                f"![{report.WORKLOAD_TITLES[w]}: median time per module](../generated/bench/workload-{w}.svg)", ""]
    out += ["## Pitfalls", "", "What each technology makes you think about for this recipe.", ""]
    pitfall_tabs = []
    for c in ctx.chapters:
        note = notes.get(c["folder"]) or "Nothing special: the chapter's code above is all there is to it."
        pitfall_tabs.append((c["technology"], note + f"\n\nMore in [chapter {c['id']}](../chapters/{c['folder']}.md)."))
    out.append(tabs(pitfall_tabs))
    return "\n".join(out) + "\n"


# --- chapter pages, diagrams, notebooks -----------------------------------------------------


def diagram(chapter: dict) -> str:
    path = DOCS / "diagrams" / f"{chapter['folder']}.md"
    if not path.is_file():
        raise SiteError(f"chapter {chapter['id']} has no diagram: write {path.relative_to(ROOT)} (a ```mermaid block)")
    return path.read_text().strip()


def chapters_md(ctx: Context) -> str:
    """The table of chapters on the home page."""
    out = ["| | chapter | import names | built with | try it |", "|---:|---|---|---|---|"]
    for c in ctx.chapters:
        names = ", ".join(f"`{m}`" for m in modules_of(c))
        out.append(f"| {c['id']} | [{c['title']}](chapters/{c['folder']}.md) | {names} | {c['backend']} "
                   f"| [notebook](try/{c['folder']}.ipynb) |")
    return "\n".join(out) + "\n"


def recipes_md() -> str:
    """The table of recipes on the home page: each recipe's page, its title and its workloads."""
    out = ["| recipe | what it is about | benchmark |", "|---|---|---|"]
    for r in RECIPES:
        title = recipe_title(r)
        out.append(f"| [`{r.call}`](recipes/{r.slug}.md) | {title} | " + ", ".join(f"`{w}`" for w in r.workloads) + " |")
    return "\n".join(out) + "\n"


def recipe_title(recipe: Recipe) -> str:
    """The part of a recipe page's title after the colon: `fib(n)`: one integer in -> one integer in."""
    first = (DOCS / "recipe-notes" / f"{recipe.slug}.md").read_text().splitlines()[0]
    return first.split(":", 1)[1].strip() if ":" in first else first.lstrip("# ")


def diagrams_md(ctx: Context) -> str:
    out = []
    for c in ctx.chapters:
        out += [f"## {c['id']}. {c['technology']}", "", diagram(c), "",
                f"[Chapter {c['id']}: {c['title']}](chapters/{c['folder']}.md)", ""]
    return "\n".join(out)


def annotations(chapter: dict) -> list[tuple[str, str]]:
    """`cython -a` for each file in the chapter's `annotate` list: (source path, site path of the HTML)."""
    out = []
    for rel in chapter.get("annotate", []):
        source = CHAPTERS_DIR / chapter["folder"] / rel
        if not source.is_file():
            raise SiteError(f"chapter {chapter['id']} lists annotate = {rel!r}, which does not exist")
        out.append((rel, f"annotate/{chapter['folder']}/{Path(rel).stem}.html"))
    return out


def run_cython_annotate(chapter: dict) -> list[Path]:
    """Write the annotated HTML that `cython -a` makes: which lines call into the Python C API."""
    written = []
    cython = shutil.which("cython") or shutil.which("cython", path=str(Path(sys.executable).parent))
    if not cython:
        raise SiteError(f"chapter {chapter['id']} asks for `cython -a` annotations, but cython is not installed here")
    folder = CHAPTERS_DIR / chapter["folder"]
    version = subprocess.run([cython, "--version"], capture_output=True, text=True).stdout.strip()
    for rel, site_path in annotations(chapter):
        source = folder / rel
        target = DOCS / site_path
        text = source.read_text(encoding="utf-8")
        # Cython takes seconds per file: redo it only when the source or Cython changes.
        stamp = CACHE / "annotate" / chapter["folder"] / (Path(rel).name + ".sha256")
        key = hashlib.sha256(text.encode() + version.encode()).hexdigest()
        if target.exists() and stamp.exists() and stamp.read_text() == key:
            written.append(target)
            continue
        cplus = re.search(r"#\s*distutils:\s*language\s*=\s*c\+\+", text) or "libcpp" in text
        with tempfile.TemporaryDirectory() as tmp:
            out_c = Path(tmp) / (source.stem + (".cpp" if cplus else ".c"))
            cmd = [cython, "-3", "-a", *(["--cplus"] if cplus else []), "-I", str(source.parent), str(source), "-o", str(out_c)]
            done = subprocess.run(cmd, capture_output=True, text=True, cwd=folder)
            html = out_c.with_suffix(".html")
            if done.returncode != 0 or not html.exists():
                raise SiteError(f"`{' '.join(cmd)}` failed:\n{done.stdout}{done.stderr}")
            page = html.read_text(encoding="utf-8")
        # Cython writes the absolute path of the build machine into the page: show the repository path.
        page = page.replace(str(source), f"chapters/{chapter['folder']}/{rel}").replace(str(out_c), out_c.name)
        # It also links the generated C, which the site does not publish: keep the name, drop the link.
        page = re.sub(r'<a href="[^"/]+\.(?:c|cpp)">([^<]*)</a>', r"<code>\1</code>", page)
        # A way back to the chapter: this page is not a Markdown page, so it has no navigation.
        back = (f'<p style="font-family: sans-serif"><a href="../../chapters/{chapter["folder"]}/">Chapter {chapter["id"]}: '
                f'{chapter["title"]}</a> · <code>cython -a</code>, generated when the site was built</p>')
        page = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + "\n" + back, page, count=1)
        written.append(write(target, page))
        write(stamp, key)
    return written


def insert_before_first_section(markdown: str, block: str) -> str:
    """Put `block` before the first `## ` heading that is not inside a code fence."""
    lines, fence = markdown.splitlines(keepends=True), None
    for i, line in enumerate(lines):
        marker = re.match(r"\s*(`{3,}|~{3,})", line)
        if marker and (fence is None or marker.group(1).startswith(fence)):
            fence = None if fence else marker.group(1)
        elif fence is None and line.startswith("## "):
            return "".join(lines[:i]) + block + "".join(lines[i:])
    return markdown.rstrip() + "\n\n" + block


def chapter_page(chapter: dict, ctx: Context) -> str:
    readme = (CHAPTERS_DIR / chapter["folder"] / "README.md").read_text()
    # On GitHub a chapter links to ../05-pyo3/README.md; on the site that page is 05-pyo3.md.
    text = CHAPTER_LINK.sub(lambda m: f"]({m.group(1)}.md{m.group(2) or ''})", readme).rstrip() + "\n"
    modules = modules_of(chapter)
    # The diagram goes before the README's first section: the map first, then the walk.
    where = ("## Where it sits\n\nHow a call travels from Python to the native code and back, in this chapter. "
             "All chapters side by side: [between Python and native code](../architecture.md).\n\n"
             + diagram(chapter) + "\n\n")
    text = insert_before_first_section(text, where)
    text += "\n## Measured\n\nFrom the benchmark run of this site build (median ± half the interquartile range; "
    text += "in bold, the speedup over pure Python from the same run). How it was measured: [Scoreboard](../benchmarks.md). "
    text += "Every recipe in every technology: " + ", ".join(f"[`{r.slug}`](../recipes/{r.slug}.md)" for r in RECIPES) + ".\n\n"
    text += report.scoreboard_table(subset(ctx.results, modules))
    annotated = annotations(chapter)
    if annotated:
        text += "\n## Cython's annotation\n\n`cython -a` shades every line by how much it talks to the Python C API "
        text += "(white: plain C); click a line to see the C it became. Generated when this site was built: "
        text += ", ".join(f"[`{rel}`](../{site})" for rel, site in annotated) + ".\n"
    text += f"\n## Try it\n\nThe [notebook for this chapter](../try/{chapter['folder']}.ipynb) imports "
    text += ", ".join(f"`{m}`" for m in modules) + ", calls every recipe, shows the errors for bad input and times a call. "
    text += "It was executed when this site was built, so every output in it is real.\n"
    return text


def _cell(kind: str, source: str) -> dict:
    cell = {"cell_type": kind, "metadata": {}, "source": source.strip("\n").splitlines(keepends=True)}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def notebook(chapter: dict) -> str:
    modules = modules_of(chapter)
    cells = [
        _cell("markdown", f"# Try it: {chapter['technology']}\n\n"
              f"Chapter {chapter['id']}, [{chapter['title']}](../../chapters/{chapter['folder']}/), in a notebook. "
              "It was executed when this site was built, against the modules built from this repository: "
              f"every output below is real. [Download the notebook]({chapter['folder']}.ipynb) and run it "
              f"yourself after `pip install chapters/{chapter['folder']}`."),
        _cell("code", "import importlib, importlib.metadata, pathlib, platform\n"
              f"modules = {{name: importlib.import_module(name) for name in {modules!r}}}\n"
              "print(platform.python_implementation(), platform.python_version(), 'on', platform.machine())\n"
              "for name, m in modules.items():\n"
              "    package = pathlib.Path(m.__file__).parent\n"
              "    native = sorted(p.name for p in package.glob('*.so')) or ['no native file in the package']\n"
              "    print(f'{name:24}', ', '.join(native))"),
        _cell("markdown", "## Every recipe"),
        _cell("code", "from itertools import islice\nimport tempfile, pathlib\n"
              "text = pathlib.Path(tempfile.mkdtemp()) / 'text.txt'\n"
              "text.write_text('The cat and the hat. THE END, the end.\\nÉté, été.\\n', encoding='utf-8')\n"
              "for name, m in modules.items():\n"
              "    print(f'--- {name}')\n"
              "    print('fib(90)             =', m.fib(90))\n"
              "    print('fib_recursive(20)   =', m.fib_recursive(20))\n"
              "    print('Lucas numbers       =', list(islice(m.LinearRecurrence([1, 1], [2, 1]), 12)))\n"
              "    print('most_common(..., 3) =', m.most_common(text, 3))\n"
              "    print('calc_pi(30)         =', m.calc_pi(30))"),
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
              "            print(f'{call:30} -> {type(exc).__name__}: {exc}')\n"
              "        else:\n"
              "            raise AssertionError(f'{call} did not raise')"),
        _cell("markdown", "## Time a call\n\nA rough `%timeit` for a feel of the numbers; the "
              "[scoreboard](../../benchmarks/) has the careful ones."),
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


# --- everything at once ----------------------------------------------------------------------


def remove_stale(keep: list[Path]) -> None:
    """Delete generated pages of chapters that are gone (or left out): mkdocs would find them unlisted."""
    for folder, pattern in (("recipes", "*.md"), ("chapters", "*.md"), ("try", "*.ipynb")):
        for path in (DOCS / folder).glob(pattern):
            if path not in keep:
                path.unlink()


def generate(ctx: Context) -> list[Path]:
    """Write every generated page and table; return what was written."""
    written: list[Path] = []
    results = ctx.measured()
    written += report.write_all(results, DOCS / "generated" / "bench")
    if ctx.build_info is not None:
        measured, facts = report.comparison_tables(results, ctx.chapters, ctx.build_info, CHAPTERS_DIR, strict=not ctx.partial)
        written.append(write(DOCS / "generated" / "comparison-measured.md", measured))
        written.append(write(DOCS / "generated" / "comparison-facts.md", facts))
    written.append(write(DOCS / "generated" / "diagrams.md", diagrams_md(ctx)))
    written.append(write(DOCS / "generated" / "chapters.md", chapters_md(ctx)))
    written.append(write(DOCS / "generated" / "recipes.md", recipes_md()))
    for recipe in RECIPES:
        written.append(write(DOCS / "recipes" / f"{recipe.slug}.md", recipe_page(recipe, ctx)))
    for chapter in ctx.chapters:
        written.append(write(DOCS / "chapters" / f"{chapter['folder']}.md", chapter_page(chapter, ctx)))
        written.append(write(DOCS / "try" / f"{chapter['folder']}.ipynb", notebook(chapter)))
        if chapter.get("annotate"):
            written += run_cython_annotate(chapter)
    remove_stale(written)
    return written


# Hand-written pages in docs/, in the order the navigation shows them; any other docs/*.md
# page is added after these (by its title), so a new page never needs this list.
PAGE_ORDER = ["index.md", "choosing.md", "benchmarks.md", "architecture.md", "start-your-own-project.md"]
PAGE_TITLES = {
    "index.md": "Home",
    "choosing.md": "Choosing a technology",
    "benchmarks.md": "Scoreboard",
    "architecture.md": "Between Python and native code",
    "start-your-own-project.md": "Start your own project",
}


def page_title(path: Path) -> str:
    for line in path.read_text().splitlines():
        if line.startswith("# "):
            return line[2:].strip().strip("`")
    return path.stem.replace("-", " ").capitalize()


def nav(ctx: Context) -> list:
    pages = sorted(DOCS.glob("*.md"), key=lambda p: (PAGE_ORDER.index(p.name) if p.name in PAGE_ORDER else len(PAGE_ORDER), page_title(p)))
    top = [{PAGE_TITLES.get(p.name, page_title(p)): p.name} for p in pages]
    # Home first, then the cookbook itself, then the pages about choosing and measuring.
    home, rest = top[:1], top[1:]
    recipes = [{f"{r.call}": f"recipes/{r.slug}.md"} for r in RECIPES]
    chapters = [{f"{c['id']}. {c['technology']}": f"chapters/{c['folder']}.md"} for c in ctx.chapters]
    notebooks = [{f"{c['id']}. {c['technology']}": f"try/{c['folder']}.ipynb"} for c in ctx.chapters]
    return [*home, {"Recipes": recipes}, {"Chapters": chapters}, {"Try it": notebooks}, *rest]


# --- Mermaid, vendored from npm -------------------------------------------------------------


def mermaid_ok() -> bool:
    return MERMAID_JS.is_file() and MERMAID_STAMP.is_file() and MERMAID_STAMP.read_text().strip() == MERMAID_INTEGRITY


def vendor_mermaid(cache: Path | None = None) -> Path:
    """`npm pack mermaid@VERSION`, check the tarball against the pinned integrity, copy dist/mermaid.min.js."""
    if mermaid_ok():
        print(f"sitegen: mermaid {MERMAID_VERSION} already in {MERMAID_JS.relative_to(ROOT)}")
        return MERMAID_JS
    cache = cache or CACHE / "npm"
    cache.mkdir(parents=True, exist_ok=True)
    tarball = cache / f"mermaid-{MERMAID_VERSION}.tgz"
    if not tarball.exists():
        npm = shutil.which("npm")
        if not npm:
            raise SiteError("the diagrams need Mermaid from the npm registry, and npm is missing: apt-get install npm | brew install node")
        print(f"sitegen: npm pack mermaid@{MERMAID_VERSION}", flush=True)
        subprocess.run([npm, "pack", f"mermaid@{MERMAID_VERSION}", "--silent", "--pack-destination", str(cache)],
                       check=True, stdout=subprocess.DEVNULL)
    algorithm, expected = MERMAID_INTEGRITY.split("-", 1)
    actual = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
    if actual != expected:
        tarball.unlink()
        raise SiteError(f"{tarball.name} does not match the pinned integrity {MERMAID_INTEGRITY}: refusing to use it")
    with tarfile.open(tarball) as tar:
        data = tar.extractfile("package/dist/mermaid.min.js").read()
        licence = tar.extractfile("package/LICENSE").read()
    MERMAID_JS.parent.mkdir(parents=True, exist_ok=True)
    MERMAID_JS.write_bytes(data)
    MERMAID_JS.with_name("mermaid.LICENSE.txt").write_bytes(licence)
    MERMAID_STAMP.write_text(MERMAID_INTEGRITY + "\n")
    print(f"sitegen: wrote {MERMAID_JS.relative_to(ROOT)} (mermaid {MERMAID_VERSION}, {len(data) / 2**20:.1f} MiB)")
    return MERMAID_JS


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "generate"
    try:
        if command == "vendor-mermaid":
            vendor_mermaid()
        elif command == "generate":
            ctx = Context.load()
            for path in generate(ctx):
                print(f"sitegen: {path.relative_to(ROOT)}")
            for folder, why in ctx.skipped.items():
                print(f"sitegen: left out {folder}: {why}")
        else:
            print(__doc__)
            return 2
    except SiteError as exc:
        print(f"sitegen: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

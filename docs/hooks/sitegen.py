"""Everything on the site that is generated: from the chapter list, the recipe list, the chapter
sources, the installed modules and the benchmark run of this build. Plain functions, no mkdocs
import: docs/hooks/cookbook.py calls them from mkdocs, and `python docs/hooks/sitegen.py` runs
them without mkdocs (for a successor to mkdocs that has no hooks; see README.md).

    python docs/hooks/sitegen.py generate        write every generated page and table
    python docs/hooks/sitegen.py vendor-mermaid  fetch the pinned Mermaid from npm into docs/assets/vendor/

What it reads: chapters/chapters.toml (the chapters), chapters/recipes.toml (the recipes and
their workloads), the benchmark results and nox's build record. Nothing here lists a chapter
or a recipe: add one to its list (and write its notes page) and it appears everywhere.

What it writes (all ignored by git; see docs/.gitignore and the root .gitignore):

    docs/recipes/<recipe>.md       one page per recipe: its contract section, the code of every
                                   chapter in linked tabs, a summary of its figures, the pitfalls
    docs/chapters/<folder>.md      each chapter's README, opened by its quick start, with its
                                   diagram and a summary of its figures (and its Cython annotation)
    docs/try/index.md              "Try it": every chapter's modules called at build time, a tab each
    docs/annotate/<folder>/*.html  `cython -a` output for the files a chapter lists in `annotate`
    docs/generated/bench/          benchmark tables (Markdown) and SVG plots (bench/report.py),
                                   and the scoreboard's list of workloads and its per-workload sections
    docs/generated/comparison-*.md the "Choosing a technology" tables (bench/report.py)
    docs/generated/bad-input.md    what every module raises for bad input, called at build time
    docs/generated/diagrams.md     every chapter's diagram, for the architecture page
    docs/generated/recipes.md, chapters.md   the home page's tables

Hand-written prose lives beside it in docs/: docs/recipe-notes/<recipe>.md (a recipe's intro,
its examples and bad input, one pitfalls note per chapter) and docs/diagrams/<folder>.md (a
chapter's Mermaid diagram).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
CHAPTERS_DIR = ROOT / "chapters"
sys.path.insert(0, str(ROOT / "bench"))

import report  # noqa: E402  (bench/report.py: the benchmark's tables and plots, and the two lists)

# Mermaid, vendored at build time from the npm registry (pinned version and the registry's own
# sha512 integrity of the tarball), so the site draws its diagrams with no CDN request.
MERMAID_VERSION = "11.17.2"
MERMAID_INTEGRITY = "sha512-V6K3C8EBdEsPFZXSKMJe6ppQOENxuHARr9GvHX4hh47lAbhMRD9qf4oEK7LoaRQxULMa80/qt5gHO73aCleBBg=="
CACHE = Path(os.environ.get("EXTENDING_PYTHON_CACHE", ROOT / ".cache"))  # as in noxfile.py
MERMAID_JS = DOCS / "assets" / "vendor" / "mermaid.min.js"
MERMAID_STAMP = MERMAID_JS.with_suffix(".version")
CONTRACT = DOCS / "contract.md"
# How long one module may take to run a page's calls (examples, bad input) at build time.
CALL_TIMEOUT = 120


class SiteError(Exception):
    """Something the site needs is missing or wrong; the message says what to do."""


# --- inputs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipe:
    """One [[recipe]] of chapters/recipes.toml."""

    slug: str  # the page name and the snippet section
    export: str  # the name every module exposes
    signature: str  # "fib(n, /)"
    returns: str
    exercises: str
    seed: str
    contract: str  # the anchor of its section in docs/contract.md
    workloads: tuple[dict, ...]  # id, label, timed, inner, floor

    @property
    def call(self) -> str:
        """The signature without its positional-only marker, for titles: fib(n)."""
        return re.sub(r",\s*/(?=\s*[,)])|/\s*,\s*", "", self.signature)

    @property
    def workload_ids(self) -> list[str]:
        return [w["id"] for w in self.workloads]


RECIPE_FIELDS = ("slug", "export", "signature", "returns", "exercises", "seed", "contract")


def load_recipes() -> list[Recipe]:
    recipes = []
    for entry in report.load_recipes():
        missing = [f for f in RECIPE_FIELDS if not entry.get(f)]
        if missing:
            raise SiteError(f"chapters/recipes.toml: the recipe {entry.get('slug', '?')!r} has no {', '.join(missing)}")
        recipes.append(Recipe(**{f: entry[f] for f in RECIPE_FIELDS}, workloads=tuple(entry.get("workload", []))))
    return recipes


def load_chapters() -> list[dict]:
    return list(report.load_chapters())


def module_rows(chapter: dict) -> list[dict]:
    """The import names of a chapter (its modules, then its variants), with a label and project."""
    rows = [{"module": m, "label": m, "variant": False, "project": ""} for m in chapter["modules"]]
    rows += [{"module": v["module"], "label": v.get("label", v["module"]), "variant": True, "project": v.get("project", "")}
             for v in chapter.get("variant", [])]
    return rows


def modules_of(chapter: dict) -> list[str]:
    return [r["module"] for r in module_rows(chapter)]


def installed_by_chapter(chapter: dict) -> list[str]:
    """What `pip install chapters/<folder>` installs: its modules and the variants built with them
    (a variant with a `project` of its own, such as chapter 5's abi3 build, is a second install)."""
    return [r["module"] for r in module_rows(chapter) if not r["project"]]


def load_results(path: Path | None = None) -> dict:
    path = Path(path or os.environ.get("BENCH_RESULTS", CACHE / "bench" / "results.json"))
    if not path.exists():
        raise SiteError(f"no benchmark results at {path}: build the site with `nox -s docs`, which runs the benchmark first")
    return json.loads(path.read_text())


def load_freethreaded(bench: bool = False) -> dict | None:
    """What `nox -s freethreaded` found (FREETHREADED_RESULTS), or with bench=True the quick benchmark
    it ran on the free-threaded interpreter (FREETHREADED_BENCH); None if it did not run (the
    comparison table says so)."""
    variable, default = ("FREETHREADED_BENCH", CACHE / "bench" / "freethreaded.json") if bench else (
        "FREETHREADED_RESULTS", CACHE / "freethreaded.json")
    path = Path(os.environ.get(variable, default))
    return json.loads(path.read_text()) if path.exists() else None


def load_build_info(path: Path | None = None) -> dict:
    path = Path(path or os.environ.get("BUILD_INFO", CACHE / "build-info.json"))
    if not path.exists():
        raise SiteError(
            f"no build record at {path}: the comparison table needs each chapter's build time and size, which "
            "nox writes when it builds a wheel. Run `nox -s docs` (delete .cache/wheels first if the wheels are "
            "cached from before the record existed)."
        )
    return json.loads(path.read_text())


SECTION = re.compile(r"--8<--\s*\[start:([\w.-]+)\]")


def sections_in(path: Path) -> list[str]:
    return SECTION.findall(path.read_text(encoding="utf-8"))


def matches_recipe(section: str, recipe: Recipe) -> bool:
    """The core section (`fib`), the binding section (`bind_fib`), or another layer's (`ffi_fib`)."""
    return section == recipe.slug or re.fullmatch(r"[a-z0-9]+_" + re.escape(recipe.slug), section) is not None


@dataclass
class Context:
    """What one build of the site knows: the chapters, the recipes, this build's benchmark run, the build record."""

    chapters: list[dict]
    recipes: list[Recipe]
    results: dict
    build_info: dict | None = None
    partial: bool = False  # development only: leave out chapters that are not ready, instead of failing
    skipped: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, partial: bool | None = None) -> Context:
        if partial is None:
            partial = os.environ.get("SITE_PARTIAL", "") not in ("", "0")
        ctx = cls(load_chapters(), load_recipes(), load_results(), partial=partial)
        try:
            ctx.build_info = load_build_info()
        except SiteError:
            if not partial:
                raise
            ctx.build_info = {}
        ctx.chapters = [c for c in ctx.chapters if ctx._ready(c)]
        return ctx

    def _ready(self, chapter: dict) -> bool:
        """A chapter is on the site with its README, sources, quick start and measurements, or the build fails."""
        folder = chapter["folder"]
        problems = []
        if not (CHAPTERS_DIR / folder / "README.md").is_file():
            problems.append(f"chapters/{folder}/README.md is missing")
        problems += [f"its source chapters/{folder}/{source['path']} (chapters.toml) is missing"
                     for source in chapter.get("source", []) if not (CHAPTERS_DIR / folder / source["path"]).is_file()]
        problems += quickstart_problems(chapter)
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


def tabs_or_one(items: list[tuple[str, str]]) -> str:
    return items[0][1] if len(items) == 1 else tabs(items)


# HTML's special characters and Markdown's, as character references, so that no text in a
# table cell is read as markup; a newline becomes a line break.
CELL_ESCAPES = {ch: f"&#{ord(ch)};" for ch in "&<>\"'\\`*_[]|{}#+!~"} | {"\n": "<br>"}


def cell_text(text: str, fold_over: int = 140) -> str:
    """Arbitrary text (an exception message) as the content of a Markdown table cell: HTML-escaped,
    Markdown's own characters as entities, lines joined with <br>, a long text folded."""
    def escape(s: str) -> str:
        return "".join(CELL_ESCAPES.get(ch, ch) for ch in s)

    if len(text) <= fold_over and "\n" not in text:
        return f'<code class="message">{escape(text)}</code>'
    first = text.splitlines()[0] if text.strip() else text
    summary = first if len(first) <= 80 else first[:77].rstrip() + "…"
    return (f'<details><summary><code class="message">{escape(summary)}</code></summary>'
            f'<code class="message">{escape(text)}</code></details>')


def code_list(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def run_in_module(script: str, module: str, *args: object) -> object:
    """Run `script` in a fresh interpreter with the module's name and JSON arguments; return its JSON.

    A fresh process per module: a module that crashes the interpreter fails the build with a
    clear message instead of taking the build down with it. It runs in an empty temporary
    folder, so relative file names in the calls name nothing.
    """
    with tempfile.TemporaryDirectory() as tmp:
        try:
            done = subprocess.run([sys.executable, "-c", script, module, *(json.dumps(a) for a in args)],
                                  capture_output=True, text=True, cwd=tmp, timeout=CALL_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise SiteError(f"calling {module} at build time took more than {CALL_TIMEOUT} s") from None
    if done.returncode != 0:
        raise SiteError(f"calling {module} at build time failed (exit status {done.returncode}):\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


# --- recipe notes: the hand-written part of a recipe page ----------------------------------

NOTE_MARKER = re.compile(r"^<!-- pitfalls: ([\w-]+) -->[ \t]*$", re.M)
CALL_BLOCK = re.compile(r"^<!-- (examples|bad input)[ \t]*\n(.*?)^-->[ \t]*$\n?", re.M | re.S)


@dataclass
class Notes:
    """docs/recipe-notes/<slug>.md, taken apart."""

    intro: str  # the page title and the recipe's explanation (Markdown, with its own ## sections)
    pitfalls: dict[str, str]  # chapter folder -> note
    examples: list[str]  # one-line Python statements for the "Try it" page, run in order
    bad_input: list[str]  # one-line calls with bad arguments, for the bad-input table


def recipe_notes(recipe: Recipe, chapters: list[dict] | None = None) -> Notes:
    """Read docs/recipe-notes/<slug>.md: the title and intro, then `<!-- pitfalls: FOLDER -->` notes.

    Two comment blocks list calls the site makes at build time, one statement a line:
    `<!-- examples ... -->` (the "Try it" page) and `<!-- bad input ... -->` (the bad-input table).
    """
    path = DOCS / "recipe-notes" / f"{recipe.slug}.md"
    rel = path.relative_to(ROOT)
    if not path.is_file():
        raise SiteError(f"the recipe {recipe.slug} (chapters/recipes.toml) needs its hand-written notes in {rel}")
    text = path.read_text(encoding="utf-8")
    blocks: dict[str, list[str]] = {}
    for kind, body in CALL_BLOCK.findall(text):
        blocks.setdefault(kind, []).extend(line.strip() for line in body.splitlines() if line.strip())
    text = CALL_BLOCK.sub("", text)
    parts = NOTE_MARKER.split(text)
    intro = parts[0].strip()
    pitfalls = {folder: note.strip() for folder, note in zip(parts[1::2], parts[2::2], strict=True)}
    known = {c["folder"] for c in (chapters if chapters is not None else load_chapters())}
    if set(pitfalls) - known:
        raise SiteError(f"{rel} has notes for {sorted(set(pitfalls) - known)}, which chapters.toml does not list")
    if not intro.startswith("# "):
        raise SiteError(f"{rel} must start with the page title (`# ...`)")
    for kind in ("examples", "bad input"):
        if not blocks.get(kind):
            raise SiteError(f"{rel} needs a `<!-- {kind}` block: one call a line, ending with `-->`")
        for line in blocks[kind]:
            try:
                compile(line, str(rel), "single" if kind == "examples" else "eval")
            except SyntaxError as exc:
                raise SiteError(f"{rel}: `{line}` in its {kind} block is not a one-line Python "
                                f"{'statement' if kind == 'examples' else 'expression'}: {exc.msg}") from None
    return Notes(intro, pitfalls, blocks["examples"], blocks["bad input"])


def recipe_title(recipe: Recipe) -> str:
    """The part of a recipe page's title after the colon: `# fib(n): one integer in...` -> one integer in..."""
    first = (DOCS / "recipe-notes" / f"{recipe.slug}.md").read_text(encoding="utf-8").splitlines()[0]
    return first.split(":", 1)[1].strip() if ":" in first else first.lstrip("# ")


# --- recipe pages ----------------------------------------------------------------------------


def contract_link(recipe: Recipe, prefix: str = "../") -> str:
    return f"{prefix}contract.md#{recipe.contract}"


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
    return tabs_or_one(files)


def scoreboard_anchor(workload: str) -> str:
    return f"workload-{workload}"


def recipe_page(recipe: Recipe, ctx: Context, notes: Notes) -> str:
    results = ctx.measured()
    title, _, body = notes.intro.partition("\n")
    contract = (f'!!! abstract "The contract: `{recipe.signature} -> {recipe.returns}`"\n\n'
                + indent(f"{recipe.exercises[:1].upper()}{recipe.exercises[1:]}. Every argument rule and every error it raises, word for word: "
                         f"[the contract, `{recipe.call}`]({contract_link(recipe)}). What each module raises for bad "
                         f"input, type errors included: [bad input](../bad-input.md). "
                         f"From the seed: {recipe.seed}."))
    out = [title, "", contract, "", body.strip(), ""]
    out += ["## The code", "",
            "The same recipe in every chapter, included from the sources the tests and the benchmark ran. "
            "Pick a technology once: every tab set on the site follows.", ""]
    out.append(tabs([(c["technology"], code_tab(c, recipe)) for c in ctx.chapters]))
    if recipe.workloads:
        missing = [w for w in recipe.workload_ids if w not in report.workloads_of(results)]
        if missing:
            raise SiteError(f"the benchmark results have no {code_list(missing)} (recipes.toml's workloads of {recipe.slug}): "
                            "run the benchmark again (`nox -s docs` does)")
        out += ["", "## Measured", "",
                "Median time per call in the benchmark run of this site build; in bold, how many times faster than pure "
                "Python, in the same run. What was timed, the spreads, the ratios to the C API and the plots: "
                + ", ".join(f"[`{w}` on the scoreboard](../benchmarks.md#{scoreboard_anchor(w)})" for w in recipe.workload_ids)
                + ".", "",
                report.scoreboard_table(results, recipe.workload_ids, compact=True,
                                        link=lambda w: f"../benchmarks.md#{scoreboard_anchor(w)}")]
    out += ["## Pitfalls", "", "What each technology makes you think about for this recipe.", ""]
    pitfall_tabs = []
    for c in ctx.chapters:
        note = notes.pitfalls.get(c["folder"]) or "Nothing special: the chapter's code above is all there is to it."
        pitfall_tabs.append((c["technology"], note + f"\n\nMore in [chapter {c['id']}](../chapters/{c['folder']}.md)."))
    out.append(tabs(pitfall_tabs))
    return "\n".join(out) + "\n"


# --- bad input: every module called at build time -------------------------------------------

BAD_INPUT_SCRIPT = r"""
import importlib, json, sys
module = importlib.import_module(sys.argv[1])
exports, calls = json.loads(sys.argv[2]), json.loads(sys.argv[3])
namespace = {name: getattr(module, name) for name in exports}
rows = []
for call in calls:
    try:
        value = eval(call, dict(namespace))
    except BaseException as exc:
        kind = type(exc)
        name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
        try:
            message = str(exc)
        except BaseException as again:
            message = f"(str() of this exception raised {type(again).__name__})"
        rows.append({"call": call, "raised": name, "message": message, "type_error": isinstance(exc, TypeError)})
    else:
        rows.append({"call": call, "returned": repr(value)[:300]})
print(json.dumps(rows))
"""


def outcome_cell(row: dict) -> str:
    if "raised" in row:
        subclass = " (a `TypeError`)" if row["type_error"] and row["raised"] != "TypeError" else ""
        return f"`{row['raised']}`{subclass}: {cell_text(row['message'])}"
    return f"**no exception**: returned {cell_text(row['returned'])}"


def outcome_key(row: dict) -> tuple[str, str]:
    return (row["raised"], row["message"]) if "raised" in row else ("", row["returned"])


def bad_input_md(ctx: Context, notes: dict[str, Notes]) -> str:
    """Two tables: the contract's own errors (one message everywhere), then each technology's TypeErrors."""
    modules = [m for c in ctx.chapters for m in modules_of(c)]
    if report.REFERENCE not in modules:
        raise SiteError(f"the bad-input table compares every module with the reference, {report.REFERENCE}, which is not on the site")
    exports = [r.export for r in ctx.recipes]
    calls = [(r, call) for r in ctx.recipes for call in notes[r.slug].bad_input]
    seen = {m: {row["call"]: row for row in run_in_module(BAD_INPUT_SCRIPT, m, exports, [c for _, c in calls])}
            for m in modules}
    contract_rows, type_sections = [], []
    for recipe, call in calls:
        ref = seen[report.REFERENCE][call]
        groups: dict[tuple[str, str], list[str]] = {}
        for m in modules:
            groups.setdefault(outcome_key(seen[m][call]), []).append(m)
        if ref.get("raised") != "TypeError":
            differ = [f"{code_list(ms)}: {outcome_cell(seen[ms[0]][call])}" for key, ms in groups.items() if key != outcome_key(ref)]
            contract_rows.append(f"| [`{call}`]({contract_link(recipe, '')}) | {outcome_cell(ref)} | "
                                 + ("<br>".join(differ) if differ else "none") + " |")
        else:
            rows = [f"| {'every module' if len(ms) == len(modules) else code_list(ms)} | {outcome_cell(seen[ms[0]][call])} |"
                    for ms in groups.values()]
            type_sections.append(f"### `{call}`\n\n| modules | what they raise |\n|---|---|\n" + "\n".join(rows) + "\n")
    out = [f"Called when this site was built, with {platform.python_implementation()} {platform.python_version()}, "
           f"on every import name of `chapters/chapters.toml`: {code_list(modules)}.", "",
           "## The contract's own errors", "",
           "Raised by each recipe's own checks: the exception the contract names, with the reference's message, "
           "word for word, in every module. The conformance suite compares both, so a module that differed would "
           "fail its tests; the last column shows any that does here.", "",
           "| call | exception and message (every module) | modules that differ |", "|---|---|---|", *contract_rows, "",
           "## Type errors: each technology's own words", "",
           "A `TypeError` for an argument of the wrong type or a wrong number of arguments comes from the "
           "technology's own argument parsing, before any recipe code runs. The contract asks for the type, not the "
           "words: each module's actual message is below, modules with the same message on one line.", "",
           *type_sections]
    return "\n".join(out)


# --- "Try it": every chapter's modules, called at build time --------------------------------

TRY_SCRIPT = r"""
import contextlib, io, json, sys, traceback
namespace = {"__name__": "__main__"}
transcript = []
for line in json.loads(sys.argv[2]):
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        try:
            exec(compile(line, "<stdin>", "single"), namespace)
        except BaseException as exc:
            buffer.write("Traceback (most recent call last):\n  ...\n")
            buffer.write("".join(traceback.format_exception_only(type(exc), exc)))
    transcript.append([line, buffer.getvalue()])
print(json.dumps(transcript))
"""


def session(module: str, ctx: Context, notes: dict[str, Notes]) -> str:
    """A Python session with the module: the examples of every recipe's notes, run now."""
    lines = [f"from {module} import {', '.join(r.export for r in ctx.recipes)}"]
    lines += [line for r in ctx.recipes for line in notes[r.slug].examples]
    out = []
    for line, output in run_in_module(TRY_SCRIPT, module, lines):
        out.append(f">>> {line}")
        out += output.rstrip("\n").splitlines()
    return "```pycon\n" + "\n".join(out) + "\n```"


def try_page(ctx: Context, notes: dict[str, Notes]) -> str:
    out = ["# Try it", "",
           "Each tab is one chapter: what `pip install chapters/<folder>` installs, and a Python session with each "
           "of its modules that calls every recipe. The sessions ran when this site was built, against the modules "
           "built from this repository, so every output below is real. The calls are the examples of the "
           "[recipe pages](../recipes/" + ctx.recipes[0].slug + ".md); what every module raises for bad input is "
           "[its own page](../bad-input.md).", "",
           f"Run with {platform.python_implementation()} {platform.python_version()} on {platform.machine()}. "
           "Copy a session into your own `python` after installing the chapter.", ""]
    chapter_tabs = []
    for c in ctx.chapters:
        modules = installed_by_chapter(c)
        body = (f"`pip install chapters/{c['folder']}` installs {code_list(modules)}. "
                f"[Chapter {c['id']}: {c['title']}](../chapters/{c['folder']}.md).\n\n")
        body += tabs_or_one([(m, session(m, ctx, notes)) for m in modules])
        chapter_tabs.append((c["technology"], body))
    out.append(tabs(chapter_tabs))
    return "\n".join(out) + "\n"


# --- chapter pages, quick starts, diagrams ---------------------------------------------------

QUICKSTART_FIELDS = ("label", "project", "module", "source", "lang")
# The project files shown under a quick start's source: its build files, by name or suffix.
PROJECT_FILE_LANG = {".toml": "toml", ".py": "python", ".pyi": "python", ".pyx": "cython", ".pxd": "cython",
                     ".c": "c", ".h": "c", ".cpp": "cpp", ".hpp": "cpp", ".rs": "rust", ".build": "meson",
                     ".cfg": "ini", ".in": "text", "CMakeLists.txt": "cmake"}
NOT_SHOWN = {"Cargo.lock"}


def quickstart_problems(chapter: dict) -> list[str]:
    entries = chapter.get("quickstart", [])
    if not entries:
        return ["chapters.toml gives it no [[chapter.quickstart]] (every chapter page opens with one)"]
    problems = []
    for q in entries:
        missing = [f for f in QUICKSTART_FIELDS if not q.get(f)]
        if missing:
            problems.append(f"its quickstart {q.get('label', '?')!r} has no {', '.join(missing)}")
            continue
        folder = CHAPTERS_DIR / chapter["folder"]
        if not (folder / q["project"] / "pyproject.toml").is_file():
            problems.append(f"its quickstart project chapters/{chapter['folder']}/{q['project']}/pyproject.toml is missing")
        if not (folder / q["source"]).is_file():
            problems.append(f"its quickstart source chapters/{chapter['folder']}/{q['source']} is missing")
    return problems


def project_files(project: Path, shown: Path) -> list[Path]:
    """The quick start project's other files worth reading (build files), not its build output."""
    files = []
    for path in sorted(project.rglob("*")):
        rel = path.relative_to(project)
        if not path.is_file() or path == shown or path.name in NOT_SHOWN or set(rel.parts[:-1]) & report.SKIP_DIRS:
            continue
        if any(part.endswith(".egg-info") or part.startswith(".") for part in rel.parts):
            continue
        if path.name in PROJECT_FILE_LANG or path.suffix in PROJECT_FILE_LANG:
            files.append(path)
    return files


def quickstart_md(chapter: dict) -> str:
    folder = chapter["folder"]
    items = []
    for q in chapter.get("quickstart", []):
        project, module = CHAPTERS_DIR / folder / q["project"], q["module"]
        body = f'```{q["lang"]} title="{q["source"]}"\n--8<-- "chapters/{folder}/{q["source"]}"\n```\n\n'
        body += ("Build and install it from the chapter folder with the chapter's own build backend, then call it:\n\n"
                 f"```bash\ncd chapters/{folder}\npip install ./{q['project']}\n"
                 f'python -c "import {module}; print({module}.square(3.0))"   # 9.0\n```\n')
        others = project_files(project, CHAPTERS_DIR / folder / q["source"])
        if others:
            names = ", ".join(f"`{p.relative_to(project).as_posix()}`" for p in others)
            blocks = []
            for p in others:
                rel = p.relative_to(CHAPTERS_DIR / folder).as_posix()
                lang = PROJECT_FILE_LANG.get(p.name, PROJECT_FILE_LANG.get(p.suffix, "text"))
                blocks.append(f'```{lang} title="{rel}"\n--8<-- "chapters/{folder}/{rel}"\n```')
            body += f'\n??? example "The rest of the project: {names}"\n\n' + indent("\n\n".join(blocks)) + "\n"
        items.append((q["label"], body))
    if not items:  # only with SITE_PARTIAL: Context._ready() refuses a chapter without one
        return ""
    return ("## Quick start\n\nThe smallest complete module in this technology: one function, `square(x)`, which "
            "returns `x * x` and raises the technology's own `TypeError` for a non-number. Every quick start is a "
            "project of its own in the chapter folder; the tests build each one into a wheel and call it.\n\n"
            + tabs_or_one(items) + "\n\n")


def diagram(chapter: dict) -> str:
    path = DOCS / "diagrams" / f"{chapter['folder']}.md"
    if not path.is_file():
        raise SiteError(f"chapter {chapter['id']} has no diagram: write {path.relative_to(ROOT)} (a ```mermaid block)")
    return path.read_text().strip()


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


# On GitHub a chapter README links to ../05-pyo3/README.md, ../../docs/contract.md and
# ../../docs/recipe-notes/fib.md; on the site those pages are 05-pyo3.md, ../contract.md and
# ../recipes/fib.md.
README_LINK = re.compile(r"\]\((\.\./\d\d-[\w-]+/README\.md|\.\./\.\./docs/[\w/.-]+\.md)(#[\w-]+)?\)")


def site_link(target: str) -> str:
    if target.startswith("../../docs/"):
        page = target.removeprefix("../../docs/")
        page = re.sub(r"^recipe-notes/", "recipes/", page)
        return "../" + page
    return target.split("/")[1] + ".md"


def chapter_page(chapter: dict, ctx: Context) -> str:
    readme = (CHAPTERS_DIR / chapter["folder"] / "README.md").read_text(encoding="utf-8")
    text = README_LINK.sub(lambda m: f"]({site_link(m.group(1))}{m.group(2) or ''})", readme).rstrip() + "\n"
    # The quick start and the diagram go before the README's first section: the smallest
    # module and the map first, then the walk.
    where = ("## Where it sits\n\nHow a call travels from Python to the native code and back, in this chapter. "
             "All chapters side by side: [between Python and native code](../architecture.md).\n\n"
             + diagram(chapter) + "\n\n")
    text = insert_before_first_section(text, quickstart_md(chapter) + where)
    text += ("\n## Measured\n\nMedian time per call in the benchmark run of this site build; in bold, the speedup over "
             "pure Python from the same run. The full tables, with spreads, ratios to the C API and what each workload "
             "times, are on the [scoreboard](../benchmarks.md). Every recipe in every technology: "
             + ", ".join(f"[`{r.call}`](../recipes/{r.slug}.md)" for r in ctx.recipes) + ".\n\n")
    text += report.scoreboard_table(subset(ctx.results, modules_of(chapter)), compact=True,
                                    link=lambda w: f"../benchmarks.md#{scoreboard_anchor(w)}")
    annotated = annotations(chapter)
    if annotated:
        text += "\n## Cython's annotation\n\n`cython -a` shades every line by how much it talks to the Python C API "
        text += "(white: plain C); click a line to see the C it became. Generated when this site was built: "
        text += ", ".join(f"[`{rel}`](../{site})" for rel, site in annotated) + ".\n"
    text += (f"\n## Try it\n\nThe [Try it](../try/index.md) page has a Python session with "
             f"{code_list(installed_by_chapter(chapter))}, run when this site was built: every recipe called, "
             "with its real output.\n")
    return text


def chapters_md(ctx: Context) -> str:
    """The table of chapters on the home page."""
    out = ["| | chapter | import names | built with | quick start |", "|---:|---|---|---|---|"]
    out += [f"| {c['id']} | [{c['title']}](chapters/{c['folder']}.md) | {code_list(modules_of(c))} | {c['backend']} "
            f"| [{', '.join(q['label'] for q in c.get('quickstart', []))}](chapters/{c['folder']}.md#quick-start) |"
            for c in ctx.chapters]
    return "\n".join(out) + "\n"


def recipes_md(ctx: Context) -> str:
    """The table of recipes on the home page: each recipe's page, what it exercises, its workloads."""
    out = ["| recipe | what it exercises | the article it comes from | benchmark |", "|---|---|---|---|"]
    for r in ctx.recipes:
        workloads = ", ".join(f"[`{w}`](benchmarks.md#{scoreboard_anchor(w)})" for w in r.workload_ids) or "–"
        out.append(f"| [`{r.call}`](recipes/{r.slug}.md)<br><small>{recipe_title(r)}</small> | {r.exercises} | {r.seed} | {workloads} |")
    return "\n".join(out) + "\n"


def diagrams_md(ctx: Context) -> str:
    out = []
    for c in ctx.chapters:
        out += [f"## {c['id']}. {c['technology']}", "", diagram(c), "",
                f"[Chapter {c['id']}: {c['title']}](chapters/{c['folder']}.md)", ""]
    return "\n".join(out)


# --- the scoreboard's generated parts --------------------------------------------------------


def workloads_md(ctx: Context) -> str:
    """The scoreboard's list of workloads, from recipes.toml."""
    out = ["| workload | what is timed | calls per loop iteration | recipe | what it exercises |", "|---|---|---:|---|---|"]
    for r in ctx.recipes:
        for w in r.workloads:
            timed = f"`{w['timed']}`" + (f"<br><small>floor: `{w['floor']}`</small>" if w.get("floor") else "")
            out.append(f"| [`{w['id']}`](#{scoreboard_anchor(w['id'])}) | {timed} | {w['inner']} "
                       f"| [`{r.call}`](recipes/{r.slug}.md) | {r.exercises} |")
    return "\n".join(out) + "\n"


def per_workload_md(ctx: Context, results: dict) -> str:
    """A section per workload: what it times, its table and its plot (tables from bench/report.py)."""
    measured = report.workloads_of(results)
    out = []
    for r in ctx.recipes:
        for w in r.workloads:
            wid = w["id"]
            if wid not in measured:
                raise SiteError(f"the benchmark results have no `{wid}` (recipes.toml): run the benchmark again (`nox -s docs` does)")
            floor = (f" The floor is the same loop around `{w['floor']}`, a C built-in called with the same "
                     "arguments: no extension can be called faster.") if w.get("floor") else ""
            loop = f"{w['inner']} calls per loop iteration" if w["inner"] != 1 else "one call per loop iteration"
            out += [f"### `{wid}`: {w['label']} {{#{scoreboard_anchor(wid)}}}", "",
                    f"Recipe: [`{r.call}`](recipes/{r.slug}.md), {r.exercises}. Timed: `{w['timed']}`, {loop}.{floor}", "",
                    (DOCS / "generated" / "bench" / f"workload-{wid}.md").read_text(encoding="utf-8"),
                    f"![{w['label']}: median time per module](generated/bench/workload-{wid}.svg)", ""]
    return "\n".join(out)


# --- Cython annotations ---------------------------------------------------------------------


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
    version = subprocess.run([cython, "--version"], capture_output=True, text=True, check=False).stdout.strip()
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
            done = subprocess.run(cmd, capture_output=True, text=True, cwd=folder, check=False)
            annotated = out_c.with_suffix(".html")
            if done.returncode != 0 or not annotated.exists():
                raise SiteError(f"`{' '.join(cmd)}` failed:\n{done.stdout}{done.stderr}")
            page = annotated.read_text(encoding="utf-8")
        # Cython writes the absolute path of the build machine into the page: show the repository path.
        page = page.replace(str(source), f"chapters/{chapter['folder']}/{rel}").replace(str(out_c), out_c.name)
        # It also links the generated C, which the site does not publish: keep the name, drop the link.
        page = re.sub(r'<a href="[^"/]+\.(?:c|cpp)">([^<]*)</a>', r"<code>\1</code>", page)
        # A way back to the chapter: this page is not a Markdown page, so it has no navigation.
        back = (f'<p style="font-family: sans-serif"><a href="../../chapters/{chapter["folder"]}/">Chapter {chapter["id"]}: '
                f'{chapter["title"]}</a> · <code>cython -a</code>, generated when the site was built</p>')
        page = re.sub(r"(<body[^>]*>)", lambda m, back=back: m.group(1) + "\n" + back, page, count=1)
        written.append(write(target, page))
        write(stamp, key)
    return written




# --- everything at once ----------------------------------------------------------------------


def remove_stale(keep: list[Path]) -> None:
    """Delete generated pages of chapters or recipes that are gone (or left out), and the old notebooks."""
    for folder, pattern in (("recipes", "*.md"), ("chapters", "*.md"), ("try", "*")):
        for path in (DOCS / folder).glob(pattern):
            if path.is_file() and path not in keep:
                path.unlink()


def generate(ctx: Context) -> list[Path]:
    """Write every generated page and table; return what was written."""
    if not CONTRACT.is_file():
        raise SiteError(f"{CONTRACT.relative_to(ROOT)}, the project's statement of the contract, is missing: "
                        "every recipe page links to its section there")
    notes = {r.slug: recipe_notes(r) for r in ctx.recipes}
    written: list[Path] = []
    results = ctx.measured()
    bench = DOCS / "generated" / "bench"
    written += report.write_all(results, bench)
    written.append(write(bench / "workloads.md", workloads_md(ctx)))
    written.append(write(bench / "per-workload.md", per_workload_md(ctx, results)))
    if ctx.build_info is not None:
        measured, facts = report.comparison_tables(results, ctx.chapters, ctx.build_info, CHAPTERS_DIR, strict=not ctx.partial,
                                                   freethreaded=load_freethreaded())
        written.append(write(DOCS / "generated" / "comparison-measured.md", measured))
        written.append(write(DOCS / "generated" / "comparison-facts.md", facts))
    written.append(write(DOCS / "generated" / "concurrency.md", concurrency_md(ctx, results)))
    written.append(write(DOCS / "generated" / "diagrams.md", diagrams_md(ctx)))
    written.append(write(DOCS / "generated" / "chapters.md", chapters_md(ctx)))
    written.append(write(DOCS / "generated" / "recipes.md", recipes_md(ctx)))
    written.append(write(DOCS / "generated" / "bad-input.md", bad_input_md(ctx, notes)))
    written.append(write(DOCS / "try" / "index.md", try_page(ctx, notes)))
    for recipe in ctx.recipes:
        written.append(write(DOCS / "recipes" / f"{recipe.slug}.md", recipe_page(recipe, ctx, notes[recipe.slug])))
    for chapter in ctx.chapters:
        written.append(write(DOCS / "chapters" / f"{chapter['folder']}.md", chapter_page(chapter, ctx)))
        if chapter.get("annotate"):
            written += run_cython_annotate(chapter)
    remove_stale(written)
    return written


def concurrency_md(ctx: Context, results: dict) -> str:
    """The concurrency page's table: this build's benchmark, and the free-threaded run beside it if there was one."""
    freethreaded = load_freethreaded(bench=True)
    status = load_freethreaded()
    text = report.concurrency_table(results, freethreaded)
    if freethreaded is None:
        text += ("\n*No free-threaded run in this build: `nox -s freethreaded` (which `.ci/run` runs) adds its "
                 "columns.*\n")
    elif status is not None:
        text += (f"\n*Free-threaded columns: CPython {status['interpreter']}, `nox -s freethreaded` on "
                 f"{status['date']}, the modules that passed there; pyperf's quick mode.*\n")
    return text


# Hand-written pages in docs/, in the order the navigation shows them: these first, then the
# recipes, the chapters and "Try it", then these, then any other docs/*.md page (by its title),
# so a new page never needs this list.
PAGES_FIRST = ["index.md", "contract.md", "bad-input.md"]
PAGES_AFTER = ["choosing.md", "benchmarks.md", "concurrency.md", "debugging.md", "architecture.md", "start-your-own-project.md"]
PAGE_TITLES = {
    "index.md": "Home",
    "contract.md": "The contract",
    "bad-input.md": "Bad input",
    "choosing.md": "Choosing a technology",
    "benchmarks.md": "Scoreboard",
    "concurrency.md": "Concurrency",
    "architecture.md": "Between Python and native code",
    "start-your-own-project.md": "Start your own project",
}


def page_title(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip().strip("`")
    return path.stem.replace("-", " ").capitalize()


def nav(ctx: Context) -> list:
    order = PAGES_FIRST + PAGES_AFTER
    pages = sorted(DOCS.glob("*.md"), key=lambda p: (order.index(p.name) if p.name in order else len(order), page_title(p)))
    entries = {p.name: {PAGE_TITLES.get(p.name, page_title(p)): p.name} for p in pages}
    first = [entries.pop(name) for name in PAGES_FIRST if name in entries]
    recipes = [{r.call: f"recipes/{r.slug}.md"} for r in ctx.recipes]
    chapters = [{f"{c['id']}. {c['technology']}": f"chapters/{c['folder']}.md"} for c in ctx.chapters]
    return [*first, {"Recipes": recipes}, {"Chapters": chapters}, {"Try it": "try/index.md"}, *entries.values()]


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

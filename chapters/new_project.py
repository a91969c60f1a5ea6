#!/usr/bin/env python3
"""Start your own project from a chapter: copy it, and rename everything that carries its name.

    python chapters/new_project.py 5 ~/fastthing --name fastthing
    nox -s new -- 5 ~/fastthing --name fastthing          (the same, from the repository root)
    python chapters/new_project.py --list                 (the chapters it can copy)

CHAPTER is the number (5) or the folder name (05-pyo3). Afterwards `pip install ~/fastthing`
gives an importable `fastthing`, and `pytest tests` inside the copy runs the chapter's own
tests against it. Standard library only, so it runs before anything else is installed.

The rename rules (docs/start-your-own-project.md has a table per technology):

* One import name (chapters 0, 1, 3, 4, 5): the import name becomes NAME, and so does every
  spelling of it: the distribution name (recipes-pyo3 -> NAME), the Cargo package and lib
  name, paths, stubs, the tests. A name that extends it keeps its tail (the abi3 sub-project
  recipes_pyo3_abi3 -> NAME_abi3).
* Several import names (chapters 2 and 6): NAME becomes their common prefix: recipes_boost ->
  NAME_boost, recipes_cffi -> NAME_cffi. The distribution that installs them all is NAME.
* Everything else that starts with the `recipes_` prefix is renamed with NAME as the prefix:
  C functions and macros (recipes_fib -> NAME_fib, RECIPES_OK -> NAME_OK), the CMake target
  recipes_core, the crate recipes-clib -> NAME-clib, the C library librecipes.so and its
  header recipes.h -> libNAME.so and NAME.h, and a private extension module `_recipes`
  -> `_NAME` (with its PyInit__recipes).
* The plain word "recipes" is left alone: it is prose ("all the recipes"), a C++ namespace
  or a pytest fixture, and none of those is a name the package is published or imported by.

Nothing is overwritten: DEST must not exist or be an empty folder, and every rename is
worked out and checked (no old name may be left) before the first file is written.
The chapter's README.md, which the cookbook site renders, is replaced by a short one for
the new project, and the site's snippet markers (--8<--) are taken out of the sources.
"""

from __future__ import annotations

import argparse
import keyword
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python < 3.11
    try:
        import tomli as tomllib  # type: ignore[no-redef]
    except ImportError:
        sys.exit("new_project.py needs Python 3.11 or newer (or `pip install tomli`)")

HERE = Path(__file__).resolve().parent
CHAPTERS_TOML = HERE / "chapters.toml"
OLD = "recipes"  # the prefix every chapter's names share

# Never copied: build output and caches, whatever a .gitignore says.
SKIP_DIRS = {
    ".git", ".nox", ".venv", "venv", ".tox", "target", "build", "builddir", "dist", "__pycache__",
    ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis", ".cache", "measurements",
}
SKIP_DIR_PATTERNS = ("*.egg-info", ".mesonpy-*")
# Not copied either: the chapter's quick start, its smallest module, which a new project outgrows.
SKIP_TOP_DIRS = {"quickstart"}
SKIP_FILES = ("*.so", "*.pyd", "*.dylib", "*.dll", "*.o", "*.obj", "*.a", "*.lib", "*.pyc", ".DS_Store")
# Build files: here a string that is exactly "recipes" is a library or target name
# (Cargo's [lib] name, cffi's libraries=[...]), so it is renamed too.
BUILD_FILES = ("Cargo.toml", "pyproject.toml", "setup.py", "CMakeLists.txt", "meson.build", "build.rs")
BUILD_FILE_PATTERNS = ("build_*.py", "*.cmake")
# Crates that every Rust program already has: a crate (or lib) of that name cannot be built.
RUST_RESERVED = {
    "core", "std", "alloc", "proc_macro", "test",
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
}
REQUIREMENT_WORDS = {
    "cc": "a C compiler", "cxx": "a C++17 compiler", "cmake": "CMake (pip installs it if missing)",
    "cargo": "Rust with cargo (https://rustup.rs)", "boost-python": "Boost.Python for your Python version",
    "libclang": "libclang (the build installs the PyPI wheel)",
}
# The site's snippet markers, in every comment syntax the chapters use.
SNIPPET_MARKER = re.compile(r"^[ \t]*(?://|#|/\*|--|;)[ \t]*--8<--[ \t]*\[(?:start|end):[^\]]*\][ \t]*(?:\*/)?[ \t]*\r?\n", re.M)


class Refused(Exception):
    """What the user asked for cannot be done as asked; nothing has been written."""


# --- chapters --------------------------------------------------------------------------------


def load_chapters() -> list[dict]:
    return tomllib.loads(CHAPTERS_TOML.read_text(encoding="utf-8"))["chapter"]


def find_chapter(spec: str, chapters: list[dict]) -> dict:
    """CHAPTER as a number (5, 05), a folder name (05-pyo3) or a path to the folder."""
    spec = spec.strip().rstrip("/\\")
    for chapter in chapters:
        folder = chapter["folder"]
        if spec.isdigit() and int(spec) == chapter["id"]:
            return chapter
        if spec in (folder, folder.split("-", 1)[1], f"chapter{chapter['id']}") or Path(spec).name == folder:
            return chapter
    known = ", ".join(f"{c['id']} ({c['folder']})" for c in chapters)
    raise Refused(f"no chapter {spec!r}; the chapters are {known}")


def chapter_path(chapter: dict) -> Path:
    return HERE / chapter["folder"]


def sub_projects(chapter: dict) -> list[str]:
    """Folders inside the chapter that are pip-installable projects of their own (e.g. abi3)."""
    declared = [v["project"] for v in chapter.get("variant", []) if v.get("project")]
    root = chapter_path(chapter)
    found = [p.parent.relative_to(root).as_posix() for p in source_files(root) if p.name == "pyproject.toml" and p.parent != root]
    return sorted(set(declared) | set(found))


# --- names -----------------------------------------------------------------------------------


def check_name(name: str, chapter: dict) -> None:
    """Refuse a NAME that Python (or, for a Rust chapter, Cargo) could not use as an import name."""
    if not name.isidentifier() or not name.isascii():
        raise Refused(f"--name {name!r} is not a valid Python identifier (ASCII letters, digits and _, not starting with a digit)")
    if keyword.iskeyword(name):
        raise Refused(f"--name {name!r} is a Python keyword")
    if name in getattr(sys, "stdlib_module_names", ()):
        raise Refused(f"--name {name!r} is a standard library module: `import {name}` would find that one")
    if (chapter_path(chapter) / "Cargo.toml").exists() and name in RUST_RESERVED:
        raise Refused(f"--name {name!r} is a Rust keyword or built-in crate, and this chapter's crate takes the name")


def main_module(chapter: dict) -> str | None:
    """The import name that becomes NAME itself, or None if NAME is a prefix (several modules)."""
    return chapter["modules"][0] if len(chapter["modules"]) == 1 else None


def discover_names(root: Path, files: list[Path]) -> dict[str, set[str]]:
    """The names the chapter's build files give it: distributions, crates, libs, CMake/Meson projects."""
    found: dict[str, set[str]] = {"distribution": set(), "crate": set(), "cmake": set(), "meson": set()}
    for path in files:
        rel = path.relative_to(root)
        text = path.read_text(encoding="utf-8", errors="replace")
        if rel.name == "pyproject.toml":
            name = tomllib.loads(text).get("project", {}).get("name")
            if name:
                found["distribution"].add(name)
        elif rel.name == "Cargo.toml":
            data = tomllib.loads(text)
            for table in ("package", "lib"):
                if data.get(table, {}).get("name"):
                    found["crate"].add(data[table]["name"])
        elif rel.name == "CMakeLists.txt":
            found["cmake"].update(re.findall(r"^\s*project\s*\(\s*([A-Za-z0-9_.-]+)", text, re.M | re.I))
            found["cmake"].update(re.findall(r"^\s*add_library\s*\(\s*([A-Za-z0-9_.-]+)", text, re.M | re.I))
        elif rel.name == "meson.build":
            found["meson"].update(re.findall(r"\bproject\s*\(\s*'([^']+)'", text))
    return found


@dataclass
class Renamer:
    """One pass over a text renames every spelling of the chapter's names; nothing is renamed twice."""

    name: str
    main: str | None  # the chapter's only import name, or None
    root_distributions: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.dash = self.name.replace("_", "-")
        self.upper = self.name.upper()
        alternatives = []
        if self.root_distributions:
            # the distribution (recipes-cpp), also followed by a version (recipes-cpp-1.0.0)
            dists = "|".join(re.escape(d) for d in sorted(self.root_distributions, key=len, reverse=True))
            alternatives.append(rf"(?P<dist>(?<![A-Za-z0-9_.-])(?:{dists})(?![A-Za-z0-9_]|-[A-Za-z]))")
        if self.main:
            parts = self.main.split("_")
            spelled = "|".join(re.escape(s.join(parts)) for s in ("_", "-")) + "|" + re.escape(self.main.upper())
            # also as a file name: librecipes_rust_cpython.so, the crate's cdylib
            alternatives.append(rf"(?P<main>(?<![A-Za-z0-9_])(?:lib)?(?:{spelled})(?![A-Za-z0-9]))")
        alternatives += [
            rf"(?P<private>(?<![A-Za-z0-9])_{OLD}(?![A-Za-z0-9]))",  # recipes_capi._recipes, PyInit__recipes
            # recipes_fib, recipes_${library}, "recipes_.*", recipes-clib
            rf"(?P<prefix>(?<![A-Za-z0-9_])(?:lib)?{OLD}(?=_|-[A-Za-z0-9]))",
            rf"(?P<upper>(?<![A-Za-z0-9_]){OLD.upper()}(?=_))",  # RECIPES_OK, RECIPES_*
            rf"(?P<lib>(?<![A-Za-z0-9_])lib{OLD}(?![A-Za-z0-9_])|(?<=-l){OLD}(?![A-Za-z0-9_]))",  # librecipes.so, -lrecipes
            rf"(?P<file>(?<![A-Za-z0-9_]){OLD}(?=\.(?:h|hpp|so|dll|dylib|lib|a)(?![A-Za-z0-9_])))",  # recipes.h
        ]
        self.pattern = re.compile("|".join(alternatives))
        self.quoted = re.compile(rf"""(["']){OLD}\1""")

    def _replace(self, match: re.Match) -> str:
        kind, text = match.lastgroup, match.group()
        if kind == "dist":
            return self.dash
        lib = "lib" if kind in ("main", "prefix") and text.startswith("lib") else ""
        if kind == "main":
            return lib + (self.upper if text.isupper() else self.dash if "-" in text else self.name)
        if kind == "private":
            return "_" + self.name
        if kind == "prefix":
            follows = match.string[match.end()]
            return lib + (self.dash if follows == "-" else self.name)
        if kind == "upper":
            return self.upper
        if kind == "lib":
            return text.replace(OLD, self.name)
        return self.name  # file

    def text(self, text: str, build_file: bool = False) -> str:
        text = self.pattern.sub(self._replace, text)
        if build_file:
            text = self.quoted.sub(lambda m: m.group(1) + self.name + m.group(1), text)
        return text

    def path(self, rel: Path) -> Path:
        return Path(*(self.text(part) for part in rel.parts))


def leftover_patterns(old_names: set[str]) -> list[re.Pattern]:
    """What must not be left in a renamed copy (checked case-insensitively)."""
    patterns = [
        rf"(?<![a-z0-9_]){OLD}(?:_|-[a-z0-9])",
        rf"(?<![a-z0-9])_{OLD}(?![a-z0-9])",
        rf"lib{OLD}",
        rf"-l{OLD}(?![a-z0-9_])",
        rf"(?<![a-z0-9_]){OLD}\.(?:h|hpp|so|dll|dylib|lib|a)(?![a-z0-9_])",
    ]
    patterns += [rf"(?<![a-z0-9_]){re.escape(n)}(?![a-z0-9_])" for n in sorted(old_names) if n != OLD]
    return [re.compile(p, re.I) for p in patterns]


def find_leftovers(text: str, patterns: list[re.Pattern], new_names: list[str], build_file: bool = False) -> list[str]:
    """Old names still in `text`, ignoring those inside a new name (NAME may contain "recipes")."""
    for new in sorted(new_names, key=len, reverse=True):
        text = re.sub(re.escape(new), " ", text, flags=re.I)
    found = [m.group() for p in patterns for m in p.finditer(text)]
    if build_file:
        found += [m.group() for m in re.finditer(rf"""(["']){OLD}\1""", text, re.I)]
    return found


# --- files -----------------------------------------------------------------------------------


def skipped(rel: Path) -> bool:
    if rel.parts[0] in SKIP_TOP_DIRS:
        return True
    for part in rel.parts[:-1]:
        if part in SKIP_DIRS or any(Path(part).match(p) for p in SKIP_DIR_PATTERNS):
            return True
    return rel.name in SKIP_DIRS or any(rel.match(p) for p in SKIP_FILES)


def source_files(root: Path) -> list[Path]:
    """The chapter's sources: what git would commit (honours every .gitignore), minus build output."""
    try:
        listing = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "."],
            cwd=root, capture_output=True, check=True,
        ).stdout.decode().split("\0")
        files = [root / f for f in listing if f]
    except (OSError, subprocess.CalledProcessError):  # no git, or not a checkout: walk the folder
        files = [p for p in root.rglob("*") if p.is_file() or p.is_symlink()]
    return sorted(p for p in files if p.is_file() and not skipped(p.relative_to(root)))


def is_build_file(rel: Path) -> bool:
    return rel.name in BUILD_FILES or any(rel.match(p) for p in BUILD_FILE_PATTERNS)


def readme(chapter: dict, name: str, renamer: Renamer) -> str:
    imports = [renamer.text(m) for m in chapter["modules"]] + [renamer.text(v["module"]) for v in chapter.get("variant", [])]
    needs = [REQUIREMENT_WORDS.get(r, r) for r in chapter.get("requires", [])]
    lines = [
        f"# {name}",
        "",
        f"A Python extension module in {chapter['technology']}, started from chapter {chapter['id']} of the",
        f"extending-python cookbook (\"{chapter['title']}\"), whose README explains every file here.",
        "",
        "Import name" + ("s" if len(imports) > 1 else "") + ": " + ", ".join(f"`{i}`" for i in imports) + ".",
        "",
        "## Build and test",
        "",
        "```bash",
        'pip install ".[test]"',
    ]
    lines += [f'pip install "./{p}"' for p in sub_projects(chapter)]
    lines += ["pytest tests", "```", ""]
    if needs:
        lines += ["Needs " + ", ".join(needs) + ".", ""]
    if (Path(chapter_path(chapter)) / "Cargo.toml").exists():
        lines += ["`cargo test` runs the Rust tests.", ""]
    return "\n".join(lines)


@dataclass
class Plan:
    chapter: dict
    dest: Path
    files: dict[Path, bytes]  # new relative path -> content
    modes: dict[Path, int]
    renames: list[tuple[str, str, str]]  # (what, old, new)


def plan(chapter: dict, dest: Path, name: str) -> Plan:
    """Work out every file of the new project in memory, and check it, before anything is written."""
    check_name(name, chapter)
    source = chapter_path(chapter)
    if not (source / "pyproject.toml").is_file():
        raise Refused(f"chapter {chapter['id']} ({source}) has no pyproject.toml yet")
    dest = dest.expanduser().resolve()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise Refused(f"{dest} exists and is not an empty folder; nothing was written")
    if dest == source or source in dest.parents:
        raise Refused(f"{dest} is inside the chapter folder {source}")

    files = source_files(source)
    root_pyproject = tomllib.loads((source / "pyproject.toml").read_text(encoding="utf-8"))
    root_dist = root_pyproject["project"]["name"]
    renamer = Renamer(name, main_module(chapter), {root_dist})
    found = discover_names(source, [f for f in files if f.name in ("pyproject.toml", "Cargo.toml", "CMakeLists.txt", "meson.build")])
    module_names = set(chapter["modules"]) | {v["module"].split(".")[0] for v in chapter.get("variant", [])}
    old_names = {n for names in found.values() for n in names if OLD in n.lower()} | module_names
    patterns = leftover_patterns(old_names)
    new_names = [name, renamer.dash, renamer.upper]

    out: dict[Path, bytes] = {}
    modes: dict[Path, int] = {}
    problems = []
    for path in files:
        rel = path.relative_to(source)
        new_rel = renamer.path(rel)
        data = path.read_bytes()
        if rel == Path("README.md"):
            continue  # replaced by a README for the new project, below
        if b"\0" not in data[:8192]:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = None
            if text is not None:
                build = is_build_file(rel)
                text = renamer.text(SNIPPET_MARKER.sub("", text), build_file=build)
                if rel.name == "Cargo.lock":
                    text = sort_cargo_lock(text)
                problems += [f"{new_rel}: {old}" for old in find_leftovers(text, patterns, new_names, build)]
                data = text.encode("utf-8")
        problems += [f"{new_rel} (path): {old}" for old in find_leftovers(str(new_rel), patterns, new_names)]
        if new_rel in out:
            problems.append(f"{rel} and another file would both become {new_rel}")
        out[new_rel] = data
        modes[new_rel] = path.stat().st_mode & 0o777
    out[Path("README.md")] = readme(chapter, name, renamer).encode()
    modes[Path("README.md")] = 0o644
    if problems:  # a chapter grew a name these rules do not know: say so rather than half-rename
        raise Refused("the rename would leave old names behind (nothing was written):\n  " + "\n  ".join(problems[:30]))

    renames = [("import name", m, renamer.text(m)) for m in chapter["modules"]]
    renames += [("variant", v["module"], renamer.text(v["module"])) for v in chapter.get("variant", [])]
    labels = {"distribution": "distribution", "crate": "Cargo package/lib", "cmake": "CMake", "meson": "Meson project"}
    for kind, names in found.items():
        for old in sorted(names):
            new = renamer.text(old, build_file=True) if old != OLD else name
            if new != old:
                renames.append((labels[kind], old, new))
    return Plan(chapter, dest, out, modes, renames)


def sort_cargo_lock(text: str) -> str:
    """Keep Cargo.lock's [[package]] entries sorted by name, as cargo writes them.

    cargo build --locked compares the file byte for byte with what it would write, so a renamed
    crate has to move to its sorted place or the build stops with "needs to be updated".
    """
    head, sep, rest = text.partition("[[package]]\n")
    if not sep:
        return text
    blocks = ["[[package]]\n" + b for b in rest.split("\n[[package]]\n")]
    blocks = [b if b.endswith("\n") else b + "\n" for b in blocks]

    def package_name(block: str) -> str:
        found = re.search(r'^name = "([^"]+)"', block, re.M)
        return found.group(1) if found else ""

    blocks.sort(key=package_name)  # stable: versions of one crate keep their order
    return head + "\n".join(blocks).rstrip("\n") + "\n"


def write(p: Plan) -> None:
    """Create DEST and its files; exclusive creation, so nothing that exists is ever replaced."""
    p.dest.mkdir(parents=True, exist_ok=True)
    for rel, data in sorted(p.files.items()):
        target = p.dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as f:
            f.write(data)
        os.chmod(target, p.modes[rel])


# --- command line ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="new_project.py",
        description="Copy a chapter into DEST as a new project called NAME, renaming everything that carries its name.",
    )
    parser.add_argument("chapter", nargs="?", help="chapter number (5) or folder name (05-pyo3)")
    parser.add_argument("dest", nargs="?", type=Path, help="the new project's folder (must not exist, or be empty)")
    parser.add_argument("--name", help="the new import name: a Python identifier, e.g. fastthing")
    parser.add_argument("--list", action="store_true", help="list the chapters and exit")
    parser.add_argument("--dry-run", action="store_true", help="show what would be renamed, write nothing")
    args = parser.parse_args(argv)
    chapters = load_chapters()
    if args.list:
        for c in chapters:
            print(f"{c['id']}  {c['folder']:<18} {', '.join(c['modules'])}")
        return 0
    if not (args.chapter and args.dest and args.name):
        parser.error("CHAPTER, DEST and --name NAME are required")
    try:
        chapter = find_chapter(args.chapter, chapters)
        result = plan(chapter, args.dest, args.name)
    except Refused as refusal:
        print(f"new_project.py: {refusal}", file=sys.stderr)
        return 2
    width = max(len(old) for _, old, _ in result.renames)
    for what, old, new in result.renames:
        print(f"  {old:<{width}} -> {new}   ({what})")
    if args.dry_run:
        print(f"would write {len(result.files)} files to {result.dest}")
        return 0
    write(result)
    print(f"wrote {len(result.files)} files to {result.dest} (chapter {chapter['id']}, {chapter['technology']})")
    extra = "".join(f' && pip install "./{p}"' for p in sub_projects(chapter))
    print(f'next: cd {result.dest} && pip install ".[test]"{extra} && pytest tests')
    return 0


if __name__ == "__main__":
    sys.exit(main())

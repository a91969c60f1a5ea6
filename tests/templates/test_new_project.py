"""`nox -s new` (chapters/new_project.py) turns every chapter into a working project of its own.

For each chapter in chapters.toml: copy it under a temporary folder with a new name, check
that no old name is left, build it with pip into a fresh virtual environment, run the copy's
own tests inside the copy, and import every renamed module. Plus: what `new` must refuse,
without writing anything.

    nox -s templates                      all of it (nox -s tests runs it too)
    nox -s templates -- -k chapter5       one chapter
    pytest tests/templates -k refuse      only the quick checks (no builds)
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NEW_PROJECT = ROOT / "chapters" / "new_project.py"
CHAPTERS = tomllib.loads((ROOT / "chapters" / "chapters.toml").read_text())["chapter"]
NAME = "fastthing"
FIB_90 = 2880067194370816120
BUILD_TIMEOUT = 3600  # seconds; a cold C++ or Rust build on two busy cores is slow, never endless


def load_new_project():
    spec = importlib.util.spec_from_file_location("new_project", NEW_PROJECT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["new_project"] = module
    spec.loader.exec_module(module)
    return module


new_project = load_new_project()


def chapter_params() -> list:
    params = []
    for chapter in CHAPTERS:
        ready = (ROOT / "chapters" / chapter["folder"] / "pyproject.toml").is_file()
        marks = [] if ready else [pytest.mark.skip(reason=f"{chapter['folder']} has no pyproject.toml yet")]
        params.append(pytest.param(chapter, id=f"chapter{chapter['id']}", marks=marks))
    return params


def run_new(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(NEW_PROJECT), *args], capture_output=True, text=True, check=False)


def renamed(module: str, chapter: dict) -> str:
    """What the documented rule makes of an import name: NAME itself, or NAME as the prefix."""
    main = chapter["modules"][0] if len(chapter["modules"]) == 1 else None
    if main and (module == main or module.startswith((main + "_", main + "."))):
        return NAME + module[len(main):]
    assert module.startswith("recipes_"), module
    return NAME + module[len("recipes"):]


def old_names(chapter: dict) -> set[str]:
    """Every name the chapter is published, imported or linked by, read from its build files."""
    folder = ROOT / "chapters" / chapter["folder"]
    names = set(chapter["modules"]) | {v["module"].split(".")[0] for v in chapter.get("variant", [])}
    for pyproject in folder.glob("**/pyproject.toml"):
        parts = pyproject.relative_to(folder).parts
        # quickstart/ is not copied (new_project.SKIP_TOP_DIRS): its names are not the project's
        if "target" not in pyproject.parts and "build" not in parts and parts[0] not in new_project.SKIP_TOP_DIRS:
            names.add(tomllib.loads(pyproject.read_text())["project"]["name"])
    cargo = folder / "Cargo.toml"
    if cargo.exists():
        data = tomllib.loads(cargo.read_text())
        names.add(data["package"]["name"])
        names.add(data.get("lib", {}).get("name", data["package"]["name"].replace("-", "_")))
    return names


def leftovers(dest: Path, chapter: dict) -> list[str]:
    """Old names anywhere in the copy, in file contents or paths, case-insensitively.

    Independent of new_project.py's own check: the old package, distribution and crate names
    spelled with - or _, anything starting with the `recipes_` prefix, and the C library's
    file names. The bare word "recipes" (prose, a C++ namespace) is allowed.
    """
    specific = {n for n in old_names(chapter) if n != "recipes"}
    spellings = specific | {n.replace("_", "-") for n in specific} | {n.replace("-", "_") for n in specific}
    patterns = [re.compile(rf"(?<![a-z0-9_]){re.escape(n)}(?![a-z0-9])", re.I) for n in spellings]
    patterns += [re.compile(p, re.I) for p in (
        r"(?<![a-z0-9_])recipes_", r"(?<![a-z0-9_])recipes-[a-z0-9]", r"(?<![a-z0-9])_recipes\b",
        r"librecipes", r"-lrecipes\b", r"\brecipes\.(h|so|dll|dylib)\b", r"""["']recipes["']""",
    )]
    found = []
    for path in sorted(dest.rglob("*")):
        rel = path.relative_to(dest).as_posix()
        texts = [rel]
        if path.is_file():
            texts.append(path.read_bytes().decode("utf-8", errors="replace"))
        for text in texts:
            found += [f"{rel}: {m.group()!r}" for p in patterns for m in p.finditer(text)]
    return found


# --- what `new` refuses --------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["1st", "fast-thing", "fast thing", "class", "None", "", "café", "json"])
def test_refuses_a_name_that_is_not_an_importable_identifier(tmp_path, bad):
    dest = tmp_path / "new"
    result = run_new("1", str(dest), "--name", bad)
    assert result.returncode != 0
    assert "--name" in result.stderr
    assert not dest.exists()


def test_refuses_a_rust_keyword_for_a_rust_chapter(tmp_path):
    result = run_new("5", str(tmp_path / "new"), "--name", "core")
    assert result.returncode != 0
    assert "Rust" in result.stderr
    assert not (tmp_path / "new").exists()


def test_refuses_a_destination_that_is_not_empty_and_writes_nothing(tmp_path):
    dest = tmp_path / "taken"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine")
    result = run_new("0", str(dest), "--name", NAME)
    assert result.returncode != 0
    assert "not an empty folder" in result.stderr
    assert [p.name for p in dest.iterdir()] == ["keep.txt"]
    assert (dest / "keep.txt").read_text() == "mine"


def test_refuses_a_destination_that_is_a_file(tmp_path):
    dest = tmp_path / "file"
    dest.write_text("mine")
    assert run_new("0", str(dest), "--name", NAME).returncode != 0
    assert dest.read_text() == "mine"


def test_refuses_an_unknown_chapter(tmp_path):
    result = run_new("42", str(tmp_path / "new"), "--name", NAME)
    assert result.returncode != 0
    assert "no chapter" in result.stderr
    assert not (tmp_path / "new").exists()


def test_accepts_an_empty_destination_and_the_folder_name(tmp_path):
    dest = tmp_path / "empty"
    dest.mkdir()
    result = run_new(CHAPTERS[0]["folder"], str(dest), "--name", NAME)
    assert result.returncode == 0, result.stderr
    assert (dest / "pyproject.toml").is_file()


# --- every chapter, renamed: quick (no build) ------------------------------------------------


@pytest.mark.parametrize("chapter", chapter_params())
def test_rename_leaves_no_old_name(tmp_path, chapter):
    dest = tmp_path / NAME
    result = run_new(str(chapter["id"]), str(dest), "--name", NAME)
    assert result.returncode == 0, result.stderr
    assert leftovers(dest, chapter) == []
    assert not [p for p in dest.rglob("*") if p.name in ("target", "build", "__pycache__") or p.suffix in (".so", ".pyd")]
    assert "--8<--" not in "".join(p.read_text(errors="replace") for p in dest.rglob("*") if p.is_file())
    for module in new_project_modules(chapter):
        package = module.split(".")[0]
        assert list(dest.glob(f"**/{package}/__init__.py")) or list(dest.glob(f"**/{package}/*.pyx")), package


def new_project_modules(chapter: dict) -> list[str]:
    return [renamed(m, chapter) for m in chapter["modules"]] + [renamed(v["module"], chapter) for v in chapter.get("variant", [])]


# --- every chapter, renamed, built and tested ------------------------------------------------


@pytest.fixture(scope="session")
def cargo_target_dir(tmp_path_factory) -> str:
    """CARGO_TARGET_DIR if set (nox shares one across chapters), else one for this test run."""
    return os.environ.get("CARGO_TARGET_DIR") or str(tmp_path_factory.mktemp("cargo-target"))


def make_venv(path: Path) -> tuple[Path, list[str]]:
    """A fresh virtual environment, and the command that installs into it (uv if there is one)."""
    if shutil.which("uv"):
        subprocess.run(["uv", "venv", "--quiet", "--python", sys.executable, str(path)], check=True)
        python = path / ("Scripts" if os.name == "nt" else "bin") / "python"
        return python, ["uv", "pip", "install", "--python", str(python)]
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    python = path / ("Scripts" if os.name == "nt" else "bin") / "python"
    return python, [str(python), "-m", "pip", "install", "--disable-pip-version-check"]


def run(command: list[str], cwd: Path, env: dict, what: str) -> None:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + "\n" + result.stderr).splitlines()[-60:])
        pytest.fail(f"{what} failed (exit {result.returncode}): {' '.join(command)}\n{tail}", pytrace=False)


# What a build needs from the machine, by the names chapters.toml uses (the rest comes from PyPI)
TOOLS = {"cc": ("cc", "gcc", "clang"), "cxx": ("c++", "g++", "clang++"), "cargo": ("cargo",)}


@pytest.mark.parametrize("chapter", chapter_params())
def test_copy_builds_and_passes_its_own_tests(tmp_path, chapter, cargo_target_dir):
    for need in chapter["requires"]:
        if need in TOOLS and not any(shutil.which(t) for t in TOOLS[need]):
            pytest.fail(f"chapter{chapter['id']} needs {need} ({' or '.join(TOOLS[need])} on PATH)", pytrace=False)
    dest = tmp_path / NAME
    result = run_new(str(chapter["id"]), str(dest), "--name", NAME)
    assert result.returncode == 0, result.stderr
    assert leftovers(dest, chapter) == []

    python, install = make_venv(tmp_path / "venv")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(
        CARGO_TARGET_DIR=cargo_target_dir,
        VIRTUAL_ENV=str(python.parent.parent),
        PATH=str(python.parent) + os.pathsep + env.get("PATH", ""),
    )
    sub_projects = [str(p.parent) for p in sorted(dest.glob("*/pyproject.toml"))]
    run([*install, f"{dest}[test]", "pytest", *sub_projects], dest, env, "pip install of the copy")

    # the renamed modules import, and they are the copy's, not anything else on the machine
    modules = new_project_modules(chapter)
    probe = (
        "import importlib, json, sys\n"
        "out = {}\n"
        "for name in sys.argv[1:]:\n"
        "    m = importlib.import_module(name)\n"
        "    out[name] = m.fib(90)\n"
        "print(json.dumps(out))\n"
    )
    probed = subprocess.run([str(python), "-c", probe, *modules], cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert probed.returncode == 0, probed.stderr
    assert json.loads(probed.stdout) == dict.fromkeys(modules, FIB_90)

    for command in chapter["checks"]:  # e.g. cargo test, inside the copy: the renamed crate
        run(command, dest, env, f"{command[0]} in the copy")
    if (dest / "tests").is_dir():
        run([str(python), "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider"], dest, env, "the copy's own tests")


# --- the docs' rename tables are what the script does ----------------------------------------

DOCS_PAGE = ROOT / "docs" / "start-your-own-project.md"


def docs_rename_rows() -> dict[int, list[tuple[str, str]]]:
    """{chapter id: [(in the chapter, in your project), ...]} from the page's tables."""
    rows: dict[int, list[tuple[str, str]]] = {}
    chapter = None
    for line in DOCS_PAGE.read_text().splitlines():
        heading = re.match(r"### Chapter (\d+)\b", line)
        if heading:
            chapter = int(heading.group(1))
            rows[chapter] = []
        elif line.startswith("## "):
            chapter = None
        elif chapter is not None and line.startswith("|") and "`" in line:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            old, new = (re.findall(r"`([^`]+)`", cell) for cell in cells[1:3])
            assert len(old) == len(new), line
            rows[chapter] += list(zip(old, new, strict=True))
    return rows


@pytest.mark.parametrize("chapter", chapter_params())
def test_docs_table_matches_the_renames(tmp_path, chapter):
    rows = docs_rename_rows().get(chapter["id"])
    assert rows, f"docs/start-your-own-project.md has no table for chapter {chapter['id']}"
    folder = ROOT / "chapters" / chapter["folder"]
    dist = tomllib.loads((folder / "pyproject.toml").read_text())["project"]["name"]
    renamer = new_project.Renamer(NAME, new_project.main_module(chapter), {dist})
    for old, new in rows:
        assert renamer.text(old, build_file=True) == new, f"docs say {old!r} -> {new!r}"
    # and every name the script reports renaming is in the table
    result = new_project.plan(chapter, tmp_path / NAME, NAME)  # works it out, writes nothing
    for what, old, new in result.renames:
        assert any(old in o and new in n for o, n in rows), f"docs table lacks {what} {old} -> {new}"

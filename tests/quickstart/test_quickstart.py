"""Every chapter's quick start: the smallest complete module of its technology builds and works.

Each chapter page on the site opens with one (included whole from the file named in
chapters/chapters.toml), so what a reader types first is what this test built: its own
project folder, its own build backend, a wheel, a fresh virtual environment, an import.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = tomllib.loads((ROOT / "chapters" / "chapters.toml").read_text())["chapter"]
QUICKSTARTS = [(chapter, quickstart) for chapter in CHAPTERS for quickstart in chapter.get("quickstart", [])]

# What every quick start's square(x) must do, run in the fresh environment.
CHECK = """
import importlib, sys
module = importlib.import_module(sys.argv[1])
assert module.square(3.0) == 9.0, module.square(3.0)
assert module.square(-1.5) == 2.25, module.square(-1.5)
try:
    module.square("x")
except TypeError as exc:
    print(f"{sys.argv[1]}.square(3.0) = {module.square(3.0)}; square('x') -> TypeError: {exc}")
else:
    raise AssertionError("square('x') did not raise TypeError")
"""


def run(*command: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(map(str, command))} failed ({done.returncode}):\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}",
                    pytrace=False)
    return done.stdout


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: f"chapter{c['id']}")
def test_every_chapter_has_a_quick_start(chapter):
    entries = chapter.get("quickstart", [])
    assert entries, f"chapter {chapter['id']} has no [[chapter.quickstart]] in chapters/chapters.toml"
    folder = ROOT / "chapters" / chapter["folder"]
    for entry in entries:
        assert (folder / entry["project"] / "pyproject.toml").is_file(), entry
        assert (folder / entry["source"]).is_file(), entry
        assert (folder / entry["source"]).resolve().is_relative_to((folder / entry["project"]).resolve()), entry


@pytest.mark.parametrize(("chapter", "quickstart"), QUICKSTARTS, ids=[f"chapter{c['id']}-{q['module']}" for c, q in QUICKSTARTS])
def test_quick_start_builds_installs_and_runs(chapter, quickstart, tmp_path):
    if "python<3.13" in chapter["requires"] and sys.version_info >= (3, 13):
        pytest.skip(f"chapter {chapter['id']} builds only for Python 3.12 and older (its `requires`)")
    project = ROOT / "chapters" / chapter["folder"] / quickstart["project"]
    # Built from a copy, as a reader who copied the folder would: nothing outside it is used.
    copy = tmp_path / "project"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("target", "build", "dist", "*.egg-info", "__pycache__"))
    wheels, venv = tmp_path / "wheels", tmp_path / "venv"
    if shutil.which("uv"):
        run("uv", "build", "--wheel", "--out-dir", wheels, copy)
        run("uv", "venv", "--quiet", "--python", sys.executable, venv)
        python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        run("uv", "pip", "install", "--quiet", "--python", python, *sorted(wheels.glob("*.whl")))
    else:
        run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", wheels, copy)
        run(sys.executable, "-m", "venv", venv)
        python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        run(python, "-m", "pip", "install", "--quiet", *sorted(wheels.glob("*.whl")))
    print(run(python, "-c", CHECK, quickstart["module"], cwd=tmp_path))

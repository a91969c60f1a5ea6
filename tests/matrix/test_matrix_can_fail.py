"""`nox -s matrix` can fail: a chapter broken on one Python only, and a missing interpreter.

Each test runs the real session in a copy of the working tree (its own cache, so no result or
wheel of the real runs is touched). `python3 -m pytest tests/matrix` runs them; about a minute.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_INIT = Path("chapters/00-python/src/recipes_python/__init__.py")


@pytest.fixture
def tree(tmp_path):
    """The working tree as git sees it (tracked and new files, nothing ignored), copied."""
    listing = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                             capture_output=True, check=True).stdout.split(b"\0")
    copy = tmp_path / "repo"
    for name in filter(None, listing):
        source = ROOT / name.decode()
        if source.is_file():
            (copy / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name.decode())
    subprocess.run(["git", "init", "-q", "."], cwd=copy, check=True)  # build_wheel hashes what git lists
    return copy


def nox(tree: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nox", "-f", str(tree / "noxfile.py"), "-s", "matrix", "--", *args],
                          cwd=tree, capture_output=True, text=True, check=False,
                          env={**os.environ, "EXTENDING_PYTHON_CACHE": str(tree / ".cache"), **env})


def test_a_chapter_broken_on_one_python_fails_there(tree):
    # tomllib is new in 3.11: the reference no longer imports on 3.10, and nowhere else is it broken.
    init = tree / REFERENCE_INIT
    init.write_text(init.read_text() + "\nimport tomllib  # noqa: E402, F401  (deliberately 3.11+)\n")
    done = nox(tree, "3.10", "0")
    assert done.returncode != 0, done.stdout + done.stderr
    assert "matrix: failed: recipes_python on 3.10" in done.stderr, done.stderr[-3000:]
    result = json.loads((tree / ".cache" / "matrix.json").read_text())["3.10"]["modules"]["recipes_python"]
    assert result["status"] == "failed"
    assert result["chapter_tests"]["errors"] + result["chapter_tests"]["failures"] > 0


def test_the_unbroken_chapter_passes(tree):
    # The control: the same copy, unbroken, passes on 3.10, so the failure above is the break.
    done = nox(tree, "3.10", "0")
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((tree / ".cache" / "matrix.json").read_text())["3.10"]["modules"]["recipes_python"]
    assert result["status"] == "passed"


def test_a_missing_interpreter_is_an_error_that_says_how_to_install_it(tree, tmp_path):
    done = nox(tree, "3.10", "0", PYENV_ROOT=str(tmp_path / "no-pyenv"), PATH="/usr/bin:/bin")
    assert done.returncode != 0
    assert "no CPython 3.10 found: install it with `pyenv install 3.10`" in done.stderr, done.stderr[-3000:]

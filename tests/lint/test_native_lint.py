"""The native lint of `nox -s lint` can fail: the proof, without nox.

Each check runs the very command the session builds (noxfile.native_command, clippy_command,
lint_canaries) on a known defect and must reject it, naming the warning; and a chapter's real
source, untouched, passes the same command, so the failure is the defect's and not the flags'.

    uv run --with pytest --with nox python -m pytest tests/lint -p no:cacheprovider

Needs gcc, g++ and cargo with clippy; no chapter is built and no header package is installed.
"""

import importlib.util
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ROOT / "chapters"
# Python.h only: the sources below need nothing else (NumPy, pybind11, nanobind come from the session).
SYSTEM_INCLUDES = [sysconfig.get_paths()["include"]]


def load_noxfile():
    spec = importlib.util.spec_from_file_location("noxfile_under_test", ROOT / "noxfile.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


noxfile = load_noxfile()
pytestmark = pytest.mark.skipif(not (shutil.which("gcc") and shutil.which("g++") and shutil.which("cargo")),
                                reason="needs gcc, g++ and cargo (apt-get install build-essential; https://rustup.rs)")


def run(command: list[str]) -> tuple[int, str]:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize("number", range(len(noxfile.LINT_CANARIES)))
def test_canary_is_rejected(tmp_path, number):
    """The session's own canaries: each check fails on its defect, and says which warning."""
    label, (command, expected) = list(noxfile.lint_canaries(tmp_path, SYSTEM_INCLUDES).items())[number]
    status, output = run(command)
    print(label, output, sep="\n")
    assert status != 0, f"{label} passed: {' '.join(command)}"
    assert expected in output


# A real source of a chapter, with the chapter's own flags (chapter 1's setup.py), and a defect to append.
# The unused static function is what -fsyntax-only would not see: the C is compiled for real.
CHAPTER_SOURCES = {
    "C, chapter 1's core.c": ("01-c-api/src/recipes_capi", "core.c", "c",
                              "static int lint_defect(void) { return 0; }\n", "defined but not used"),
    "C++, chapter 2's core.cpp": ("02-cpp/src", "core.cpp", "c++",
                                  "int lint_defect(long wide) { return wide; }\n", "may change value"),
}


@pytest.mark.parametrize("case", CHAPTER_SOURCES)
def test_chapter_source_passes_until_a_defect_is_added(tmp_path, case):
    folder, name, language, defect, expected = CHAPTER_SOURCES[case]
    source_dir = shutil.copytree(CHAPTERS / folder, tmp_path / "src")
    flags = noxfile.build_flags(CHAPTERS / Path(folder).parts[0])
    source = source_dir / name
    command = noxfile.native_command(source, language, SYSTEM_INCLUDES, flags, tmp_path)

    status, output = run(command)
    assert status == 0, output
    source.write_text(source.read_text(encoding="utf-8") + defect, encoding="utf-8")
    status, output = run(command)
    print(output)
    assert status != 0
    assert expected in output


def test_clippy_passes_a_chapter_crate_until_a_defect_is_added(tmp_path):
    """Chapter 6's quick start (no dependencies: quick), copied, with clippy as the session runs it."""
    crate = tmp_path / "crate"
    quickstart = CHAPTERS / "06-cffi-bindgen" / "quickstart"
    crate.mkdir()
    for name in ("Cargo.toml", "Cargo.lock"):
        shutil.copy(quickstart / name, crate / name)
    shutil.copytree(quickstart / "src", crate / "src")
    command = noxfile.clippy_command([], "--manifest-path", str(crate / "Cargo.toml"), "--target-dir", str(tmp_path / "target"))

    status, output = run(command)
    assert status == 0, output
    lib = crate / "src" / "lib.rs"
    lib.write_text(lib.read_text(encoding="utf-8") + "\npub fn lint_defect(v: &[u8]) -> bool {\n    v.len() == 0\n}\n",
                   encoding="utf-8")
    status, output = run(command)
    print(output)
    assert status != 0
    assert "clippy::len_zero" in output

"""The shipped stubs: present, matching the runtime modules, and current."""

from __future__ import annotations

import importlib
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BOOST_LEFT_OUT, MODULES

TESTS = Path(__file__).resolve().parent
CHAPTER = TESTS.parent


@pytest.mark.parametrize("name", MODULES)
def test_stub_and_marker_ship_with_the_package(name):
    package = Path(importlib.import_module(name).__file__).parent
    assert (package / "py.typed").is_file()
    assert (package / "_ext.pyi").is_file()


def test_stubtest(tmp_path):
    pytest.importorskip("mypy.stubtest")
    # The allowlist has an entry for recipes_boost, unused where it was left out.
    unused = ["--ignore-unused-allowlist"] if BOOST_LEFT_OUT else []
    done = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "--allowlist",
         str(TESTS / "stubtest_allowlist.txt"), *unused, *MODULES],
        cwd=tmp_path,  # keep mypy's cache out of the source tree
        check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_generated_stubs_are_current():
    # pybind11 and nanobind stubs come from their generators; regenerate and compare.
    for generator in ("nanobind.stubgen", "pybind11_stubgen"):
        if importlib.util.find_spec(generator.split(".")[0]) is None:
            pytest.skip(f"{generator} is not installed")
    done = subprocess.run(
        [sys.executable, str(CHAPTER / "tools" / "generate_stubs.py"), "--check"],
        check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr

"""The type stubs ship with the package and agree with the compiled module."""

import importlib.resources
import subprocess
import sys

import pytest


def test_stub_and_marker_are_installed():
    files = importlib.resources.files("recipes_capi")
    assert files.joinpath("py.typed").is_file()
    assert files.joinpath("_recipes.pyi").is_file()


def test_stubtest_agrees_with_the_runtime():
    pytest.importorskip("mypy")
    # stubtest imports the module and compares every name and signature
    # (from __text_signature__) with the .pyi file.
    run = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "recipes_capi", "--ignore-missing-stub"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr

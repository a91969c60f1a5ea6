"""The pure-Python-mode file runs both ways: compiled by Cython, and as plain Python."""

import importlib.machinery
import importlib.util
from pathlib import Path

import pytest

import recipes_cython
from recipes_cython import _pure_mode

SOURCE = Path(__file__).resolve().parents[1] / "src" / "recipes_cython" / "_pure_mode.py"


def is_extension_module(module):
    return module.__file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


@pytest.fixture(scope="module")
def interpreted():
    """The same .py file imported from source, so the interpreter runs it."""
    spec = importlib.util.spec_from_file_location("pure_mode_interpreted", SOURCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_installed_module_is_compiled():
    assert is_extension_module(_pure_mode)


def test_source_runs_as_plain_python(interpreted):
    assert not is_extension_module(interpreted)
    assert interpreted.cython.compiled is False  # the `cython` shadow module
    assert interpreted._spigot_pi.__code__  # a plain Python function, with bytecode


@pytest.mark.parametrize("digits", [0, 1, 4, 50, 299, 1000])
def test_compiled_and_interpreted_agree(interpreted, digits):
    expected = recipes_cython.calc_pi(digits)
    assert _pure_mode.calc_pi(digits) == expected
    assert interpreted.calc_pi(digits) == expected


@pytest.mark.parametrize(("bad", "error"), [(-1, ValueError), (10001, ValueError), (2**100, ValueError), (2.0, TypeError)])
def test_same_errors_both_ways(interpreted, bad, error):
    for module in (_pure_mode, interpreted):
        with pytest.raises(error):
            module.calc_pi(bad)

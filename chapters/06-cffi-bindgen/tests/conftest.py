"""Fixtures for the chapter's own tests: the three front ends over the one library."""

import importlib

import pytest

FRONT_ENDS = ["recipes_cffi", "recipes_cffi_abi", "recipes_ctypes"]


@pytest.fixture(params=FRONT_ENDS)
def recipes(request):
    """Each front end in turn: cffi API mode, cffi ABI mode, ctypes."""
    return importlib.import_module(request.param)


@pytest.fixture
def live():
    """Read the library's debug counters (all front ends share one loaded librecipes)."""
    from recipes_cffi._native import lib

    return lambda: (lib.recipes_debug_live_handles(), lib.recipes_debug_live_word_arrays())

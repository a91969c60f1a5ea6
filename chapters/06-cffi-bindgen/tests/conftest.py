"""Fixtures for the chapter's own tests: the three front ends over the one library."""

import importlib

import pytest

from recipes_clib import CFFI_SUPPORTED

# Tests marked `cffi` need cffi, which does not run on free-threaded CPython 3.13: there they
# are skipped, and recipes_ctypes is what is tested (see recipes_clib.CFFI_SUPPORTED).
NO_CFFI = "not testable on free-threaded CPython 3.13: cffi supports the free-threaded build from 3.14 (cffi 2.0)"

FRONT_ENDS = [
    pytest.param("recipes_cffi", marks=pytest.mark.cffi),
    pytest.param("recipes_cffi_abi", marks=pytest.mark.cffi),
    "recipes_ctypes",
]


def pytest_configure(config):
    config.addinivalue_line("markers", "cffi: needs cffi (skipped on free-threaded CPython 3.13)")


def pytest_collection_modifyitems(config, items):
    if CFFI_SUPPORTED:
        return
    for item in items:
        if item.get_closest_marker("cffi"):
            item.add_marker(pytest.mark.skip(reason=NO_CFFI))


@pytest.fixture(params=FRONT_ENDS)
def recipes(request):
    """Each front end in turn: cffi API mode, cffi ABI mode, ctypes."""
    return importlib.import_module(request.param)


@pytest.fixture
def live():
    """Read the library's debug counters (all front ends share one loaded librecipes)."""
    from recipes_ctypes import _debug_live_handles, _debug_live_word_arrays

    return lambda: (_debug_live_handles(), _debug_live_word_arrays())

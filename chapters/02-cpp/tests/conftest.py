"""Shared fixtures: every test runs against all three bindings of the one core."""

from __future__ import annotations

import importlib
import importlib.util
import os
import random
import sysconfig

import pytest

# CMakeLists.txt leaves the Boost.Python module out on a free-threaded Python
# (RECIPES_BOOST defaults to OFF there: Boost.Python cannot declare free-threading
# support, and importing it would turn the GIL back on), and when asked to with
# -DRECIPES_BOOST=OFF (no Boost.Python for this Python). Only then is a missing
# recipes_boost expected; the second case is told to the tests the same way,
# RECIPES_BOOST=OFF pytest. Anywhere else it is a failure.
FREE_THREADED_BUILD = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
BUILT_WITHOUT_BOOST = FREE_THREADED_BUILD or os.environ.get("RECIPES_BOOST", "").upper() == "OFF"
BOOST_LEFT_OUT = BUILT_WITHOUT_BOOST and importlib.util.find_spec("recipes_boost") is None
MODULES = ([] if BOOST_LEFT_OUT else ["recipes_boost"]) + ["recipes_pybind11", "recipes_nanobind"]


@pytest.fixture(params=MODULES)
def recipes(request):
    """The module under test: Boost.Python, pybind11 or nanobind."""
    return importlib.import_module(request.param)


@pytest.fixture(scope="session")
def big_corpus(tmp_path_factory):
    """About 8 MB of words: long enough to see other threads run meanwhile."""
    rng = random.Random(2015)
    vocabulary = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyzABCDEF", k=rng.randint(1, 9)))
                  for _ in range(20_000)] + ["été", "Straße", "naïve"]
    line_words = [" ".join(rng.choices(vocabulary, k=12)) for _ in range(1000)]
    block = ("\n".join(line_words) + "\n").encode()
    path = tmp_path_factory.mktemp("corpus") / "big.txt"
    path.write_bytes(block * (8_000_000 // len(block) + 1))
    return path

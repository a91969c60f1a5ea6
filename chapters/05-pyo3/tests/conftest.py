"""Chapter 5's own tests: what is special to PyO3 (panics, exceptions, the GIL, threads,
stubs, abi3), plus a few known values so a copied-out chapter tests itself.

Every test that takes the `recipes` fixture runs against both builds of the same Rust source:
`recipes_pyo3` (this folder's wheel, built for one CPython version) and `recipes_pyo3_abi3`
(the wheel from abi3/, built for the stable ABI). The abi3 build is skipped if it is not
installed (`pip install ./abi3`).
"""

from __future__ import annotations

import importlib

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "chapter5",
    deadline=None,  # tests never judge by time
    max_examples=200,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
settings.load_profile("chapter5")

BUILDS = ["recipes_pyo3", "recipes_pyo3_abi3"]


def load_build(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        if name == "recipes_pyo3":
            raise  # the main build must always be there
        pytest.skip(f"{name} is not installed (pip install ./abi3)")


@pytest.fixture(params=BUILDS)
def recipes(request):
    """The public package (recipes_pyo3 or recipes_pyo3_abi3)."""
    return load_build(request.param)


@pytest.fixture
def native(recipes):
    """The compiled extension module itself, which also carries the _demo functions."""
    return importlib.import_module(recipes.__name__ + "._native")

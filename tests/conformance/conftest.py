"""Which implementations the conformance suite runs against.

`pytest tests/conformance --recipes recipes_capi,recipes_pyo3` tests exactly those (and fails, not skips,
for one that does not import). Without --recipes (or the RECIPES environment variable), every
import name listed in chapters/chapters.toml that is installed is tested.
"""

from __future__ import annotations

import importlib.util
import os

import pytest
from hypothesis import HealthCheck, settings

import support

settings.register_profile(
    "conformance",
    deadline=None,  # native code is fast, the reference is not; never judge by time
    max_examples=150,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Sessions that run the whole suite again, elsewhere, draw fewer examples: on another CPython
# (`nox -s matrix`), under AddressSanitizer (`nox -s sanitize`), and six times over on a debug
# interpreter (`nox -s refleaks`, where the examples must also repeat exactly). Every test runs;
# only the number of generated inputs shrinks.
settings.register_profile("matrix", parent=settings.get_profile("conformance"), max_examples=25)
settings.register_profile("sanitize", parent=settings.get_profile("conformance"), max_examples=25)
settings.register_profile("refleaks", parent=settings.get_profile("conformance"), max_examples=5,
                          derandomize=True, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "conformance"))


def selected_names(config) -> list[str]:
    asked = [name.strip() for name in config.getoption("--recipes").split(",") if name.strip()]
    if asked:
        return asked
    installed = []
    for name in support.known_import_names():
        try:
            found = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:  # a dotted variant whose parent is missing
            found = False
        if found:
            installed.append(name)
    if not installed:
        raise pytest.UsageError("no recipes_* module is installed: build a chapter first (nox -s chapterN)")
    return installed


# marker -> what a variant declaring `<marker> = false` is not held to
EXEMPTIONS = {
    "releases_gil": "not held to releasing the GIL",
    "native_speed": "not given workloads sized for native arithmetic",
}


def pytest_report_header(config):
    names = selected_names(config)
    lines = ["recipes under test: " + ", ".join(names)]
    for marker, what in EXEMPTIONS.items():
        exempt = sorted(support.exempt_by_design(marker) & set(names))
        if exempt:
            lines.append(f"{what} ({marker} = false in chapters.toml): " + ", ".join(exempt))
    return lines


def pytest_generate_tests(metafunc):
    names = selected_names(metafunc.config)
    if "impl_name" in metafunc.fixturenames:
        metafunc.parametrize("impl_name", names)
    if "native_name" in metafunc.fixturenames:
        natives = [n for n in names if n != support.REFERENCE]
        for marker in EXEMPTIONS:
            # a test of releasing the GIL, or of a workload that only native arithmetic finishes in
            # seconds: not for the variants that declare `<marker> = false` in chapters.toml (shown
            # in the test report header, never silently dropped)
            if metafunc.definition.get_closest_marker(marker):
                natives = [n for n in natives if n not in support.exempt_by_design(marker)]
        metafunc.parametrize("native_name", natives)


def _import_or_fail(name):
    try:
        return support.load(name)
    except ImportError as exc:
        pytest.fail(f"{name} was to be tested but does not import: {exc!r}", pytrace=False)


@pytest.fixture
def impl(impl_name):
    return _import_or_fail(impl_name)


@pytest.fixture
def native(native_name):
    return _import_or_fail(native_name)


@pytest.fixture(scope="session")
def ref():
    return _import_or_fail(support.REFERENCE)

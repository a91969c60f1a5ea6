"""The abi3 variant: the same Rust source built once for the stable ABI of CPython >= 3.10."""

import importlib
import importlib.metadata
import sys
from itertools import islice

import pytest


def wheel_tags(distribution):
    wheel = importlib.metadata.distribution(distribution).read_text("WHEEL") or ""
    return [line.split(":", 1)[1].strip() for line in wheel.splitlines() if line.startswith("Tag:")]


@pytest.fixture(scope="module")
def abi3():
    try:
        return importlib.import_module("recipes_pyo3_abi3")
    except ImportError:
        pytest.skip("recipes_pyo3_abi3 is not installed (pip install ./abi3)")


def test_abi3_wheel_is_tagged_cp310_abi3(abi3):
    tags = wheel_tags("recipes-pyo3-abi3")
    assert tags
    assert all(tag.startswith("cp310-abi3-") for tag in tags), tags
    # ... and its extension file carries the stable-ABI suffix instead of a version tag.
    native_file = importlib.import_module("recipes_pyo3_abi3._native").__file__
    assert ".abi3." in native_file or native_file.endswith(".pyd")


def test_main_wheel_is_tagged_for_this_python_only():
    version = f"cp{sys.version_info.major}{sys.version_info.minor}"
    tags = wheel_tags("recipes-pyo3")
    assert tags
    assert all(tag.startswith(f"{version}-{version}") for tag in tags), tags


def test_both_builds_give_the_same_results(abi3, tmp_path):
    import recipes_pyo3 as main

    (tmp_path / "w.txt").write_text("a b b c c c")
    assert main.most_common(tmp_path / "w.txt", 5) == abi3.most_common(tmp_path / "w.txt", 5)
    assert [main.fib(n) for n in range(94)] == [abi3.fib(n) for n in range(94)]
    assert main.calc_pi(500) == abi3.calc_pi(500)
    def first_terms(module):
        return list(islice(module.LinearRecurrence([2, -1, 3], [1, 2, 3]), 30))

    assert first_terms(main) == first_terms(abi3)
    # The two builds are separate extension modules with separate classes.
    assert main.LinearRecurrence is not abi3.LinearRecurrence


METH_KEYWORDS, METH_FASTCALL = 0x2, 0x80


def calling_convention(builtin_function):
    """The ml_flags of a C function's PyMethodDef, read with ctypes (a CPython detail).

    PyCFunctionObject starts with the object header, then `PyMethodDef *m_ml`; a PyMethodDef
    is {const char *ml_name; void *ml_meth; int ml_flags; ...}.
    """
    import ctypes

    header = object.__basicsize__  # sizeof(PyObject), larger on free-threaded builds
    method_def = ctypes.c_void_p.from_address(id(builtin_function) + header).value
    return ctypes.c_int.from_address(method_def + 2 * ctypes.sizeof(ctypes.c_void_p)).value


@pytest.mark.skipif(sys.implementation.name != "cpython", reason="reads CPython structures")
def test_abi3_py310_functions_use_the_fast_calling_convention(abi3):
    # METH_FASTCALL (arguments as a C array, no tuple) joined the stable ABI in Python 3.10,
    # and PyO3 uses it for abi3 builds from abi3-py310 on. An abi3-py39 build had to fall
    # back to METH_VARARGS | METH_KEYWORDS, which packs the arguments into a new tuple on
    # every call; with 3.10 as the floor, both builds are called the same way.
    import recipes_pyo3 as main

    assert calling_convention(main.fib) == METH_FASTCALL | METH_KEYWORDS
    assert calling_convention(abi3.fib) == METH_FASTCALL | METH_KEYWORDS


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads ELF dependencies with ldd")
def test_extension_does_not_link_libpython(recipes):
    # Without PyO3's old `extension-module` feature, `cargo build` would link libpython (good
    # for `cargo test`, wrong for a wheel). maturin >= 1.9.4 sets PYO3_BUILD_EXTENSION_MODULE,
    # so only the wheel build leaves libpython out and takes the symbols from the interpreter.
    import shutil
    import subprocess

    if not shutil.which("ldd"):
        pytest.skip("ldd not available")
    native_file = importlib.import_module(recipes.__name__ + "._native").__file__
    needed = subprocess.run(["ldd", native_file], capture_output=True, text=True, check=True).stdout
    assert "libpython" not in needed

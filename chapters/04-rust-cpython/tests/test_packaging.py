"""The package around the native module: file naming, stub, py.typed."""

import importlib.machinery
import os
import subprocess
import sys

import pytest

import recipes_rust_cpython
from recipes_rust_cpython import _native


def test_native_module_has_an_importable_name():
    # Cargo names a cdylib `lib<name>.so`; Python would look for `_native.cpython-3XY-
    # <platform>.so`. setuptools-rust copies Cargo's output to the name the import
    # system expects, so there is no `import libXYZ` (the 2015 seed's complaint).
    filename = os.path.basename(_native.__file__)
    assert not filename.startswith("lib")
    assert any(
        filename == "_native" + suffix
        for suffix in importlib.machinery.EXTENSION_SUFFIXES
    )


def test_stub_and_py_typed_are_installed():
    package = os.path.dirname(recipes_rust_cpython.__file__)
    assert os.path.isfile(os.path.join(package, "py.typed"))
    assert os.path.isfile(os.path.join(package, "__init__.pyi"))


def test_stub_matches_the_runtime(tmp_path):
    pytest.importorskip("mypy")
    # stubtest imports the installed module and compares it with the .pyi. Run it from
    # an empty directory so that nothing on the current path shadows the package.
    done = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "recipes_rust_cpython"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_stub_type_checks_a_caller(tmp_path):
    pytest.importorskip("mypy")
    caller = tmp_path / "caller.py"
    caller.write_text(
        "import recipes_rust_cpython as r\n"
        "from pathlib import Path\n"
        "x: int = r.fib(10)\n"
        "s: str = r.calc_pi(3)\n"
        "w: list[tuple[str, int]] = r.most_common(Path('f'), 3)\n"
        "it = r.LinearRecurrence([1, 1], (0, 1))\n"
        "y: int = next(iter(it))\n"
        "import array, numpy as np, numpy.typing as npt\n"
        "a: npt.NDArray[np.float64] = r.ewma(array.array('d', [1.0, 2.0]), 0.5)\n"
        "b: npt.NDArray[np.float64] = r.ewma(np.arange(3, dtype=np.float64), np.float64(0.5))\n"
        "r.fib(1.5)  # error: float is not SupportsIndex\n"
        "r.ewma([1.0, 2.0], 0.5)  # error: a list is not a Buffer\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", str(caller)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
        check=False,
    )
    assert "caller.py:11: error" in done.stdout, done.stdout
    assert "caller.py:12: error" in done.stdout, done.stdout
    assert done.stdout.count("error:") == 2, done.stdout

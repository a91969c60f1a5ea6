"""The .pyi stubs are hand-written (Cython makes none): mypy's stubtest holds them to the modules."""

import importlib.metadata
import re
import subprocess
import sys

MODULES = ["recipes_cython"]  # stubtest also checks every submodule that has a stub


def test_stubs_match_the_compiled_modules(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", *MODULES],
        capture_output=True, text=True, check=False, cwd=tmp_path,  # cwd: not the chapter's src/
    )
    assert done.returncode == 0, done.stdout + done.stderr


# ewma's stub names NumPy arrays beside the buffer protocol, because NumPy's own stubs give
# ndarray a __buffer__ method only for Python 3.12 and later. Checked for 3.10, the oldest
# Python the chapter supports: these calls type-check, except the two marked.
EWMA_CALLS = """\
import array
import numpy as np
import recipes_cython
from recipes_cython import untyped
x = np.zeros(3)
recipes_cython.ewma(x, 0.5)
recipes_cython.ewma(x[::2], np.float64(0.5))
recipes_cython.ewma(array.array("d", [1.0]), 1)
untyped.ewma(memoryview(b"12345678").cast("d"), 0.5)
recipes_cython.ewma([1.0], 0.5)  # error: a list has no buffer
untyped.ewma(x, "0.5")  # error: a str is not a real number
"""


def oldest_python_for_numpy():
    """3.10, or the oldest Python the installed NumPy supports if that is newer: NumPy 2.5
    (what pip installs on 3.12 and later) needs 3.12 and writes its stubs in 3.12's syntax
    (`type` statements), which mypy refuses to read as 3.10."""
    requires = importlib.metadata.metadata("numpy").get("Requires-Python") or ""
    found = re.search(r">=\s*3\.(\d+)", requires)
    return f"3.{max(10, int(found.group(1)) if found else 10)}"


def test_ewma_stub_takes_arrays_and_buffers(tmp_path):
    (tmp_path / "calls.py").write_text(EWMA_CALLS)
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--python-version", oldest_python_for_numpy(), "calls.py"],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )
    error_lines = [line.split(":")[1] for line in done.stdout.splitlines() if ": error:" in line]
    assert error_lines == ["10", "11"], done.stdout + done.stderr

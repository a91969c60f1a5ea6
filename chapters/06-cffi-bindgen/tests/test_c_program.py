"""The library is a C library: examples/main.c, compiled with cc against the header and the
installed librecipes, uses it with no Python in the process."""

import shutil
import subprocess
from pathlib import Path

import pytest

import recipes_clib

CHAPTER = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler called cc")
def test_c_program(tmp_path):
    program = tmp_path / "recipes-demo"
    library_dir = recipes_clib.LIBRARY.parent
    subprocess.run(
        [
            "cc", "-std=c11", "-Wall", "-Wextra", "-Werror",
            str(CHAPTER / "examples" / "main.c"),
            "-I", str(CHAPTER / "include"),  # the source of truth, not the installed copy
            "-L", str(library_dir), "-lrecipes", f"-Wl,-rpath,{library_dir}",
            "-o", str(program),
        ],
        check=True,
    )
    words = tmp_path / "words.txt"
    words.write_text("the cat and the hat and the bat\n")
    output = subprocess.run([str(program), str(words)], check=True, capture_output=True, text=True).stdout
    assert output.splitlines() == [
        "fib(90) = 2880067194370816120",
        "fib: status 1: fib() argument must be >= 0",
        "fib: status 2: fib() argument must be <= 93: the result would not fit in 64 bits",
        "calc_pi(4) = 3.1415",
        "calc_pi: status 1: calc_pi() digits must be between 0 and 10000",
        "lucas: 2 1 3 4 7 11 18 29 47 76",
        "ewma: 7 6 4.5 2.75",
        "ewma: status 1: ewma() alpha must be > 0 and <= 1",
        "integrate(square, 0, 1, 4) = 0.328125",
        "integrate(1 + 2x + 3x^2, 0, 1, 1000) = 3.000000",
        "integrate: status 1: integrate() n must be >= 1",
        "the 3",
        "and 2",
        "bat 1",
        "most_common: status 3: No such file or directory (os error 2) [errno 2: No such file or directory]",
        "live handles: 0, live word arrays: 0",
    ]


def test_installed_header_is_the_source_header():
    assert recipes_clib.HEADER.read_bytes() == (CHAPTER / "include" / "recipes.h").read_bytes()

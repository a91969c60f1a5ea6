"""The .pyi stubs are hand-written (Cython makes none): mypy's stubtest holds them to the modules."""

import subprocess
import sys

MODULES = ["recipes_cython"]  # stubtest also checks every submodule that has a stub


def test_stubs_match_the_compiled_modules(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", *MODULES],
        capture_output=True, text=True, check=False, cwd=tmp_path,  # cwd: not the chapter's src/
    )
    assert done.returncode == 0, done.stdout + done.stderr

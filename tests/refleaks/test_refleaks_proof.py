"""The can-fail proof of pytest_refleaks: it fails tests that leak, by name, and passes one that does not.

A small test file is written to a temporary folder and run by pytest in a child process with
the plugin, as `nox -s refleaks` runs the conformance suite. Its leaks: a Python list that
keeps every object it is given, and recipes_broken (tests/sanitize/broken), whose
leak_reference() never releases its argument and whose leak_block() never frees a block.
Needs a debug build of CPython with recipes_broken installed; `nox -s refleaks` runs it first.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

LEAKY_TESTS = '''
import recipes_broken

KEPT = []
SENTINEL = object()


def test_python_list_keeps_every_object():
    KEPT.append(object())


def test_python_list_keeps_a_reference():
    KEPT.append(SENTINEL)  # no new object: only the reference total can see this one


def test_leak_reference():
    recipes_broken.leak_reference(object())


def test_leak_block():
    recipes_broken.leak_block()


def test_balanced():
    made = [object() for _ in range(100)]
    recipes_broken.leak_reference  # looked up, never called
    assert len(made) == 100
'''

pytestmark = pytest.mark.skipif(not hasattr(sys, "gettotalrefcount"),
                                reason="needs a debug build of CPython (apt-get install python3.11-dbg); nox -s refleaks uses one")


def run_plugin(tmp_path: Path, *options: str) -> tuple[subprocess.CompletedProcess, dict]:
    try:
        import recipes_broken  # noqa: F401 - only to fail early with a clear message
    except ImportError:
        pytest.fail("recipes_broken is not installed: nox -s refleaks builds tests/sanitize/broken and installs it",
                    pytrace=False)
    (tmp_path / "test_leaky.py").write_text(LEAKY_TESTS)
    report = tmp_path / "report.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "pytest_refleaks", "-p", "no:cacheprovider", "-q", "--rootdir", str(tmp_path),
         "--refleaks", "3:3", "--refleaks-report", str(report), *options, str(tmp_path / "test_leaky.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
    return done, json.loads(report.read_text()) if report.exists() else {}


def outcomes(output: str) -> dict[str, str]:
    return {line.split("::")[1].split()[0]: line.split()[0] for line in output.splitlines()
            if line.startswith(("PASSED", "FAILED")) and "::" in line}


@pytest.mark.parametrize(("references", "leaking"), [
    # the reference total is exact for this interpreter and for recipes_broken built for it
    ("judge", ["test_python_list_keeps_every_object", "test_python_list_keeps_a_reference", "test_leak_reference",
               "test_leak_block"]),
    # what nox -s refleaks uses for the release-built chapters: blocks and descriptors only,
    # which a leaked reference to an object that lives on anyway does not move
    ("show", ["test_python_list_keeps_every_object", "test_leak_reference", "test_leak_block"]),
])
def test_leaks_fail_and_are_named(tmp_path, references, leaking):
    done, report = run_plugin(tmp_path, "--refleaks-references", references, "-rA")
    output = done.stdout + done.stderr
    assert done.returncode == 1, f"pytest should fail the leaking tests (exit {done.returncode}):\n{output[-3000:]}"
    got = outcomes(done.stdout)
    assert {name for name, result in got.items() if result == "FAILED"} == set(leaking), output[-3000:]
    assert got["test_balanced"] == "PASSED", output[-3000:]
    for name in leaking:  # the message names the test and its deltas, in regrtest's words
        assert f"test_leaky.py::{name} leaked [" in done.stdout, output[-3000:]
    assert report["leaks"] == len(leaking)
    assert report["tests"] == 5
    assert all(len(r["deltas"]["references"]) == 3 for r in report["results"])  # 3:3, three counted runs


def test_a_balanced_test_passes_alone(tmp_path):
    done, report = run_plugin(tmp_path, "-k", "balanced")
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert report["leaks"] == 0
    assert report["tests"] == 1
    assert [r["runs"] for r in report["results"]] == [6]

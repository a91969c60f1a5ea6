"""Each check of `nox -s dist` fails on a deliberately broken input (the session runs this last).

The inputs are that run's own artefacts (DIST_RESULTS, .cache/dist.json), broken on purpose:
an sdist without a header its build needs, an sdist without a test helper, the package
imported from its source tree instead of the wheel, a wheel with broken metadata, and a
full-API extension module in a wheel tagged abi3. Hiding a system library from a wheel that
needs it is the session's own can-fail half (dist_repair_proof in noxfile.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not os.environ.get("DIST_RESULTS"), reason="run by `nox -s dist`, which sets DIST_RESULTS")

HERE = Path(__file__).resolve().parent
CHAPTERS = HERE.parents[1] / "chapters"
TOOLS = Path(sys.executable).parent  # twine and abi3audit, installed in the session


@pytest.fixture(scope="module")
def results() -> dict[str, dict]:
    return json.loads(Path(os.environ["DIST_RESULTS"]).read_text())["projects"]


def first(results: dict[str, dict], what: str, predicate) -> tuple[str, dict]:
    for name, row in results.items():
        if predicate(row):
            return name, row
    pytest.skip(f"no project of this run has {what}")


def sdist_members(row: dict) -> list[str]:
    with tarfile.open(row["sdist_path"]) as tar:
        return tar.getnames()


def repack_without(sdist: Path, member: str, out: Path) -> Path:
    """A copy of the sdist, same name, without one member."""
    out.mkdir()
    with tarfile.open(sdist) as src, tarfile.open(out / sdist.name, "w:gz") as dst:
        for info in src.getmembers():
            if info.name != member:
                dst.addfile(info, src.extractfile(info) if info.isfile() else None)
    return out / sdist.name


def test_wheel_from_an_sdist_without_a_header_does_not_build(results, tmp_path):
    name, row = first(results, "a C or C++ header in its sdist",
                      lambda r: any(m.endswith((".h", ".hpp")) for m in sdist_members(r)))
    header = next(m for m in sdist_members(row) if m.endswith((".h", ".hpp")))
    broken = repack_without(Path(row["sdist_path"]), header, tmp_path / "broken")
    done = subprocess.run(["uv", "build", "--wheel", "--out-dir", str(tmp_path / "out"), str(broken)],
                          capture_output=True, text=True, check=False)
    assert done.returncode != 0, f"{name}: a wheel was built without {header}"
    assert Path(header).name in done.stdout + done.stderr
    assert not list((tmp_path / "out").glob("*.whl"))


def test_tests_from_an_sdist_without_their_helper_fail(results, tmp_path):
    def helper(row):
        return next((m for m in sdist_members(row) if m.count("/") == 2 and m.split("/")[1] == "tests"
                     and m.endswith(".py") and not Path(m).name.startswith("test_")), None)

    name, row = first(results, "a test helper module (tests/helpers.py, tests/conftest.py)", helper)
    broken = repack_without(Path(row["sdist_path"]), helper(row), tmp_path / "broken")
    with tarfile.open(broken) as tar:
        tar.extractall(tmp_path / "unpacked", **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    venv = Path(os.environ["DIST_RESULTS"]).parent / "dist" / f"chapter{row['chapter']}" / "venv"
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pytest", "tests", "-p", "no:cacheprovider", "-q", "-x"],
                          cwd=next((tmp_path / "unpacked").iterdir()), capture_output=True, text=True, check=False)
    assert done.returncode != 0, f"{name}: the tests passed without {helper(row)}"


def test_a_package_imported_from_its_source_tree_is_caught(results, tmp_path):
    # The reference chapter's src/ on sys.path shadows the installed wheel, which is what a
    # test run inside the tree could do; installed_only must name the module and fail the run.
    name, row = first(results, "a pure-Python wheel", lambda r: r["wheel_tag"].endswith("none-any"))
    package = next(p.parent.name for p in (CHAPTERS / name / "src").glob("*/__init__.py"))
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_import.py").write_text(f"import {package}\n\n\ndef test_import():\n    assert {package}\n")
    report = tmp_path / "imports.json"
    venv = Path(os.environ["DIST_RESULTS"]).parent / "dist" / f"chapter{row['chapter']}" / "venv"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(CHAPTERS / name / "src"), str(HERE)]),
           "DIST_IMPORT_NAMES": package, "DIST_REPORT": str(report)}
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pytest", "tests", "-p", "no:cacheprovider", "-p", "installed_only"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert done.returncode != 0, done.stdout
    outside = json.loads(report.read_text())["outside"]
    assert Path(outside[package]).is_relative_to(CHAPTERS / name / "src")
    assert f"installed_only: {package} was imported from" in done.stdout


def test_twine_check_rejects_broken_metadata(results, tmp_path):
    _, row = first(results, "a wheel", lambda r: True)
    wheel = Path(row["wheel_path"])
    broken = tmp_path / wheel.name
    with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.endswith(".dist-info/METADATA"):  # drop the required Name field
                data = b"".join(line for line in data.splitlines(keepends=True) if not line.startswith(b"Name:"))
            dst.writestr(item, data)
    done = subprocess.run([str(TOOLS / "twine"), "check", "--strict", str(broken)], capture_output=True, text=True, check=False)
    assert done.returncode != 0
    assert "name" in (done.stdout + done.stderr).lower()


def test_abi3audit_rejects_a_full_api_module_tagged_abi3(results, tmp_path):
    def full_api_module(row):
        with zipfile.ZipFile(row["wheel_path"]) as zf:
            return next((n for n in zf.namelist() if ".cpython-3" in n and n.endswith(".so")), None)

    name, row = first(results, "a version-specific extension module (.cpython-3XY-*.so)", full_api_module)
    member = full_api_module(row)
    forged = tmp_path / f"forged-1.0-cp310-abi3-{row['wheel_tag'].split('-')[-1]}.whl"
    with zipfile.ZipFile(row["wheel_path"]) as src, zipfile.ZipFile(forged, "w") as dst:
        dst.writestr(member.split(".cpython-")[0] + ".abi3.so", src.read(member))
    report = tmp_path / "report.json"
    done = subprocess.run([str(TOOLS / "abi3audit"), "--strict", "--report", "--output", str(report), str(forged)],
                          capture_output=True, text=True, check=False)
    assert done.returncode != 0, f"{name}: {member} passed abi3audit as abi3"
    (result,) = next(iter(json.loads(report.read_text())["specs"].values()))["wheel"]
    assert result["result"]["non_abi3_symbols"] or result["result"]["future_abi3_objects"]

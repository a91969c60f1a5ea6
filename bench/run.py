"""Benchmark every installed recipes_* module in one run, and write JSON, tables and plots.

    python bench/run.py                      # full run: pyperf's defaults (20 processes each)
    python bench/run.py --quick              # a few processes each: for CI and the docs build
    python bench/run.py --corpus big.txt     # count the words of a real text instead
    python bench/run.py --modules recipes_python,recipes_capi --workloads call,fib90

Each import name is measured by its own pyperf run, in its own worker processes, so no module
can warm up or pollute another. The floor (the built-in abs(0)) is measured the same way.
Ratios are taken between medians of this same run, never against stored numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
import time
import tomllib
from pathlib import Path

import pyperf

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import report  # noqa: E402
from worker import ALTERNATIVES, FLOOR, WORKLOADS  # noqa: E402

REFERENCE, CAPI = "recipes_python", "recipes_capi"
QUICK = ["--processes", "2", "--values", "3", "--warmups", "1", "--min-time", "0.05"]
FULL: list[str] = []  # pyperf's defaults: 20 processes x 3 values, 100 ms minimum per value
# Python packages whose versions matter for the results (runtime and build side).
PACKAGES = [
    "pyperf", "cffi", "cython", "pybind11", "nanobind", "scikit-build-core", "meson-python",
    "maturin", "setuptools", "setuptools-rust", "hatchling",
]
CRATES = ["pyo3", "cpython", "bindgen", "python3-sys", "pyo3-ffi"]


def chapters() -> list[dict]:
    with open(ROOT / "chapters" / "chapters.toml", "rb") as f:
        return tomllib.load(f)["chapter"]


def module_table() -> list[dict]:
    """Every import name the chapter list declares, with its chapter and label."""
    rows = []
    for ch in chapters():
        where = {"chapter": ch["id"], "folder": ch["folder"], "technology": ch["technology"]}
        rows += [{"module": name, **where, "label": name, "variant": False} for name in ch["modules"]]
        rows += [{"module": v["module"], **where, "label": v["label"], "variant": True} for v in ch.get("variant", [])]
    return rows


def installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def first_line(cmd: list[str]) -> str | None:
    if not shutil.which(cmd[0]):
        return None
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if text else None


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def crate_versions() -> dict[str, dict[str, str]]:
    """Versions of the binding crates, read from each chapter's committed Cargo.lock."""
    found: dict[str, dict[str, str]] = {}
    for lock in sorted((ROOT / "chapters").glob("*/Cargo.lock")):
        packages = tomllib.loads(lock.read_text()).get("package", [])
        versions = {p["name"]: p["version"] for p in packages if p["name"] in CRATES}
        if versions:
            found[lock.parent.name] = versions
    return found


def build_requirements() -> dict[str, list[str]]:
    """What each chapter pins in [build-system] requires: the backend and binding library versions."""
    reqs = {}
    for ch in chapters():
        pyproject = ROOT / "chapters" / ch["folder"] / "pyproject.toml"
        if pyproject.exists():
            reqs[ch["folder"]] = tomllib.loads(pyproject.read_text()).get("build-system", {}).get("requires", [])
    return reqs


def environment(mode: str, corpus_path: Path) -> dict:
    packages = {}
    for name in PACKAGES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            packages[name] = importlib.metadata.version(name)
    return {
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "mode": mode,
        "machine": {
            "cpu": cpu_model(),
            "cores": os.cpu_count(),
            "platform": platform.platform(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1) if hasattr(os, "sysconf") else None,
        },
        "python": {"version": platform.python_version(), "implementation": platform.python_implementation(), "compiler": platform.python_compiler(),
                   "free_threaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED"))},
        "compilers": {k: v for k, v in {
            "cc": first_line(["cc", "--version"]),
            "c++": first_line(["c++", "--version"]),
            "rustc": first_line(["rustc", "--version"]),
            "cargo": first_line(["cargo", "--version"]),
            "cmake": first_line(["cmake", "--version"]),
        }.items() if v},
        "packages": packages,
        "build_requirements": build_requirements(),
        "crates": crate_versions(),
        "corpus": corpus.describe(corpus_path),
        "workloads": {k: w["timed"] for k, w in WORKLOADS.items()},
    }


def summarise(bench: pyperf.Benchmark) -> dict:
    values = bench.get_values()
    return {
        "median": bench.median(),
        "q1": bench.percentile(25),
        "q3": bench.percentile(75),
        "stdev": bench.stdev() if len(values) > 1 else 0.0,
        "min": min(values),
        "max": max(values),
        "n": len(values),
        "loops": bench.get_loops() * bench.get_inner_loops(),
    }


def run_module(name: str, workloads: list[str], corpus_path: Path, pyperf_args: list[str], out_dir: Path) -> dict:
    out = out_dir / f"{name}.json"
    out.unlink(missing_ok=True)
    if name == FLOOR:  # only the workloads that name a built-in to compare with
        workloads = [w for w in workloads if "floor" in WORKLOADS[w]]
    cmd = [sys.executable, str(HERE / "worker.py"), "--module", name, "--corpus", str(corpus_path),
           "--workloads", ",".join(workloads), "--quiet", "-o", str(out), *pyperf_args]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench: {name} failed:\n{done.stdout}\n{done.stderr}")
    suite = pyperf.BenchmarkSuite.load(str(out))
    results = {b.get_name(): summarise(b) for b in suite.get_benchmarks()}
    shown = "  ".join(f"{w} {report.fmt_time(results[w]['median'])}" for w in workloads if w in results)
    print(f"bench: {name:<26} {shown}  ({time.perf_counter() - t0:.0f} s)", flush=True)
    return results


def ratios(results: dict, floor: dict) -> dict:
    out: dict = {}
    for name, per_workload in results.items():
        out[name] = {}
        for workload, r in per_workload.items():
            entry = {}
            if REFERENCE in results and workload in results[REFERENCE]:
                entry["speedup_vs_python"] = results[REFERENCE][workload]["median"] / r["median"]
            if CAPI in results and workload in results[CAPI]:
                entry["relative_to_capi"] = r["median"] / results[CAPI][workload]["median"]
            if workload in floor:
                entry["relative_to_floor"] = r["median"] / floor[workload]["median"]
            out[name][workload] = entry
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="few processes per benchmark (CI, docs)")
    parser.add_argument("--modules", help="comma-separated import names (default: every installed one)")
    parser.add_argument("--workloads", default=",".join(WORKLOADS), help="comma-separated workload ids")
    parser.add_argument("--corpus", type=Path, help="a UTF-8 text for `words` (default: the generated 8 MB corpus)")
    parser.add_argument("--out", type=Path, default=ROOT / ".cache" / "bench" / "results.json", help="the results JSON")
    parser.add_argument("--report-dir", type=Path, help="also write Markdown tables and SVG plots here")
    args = parser.parse_args(argv)

    table = {row["module"]: row for row in module_table()}
    if args.modules:
        names = [n.strip() for n in args.modules.split(",") if n.strip()]
        missing = [n for n in names if not installed(n)]
        if missing:
            raise SystemExit(f"bench: not installed: {', '.join(missing)} (build the chapters first, e.g. nox -s bench)")
    else:
        names = [n for n in table if installed(n)]
    if not names:
        raise SystemExit("bench: no recipes_* module is installed")
    workloads = [w.strip() for w in args.workloads.split(",")]
    unknown = set(workloads) - set(WORKLOADS)
    if unknown:
        raise SystemExit(f"bench: unknown workloads {sorted(unknown)}; choose from {list(WORKLOADS)}")

    cache = ROOT / ".cache" / "bench"
    corpus_path = args.corpus.resolve() if args.corpus else corpus.default_corpus(cache)
    if args.corpus and not corpus_path.is_file():
        raise SystemExit(f"bench: corpus {corpus_path} is not a file")
    mode = "quick" if args.quick else "full"
    pyperf_args = QUICK if args.quick else FULL
    raw_dir = args.out.parent / "pyperf"
    raw_dir.mkdir(parents=True, exist_ok=True)
    print(f"bench: {mode} mode, {len(names)} modules x {len(workloads)} workloads, corpus {corpus_path.name}", flush=True)

    t0 = time.perf_counter()
    with_floor = any("floor" in WORKLOADS[w] for w in workloads)
    floor = run_module(FLOOR, workloads, corpus_path, pyperf_args, raw_dir) if with_floor else {}
    results = {name: run_module(name, workloads, corpus_path, pyperf_args, raw_dir) for name in names}
    # What a user would pick instead (Numba, SciPy, pandas for ewma), where installed: rows of their own
    for name, alternative in ALTERNATIVES.items():
        if any(WORKLOADS[w]["recipe"] == alternative["recipe"] for w in workloads):
            if all(installed(package) for package in alternative["requires"]):
                table[name] = {"module": name, "chapter": None, "folder": None, "technology": alternative["label"],
                               "label": alternative["label"], "variant": False, "alternative": True}
                names.append(name)
                mine = [w for w in workloads if WORKLOADS[w]["recipe"] == alternative["recipe"]]
                results[name] = run_module(name, mine, corpus_path, pyperf_args, raw_dir)
            else:
                print(f"bench: {alternative['label']} left out: pip install {' '.join(alternative['requires'])}", flush=True)
    data = {
        "schema": 1,
        "environment": environment(mode, corpus_path),
        "modules": [table.get(n, {"module": n, "chapter": None, "technology": n, "label": n, "variant": False}) for n in names],
        "floor": floor,
        "results": results,
        "ratios": ratios(results, floor),
        "seconds": round(time.perf_counter() - t0, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=2) + "\n")
    print(f"bench: wrote {args.out} in {data['seconds']:.0f} s", flush=True)
    if args.report_dir:
        for path in report.write_all(data, args.report_dir):
            print(f"bench: wrote {path}", flush=True)


if __name__ == "__main__":
    main()

"""Measure what each C++ binding library costs: compile time, binary size, call overhead.

    python tools/measure_bindings.py --out-dir measurements

It needs cmake, a C++17 compiler and Boost.Python; pybind11 and nanobind are
imported if installed, else the versions pinned in pyproject.toml are installed
into a temporary directory for the run.

Writes cpp-bindings.json (everything, with the machine and the versions) and
cpp-bindings.md (a table for the chapter's README) into --out-dir.

Method, in the spirit of nanobind's benchmark page:
- Compile time: CMake configures this chapter once (Release). Then, per library:
  clean, build the shared C++ core (not timed, it is the same for all three),
  and time `cmake --build --target <library>_ext` alone, one job by default.
  Reported as wall time and as CPU time (user + system of the build's
  processes). nanobind compiles its own support library (libnanobind) into
  each project; that one-off cost is timed and shown separately.
- Size: a copy of the module, stripped of symbols (strip --strip-unneeded, or
  strip -x on macOS). Boost.Python's module also needs the shared
  libboost_python at run time, shown beside it.
- Call overhead: fib(0), the cheapest call the recipes have, timed with timeit
  in a fresh process per module (loaded straight from the build tree): the
  median over --repeats runs of a loop sized to last about 0.2 s. The same
  measurement of the C built-in abs(0) gives the floor of any call.
Timings depend on the machine and its load; compare the columns, not the
absolute numbers, with other machines.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHAPTER = Path(__file__).resolve().parent.parent
LIBRARIES = [  # (label, CMake target, directory the module is built in)
    ("Boost.Python", "boost_ext", "recipes_boost"),
    ("pybind11", "pybind11_ext", "recipes_pybind11"),
    ("nanobind", "nanobind_ext", "recipes_nanobind"),
]

CALL_TIMER = r"""
import importlib.util, json, statistics, sys, timeit
path, repeats = sys.argv[1], int(sys.argv[2])
if path == "abs":
    function = abs
else:
    # The module's init function is PyInit__ext, so the name must end in _ext.
    spec = importlib.util.spec_from_file_location("_ext", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    function = module.fib
assert function(0) == 0
timer = timeit.Timer("f(0)", globals={"f": function})
number, _ = timer.autorange()                   # loops lasting >= 0.2 s
timer.repeat(repeat=2, number=number)           # warm up
samples = [t / number * 1e9 for t in timer.repeat(repeat=repeats, number=number)]
print(json.dumps({"median": statistics.median(samples), "min": min(samples),
                  "max": max(samples), "loops": number, "repeats": repeats}))
"""


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=True, text=True, **kwargs)


def timed_build(build_dir: Path, target: str, jobs: int) -> dict:
    """Wall and CPU seconds of one `cmake --build --target`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run(["cmake", "--build", str(build_dir), "--target", target, "--parallel", str(jobs)],
        stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2)}


def cmake_cache(build_dir: Path) -> dict[str, str]:
    cache = {}
    for line in (build_dir / "CMakeCache.txt").read_text().splitlines():
        match = re.match(r"^([A-Za-z_0-9]+):[A-Z]+=(.*)$", line)
        if match:
            cache[match.group(1)] = match.group(2)
    return cache


def stripped_size(module: Path, strip: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / module.name
        shutil.copy2(module, copy)
        flags = ["-x"] if sys.platform == "darwin" else ["--strip-unneeded"]
        run([strip, *flags, str(copy)])
        return copy.stat().st_size


def shared_boost_python(module: Path) -> dict | None:
    """The libboost_python a module loads at run time (Linux: ldd; macOS: otool -L)."""
    tool = ["ldd", str(module)] if sys.platform != "darwin" else ["otool", "-L", str(module)]
    if shutil.which(tool[0]) is None:
        return None
    output = run(tool, capture_output=True).stdout
    match = re.search(r"(/\S*libboost_python\S*)", output)
    if not match:
        return None
    library = Path(os.path.realpath(match.group(1)))
    return {"name": library.name, "size_bytes": library.stat().st_size}


def time_calls(target: str, repeats: int) -> dict:
    done = run([sys.executable, "-c", CALL_TIMER, target, str(repeats)], capture_output=True)
    return {key: round(value, 1) if isinstance(value, float) else value
            for key, value in json.loads(done.stdout).items()}


def first_line(command: list[str]) -> str:
    try:
        return run(command, capture_output=True).stdout.splitlines()[0].strip()
    except (OSError, subprocess.CalledProcessError, IndexError):
        return "unknown"


def cpu_model() -> str:
    if sys.platform == "darwin":
        return first_line(["sysctl", "-n", "machdep.cpu.brand_string"])
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def kib(size: int) -> str:
    return f"{size / 1024:,.0f} KiB"


def markdown(report: dict) -> str:
    rows = [
        "| library | version | compile time, CPU (wall) | extension size, stripped | `fib(0)` call |",
        "|---|---|---|---|---|",
    ]
    for result in report["results"]:
        build = result["compile"]
        compile_text = f"{build['cpu_s']:.1f} s ({build['wall_s']:.1f} s)"
        if result.get("support_library"):
            support = result["support_library"]
            compile_text += f" + {support['cpu_s']:.1f} s once for {support['name']}"
        size_text = kib(result["size_stripped_bytes"])
        if result.get("runtime_library"):
            runtime = result["runtime_library"]
            size_text += f" + {runtime['name']} {kib(runtime['size_bytes'])} (shared)"
        rows.append(f"| {result['library']} | {result['version']} | {compile_text} | "
                    f"{size_text} | {result['fib0_ns']['median']:.0f} ns |")
    floor = report["floor"]
    rows.append(f"| *floor: the C built-in `abs(0)`* | | | | {floor['ns']['median']:.0f} ns |")
    machine, versions, method = report["machine"], report["versions"], report["method"]
    return "\n".join(rows) + (
        f"\n\nMeasured by `chapters/02-cpp/tools/measure_bindings.py` on {report['date']}: "
        f"{machine['cpu']} ({machine['cpus']} logical CPUs), {machine['system']}; "
        f"{versions['compiler']}, CMake {versions['cmake']}, Python {versions['python']}. "
        f"Compile: `cmake --build --target <library>_ext --parallel {method['jobs']}` after a clean, "
        f"Release, without the shared core. Size: the module after `strip`. "
        f"Call: median of {method['repeats']} timeit runs, one process per module.\n"
    )


def import_build_requirements(target: Path):
    """nanobind and pybind11 as this chapter pins them; installed into `target` if missing."""
    try:
        import nanobind
        import pybind11
    except ImportError:
        pyproject = (CHAPTER / "pyproject.toml").read_text()
        pins = re.findall(r'"((?:pybind11|nanobind)==[^"]+)"', pyproject.split("[project]")[0])
        print(f"installing {' '.join(pins)} into a temporary directory", flush=True)
        run([sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target), *pins])
        sys.path.insert(0, str(target))
        import nanobind
        import pybind11
    return nanobind, pybind11


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=CHAPTER / "measurements",
                        help="where cpp-bindings.json and cpp-bindings.md go")
    parser.add_argument("--build-dir", type=Path,
                        help="CMake build directory (default: a temporary one)")
    parser.add_argument("--jobs", type=int, default=1, help="parallel compile jobs (default 1)")
    parser.add_argument("--repeats", type=int, default=15, help="timeit runs per module")
    args = parser.parse_args()

    if shutil.which("cmake") is None:
        sys.exit("measure_bindings.py needs cmake on PATH")

    with tempfile.TemporaryDirectory(prefix="measure-bindings-") as tmp:
        nanobind, pybind11 = import_build_requirements(Path(tmp) / "packages")
        build_dir = (args.build_dir or Path(tmp) / "build").resolve()
        print(f"configuring in {build_dir}", flush=True)
        run(["cmake", "-S", str(CHAPTER), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=Release",
             f"-DPython_EXECUTABLE={sys.executable}",
             f"-Dpybind11_DIR={pybind11.get_cmake_dir()}",
             f"-Dnanobind_DIR={nanobind.cmake_dir()}"], stdout=subprocess.DEVNULL)
        cache = cmake_cache(build_dir)
        targets = run(["cmake", "--build", str(build_dir), "--target", "help"],
                      capture_output=True).stdout
        nanobind_library = re.search(r"\b(nanobind-static\S*)", targets)

        boost_version = re.search(r"Boost-([\d.]+)", cache.get("Boost_DIR", ""))
        versions = {
            "python": platform.python_version(),
            "cmake": first_line(["cmake", "--version"]).replace("cmake version ", ""),
            "compiler": first_line([cache.get("CMAKE_CXX_COMPILER", "c++"), "--version"]),
            "Boost.Python": boost_version.group(1) if boost_version else "unknown",
            "pybind11": pybind11.__version__,
            "nanobind": nanobind.__version__,
        }
        results = []
        for label, target, directory in LIBRARIES:
            print(f"building {target}", flush=True)
            run(["cmake", "--build", str(build_dir), "--target", "clean"], stdout=subprocess.DEVNULL)
            run(["cmake", "--build", str(build_dir), "--target", "recipes_core"],
                stdout=subprocess.DEVNULL)
            result = {"library": label, "target": target, "version": versions[label]}
            if label == "nanobind" and nanobind_library:
                name = nanobind_library.group(1)
                result["support_library"] = {"name": "libnanobind",
                                             **timed_build(build_dir, name, args.jobs)}
            result["compile"] = timed_build(build_dir, target, args.jobs)
            module = next((build_dir / directory).glob("_ext*"))
            result["size_bytes"] = module.stat().st_size
            result["size_stripped_bytes"] = stripped_size(module, cache.get("CMAKE_STRIP") or "strip")
            if label == "Boost.Python":
                result["runtime_library"] = shared_boost_python(module)
            print(f"timing {label} fib(0)", flush=True)
            result["fib0_ns"] = time_calls(str(module), args.repeats)
            results.append(result)

    report = {
        "date": datetime.date.today().isoformat(),
        "machine": {"cpu": cpu_model(), "cpus": os.cpu_count(),
                    "system": f"{platform.system()} {platform.release()} {platform.machine()}"},
        "versions": versions,
        "method": {"jobs": args.jobs, "repeats": args.repeats, "build_type": "Release"},
        "results": results,
        "floor": {"name": "abs(0)", "ns": time_calls("abs", args.repeats)},
    }
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "cpp-bindings.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out_dir / "cpp-bindings.md").write_text(markdown(report))
    print(f"wrote {args.out_dir / 'cpp-bindings.json'} and {args.out_dir / 'cpp-bindings.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

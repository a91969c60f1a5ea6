"""A pytest plugin that hunts reference leaks the way CPython's `regrtest -R 3:3` does.

    PYTHONPATH=tests/refleaks python3.11-dbg -m pytest -p pytest_refleaks --refleaks 3:3 tests/conformance

Each test's call phase runs warm-up + counted times in a row, with its fixtures set up once.
After every run the plugin clears the interpreter's caches, collects garbage and reads
sys.gettotalrefcount() (debug builds only), sys.getallocatedblocks() and the number of open file
descriptors. The warm-up runs let caches, interned strings and specialised bytecode settle; a
test fails when every counted run grew one of the three, which is how regrtest tells a leak
from noise (a cache that fills once grows one run, not all of them). The failure, the terminal
summary and --refleaks-report say it in regrtest's words: `test_x leaked [1, 1, 1] memory
blocks, sum=3`.

The reference total is exact only for code compiled with Py_REF_DEBUG (this interpreter, and
extensions built for it). A release-built extension's Py_INCREF/Py_DECREF skip the total, so
it drifts by a fixed amount on each call into one and misses its leaks: for those, pass
--refleaks-references show, and the blocks (every leaked object is one) judge alone.

Hypothesis tests must draw the same examples every run: use a derandomized profile without an
example database (tests/conformance/conftest.py registers "refleaks").
"""

from __future__ import annotations

import array
import collections.abc
import fnmatch
import gc
import json
import os
import re
import struct
import sys
import time
import warnings
from pathlib import Path

import pytest

COUNTERS = ("references", "memory blocks", "file descriptors")
DEBUG_BUILD = hasattr(sys, "gettotalrefcount")


def pytest_addoption(parser):
    group = parser.getgroup("refleaks", "reference leak hunting (needs a debug build of CPython)")
    group.addoption("--refleaks", default="3:3", metavar="WARMUP:COUNTED",
                    help="run each test's call phase WARMUP times, then COUNTED times, and fail it when every "
                         "counted run grew the reference, block or file descriptor count (default 3:3)")
    group.addoption("--refleaks-slow", default=None, metavar="SECONDS=WARMUP:COUNTED",
                    help="for a test whose first run took longer than SECONDS, use these counts instead (e.g. 2=1:2)")
    group.addoption("--refleaks-once", action="append", default=[], metavar="GLOB",
                    help="run the tests whose node id matches GLOB once and measure nothing: their work happens in "
                         "a child process, whose references this process cannot see (repeatable)")
    group.addoption("--refleaks-references", choices=("judge", "show"), default="judge",
                    help="judge: a growing reference total is a leak (the default). show: report it but judge only "
                         "blocks and descriptors, for extensions built without Py_REF_DEBUG (release wheels), whose "
                         "Py_INCREF/Py_DECREF leave the total alone so that it drifts by a fixed amount every call")
    group.addoption("--refleaks-report", default=None, metavar="PATH",
                    help="write every test's deltas and the leaks found to PATH as JSON")


def parse_runs(text: str, option: str) -> tuple[int, int]:
    try:
        warmup, counted = (int(part) for part in text.split(":"))
    except ValueError:
        raise pytest.UsageError(f"{option} takes WARMUP:COUNTED, e.g. 3:3; got {text!r}") from None
    if warmup < 1 or counted < 2:
        raise pytest.UsageError(f"{option} {text}: needs at least one warm-up run and two counted runs")
    return warmup, counted


def pytest_configure(config):
    if not DEBUG_BUILD:
        raise pytest.UsageError(
            f"pytest_refleaks needs a debug build of CPython (sys.gettotalrefcount); {sys.executable} is not one. "
            f"Install one with apt-get install python{sys.version_info.major}.{sys.version_info.minor}-dbg "
            "(or build CPython with --with-pydebug)")
    runs = parse_runs(config.getoption("--refleaks"), "--refleaks")
    slow = None
    if config.getoption("--refleaks-slow"):
        seconds, _, counts = config.getoption("--refleaks-slow").partition("=")
        try:
            slow = (float(seconds), parse_runs(counts, "--refleaks-slow"))
        except ValueError:
            raise pytest.UsageError(f"--refleaks-slow takes SECONDS=WARMUP:COUNTED, e.g. 2=1:2; got {seconds!r}") from None
    config.pluginmanager.register(RefleakHunter(config, runs, slow), "refleak-hunter")


# --- the interpreter's caches, cleared before every measurement (after regrtest's dash_R_cleanup)


def _abcs() -> list[type]:
    classes = [getattr(collections.abc, name) for name in collections.abc.__all__]
    return [c for cls in classes for c in [cls, *cls.__subclasses__()] if hasattr(c, "_abc_caches_clear")]


def clear_caches() -> None:
    for module in list(sys.modules.values()):
        # through __dict__: a module-level __getattr__ (NumPy's, Hypothesis's) is slow to say no
        registry = getattr(module, "__dict__", {}).get("__warningregistry__")
        if isinstance(registry, dict):
            registry.clear()
    warnings._filters_mutated()
    re.purge()
    struct._clearcache()
    if "linecache" in sys.modules:
        sys.modules["linecache"].clearcache()
    for cleanup in getattr(sys.modules.get("typing"), "_cleanups", []):
        cleanup()
    for abc in _abcs():
        abc._abc_caches_clear()
    sys._clear_type_cache()  # last: the calls above can change types


def _fd_count() -> int:
    try:
        return len(os.listdir("/proc/self/fd")) - 1  # the directory listing's own descriptor
    except OSError:
        return 0


def measure(counts: tuple[array.array, array.array, array.array], i: int) -> None:
    """Store the three counters as of now into slot i.

    The counts live in preallocated arrays: storing an int there frees it at once, so this
    bookkeeping itself leaves nothing behind from one run to the next.
    """
    clear_caches()
    gc.collect()
    counts[0][i] = sys.gettotalrefcount()
    # code objects specialised by 3.11's adaptive interpreter hold blocks that are no leak
    counts[1][i] = sys.getallocatedblocks() - getattr(sys, "_getquickenedcount", lambda: 0)()
    counts[2][i] = _fd_count()


def leaked(deltas: list[int]) -> bool:
    """regrtest's rule: a leak is growth in every counted run, not a single jump."""
    return all(delta >= 1 for delta in deltas)


class RefleakHunter:
    def __init__(self, config, runs: tuple[int, int], slow: tuple[float, tuple[int, int]] | None):
        self.config = config
        self.runs = runs
        self.slow = slow
        self.once = config.getoption("--refleaks-once")
        self.report_path = config.getoption("--refleaks-report")
        self.judged = [name for name in COUNTERS if name != "references" or config.getoption("--refleaks-references") == "judge"]
        self.results: list[dict] = []
        self.started = time.perf_counter()

    @pytest.hookimpl(tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem):
        """Run the test function (with the fixture values pytest set up once) several times."""
        function = pyfuncitem.obj
        kwargs = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        if any(fnmatch.fnmatchcase(pyfuncitem.nodeid, pattern) for pattern in self.once):
            function(**kwargs)
            self.results.append({"test": pyfuncitem.nodeid, "runs": 1, "measured": False})
            return True
        counts = tuple(array.array("q", bytes(8 * 64)) for _ in COUNTERS)
        # Everything alive now is set aside from the collector, so each gc.collect() below walks
        # only what the test made (a full collection in a debug build takes tenths of a second).
        gc.freeze()
        try:
            deltas, total, warmup, first = self.repeat(function, kwargs, counts)
        finally:
            gc.unfreeze()
        found = [name for name in COUNTERS if name in self.judged and leaked(deltas[name])]
        self.results.append({"test": pyfuncitem.nodeid, "runs": total, "warmup": warmup, "deltas": deltas,
                             "first_run_seconds": round(first, 3), "leaked": found})
        if found:
            pytest.fail("\n".join(leak_line(pyfuncitem.nodeid, name, deltas[name]) for name in found), pytrace=False)
        return True

    def repeat(self, function, kwargs, counts):
        measure(counts, 0)
        started = time.perf_counter()
        function(**kwargs)  # the first warm-up run: a failure here is an ordinary failure
        first = time.perf_counter() - started
        warmup, counted = self.runs
        if self.slow is not None and first > self.slow[0]:
            warmup, counted = self.slow[1]
        total = min(warmup + counted, len(counts[0]) - 1)
        measure(counts, 1)
        for i in range(2, total + 1):
            try:
                function(**kwargs)
            except BaseException as exc:
                if hasattr(exc, "add_note"):
                    exc.add_note(f"pytest_refleaks: raised by run {i} of {total}; the earlier runs passed")
                raise
            measure(counts, i)
        deltas = {name: [counts[k][i] - counts[k][i - 1] for i in range(warmup + 1, total + 1)]
                  for k, name in enumerate(COUNTERS)}
        return deltas, total, warmup, first

    def pytest_terminal_summary(self, terminalreporter):
        measured = [r for r in self.results if r.get("measured", True)]
        leaks = [r for r in measured if r["leaked"]]
        seconds = time.perf_counter() - self.started
        reps = f"{self.runs[0]}:{self.runs[1]}"
        if self.slow:
            reps += f" ({self.slow[1][0]}:{self.slow[1][1]} after a first run over {self.slow[0]:g} s)"
        terminalreporter.section("reference leaks")
        for r in leaks:
            for name in r["leaked"]:
                terminalreporter.write_line(leak_line(r["test"], name, r["deltas"][name]))
        terminalreporter.write_line(
            f"refleaks: {len(measured)} tests measured at {reps}, {len(self.results) - len(measured)} run once "
            f"(child process), {sum(r['runs'] for r in self.results)} runs, {len(leaks)} leaking, {seconds:.0f} s")
        if self.report_path:
            path = Path(self.report_path)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({
                "python": sys.version.split()[0], "executable": sys.executable, "runs": reps, "seconds": round(seconds, 1),
                "tests": len(measured), "run_once": len(self.results) - len(measured), "leaks": len(leaks),
                "report": [leak_line(r["test"], name, r["deltas"][name]) for r in leaks for name in r["leaked"]],
                "results": self.results,
            }, indent=1) + "\n")


def leak_line(test: str, counter: str, deltas: list[int]) -> str:
    """regrtest's wording: `test_x leaked [1, 1, 1] references, sum=3`."""
    return f"{test} leaked {deltas} {counter}, sum={sum(deltas)}"

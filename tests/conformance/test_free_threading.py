"""Stress under real parallelism: every recipe from many threads, one iterator shared by 8.

These run on every interpreter. On a GIL build the threads interleave; on a free-threaded build
(PEP 703, `python3.13t`/`python3.14t`, what `nox -s freethreaded` runs) they run at the same
time, so a data race in a binding shows up here as a wrong answer or a crash. There the suite
also checks that importing a module leaves the GIL off: CPython turns it back on (with a
RuntimeWarning) when an extension does not declare that it is safe without it.
"""

from __future__ import annotations

import math
import subprocess
import sys
import sysconfig
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

FREE_THREADED_BUILD = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
MANY = 16


def together(threads: int, work) -> list:
    """work(i) on `threads` threads released at the same instant by a barrier."""
    barrier = threading.Barrier(threads)

    def task(i):
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(task, range(threads)))


@pytest.mark.skipif(not FREE_THREADED_BUILD, reason="only a free-threaded build (python3.13t and later) can run without the GIL")
def test_import_leaves_the_gil_disabled(impl_name):
    # a fresh interpreter: this one has imported the module already
    probe = (
        "import sys, warnings\n"
        "warnings.simplefilter('error', RuntimeWarning)\n"
        f"import {impl_name}\n"
        "assert not sys._is_gil_enabled(), 'the GIL is on'\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"importing {impl_name} turned the GIL back on:\n{done.stderr}"


def test_gil_state_after_every_import(impl):
    # the same, in this process, after the suite has imported everything it tests
    if FREE_THREADED_BUILD:
        assert not sys._is_gil_enabled()
    else:
        assert getattr(sys, "_is_gil_enabled", lambda: True)()


def test_every_recipe_from_many_threads(impl, ref, tmp_path):
    path = tmp_path / "words.txt"
    path.write_bytes("déjà vu  to be or not\tto be\n".encode() * 3000)
    counts = ref.most_common(path, 6)
    values = np.linspace(-3.0, 3.0, 2001)
    smoothed = ref.ewma(values, 0.3)
    area = ref.integrate(math.sin, 0.0, 2.0, 1000)

    def work(i):
        got = []
        for _ in range(4):
            it = impl.LinearRecurrence([1, 1], [i, 1])
            got.append((
                impl.fib(60 + i),
                impl.fib_recursive(12 + i % 4),
                [next(it) for _ in range(20)],
                impl.most_common(path, 6, threads=1 + i % 3),
                impl.calc_pi(30 + i),
                impl.ewma(values, 0.3).tobytes(),
                impl.integrate(math.sin, 0.0, 2.0, 1000),
            ))
        return got

    for i, rounds in enumerate(together(MANY, work)):
        ref_it = ref.LinearRecurrence([1, 1], [i, 1])
        want = (ref.fib(60 + i), ref.fib(12 + i % 4), [next(ref_it) for _ in range(20)], counts,
                ref.calc_pi(30 + i), smoothed.tobytes(), area)
        assert rounds[0] == want, f"thread {i}"
        assert all(r == rounds[0] for r in rounds), f"thread {i}: rounds differ"


def test_one_iterator_shared_by_8_threads_many_times(impl):
    # a_{n+2} = 2 a_{n+1} - a_n counts 0, 1, 2, ...: under a race a term repeats or goes missing
    def take(it):
        return [t for chunk in together(8, lambda _: [next(it) for _ in range(500)]) for t in chunk]

    for _ in range(20):
        assert sorted(take(impl.LinearRecurrence([-1, 2], [0, 1]))) == list(range(8 * 500))


def test_errors_stay_in_their_thread(impl, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine words \xff more")

    def work(i):
        caught = []
        for call in (lambda: impl.most_common(bad, 1, threads=2), lambda: impl.integrate(lambda x: 1 / 0, 0, 1, 4),
                     lambda: impl.ewma(np.ones(3), 1.5), lambda: impl.fib(-1 - i)):
            try:
                call()
            except Exception as exc:
                caught.append(type(exc).__name__)
        return caught

    for caught in together(MANY, work):
        assert caught == ["UnicodeDecodeError", "ZeroDivisionError", "ValueError", "ValueError"]

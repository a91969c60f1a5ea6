"""The GIL: released while most_common reads and counts, held everywhere else."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time

import pytest
from conftest import FREE_THREADED_BUILD

# On a free-threaded build every module here declares that it runs without the
# GIL, so the GIL stays off (the tests below check it), and there is none to hold.
GIL_ENABLED = getattr(sys, "_is_gil_enabled", lambda: True)()


class Ticker(threading.Thread):
    """A Python thread that notes the time whenever it gets to run."""

    def __init__(self):
        super().__init__(daemon=True)
        self.ticks: list[float] = []
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            self.ticks.append(time.perf_counter())
            time.sleep(0.0002)  # sleeping releases the GIL


def ticks_while(call) -> int:
    """How often another Python thread ran during the middle half of call().

    A tick needs the GIL. If call() holds it throughout, the ticker can only
    run just before or just after, never in the middle of the call.
    """
    ticker = Ticker()
    ticker.start()
    time.sleep(0.01)
    start = time.perf_counter()
    call()
    end = time.perf_counter()
    ticker.done.set()
    ticker.join()
    quarter = (end - start) / 4
    return sum(start + quarter < t < end - quarter for t in ticker.ticks)


def test_most_common_lets_other_threads_run(recipes, big_corpus):
    # Retried because a loaded machine may not schedule the ticker at all.
    assert any(ticks_while(lambda: recipes.most_common(big_corpus, 10)) > 0 for _ in range(5))


@pytest.mark.skipif(not GIL_ENABLED, reason="no GIL to hold: the GIL is disabled")
def test_calc_pi_holds_the_gil(recipes):
    # The control that shows ticks_while() can tell the difference: calc_pi
    # does not release the GIL, so no tick lands in the middle of it.
    assert any(ticks_while(lambda: recipes.calc_pi(3000)) == 0 for _ in range(3))


FIFO_SCRIPT = textwrap.dedent("""
    import importlib, sys, threading
    recipes = importlib.import_module(sys.argv[1])
    result = []
    reader = threading.Thread(target=lambda: result.append(recipes.most_common(sys.argv[2], 5)))
    reader.start()
    # open() blocks until the reader has opened the FIFO, and the reader blocks
    # in read() until we write: if most_common held the GIL while waiting,
    # this thread could never get here, and the process would hang.
    with open(sys.argv[2], "wb") as fifo:
        fifo.write(b"b a b")
    reader.join()
    print(result[0])
""")


@pytest.mark.skipif(sys.platform == "win32", reason="needs os.mkfifo")
def test_most_common_releases_the_gil_while_blocked_in_read(recipes, tmp_path):
    import os

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    try:
        done = subprocess.run([sys.executable, "-c", FIFO_SCRIPT, recipes.__name__, str(fifo)],
                              check=False, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("most_common held the GIL while blocked reading a FIFO (deadlock)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[('b', 2), ('a', 1)]"


def test_one_iterator_shared_by_eight_threads(recipes):
    # Each term is handed out exactly once: every call runs with the GIL held, or, without
    # the GIL, holds the iterator's own lock.
    fibonacci = recipes.LinearRecurrence([1, 1], [0, 1])
    results: list[list[int]] = [[] for _ in range(8)]

    def drain(out):
        try:
            while True:
                out.append(next(fibonacci))
        except OverflowError:
            pass

    threads = [threading.Thread(target=drain, args=(out,)) for out in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected, a, b = [], 0, 1
    for _ in range(93):
        expected.append(a)
        a, b = b, a + b
    assert sorted(term for out in results for term in out) == expected


def test_one_iterator_raced_by_eight_threads(recipes):
    # The same, started at one instant by a barrier and long enough that, without the GIL,
    # the threads really are inside __next__ together: a_{n+2} = 2 a_{n+1} - a_n counts
    # 0, 1, 2, ..., so a term handed out twice or skipped shows in the sorted result.
    counter = recipes.LinearRecurrence([-1, 2], [0, 1])
    per_thread = 20_000
    barrier = threading.Barrier(8)
    results: list[list[int]] = [[] for _ in range(8)]

    def drain(out):
        barrier.wait()
        out.extend(next(counter) for _ in range(per_thread))

    threads = [threading.Thread(target=drain, args=(out,)) for out in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(term for out in results for term in out) == list(range(8 * per_thread))


@pytest.mark.skipif(not FREE_THREADED_BUILD, reason="needs a free-threaded Python (3.13t or later)")
def test_import_leaves_the_gil_disabled(recipes):
    # In a fresh interpreter: importing a module that does not declare free-threading support
    # turns the GIL back on, with a RuntimeWarning, which -W error makes fatal.
    probe = f"import sys, {recipes.__name__}; assert not sys._is_gil_enabled(), 'the GIL is on'"
    done = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-c", probe],
                          check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

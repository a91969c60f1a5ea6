"""The GIL: released while the C code works, and not needed by next() to be safe."""

import math
import random
import sys
import threading
import time
from contextlib import contextmanager

import numpy as np
import pytest

from recipes_capi import (
    LinearRecurrence,
    calc_pi,
    ewma,
    fib_recursive,
    integrate,
    most_common,
)


@pytest.fixture(scope="module")
def big_text_file(tmp_path_factory):
    """About 8 MB of words: enough for most_common to take milliseconds."""
    rng = random.Random(1234)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocabulary = ["".join(rng.choices(letters, k=rng.randint(1, 9))) for _ in range(5000)]
    vocabulary += ["Café", "naïve", "Straße", "日本"]
    line = " ".join(rng.choices(vocabulary, k=20000)) + "\n"
    path = tmp_path_factory.mktemp("corpus") / "big.txt"
    path.write_text(line * (8_000_000 // len(line.encode())), encoding="utf-8")
    return path


@contextmanager
def no_forced_switches():
    """Stop the interpreter from taking the GIL away every 5 ms.

    Then a waiting thread runs only if the running one releases the GIL voluntarily:
    a blocking call, or Py_BEGIN_ALLOW_THREADS in an extension. That makes the test
    below deterministic instead of a race against the switch interval.
    """
    old = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


def other_thread_ran_during(call, attempts=10):
    """True if a Python thread made progress while `call()` was running."""
    count = 0
    stop = False

    def counter():
        nonlocal count
        while not stop:
            count += 1
            time.sleep(0)  # hand the GIL back at once, so the main thread is never starved

    with no_forced_switches():
        thread = threading.Thread(target=counter)
        thread.start()
        try:
            for _ in range(attempts):  # a loaded machine may not schedule the thread in time
                before = count
                call()
                if count != before:
                    return True
            return False
        finally:
            stop = True
            thread.join()


@pytest.mark.skipif(getattr(sys, "_is_gil_enabled", lambda: True)() is False,
                    reason="free-threaded build: there is no GIL to release")
def test_holding_the_gil_is_detected():
    # The control experiment: a pure-Python call never lets the counter run.
    assert not other_thread_ran_during(lambda: sum(range(200_000)), attempts=2)


def test_most_common_releases_the_gil(big_text_file):
    assert other_thread_ran_during(lambda: most_common(big_text_file, 10))


def test_calc_pi_releases_the_gil():
    assert other_thread_ran_during(lambda: calc_pi(3000))


def test_fib_recursive_releases_the_gil():
    assert other_thread_ran_during(lambda: fib_recursive(32))


def test_ewma_releases_the_gil():
    values = np.random.default_rng(5).standard_normal(4_000_000)  # milliseconds of work
    assert other_thread_ran_during(lambda: ewma(values, 0.1))


@pytest.mark.skipif(getattr(sys, "_is_gil_enabled", lambda: True)() is False,
                    reason="free-threaded build: there is no GIL to keep")
def test_short_ewma_keeps_the_gil():
    # Below EWMA_RELEASE_GIL_FROM values the call is over in microseconds, and releasing the
    # GIL would only invite a wait for it: the counter must not move, as in the control.
    values = np.random.default_rng(5).standard_normal(16)
    assert not other_thread_ran_during(lambda: [ewma(values, 0.1) for _ in range(2000)], attempts=2)


@pytest.mark.skipif(getattr(sys, "_is_gil_enabled", lambda: True)() is False,
                    reason="free-threaded build: there is no GIL to keep")
def test_integrate_keeps_the_gil():
    # Every step calls Python, which needs the GIL: releasing it around the loop would mean
    # taking it back for every call. With a C built-in as f, no bytecode runs, so nothing
    # else hands the GIL over either: the counter must not move, as in the control.
    assert not other_thread_ran_during(lambda: integrate(math.sin, 0.0, 1.0, 300_000), attempts=2)


def test_shared_iterator_hands_out_every_term_once():
    # a_{n+2} = 2*a_{n+1} - a_n from 0, 1: the integers 0, 1, 2, ... in order.
    it = LinearRecurrence([-1, 2], [0, 1])
    per_thread = 20_000
    results = [[] for _ in range(8)]
    barrier = threading.Barrier(len(results))

    def take(out):
        barrier.wait()
        for _ in range(per_thread):
            out.append(next(it))

    threads = [threading.Thread(target=take, args=(out,)) for out in results]
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(old)
    every = sorted(term for out in results for term in out)
    assert every == list(range(per_thread * len(results)))
    for out in results:  # each thread sees an increasing subsequence
        assert out == sorted(out)

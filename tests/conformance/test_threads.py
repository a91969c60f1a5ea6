"""Threads: 8 threads at once get the reference's answers, and native most_common lets others run."""

from __future__ import annotations

import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

THREADS = 8


def run_in_threads(work, rounds=1):
    """Run work(i) for i in range(THREADS) on THREADS threads that start together."""
    barrier = threading.Barrier(THREADS)

    def task(i):
        barrier.wait()
        return [work(i) for _ in range(rounds)]

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(task, range(THREADS)))


def test_every_recipe_from_8_threads(impl, ref, tmp_path):
    path = tmp_path / "words.txt"
    path.write_bytes(b"to be or not to be that is the question " * 2000)
    expected = ref.most_common(path, 5)

    def work(i):
        it = impl.LinearRecurrence([1, 1], [i, i + 1])
        return (
            impl.fib(80 + i),
            impl.fib_recursive(15 + i % 3),
            [next(it) for _ in range(30)],
            impl.most_common(path, 5),
            impl.calc_pi(40 + i),
        )

    for i, results in enumerate(run_in_threads(work, rounds=5)):
        ref_it = ref.LinearRecurrence([1, 1], [i, i + 1])
        want = (ref.fib(80 + i), ref.fib(15 + i % 3), [next(ref_it) for _ in range(30)], expected, ref.calc_pi(40 + i))
        assert all(r == want for r in results)


def test_errors_from_8_threads(impl, tmp_path):
    missing = str(tmp_path / "missing")

    def work(i):
        caught = []
        for call in (lambda: impl.fib(-i - 1), lambda: impl.fib(1.5), lambda: impl.calc_pi(10**6),
                     lambda: impl.most_common(missing, 1), lambda: impl.LinearRecurrence([], [])):
            try:
                call()
            except Exception as exc:
                caught.append(type(exc))
        return caught

    for results in run_in_threads(work, rounds=50):
        assert all(r == [ValueError, TypeError, ValueError, FileNotFoundError, ValueError] for r in results)


def test_one_iterator_shared_by_8_threads(impl):
    # a_{n+2} = 2 a_{n+1} - a_n counts 0, 1, 2, ...: every term must come out exactly once
    it = impl.LinearRecurrence([-1, 2], [0, 1])
    per_thread = 3000

    def work(_):
        return [next(it) for _ in range(per_thread)]

    terms = [t for results in run_in_threads(work) for chunk in results for t in chunk]
    assert sorted(terms) == list(range(THREADS * per_thread))


@pytest.fixture(scope="module")
def big_text(tmp_path_factory):
    """A file big enough that counting it takes native code tens of milliseconds."""
    path = tmp_path_factory.mktemp("gil") / "big.txt"
    words = [f"word{i % 9973} Word{i % 101} " for i in range(400_000)]
    path.write_bytes("".join(words).encode() * 6)  # about 40 MB
    return path


def share_of_time_another_thread_runs(call, repeats=3):
    """Run call() while another Python thread counts; return (seconds, the best share of the call
    during which the counter ran, against its free-running rate).

    If the call held the GIL, the counting thread would be frozen for the whole call: it could
    only run for a switch interval or two around it. If the GIL is released it runs throughout.
    """
    ticks = 0
    stop = threading.Event()

    def count():
        nonlocal ticks
        while not stop.is_set():
            ticks += 1

    call()  # warm up (the page cache, the allocator)
    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(0.001)
    thread = threading.Thread(target=count)
    thread.start()
    try:
        t0, before = time.perf_counter(), ticks
        time.sleep(0.2)  # the main thread idles: this is the counter's free-running rate
        rate = (ticks - before) / (time.perf_counter() - t0)
        shares = []
        for _ in range(repeats):
            t0, before = time.perf_counter(), ticks
            call()
            elapsed, advanced = time.perf_counter() - t0, ticks - before
            shares.append(advanced / (rate * elapsed))
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(old_interval)
    return elapsed, max(shares)


@pytest.mark.timing
@pytest.mark.releases_gil
def test_native_most_common_releases_the_gil(native, big_text):
    """While most_common reads and counts, another Python thread keeps running."""
    elapsed, share = share_of_time_another_thread_runs(lambda: native.most_common(big_text, 10))
    # Held GIL: a few milliseconds of ticks out of a call of tens of milliseconds or more.
    assert elapsed > 0.02, f"most_common took only {elapsed * 1000:.1f} ms: the test file is too small to tell"
    assert share > 0.3, f"the other thread ran for only {share:.0%} of the call: most_common holds the GIL"

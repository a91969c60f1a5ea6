"""Releasing the GIL (py.detach), free-threaded Python, and one iterator shared by threads."""

import os
import subprocess
import sys
import sysconfig
import textwrap
import threading

import pytest

FIBONACCI = [0, 1]
while len(FIBONACCI) < 93:
    FIBONACCI.append(FIBONACCI[-1] + FIBONACCI[-2])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a named pipe (POSIX)")
def test_most_common_releases_the_gil_while_reading(recipes):
    # most_common reads from a named pipe, so its read() blocks until someone writes. The only
    # writer is the main thread, which is Python code and needs the GIL to run. If most_common
    # kept the GIL while reading, neither thread could ever proceed: a deadlock, caught here by
    # the timeout. With py.detach around the read, the writer runs and the count completes.
    script = textwrap.dedent(
        f"""
        import os, tempfile, threading
        from {recipes.__name__} import most_common

        fifo = os.path.join(tempfile.mkdtemp(), "words")
        os.mkfifo(fifo)
        result = []
        reader = threading.Thread(target=lambda: result.append(most_common(fifo, 10)))
        reader.start()
        with open(fifo, "wb") as writer:   # blocks until most_common has opened the pipe
            writer.write(b"b a b ")         # needs the GIL while most_common waits in read()
        reader.join()
        print(result[0])
        """
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail("deadlock: most_common held the GIL while blocked in read()")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[('b', 2), ('a', 1)]"


@pytest.mark.skipif(not sysconfig.get_config_var("Py_GIL_DISABLED"), reason="needs free-threaded CPython")
def test_free_threaded_python_keeps_the_gil_off(recipes):
    # The module declares gil_used = false (PyO3's default since 0.28). Importing a module that
    # does not would re-enable the GIL, with a RuntimeWarning.
    script = f"import sys, {recipes.__name__}; print(sys._is_gil_enabled())"
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", script], capture_output=True, text=True, check=False
    )
    assert done.stdout.strip() == "False", done.stderr


def run_threads(count, target):
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(index):
        barrier.wait()  # start together, to maximise overlap
        results[index] = target()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_one_iterator_shared_by_eight_threads_returns_every_term_once(recipes):
    fibonacci = recipes.LinearRecurrence([1, 1], [0, 1])

    def drain():
        taken = []
        while True:
            try:
                taken.append(next(fibonacci))
            except OverflowError:
                return taken

    results = run_threads(8, drain)
    assert sorted(term for taken in results for term in taken) == FIBONACCI
    for taken in results:
        assert taken == sorted(taken)  # each thread sees the terms in order


def test_shared_counter_has_no_lost_or_doubled_terms(recipes):
    # a_{n+2} = 2*a_{n+1} - a_n from (0, 1) counts 0, 1, 2, ...: any race inside __next__ would
    # show up as a repeated or missing number. The Mutex in the binding makes next() atomic
    # even on free-threaded Python, where no GIL serialises the calls.
    counter = recipes.LinearRecurrence([-1, 2], [0, 1])
    per_thread = 5000
    results = run_threads(8, lambda: [next(counter) for _ in range(per_thread)])
    assert sorted(n for taken in results for n in taken) == list(range(8 * per_thread))


def test_after_overflow_every_call_raises(recipes):
    fibonacci = recipes.LinearRecurrence([1, 1], [0, 1])
    assert [next(fibonacci) for _ in range(93)] == FIBONACCI
    for _ in range(3):
        with pytest.raises(OverflowError):
            next(fibonacci)


def test_arguments_are_copied_and_not_leaked(recipes):
    # The recurrence copies the integers into a Rust Vec<i64>; it keeps no reference to the
    # Python objects, and PyO3's Bound smart pointers drop every temporary reference.
    big = 2**40 + 1  # not a cached small int
    coefficients = [big]
    before = (sys.getrefcount(big), sys.getrefcount(coefficients))
    recurrences = [recipes.LinearRecurrence(coefficients, [1]) for _ in range(1000)]
    coefficients.append(2)  # mutating the list afterwards does not affect the instances
    assert {next(r) for r in recurrences} == {1}
    assert {next(r) for r in recurrences} == {big}
    coefficients.pop()
    assert (sys.getrefcount(big), sys.getrefcount(coefficients)) == before

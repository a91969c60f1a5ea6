"""What is special to a C library behind Python: one shared object, handles, panics, threads."""

import gc
import threading

import pytest


@pytest.mark.cffi
def test_every_front_end_loads_the_same_library():
    import recipes_ctypes
    from recipes_cffi._native import lib

    before = lib.recipes_debug_live_handles()
    handle = recipes_ctypes.LinearRecurrence([1], [1])  # created through ctypes ...
    assert lib.recipes_debug_live_handles() == before + 1  # ... counted by the copy cffi loaded: it is one copy
    del handle
    gc.collect()
    assert lib.recipes_debug_live_handles() == before


def test_finalisers_free_every_handle(recipes, live):
    gc.collect()
    before = live()
    for _ in range(2000):
        recurrence = recipes.LinearRecurrence([1, 1], [0, 1])
        next(recurrence)
    kept = [recipes.LinearRecurrence([1], [1]) for _ in range(10)]
    assert live()[0] - before[0] >= 10  # the last one of the loop may still be alive
    del recurrence, kept
    gc.collect()
    assert live() == before


def test_failed_construction_leaks_nothing(recipes, live):
    before = live()
    for bad in [([], []), ([1], [1, 2]), ([2**63], [1])]:
        with pytest.raises((ValueError, OverflowError)):
            recipes.LinearRecurrence(*bad)
    gc.collect()
    assert live() == before


def test_word_arrays_are_freed(recipes, live, tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("a b b c c c " * 50)
    before = live()
    for _ in range(200):
        assert recipes.most_common(path, 2) == [("c", 150), ("b", 100)]
    assert live() == before  # freed in the call itself, not later by the garbage collector


def test_shared_iterator_hands_out_each_term_once(recipes):
    # a_{n+2} = 2 a_{n+1} - a_n from 0, 1: the natural numbers, so every term is distinct.
    shared = recipes.LinearRecurrence([-1, 2], [0, 1])
    threads, per_thread = 8, 5000
    results = [[] for _ in range(threads)]
    start = threading.Barrier(threads)

    def work(out):
        start.wait()
        for _ in range(per_thread):
            out.append(next(shared))

    workers = [threading.Thread(target=work, args=(out,)) for out in results]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    everything = sorted(term for out in results for term in out)
    assert everything == list(range(threads * per_thread))
    for out in results:  # and each thread saw its own terms in increasing order
        assert out == sorted(out)


def test_errors_are_per_thread(recipes):
    # The library keeps the last error message per thread (like errno): threads failing at
    # the same time, each in its own way, each get their own message.
    failing_calls = [
        (lambda: recipes.fib(-1), "fib() argument must be >= 0"),
        (lambda: recipes.fib_recursive(94), "fib_recursive() argument must be <= 93: the result would not fit in 64 bits"),
        (lambda: recipes.calc_pi(-1), "calc_pi() digits must be between 0 and 10000"),
        (lambda: recipes.LinearRecurrence([], []), "LinearRecurrence needs at least one coefficient"),
    ]
    failures = []

    def fail_many(call, expected):
        for _ in range(300):
            try:
                call()
            except (ValueError, OverflowError) as err:
                if str(err) != expected:
                    failures.append(str(err))

    workers = [threading.Thread(target=fail_many, args=pair) for pair in failing_calls * 2]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []


@pytest.mark.cffi
def test_a_rust_panic_comes_back_as_a_status_code(capfd):
    import recipes_ctypes
    from recipes_cffi._native import ffi, lib

    assert lib.recipes_debug_panic() == lib.RECIPES_ERR_PANIC
    assert b"panics on purpose" in ffi.string(lib.recipes_last_error_message())
    assert recipes_ctypes._debug_panic() == lib.RECIPES_ERR_PANIC
    # Rust's panic hook printed its report on stderr; the process lives on.
    assert "panics on purpose" in capfd.readouterr().err
    assert recipes_ctypes.fib(10) == 55


@pytest.mark.cffi
def test_calc_pi_size_query_convention():
    from recipes_cffi._native import ffi, lib

    length = ffi.new("size_t *")
    assert lib.recipes_calc_pi(4, ffi.NULL, 0, length) == lib.RECIPES_ERR_BUFFER_TOO_SMALL
    assert length[0] == 6
    small = ffi.new("char[]", 6)  # no room for the NUL
    assert lib.recipes_calc_pi(4, small, len(small), length) == lib.RECIPES_ERR_BUFFER_TOO_SMALL
    buffer = ffi.new("char[]", 7)
    assert lib.recipes_calc_pi(4, buffer, len(buffer), length) == lib.RECIPES_OK
    assert ffi.string(buffer) == b"3.1415"


@pytest.mark.cffi
def test_null_pointers_are_refused_not_dereferenced():
    from recipes_cffi._native import ffi, lib

    assert lib.recipes_fib(1, ffi.NULL) == lib.RECIPES_ERR_NULL_POINTER
    assert lib.recipes_linear_recurrence_next(ffi.NULL, ffi.new("int64_t *")) == lib.RECIPES_ERR_NULL_POINTER
    lib.recipes_linear_recurrence_free(ffi.NULL)  # allowed, does nothing
    lib.recipes_word_counts_free(ffi.NULL, 0)


def test_most_common_releases_the_gil(recipes, tmp_path):
    # While one thread counts a large file in C, another Python thread keeps running.
    path = tmp_path / "big.txt"
    path.write_text("alpha beta gamma delta " * 400_000)  # ~9 MB
    ticks = []
    done = threading.Event()

    def ticker():
        while not done.is_set():
            ticks.append(1)

    thread = threading.Thread(target=ticker)
    thread.start()
    try:
        for _ in range(3):
            before = len(ticks)
            recipes.most_common(path, 2)
            if len(ticks) > before + 100:
                break
    finally:
        done.set()
        thread.join()
    assert len(ticks) > before + 100, "the ticker thread did not run while most_common worked"


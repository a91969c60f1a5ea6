"""ewma in Cython: typed memoryviews (const, strides, None), the result NumPy makes, the GIL."""

import array
import sys
import threading
import time
import tracemalloc

import numpy as np
import pytest

import recipes_cython
from recipes_cython import _pitfalls, untyped

MODULES = [recipes_cython, untyped]
SERIES = np.random.default_rng(2015).standard_normal(1000)


def formula(values, alpha):
    """The contract's formula, one Python float at a time (for values without NaN)."""
    beta, out, y = 1.0 - alpha, [], 0.0
    for i, x in enumerate(np.asarray(values, dtype=np.float64).tolist()):
        y = x if i == 0 else alpha * x + beta * y
        out.append(y)
    return np.array(out, dtype=np.float64)


def same_bits(mine, expected):
    return mine.shape == expected.shape and np.array_equal(mine.view(np.uint64), expected.view(np.uint64))


def read_only(values):
    values = values.copy()
    values.flags.writeable = False
    return values


def peak_traced_bytes(call):
    """The most memory traced while call() ran. NumPy reports the data of its arrays to
    tracemalloc, so a copy of the input made by NumPy shows up here."""
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
@pytest.mark.parametrize("alpha", [1.0, 0.5, 0.1, 1 / 3, 1e-300])
def test_the_formula_bit_for_bit(module, alpha):
    assert same_bits(module.ewma(SERIES, alpha), formula(SERIES, alpha))


# --- const: read-only buffers -----------------------------------------------------------


READ_ONLY = {
    "read-only array": read_only(SERIES[:50]),
    "broadcast array (stride 0)": np.broadcast_to(np.float64(2.5), 40),
    "memoryview of bytes": memoryview(SERIES[:50].tobytes()).cast("d"),
}


@pytest.mark.parametrize("name", list(READ_ONLY))
def test_const_memoryview_takes_read_only_buffers(name):
    values = READ_ONLY[name]
    for module in MODULES:
        assert same_bits(module.ewma(values, 0.3), formula(values, 0.3))
    assert _pitfalls.total(values) == pytest.approx(float(np.sum(values)))
    # Without `const`, the typed memoryview asks for a writable buffer and is refused,
    # by NumPy with a ValueError, by a memoryview with a BufferError.
    with pytest.raises((ValueError, BufferError), match=r"read-only|not writable"):
        _pitfalls.total_writable(values)


def test_non_const_memoryview_takes_writable_buffers():
    assert _pitfalls.total_writable(SERIES[:10].copy()) == pytest.approx(float(np.sum(SERIES[:10])))


# --- what Cython's own conversion does, and what ewma does instead -------------------------


def test_a_typed_memoryview_parameter_takes_none():
    # None becomes a view of length 0, unless the parameter says `not None`. ewma takes
    # `values` as an object and asks memoryview() first, so None is the contract's TypeError.
    assert _pitfalls.total(None) == 0.0
    with pytest.raises(TypeError):
        recipes_cython.ewma(None, 0.5)


CYTHON_REFUSES = {
    # values: (Cython's ValueError, in its words; the contract's exception for ewma)
    "float32": (np.zeros(3, np.float32), "Buffer dtype mismatch", TypeError),
    "big-endian float64": (np.zeros(3, ">f8"), "Big-endian buffer not supported", TypeError),
    "2-D": (np.zeros((2, 2)), "Buffer has wrong number of dimensions", ValueError),
}


@pytest.mark.skipif(sys.byteorder != "little", reason="the big-endian case is written for little-endian machines")
@pytest.mark.parametrize("name", list(CYTHON_REFUSES))
def test_cython_checks_raise_its_own_value_errors(name):
    values, cython_message, contract_error = CYTHON_REFUSES[name]
    with pytest.raises(ValueError, match=cython_message):
        _pitfalls.total(values)
    # ewma checks the buffer first, so it raises the contract's exception and words.
    with pytest.raises(contract_error, match=r"^ewma\(\) values must be"):
        recipes_cython.ewma(values, 0.5)


def test_cython_takes_a_record_of_one_double_and_ewma_does_not():
    records = np.ones(3, dtype=[("price", np.float64)])  # buffer format "T{d:price:}"
    assert _pitfalls.total(records) == 3.0
    with pytest.raises(TypeError, match=r"got format 'T\{d:price:\}'"):
        recipes_cython.ewma(records, 0.5)


# --- strides: read in place, except doubles the core cannot address ------------------------

N = 1_000_000
BIG = np.random.default_rng(7).standard_normal(3 * N)
IN_PLACE = {
    "every other": BIG[: 2 * N : 2],
    "reversed": BIG[N - 1 :: -1][:N],
    "every third, reversed": BIG[::-3],
    "broadcast (stride 0)": np.broadcast_to(np.float64(1.5), N),
    "column of a 2-D array": BIG.reshape(N, 3)[:, 1],
}


@pytest.mark.parametrize("name", list(IN_PLACE))
def test_strided_views_are_read_in_place(name):
    values = IN_PLACE[name]
    result = None

    def call():
        nonlocal result
        result = recipes_cython.ewma(values, 0.1)

    peak = peak_traced_bytes(call)
    # Only the result was allocated: no contiguous copy of the input was made.
    assert peak < 1.5 * result.nbytes, f"{peak} bytes traced for a result of {result.nbytes}"
    assert same_bits(result, formula(values, 0.1))


def misaligned():
    packed = np.zeros(N, dtype=[("price", np.float64), ("flag", np.uint8)])  # 9 bytes a record
    packed["price"] = BIG[:N]
    shifted = np.frombuffer(bytearray(1 + 8 * N), dtype=np.float64, offset=1)  # odd address
    shifted.flags.writeable = True
    shifted[:] = BIG[:N]
    return {"field of packed records (stride 9)": packed["price"], "odd address": shifted}


@pytest.mark.parametrize("name", ["field of packed records (stride 9)", "odd address"])
def test_doubles_the_core_cannot_address_are_copied_once(name):
    values = misaligned()[name]
    assert values.strides[0] % 8 != 0 or values.ctypes.data % 8 != 0
    result = None

    def call():
        nonlocal result
        result = recipes_cython.ewma(values, 0.1)

    peak = peak_traced_bytes(call)
    assert 1.5 * result.nbytes < peak < 2.5 * result.nbytes  # the result and one copy
    assert same_bits(result, formula(values, 0.1))


# --- the result -------------------------------------------------------------------------


def test_the_result_is_a_new_array_that_owns_its_memory():
    values = read_only(SERIES)
    result = recipes_cython.ewma(values, 0.5)
    assert result.flags.owndata  # made by PyArray_EMPTY, not a view of some other object
    assert result.base is None
    assert result.flags.c_contiguous
    assert result.flags.writeable
    assert not np.shares_memory(result, values)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_the_buffer_is_released_after_an_error(module):
    values = array.array("d", SERIES[:8])
    for alpha in (2.0, "0.5", 10**400):
        with pytest.raises((ValueError, TypeError, OverflowError)):
            module.ewma(values, alpha)
        values.append(1.0)  # BufferError if ewma still held a buffer of it


# --- the GIL ----------------------------------------------------------------------------


def shares_of_time_another_thread_runs(call, repeats=3):
    """Run call() a few times while another Python thread counts; return, for each call,
    the share of it during which the counter ran, against its rate while the main thread
    sleeps. A call that held the GIL would stop the counter: its share would be near 0."""
    ticks = 0
    stop = threading.Event()

    def count():
        nonlocal ticks
        while not stop.is_set():
            ticks += 1

    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(0.001)
    thread = threading.Thread(target=count)
    thread.start()
    try:
        shares = []
        for _ in range(repeats):
            start, before = time.perf_counter(), ticks
            time.sleep(0.1)
            rate = (ticks - before) / (time.perf_counter() - start)
            start, before = time.perf_counter(), ticks
            call()
            shares.append((ticks - before) / (rate * (time.perf_counter() - start)))
        return shares
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(old_interval)


def test_the_typed_module_releases_the_gil_during_the_loop():
    # `with nogil:` around the core's loop. (The untyped module cannot do that: it works
    # on Python floats, so it is not held to this; chapters.toml says releases_gil = false.)
    big = np.random.default_rng(7).standard_normal(8_000_000)
    assert max(shares_of_time_another_thread_runs(lambda: recipes_cython.ewma(big, 0.1))) > 0.3

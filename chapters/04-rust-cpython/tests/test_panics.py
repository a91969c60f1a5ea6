"""What a Rust panic does under rust-cpython, and evidence that no recipe panics.

A panic inside a `py_fn!` body is caught by the crate and raised as SystemError. A panic
inside `py.allow_threads` kills the process (the GIL is never re-acquired). The recipes
must therefore never panic: `cargo test` fuzzes the core, and the hypothesis tests below
throw arbitrary Python values at the bindings and accept only the documented exceptions.
"""

import collections
import contextlib
import os
import subprocess
import sys
import tempfile
from itertools import islice

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import recipes_rust_cpython as r
from recipes_rust_cpython import _native


def test_a_panic_becomes_system_error():
    assert _native.panic_demo(1) == 2
    with pytest.raises(SystemError, match="Rust panic: index out of bounds"):
        _native.panic_demo(5)
    # The interpreter is fine afterwards.
    assert r.fib(10) == 55


def test_except_exception_swallows_a_panic():
    # SystemError is an ordinary Exception: a broad handler hides the Rust bug (a
    # BaseException, as PyO3's PanicException is, would get past it and fail this test).
    with contextlib.suppress(Exception):
        _native.panic_demo(7)


def test_a_panic_with_the_gil_released_kills_the_process():
    code = (
        "from recipes_rust_cpython import _native\n"
        "try:\n"
        "    _native.panic_demo_without_gil(5)\n"
        "except BaseException:\n"
        "    pass\n"
        "print('survived', flush=True)\n"
    )
    env = dict(os.environ, RUST_BACKTRACE="0")
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert done.returncode != 0
    assert "survived" not in done.stdout
    assert "index out of bounds" in done.stderr  # the panic hook ran before the crash


# ---- no recipe panics: anything that happens must be one of the contract's errors ----

any_int = st.one_of(
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=-3, max_value=100),
    st.sampled_from([2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63), -(2**63) - 1]),
    st.booleans(),
)
not_an_int = st.one_of(
    st.floats(), st.text(max_size=3), st.binary(max_size=3), st.none(), st.lists(st.none())
)


def fib_model(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


@given(any_int)
def test_fib_total(n):
    if n < 0:
        with pytest.raises(ValueError, match="must be >= 0"):
            r.fib(n)
    elif n > 93:
        with pytest.raises(OverflowError):
            r.fib(n)
        with pytest.raises(OverflowError):
            r.fib_recursive(n)
    else:
        assert r.fib(n) == fib_model(n)
        if n <= 20:
            assert r.fib_recursive(n) == fib_model(n)


@given(not_an_int)
def test_non_integers_only_raise_type_error(value):
    for function in (r.fib, r.fib_recursive, r.calc_pi):
        with pytest.raises(TypeError):
            function(value)
    with pytest.raises(TypeError):
        r.LinearRecurrence([value], [1])


PI_300 = r.calc_pi(300)


@given(st.one_of(any_int, st.integers(min_value=0, max_value=300)))
def test_calc_pi_total(digits):
    if 0 <= digits <= 10000:
        if digits <= 300:
            assert r.calc_pi(digits) == PI_300[: digits + 2 if digits else 1]
    else:
        with pytest.raises(ValueError, match="between 0 and 10000"):
            r.calc_pi(digits)


I64 = (-(2**63), 2**63 - 1)


def recurrence_model(coefficients, initial, count):
    """Pure Python model of the contract: terms until the first overflow, then None."""
    window = list(initial)
    out = []
    overflowed = False
    while len(out) < count:
        if not overflowed:
            total = 0
            for c, w in zip(coefficients, window, strict=True):
                product = c * w
                if not I64[0] <= product <= I64[1]:
                    overflowed = True
                    break
                total += product
                if not I64[0] <= total <= I64[1]:
                    overflowed = True
                    break
            if not overflowed:
                window.append(total)
        if not window:
            out.append(None)
            continue
        out.append(window.pop(0))
    return out


edge_i64 = st.one_of(
    st.integers(min_value=I64[0], max_value=I64[1]),
    st.integers(min_value=-3, max_value=3),
    st.sampled_from([I64[0], I64[1], I64[0] + 1, I64[1] - 1, 3037000499, 3037000500]),
)


@given(
    st.lists(st.one_of(edge_i64, any_int), max_size=5),
    st.lists(st.one_of(edge_i64, any_int), max_size=5),
)
def test_linear_recurrence_total(coefficients, initial):
    out_of_range = any(not I64[0] <= v <= I64[1] for v in coefficients + initial)
    if out_of_range:
        with pytest.raises(OverflowError):
            r.LinearRecurrence(coefficients, initial)
        return
    if not coefficients or len(coefficients) != len(initial):
        with pytest.raises(ValueError, match=r"^LinearRecurrence needs "):
            r.LinearRecurrence(coefficients, initial)
        return
    iterator = r.LinearRecurrence(coefficients, initial)
    for expected in recurrence_model(coefficients, initial, 40):
        if expected is None:
            with pytest.raises(OverflowError):
                next(iterator)
        else:
            assert next(iterator) == expected


def decode_error(data):
    """The UnicodeDecodeError that data.decode("utf-8") raises, or None."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return error
    return None


WORDY = b" \t\n\r\x0b\x0cabcXYZ\xc3\xa9\xe2\x82\xac\xff\x80"


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=300)
@given(
    st.one_of(
        st.binary(max_size=60),
        st.lists(st.sampled_from([bytes([b]) for b in WORDY]), max_size=60).map(b"".join),
        st.text(max_size=40).map(lambda s: s.encode("utf-8", "surrogatepass")),
    ),
    st.one_of(st.integers(min_value=0, max_value=6), st.just(2**100)),
)
def test_most_common_total(data, n):
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "words.txt")
        with open(path, "wb") as f:
            f.write(data)
        want = decode_error(data)
        if want is not None:
            with pytest.raises(UnicodeDecodeError) as got:
                r.most_common(path, n)
            assert (got.value.start, got.value.end, got.value.reason) == (
                want.start,
                want.end,
                want.reason,
            )
            return
        counts = collections.Counter(data.lower().split())
        ranked = sorted(
            ((word.decode(), count) for word, count in counts.items()),
            key=lambda pair: (-pair[1], pair[0]),
        )
        assert r.most_common(path, n) == ranked[:n]


def test_islice_of_recurrence_is_ordinary():
    assert list(islice(r.LinearRecurrence([-1, 2], [0, 1]), 5)) == [0, 1, 2, 3, 4]

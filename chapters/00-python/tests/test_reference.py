"""Chapter 0's own tests: the reference against independent oracles.

The conformance suite compares every native chapter with this module, so these tests check
the module itself against things that do not share its code: closed forms, big-integer
arithmetic and hand-made cases. The contract's own errors are checked word for word: every
chapter must raise them with exactly these messages.
"""

import array
import contextlib
import itertools
import operator
import re
import threading

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import recipes_python as r

HUGE = 10**5000  # beyond the 4300-digit limit of int -> str: a message must never quote it


class Index:
    """Any object with __index__, like a NumPy integer."""

    def __init__(self, value):
        self.value = value

    def __index__(self):
        return self.value


def short_id(value):
    """Test ids for huge ints: pytest would otherwise call str() on them, which refuses."""
    if isinstance(value, int) and abs(value) > 2**100:
        return "-huge" if value < 0 else "huge"
    return None


def message(text):
    """A pytest.raises(match=...) pattern for exactly this message."""
    return f"^{re.escape(text)}$"


def pi_machin(digits: int) -> str:
    """Pi by Machin's formula in exact big-integer arithmetic, truncated: an independent oracle."""

    def arctan_inverse(x: int, one: int) -> int:
        total = term = one // x
        k, sign = 1, -1
        while term:
            term //= x * x
            total += sign * (term // (2 * k + 1))
            sign, k = -sign, k + 1
        return total

    guard = 10**20
    one = 10**digits * guard
    pi = 4 * (4 * arctan_inverse(5, one) - arctan_inverse(239, one)) // guard
    text = str(pi)
    return text if digits == 0 else text[0] + "." + text[1:]


def test_named_limits():
    assert r.FIB_MAX_N == 93
    assert r.fib(r.FIB_MAX_N) < 2**64 <= r.fib(r.FIB_MAX_N - 1) + r.fib(r.FIB_MAX_N)
    assert r.PI_MAX_DIGITS == 10_000


def test_fib_known_values():
    assert [r.fib(n) for n in range(10)] == [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
    assert r.fib(90) == 2880067194370816120
    assert r.fib(93) == 12200160415121876738  # the largest that fits in 64 unsigned bits


@given(st.integers(0, 93))
def test_fib_matches_doubling_identity(n):
    # F(2n) = F(n) * (2 F(n+1) - F(n)), an identity the loop does not use
    if 2 * n <= 93:
        assert r.fib(2 * n) == r.fib(n) * (2 * r.fib(n + 1) - r.fib(n))


@pytest.mark.parametrize("f", [r.fib, r.fib_recursive])
@pytest.mark.parametrize("bad", [-1, -(2**100), -HUGE, Index(-HUGE)], ids=short_id)
def test_fib_negative(f, bad):
    with pytest.raises(ValueError, match=message(f"{f.__name__}() argument must be >= 0")):
        f(bad)


@pytest.mark.parametrize("f", [r.fib, r.fib_recursive])
@pytest.mark.parametrize("bad", [94, 2**64, HUGE, Index(HUGE)], ids=short_id)
def test_fib_too_large(f, bad):
    expected = f"{f.__name__}() argument must be <= 93: the result would not fit in 64 bits"
    with pytest.raises(OverflowError, match=message(expected)):
        f(bad)


@pytest.mark.parametrize("f", [r.fib, r.fib_recursive])
@pytest.mark.parametrize("call", [lambda f: f(1.0), lambda f: f("3"), lambda f: f(n=1), lambda f: f()])
def test_fib_type_errors(f, call):
    with pytest.raises(TypeError):
        call(f)


def test_fib_recursive_agrees_with_fib():
    assert [r.fib_recursive(n) for n in range(25)] == [r.fib(n) for n in range(25)]


def test_linear_recurrence_fibonacci_stops_at_f92():
    it = r.LinearRecurrence([1, 1], [0, 1])
    assert iter(it) is it
    assert list(itertools.islice(it, 93)) == [r.fib(n) for n in range(93)]
    for _ in range(3):  # and stays there
        with pytest.raises(OverflowError, match=message("the next term of this LinearRecurrence overflows signed 64 bits")):
            next(it)


def test_lucas_numbers():
    assert list(itertools.islice(r.LinearRecurrence([1, 1], [2, 1]), 8)) == [2, 1, 3, 4, 7, 11, 18, 29]


def test_overflow_is_raised_when_due_not_when_computed():
    # a_{n+3} = a_n * 2**62: a_3 = 2**62 fits, a_4 = 2**63 overflows; a_0..a_3 still come out
    it = r.LinearRecurrence([2**62, 0, 0], [1, 2, 0])
    assert [next(it) for _ in range(4)] == [1, 2, 0, 2**62]
    with pytest.raises(OverflowError, match="overflows signed 64 bits"):
        next(it)


def test_intermediate_overflow_counts_even_if_the_sum_would_fit():
    it = r.LinearRecurrence([2**62, 2**62, -(2**62)], [1, 1, 1])  # 2**62 + 2**62 overflows first
    assert [next(it) for _ in range(3)] == [1, 1, 1]
    with pytest.raises(OverflowError, match="overflows signed 64 bits"):
        next(it)


def test_linear_recurrence_accepts_any_iterable_of_index_values():
    coefficients = [Index(1), True]
    it = r.LinearRecurrence(iter(coefficients), (x for x in [-(2**63), 2**63 - 1]))
    coefficients.clear()  # copied at construction
    assert [next(it) for _ in range(3)] == [-(2**63), 2**63 - 1, -1]


COEFFICIENTS_RANGE = "LinearRecurrence coefficients must fit in signed 64 bits"
INITIAL_RANGE = "LinearRecurrence initial values must fit in signed 64 bits"
EMPTY = "LinearRecurrence needs at least one coefficient"


@pytest.mark.parametrize(
    ("args", "error", "text"),
    [
        (([2**63], [1]), OverflowError, COEFFICIENTS_RANGE),
        (([-(2**63) - 1], [1]), OverflowError, COEFFICIENTS_RANGE),
        (([HUGE], [1]), OverflowError, COEFFICIENTS_RANGE),
        (([Index(-HUGE)], [1]), OverflowError, COEFFICIENTS_RANGE),
        (([1], [2**63]), OverflowError, INITIAL_RANGE),
        (([1], [-HUGE]), OverflowError, INITIAL_RANGE),
        # the order of the checks: every coefficient, every initial value, emptiness, lengths
        (([HUGE], "x"), OverflowError, COEFFICIENTS_RANGE),
        (([], [HUGE]), OverflowError, INITIAL_RANGE),
        (([1, 2], [HUGE]), OverflowError, INITIAL_RANGE),
        (([], []), ValueError, EMPTY),
        (([], [1]), ValueError, EMPTY),
        (([1, 2], [1]), ValueError, "LinearRecurrence needs as many initial values as coefficients (got 1 for 2)"),
        (([1], [1, 2, 3]), ValueError, "LinearRecurrence needs as many initial values as coefficients (got 3 for 1)"),
    ],
)
def test_linear_recurrence_contract_errors(args, error, text):
    with pytest.raises(error, match=message(text)):
        r.LinearRecurrence(*args)


@pytest.mark.parametrize("args", [(None, [1]), ([1], 5), ([1.0], [1]), ([1, 2], [1.0]), ([1],)])
def test_linear_recurrence_type_errors(args):
    with pytest.raises(TypeError):
        r.LinearRecurrence(*args)


def test_most_common(tmp_path):
    p = tmp_path / "words.txt"
    p.write_bytes(b"The the THE cat\tcat\nDOG \xc3\x89t\xc3\xa9 \xc3\xa9t\xc3\xa9\x0bzebra\x0c")
    everything = [("the", 3), ("cat", 2), ("dog", 1), ("zebra", 1), ("Été", 1), ("été", 1)]
    assert r.most_common(p, 10) == everything
    assert r.most_common(str(p), 2) == [("the", 3), ("cat", 2)]
    assert r.most_common(p, 0) == []
    assert r.most_common(p, HUGE) == r.most_common(p, Index(HUGE)) == everything  # "all of them"


def test_most_common_errors(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        r.most_common(tmp_path / "missing", 1)
    assert info.value.filename == str(tmp_path / "missing")  # open() stores os.fspath(path)
    with pytest.raises(IsADirectoryError):
        r.most_common(tmp_path, 1)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"ok \xff")
    with pytest.raises(UnicodeDecodeError) as info:
        r.most_common(bad, 1)
    assert info.value.start == 3
    with pytest.raises(TypeError):
        r.most_common(b"bytes path", 1)


@pytest.mark.parametrize("n", [-1, -HUGE, Index(-HUGE)], ids=short_id)
def test_most_common_negative_n_is_checked_before_the_file_is_opened(tmp_path, n):
    with pytest.raises(ValueError, match=message("most_common() n must be >= 0")):
        r.most_common(tmp_path / "missing", n)


@pytest.mark.parametrize("digits", [0, 1, 4, 50, 761, 762, 767, 1000])
def test_calc_pi_against_machin(digits):
    assert r.calc_pi(digits) == pi_machin(digits)


@pytest.mark.parametrize("bad", [-1, 10_001, 2**100, -(2**100), HUGE, -HUGE, Index(HUGE)], ids=short_id)
def test_calc_pi_range(bad):
    with pytest.raises(ValueError, match=message("calc_pi() digits must be between 0 and 10000")):
        r.calc_pi(bad)


def test_calc_pi_type_error():
    with pytest.raises(TypeError):
        r.calc_pi(3.0)


def test_index_protocol_is_used():
    assert r.fib(Index(7)) == r.fib(7) == r.fib(operator.index(Index(7)))
    assert r.fib(True) == 1


def test_one_iterator_shared_by_threads():
    # without the lock, a thread switch between computing a term and popping one repeats terms
    it = r.LinearRecurrence([-1, 2], [0, 1])  # 0, 1, 2, 3, ...
    out = []

    def take():
        out.extend(next(it) for _ in range(5000))

    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(out) == list(range(40_000))


# --- ewma ------------------------------------------------------------------------------------


def ewma_by_definition(xs, alpha):
    """The contract's formula, written out once more without NumPy."""
    out, beta = [], 1.0 - alpha
    for i, x in enumerate(xs):
        out.append(x if i == 0 else alpha * x + beta * out[-1])
    return out


def test_ewma_follows_the_formula():
    xs = [1.0, 2.0, -3.5, 1e300, float("inf"), 0.25]
    for alpha in (1.0, 0.5, 0.1, 1e-300):
        expected = np.array(ewma_by_definition(xs, alpha))  # alpha = 1 makes 0 * inf: NaN, as IEEE says
        assert np.array_equal(r.ewma(np.array(xs), alpha).view(np.uint64), expected.view(np.uint64))


def test_ewma_alpha_one_copies_the_input():
    xs = np.array([3.0, -1.0, 2.5])
    result = r.ewma(xs, 1)
    assert result.tolist() == xs.tolist()
    assert not np.shares_memory(result, xs)


@pytest.mark.parametrize(
    ("values", "error", "text"),
    [
        (np.zeros((2, 2)), ValueError, "ewma() values must be one-dimensional, got 2 dimensions"),
        (np.array(1.0), ValueError, "ewma() values must be one-dimensional, got 0 dimensions"),
        (np.zeros(2, np.float32), TypeError, "ewma() values must be float64 (buffer format 'd'), got format 'f'"),
        (array.array("q", [1]), TypeError, "ewma() values must be float64 (buffer format 'd'), got format 'q'"),
    ],
    ids=["2-D", "0-d", "float32", "int64"],
)
def test_ewma_value_errors(values, error, text):
    with pytest.raises(error, match=re.escape(text)):
        r.ewma(values, 0.5)


@pytest.mark.parametrize("alpha", [0, -1, 1.5, float("nan"), float("inf")])
def test_ewma_alpha_range(alpha):
    with pytest.raises(ValueError, match=re.escape("ewma() alpha must be > 0 and <= 1")):
        r.ewma(np.ones(3), alpha)


@pytest.mark.parametrize("alpha", ["0.5", b"0.5", None, 0.5j])
def test_ewma_alpha_must_be_a_real_number(alpha):
    with pytest.raises(TypeError, match=r"ewma\(\) alpha must be a real number"):
        r.ewma(np.ones(3), alpha)


def test_ewma_alpha_too_large_for_a_double():
    with pytest.raises(OverflowError, match="int too large to convert to float"):
        r.ewma(np.ones(3), 10**400)


def test_ewma_releases_the_buffer_on_errors():
    values = array.array("d", [1.0, 2.0])
    for alpha in (0.5, 2.0, "x"):
        with contextlib.suppress(ValueError, TypeError):
            r.ewma(values, alpha)
        values.append(3.0)  # BufferError if a buffer of it were still exported


# --- integrate ---------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 10, 1000])
def test_integrate_matches_the_midpoint_rule_error_formula(n):
    # For x**2 on [0, 1] the midpoint rule's error is exactly h**2 / 12 (f'' is constant)
    assert r.integrate(lambda x: x * x, 0.0, 1.0, n) == pytest.approx(1 / 3 - 1 / (12 * n * n), rel=1e-13)


def test_integrate_is_exact_for_straight_lines():
    assert r.integrate(lambda x: 3 * x + 1, 0, 2, 7) == pytest.approx(8.0, rel=1e-15)
    assert r.integrate(lambda x: 1, 5, 2, 3) == -3.0  # b < a gives the negative integral


def test_integrate_calls_f_once_per_midpoint_in_order():
    seen = []
    r.integrate(lambda x: seen.append(x) or 0.0, 0.0, 1.0, 4)
    assert seen == [0.125, 0.375, 0.625, 0.875]


def test_integrate_lets_f_exceptions_through_unchanged():
    boom = KeyboardInterrupt()
    calls = []

    def f(x):
        calls.append(x)
        raise boom

    with pytest.raises(KeyboardInterrupt) as caught:
        r.integrate(f, 0.0, 1.0, 10)
    assert caught.value is boom
    assert calls == [0.05]


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((None, 0.0, 1.0, 1), TypeError, "integrate() f must be callable, not NoneType"),
        ((abs, "0", 1.0, 1), TypeError, "integrate() a must be a real number, not str"),
        ((abs, 0.0, 1.0, 0), ValueError, "integrate() n must be >= 1"),
        ((abs, 0.0, 1.0, -(10**5000)), ValueError, "integrate() n must be >= 1"),
        ((abs, 0.0, 1.0, 2**63), OverflowError, "integrate() n must fit in signed 64 bits"),
        ((lambda x: "1", 0.0, 1.0, 1), TypeError, "integrate() f's result must be a real number, not str"),
        ((lambda x: 10**400, 0.0, 1.0, 1), OverflowError, "int too large to convert to float"),
    ],
)
def test_integrate_errors(args, error, message):
    with pytest.raises(error) as caught:
        r.integrate(*args)
    assert str(caught.value) == message

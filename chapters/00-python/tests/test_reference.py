"""Chapter 0's own tests: the reference against independent oracles.

The conformance suite compares every native chapter with this module, so these tests check
the module itself against things that do not share its code: closed forms, big-integer
arithmetic and hand-made cases.
"""

import itertools
import operator

import pytest
from hypothesis import given, strategies as st

import recipes_python as r


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


def test_fib_known_values():
    assert [r.fib(n) for n in range(10)] == [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
    assert r.fib(90) == 2880067194370816120
    assert r.fib(93) == 12200160415121876738  # the largest that fits in 64 unsigned bits


@given(st.integers(0, 93))
def test_fib_matches_binet_identity(n):
    # F(2n) = F(n) * (2 F(n+1) - F(n)), an identity the loop does not use
    if 2 * n <= 93:
        assert r.fib(2 * n) == r.fib(n) * (2 * r.fib(n + 1) - r.fib(n))


@pytest.mark.parametrize("f", [r.fib, r.fib_recursive])
def test_fib_errors(f):
    with pytest.raises(ValueError):
        f(-1)
    with pytest.raises(OverflowError):
        f(94)
    with pytest.raises(TypeError):
        f(1.0)
    with pytest.raises(TypeError):
        f(n=1)


def test_fib_recursive_agrees_with_fib():
    assert [r.fib_recursive(n) for n in range(25)] == [r.fib(n) for n in range(25)]


def test_linear_recurrence_fibonacci_stops_at_f92():
    it = r.LinearRecurrence([1, 1], [0, 1])
    assert iter(it) is it
    assert list(itertools.islice(it, 93)) == [r.fib(n) for n in range(93)]
    for _ in range(3):
        with pytest.raises(OverflowError):
            next(it)


def test_lucas_numbers():
    assert list(itertools.islice(r.LinearRecurrence([1, 1], [2, 1]), 8)) == [2, 1, 3, 4, 7, 11, 18, 29]


def test_overflow_is_raised_when_due_not_when_computed():
    # a_{n+3} = a_n * 2**62: a_3 = 2**62 fits, a_4 = 2**63 overflows; a_0..a_3 still come out
    it = r.LinearRecurrence([2**62, 0, 0], [1, 2, 0])
    assert [next(it) for _ in range(4)] == [1, 2, 0, 2**62]
    with pytest.raises(OverflowError):
        next(it)


def test_intermediate_overflow_counts_even_if_the_sum_would_fit():
    it = r.LinearRecurrence([2**62, 2**62, -(2**62)], [1, 1, 1])  # 2**62 + 2**62 overflows first
    assert [next(it) for _ in range(3)] == [1, 1, 1]
    with pytest.raises(OverflowError):
        next(it)


@pytest.mark.parametrize(
    "args, error",
    [
        ((None, [1]), TypeError),
        (([1.0], [1]), TypeError),
        (([2**63], [1]), OverflowError),
        (([], []), ValueError),
        (([1, 2], [1]), ValueError),
    ],
)
def test_linear_recurrence_errors(args, error):
    with pytest.raises(error):
        r.LinearRecurrence(*args)


def test_most_common(tmp_path):
    p = tmp_path / "words.txt"
    p.write_bytes(b"The the THE cat\tcat\nDOG \xc3\x89t\xc3\xa9 \xc3\xa9t\xc3\xa9\x0bzebra\x0c")
    assert r.most_common(p, 10) == [("the", 3), ("cat", 2), ("dog", 1), ("zebra", 1), ("Été", 1), ("été", 1)]
    assert r.most_common(str(p), 2) == [("the", 3), ("cat", 2)]
    assert r.most_common(p, 0) == []


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
    with pytest.raises(ValueError):
        r.most_common(bad, -1)


@pytest.mark.parametrize("digits", [0, 1, 4, 50, 761, 762, 767, 1000])
def test_calc_pi_against_machin(digits):
    assert r.calc_pi(digits) == pi_machin(digits)


def test_calc_pi_errors():
    for bad in (-1, 10_001, 2**100, -(2**100)):
        with pytest.raises(ValueError):
            r.calc_pi(bad)
    with pytest.raises(TypeError):
        r.calc_pi(3.0)


def test_index_protocol_is_used():
    class Seven:
        def __index__(self):
            return 7

    assert r.fib(Seven()) == r.fib(7) == r.fib(operator.index(Seven()))
    assert r.fib(True) == 1


def test_one_iterator_shared_by_threads():
    # without the lock, a thread switch between computing a term and popping one repeats terms
    import threading

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

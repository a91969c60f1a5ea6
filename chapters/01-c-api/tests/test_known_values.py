"""A few known values, so that a copied-out chapter checks its own results."""

import itertools

import numpy as np
import pytest

from recipes_capi import (
    LinearRecurrence,
    calc_pi,
    ewma,
    fib,
    fib_recursive,
    most_common,
)

PI_50 = "3.14159265358979323846264338327950288419716939937510"


def test_fib():
    assert [fib(n) for n in range(10)] == [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
    assert fib(90) == 2880067194370816120
    assert fib(93) == 12200160415121876738  # > 2**63: needs the unsigned conversion


def test_fib_recursive():
    assert [fib_recursive(n) for n in range(10)] == [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
    assert fib_recursive(25) == 75025  # big enough to take the GIL-releasing path


def test_linear_recurrence_fibonacci_and_lucas():
    fibonacci = list(itertools.islice(LinearRecurrence([1, 1], [0, 1]), 93))
    assert fibonacci == [fib(n) for n in range(93)]
    assert list(itertools.islice(LinearRecurrence([1, 1], [2, 1]), 6)) == [2, 1, 3, 4, 7, 11]


def test_linear_recurrence_overflow_is_sticky():
    it = LinearRecurrence([1, 1], [0, 1])
    assert list(itertools.islice(it, 93))[-1] == 7540113804746346429  # F(92)
    for _ in range(3):
        with pytest.raises(OverflowError):
            next(it)


def test_linear_recurrence_drains_known_terms_after_overflow():
    # k = 3, a_3 = a_0 + a_1 + a_2 = 2**63 - 1 fits, a_4 = 2**63 + ... overflows:
    # a_0 .. a_3 are still returned, then OverflowError.
    big = 2**62
    it = LinearRecurrence([1, 1, 1], [big - 1, big - 1, 1])
    assert [next(it) for _ in range(4)] == [big - 1, big - 1, 1, 2**63 - 1]
    with pytest.raises(OverflowError):
        next(it)


def test_calc_pi():
    assert calc_pi(0) == "3"
    assert calc_pi(4) == "3.1415"
    assert calc_pi(50) == PI_50
    longest = calc_pi(10000)
    assert longest.startswith(PI_50)
    assert len(longest) == 10002


def test_most_common(tmp_path):
    path = tmp_path / "words.txt"
    path.write_bytes("the The THE cat\tsat\non the\x0bmat\x0c\r Straße straße ÄB äb\xa0x".encode())
    assert most_common(path, 3) == [("the", 4), ("straße", 2), ("cat", 1)]
    assert most_common(str(path), 100) == [
        ("the", 4), ("straße", 2), ("cat", 1), ("mat", 1), ("on", 1), ("sat", 1),
        ("Äb", 1), ("äb\xa0x", 1),  # only A-Z are lowercased; U+00A0 is not ASCII whitespace
    ]
    assert most_common(path, 0) == []
    assert most_common(path, 2**100) == most_common(path, 100)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert most_common(empty, 5) == []


def test_ewma():
    # Halves and quarters are exact in binary: these values need no tolerance.
    assert ewma(np.array([1.0, 2.0, 3.0, 5.0]), 0.5).tolist() == [1.0, 1.5, 2.25, 3.625]
    assert ewma(np.array([4.0, 0.0, 0.0]), 0.25).tolist() == [4.0, 3.0, 2.25]
    assert ewma(np.array([3.0, -1.0, 7.0]), 1).tolist() == [3.0, -1.0, 7.0]  # alpha = 1: a copy
    assert ewma(np.array([8.0, 4.0, 2.0, 1.0])[::-1], 0.5).tolist() == [1.0, 1.5, 2.75, 5.375]
    assert ewma(np.empty(0), 0.5).shape == (0,)
    # 0.1 is not exact: the bits are those of the formula, rounded step by step.
    y1 = 0.1 * 2.0 + (1.0 - 0.1) * 1.0
    assert ewma(np.array([1.0, 2.0, 3.0]), 0.1).tolist() == [1.0, y1, 0.1 * 3.0 + (1.0 - 0.1) * y1]

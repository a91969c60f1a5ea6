"""A few known values, so that a copied-out chapter tests itself without the shared suite."""

from itertools import islice

import pytest

import recipes_cython

F90 = 2880067194370816120
F93 = 12200160415121876738  # > 2**63: returned from an unsigned 64-bit C integer
PI_50 = "3.14159265358979323846264338327950288419716939937510"


def test_fib():
    assert [recipes_cython.fib(n) for n in range(10)] == [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
    assert recipes_cython.fib(90) == F90
    assert recipes_cython.fib(93) == F93


def test_fib_recursive():
    assert [recipes_cython.fib_recursive(n) for n in range(10)] == [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
    assert recipes_cython.fib_recursive(25) == 75025


def test_lucas_numbers():
    lucas = recipes_cython.LinearRecurrence([1, 1], [2, 1])
    assert list(islice(lucas, 10)) == [2, 1, 3, 4, 7, 11, 18, 29, 47, 76]


def test_fibonacci_recurrence_stops_after_f92():
    it = recipes_cython.LinearRecurrence([1, 1], [0, 1])
    terms = list(islice(it, 93))
    assert terms[-1] == 7540113804746346429  # F(92), the last Fibonacci number below 2**63
    for _ in range(3):  # and it stays stopped
        with pytest.raises(OverflowError):
            next(it)


def test_calc_pi():
    assert recipes_cython.calc_pi(0) == "3"
    assert recipes_cython.calc_pi(4) == "3.1415"
    assert recipes_cython.calc_pi(50) == PI_50
    assert recipes_cython.calc_pi(10000).startswith(PI_50)
    assert len(recipes_cython.calc_pi(10000)) == 10002


def test_most_common(tmp_path):
    path = tmp_path / "words.txt"
    path.write_bytes("The the THE cat Cat dog\nzebra\té é É\x0bx\x0cx\rx".encode())
    assert recipes_cython.most_common(path, 10) == [
        ("the", 3), ("x", 3), ("cat", 2), ("é", 2), ("dog", 1), ("zebra", 1), ("É", 1),
    ]
    assert recipes_cython.most_common(str(path), 2) == [("the", 3), ("x", 3)]
    assert recipes_cython.most_common(path, 0) == []
    assert recipes_cython.most_common(path, 2**100) == recipes_cython.most_common(path, 10)
    (tmp_path / "empty.txt").write_bytes(b"")
    assert recipes_cython.most_common(tmp_path / "empty.txt", 5) == []


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: recipes_cython.fib(-1), ValueError),
        (lambda: recipes_cython.fib(-(2**100)), ValueError),
        (lambda: recipes_cython.fib(94), OverflowError),
        (lambda: recipes_cython.fib(2**100), OverflowError),
        (lambda: recipes_cython.fib(1.0), TypeError),
        (lambda: recipes_cython.fib(n=3), TypeError),  # positional-only
        (recipes_cython.fib, TypeError),  # no argument
        (lambda: recipes_cython.calc_pi(10001), ValueError),
        (lambda: recipes_cython.calc_pi(2**100), ValueError),
        (lambda: recipes_cython.calc_pi(-(2**100)), ValueError),
        (lambda: recipes_cython.LinearRecurrence([], []), ValueError),
        (lambda: recipes_cython.LinearRecurrence([1], [1, 2]), ValueError),
        (lambda: recipes_cython.LinearRecurrence([2**63], [1]), OverflowError),
        (lambda: recipes_cython.LinearRecurrence(5, [1]), TypeError),
        (lambda: recipes_cython.LinearRecurrence([1.5], [1]), TypeError),
        (lambda: recipes_cython.most_common(b"words.txt", 1), TypeError),
        (lambda: recipes_cython.most_common("words.txt", -(2**100)), ValueError),
    ],
)
def test_errors(call, error):
    with pytest.raises(error):
        call()

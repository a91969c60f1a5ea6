"""A few known values through every front end, so a copied-out chapter tests itself."""

from itertools import islice

import pytest


def test_fib(recipes):
    assert [recipes.fib(n) for n in range(10)] == [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
    assert recipes.fib(90) == 2880067194370816120
    assert recipes.fib(93) == 12200160415121876738  # > 2**63: unsigned all the way
    assert recipes.fib_recursive(20) == 6765


def test_calc_pi(recipes):
    assert recipes.calc_pi(0) == "3"
    assert recipes.calc_pi(4) == "3.1415"
    assert recipes.calc_pi(50) == "3.14159265358979323846264338327950288419716939937510"
    assert len(recipes.calc_pi(10000)) == 10002


def test_linear_recurrence(recipes):
    lucas = recipes.LinearRecurrence([1, 1], [2, 1])
    assert iter(lucas) is lucas
    assert list(islice(lucas, 10)) == [2, 1, 3, 4, 7, 11, 18, 29, 47, 76]
    fibonacci = list(islice(recipes.LinearRecurrence((1, 1), (0, 1)), 93))
    assert fibonacci[-1] == 7540113804746346429  # F(92), the last that fits in int64


def test_fibonacci_recurrence_stops_at_f92(recipes):
    fibonacci = recipes.LinearRecurrence([1, 1], [0, 1])
    for _ in range(93):
        next(fibonacci)
    for _ in range(3):  # and stays stopped
        with pytest.raises(OverflowError):
            next(fibonacci)


def test_most_common(recipes, tmp_path):
    path = tmp_path / "words.txt"
    path.write_bytes("b a\x0bB\tc\r\nA a \xc9t\xe9 \xe9t\xe9 zz\n".encode())
    assert recipes.most_common(path, 10) == [
        ("a", 3), ("b", 2), ("c", 1), ("zz", 1), ("\xc9t\xe9", 1), ("\xe9t\xe9", 1),
    ]
    assert recipes.most_common(str(path), 2) == [("a", 3), ("b", 2)]
    assert recipes.most_common(path, 0) == []
    assert recipes.most_common(path, 2**100) == recipes.most_common(path, 10)  # "all"
    (tmp_path / "empty").write_bytes(b"")
    assert recipes.most_common(tmp_path / "empty", 5) == []

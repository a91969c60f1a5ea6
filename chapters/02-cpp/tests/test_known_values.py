"""A few known values, so that a copied-out chapter checks itself."""

from __future__ import annotations

import itertools

PI_50 = "3.14159265358979323846264338327950288419716939937510"


def test_package_reexports_the_extension_functions(recipes):
    # No Python wrapper in between: the package name is the extension function.
    assert recipes.fib is recipes._ext.fib
    assert recipes.LinearRecurrence is recipes._ext.LinearRecurrence


def test_fib(recipes):
    assert [recipes.fib(n) for n in range(10)] == [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
    assert recipes.fib(90) == 2880067194370816120
    assert recipes.fib(93) == 12200160415121876738  # > 2**63: returned as unsigned


def test_fib_recursive(recipes):
    assert [recipes.fib_recursive(n) for n in range(10)] == [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
    assert recipes.fib_recursive(25) == 75025


def test_linear_recurrence(recipes):
    lucas = recipes.LinearRecurrence([1, 1], [2, 1])
    assert iter(lucas) is lucas
    assert list(itertools.islice(lucas, 8)) == [2, 1, 3, 4, 7, 11, 18, 29]
    # Arguments may be any iterables, and are copied.
    coefficients = [1, 1]
    sequence = recipes.LinearRecurrence((c for c in coefficients), iter([0, 1]))
    coefficients.append(5)
    assert list(itertools.islice(sequence, 6)) == [0, 1, 1, 2, 3, 5]


def test_most_common(recipes, tmp_path):
    path = tmp_path / "words.txt"
    path.write_bytes("b a\tB\nc\x0bb\x0ca\r été ÉTÉ\n".encode())
    assert recipes.most_common(str(path), 10) == [
        ("b", 3), ("a", 2), ("c", 1), ("ÉtÉ", 1), ("été", 1)]  # only A-Z are lowercased
    assert recipes.most_common(path, 2) == [("b", 3), ("a", 2)]
    assert recipes.most_common(path, 0) == []
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert recipes.most_common(empty, 5) == []


def test_calc_pi(recipes):
    assert recipes.calc_pi(0) == "3"
    assert recipes.calc_pi(4) == "3.1415"
    assert recipes.calc_pi(50) == PI_50
    assert recipes.calc_pi(10000).startswith(PI_50)
    assert len(recipes.calc_pi(10000)) == 10002

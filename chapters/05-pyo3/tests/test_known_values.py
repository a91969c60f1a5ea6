"""A few known values, so the chapter checks itself when copied out of the repository."""

import array
from itertools import islice


def test_fib(recipes):
    assert [recipes.fib(n) for n in range(8)] == [0, 1, 1, 2, 3, 5, 8, 13]
    assert recipes.fib(90) == 2880067194370816120
    # A u64 above 2**63 arrives as an ordinary Python int: PyO3 converts u64 losslessly.
    assert recipes.fib(93) == 12200160415121876738 > 2**63


def test_fib_recursive(recipes):
    assert [recipes.fib_recursive(n) for n in range(15)] == [recipes.fib(n) for n in range(15)]


def test_linear_recurrence(recipes):
    lucas = recipes.LinearRecurrence([1, 1], [2, 1])
    assert list(islice(lucas, 8)) == [2, 1, 3, 4, 7, 11, 18, 29]
    fibonacci = list(islice(recipes.LinearRecurrence((1, 1), (0, 1)), 93))
    assert fibonacci[:5] == [0, 1, 1, 2, 3]
    assert fibonacci[92] == 7540113804746346429  # F(92), the last one below 2**63


def test_most_common(recipes, tmp_path):
    path = tmp_path / "words.txt"
    path.write_bytes(b"the cat The\tdog\x0bTHE cat\r\n\xc3\x84pfel \xc3\xa4pfel\x0c")
    assert recipes.most_common(path, 3) == [("the", 3), ("cat", 2), ("dog", 1)]
    assert recipes.most_common(str(path), 10) == [
        ("the", 3), ("cat", 2), ("dog", 1), ("Äpfel", 1), ("äpfel", 1),  # non-ASCII not lowered
    ]
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert recipes.most_common(empty, 5) == []


def test_calc_pi(recipes):
    assert recipes.calc_pi(0) == "3"
    assert recipes.calc_pi(4) == "3.1415"
    assert recipes.calc_pi(30) == "3.141592653589793238462643383279"
    assert recipes.calc_pi(10000).endswith("5678")  # digits 9997..10000 of pi


def test_ewma(recipes):
    assert recipes.ewma(array.array("d", [1.0, 2.0, 3.0, 5.0]), 0.5).tolist() == [1.0, 1.5, 2.25, 3.625]
    assert recipes.ewma(array.array("d"), 0.5).tolist() == []


def test_integrate(recipes):
    assert recipes.integrate(lambda x: x * x, 0.0, 1.0, 4) == 0.328125

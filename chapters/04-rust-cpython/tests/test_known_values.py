"""A few known values, so that a copied-out chapter tests itself."""

import array
from itertools import islice

import recipes_rust_cpython as r


def test_exports_exactly_the_recipes():
    assert sorted(r.__all__) == sorted(
        ["fib", "fib_recursive", "LinearRecurrence", "most_common", "calc_pi", "ewma", "integrate"]
    )
    for name in r.__all__:
        assert getattr(r, name) is getattr(r._native, name)


def test_fib():
    assert [r.fib(n) for n in range(10)] == [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
    assert r.fib(90) == 2880067194370816120
    # Larger than 2**63: the u64 result must arrive as a positive Python int.
    assert r.fib(93) == 12200160415121876738


def test_fib_recursive():
    assert [r.fib_recursive(n) for n in range(20)] == [r.fib(n) for n in range(20)]
    assert r.fib_recursive(25) == 75025


def test_linear_recurrence():
    fibonacci = r.LinearRecurrence([1, 1], [0, 1])
    assert iter(fibonacci) is fibonacci
    assert list(islice(fibonacci, 10)) == [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
    assert list(islice(r.LinearRecurrence((1, 1), (2, 1)), 6)) == [2, 1, 3, 4, 7, 11]


def test_most_common(tmp_path):
    path = tmp_path / "words.txt"
    path.write_bytes(b"The cat saw the other CAT.\nthe end\x0bend")
    assert r.most_common(path, 3) == [("the", 3), ("end", 2), ("cat", 1)]
    assert r.most_common(str(path), 0) == []
    assert r.most_common(path, 2**100)[-1] == ("saw", 1)


def test_calc_pi():
    assert r.calc_pi(0) == "3"
    assert r.calc_pi(4) == "3.1415"
    assert r.calc_pi(30) == "3.141592653589793238462643383279"
    assert len(r.calc_pi(10000)) == 10002


def test_ewma():
    assert r.ewma(array.array("d", [1.0, 2.0, 3.0, 5.0]), 0.5).tolist() == [1.0, 1.5, 2.25, 3.625]
    assert r.ewma(array.array("d"), 0.5).tolist() == []


def test_integrate():
    assert r.integrate(lambda x: x * x, 0.0, 1.0, 4) == 0.328125

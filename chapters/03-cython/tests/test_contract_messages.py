"""The contract's own errors, word for word, in every module of the chapter, for ints of any size.

The messages are the reference chapter's (recipes_python); the contract is docs/contract.md in
the cookbook repository. An int beyond the 4300-digit str() limit must get the same message:
none of them quotes the argument.
"""

import importlib
import re
from itertools import islice

import pytest

HUGE = 10**5000  # str(HUGE) itself raises ValueError: no message may be built from it
# pytest names each case after its parameters: name the huge ones, whose str() would raise.
POSITIVE_HUGE = pytest.param(HUGE, id="10**5000")
NEGATIVE_HUGE = pytest.param(-HUGE, id="-10**5000")
TYPED_AND_UNTYPED = ["recipes_cython", "recipes_cython.untyped"]
EVERY_CALC_PI = [*TYPED_AND_UNTYPED, "recipes_cython._pure_mode"]


def raises_exactly(error, message):
    return pytest.raises(error, match=f"^{re.escape(message)}$")


@pytest.mark.parametrize("module_name", TYPED_AND_UNTYPED)
@pytest.mark.parametrize("name", ["fib", "fib_recursive"])
@pytest.mark.parametrize("n", [-1, -(2**64), NEGATIVE_HUGE])
def test_fib_negative(module_name, name, n):
    function = getattr(importlib.import_module(module_name), name)
    with raises_exactly(ValueError, f"{name}() argument must be >= 0"):
        function(n)


@pytest.mark.parametrize("module_name", TYPED_AND_UNTYPED)
@pytest.mark.parametrize("name", ["fib", "fib_recursive"])
@pytest.mark.parametrize("n", [94, 2**64, POSITIVE_HUGE])
def test_fib_too_large(module_name, name, n):
    function = getattr(importlib.import_module(module_name), name)
    message = f"{name}() argument must be <= 93: the result would not fit in 64 bits"
    with raises_exactly(OverflowError, message):
        function(n)


@pytest.mark.parametrize("module_name", EVERY_CALC_PI)
@pytest.mark.parametrize("digits", [-1, 10001, 2**64, POSITIVE_HUGE, NEGATIVE_HUGE])
def test_calc_pi_out_of_range(module_name, digits):
    module = importlib.import_module(module_name)
    with raises_exactly(ValueError, "calc_pi() digits must be between 0 and 10000"):
        module.calc_pi(digits)


@pytest.mark.parametrize("module_name", TYPED_AND_UNTYPED)
@pytest.mark.parametrize("n", [-1, NEGATIVE_HUGE])
def test_most_common_negative_n_before_the_file_is_opened(module_name, n):
    module = importlib.import_module(module_name)
    with raises_exactly(ValueError, "most_common() n must be >= 0"):
        module.most_common("/this/file/does/not/exist", n)


@pytest.mark.parametrize("module_name", TYPED_AND_UNTYPED)
def test_most_common_huge_n_means_all_words(module_name, tmp_path):
    module = importlib.import_module(module_name)
    path = tmp_path / "words.txt"
    path.write_text("b a b")
    assert module.most_common(path, HUGE) == [("b", 2), ("a", 1)]


@pytest.mark.parametrize("module_name", TYPED_AND_UNTYPED)
@pytest.mark.parametrize(
    ("coefficients", "initial", "error", "message"),
    [
        ([2**63], [1], OverflowError, "LinearRecurrence coefficients must fit in signed 64 bits"),
        ([-HUGE], [1], OverflowError, "LinearRecurrence coefficients must fit in signed 64 bits"),
        ([1], [HUGE], OverflowError, "LinearRecurrence initial values must fit in signed 64 bits"),
        # coefficients are converted in full before the initial values, and both before
        # the emptiness and the lengths are checked
        ([1, 2**63], [HUGE], OverflowError, "LinearRecurrence coefficients must fit in signed 64 bits"),
        ([], [HUGE], OverflowError, "LinearRecurrence initial values must fit in signed 64 bits"),
        ([], [], ValueError, "LinearRecurrence needs at least one coefficient"),
        ([], [1], ValueError, "LinearRecurrence needs at least one coefficient"),
        ([1, 1], [1], ValueError,
         "LinearRecurrence needs as many initial values as coefficients (got 1 for 2)"),
    ],
    ids=["c=2**63", "c=-10**5000", "init=10**5000", "c-before-init", "init-before-empty", "empty",
         "empty-before-lengths", "lengths"],
)
def test_linear_recurrence_arguments(module_name, coefficients, initial, error, message):
    module = importlib.import_module(module_name)
    with raises_exactly(error, message):
        module.LinearRecurrence(coefficients, initial)


@pytest.mark.parametrize("module_name", TYPED_AND_UNTYPED)
def test_linear_recurrence_overflow_and_every_later_next(module_name):
    module = importlib.import_module(module_name)
    terms = module.LinearRecurrence([1, 1], [0, 1])
    assert list(islice(terms, 93))[-1] == 7540113804746346429  # F(92)
    for _ in range(2):
        with raises_exactly(OverflowError, "the next term of this LinearRecurrence overflows signed 64 bits"):
            next(terms)

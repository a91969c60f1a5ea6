"""What is special to Cython: cdef classes, except clauses, C integer conversions."""

import subprocess
import sys
import threading

import pytest

import recipes_cython
from recipes_cython import _core, _pitfalls


class Index:
    """An integer-like object that only has __index__ (like a NumPy integer would)."""

    def __init__(self, value):
        self.value = value

    def __index__(self):
        return self.value


# --- the cdef class -------------------------------------------------------------------

def test_linear_recurrence_is_final():
    # @cython.final: Python code cannot subclass it, like most types written in C.
    with pytest.raises(TypeError):
        type("Sub", (recipes_cython.LinearRecurrence,), {})


def test_cdef_attributes_are_hidden():
    it = recipes_cython.LinearRecurrence([1, 1], [0, 1])
    # The C fields (coefficients, window, the core's state) are not Python attributes...
    for name in ("coefficients", "window", "state", "oldest", "left", "overflowed"):
        assert not hasattr(it, name)
    # ...and there is no __dict__ to add new ones to.
    assert not hasattr(it, "__dict__")
    with pytest.raises(AttributeError):
        it.window = [1, 2]


def test_iter_returns_self():
    it = recipes_cython.LinearRecurrence([1], [1])
    assert iter(it) is it


def test_constructor_is_positional_only():
    with pytest.raises(TypeError):
        recipes_cython.LinearRecurrence(coefficients=[1], initial=[1])
    with pytest.raises(TypeError):
        recipes_cython.LinearRecurrence([1])


def test_not_picklable():
    # @cython.auto_pickle(False): Cython generates no pickle support for the C fields.
    import pickle

    with pytest.raises(TypeError):
        pickle.dumps(recipes_cython.LinearRecurrence([1], [1]))


def test_one_iterator_shared_by_threads():
    # next() never releases the GIL, so it is atomic: every term comes out exactly once.
    it = recipes_cython.LinearRecurrence([-1, 2], [0, 1])  # 0, 1, 2, 3, ...
    results = [[] for _ in range(8)]
    barrier = threading.Barrier(8)

    def work(mine):
        barrier.wait()
        for _ in range(2000):
            mine.append(next(it))

    threads = [threading.Thread(target=work, args=(r,)) for r in results]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(x for r in results for x in r) == list(range(16000))


# --- the core and the binding -----------------------------------------------------------

def test_core_is_a_separate_module_with_no_python_api():
    # _core.pyx exports C functions only, to modules that cimport it: Python sees no function,
    # only the table of C function pointers (capsules) that Cython keeps for those modules.
    public = [name for name in vars(_core) if not name.startswith("__")]
    assert public == []
    exported = set(_core.__pyx_capi__)
    assert {"fib", "fib_recursive", "recurrence_init", "recurrence_next", "most_common_limit",
            "most_common", "most_common_free", "calc_pi"} <= exported


def test_binding_fetches_the_core_when_imported():
    code = "import sys, recipes_cython._recipes; print('recipes_cython._core' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"


# --- integer conversion ---------------------------------------------------------------

def test_recipes_use_operator_index():
    assert recipes_cython.fib(Index(10)) == 55
    assert recipes_cython.fib(True) == 1
    with pytest.raises(TypeError):
        recipes_cython.fib(10.0)
    with pytest.raises(ValueError, match="must be >= 0"):  # not OverflowError: the sign survives
        recipes_cython.fib(-(2**100))


def test_index_exception_propagates():
    class Broken:
        def __index__(self):
            raise KeyError("from __index__")

    with pytest.raises(KeyError):
        recipes_cython.calc_pi(Broken())


def test_pitfall_long_long_parameter_uses_int_not_index():
    # def f(long long n): Cython converts with __int__, so a float is truncated...
    assert _pitfalls.fib_typed_argument(2.5) == recipes_cython.fib(2)
    # ...an __index__-only object is refused...
    with pytest.raises(TypeError):
        _pitfalls.fib_typed_argument(Index(10))
    # ...and a huge negative number never reaches fib()'s `n >= 0` check.
    with pytest.raises(OverflowError):
        _pitfalls.fib_typed_argument(-(2**100))
    with pytest.raises(ValueError, match="must be >= 0"):
        _pitfalls.fib_typed_argument(-1)


def test_pitfall_py_ssize_t_parameter_uses_index():
    with pytest.raises(TypeError):
        _pitfalls.fib_ssize_t_argument(2.5)
    assert _pitfalls.fib_ssize_t_argument(Index(10)) == 55
    with pytest.raises(OverflowError):  # still not the contract's ValueError
        _pitfalls.fib_ssize_t_argument(-(2**100))


def test_pitfall_c_arithmetic_wraps_silently():
    f94 = 19740274219868223167  # does not fit in 64 bits
    assert _pitfalls.fib_wrapping(93) == recipes_cython.fib(93)
    assert _pitfalls.fib_wrapping(94) == f94 % 2**64  # wrong, and no error


# --- except clauses on cdef functions ---------------------------------------------------

def test_except_minus_one_propagates():
    assert _pitfalls.call_digit_except("7") == 7
    with pytest.raises(ValueError, match="invalid literal"):
        _pitfalls.call_digit_except("x")
    with pytest.raises(ValueError, match="not a digit"):
        _pitfalls.call_digit_except("12")


def test_except_question_mark_allows_minus_one():
    assert _pitfalls.call_signed_digit("-1") == -1  # a real -1, not an error
    with pytest.raises(ValueError, match="invalid literal"):
        _pitfalls.call_signed_digit("x")


def test_noexcept_swallows_the_exception(monkeypatch):
    seen = []
    monkeypatch.setattr(sys, "unraisablehook", seen.append)
    assert _pitfalls.call_digit_noexcept("x") == 0  # wrong answer, no exception
    assert len(seen) == 1
    assert isinstance(seen[0].exc_value, ValueError)

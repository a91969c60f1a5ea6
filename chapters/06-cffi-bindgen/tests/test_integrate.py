"""integrate: a C library calling Python back, through cffi and ctypes.

What is special to this chapter: the library only knows a C function pointer, a context
pointer and a stop hook; cffi and ctypes print an exception that leaves a callback and carry
on, so the front ends keep it and raise it after the call; and a C function pointer can be
passed instead of a Python callable, with no Python per point. The conformance suite checks
the rest of the contract (values, argument errors, call order) for every import name.
"""

import gc
import math
import sys
import threading
import weakref
from ctypes import CFUNCTYPE, byref, c_double
from decimal import Decimal
from fractions import Fraction

import pytest


def midpoint(f, a, b, n):
    """The contract's midpoint rule in plain Python, the oracle (as the cookbook's reference
    chapter computes it): every operation in doubles, in this order."""
    a, b = float(a), float(b)
    h = (b - a) / n
    total = 0.0
    for i in range(n):
        y = f(a + (i + 0.5) * h)
        # as PyFloat_AsDouble reads a number: a float subclass as the float it is
        total += float.__float__(y) if isinstance(y, float) else float(y)
    return total * h


def square(x):
    return x * x


def frames(traceback):
    """The code objects of a traceback's frames, outermost first."""
    codes = []
    while traceback is not None:
        codes.append(traceback.tb_frame.f_code)
        traceback = traceback.tb_next
    return codes


class Float(float):
    def __float__(self):  # PyFloat_AsDouble reads a float subclass as the float it is
        return 42.0


@pytest.mark.parametrize(
    "f",
    [math.sin, square, lambda x: 1, lambda x: True, lambda x: Fraction(1, 3), lambda x: Decimal("0.1"),
     Float, abs],
)
def test_values_are_the_references_to_the_bit(recipes, f):
    for a, b, n in [(0.0, 1.0, 1000), (-2.5, 7, 333), (1, 0, 5), (0.5, 0.5, 3)]:
        assert recipes.integrate(f, a, b, n) == midpoint(f, a, b, n)


def test_native_integrands_are_bit_identical_to_math_sin_and_a_lambda(recipes):
    native = recipes.native_integrands
    for a, b, n in [(0.0, 1.0, 100_000), (-3.5, 2.25, 1001), (1.0, 0.0, 7), (0.0, 1e300, 9)]:
        assert recipes.integrate(native.sin, a, b, n) == midpoint(math.sin, a, b, n)
        assert recipes.integrate(native.square, a, b, n) == midpoint(square, a, b, n)
    # A submodule, not a recipe: the top level still exposes exactly the seven recipes.
    assert len(recipes.__all__) == 7
    assert "native_integrands" not in recipes.__all__


def test_a_native_integrand_runs_no_python_per_point(recipes):
    def python_calls_during(call):
        count = 0

        def profile(frame, event, arg):
            nonlocal count
            count += event == "call"  # a Python function starts

        sys.setprofile(profile)
        try:
            call()
        finally:
            sys.setprofile(None)
        return count

    n = 10_000
    assert python_calls_during(lambda: recipes.integrate(recipes.native_integrands.sin, 0.0, 1.0, n)) < 20
    assert python_calls_during(lambda: recipes.integrate(square, 0.0, 1.0, n)) >= n


def test_function_pointers_of_another_type_are_ordinary_callables():
    # Only the header's integrand type goes to the library as a pointer; a C function of
    # another type is still a Python callable (cffi and ctypes can call it), and is called as one.
    import recipes_ctypes

    ctypes_one_argument = CFUNCTYPE(c_double, c_double)(math.sin)
    assert recipes_ctypes.integrate(ctypes_one_argument, 0.0, 1.0, 100) == midpoint(math.sin, 0.0, 1.0, 100)


@pytest.mark.cffi
def test_cffi_function_pointers_of_another_type_are_ordinary_callables():
    import recipes_cffi
    from recipes_cffi._native import ffi

    one_argument = ffi.callback("double(double)", math.sin)
    assert recipes_cffi.integrate(one_argument, 0.0, 1.0, 100) == midpoint(math.sin, 0.0, 1.0, 100)
    # cffi caches C types process-wide: an ABI-mode pointer is the same type as API mode's.
    import recipes_cffi_abi

    assert recipes_cffi.integrate(recipes_cffi_abi.native_integrands.sin, 0.0, 1.0, 9) == midpoint(math.sin, 0.0, 1.0, 9)


# --8<-- [start:failure_mode]
@pytest.mark.cffi
def test_the_failure_mode_a_naive_cffi_callback(monkeypatch):
    # Without onerror, cffi reports the exception as "unraisable" (printed on stderr), makes
    # the callback return 0, and the library, which has no idea, carries on.
    from recipes_cffi._native import ffi, lib

    reported = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)
    calls = []

    def f(x, context):
        calls.append(x)
        raise ValueError("lost")

    result = ffi.new("double *")
    naive = ffi.callback("recipes_integrand", f)
    status = lib.recipes_integrate(naive, ffi.NULL, 0.0, 1.0, 4, ffi.NULL, ffi.NULL, result)
    assert status == lib.RECIPES_OK  # "success"
    assert result[0] == 0.0  # the sum of four zeros
    assert len(calls) == 4  # f was called again after it failed, every time
    assert [str(report.exc_value) for report in reported] == ["lost"] * 4
    assert reported[0].err_msg.startswith("Exception ignored from cffi callback")


def test_the_failure_mode_a_naive_ctypes_callback(monkeypatch):
    # ctypes does the same, and the C caller gets whatever was in the return register.
    import recipes_ctypes

    reported = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)
    calls = []

    def f(x, context):
        calls.append(x)
        raise ValueError("lost")

    result = c_double()
    naive = recipes_ctypes.Integrand(f)
    status = recipes_ctypes._integrate(naive, None, 0.0, 1.0, 4, recipes_ctypes._NO_HOOK, None, byref(result))
    assert status == 0  # RECIPES_OK, and result.value is garbage
    assert len(calls) == 4
    assert [str(report.exc_value) for report in reported] == ["lost"] * 4
    # (3.13 and later append the callback's repr)
    assert reported[0].err_msg.startswith("Exception ignored on calling ctypes callback function")


def test_the_fix_the_same_exception_after_the_call_and_no_further_call(recipes):
    calls = []
    error = ValueError("from f")

    def f(x):
        calls.append(x)
        if len(calls) == 3:
            raise error
        return x

    with pytest.raises(ValueError, match=r"^from f$") as caught:
        recipes.integrate(f, 0.0, 1.0, 10)
    assert caught.value is error  # the very object f raised
    assert f.__code__ in frames(caught.value.__traceback__)  # with f's frame in its traceback
    assert len(calls) == 3  # and f was not called again
# --8<-- [end:failure_mode]


@pytest.mark.parametrize("exception", [KeyboardInterrupt(), SystemExit(3), StopIteration(), GeneratorExit()])
def test_base_exceptions_come_back_unchanged(recipes, exception):
    def f(x):
        raise exception

    with pytest.raises(type(exception)) as caught:
        recipes.integrate(f, 0.0, 1.0, 5)
    assert caught.value is exception


@pytest.mark.parametrize(("bad", "kind"), [("1.0", TypeError), (None, TypeError), (1j, TypeError), (10**400, OverflowError)])
def test_a_result_that_is_not_a_real_number_stops_the_loop(recipes, bad, kind):
    calls = []

    def f(x):
        calls.append(x)
        return bad if len(calls) == 2 else x

    with pytest.raises(kind):
        recipes.integrate(f, 0.0, 1.0, 10)
    assert len(calls) == 2


def test_after_a_failure_the_next_call_starts_clean(recipes):
    def failing(x):
        raise ValueError("failing")

    for _ in range(3):
        with pytest.raises(ValueError, match="failing"):
            recipes.integrate(failing, 0.0, 1.0, 10)
        assert recipes.integrate(square, 0.0, 1.0, 10) == midpoint(square, 0.0, 1.0, 10)


def test_nested_integrals_and_other_recipes_from_f(recipes):
    def inner(y):
        return recipes.integrate(lambda x: x * y + recipes.fib(10), 0.0, 1.0, 20)

    assert recipes.integrate(inner, 0.0, 2.0, 20) == midpoint(
        lambda y: midpoint(lambda x: x * y + 55, 0.0, 1.0, 20), 0.0, 2.0, 20
    )
    # An exception from the inner integral's f crosses both calls, unchanged.
    error = LookupError("deep")

    def raising(x):
        raise error

    with pytest.raises(LookupError) as caught:
        recipes.integrate(lambda y: recipes.integrate(raising, 0.0, 1.0, 3), 0.0, 1.0, 3)
    assert caught.value is error
    assert raising.__code__ in frames(caught.value.__traceback__)


def test_eight_threads_each_get_their_own_results_and_exceptions(recipes):
    results, failures = {}, []
    start = threading.Barrier(8)

    def work(k):
        start.wait()
        for _ in range(20):
            value = recipes.integrate(lambda x: x * k, 0.0, 1.0, 200)
            if value != midpoint(lambda x: x * k, 0.0, 1.0, 200):
                failures.append(("value", k))
            error = ValueError(k)

            def f(x, error=error):
                raise error

            try:
                recipes.integrate(f, 0.0, 1.0, 200)
            except ValueError as caught:
                if caught is not error:
                    failures.append(("exception", k))
        results[k] = value

    workers = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    assert len(results) == 8


def test_a_failed_call_keeps_nothing_alive(recipes):
    # Nothing may hold the exception (and through its traceback, the frames and f) once the
    # caller drops it: not a per-thread slot, not a reference cycle left for the collector.
    class Dropped(Exception):  # a class of our own: built-in exceptions take no weak references
        pass

    def f(x):
        raise Dropped

    before = sys.getrefcount(f)
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            try:
                recipes.integrate(f, 0.0, 1.0, 5)
            except Dropped as caught:
                gone = weakref.ref(caught)
            assert gone() is None  # freed by reference counting alone
        recipes.integrate(square, 0.0, 1.0, 5)
    finally:
        gc.enable()
    assert sys.getrefcount(f) == before  # the cffi handle (or the ctypes closure) let go of f

"""integrate: calling a Python function back from Rust, and Ctrl-C in fib_recursive.

What is particular to PyO3: `f.call1((x,))` returns `PyResult`, so the exception f raised travels
back through the Rust core as a `PyErr` and is restored unchanged; `unwrap()` instead would turn
it into a `PanicException` (the demos below). `py.check_signals()` is PyO3's wrapper of
`PyErr_CheckSignals`. Every test runs against both builds (conftest.py).
"""

import gc
import math
import os
import signal
import subprocess
import sys
import textwrap
import time
from fractions import Fraction

import pytest
from test_panic import panic_exception_type


class Boom(Exception):
    pass


def frames(exc):
    tb, codes = exc.__traceback__, []
    while tb is not None:
        codes.append(tb.tb_frame.f_code)
        tb = tb.tb_next
    return codes


def test_known_values(recipes):
    assert recipes.integrate(lambda x: x * x, 0.0, 1.0, 4) == 0.328125
    assert recipes.integrate(lambda x: 2 * x + 1, 0, 2, 8) == 6.0  # ints in, ints from f: all fine
    assert recipes.integrate(lambda x: Fraction(1, 2), 0.0, 1.0, 3) == 0.5
    assert math.isclose(recipes.integrate(math.sin, 0.0, math.pi, 1000), 2.0, rel_tol=1e-6)


def test_f_gets_exact_floats_in_order(recipes):
    seen = []
    recipes.integrate(lambda x: seen.append(x) or 0.0, -1.0, 3.0, 8)
    assert seen == [-0.75, -0.25, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75]
    assert all(type(x) is float for x in seen)


@pytest.mark.parametrize("raised", [Boom("from f"), KeyboardInterrupt(), SystemExit(2), StopIteration("f")])
def test_what_f_raises_comes_out_unchanged_and_f_is_not_called_again(recipes, raised):
    calls = []

    def f(x):
        calls.append(x)
        if len(calls) == 3:
            raise raised
        return x

    with pytest.raises(BaseException) as caught:  # noqa: PT011 - identity is checked below
        recipes.integrate(f, 0.0, 1.0, 100)
    assert caught.value is raised  # the same object, not a copy or a PanicException
    assert f.__code__ in frames(caught.value)  # f's frame is still in its traceback
    assert len(calls) == 3


@pytest.mark.parametrize(
    ("result", "error", "message"),
    [
        ("1.0", TypeError, "must be real number, not str"),
        (None, TypeError, "must be real number, not NoneType"),
        (10**400, OverflowError, r"^int too large to convert to float$"),
    ],
)
def test_a_result_float_refuses_stops_the_loop(recipes, result, error, message):
    # extract::<f64>() is PyFloat_AsDouble, as for ewma's alpha: CPython's own errors.
    calls = []
    with pytest.raises(error, match=message):
        recipes.integrate(lambda x: calls.append(x) or result, 0.0, 1.0, 10)
    assert len(calls) == 1


def test_argument_errors_in_the_contracts_order(recipes):
    with pytest.raises(TypeError, match=r"^integrate\(\) f must be callable, not int"):
        recipes.integrate(1, "not a number", 1.0, 0)
    with pytest.raises(TypeError, match="must be real number, not str"):
        recipes.integrate(math.sin, "0", 1.0, 3)
    # (not `$`: pytest matches the notes too, and PyO3 adds "while processing 'b'")
    with pytest.raises(OverflowError, match=r"^int too large to convert to float"):
        recipes.integrate(math.sin, 0.0, 10**400, 3)
    with pytest.raises(TypeError):
        recipes.integrate(math.sin, 0.0, 1.0, 3.0)
    with pytest.raises(OverflowError, match=r"^integrate\(\) n must fit in signed 64 bits$"):
        recipes.integrate(math.sin, 0.0, 1.0, 2**63)
    for n in (0, -1, -(2**63), -(10**30)):  # below i64: saturated, and the core says >= 1
        with pytest.raises(ValueError, match=r"^integrate\(\) n must be >= 1$"):
            recipes.integrate(math.sin, 0.0, 1.0, n)
    with pytest.raises(TypeError, match="positional-only"):
        recipes.integrate(math.sin, 0.0, 1.0, n=3)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="add_note is 3.11+")
def test_a_bound_conversion_error_gets_pyo3s_note(recipes):
    # PyO3 converts typed parameters itself and notes which one failed (since 0.29), on the
    # exception object, which is otherwise passed on unchanged.
    with pytest.raises(TypeError) as caught:
        recipes.integrate(math.sin, 0.0, "1", 3)
    assert caught.value.__notes__ == ["while processing 'b'"]


def test_nested_integrals(recipes):
    outer = recipes.integrate(lambda y: recipes.integrate(lambda x: x * y, 0.0, 1.0, 10), 0.0, 2.0, 10)
    assert outer == pytest.approx(1.0)


def test_argument_and_result_references_are_released(recipes):
    result = Fraction(1, 3)
    kept = []

    def f(x):
        kept.append(x)
        return result

    before = sys.getrefcount(result)
    recipes.integrate(f, 0.0, 1.0, 1000)
    assert sys.getrefcount(result) == before
    last = kept.pop()
    assert sys.getrefcount(last) == 2  # `last` and getrefcount's argument: nothing else holds it
    raised = Boom("kept by the test only")

    def g(x):
        raise raised

    for _ in range(1000):
        with pytest.raises(Boom):
            recipes.integrate(g, 0.0, 1.0, 5)
    raised.__traceback__ = None  # the traceback holds this frame, which holds `raised`
    gc.collect()
    assert sys.getrefcount(raised) == 2


def test_a_panic_exception_from_f_comes_back_as_a_new_one(recipes, native, capfd):
    # The one exception that does not come out as the same object. PyO3's PyErr::fetch (under
    # call1) sees pyo3_runtime.PanicException and resumes the panic in Rust, on the grounds
    # that it began as one; integrate's own boundary catches it again and raises a new
    # PanicException with the same message. It prints the Python traceback on the way.
    panic_type = panic_exception_type(native)
    raised = panic_type("made in Python")
    calls = []

    def f(x):
        calls.append(x)
        raise raised

    with pytest.raises(panic_type, match=r"^made in Python$") as caught:
        recipes.integrate(f, 0.0, 1.0, 10)
    assert caught.value is not raised
    assert len(calls) == 1
    assert "PyO3 is resuming a panic" in capfd.readouterr().err


# ---- the failure modes integrate avoids (src/demos.rs) ----


def test_unwrap_turns_the_exception_into_a_panic_exception(native):
    boom = Boom("from f")

    def f(x):
        raise boom

    panic_type = panic_exception_type(native)
    with pytest.raises(panic_type, match=r"called `Result::unwrap\(\)` on an `Err` value") as caught:
        native._call_unwrap_demo(f, 0.5)
    assert caught.value is not boom
    assert caught.value.__context__ is None  # boom is gone
    assert caught.value.__cause__ is None
    assert native._call_unwrap_demo(lambda x: x * 2, 0.5) == 1.0


def test_unwrap_or_swallows_the_exception(native):
    def f(x):
        raise KeyboardInterrupt  # even this is lost

    assert math.isnan(native._call_or_nan_demo(f, 0.5))
    assert math.isnan(native._call_or_nan_demo(lambda x: "not a number", 0.5))
    assert native._call_or_nan_demo(lambda x: x + 1, 0.5) == 1.5


# ---- Ctrl-C in fib_recursive ----


class Stop(Exception):
    pass


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="POSIX interval timers")
def test_a_signal_handler_interrupts_fib_recursive(recipes):
    # SIGALRM from an interval timer: the kernel delivers it, no thread needs the GIL (which
    # fib_recursive holds). py.check_signals() runs the handler inside the call, and the
    # exception the handler raises comes out of fib_recursive(60), hours of work otherwise.
    def handler(signum, frame):
        raise Stop("from the SIGALRM handler")

    previous = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        with pytest.raises(Stop, match="from the SIGALRM handler"):
            recipes.fib_recursive(60)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert recipes.fib_recursive(30) == 832040  # and the next call is unaffected


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_raises_keyboard_interrupt(recipes):
    code = textwrap.dedent(
        f"""
        import {recipes.__name__} as recipes
        print("ready", flush=True)
        try:
            recipes.fib_recursive(60)
        except KeyboardInterrupt:
            print("KeyboardInterrupt", flush=True)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.2)
        os.kill(child.pid, signal.SIGINT)
        out, _ = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert out.strip() == "KeyboardInterrupt"
    assert child.returncode == 0

"""integrate: calling a Python function back from Rust, and Ctrl-C in fib_recursive.

What is particular to rust-cpython: `f.call(py, (x,), None)` returns `PyResult`, so the
exception f raised travels back through the Rust core as a `PyErr` and is restored unchanged;
`unwrap()` instead would turn it into a `SystemError` (the demos below). rust-cpython has no
wrapper for `PyErr_CheckSignals`, so fib_recursive calls it through the crate's `ffi` module.
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

import recipes_rust_cpython as r
from recipes_rust_cpython import _native


class Boom(Exception):
    pass


def frames(exc):
    tb, codes = exc.__traceback__, []
    while tb is not None:
        codes.append(tb.tb_frame.f_code)
        tb = tb.tb_next
    return codes


def test_known_values():
    assert r.integrate(lambda x: x * x, 0.0, 1.0, 4) == 0.328125
    assert r.integrate(lambda x: 2 * x + 1, 0, 2, 8) == 6.0  # ints in, ints from f: all fine
    assert r.integrate(lambda x: Fraction(1, 2), 0.0, 1.0, 3) == 0.5
    assert math.isclose(r.integrate(math.sin, 0.0, math.pi, 1000), 2.0, rel_tol=1e-6)


def test_f_gets_exact_floats_in_order():
    seen = []
    r.integrate(lambda x: seen.append(x) or 0.0, -1.0, 3.0, 8)
    assert seen == [-0.75, -0.25, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75]
    assert all(type(x) is float for x in seen)


@pytest.mark.parametrize("raised", [Boom("from f"), KeyboardInterrupt(), SystemExit(2), StopIteration("f")])
def test_what_f_raises_comes_out_unchanged_and_f_is_not_called_again(raised):
    calls = []

    def f(x):
        calls.append(x)
        if len(calls) == 3:
            raise raised
        return x

    with pytest.raises(BaseException) as caught:  # noqa: PT011 - identity is checked below
        r.integrate(f, 0.0, 1.0, 100)
    assert caught.value is raised  # the same object, not a copy or a SystemError
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
def test_a_result_float_refuses_stops_the_loop(result, error, message):
    # extract::<f64>() is PyFloat_AsDouble, as for ewma's alpha: CPython's own errors.
    calls = []
    with pytest.raises(error, match=message):
        r.integrate(lambda x: calls.append(x) or result, 0.0, 1.0, 10)
    assert len(calls) == 1


def test_argument_errors_in_the_contracts_order():
    with pytest.raises(TypeError, match=r"^integrate\(\) f must be callable, not int$"):
        r.integrate(1, "not a number", 1.0, 0)
    with pytest.raises(TypeError, match="must be real number, not str"):
        r.integrate(math.sin, "0", 1.0, 3)
    with pytest.raises(OverflowError, match=r"^int too large to convert to float$"):
        r.integrate(math.sin, 0.0, 10**400, 3)
    with pytest.raises(TypeError):
        r.integrate(math.sin, 0.0, 1.0, 3.0)
    with pytest.raises(OverflowError, match=r"^integrate\(\) n must fit in signed 64 bits$"):
        r.integrate(math.sin, 0.0, 1.0, 2**63)
    for n in (0, -1, -(2**63), -(10**30)):  # below i64: saturated, and the core says >= 1
        with pytest.raises(ValueError, match=r"^integrate\(\) n must be >= 1$"):
            r.integrate(math.sin, 0.0, 1.0, n)
    with pytest.raises(TypeError, match="takes no keyword arguments"):
        r.integrate(math.sin, 0.0, 1.0, n=3)


def test_nested_integrals():
    inner = r.integrate(lambda y: r.integrate(lambda x: x * y, 0.0, 1.0, 10), 0.0, 2.0, 10)
    assert inner == pytest.approx(1.0)


def test_argument_and_result_references_are_released():
    # The argument float is released with its 1-tuple after the call; the result reference
    # goes back with release_ref. Neither may stay behind.
    result = Fraction(1, 3)
    kept = []

    def f(x):
        kept.append(x)
        return result

    before = sys.getrefcount(result)
    r.integrate(f, 0.0, 1.0, 1000)
    assert sys.getrefcount(result) == before
    last = kept.pop()
    assert sys.getrefcount(last) == 2  # `last` and getrefcount's argument: nothing else holds it
    raised = Boom("kept by the test only")

    def g(x):
        raise raised

    for _ in range(1000):
        with pytest.raises(Boom):
            r.integrate(g, 0.0, 1.0, 5)
    raised.__traceback__ = None  # the traceback holds this frame, which holds `raised`
    gc.collect()
    assert sys.getrefcount(raised) == 2


# ---- the failure modes integrate avoids (src/demos.rs) ----


def test_unwrap_turns_the_exception_into_a_system_error():
    boom = Boom("from f")

    def f(x):
        raise boom

    with pytest.raises(SystemError, match=r"Rust panic: called `Result::unwrap\(\)` on an `Err` value") as caught:
        _native.call_unwrap_demo(f, 0.5)
    assert caught.value is not boom
    assert caught.value.__context__ is None  # boom is gone
    assert caught.value.__cause__ is None
    assert _native.call_unwrap_demo(lambda x: x * 2, 0.5) == 1.0


def test_unwrap_or_swallows_the_exception():
    def f(x):
        raise KeyboardInterrupt  # even this is lost

    assert math.isnan(_native.call_or_nan_demo(f, 0.5))
    assert math.isnan(_native.call_or_nan_demo(lambda x: "not a number", 0.5))
    assert _native.call_or_nan_demo(lambda x: x + 1, 0.5) == 1.5


# ---- Ctrl-C in fib_recursive ----


class Stop(Exception):
    pass


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="POSIX interval timers")
def test_a_signal_handler_interrupts_fib_recursive():
    # SIGALRM from an interval timer: the kernel delivers it, no thread needs the GIL (which
    # fib_recursive holds). PyErr_CheckSignals runs the handler inside the call, and the
    # exception the handler raises comes out of fib_recursive(60), hours of work otherwise.
    def handler(signum, frame):
        raise Stop("from the SIGALRM handler")

    previous = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        started = time.monotonic()
        with pytest.raises(Stop, match="from the SIGALRM handler"):
            r.fib_recursive(60)
        assert time.monotonic() - started < 30  # generous: any end at all proves the check
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert r.fib_recursive(30) == 832040  # and the next call is unaffected


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_raises_keyboard_interrupt():
    code = textwrap.dedent(
        """
        import recipes_rust_cpython as r
        print("ready", flush=True)
        try:
            r.fib_recursive(60)
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

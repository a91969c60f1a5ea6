"""Ctrl-C during a long call into the library: fib_recursive(60) would run for hours.

The library asks a stop hook every few milliseconds (RECIPES_FIB_CHECK_FROM_N); the front
ends' hook is a callback into Python, where the signal handler runs. Each test runs a fresh
interpreter, sends it SIGINT, and reads how it ended.
"""

import os
import signal
import subprocess
import sys
import textwrap
import threading

import pytest

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGINT") or os.name != "posix", reason="POSIX signals")

FRONT_ENDS = [
    pytest.param("recipes_cffi", marks=pytest.mark.cffi),
    pytest.param("recipes_cffi_abi", marks=pytest.mark.cffi),
    "recipes_ctypes",
]


def run(code):
    """Run `code` in a new interpreter; return its stdout, its stderr and its exit status."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60, check=False
    )
    return done.stdout, done.stderr, done.returncode


@pytest.mark.parametrize("module", FRONT_ENDS)
def test_ctrl_c_stops_fib_recursive_with_keyboard_interrupt(module):
    out, err, status = run(f"""
        import os, signal, threading, time
        import {module} as recipes
        recipes.fib_recursive(25)  # imports and first calls done before the clock starts
        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT)).start()
        started = time.perf_counter()
        try:
            recipes.fib_recursive(60)
        except KeyboardInterrupt as error:
            print(round(time.perf_counter() - started, 3))
            print(type(error.__traceback__).__name__)
    """)
    assert status == 0, err
    seconds, traceback = out.split()
    assert float(seconds) < 0.5  # 0.2 s until the signal, then a few milliseconds
    assert traceback == "traceback"
    assert "Exception ignored" not in err  # nothing printed and lost on the way


@pytest.mark.parametrize("module", FRONT_ENDS)
def test_the_handlers_own_exception_propagates(module):
    out, err, status = run(f"""
        import os, signal, threading
        import {module} as recipes

        class Mine(RuntimeError):
            pass

        raised = []

        def handler(signum, frame):
            raised.append(Mine("from the handler"))
            raise raised[0]

        signal.signal(signal.SIGINT, handler)
        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT)).start()
        try:
            recipes.fib_recursive(60)
        except Mine as error:
            codes, traceback = [], error.__traceback__
            while traceback is not None:
                codes.append(traceback.tb_frame.f_code)
                traceback = traceback.tb_next
            print(error is raised[0], handler.__code__ in codes)
    """)
    assert status == 0, err
    assert out.split() == ["True", "True"]


@pytest.mark.parametrize("module", FRONT_ENDS)
def test_ctrl_c_stops_integrate_over_a_builtin(module):
    # math.sin runs no bytecode: the only Python code per point is the front end's callback,
    # so the handler raises at its entry. cffi's onerror and the ctypes front end's
    # unraisable hook must both catch that.
    out, err, status = run(f"""
        import math, os, signal, threading, time
        import {module} as recipes
        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT)).start()
        started = time.perf_counter()
        try:
            recipes.integrate(math.sin, 0.0, 1.0, 10**12)
        except KeyboardInterrupt:
            print(round(time.perf_counter() - started, 3))
    """)
    assert status == 0, err
    assert float(out) < 0.5
    assert "Exception ignored" not in err


@pytest.mark.parametrize("module", FRONT_ENDS)
def test_fib_recursive_from_another_thread(module):
    # Signal handlers only run on the main thread; elsewhere the call just runs.
    recipes = pytest.importorskip(module)
    results = []
    worker = threading.Thread(target=lambda: results.append(recipes.fib_recursive(31)))
    worker.start()
    worker.join()
    assert results == [1346269]


def test_the_failure_mode_a_naive_ctypes_hook_loses_ctrl_c():
    # The obvious ctypes hook, a CFUNCTYPE around a Python function with a try inside, is not
    # enough: a signal that arrived during the C call is handled at the function's first
    # instruction, before the try. ctypes prints that KeyboardInterrupt and returns garbage
    # (or 0) to the library: Ctrl-C is lost (fib_recursive(40) runs to its end, or stops
    # with a status that says nothing about why).
    out, err, status = run("""
        import ctypes, os, signal, threading
        import recipes_ctypes

        @recipes_ctypes.recipes_stop_hook
        def naive_hook(context):
            try:
                return 0
            except KeyboardInterrupt:
                return 1  # never reached: the exception is raised before the try

        result = ctypes.c_uint64()
        threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGINT)).start()
        status = recipes_ctypes._fib_recursive(40, naive_hook, None, ctypes.byref(result))
        print("returned", status)
    """)
    if sys.version_info < (3, 11):
        # On 3.10 (seen with `nox -s matrix`) this hook never runs the handler: the signal waits
        # until the C call has run to its end and is raised after it, at the call's line (14)
        assert status != 0, err
        assert "line 14" in err, err
        assert "KeyboardInterrupt" in err, err
        assert not out, out
        return
    assert status == 0, err  # the process did not end with KeyboardInterrupt
    assert out.startswith("returned")
    assert "Exception ignored on calling ctypes callback function" in err
    assert "KeyboardInterrupt" in err

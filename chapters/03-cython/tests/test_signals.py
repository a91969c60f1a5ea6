"""Ctrl-C in fib_recursive: the core asks a "should I stop?" hook, the binding's hook runs
Python's signal handlers (PyErr_CheckSignals), and the binding raises what a handler raised.

Each test runs fib_recursive(60), which would take hours, in a child process and interrupts it.
The child prints what it caught; the timeouts are there only so that a broken check fails the
test instead of hanging it. The untyped module holds the GIL for the whole call, so a thread of
the child could not even send the signal: the parent sends it.
"""

import signal
import subprocess
import sys
import textwrap
import threading

import pytest

import recipes_cython
from recipes_cython import _pitfalls

MODULE_NAMES = ["recipes_cython", "recipes_cython.untyped"]


def interrupt_child(code, signal_after=0.2):
    """Run `code` in a child process, which prints "ready" when it starts the long call, send
    it SIGINT `signal_after` seconds later (None: the child sends its own), and return what
    the child printed after that."""
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout.readline() == "ready\n"
        if signal_after is not None:
            threading.Event().wait(signal_after)
            child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=30)
    finally:
        child.kill()
        child.wait()
    return out, err


@pytest.mark.parametrize("module_name", MODULE_NAMES)
def test_sigint_raises_keyboard_interrupt(module_name):
    out, err = interrupt_child(f"""
        import {module_name} as m
        print("ready", flush=True)
        try:
            m.fib_recursive(60)
        except KeyboardInterrupt:
            print("KeyboardInterrupt")
    """)
    assert out == "KeyboardInterrupt\n", err


@pytest.mark.parametrize("module_name", MODULE_NAMES)
def test_what_the_handler_raises_propagates(module_name):
    out, err = interrupt_child(f"""
        import signal
        import {module_name} as m

        class Stop(Exception):
            pass

        raised = Stop("from the handler")

        def handler(signum, frame):
            raise raised

        signal.signal(signal.SIGINT, handler)
        print("ready", flush=True)
        try:
            m.fib_recursive(60)
        except Stop as caught:
            codes = []
            tb = caught.__traceback__
            while tb is not None:
                codes.append(tb.tb_frame.f_code)
                tb = tb.tb_next
            print(caught is raised, handler.__code__ in codes)
    """)
    assert out == "True True\n", err


def test_the_typed_module_can_be_interrupted_by_its_own_thread():
    # The typed fib_recursive runs the core without the GIL (its hook takes it back to check),
    # so a threading.Timer in the same process gets to send the signal.
    out, err = interrupt_child("""
        import os, signal, threading
        import recipes_cython
        print("ready", flush=True)
        threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGINT)).start()
        try:
            recipes_cython.fib_recursive(60)
        except KeyboardInterrupt:
            print("KeyboardInterrupt")
    """, signal_after=None)
    assert out == "KeyboardInterrupt\n", err


def test_other_threads_are_not_interrupted():
    # Python runs signal handlers in the main thread only: elsewhere PyErr_CheckSignals()
    # returns 0 at once, and the hook says "go on".
    results = []
    thread = threading.Thread(target=lambda: results.append(recipes_cython.fib_recursive(32)))
    thread.start()
    thread.join()
    assert results == [2178309]


def test_pitfall_a_noexcept_hook_prints_ctrl_c_and_carries_on():
    # The hook without its try/except: the KeyboardInterrupt goes to sys.unraisablehook
    # ("Exception ignored in: ...") and the computation runs to the end.
    out, err = interrupt_child("""
        from recipes_cython import _pitfalls
        print("ready", flush=True)
        print(_pitfalls.fib_recursive_swallowing(40))
    """, signal_after=0.05)
    assert out == "102334155\n", err
    assert "Exception ignored" in err
    assert "KeyboardInterrupt" in err


def test_with_no_signal_the_hook_changes_nothing():
    assert [recipes_cython.fib_recursive(n) for n in (29, 30, 31)] == [514229, 832040, 1346269]
    assert _pitfalls.fib_recursive_swallowing(31) == 1346269
    with pytest.raises(OverflowError):
        recipes_cython.fib_recursive(94)

"""Ctrl-C: a long fib_recursive stops when a signal's handler raises.

The C handler CPython installs for SIGINT only sets a flag; the Python handler runs when
PyErr_CheckSignals() is called. The interpreter calls it between bytecodes, and none run
during a C call, so the core asks the binding's hook every few milliseconds, and the hook,
which runs without the GIL, takes it back to check. Each test runs in a child process of its
own: the signal goes to the child, never to pytest.
"""

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="os.kill(pid, SIGINT) is POSIX")

SIGNAL_AFTER = 0.2  # seconds into the call
ALLOWED_DELAY = 0.5  # from the signal to the exception


def run_child(code):
    """Run `code` in a fresh interpreter and return what it printed last."""
    child = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert child.returncode == 0, child.stdout + child.stderr
    return child.stdout.split()[-1]


def interrupt_during(call, handler="", expected="KeyboardInterrupt"):
    """Send SIGINT SIGNAL_AFTER seconds into `call` in a child; return seconds from signal to exception."""
    elapsed = run_child(f"""
        import os, signal, threading, time
        import recipes_capi
        {handler}
        threading.Timer({SIGNAL_AFTER}, os.kill, (os.getpid(), signal.SIGINT)).start()
        started = time.perf_counter()
        try:
            {call}
        except {expected}:
            print(time.perf_counter() - started)
        else:
            print("finished")
    """)
    assert elapsed != "finished"
    return float(elapsed) - SIGNAL_AFTER


def test_ctrl_c_stops_a_long_fib_recursive():
    # fib_recursive(60) would take hours; it releases the GIL, so the hook takes it back.
    assert interrupt_during("recipes_capi.fib_recursive(60)") < ALLOWED_DELAY


def test_the_handler_s_own_exception_propagates():
    handler = """
        def handler(signum, frame):
            raise RuntimeError("my handler")
        signal.signal(signal.SIGINT, handler)
    """
    assert interrupt_during("recipes_capi.fib_recursive(60)", handler, "RuntimeError") < ALLOWED_DELAY


def test_a_handler_that_returns_lets_the_call_go_on():
    # PyErr_CheckSignals() runs the handler and returns 0 if it did not raise: no stop.
    result = run_child("""
        import os, signal, threading
        import recipes_capi
        seen = []
        signal.signal(signal.SIGINT, lambda signum, frame: seen.append(signum))
        threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGINT)).start()
        value = recipes_capi.fib_recursive(44)  # about a second
        print(f"{value},{len(seen)}")
    """)
    assert result == "701408733,1"


def test_integrate_is_interrupted_through_f():
    # integrate needs no hook of its own: a Python f runs bytecode, which checks for signals.
    call = "recipes_capi.integrate(lambda x: x * x, 0.0, 1.0, 10**12)"
    assert interrupt_during(call) < ALLOWED_DELAY

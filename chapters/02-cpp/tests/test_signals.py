"""Ctrl-C: fib_recursive asks the binding "should I stop?" every few milliseconds of work.

The core takes a hook; each binding passes one that calls PyErr_CheckSignals, which runs the
Python handler of any signal that arrived, and unwinds if the handler raised. Each test runs in a
child process, so that a missing check shows up as a timeout, not as a test run that never ends.
The conformance suite times the same thing against the contract (KeyboardInterrupt within 0.5 s);
no test here asserts a duration.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and setitimer")

TIMEOUT = 120  # seconds; fib_recursive(60) runs for most of an hour if nothing stops it


def run_child(recipes, code: str) -> subprocess.CompletedProcess:
    script = f"import {recipes.__name__} as recipes\n" + textwrap.dedent(code)
    try:
        return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail("the signal did not stop fib_recursive: the hook never checked")


def test_ctrl_c_stops_fib_recursive(recipes):
    # A real SIGINT from outside, as a terminal sends it on Ctrl-C.
    child = subprocess.Popen(
        [sys.executable, "-c",
         f"import {recipes.__name__} as recipes; print('ready', flush=True); recipes.fib_recursive(60)"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "ready\n"
        child.send_signal(signal.SIGINT)  # arrives during the call, or just before it starts
        _, stderr = child.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        pytest.fail("SIGINT did not stop fib_recursive(60)")
    assert stderr.rstrip().endswith("KeyboardInterrupt"), stderr


def test_the_handlers_own_exception_propagates(recipes):
    # SIGALRM from a timer: no other thread needed, which matters here, because fib_recursive
    # holds the GIL and a threading.Timer in this process could never run to send a signal.
    done = run_child(recipes, """
        import signal

        class Stop(RuntimeError):
            pass

        stop = Stop("raised by the handler")

        def handler(signum, frame):
            raise stop

        signal.signal(signal.SIGALRM, handler)
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        try:
            recipes.fib_recursive(60)
        except Stop as caught:
            codes, tb = [], caught.__traceback__
            while tb is not None:
                codes.append(tb.tb_frame.f_code)
                tb = tb.tb_next
            print(caught is stop, handler.__code__ in codes)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]


def test_a_handler_that_returns_lets_the_call_finish(recipes):
    # A timer fires every 10 ms. The hook runs the handler each time it finds a new signal, and the
    # call carries on and returns the right value. Without the check the handler would run once,
    # after the call, however many signals arrived meanwhile (CPython keeps one flag per signal).
    done = run_child(recipes, """
        import signal

        runs = []
        signal.signal(signal.SIGALRM, lambda signum, frame: runs.append(signum))
        signal.setitimer(signal.ITIMER_REAL, 0.01, 0.01)
        result = recipes.fib_recursive(39)
        signal.setitimer(signal.ITIMER_REAL, 0)
        print(result, len(runs) > 1)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["63245986", "True"]


def test_signals_reach_the_main_thread_only(recipes):
    # Python runs signal handlers in the main thread only. In another thread PyErr_CheckSignals
    # returns 0, so fib_recursive there runs to the end although the signal arrived meanwhile (the
    # worker starts a 10 ms timer, and it has expired when the call returns), and the main thread
    # gets its KeyboardInterrupt only then, in join().
    done = run_child(recipes, """
        import signal, threading

        def work():
            signal.setitimer(signal.ITIMER_REAL, 0.01)
            value = recipes.fib_recursive(40)
            log.append((signal.getitimer(signal.ITIMER_REAL)[0] == 0.0, value))

        log = []
        signal.signal(signal.SIGALRM, signal.default_int_handler)  # raises KeyboardInterrupt
        worker = threading.Thread(target=work)
        try:
            worker.start()
            worker.join()
        except KeyboardInterrupt:
            worker.join()
            print("KeyboardInterrupt", *log[0])
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["KeyboardInterrupt", "True", "102334155"]

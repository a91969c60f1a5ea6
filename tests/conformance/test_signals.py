"""Ctrl-C: long native calls can be interrupted (docs/contract.md#signals).

A child interpreter starts `fib_recursive(60)` (hours of work) or a long `integrate` (of a
Python function, and of `math.sin`, which runs no bytecode), and the
test sends it SIGINT 0.2 s later, as a terminal's Ctrl-C would. The call must end with what the
signal handler raised, `KeyboardInterrupt` by default or the handler's own exception, within
0.5 s of the signal.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

DEADLINE = 0.5  # seconds from the signal to the exception, as the contract asks

CHILD = textwrap.dedent(
    """
    import importlib, json, math, signal, sys, time
    m = importlib.import_module({name!r})

    class Stop(Exception):
        pass

    def handler(signum, frame):
        raise Stop("raised by the SIGINT handler")

    if {custom_handler!r}:
        signal.signal(signal.SIGINT, handler)
    expected = Stop if {custom_handler!r} else KeyboardInterrupt
    print("ready", flush=True)
    try:
        {call}
    except expected:
        print(json.dumps({{"raised": expected.__name__, "at": time.monotonic()}}), flush=True)
        sys.exit(0)
    print(json.dumps({{"raised": None}}), flush=True)
    """
)

CALLS = {
    "fib_recursive(60)": "m.fib_recursive(60)",
    "integrate(lambda x: x, 0.0, 1.0, 10**12)": "m.integrate(lambda x: x, 0.0, 1.0, 10**12)",
    # a C built-in f runs no bytecode: only integrate's own check lets the signal in
    "integrate(math.sin, 0.0, 1.0, 10**12)": "m.integrate(math.sin, 0.0, 1.0, 10**12)",
}


@pytest.mark.timing
@pytest.mark.parametrize("custom_handler", [False, True], ids=["KeyboardInterrupt", "handler raises its own"])
@pytest.mark.parametrize("call", list(CALLS), ids=str)
def test_sigint_interrupts_a_long_call(impl_name, call, custom_handler):
    code = CHILD.format(name=impl_name, custom_handler=custom_handler, call=CALLS[call])
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as child:
        try:
            assert child.stdout.readline().strip() == "ready", child.stderr.read()
            time.sleep(0.2)  # well inside the long call
            sent = time.monotonic()
            os.kill(child.pid, signal.SIGINT)
            out, err = child.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            pytest.fail(f"{call} was still running 10 s after SIGINT: it never checks for signals")
    assert child.returncode == 0, f"the child did not raise what the handler raised (exit {child.returncode}):\n{err[-2000:]}"
    report = json.loads(out.strip().splitlines()[-1])
    delay = report["at"] - sent  # time.monotonic() is one clock for every process of the machine
    assert delay < DEADLINE, f"the call ended {delay:.3f} s after SIGINT, not within {DEADLINE} s"
    assert "Exception ignored" not in err, err

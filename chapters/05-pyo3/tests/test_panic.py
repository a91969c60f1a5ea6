"""What a Rust panic becomes in Python: pyo3_runtime.PanicException, a BaseException."""

import subprocess
import sys
import textwrap

import pytest


def test_panic_becomes_panic_exception(native):
    with pytest.raises(BaseException) as excinfo:
        native._panic_demo()
    panic = excinfo.value
    assert type(panic).__name__ == "PanicException"
    assert type(panic).__module__ == "pyo3_runtime"
    assert "on purpose" in str(panic)  # the panic message is carried over


def test_panic_exception_is_not_an_exception(native):
    # `except Exception` does not catch it, just as it does not catch KeyboardInterrupt: a bug
    # in native code is not an error condition for the caller to handle.
    with pytest.raises(BaseException) as excinfo:
        try:
            native._panic_demo()
        except Exception:  # noqa: BLE001 - the point is that this does NOT match
            pytest.fail("PanicException was caught by `except Exception`")
    assert not isinstance(excinfo.value, Exception)


def test_interpreter_survives_a_panic(recipes):
    # Uncaught, it ends the program with a traceback like any exception, not with an abort;
    # caught, the module keeps working.
    script = textwrap.dedent(
        f"""
        import {recipes.__name__}._native as native
        try:
            native._panic_demo()
        except BaseException as e:
            print(type(e).__name__)
        print(native.fib(10))
        native._panic_demo()
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["PanicException", "55"]
    assert result.returncode == 1  # an uncaught exception, not a signal (negative code)
    assert "pyo3_runtime.PanicException" in result.stderr
    assert "Traceback" in result.stderr

"""What a Rust panic becomes in Python: pyo3_runtime.PanicException, a BaseException."""

import subprocess
import sys
import textwrap

import pytest


def panic_exception_type(native):
    """pyo3_runtime.PanicException: the type of what _panic_demo() raises."""
    try:
        native._panic_demo()
    except BaseException as panic:  # whatever it is, the tests inspect it
        return type(panic)
    raise AssertionError("_panic_demo() returned")


def test_panic_becomes_panic_exception(native):
    with pytest.raises(panic_exception_type(native), match="on purpose") as excinfo:
        native._panic_demo()
    panic = excinfo.value
    assert type(panic).__name__ == "PanicException"
    assert type(panic).__module__ == "pyo3_runtime"
    assert "on purpose" in str(panic)  # the panic message is carried over


def test_panic_exception_is_not_an_exception(native):
    # `except Exception` does not catch it, just as it does not catch KeyboardInterrupt: a bug
    # in native code is not an error condition for the caller to handle.
    panic_type = panic_exception_type(native)
    assert issubclass(panic_type, BaseException)
    assert not issubclass(panic_type, Exception)
    with pytest.raises(panic_type):
        swallow_exceptions(native._panic_demo)


def swallow_exceptions(function):
    """Calls function() under an `except Exception:` handler, which a panic must get past."""
    try:
        function()
    except Exception:  # the point: this does NOT match a panic
        pytest.fail("PanicException was caught by `except Exception`")


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
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.stdout.split() == ["PanicException", "55"]
    assert result.returncode == 1  # an uncaught exception, not a signal (negative code)
    assert "pyo3_runtime.PanicException" in result.stderr
    assert "Traceback" in result.stderr

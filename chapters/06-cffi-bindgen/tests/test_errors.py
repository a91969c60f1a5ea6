"""Status codes become the exceptions CPython itself would raise, with the contract's words."""

import errno
import os
import re
from decimal import Decimal
from fractions import Fraction

import pytest

# Ints far beyond int64_t, and beyond the 4300 digits str() converts: no message may quote them.
HUGE = 10**5000

FIB_TOO_SMALL = "{}() argument must be >= 0"
FIB_TOO_BIG = "{}() argument must be <= 93: the result would not fit in 64 bits"
PI_RANGE = "calc_pi() digits must be between 0 and 10000"
N_NEGATIVE = "most_common() n must be >= 0"


def exactly(message):
    return f"^{re.escape(message)}$"


class Index:
    def __init__(self, value):
        self.value = value

    def __index__(self):
        return self.value


class BrokenIndex:
    def __index__(self):
        raise OverflowError("from __index__")


@pytest.mark.parametrize("name", ["fib", "fib_recursive"])
def test_fib_arguments(recipes, name):
    f = getattr(recipes, name)
    assert f(True) == 1
    assert f(Index(10)) == 55
    for bad in [1.0, "3", b"3", None, Decimal(3), Fraction(3)]:
        with pytest.raises(TypeError):
            f(bad)
    for negative in [-1, -(2**63), -(2**63) - 1, -(2**100), -HUGE, Index(-HUGE)]:
        with pytest.raises(ValueError, match=exactly(FIB_TOO_SMALL.format(name))):
            f(negative)
    # 2**64 + 5 would arrive in C as 5 if the front end let ctypes truncate it
    for too_big in [94, 2**63 - 1, 2**63, 2**64 + 5, 2**100, HUGE, Index(HUGE)]:
        with pytest.raises(OverflowError, match=exactly(FIB_TOO_BIG.format(name))):
            f(too_big)
    with pytest.raises(OverflowError, match="from __index__"):  # propagates unchanged
        f(BrokenIndex())
    with pytest.raises(TypeError):
        f(n=3)
    with pytest.raises(TypeError):
        f()
    with pytest.raises(TypeError):
        f(1, 2)


def test_messages_are_the_librarys_own(recipes):
    # The exception carries the library's message for this thread, word for word: no front
    # end words a range error itself. (Read here through ctypes: every front end shares the
    # one loaded library, and its per-thread message.)
    from recipes_ctypes import _last_error_message

    for call in [lambda: recipes.fib(-1), lambda: recipes.calc_pi(HUGE), lambda: recipes.LinearRecurrence([], [])]:
        with pytest.raises((ValueError, OverflowError)) as caught:
            call()
        assert str(caught.value) == _last_error_message().decode()


def header_define(name):
    """The value of a `#define NAME <integer>` in the installed recipes.h."""
    from recipes_clib import HEADER

    return int(re.search(rf"^#define {name} (\d+)", HEADER.read_text(), re.MULTILINE)[1])


def test_the_header_exports_the_limits_the_library_checks(recipes):
    fib_max_n, pi_max_digits = header_define("RECIPES_FIB_MAX_N"), header_define("RECIPES_PI_MAX_DIGITS")
    assert recipes.fib(fib_max_n) == 12200160415121876738
    with pytest.raises(OverflowError):
        recipes.fib(fib_max_n + 1)
    assert len(recipes.calc_pi(pi_max_digits)) == pi_max_digits + 2
    with pytest.raises(ValueError, match=exactly(PI_RANGE)):
        recipes.calc_pi(pi_max_digits + 1)


def test_calc_pi_range(recipes):
    for bad in [-1, 10001, 2**63, 2**64 + 4, 2**100, -(2**100), HUGE, -HUGE, Index(HUGE)]:
        with pytest.raises(ValueError, match=exactly(PI_RANGE)):
            recipes.calc_pi(bad)
    with pytest.raises(TypeError):
        recipes.calc_pi(4.0)


def test_recurrence_errors(recipes):
    recurrence = recipes.LinearRecurrence
    coefficients_range = exactly("LinearRecurrence coefficients must fit in signed 64 bits")
    initial_range = exactly("LinearRecurrence initial values must fit in signed 64 bits")
    with pytest.raises(TypeError):
        recurrence(5, [1])
    with pytest.raises(TypeError):
        recurrence([1.0], [1])
    for too_big in [2**63, -(2**63) - 1, HUGE, -HUGE, Index(HUGE)]:
        with pytest.raises(OverflowError, match=coefficients_range):
            recurrence([too_big], [1])
        with pytest.raises(OverflowError, match=initial_range):
            recurrence([1], [too_big])
    with pytest.raises(OverflowError, match=coefficients_range):  # element by element, in order
        recurrence([2**70, 1.5], [1, 1])
    with pytest.raises(OverflowError, match=coefficients_range):  # coefficients before initial values
        recurrence([2**63], [1.5])
    with pytest.raises(TypeError):  # both lists converted before the shape is checked
        recurrence([], [1.5])
    with pytest.raises(ValueError, match=exactly("LinearRecurrence needs at least one coefficient")):
        recurrence([], [])
    with pytest.raises(ValueError, match=exactly("LinearRecurrence needs at least one coefficient")):
        recurrence([], [1])
    expected = "LinearRecurrence needs as many initial values as coefficients (got 1 for 2)"
    with pytest.raises(ValueError, match=exactly(expected)):
        recurrence([1, 1], [1])


def test_recurrence_overflow_message(recipes):
    doubling = recipes.LinearRecurrence([2], [1])
    for _ in range(63):  # 1, 2, 4, ..., 2**62
        next(doubling)
    for _ in range(3):  # and it stays there
        with pytest.raises(OverflowError, match=exactly("the next term of this LinearRecurrence overflows signed 64 bits")):
            next(doubling)


def test_most_common_path_and_n(recipes, tmp_path):
    path = tmp_path / "w.txt"
    path.write_text("x")
    for bad_path in [b"w.txt", 3, None]:
        with pytest.raises(TypeError):
            recipes.most_common(bad_path, 1)
    with pytest.raises(TypeError):
        recipes.most_common(path, 1.0)
    for bad_n in [-1, -(2**100), -HUGE, Index(-HUGE)]:
        with pytest.raises(ValueError, match=exactly(N_NEGATIVE)):
            recipes.most_common(path, bad_n)
        with pytest.raises(ValueError, match=exactly(N_NEGATIVE)):  # n is checked before the file is opened
            recipes.most_common(tmp_path / "missing", bad_n)
    for huge_n in [HUGE, Index(HUGE)]:  # more than any file has: all of them
        assert recipes.most_common(path, huge_n) == [("x", 1)]
    with pytest.raises(ValueError, match="embedded null byte"):
        recipes.most_common(str(path) + "\0tail", 1)


@pytest.mark.parametrize(
    ("make_path", "exception", "code"),
    [
        (lambda tmp: tmp / "missing.txt", FileNotFoundError, errno.ENOENT),
        (lambda tmp: tmp, IsADirectoryError, errno.EISDIR),  # open() works, read() fails
    ],
)
def test_os_errors_are_the_ones_open_raises(recipes, tmp_path, make_path, exception, code):
    path = make_path(tmp_path)
    with pytest.raises(exception) as caught:
        recipes.most_common(path, 3)
    assert caught.value.errno == code
    assert caught.value.strerror == os.strerror(code)
    assert caught.value.filename == os.fspath(path)  # as open() reports it (docs/contract.md)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a file without read permission")
def test_permission_error(recipes, tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("x")
    path.chmod(0)
    with pytest.raises(PermissionError):
        recipes.most_common(path, 1)


@pytest.mark.parametrize(
    "data", [b"ok \xff", b"ok \xc3(", b"ok \xe2\x82", b"\xed\xa0\x80", "caf\xe9".encode() + b"\x80"]
)
def test_utf8_errors_match_bytes_decode(recipes, tmp_path, data):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(UnicodeDecodeError) as caught:
        recipes.most_common(path, 3)
    with pytest.raises(UnicodeDecodeError) as expected:
        data.decode("utf-8")
    got, want = caught.value, expected.value
    assert (got.encoding, got.start, got.end, got.reason) == (want.encoding, want.start, want.end, want.reason)

"""Status codes become the exceptions CPython itself would raise."""

import errno
import os
from decimal import Decimal
from fractions import Fraction

import pytest


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
    assert f(True) == 1 and f(Index(10)) == 55
    for bad in [1.0, "3", b"3", None, Decimal(3), Fraction(3)]:
        with pytest.raises(TypeError):
            f(bad)
    for negative in [-1, -(2**63), -(2**63) - 1, -(2**100)]:
        with pytest.raises(ValueError):
            f(negative)
    for too_big in [94, 2**63 - 1, 2**63, 2**64 + 5, 2**100]:  # 2**64 + 5 would be 5 if truncated
        with pytest.raises(OverflowError):
            f(too_big)
    with pytest.raises(OverflowError, match="from __index__"):  # propagates unchanged
        f(BrokenIndex())
    with pytest.raises(TypeError):
        f(n=3)
    with pytest.raises(TypeError):
        f()
    with pytest.raises(TypeError):
        f(1, 2)


def test_fib_message_comes_from_the_library(recipes):
    with pytest.raises(ValueError, match=r"^fib\(\) argument must be >= 0, got -1$"):
        recipes.fib(-1)


def test_calc_pi_range(recipes):
    for bad in [-1, 10001, 2**63, 2**64 + 4, 2**100, -(2**100)]:
        with pytest.raises(ValueError):
            recipes.calc_pi(bad)
    with pytest.raises(TypeError):
        recipes.calc_pi(4.0)


def test_recurrence_errors(recipes):
    LR = recipes.LinearRecurrence
    with pytest.raises(TypeError):
        LR(5, [1])
    with pytest.raises(TypeError):
        LR([1.0], [1])
    with pytest.raises(OverflowError):
        LR([2**63], [1])
    with pytest.raises(OverflowError):  # checked element by element, in order
        LR([2**70, 1.5], [1, 1])
    with pytest.raises(OverflowError):  # coefficients before initial values
        LR([2**63], [1.5])
    with pytest.raises(ValueError):
        LR([], [])
    with pytest.raises(ValueError):
        LR([1, 1], [1])


def test_most_common_path_and_n(recipes, tmp_path):
    path = tmp_path / "w.txt"
    path.write_text("x")
    for bad_path in [b"w.txt", 3, None]:
        with pytest.raises(TypeError):
            recipes.most_common(bad_path, 1)
    with pytest.raises(TypeError):
        recipes.most_common(path, 1.0)
    for bad_n in [-1, -(2**100)]:
        with pytest.raises(ValueError):
            recipes.most_common(path, bad_n)
    with pytest.raises(ValueError, match="embedded null byte"):
        recipes.most_common(str(path) + "\0tail", 1)


@pytest.mark.parametrize(
    "make_path, exception, code",
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
    assert caught.value.filename is path  # the argument itself, as open() keeps it


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

"""Error paths: the right exception, with its message or attributes, and nothing left behind.

The contract's own errors (docs/contract.md in the cookbook repository) carry the reference's
messages word for word, for ints of any size: beyond 64 bits, and beyond the 4300 digits that
str() of an int accepts.
"""

import errno
import gc
import os
import pathlib
import re
import sys

import numpy as np
import pytest
from helpers import HUGE, Index, message, short_id

from recipes_capi import (
    LinearRecurrence,
    calc_pi,
    ewma,
    fib,
    fib_recursive,
    most_common,
)


class BrokenIndex:
    def __index__(self):
        raise KeyError("from __index__")


@pytest.mark.parametrize("function", [fib, fib_recursive])
@pytest.mark.parametrize("bad", [-1, -(2**63), -(2**63) - 1, -(2**100), -HUGE], ids=short_id)
def test_fib_negative(function, bad):
    text = f"{function.__name__}() argument must be >= 0"
    with pytest.raises(ValueError, match=message(text)):
        function(bad)
    with pytest.raises(ValueError, match=message(text)):  # through __index__
        function(Index(bad))


@pytest.mark.parametrize("function", [fib, fib_recursive])
@pytest.mark.parametrize("bad", [94, 2**63, 2**64, 2**100, HUGE], ids=short_id)
def test_fib_too_large(function, bad):
    text = f"{function.__name__}() argument must be <= 93: the result would not fit in 64 bits"
    with pytest.raises(OverflowError, match=message(text)):
        function(bad)
    with pytest.raises(OverflowError, match=message(text)):
        function(Index(bad))


@pytest.mark.parametrize("function", [fib, fib_recursive])
def test_fib_argument_types(function):
    for bad in [1.0, "3", b"3", None]:
        with pytest.raises(TypeError):
            function(bad)
    assert function(True) == 1
    assert function(Index(10)) == 55
    with pytest.raises(KeyError, match="from __index__"):  # propagated unchanged
        function(BrokenIndex())
    with pytest.raises(TypeError):
        function()
    with pytest.raises(TypeError):
        function(1, 2)
    with pytest.raises(TypeError):
        function(n=3)


@pytest.mark.parametrize("bad", [-1, 10001, 2**63, 2**100, -(2**100), HUGE, -HUGE], ids=short_id)
def test_calc_pi_range(bad):
    text = "calc_pi() digits must be between 0 and 10000"
    with pytest.raises(ValueError, match=message(text)):  # never OverflowError, even for 2**100
        calc_pi(bad)
    with pytest.raises(ValueError, match=message(text)):
        calc_pi(Index(bad))


def test_calc_pi_argument_types():
    with pytest.raises(TypeError):
        calc_pi(3.0)
    with pytest.raises(TypeError):
        calc_pi(digits=3)


COEFFICIENTS_RANGE = "LinearRecurrence coefficients must fit in signed 64 bits"
INITIAL_RANGE = "LinearRecurrence initial values must fit in signed 64 bits"
EMPTY = "LinearRecurrence needs at least one coefficient"


@pytest.mark.parametrize(
    ("args", "error", "text"),
    [
        (([2**63], [1]), OverflowError, COEFFICIENTS_RANGE),
        (([-(2**63) - 1], [1]), OverflowError, COEFFICIENTS_RANGE),
        (([HUGE], [1]), OverflowError, COEFFICIENTS_RANGE),
        (([Index(-HUGE)], [1]), OverflowError, COEFFICIENTS_RANGE),
        (([1], [-(2**63) - 1]), OverflowError, INITIAL_RANGE),
        (([1], [HUGE]), OverflowError, INITIAL_RANGE),
        # the reference's order: every coefficient, every initial value, emptiness, lengths
        (([HUGE], "x"), OverflowError, COEFFICIENTS_RANGE),
        (([], [HUGE]), OverflowError, INITIAL_RANGE),
        (([1, 2], [-HUGE]), OverflowError, INITIAL_RANGE),
        (([], []), ValueError, EMPTY),
        (([], [1]), ValueError, EMPTY),
        (([1, 2], [1]), ValueError, "LinearRecurrence needs as many initial values as coefficients (got 1 for 2)"),
        (([1], [1, 2, 3]), ValueError, "LinearRecurrence needs as many initial values as coefficients (got 3 for 1)"),
    ],
)
def test_linear_recurrence_contract_errors(args, error, text):
    with pytest.raises(error, match=message(text)):
        LinearRecurrence(*args)


def test_linear_recurrence_overflow_message():
    it = LinearRecurrence([2], [2**62])
    assert next(it) == 2**62
    for _ in range(3):  # the same error on every later call
        with pytest.raises(OverflowError, match=message("the next term of this LinearRecurrence overflows signed 64 bits")):
            next(it)


def test_linear_recurrence_argument_types():
    for args, exception in [
        ((1, [1]), TypeError),
        (([1], 1), TypeError),
        (([1.0], [1]), TypeError),
        (([1, 2], [1.0]), TypeError),  # elements are checked before the lengths
        (([BrokenIndex()], [1]), KeyError),
        (([1],), TypeError),
    ]:
        with pytest.raises(exception):
            LinearRecurrence(*args)
    with pytest.raises(TypeError):
        LinearRecurrence(coefficients=[1], initial=[1])
    # Any iterable of index-able values, copied at construction:
    coefficients = [Index(1), True]
    it = LinearRecurrence(iter(coefficients), (x for x in [0, 1]))
    coefficients.clear()
    assert [next(it) for _ in range(5)] == [0, 1, 1, 2, 3]
    extremes = LinearRecurrence([0, 1], [-(2**63), 2**63 - 1])  # the full signed range fits
    assert [next(extremes) for _ in range(3)] == [-(2**63), 2**63 - 1, 2**63 - 1]


def test_most_common_argument_errors(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("a b", encoding="utf-8")
    for bad in [b"/tmp/x", 3, None, pathlib.PurePosixPath]:
        with pytest.raises(TypeError):
            most_common(bad, 1)
    with pytest.raises(TypeError):  # a PathLike whose __fspath__ gives bytes
        most_common(type("BytesPath", (), {"__fspath__": lambda self: b"/x"})(), 1)
    with pytest.raises(TypeError):
        most_common(path, 1.0)
    with pytest.raises(TypeError):  # the path is checked first
        most_common(None, -1)
    with pytest.raises(ValueError, match="null"):
        most_common(str(path) + "\0", 1)
    with pytest.raises(TypeError):
        most_common(path)
    with pytest.raises(TypeError):
        most_common(path=path, n=1)


@pytest.mark.parametrize("n", [-1, -(2**100), -HUGE], ids=short_id)
def test_most_common_negative_n(tmp_path, n):
    text = "most_common() n must be >= 0"
    missing = tmp_path / "missing.txt"
    with pytest.raises(ValueError, match=message(text)):  # checked before the file is opened
        most_common(missing, n)
    with pytest.raises(ValueError, match=message(text)):
        most_common(missing, Index(n))
    with pytest.raises(ValueError, match=message(text)):  # and before the file name is encoded
        most_common(str(missing) + "\0", n)


def test_most_common_huge_n_means_all(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("b a b", encoding="utf-8")
    assert most_common(path, HUGE) == most_common(path, Index(2**64)) == [("b", 2), ("a", 1)]


@pytest.mark.parametrize("as_path", [str, pathlib.Path])
def test_os_errors_are_the_ones_open_raises(tmp_path, as_path):
    missing = as_path(tmp_path / "missing.txt")
    with pytest.raises(FileNotFoundError) as info:
        most_common(missing, 1)
    assert info.value.errno == errno.ENOENT
    assert info.value.filename == os.fspath(missing)  # what open() reports
    assert info.value.strerror == os.strerror(errno.ENOENT)

    directory = as_path(tmp_path)
    expected = PermissionError if sys.platform == "win32" else IsADirectoryError
    with pytest.raises(expected) as info:
        most_common(directory, 1)
    with pytest.raises(expected) as from_open, open(directory, "rb") as f:
        f.read()
    assert (info.value.errno, info.value.filename) == (from_open.value.errno, from_open.value.filename)


@pytest.mark.skipif(
    sys.platform == "win32" or (hasattr(os, "geteuid") and os.geteuid() == 0),
    reason="root reads every file; Windows has no chmod 000",
)
def test_permission_error(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("x", encoding="utf-8")
    path.chmod(0)
    with pytest.raises(PermissionError) as info:
        most_common(path, 1)
    assert info.value.errno == errno.EACCES
    assert info.value.filename == str(path)


@pytest.mark.parametrize(
    "data",
    [
        b"\xff",
        b"caf\xc3",  # truncated at the end
        b"caf\xc3 x",  # bad continuation byte
        b"ok \xe0\x9f\x80",  # overlong
        b"ok \xed\xa0\x80",  # a surrogate
        b"ok \xf4\x90\x80\x80",  # above U+10FFFF
        b"ascii run of more than eight bytes \x80",
        "valid \U0001f600 then".encode() + b"\xc0\x80",
    ],
)
def test_invalid_utf8_reports_the_first_bad_byte(tmp_path, data):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(UnicodeDecodeError) as info:
        most_common(path, 1)
    with pytest.raises(UnicodeDecodeError) as expected:
        data.decode("utf-8")
    error, want = info.value, expected.value
    assert error.encoding == "utf-8"
    assert (error.start, error.end, error.reason) == (want.start, want.end, want.reason)


def rss_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux /proc")
def test_error_paths_free_their_c_buffers(tmp_path):
    # The file buffer is malloc'ed by the C core, invisible to tracemalloc: watch the
    # resident set size instead. 200 leaked megabyte buffers would be 200 MB.
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"word " * 200_000 + b"\xff")
    good = tmp_path / "good.txt"
    good.write_bytes(b"word other " * 100_000)

    def churn():
        for _ in range(100):
            with pytest.raises(UnicodeDecodeError):
                most_common(bad, 1)
            assert most_common(good, 1) == [("other", 100_000)]  # a tie: "other" < "word"

    churn()
    gc.collect()
    before = rss_bytes()
    churn()
    gc.collect()
    assert rss_bytes() - before < 50 * 1024 * 1024


ALPHA_RANGE = "ewma() alpha must be > 0 and <= 1"


class Real:
    def __init__(self, value):
        self.value = value

    def __float__(self):
        return self.value


@pytest.mark.parametrize(
    "alpha",
    [0, 0.0, -0.0, -1.0, -1, 1.0000000000000002, 2, float("nan"), float("inf"), -float("inf"), False,
     Real(1.5), Index(2), np.float64("nan"), 2**1023],
    ids=repr,
)
def test_ewma_alpha_range(alpha):
    with pytest.raises(ValueError, match=message(ALPHA_RANGE)):
        ewma(np.ones(3), alpha)


def test_ewma_alpha_conversion():
    values = np.array([1.0, 3.0])
    # float() of the argument, as PyFloat_AsDouble takes it: __float__, else __index__
    for alpha in [0.5, True, Real(0.5), Index(1), np.float32(0.5), np.int64(1)]:
        assert ewma(values, alpha).tolist() == [1.0, 3.0 * float(alpha) + (1.0 - float(alpha)) * 1.0]
    for bad in ["0.5", b"0.5", None, 0.5j, [0.5]]:  # never parsed from a string
        with pytest.raises(TypeError):
            ewma(values, bad)
    for huge in [HUGE, -HUGE, 2**1024, Index(2**1024)]:  # CPython's own error, even beyond str()'s limit
        with pytest.raises(OverflowError, match=message("int too large to convert to float")):
            ewma(values, huge)
    with pytest.raises(KeyError, match="from __index__"):  # propagated unchanged
        ewma(values, BrokenIndex())
    # -1.0 is a valid double and an error marker at once: only PyErr_Occurred tells
    with pytest.raises(ValueError, match=message(ALPHA_RANGE)):
        ewma(values, -1.0)


def test_ewma_checks_values_before_alpha():
    with pytest.raises(TypeError, match="float64"):  # the format, not the str alpha
        ewma(np.zeros(2, np.float32), "x")
    with pytest.raises(ValueError, match="one-dimensional"):
        ewma(np.zeros((2, 2)), 2.0)
    with pytest.raises(TypeError):  # no buffer at all: the buffer protocol's own TypeError
        ewma([1.0, 2.0], 2.0)


def test_ewma_argument_count_and_keywords():
    values = np.ones(2)
    with pytest.raises(TypeError, match=re.escape("ewma() takes exactly 2 arguments (1 given)")):
        ewma(values)
    with pytest.raises(TypeError, match=re.escape("ewma() takes exactly 2 arguments (3 given)")):
        ewma(values, 0.5, 1)
    with pytest.raises(TypeError, match="keyword"):
        ewma(values, alpha=0.5)

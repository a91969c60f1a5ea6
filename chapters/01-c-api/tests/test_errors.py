"""Error paths: the right exception, with its attributes, and nothing left behind."""

import errno
import gc
import os
import pathlib
import sys

import pytest

from recipes_capi import LinearRecurrence, calc_pi, fib, fib_recursive, most_common


class Index:
    def __init__(self, value):
        self.value = value

    def __index__(self):
        return self.value


class BrokenIndex:
    def __index__(self):
        raise KeyError("from __index__")


@pytest.mark.parametrize("function", [fib, fib_recursive])
def test_fib_argument_errors(function):
    for bad, exception in [
        (-1, ValueError), (-(2**100), ValueError), (94, OverflowError), (2**100, OverflowError),
        (1.0, TypeError), ("3", TypeError), (b"3", TypeError), (None, TypeError),
    ]:
        with pytest.raises(exception):
            function(bad)
    assert function(True) == 1 and function(Index(10)) == 55
    with pytest.raises(KeyError, match="from __index__"):  # propagated unchanged
        function(BrokenIndex())
    with pytest.raises(TypeError):
        function()
    with pytest.raises(TypeError):
        function(1, 2)
    with pytest.raises(TypeError):
        function(n=3)


def test_calc_pi_argument_errors():
    for bad in [-1, 10001, 2**100, -(2**100)]:
        with pytest.raises(ValueError):  # never OverflowError, even for 2**100
            calc_pi(bad)
    with pytest.raises(TypeError):
        calc_pi(3.0)
    with pytest.raises(TypeError):
        calc_pi(digits=3)


def test_linear_recurrence_argument_errors():
    for args, exception in [
        ((1, [1]), TypeError),
        (([1], 1), TypeError),
        (([1.0], [1]), TypeError),
        (([2**63], [1]), OverflowError),
        (([1], [-(2**63) - 1]), OverflowError),
        (([], []), ValueError),
        (([1, 2], [1]), ValueError),
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


def test_most_common_argument_errors(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("a b", encoding="utf-8")
    for bad in [b"/tmp/x", 3, None, pathlib.PurePosixPath]:
        with pytest.raises(TypeError):
            most_common(bad, 1)
    with pytest.raises(TypeError):  # a PathLike whose __fspath__ gives bytes
        most_common(type("BytesPath", (), {"__fspath__": lambda self: b"/x"})(), 1)
    for bad_n, exception in [(-1, ValueError), (-(2**100), ValueError), (1.0, TypeError)]:
        with pytest.raises(exception):
            most_common(path, bad_n)
    with pytest.raises(TypeError):  # the path is checked first
        most_common(None, -1)
    with pytest.raises(ValueError, match="null"):
        most_common(str(path) + "\0", 1)
    with pytest.raises(TypeError):
        most_common(path)
    with pytest.raises(TypeError):
        most_common(path=path, n=1)


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
    with pytest.raises(expected) as from_open:
        open(directory, "rb").read()
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
    assert info.value.errno == errno.EACCES and info.value.filename == str(path)


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

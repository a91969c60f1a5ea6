"""C++ exceptions from the core arrive as the Python exceptions open(),
bytes.decode() and the built-ins would raise, with all their attributes."""

from __future__ import annotations

import errno
import itertools
import os
import pathlib

import pytest


def raised_by(call):
    """The exception call() raises (the test fails if it raises none)."""
    try:
        call()
    except Exception as error:
        return error
    pytest.fail("no exception raised")


def read_like_most_common(path):
    """What most_common does to a file before counting: open it, read it all."""
    with open(path, "rb") as f:
        return f.read()


@pytest.mark.parametrize("make_path", [str, pathlib.Path], ids=["str", "Path"])
def test_missing_file_is_file_not_found_error_like_open(recipes, tmp_path, make_path):
    path = make_path(tmp_path / "missing.txt")
    expected = raised_by(lambda: read_like_most_common(path))
    error = raised_by(lambda: recipes.most_common(path, 1))
    assert type(error) is type(expected) is FileNotFoundError
    assert error.errno == expected.errno == errno.ENOENT
    assert error.strerror == expected.strerror
    # open() reports os.fspath(path): a str, also for a pathlib.Path.
    assert error.filename == expected.filename == os.fspath(path)
    assert str(error) == str(expected)


def test_directory_is_is_a_directory_error(recipes, tmp_path):
    # Linux: open(2) of a directory succeeds and read(2) fails with EISDIR.
    expected = raised_by(lambda: read_like_most_common(tmp_path))
    error = raised_by(lambda: recipes.most_common(tmp_path, 1))
    assert type(error) is type(expected)
    assert isinstance(error, IsADirectoryError)
    assert (error.errno, error.filename) == (errno.EISDIR, str(tmp_path))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root may read anything")
def test_unreadable_file_is_permission_error(recipes, tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("x")
    path.chmod(0)
    error = raised_by(lambda: recipes.most_common(str(path), 1))
    assert type(error) is PermissionError
    assert (error.errno, error.filename) == (errno.EACCES, str(path))


@pytest.mark.parametrize("data", [
    b"abc \xff def",             # invalid start byte
    b"caf\xc3",                  # unexpected end of data
    b"ok \xe2\x82 x",            # invalid continuation byte
    b"\xed\xa0\x80 surrogate",   # UTF-8-encoded surrogate
    b"\xc0\xaf overlong",        # overlong encoding
    b"fine " * 1000 + b"\xf4\x90\x80\x80",  # beyond U+10FFFF, after the ASCII fast path
], ids=repr)
def test_invalid_utf8_is_unicode_decode_error_like_bytes_decode(recipes, tmp_path, data):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    expected = raised_by(lambda: data.decode("utf-8"))
    error = raised_by(lambda: recipes.most_common(path, 1))
    assert type(error) is UnicodeDecodeError
    assert error.encoding == "utf-8"
    assert (error.start, error.end, error.reason) == (expected.start, expected.end, expected.reason)
    assert error.object == data
    assert str(error) == str(expected)


def test_argument_errors_come_before_the_file_is_opened(recipes, tmp_path):
    missing = tmp_path / "missing.txt"
    with pytest.raises(TypeError):
        recipes.most_common(missing, 1.5)
    with pytest.raises(ValueError, match=r"^most_common\(\) n must be >= 0$"):
        recipes.most_common(missing, -1)


# The core's std::invalid_argument and std::overflow_error arrive with their
# what() as the message: the contract's words, the same in all three modules.
RANGE_ERRORS = [
    ("fib", -1, ValueError, "fib() argument must be >= 0"),
    ("fib", 94, OverflowError, "fib() argument must be <= 93: the result would not fit in 64 bits"),
    ("fib_recursive", -1, ValueError, "fib_recursive() argument must be >= 0"),
    ("fib_recursive", 94, OverflowError,
     "fib_recursive() argument must be <= 93: the result would not fit in 64 bits"),
    ("calc_pi", -1, ValueError, "calc_pi() digits must be between 0 and 10000"),
    ("calc_pi", 10001, ValueError, "calc_pi() digits must be between 0 and 10000"),
]


@pytest.mark.parametrize(("name", "value", "kind", "message"), RANGE_ERRORS,
                         ids=[f"{name}({value})" for name, value, _, _ in RANGE_ERRORS])
def test_range_errors(recipes, name, value, kind, message):
    error = raised_by(lambda: getattr(recipes, name)(value))
    assert type(error) is kind
    assert str(error) == message


def test_recurrence_overflow_is_sticky(recipes):
    fibonacci = recipes.LinearRecurrence([1, 1], [0, 1])
    terms = list(itertools.islice(fibonacci, 93))
    assert terms[-1] == 7540113804746346429  # F(92), the last that fits in int64
    for _ in range(3):
        with pytest.raises(OverflowError) as info:
            next(fibonacci)
        assert str(info.value) == "the next term of this LinearRecurrence overflows signed 64 bits"
    # With k = 3 and an overflow at a_5, a_0..a_4 still come out.
    big = 2**62
    sequence = recipes.LinearRecurrence([0, 0, 2], [1, 2, big // 4])
    assert list(itertools.islice(sequence, 5)) == [1, 2, big // 4, big // 2, big]
    with pytest.raises(OverflowError):
        next(sequence)

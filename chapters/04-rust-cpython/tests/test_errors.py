"""Rust errors mapped to the exceptions open() and bytes.decode() raise."""

import errno
import os
import pathlib

import pytest

import recipes_rust_cpython as r


def expected_os_error(path):
    """What open(path, "rb").read() raises: the exception most_common must match."""
    try:
        pathlib.Path(path).read_bytes()
    except OSError as error:
        return error
    raise AssertionError(f"{path} is readable")


@pytest.mark.parametrize(
    "kind", ["missing", "directory", "not-a-directory", "symlink-loop", "name-too-long"]
)
@pytest.mark.parametrize("as_type", [str, pathlib.Path])
def test_os_errors_match_open(tmp_path, kind, as_type):
    (tmp_path / "file").write_text("x")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    path = {
        "missing": tmp_path / "missing.txt",
        "directory": tmp_path,
        "not-a-directory": tmp_path / "file" / "below",
        "symlink-loop": tmp_path / "loop",  # ELOOP: no subclass, plain OSError
        "name-too-long": tmp_path / ("x" * 5000),
    }[kind]
    path = as_type(path)
    want = expected_os_error(path)
    with pytest.raises(type(want)) as got:
        r.most_common(path, 1)
    # The exact subclass (FileNotFoundError, IsADirectoryError, NotADirectoryError)
    # comes from calling OSError(errno, strerror, filename): CPython picks it by errno.
    assert type(got.value) is type(want)
    assert got.value.errno == want.errno
    assert got.value.strerror == want.strerror
    # open() reports the path after os.fspath(): a str even when given a Path.
    assert got.value.filename == os.fspath(path)
    assert type(got.value.filename) is str
    assert str(got.value) == str(want)


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file"
)
def test_permission_error(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("x")
    path.chmod(0)
    with pytest.raises(PermissionError) as got:
        r.most_common(path, 1)
    assert got.value.errno == errno.EACCES


def test_embedded_nul_is_a_value_error_like_open(tmp_path):
    with pytest.raises(ValueError, match="embedded null byte"):
        pathlib.Path(tmp_path / "a\0b").read_bytes()
    with pytest.raises(ValueError, match="embedded null byte"):
        r.most_common(str(tmp_path / "a\0b"), 1)
    # ... but a negative n is refused first, as the reference checks n before opening.
    with pytest.raises(ValueError, match=r"most_common\(\) n must be >= 0"):
        r.most_common(str(tmp_path / "a\0b"), -1)


@pytest.mark.parametrize("path", [b"/tmp", None, 3, 1.5, ["/tmp"]])
def test_path_must_be_str_or_pathlike_of_str(path):
    with pytest.raises(TypeError):
        r.most_common(path, 1)


class BytesPath:
    def __fspath__(self):
        return b"/tmp"


def test_bytes_pathlike_is_refused():
    with pytest.raises(TypeError):
        r.most_common(BytesPath(), 1)


def test_argument_order_path_then_n_then_file(tmp_path):
    # A bad path type wins over a bad n; a bad n wins over a missing file.
    with pytest.raises(TypeError):
        r.most_common(None, -1)
    with pytest.raises(ValueError, match=r"^most_common\(\) n must be >= 0$"):
        r.most_common(tmp_path / "missing", -1)
    with pytest.raises(TypeError):
        r.most_common(tmp_path / "missing", 1.5)


@pytest.mark.parametrize(
    "data",
    [
        b"caf\xe9 ok",  # a Latin-1 byte: starts a sequence, then no continuation
        b"ok \xff",  # never valid in UTF-8
        b"ok \x80 x",  # lone continuation byte
        b"abc \xe2\x82",  # truncated at the end of the file
        b"abc \xe2\x82 x",  # truncated in the middle
        b"\xed\xa0\x80 surrogate",  # UTF-16 surrogate, forbidden in UTF-8
        b"\xc0\xaf overlong",
        b"\xf4\x90\x80\x80 beyond U+10FFFF",
    ],
)
def test_unicode_decode_error_matches_bytes_decode(tmp_path, data):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(UnicodeDecodeError) as want:
        data.decode("utf-8")
    with pytest.raises(UnicodeDecodeError) as got:
        r.most_common(path, 5)
    assert got.value.encoding == "utf-8"
    assert got.value.object == data
    assert (got.value.start, got.value.end, got.value.reason) == (
        want.value.start,
        want.value.end,
        want.value.reason,
    )
    assert isinstance(got.value, ValueError)


def test_linear_recurrence_errors_in_contract_order():
    with pytest.raises(TypeError):
        r.LinearRecurrence(1, [1])
    with pytest.raises(TypeError):
        r.LinearRecurrence([1], None)
    # The elements are converted before the lengths are compared.
    with pytest.raises(TypeError):
        r.LinearRecurrence([1, 2], [1.5])
    with pytest.raises(OverflowError, match=r"^LinearRecurrence coefficients must fit"):
        r.LinearRecurrence([2**63], [])
    with pytest.raises(OverflowError, match=r"^LinearRecurrence initial values must fit"):
        r.LinearRecurrence([1], [-(2**63) - 1])
    # Emptiness before lengths: ([], [1]) has no coefficients, ([1], []) the wrong length.
    with pytest.raises(ValueError, match=r"^LinearRecurrence needs at least one coefficient$"):
        r.LinearRecurrence([], [1])
    with pytest.raises(ValueError, match=r"\(got 0 for 1\)$"):
        r.LinearRecurrence([1], [])
    with pytest.raises(ValueError, match=r"^LinearRecurrence needs as many initial values as coefficients \(got 1 for 2\)$"):
        r.LinearRecurrence([1, 2], [1])


def test_linear_recurrence_overflow_is_sticky():
    fibonacci = r.LinearRecurrence([1, 1], [0, 1])
    terms = [next(fibonacci) for _ in range(93)]
    assert terms[-1] == 7540113804746346429
    for _ in range(3):
        with pytest.raises(OverflowError, match=r"^the next term of this LinearRecurrence overflows signed 64 bits$"):
            next(fibonacci)

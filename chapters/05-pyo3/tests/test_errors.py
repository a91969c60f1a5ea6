"""Exceptions across the boundary: OSError details, UnicodeDecodeError, causes and tracebacks."""

import errno
import os
import traceback

import pytest


def test_missing_file_is_file_not_found_with_errno_and_filename(recipes, tmp_path):
    missing = tmp_path / "missing.txt"
    with pytest.raises(FileNotFoundError) as excinfo:
        recipes.most_common(missing, 1)
    error = excinfo.value
    assert error.errno == errno.ENOENT
    assert error.strerror == os.strerror(errno.ENOENT)  # no Rust "(os error 2)" suffix
    assert error.filename == str(missing)  # open() also reports os.fspath(path), a str
    # Same type, errno, strerror and filename as open() itself:
    with pytest.raises(FileNotFoundError) as from_open:
        missing.read_bytes()
    assert (type(error), error.args, error.filename) == (
        type(from_open.value), from_open.value.args, from_open.value.filename,
    )


def test_directory_is_is_a_directory_error(recipes, tmp_path):
    with pytest.raises(IsADirectoryError) as excinfo:
        recipes.most_common(str(tmp_path), 1)
    assert excinfo.value.errno == errno.EISDIR
    assert excinfo.value.filename == str(tmp_path)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file_is_permission_error(recipes, tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("x")
    path.chmod(0)
    with pytest.raises(PermissionError) as excinfo:
        recipes.most_common(path, 1)
    assert excinfo.value.errno == errno.EACCES


def test_embedded_nul_is_value_error_like_open(recipes, tmp_path):
    with pytest.raises(ValueError, match="embedded null byte"):
        recipes.most_common(str(tmp_path) + "/a\0b", 1)
    # ... but a negative n is refused first: the reference checks n before opening the file.
    with pytest.raises(ValueError, match=r"^most_common\(\) n must be >= 0$"):
        recipes.most_common(str(tmp_path) + "/a\0b", -1)


@pytest.mark.parametrize(
    ("data", "start", "reason"),
    [
        (b"\xff", 0, "invalid start byte"),
        (b"abc \x80", 4, "invalid start byte"),
        (b"abc \xc3\x28", 4, "invalid continuation byte"),
        (b"\xc3\xa4 \xed\xa0\x80", 3, "invalid continuation byte"),  # a UTF-16 surrogate
        (b"ok \xe2\x82", 3, "unexpected end of data"),
    ],
)
def test_invalid_utf8_is_the_unicode_decode_error_of_bytes_decode(recipes, tmp_path, data, start, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(UnicodeDecodeError) as excinfo:
        recipes.most_common(path, 1)
    error = excinfo.value
    assert isinstance(error, ValueError)
    assert error.encoding == "utf-8"
    assert (error.start, error.reason) == (start, reason)
    assert error.object == data
    with pytest.raises(UnicodeDecodeError) as from_python:
        data.decode("utf-8")
    assert (error.start, error.end, error.reason) == (
        from_python.value.start, from_python.value.end, from_python.value.reason,
    )
    assert str(error) == str(from_python.value)


def test_pyo3_question_mark_on_io_error_loses_errno_and_filename(native, tmp_path):
    # The shortcut `std::fs::read(path)?` (src/demos.rs) picks the right subclass but fills in
    # only a message: errno and filename are None. That is why most_common maps by hand.
    with pytest.raises(FileNotFoundError) as excinfo:
        native._io_error_demo(tmp_path / "missing.txt")
    assert excinfo.value.errno is None
    assert excinfo.value.filename is None
    assert "os error 2" in str(excinfo.value)


def test_python_exception_in_a_callback_keeps_traceback_and_becomes_the_cause(native):
    def failing_callback():
        raise KeyError("from the callback")

    with pytest.raises(RuntimeError, match="callback raised") as excinfo:
        native._callback_demo(failing_callback)
    cause = excinfo.value.__cause__
    assert isinstance(cause, KeyError)
    assert cause.args == ("from the callback",)
    assert excinfo.value.__suppress_context__  # exactly like `raise ... from cause`
    frames = [frame.name for frame in traceback.extract_tb(cause.__traceback__)]
    assert frames[-1] == "failing_callback"
    # The formatted traceback shows both, joined by the usual sentence.
    text = "".join(traceback.format_exception(excinfo.type, excinfo.value, excinfo.tb))
    assert "The above exception was the direct cause of the following exception" in text
    assert "failing_callback" in text


def test_callback_result_passes_through(native):
    assert native._callback_demo(lambda: 42) == 42


def test_demos_are_not_part_of_the_public_package(recipes):
    assert not any(name.startswith("_") and "demo" in name for name in dir(recipes))
    assert sorted(recipes.__all__) == sorted(
        ["fib", "fib_recursive", "LinearRecurrence", "most_common", "calc_pi", "ewma", "integrate"]
    )

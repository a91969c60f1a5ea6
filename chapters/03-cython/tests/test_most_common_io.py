"""most_common reads the file itself, in C, without the GIL: check errors and GIL release."""

import os
import subprocess
import sys
import textwrap

import pytest

import recipes_cython


def test_missing_file_is_file_not_found(tmp_path):
    path = tmp_path / "missing.txt"
    with pytest.raises(FileNotFoundError) as caught:
        recipes_cython.most_common(path, 1)
    with pytest.raises(FileNotFoundError) as expected, open(path, "rb"):
        pass
    assert caught.value.errno == expected.value.errno
    assert caught.value.strerror == expected.value.strerror
    assert caught.value.filename == expected.value.filename  # open() reports os.fspath(path)


def test_directory_is_is_a_directory_error(tmp_path):
    with pytest.raises(IsADirectoryError) as caught:
        recipes_cython.most_common(tmp_path, 1)
    assert caught.value.filename == str(tmp_path)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may read anything")
def test_unreadable_file_is_permission_error(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_bytes(b"x")
    path.chmod(0)
    with pytest.raises(PermissionError):
        recipes_cython.most_common(path, 1)


def test_embedded_null_byte_is_value_error(tmp_path):
    with pytest.raises(ValueError, match="embedded null byte"):
        recipes_cython.most_common(str(tmp_path) + "/a\0b", 1)


# Byte strings that exercise every rule of the C UTF-8 validator (is_utf8 in _core.pyx).
UTF8_CASES = [
    b"plain ascii words that are long enough for the eight-byte fast path",
    "é ü ß 日本 язык ελλάδα 😀 \U0010ffff".encode(),  # 2, 3 and 4 byte forms, the largest
    b"\x80",  # a stray continuation byte
    b"abc\xc0\xaf",  # overlong 2-byte form (C0/C1 never valid)
    b"\xe0\x80\xaf",  # overlong 3-byte form
    b"\xed\xa0\x80",  # a surrogate, U+D800
    b"\xf0\x80\x80\xaf",  # overlong 4-byte form
    b"\xf4\x90\x80\x80",  # above U+10FFFF
    b"\xf5\x80\x80\x80",  # lead byte that can never appear
    b"abcdefgh\xe2\x82",  # truncated at the very end
    b"\xe2\x82 euro",  # truncated by a space
    b"0123456789abcdef\xe2\x82\xac\xff",  # valid then invalid after the fast path
]


@pytest.mark.parametrize("data", UTF8_CASES)
def test_utf8_validation_matches_python(tmp_path, data):
    path = tmp_path / "text.txt"
    path.write_bytes(data)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        expected = error
    else:
        assert recipes_cython.most_common(path, 100)  # no error, some words
        return
    with pytest.raises(UnicodeDecodeError) as caught:
        recipes_cython.most_common(path, 5)
    assert caught.value.encoding == "utf-8"
    assert caught.value.start == expected.start


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a named pipe")
def test_reading_releases_the_gil(tmp_path):
    """most_common on a named pipe blocks in open(2) until a writer opens the pipe. The
    writer is this process's main thread: it can only run if most_common released the
    GIL. Holding the GIL would deadlock, so the check runs in a child with a timeout."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    script = textwrap.dedent(f"""
        import threading, recipes_cython
        result = []
        reader = threading.Thread(target=lambda: result.append(recipes_cython.most_common({str(fifo)!r}, 3)))
        reader.start()
        with open({str(fifo)!r}, "wb") as pipe:  # needs the GIL while most_common waits
            pipe.write(b"a b b c c c")
        reader.join()
        print(result[0])
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[('c', 3), ('b', 2), ('a', 1)]"

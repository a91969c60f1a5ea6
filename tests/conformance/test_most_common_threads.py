"""most_common(path, n, /, *, threads=1): native threads (docs/contract.md#most_common_threads).

Whatever `threads` is, the result is the one thread's: the same list, and for a bad file the
same exception, the first invalid byte in file order with the same start, end and reason. The
texts are built so that chunk edges fall inside whitespace runs, next to multi-byte characters,
and at a file end with no whitespace after the last word.
"""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

import support
from support import HUGE, describe, outcome, outcome_type

THREADS = [1, 2, 3, 4, 5, 6, 7, 8, None]
WORDS = ["a", "A", "b", "é", "É", "😀", "zz", "Zz", "naïve", "x" * 70, "日本"]
SPACES = [" ", "  ", "\t", "\n", "\r\n", "\x0b", "\x0c", " \t \n "]


def random_text(seed: int, size: int, end_with_space: bool) -> bytes:
    rng = random.Random(seed)
    parts, total = [], 0
    while total < size:
        word = rng.choice(WORDS) + (str(rng.randrange(300)) if rng.random() < 0.5 else "")
        space = rng.choice(SPACES) * rng.choice([1, 1, 1, 5, 300])  # runs long enough to hold a chunk edge
        parts += [word, space]
        total += len(word) + len(space)
    text = "".join(parts).encode()
    return text if end_with_space else text.rstrip()


@pytest.mark.parametrize("threads", THREADS, ids=describe)
@pytest.mark.parametrize(("seed", "size", "end_with_space"), [
    (1, 1, False), (2, 100, False), (3, 4096, True), (4, 300_000, False), (5, 1_000_003, True), (6, 2_000_000, False)])
def test_the_result_never_depends_on_threads(impl, ref, tmp_path, threads, seed, size, end_with_space):
    path = tmp_path / "text.txt"
    path.write_bytes(random_text(seed, size, end_with_space))
    expected = ref.most_common(path, 40)
    assert impl.most_common(path, 40, threads=threads) == expected
    assert impl.most_common(path, 10**9, threads=threads) == ref.most_common(path, 10**9)


@given(st.lists(st.sampled_from(WORDS + SPACES), max_size=200), st.sampled_from(THREADS), st.integers(0, 8))
def test_threads_property(impl, ref, tmp_path_factory, tokens, threads, n):
    path = tmp_path_factory.mktemp("threads") / "text.txt"
    path.write_bytes("".join(tokens).encode())
    assert impl.most_common(path, n, threads=threads) == ref.most_common(path, n)


def test_empty_and_whitespace_only_files(impl, tmp_path):
    for data in [b"", b" ", b" \n\t" * 100_000]:
        path = tmp_path / "blank.txt"
        path.write_bytes(data)
        for threads in THREADS:
            assert impl.most_common(path, 5, threads=threads) == []


BROKEN = [b"\xff", b"\xc3", b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80", b"\xe2\x82"]


@pytest.mark.parametrize("threads", [2, 3, 8, None], ids=describe)
@pytest.mark.parametrize("broken", BROKEN, ids=repr)
@pytest.mark.parametrize("where", [0.0, 0.26, 0.5, 0.74, 1.0])
def test_invalid_utf8_is_the_first_bad_byte_in_file_order(impl, ref, tmp_path, threads, broken, where):
    good = random_text(7, 400_000, True)
    cut = good.find(b" ", int(len(good) * where)) if where < 1.0 else len(good)
    cut = len(good) if cut < 0 else cut
    # a second, later error in every case: only the first may be reported
    data = good[:cut] + broken + b" " + good[cut:] + b" \xfe tail"
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(UnicodeDecodeError) as expected:
        ref.most_common(path, 3)
    with pytest.raises(UnicodeDecodeError) as one:
        impl.most_common(path, 3, threads=1)
    with pytest.raises(UnicodeDecodeError) as many:
        impl.most_common(path, 3, threads=threads)
    for got in (one.value, many.value):
        assert (got.start, got.end, got.reason) == (expected.value.start, expected.value.end, expected.value.reason)


def test_a_missing_file_is_the_same_error_with_threads(impl, ref, tmp_path):
    missing = tmp_path / "missing.txt"
    with pytest.raises(FileNotFoundError) as expected:
        ref.most_common(missing, 3)
    for threads in (2, None):
        with pytest.raises(FileNotFoundError) as got:
            impl.most_common(missing, 3, threads=threads)
        assert (got.value.errno, got.value.filename) == (expected.value.errno, expected.value.filename)


GOOD_THREADS = [1, 2, 64, 10_000, 2**63 - 1, 2**63, 2**64, HUGE, True, support.Index(3), support.Index(HUGE), None,
                os.cpu_count()]
BAD_THREADS = [0, -1, -(2**63), -(2**64), -HUGE, False, support.Index(0), support.Index(-HUGE),
               1.0, 2.5, "2", b"2", [2], object(), support.IndexRaises()]


@pytest.mark.parametrize("threads", GOOD_THREADS + BAD_THREADS, ids=describe)
def test_threads_argument(impl, ref, tmp_path, threads):
    path = tmp_path / "words.txt"
    path.write_bytes(b"one two two three three three " * 1000)
    assert outcome(lambda: impl.most_common(path, 2, threads=threads)) == outcome(
        lambda: ref.most_common(path, 2, threads=threads))


def test_threads_is_keyword_only(impl, tmp_path):
    path = tmp_path / "words.txt"
    path.write_bytes(b"a b b")
    assert outcome_type(impl.most_common, path, 1, 2)[0] == "raises"
    assert issubclass(outcome_type(impl.most_common, path, 1, 2)[1], TypeError)


def test_order_of_checks(impl, ref, tmp_path):
    missing = str(tmp_path / "missing.txt")
    for path in [None, missing]:
        for n in [None, -1, 2]:
            for threads in [None, 0, "x", 2]:
                assert outcome(lambda: impl.most_common(path, n, threads=threads)) == outcome(  # noqa: B023
                    lambda: ref.most_common(path, n, threads=threads)), (path, n, threads)  # noqa: B023

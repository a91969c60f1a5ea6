"""Values: every implementation returns what the reference returns, on fixed and random inputs."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import support
from support import outcome


def test_exports_every_recipe(impl):
    for name in support.RECIPE_EXPORTS:  # chapters/recipes.toml
        assert callable(getattr(impl, name)), name
    assert isinstance(impl.LinearRecurrence, type)


# --- fib, fib_recursive ---------------------------------------------------------------------


def test_fib_every_valid_argument(impl, ref):
    values = [impl.fib(n) for n in range(94)]
    assert values == [ref.fib(n) for n in range(94)]
    assert impl.fib(90) == 2880067194370816120
    assert impl.fib(93) == 12200160415121876738  # above 2**63: needs unsigned 64-bit
    assert all(type(v) is int for v in values)


def test_fib_recursive_small_arguments(impl, ref):
    values = [impl.fib_recursive(n) for n in range(26)]
    assert values == [ref.fib(n) for n in range(26)]
    assert all(type(v) is int for v in values)


# fib_recursive is exponential: random draws stay small or invalid
valid_or_not = st.one_of(st.integers(-5, 100), st.integers(), st.integers(-(2**70), 2**70))


@given(valid_or_not)
def test_fib_property(impl, ref, n):
    assert outcome(impl.fib, n) == outcome(ref.fib, n)


@given(st.one_of(st.integers(-(2**80), 22), st.integers(94, 2**80)))
def test_fib_recursive_property(impl, ref, n):
    assert outcome(impl.fib_recursive, n) == outcome(ref.fib_recursive, n)


# --- LinearRecurrence ------------------------------------------------------------------------


def test_fibonacci_recurrence_yields_f0_to_f92_then_overflows(impl, ref):
    it = impl.LinearRecurrence([1, 1], [0, 1])
    assert iter(it) is it
    assert list(itertools.islice(it, 93)) == [ref.fib(n) for n in range(93)]
    theirs = ref.LinearRecurrence([1, 1], [0, 1])
    list(itertools.islice(theirs, 93))
    for _ in range(3):  # and it stays there, with the reference's message
        assert outcome(next, it) == outcome(next, theirs)
        assert outcome(next, it)[1] is OverflowError


def test_lucas_numbers(impl):
    assert list(itertools.islice(impl.LinearRecurrence([1, 1], [2, 1]), 10)) == [2, 1, 3, 4, 7, 11, 18, 29, 47, 76]


def test_arguments_are_copied_at_construction(impl):
    coefficients, initial = [1, 1], [0, 1]
    it = impl.LinearRecurrence(coefficients, initial)
    coefficients[:] = [5, 5]
    initial[:] = [9, 9]
    assert list(itertools.islice(it, 5)) == [0, 1, 1, 2, 3]


RECURRENCES = {
    "constant": lambda: ((1,), (1,)),
    "powers of two, overflow at 2**63": lambda: ([2], [1]),
    "alternating signs, -2**63 fits, 2**63 does not": lambda: ([-2], [1]),
    "a cycle": lambda: ([0, 0, 1], [5, 6, 7]),
    "counting": lambda: ([-1, 2], [0, 1]),  # a_{n+2} = 2 a_{n+1} - a_n
    "overflow computed early, raised when due": lambda: ([2**62, 0, 0], [1, 2, 0]),
    "intermediate overflow although the sum fits": lambda: ([2**62, 2**62, -(2**62)], [1, 1, 1]),
    "extreme coefficient": lambda: ([-(2**63)], [1]),
    "-2**63 * -1 overflows": lambda: ([-(2**63)], [-1]),
    "bools are integers": lambda: ([1, 1, 1, 1], [True, False, True, False]),
    "any iterable": lambda: (range(3), iter([1, 2, 3])),
    "generators, consumed once": lambda: ((c for c in [1, 1]), (v for v in [2, 1])),
}


@pytest.mark.parametrize("make_args", RECURRENCES.values(), ids=RECURRENCES.keys())
def test_recurrence_sequences(impl, ref, make_args):
    # a fresh pair of arguments for each side: iterators and generators can be consumed once
    mine = impl.LinearRecurrence(*make_args())
    theirs = ref.LinearRecurrence(*make_args())
    for _ in range(140):
        assert outcome(next, mine) == outcome(next, theirs)


i64_edge = st.sampled_from([0, 1, -1, 2, -2, 2**31, 2**32, 2**62, -(2**62), 2**63 - 1, -(2**63)])
i64 = st.one_of(st.integers(-3, 3), st.integers(-(2**63), 2**63 - 1), i64_edge)
maybe_out_of_range = st.one_of(i64, st.integers(-(2**70), 2**70))


@given(st.integers(1, 5).flatmap(lambda k: st.tuples(st.lists(i64, min_size=k, max_size=k), st.lists(i64, min_size=k, max_size=k))))
def test_recurrence_property(impl, ref, args):
    coefficients, initial = args
    mine = impl.LinearRecurrence(coefficients, initial)
    theirs = ref.LinearRecurrence(coefficients, initial)
    for _ in range(70):
        assert outcome(next, mine) == outcome(next, theirs)


@given(st.lists(maybe_out_of_range, max_size=4), st.lists(maybe_out_of_range, max_size=4))
def test_recurrence_construction_property(impl, ref, coefficients, initial):
    assert _kind(impl.LinearRecurrence, coefficients, initial) == _kind(ref.LinearRecurrence, coefficients, initial)


def _kind(cls, *args):
    """Construction outcome without the instance itself: "ok", or the exception type and contract message."""
    result = outcome(cls, *args)
    return "ok" if result[0] == "value" else result[1:]


# --- most_common -----------------------------------------------------------------------------

SAMPLE_TEXT = (
    "The quick brown fox jumps over the lazy dog. THE DOG barks; the fox runs.\n"
    "Été été ÉTÉ naïve NAÏVE the\tend\r\nfox\x0bfox\x0cdog  \n"
).encode()


@pytest.fixture
def sample_file(tmp_path):
    path = tmp_path / "sample.txt"
    path.write_bytes(SAMPLE_TEXT)
    return path


@pytest.mark.parametrize("n", [0, 1, 3, 10, 1000, 2**64, 2**100])
def test_most_common_sample(impl, ref, sample_file, n):
    result = impl.most_common(sample_file, n)
    assert result == ref.most_common(sample_file, n)
    assert type(result) is list
    assert all(type(item) is tuple and type(item[0]) is str and type(item[1]) is int for item in result)


def test_most_common_accepts_str_and_pathlike(impl, ref, sample_file):
    expected = ref.most_common(sample_file, 5)
    assert impl.most_common(str(sample_file), 5) == expected
    assert impl.most_common(support.StrPath(sample_file), 5) == expected


def test_most_common_empty_and_blank_files(impl, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.txt"
    blank.write_bytes(b" \t\n\r\x0b\x0c" * 100)
    assert impl.most_common(empty, 5) == []
    assert impl.most_common(blank, 5) == []


def test_most_common_only_ascii_whitespace_splits(impl, ref, tmp_path):
    # \x1c-\x1f split str.split() but not bytes.split(); NBSP and U+2003 are not ASCII at all
    path = tmp_path / "ws.txt"
    path.write_bytes("a\x1cb a\x1fb a\u00a0b a\u2003b a\x1cb x x".encode())
    assert impl.most_common(path, 10) == ref.most_common(path, 10)


def test_most_common_only_ascii_letters_are_lowercased(impl, ref, tmp_path):
    path = tmp_path / "case.txt"
    path.write_bytes("ÀB àb àB Àb ΣΑΣ σας STRASSE straße İ i I".encode())
    assert impl.most_common(path, 20) == ref.most_common(path, 20)


def test_most_common_ties_break_by_code_point(impl, ref, tmp_path):
    path = tmp_path / "ties.txt"
    words = ["b", "a", "é", "z", "aa", "A", "😀", "ｚ", "\u0100", "~"]
    path.write_bytes(" ".join(words * 3).encode())
    assert impl.most_common(path, 5) == ref.most_common(path, 5)
    assert impl.most_common(path, 100) == ref.most_common(path, 100)


def test_most_common_many_distinct_words(impl, ref, tmp_path):
    # enough distinct words to make any hash table grow several times
    path = tmp_path / "many.txt"
    words = [f"w{i % 50_000}x{i % 7}" for i in range(200_000)]
    path.write_bytes(" ".join(words).encode())
    assert impl.most_common(path, 25) == ref.most_common(path, 25)
    assert len(impl.most_common(path, 10**9)) == len(ref.most_common(path, 10**9))


TOKENS = [b"a", b"A", b"b", b"B", b"ab", b"Ab", b"\xc3\xa9", b"\xc3\x89", b"\xf0\x9f\x98\x80", b"z", b"Zz",
          b" ", b" ", b"\t", b"\n", b"\r", b"\x0b", b"\x0c", b"\x1c", b"\xc2\xa0", b"\x00"]
BROKEN = [b"\xff", b"\xc3", b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80", b"\xe2\x82"]


@given(st.lists(st.sampled_from(TOKENS), max_size=80), st.integers(0, 12))
def test_most_common_property(impl, ref, tmp_path_factory, tokens, n):
    path = tmp_path_factory.mktemp("prop") / "text.txt"
    path.write_bytes(b"".join(tokens))
    assert impl.most_common(path, n) == ref.most_common(path, n)


@given(st.lists(st.sampled_from(TOKENS), max_size=20), st.sampled_from(BROKEN), st.lists(st.sampled_from(TOKENS + BROKEN), max_size=20))
def test_most_common_invalid_utf8_property(impl, ref, tmp_path_factory, before, broken, after):
    path = tmp_path_factory.mktemp("bad") / "text.txt"
    # the space keeps `after` from completing a truncated sequence into a valid one
    path.write_bytes(b"".join(before) + broken + b" " + b"".join(after))
    with pytest.raises(UnicodeDecodeError) as expected:
        ref.most_common(path, 3)
    with pytest.raises(UnicodeDecodeError) as got:
        impl.most_common(path, 3)
    assert got.value.start == expected.value.start
    assert got.value.reason == expected.value.reason
    assert got.value.encoding.replace("-", "").lower() == "utf8"


# --- calc_pi ---------------------------------------------------------------------------------


@pytest.mark.parametrize("digits", [0, 1, 2, 4, 10, 100, 761, 762, 767, 1000])
def test_calc_pi_matches_machin(impl, digits):
    result = impl.calc_pi(digits)
    assert type(result) is str
    assert result == support.pi_machin(digits)


@pytest.mark.native_speed
def test_calc_pi_10000_digits(native):
    # minutes at the reference's speed: natives are checked against Machin's formula instead
    assert native.calc_pi(10_000) == support.pi_machin(10_000)


@settings(max_examples=60)
@given(st.one_of(st.integers(-30, 300), st.integers(10_001, 2**70), st.integers(-(2**70), -1)))
def test_calc_pi_property(impl, ref, digits):
    assert outcome(impl.calc_pi, digits) == outcome(ref.calc_pi, digits)

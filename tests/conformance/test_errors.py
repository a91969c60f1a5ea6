"""Errors: bad input of every kind raises what the reference raises, and nothing crashes.

The contract's own errors (docs/contract.md: the range ValueErrors and OverflowErrors) must
also carry the reference's message word for word; see support.outcome.
"""

from __future__ import annotations

import errno
import itertools
import os
import subprocess
import sys

import pytest

import support
from support import (
    EDGE_INTEGERS,
    HUGE,
    INTEGER_LIKE,
    NOT_INTEGERS,
    describe,
    outcome,
    outcome_type,
)

# The recipes whose one argument is an integer (docs/contract.md, "Integer arguments").
INTEGER_RECIPES = ["fib", "fib_recursive", "calc_pi"]


def too_slow_for_the_reference(recipe, n):
    """Valid but expensive arguments are left to the value tests."""
    n = int(n)
    return (recipe == "fib_recursive" and 25 < n <= 93) or (recipe == "calc_pi" and 1000 < n <= 10_000)


@pytest.mark.parametrize("recipe", INTEGER_RECIPES)
@pytest.mark.parametrize("arg", NOT_INTEGERS, ids=describe)
def test_integer_recipes_reject_non_integers(impl, ref, recipe, arg):
    expected = outcome(getattr(ref, recipe), arg)
    assert expected[0] == "raises"
    assert outcome(getattr(impl, recipe), arg) == expected


@pytest.mark.parametrize(
    ("recipe", "arg"),
    [(recipe, arg) for recipe in INTEGER_RECIPES for arg in INTEGER_LIKE + EDGE_INTEGERS
     if not too_slow_for_the_reference(recipe, arg)],  # valid and slow ones: see test_values.py
    ids=describe,
)
def test_integer_recipes_edges_and_index_protocol(impl, ref, recipe, arg):
    assert outcome(getattr(impl, recipe), arg) == outcome(getattr(ref, recipe), arg)


BAD_CALLS = [
    "fib()", "fib(1, 2)", "fib(n=1)",
    "fib_recursive()", "fib_recursive(1, 2)", "fib_recursive(n=1)",
    "calc_pi()", "calc_pi(1, 2)", "calc_pi(digits=1)",
    "most_common()", "most_common('x')", "most_common('x', 1, 2)", "most_common(path='x', n=1)",
    "LinearRecurrence()", "LinearRecurrence([1])", "LinearRecurrence([1], [1], [1])",
    "LinearRecurrence(coefficients=[1], initial=[1])",
]


@pytest.mark.parametrize("call", BAD_CALLS)
def test_wrong_argument_count_or_keywords_raise_type_error(impl, call):
    # every parameter is positional-only, like a C built-in's; each technology words it its own
    # way, and may raise a subclass of TypeError (Boost.Python's ArgumentError)
    kind, raised = outcome_type(eval, "impl." + call, {"impl": impl})
    assert kind == "raises"
    assert issubclass(raised, TypeError), raised


def test_next_takes_no_arguments(impl):
    it = impl.LinearRecurrence([1], [1])
    kind, raised = outcome_type(it.__next__, 1)
    assert kind == "raises"
    assert issubclass(raised, TypeError), raised


# --- LinearRecurrence construction -----------------------------------------------------------


def raising_iterable():
    yield 1
    raise RuntimeError("raised while iterating")


RECURRENCE_ARGUMENTS = [
    (None, [1]), ([1], None), (5, [1]), ([1], 1.5), ("ab", [1, 2]), (b"\x01", [1]),
    ([1.0], [1]), ([1], [1.0]), (["1"], [1]), ([None], [1]), ([1], [support.IndexRaises()]),
    ([2**63], [1]), ([1], [-(2**63) - 1]), ([2**63 - 1], [-(2**63)]),
    ([], []), ([1, 2], [1]), ([1], [1, 2]), ([], [1.5]), ([1.5], [2**70]), ([2**70], [1.5]),
    ([1, 2], []), ([support.Index(3)], [support.IntSubclass(4)]),
    ({1: 2}, {3: 4}), (range(2), range(2)),
    ([HUGE], [1]), ([1], [-HUGE]), ([support.Index(HUGE)], [1]), ([1, 1], [HUGE, 1.5]),
]


@pytest.mark.parametrize(("coefficients", "initial"), RECURRENCE_ARGUMENTS, ids=describe)
def test_recurrence_construction(impl, ref, coefficients, initial):
    mine, theirs = outcome(impl.LinearRecurrence, coefficients, initial), outcome(ref.LinearRecurrence, coefficients, initial)
    assert mine[0] == theirs[0]
    if theirs[0] == "raises":
        assert mine[1:] == theirs[1:]  # the type, and the message of the contract's own errors


def test_recurrence_iteration_errors_propagate(impl):
    with pytest.raises(RuntimeError, match="raised while iterating"):
        impl.LinearRecurrence(raising_iterable(), [1, 2])


# An instance that __init__ never saw: what it raises is the technology's (the reference's is
# an AttributeError), but nothing may crash, so it runs in a child interpreter.
NEW_WITHOUT_INIT = """
import importlib, sys
T = importlib.import_module(sys.argv[1]).LinearRecurrence
try:
    o = T.__new__(T)
except Exception:
    sys.exit(0)
for use in (next, iter, repr, next):
    try:
        use(o)
    except Exception:
        pass
"""


# Copies, pickles and a second __init__: each technology may refuse them (most compiled types
# cannot be pickled), but two objects must never own one native handle: a second free aborts.
COPIED_AND_REINITIALISED = """
import copy, gc, importlib, pickle, sys
T = importlib.import_module(sys.argv[1]).LinearRecurrence
o = T([1, 1], [0, 1])
next(o)
for make in (copy.copy, copy.deepcopy, lambda x: pickle.loads(pickle.dumps(x))):
    try:
        c = make(o)
        next(c)
        del c
    except Exception:
        pass
next(o)
del o
gc.collect()
o = T([1], [1])
try:
    o.__init__([2], [1])
except Exception:
    pass
next(o)
del o
gc.collect()
"""


@pytest.mark.parametrize("script", [NEW_WITHOUT_INIT, COPIED_AND_REINITIALISED], ids=["new without init", "copied and reinitialised"])
def test_recurrence_misuse_does_not_crash(impl_name, script):
    done = subprocess.run([sys.executable, "-c", script, impl_name], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, f"exit {done.returncode}:\n{done.stderr[-2000:]}"


def test_recurrence_overflow_is_sticky(impl, ref):
    it = impl.LinearRecurrence([2], [1])
    assert list(itertools.islice(it, 63)) == [2**i for i in range(63)]
    expected = ref.LinearRecurrence([2], [2**62])
    next(expected)
    for _ in range(5):
        assert outcome(next, it) == outcome(next, expected)
        assert outcome(next, it)[1] is OverflowError


# --- most_common -----------------------------------------------------------------------------


@pytest.fixture
def text_file(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(b"a b b c c c")
    return path


@pytest.mark.parametrize("bad_path", [None, 1, 1.5, b"t.txt", bytearray(b"t.txt"), support.BytesPath("t.txt"), ["t.txt"], object()], ids=describe)
def test_most_common_rejects_non_str_paths(impl, ref, bad_path):
    assert outcome(impl.most_common, bad_path, 1) == outcome(ref.most_common, bad_path, 1) == ("raises", TypeError, None)


@pytest.mark.parametrize("n", NOT_INTEGERS + INTEGER_LIKE + EDGE_INTEGERS, ids=describe)
def test_most_common_n(impl, ref, text_file, n):
    assert outcome(impl.most_common, text_file, n) == outcome(ref.most_common, text_file, n)


def test_most_common_checks_arguments_before_opening(impl, ref, tmp_path):
    missing = tmp_path / "missing"
    for args in [(missing, -1), (missing, 1.5), (None, -1), (missing, -HUGE)]:
        assert outcome(impl.most_common, *args) == outcome(ref.most_common, *args)


def assert_same_oserror(impl, ref, path, expected_type, expected_errno):
    with pytest.raises(expected_type) as theirs:
        ref.most_common(path, 3)
    with pytest.raises(expected_type) as mine:
        impl.most_common(path, 3)
    assert type(theirs.value) is expected_type
    assert theirs.value.errno == expected_errno
    assert type(mine.value) is type(theirs.value)
    assert mine.value.errno == theirs.value.errno
    assert mine.value.strerror == theirs.value.strerror
    assert os.fspath(mine.value.filename) == os.fspath(theirs.value.filename)


@pytest.mark.parametrize("as_type", [str, support.StrPath, lambda p: p])
def test_most_common_missing_file(impl, ref, tmp_path, as_type):
    assert_same_oserror(impl, ref, as_type(tmp_path / "does-not-exist.txt"), FileNotFoundError, errno.ENOENT)


def test_most_common_missing_directory_component(impl, ref, tmp_path):
    assert_same_oserror(impl, ref, str(tmp_path / "nope" / "x.txt"), FileNotFoundError, errno.ENOENT)


def test_most_common_not_a_directory_component(impl, ref, text_file):
    assert_same_oserror(impl, ref, str(text_file / "x.txt"), NotADirectoryError, errno.ENOTDIR)


def test_most_common_directory(impl, ref, tmp_path):
    assert_same_oserror(impl, ref, str(tmp_path), IsADirectoryError, errno.EISDIR)


def test_most_common_empty_path(impl, ref):
    assert_same_oserror(impl, ref, "", FileNotFoundError, errno.ENOENT)


def test_most_common_non_ascii_path(impl, ref, tmp_path):
    path = tmp_path / "naïve-文字.txt"
    path.write_bytes("Naïve naïve".encode())
    assert impl.most_common(path, 5) == ref.most_common(path, 5)
    assert_same_oserror(impl, ref, str(tmp_path / "absent-文字"), FileNotFoundError, errno.ENOENT)


def test_most_common_embedded_nul_in_path(impl, ref, tmp_path):
    path = str(tmp_path / "a\0b")
    # open()'s own ValueError: its wording is the platform's, not the contract's
    assert outcome_type(impl.most_common, path, 1) == outcome_type(ref.most_common, path, 1) == ("raises", ValueError)


@pytest.mark.parametrize(
    "data",
    [b"\xff", b"abc \xfe", b"ok\xc3", b"\xc0\x80", b"\xed\xa0\x80 surrogate", b"\xf4\x90\x80\x80",
     b"a " * 5000 + b"\x80", "héllo ".encode() * 3 + b"\xe2\x82"],
    ids=lambda d: repr(d[-12:]),
)
def test_most_common_invalid_utf8(impl, ref, tmp_path, data):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(UnicodeDecodeError) as theirs:
        ref.most_common(path, 1)
    with pytest.raises(UnicodeDecodeError) as mine:
        impl.most_common(path, 1)
    assert mine.value.start == theirs.value.start
    assert mine.value.reason == theirs.value.reason
    assert isinstance(mine.value, ValueError)

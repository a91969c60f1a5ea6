"""Shared helpers of the conformance suite: the chapter and recipe lists, outcomes, oracles, awkward inputs.

What every implementation must do is docs/contract.md; the reference chapter is its executable form.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10, where the chapters still run: tomli is the same parser
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = "recipes_python"


def chapters() -> list[dict]:
    with open(ROOT / "chapters" / "chapters.toml", "rb") as f:
        return tomllib.load(f)["chapter"]


def recipes() -> list[dict]:
    """The one list of recipes (chapters/recipes.toml), in the contract's order."""
    with open(ROOT / "chapters" / "recipes.toml", "rb") as f:
        return tomllib.load(f)["recipe"]


RECIPE_EXPORTS = tuple(recipe["export"] for recipe in recipes())


def known_import_names() -> list[str]:
    """Every import name the chapter list declares, variants included, in chapter order."""
    names = []
    for chapter in chapters():
        names += chapter["modules"]
        names += [variant["module"] for variant in chapter.get("variant", [])]
    return names


def exempt_by_design(key: str) -> set[str]:
    """Variants that declare `<key> = false` in chapters.toml. `releases_gil = false`: a "before"
    in a before/after comparison (plain Python compiled by Cython), not a native implementation of
    most_common. `native_speed = false`: its arithmetic is Python's objects at interpreted speed."""
    return {
        variant["module"]
        for chapter in chapters()
        for variant in chapter.get("variant", [])
        if variant.get(key) is False
    }


def load(name: str):
    return importlib.import_module(name)


def contract_message(exc: BaseException) -> str | None:
    """The message of one of the contract's own errors, which every chapter words the same.

    Those are the range errors: ValueError and OverflowError. TypeError is each technology's
    own argument parsing, worded its own way (the site shows them side by side), and a
    UnicodeDecodeError or an OSError is compared field by field where it is tested.
    """
    if isinstance(exc, (ValueError, OverflowError)) and not isinstance(exc, UnicodeError):
        return str(exc)
    return None


def outcome(fn, *args):
    """What a call did: ("value", result) or ("raises", exception type, message of a contract error).

    Comparing outcomes, not just values, holds a chapter to the reference's exceptions too,
    and to the exact words of the contract's own errors.
    """
    try:
        return ("value", fn(*args))
    except Exception as exc:
        return ("raises", type(exc), contract_message(exc))


def outcome_type(fn, *args):
    """Like outcome(), without the message: for errors the contract leaves to the platform."""
    result = outcome(fn, *args)
    return result[:2]


class unlimited_int_str:
    """Lift 3.11+'s limit on str() of huge ints for a block, and put the old one back after it.

    The limit must stay in force everywhere else: the suite checks that huge ints give the
    contract's errors, not str()'s own ValueError.
    """

    def __enter__(self):
        self.old = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else None
        if self.old is not None:
            sys.set_int_max_str_digits(0)

    def __exit__(self, *exc_info):
        if self.old is not None:
            sys.set_int_max_str_digits(self.old)


def pi_machin(digits: int) -> str:
    """Pi truncated to `digits` places by Machin's formula in exact integers: shares no code with the spigot."""

    def arctan_inverse(x: int, one: int) -> int:
        total = term = one // x
        k, sign = 1, -1
        while term:
            term //= x * x
            total += sign * (term // (2 * k + 1))
            sign, k = -sign, k + 1
        return total

    guard = 10**20
    one = 10**digits * guard
    with unlimited_int_str():  # 3.11+ refuses str() of ints over 4300 digits
        text = str(4 * (4 * arctan_inverse(5, one) - arctan_inverse(239, one)) // guard)
    return text if digits == 0 else text[0] + "." + text[1:]


# --- awkward arguments --------------------------------------------------------------------


class Index:
    """Any object with __index__ is an integer to operator.index (NumPy integers are such)."""

    def __init__(self, value):
        self.value = value

    def __index__(self):
        return self.value

    def __repr__(self):
        return f"Index({describe_int(self.value)})"


def describe_int(value: int) -> str:
    """A short test id for an int of any size (repr of 10**5000 would be 5001 digits, or refused)."""
    if abs(value) < 10**30:
        return repr(value)
    return f"{'-' if value < 0 else ''}<{value.bit_length()}-bit int>"


def describe(value) -> str:
    """Test ids: ints by describe_int (also inside lists and tuples), anything else by repr.

    Without the address a default repr holds (`<object object at 0x7f...>`): pytest-xdist's
    workers each collect the tests, and must agree on every id.
    """
    if type(value) is int:
        return describe_int(value)
    if type(value) in (list, tuple):
        inner = ", ".join(describe(item) for item in value)
        return f"[{inner}]" if type(value) is list else f"({inner}{',' if len(value) == 1 else ''})"
    return re.sub(r" at 0x[0-9a-fA-F]+>", ">", repr(value))


class IndexRaises:
    """__index__ that raises: the exception must propagate unchanged, not become TypeError."""

    def __index__(self):
        raise ZeroDivisionError("raised inside __index__")

    def __repr__(self):
        return "IndexRaises()"


class IndexReturnsFloat:
    def __index__(self):
        return 1.5  # noqa: PLE0305 - the broken protocol is what is tested

    def __repr__(self):
        return "IndexReturnsFloat()"


class IntSubclass(int):
    pass


class FloatWithIndexLikeInt(float):
    """A float with __int__: still not an integer for operator.index."""


NOT_INTEGERS = [
    None, 1.0, 2.5, float("nan"), float("inf"), "3", b"3", bytearray(b"3"), [3], (3,), {3: 3},
    object(), 3 + 0j, Decimal(3), Fraction(3, 1), IndexRaises(), IndexReturnsFloat(),
    FloatWithIndexLikeInt(3.0), type,
]
# (An __index__ returning a bool or an int subclass is deprecated since 3.10: not tested.)
# Ints beyond 4300 digits: str() of one raises its own ValueError, so no message may quote them.
HUGE = 10**5000
INTEGER_LIKE = [True, False, IntSubclass(5), Index(5), Index(2**70), Index(-3), Index(HUGE), Index(-HUGE)]
EDGE_INTEGERS = [
    -HUGE, -(2**100), -(2**64) - 1, -(2**64), -(2**63) - 1, -(2**63), -(2**31) - 1, -(2**31), -2, -1,
    0, 1, 2, 92, 93, 94, 100, 2**31 - 1, 2**31, 2**32, 2**63 - 1, 2**63, 2**64 - 1, 2**64, 2**100, HUGE,
]


class BytesPath:
    """An os.PathLike whose __fspath__ gives bytes: the contract accepts only str paths."""

    def __init__(self, path):
        self.path = os.fsencode(path)

    def __fspath__(self):
        return self.path


class StrPath:
    def __init__(self, path):
        self.path = str(path)

    def __fspath__(self):
        return self.path


def rss_bytes() -> int:
    """Resident set size of this process, now (not the peak)."""
    if sys.platform.startswith("linux"):
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    import psutil

    return psutil.Process().memory_info().rss

"""Helpers shared by this chapter's tests."""

from __future__ import annotations

import re
import sys

import pytest

HUGE = 10**5000  # more digits than str() of an int accepts


def short_id(value):
    """Test ids for huge ints: pytest would otherwise call str() on them, which refuses."""
    if isinstance(value, int) and abs(value) > 2**100:
        return "-huge" if value < 0 else "huge"
    return None


def message(text):
    """A pytest.raises(match=...) pattern for exactly this message."""
    return f"^{re.escape(text)}$"


class Index:
    """An object with __index__: conversion goes through the slow path (PyNumber_Index)."""

    def __init__(self, value):
        self.value = value

    def __index__(self):
        return self.value


def assert_refcount_unchanged(obj, call, times=100):
    before = sys.getrefcount(obj)
    for _ in range(times):
        call()
    assert sys.getrefcount(obj) == before


def swallow(exception, call):
    def run():
        with pytest.raises(exception):
            call()

    return run

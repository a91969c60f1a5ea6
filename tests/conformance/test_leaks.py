"""Leaks: hundreds of thousands of calls and objects, including error paths, do not grow memory.

The probe runs in a fresh interpreter so that nothing else the suite did is counted. It runs
the same workload twice: the first round lets allocators and caches reach their steady size,
the second must not add more than a small allowance. A leak of one small object per call
over 200,000 calls is several megabytes, far above the allowance.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ALLOWANCE = 2 * 1024 * 1024

PROBE = textwrap.dedent(
    """
    import gc, importlib, itertools, json, sys
    sys.path.insert(0, {here!r})
    from support import rss_bytes, Index
    m = importlib.import_module({name!r})
    path, bad, missing = {text!r}, {bad!r}, {missing!r}
    import array, numpy
    series = numpy.random.default_rng(1).standard_normal(100)
    strided, float32, grid = series[::-3], series.astype(numpy.float32), numpy.zeros((3, 3))
    doubles = array.array("d", series)

    import math

    def square(x):
        return x * x

    def raises_on_third(x, calls=[0]):
        calls[0] += 1
        if calls[0] % 3 == 0:
            raise LookupError("a fresh exception object, with a traceback, every third call")
        return x

    def returns_str(x):
        return "x"

    def nested(x):
        return m.integrate(raises_on_third, 0.0, x, 2)

    def swallow(call, *args):
        try:
            call(*args)
        except Exception:
            pass

    def one_round():
        for i in range(200_000):
            m.fib(i % 94)
        for i in range(50_000):
            swallow(m.fib, -1)
            swallow(m.fib, 94)
            swallow(m.fib, 1.5)
            swallow(m.fib, Index(3))
            swallow(m.fib_recursive, 2**70)
            swallow(m.calc_pi, -1)
        for i in range(100_000):
            it = m.LinearRecurrence([1, 1], [0, i])
            next(it); next(it); next(it)
        for i in range(10_000):
            it = m.LinearRecurrence([2], [1])
            for _ in itertools.islice(it, 63):
                pass
            swallow(next, it)
            swallow(next, it)
            swallow(m.LinearRecurrence, [1, 2], [1])
            swallow(m.LinearRecurrence, [2**63], [1])
            swallow(m.LinearRecurrence, [1.5], [1])
        for i in range(5_000):
            m.most_common(path, 3)
            swallow(m.most_common, missing, 3)
            swallow(m.most_common, bad, 3)
            swallow(m.most_common, None, 3)
        for i in range(500):
            m.calc_pi(100)
        for i in range(20_000):
            m.ewma(series, 0.5)
            m.ewma(strided, 0.5)
            swallow(m.ewma, series, 2.0)
            swallow(m.ewma, float32, 0.5)
            swallow(m.ewma, grid, 0.5)
            swallow(m.ewma, None, 0.5)
            swallow(m.ewma, doubles, "x")
        for i in range(20_000):
            m.integrate(square, 0.0, 1.0, 5)
            m.integrate(math.sin, 0.0, i, 3)
            swallow(m.integrate, raises_on_third, 0.0, 1.0, 10)
            swallow(m.integrate, returns_str, 0.0, 1.0, 3)
            swallow(m.integrate, nested, 0.0, 1.0, 2)
            swallow(m.integrate, None, 0.0, 1.0, 3)
            swallow(m.integrate, square, "a", 1.0, 3)
            swallow(m.integrate, square, 0.0, 1.0, 0)
            swallow(m.integrate, square, 0.0, 1.0, 2**64)
        gc.collect()

    one_round()
    first = rss_bytes()
    one_round()
    second = rss_bytes()
    print(json.dumps({{"first": first, "second": second}}))
    """
)


@pytest.mark.slow
def test_no_growth_over_hundreds_of_thousands_of_calls(impl_name, tmp_path):
    text = tmp_path / "words.txt"
    text.write_bytes(b"alpha beta Beta gamma gamma GAMMA delta " * 50)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine words then \xff")
    code = PROBE.format(here=str(HERE), name=impl_name, text=str(text), bad=str(bad), missing=str(tmp_path / "missing"))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, f"the probe crashed (exit {done.returncode}):\n{done.stderr[-3000:]}"
    rss = json.loads(done.stdout.strip().splitlines()[-1])
    growth = rss["second"] - rss["first"]
    assert growth < ALLOWANCE, f"RSS grew by {growth / 1e6:.1f} MB over the second round: a leak"

"""One pyperf run of the workloads for one import name (run by bench/run.py, not by hand).

pyperf spawns fresh worker processes, calibrates the loop count so that each timed value
lasts long enough for the clock, discards warm-ups, and records every value.
"""

from __future__ import annotations

import importlib
from itertools import islice
from time import perf_counter

import pyperf

# id: (what is timed, calls per loop iteration). Calls that take nanoseconds are repeated
# ten times per loop iteration so that the loop's own cost is spread over ten calls.
WORKLOADS = {
    "call": ("fib(0)", 10),
    "fib90": ("fib(90)", 10),
    "fibrec30": ("fib_recursive(30)", 1),
    "recurrence": ("list(islice(LinearRecurrence([1, 1], [0, 1]), 90))", 1),
    "words": ("most_common(corpus, 10)", 1),
    "pi": ("calc_pi(1000)", 1),
}
FLOOR = "floor"  # the pseudo-module: a one-argument C built-in, abs(0), in the `call` slot


def time_ten_calls(loops, f, arg):
    rng = range(loops)
    t0 = perf_counter()
    for _ in rng:
        f(arg); f(arg); f(arg); f(arg); f(arg); f(arg); f(arg); f(arg); f(arg); f(arg)  # noqa: E702
    return perf_counter() - t0


def time_one_call(loops, f, *args):
    rng = range(loops)
    t0 = perf_counter()
    for _ in rng:
        f(*args)
    return perf_counter() - t0


def time_recurrence(loops, cls):
    rng = range(loops)
    t0 = perf_counter()
    for _ in rng:
        list(islice(cls([1, 1], [0, 1]), 90))
    return perf_counter() - t0


def add_cmdline_args(cmd, args):
    cmd += ["--module", args.module, "--corpus", args.corpus, "--workloads", args.workloads]


def main():
    runner = pyperf.Runner(add_cmdline_args=add_cmdline_args)
    runner.argparser.add_argument("--module", required=True)
    runner.argparser.add_argument("--corpus", required=True)
    runner.argparser.add_argument("--workloads", default=",".join(WORKLOADS))
    args = runner.parse_args()
    wanted = args.workloads.split(",")
    if args.module == FLOOR:
        runner.bench_time_func("call", time_ten_calls, abs, 0, inner_loops=10)
        return
    m = importlib.import_module(args.module)
    benches = {
        "call": lambda: runner.bench_time_func("call", time_ten_calls, m.fib, 0, inner_loops=10),
        "fib90": lambda: runner.bench_time_func("fib90", time_ten_calls, m.fib, 90, inner_loops=10),
        "fibrec30": lambda: runner.bench_time_func("fibrec30", time_one_call, m.fib_recursive, 30),
        "recurrence": lambda: runner.bench_time_func("recurrence", time_recurrence, m.LinearRecurrence),
        "words": lambda: runner.bench_time_func("words", time_one_call, m.most_common, args.corpus, 10),
        "pi": lambda: runner.bench_time_func("pi", time_one_call, m.calc_pi, 1000),
    }
    for workload in wanted:
        benches[workload]()


if __name__ == "__main__":
    main()

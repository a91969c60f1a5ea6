"""One pyperf run of the workloads for one import name (run by bench/run.py, not by hand).

pyperf spawns fresh worker processes, calibrates the loop count so that each timed value
lasts long enough for the clock, discards warm-ups, and records every value.

The workloads come from chapters/recipes.toml: each has an expression to time (`timed`) and a
number of calls per loop iteration (`inner`). Calls that take nanoseconds are repeated ten
times per loop iteration so that the loop's own cost is spread over ten calls.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import tomllib
from itertools import islice
from pathlib import Path
from time import perf_counter

import pyperf

RECIPES = Path(__file__).resolve().parents[1] / "chapters" / "recipes.toml"
FLOOR = "floor"  # the pseudo-module: a C built-in called like the recipe, in the workloads that name a `floor`


ALTERNATIVE = "alternative"  # pseudo-modules alternative:<recipe slug>:<index>, what users pick instead


def recipes() -> list[dict]:
    with open(RECIPES, "rb") as f:
        return tomllib.load(f)["recipe"]


def workloads() -> dict[str, dict]:
    """Every workload of every recipe, by id, in the order of the recipe list (with its recipe's slug)."""
    return {w["id"]: {**w, "recipe": recipe["slug"]} for recipe in recipes() for w in recipe["workload"]}


def alternatives() -> dict[str, dict]:
    """What a user would pick instead of a recipe, by pseudo-module name: alternative:<slug>:<index>."""
    return {f"{ALTERNATIVE}:{recipe['slug']}:{i}": {**alt, "recipe": recipe["slug"]}
            for recipe in recipes() for i, alt in enumerate(recipe.get("alternative", []))}


WORKLOADS = workloads()
ALTERNATIVES = alternatives()


def timing_function(expression: str, inner: int, namespace: dict):
    """A pyperf time function that runs `expression` `inner` times per loop iteration.

    Every name the expression uses becomes a local variable of the timed function (a default
    argument), so the loop pays for a fast local lookup, not a global one, as hand-written
    timing loops do.
    """
    tree = ast.parse(expression, mode="eval")
    parameters_of_lambdas = {arg.arg for node in ast.walk(tree) if isinstance(node, ast.Lambda)
                             for arg in node.args.args}  # `x` in `lambda x: x * x` is no outside name
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} - parameters_of_lambdas
    names = sorted(name for name in used if name in namespace)
    missing = sorted(name for name in used - set(names) if not hasattr(builtins, name))
    if missing:
        raise NameError(f"the workload `{expression}` uses {', '.join(missing)}, which the module does not export")
    parameters = "".join(f", {name}={name}" for name in names)
    body = "; ".join([expression] * inner)
    source = (
        f"def time_it(loops{parameters}):\n"
        "    rng = range(loops)\n"
        "    t0 = perf_counter()\n"
        "    for _ in rng:\n"
        f"        {body}\n"
        "    return perf_counter() - t0\n"
    )
    scope = {"perf_counter": perf_counter, **{name: namespace[name] for name in names}}
    exec(compile(source, f"<workload {expression}>", "exec"), scope)
    return scope["time_it"]


def add_cmdline_args(cmd, args):
    cmd += ["--module", args.module, "--corpus", args.corpus, "--workloads", args.workloads]


def main():
    runner = pyperf.Runner(add_cmdline_args=add_cmdline_args)
    runner.argparser.add_argument("--module", required=True)
    runner.argparser.add_argument("--corpus", required=True)
    runner.argparser.add_argument("--workloads", default=",".join(WORKLOADS))
    args = runner.parse_args()
    for workload_id in args.workloads.split(","):
        workload = WORKLOADS[workload_id]
        if args.module == FLOOR:
            if "floor" not in workload:
                continue
            expression, namespace = workload["floor"], vars(builtins)
        elif args.module.startswith(ALTERNATIVE + ":"):
            alternative = ALTERNATIVES[args.module]
            if alternative["recipe"] != workload["recipe"]:
                continue
            namespace = {"numpy": importlib.import_module("numpy")}
            exec(workload.get("setup", ""), namespace)  # the workload's data, e.g. x
            exec(alternative["setup"], namespace)  # the alternative's imports and functions
            expression = alternative["timed"]  # on the workload's data: every ewma workload names it x
            if isinstance(expression, dict):  # one expression per workload
                expression = expression[workload_id]
        else:
            module = importlib.import_module(args.module)
            namespace = {"corpus": args.corpus, "islice": islice, **vars(module)}
            if "setup" in workload:
                namespace["numpy"] = importlib.import_module("numpy")
                exec(workload["setup"], namespace)  # the workload's data, made once per worker
            expression = workload["timed"]
        time_it = timing_function(expression, workload["inner"], namespace)
        runner.bench_time_func(workload_id, time_it, inner_loops=workload["inner"])


if __name__ == "__main__":
    main()

"""The profiled program of the debugging page: fib_recursive and most_common of one module.

python tests/debugging/profile_me.py CORPUS [MODULE]   (MODULE defaults to recipes_capi)
"""

import importlib
import sys

recipes = importlib.import_module(sys.argv[2] if len(sys.argv) > 2 else "recipes_capi")


def fib_work():
    return recipes.fib_recursive(39)


def words(path):
    # three counts: about as long as fib_work, so both stand out from the interpreter's start-up
    for _ in range(3):
        top = recipes.most_common(path, 10)
    return top


fib_work()
words(sys.argv[1])

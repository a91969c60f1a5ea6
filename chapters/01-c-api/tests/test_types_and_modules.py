"""The heap type, the garbage collector, and multi-phase module initialisation."""

import gc
import importlib.util
import inspect
import subprocess
import sys
import sysconfig
import tracemalloc
import weakref
from pathlib import Path

import pytest

import recipes_capi
from recipes_capi import LinearRecurrence

Py_TPFLAGS_HEAPTYPE = 1 << 9
Py_TPFLAGS_BASETYPE = 1 << 10
Py_TPFLAGS_HAVE_GC = 1 << 14


def fresh_module():
    """A new, independent instance of the extension module, as a sub-interpreter gets.

    Multi-phase init (PEP 489) makes this possible: each call runs the module's exec
    slot again and creates a new LinearRecurrence type.
    """
    spec = importlib.util.find_spec("recipes_capi._recipes")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_is_a_gc_tracked_heap_type():
    flags = LinearRecurrence.__flags__
    assert flags & Py_TPFLAGS_HEAPTYPE
    assert flags & Py_TPFLAGS_HAVE_GC
    assert not flags & Py_TPFLAGS_BASETYPE
    assert gc.is_tracked(LinearRecurrence([1], [1]))
    assert LinearRecurrence.__module__ == "recipes_capi"
    with pytest.raises(TypeError):

        class Sub(LinearRecurrence):  # final, like most built-in iterators
            pass


def test_type_is_immutable():
    with pytest.raises(TypeError):
        LinearRecurrence.extra = 1


def test_instances_are_freed_by_reference_counting():
    it = LinearRecurrence([1, 1], [0, 1])
    ref = weakref.ref(it)
    del it
    assert ref() is None  # no gc.collect() needed: no cycle, the count dropped to zero


def cycle_through_the_module_is_collected():
    # instance -> its type -> the module (PyType_FromModuleAndSpec) -> module dict ->
    # instance: only the cyclic GC can free this, and only if tp_traverse visits the type.
    module = fresh_module()
    module.keep = module.LinearRecurrence([1], [1])
    refs = [weakref.ref(module.keep), weakref.ref(module.LinearRecurrence)]
    del module
    gc.collect()
    return all(ref() is None for ref in refs)


# The free-threaded 3.13 build makes every heap type, module and top-level function immortal
# as soon as the process starts its first thread other than the main one, so no class is ever
# collected after that, not even a pure-Python one (CPython gh-117783 and gh-124239; 3.14
# uses deferred and per-thread reference counting instead). Other tests here start threads,
# so on that build the check runs in a fresh interpreter that has never started one.
IMMORTALIZES_TYPES = sys.version_info[:2] == (3, 13) and bool(sysconfig.get_config_var("Py_GIL_DISABLED"))


def test_cycle_through_the_module_is_collected():
    if not IMMORTALIZES_TYPES:
        assert cycle_through_the_module_is_collected()
        return
    here = Path(__file__)
    code = (f"import sys; sys.path.insert(0, {str(here.parent)!r}); import {here.stem} as tests; "
            "sys.exit(not tests.cycle_through_the_module_is_collected())")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_independent_module_objects():
    first, second = fresh_module(), fresh_module()
    assert first is not second
    assert first.LinearRecurrence is not second.LinearRecurrence
    it = first.LinearRecurrence([1, 1], [0, 1])
    assert not isinstance(it, second.LinearRecurrence)
    assert [next(it) for _ in range(5)] == [0, 1, 1, 2, 3]
    assert second.fib(10) == first.fib(10) == 55
    # Dropping one module object does not disturb the others (no shared C globals).
    del first
    gc.collect()
    assert next(second.LinearRecurrence([1, 1], [2, 1])) == 2
    assert recipes_capi.calc_pi(3) == "3.141"


@pytest.mark.skipif(sys.version_info < (3, 12), reason="Py_mod_multiple_interpreters is Python 3.12+")
def test_refuses_sub_interpreters(tmp_path):
    # The module's own state is per module object (the tests above), but NumPy's C API, which
    # ewma needs, is one table per process, and NumPy does not support sub-interpreters. So
    # the module says so (Py_mod_multiple_interpreters), and a new sub-interpreter, which
    # checks that slot, refuses it with an ImportError before module_exec runs. (Before 3.12
    # there is no slot, and what happens is up to the NumPy version.)
    interpreters = None
    for name in ("_interpreters", "_xxsubinterpreters"):
        try:
            interpreters = __import__(name)
            break
        except ImportError:
            pass
    if interpreters is None:
        pytest.skip("no low-level sub-interpreter module in this Python")
    marker = tmp_path / "outcome.txt"
    code = (
        "try:\n"
        "    import recipes_capi\n"
        "except ImportError as error:\n"
        "    outcome = f'ImportError: {error}'\n"
        "else:\n"
        "    outcome = 'imported'\n"
        f"open({str(marker)!r}, 'w').write(outcome)\n"
    )
    # These private modules change between Python versions: skip if this one differs.
    try:
        interp = interpreters.create()
    except (AttributeError, TypeError) as e:
        pytest.skip(f"unexpected sub-interpreter API: {e}")
    try:
        # 3.12 raises if the code fails; 3.13+ return a description of the error.
        error = interpreters.run_string(interp, code)
    finally:
        interpreters.destroy(interp)
    assert error is None, error
    assert marker.read_text() == (
        "ImportError: module recipes_capi._recipes does not support loading in subinterpreters"
    )


def test_signatures_are_positional_only():
    for function, names in [
        (recipes_capi.fib, ["n"]),
        (recipes_capi.fib_recursive, ["n"]),
        (recipes_capi.calc_pi, ["digits"]),
        (recipes_capi.ewma, ["values", "alpha"]),
        (recipes_capi.integrate, ["f", "a", "b", "n"]),
        (LinearRecurrence, ["coefficients", "initial"]),
    ]:
        parameters = inspect.signature(function).parameters.values()
        assert [p.name for p in parameters] == names
        assert all(p.kind is inspect.Parameter.POSITIONAL_ONLY for p in parameters)
    # most_common(path, n, /, *, threads=1): threads is keyword-only (METH_KEYWORDS)
    parameters = list(inspect.signature(recipes_capi.most_common).parameters.values())
    assert [(p.name, p.kind) for p in parameters] == [
        ("path", inspect.Parameter.POSITIONAL_ONLY),
        ("n", inspect.Parameter.POSITIONAL_ONLY),
        ("threads", inspect.Parameter.KEYWORD_ONLY),
    ]
    assert parameters[2].default == 1


def test_many_instances_do_not_leak():
    def churn():
        for _ in range(5000):
            it = LinearRecurrence([1, 1, 1], [0, 1, 2])
            next(it)
        for _ in range(100):
            next(LinearRecurrence([2], [1]))
            it = LinearRecurrence([2], [2**62])
            next(it)
            with pytest.raises(OverflowError):
                next(it)

    churn()  # warm up caches and free lists
    tracemalloc.start()
    try:
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(5):
            churn()
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 64 * 1024

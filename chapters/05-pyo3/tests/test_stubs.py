"""The .pyi stub and py.typed ship next to the compiled module and match it."""

import ast
import importlib
import inspect
from pathlib import Path

import pytest

CHAPTER = Path(__file__).resolve().parent.parent
STUBS = [
    CHAPTER / "python" / "recipes_pyo3" / "_native.pyi",
    CHAPTER / "abi3" / "python" / "recipes_pyo3_abi3" / "_native.pyi",
]


def stub_signatures(stub_path):
    """{name: [(parameter name, kind)]} for the functions and LinearRecurrence.__new__."""
    tree = ast.parse(stub_path.read_text())
    found = {}

    def params(args, skip_first=False):
        result = [(a.arg, inspect.Parameter.POSITIONAL_ONLY) for a in args.posonlyargs]
        result += [(a.arg, inspect.Parameter.POSITIONAL_OR_KEYWORD) for a in args.args]
        result += [(a.arg, inspect.Parameter.KEYWORD_ONLY) for a in args.kwonlyargs]
        return result[1:] if skip_first else result

    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            found[node.name] = params(node.args)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__new__":
                    found[node.name] = params(item.args, skip_first=True)
    return found


def runtime_signature(obj):
    # PyO3 writes __text_signature__ from #[pyo3(signature = ...)], so inspect can read it.
    return [(p.name, p.kind) for p in inspect.signature(obj).parameters.values()]


def test_stub_matches_runtime_signatures(native):
    stub = stub_signatures(Path(native.__file__).parent / "_native.pyi")
    public = {name for name in dir(native) if not name.startswith("__")}
    assert set(stub) == public
    for name, parameters in stub.items():
        assert runtime_signature(getattr(native, name)) == parameters, name


def test_stub_and_py_typed_are_installed_next_to_the_module(native):
    package = Path(native.__file__).parent
    assert (package / "py.typed").is_file()
    assert (package / "_native.pyi").is_file()


def test_both_builds_ship_the_same_stub():
    # The abi3 package needs its own copy (another package name); keep the copies identical.
    if not all(stub.is_file() for stub in STUBS):
        pytest.skip("source tree not available")
    assert STUBS[0].read_text() == STUBS[1].read_text()


def test_public_package_reexports_the_native_module(recipes):
    native = importlib.import_module(recipes.__name__ + "._native")
    for name in recipes.__all__:
        assert getattr(recipes, name) is getattr(native, name)
    assert recipes.LinearRecurrence.__module__ == recipes.__name__
    assert recipes.LinearRecurrence.__qualname__ == "LinearRecurrence"

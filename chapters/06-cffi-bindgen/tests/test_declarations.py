"""Three Python views of one header must agree with it.

cffi's API mode is checked by the C compiler, and ABI mode reads the header at import. ctypes
declarations are written by hand in recipes_ctypes, and nothing but this test compares them
with include/recipes.h: a wrong argtype there is a crash or a silently wrong value.
"""

import ast
import ctypes
import importlib
import importlib.util
from pathlib import Path

import numpy
import pytest

import recipes_clib
import recipes_ctypes


@pytest.fixture(scope="module")
def header_ffi():
    # cffi's parser reads the header: what C sees, to compare ctypes' declarations with
    from cffi import FFI

    ffi = FFI()
    ffi.cdef(recipes_clib.cdef_from_header(recipes_clib.HEADER.read_text()))
    return ffi, ffi.dlopen(str(recipes_clib.LIBRARY))


PRIMITIVES = {
    "int32_t": ctypes.c_int32,
    "int64_t": ctypes.c_int64,
    "uint64_t": ctypes.c_uint64,
    "size_t": ctypes.c_size_t,
    "ptrdiff_t": ctypes.c_ssize_t,
    "char": ctypes.c_char,
    "double": ctypes.c_double,
}


def ctypes_equivalents(ctype):
    """The ctypes types that correctly declare a parameter or result of C type `ctype`."""
    if ctype.kind == "void":
        return {None}
    if ctype.kind == "primitive":
        return {PRIMITIVES[ctype.cname]}
    assert ctype.kind == "pointer", ctype
    item = ctype.item
    if item.kind == "void":
        return {ctypes.c_void_p}
    if item.kind == "primitive" and item.cname == "char":
        return {ctypes.c_char_p, ctypes.POINTER(ctypes.c_char)}
    if item.kind == "struct":
        return {ctypes.POINTER(getattr(recipes_ctypes, item.cname.replace("struct ", "")))}
    return {ctypes.POINTER(t) for t in ctypes_equivalents(item) if t is not None}


def declares(argtype, ctype) -> bool:
    """Whether a ctypes argtype passes what the header's C type `ctype` expects."""
    if hasattr(argtype, "_dtype_"):  # numpy.ctypeslib.ndpointer: the address of an array's data
        return ctype.kind == "pointer" and ctype.item.cname == "double" and argtype._dtype_ == numpy.float64
    if ctype.kind == "function":  # a function pointer: a CFUNCTYPE with the same prototype
        return declares_function(argtype, ctype)
    return argtype in ctypes_equivalents(ctype)


def declares_function(prototype, ctype) -> bool:
    """Whether a CFUNCTYPE type has the C function pointer type `ctype`'s prototype."""
    if not hasattr(prototype, "_argtypes_"):
        return False
    return (
        prototype._restype_ in ctypes_equivalents(ctype.result)
        and len(prototype._argtypes_) == len(ctype.args)
        and all(declares(mine, theirs) for mine, theirs in zip(prototype._argtypes_, ctype.args, strict=True))
    )


@pytest.mark.cffi
def test_ctypes_declarations_match_the_header(header_ffi):
    ffi, lib = header_ffi
    functions = [name for name in dir(lib) if name.startswith("recipes_")]
    assert len(functions) == 18
    for name in functions:
        declared = ffi.typeof(getattr(lib, name))
        mine = getattr(recipes_ctypes._lib, name)
        assert mine.restype in ctypes_equivalents(declared.result), name
        assert len(mine.argtypes) == len(declared.args), name
        for position, (arg, argtype) in enumerate(zip(declared.args, mine.argtypes, strict=True)):
            assert declares(argtype, arg), (name, position)


@pytest.mark.cffi
def test_ctypes_function_pointer_types_match_the_header(header_ffi):
    ffi, _ = header_ffi
    assert declares_function(recipes_ctypes.Integrand, ffi.typeof("recipes_integrand"))
    assert declares_function(recipes_ctypes.recipes_stop_hook, ffi.typeof("recipes_stop_hook"))
    # and the check can fail: the two prototypes are not interchangeable
    assert not declares_function(recipes_ctypes.Integrand, ffi.typeof("recipes_stop_hook"))


@pytest.mark.cffi
def test_ptrdiff_t_is_ctypes_ssize_t(header_ffi):
    # ctypes has no c_ptrdiff_t; c_ssize_t is the signed integer of a pointer's size, as is
    # ptrdiff_t on every platform this chapter builds for.
    ffi, _ = header_ffi
    assert ffi.sizeof("ptrdiff_t") == ctypes.sizeof(ctypes.c_ssize_t) == ctypes.sizeof(ctypes.c_void_p)


@pytest.mark.cffi
def test_ctypes_struct_and_constants_match_the_header(header_ffi):
    ffi, lib = header_ffi
    struct = recipes_ctypes.recipes_word_count
    assert ctypes.sizeof(struct) == ffi.sizeof("recipes_word_count")
    for field in ("word", "word_len", "count"):
        assert getattr(struct, field).offset == ffi.offsetof("recipes_word_count", field)
    transcribed = [name for name in vars(recipes_ctypes._StatusCodes) if name.startswith("RECIPES_")]
    assert transcribed
    for name in transcribed:
        assert getattr(recipes_ctypes._StatusCodes, name) == getattr(lib, name), name


@pytest.mark.cffi
def test_abi_mode_is_dlopen_and_api_mode_is_compiled():
    import recipes_cffi
    import recipes_cffi_abi
    from recipes_cffi import _native

    # ABI mode: a library object from ffi.dlopen, functions called through libffi.
    assert type(recipes_cffi_abi.lib).__name__.startswith("FFILibrary")
    assert not hasattr(recipes_cffi_abi.lib, "adapter_fib")
    # API mode: a compiled module whose functions are C functions with adapters added.
    assert _native.__file__.endswith((".so", ".pyd"))
    assert hasattr(_native.lib, "adapter_fib")
    for name in ["fib", "fib_recursive", "LinearRecurrence", "most_common", "calc_pi", "ewma", "integrate"]:
        assert getattr(recipes_cffi, name) is not getattr(recipes_cffi_abi, name)
    assert recipes_cffi_abi.fib(90) == recipes_cffi.fib(90)


def test_stubs_are_shipped():
    import importlib.util
    from pathlib import Path

    for module in ["recipes_cffi", "recipes_cffi_abi", "recipes_ctypes"]:
        package = Path(importlib.util.find_spec(module).origin).parent
        assert (package / "py.typed").is_file()
        assert (package / "__init__.pyi").is_file()
        assert (package / "native_integrands.pyi").is_file()


@pytest.mark.parametrize("module", [
    pytest.param("recipes_cffi", marks=pytest.mark.cffi),
    pytest.param("recipes_cffi_abi", marks=pytest.mark.cffi),
    "recipes_ctypes",
])
def test_stubs_declare_every_public_name(module):
    stub = Path(importlib.util.find_spec(module).origin).with_suffix(".pyi")
    tree = ast.parse(stub.read_text(encoding="utf-8"))
    declared = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    assert declared == set(importlib.import_module(module).__all__)

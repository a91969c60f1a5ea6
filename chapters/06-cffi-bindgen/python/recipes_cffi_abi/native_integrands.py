"""recipes_cffi.native_integrands for ABI mode: the same two C functions of librecipes, as
function pointers of this module's `ffi` (in ABI mode `lib.name` is already one)."""

from recipes_cffi_abi import ffi, lib

__all__ = ["sin", "square"]

sin = ffi.addressof(lib, "recipes_integrand_sin")
square = ffi.addressof(lib, "recipes_integrand_square")

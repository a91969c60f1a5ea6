from cffi import FFI

__all__ = ["sin", "square"]

# C functions `double (*)(double x, void *context)`: sin(x) by the C library's sin, and x * x.
sin: FFI.CData
square: FFI.CData

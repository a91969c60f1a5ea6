from ctypes import _CFunctionType

__all__ = ["sin", "square"]

# C functions `double (*)(double x, void *context)`: sin(x) by the C library's sin, and x * x.
sin: _CFunctionType
square: _CFunctionType

"""Two C functions of the header's integrand type, `double (*)(double x, void *context)`, for
`recipes_cffi.integrate`: the library calls them directly, with no Python per point.

`sin` is sin(x) by the C library's sin(), the one math.sin calls, and `square` is x * x, so
`integrate(native_integrands.sin, a, b, n)` gives the same bits as `integrate(math.sin, a, b, n)`.
Both are exported by librecipes (recipes_integrand_sin, recipes_integrand_square), so that
every front end and the C example share one implementation. A function of your own, compiled
into a cffi extension by `set_source`, is passed the same way: `ffi.addressof(lib, "name")`.
"""

from recipes_cffi._native import ffi, lib

__all__ = ["sin", "square"]

# --8<-- [start:native_integrands]
# In API mode lib.name is a Python-callable wrapper; ffi.addressof gives the C function
# pointer itself, a <cdata 'double(*)(double, void *)'>, which integrate() passes on.
sin = ffi.addressof(lib, "recipes_integrand_sin")
square = ffi.addressof(lib, "recipes_integrand_square")
# --8<-- [end:native_integrands]

"""Two C functions of the header's integrand type, `double (*)(double x, void *context)`, for
`recipes_ctypes.integrate`: the library calls them directly, with no Python per point.

`sin` is sin(x) by the C library's sin(), the one math.sin calls, and `square` is x * x, so
`integrate(native_integrands.sin, a, b, n)` gives the same bits as `integrate(math.sin, a, b, n)`.
Both are exported by librecipes (recipes_integrand_sin, recipes_integrand_square); any C
function pointer of the same type works the same way, e.g. from your own shared library:
`Integrand(("my_function", ctypes.CDLL("libmine.so")))`.
"""

from recipes_ctypes import Integrand, _lib

__all__ = ["sin", "square"]

# --8<-- [start:native_integrands]
# An Integrand made from ("name", library) is that library's function, typed as the header's
# integrand: integrate() recognises it with isinstance and passes the pointer on.
sin = Integrand(("recipes_integrand_sin", _lib))
square = Integrand(("recipes_integrand_square", _lib))
# --8<-- [end:native_integrands]

# cython: freethreading_compatible = True
"""The smallest complete Cython module: one function, built by meson-python."""


def square(double x):
    """Return x * x. Cython converts the argument to a C double before the body runs,
    so square("x") raises TypeError and square(3) returns 9.0."""
    return x * x

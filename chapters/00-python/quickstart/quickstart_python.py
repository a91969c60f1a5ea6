"""The smallest complete Python package: one module, one function."""


def square(x: float) -> float:
    """Return x * x. A str or None raises TypeError: Python's `*` refuses them."""
    return x * x

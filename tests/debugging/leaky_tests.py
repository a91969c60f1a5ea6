"""The debugging page's refleak hunt: one test that leaks a reference per call, one that does not.

    python3.11-dbg -m pytest -p pytest_refleaks tests/debugging/leaky_tests.py
    (with tests/refleaks and recipes_broken on PYTHONPATH)

Not named test_*.py, so no `pytest tests` collects it by accident: it needs recipes_broken.
"""

import recipes_broken


def test_remember_leaks():
    """leak_reference() keeps a reference to its argument that nothing ever releases."""
    recipes_broken.leak_reference([1, 2, 3])


def test_remember_balanced():
    """The same call pattern with a Python function that gives its reference back."""
    id([1, 2, 3])

# Hand-written stub for the module compiled from _pure_mode.py.
from typing import SupportsIndex

__all__ = ["calc_pi"]

def calc_pi(digits: SupportsIndex, /) -> str: ...

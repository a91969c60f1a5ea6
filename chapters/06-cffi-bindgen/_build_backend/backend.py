"""The build backend: setuptools' own, with cffi added to the build requirements where cffi runs.

pyproject.toml's `requires` cannot say "cffi, except on free-threaded CPython 3.13": no
environment marker tells a free-threaded interpreter from a GIL one. A PEP 517 in-tree backend
can, because it runs on the interpreter it builds for. This one is the thin wrapper around
setuptools.build_meta that setuptools documents for dynamic build dependencies: every hook is
setuptools', and the three that list requirements add cffi when recipes_clib.CFFI_SUPPORTED.
(setup.py asks the same question to decide what the wheel holds and what it depends on.)
"""

import sys
from pathlib import Path

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403  (every hook not redefined below)

# recipes_clib is plain Python and needs nothing built: import it from the source tree.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "python"))
from recipes_clib import CFFI_SUPPORTED

CFFI = ["cffi>=2.0"] if CFFI_SUPPORTED else []


def get_requires_for_build_wheel(config_settings=None):
    return _setuptools.get_requires_for_build_wheel(config_settings) + CFFI


def get_requires_for_build_editable(config_settings=None):
    return _setuptools.get_requires_for_build_editable(config_settings) + CFFI


def get_requires_for_build_sdist(config_settings=None):
    # setup.py hands build_cffi.py to cffi for every command, sdist included
    return _setuptools.get_requires_for_build_sdist(config_settings) + CFFI

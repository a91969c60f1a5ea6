"""Build the wheel: first the Rust library with cargo, then the cffi extension against it.

The order matters and is the reason this file exists. `recipes_cffi._native` (cffi's API
mode) is a C extension that links against librecipes, so librecipes must exist before
build_ext compiles it. setuptools-rust would build Rust *after* the C extensions, so here a
small build_ext subclass runs cargo itself first. What ends up in the wheel:

    recipes_clib/librecipes.so        the Rust cdylib, the one and only implementation
    recipes_clib/include/recipes.h    its header, for ABI mode and for C programs
    recipes_cffi/_native.*.so         cffi API mode, linked with rpath $ORIGIN/../recipes_clib
    recipes_cffi_abi/, recipes_ctypes/  pure Python: they load librecipes.so at import

On free-threaded CPython 3.13, where cffi cannot run (recipes_clib.CFFI_SUPPORTED), the wheel
has no recipes_cffi/_native and does not depend on cffi; recipes_ctypes is complete without it.
The dependencies are therefore computed here (pyproject.toml lists them as dynamic); everything
else (package list, metadata) is in pyproject.toml.
"""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Distribution, setup
from setuptools.command.build_ext import build_ext

# recipes_clib is plain Python and needs nothing built: import it from the source tree.
sys.path.insert(0, str(Path(__file__).resolve().parent / "python"))
from recipes_clib import CFFI_SUPPORTED

HERE = Path(__file__).resolve().parent

LIBRARY_FILE = {"darwin": "librecipes.dylib", "win32": "recipes.dll"}.get(sys.platform, "librecipes.so")


# --8<-- [start:cargo_build]
def cargo_build() -> Path:
    """Build the cdylib in release mode and return its path (wherever CARGO_TARGET_DIR puts it)."""
    env = dict(os.environ)
    if "LIBCLANG_PATH" not in env:
        # The PyPI `libclang` wheel (a build requirement) ships clang/native/libclang.so.
        spec = importlib.util.find_spec("clang")
        if spec and spec.origin:
            env["LIBCLANG_PATH"] = str(Path(spec.origin).parent / "native")
    command = [
        "cargo", "build", "--release", "--lib", "--locked",
        "--manifest-path", str(HERE / "Cargo.toml"),
        # JSON on stdout tells us where the library landed; human messages still go to stderr.
        "--message-format=json-render-diagnostics",
    ]
    try:
        result = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=False)
    except FileNotFoundError:
        sys.exit("error: cargo not found: install Rust (https://rustup.rs) and put cargo on PATH")
    if result.returncode != 0:
        sys.exit(f"error: cargo build failed (exit status {result.returncode}), see above")
    for line in result.stdout.splitlines():
        message = json.loads(line)
        if message.get("reason") == "compiler-artifact" and "cdylib" in message["target"]["kind"]:
            return next(Path(name) for name in message["filenames"] if name.endswith(LIBRARY_FILE))
    sys.exit("error: cargo did not report a cdylib")
# --8<-- [end:cargo_build]


# --8<-- [start:build_ext]
class BuildRustThenCffi(build_ext):
    def run(self) -> None:
        if CFFI_SUPPORTED and not self.extensions:  # setuptools only warns of an unknown cffi_modules
            sys.exit("error: building recipes_cffi._native needs cffi: pip install 'cffi>=2.0'")
        library = cargo_build()
        # The directory of the recipes_clib package in the build tree (or in python/ for an
        # in-place build): ask build_ext where it would put a module of that package.
        package_dir = Path(self.get_ext_fullpath("recipes_clib._")).parent
        (package_dir / "include").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(library, package_dir / LIBRARY_FILE)
        shutil.copyfile(HERE / "include" / "recipes.h", package_dir / "include" / "recipes.h")
        for extension in self.extensions:  # the cffi extension links with -lrecipes from here
            extension.library_dirs.append(str(package_dir))
        super().run()
# --8<-- [end:build_ext]


# --8<-- [start:free_threading]
class NativeDistribution(Distribution):
    """A wheel for one platform and one Python even with no Python extension in it.

    librecipes.so is native code either way, but without ext_modules (free-threaded 3.13: no
    cffi) setuptools would call the wheel pure, tag it py3-none-any, and skip build_ext, which
    runs cargo. With this it is tagged as usual (cp313-cp313t-linux_x86_64), so a wheel built
    without cffi only ever installs on the kind of interpreter that built it.
    """

    def has_ext_modules(self) -> bool:
        return True


setup(
    distclass=NativeDistribution,
    cmdclass={"build_ext": BuildRustThenCffi},
    # cffi at run time: _cffi_backend for the compiled module, and cffi's parser for ABI mode.
    # NumPy: ewma returns a NumPy array, and Python reads a strided buffer's address through it
    # (numpy.asarray, numpy.ctypeslib.ndpointer). Nothing is compiled against NumPy's headers,
    # so one wheel works with NumPy 1.x and 2.x; 1.23 is the oldest release the chapter's tests
    # were run with.
    install_requires=[*(["cffi>=2.0"] if CFFI_SUPPORTED else []), "numpy>=1.23"],
    # cffi's setuptools hook: runs build_cffi.py's `ffibuilder` to generate the C source of
    # recipes_cffi._native and adds it to the extensions that build_ext compiles.
    **({"cffi_modules": ["build_cffi.py:ffibuilder"]} if CFFI_SUPPORTED else {}),
)
# --8<-- [end:free_threading]


"""Build the C extension. Everything else about the package is in pyproject.toml.

setuptools still needs a setup.py for an extension module whose compiler flags depend on
the compiler (MSVC and GCC/Clang spell them differently), and whose include directories
come from a package installed for the build (NumPy's headers).
"""

import numpy
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# Warnings on, but not -Werror: a new compiler version that adds a warning must not
# break `pip install` for users. Keeping the build warning-free is our job, not theirs.
GCC_CLANG_FLAGS = [
    "-Wall",
    "-Wextra",
    # C API callbacks have fixed signatures (METH_O functions get `module` whether
    # they use it or not); CPython itself builds with this warning off.
    "-Wno-unused-parameter",
    # Export only PyInit__recipes (marked by PyMODINIT_FUNC): core functions are then
    # called directly, not through the PLT, and cannot clash with other libraries.
    "-fvisibility=hidden",
    # ewma must round each product before the sum, as the reference does: GCC contracts
    # a * b + c into one fused multiply-add (one rounding, other bits) by default outside
    # strict ISO mode, wherever the target has FMA (arm64; x86-64 with -march=haswell or
    # later). Clang does it within an expression. MSVC does not, since Visual Studio 2022.
    "-ffp-contract=off",
]
MSVC_FLAGS = ["/W3"]


class build_ext_with_warnings(build_ext):
    def build_extensions(self):
        flags = MSVC_FLAGS if self.compiler.compiler_type == "msvc" else GCC_CLANG_FLAGS
        for extension in self.extensions:
            extension.extra_compile_args = flags + extension.extra_compile_args
            if self.compiler.compiler_type != "msvc":
                # most_common counts with pthreads: -pthread at compile and link time is
                # what GCC and Clang want (glibc before 2.34 keeps them in libpthread).
                extension.extra_compile_args = ["-pthread", *extension.extra_compile_args]
                extension.extra_link_args = ["-pthread", *extension.extra_link_args]
        super().build_extensions()


setup(
    ext_modules=[
        Extension(
            "recipes_capi._recipes",
            sources=["src/recipes_capi/_module.c", "src/recipes_capi/core.c"],
            depends=["src/recipes_capi/core.h"],
            # numpy/arrayobject.h, from the NumPy that pyproject.toml builds with (>= 2.0):
            # the module then also runs on NumPy 1.x, down to its NPY_TARGET_VERSION.
            include_dirs=[numpy.get_include()],
        )
    ],
    cmdclass={"build_ext": build_ext_with_warnings},
)

from setuptools import Extension, setup

setup(ext_modules=[Extension("quickstart_capi", sources=["quickstart.c"])])

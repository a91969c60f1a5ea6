"""A crash in native code, on purpose: recipes_broken.segfault() writes through NULL.

The debugging page runs it under faulthandler and gdb; the Python frames below are what
both of them have to show (which Python code called the crashing C function).
"""

import recipes_broken


def handle(request):
    return recipes_broken.segfault()


handle("GET /")

"""The recipes over librecipes through cffi: `bind(ffi, lib)`, for API mode and ABI mode alike.

cffi gives us `lib.recipes_fib(n, out)`: status codes, out-parameters and C integers. `bind`
turns that into `fib(n)` as the contract wants it: results instead of out-parameters,
exceptions instead of status codes, finalisers for what the library allocates. The library
checks the arguments and words the errors; what Python adds (integer conversion, the status
to exception table) is shared with ctypes in recipes_clib._frontend.

The same code serves cffi's two modes. `bind(ffi, lib)` takes the pair that either mode
produces: API mode (recipes_cffi, a compiled extension, which also carries one-argument
adapters for the hot functions: see build_cffi.py) or ABI mode (recipes_cffi_abi,
`ffi.dlopen` at import). Everything a call needs is bound to a local name of `bind`
(`c_calc_pi`, `new`, ...), which the functions reach as closure variables: the cheapest
lookup Python has. With a cffi call costing tens of nanoseconds, an attribute lookup such
as `lib.recipes_fib` on every call would show in the benchmark.
"""

import threading
from operator import index
from os import fspath

from numpy import empty

from recipes_clib._frontend import (
    INT64_MIN,
    clamp_to_int64,
    encoded_path,
    error_mapper,
    first_element_address,
    float64_view,
    int64_argument,
    int64_list,
    real_argument,
    steps_argument,
    strided_doubles,
    threads_argument,
)

UINT64_MAX = 2**64 - 1


def bind(ffi, lib, module_name):
    """Return fib, fib_recursive, LinearRecurrence, most_common, calc_pi, ewma, integrate over `lib`."""

    # --8<-- [start:bind_errors]
    def last_message():
        return ffi.string(lib.recipes_last_error_message()).decode("utf-8", "replace")

    def last_utf8_span():
        span = ffi.new("uint64_t[2]")
        lib.recipes_last_utf8_error(span, span + 1)
        return span[0], span[1]

    # cffi reads the header's #defines: the status codes are attributes of `lib`.
    error = error_mapper(lib, lambda: ffi.errno, last_message, last_utf8_span)
    # --8<-- [end:bind_errors]

    # --8<-- [start:bind_callbacks]
    new, from_handle, STOPPED = ffi.new, ffi.from_handle, lib.RECIPES_STOPPED

    class CallbackFailure(threading.local):
        """Where an exception raised in a callback waits until the library call returns.

        cffi never lets an exception cross C: it calls `onerror` instead, with the exception
        but not the callback's arguments. Per thread, one slot is enough: callbacks run on
        the thread that called the library, and only the innermost call in progress on a
        thread can be calling back (a nested integrate() returns before its caller's f does).
        """

        def __init__(self):
            self.error = None
            self.stop = new("int32_t *")  # integrate's stop flag, read by recipes_stop_flag

        def take(self):
            """The exception, to raise now that the call has returned; the slot is cleared."""
            error, self.error, self.stop[0] = self.error, None, 0
            return error

    failure = CallbackFailure()

    def check_signals(context):
        # fib_recursive's stop hook. Its body does nothing: entering Python is the point.
        # CPython runs signal handlers between bytecodes, on the main thread, and a signal
        # that arrived during the C call is handled at this function's first instruction,
        # before any `try` here could start. A handler that raises (Ctrl-C) therefore
        # raises *into cffi*, which calls onerror below. Elsewhere it just returns 0.
        return 0

    def keep(exc, traceback):
        # cffi hands onerror the traceback separately; until it is attached, the exception
        # object does not carry the frames it was raised through (the callback's, f's).
        failure.error = exc if traceback is None else exc.with_traceback(traceback)

    def stop_after_failed_check(exc_type, exc, traceback):
        keep(exc, traceback)
        return 1  # the hook's result: stop

    def integrand(x, context):
        # The handle made by integrate() gives back its f; cffi converts f's result to a C
        # double with PyFloat_AsDouble, the contract's rule (a float, __float__, __index__).
        return from_handle(context)(x)

    def stop_after_failed_point(exc_type, exc, traceback):
        # Any failure of a point comes here: f raised, its result did not convert (then
        # traceback is None), or a signal handler raised on entry. Keep the exception, ask
        # the library to stop after this point (recipes_stop_flag reads failure.stop), and
        # return a value for it, which the library will discard.
        keep(exc, traceback)
        failure.stop[0] = 1
        return 0.0

    if hasattr(lib, "python_integrand"):
        # API mode: attach the Python functions to the extension's extern "Python" C functions.
        ffi.def_extern("python_check_signals", onerror=stop_after_failed_check)(check_signals)
        ffi.def_extern("python_integrand", onerror=stop_after_failed_point)(integrand)
        c_check_signals, c_integrand = lib.python_check_signals, lib.python_integrand
    else:
        # ABI mode has no compiler: libffi writes a small C function at run time for each
        # ffi.callback, made once here and kept alive by the closures that use it.
        c_check_signals = ffi.callback("recipes_stop_hook", check_signals, onerror=stop_after_failed_check)
        c_integrand = ffi.callback("recipes_integrand", integrand, onerror=stop_after_failed_point)
    # --8<-- [end:bind_callbacks]

    # --8<-- [start:bind_fib]
    NULL = ffi.NULL
    u64_ptr, i64_ptr, size_ptr = ffi.typeof("uint64_t *"), ffi.typeof("int64_t *"), ffi.typeof("size_t *")
    # API mode compiles one-argument adapters into the extension (build_cffi.py); ABI mode
    # calls the header's functions as declared.
    adapters = hasattr(lib, "adapter_last_status")
    adapter_last_status = lib.adapter_last_status if adapters else None

    # The argument goes to C as it is, and only an int that cffi refuses (OverflowError:
    # beyond int64_t) is clamped and passed again, for the library to judge. The `try` costs
    # nothing until it catches, so fib(0) pays for no Python-level range check.
    def fib_through_adapter(c_adapter):
        def fib(n, /):
            n = index(n)  # outside the try: an OverflowError from __index__ must propagate as is
            try:
                result = c_adapter(n)
            except OverflowError:
                result = c_adapter(clamp_to_int64(n))
            if result == UINT64_MAX:  # the adapter's failure sentinel
                status = adapter_last_status()
                raise failure.take() if status == STOPPED else error(status)
            return result

        return fib

    def fib_through_out_parameter(c_function, *hook):
        def fib(n, /):
            n = index(n)
            result = new(u64_ptr)  # the out-parameter, freed with the cdata object
            try:
                status = c_function(n, *hook, result)
            except OverflowError:
                status = c_function(clamp_to_int64(n), *hook, result)
            if status:
                raise failure.take() if status == STOPPED else error(status)
            return result[0]

        return fib

    if adapters:
        fib = fib_through_adapter(lib.adapter_fib)
        fib_recursive = fib_through_adapter(lib.adapter_fib_recursive)
    else:
        fib = fib_through_out_parameter(lib.recipes_fib)
        # The stop hook is a Python callback; no context needed (NULL).
        fib_recursive = fib_through_out_parameter(lib.recipes_fib_recursive, c_check_signals, NULL)
    for function, name in ((fib, "fib"), (fib_recursive, "fib_recursive")):
        function.__name__, function.__qualname__, function.__module__ = name, name, module_name
    # --8<-- [end:bind_fib]

    # --8<-- [start:bind_linear_recurrence]
    c_recurrence_new = lib.recipes_linear_recurrence_new
    c_recurrence_next = lib.recipes_linear_recurrence_next
    c_recurrence_free = lib.recipes_linear_recurrence_free
    c_recurrence_next_adapter = lib.adapter_linear_recurrence_next if adapters else None
    gc = ffi.gc
    handle_ptr = ffi.typeof("recipes_linear_recurrence **")

    class LinearRecurrence:
        """Iterate a_0, a_1, ... where a_{n+k} = c_0*a_n + ... + c_{k-1}*a_{n+k-1}."""

        __slots__ = ("_handle",)

        def __init__(self, coefficients, initial, /):
            coefficients = int64_list(coefficients, "coefficients")
            initial = int64_list(initial, "initial values")
            handle = new(handle_ptr)
            # cffi turns each list into a temporary int64_t[] that lives during the call. The
            # library checks the shape (empty, different lengths) and words the error.
            status = c_recurrence_new(coefficients, len(coefficients), initial, len(initial), handle)
            if status:
                raise error(status)
            # ffi.gc: when this cdata object is garbage, cffi calls the free function on it,
            # so the handle is freed exactly once, when the Python object goes.
            self._handle = gc(handle[0], c_recurrence_free)

        def __iter__(self):
            return self

        # No Python lock: cffi releases the GIL during the call, so threads sharing this
        # iterator do run the C function at the same time, and the handle's own mutex
        # (src/ffi.rs) hands each of them a different term.
        if adapters:

            def __next__(self):
                term = c_recurrence_next_adapter(self._handle)
                if term == INT64_MIN:  # a valid term, or the adapter's failure sentinel
                    status = adapter_last_status()
                    if status:
                        raise error(status)
                return term

        else:

            def __next__(self):
                term = new(i64_ptr)
                status = c_recurrence_next(self._handle, term)
                if status:
                    raise error(status)
                return term[0]

    LinearRecurrence.__module__, LinearRecurrence.__qualname__ = module_name, "LinearRecurrence"
    # --8<-- [end:bind_linear_recurrence]

    # --8<-- [start:bind_most_common]
    c_most_common, c_word_counts_free = lib.recipes_most_common, lib.recipes_word_counts_free
    words_ptr = ffi.typeof("recipes_word_count **")
    unpack = ffi.unpack
    ERR_VALUE = lib.RECIPES_ERR_VALUE

    def most_common(path, n, /, *, threads=1):
        encoded = encoded_path(path)
        n = int64_argument(n)  # a huge n becomes INT64_MAX, which still means "all of them"
        words, count = new(words_ptr), new(size_ptr)

        def n_error():
            # No path: the library checks n, then threads (1 is fine), then fails to open "".
            status = c_most_common(b"", 0, n, 1, words, count)
            if status == ERR_VALUE:
                return error(status)
            if status == 0:
                c_word_counts_free(words[0], count[0])
            return None

        threads = threads_argument(threads, n_error)  # None: os.cpu_count(); < 1 is the library's
        # Passed with its length, so a NUL inside the name reaches the library, which refuses
        # it like open(). The GIL is released during this call (cffi always does): other
        # threads run while the library reads and counts.
        status = c_most_common(encoded, len(encoded), n, threads, words, count)
        if status:
            raise error(status, fspath(path))  # the contract's filename: os.fspath(path)
        array, count = words[0], count[0]
        try:
            return [(unpack(entry.word, entry.word_len).decode("utf-8"), entry.count) for entry in array[0:count]]
        finally:
            # The array never leaves this function: free it now rather than with ffi.gc later.
            c_word_counts_free(array, count)
    # --8<-- [end:bind_most_common]

    # --8<-- [start:bind_calc_pi]
    c_calc_pi = lib.recipes_calc_pi
    ERR_BUFFER_TOO_SMALL = lib.RECIPES_ERR_BUFFER_TOO_SMALL

    def calc_pi(digits, /):
        digits = int64_argument(digits)
        length = new(size_ptr)
        # First call: no buffer, so the library only checks `digits` and reports the length.
        status = c_calc_pi(digits, NULL, 0, length)
        if status != ERR_BUFFER_TOO_SMALL:
            raise error(status)
        # Second call: a buffer of our own (cffi frees it with the cdata object).
        buffer = new("char[]", length[0] + 1)
        status = c_calc_pi(digits, buffer, len(buffer), length)
        if status:
            raise error(status)
        return unpack(buffer, length[0]).decode("ascii")
    # --8<-- [end:bind_calc_pi]

    # --8<-- [start:bind_ewma]
    c_ewma, from_buffer, cast = lib.recipes_ewma, ffi.from_buffer, ffi.cast
    double_array, double_ptr = ffi.typeof("double[]"), ffi.typeof("double *")

    def ewma(values, alpha, /):
        # The view is checked (1-D, native doubles) and holds the buffer until the block ends,
        # on every path: while the library reads the memory, nothing can move or free it.
        with float64_view(values) as view:
            buffer, stride = strided_doubles(view)
            length = len(view)
            out = empty(length)  # the result: NumPy owns it, the library only fills it
            # A pointer into `out`. Writable by construction, so no require_writable=True
            # (which costs a keyword argument and a stricter buffer request on every call).
            y = from_buffer(double_array, out)
            # alpha goes to C as it is: cffi converts a `double` with PyFloat_AsDouble, which
            # is the contract's rule (TypeError for str, OverflowError for a huge int).
            if stride == 1:
                # cffi's idiom: a pointer to the buffer's own memory, no copy, read-only
                # buffers included (require_writable is False by default). The cdata locks
                # the view while it lives; as a temporary argument it is freed as soon as the
                # call returns, before the `with` releases the view.
                status = c_ewma(from_buffer(double_array, buffer), length, 1, alpha, y)
            else:
                # from_buffer refuses strided and reversed buffers (it asks for a contiguous
                # one), so element 0's address comes from NumPy and the library does the steps.
                x = cast(double_ptr, first_element_address(buffer))
                status = c_ewma(x, length, stride, alpha, y)
        if status:
            raise error(status)
        return out

    ewma.__module__ = module_name
    # --8<-- [end:bind_ewma]

    # --8<-- [start:bind_integrate]
    c_integrate, new_handle, CData, typeof = lib.recipes_integrate, ffi.new_handle, ffi.CData, ffi.typeof
    c_stop_flag = ffi.addressof(lib, "recipes_stop_flag")
    integrand_type, result_ptr = ffi.typeof("recipes_integrand"), ffi.typeof("double *")

    def integrate(f, a, b, n, /):
        # A C function of the header's integrand type (recipes_cffi.native_integrands, or your
        # own) goes to the library as it is. (A cdata function pointer is callable from Python
        # too, so this test comes first.)
        native = isinstance(f, CData) and typeof(f) is integrand_type
        if not (native or callable(f)):
            raise TypeError(f"integrate() f must be callable, not {type(f).__name__}")
        a = real_argument(a, "integrate() a")  # converted here, in the contract's order
        b = real_argument(b, "integrate() b")
        n = steps_argument(n)
        result = new(result_ptr)
        if native:
            # No Python per point, and nothing that can fail in between: no stop hook.
            status = c_integrate(f, NULL, a, b, n, NULL, NULL, result)
        else:
            # One C function for every f: the handle (a `void *` for a Python object, valid
            # while the cdata lives: a temporary argument lives until the call returns) tells
            # it which f. After each point, recipes_stop_flag reads this thread's stop flag.
            status = c_integrate(c_integrand, new_handle(f), a, b, n, c_stop_flag, failure.stop, result)
        if status:
            # RECIPES_STOPPED: f failed, and the same exception object, its traceback still
            # holding f's frame, is raised here, after the call, as if there were no C between.
            raise failure.take() if status == STOPPED else error(status)
        return result[0]

    integrate.__module__ = module_name
    # --8<-- [end:bind_integrate]

    # --8<-- [start:bind_module]
    # recipes_cffi and recipes_cffi_abi each call bind() with their own ffi and lib, and
    # publish what it returns as their module's names.
    return fib, fib_recursive, LinearRecurrence, most_common, calc_pi, ewma, integrate
    # --8<-- [end:bind_module]

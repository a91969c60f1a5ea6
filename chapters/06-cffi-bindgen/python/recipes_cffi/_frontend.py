"""The Python face of librecipes through cffi: the five recipes with CPython's rules.

cffi gives us `lib.recipes_fib(n, out)`: C status codes, out-parameters and C integers.
This module turns that into `fib(n)` with the contract's behaviour: operator.index
conversion, exceptions instead of status codes, results instead of out-parameters,
finalisers for what the library allocates.

The same code serves cffi's two modes. `bind(ffi, lib)` takes the pair that either mode
produces: API mode (recipes_cffi, a compiled extension, which also carries one-argument
adapters for the hot functions: see build_cffi.py) or ABI mode (recipes_cffi_abi,
`ffi.dlopen` at import). Everything a call needs is bound to a local name of `bind`
(`c_calc_pi`, `new`, ...), which the functions reach as closure variables: the cheapest
lookup Python has. With a cffi call costing tens of nanoseconds, an attribute lookup such
as `lib.recipes_fib` on every call would show in the benchmark.
"""

from operator import index
from os import fsencode, fspath, strerror

I64_MIN, I64_MAX = -(2**63), 2**63 - 1
U64_MAX = 2**64 - 1


def bind(ffi, lib, module_name):
    """Return fib, fib_recursive, LinearRecurrence, most_common and calc_pi over `lib`."""

    # --8<-- [start:bind_errors]
    # Status codes from the header: cffi exposes its integer #defines as attributes of lib.
    ERR_VALUE, ERR_OVERFLOW, ERR_OS = lib.RECIPES_ERR_VALUE, lib.RECIPES_ERR_OVERFLOW, lib.RECIPES_ERR_OS
    ERR_UTF8, ERR_BUFFER_TOO_SMALL = lib.RECIPES_ERR_UTF8, lib.RECIPES_ERR_BUFFER_TOO_SMALL

    def error(status, filename=None):
        """The exception for a failed call; call it right after the call that failed."""
        # Pitfall: read errno first. cffi saves errno after *every* C call on this thread,
        # so the call to recipes_last_error_message below would replace it.
        errno = ffi.errno
        message = ffi.string(lib.recipes_last_error_message()).decode("utf-8", "replace")
        if status == ERR_VALUE:
            return ValueError(message)
        if status == ERR_OVERFLOW:
            return OverflowError(message)
        if status == ERR_OS:
            # OSError picks the subclass from errno itself: FileNotFoundError for ENOENT,
            # IsADirectoryError for EISDIR, ... exactly as open() does.
            return OSError(errno, strerror(errno), filename)
        if status == ERR_UTF8:
            span = ffi.new("uint64_t[2]")
            lib.recipes_last_utf8_error(span, span + 1)
            # The library does not hand the file's bytes back, so `object` is empty; start and
            # end are offsets into the file, as bytes.decode() would report them.
            return UnicodeDecodeError("utf-8", b"", span[0], span[1], message)
        return RuntimeError(f"librecipes failed with status {status}: {message}")
    # --8<-- [end:bind_errors]

    # --8<-- [start:bind_fib]
    new = ffi.new
    u64_ptr, i64_ptr, size_ptr = ffi.typeof("uint64_t *"), ffi.typeof("int64_t *"), ffi.typeof("size_t *")
    # API mode compiles one-argument adapters into the extension (build_cffi.py); ABI mode
    # calls the header's functions as declared.
    adapters = hasattr(lib, "adapter_last_status")
    adapter_last_status = lib.adapter_last_status if adapters else None

    def int64_argument_out_of_range(function, n):
        # A Python int can exceed int64_t, which the C function cannot even receive (cffi
        # raises OverflowError before the call). Apply the same rule the library would.
        if n < 0:
            return ValueError(f"{function}() argument must be >= 0, got {n}")
        return OverflowError(f"{function}({n}) does not fit in 64 bits: the argument must be <= 93")

    def fib_through_adapter(c_adapter, name):
        def fib(n, /):
            n = index(n)  # outside the try: an OverflowError from __index__ must propagate as is
            try:
                result = c_adapter(n)
            except OverflowError:
                raise int64_argument_out_of_range(name, n) from None
            if result == U64_MAX:  # the adapter's failure sentinel
                raise error(adapter_last_status())
            return result

        return fib

    def fib_through_out_parameter(c_function, name):
        def fib(n, /):
            n = index(n)
            result = new(u64_ptr)  # the out-parameter, freed with the cdata object
            try:
                status = c_function(n, result)
            except OverflowError:
                raise int64_argument_out_of_range(name, n) from None
            if status:
                raise error(status)
            return result[0]

        return fib

    if adapters:
        fib = fib_through_adapter(lib.adapter_fib, "fib")
        fib_recursive = fib_through_adapter(lib.adapter_fib_recursive, "fib_recursive")
    else:
        fib = fib_through_out_parameter(lib.recipes_fib, "fib")
        fib_recursive = fib_through_out_parameter(lib.recipes_fib_recursive, "fib_recursive")
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

    def int64_list(values, what):
        result = []
        for value in values:  # TypeError if not iterable
            value = index(value)
            if not I64_MIN <= value <= I64_MAX:
                raise OverflowError(f"LinearRecurrence {what} {value} does not fit in 64 bits")
            result.append(value)
        return result

    class LinearRecurrence:
        """Iterate a_0, a_1, ... where a_{n+k} = c_0*a_n + ... + c_{k-1}*a_{n+k-1}."""

        __slots__ = ("_handle",)

        def __init__(self, coefficients, initial, /):
            coefficients = int64_list(coefficients, "coefficient")
            initial = int64_list(initial, "initial value")
            handle = new(handle_ptr)
            # cffi turns each list into a temporary int64_t[] that lives during the call.
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
                if term == I64_MIN:  # a valid term, or the adapter's failure sentinel
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

    def most_common(path, n, /):
        if not isinstance(fspath(path), str):  # fspath raises TypeError for int, None, ...
            raise TypeError(f"most_common() path must be str or os.PathLike[str], not {type(path).__name__}")
        n = index(n)
        if n > I64_MAX:
            n = I64_MAX  # more words than any file has: "all of them"
        elif n < I64_MIN:
            raise ValueError(f"most_common() n must be >= 0, got {n}")
        # The file name as the OS sees it (surrogateescape'd bytes round-trip). Passed with
        # its length, so a NUL inside reaches the library, which refuses it like open().
        encoded = fsencode(path)
        words, count = new(words_ptr), new(size_ptr)
        # The GIL is released during this call (cffi always does): other threads run while
        # the library reads and counts.
        status = c_most_common(encoded, len(encoded), n, words, count)
        if status:
            raise error(status, path)
        array, count = words[0], count[0]
        try:
            return [(unpack(entry.word, entry.word_len).decode("utf-8"), entry.count) for entry in array[0:count]]
        finally:
            # The array never leaves this function: free it now rather than with ffi.gc later.
            c_word_counts_free(array, count)
    # --8<-- [end:bind_most_common]

    # --8<-- [start:bind_calc_pi]
    c_calc_pi, NULL = lib.recipes_calc_pi, ffi.NULL

    def calc_pi(digits, /):
        digits = index(digits)
        length = new(size_ptr)
        # First call: no buffer, so the library only checks `digits` and reports the length.
        try:
            status = c_calc_pi(digits, NULL, 0, length)
        except OverflowError:  # does not fit in int64_t, so certainly out of range
            raise ValueError(f"calc_pi() digits must be between 0 and 10000, got {digits}") from None
        if status != ERR_BUFFER_TOO_SMALL:
            raise error(status)
        # Second call: a buffer of our own (cffi frees it with the cdata object).
        buffer = new("char[]", length[0] + 1)
        status = c_calc_pi(digits, buffer, len(buffer), length)
        if status:
            raise error(status)
        return unpack(buffer, length[0]).decode("ascii")
    # --8<-- [end:bind_calc_pi]

    # --8<-- [start:bind_module]
    # recipes_cffi and recipes_cffi_abi each call bind() with their own ffi and lib, and
    # publish what it returns as their module's five names.
    return fib, fib_recursive, LinearRecurrence, most_common, calc_pi
    # --8<-- [end:bind_module]

# distutils: language = c++
# cython: freethreading_compatible = True
# cython: binding = False, embedsignature = True, embedsignature.format = clinic
"""The five recipes in typed Cython.

The file has the two halves every chapter has. The core is a set of `cdef` functions
that work on C types only and never touch a Python object, so each one is declared
`nogil`. The binding layer below it is the `def` functions and the one `cdef class`
that Python sees: they convert arguments, raise exceptions, and release the GIL
around the core.

The first line makes Cython emit C++ (for libcpp.vector and libcpp.algorithm).
meson.build says the same with `cython_language=cpp`; the comment is for
`cythonize` and for readers.

`binding = False` makes each `def` function a built-in function, the same kind of
object the C API makes, instead of Cython's own function type (the default since
Cython 3, which supports introspection, default arguments and use as a method).
A call then costs a few nanoseconds less, which is most of what `fib(0)` measures.
`embedsignature.format = clinic` puts the signature into the docstring in the form
that inspect.signature() reads from built-ins, so introspection still works.
"""

cimport cython
from cpython.long cimport PyLong_AsLongLongAndOverflow
from cpython.number cimport PyNumber_Index
from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.errno cimport EINTR, EISDIR, ENOMEM, errno
from libc.limits cimport LLONG_MAX, LLONG_MIN
from libc.stdint cimport int64_t, uint64_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcmp, memcpy, strlen
from libcpp.algorithm cimport partial_sort, sort
from libcpp.vector cimport vector
from posix.fcntl cimport O_CLOEXEC, O_RDONLY, open as posix_open
from posix.stat cimport S_ISDIR, fstat, struct_stat
from posix.unistd cimport close as posix_close, read as posix_read

from array import array
from os import strerror

cdef extern from "Python.h":
    # Not declared in Cython's bundled cpython/*.pxd files, so we declare them here.
    # `object` return types tell Cython "a new reference, NULL means an exception".
    object PyOS_FSPath(object path)
    bytes PyUnicode_EncodeFSDefault(object text)
    const Py_ssize_t PY_SSIZE_T_MAX


# =====================================================================================
# The core: C types only. `noexcept` tells Cython the function cannot raise, so the
# caller does not test for an exception after each call (Cython 3 tests by default,
# see the README on `except` clauses). `nogil` lets it run with the GIL released, and
# makes the compiler refuse any line that would need a Python object.
# =====================================================================================

# --8<-- [start:fib]
cdef uint64_t fib_u64(unsigned int n) noexcept nogil:
    """F(n) for 0 <= n <= 93; the binding layer checks the range."""
    cdef uint64_t previous = 0, current = 1
    cdef unsigned int step
    if n == 0:
        return 0
    # Pitfall: the textbook loop `a, b = b, a + b` run n times leaves F(n+1) in b, and
    # F(94) does not fit in 64 bits. C would wrap it silently (unsigned arithmetic is
    # modulo 2**64). Running the loop n - 1 times stops at F(n).
    for step in range(n - 1):
        previous, current = current, previous + current
    return current
# --8<-- [end:fib]


# --8<-- [start:fib_recursive]
cdef uint64_t fib_recursive_u64(unsigned int n) noexcept nogil:
    # A cdef function is a plain C function: these recursive calls are C calls, with
    # no argument tuple, no Python int and no exception check (thanks to noexcept).
    if n <= 1:
        return n
    return fib_recursive_u64(n - 1) + fib_recursive_u64(n - 2)
# --8<-- [end:fib_recursive]


# --8<-- [start:linear_recurrence]
cdef extern from *:
    """
    /* Checked signed 64-bit arithmetic: nonzero means the exact result does not fit
       (and *out must not be used). GCC and Clang compile the builtins to the plain
       instruction plus a jump on the CPU's overflow flag. Other compilers get the
       explicit range checks, written so that no intermediate value overflows. */
    #if defined(__GNUC__) || defined(__clang__)
    #define recipes_add_overflows(a, b, out) __builtin_add_overflow((a), (b), (out))
    #define recipes_mul_overflows(a, b, out) __builtin_mul_overflow((a), (b), (out))
    #else
    static int recipes_add_overflows(int64_t a, int64_t b, int64_t *out) {
        if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b)) return 1;
        *out = a + b;
        return 0;
    }
    static int recipes_mul_overflows(int64_t a, int64_t b, int64_t *out) {
        if (a > 0 ? (b > 0 ? a > INT64_MAX / b : b < INT64_MIN / a)
                  : (b > 0 ? a < INT64_MIN / b : (a != 0 && b < INT64_MAX / a))) return 1;
        *out = a * b;
        return 0;
    }
    #endif
    """
    # The string after the Python-side name is the C name Cython emits.
    bint add_overflows "recipes_add_overflows"(int64_t a, int64_t b, int64_t *out) noexcept nogil
    bint mul_overflows "recipes_mul_overflows"(int64_t a, int64_t b, int64_t *out) noexcept nogil


cdef bint next_term(const int64_t *coefficients, const int64_t *window, Py_ssize_t k,
                    Py_ssize_t oldest, int64_t *term) noexcept nogil:
    """*term = c[0]*w[0] + ... + c[k-1]*w[k-1], where w is the ring buffer `window`
    read from its oldest entry. Evaluated left to right, every * and + checked.
    Returns False (and leaves *term alone) if any step overflows."""
    cdef int64_t total = 0, product
    cdef Py_ssize_t i, slot = oldest
    for i in range(k):
        if (mul_overflows(coefficients[i], window[slot], &product)
                or add_overflows(total, product, &total)):
            return False
        slot += 1
        if slot == k:  # wrap around with a compare, not `%`: no division in the loop
            slot = 0
    term[0] = total  # Cython has no unary `*`: p[0] is how you write *p
    return True
# --8<-- [end:linear_recurrence]


# --8<-- [start:most_common]
cdef struct WordSlot:
    uint64_t hash     # kept, so growing the table never hashes a word again
    const char *word  # points into the file buffer: a word is never copied
    size_t length
    Py_ssize_t count  # 0 marks an empty slot

# Why a hand-made table rather than libcpp.unordered_map: we wrote the unordered_map
# version first (it is shorter), and it was the slowest part of the recipe by far.
# std::unordered_map keeps every entry in its own heap node, so each lookup divides
# by a prime to find the bucket and then follows pointers around memory. This table
# is one flat array of structs (open addressing with linear probing, kept at most
# half full), the hash is computed in the same loop that finds the word, and the
# array lives in a libcpp.vector, which frees it on every path out of the function.
cdef enum:
    FIRST_TABLE_BITS = 10  # 1024 slots to start with; doubled when half full


cdef WordSlot *find_slot(WordSlot *slots, int bits, uint64_t hash,
                         const char *word, size_t length) noexcept nogil:
    """The slot that holds `word`, or the empty slot where it belongs."""
    cdef size_t mask = (<size_t>1 << bits) - 1
    # FNV-1a mixes its high bits best, so the first slot comes from the top bits.
    cdef size_t i = hash >> (64 - bits)
    while slots[i].count != 0 and not (slots[i].hash == hash and slots[i].length == length
                                       and memcmp(slots[i].word, word, length) == 0):
        i = (i + 1) & mask  # taken: try the next slot, wrapping at the end
    return &slots[i]


cdef int grow(vector[WordSlot] &table, int *bits) except -1 nogil:
    """Double the table and move every word to its slot in the new one."""
    cdef vector[WordSlot] bigger = vector[WordSlot](table.size() * 2)  # zeroed: all empty
    bits[0] += 1
    for entry in table:
        if entry.count != 0:
            find_slot(bigger.data(), bits[0], entry.hash, entry.word, entry.length)[0] = entry
    table.swap(bigger)  # the old array is freed when `bigger` goes out of scope
    return 0


cdef inline bint is_ascii_space(unsigned char c) noexcept nogil:
    # Exactly the bytes bytes.split() splits on: \t \n \v \f \r (9..13) and space.
    return c == 32 or 9 <= c <= 13


cdef bint more_common(const WordSlot &a, const WordSlot &b) noexcept nogil:
    """Sort order: count descending, then word ascending by bytes. memcmp compares
    bytes as unsigned, and UTF-8 byte order is code point order."""
    cdef int order
    if a.count != b.count:
        return a.count > b.count
    order = memcmp(a.word, b.word, a.length if a.length < b.length else b.length)
    return order < 0 if order != 0 else a.length < b.length


cdef int count_words(char *data, size_t size, Py_ssize_t limit,
                     vector[WordSlot] &top) except -1 nogil:
    """Lowercase `data` in place (A-Z only), count its words, and leave the `limit`
    most common in `top`. The entries point into `data`: keep it alive while using them.

    `except -1 nogil`: this can fail (std::bad_alloc from a vector, which the
    `except +` declarations in libcpp turn into MemoryError), so it returns -1 to say
    "an exception is set". Cython takes the GIL just long enough to set it, and the
    caller's `with nogil` block jumps to its error path."""
    cdef vector[WordSlot] table = vector[WordSlot](1 << FIRST_TABLE_BITS)
    cdef int bits = FIRST_TABLE_BITS
    cdef size_t i = 0, start, used = 0
    cdef uint64_t hash
    cdef WordSlot *slot
    while True:
        while i < size and is_ascii_space(data[i]):
            i += 1
        if i == size:
            break
        start = i
        hash = 14695981039346656037ULL  # FNV-1a offset basis
        while i < size and not is_ascii_space(data[i]):
            # Lowercasing A-Z byte by byte is safe in UTF-8: the bytes of a multibyte
            # character are all >= 0x80, never mistaken for ASCII letters.
            if 65 <= data[i] <= 90:  # 'A'..'Z'
                data[i] += 32
            hash = (hash ^ <unsigned char>data[i]) * 1099511628211ULL  # FNV prime
            i += 1
        slot = find_slot(table.data(), bits, hash, data + start, i - start)
        if slot.count == 0:  # a new word (Cython writes slot.count for C's slot->count)
            slot.hash, slot.word, slot.length = hash, data + start, i - start
            used += 1
        slot.count += 1
        if 2 * used > table.size():  # after the last use of `slot`: growing moves it
            grow(table, &bits)
    top.reserve(used)
    for entry in table:
        if entry.count != 0:
            top.push_back(entry)
    if <size_t>limit < top.size():  # partial_sort only orders the first `limit` entries
        partial_sort(top.begin(), top.begin() + limit, top.end(), more_common)
        top.resize(limit)
    else:
        sort(top.begin(), top.end(), more_common)
    return 0


cdef int read_whole_file(const char *path, char **data, size_t *size) noexcept nogil:
    """Read the file at `path` into a new malloc() buffer (*data, *size; the caller
    frees it). Returns 0 or the errno value that explains the failure."""
    cdef struct_stat info
    cdef char *buffer = NULL
    cdef char *bigger
    cdef size_t used = 0, capacity
    cdef ssize_t got
    cdef int error = 0
    cdef int fd = posix_open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0:
        return errno
    if fstat(fd, &info) != 0:
        error = errno
    elif S_ISDIR(info.st_mode):
        error = EISDIR  # open(2) accepts a directory; Python's open() says EISDIR
    else:
        # st_size is a hint (the file may grow meanwhile; /proc files report 0): one
        # spare byte lets a file of exactly that size reach end-of-file without a realloc.
        capacity = <size_t>info.st_size + 1
        buffer = <char *>malloc(capacity)
        if buffer == NULL:
            error = ENOMEM
        while error == 0:
            if used == capacity:
                capacity *= 2
                bigger = <char *>realloc(buffer, capacity)
                if bigger == NULL:
                    error = ENOMEM
                    break
                buffer = bigger
            got = posix_read(fd, buffer + used, capacity - used)
            if got > 0:
                used += got
            elif got == 0:
                break  # end of file
            elif errno != EINTR:  # EINTR: a signal interrupted the read; read again
                error = errno
    posix_close(fd)
    if error != 0:
        free(buffer)
        return error
    data[0] = buffer
    size[0] = used
    return 0


cdef bint is_utf8(const unsigned char *s, size_t size) noexcept nogil:
    """True if s[0:size] is UTF-8 by the rules of Python's strict decoder: no overlong
    forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF, nothing truncated."""
    cdef size_t i = 0, extra, j
    cdef unsigned char lead, low, high
    cdef uint64_t eight
    while i < size:
        if size - i >= 8:  # fast path: 8 ASCII bytes at once (no high bit set)
            memcpy(&eight, s + i, 8)  # memcpy, because s + i may be unaligned
            if (eight & 0x8080808080808080ULL) == 0:
                i += 8
                continue
        lead = s[i]
        if lead < 0x80:
            i += 1
            continue
        low, high = 0x80, 0xBF  # the allowed range of the first continuation byte
        if 0xC2 <= lead <= 0xDF:
            extra = 1
        elif lead == 0xE0:
            extra, low = 2, 0xA0  # E0 80..9F would be an overlong 3-byte form
        elif lead == 0xED:
            extra, high = 2, 0x9F  # ED A0..BF would be a surrogate
        elif 0xE1 <= lead <= 0xEF:
            extra = 2
        elif lead == 0xF0:
            extra, low = 3, 0x90  # F0 80..8F would be an overlong 4-byte form
        elif 0xF1 <= lead <= 0xF3:
            extra = 3
        elif lead == 0xF4:
            extra, high = 3, 0x8F  # F4 90.. would be above U+10FFFF
        else:
            return False  # a stray continuation byte, C0/C1 (overlong), or F5..FF
        if size - i <= extra or not (low <= s[i + 1] <= high):
            return False
        for j in range(i + 2, i + extra + 1):
            if (s[j] & 0xC0) != 0x80:
                return False
        i += extra + 1
    return True


# --8<-- [end:most_common]


# --8<-- [start:calc_pi]
@cython.boundscheck(False)  # safe: i runs from size down to 1 and we only touch a[i-1];
                            # `produced` never passes n + 1, the length of `out`
@cython.wraparound(False)   # safe: no index is ever negative, so skip the a[-1] logic
@cython.cdivision(True)     # safe: every operand is >= 0 and every divisor is 2i-1 >= 1
                            # or 10, so C's / and % equal Python's // and % and no
                            # ZeroDivisionError check is needed
cdef void spigot_pi(uint64_t[::1] a, unsigned char[::1] out) noexcept nogil:
    """The Rabinowitz-Wagon spigot. `a` is the working buffer, all 2s on entry;
    `out` gets len(out) ASCII digits: the leading 0, then 3 1 4 1 5 ..."""
    cdef Py_ssize_t size = a.shape[0], n = out.shape[0] - 1, produced = 0
    cdef Py_ssize_t step, i
    cdef uint64_t x, q, divisor, predigit = 0, nines = 0, k
    for step in range(n):
        q = 0
        for i in range(size, 0, -1):
            divisor = 2 * i - 1
            x = 10 * a[i - 1] + q * i
            a[i - 1] = x % divisor
            q = x // divisor
        a[0] = q % 10
        q //= 10
        if q == 9:
            nines += 1  # hold it: a later 10 may still turn these nines into zeros
        elif q == 10:
            out[produced] = 48 + predigit + 1  # 48 is '0'
            produced += 1
            for k in range(nines):
                out[produced] = 48
                produced += 1
            predigit, nines = 0, 0
        else:
            out[produced] = 48 + predigit
            produced += 1
            for k in range(nines):
                out[produced] = 57  # '9'
                produced += 1
            predigit, nines = q, 0
    out[produced] = 48 + predigit
    produced += 1
    for k in range(nines):
        out[produced] = 57
        produced += 1
# --8<-- [end:calc_pi]


# =====================================================================================
# The binding layer: Python objects in, Python objects out.
# =====================================================================================

# --8<-- [start:bind_index]
cdef long long saturated(object index) except? -1:
    """An int (as returned by operator.index) as a C long long, saturated: a huge
    value becomes LLONG_MAX or LLONG_MIN, so the range checks that follow still see
    its sign (2**100 > 93, -2**100 < 0) instead of an OverflowError from the
    conversion. `except? -1`: -1 is a valid result, so after a -1 Cython also asks
    PyErr_Occurred() whether it was an error."""
    cdef int overflow = 0
    cdef long long value = PyLong_AsLongLongAndOverflow(index, &overflow)
    if overflow > 0:
        return LLONG_MAX
    if overflow < 0:
        return LLONG_MIN
    return value
# --8<-- [end:bind_index]


# --8<-- [start:bind_fib]
cdef int fib_argument(object n, str function) except -1:
    """Check a fib()/fib_recursive() argument; return it as a C int in 0..93.
    `except -1`: a valid result is never -1, so Cython checks only that value."""
    # PyNumber_Index is operator.index(): int, bool, anything with __index__; a float,
    # str or None raises TypeError, and an exception from __index__ propagates as is.
    # Why not a typed parameter, `def fib(long long n, /)`? Cython would convert with
    # __int__ (2.5 becomes 2) and raise OverflowError for -2**100: see _pitfalls.pyx.
    cdef object index = PyNumber_Index(n)
    cdef long long value = saturated(index)
    if value < 0:
        raise ValueError(f"{function}() argument must be >= 0, got {index}")
    if value > 93:
        raise OverflowError(
            f"{function}() argument must be <= 93 (F(94) does not fit in 64 bits), got {index}")
    return <int>value


def fib(n, /):
    """The n-th Fibonacci number, 0 <= n <= 93, by a 64-bit loop."""
    # The `/` makes n positional-only, like a C built-in: fib(n=3) is a TypeError.
    return fib_u64(fib_argument(n, "fib"))  # uint64_t -> Python int, done by Cython


def fib_recursive(n, /):
    """The n-th Fibonacci number by the naive double recursion."""
    cdef unsigned int checked = fib_argument(n, "fib_recursive")
    cdef uint64_t result
    with nogil:  # pure C for as long as it takes: let other Python threads run
        result = fib_recursive_u64(checked)
    return result
# --8<-- [end:bind_fib]


# --8<-- [start:bind_linear_recurrence]
cdef int append_int64s(vector[int64_t] &values, object items, str what) except -1:
    """Append the integers of the iterable `items` to `values`, or raise like the
    contract says: TypeError if not iterable or not an integer, OverflowError if an
    element does not fit in a signed 64-bit integer."""
    cdef int overflow = 0
    cdef int64_t value
    cdef Py_ssize_t position = 0
    for item in items:  # iter(items): TypeError if it is not iterable
        index = PyNumber_Index(item)
        value = PyLong_AsLongLongAndOverflow(index, &overflow)
        if overflow:
            raise OverflowError(f"LinearRecurrence() {what}[{position}] = {index} "
                                f"does not fit in a signed 64-bit integer")
        values.push_back(value)  # `except +` in libcpp: std::bad_alloc -> MemoryError
        position += 1
    return 0


@cython.final               # Python code cannot subclass it (class X(LinearRecurrence)
                            # is a TypeError), like most C types: no subclass can break
                            # the invariants __next__ relies on
@cython.auto_pickle(False)  # Cython would otherwise generate pickling of the C fields
cdef class LinearRecurrence:
    """LinearRecurrence(coefficients, initial, /): the iterator a_0, a_1, ... with
    a_{n+k} = c_0*a_n + ... + c_{k-1}*a_{n+k-1}, in checked signed 64-bit arithmetic."""

    # C attributes: they live in the object's C struct, Python cannot see or set them
    # (no __dict__ either), and Cython constructs and destroys the C++ vectors for us,
    # so there is no __dealloc__ to write and nothing to leak.
    cdef vector[int64_t] coefficients
    cdef vector[int64_t] window  # the last k terms, as a ring buffer
    cdef Py_ssize_t oldest       # where the oldest term of the window is
    cdef Py_ssize_t left         # terms in the window not yet returned
    cdef bint overflowed         # the next term did not fit: compute no more

    # __cinit__ rather than __init__: Cython guarantees it runs exactly once, before
    # anything else can see the object, and the C fields start zeroed.
    def __cinit__(self, coefficients, initial, /):
        append_int64s(self.coefficients, coefficients, "coefficients")
        append_int64s(self.window, initial, "initial")
        if self.coefficients.empty():
            raise ValueError("LinearRecurrence() needs at least one coefficient")
        if self.coefficients.size() != self.window.size():
            raise ValueError(f"LinearRecurrence() got {self.coefficients.size()} "
                             f"coefficients but {self.window.size()} initial values")
        self.left = self.window.size()

    def __iter__(self):
        return self

    def __next__(self):
        cdef int64_t term, following
        cdef Py_ssize_t k = self.window.size()
        # Thread safety: with the GIL, no other thread runs while this method does,
        # because nothing in it can release the GIL. On a free-threaded Python the
        # critical section (a per-object lock) gives the same guarantee; with the GIL
        # it compiles to nothing.
        with cython.critical_section(self):
            if self.left == 0:
                raise OverflowError("LinearRecurrence: the next term does not fit "
                                    "in a signed 64-bit integer")
            term = self.window[self.oldest]
            if not self.overflowed and next_term(self.coefficients.data(), self.window.data(),
                                                 k, self.oldest, &following):
                self.window[self.oldest] = following  # the oldest slot becomes the newest
            else:
                self.overflowed = True  # from now on only drain what is known
                self.left -= 1
            self.oldest += 1
            if self.oldest == k:
                self.oldest = 0
        return term
# --8<-- [end:bind_linear_recurrence]


# --8<-- [start:bind_most_common]
def most_common(path, n, /):
    """The n most frequent words of a UTF-8 text file, as (word, count) pairs, by
    count descending, then word ascending."""
    # 1. path: str or os.PathLike giving str (no bytes paths, no file descriptors).
    cdef object text_path = PyOS_FSPath(path)  # os.fspath(): TypeError for int, None, ...
    if not isinstance(text_path, str):
        raise TypeError(f"most_common() path must be str or os.PathLike returning str, "
                        f"not {type(text_path).__name__}")
    # 2. n: n < 0 is an error, a huge n means "all".
    cdef object index = PyNumber_Index(n)
    cdef long long wanted = saturated(index)
    if wanted < 0:
        raise ValueError(f"most_common() n must be >= 0, got {index}")
    cdef Py_ssize_t limit = <Py_ssize_t>wanted if wanted < PY_SSIZE_T_MAX else PY_SSIZE_T_MAX
    # 3. Open and read like open(path, "rb"): same encoding of the name, same errors.
    cdef bytes encoded = PyUnicode_EncodeFSDefault(text_path)
    cdef const char *c_path = encoded
    if strlen(c_path) != <size_t>len(encoded):
        raise ValueError("embedded null byte")  # C would silently cut the name there
    cdef char *data = NULL
    cdef size_t size = 0
    cdef int error
    cdef bint valid = False
    cdef vector[WordSlot] top
    with nogil:  # a slow disk or a pipe must not stop the other Python threads
        error = read_whole_file(c_path, &data, &size)
    if error == ENOMEM:
        raise MemoryError()
    if error != 0:
        # OSError(errno, message, filename) picks the subclass the way open() does:
        # FileNotFoundError, IsADirectoryError, PermissionError, ...
        raise OSError(error, strerror(error), text_path)
    try:
        with nogil:
            valid = is_utf8(<const unsigned char *>data, size)
            if valid:
                count_words(data, size, limit, top)
        if not valid:
            # Let Python's own decoder raise: that gives the exact UnicodeDecodeError
            # (.start = offset of the first bad byte), and it only runs on bad input.
            PyUnicode_DecodeUTF8(data, size, NULL)
            raise AssertionError("is_utf8() and Python disagree")  # unreachable
        # Each word is a slice of valid UTF-8 cut at ASCII bytes: valid UTF-8 too.
        return [(PyUnicode_DecodeUTF8(entry.word, entry.length, NULL), entry.count)
                for entry in top]
    finally:
        free(data)
# --8<-- [end:bind_most_common]


# --8<-- [start:bind_calc_pi]
def calc_pi(digits, /):
    """Pi truncated to `digits` decimal places, 0 <= digits <= 10000."""
    cdef object index = PyNumber_Index(digits)
    cdef long long wanted = saturated(index)
    if not 0 <= wanted <= 10000:
        raise ValueError(f"calc_pi() digits must be between 0 and 10000, got {index}")
    # 8 guard digits, as in every chapter: the held predigit and nines never reach
    # the digits we keep.
    cdef Py_ssize_t n = wanted + 1 + 8
    # The buffers are Python objects (array.array and bytearray), so reference counting
    # frees them on every path; the core sees them as typed memoryviews, which are a
    # pointer, a length and a stride: indexing them is plain C and needs no GIL.
    cdef uint64_t[::1] remainders = array("Q", [2]) * (10 * n // 3 + 1)
    result = bytearray(n + 1)
    cdef unsigned char[::1] produced = result
    with nogil:
        spigot_pi(remainders, produced)
    if wanted == 0:
        return "3"
    # result holds "0314159...": the spigot's leading 0, then the digits of pi.
    # Turn "03" into "3." in place and cut: "3.14159...".
    produced[0], produced[1] = produced[1], 46  # 46 is '.'
    return result[:wanted + 2].decode("ascii")
# --8<-- [end:bind_calc_pi]


# --8<-- [start:bind_module]
# There is no module table to write: Cython generates PyInit__recipes, and every
# def function and cdef class above becomes a module attribute. The package's
# __init__.py re-exports the five recipes from this extension module.
__all__ = ["LinearRecurrence", "calc_pi", "fib", "fib_recursive", "most_common"]
# --8<-- [end:bind_module]

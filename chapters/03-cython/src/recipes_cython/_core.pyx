# distutils: language = c++
# distutils: extra_compile_args = -fopenmp
# distutils: extra_link_args = -fopenmp
# cython: freethreading_compatible = True
"""The recipes' plain core, in Cython: C types only, no Python.

Every function here works on C values and C pointers, never on a Python object, so
each one is declared `nogil` (the compiler refuses any line that would need the GIL)
and `noexcept` (it cannot raise: it returns a Status, and the caller checks nothing
else). The core owns the contract's domain checks and its limits (FIB_MAX_N,
PI_MAX_DIGITS in _core.pxd). The binding, _recipes.pyx, converts Python arguments to
C values, calls these functions through the declarations in _core.pxd, and turns
each Status into the contract's exception.

Nothing here is visible from Python: this module exports its functions to other
Cython modules only (they `cimport` them), as C function pointers that the binding
fetches when it is imported.

The first line makes Cython emit C++, for std::sort and std::partial_sort; meson.build
says the same with `cython_language=cpp`.
"""

cimport cython
from cython.parallel cimport prange
from libc.errno cimport EINTR, EISDIR, errno
from libc.stdint cimport SIZE_MAX, int64_t, uint64_t
from libc.stdlib cimport calloc, free, malloc, realloc
from libc.string cimport memcmp, memcpy
from posix.fcntl cimport O_CLOEXEC, O_RDONLY, open as posix_open
from posix.stat cimport S_ISDIR, fstat, struct_stat
from posix.unistd cimport close as posix_close, read as posix_read


# --8<-- [start:fib]
cdef Status check_fib_argument(long long n) noexcept nogil:
    """The contract's range of n for fib and fib_recursive."""
    if n < 0:
        return ARGUMENT_NEGATIVE
    if n > FIB_MAX_N:
        return ARGUMENT_TOO_LARGE
    return OK


cdef Status fib(long long n, uint64_t *result) noexcept nogil:
    """F(n) into *result, for 0 <= n <= FIB_MAX_N."""
    cdef Status status = check_fib_argument(n)
    cdef uint64_t previous = 0, current = 1
    cdef long long _step
    if status != OK:
        return status
    if n == 0:
        result[0] = 0  # Cython has no unary `*`: p[0] is how you write *p
        return OK
    # n - 1 steps: stop at F(n) and never compute F(n+1), which for n = 93 would wrap
    # silently (the fib recipe page, "The F(n+1) loop", has the details).
    for _step in range(n - 1):
        previous, current = current, previous + current
    result[0] = current
    return OK
# --8<-- [end:fib]


# --8<-- [start:fib_recursive]
cdef uint64_t naive_fib(unsigned int n) noexcept nogil:
    # A cdef function is a plain C function: these recursive calls are C calls, with
    # no argument tuple, no Python int and no exception check (thanks to noexcept).
    if n <= 1:
        return n
    return naive_fib(n - 1) + naive_fib(n - 2)


cdef bint interruptible_fib(unsigned int n, ShouldStop should_stop, void *context,
                           uint64_t *result) noexcept nogil:
    """F(n) into *result, asking should_stop(context) at every call with
    n >= INTERRUPT_CHECK_FROM_N; False, with *result unset, as soon as it says stop.
    Below that, the unchecked naive_fib runs as before: no test, no counter."""
    cdef uint64_t older, newer
    if n < INTERRUPT_CHECK_FROM_N:
        result[0] = naive_fib(n)
        return True
    if should_stop(context):
        return False
    if (not interruptible_fib(n - 1, should_stop, context, &newer)
            or not interruptible_fib(n - 2, should_stop, context, &older)):
        return False
    result[0] = newer + older
    return True


cdef Status fib_recursive(long long n, ShouldStop should_stop, void *context,
                          uint64_t *result) noexcept nogil:
    """F(n) into *result by the naive double recursion, for 0 <= n <= FIB_MAX_N.
    fib_recursive(60) runs for hours, so the core asks the caller's hook every few
    milliseconds whether to go on (the binding's hook checks for Ctrl-C)."""
    cdef Status status = check_fib_argument(n)
    if status != OK:
        return status
    if not interruptible_fib(<unsigned int>n, should_stop, context, result):
        return STOPPED
    return OK
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
    # The string after the Cython name is the C name Cython emits.
    bint add_overflows "recipes_add_overflows"(int64_t a, int64_t b, int64_t *out) noexcept nogil
    bint mul_overflows "recipes_mul_overflows"(int64_t a, int64_t b, int64_t *out) noexcept nogil


cdef Status recurrence_init(Recurrence *state, const int64_t *coefficients,
                            size_t coefficient_count, int64_t *initial,
                            size_t initial_count) noexcept nogil:
    """Check the recurrence and start it: the initial values are the first window."""
    if coefficient_count == 0:
        return NO_COEFFICIENTS
    if initial_count != coefficient_count:
        return LENGTHS_DIFFER
    state.coefficients = coefficients  # Cython writes state.k for C's state->k
    state.window = initial
    state.k = coefficient_count
    state.oldest = 0
    state.left = coefficient_count
    state.overflowed = False
    return OK


cdef bint next_term(const Recurrence *state, int64_t *term) noexcept nogil:
    """*term = c[0]*w[0] + ... + c[k-1]*w[k-1], where w is the window read from its
    oldest entry. Evaluated left to right, every * and + checked. Returns False (and
    leaves *term alone) if any step overflows."""
    cdef int64_t total = 0, product
    cdef size_t i, slot = state.oldest
    for i in range(state.k):
        if (mul_overflows(state.coefficients[i], state.window[slot], &product)
                or add_overflows(total, product, &total)):
            return False
        slot += 1
        if slot == state.k:  # wrap around with a compare, not `%`: no division in the loop
            slot = 0
    term[0] = total
    return True


cdef Status recurrence_next(Recurrence *state, int64_t *term) noexcept nogil:
    """The next term into *term, or TERM_OVERFLOWS, now and on every later call."""
    cdef int64_t following
    if state.left == 0:
        return TERM_OVERFLOWS
    term[0] = state.window[state.oldest]
    if not state.overflowed and next_term(state, &following):
        state.window[state.oldest] = following  # the oldest slot becomes the newest
    else:
        state.overflowed = True  # from now on only drain what is known
        state.left -= 1
    state.oldest += 1
    if state.oldest == state.k:
        state.oldest = 0
    return OK
# --8<-- [end:linear_recurrence]


# --8<-- [start:most_common]
# Counting words needs a hash table from byte strings to counts. This one is one flat
# array of WordCount slots (open addressing with linear probing, kept at most half
# full), and the hash is computed in the same loop that finds the end of the word.
# Why not libcpp.unordered_map: see the chapter's README.
cdef enum:
    FIRST_TABLE_BITS = 10  # 1024 slots to start with; doubled when half full

# FNV-1a, 64-bit: one xor and one multiply per byte, with its published parameters.
# 64-bit unsigned constants do not fit in a `cdef enum` (a C int), so they are C macros.
cdef extern from *:
    """
    #define FNV_OFFSET_BASIS UINT64_C(14695981039346656037)
    #define FNV_PRIME UINT64_C(1099511628211)
    """
    const uint64_t FNV_OFFSET_BASIS
    const uint64_t FNV_PRIME

# std::sort and std::partial_sort, declared without the `except +` that libcpp.algorithm
# gives them. `except +` wraps every call in a try/catch that raises a Python exception.
# On plain pointers, with a comparison that cannot throw, these cannot throw either (they
# allocate nothing), so the core needs no exception handling and stays free of Python.
cdef extern from "<algorithm>" namespace "std" nogil:
    void sort[Iter, Compare](Iter first, Iter last, Compare comp) noexcept
    void partial_sort[Iter, Compare](Iter first, Iter middle, Iter last, Compare comp) noexcept


cdef struct WordTable:
    WordCount *slots  # 1 << bits slots
    int bits
    size_t used       # slots in use


cdef bint table_init(WordTable *table, int bits) noexcept nogil:
    """An empty table of 2**bits slots (calloc zeroes them: count 0 is empty)."""
    table.slots = <WordCount *>calloc(<size_t>1 << bits, sizeof(WordCount))
    table.bits = bits
    table.used = 0
    return table.slots != NULL


cdef inline size_t first_slot(uint64_t hash, int bits) noexcept nogil:
    """Where the search for a word starts. A multiply only carries bits upwards, so the
    low bits of an FNV-1a hash depend only on the low bits of the bytes, and the last
    byte hardly reaches the top bits: neither end of the hash alone is a good index.
    Folding the high half onto the low half before masking mixes both."""
    return <size_t>(hash ^ (hash >> 32)) & ((<size_t>1 << bits) - 1)


cdef WordCount *find_slot(const WordTable *table, uint64_t hash,
                          const char *word, size_t length) noexcept nogil:
    """The slot that holds `word`, or the empty slot where it belongs."""
    cdef size_t mask = (<size_t>1 << table.bits) - 1
    cdef size_t i = first_slot(hash, table.bits)
    cdef WordCount *slot = &table.slots[i]
    while slot.count != 0 and not (slot.hash == hash and slot.length == length
                                   and memcmp(slot.word, word, length) == 0):
        i = (i + 1) & mask  # taken: try the next slot, wrapping at the end
        slot = &table.slots[i]
    return slot


cdef bint grow(WordTable *table) noexcept nogil:
    """Double the table and move every word to its slot in the new one."""
    cdef WordTable bigger
    cdef WordCount *entry
    cdef size_t i
    if not table_init(&bigger, table.bits + 1):
        return False
    for i in range(<size_t>1 << table.bits):
        if table.slots[i].count != 0:
            entry = &table.slots[i]
            find_slot(&bigger, entry.hash, entry.word, entry.length)[0] = entry[0]
    bigger.used = table.used
    free(table.slots)
    table[0] = bigger
    return True


cdef inline bint is_ascii_space(unsigned char c) noexcept nogil:
    # Exactly the bytes bytes.split() splits on: space, and \t \n \v \f \r, which are
    # consecutive. Cython turns ord() of a one-character literal into a C constant.
    return c == ord(" ") or ord("\t") <= c <= ord("\r")


cdef inline size_t scan_word(char *data, size_t size, size_t start,
                             uint64_t *hash) noexcept nogil:
    """Lowercase the word that starts at data[start] in place (A-Z only), put its FNV-1a
    hash in *hash and return where it ends: one pass over its bytes. Lowercasing byte by
    byte is safe in UTF-8: the bytes of a multibyte character are all >= 0x80, never
    mistaken for ASCII letters."""
    cdef uint64_t h = FNV_OFFSET_BASIS
    cdef size_t i = start
    cdef unsigned char c
    while i < size and not is_ascii_space(data[i]):
        c = data[i]
        if ord("A") <= c <= ord("Z"):
            c += ord("a") - ord("A")
            data[i] = c
        h = (h ^ c) * FNV_PRIME
        i += 1
    hash[0] = h
    return i


cdef bint add_word(WordTable *table, uint64_t hash, const char *word,
                   size_t length) noexcept nogil:
    """Count one more `word`. Returns False if growing the table ran out of memory."""
    cdef WordCount *slot = find_slot(table, hash, word, length)
    if slot.count == 0:  # a new word (Cython writes slot.count for C's slot->count)
        slot.hash, slot.word, slot.length = hash, word, length
        table.used += 1
    slot.count += 1
    # Grow after the last use of `slot`: growing moves every entry.
    return 2 * table.used <= (<size_t>1 << table.bits) or grow(table)


cdef bint count_words(char *data, size_t size, WordTable *table) noexcept nogil:
    """Lowercase `data` in place and count its words into `table`. The slots point
    into `data`. Returns False if memory ran out."""
    cdef size_t i = 0, start
    cdef uint64_t hash
    while True:
        while i < size and is_ascii_space(data[i]):
            i += 1
        if i == size:
            return True
        start = i
        i = scan_word(data, size, start, &hash)
        if not add_word(table, hash, data + start, i - start):
            return False


cdef bint more_common(const WordCount &a, const WordCount &b) noexcept nogil:
    """Sort order: count descending, then word ascending by bytes. memcmp compares
    bytes as unsigned, and UTF-8 byte order is code point order."""
    cdef int order
    if a.count != b.count:
        return a.count > b.count
    order = memcmp(a.word, b.word, a.length if a.length < b.length else b.length)
    return order < 0 if order != 0 else a.length < b.length


cdef size_t keep_top(WordTable *table, size_t limit) noexcept nogil:
    """Move the used slots to the front, sorted, and return how many of them to keep."""
    cdef size_t used = 0, i
    cdef WordCount *slots = table.slots
    for i in range(<size_t>1 << table.bits):
        if slots[i].count != 0:
            slots[used] = slots[i]
            used += 1
    if limit < used:  # partial_sort only orders the first `limit` entries
        partial_sort(slots, slots + limit, slots + used, more_common)
        return limit
    sort(slots, slots + used, more_common)
    return used


cdef Status read_open_file(int fd, char **data, size_t *size, int *os_errno) noexcept nogil:
    """Read the open file `fd` into a new malloc() buffer (*data, *size)."""
    cdef struct_stat info
    cdef char *buffer
    cdef char *bigger
    cdef size_t used = 0, capacity
    cdef ssize_t got
    if fstat(fd, &info) != 0:
        os_errno[0] = errno
        return OS_ERROR
    if S_ISDIR(info.st_mode):
        os_errno[0] = EISDIR  # open(2) accepts a directory; Python's open() says EISDIR
        return OS_ERROR
    # st_size is a hint (the file may grow meanwhile; /proc files report 0): one spare
    # byte lets a file of exactly that size reach end-of-file without a realloc.
    capacity = <size_t>info.st_size + 1
    buffer = <char *>malloc(capacity)
    if buffer == NULL:
        return NO_MEMORY
    while True:
        if used == capacity:
            capacity *= 2
            bigger = <char *>realloc(buffer, capacity)
            if bigger == NULL:
                free(buffer)
                return NO_MEMORY
            buffer = bigger
        got = posix_read(fd, buffer + used, capacity - used)
        if got > 0:
            used += got
        elif got == 0:  # end of file
            data[0], size[0] = buffer, used
            return OK
        elif errno != EINTR:  # EINTR: a signal interrupted the read; read again
            os_errno[0] = errno
            free(buffer)
            return OS_ERROR


cdef Status read_whole_file(const char *path, char **data, size_t *size,
                            int *os_errno) noexcept nogil:
    """Open and read the file at `path`, like open(path, "rb").read()."""
    cdef Status status
    cdef int fd = posix_open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0:
        os_errno[0] = errno
        return OS_ERROR
    status = read_open_file(fd, data, size, os_errno)
    posix_close(fd)
    return status


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


cdef Status most_common_limit(long long n, size_t *limit) noexcept nogil:
    """The contract's check of n, done before the file is opened. An n beyond size_t
    (the binding passes any huge int as LLONG_MAX) means "all the words"."""
    if n < 0:
        return ARGUMENT_NEGATIVE
    limit[0] = <size_t>n if <unsigned long long>n < SIZE_MAX else SIZE_MAX
    return OK


cdef Status most_common_threads(long long threads, size_t *count) noexcept nogil:
    """The contract's check of threads, done before the file is opened. The binding
    passes None as os.cpu_count() and any huge int as LLONG_MAX; most_common() caps
    the threads it really starts."""
    if threads < 1:
        return THREADS_NOT_POSITIVE
    count[0] = <size_t>threads if <unsigned long long>threads < SIZE_MAX else SIZE_MAX
    return OK


# --8<-- [start:most_common_threads]
# Threads cost something to start and each chunk gets a table of its own to merge: at
# most one thread per CHUNK_MIN_BYTES of file, and never more than MAX_THREADS.
cdef enum:
    CHUNK_MIN_BYTES = 64 * 1024
    MAX_THREADS = 64

# One thread's share of the file: text[start:end], and its own table of words.
cdef struct Chunk:
    size_t start
    size_t end
    WordTable table
    bint ok  # is_utf8() in the first pass; "memory did not run out" in the second


cdef size_t after_next_space(const char *text, size_t size, size_t i) noexcept nogil:
    """Where a chunk may end at or after i: just after the next ASCII whitespace byte,
    so no word is cut in two, and a chunk keeps the byte after its last word (a UTF-8
    sequence truncated by that byte is then as invalid in the chunk as in the file)."""
    while i < size and not is_ascii_space(text[i]):
        i += 1
    return i + 1 if i < size else size


cdef size_t split(const char *text, size_t size, size_t threads, Chunk *chunks) noexcept nogil:
    """Cut text[0:size] into at most `threads` chunks of about the same size, each
    ending after a whitespace byte (the last one ends at the end of the file).
    Returns how many chunks it made, at least 1."""
    cdef size_t count = 0, start = 0, end, share
    if threads > size // CHUNK_MIN_BYTES:
        threads = size // CHUNK_MIN_BYTES
    if threads > MAX_THREADS:
        threads = MAX_THREADS
    if threads < 1:
        threads = 1
    share = size // threads
    while count < threads:
        if count == threads - 1:
            end = size
        else:  # the first edge after this chunk's share (never before `start`)
            end = after_next_space(text, size, max(start, (count + 1) * share))
        chunks[count].start, chunks[count].end = start, end
        chunks[count].table.slots = NULL
        chunks[count].ok = True
        count += 1
        start = end
    return count


cdef bint merge(WordTable *into, const WordTable *table) noexcept nogil:
    """Add every count of `table` to `into`. Returns False if memory ran out."""
    cdef size_t i
    cdef const WordCount *entry
    cdef WordCount *slot
    for i in range(<size_t>1 << table.bits):
        entry = &table.slots[i]
        if entry.count == 0:
            continue
        slot = find_slot(into, entry.hash, entry.word, entry.length)
        if slot.count == 0:  # a word this table has not seen yet: point at the same bytes
            slot.hash, slot.word, slot.length = entry.hash, entry.word, entry.length
            into.used += 1
        slot.count += entry.count
        if 2 * into.used > (<size_t>1 << into.bits) and not grow(into):
            return False
    return True


cdef Status count_in_parallel(char *text, size_t size, size_t threads,
                              WordTable *merged) noexcept nogil:
    """Check that the text is UTF-8, then count its words into *merged (a new table),
    with one OpenMP thread per chunk. Each thread works on its own chunk and its own
    table only, so the threads share nothing they write and need no lock."""
    cdef Chunk chunks[MAX_THREADS]
    cdef Py_ssize_t count, i
    cdef Status status = OK
    count = <Py_ssize_t>split(text, size, threads, chunks)
    # prange: the iterations are shared out among `num_threads` OpenMP threads (one
    # iteration each, with schedule="static" and chunksize=1) and the loop returns when
    # all are done. Without OpenMP (no -fopenmp) it is an ordinary loop, run serially.
    # Validate every chunk before lowercasing any: on error, the binding decodes the
    # original bytes, which reports the first bad byte of the file.
    for i in prange(count, schedule="static", chunksize=1, num_threads=count):
        chunks[i].ok = is_utf8(<const unsigned char *>text + chunks[i].start,
                               chunks[i].end - chunks[i].start)
    for i in range(count):
        if not chunks[i].ok:
            return NOT_UTF8
    for i in prange(count, schedule="static", chunksize=1, num_threads=count):
        chunks[i].ok = (table_init(&chunks[i].table, FIRST_TABLE_BITS)
                        and count_words(text + chunks[i].start, chunks[i].end - chunks[i].start,
                                        &chunks[i].table))
    # Merge serially into the first chunk's table; the words all point into `text`.
    for i in range(count):
        if not chunks[i].ok:
            status = NO_MEMORY
    for i in range(1, count):
        if status == OK and not merge(&chunks[0].table, &chunks[i].table):
            status = NO_MEMORY
        free(chunks[i].table.slots)
    if status != OK:
        free(chunks[0].table.slots)
        return status
    merged[0] = chunks[0].table
    return OK
# --8<-- [end:most_common_threads]


cdef Status most_common(const char *path, size_t limit, size_t threads,
                        WordCounts *result) noexcept nogil:
    """Read the file, check it is UTF-8, count its words with up to `threads` threads
    and keep the `limit` most common. Whatever the status, pass `result` to
    most_common_free() afterwards."""
    cdef WordTable table
    cdef Status status
    result[0] = WordCounts(NULL, 0, NULL, 0, 0)
    status = read_whole_file(path, &result.text, &result.text_length, &result.os_errno)
    if status != OK:
        return status
    status = count_in_parallel(result.text, result.text_length, threads, &table)
    if status != OK:
        return status
    result.top_length = keep_top(&table, limit)
    result.top = table.slots  # the kept words are at the front; result owns the array now
    return OK


cdef void most_common_free(WordCounts *result) noexcept nogil:
    free(result.text)
    free(result.top)
    result[0] = WordCounts(NULL, 0, NULL, 0, 0)
# --8<-- [end:most_common]


# --8<-- [start:calc_pi]
# Extra digits computed, so that the held predigit and nines never reach the kept digits.
cdef enum:
    PI_GUARD_DIGITS = 8


cdef inline size_t put_digits(char *out, size_t produced, uint64_t first,
                              uint64_t repeated, uint64_t times) noexcept nogil:
    """Write the digit `first`, then `times` copies of the digit `repeated`, as ASCII
    at out[produced]; return the position after them."""
    cdef uint64_t _copy
    out[produced] = <char>(ord("0") + first)
    produced += 1
    for _copy in range(times):
        out[produced] = <char>(ord("0") + repeated)
        produced += 1
    return produced


@cython.cdivision(True)  # safe: every operand is >= 0 and every divisor is 2i-1 >= 1 or
                         # 10, so C's / and % equal Python's // and %, and no
                         # ZeroDivisionError check (which would need the GIL) is needed
cdef void spigot_pi(uint64_t *a, size_t size, char *out, size_t n) noexcept nogil:
    """The Rabinowitz-Wagon spigot. `a` is the working array of `size` entries, all 2s
    on entry; `out` gets n + 1 ASCII digits: the leading 0, then 3 1 4 1 5 ..."""
    cdef size_t produced = 0, _step, i
    cdef uint64_t x, q, divisor, predigit = 0, nines = 0
    for _step in range(n):
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
        elif q == 10:  # a carry: the held digits were one too small
            produced = put_digits(out, produced, predigit + 1, 0, nines)
            predigit, nines = 0, 0
        else:
            produced = put_digits(out, produced, predigit, 9, nines)
            predigit, nines = q, 0
    put_digits(out, produced, predigit, 9, nines)


cdef Status calc_pi(long long digits, char **text, size_t *length) noexcept nogil:
    """Pi truncated to `digits` decimal places, as a new malloc() buffer of ASCII."""
    cdef size_t n, size, i
    cdef uint64_t *a
    cdef char *out
    if not 0 <= digits <= PI_MAX_DIGITS:
        return DIGITS_OUT_OF_RANGE
    n = <size_t>digits + 1 + PI_GUARD_DIGITS  # digits to produce, counting the 3
    size = 10 * n // 3 + 1
    a = <uint64_t *>malloc(size * sizeof(uint64_t))
    out = <char *>malloc(n + 1)
    if a == NULL or out == NULL:
        free(a)
        free(out)
        return NO_MEMORY
    for i in range(size):
        a[i] = 2
    spigot_pi(a, size, out, n)
    free(a)
    # out holds "0314159...": the spigot's leading 0, then the digits of pi. Turn
    # "03" into "3." in place: "3.14159...", cut after `digits` places ("3" for 0).
    out[0], out[1] = "3", "."
    text[0] = out
    length[0] = 1 if digits == 0 else <size_t>digits + 2
    return OK
# --8<-- [end:calc_pi]


# --8<-- [start:ewma]
cdef Status ewma(const double *values, Py_ssize_t length, Py_ssize_t stride,
                 double alpha, double *out) noexcept nogil:
    """The exponentially weighted moving average: out[0] = values[0], then
    out[i] = alpha * values[i * stride] + (1 - alpha) * out[i - 1], for 0 < alpha <= 1.
    The caller passes the input as a pointer to its first double, a length and a stride
    in doubles, so any view of it (every other element, reversed) is read in place."""
    cdef double beta, average
    cdef Py_ssize_t i
    if not 0.0 < alpha <= 1.0:  # a NaN fails both comparisons, so it is refused too
        return ALPHA_OUT_OF_RANGE
    if length == 0:
        return OK
    beta = 1.0 - alpha  # once, as the contract says: each step then rounds the same way
    average = values[0]
    out[0] = average
    for i in range(1, length):
        # Two rounded products, then one rounded sum: meson.build passes -ffp-contract=off
        # so that the compiler never fuses them into one multiply-add (another rounding).
        average = alpha * values[i * stride] + beta * average
        out[i] = average
    return OK
# --8<-- [end:ewma]


# --8<-- [start:integrate]
@cython.cdivision(True)  # safe: the one division is by n >= 1, checked first, so no
                         # ZeroDivisionError check (which would need Python) is needed
cdef Status integrate(Integrand f, void *context, double a, double b, int64_t n,
                      double *result) noexcept:
    """The midpoint rule: the integral of f from a to b over n >= 1 equal steps, into
    *result. f is called once per step, in order; the first time it returns nonzero the
    core stops at once, calls f no more, and returns STOPPED."""
    cdef double h, total = 0.0, y
    cdef int64_t i
    if n < 1:
        return N_NOT_POSITIVE
    h = (b - a) / <double>n
    for i in range(n):
        # The contract's order of operations, every step rounded (meson.build passes
        # -ffp-contract=off: no fused multiply-add), so the sum is the reference's, bit for bit.
        if f(a + (<double>i + 0.5) * h, &y, context) != 0:
            return STOPPED
        total += y
    result[0] = total * h
    return OK
# --8<-- [end:integrate]

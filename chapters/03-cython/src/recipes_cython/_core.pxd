# The core's definition file: what _core.pyx defines and other Cython modules may
# `cimport` (here the binding, _recipes.pyx). Cython's docs call this "Sharing
# Declarations Between Cython Modules". Only C types: no Python object appears here,
# every function is `noexcept` and all but integrate are `nogil` (see there), and
# failures are reported as a Status.

from libc.stdint cimport int64_t, uint64_t

# --8<-- [start:core_declarations]
# The contract's limits (docs/contract.md in the cookbook repository), spelled as in
# every chapter. An anonymous `cdef enum` is a compile-time C constant.
cdef enum:
    FIB_MAX_N = 93          # the largest n with F(n) < 2**64
    PI_MAX_DIGITS = 10000   # the most decimal places calc_pi computes
    # fib_recursive asks its "should I stop?" hook at every call with n >= this: a
    # subtree below it is fib_recursive(29), a few milliseconds of work.
    INTERRUPT_CHECK_FROM_N = 30

# What a core function reports. The binding turns each one into a Python exception.
cdef enum Status:
    OK = 0
    ARGUMENT_NEGATIVE       # fib, fib_recursive, most_common: n < 0
    ARGUMENT_TOO_LARGE      # fib, fib_recursive: n > FIB_MAX_N
    DIGITS_OUT_OF_RANGE     # calc_pi: digits < 0 or digits > PI_MAX_DIGITS
    NO_COEFFICIENTS         # LinearRecurrence: the coefficient list is empty
    LENGTHS_DIFFER          # LinearRecurrence: not one initial value per coefficient
    TERM_OVERFLOWS          # LinearRecurrence: the term due overflowed signed 64 bits
    OS_ERROR                # most_common: open/read failed, see WordCounts.os_errno
    NOT_UTF8                # most_common: the file is not UTF-8
    ALPHA_OUT_OF_RANGE      # ewma: alpha is not in (0, 1], or is NaN
    N_NOT_POSITIVE          # integrate: n < 1
    STOPPED                 # fib_recursive, integrate: the caller's callback said stop
    THREADS_NOT_POSITIVE    # most_common: threads < 1
    NO_MEMORY

# F(n) into *result. n is a long long: the binding saturates any Python int into it.
cdef Status fib(long long n, uint64_t *result) noexcept nogil

# fib_recursive's "should I stop?" hook, given by the caller with a context pointer that
# the core passes back untouched. True means stop: the core unwinds and returns STOPPED.
# `nogil`: the core runs without the GIL, so the hook is called without it.
ctypedef bint (*ShouldStop)(void *context) noexcept nogil
cdef Status fib_recursive(long long n, ShouldStop should_stop, void *context,
                          uint64_t *result) noexcept nogil

# LinearRecurrence: the state of one iterator. The two arrays belong to the caller
# (the binding keeps them in the Python object) and must outlive the state.
cdef struct Recurrence:
    const int64_t *coefficients  # c_0 .. c_{k-1}
    int64_t *window              # the last k terms, a ring buffer
    size_t k                     # the order: number of coefficients and of terms kept
    size_t oldest                # where the oldest term of the window is
    size_t left                  # terms in the window not yet returned
    bint overflowed              # the term after the window did not fit: compute no more

cdef Status recurrence_init(Recurrence *state, const int64_t *coefficients,
                            size_t coefficient_count, int64_t *initial,
                            size_t initial_count) noexcept nogil
cdef Status recurrence_next(Recurrence *state, int64_t *term) noexcept nogil

# most_common: a counted word, and what the count leaves behind.
cdef struct WordCount:
    uint64_t hash     # kept, so growing the table never hashes a word again
    const char *word  # points into WordCounts.text: a word is never copied
    size_t length     # in bytes
    size_t count      # 0 marks an empty slot of the table

cdef struct WordCounts:
    char *text          # the whole file; lowercased in place once it proved to be UTF-8
    size_t text_length
    WordCount *top      # the most common words, most common first
    size_t top_length
    int os_errno        # for OS_ERROR: the errno of the failed call

# Three steps, so that n and threads are checked before the binding even encodes the
# path (the contract's order): most_common_limit checks n and turns it into a count of
# words, most_common_threads checks threads and turns it into a count of threads.
cdef Status most_common_limit(long long n, size_t *limit) noexcept nogil
cdef Status most_common_threads(long long threads, size_t *count) noexcept nogil
# Counts with up to `threads` OpenMP threads (prange), fewer for a small file: the result
# never depends on it.
cdef Status most_common(const char *path, size_t limit, size_t threads,
                        WordCounts *result) noexcept nogil
cdef void most_common_free(WordCounts *result) noexcept nogil

# calc_pi: *text is a new malloc() buffer of *length ASCII characters; free() it.
cdef Status calc_pi(long long digits, char **text, size_t *length) noexcept nogil

# ewma: reads values[0], values[stride], ... (`length` doubles, `stride` counted in doubles,
# negative or zero allowed) and writes `length` doubles to out, which the caller owns.
cdef Status ewma(const double *values, Py_ssize_t length, Py_ssize_t stride,
                 double alpha, double *out) noexcept nogil

# integrate's integrand, given by the caller with a context pointer: f(x, &y, context)
# puts f(x) into y and returns 0, or returns nonzero to stop (the caller keeps the why).
# Neither it nor integrate is `nogil`: this chapter's integrand calls Python, which needs
# the GIL, and a `nogil` integrand would have to take it back on every call.
ctypedef int (*Integrand)(double x, double *y, void *context) noexcept
cdef Status integrate(Integrand f, void *context, double a, double b, int64_t n,
                      double *result) noexcept
# --8<-- [end:core_declarations]

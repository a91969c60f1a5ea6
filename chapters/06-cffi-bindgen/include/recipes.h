/*
 * recipes.h: the C API of the recipes library. This header is the contract.
 *
 * It was written before any implementation. The Rust crate in this folder implements it
 * (build.rs runs bindgen on this file and the crate refuses to compile if a signature
 * drifts), cffi compiles a Python extension against it, cffi's ABI mode and ctypes load the
 * shared library with the same declarations, and examples/main.c is a plain C program
 * that uses it. Nothing here knows about Python.
 *
 * Conventions, the same for every function:
 *   - Only <stdint.h> and <stddef.h> types and double cross the boundary: no bool, no enums
 *     (whose size the C standard leaves to the compiler), no language-specific types.
 *   - Every function that can fail returns a recipes_status. RECIPES_OK (0) means
 *     success; anything else is one of the RECIPES_ERR_* codes below.
 *   - The library checks every argument against its domain; the limits it checks against
 *     are the RECIPES_*_MAX_* constants below, so callers can name them instead of
 *     repeating their values.
 *   - Results come back through out-parameters, written only on success (one exception:
 *     recipes_calc_pi reports the length it needs also when the buffer is too small).
 *   - After a failure, recipes_last_error_message() describes it in words; for the range
 *     errors of the recipes, in the exact words of the recipe contract (docs/contract.md in
 *     the cookbook), so that a binding can pass it on as it is. The message is kept per
 *     thread, like errno, so threads never see each other's errors.
 *   - RECIPES_ERR_OS also sets errno (the C library's, thread-local) to the OS error.
 *   - Ownership is stated for every pointer: "borrowed" means the library reads it only
 *     during the call and the caller keeps ownership; "owned by the library" means only
 *     the matching *_free function may release it (never free() it: the library's
 *     allocator is not necessarily the caller's).
 *   - Every function may be called from any thread. No function ever aborts the process
 *     or unwinds into the caller: an internal bug comes back as RECIPES_ERR_PANIC.
 */
#ifndef RECIPES_H
#define RECIPES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Python's cffi reads the declarations between the "cffi cdef" marker lines with its
 * cdef(), which understands plain C declarations and integer #defines but no #include or
 * #if: keep this part free of other preprocessor lines. */
/* ==== cffi cdef begin ==== */

/* --8<-- [start:status] */
/* Status codes are #defines, as errno's values are, not an enum: an enum's size is the
 * compiler's choice, and every FFI reads a #define's integer (cffi's cdef does; bindgen makes
 * each a Rust constant of the type of recipes_status). */
typedef int32_t recipes_status;

#define RECIPES_OK 0
#define RECIPES_ERR_VALUE 1            /* an argument is outside its domain (Python: ValueError) */
#define RECIPES_ERR_OVERFLOW 2         /* the result does not fit in 64 bits (OverflowError) */
#define RECIPES_ERR_OS 3               /* an OS call failed; errno holds its code (OSError) */
#define RECIPES_ERR_UTF8 4             /* the input is not valid UTF-8 (UnicodeDecodeError);
                                          see recipes_last_utf8_error() */
#define RECIPES_ERR_BUFFER_TOO_SMALL 5 /* the caller's buffer is too small; see calc_pi */
#define RECIPES_ERR_NULL_POINTER 6     /* a required pointer argument was NULL */
#define RECIPES_ERR_PANIC 7            /* a bug inside the library, caught at the boundary */
#define RECIPES_STOPPED 8              /* the caller asked to stop, through a recipes_stop_hook:
                                          not an error of the library; see below */

/* The message for the most recent failed call on this thread: UTF-8, NUL-terminated,
 * never NULL ("" if nothing failed yet). Owned by the library: valid until the next failing
 * call on the same thread. Copy it if you need it longer. */
const char *recipes_last_error_message(void);

/* After RECIPES_ERR_UTF8: the byte offsets [*start, *end) of the first invalid sequence in
 * the input, the way Python's UnicodeDecodeError reports them (end == start + 1 for a bad
 * byte; end == input length if the input stops inside a sequence). Both out-parameters
 * must be non-NULL; they are set to 0 if the last failure on this thread was not UTF-8. */
void recipes_last_utf8_error(uint64_t *start, uint64_t *end);
/* --8<-- [end:status] */

/* --8<-- [start:stop_hook] */
/* "Should I stop?": how a caller interrupts a long call (Ctrl-C, a timeout, a failed
 * callback). The library calls it on the calling thread at points stated with each function,
 * with the context pointer the caller passed next to it; nonzero means stop, and the function
 * then returns RECIPES_STOPPED at once and writes no result. The hook must return normally:
 * never longjmp or throw through the library. Wherever a hook is taken, NULL means "never
 * stop". The library knows nothing of what the hook does: a Python front end's hook runs
 * Python, whose signal handlers then get their chance. */
typedef int32_t (*recipes_stop_hook)(void *context);

/* A ready-made hook: nonzero if the int32_t that `context` points to is nonzero (0 for a NULL
 * context). It reads the flag atomically, so the flag may be set from another thread (with an
 * atomic store), or by the caller's own callback, while the call runs. */
int32_t recipes_stop_flag(void *context);
/* --8<-- [end:stop_hook] */

/* --8<-- [start:fib] */
/* The largest n whose Fibonacci number fits in uint64_t: F(93) < 2**64 <= F(94). */
#define RECIPES_FIB_MAX_N 93
/* recipes_fib_recursive asks its stop hook at every node of the recursion with n at least
 * this: fib_recursive(30) asks once, and a longer call every few milliseconds (a subtree
 * below it is fib_recursive(29) at most, about a million additions). */
#define RECIPES_FIB_CHECK_FROM_N 30

/* The n-th Fibonacci number, by a loop (fib) or by naive double recursion
 * (fib_recursive, exponential time on purpose). n < 0: RECIPES_ERR_VALUE;
 * n > RECIPES_FIB_MAX_N: RECIPES_ERR_OVERFLOW. *result: written by the library.
 * should_stop(context): see recipes_stop_hook; may be NULL. */
recipes_status recipes_fib(int64_t n, uint64_t *result);
recipes_status recipes_fib_recursive(int64_t n, recipes_stop_hook should_stop, void *context,
                                     uint64_t *result);
/* --8<-- [end:fib] */

/* --8<-- [start:calc_pi] */
/* The most decimal places recipes_calc_pi computes (its work grows with the square). */
#define RECIPES_PI_MAX_DIGITS 10000

/* Pi truncated to `digits` decimal places as text: "3" for 0 digits, "3.1415" for 4.
 * digits outside 0..RECIPES_PI_MAX_DIGITS: RECIPES_ERR_VALUE (checked first).
 *
 * buffer: owned by the caller, buffer_size bytes; the library writes the text and a
 * terminating NUL into it. digits + 3 bytes always suffice.
 * *length: set to the length of the text without the NUL, also when the buffer is too
 * small: then the call returns RECIPES_ERR_BUFFER_TOO_SMALL without computing anything,
 * so calling with buffer = NULL, buffer_size = 0 asks for the size (as snprintf does). */
recipes_status recipes_calc_pi(int64_t digits, char *buffer, size_t buffer_size,
                               size_t *length);
/* --8<-- [end:calc_pi] */

/* --8<-- [start:linear_recurrence] */
/* An opaque handle: the caller holds a pointer and never sees the fields. */
typedef struct recipes_linear_recurrence recipes_linear_recurrence;

/* Start the sequence a_0, a_1, ... with a_i = initial[i] for i < k and
 * a_{n+k} = coefficients[0]*a_n + ... + coefficients[k-1]*a_{n+k-1} in checked signed
 * 64-bit arithmetic. k == 0 or n_coefficients != n_initial: RECIPES_ERR_VALUE.
 * coefficients, initial: borrowed (copied during the call; may be NULL when their count
 * is 0). *handle: receives a new handle, owned by the caller, who must release it with
 * recipes_linear_recurrence_free exactly once. */
recipes_status recipes_linear_recurrence_new(const int64_t *coefficients, size_t n_coefficients,
                                             const int64_t *initial, size_t n_initial,
                                             recipes_linear_recurrence **handle);

/* Write the next term to *term. Once a term's evaluation overflowed, the call that would
 * return it and every later call give RECIPES_ERR_OVERFLOW. handle: borrowed. Thread-safe:
 * threads sharing one handle each get distinct terms (the handle holds a lock). */
recipes_status recipes_linear_recurrence_next(recipes_linear_recurrence *handle, int64_t *term);

/* Release a handle from recipes_linear_recurrence_new. NULL is allowed and ignored. The
 * handle must not be in use by another thread, and must not be used again. */
void recipes_linear_recurrence_free(recipes_linear_recurrence *handle);
/* --8<-- [end:linear_recurrence] */

/* --8<-- [start:most_common] */
/* One entry of the array that recipes_most_common returns. word points to word_len bytes
 * of UTF-8, NOT NUL-terminated (print it with "%.*s"). */
typedef struct recipes_word_count {
    const char *word;
    size_t word_len;
    uint64_t count;
} recipes_word_count;

/* The n most frequent words of the UTF-8 text file at path: words are runs of bytes
 * other than ASCII whitespace (space, \t, \n, \r, \v, \f), lowercased in ASCII only;
 * sorted by count descending, then by word in byte order. At most n entries.
 *
 * path: borrowed, path_len bytes, not NUL-terminated: the file name as the OS spells it
 * (on POSIX any bytes, on Windows UTF-8). A NUL byte inside it: RECIPES_ERR_VALUE.
 * n < 0: RECIPES_ERR_VALUE, checked before the path, so the file is not even opened; an
 * n larger than the number of distinct words means all of them.
 * threads: how many threads may count at once, >= 1 (else RECIPES_ERR_VALUE, checked after
 * n and before the path). The library starts fewer for a small file (one per 64 KiB) and at
 * most 64; the result, errors included, never depends on threads. The calling thread waits.
 * Open or read failures: RECIPES_ERR_OS with errno set.
 * Invalid UTF-8 anywhere in the file: RECIPES_ERR_UTF8, for the first bad sequence in the file.
 * *words, *n_words: on success receive an array of *n_words entries, allocated by the
 * library and owned by the caller, who must release it with recipes_word_counts_free
 * (words, n_words) exactly once. *words is NULL when *n_words is 0. */
recipes_status recipes_most_common(const char *path, size_t path_len, int64_t n, int64_t threads,
                                   recipes_word_count **words, size_t *n_words);

/* Release an array from recipes_most_common: pass back the exact pointer and count you
 * received. The strings inside the entries are released too. NULL is allowed and ignored. */
void recipes_word_counts_free(recipes_word_count *words, size_t n_words);
/* --8<-- [end:most_common] */

/* --8<-- [start:ewma] */
/* The exponentially weighted moving average of x[0], ..., x[length - 1]: with
 * beta = 1.0 - alpha, out[0] = x[0] and out[i] = alpha * x[i] + beta * out[i - 1], each
 * product rounded before the sum (no fused multiply-add), in exactly that order, so the
 * result is the same to the last bit wherever IEEE doubles are. NaN and infinities go
 * through the arithmetic like any other value. alpha must satisfy 0 < alpha <= 1 (NaN does
 * not): otherwise RECIPES_ERR_VALUE, and nothing is read or written.
 *
 * values: borrowed, read only during the call and never kept. x[i] is the double at
 * values + i * stride: stride counts doubles, not bytes, and may be negative (values then
 * points at x[0], the highest address, and the series runs backwards through memory) or 0
 * (every x[i] is x[0]). Each of those length addresses must be readable; values may be NULL
 * when length is 0. The elements need not be aligned: the library reads each one with an
 * unaligned load (on x86-64 the very instruction an aligned load would be), so a buffer
 * that Python hands over at an odd address (a NumPy array over bytes at an offset) works.
 * Another thread must not write them during the call.
 * out: owned by the caller, room for length doubles, aligned, not overlapping the values;
 * the library writes all length of them on success and none on failure. May be NULL when
 * length is 0. */
recipes_status recipes_ewma(const double *values, size_t length, ptrdiff_t stride, double alpha,
                            double *out);
/* --8<-- [end:ewma] */

/* --8<-- [start:integrate] */
/* A real function of one variable, in the shape SciPy's LowLevelCallable takes for
 * scipy.integrate.quad: the point x, and a context pointer that the caller passes through the
 * library untouched (NULL if the function needs none). */
typedef double (*recipes_integrand)(double x, void *context);

/* The midpoint rule: with h = (b - a) / n, the sum of f(a + (i + 0.5) * h, context) for
 * i = 0 .. n - 1, in that order, times h, all in doubles (each operation rounded, no fused
 * multiply-add), so the result is the same to the last bit wherever IEEE doubles are.
 * n < 1: RECIPES_ERR_VALUE, before f is called. f: required (NULL: RECIPES_ERR_NULL_POINTER).
 *
 * f is called exactly once per point, in order, on the calling thread, before this function
 * returns; it may call recipes_integrate itself (a nested integral) or any other function
 * here. A double has no room for "I failed", so a failing f says so out of band: after each
 * call of f, the library asks should_stop(stop_context) (a recipes_stop_hook, NULL for never)
 * and on nonzero returns RECIPES_STOPPED at once, f is not called again, and the value f just
 * returned is discarded. The usual pairing: should_stop = recipes_stop_flag, stop_context = an
 * int32_t that f's error path sets to 1.
 * *result: written on success only. */
recipes_status recipes_integrate(recipes_integrand f, void *context, double a, double b,
                                 int64_t n, recipes_stop_hook should_stop, void *stop_context,
                                 double *result);

/* Two integrands of that type, for tests, benchmarks and examples: sin(x), by the C
 * library's sin() (the one Python's math.sin calls), and x * x. Both ignore the context. */
double recipes_integrand_sin(double x, void *context);
double recipes_integrand_square(double x, void *context);
/* --8<-- [end:integrate] */

/* --8<-- [start:debug] */
/* Debugging aids for tests: how many handles and word arrays the library has handed out
 * and not yet seen freed (across all threads), and a function that panics inside the
 * library on purpose, to show that the panic comes back as RECIPES_ERR_PANIC. */
uint64_t recipes_debug_live_handles(void);
uint64_t recipes_debug_live_word_arrays(void);
recipes_status recipes_debug_panic(void);
/* --8<-- [end:debug] */

/* ==== cffi cdef end ==== */

#ifdef __cplusplus
}
#endif

#endif /* RECIPES_H */

/* The recipes in plain C.
 *
 * Nothing in this header or in core.c knows about Python: no Python.h, no PyObject,
 * no reference counts, no GIL. The core owns every rule of the contract about values
 * (the ranges of the arguments, the shape of a recurrence, overflow) and reports a broken
 * rule as a recipes_status. The binding layer (_module.c) only converts Python objects to
 * these plain C values and turns the statuses into Python exceptions. Keeping the line
 * sharp means the core can be tested, profiled and reused on its own, and it is what makes
 * it safe to call most of it with the GIL released.
 */
#ifndef RECIPES_CORE_H
#define RECIPES_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef _WIN32
#include <wchar.h>
/* Windows file names are UTF-16: open them with _wopen, never through the ANSI code page. */
typedef wchar_t recipes_path_char;
#else
/* POSIX file names are bytes: the binding encodes the str with the file system encoding. */
typedef char recipes_path_char;
#endif

/* ---- Limits and errors ------------------------------------------------------------- */

/* --8<-- [start:limits] */
/* The largest n whose Fibonacci number fits in 64 unsigned bits:
 * F(93) = 12200160415121876738 < 2**64 <= F(94). */
#define FIB_MAX_N 93
/* The most decimal places calc_pi computes (its working buffer grows with the digits,
 * its running time with their square). */
#define PI_MAX_DIGITS 10000

/* Every way a recipe can fail, as a plain value. Each function below lists the ones it
 * returns; the binding maps exactly those to exceptions. */
typedef enum {
    RECIPES_OK = 0,
    RECIPES_NEGATIVE,            /* fib, fib_recursive, most_common: n < 0 */
    RECIPES_FIB_TOO_LARGE,       /* fib, fib_recursive: n > FIB_MAX_N */
    RECIPES_PI_DIGITS_OUT_OF_RANGE, /* calc_pi: digits < 0 or digits > PI_MAX_DIGITS */
    RECIPES_NO_COEFFICIENTS,     /* LinearRecurrence: k == 0 */
    RECIPES_LENGTH_MISMATCH,     /* LinearRecurrence: not as many initial values as coefficients */
    RECIPES_OVERFLOW,            /* LinearRecurrence: the due term overflowed signed 64 bits */
    RECIPES_OS_ERROR,            /* most_common: open/read failed, see os_errno */
    RECIPES_BAD_UTF8,            /* most_common: the file is not UTF-8, see bad_utf8_offset */
    RECIPES_NO_MEMORY,           /* most_common, calc_pi: malloc failed */
    RECIPES_ALPHA_OUT_OF_RANGE,  /* ewma: alpha is not in (0, 1], or is NaN */
    RECIPES_STEPS_OUT_OF_RANGE,  /* integrate: n < 1 */
    RECIPES_STOPPED,             /* fib_recursive, integrate: the caller's callback said stop */
    RECIPES_THREADS_OUT_OF_RANGE /* most_common: threads < 1 */
} recipes_status;
/* --8<-- [end:limits] */

/* ---- Callbacks ---------------------------------------------------------------------- */

/* --8<-- [start:callbacks] */
/* The core calls its caller back through a function pointer plus a context pointer, C's
 * closure: the core passes the context along untouched and never learns what is behind it
 * (for the binding: a Python callable, or the thread state it gave up the GIL with). A
 * callback that fails keeps its own error (the binding's stays set as a Python exception),
 * tells the core to stop by returning nonzero, and the core unwinds with RECIPES_STOPPED. */

/* "Should I stop?": 0 to go on, nonzero to stop. */
typedef int (*recipes_stop_hook)(void *context);
/* f(x) for integrate: 0 and the value in *y, or nonzero to stop. */
typedef int (*recipes_real_function)(double x, double *y, void *context);
/* --8<-- [end:callbacks] */

/* ---- fib, fib_recursive ------------------------------------------------------------ */

/* RECIPES_OK and F(n) in *out, RECIPES_NEGATIVE or RECIPES_FIB_TOO_LARGE. */
recipes_status recipes_fib(int64_t n, uint64_t *out);
/* The same, or RECIPES_STOPPED if should_stop(context) returned nonzero. A long call asks
 * should_stop every few milliseconds of work (see INTERRUPT_CHECK_FROM_N in core.c); a short
 * one never does. */
recipes_status recipes_fib_recursive(int64_t n, recipes_stop_hook should_stop, void *context,
                                     uint64_t *out);

/* ---- LinearRecurrence -------------------------------------------------------------- */

typedef struct {
    size_t k;               /* order: number of coefficients = size of the window */
    size_t oldest;          /* index in `window` of the oldest term not yet returned */
    size_t remaining;       /* terms known and not yet returned: k, until an overflow */
    int overflowed;         /* 1 once the term after the window could not be computed */
    const int64_t *coefficients; /* c_0 .. c_{k-1} */
    int64_t *window;        /* ring buffer of k terms, a_n .. a_{n+k-1} from `oldest` on */
} recipes_recurrence;

/* Check the shape, then set up `r`: RECIPES_OK, RECIPES_NO_COEFFICIENTS (k == 0) or
 * RECIPES_LENGTH_MISMATCH (initial_count != k), in that order. On RECIPES_OK,
 * `coefficients` and `window` point to k values each, owned by the caller (the binding
 * keeps them inside the Python object), and `window` holds a_0..a_{k-1}. */
recipes_status recipes_recurrence_init(recipes_recurrence *r, size_t k, size_t initial_count,
                                       const int64_t *coefficients, int64_t *window);
/* RECIPES_OK and the next term in *out, or RECIPES_OVERFLOW if that term overflowed
 * signed 64 bits (then on every later call too). */
recipes_status recipes_recurrence_next(recipes_recurrence *r, int64_t *out);

/* ---- most_common ------------------------------------------------------------------- */

typedef struct {
    const char *word;       /* points into the file contents: no copy per word */
    size_t length;          /* in bytes */
    size_t count;
} recipes_word_count;

typedef struct {
    char *text;             /* the whole file, lowercased in place once it validated */
    size_t text_length;
    recipes_word_count *top; /* the result, sorted; words point into `text` */
    size_t top_length;
    int os_errno;           /* errno of the failed call, for RECIPES_OS_ERROR */
    size_t bad_utf8_offset; /* offset of the first invalid byte, for RECIPES_BAD_UTF8 */
} recipes_most_common_result;

/* How many words most_common(path, n) keeps: RECIPES_OK and the count in *limit (an n
 * beyond SIZE_MAX means "all of them"), or RECIPES_NEGATIVE. A step of its own because
 * the contract checks n before the file is opened, and before the binding encodes the
 * file name (which can fail too). */
recipes_status recipes_most_common_limit(int64_t n, size_t *limit);
/* How many threads most_common(path, n, threads=...) may count with: RECIPES_OK and the
 * count in *count (beyond SIZE_MAX: SIZE_MAX), or RECIPES_THREADS_OUT_OF_RANGE (< 1).
 * Checked after n and before the file, as the contract orders them. */
recipes_status recipes_most_common_threads(int64_t threads, size_t *count);
/* The threads this machine runs at once (threads=None): at least 1. */
size_t recipes_available_threads(void);
/* Read the file, check it is UTF-8, count its words and keep the `limit` most common:
 * RECIPES_OK, RECIPES_OS_ERROR, RECIPES_BAD_UTF8 or RECIPES_NO_MEMORY. The file is cut
 * at whitespace into at most `threads` chunks (fewer for a small file, and never more
 * than 64), validated and counted in parallel with pthreads, then merged: the result,
 * and the offset of the first invalid byte, never depend on `threads` (>= 1). Never
 * touches Python objects: the binding calls it with the GIL released. Whatever the
 * status, the caller must pass `result` to recipes_most_common_free afterwards. */
recipes_status recipes_most_common(const recipes_path_char *path, size_t limit, size_t threads,
                                   recipes_most_common_result *result);
void recipes_most_common_free(recipes_most_common_result *result);

/* Helpers, exported for the README and for testing in isolation. */
int recipes_read_file(const recipes_path_char *path, char **data, size_t *size);
size_t recipes_utf8_valid_up_to(const char *data, size_t size);

/* ---- calc_pi ----------------------------------------------------------------------- */

/* How many characters calc_pi(digits) writes ("3", or "3." and the digits): RECIPES_OK
 * and the count in *length, or RECIPES_PI_DIGITS_OUT_OF_RANGE. */
recipes_status recipes_calc_pi_length(int64_t digits, size_t *length);
/* Write that many characters (no terminating NUL) into the caller's buffer `out`:
 * RECIPES_OK, RECIPES_PI_DIGITS_OUT_OF_RANGE or RECIPES_NO_MEMORY (working memory). */
recipes_status recipes_calc_pi(int64_t digits, char *out);

/* ---- ewma -------------------------------------------------------------------------- */

/* RECIPES_OK if 0 < alpha <= 1, else RECIPES_ALPHA_OUT_OF_RANGE (NaN included). A step
 * of its own because the binding checks alpha before it allocates the result. */
recipes_status recipes_ewma_check_alpha(double alpha);
/* The exponentially weighted moving average of n doubles: out[0] = x[0], then
 * out[i] = alpha * x[i] + (1 - alpha) * out[i - 1]. Element i of the input starts at byte
 * values + i * stride: any stride, negative (reversed) or not a multiple of 8 (a field of a
 * record array) included, and no alignment is assumed. `out` holds n contiguous doubles.
 * RECIPES_OK, or RECIPES_ALPHA_OUT_OF_RANGE before anything is read or written. Never
 * touches Python objects: the binding calls it with the GIL released. */
recipes_status recipes_ewma(const char *values, size_t n, ptrdiff_t stride, double alpha,
                            double *out);

/* ---- integrate --------------------------------------------------------------------- */

/* The midpoint rule: h = (b - a) / n, then f at a + (i + 0.5) * h for i = 0 .. n-1, in
 * order, summed and times h. RECIPES_OK and the integral in *result,
 * RECIPES_STEPS_OUT_OF_RANGE (n < 1) before f is called, or RECIPES_STOPPED as soon as f
 * returns nonzero: f is not called again, and *result is left alone. */
recipes_status recipes_integrate(recipes_real_function f, void *context, double a, double b,
                                 int64_t n, double *result);

#endif /* RECIPES_CORE_H */

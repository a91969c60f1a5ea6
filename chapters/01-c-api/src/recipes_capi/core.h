/* The five recipes in plain C.
 *
 * Nothing in this header or in core.c knows about Python: no Python.h, no PyObject,
 * no reference counts, no GIL. The binding layer (_module.c) converts arguments,
 * calls these functions and turns their status codes into Python exceptions. Keeping
 * the line sharp means the core can be tested, profiled and reused on its own, and it
 * is what makes it safe to call most of it with the GIL released.
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

/* ---- fib, fib_recursive ------------------------------------------------------------ */

/* F(93) is the largest Fibonacci number below 2**64. */
#define RECIPES_FIB_MAX_N 93u

uint64_t recipes_fib(unsigned int n);           /* n <= RECIPES_FIB_MAX_N */
uint64_t recipes_fib_recursive(unsigned int n); /* n <= RECIPES_FIB_MAX_N */

/* ---- LinearRecurrence -------------------------------------------------------------- */

typedef struct {
    size_t k;               /* order: number of coefficients = size of the window */
    size_t oldest;          /* index in `window` of the oldest term not yet returned */
    size_t remaining;       /* terms known and not yet returned: k, until an overflow */
    int overflowed;         /* 1 once the term after the window could not be computed */
    const int64_t *coefficients; /* c_0 .. c_{k-1} */
    int64_t *window;        /* ring buffer of k terms, a_n .. a_{n+k-1} from `oldest` on */
} recipes_recurrence;

/* `coefficients` and `window` point to k values each, owned by the caller (the binding
 * keeps them inside the Python object). `window` holds the initial values a_0..a_{k-1}. */
void recipes_recurrence_init(recipes_recurrence *r, size_t k,
                             const int64_t *coefficients, int64_t *window);
/* 0 and the next term in *out, or -1 if that term overflowed signed 64 bits (forever). */
int recipes_recurrence_next(recipes_recurrence *r, int64_t *out);

/* ---- most_common ------------------------------------------------------------------- */

typedef struct {
    const char *word;       /* points into the file contents: no copy per word */
    size_t length;          /* in bytes */
    size_t count;
} recipes_word_count;

typedef enum {
    RECIPES_OK = 0,
    RECIPES_OS_ERROR,       /* open/read failed: see os_errno */
    RECIPES_BAD_UTF8,       /* the file is not UTF-8: see bad_utf8_offset */
    RECIPES_NO_MEMORY
} recipes_status;

typedef struct {
    char *text;             /* the whole file, lowercased in place once it validated */
    size_t text_length;
    recipes_word_count *top; /* the result, sorted; words point into `text` */
    size_t top_length;
    int os_errno;           /* errno of the failed call, for RECIPES_OS_ERROR */
    size_t bad_utf8_offset; /* offset of the first invalid byte, for RECIPES_BAD_UTF8 */
} recipes_most_common_result;

/* Read the file, check it is UTF-8, count its words and keep the n most common. Never
 * touches Python objects: the binding calls it with the GIL released. Whatever the
 * status, the caller must pass `result` to recipes_most_common_free afterwards. */
recipes_status recipes_most_common(const recipes_path_char *path, size_t n,
                                   recipes_most_common_result *result);
void recipes_most_common_free(recipes_most_common_result *result);

/* Helpers, exported for the README and for testing in isolation. */
int recipes_read_file(const recipes_path_char *path, char **data, size_t *size);
size_t recipes_utf8_valid_up_to(const char *data, size_t size);

/* ---- calc_pi ----------------------------------------------------------------------- */

#define RECIPES_PI_MAX_DIGITS 10000u

/* Number of characters calc_pi writes: "3" or "3." followed by `digits` digits. */
size_t recipes_calc_pi_length(unsigned int digits);
/* Write recipes_calc_pi_length(digits) characters (no terminating NUL) into the
 * caller's buffer `out`. Returns 0, or -1 if the working memory could not be allocated. */
int recipes_calc_pi(unsigned int digits, char *out);

#endif /* RECIPES_CORE_H */

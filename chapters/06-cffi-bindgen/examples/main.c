/*
 * The recipes library from plain C: no Python anywhere. The same header and the same shared
 * library that the Python front ends use. tests/test_c_program.py builds and runs it:
 *
 *     cc examples/main.c -I include -L <dir of librecipes.so> -lrecipes -Wl,-rpath,<that dir>
 *     ./a.out words.txt
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recipes.h"

/* Prints what failed, the way a C program reports errors: status, message, errno if any. */
static void report(const char *what, recipes_status status) {
    printf("%s: status %d: %s", what, (int)status, recipes_last_error_message());
    if (status == RECIPES_ERR_OS)
        printf(" [errno %d: %s]", errno, strerror(errno));
    printf("\n");
}

/* --8<-- [start:c_fib] */
static void show_fib(int64_t n) {
    uint64_t value;
    recipes_status status = recipes_fib(n, &value);
    if (status == RECIPES_OK)
        printf("fib(%lld) = %llu\n", (long long)n, (unsigned long long)value);
    else
        report("fib", status);
}
/* --8<-- [end:c_fib] */

/* --8<-- [start:c_integrate] */
/* Ctrl-C for a C program: the signal handler only sets a flag, a lock-free atomic (one of the
 * few things C lets a handler touch), and the library's ready-made hook, recipes_stop_flag,
 * reads it after every step. */
static _Atomic int32_t interrupted = 0;

static void on_sigint(int signum) {
    (void)signum;
    interrupted = 1;
}

/* An integrand of our own, with a context: a polynomial's coefficients. */
static double polynomial(double x, void *context) {
    const double *c = context; /* c[0] + c[1] x + c[2] x^2 */
    return c[0] + (c[1] + c[2] * x) * x;
}

static void show_integrate(void) {
    signal(SIGINT, on_sigint);
    const double coefficients[] = {1.0, 2.0, 3.0};
    double value;
    /* The library's own integrand: no context, and nothing that could ask to stop. */
    recipes_status status = recipes_integrate(recipes_integrand_square, NULL, 0.0, 1.0, 4, NULL, NULL, &value);
    if (status == RECIPES_OK)
        printf("integrate(square, 0, 1, 4) = %g\n", value);
    status = recipes_integrate(polynomial, (void *)coefficients, 0.0, 1.0, 1000,
                               recipes_stop_flag, (void *)&interrupted, &value);
    if (status == RECIPES_OK)
        printf("integrate(1 + 2x + 3x^2, 0, 1, 1000) = %.6f\n", value);
    else if (status == RECIPES_STOPPED)
        printf("interrupted\n");
    else
        report("integrate", status);
    report("integrate", recipes_integrate(polynomial, NULL, 0.0, 1.0, 0, NULL, NULL, &value));
    signal(SIGINT, SIG_DFL);
}
/* --8<-- [end:c_integrate] */

/* --8<-- [start:c_calc_pi] */
static void show_pi(int64_t digits) {
    size_t length;
    /* Ask for the size first (like snprintf(NULL, 0, ...)), then provide a buffer. */
    recipes_status status = recipes_calc_pi(digits, NULL, 0, &length);
    if (status != RECIPES_ERR_BUFFER_TOO_SMALL) {
        report("calc_pi", status);
        return;
    }
    char *buffer = malloc(length + 1); /* ours: we free it */
    if (buffer == NULL)
        return;
    status = recipes_calc_pi(digits, buffer, length + 1, &length);
    if (status == RECIPES_OK)
        printf("calc_pi(%lld) = %s\n", (long long)digits, buffer);
    else
        report("calc_pi", status);
    free(buffer);
}
/* --8<-- [end:c_calc_pi] */

/* --8<-- [start:c_linear_recurrence] */
static void show_lucas(int count) {
    const int64_t coefficients[] = {1, 1}, initial[] = {2, 1};
    recipes_linear_recurrence *lucas = NULL;
    recipes_status status = recipes_linear_recurrence_new(coefficients, 2, initial, 2, &lucas);
    if (status != RECIPES_OK) {
        report("linear_recurrence_new", status);
        return;
    }
    printf("lucas:");
    for (int i = 0; i < count; i++) {
        int64_t term;
        if (recipes_linear_recurrence_next(lucas, &term) != RECIPES_OK)
            break;
        printf(" %lld", (long long)term);
    }
    printf("\n");
    recipes_linear_recurrence_free(lucas); /* the library's object: the library frees it */
}
/* --8<-- [end:c_linear_recurrence] */

/* --8<-- [start:c_ewma] */
static void show_ewma(void) {
    const double prices[] = {1.0, 3.0, 5.0, 7.0};
    double smoothed[4]; /* ours: the library only writes into it */
    /* From the last element with stride -1: the series backwards, read in place. */
    recipes_status status = recipes_ewma(&prices[3], 4, -1, 0.5, smoothed);
    if (status != RECIPES_OK) {
        report("ewma", status);
        return;
    }
    printf("ewma:");
    for (int i = 0; i < 4; i++)
        printf(" %g", smoothed[i]);
    printf("\n");
    report("ewma", recipes_ewma(prices, 4, 1, 1.5, smoothed)); /* alpha outside (0, 1] */
}
/* --8<-- [end:c_ewma] */

/* --8<-- [start:c_most_common] */
static void show_most_common(const char *path, int64_t n) {
    recipes_word_count *words = NULL;
    size_t n_words = 0;
    /* up to 4 threads count at once; the result is the same with 1 */
    recipes_status status = recipes_most_common(path, strlen(path), n, 4, &words, &n_words);
    if (status != RECIPES_OK) {
        report("most_common", status);
        return;
    }
    for (size_t i = 0; i < n_words; i++) /* the words are not NUL-terminated: %.*s */
        printf("%.*s %llu\n", (int)words[i].word_len, words[i].word, (unsigned long long)words[i].count);
    recipes_word_counts_free(words, n_words); /* never free(): the library allocated it */
}
/* --8<-- [end:c_most_common] */

int main(int argc, char **argv) {
    show_fib(90);
    show_fib(-1);
    show_fib(RECIPES_FIB_MAX_N + 1); /* the header names its limits */
    show_pi(4);
    show_pi(RECIPES_PI_MAX_DIGITS + 1);
    show_lucas(10);
    show_ewma();
    show_integrate();
    if (argc > 1)
        show_most_common(argv[1], 3);
    show_most_common("/nonexistent/words.txt", 3);
    printf("live handles: %llu, live word arrays: %llu\n",
           (unsigned long long)recipes_debug_live_handles(),
           (unsigned long long)recipes_debug_live_word_arrays());
    return 0;
}

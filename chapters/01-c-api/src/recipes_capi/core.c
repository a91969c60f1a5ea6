/* The recipes in plain C: see core.h. No Python in this file. */
#include "core.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>
#else
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

/* --8<-- [start:fib] */
/* The argument rule of fib and fib_recursive: 0 <= n <= FIB_MAX_N. */
static recipes_status
check_fib_argument(int64_t n)
{
    if (n < 0) {
        return RECIPES_NEGATIVE;
    }
    if (n > FIB_MAX_N) {
        return RECIPES_FIB_TOO_LARGE;
    }
    return RECIPES_OK;
}

recipes_status
recipes_fib(int64_t n, uint64_t *out)
{
    recipes_status status = check_fib_argument(n);
    if (status != RECIPES_OK) {
        return status;
    }
    /* Invariant: a = F(i), b = F(i+1). The textbook loop `a, b = b, a + b` run n times
     * ends with b = F(n+1): one term too far, and F(94) does not fit in 64 bits. So we
     * stop one step early and return b, and F(n+1) is never computed. */
    uint64_t a = 0, b = 1;
    if (n == 0) {
        *out = 0;
        return RECIPES_OK;
    }
    for (int64_t i = 1; i < n; i++) {
        uint64_t next = a + b;
        a = b;
        b = next;
    }
    *out = b;
    return RECIPES_OK;
}
/* --8<-- [end:fib] */

/* --8<-- [start:fib_recursive] */
/* The naive definition, on purpose: the exponential number of calls is the workload.
 * It stays in C on plain integers: no Python object is touched per call. */
static uint64_t
fib_recursive_unchecked(unsigned int n)
{
    return n <= 1 ? n : fib_recursive_unchecked(n - 1) + fib_recursive_unchecked(n - 2);
}

/* From this n up, every call asks the caller's hook whether to stop, before it recurses.
 * Below it, the unchecked recursion runs as it is: fib_recursive(29) is 1.7 million calls,
 * a millisecond or two, so a long call asks every few milliseconds at most, and a short one
 * pays nothing (fib_recursive(30), the benchmark, asks once). Counting calls instead would
 * add work to every one of the millions of calls. */
#define INTERRUPT_CHECK_FROM_N 30

/* 0 and F(n) in *out, or 1 as soon as the hook says stop: then every level returns at once,
 * without computing the other half. */
static int
fib_recursive_interruptible(unsigned int n, recipes_stop_hook should_stop, void *context,
                            uint64_t *out)
{
    if (n < INTERRUPT_CHECK_FROM_N) {
        *out = fib_recursive_unchecked(n);
        return 0;
    }
    uint64_t left, right;
    if (should_stop(context) ||
        fib_recursive_interruptible(n - 1, should_stop, context, &left) ||
        fib_recursive_interruptible(n - 2, should_stop, context, &right)) {
        return 1;
    }
    *out = left + right;
    return 0;
}

recipes_status
recipes_fib_recursive(int64_t n, recipes_stop_hook should_stop, void *context, uint64_t *out)
{
    recipes_status status = check_fib_argument(n);
    if (status != RECIPES_OK) {
        return status;
    }
    if (fib_recursive_interruptible((unsigned int)n, should_stop, context, out) != 0) {
        return RECIPES_STOPPED; /* *out is not a result: the caller reports its own error */
    }
    return RECIPES_OK;
}
/* --8<-- [end:fib_recursive] */

/* --8<-- [start:checked_arithmetic] */
/* Signed overflow is undefined behaviour in C: the compiler may assume it never happens,
 * so a check written after the fact, such as `if (a + b < a)`, can be deleted by the
 * optimiser. The check must come before, or be done by the compiler itself. */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(RECIPES_PORTABLE_OVERFLOW_CHECKS)
/* GCC and Clang: one multiply or add, then a jump on the CPU's overflow flag. */
#define checked_mul_i64(a, b, out) __builtin_mul_overflow((a), (b), (out))
#define checked_add_i64(a, b, out) __builtin_add_overflow((a), (b), (out))
#else
/* MSVC has no __builtin_*_overflow, so compare against the limits before operating, with
 * divisions that cannot overflow themselves (the divisor is never -1 with INT64_MIN). */
static int
checked_add_i64(int64_t a, int64_t b, int64_t *out)
{
    if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b)) {
        return 1;
    }
    *out = a + b;
    return 0;
}

static int
checked_mul_i64(int64_t a, int64_t b, int64_t *out)
{
    if (a > 0) {
        if (b > 0 ? a > INT64_MAX / b : b < INT64_MIN / a) {
            return 1;
        }
    }
    else if (b > 0) {
        if (a < INT64_MIN / b) {
            return 1;
        }
    }
    else if (a != 0 && b < INT64_MAX / a) { /* both <= 0: the product is >= 0 */
        return 1;
    }
    *out = a * b;
    return 0;
}
#endif
/* --8<-- [end:checked_arithmetic] */

/* --8<-- [start:linear_recurrence] */
recipes_status
recipes_recurrence_init(recipes_recurrence *r, size_t k, size_t initial_count,
                        const int64_t *coefficients, int64_t *window)
{
    if (k == 0) {
        return RECIPES_NO_COEFFICIENTS;
    }
    if (initial_count != k) {
        return RECIPES_LENGTH_MISMATCH;
    }
    r->k = k;
    r->oldest = 0;
    r->remaining = k;
    r->overflowed = 0;
    r->coefficients = coefficients;
    r->window = window;
    return RECIPES_OK;
}

/* The term after the full window, c_0*a_n + ... + c_{k-1}*a_{n+k-1}, evaluated left to
 * right with every step checked: 0 and the term in *out, or 1 if a step overflowed. */
static int
term_after_window(const recipes_recurrence *r, int64_t *out)
{
    int64_t total = 0, product;
    size_t j = r->oldest;
    for (size_t i = 0; i < r->k; i++) {
        if (checked_mul_i64(r->coefficients[i], r->window[j], &product) ||
            checked_add_i64(total, product, &total)) {
            return 1;
        }
        j = (j + 1 == r->k) ? 0 : j + 1; /* ring buffer: no modulo in the loop */
    }
    *out = total;
    return 0;
}

recipes_status
recipes_recurrence_next(recipes_recurrence *r, int64_t *out)
{
    if (r->remaining == 0) {
        return RECIPES_OVERFLOW; /* the term that is due overflowed: now and on every call */
    }
    const size_t oldest = r->oldest;
    const int64_t term = r->window[oldest];
    int64_t newest;
    if (r->overflowed) {
        r->remaining--; /* nothing replaces the term we return */
    }
    else if (term_after_window(r, &newest) != 0) {
        /* Not an error yet: the terms still in the window are due first. */
        r->overflowed = 1;
        r->remaining--;
    }
    else {
        r->window[oldest] = newest; /* the newest term takes the oldest's slot */
    }
    r->oldest = (oldest + 1 == r->k) ? 0 : oldest + 1;
    *out = term;
    return RECIPES_OK;
}
/* --8<-- [end:linear_recurrence] */

/* --8<-- [start:read_file] */
#ifdef _WIN32
typedef struct _stat64 file_status;
#define open_for_reading(path) _wopen((path), _O_RDONLY | _O_BINARY | _O_NOINHERIT)
#define file_status_of(fd, st) _fstat64((fd), (st))
#define read_some(fd, buffer, size) _read((fd), (buffer), (unsigned int)(size))
#define close_file(fd) _close(fd)
#define READ_CHUNK_MAX ((size_t)INT_MAX) /* _read takes an unsigned int, returns an int */
#else
#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif
typedef struct stat file_status;
/* O_CLOEXEC: a child process started meanwhile by another thread must not inherit it. */
#define open_for_reading(path) open((path), O_RDONLY | O_CLOEXEC)
#define file_status_of(fd, st) fstat((fd), (st))
#define read_some(fd, buffer, size) read((fd), (buffer), (size))
#define close_file(fd) close(fd)
#define READ_CHUNK_MAX ((size_t)1 << 30)
#endif
/* The first buffer for a file that reports no size (a pipe, /proc); it doubles as needed. */
#define READ_UNSIZED_CAPACITY ((size_t)64 * 1024)

/* Read a whole file into one malloc'ed buffer. Returns 0, an errno value (> 0) if the
 * system said no, or -1 if memory ran out. errno is saved at once: it is per thread, and
 * any later call (even free) may overwrite it. */
int
recipes_read_file(const recipes_path_char *path, char **data, size_t *size)
{
    *data = NULL;
    *size = 0;
    int fd = open_for_reading(path);
    if (fd < 0) {
        return errno;
    }
    /* Size the buffer from fstat so a regular file is read in one call. The +1 lets the
     * final read() report end of file without a reallocation. Files that report no size
     * (pipes, /proc) and files that grow while we read take the doubling path below.
     * A directory opens fine on Linux; the read() then fails with EISDIR. */
    file_status st;
    size_t capacity = READ_UNSIZED_CAPACITY;
    if (file_status_of(fd, &st) == 0 && st.st_size > 0 &&
        (unsigned long long)st.st_size < (unsigned long long)SIZE_MAX) {
        capacity = (size_t)st.st_size + 1;
    }
    char *buffer = malloc(capacity);
    size_t length = 0;
    int error = 0;
    while (buffer != NULL) {
        if (length == capacity) {
            char *bigger = capacity <= SIZE_MAX / 2 ? realloc(buffer, capacity * 2) : NULL;
            if (bigger == NULL) {
                free(buffer);
                buffer = NULL;
                break;
            }
            buffer = bigger;
            capacity *= 2;
        }
        size_t want = capacity - length;
        if (want > READ_CHUNK_MAX) {
            want = READ_CHUNK_MAX;
        }
        long long got = (long long)read_some(fd, buffer + length, want);
        if (got > 0) {
            length += (size_t)got;
        }
        else if (got == 0) {
            break; /* end of file */
        }
        else if (errno != EINTR) { /* EINTR: a signal arrived; just read again */
            error = errno;
            break;
        }
    }
    close_file(fd);
    if (buffer == NULL) {
        return -1;
    }
    if (error) {
        free(buffer);
        return error;
    }
    *data = buffer;
    *size = length;
    return 0;
}
/* --8<-- [end:read_file] */

/* --8<-- [start:utf8] */
/* Length of the longest valid UTF-8 prefix, i.e. the offset of the first byte of the first
 * invalid sequence: what bytes.decode() reports as UnicodeDecodeError.start and what Rust
 * calls Utf8Error::valid_up_to(). Returns `size` if everything is valid. Valid means the
 * table "Well-Formed UTF-8 Byte Sequences" of the Unicode standard: no overlong forms
 * (C0, C1, E0 80..9F, F0 80..8F), no surrogates (ED A0..BF), nothing above U+10FFFF. */
size_t
recipes_utf8_valid_up_to(const char *data, size_t size)
{
    const unsigned char *s = (const unsigned char *)data;
    size_t i = 0;
    while (i < size) {
        unsigned int c = s[i];
        if (c < 0x80) {
            /* Text is mostly ASCII: test 8 bytes at a time for a set high bit. memcpy is
             * the portable unaligned load; compilers turn it into one instruction. */
            while (i + 8 <= size) {
                uint64_t chunk;
                memcpy(&chunk, s + i, 8);
                if (chunk & UINT64_C(0x8080808080808080)) {
                    break;
                }
                i += 8;
            }
            while (i < size && s[i] < 0x80) {
                i++;
            }
            continue;
        }
        /* Lead byte: how many continuation bytes follow, and the allowed range of the
         * first one (narrower after E0, ED, F0, F4: that rules out overlong forms,
         * surrogates and code points above U+10FFFF). */
        size_t need;
        unsigned int low = 0x80, high = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        }
        else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0) {
                low = 0xA0;
            }
            else if (c == 0xED) {
                high = 0x9F;
            }
        }
        else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0) {
                low = 0x90;
            }
            else if (c == 0xF4) {
                high = 0x8F;
            }
        }
        else {
            return i; /* 80..C1 or F5..FF can never start a character */
        }
        if (size - i <= need) {
            return i; /* truncated by the end of the data */
        }
        if (s[i + 1] < low || s[i + 1] > high) {
            return i;
        }
        for (size_t j = 2; j <= need; j++) {
            if ((s[i + j] & 0xC0) != 0x80) {
                return i;
            }
        }
        i += need + 1;
    }
    return size;
}
/* --8<-- [end:utf8] */

/* --8<-- [start:word_table] */
/* Counting words needs a hash table from byte strings to counts. C has none, so here is a
 * small one, specialised for this job:
 *  - Open addressing with linear probing: all slots in one array, no allocation per word,
 *    and a probe walks consecutive memory, which is what caches like.
 *  - Keys are not copied: a slot points into the file's bytes, which stay alive until the
 *    result has been turned into Python objects.
 *  - The table doubles when half full: with linear probing, lookups stay short up to a
 *    load factor of about 1/2 and grow quickly after 3/4.
 *  - FNV-1a hash: one xor and one multiply per byte, no setup, computed in the same loop
 *    that finds the end of the word: good for short keys like words. It does not resist
 *    deliberately colliding input (SipHash, which Python uses for str, does), which is
 *    acceptable for counting the words of a local file.
 *    Pitfall: a multiply only carries bits upwards. So bit i of an FNV-1a hash depends
 *    only on bits 0..i of the bytes (bit 0 is just the parity of their bit 0s), and as
 *    the prime is 2**40 + 435, the last byte reaches the top bits only through carries.
 *    Neither end alone is a good slot index. Measured with this table on the 17,576
 *    three-letter words (65,536 slots), a lookup probes 288 slots on average when the
 *    index is the top bits, 1.36 with the low bits, and 1.14 when the high half is
 *    folded onto the low half before masking, which is what word_table_find does.
 */
#define FNV_OFFSET_BASIS UINT64_C(14695981039346656037)
#define FNV_PRIME UINT64_C(1099511628211)

typedef struct {
    uint64_t hash;    /* kept so that growing never rehashes a word */
    const char *word; /* NULL marks an empty slot: words are never empty */
    size_t length;
    size_t count;
} word_slot;

typedef struct {
    word_slot *slots;
    size_t capacity; /* a power of two */
    size_t used;
    unsigned int log2_capacity;
} word_table;

static int
word_table_init(word_table *table, unsigned int log2_capacity)
{
    table->capacity = (size_t)1 << log2_capacity;
    table->log2_capacity = log2_capacity;
    table->used = 0;
    table->slots = calloc(table->capacity, sizeof(word_slot));
    return table->slots == NULL ? -1 : 0;
}

/* The slot holding `word`, or the empty slot where it belongs. */
static word_slot *
word_table_find(const word_table *table, const char *word, size_t length, uint64_t hash)
{
    const size_t mask = table->capacity - 1;
    size_t i = (size_t)(hash ^ (hash >> 32)) & mask;
    for (;;) {
        word_slot *slot = &table->slots[i];
        if (slot->word == NULL ||
            (slot->hash == hash && slot->length == length &&
             memcmp(slot->word, word, length) == 0)) {
            return slot;
        }
        i = (i + 1) & mask;
    }
}

static int
word_table_grow(word_table *table)
{
    word_table bigger;
    if (word_table_init(&bigger, table->log2_capacity + 1) < 0) {
        return -1;
    }
    for (size_t i = 0; i < table->capacity; i++) {
        const word_slot *old = &table->slots[i];
        if (old->word != NULL) {
            *word_table_find(&bigger, old->word, old->length, old->hash) = *old;
        }
    }
    bigger.used = table->used;
    free(table->slots);
    *table = bigger;
    return 0;
}

/* Add `count` occurrences of a word: 1 while counting, a whole count when merging the
 * tables of several threads. */
static int
word_table_add(word_table *table, const char *word, size_t length, uint64_t hash, size_t count)
{
    word_slot *slot = word_table_find(table, word, length, hash);
    if (slot->word != NULL) {
        slot->count += count;
        return 0;
    }
    if (table->used + 1 > table->capacity / 2) {
        if (word_table_grow(table) < 0) {
            return -1;
        }
        slot = word_table_find(table, word, length, hash);
    }
    slot->hash = hash;
    slot->word = word;
    slot->length = length;
    slot->count = count;
    table->used++;
    return 0;
}

/* Split on ASCII whitespace, lowercase A-Z in place, count. One pass over the bytes:
 * whitespace test, lowercasing and hashing happen in the same loop. */
static int
count_words(char *text, size_t length, word_table *table)
{
    static const unsigned char is_ascii_space[256] = {
        [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, ['\v'] = 1, ['\f'] = 1,
    };
    unsigned char *p = (unsigned char *)text;
    unsigned char *const end = p + length;
    while (p < end) {
        while (p < end && is_ascii_space[*p]) {
            p++;
        }
        if (p == end) {
            break;
        }
        unsigned char *start = p;
        uint64_t hash = FNV_OFFSET_BASIS;
        do {
            unsigned int c = *p;
            if (c - 'A' <= (unsigned int)('Z' - 'A')) { /* unsigned: one comparison */
                c += 'a' - 'A';
                *p = (unsigned char)c;
            }
            hash = (hash ^ c) * FNV_PRIME;
            p++;
        } while (p < end && !is_ascii_space[*p]);
        if (word_table_add(table, (const char *)start, (size_t)(p - start), hash, 1) < 0) {
            return -1;
        }
    }
    return 0;
}
/* --8<-- [end:word_table] */

/* --8<-- [start:top_n] */
/* The result order: count descending, then word ascending by bytes. Comparing UTF-8 byte
 * by byte gives code point order, which is how Python compares str. */
static int
ranks_before(const word_slot *a, const word_slot *b)
{
    if (a->count != b->count) {
        return a->count > b->count;
    }
    size_t common = a->length < b->length ? a->length : b->length;
    int order = memcmp(a->word, b->word, common);
    return order != 0 ? order < 0 : a->length < b->length;
}

static int
compare_rank(const void *a, const void *b)
{
    return ranks_before(a, b) ? -1 : ranks_before(b, a) ? 1 : 0;
}

/* Heap whose root is the entry that ranks last: the one to evict when a better one comes. */
static void
sift_down(word_slot *heap, size_t size, size_t i)
{
    for (;;) {
        size_t worst = i, left = 2 * i + 1, right = left + 1;
        if (left < size && ranks_before(&heap[worst], &heap[left])) {
            worst = left;
        }
        if (right < size && ranks_before(&heap[worst], &heap[right])) {
            worst = right;
        }
        if (worst == i) {
            return;
        }
        word_slot tmp = heap[i];
        heap[i] = heap[worst];
        heap[worst] = tmp;
        i = worst;
    }
}

/* Move the n best of the `used` entries to the front of `slots`, sorted. Sorting every
 * distinct word would cost O(D log D); keeping a heap of the n best costs O(D log n), and
 * for the usual small n nearly every entry is rejected by one comparison with the root. */
static size_t
select_top(word_slot *slots, size_t used, size_t n)
{
    if (n < used) {
        for (size_t i = n / 2; i-- > 0;) {
            sift_down(slots, n, i);
        }
        for (size_t i = n; i < used; i++) {
            if (n > 0 && ranks_before(&slots[i], &slots[0])) {
                slots[0] = slots[i];
                sift_down(slots, n, 0);
            }
        }
        used = n;
    }
    qsort(slots, used, sizeof(word_slot), compare_rank);
    return used;
}
/* --8<-- [end:top_n] */

/* --8<-- [start:most_common] */
/* 4096 slots: the words of a short text fit without the table ever growing. */
#define WORD_TABLE_INITIAL_LOG2_CAPACITY 12

recipes_status
recipes_most_common_limit(int64_t n, size_t *limit)
{
    if (n < 0) {
        return RECIPES_NEGATIVE;
    }
    /* More words than a size_t can count means all of them (on 32-bit platforms). */
    *limit = (uint64_t)n > SIZE_MAX ? SIZE_MAX : (size_t)n;
    return RECIPES_OK;
}

/* Move the used slots of the table to the front of its array; returns how many. */
static size_t
pack_used_slots(word_table *table)
{
    size_t used = 0;
    for (size_t i = 0; i < table->capacity; i++) {
        if (table->slots[i].word != NULL) {
            table->slots[used++] = table->slots[i];
        }
    }
    return used;
}

/* Copy the first `kept` slots into result->top, which outlives the table. */
static recipes_status
copy_top(const word_slot *slots, size_t kept, recipes_most_common_result *result)
{
    result->top = malloc((kept > 0 ? kept : 1) * sizeof(recipes_word_count));
    if (result->top == NULL) {
        return RECIPES_NO_MEMORY;
    }
    for (size_t i = 0; i < kept; i++) {
        result->top[i].word = slots[i].word;
        result->top[i].length = slots[i].length;
        result->top[i].count = slots[i].count;
    }
    result->top_length = kept;
    return RECIPES_OK;
}

/* ---- Counting with several threads ---- */
/* A thread is worth starting for 64 KiB of text or more, and at most 64 are started,
 * whatever the caller asks: starting one costs tens of microseconds, and the merge grows
 * with the number of tables. Neither cap changes the result, only the time it takes. */
#ifndef MOST_COMMON_BYTES_PER_THREAD
#define MOST_COMMON_BYTES_PER_THREAD ((size_t)64 * 1024)
#endif
#define MOST_COMMON_MAX_THREADS 64

recipes_status
recipes_most_common_threads(int64_t threads, size_t *count)
{
    if (threads < 1) {
        return RECIPES_THREADS_OUT_OF_RANGE;
    }
    *count = (uint64_t)threads > SIZE_MAX ? SIZE_MAX : (size_t)threads;
    return RECIPES_OK;
}

size_t
recipes_available_threads(void)
{
#ifdef _WIN32
    return 1; /* no pthreads: the chunks are counted one after another (see run_chunks) */
#else
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (size_t)online : 1;
#endif
}

/* One chunk of the file and what the thread that handles it found. Chunks share no byte,
 * so each thread lowercases its own chunk in place and fills its own table: no locks. */
typedef struct {
    char *start;
    size_t length;
    size_t valid;      /* validate_chunk: recipes_utf8_valid_up_to over the chunk */
    word_table table;  /* count_chunk: the chunk's words (slots NULL until then) */
    int failed;        /* count_chunk: out of memory */
} chunk_job;

static int
is_ascii_space_byte(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r'); /* \t \n \v \f \r are 9 to 13 */
}

/* Cut text into at most `wanted` chunks of about equal size, each ending just AFTER an
 * ASCII whitespace byte (or at the end of the file). No word is cut in two, and since an
 * ASCII byte ends every UTF-8 sequence, a chunk validates exactly as the same bytes do in
 * the whole file: a truncated sequence before the cut still meets the whitespace byte
 * that follows it there. Returns how many chunks (0 for an empty file). */
static size_t
split_at_whitespace(char *text, size_t length, size_t wanted, chunk_job *jobs)
{
    size_t count = 0, start = 0;
    for (size_t i = 1; i <= wanted && start < length; i++) {
        /* i * length / wanted without overflowing: wanted <= MOST_COMMON_MAX_THREADS */
        size_t end = i == wanted ? length
                                 : length / wanted * i + length % wanted * i / wanted;
        if (end < start) {
            end = start;
        }
        while (end < length && !is_ascii_space_byte((unsigned char)text[end])) {
            end++;
        }
        if (end < length) {
            end++; /* keep the whitespace byte */
        }
        if (end > start) {
            memset(&jobs[count], 0, sizeof(jobs[count]));
            jobs[count].start = text + start;
            jobs[count].length = end - start;
            count++;
            start = end;
        }
    }
    return count;
}

static void *
validate_chunk(void *job_pointer)
{
    chunk_job *job = job_pointer;
    job->valid = recipes_utf8_valid_up_to(job->start, job->length);
    return NULL;
}

static void *
count_chunk(void *job_pointer)
{
    chunk_job *job = job_pointer;
    job->failed = word_table_init(&job->table, WORD_TABLE_INITIAL_LOG2_CAPACITY) < 0 ||
                  count_words(job->start, job->length, &job->table) < 0;
    return NULL;
}

/* work(&jobs[i]) for every chunk, at the same time: one pthread per chunk after the first,
 * which the calling thread handles itself. A thread that cannot be started (the system's
 * limit) is no error: the calling thread then does that chunk too, after its own. */
static void
run_chunks(chunk_job *jobs, size_t count, void *(*work)(void *))
{
#ifdef _WIN32
    for (size_t i = 0; i < count; i++) {
        work(&jobs[i]);
    }
#else
    pthread_t threads[MOST_COMMON_MAX_THREADS];
    int started[MOST_COMMON_MAX_THREADS];
    for (size_t i = 1; i < count; i++) {
        started[i] = pthread_create(&threads[i], NULL, work, &jobs[i]) == 0;
    }
    if (count > 0) {
        work(&jobs[0]);
    }
    for (size_t i = 1; i < count; i++) {
        if (started[i]) {
            pthread_join(threads[i], NULL);
        }
        else {
            work(&jobs[i]);
        }
    }
#endif
}

/* Validate, then count, the chunks in parallel; merge the tables into the first one and
 * keep the `limit` most common. Validation is a phase of its own, finished before any
 * chunk is lowercased: on an error the binding decodes the file's original bytes. */
static recipes_status
count_in_chunks(recipes_most_common_result *result, size_t limit, size_t threads)
{
    size_t by_size = result->text_length / MOST_COMMON_BYTES_PER_THREAD;
    size_t wanted = threads;
    if (wanted > by_size) {
        wanted = by_size > 0 ? by_size : 1;
    }
    if (wanted > MOST_COMMON_MAX_THREADS) {
        wanted = MOST_COMMON_MAX_THREADS;
    }
    chunk_job jobs[MOST_COMMON_MAX_THREADS];
    size_t count = split_at_whitespace(result->text, result->text_length, wanted, jobs);

    run_chunks(jobs, count, validate_chunk);
    for (size_t i = 0; i < count; i++) { /* chunks are in file order: the first error wins */
        if (jobs[i].valid != jobs[i].length) {
            result->bad_utf8_offset = (size_t)(jobs[i].start - result->text) + jobs[i].valid;
            return RECIPES_BAD_UTF8;
        }
    }

    run_chunks(jobs, count, count_chunk);
    recipes_status status = RECIPES_OK;
    for (size_t i = 0; i < count; i++) {
        if (jobs[i].failed) {
            status = RECIPES_NO_MEMORY;
        }
    }
    word_table merged = {0};
    if (status == RECIPES_OK && count == 0 &&
        word_table_init(&merged, WORD_TABLE_INITIAL_LOG2_CAPACITY) < 0) {
        status = RECIPES_NO_MEMORY;
    }
    if (count > 0) {
        merged = jobs[0].table;
        jobs[0].table.slots = NULL; /* now owned by `merged` */
    }
    for (size_t i = 1; i < count && status == RECIPES_OK; i++) {
        const word_table *from = &jobs[i].table;
        for (size_t j = 0; j < from->capacity && status == RECIPES_OK; j++) {
            const word_slot *slot = &from->slots[j];
            if (slot->word != NULL &&
                word_table_add(&merged, slot->word, slot->length, slot->hash, slot->count) < 0) {
                status = RECIPES_NO_MEMORY;
            }
        }
    }
    for (size_t i = 0; i < count; i++) {
        free(jobs[i].table.slots);
    }
    if (status == RECIPES_OK) {
        size_t kept = select_top(merged.slots, pack_used_slots(&merged), limit);
        status = copy_top(merged.slots, kept, result);
    }
    free(merged.slots);
    return status;
}

recipes_status
recipes_most_common(const recipes_path_char *path, size_t limit, size_t threads,
                    recipes_most_common_result *result)
{
    memset(result, 0, sizeof(*result));
    int error = recipes_read_file(path, &result->text, &result->text_length);
    if (error != 0) {
        result->os_errno = error;
        return error < 0 ? RECIPES_NO_MEMORY : RECIPES_OS_ERROR;
    }
    return count_in_chunks(result, limit, threads);
}

void
recipes_most_common_free(recipes_most_common_result *result)
{
    free(result->text);
    free(result->top);
    memset(result, 0, sizeof(*result));
}
/* --8<-- [end:most_common] */

/* --8<-- [start:calc_pi] */
/* Extra digits computed so that the held predigit and nines never reach the kept digits. */
#define PI_GUARD_DIGITS 8

/* The argument rule of calc_pi: 0 <= digits <= PI_MAX_DIGITS. */
static recipes_status
check_pi_digits(int64_t digits)
{
    if (digits < 0 || digits > PI_MAX_DIGITS) {
        return RECIPES_PI_DIGITS_OUT_OF_RANGE;
    }
    return RECIPES_OK;
}

recipes_status
recipes_calc_pi_length(int64_t digits, size_t *length)
{
    recipes_status status = check_pi_digits(digits);
    if (status == RECIPES_OK) {
        *length = digits == 0 ? 1 : (size_t)digits + 2; /* "3" or "3." + digits */
    }
    return status;
}

/* Rabinowitz-Wagon spigot, a literal translation of the reference: n decimal digits of
 * pi (the 3 included) into produced[1..n], after the spigot's leading 0 in produced[0].
 * `a` is the working buffer of `size` values. They stay small: a[i-1] < 2i-1, the carry
 * q stays below 20, so x = 10*a[i-1] + q*i is below 40 * size, about 1.3 million for
 * 10000 digits. 32-bit unsigned integers are enough, and a 32-bit division is cheaper
 * than a 64-bit one on most CPUs. */
static void
spigot(uint32_t *a, size_t size, size_t n, unsigned char *produced)
{
    for (size_t i = 0; i < size; i++) {
        a[i] = 2;
    }
    size_t count = 0;
    uint32_t predigit = 0, nines = 0;
    for (size_t step = 0; step < n; step++) {
        uint32_t q = 0;
        for (uint32_t i = (uint32_t)size; i > 0; i--) {
            uint32_t x = 10 * a[i - 1] + q * i;
            a[i - 1] = x % (2 * i - 1);
            q = x / (2 * i - 1);
        }
        a[0] = q % 10;
        q /= 10;
        if (q == 9) { /* hold it: a later carry could still turn ...999 into ...000 */
            nines++;
        }
        else if (q == 10) { /* a carry: the held digits were one too small */
            produced[count++] = (unsigned char)(predigit + 1);
            for (; nines > 0; nines--) {
                produced[count++] = 0;
            }
            predigit = 0;
        }
        else {
            produced[count++] = (unsigned char)predigit;
            for (; nines > 0; nines--) {
                produced[count++] = 9;
            }
            predigit = q;
        }
    }
    produced[count++] = (unsigned char)predigit;
    for (; nines > 0; nines--) {
        produced[count++] = 9;
    }
}

/* "3" or "3." and the decimals, from the digit values 3, 1, 4, 1, 5, ... */
static void
write_pi(const unsigned char *pi_digits, size_t decimals, char *out)
{
    out[0] = (char)('0' + pi_digits[0]);
    if (decimals > 0) {
        out[1] = '.';
        for (size_t i = 1; i <= decimals; i++) {
            out[1 + i] = (char)('0' + pi_digits[i]);
        }
    }
}

recipes_status
recipes_calc_pi(int64_t digits, char *out)
{
    recipes_status status = check_pi_digits(digits);
    if (status != RECIPES_OK) {
        return status;
    }
    const size_t n = (size_t)digits + 1 + PI_GUARD_DIGITS; /* digits produced, with the 3 */
    const size_t size = 10 * n / 3 + 1;
    uint32_t *a = malloc(size * sizeof(*a));
    unsigned char *produced = malloc(n + 1); /* the spigot's leading 0, then n digits */
    if (a == NULL || produced == NULL) {
        status = RECIPES_NO_MEMORY;
    }
    else {
        spigot(a, size, n, produced);
        write_pi(produced + 1, (size_t)digits, out);
    }
    free(a);
    free(produced);
    return status;
}
/* --8<-- [end:calc_pi] */

/* --8<-- [start:ewma] */
recipes_status
recipes_ewma_check_alpha(double alpha)
{
    /* Written so that NaN, which fails every comparison, fails the check too. */
    return (alpha > 0.0 && alpha <= 1.0) ? RECIPES_OK : RECIPES_ALPHA_OUT_OF_RANGE;
}

/* One element of a buffer, wherever it sits. memcpy, not *(const double *)p: a buffer's
 * items need not be aligned (a field of a packed record, a view at an odd byte offset),
 * and an unaligned double load through a pointer is undefined behaviour in C. For a
 * fixed size of 8, compilers turn this memcpy into one load instruction. */
static inline double
load_double(const char *p)
{
    double value;
    memcpy(&value, p, sizeof value);
    return value;
}

/* left + right, and when both are NaN, the left one, as in the reference. IEEE 754 leaves
 * open which NaN a sum of two NaNs returns; x86-64 and arm64 return the first operand of
 * the instruction. CPython's float addition puts the left operand first, but + is
 * commutative, so a C compiler may put either first: GCC puts the running y first. Only
 * the sign and payload of the NaN differ, but the contract compares bits. The branch is
 * predictable (it goes the same way until the data turn NaN or back), so it costs
 * nothing measurable. */
static inline double
add_left_nan_first(double left, double right)
{
    return isnan(left) ? left : left + right;
}

recipes_status
recipes_ewma(const char *values, size_t n, ptrdiff_t stride, double alpha, double *out)
{
    recipes_status status = recipes_ewma_check_alpha(alpha);
    if (status != RECIPES_OK || n == 0) {
        return status;
    }
    const double beta = 1.0 - alpha; /* once, as the reference does: the same rounding */
    double y = load_double(values);
    out[0] = y;
    for (size_t i = 1; i < n; i++) {
        values += stride; /* any sign, any size: the buffer's own step, in bytes */
        /* Two products, each rounded, then their sum rounded: the contract's bits. A fused
         * multiply-add would round once and give other bits, so setup.py compiles this
         * file with -ffp-contract=off (GCC fuses across statements and inlined calls,
         * too). Each y waits for the previous one: the loop runs at the latency of one
         * multiply and one add per element, and no compiler can vectorise it. */
        y = add_left_nan_first(alpha * load_double(values), beta * y);
        out[i] = y;
    }
    return RECIPES_OK;
}
/* --8<-- [end:ewma] */

/* --8<-- [start:integrate] */
recipes_status
recipes_integrate(recipes_real_function f, void *context, double a, double b, int64_t n,
                  double *result)
{
    if (n < 1) {
        return RECIPES_STEPS_OUT_OF_RANGE;
    }
    /* The reference's operations, in its order, each rounded to a double: (double)n and
     * (double)i round as Python's int-to-float conversion does (to nearest, ties to even).
     * -ffp-contract=off (setup.py) keeps a + (i + 0.5) * h a multiply and an add, each
     * rounded, rather than one fused multiply-add with other bits. */
    const double h = (b - a) / (double)n;
    double total = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double y;
        if (f(a + ((double)i + 0.5) * h, &y, context) != 0) {
            return RECIPES_STOPPED; /* at once: f is not called again */
        }
        total += y;
    }
    *result = total * h;
    return RECIPES_OK;
}
/* --8<-- [end:integrate] */

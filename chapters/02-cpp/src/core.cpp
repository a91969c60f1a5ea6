// The recipes in plain C++17; see core.hpp for the contract of each.
#include "core.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <exception>
#include <optional>
#include <thread>

// POSIX open/read give us errno exactly as CPython's open() sees it (on Linux,
// opening a directory succeeds and read() fails with EISDIR, which Python turns
// into IsADirectoryError). Windows would need _wopen/_read here.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace recipes {

os_error::os_error(int error_number, const std::string &path)
    : std::runtime_error(path + ": " + std::strerror(error_number)),
      error_number_(error_number) {}

utf8_error::utf8_error(std::shared_ptr<const std::string> data, std::size_t start,
                       std::size_t end, const char *reason)
    : std::runtime_error("'utf-8' codec can't decode byte at position " +
                         std::to_string(start) + ": " + reason),
      data_(std::move(data)), start_(start), end_(end), reason_(reason) {}

// --8<-- [start:fib]
namespace {

// `name` is the recipe as Python calls it, "fib" or "fib_recursive".
void check_fib_argument(const char *name, std::int64_t n) {
    if (n < 0) throw std::invalid_argument(std::string(name) + "() argument must be >= 0");
    if (n > FIB_MAX_N)
        throw std::overflow_error(std::string(name) + "() argument must be <= " +
                                  std::to_string(FIB_MAX_N) +
                                  ": the result would not fit in 64 bits");
}

}  // namespace

std::uint64_t fib(std::int64_t n) {
    check_fib_argument("fib", n);
    if (n == 0) return 0;
    // One step fewer than the textbook loop, which would also compute F(n+1):
    // at n = FIB_MAX_N that term wraps around (the pitfall on the fib recipe page).
    std::uint64_t a = 0, b = 1;  // F(0), F(1)
    for (std::int64_t i = 1; i < n; ++i) {
        const std::uint64_t next = a + b;
        a = b;
        b = next;
    }
    return b;  // F(n)
}
// --8<-- [end:fib]

// --8<-- [start:fib_recursive]
// Plain recursion on machine integers: no checks, no allocation, nothing a
// binding could slow down. The exponential time is the point of the benchmark.
// It recurses on `unsigned`, like the C chapter's core: GCC 12 at -O3 makes the
// same recursion on a 64-bit argument slower (about 15-20% for fib_recursive(41),
// measured with GCC 12.2 on x86-64).
std::uint64_t fib_recursive_unchecked(unsigned n) {
    return n <= 1 ? n : fib_recursive_unchecked(n - 1) + fib_recursive_unchecked(n - 2);
}

namespace {

// The same recursion, asking should_stop() at each node from
// INTERRUPT_CHECK_FROM_N up, and handing every smaller subtree to the plain
// recursion above. No counter, no check per call: the hook costs one indirect
// call per few milliseconds of work. std::nullopt unwinds the recursion as
// soon as the hook says stop.
std::optional<std::uint64_t> fib_recursive_asking(unsigned n, function_ref<bool()> should_stop) {
    if (n < INTERRUPT_CHECK_FROM_N) return fib_recursive_unchecked(n);
    if (should_stop()) return std::nullopt;
    // At the threshold itself, one unchecked call rather than two: GCC 12
    // compiles fib_recursive_unchecked into an unrolled body, and entering it
    // once for 30 runs the very instructions fib_recursive(30) ran before it
    // had a hook, where 29 and 28 separately cost 2% more (counted with
    // valgrind --tool=callgrind).
    if (n == INTERRUPT_CHECK_FROM_N) return fib_recursive_unchecked(n);
    const std::optional<std::uint64_t> first = fib_recursive_asking(n - 1, should_stop);
    if (!first) return std::nullopt;
    const std::optional<std::uint64_t> second = fib_recursive_asking(n - 2, should_stop);
    if (!second) return std::nullopt;
    return *first + *second;
}

}  // namespace

std::optional<std::uint64_t> fib_recursive(std::int64_t n, function_ref<bool()> should_stop) {
    check_fib_argument("fib_recursive", n);
    return fib_recursive_asking(static_cast<unsigned>(n), should_stop);
}
// --8<-- [end:fib_recursive]

// --8<-- [start:linear_recurrence]
namespace {
// Checked signed arithmetic: signed overflow is undefined behaviour in C++, so
// it must be detected before or instead of happening, never after.
bool multiply_overflows(std::int64_t a, std::int64_t b, std::int64_t *out) {
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_mul_overflow(a, b, out);
#else
    if (a != 0 && b != 0) {
        if ((a == -1 && b == INT64_MIN) || (b == -1 && a == INT64_MIN)) return true;
        if (a > 0 ? (b > 0 ? a > INT64_MAX / b : b < INT64_MIN / a)
                  : (b > 0 ? a < INT64_MIN / b : a < INT64_MAX / b))
            return true;
    }
    *out = a * b;
    return false;
#endif
}

bool add_overflows(std::int64_t a, std::int64_t b, std::int64_t *out) {
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_add_overflow(a, b, out);
#else
    if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b)) return true;
    *out = a + b;
    return false;
#endif
}
}  // namespace

LinearRecurrence::LinearRecurrence(std::vector<std::int64_t> coefficients,
                                   std::vector<std::int64_t> initial)
    : coefficients_(std::move(coefficients)), window_(std::move(initial)) {
    if (coefficients_.empty())
        throw std::invalid_argument("LinearRecurrence needs at least one coefficient");
    if (coefficients_.size() != window_.size())
        throw std::invalid_argument(
            "LinearRecurrence needs as many initial values as coefficients (got " +
            std::to_string(window_.size()) + " for " + std::to_string(coefficients_.size()) +
            ")");
    remaining_ = window_.size();
}

bool LinearRecurrence::compute_next_term(std::int64_t *term) const {
    const std::size_t k = window_.size();
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < k; ++i) {
        std::int64_t product;
        if (multiply_overflows(coefficients_[i], window_[(oldest_ + i) % k], &product) ||
            add_overflows(sum, product, &sum))
            return false;
    }
    *term = sum;
    return true;
}

std::int64_t LinearRecurrence::advance(std::int64_t replacement) {
    const std::int64_t oldest = window_[oldest_];
    window_[oldest_] = replacement;
    oldest_ = (oldest_ + 1) % window_.size();
    return oldest;
}

std::int64_t LinearRecurrence::next() {
    if (!overflowed_) {
        std::int64_t term;
        if (compute_next_term(&term)) return advance(term);
        // Not an error yet: the k terms already in the window are due first.
        overflowed_ = true;
    }
    if (remaining_ == 0)
        throw std::overflow_error("the next term of this LinearRecurrence overflows signed 64 bits");
    --remaining_;
    return advance(0);  // the slot is never read again
}
// --8<-- [end:linear_recurrence]

// --8<-- [start:most_common]
namespace {

// Read a whole file in one go. Errors carry errno; the binding turns them into
// the OSError subclass that CPython's own open() would raise.
std::string read_file(const std::string &path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw os_error(errno, path);
    std::string data;
    struct stat info;
    if (::fstat(fd, &info) == 0 && info.st_size > 0)
        data.reserve(static_cast<std::size_t>(info.st_size));
    char chunk[1 << 16];
    for (;;) {
        const ssize_t got = ::read(fd, chunk, sizeof chunk);
        if (got == 0) break;
        if (got < 0) {
            if (errno == EINTR) continue;
            const int error_number = errno;  // close() may overwrite errno
            ::close(fd);
            throw os_error(error_number, path);
        }
        data.append(chunk, static_cast<std::size_t>(got));
    }
    ::close(fd);
    return data;
}

// Validate UTF-8 as CPython's decoder does, including its notion of where the
// bad sequence ends, so UnicodeDecodeError.start/.end match bytes.decode().
// Returns false and fills start/end/reason on the first error.
bool is_valid_utf8(std::string_view data, std::size_t *start, std::size_t *end,
                   const char **reason) {
    constexpr std::uint64_t high_bit_of_every_byte = 0x8080808080808080ULL;
    const auto *s = reinterpret_cast<const unsigned char *>(data.data());
    const std::size_t size = data.size();
    std::size_t i = 0;
    while (i < size) {
        // Fast path: eight ASCII bytes at a time.
        if (i + 8 <= size) {
            std::uint64_t block;
            std::memcpy(&block, s + i, 8);
            if ((block & high_bit_of_every_byte) == 0) {
                i += 8;
                continue;
            }
        }
        const unsigned char lead = s[i];
        if (lead < 0x80) {
            ++i;
            continue;
        }
        *start = i;
        if (lead < 0xC2 || lead > 0xF4) {  // continuation byte, overlong C0/C1, > U+10FFFF
            *end = i + 1;
            *reason = "invalid start byte";
            return false;
        }
        const std::size_t length = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
        // The second byte has a narrower range after some lead bytes: this rules
        // out overlong forms (E0, F0), surrogates (ED) and > U+10FFFF (F4).
        unsigned char low = 0x80, high = 0xBF;
        if (lead == 0xE0) low = 0xA0;
        if (lead == 0xED) high = 0x9F;
        if (lead == 0xF0) low = 0x90;
        if (lead == 0xF4) high = 0x8F;
        for (std::size_t k = 1; k < length; ++k) {
            if (i + k >= size) {
                *end = size;
                *reason = "unexpected end of data";
                return false;
            }
            const unsigned char c = s[i + k];
            if (k == 1 ? (c < low || c > high) : (c < 0x80 || c > 0xBF)) {
                *end = i + k;
                *reason = "invalid continuation byte";
                return false;
            }
        }
        i += length;
    }
    return true;
}

// ASCII-only lowercasing, exactly as bytes.lower(): UTF-8 bytes >= 0x80 are
// left alone, so the buffer stays valid UTF-8.
void lowercase_ascii(char *first, char *last) {
    for (char *c = first; c != last; ++c)
        if (*c >= 'A' && *c <= 'Z') *c = static_cast<char>(*c - 'A' + 'a');
}

// Exactly what bytes.split() treats as whitespace: space, \t, \n, \v, \f, \r.
inline bool is_ascii_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// 64-bit FNV-1a, the same constants in every chapter of the cookbook.
constexpr std::uint64_t FNV_OFFSET_BASIS = 14695981039346656037ULL;
constexpr std::uint64_t FNV_PRIME = 1099511628211ULL;

// The slot of a hash in a table of mask + 1 slots (a power of two). A multiply
// only carries bits upwards, so the low bits of an FNV-1a hash depend only on
// the low bits of the bytes, and the last byte hardly reaches the top bits:
// neither end alone is a good index. Fold the high half onto the low half first.
inline std::size_t slot_index(std::uint64_t hash, std::size_t mask) {
    return static_cast<std::size_t>(hash ^ (hash >> 32)) & mask;
}

// A small open-addressing hash table from word to count. The keys are views into
// the file buffer, so counting never allocates a string.
class WordCounter {
public:
    WordCounter() : slots_(initial_slots) {}

    void add(std::string_view word, std::uint64_t hash, std::uint64_t times = 1) {
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = slot_index(hash, mask);; i = (i + 1) & mask) {
            Slot &slot = slots_[i];
            if (slot.count == 0) {  // empty: a new word
                slot = Slot{word, hash, times};
                if (++used_ * 2 > slots_.size()) grow();
                return;
            }
            if (slot.hash == hash && slot.word == word) {
                slot.count += times;
                return;
            }
        }
    }

    // Every word of `other` with its count, as if its text had been counted here.
    // The hashes travel with the words: nothing is hashed twice.
    void merge(const WordCounter &other) {
        for (const Slot &slot : other.slots_)
            if (slot.count != 0) add(slot.word, slot.hash, slot.count);
    }

    std::vector<std::pair<std::string_view, std::uint64_t>> entries() const {
        std::vector<std::pair<std::string_view, std::uint64_t>> out;
        out.reserve(used_);
        for (const Slot &slot : slots_)
            if (slot.count != 0) out.emplace_back(slot.word, slot.count);
        return out;
    }

private:
    static constexpr std::size_t initial_slots = 1 << 14;  // a power of two

    struct Slot {
        std::string_view word;
        std::uint64_t hash = 0;
        std::uint64_t count = 0;  // 0 marks an empty slot
    };

    void grow() {
        std::vector<Slot> old(slots_.size() * 2);
        old.swap(slots_);
        const std::size_t mask = slots_.size() - 1;
        for (const Slot &slot : old) {
            if (slot.count == 0) continue;
            std::size_t i = slot_index(slot.hash, mask);
            while (slots_[i].count != 0) i = (i + 1) & mask;
            slots_[i] = slot;
        }
    }

    std::vector<Slot> slots_;
    std::size_t used_ = 0;
};

// Every word of `text`, counted; each word is hashed while it is scanned.
WordCounter count_words(std::string_view text) {
    WordCounter counter;
    const char *p = text.data();
    const char *const end = p + text.size();
    for (;;) {
        while (p < end && is_ascii_space(static_cast<unsigned char>(*p))) ++p;
        if (p == end) break;
        const char *word = p;
        std::uint64_t hash = FNV_OFFSET_BASIS;
        while (p < end && !is_ascii_space(static_cast<unsigned char>(*p))) {
            hash = (hash ^ static_cast<unsigned char>(*p)) * FNV_PRIME;
            ++p;
        }
        counter.add(std::string_view(word, static_cast<std::size_t>(p - word)), hash);
    }
    return counter;
}

// The n most frequent words, count descending, then word ascending. string_view
// compares bytes as unsigned char, which for UTF-8 is code point order.
WordCounts most_frequent(const WordCounter &counter, std::uint64_t n) {
    auto entries = counter.entries();
    const auto by_count_then_word = [](const auto &a, const auto &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    };
    const auto keep = static_cast<std::ptrdiff_t>(std::min<std::uint64_t>(n, entries.size()));
    std::partial_sort(entries.begin(), entries.begin() + keep, entries.end(), by_count_then_word);
    // Copy out only the words we return; the views die with the buffer.
    return WordCounts(entries.begin(), entries.begin() + keep);
}

// --8<-- [start:split_chunks]
// Where the chunks of `data` begin, plus data.size() at the end: `parts` chunks
// of about the same size (fewer if the text has too little whitespace). Each
// chunk but the last ends just after an ASCII whitespace byte, so no word spans
// two chunks, and a UTF-8 sequence cut short by that whitespace byte is judged
// as in the whole file: "invalid continuation byte" at the whitespace, never
// "unexpected end of data" at the chunk's end.
std::vector<std::size_t> split_at_whitespace(std::string_view data, std::size_t parts) {
    std::vector<std::size_t> bounds{0};
    for (std::size_t k = 1; k < parts; ++k) {
        std::size_t at = std::max(bounds.back(), data.size() / parts * k);
        while (at < data.size() && !is_ascii_space(static_cast<unsigned char>(data[at]))) ++at;
        if (at >= data.size()) break;  // no whitespace left: the last chunk takes the rest
        bounds.push_back(at + 1);      // just after the whitespace byte
    }
    bounds.push_back(data.size());
    return bounds;
}
// --8<-- [end:split_chunks]

// --8<-- [start:run_parallel]
// task(0) .. task(count - 1), task(0) on this thread and each other one on a
// std::thread of its own; returns once all are done. The tasks touch disjoint
// parts of the buffer, so they need no lock. An exception thrown by a task
// (std::bad_alloc) cannot leave its thread: it is kept, and the first one, by
// task number, is rethrown here after every thread has been joined.
template <class Task>
void run_parallel(std::size_t count, const Task &task) {
    std::vector<std::exception_ptr> errors(count);
    const auto guarded = [&](std::size_t k) {
        try {
            task(k);
        } catch (...) {
            errors[k] = std::current_exception();
        }
    };
    std::vector<std::thread> workers;
    workers.reserve(count);
    try {
        for (std::size_t k = 1; k < count; ++k) workers.emplace_back(guarded, k);
    } catch (...) {  // the system refused a thread: finish with those we have
        for (std::size_t k = workers.size() + 1; k < count; ++k) guarded(k);
    }
    guarded(0);
    for (std::thread &worker : workers) worker.join();
    for (const std::exception_ptr &error : errors)
        if (error) std::rethrow_exception(error);
}
// --8<-- [end:run_parallel]

// How many threads to start for `size` bytes when asked for `threads`: at most
// one per MOST_COMMON_BYTES_PER_THREAD bytes and MOST_COMMON_MAX_THREADS in all.
std::size_t threads_to_start(std::size_t size, std::int64_t threads) {
    const std::size_t by_size = std::max<std::size_t>(1, size / MOST_COMMON_BYTES_PER_THREAD);
    const auto cap = static_cast<std::size_t>(
        std::min<std::int64_t>(threads, MOST_COMMON_MAX_THREADS));
    return std::min(by_size, cap);
}

}  // namespace

void check_most_common_n(std::int64_t n) {
    if (n < 0) throw std::invalid_argument("most_common() n must be >= 0");
}

// --8<-- [start:most_common_threads]
WordCounts most_common(const std::string &path, std::int64_t n,
                       std::optional<std::int64_t> threads) {
    check_most_common_n(n);
    if (!threads) {  // None: one thread per core, as the system counts them (0 if unknown)
        threads = std::max<std::int64_t>(1, std::thread::hardware_concurrency());
    }
    if (*threads < 1) throw std::invalid_argument("most_common() threads must be >= 1");
    // open() raises ValueError("embedded null byte"); open(2) would silently
    // stop at the NUL and read a different file.
    if (path.find('\0') != std::string::npos)
        throw std::invalid_argument("embedded null byte");

    auto data = std::make_shared<std::string>(read_file(path));
    const std::vector<std::size_t> bounds =
        split_at_whitespace(*data, threads_to_start(data->size(), *threads));
    const std::size_t chunks = bounds.size() - 1;
    const auto chunk = [&](std::size_t k) {
        return std::string_view(*data).substr(bounds[k], bounds[k + 1] - bounds[k]);
    };

    // Pass 1: validate every chunk in parallel. Each records its first error,
    // at an offset within the chunk; the earliest chunk with one has the
    // file's first bad byte. Nothing is lowercased yet: UnicodeDecodeError
    // carries the file's bytes as they are.
    struct bad_utf8 {
        bool found = false;
        std::size_t start = 0, end = 0;
        const char *reason = nullptr;
    };
    std::vector<bad_utf8> errors(chunks);
    run_parallel(chunks, [&](std::size_t k) {
        bad_utf8 &error = errors[k];
        error.found = !is_valid_utf8(chunk(k), &error.start, &error.end, &error.reason);
    });
    for (std::size_t k = 0; k < chunks; ++k)
        if (errors[k].found)
            throw utf8_error(data, bounds[k] + errors[k].start, bounds[k] + errors[k].end,
                             errors[k].reason);

    // Pass 2: lowercase and count every chunk in parallel, one table each,
    // then merge them into the first.
    std::vector<WordCounter> counters(chunks);
    run_parallel(chunks, [&](std::size_t k) {
        lowercase_ascii(data->data() + bounds[k], data->data() + bounds[k + 1]);
        counters[k] = count_words(chunk(k));
    });
    for (std::size_t k = 1; k < chunks; ++k) counters[0].merge(counters[k]);
    return most_frequent(counters[0], static_cast<std::uint64_t>(n));
}
// --8<-- [end:most_common_threads]
// --8<-- [end:most_common]

// --8<-- [start:calc_pi]
namespace {

// Rabinowitz and Wagon's spigot, a literal translation of the reference: the
// first `count` decimal digits of pi as characters, after a leading '0'.
std::string spigot_digits(std::int64_t count) {
    const std::int64_t size = 10 * count / 3 + 1;
    std::vector<std::int64_t> a(static_cast<std::size_t>(size), 2);
    std::string out;
    out.reserve(static_cast<std::size_t>(count) + 2);
    std::int64_t predigit = 0, nines = 0;
    for (std::int64_t produced = 0; produced < count; ++produced) {
        std::int64_t q = 0;
        for (std::int64_t i = size; i > 0; --i) {
            const std::int64_t x = 10 * a[i - 1] + q * i;
            a[i - 1] = x % (2 * i - 1);
            q = x / (2 * i - 1);
        }
        a[0] = q % 10;
        q /= 10;
        if (q == 9) {  // hold it: a later carry could still turn ...999 into ...000
            ++nines;
        } else if (q == 10) {  // a carry: the held digits were one too small
            out.push_back(static_cast<char>('0' + predigit + 1));
            out.append(static_cast<std::size_t>(nines), '0');
            predigit = 0;
            nines = 0;
        } else {
            out.push_back(static_cast<char>('0' + predigit));
            out.append(static_cast<std::size_t>(nines), '9');
            predigit = q;
            nines = 0;
        }
    }
    out.push_back(static_cast<char>('0' + predigit));
    out.append(static_cast<std::size_t>(nines), '9');
    return out;
}

}  // namespace

std::string calc_pi(std::int64_t digits) {
    if (digits < 0 || digits > PI_MAX_DIGITS)
        throw std::invalid_argument("calc_pi() digits must be between 0 and " +
                                    std::to_string(PI_MAX_DIGITS));
    // The digits to return, counting the 3, plus the guard digits.
    const std::string out = spigot_digits(digits + 1 + PI_GUARD_DIGITS);
    // out[0] is the spigot's leading 0, out[1] is the 3.
    const std::string kept = out.substr(1, static_cast<std::size_t>(digits) + 1);
    return digits == 0 ? kept : kept.substr(0, 1) + "." + kept.substr(1);
}
// --8<-- [end:calc_pi]

// --8<-- [start:ewma]
namespace {

double element(const strided_doubles &x, std::size_t i) {
    double value;
    std::memcpy(&value, static_cast<const char *>(x.first) +
                            static_cast<std::ptrdiff_t>(i) * x.stride,
                sizeof value);
    return value;
}

// left + right, and when both are NaN, the left one. IEEE 754 leaves open which
// NaN (sign and payload) a sum of two NaNs returns; x86-64 and arm64 return the
// first operand of the instruction, and since + is commutative the compiler
// may put either operand first (GCC 12 puts the running y first here). The
// reference's warmed-up float addition returns the left one, and the contract
// compares bits. The branch goes the same way until the data turn NaN, so the
// processor predicts it and it costs nothing measurable.
inline double add_left_nan_first(double left, double right) {
    return std::isnan(left) ? left : left + right;
}

}  // namespace

void ewma(strided_doubles x, double alpha, double *out) {
    if (!(alpha > 0.0 && alpha <= 1.0))  // written so that NaN fails too
        throw std::invalid_argument("ewma() alpha must be > 0 and <= 1");
    if (x.size == 0) return;
    const double beta = 1.0 - alpha;  // once, as the reference does
    double y = element(x, 0);
    out[0] = y;
    for (std::size_t i = 1; i < x.size; ++i) {
        // Two products, each rounded, then one sum: CMakeLists.txt compiles
        // this file with -ffp-contract=off, so no fused multiply-add changes
        // the last bit. Each y waits for the one before: the loop runs at the
        // latency of a multiply and an add per element, and cannot be vectorised.
        y = add_left_nan_first(alpha * element(x, i), beta * y);
        out[i] = y;
    }
}
// --8<-- [end:ewma]

// --8<-- [start:integrate]
double integrate(function_ref<double(double)> f, double a, double b, std::int64_t n) {
    if (n < 1) throw std::invalid_argument("integrate() n must be >= 1");
    const double h = (b - a) / static_cast<double>(n);
    double total = 0.0;
    for (std::int64_t i = 0; i < n; ++i) {
        // `a + (i + 0.5) * h` is a multiply and an add, which a compiler allowed
        // to contract would fuse into one FMA, rounded once: CMakeLists.txt
        // compiles this file with -ffp-contract=off, as for ewma. If f throws,
        // the exception leaves the loop and the function right here, so f is
        // never called for a later i; there is nothing to clean up on the way.
        total += f(a + (static_cast<double>(i) + 0.5) * h);
    }
    return total * h;
}
// --8<-- [end:integrate]

}  // namespace recipes

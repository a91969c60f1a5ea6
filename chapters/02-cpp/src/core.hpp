// The recipes in plain C++17. Nothing here knows about Python: the core checks
// every argument against the contract (docs/contract.md in the cookbook
// repository) and exports its limits below; the three binding layers
// (bind_boost.cpp, bind_pybind11.cpp, bind_nanobind.cpp) only convert
// arguments, translate the exceptions declared below and release the GIL.
//
// Errors are reported with exceptions whose what() is the contract's message,
// word for word, and each binding maps them to Python:
//   std::invalid_argument -> ValueError
//   std::overflow_error   -> OverflowError
//   recipes::os_error     -> OSError (the subclass CPython picks from errno)
//   recipes::utf8_error   -> UnicodeDecodeError
// Where the core calls back into the binding (integrate's f, fib_recursive's
// "should I stop?"), it takes a function_ref (below) and still knows nothing of
// Python: whatever the callback throws passes through the core unchanged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace recipes {

// The limits the core checks, one spelling in every chapter of the cookbook.
// The largest n whose Fibonacci number fits in 64 unsigned bits:
// F(93) = 12200160415121876738 < 2**64 <= F(94).
inline constexpr std::int64_t FIB_MAX_N = 93;
// The most decimal places calc_pi() computes (its working buffer grows with them).
inline constexpr std::int64_t PI_MAX_DIGITS = 10000;
// Extra digits the spigot computes and drops, as the reference does: they keep
// the digits it may still correct by a carry away from the digits it returns.
inline constexpr std::int64_t PI_GUARD_DIGITS = 8;

// A failed open(2)/read(2). Only the errno travels: the binding layer has the
// caller's path object, which OSError.filename is made from.
class os_error : public std::runtime_error {
public:
    os_error(int error_number, const std::string &path);
    int error_number() const noexcept { return error_number_; }

private:
    int error_number_;
};

// The file is not valid UTF-8. Carries what UnicodeDecodeError needs: the bytes,
// the offset of the first bad byte (start), the end of the bad sequence and a
// reason worded as CPython words it. The bytes are shared, not copied, because
// exceptions are copied when they cross std::exception_ptr.
class utf8_error : public std::runtime_error {
public:
    utf8_error(std::shared_ptr<const std::string> data, std::size_t start,
               std::size_t end, const char *reason);
    const std::string &data() const noexcept { return *data_; }
    std::size_t start() const noexcept { return start_; }
    std::size_t end() const noexcept { return end_; }
    const char *reason() const noexcept { return reason_; }

private:
    std::shared_ptr<const std::string> data_;
    std::size_t start_, end_;
    const char *reason_;
};

// Integer arguments are std::int64_t. A binding saturates a Python int that does
// not fit (2**100 arrives as INT64_MAX, -2**100 as INT64_MIN): every limit above
// lies far inside that range, so a saturated value fails the same check with the
// same exception as the real one would. No message quotes the value, so an int
// of any size gets the same words.

// --8<-- [start:function_ref]
// A callback the core can call without knowing its type: a pointer to the
// caller's callable and a function that knows how to call it. It neither
// copies nor allocates, so it is only good while the call it is passed to
// runs. (C++26 has it as std::function_ref; std::function would work too, but
// it copies the callable and may allocate.) The core is compiled once, in
// core.cpp, and calls every callback through this.
template <class Signature>
class function_ref;

template <class Result, class... Args>
class function_ref<Result(Args...)> {
public:
    // A lambda, or any object with operator(); not a plain function (a pointer
    // to code cannot be stored as void *). Not chosen for a function_ref
    // itself, which the copy constructor copies.
    template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, function_ref>>>
    function_ref(F &&callable) noexcept
        : callable_(const_cast<void *>(static_cast<const void *>(std::addressof(callable)))),
          call_([](void *target, Args... args) -> Result {
              return (*static_cast<std::remove_reference_t<F> *>(target))(
                  std::forward<Args>(args)...);
          }) {}

    // Whatever the callable throws, the caller of operator() gets.
    Result operator()(Args... args) const { return call_(callable_, std::forward<Args>(args)...); }

private:
    void *callable_;
    Result (*call_)(void *, Args...);
};
// --8<-- [end:function_ref]

// n < 0 -> std::invalid_argument; n > FIB_MAX_N -> std::overflow_error.
std::uint64_t fib(std::int64_t n);

// --8<-- [start:hook_fib_recursive]
// fib_recursive asks its caller "should I stop?" at each node whose n is at
// least this, and runs any subtree up to fib_recursive(30) (a few milliseconds)
// unchecked at full speed: a long call asks every few milliseconds, and
// fib_recursive(30) asks once.
inline constexpr std::int64_t INTERRUPT_CHECK_FROM_N = 30;

// Argument checks as fib's. Returns std::nullopt as soon as should_stop()
// returns true: the caller knows why (a binding: a Python signal handler
// raised, and the exception is pending).
std::optional<std::uint64_t> fib_recursive(std::int64_t n, function_ref<bool()> should_stop);
// --8<-- [end:hook_fib_recursive]
// The recursion itself, without the argument check (n <= FIB_MAX_N is the
// caller's job) and without ever asking to stop.
std::uint64_t fib_recursive_unchecked(unsigned n);

// An endless iterator over a_{n+k} = c_0*a_n + ... + c_{k-1}*a_{n+k-1} in
// checked signed 64-bit arithmetic. Not thread-safe by itself: every binding
// here calls next() with the GIL held, which serialises the calls.
class LinearRecurrence {
public:
    // No coefficients, or not as many initial values as coefficients ->
    // std::invalid_argument (in that order).
    LinearRecurrence(std::vector<std::int64_t> coefficients,
                     std::vector<std::int64_t> initial);
    // The next term; std::overflow_error once a term does not fit (and on
    // every call after that).
    std::int64_t next();

private:
    // The term after the window, c_0*a_n + ... + c_{k-1}*a_{n+k-1}, evaluated
    // left to right; false if any step overflows.
    bool compute_next_term(std::int64_t *term) const;
    // Return a_n, the oldest term of the window, and let `replacement` (the new
    // term) take its slot.
    std::int64_t advance(std::int64_t replacement);

    std::vector<std::int64_t> coefficients_;
    std::vector<std::int64_t> window_;  // ring buffer of the last k terms
    std::size_t oldest_ = 0;            // index of a_n in window_
    std::size_t remaining_;             // terms left to return once overflowed_
    bool overflowed_ = false;
};

// The result of most_common: (word, count) pairs, most frequent first.
using WordCounts = std::vector<std::pair<std::string, std::uint64_t>>;

// The most threads most_common starts, however many it is asked for, and the
// least file it gives each one: a thread costs tens of microseconds to start.
inline constexpr std::int64_t MOST_COMMON_MAX_THREADS = 64;
inline constexpr std::size_t MOST_COMMON_BYTES_PER_THREAD = std::size_t{1} << 16;

// n < 0 -> std::invalid_argument. most_common checks it too; a binding calls
// this first when it converts `threads` after `n`, the contract's order.
void check_most_common_n(std::int64_t n);

// The n most frequent whitespace-separated words of a UTF-8 file, by count
// descending then by word, counted by up to `threads` std::threads (std::nullopt:
// std::thread::hardware_concurrency()). The result never depends on `threads`.
// Checks in the order the contract demands: n < 0 -> std::invalid_argument;
// threads < 1 -> std::invalid_argument; a NUL in path -> std::invalid_argument;
// open/read errors -> os_error; invalid UTF-8 -> utf8_error (the first bad byte
// in file order, as with one thread). Touches no Python object: a binding calls
// it with the GIL released.
WordCounts most_common(const std::string &path, std::int64_t n,
                       std::optional<std::int64_t> threads = 1);

// Pi to `digits` decimals, truncated: "3", "3.1", ... 0 <= digits <= PI_MAX_DIGITS,
// otherwise std::invalid_argument.
std::string calc_pi(std::int64_t digits);

// A run of doubles in someone else's memory, as the buffer protocol describes
// one: `size` elements, element i at byte offset i * stride from `first`. The
// stride counts bytes and may be negative (a reversed view; `first` is then the
// highest address) or not a multiple of sizeof(double) (a field of a record
// array), so an element is read with std::memcpy: dereferencing a misaligned
// double* is undefined behaviour, and the memcpy compiles to one plain load.
struct strided_doubles {
    const void *first;
    std::size_t size;
    std::ptrdiff_t stride;
};

// The exponentially weighted moving average of x into out[0 .. x.size):
// out[0] = x[0], out[i] = alpha * x[i] + (1 - alpha) * out[i - 1].
// 0 < alpha <= 1, otherwise std::invalid_argument (NaN too). Touches no Python
// object, so a binding may call it with the GIL released; out must not overlap x.
void ewma(strided_doubles x, double alpha, double *out);

// --8<-- [start:decl_integrate]
// The midpoint rule: h = (b - a) / n, and the sum of f(a + (i + 0.5) * h) for
// i = 0 .. n-1, times h, in doubles, in that order. n < 1 -> std::invalid_argument,
// before f is ever called. f is called exactly once per i, in order. If f
// throws, integrate stops at once (f is not called again) and the exception
// leaves integrate as it came: a binding's f throws the library's own
// "a Python exception is pending" type, and Python gets its exception back.
double integrate(function_ref<double(double)> f, double a, double b, std::int64_t n);
// --8<-- [end:decl_integrate]

}  // namespace recipes

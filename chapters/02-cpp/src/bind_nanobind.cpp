// recipes_nanobind: the shared C++ core bound with nanobind.
//
// nanobind (2022-) is pybind11's author starting over for C++17: the same style
// of API, but smaller binaries, faster calls and faster compiles, bought with
// fewer implicit behaviours (no holder types, noexcept type casters).
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/pair.h>    // std::pair   -> tuple
#include <nanobind/stl/string.h>  // std::string -> str
#include <nanobind/stl/vector.h>  // std::vector -> list

#include <optional>

#include "core.hpp"
#include "python_glue.hpp"

namespace nb = nanobind;

// --8<-- [start:index_caster]
// nanobind's type casters are noexcept: a caster can only say "no", and
// nanobind then raises its own "incompatible function arguments" TypeError.
// Fine for a float, but an __index__ that raises must propagate unchanged, and
// 2**100 must become ValueError or OverflowError, not TypeError. (nanobind's
// own std::int64_t caster gets those wrong, and with .noconvert() it even
// refuses bool, int subclasses and NumPy integers.)
//
// So this caster does only what cannot fail: a plain int, the hot path of every
// call, is saturated to int64 right away. Anything else with __index__ is kept
// (borrowed: the argument outlives the call) and converted by value() in the
// function body, where throwing is allowed.
struct index_arg {
    std::int64_t saturated = 0;
    PyObject *needs_index = nullptr;

    std::int64_t value() const {
        std::int64_t result = saturated;
        if (needs_index != nullptr && !glue::index_argument(needs_index, &result))
            throw nb::python_error();
        return result;
    }
};

namespace nanobind::detail {
template <>
struct type_caster<index_arg> {
    NB_TYPE_CASTER(index_arg, const_name("typing.SupportsIndex"))

    bool from_python(handle source, uint32_t /* flags */, cleanup_list *) noexcept {
        if (PyLong_CheckExact(source.ptr())) {
            value.saturated = glue::saturated_int64(source.ptr());
            return true;
        }
        if (!PyIndex_Check(source.ptr())) return false;  // float, str, None...
        value.needs_index = source.ptr();
        return true;
    }
};
}  // namespace nanobind::detail
// --8<-- [end:index_caster]

namespace {
bool is_any_object(PyObject *) noexcept { return true; }
}  // namespace

// A path argument: any object, named for the stub; glue::path_argument checks it.
class path_like : public nb::object {
    NB_OBJECT_DEFAULT(path_like, object, "str | os.PathLike[str]", is_any_object)
};

// most_common's threads: any object, named for the stub (.none() below lets
// None reach it too, and adds "| None" to the stub). The body converts it after
// the core has checked n, the contract's order.
class threads_like : public nb::object {
    NB_OBJECT_DEFAULT(threads_like, object, "typing.SupportsIndex", is_any_object)
};

// An iterable of integers for LinearRecurrence: any object, named for the stub.
// nb::iterable would refuse a non-iterable `initial` before the body runs, but
// the contract converts `coefficients` fully first, so the body converts both
// in that order with glue::int64_list_argument.
class index_iterable : public nb::object {
    NB_OBJECT_DEFAULT(index_iterable, object, "collections.abc.Iterable[typing.SupportsIndex]",
                      is_any_object)
};

namespace {

// --8<-- [start:locked_recurrence]
// The class nanobind binds: the core's LinearRecurrence and a lock. next()
// changes the ring buffer, so two threads in it at once would return one term
// twice and skip another. With the GIL, calls take turns; without it, the lock
// makes them. nb::ft_mutex is Python's own PyMutex (one byte, and a waiting
// thread detaches from the interpreter, so it never holds up the garbage
// collector) in a module built FREE_THREADED for a free-threaded Python, and
// does nothing at all on a GIL build.
struct locked_recurrence : recipes::LinearRecurrence {
    using recipes::LinearRecurrence::LinearRecurrence;

    std::int64_t next() {
        nb::ft_lock_guard one_thread_at_a_time(mutex);
        return recipes::LinearRecurrence::next();
    }

    nb::ft_mutex mutex;
};
// --8<-- [end:locked_recurrence]

std::vector<std::int64_t> to_int64_list(const index_iterable &iterable, const char *what) {
    std::vector<std::int64_t> values;
    if (!glue::int64_list_argument(iterable.ptr(), what, &values)) throw nb::python_error();
    return values;
}

// --8<-- [start:bind_ewma]
// nanobind's idiom for an array argument: const double accepts read-only
// arrays (without const, nanobind asks for a writable one and refuses the
// rest), ndim<1> one dimension, device::cpu memory we can read. No c_contig:
// strided and reversed views are read in place. nanobind takes NumPy arrays
// (and PyTorch tensors, JAX arrays...) through DLPack, without a copy, and
// keeps the exporter's buffer until the last nb::ndarray referring to it is gone.
using float64_vector = nb::ndarray<const double, nb::ndim<1>, nb::device::cpu>;

// Only objects with __dlpack__ go to nanobind's ndarray caster. It would take
// plain buffer-protocol objects too, but nanobind 3.1 reads their strides
// without checking for NULL, and a ctypes array leaves them NULL (the buffer
// protocol's way of saying "contiguous"): a segfault. Those are read below.
//
// The name is interned once, when the module is imported, and never freed: a
// C++ static made on first use would make a second thread wait on its guard
// while still attached to the interpreter (see python_glue.hpp).
PyObject *dlpack_name = nullptr;

bool exports_dlpack(nb::handle values) {
    return PyObject_HasAttr(reinterpret_cast<PyObject *>(Py_TYPE(values.ptr())), dlpack_name) == 1;
}

nb::object ewma(nb::handle values, nb::handle alpha) {
    // As a parameter type, float64_vector would refuse every wrong array with
    // nanobind's generic "incompatible function arguments" TypeError (a
    // caster can only say no), where the contract wants a ValueError for the
    // dimensions and a TypeError naming the format. So the cast is tried here,
    // without implicit conversion (a float32 array is refused, not copied).
    float64_vector array;
    glue::held_buffer buffer;  // used when nanobind does not take the object
    recipes::strided_doubles x;
    if (exports_dlpack(values) && nb::try_cast(values, array, /* convert = */ false)) {
        // nanobind counts strides in elements, the core in bytes.
        x = {array.data(), array.shape(0), array.stride(0) * std::ptrdiff_t{sizeof(double)}};
    } else if (!glue::acquire_float64_vector(values.ptr(), &buffer, &x)) {
        // The buffer protocol says why nanobind refused, in the contract's
        // words: no buffer, the dimensions, the format. A float64 vector that
        // DLPack cannot describe (a field of a record array, its elements 12
        // bytes apart: no whole number of doubles) passes and is read from here.
        throw nb::python_error();
    }
    double a;
    if (!glue::real_argument(alpha.ptr(), &a)) throw nb::python_error();
    // nanobind's own way to return new memory is an nb::ndarray<nb::numpy,
    // double> over memory that an nb::capsule frees: nanobind then makes the
    // NumPy array with numpy.asarray() on its own array object, which costs
    // more than the whole of a 16-value ewma. numpy.empty is cheaper, and
    // gives an array that owns its memory (python_glue.hpp).
    glue::held_buffer output;
    nb::object result = nb::steal(glue::new_float64_array(x.size, &output));
    if (!result.is_valid()) throw nb::python_error();
    {
        // Another Python thread may write the input meanwhile: the buffer
        // pins its memory, not its values.
        std::optional<nb::gil_scoped_release> release_gil_while_averaging;
        if (x.size >= glue::EWMA_RELEASE_GIL_FROM) release_gil_while_averaging.emplace();
        recipes::ewma(x, a, static_cast<double *>(output.view().buf));
    }
    return result;
}
// --8<-- [end:bind_ewma]

// --8<-- [start:bind_integrate]
// f is an nb::callable: nanobind refuses a non-callable with its TypeError
// before the body runs, and that is the contract's first check. a, b and n are
// plain handles, converted in the body in the contract's order: a caster can
// only refuse, with nanobind's generic TypeError, so a = 10**400 would not be
// CPython's OverflowError.
double integrate(const nb::callable &f, nb::handle a, nb::handle b, nb::handle n) {
    double lower, upper;
    std::int64_t steps;
    if (!glue::real_argument(a.ptr(), &lower) || !glue::real_argument(b.ptr(), &upper) ||
        !glue::steps_argument(n.ptr(), &steps))
        throw nb::python_error();
    // The GIL is held throughout: f is Python code. The core calls this lambda
    // once per point.
    return recipes::integrate(
        [&f](double x) {
            // f(x) makes a Python float of x and calls f (vectorcall). If f
            // raised, it throws nb::python_error, which holds f's exception
            // (the same object, traceback and all) and restores it when it
            // leaves the module: let it pass, through the core, uncaught. The
            // nb::object owns the result and releases it on every path.
            const nb::object y = f(x);
            // Not nb::cast<double>(y): it turns a str result, 10**400 and an
            // exception raised inside __float__ alike into a RuntimeError
            // saying "std::bad_cast". glue::integrand_value converts as for a
            // and b, then checks for Ctrl-C:
            double value;
            if (!glue::integrand_value(y.ptr(), &value)) throw nb::python_error();
            return value;
        },
        lower, upper, steps);
}
// --8<-- [end:bind_integrate]

}  // namespace

// --8<-- [start:bind_module]
// FREE_THREADED in CMakeLists.txt declares free-threading support (the
// module's Py_mod_gil slot) and defines NB_FREE_THREADED, which turns
// nb::ft_mutex into a real lock.
NB_MODULE(_ext, m) {
    m.doc() = "The recipes over the shared C++ core, bound with nanobind.";
    if (!glue::import_numpy_empty()) throw nb::python_error();  // for ewma's results
    dlpack_name = PyUnicode_InternFromString("__dlpack__");
    if (dlpack_name == nullptr) throw nb::python_error();

    // --8<-- [start:translate_exceptions]
    // nanobind already maps std::invalid_argument to ValueError and
    // std::overflow_error to OverflowError, with what() as the message; a
    // translator adds our own type.
    nb::register_exception_translator([](const std::exception_ptr &thrown, void *) {
        try {
            std::rethrow_exception(thrown);
        } catch (const recipes::utf8_error &error) {
            glue::raise_unicode_decode_error(error);
        }  // anything else propagates to the next translator
    });
    // --8<-- [end:translate_exceptions]

    // --8<-- [start:bind_fib]
    // Parameters without nb::arg names are positional-only in nanobind, so
    // fib(n=3) is a TypeError; the stub calls them arg, arg0, arg1...
    m.def("fib", [](index_arg n) { return recipes::fib(n.value()); },
          "Return the n-th Fibonacci number, computed iteratively.");
    // --8<-- [start:bind_fib_recursive]
    m.def(
        "fib_recursive",
        [](index_arg n) {
            // Ctrl-C: the core asks this hook every few milliseconds of work.
            // PyErr_CheckSignals runs the Python handlers of any signal that
            // arrived (SIGINT's raises KeyboardInterrupt) and returns -1 if one
            // raised; it needs the GIL, which this call holds throughout.
            auto signal_handler_raised = [] { return PyErr_CheckSignals() != 0; };
            const std::optional<std::uint64_t> result =
                recipes::fib_recursive(n.value(), signal_handler_raised);
            if (!result) throw nb::python_error();  // what the handler raised
            return *result;
        },
        "Return the n-th Fibonacci number, computed by naive recursion.");
    // --8<-- [end:bind_fib_recursive]
    // --8<-- [end:bind_fib]

    // --8<-- [start:bind_linear_recurrence]
    // No holder type: nanobind stores the C++ object inside the Python object
    // itself. A custom constructor is an __init__ that placement-news into
    // the storage nanobind hands it; if it throws first, nanobind knows the
    // object was never constructed and will not destroy it.
    //
    // Pitfall: nanobind refuses None before any caster runs, unless the
    // argument is marked .none(). Here None must reach the body, so that
    // LinearRecurrence([2**64], None) reports the coefficient first, as the
    // reference does; None is then a TypeError (not iterable) from the body.
    // nb::sig keeps the "| None" that .none() would add out of the signature.
    nb::class_<locked_recurrence>(m, "LinearRecurrence",
                                  "Iterator over a linear recurrence in checked int64.")
        .def("__init__",
             [](locked_recurrence *self, const index_iterable &coefficients,
                const index_iterable &initial) {
                 auto c = to_int64_list(coefficients, "coefficients");
                 auto i = to_int64_list(initial, "initial values");
                 new (self) locked_recurrence(std::move(c), std::move(i));
             },
             nb::arg().none(), nb::arg().none(),
             nb::sig("def __init__(self, coefficients: collections.abc.Iterable[typing.SupportsIndex], "
                     "initial: collections.abc.Iterable[typing.SupportsIndex], /) -> None"))
        // nanobind returns the existing Python object for a C++ object it
        // already owns, so iter(x) is x.
        .def("__iter__", [](locked_recurrence &self) -> locked_recurrence & {
            return self;
        }, nb::rv_policy::reference_internal)
        .def("__next__", &locked_recurrence::next);
    // --8<-- [end:bind_linear_recurrence]

    // --8<-- [start:bind_most_common]
    m.def(
        "most_common",
        [](const path_like &path, index_arg n, const threads_like &threads) {
            std::string fs_path;
            if (!glue::path_argument(path.ptr(), &fs_path)) throw nb::python_error();
            const std::int64_t count = n.value();
            // The contract's order: path, n, threads. The core checks n now,
            // before threads is even converted.
            recipes::check_most_common_n(count);
            std::optional<std::int64_t> thread_count;  // None: every core
            if (!threads.is_none()) {
                std::int64_t value;
                if (!glue::index_argument(threads.ptr(), &value)) throw nb::python_error();
                thread_count = value;
            }
            try {
                // Other Python threads run while we read and count, and the
                // core's std::threads count without the GIL and without a
                // Python object. The guard takes the GIL back on the way out,
                // exceptions included.
                nb::gil_scoped_release release_gil_while_counting;
                return recipes::most_common(fs_path, count, thread_count);
            } catch (const recipes::os_error &error) {
                // OSError.filename comes from the caller's path object: only
                // this function has it, so the translation happens here.
                glue::raise_os_error(error, path.ptr());
                throw nb::python_error();
            }
        },
        // nanobind has no pos_only(): an unnamed nb::arg() is positional-only.
        // threads is keyword-only: named, after nb::kw_only().
        nb::arg(), nb::arg(), nb::kw_only(), nb::arg("threads").none() = 1,
        "Return the n most common words of a UTF-8 file with their counts, counted by up to "
        "`threads` native threads (None: one per core); the result never depends on it.");
    // --8<-- [end:bind_most_common]

    // --8<-- [start:bind_calc_pi]
    m.def("calc_pi", [](index_arg digits) { return recipes::calc_pi(digits.value()); },
          "Return pi to the given number of decimal places, truncated.");
    // --8<-- [end:bind_calc_pi]

    // --8<-- [start:def_ewma]
    // .none(): nanobind refuses None before the body runs otherwise, and
    // ewma(np.zeros((2, 2)), None) must report the dimensions first.
    m.def("ewma", &ewma, nb::arg().none(), nb::arg().none(),
          nb::sig("def ewma(values: typing_extensions.Buffer, "
                  "alpha: typing.SupportsFloat | typing.SupportsIndex, /) "
                  "-> numpy.typing.NDArray[numpy.float64]"),
          "Return the exponentially weighted moving average of a 1-D float64 buffer, "
          "as a new array.");
    // --8<-- [end:def_ewma]

    // --8<-- [start:def_integrate]
    // .none() on a, b and n: integrate(f, 10**400, 0.0, None) must report a first.
    m.def("integrate", &integrate, nb::arg(), nb::arg().none(), nb::arg().none(),
          nb::arg().none(),
          nb::sig("def integrate(f: collections.abc.Callable[[float], "
                  "typing.SupportsFloat | typing.SupportsIndex], "
                  "a: typing.SupportsFloat | typing.SupportsIndex, "
                  "b: typing.SupportsFloat | typing.SupportsIndex, n: typing.SupportsIndex, /) "
                  "-> float"),
          "Return the integral of f from a to b by the midpoint rule over n equal steps.");
    // --8<-- [end:def_integrate]
}
// --8<-- [end:bind_module]

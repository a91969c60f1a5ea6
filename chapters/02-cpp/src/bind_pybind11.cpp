// recipes_pybind11: the shared C++ core bound with pybind11.
//
// pybind11 (2015-) took Boost.Python's idea, describing a Python API with C++
// templates, and made it header-only C++11: no compiled library to install and
// match against your Python.
#include <pybind11/critical_section.h>  // py::scoped_critical_section
#include <pybind11/numpy.h>             // py::array_t
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>  // std::vector<std::pair<...>> -> list[tuple[...]]
#include <pybind11/typing.h>  // py::typing::Callable

#include <optional>

#include "core.hpp"
#include "python_glue.hpp"

namespace py = pybind11;

// --8<-- [start:index_caster]
// An integer argument with operator.index() semantics, saturated to int64
// (see glue::index_argument).
struct index_arg {
    std::int64_t value;
};

// A custom type caster teaches pybind11 a new argument type. pybind11's own
// std::int64_t caster is close but not right: by default it truncates
// Decimal("2.5") and Fraction(7, 2) through __int__ (py::arg().noconvert()
// stops that), and with or without noconvert, 2**100 and an __index__ that
// raises both turn into a generic "incompatible function arguments" TypeError.
// pybind11 lets load() throw, so the caller gets the exact Python error.
namespace pybind11::detail {
template <>
struct type_caster<index_arg> {
    PYBIND11_TYPE_CASTER(index_arg, const_name("typing.SupportsIndex"));

    bool load(handle source, bool /* convert: strict in both passes */) {
        if (!glue::index_argument(source.ptr(), &value.value)) throw error_already_set();
        return true;
    }
};
}  // namespace pybind11::detail
// --8<-- [end:index_caster]

// A path argument: str or os.PathLike giving str, encoded for the file system.
// The original object is kept for OSError.filename.
struct path_arg {
    py::object original;
    std::string encoded;
};

namespace pybind11::detail {
template <>
struct type_caster<path_arg> {
    PYBIND11_TYPE_CASTER(path_arg, const_name("str | os.PathLike[str]"));

    bool load(handle source, bool) {
        if (!glue::path_argument(source.ptr(), &value.encoded)) throw error_already_set();
        value.original = reinterpret_borrow<object>(source);
        return true;
    }
};
}  // namespace pybind11::detail

// most_common's threads: any object, named for the stub. The body converts it
// (None, or an integer as operator.index() takes it) after the core has
// checked n, the contract's order; a caster that converted it would run first.
struct threads_arg {
    py::handle object;
};

namespace pybind11::detail {
template <>
struct type_caster<threads_arg> {
    PYBIND11_TYPE_CASTER(threads_arg, const_name("typing.SupportsIndex | None"));

    bool load(handle source, bool) {
        value.object = source;  // borrowed: the argument outlives the call
        return true;
    }
};
}  // namespace pybind11::detail

// An iterable of integers for LinearRecurrence: any object, named for the stub.
// py::iterable would refuse a non-iterable `initial` before the body runs, but
// the contract converts `coefficients` fully first, so the body converts both
// in that order with glue::int64_list_argument.
struct index_iterable_arg {
    py::object object;
};

namespace pybind11::detail {
template <>
struct type_caster<index_iterable_arg> {
    PYBIND11_TYPE_CASTER(index_iterable_arg,
                         const_name("collections.abc.Iterable[typing.SupportsIndex]"));

    bool load(handle source, bool) {
        value.object = reinterpret_borrow<object>(source);
        return true;
    }
};
}  // namespace pybind11::detail

// --8<-- [start:ewma_arguments]
// The arguments of ewma. pybind11's idiom for a NumPy argument is
// py::array_t<double> with .noconvert(), so that a float32 or int64 array is
// refused instead of silently copied into a new float64 array. But it accepts
// NumPy arrays only (no array.array, memoryview or ctypes array), and refuses
// everything else with its generic "incompatible function arguments" TypeError,
// where the contract names the format it got. py::buffer takes any object with
// the buffer protocol and lets the body check the rest, so values is one. The
// caster only gives it a stub name that is the same on every Python: pybind11
// names py::buffer collections.abc.Buffer on 3.12 and later (where it exists)
// and typing_extensions.Buffer before, so generated stubs would differ.
struct buffer_arg {
    py::buffer object;
};

// alpha: any object, converted in the body (glue::real_argument), after the
// values are checked, which is the contract's order. A caster that converted
// it would run before the body, and pybind11's own double caster turns every
// conversion error into TypeError.
struct real_arg {
    py::handle object;
};

namespace pybind11::detail {
template <>
struct type_caster<buffer_arg> {
    PYBIND11_TYPE_CASTER(buffer_arg, const_name("typing_extensions.Buffer"));

    bool load(handle source, bool) {
        if (!PyObject_CheckBuffer(source.ptr())) return false;  // pybind11's TypeError
        value.object = reinterpret_borrow<buffer>(source);
        return true;
    }
};

template <>
struct type_caster<real_arg> {
    PYBIND11_TYPE_CASTER(real_arg, const_name("typing.SupportsFloat | typing.SupportsIndex"));

    bool load(handle source, bool) {
        value.object = source;  // borrowed: the argument outlives the call
        return true;
    }
};
}  // namespace pybind11::detail
// --8<-- [end:ewma_arguments]

// --8<-- [start:recurrence_self]
// self for LinearRecurrence.__next__: the C++ object, as pybind11's own caster
// finds it (a TypeError for anything else, and the same name in the
// signature), and the Python object around it, to lock. One check more than
// pybind11 makes: LinearRecurrence.__new__(LinearRecurrence) gives an instance
// whose C++ object was never constructed, and pybind11's caster hands out
// freshly allocated, uninitialised memory for it, so next() on it would read
// garbage and crash.
struct recurrence_self {
    py::handle object;
    recipes::LinearRecurrence *recurrence;
};

namespace pybind11::detail {
template <>
struct type_caster<recurrence_self> {
    using recurrence_caster = make_caster<recipes::LinearRecurrence>;
    PYBIND11_TYPE_CASTER(recurrence_self, recurrence_caster::name);

    bool load(handle source, bool convert) {
        recurrence_caster caster;
        if (!caster.load(source, convert)) return false;
        // source is a LinearRecurrence instance now, so this cast is sound
        auto *instance = reinterpret_cast<detail::instance *>(source.ptr());
        if (!instance->get_value_and_holder().holder_constructed())
            throw type_error("LinearRecurrence.__init__() was never called on this object");
        value.object = source;  // borrowed: self outlives the call
        value.recurrence = &cast_op<recipes::LinearRecurrence &>(caster);
        return true;
    }
};
}  // namespace pybind11::detail
// --8<-- [end:recurrence_self]

namespace {

std::vector<std::int64_t> int64_list(const index_iterable_arg &iterable, const char *what) {
    std::vector<std::int64_t> values;
    if (!glue::int64_list_argument(iterable.object.ptr(), what, &values))
        throw py::error_already_set();
    return values;
}

// --8<-- [start:bind_ewma]
py::array_t<double> ewma(const buffer_arg &values, const real_arg &alpha) {
    // request() is PyObject_GetBuffer(PyBUF_STRIDES | PyBUF_FORMAT): strides
    // in bytes, read-only exporters accepted. The buffer_info it returns
    // releases the buffer in its destructor, on every path; it is declared
    // first, so it is released last, with the GIL held.
    const py::buffer_info input = values.object.request();
    if (!glue::check_float64_vector(static_cast<int>(input.ndim), input.format.c_str()))
        throw py::error_already_set();
    double a;
    if (!glue::real_argument(alpha.object.ptr(), &a)) throw py::error_already_set();
    const recipes::strided_doubles x{input.ptr, static_cast<std::size_t>(input.shape[0]),
                                     input.strides[0]};
    // A new C-contiguous float64 array that owns its memory: py::array_t
    // allocates it through NumPy's C API, which pybind11 loads at run time
    // (nothing from NumPy is needed to build this module).
    py::array_t<double> result(static_cast<py::ssize_t>(x.size));
    double *out = result.mutable_data();
    {
        // Another Python thread may write the input meanwhile: the buffer
        // pins its memory, not its values.
        std::optional<py::gil_scoped_release> release_gil_while_averaging;
        if (x.size >= glue::EWMA_RELEASE_GIL_FROM) release_gil_while_averaging.emplace();
        recipes::ewma(x, a, out);
    }
    return result;
}
// --8<-- [end:bind_ewma]

}  // namespace

// --8<-- [start:integrate_arguments]
// integrate's n: any object, converted in the body after a and b (the
// contract's order), as alpha is for ewma. index_arg's caster would convert it
// before the body, so integrate(f, "x", 0.0, 2**64) would blame n, not a.
struct index_object_arg {
    py::handle object;
};

namespace pybind11::detail {
template <>
struct type_caster<index_object_arg> {
    PYBIND11_TYPE_CASTER(index_object_arg, const_name("typing.SupportsIndex"));

    bool load(handle source, bool) {
        value.object = source;  // borrowed: the argument outlives the call
        return true;
    }
};
}  // namespace pybind11::detail
// --8<-- [end:integrate_arguments]

namespace {

// --8<-- [start:bind_integrate]
// f is a py::function: pybind11 refuses a non-callable with its TypeError
// before the body runs, and that is the contract's first check.
// py::typing::Callable<double(double)> only names it for the stub, where
// pybind11 writes the result type as a double argument's:
// Callable[[float], SupportsFloat | SupportsIndex]. a, b and n are converted
// in the body, in the contract's order.
double integrate(const py::typing::Callable<double(double)> &f, const real_arg &a,
                 const real_arg &b, const index_object_arg &n) {
    double lower, upper;
    std::int64_t steps;
    if (!glue::real_argument(a.object.ptr(), &lower) ||
        !glue::real_argument(b.object.ptr(), &upper) ||
        !glue::steps_argument(n.object.ptr(), &steps))
        throw py::error_already_set();
    // The GIL is held throughout: f is Python code. The core calls this lambda
    // once per point.
    return recipes::integrate(
        [&f](double x) {
            // f(x) makes a Python float of x and calls f (vectorcall). If f
            // raised, it throws py::error_already_set, which takes f's exception
            // out of the interpreter (the same object, traceback and all) and
            // puts it back when it leaves the module: let it pass, through the
            // core, uncaught. The py::object owns the result and releases it on
            // every path.
            const py::object y = f(x);
            // Not y.cast<double>(): pybind11's double caster turns a str result,
            // 10**400 and an exception raised inside __float__ alike into a
            // RuntimeError of its own ("Unable to cast Python instance...").
            // glue::integrand_value converts as for a and b, then checks for
            // Ctrl-C:
            double value;
            if (!glue::integrand_value(y.ptr(), &value)) throw py::error_already_set();
            return value;
        },
        lower, upper, steps);
}
// --8<-- [end:bind_integrate]

}  // namespace

// --8<-- [start:bind_module]
// --8<-- [start:mod_gil_not_used]
// py::mod_gil_not_used() sets the module's Py_mod_gil slot: on a free-threaded
// Python, importing it leaves the GIL off. It promises that every function is
// safe without the GIL; LinearRecurrence is the one that needs a lock for it.
PYBIND11_MODULE(_ext, m, py::mod_gil_not_used()) {
    // --8<-- [end:mod_gil_not_used]
    m.doc() = "The recipes over the shared C++ core, bound with pybind11.";

    // --8<-- [start:translate_exceptions]
    // pybind11 already maps std::invalid_argument to ValueError and
    // std::overflow_error to OverflowError, with what() as the message. A
    // translator adds our own type; "local" keeps it to this module instead of
    // every pybind11 module loaded.
    py::register_local_exception_translator([](std::exception_ptr thrown) {
        try {
            if (thrown) std::rethrow_exception(thrown);
        } catch (const recipes::utf8_error &error) {
            glue::raise_unicode_decode_error(error);
        }  // anything else propagates to the next translator
    });
    // --8<-- [end:translate_exceptions]

    // --8<-- [start:bind_fib]
    // py::pos_only() makes the parameters positional-only, like C built-ins:
    // fib(n=3) is a TypeError.
    m.def("fib", [](index_arg n) { return recipes::fib(n.value); }, py::arg("n"),
          py::pos_only(), "Return the n-th Fibonacci number, computed iteratively.");
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
                recipes::fib_recursive(n.value, signal_handler_raised);
            if (!result) throw py::error_already_set();  // what the handler raised
            return *result;
        },
        py::arg("n"), py::pos_only(), "Return the n-th Fibonacci number, computed by naive recursion.");
    // --8<-- [end:bind_fib_recursive]
    // --8<-- [end:bind_fib]

    // --8<-- [start:bind_linear_recurrence]
    // The default holder is std::unique_ptr<LinearRecurrence>: the Python object
    // owns the C++ object and deletes it when it is collected.
    py::class_<recipes::LinearRecurrence>(m, "LinearRecurrence",
                                          "Iterator over a linear recurrence in checked int64.")
        .def(py::init([](const index_iterable_arg &coefficients,
                         const index_iterable_arg &initial) {
                 // Both lists are converted before the core validates them, so
                 // a TypeError in `initial` beats a ValueError for lengths.
                 auto c = int64_list(coefficients, "coefficients");
                 auto i = int64_list(initial, "initial values");
                 return recipes::LinearRecurrence(std::move(c), std::move(i));
             }),
             py::arg("coefficients"), py::arg("initial"), py::pos_only())
        // Returning a reference to an object pybind11 already wraps gives back
        // that same Python object, so iter(x) is x.
        .def("__iter__", [](recipes::LinearRecurrence &self) -> recipes::LinearRecurrence & {
            return self;
        }, py::return_value_policy::reference_internal)
        // std::overflow_error from next() becomes OverflowError; nothing here
        // ever needs StopIteration, the sequence is endless.
        // --8<-- [start:locked_next]
        // next() changes the ring buffer, so two threads in it at once would
        // return one term twice and skip another. With the GIL, calls take
        // turns; without it, a critical section on the Python object makes
        // them take turns (PyCriticalSection, the per-object lock of
        // free-threaded CPython; on a GIL build the guard does nothing).
        // Inside it runs nothing but the core: a Python API call that blocks
        // may suspend a critical section and let another thread in.
        .def("__next__", [](const recurrence_self &self) {
            py::scoped_critical_section one_thread_at_a_time(self.object);
            return self.recurrence->next();
        });
        // --8<-- [end:locked_next]
    // --8<-- [end:bind_linear_recurrence]

    // --8<-- [start:bind_most_common]
    m.def(
        "most_common",
        [](const path_arg &path, index_arg n, threads_arg threads) {
            // The contract's order: path, n, threads. The casters converted path
            // and n; the core checks n now, before threads is even converted.
            recipes::check_most_common_n(n.value);
            std::optional<std::int64_t> thread_count;  // None: every core
            if (!threads.object.is_none()) {
                std::int64_t value;
                if (!glue::index_argument(threads.object.ptr(), &value))
                    throw py::error_already_set();
                thread_count = value;
            }
            try {
                // Other Python threads run while we read and count, and the
                // core's std::threads count without the GIL and without a
                // Python object. The guard takes the GIL back when it goes out
                // of scope, also when the core throws, so the catch below runs
                // with the GIL held.
                py::gil_scoped_release release_gil_while_counting;
                return recipes::most_common(path.encoded, n.value, thread_count);
            } catch (const recipes::os_error &error) {
                // A global translator cannot do this one: OSError.filename
                // comes from the caller's path object, and only this function
                // has it.
                glue::raise_os_error(error, path.original.ptr());
                throw py::error_already_set();
            }
            // The returned vector of (std::string, uint64_t) pairs becomes a
            // list of (str, int) tuples through the STL casters, with the GIL held.
        },
        // threads is keyword-only: py::kw_only() right after py::pos_only().
        py::arg("path"), py::arg("n"), py::pos_only(), py::kw_only(), py::arg("threads") = 1,
        "Return the n most common words of a UTF-8 file with their counts, counted by up to "
        "`threads` native threads (None: one per core); the result never depends on it.");
    // --8<-- [end:bind_most_common]

    // --8<-- [start:bind_calc_pi]
    m.def("calc_pi", [](index_arg digits) { return recipes::calc_pi(digits.value); },
          py::arg("digits"), py::pos_only(),
          "Return pi to the given number of decimal places, truncated.");
    // --8<-- [end:bind_calc_pi]

    // --8<-- [start:def_ewma]
    m.def("ewma", &ewma, py::arg("values"), py::arg("alpha"), py::pos_only(),
          "Return the exponentially weighted moving average of a 1-D float64 buffer, "
          "as a new array.");
    // --8<-- [end:def_ewma]

    m.def("integrate", &integrate, py::arg("f"), py::arg("a"), py::arg("b"), py::arg("n"),
          py::pos_only(),
          "Return the integral of f from a to b by the midpoint rule over n equal steps.");
}
// --8<-- [end:bind_module]

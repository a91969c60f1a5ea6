// recipes_boost: the shared C++ core bound with Boost.Python.
//
// Boost.Python (2002-) was the first library to describe a Python API with C++
// templates instead of hand-written C API tables. It is a compiled library,
// built for one Python version (libboost_python311 for Python 3.11): the
// module must be built and run against that same version.
#include <boost/python.hpp>
#include <boost/python/raw_function.hpp>

#include <optional>

#include "core.hpp"
#include "python_glue.hpp"

namespace bp = boost::python;

namespace {

// --8<-- [start:arguments]
// Boost.Python's std::int64_t converter (on Python 3) refuses floats, but it
// also refuses NumPy integers and anything else with __index__, and turns
// -2**100 into OverflowError where the contract wants ValueError. So every
// argument arrives as a bp::object and is converted here;
// throw_error_already_set() carries the pending Python error through C++.
std::int64_t to_int64(const bp::object &value) {
    std::int64_t result;
    if (!glue::index_argument(value.ptr(), &result)) bp::throw_error_already_set();
    return result;
}
// --8<-- [end:arguments]

std::vector<std::int64_t> to_int64_list(const bp::object &iterable, const char *what) {
    std::vector<std::int64_t> values;
    if (!glue::int64_list_argument(iterable.ptr(), what, &values)) bp::throw_error_already_set();
    return values;
}

// --8<-- [start:gil_guard]
// Boost.Python has no GIL helper. This is the classic RAII guard around
// PyEval_SaveThread/PyEval_RestoreThread: the destructor takes the GIL back on
// every way out of the scope, a thrown exception included. Between the two
// calls no Python object may be touched.
class release_gil {
public:
    release_gil() : saved_(PyEval_SaveThread()) {}
    ~release_gil() { PyEval_RestoreThread(saved_); }
    release_gil(const release_gil &) = delete;
    release_gil &operator=(const release_gil &) = delete;

private:
    PyThreadState *saved_;
};
// --8<-- [end:gil_guard]

// --8<-- [start:translate_exceptions]
// Boost.Python maps std::invalid_argument to ValueError (with what() as the
// message), but not std::overflow_error: it would arrive as RuntimeError. Each
// translator is registered for one C++ type (see the module definition below).
void translate_overflow_error(const std::overflow_error &error) {
    PyErr_SetString(PyExc_OverflowError, error.what());
}

void translate_utf8_error(const recipes::utf8_error &error) {
    glue::raise_unicode_decode_error(error);
}
// --8<-- [end:translate_exceptions]

// --8<-- [start:bind_fib]
std::uint64_t fib(const bp::object &n) { return recipes::fib(to_int64(n)); }

// --8<-- [start:bind_fib_recursive]
std::uint64_t fib_recursive(const bp::object &n) {
    // Ctrl-C: the core asks this hook every few milliseconds of work.
    // PyErr_CheckSignals runs the Python handlers of any signal that arrived
    // (SIGINT's raises KeyboardInterrupt) and returns -1 if one raised; it
    // needs the GIL, which this call holds throughout.
    auto signal_handler_raised = [] { return PyErr_CheckSignals() != 0; };
    const std::optional<std::uint64_t> result =
        recipes::fib_recursive(to_int64(n), signal_handler_raised);
    if (!result) bp::throw_error_already_set();  // what the handler raised
    return *result;
}
// --8<-- [end:bind_fib_recursive]
// --8<-- [end:bind_fib]

// --8<-- [start:bind_linear_recurrence]
// A factory for make_constructor: Boost.Python adopts the raw pointer and
// deletes the object when the Python object dies. (Boost 1.74's
// make_constructor cannot take a std::unique_ptr: it tries to copy it.)
recipes::LinearRecurrence *make_linear_recurrence(const bp::object &coefficients,
                                                  const bp::object &initial) {
    auto c = to_int64_list(coefficients, "coefficients");
    auto i = to_int64_list(initial, "initial values");
    return new recipes::LinearRecurrence(std::move(c), std::move(i));
}

bp::object iter_self(const bp::object &self) { return self; }  // iter(x) is x
// --8<-- [end:bind_linear_recurrence]

// --8<-- [start:bind_most_common]
// Boost.Python has no keyword-only parameters (bp::arg names a parameter that
// may then be passed either way). bp::raw_function is its escape hatch: the
// function receives the call's positional arguments as a tuple and its
// keyword arguments as a dict, and checks them itself, here as CPython checks
// `def most_common(path, n, /, *, threads=1)`. Every error is a plain
// TypeError, not Boost.Python.ArgumentError.
bp::object most_common(const bp::tuple &args, const bp::dict &kwargs) {
    const Py_ssize_t given = PyTuple_GET_SIZE(args.ptr());
    if (given < 2) {
        // Before CPython's own words: most_common(path="x", n=3) lands here too.
        PyErr_SetString(PyExc_TypeError,
                        given == 0 ? "most_common() missing 2 required positional-only "
                                     "arguments: 'path' and 'n'"
                                   : "most_common() missing 1 required positional-only "
                                     "argument: 'n'");
        bp::throw_error_already_set();
    }
    if (given > 2) {
        PyErr_Format(PyExc_TypeError,
                     "most_common() takes 2 positional arguments but %zd were given", given);
        bp::throw_error_already_set();
    }
    PyObject *key;
    PyObject *value;
    Py_ssize_t position = 0;
    PyObject *threads = nullptr;  // borrowed from kwargs, which the call keeps alive
    while (PyDict_Next(kwargs.ptr(), &position, &key, &value)) {
        if (PyUnicode_Check(key) && PyUnicode_CompareWithASCIIString(key, "threads") == 0) {
            threads = value;
            continue;
        }
        PyErr_Format(PyExc_TypeError, "most_common() got an unexpected keyword argument %R",
                     key);
        bp::throw_error_already_set();
    }
    const bp::object path = args[0];
    // The contract's order: path, n (converted, then range-checked by the core),
    // then threads (None: every core), then the file.
    std::string fs_path;
    if (!glue::path_argument(path.ptr(), &fs_path)) bp::throw_error_already_set();
    const std::int64_t count = to_int64(args[1]);
    recipes::check_most_common_n(count);
    std::optional<std::int64_t> thread_count = 1;  // the default, threads=1
    if (threads == Py_None) {
        thread_count.reset();
    } else if (threads != nullptr) {
        std::int64_t value;
        if (!glue::index_argument(threads, &value)) bp::throw_error_already_set();
        thread_count = value;
    }
    recipes::WordCounts counts;
    try {
        // Other Python threads run meanwhile, and the core's std::threads count
        // without the GIL and without touching a Python object.
        release_gil release_gil_while_counting;
        counts = recipes::most_common(fs_path, count, thread_count);
    } catch (const recipes::os_error &error) {
        // OSError.filename comes from the caller's path object: only this
        // function has it, so the translation happens here.
        glue::raise_os_error(error, path.ptr());
        bp::throw_error_already_set();
    }
    // Boost.Python has no converter for std::vector: build the list by hand.
    bp::list result;
    for (const auto &[word, times] : counts)
        result.append(bp::make_tuple(bp::str(word.data(), word.size()), times));
    return result;
}
// --8<-- [end:bind_most_common]

// --8<-- [start:bind_calc_pi]
std::string calc_pi(const bp::object &digits) { return recipes::calc_pi(to_int64(digits)); }
// --8<-- [end:bind_calc_pi]

// --8<-- [start:bind_ewma]
// Boost.Python has a NumPy extension, boost::python::numpy, but it is a
// compiled library tied to the NumPy C API it was built against: Debian's
// libboost_numpy 1.74 was built for NumPy 1.x and cannot initialise under
// NumPy 2 (see README.md). So this layer needs nothing from NumPy at build
// time: it reads the input through the buffer protocol and makes the result by
// calling numpy.empty, a Python function like any other (python_glue.hpp).
bp::object ewma(const bp::object &values, const bp::object &alpha) {
    // The input buffer is declared first, so it is released last, on every
    // path: after the GIL is back, after an exception too.
    glue::held_buffer input;
    recipes::strided_doubles x;
    if (!glue::acquire_float64_vector(values.ptr(), &input, &x)) bp::throw_error_already_set();
    double a;
    if (!glue::real_argument(alpha.ptr(), &a)) bp::throw_error_already_set();
    glue::held_buffer output;
    // handle<> takes the new reference, and throws if the call raised.
    bp::object result(bp::handle<>(glue::new_float64_array(x.size, &output)));
    {
        // The core reads x in place, strides and all. Another Python thread
        // may write to it meanwhile: the buffer pins the memory, not its values.
        std::optional<release_gil> release_gil_while_averaging;
        if (x.size >= glue::EWMA_RELEASE_GIL_FROM) release_gil_while_averaging.emplace();
        recipes::ewma(x, a, static_cast<double *>(output.view().buf));
    }
    return result;
}
// --8<-- [end:bind_ewma]

// --8<-- [start:bind_integrate]
// Every argument arrives as a bp::object and is checked here, in the
// contract's order: f, a, b, then n.
double integrate(const bp::object &f, const bp::object &a, const bp::object &b,
                 const bp::object &n) {
    if (!PyCallable_Check(f.ptr())) {
        PyErr_Format(PyExc_TypeError, "integrate() f must be callable, not %.200s",
                     Py_TYPE(f.ptr())->tp_name);
        bp::throw_error_already_set();
    }
    double lower, upper;
    std::int64_t steps;
    if (!glue::real_argument(a.ptr(), &lower) || !glue::real_argument(b.ptr(), &upper) ||
        !glue::steps_argument(n.ptr(), &steps))
        bp::throw_error_already_set();
    // The GIL is held throughout: f is Python code. The core calls this lambda
    // once per point.
    return recipes::integrate(
        [&f](double x) {
            // bp::call<bp::object> makes a Python float of x and calls f
            // (PyEval_CallFunction, with an argument tuple). If f raised, it
            // throws bp::error_already_set, an empty type: f's exception (the
            // same object, traceback and all) stays set in the interpreter,
            // and Boost.Python leaves it there when the C++ exception reaches
            // the module's edge. So nothing on the way out may call Python,
            // which could replace or clear it. The bp::object owns the result
            // and releases it on every path.
            const bp::object y = bp::call<bp::object>(f.ptr(), x);
            // Not bp::call<double>: Boost.Python's double converter takes
            // float, int and bool only, refuses a Fraction, a Decimal or a
            // numpy.float32 with a TypeError of its own, and loses an exception
            // raised inside __float__. glue::integrand_value converts as for a
            // and b, then checks for Ctrl-C:
            double value;
            if (!glue::integrand_value(y.ptr(), &value)) bp::throw_error_already_set();
            return value;
        },
        lower, upper, steps);
}
// --8<-- [end:bind_integrate]

}  // namespace

// --8<-- [start:bind_module]
BOOST_PYTHON_MODULE(_ext) {
    // Docstrings: ours plus the Python signature, without the C++ one.
    bp::docstring_options docstrings(true, true, false);
    bp::scope().attr("__doc__") =
        "The recipes over the shared C++ core, bound with Boost.Python.";

    bp::register_exception_translator<std::overflow_error>(&translate_overflow_error);
    bp::register_exception_translator<recipes::utf8_error>(&translate_utf8_error);

    // Functions declared without bp::arg keywords accept positional arguments
    // only: fib(n=3) raises Boost.Python.ArgumentError, a TypeError subclass.
    bp::def("fib", &fib, "Return the n-th Fibonacci number, computed iteratively.");
    bp::def("fib_recursive", &fib_recursive,
            "Return the n-th Fibonacci number, computed by naive recursion.");
    // A raw function takes no docstring argument: set __doc__ on the object.
    bp::object most_common_function = bp::raw_function(&most_common);
    most_common_function.attr("__doc__") =
        "most_common(path, n, /, *, threads=1)\n\n"
        "Return the n most common words of a UTF-8 file with their counts, counted by up to "
        "`threads` native threads (None: one per core); the result never depends on it.";
    bp::scope().attr("most_common") = most_common_function;
    bp::def("calc_pi", &calc_pi, "Return pi to the given number of decimal places, truncated.");
    bp::def("ewma", &ewma,
            "Return the exponentially weighted moving average of a 1-D float64 buffer, "
            "as a new array.");
    bp::def("integrate", &integrate,
            "Return the integral of f from a to b by the midpoint rule over n equal steps.");
    if (!glue::import_numpy_empty()) bp::throw_error_already_set();  // for ewma's results

    // noncopyable: Boost.Python must never copy the iterator's state; no_init
    // because the only constructor is the factory below.
    bp::class_<recipes::LinearRecurrence, boost::noncopyable>(
        "LinearRecurrence", "Iterator over a linear recurrence in checked int64.", bp::no_init)
        .def("__init__", bp::make_constructor(&make_linear_recurrence))
        .def("__iter__", &iter_self)
        .def("__next__", &recipes::LinearRecurrence::next);
}
// --8<-- [end:bind_module]

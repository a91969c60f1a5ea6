// Argument conversions and exceptions that none of the three libraries does the
// way the recipe contract wants, written once against the CPython C API and
// shared by bind_boost.cpp, bind_pybind11.cpp and bind_nanobind.cpp.
//
// Every function follows the C API convention: on failure it returns false with
// a Python exception set. Each binding turns that into its library's C++
// exception (boost::python::throw_error_already_set(), pybind11's
// error_already_set, nanobind's python_error), which carries the pending Python
// error through C++ and hands it back to Python unchanged.
//
// Conversions only: no range or length check lives here. Those belong to the
// core (core.hpp), which every binding calls with plain C++ values.
#pragma once

#include <Python.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core.hpp"

namespace glue {

// --8<-- [start:index_argument]
// An int saturated to the int64 range instead of raising: 2**100 becomes
// INT64_MAX and -2**100 INT64_MIN, so the core reports them with the same
// error as any other out-of-range value (fib(-2**100) is a ValueError,
// calc_pi(2**100) too, and most_common(path, 2**100) simply means "all").
// This works for an int of any size, 10**5000 included: nothing here formats
// the value, so CPython's limit on str() of long ints never comes into play.
// Pitfall: PyLong_AsLongLong returns -1 both for -1 and on error; this variant
// reports overflow through a flag instead, and cannot fail on an int.
inline std::int64_t saturated_int64(PyObject *int_object) {
    int overflow = 0;
    const long long value = PyLong_AsLongLongAndOverflow(int_object, &overflow);
    return overflow > 0 ? INT64_MAX : overflow < 0 ? INT64_MIN : value;
}

// operator.index() semantics: int, bool, int subclasses and anything with
// __index__ (NumPy integers) are accepted; float, str, Decimal... raise
// TypeError; an exception raised by __index__ itself propagates unchanged.
inline bool index_argument(PyObject *obj, std::int64_t *out) {
    PyObject *index = PyNumber_Index(obj);  // a new reference to an int
    if (index == nullptr) return false;
    *out = saturated_int64(index);
    Py_DECREF(index);
    return true;
}
// --8<-- [end:index_argument]

// An iterable of integers, each converted like operator.index() and required to
// fit in signed 64 bits (OverflowError otherwise: a type conversion, so it is
// checked here, not in the core). Anything iterable works: lists, tuples,
// generators. `what` names the argument in the message ("coefficients",
// "initial values").
inline bool int64_list_argument(PyObject *iterable, const char *what,
                                std::vector<std::int64_t> *out) {
    PyObject *iterator = PyObject_GetIter(iterable);  // TypeError if not iterable
    if (iterator == nullptr) return false;
    out->clear();
    while (PyObject *item = PyIter_Next(iterator)) {
        PyObject *index = PyNumber_Index(item);
        Py_DECREF(item);
        if (index == nullptr) break;
        int overflow = 0;
        const long long value = PyLong_AsLongLongAndOverflow(index, &overflow);
        Py_DECREF(index);
        if (overflow != 0) {
            PyErr_Format(PyExc_OverflowError, "LinearRecurrence %s must fit in signed 64 bits",
                         what);
            break;
        }
        if (value == -1 && PyErr_Occurred()) break;
        out->push_back(value);
    }
    Py_DECREF(iterator);
    // PyIter_Next returns NULL both at the end and on error.
    return PyErr_Occurred() == nullptr;
}

// --8<-- [start:path_argument]
// What open() accepts as a path here: a str, or an os.PathLike whose
// __fspath__() returns a str. bytes paths are refused (TypeError), as the
// contract says. The str is encoded with the filesystem encoding and
// surrogateescape, exactly as CPython encodes paths for open(2).
inline bool path_argument(PyObject *path, std::string *out) {
    PyObject *fspath = PyOS_FSPath(path);  // TypeError for int, None, ...
    if (fspath == nullptr) return false;
    if (!PyUnicode_Check(fspath)) {
        PyErr_Format(PyExc_TypeError,
                     "most_common() path must be str or os.PathLike returning str, not %.200s",
                     Py_TYPE(path)->tp_name);
        Py_DECREF(fspath);
        return false;
    }
    PyObject *encoded = PyUnicode_EncodeFSDefault(fspath);
    Py_DECREF(fspath);
    if (encoded == nullptr) return false;
    out->assign(PyBytes_AS_STRING(encoded), static_cast<std::size_t>(PyBytes_GET_SIZE(encoded)));
    Py_DECREF(encoded);
    return true;
}
// --8<-- [end:path_argument]

// --8<-- [start:raise_os_error]
// Raise what open() would: calling OSError(errno, strerror, filename) lets
// OSError.__new__ pick the subclass from errno (FileNotFoundError,
// IsADirectoryError, PermissionError, ...). open() reports os.fspath(path) as
// the filename, so a pathlib.Path shows up as its str, and so it does here.
inline void raise_os_error(const recipes::os_error &error, PyObject *path) {
    PyObject *filename = PyOS_FSPath(path);
    if (filename == nullptr) return;
    PyObject *exception = PyObject_CallFunction(PyExc_OSError, "isO", error.error_number(),
                                                std::strerror(error.error_number()), filename);
    Py_DECREF(filename);
    if (exception == nullptr) return;  // the call's own error is set instead
    PyErr_SetObject(reinterpret_cast<PyObject *>(Py_TYPE(exception)), exception);
    Py_DECREF(exception);
}
// --8<-- [end:raise_os_error]

// --8<-- [start:raise_unicode_decode_error]
// UnicodeDecodeError(encoding, object, start, end, reason) as bytes.decode()
// raises it, so .start is the offset of the first invalid byte in the file.
inline void raise_unicode_decode_error(const recipes::utf8_error &error) {
    PyObject *exception = PyUnicodeDecodeError_Create(
        "utf-8", error.data().data(), static_cast<Py_ssize_t>(error.data().size()),
        static_cast<Py_ssize_t>(error.start()), static_cast<Py_ssize_t>(error.end()),
        error.reason());
    if (exception == nullptr) return;
    PyErr_SetObject(PyExc_UnicodeDecodeError, exception);
    Py_DECREF(exception);
}
// --8<-- [end:raise_unicode_decode_error]

// --8<-- [start:glue_ewma]
// --8<-- [start:real_argument]
// A real number as float() takes one, which is what PyFloat_AsDouble does: a
// float, else __float__ (numpy.float32, Fraction, Decimal), else __index__
// (int, bool, numpy.int64); str, bytes, None and complex raise TypeError.
// Pitfalls it avoids: pybind11's and nanobind's double casters catch every
// error and answer with their generic "incompatible function arguments"
// TypeError, so 10**400 would not raise CPython's own OverflowError ("int too
// large to convert to float") and an exception raised inside __float__ would be
// lost. And PyFloat_AsDouble returns -1.0 both for -1.0 and on error: check
// PyErr_Occurred.
inline bool real_argument(PyObject *obj, double *out) {
    const double value = PyFloat_AsDouble(obj);
    if (value == -1.0 && PyErr_Occurred()) return false;
    *out = value;
    return true;
}
// --8<-- [end:real_argument]

// --8<-- [start:float64_vector]
// The buffer formats (struct module syntax) that mean a C double in this
// machine's byte order, as the contract lists them: "d" and "@d" are native,
// "=d" is standard size in native order, "<d" (">d") is explicitly
// little-endian (big-endian), which is what ctypes arrays report.
inline bool is_native_double_format(const char *format) {
    static const char *const native[] = {"d", "@d", "=d", PY_LITTLE_ENDIAN ? "<d" : ">d"};
    for (const char *candidate : native)
        if (std::strcmp(format, candidate) == 0) return true;
    return false;
}

// The contract's checks on the shape and the element type of a buffer, in its
// order: one dimension (ValueError), then float64 (TypeError naming the format
// it got, quoted as repr() quotes a str, exactly as the reference words it).
// A NULL format means unsigned bytes ("B"), as the buffer protocol says.
inline bool check_float64_vector(int ndim, const char *format) {
    if (ndim != 1) {
        PyErr_Format(PyExc_ValueError,
                     "ewma() values must be one-dimensional, got %d dimensions", ndim);
        return false;
    }
    if (format == nullptr) format = "B";
    if (!is_native_double_format(format)) {
        PyObject *name = PyUnicode_FromString(format);
        if (name == nullptr) return false;
        PyErr_Format(PyExc_TypeError,
                     "ewma() values must be float64 (buffer format 'd'), got format %R", name);
        Py_DECREF(name);
        return false;
    }
    return true;
}

// A buffer exported by a Python object for the length of one call. The
// destructor calls PyBuffer_Release on every way out, an exception included:
// until then the exporter is pinned (an array.array refuses to resize, a
// bytearray to grow). The destructor needs the GIL, so declare the buffer
// before any scope that releases the GIL: C++ destroys it after that scope has
// taken the GIL back.
class held_buffer {
public:
    held_buffer() = default;
    ~held_buffer() {
        if (held_) PyBuffer_Release(&view_);
    }
    held_buffer(const held_buffer &) = delete;
    held_buffer &operator=(const held_buffer &) = delete;

    // PyObject_GetBuffer: false with TypeError set if `exporter` has no buffer,
    // BufferError if it cannot give one as `flags` asks.
    bool acquire(PyObject *exporter, int flags) {
        if (PyObject_GetBuffer(exporter, &view_, flags) != 0) return false;
        held_ = true;
        return true;
    }
    const Py_buffer &view() const { return view_; }

private:
    Py_buffer view_{};
    bool held_ = false;
};

// The values of ewma: any buffer of one dimension of native doubles, with any
// strides. PyBUF_STRIDES asks for the strides (an exporter that can only give a
// contiguous buffer refuses with BufferError rather than copy), PyBUF_FORMAT
// for the format string; neither asks for a writable buffer, so read-only
// exporters are fine.
inline bool acquire_float64_vector(PyObject *values, held_buffer *buffer,
                                   recipes::strided_doubles *x) {
    if (!buffer->acquire(values, PyBUF_STRIDES | PyBUF_FORMAT)) return false;
    const Py_buffer &view = buffer->view();
    if (!check_float64_vector(view.ndim, view.format)) return false;
    // Pitfall: ctypes arrays ignore the flags and leave strides NULL, which
    // the buffer protocol reads as C-contiguous: one item after the other.
    const Py_ssize_t stride = view.strides != nullptr ? view.strides[0] : view.itemsize;
    *x = {view.buf, static_cast<std::size_t>(view.shape[0]), stride};
    return true;
}
// --8<-- [end:float64_vector]

// --8<-- [start:float64_result]
// numpy.empty and numpy.dtype("float64"), looked up once, when a module is
// imported (import_numpy_empty, from its init function), for the Boost.Python
// and nanobind layers to make ewma's result with. Bare new references, never
// released, on purpose: a static C++ object holding them would be destroyed at
// process exit, after the interpreter has finalised, and its Py_DECREF would
// touch freed memory. (Nor are they looked up on first use behind a C++ static:
// its initialisation guard and the GIL can deadlock, since an import may let
// another thread run, and that thread then waits on the guard holding the GIL.)
inline PyObject *numpy_empty = nullptr;
inline PyObject *numpy_float64 = nullptr;

inline bool import_numpy_empty() {
    PyObject *numpy = PyImport_ImportModule("numpy");
    if (numpy == nullptr) return false;
    numpy_empty = PyObject_GetAttrString(numpy, "empty");
    if (numpy_empty != nullptr)
        numpy_float64 = PyObject_CallMethod(numpy, "dtype", "s", "float64");
    Py_DECREF(numpy);
    return numpy_float64 != nullptr;
}

// numpy.empty(n, float64): a new C-contiguous, writeable array that owns its
// memory, returned as a new reference (NULL with an exception set on failure),
// and that memory as a writable buffer held by `memory` for the caller to fill.
inline PyObject *new_float64_array(std::size_t n, held_buffer *memory) {
    PyObject *length = PyLong_FromSize_t(n);
    if (length == nullptr) return nullptr;
    PyObject *array = PyObject_CallFunctionObjArgs(numpy_empty, length, numpy_float64, nullptr);
    Py_DECREF(length);
    if (array == nullptr) return nullptr;
    if (!memory->acquire(array, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS)) {
        Py_DECREF(array);
        return nullptr;
    }
    return array;
}
// --8<-- [end:float64_result]

// Below this many values ewma keeps the GIL, as the C API chapter does: the
// loop takes a few nanoseconds per value, so a short call is over before
// releasing the GIL could pay off, and taking it back could mean waiting for
// the switch interval (5 ms) if another thread took it meanwhile.
inline constexpr std::size_t EWMA_RELEASE_GIL_FROM = 4096;
// --8<-- [end:glue_ewma]

// --8<-- [start:glue_integrate]
// integrate's n, as operator.index() takes it. An int above INT64_MAX is an
// OverflowError here, a type conversion like LinearRecurrence's: saturated, it
// would pass the core's n >= 1 check and mean something else. One below
// INT64_MIN is saturated, and fails the core's check with the same ValueError
// as n = 0 (no message quotes the value).
inline bool steps_argument(PyObject *obj, std::int64_t *out) {
    PyObject *index = PyNumber_Index(obj);  // TypeError for a float, str, None...
    if (index == nullptr) return false;
    int overflow = 0;
    const long long value = PyLong_AsLongLongAndOverflow(index, &overflow);
    Py_DECREF(index);
    if (overflow > 0) {
        PyErr_SetString(PyExc_OverflowError, "integrate() n must fit in signed 64 bits");
        return false;
    }
    *out = overflow < 0 ? INT64_MIN : value;
    return true;
}

// What integrate's f returned, as a double: PyFloat_AsDouble's rule, with its
// errors, as for a and b. Then Ctrl-C: a Python f runs bytecode, and the
// interpreter runs the signal handlers between bytecodes, but a built-in f such
// as math.sin runs none, and integrate(math.sin, 0.0, 1.0, 10**12) would ignore
// Ctrl-C for hours. So every call checks; with no signal pending that costs a
// few nanoseconds. false: a Python exception is set (the conversion's, or what a
// signal handler raised).
inline bool integrand_value(PyObject *result, double *out) {
    return real_argument(result, out) && PyErr_CheckSignals() == 0;
}
// --8<-- [end:glue_integrate]

}  // namespace glue

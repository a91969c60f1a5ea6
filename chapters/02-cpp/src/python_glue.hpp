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

}  // namespace glue

/* The binding layer: the CPython C API in front of the plain C core (core.h).
 *
 * Everything here is about Python objects: converting arguments, owning references,
 * raising exceptions, releasing the GIL around the long calls, and the module and type
 * definitions. The algorithms themselves live in core.c.
 *
 * Conventions used throughout (the C API's own):
 *  - A function returning PyObject * returns a NEW reference, or NULL with an exception set.
 *  - A function returning int returns 0 (or >= 0), or -1 with an exception set.
 *  - Every NEW reference we get must be released exactly once (Py_DECREF), on every path,
 *    error paths included; a BORROWED reference must not be released.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* --8<-- [start:numpy_headers] */
/* NumPy's C API, for ewma's result. The headers come from the NumPy 2 that pyproject.toml
 * builds with (setup.py asks numpy.get_include() where they are), and a module built
 * against NumPy 2 also runs on NumPy 1.x, down to the version it targets. That target is
 * chosen here, not left to the headers: NumPy 2.0's default target is 1.19, 2.3's 1.23 and
 * 2.5's 1.25, so the floor would move with whichever NumPy 2 the build happened to get (pip
 * takes the newest for each Python, and NumPy 2.5 needs Python 3.12). 1.23 is the
 * floor pyproject.toml declares; keep the two in step. The import checks it (module_exec)
 * and refuses an older NumPy with a RuntimeError that names both versions, rather than
 * crashing later. */
#define NPY_TARGET_VERSION NPY_1_23_API_VERSION
/* Hide the API that NumPy deprecated in 1.7 (direct access to the array struct). */
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>
/* --8<-- [end:numpy_headers] */

#include "core.h"

/* ---- Compatibility with older Pythons (requires-python >= 3.10) --------------------- */

#if PY_VERSION_HEX < 0x030C0000
#include <structmember.h> /* PyMemberDef flags before 3.12 moved them into Python.h */
#define Py_T_PYSSIZET T_PYSSIZET
#define Py_READONLY READONLY
#endif

/* Free-threaded builds (3.13+) have no GIL to make next() atomic: a per-object critical
 * section takes its place. With a GIL, and before 3.13, these are plain braces. */
#ifndef Py_BEGIN_CRITICAL_SECTION
#define Py_BEGIN_CRITICAL_SECTION(op) {
#define Py_END_CRITICAL_SECTION() }
#endif

/* ---- Module state -------------------------------------------------------------------- */

/* --8<-- [start:module_state] */
/* Per-module data lives in the module object, not in C globals: with multi-phase init a
 * process can hold several instances of this module (one per sub-interpreter, or after
 * importlib re-creates it), and each has its own LinearRecurrence type. */
typedef struct {
    PyTypeObject *LinearRecurrence_type;
} module_state;

static inline module_state *
get_module_state(PyObject *module)
{
    return (module_state *)PyModule_GetState(module);
}
/* --8<-- [end:module_state] */

/* ---- Integer arguments --------------------------------------------------------------- */

/* --8<-- [start:as_index] */
/* operator.index(arg) as a NEW reference to an exact int, or NULL with TypeError (or
 * whatever the object's __index__ raised). An exact int, by far the common case, skips
 * the generic protocol: one type check instead of a call. */
static inline PyObject *
as_index(PyObject *arg)
{
    return PyLong_CheckExact(arg) ? Py_NewRef(arg) : PyNumber_Index(arg);
}

/* operator.index(arg) as an int64_t for the core. An int outside 64 bits (10**5000, or
 * an __index__ that returns one) is no error here: the overflow flag of
 * PyLong_AsLongLongAndOverflow gives its sign, and it saturates to INT64_MIN or
 * INT64_MAX, which the core's range checks reject with the right error (or, for
 * most_common's n, read as "all of them"). *saturated, if not NULL, says whether it did.
 * No str() of the int is made, so no int is too large. Returns -1 with TypeError (or
 * whatever the object's __index__ raised). */
static int
index_to_int64(PyObject *arg, int64_t *value, int *saturated)
{
    Py_BUILD_ASSERT(sizeof(long long) == sizeof(int64_t));
    PyObject *index = as_index(arg); /* NEW reference: released on every path below */
    if (index == NULL) {
        return -1;
    }
    int overflow; /* -1 below the range of long long, +1 above it, else 0 */
    long long converted = PyLong_AsLongLongAndOverflow(index, &overflow);
    Py_DECREF(index);
    /* The -1 trap: C API conversions return -1 both for an error and for the valid
     * value -1. Only PyErr_Occurred() tells them apart; never treat -1 alone as an error. */
    if (converted == -1 && PyErr_Occurred()) {
        return -1;
    }
    *value = overflow < 0 ? INT64_MIN : overflow > 0 ? INT64_MAX : (int64_t)converted;
    if (saturated != NULL) {
        *saturated = overflow != 0;
    }
    return 0;
}
/* --8<-- [end:as_index] */

/* ---- Real-number arguments ----------------------------------------------------------- */

/* --8<-- [start:as_double] */
/* arg as float() takes a number, into a C double: a float (a subclass is read as the float
 * it is), anything with __float__ (numpy.float64, Fraction, Decimal) or with __index__ (int,
 * bool, numpy.int64). TypeError for str, bytes, None and complex; CPython's own
 * OverflowError ("int too large to convert to float") for an int beyond a double. Returns
 * 0, or -1 with the exception set. ewma's alpha, integrate's a and b, and what integrate's
 * f returns all come through here. */
static int
as_double(PyObject *arg, double *value)
{
    *value = PyFloat_AsDouble(arg);
    if (*value == -1.0 && PyErr_Occurred()) { /* the -1 trap again, for doubles */
        return -1;
    }
    return 0;
}
/* --8<-- [end:as_double] */

/* ---- fib, fib_recursive --------------------------------------------------------------- */

/* --8<-- [start:bind_fib] */
/* The two errors of recipes_fib and recipes_fib_recursive, worded as the reference words
 * them. Returns NULL, so that a caller can `return raise_fib_error(...)`. */
static PyObject *
raise_fib_error(recipes_status status, const char *function)
{
    if (status == RECIPES_STOPPED) { /* fib_recursive: the signal hook left its exception set */
        return NULL;
    }
    if (status == RECIPES_NEGATIVE) {
        return PyErr_Format(PyExc_ValueError, "%s() argument must be >= 0", function);
    }
    /* RECIPES_FIB_TOO_LARGE, their only other error */
    return PyErr_Format(PyExc_OverflowError,
                        "%s() argument must be <= %d: the result would not fit in 64 bits",
                        function, FIB_MAX_N);
}

/* METH_O: CPython passes the single argument directly, with no tuple to build or unpack.
 * It is the fastest calling convention, and it rejects keyword arguments by itself. */
static PyObject *
fib(PyObject *module, PyObject *arg)
{
    int64_t n;
    uint64_t result;
    if (index_to_int64(arg, &n, NULL) < 0) {
        return NULL;
    }
    recipes_status status = recipes_fib(n, &result);
    if (status != RECIPES_OK) {
        return raise_fib_error(status, "fib");
    }
    /* F(93) > 2**63: the unsigned conversion, not PyLong_FromLongLong. */
    return PyLong_FromUnsignedLongLong(result);
}

/* Releasing and re-taking the GIL costs far less than a microsecond when nobody else
 * wants it, but up to the switch interval (5 ms) when another thread holds it by then.
 * So only calls that run long enough to be worth sharing the interpreter release it:
 * fib_recursive(25) already makes about a quarter of a million calls. */
#define FIB_RECURSIVE_RELEASE_GIL_FROM 25

/* The core's "should I stop?" hook: Ctrl-C. The C-level signal handler only sets a flag;
 * the Python handler (KeyboardInterrupt's, or one installed with signal.signal) runs when
 * someone calls PyErr_CheckSignals(). The interpreter does so between bytecodes, but none
 * run during a long C call, so without this hook Ctrl-C waits until the call ends. It
 * returns -1 with the handler's exception set (any exception: not only KeyboardInterrupt),
 * and 0 on any thread but the main one, where handlers never run. */
static int
stop_if_signalled(void *unused)
{
    return PyErr_CheckSignals() < 0;
}

/* The same hook for a call that released the GIL. PyErr_CheckSignals runs a Python handler,
 * so it needs the GIL (in a free-threaded build: an attached thread state): take it back,
 * check, and let it go again. `context` is where the thread state was saved. */
static int
stop_if_signalled_without_the_gil(void *context)
{
    PyThreadState **saved = (PyThreadState **)context;
    PyEval_RestoreThread(*saved); /* waits if another thread holds the GIL just now */
    int stop = PyErr_CheckSignals() < 0;
    *saved = PyEval_SaveThread(); /* an exception set by the handler stays with the thread */
    return stop;
}

static PyObject *
fib_recursive(PyObject *module, PyObject *arg)
{
    int64_t n;
    uint64_t result;
    recipes_status status;
    if (index_to_int64(arg, &n, NULL) < 0) {
        return NULL;
    }
    if (n < FIB_RECURSIVE_RELEASE_GIL_FROM) {
        status = recipes_fib_recursive(n, stop_if_signalled, NULL, &result);
    }
    else { /* an n above FIB_MAX_N gets here too: the core then returns at once */
        /* What Py_BEGIN_ALLOW_THREADS and Py_END_ALLOW_THREADS do, spelled out, because the
         * hook needs the saved thread state. No Python object may be touched in between,
         * except by the hook, which takes the GIL back first. */
        PyThreadState *saved = PyEval_SaveThread();
        status = recipes_fib_recursive(n, stop_if_signalled_without_the_gil, &saved, &result);
        PyEval_RestoreThread(saved);
    }
    if (status != RECIPES_OK) {
        return raise_fib_error(status, "fib_recursive");
    }
    return PyLong_FromUnsignedLongLong(result);
}
/* --8<-- [end:bind_fib] */

/* ---- LinearRecurrence ---------------------------------------------------------------- */

/* --8<-- [start:bind_linear_recurrence] */
/* One allocation per instance: the object header, the core's state, then the k
 * coefficients and the k-term window in a variable-size tail (tp_itemsize). */
typedef struct {
    PyObject_VAR_HEAD
    PyObject *weakreflist; /* makes instances weak-referenceable */
    recipes_recurrence state;
    int64_t values[];      /* coefficients[0..k), then window[0..k) */
} RecurrenceObject;

/* Convert every element of `items` (a tuple) with index semantics into int64_t. `out`
 * may be NULL: the elements are still checked, in order, so that a bad element is
 * reported before a length mismatch, as the reference does. `what` names the argument
 * in the OverflowError: being a signed 64-bit value is a matter of the C type, so this
 * check belongs to the conversion, not to the core. */
static int
convert_int64_items(PyObject *items, const char *what, int64_t *out)
{
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(items); i++) {
        int64_t value;
        int saturated;
        /* GET_ITEM: a borrowed reference, alive as long as the tuple */
        if (index_to_int64(PyTuple_GET_ITEM(items, i), &value, &saturated) < 0) {
            return -1;
        }
        if (saturated) {
            PyErr_Format(PyExc_OverflowError,
                         "LinearRecurrence %s must fit in signed 64 bits", what);
            return -1;
        }
        if (out != NULL) {
            out[i] = value;
        }
    }
    return 0;
}

/* The two shape errors of recipes_recurrence_init, worded as the reference words them. */
static void
raise_recurrence_shape_error(recipes_status status, Py_ssize_t k, Py_ssize_t initial_count)
{
    if (status == RECIPES_NO_COEFFICIENTS) {
        PyErr_SetString(PyExc_ValueError, "LinearRecurrence needs at least one coefficient");
    }
    else { /* RECIPES_LENGTH_MISMATCH */
        PyErr_Format(PyExc_ValueError,
                     "LinearRecurrence needs as many initial values as coefficients "
                     "(got %zd for %zd)", initial_count, k);
    }
}

static PyObject *
recurrence_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    PyObject *coefficients, *initial; /* borrowed from `args` */
    if (kwargs != NULL && PyDict_GET_SIZE(kwargs) != 0) {
        PyErr_SetString(PyExc_TypeError, "LinearRecurrence() takes no keyword arguments");
        return NULL;
    }
    if (!PyArg_UnpackTuple(args, "LinearRecurrence", 2, 2, &coefficients, &initial)) {
        return NULL;
    }
    /* Snapshot each iterable into a tuple first. Converting an element may run Python
     * code (__index__), which could mutate a list we were walking through borrowed
     * pointers; a tuple cannot change. A tuple argument is returned as is. */
    PyObject *coefficient_items = PySequence_Tuple(coefficients); /* TypeError if not iterable */
    if (coefficient_items == NULL) {
        return NULL;
    }
    PyObject *initial_items = NULL;
    const Py_ssize_t k = PyTuple_GET_SIZE(coefficient_items);
    /* tp_alloc zero-fills and, for a GC type, starts tracking the object. */
    RecurrenceObject *self = (RecurrenceObject *)type->tp_alloc(type, 2 * k);
    if (self == NULL) {
        goto error;
    }
    if (convert_int64_items(coefficient_items, "coefficients", self->values) < 0) {
        goto error;
    }
    initial_items = PySequence_Tuple(initial);
    if (initial_items == NULL) {
        goto error;
    }
    const Py_ssize_t given = PyTuple_GET_SIZE(initial_items);
    if (convert_int64_items(initial_items, "initial values",
                            given == k ? self->values + k : NULL) < 0) {
        goto error;
    }
    /* The core checks the shape (at least one coefficient, as many initial values). */
    recipes_status status = recipes_recurrence_init(&self->state, (size_t)k, (size_t)given,
                                                    self->values, self->values + k);
    if (status != RECIPES_OK) {
        raise_recurrence_shape_error(status, k, given);
        goto error;
    }
    Py_DECREF(coefficient_items);
    Py_DECREF(initial_items);
    return (PyObject *)self;

error: /* one exit for every failure: release what we own, in any state */
    Py_XDECREF((PyObject *)self);
    Py_DECREF(coefficient_items);
    Py_XDECREF(initial_items);
    return NULL;
}

static PyObject *
recurrence_next(PyObject *op)
{
    RecurrenceObject *self = (RecurrenceObject *)op;
    int64_t term;
    recipes_status status;
    /* With the GIL, no other thread runs while we are in here (we neither release it
     * nor call back into Python), so 8 threads sharing one iterator each get distinct
     * terms. Without a GIL (free-threaded 3.13+), the critical section does that. */
    Py_BEGIN_CRITICAL_SECTION(op);
    status = recipes_recurrence_next(&self->state, &term);
    Py_END_CRITICAL_SECTION();
    if (status != RECIPES_OK) { /* RECIPES_OVERFLOW, its only error */
        PyErr_SetString(PyExc_OverflowError,
                        "the next term of this LinearRecurrence overflows signed 64 bits");
        return NULL;
    }
    return PyLong_FromLongLong(term);
}

/* Instances of a heap type hold a strong reference to their type (since Python 3.8), so
 * the GC must see that edge: an instance stored in its own module's namespace forms the
 * cycle instance -> type -> module -> module dict -> instance, which only the cyclic GC
 * can free. */
static int
recurrence_traverse(PyObject *op, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(op));
    return 0;
}

static void
recurrence_dealloc(PyObject *op)
{
    PyTypeObject *type = Py_TYPE(op);
    PyObject_GC_UnTrack(op); /* first: the GC must never see a half-destroyed object */
    if (((RecurrenceObject *)op)->weakreflist != NULL) {
        PyObject_ClearWeakRefs(op);
    }
    type->tp_free(op);
    Py_DECREF(type); /* the reference the instance held; forgetting it leaks the type */
}

static PyMemberDef recurrence_members[] = {
    /* How PyType_FromSpec learns where the weak reference list lives. */
    {"__weaklistoffset__", Py_T_PYSSIZET, offsetof(RecurrenceObject, weakreflist), Py_READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

/* The first lines are the signature that inspect.signature() shows: "/" = positional-only. */
PyDoc_STRVAR(recurrence_doc,
"LinearRecurrence(coefficients, initial, /)\n--\n\n"
"Iterate a_0, a_1, ... where a_{n+k} = c_0*a_n + ... + c_{k-1}*a_{n+k-1}.\n\n"
"LinearRecurrence([1, 1], [0, 1]) is Fibonacci; ([1, 1], [2, 1]) the Lucas numbers.\n"
"Arithmetic is signed 64-bit and checked: the next() that would return a term whose\n"
"evaluation overflowed raises OverflowError, and so does every call after it.");

/* A heap type is described by slots and created at run time by the module's exec
 * function, once per module object. The alternative, a static PyTypeObject, is a C
 * global shared by every interpreter in the process: exactly what isolation forbids. */
static PyType_Slot recurrence_slots[] = {
    {Py_tp_doc, (void *)recurrence_doc},
    {Py_tp_new, recurrence_new},
    {Py_tp_dealloc, recurrence_dealloc},
    {Py_tp_traverse, recurrence_traverse},
    {Py_tp_iter, PyObject_SelfIter}, /* iter(x) is x */
    {Py_tp_iternext, recurrence_next},
    {Py_tp_members, recurrence_members},
    {0, NULL},
};

static PyType_Spec recurrence_spec = {
    /* The part before the last dot becomes __module__: the public, re-exported location. */
    .name = "recipes_capi.LinearRecurrence",
    .basicsize = sizeof(RecurrenceObject),
    .itemsize = sizeof(int64_t),
    /* IMMUTABLETYPE: like a built-in type, LinearRecurrence.x = 1 raises TypeError.
     * Without it, one module object's type attributes could be changed from Python. */
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = recurrence_slots,
};
/* --8<-- [end:bind_linear_recurrence] */

/* ---- most_common --------------------------------------------------------------------- */

/* --8<-- [start:bind_most_common] */
/* Turn the core's sorted (word, count) array into a list of tuples. */
static PyObject *
word_counts_to_list(const recipes_word_count *top, size_t length)
{
    PyObject *list = PyList_New((Py_ssize_t)length);
    if (list == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < length; i++) {
        /* The whole file was validated, so decoding cannot fail (short of memory). */
        PyObject *word = PyUnicode_DecodeUTF8(top[i].word, (Py_ssize_t)top[i].length, NULL);
        PyObject *count = PyLong_FromSize_t(top[i].count);
        PyObject *pair = (word != NULL && count != NULL) ? PyTuple_New(2) : NULL;
        if (pair == NULL) {
            Py_XDECREF(word);
            Py_XDECREF(count);
            Py_DECREF(list); /* a list being filled may hold NULLs: its dealloc skips them */
            return NULL;
        }
        /* SET_ITEM *steals* the reference: the tuple and the list now own word, count and
         * pair, and we must not Py_DECREF them ourselves. */
        PyTuple_SET_ITEM(pair, 0, word);
        PyTuple_SET_ITEM(pair, 1, count);
        PyList_SET_ITEM(list, (Py_ssize_t)i, pair);
    }
    return list;
}

/* The errors of a most_common() call that got as far as the file. */
static PyObject *
raise_most_common_error(recipes_status status, const recipes_most_common_result *result,
                        PyObject *filename)
{
    if (status == RECIPES_OS_ERROR) {
        /* Picks the OSError subclass from errno (FileNotFoundError, IsADirectoryError,
         * PermissionError, ...) and sets .errno, .strerror and .filename, as open() does. */
        errno = result->os_errno;
        return PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, filename);
    }
    if (status == RECIPES_BAD_UTF8) {
        /* The core found the first invalid byte without the GIL. Only on this error path,
         * let CPython's own decoder run over the data (with the GIL held): the exception
         * is then exactly what bytes.decode() raises, same start, end and reason. */
        PyObject *text = PyUnicode_DecodeUTF8(result->text, (Py_ssize_t)result->text_length,
                                              "strict");
        if (text != NULL) { /* the two validators disagree: a bug, but never a crash */
            Py_DECREF(text);
            PyErr_Format(PyExc_SystemError, "invalid UTF-8 at offset %zu was accepted by "
                         "the decoder", result->bad_utf8_offset);
        }
        return NULL;
    }
    return PyErr_NoMemory(); /* RECIPES_NO_MEMORY */
}

/* os.fspath(arg) as a NEW reference to a str, or NULL with TypeError: bytes paths are
 * refused, as in the reference. */
static PyObject *
fspath_str(PyObject *arg)
{
    PyObject *path = PyOS_FSPath(arg); /* TypeError for int, None, ... */
    if (path != NULL && !PyUnicode_Check(path)) {
        PyErr_Format(PyExc_TypeError,
                     "most_common() path must be str or os.PathLike[str], not %.200s",
                     Py_TYPE(arg)->tp_name);
        Py_CLEAR(path);
    }
    return path;
}

/* n, converted here and checked by the core: negative is an error, and an n beyond what
 * memory can hold means "all of them". */
static int
most_common_limit(PyObject *arg, size_t *limit)
{
    int64_t n;
    if (index_to_int64(arg, &n, NULL) < 0) {
        return -1;
    }
    if (recipes_most_common_limit(n, limit) != RECIPES_OK) { /* RECIPES_NEGATIVE: its only one */
        PyErr_SetString(PyExc_ValueError, "most_common() n must be >= 0");
        return -1;
    }
    return 0;
}

/* threads, converted here and checked by the core: None is every core of the machine,
 * an int below 1 is an error, and one beyond 64 bits saturates like n (the core caps the
 * threads it really starts anyway). A float or str is the TypeError of operator.index. */
static int
most_common_threads(PyObject *arg, size_t *threads)
{
    if (arg == NULL) { /* not given: the default, 1 */
        *threads = 1;
        return 0;
    }
    if (arg == Py_None) {
        *threads = recipes_available_threads();
        return 0;
    }
    int64_t value;
    if (index_to_int64(arg, &value, NULL) < 0) {
        return -1;
    }
    if (recipes_most_common_threads(value, threads) != RECIPES_OK) {
        PyErr_SetString(PyExc_ValueError, "most_common() threads must be >= 1");
        return -1;
    }
    return 0;
}

/* The file name as the OS takes it, and what owns its memory. POSIX file names are bytes:
 * the str encoded with the file system encoding and its error handler, as open() does.
 * Windows file names are UTF-16. Both conversions raise ValueError for a NUL character,
 * as open() does. */
typedef struct {
#ifdef _WIN32
    wchar_t *chars;  /* PyMem_Free'd by os_path_release */
#else
    PyObject *bytes; /* a NEW reference, released by os_path_release */
#endif
} os_path;

static const recipes_path_char *
os_path_from_str(PyObject *path, os_path *out)
{
#ifdef _WIN32
    out->chars = PyUnicode_AsWideCharString(path, NULL);
    return out->chars;
#else
    out->bytes = NULL;
    return PyUnicode_FSConverter(path, &out->bytes) ? PyBytes_AS_STRING(out->bytes) : NULL;
#endif
}

static void
os_path_release(os_path *path)
{
#ifdef _WIN32
    PyMem_Free(path->chars);
#else
    Py_XDECREF(path->bytes);
#endif
}

/* Read, validate and count without the GIL: other Python threads run meanwhile. The core
 * never touches a Python object, so this is safe, and c_path stays alive because the
 * caller owns it until after the call. */
static PyObject *
count_without_the_gil(const recipes_path_char *c_path, size_t limit, size_t threads,
                      PyObject *filename)
{
    recipes_most_common_result result;
    recipes_status status;
    Py_BEGIN_ALLOW_THREADS
    status = recipes_most_common(c_path, limit, threads, &result);
    Py_END_ALLOW_THREADS
    PyObject *list = status == RECIPES_OK
                     ? word_counts_to_list(result.top, result.top_length)
                     : raise_most_common_error(status, &result, filename);
    recipes_most_common_free(&result);
    return list;
}

/* METH_FASTCALL | METH_KEYWORDS: the arguments arrive as a C array, no tuple is built,
 * the positional ones first (nargs of them), then the values of the keywords named in the
 * tuple kwnames (NULL when there are none; CPython has already refused a name given
 * twice). path and n are positional-only, threads keyword-only, as in the reference's
 * `most_common(path, n, /, *, threads=1)`. The checks run in the reference's order: the
 * arguments' shape, the path's type, n, threads, then the file. */
static PyObject *
most_common(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError,
                     "most_common() takes exactly 2 positional arguments (%zd given)", nargs);
        return NULL;
    }
    PyObject *threads_arg = NULL; /* borrowed: the caller's array owns it */
    Py_ssize_t nkw = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    for (Py_ssize_t i = 0; i < nkw; i++) {
        PyObject *name = PyTuple_GET_ITEM(kwnames, i); /* always a str */
        if (PyUnicode_CompareWithASCIIString(name, "threads") != 0) {
            PyErr_Format(PyExc_TypeError,
                         "most_common() got an unexpected keyword argument '%U'", name);
            return NULL;
        }
        threads_arg = args[nargs + i];
    }
    PyObject *path = fspath_str(args[0]);
    if (path == NULL) {
        return NULL;
    }
    PyObject *list = NULL;
    size_t limit, threads;
    if (most_common_limit(args[1], &limit) == 0 &&
        most_common_threads(threads_arg, &threads) == 0) {
        os_path owner;
        const recipes_path_char *c_path = os_path_from_str(path, &owner);
        if (c_path != NULL) {
            list = count_without_the_gil(c_path, limit, threads, path);
        }
        os_path_release(&owner);
    }
    Py_DECREF(path);
    return list;
}
/* --8<-- [end:bind_most_common] */

/* ---- calc_pi ------------------------------------------------------------------------- */

/* --8<-- [start:bind_calc_pi] */
/* The errors of recipes_calc_pi_length and recipes_calc_pi. */
static PyObject *
raise_calc_pi_error(recipes_status status)
{
    if (status == RECIPES_NO_MEMORY) {
        return PyErr_NoMemory();
    }
    /* RECIPES_PI_DIGITS_OUT_OF_RANGE: the same ValueError for -1, 10001 and 10**5000 */
    return PyErr_Format(PyExc_ValueError, "calc_pi() digits must be between 0 and %d",
                        PI_MAX_DIGITS);
}

/* The largest character of an ASCII str: PyUnicode_New then uses one byte per character. */
#define ASCII_MAX_CHAR 127

static PyObject *
calc_pi(PyObject *module, PyObject *arg)
{
    int64_t digits;
    size_t length;
    if (index_to_int64(arg, &digits, NULL) < 0) {
        return NULL;
    }
    recipes_status status = recipes_calc_pi_length(digits, &length);
    if (status != RECIPES_OK) {
        return raise_calc_pi_error(status);
    }
    /* No intermediate buffer: allocate the result str and let the core write the digits
     * straight into it. Writing into a str is allowed only while nobody else can see it,
     * i.e. right after PyUnicode_New. */
    PyObject *text = PyUnicode_New((Py_ssize_t)length, ASCII_MAX_CHAR);
    if (text == NULL) {
        return NULL;
    }
    char *buffer = (char *)PyUnicode_1BYTE_DATA(text);
    Py_BEGIN_ALLOW_THREADS /* milliseconds of pure arithmetic: let other threads run */
    status = recipes_calc_pi(digits, buffer);
    Py_END_ALLOW_THREADS
    if (status != RECIPES_OK) {
        Py_DECREF(text);
        return raise_calc_pi_error(status);
    }
    return text;
}
/* --8<-- [end:bind_calc_pi] */

/* ---- ewma ---------------------------------------------------------------------------- */

/* --8<-- [start:bind_ewma] */
/* The element formats that mean a C double in this machine's byte order (struct module
 * syntax, which the buffer protocol uses): "d" and "@d" are native, "=d" is the native
 * order with standard sizes, and "<d" is explicit little-endian, which is what ctypes
 * writes. Anything else, "f", "q", ">d" or "B" (bytes), is another type or another
 * byte order, and reading it as a double would give garbage, not an error. */
static int
is_native_double_format(const char *format)
{
    /* PyBUF_FORMAT was requested, but an exporter may still leave format NULL: the buffer
     * protocol defines that as "B", unsigned bytes. */
    if (format == NULL) {
        return 0;
    }
    return strcmp(format, "d") == 0 || strcmp(format, "@d") == 0 || strcmp(format, "=d") == 0
#if PY_LITTLE_ENDIAN
           || strcmp(format, "<d") == 0;
#else
           || strcmp(format, ">d") == 0;
#endif
}

/* The contract's two errors about the values, worded as the reference words them. The
 * format is quoted as repr() quotes it, so the message is the same for any format. */
static int
check_float64_vector(const Py_buffer *view)
{
    if (view->ndim != 1) {
        PyErr_Format(PyExc_ValueError,
                     "ewma() values must be one-dimensional, got %d dimensions", view->ndim);
        return -1;
    }
    if (!is_native_double_format(view->format)) {
        PyObject *format = PyUnicode_FromString(view->format != NULL ? view->format : "B");
        if (format != NULL) {
            PyErr_Format(PyExc_TypeError,
                         "ewma() values must be float64 (buffer format 'd'), got format %R",
                         format);
            Py_DECREF(format);
        }
        return -1;
    }
    return 0;
}

/* The one error of recipes_ewma_check_alpha and recipes_ewma. */
static void
raise_ewma_error(recipes_status status)
{
    /* RECIPES_ALPHA_OUT_OF_RANGE, their only error */
    PyErr_SetString(PyExc_ValueError, "ewma() alpha must be > 0 and <= 1");
}

/* alpha as float() takes a number (as_double: TypeError for a str, OverflowError for an
 * int beyond a double); the range is the core's to check. */
static int
ewma_alpha(PyObject *arg, double *alpha)
{
    if (as_double(arg, alpha) < 0) {
        return -1;
    }
    recipes_status status = recipes_ewma_check_alpha(*alpha);
    if (status != RECIPES_OK) {
        raise_ewma_error(status);
        return -1;
    }
    return 0;
}

/* Below this many values, ewma keeps the GIL: the loop takes a few nanoseconds per value,
 * so a short call is over before releasing the GIL could pay off, and taking it back
 * could mean waiting for the switch interval (5 ms) if another thread grabbed it. */
#define EWMA_RELEASE_GIL_FROM 4096

/* A new float64 array, computed from the buffer in place. PyArray_SimpleNew allocates the
 * array's memory, so the result owns its data (OWNDATA, no base): it shares nothing with
 * the input, and the input's buffer can be released as soon as this returns. */
static PyObject *
ewma_new_array(const Py_buffer *view, double alpha)
{
    npy_intp length = (npy_intp)view->shape[0];
    PyObject *result = PyArray_SimpleNew(1, &length, NPY_DOUBLE); /* C-contiguous */
    if (result == NULL) {
        return NULL;
    }
    double *out = (double *)PyArray_DATA((PyArrayObject *)result);
    /* Any stride is read where it is: a reversed or every-other view costs no copy. An
     * exporter may leave strides NULL even though we asked for them (ctypes arrays do);
     * the buffer protocol then means C-contiguous: one item after the other. */
    const char *values = (const char *)view->buf;
    const ptrdiff_t stride =
        (ptrdiff_t)(view->strides != NULL ? view->strides[0] : view->itemsize);
    recipes_status status;
    if (length < EWMA_RELEASE_GIL_FROM) {
        status = recipes_ewma(values, (size_t)length, stride, alpha, out);
    }
    else {
        /* The buffer stays valid without the GIL: we hold an export of it until
         * PyBuffer_Release, so an array.array or bytearray cannot be resized (or freed)
         * meanwhile. But another Python thread can still WRITE to it (a NumPy array is
         * writeable by anyone who has it), and then this loop reads a mix of old and new
         * values. Nothing here can prevent that; it is the caller's to avoid. */
        Py_BEGIN_ALLOW_THREADS
        status = recipes_ewma(values, (size_t)length, stride, alpha, out);
        Py_END_ALLOW_THREADS
    }
    if (status != RECIPES_OK) { /* alpha was checked already, but a status is never ignored */
        Py_DECREF(result);
        raise_ewma_error(status);
        return NULL;
    }
    return result;
}

/* METH_FASTCALL, as most_common. The checks run in the reference's order: the buffer, its
 * dimensions, its format, then alpha. */
static PyObject *
ewma(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "ewma() takes exactly 2 arguments (%zd given)", nargs);
        return NULL;
    }
    /* STRIDES: any layout is welcome, we read it through view.strides (asking for
     * PyBUF_C_CONTIGUOUS instead would make NumPy refuse a reversed view, not copy it).
     * FORMAT: without it, view.format is NULL and every buffer looks like bytes.
     * No PyBUF_WRITABLE: the values are only read, so read-only arrays are accepted. */
    Py_buffer view;
    if (PyObject_GetBuffer(args[0], &view, PyBUF_STRIDES | PyBUF_FORMAT) < 0) {
        return NULL; /* TypeError: a list, None, ... exports no buffer */
    }
    /* From here on, every path goes through PyBuffer_Release: until then the exporter
     * counts us as a user, and an array.array or bytearray refuses to resize. */
    PyObject *result = NULL;
    double alpha;
    if (check_float64_vector(&view) == 0 && ewma_alpha(args[1], &alpha) == 0) {
        result = ewma_new_array(&view, alpha);
    }
    PyBuffer_Release(&view);
    return result;
}
/* --8<-- [end:bind_ewma] */

/* ---- integrate ----------------------------------------------------------------------- */

/* --8<-- [start:bind_integrate] */
/* The core's f: one call of the Python callable, given to recipes_integrate as a C function
 * pointer with the callable as its context. It runs with the GIL held: integrate never
 * releases it, because every step calls Python. Both objects made here are NEW references,
 * released on every path; the callable is borrowed from integrate's arguments, which keep
 * it alive for the whole call. */
static int
call_python_function(double x, double *y, void *context)
{
    PyObject *f = (PyObject *)context;
    PyObject *arg = PyFloat_FromDouble(x);
    if (arg == NULL) {
        return -1;
    }
    /* Vectorcall with one argument: no tuple is built. f may call integrate again: the
     * only state is the callable and the core's locals, on each call's own C stack, so
     * nothing is shared. */
    PyObject *result = PyObject_CallOneArg(f, arg);
    Py_DECREF(arg);
    if (result == NULL) {
        /* f raised. The exception is set as f left it, the same object, with f's frame in
         * its traceback: returning nonzero stops the loop, and integrate returns NULL with
         * it. Clearing it, or replacing it with a tidier error, is what swallows it. */
        return -1;
    }
    int failed = as_double(result, y); /* f may return an int, a Fraction, numpy.float64 */
    Py_DECREF(result);
    /* Ctrl-C. A Python f runs bytecode, and the interpreter runs the signal handlers between
     * bytecodes; a built-in f such as math.sin runs none, and integrate(math.sin, 0.0, 1.0,
     * 10**12) would ignore Ctrl-C for hours. So check after every call: when no signal
     * is pending that costs a few nanoseconds. */
    return failed ? failed : PyErr_CheckSignals();
}

/* The one error of recipes_integrate that is not f's own (RECIPES_STOPPED leaves f's
 * exception, or the conversion's, set). */
static PyObject *
raise_integrate_error(recipes_status status)
{
    if (status == RECIPES_STOPPED) {
        return NULL;
    }
    /* RECIPES_STEPS_OUT_OF_RANGE */
    PyErr_SetString(PyExc_ValueError, "integrate() n must be >= 1");
    return NULL;
}

/* METH_FASTCALL, as most_common. The checks run in the reference's order: f is callable,
 * then a, b and n convert, then the core checks n >= 1 and calls f. */
static PyObject *
integrate(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_Format(PyExc_TypeError, "integrate() takes exactly 4 arguments (%zd given)",
                     nargs);
        return NULL;
    }
    PyObject *f = args[0]; /* borrowed: the caller's reference outlives this call */
    if (!PyCallable_Check(f)) {
        PyErr_Format(PyExc_TypeError, "integrate() f must be callable, not %.200s",
                     Py_TYPE(f)->tp_name);
        return NULL;
    }
    double a, b, result;
    int64_t n;
    int saturated;
    if (as_double(args[1], &a) < 0 || as_double(args[2], &b) < 0 ||
        index_to_int64(args[3], &n, &saturated) < 0) {
        return NULL;
    }
    /* Above INT64_MAX, n has no C value: a conversion error. Below INT64_MIN it saturates,
     * and the core's own check says n must be >= 1. */
    if (saturated && n > 0) {
        PyErr_SetString(PyExc_OverflowError, "integrate() n must fit in signed 64 bits");
        return NULL;
    }
    recipes_status status = recipes_integrate(call_python_function, f, a, b, n, &result);
    if (status != RECIPES_OK) {
        return raise_integrate_error(status);
    }
    return PyFloat_FromDouble(result);
}
/* --8<-- [end:bind_integrate] */

/* ---- The module ---------------------------------------------------------------------- */

/* --8<-- [start:bind_module] */
/* "name($module, args, /)\n--\n\n" is the signature inspect.signature() reports. */
PyDoc_STRVAR(fib_doc,
"fib($module, n, /)\n--\n\n"
"Return the n-th Fibonacci number, iteratively: fib(90) == 2880067194370816120.");
PyDoc_STRVAR(fib_recursive_doc,
"fib_recursive($module, n, /)\n--\n\n"
"Return the n-th Fibonacci number by naive double recursion (exponential on purpose).");
PyDoc_STRVAR(most_common_doc,
"most_common($module, path, n, /, *, threads=1)\n--\n\n"
"The n most frequent whitespace-separated words of a UTF-8 file, lowercased in ASCII.\n\n"
"Ties are broken by the word, in code point order. `threads` (>= 1, or None for every\n"
"core) is how many pthreads may count at once; the result never depends on it.");
PyDoc_STRVAR(ewma_doc,
"ewma($module, values, alpha, /)\n--\n\n"
"The exponentially weighted moving average of a 1-D buffer of float64, as a new array.\n\n"
"y[0] = x[0]; y[i] = alpha * x[i] + (1 - alpha) * y[i - 1], with 0 < alpha <= 1.");
PyDoc_STRVAR(integrate_doc,
"integrate($module, f, a, b, n, /)\n--\n\n"
"The midpoint rule: the integral of f from a to b over n equal steps, f a Python callable.\n\n"
"integrate(lambda x: x * x, 0.0, 1.0, 4) == 0.328125. Whatever f raises propagates unchanged.");
PyDoc_STRVAR(calc_pi_doc,
"calc_pi($module, digits, /)\n--\n\n"
"Pi truncated to `digits` decimal places (0 <= digits <= " Py_STRINGIFY(PI_MAX_DIGITS) "): "
"calc_pi(4) == '3.1415'.");

static PyMethodDef module_methods[] = {
    {"fib", fib, METH_O, fib_doc},
    {"fib_recursive", fib_recursive, METH_O, fib_recursive_doc},
    /* A METH_FASTCALL function has another C signature: the double cast tells the
     * compiler that the mismatch with PyCFunction is deliberate. */
    {"most_common", (PyCFunction)(void (*)(void))most_common, METH_FASTCALL | METH_KEYWORDS,
     most_common_doc},
    {"calc_pi", calc_pi, METH_O, calc_pi_doc},
    {"ewma", (PyCFunction)(void (*)(void))ewma, METH_FASTCALL, ewma_doc},
    {"integrate", (PyCFunction)(void (*)(void))integrate, METH_FASTCALL, integrate_doc},
    {NULL, NULL, 0, NULL},
};

/* Phase two of multi-phase init: fill in a module object that Python has already
 * created (with its state zeroed). It runs once per module object. */
static int
module_exec(PyObject *module)
{
    /* NumPy's C API is a table of function pointers that NumPy hands out in a capsule;
     * its headers keep it in a C global of this file (PyArray_API), and every PyArray_
     * call goes through it, so it must be filled in before ewma runs. The import_array()
     * macro would `return NULL` on failure, a PyInit_ function's error value, after
     * printing the error and replacing it with a vague ImportError. _import_array() is the
     * function behind it: it returns -1 and leaves NumPy's own exception in place ("No
     * module named 'numpy'", a NumPy older than NPY_TARGET_VERSION, a NumPy that refuses
     * this interpreter). It runs for every module object, not only the first, so NumPy is
     * imported wherever this module is: a module object never uses a NumPy that its own
     * interpreter could not import. */
    if (_import_array() < 0) {
        return -1;
    }
    module_state *state = get_module_state(module);
    /* FromModuleAndSpec links the type to this module (PyType_GetModule), and the type
     * holds a strong reference to it. */
    state->LinearRecurrence_type =
        (PyTypeObject *)PyType_FromModuleAndSpec(module, &recurrence_spec, NULL);
    if (state->LinearRecurrence_type == NULL) {
        return -1;
    }
    /* AddType does not steal: the module dict gets its own reference; the state keeps
     * ours. On failure, the module is discarded and module_clear releases ours. */
    return PyModule_AddType(module, state->LinearRecurrence_type);
}

/* The module state holds a reference, so the GC has to know about it. */
static int
module_traverse(PyObject *module, visitproc visit, void *arg)
{
    Py_VISIT(get_module_state(module)->LinearRecurrence_type);
    return 0;
}

static int
module_clear(PyObject *module)
{
    Py_CLEAR(get_module_state(module)->LinearRecurrence_type);
    return 0;
}

static void
module_free(void *module)
{
    (void)module_clear((PyObject *)module);
}

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, module_exec},
#ifdef Py_mod_multiple_interpreters
    /* 3.12+: not in sub-interpreters. Our own state is per module object, but NumPy's C
     * API table is a C global (PyArray_API above), one per process, and NumPy itself does
     * not support sub-interpreters (it warns in one; from NumPy 2.4 it declares this slot
     * too, and refuses to load a second time in a process). A sub-interpreter that checks
     * (the default for new ones) refuses this module with a clear ImportError before
     * module_exec runs. */
    {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},
#endif
#ifdef Py_mod_gil
    /* 3.13+ free-threaded builds: we do not need the GIL (see recurrence_next and
     * ewma_new_array). integrate keeps nothing between calls but its C stack, and calls f
     * with this thread's state attached, as any C code calling Python must; the hook of
     * fib_recursive attaches it before PyErr_CheckSignals. NumPy declares the same from
     * 2.1. Without this slot, importing the module would turn the GIL back on. */
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef recipes_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "recipes_capi._recipes",
    .m_doc = "The recipes, written against the CPython C API.",
    .m_size = sizeof(module_state),
    .m_methods = module_methods,
    .m_slots = module_slots,
    .m_traverse = module_traverse,
    .m_clear = module_clear,
    .m_free = module_free,
};

/* Phase one: the only exported symbol. It creates nothing, it returns the definition,
 * and the import system creates the module (from the spec) and runs the slots. */
PyMODINIT_FUNC
PyInit__recipes(void)
{
    return PyModuleDef_Init(&recipes_module);
}
/* --8<-- [end:bind_module] */

/* The smallest complete extension module, by hand: one function, square(x). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *
square(PyObject *module, PyObject *arg)
{
    /* float, int, or anything with __float__ or __index__; TypeError for anything else */
    double x = PyFloat_AsDouble(arg);
    /* -1.0 is also how it reports an error: only PyErr_Occurred() tells the two apart. */
    if (x == -1.0 && PyErr_Occurred()) {
        return NULL;
    }
    return PyFloat_FromDouble(x * x);
}

static PyMethodDef methods[] = {
    /* METH_O: the one argument is passed as is; the docstring's first line is the signature */
    {"square", square, METH_O, PyDoc_STR("square($module, x, /)\n--\n\nReturn x * x.")},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot slots[] = {
#ifdef Py_mod_gil
    {Py_mod_gil, Py_MOD_GIL_NOT_USED}, /* 3.13+: safe without the GIL (it keeps no state) */
#endif
    {0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "quickstart_capi",
    .m_methods = methods,
    .m_slots = slots, /* multi-phase init: Python creates the module, the slots configure it */
};

PyMODINIT_FUNC
PyInit_quickstart_capi(void)
{
    return PyModuleDef_Init(&module);
}

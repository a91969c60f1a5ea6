/* recipes_broken: one bug per function, on purpose.
 *
 * Each function is what the proof layer must catch (issue 16):
 *   write_past_end()     heap out-of-bounds write      -> ASan "heap-buffer-overflow"
 *   use_after_free()     read of a freed block         -> ASan "heap-use-after-free"
 *   segfault()           write through NULL            -> SIGSEGV (faulthandler, gdb)
 *   leak_reference(obj)  Py_INCREF never undone        -> sys.gettotalrefcount() grows
 *   leak_block()         PyObject_Malloc never freed   -> sys.getallocatedblocks() grows
 * The pointers go through volatile variables so no compiler can prove the bug and fold it
 * into something else (a trap instruction, or nothing).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>

static PyObject *
write_past_end(PyObject *module, PyObject *unused)
{
    char *volatile block = malloc(16);
    if (block == NULL) {
        return PyErr_NoMemory();
    }
    volatile size_t index = 16;      /* one past the end */
    block[index] = 'x';
    free(block);
    Py_RETURN_NONE;
}

static PyObject *
use_after_free(PyObject *module, PyObject *unused)
{
    int *volatile block = malloc(4 * sizeof(int));
    if (block == NULL) {
        return PyErr_NoMemory();
    }
    block[0] = 42;
    free(block);
    return PyLong_FromLong(block[0]);  /* reads the freed block */
}

static PyObject *
segfault(PyObject *module, PyObject *unused)
{
    int *volatile pointer = NULL;
    *pointer = 1;
    Py_RETURN_NONE;
}

static PyObject *
leak_reference(PyObject *module, PyObject *obj)
{
    Py_INCREF(obj);                  /* never decremented: obj can never be freed */
    Py_RETURN_NONE;
}

static void *volatile last_block;

static PyObject *
leak_block(PyObject *module, PyObject *unused)
{
    last_block = PyObject_Malloc(32);  /* overwritten by the next call, never freed */
    if (last_block == NULL) {
        return PyErr_NoMemory();
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"write_past_end", write_past_end, METH_NOARGS, "Write one byte past the end of a heap block."},
    {"use_after_free", use_after_free, METH_NOARGS, "Read a heap block after freeing it."},
    {"segfault", segfault, METH_NOARGS, "Write through a NULL pointer."},
    {"leak_reference", leak_reference, METH_O, "Take a reference to obj and never release it."},
    {"leak_block", leak_block, METH_NOARGS, "Allocate 32 bytes with PyObject_Malloc and never free them."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "recipes_broken", "Bugs on purpose, for the proof layer.", -1, methods,
};

PyMODINIT_FUNC
PyInit_recipes_broken(void)
{
    return PyModule_Create(&module_def);
}

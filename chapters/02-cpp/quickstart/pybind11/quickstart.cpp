// The smallest complete pybind11 module: one function. pybind11 converts the
// argument to a double, and raises TypeError for anything that is not a number.
#include <pybind11/pybind11.h>

namespace py = pybind11;

double square(double x) { return x * x; }

PYBIND11_MODULE(quickstart_pybind11, m) {
    m.def("square", &square, py::arg("x"), "Return x * x.");
}

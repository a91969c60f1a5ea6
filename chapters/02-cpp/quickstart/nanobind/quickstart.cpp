// The smallest complete nanobind module: one function. nanobind converts the
// argument to a double, and raises TypeError for anything that is not a number.
#include <nanobind/nanobind.h>

namespace nb = nanobind;

double square(double x) { return x * x; }

NB_MODULE(quickstart_nanobind, m) {
    m.def("square", &square, nb::arg("x"), "Return x * x.");
}

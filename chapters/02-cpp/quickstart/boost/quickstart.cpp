// The smallest complete Boost.Python module: one function. Boost.Python converts
// the argument to a double, and raises Boost.Python.ArgumentError (a TypeError)
// for anything that is not a number.
#include <boost/python/def.hpp>
#include <boost/python/module.hpp>

double square(double x) { return x * x; }

BOOST_PYTHON_MODULE(quickstart_boost) {
    boost::python::def("square", &square, "Return x * x.");
}

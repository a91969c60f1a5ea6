"""The GIL as rust-cpython models it: most_common releases it, next() relies on it."""

import os
import subprocess
import sys
import threading

import pytest

import recipes_rust_cpython as r


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a named pipe")
def test_most_common_releases_the_gil_while_reading(tmp_path):
    # most_common opens a FIFO, which blocks until a writer opens the other end. The
    # writer is a Python thread, so it can only run if most_common released the GIL
    # (py.allow_threads). Without that the process would deadlock, so run it in a
    # subprocess with a timeout instead of hanging the test session.
    fifo = tmp_path / "words.fifo"
    os.mkfifo(fifo)
    code = (
        "import sys, threading, recipes_rust_cpython as r\n"
        "path = sys.argv[1]\n"
        "def writer():\n"
        "    with open(path, 'wb') as f:\n"
        "        f.write(b'b a b c b a')\n"
        "threading.Thread(target=writer).start()\n"
        "print(r.most_common(path, 2))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(fifo)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[('b', 3), ('a', 2)]"


def test_one_iterator_shared_by_eight_threads():
    # a(n+2) = 2 a(n+1) - a(n) from 0, 1 is 0, 1, 2, 3, ...: every term identifies itself.
    # __next__ holds the GIL and calls no Python code while it borrows the RefCell, so
    # concurrent next() calls are serialised and each term is handed out exactly once.
    naturals = r.LinearRecurrence([-1, 2], [0, 1])
    per_thread = 5000
    results = [[] for _ in range(8)]
    start = threading.Barrier(8)

    def worker(out):
        start.wait()
        for _ in range(per_thread):
            out.append(next(naturals))

    threads = [threading.Thread(target=worker, args=(out,)) for out in results]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = sorted(x for out in results for x in out)
    assert everything == list(range(8 * per_thread))
    for out in results:
        assert out == sorted(out)  # each thread sees increasing terms

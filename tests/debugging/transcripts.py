"""Real runs for the debugging page: each transcript is a command line and its real output.

    python tests/debugging/transcripts.py --out docs/generated/debugging --plain DIR --asan DIR
        --panic DIR [--debug-python PYTHON] [--corpus FILE] [--only NAMES] [--strict] [--sabotage NAMES]

--plain, --asan and --panic are folders holding the unpacked recipes_broken builds (plain and
AddressSanitizer) and the panic_demo build; the profiled module (recipes_capi by default) must
be importable by this interpreter. Each transcript is checked for the evidence the page
explains (the faulting frame, the Rust frame, the sanitizer's verdict, ...). A tool this
machine lacks gives a transcript saying so; --strict makes that, or any missing evidence, an
error. --sabotage runs a transcript with a deliberately broken input (an uninstrumented build,
RUST_BACKTRACE=0, ...): the can-fail proof that the checks look at the output.
Long outputs are trimmed by fixed rules (a fixed number of frames), said in the transcript.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
FRAMES = 6  # frames kept per native stack (ASan, gdb's bt); the rest are the interpreter's
ALIASES: dict[str, str] = {sys.executable: "python"}  # interpreters as the page names them


class Missing(Exception):
    """A tool this machine does not have; the message says how to install it."""


def shown(path: str | Path) -> str:
    """A path as the page shows it: relative to the repository, the interpreter as `python`."""
    text = str(path)
    if text in ALIASES:
        return ALIASES[text]
    return text.replace(str(ROOT) + "/", "").replace(str(ROOT), ".")


def run(argv: list[str], env: dict[str, str | None] | None = None, timeout: int = 120) -> str:
    """Run argv in the repository; return the command line as shown plus stdout and stderr, merged.

    env: variables to set, or to remove from the inherited environment (None).
    """
    env = env or {}
    shown_env = " ".join(f"{k}={shlex.quote(shown(v))}" for k, v in env.items() if v is not None)
    line = "$ " + (shown_env + " " if shown_env else "") + shlex.join(shown(a) for a in argv)
    environ = {k: v for k, v in {**os.environ, **env}.items() if v is not None}
    proc = subprocess.run(argv, cwd=ROOT, env=environ, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, errors="replace", timeout=timeout, check=False)
    output = proc.stdout.replace(str(ROOT) + "/", "").replace(str(ROOT), ".")
    return f"{line}\n{output.rstrip()}\n[exit status {proc.returncode}]\n"


def need(tool: str, how: str) -> str:
    found = shutil.which(tool)
    if not found:
        raise Missing(f"{tool} is not installed on this machine: {how}")
    return found


def trim_stacks(text: str, keep: int = FRAMES) -> str:
    """Keep the first `keep` frames of each `#N ...` stack (ASan's format), count the rest."""
    out, dropped = [], 0
    for line in text.splitlines():
        frame = re.match(r"\s+#(\d+) ", line)
        if frame and int(frame.group(1)) >= keep:
            dropped += 1
            continue
        if dropped:
            out.append(f"    ... {dropped} more frames (the interpreter's), trimmed by the page")
            dropped = 0
        out.append(line)
    return "\n".join(out) + "\n"


# --- the transcripts ----------------------------------------------------------------------


def faulthandler(args: argparse.Namespace) -> str:
    flags = [] if "faulthandler" in args.sabotage else ["-X", "faulthandler"]
    # PYTHONFAULTHANDLER would turn it on too: only the flag shown may decide
    return run([sys.executable, *flags, str(HERE / "crash.py")], env={"PYTHONPATH": args.plain, "PYTHONFAULTHANDLER": None})


def gdb(args: argparse.Namespace) -> str:
    need("gdb", "apt-get install gdb")
    # Debian's debug interpreter loads CPython's gdb helpers (py-bt, py-list, ...) by itself.
    python = need("python3.11-dbg", "apt-get install python3.11-dbg (Debian, Ubuntu)")
    return run(["gdb", "-batch", "-ex", "run", "-ex", f"bt {FRAMES}", "-ex", "py-bt",
                "--args", Path(python).name, str(HERE / "crash.py")], env={"PYTHONPATH": args.plain})


def panic(args: argparse.Namespace) -> str:
    # Set either way: a RUST_BACKTRACE in the caller's environment would decide otherwise
    backtrace = "0" if "panic" in args.sabotage else "1"
    text = run([sys.executable, str(HERE / "panic.py")], env={"RUST_BACKTRACE": backtrace, "PYTHONPATH": args.panic})
    # Keep the backtrace down to our crate's last frame; below it are PyO3's trampoline and
    # the interpreter's frames, then Python's traceback, which is kept whole.
    lines = text.splitlines()
    ours = [i for i, line in enumerate(lines) if "panic_demo/src/" in line]
    note = next((i for i, line in enumerate(lines) if line.startswith("note: Some details are omitted")), None)
    if ours and note is not None and ours[-1] < note:
        frames = sum(1 for line in lines[ours[-1] + 1:note] if re.match(r"\s+\d+: ", line))
        lines[ours[-1] + 1:note] = [f"   ... {frames} more frames (PyO3's trampoline, the interpreter), trimmed by the page"]
    return "\n".join(lines) + "\n"


def asan(args: argparse.Namespace) -> str:
    gcc = need("gcc", "apt-get install gcc")
    libasan = subprocess.run([gcc, "-print-file-name=libasan.so"], capture_output=True, text=True, check=True).stdout.strip()
    if not Path(libasan).exists():
        raise Missing("libasan is not installed: apt-get install libasan8 (or the one matching your gcc)")
    build = args.plain if "asan" in args.sabotage else args.asan
    # The interpreter is not instrumented, so ASan's runtime must be loaded before anything else.
    # detect_leaks=0: the interpreter's own exit-time allocations are not this bug.
    env = {"LD_PRELOAD": libasan, "ASAN_OPTIONS": "detect_leaks=0", "PYTHONPATH": build}
    text = run([sys.executable, "-c", "import recipes_broken; recipes_broken.write_past_end()"], env=env)
    text = text.replace(f"LD_PRELOAD={libasan}", "LD_PRELOAD=$(gcc -print-file-name=libasan.so)")
    head, sep, _shadow = text.partition("Shadow bytes around the buggy address:")
    if sep:
        exit_line = text.rstrip().splitlines()[-1]
        text = head + "(the shadow-byte map and its legend, trimmed by the page)\n" + exit_line + "\n"
    return trim_stacks(text)


def refleaks(args: argparse.Namespace) -> str:
    if not args.debug_python:
        raise Missing("no debug build of CPython: apt-get install python3.11-dbg (Debian, Ubuntu)")
    ALIASES[args.debug_python] = "python3.11-dbg"
    only_balanced = ["-k", "balanced"] if "refleaks" in args.sabotage else []
    # tests/refleaks holds the plugin (nox -s refleaks runs it on the conformance suite)
    return run([args.debug_python, "-m", "pytest", "-p", "pytest_refleaks", "--refleaks", "3:3", "-p", "no:cacheprovider",
                str(HERE / "leaky_tests.py"), *only_balanced],
               env={"PYTHONPATH": f"{ROOT / 'tests' / 'refleaks'}:{args.plain}"})


def perf(args: argparse.Namespace) -> str:
    need("perf", "apt-get install linux-perf (Debian) | linux-tools-generic (Ubuntu)")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "perf.data"
        # cpu-clock: a software event, there even in VMs without hardware counters. DWARF call
        # graphs: neither the interpreter nor the extension keeps frame pointers.
        record = run(["perf", "record", "-e", "cpu-clock", "-F", "499", "--call-graph", "dwarf", "-o", str(data),
                      "--", sys.executable, str(HERE / "profile_me.py"), args.corpus, args.module])
        if "[exit status 0]" not in record:
            return record
        report = run(["perf", "report", "-i", str(data), "--stdio", "--no-children", "--sort", "dso,symbol",
                      "--percent-limit", "3", "-G"])
    record = record.replace(str(data), "perf.data")
    # perf prints a random tip at the end of every report: not part of the result
    report = re.sub(r"\n(\n)+", "\n\n", report.replace(str(data), "perf.data"))
    report = "".join(line for line in report.splitlines(keepends=True) if not line.startswith("# (Tip:"))
    return record + "\n" + report


def pyspy(args: argparse.Namespace) -> str:
    tool = need("py-spy", "pip install py-spy")
    ALIASES[tool] = "py-spy"
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "profile.txt"
        record = run([tool, "record", "--native", "--format", "raw", "--rate", "100", "-o", str(raw),
                      "--", sys.executable, str(HERE / "profile_me.py"), args.corpus, args.module])
        record = record.replace(str(raw), "profile.txt")
        stacks = []
        if raw.exists():
            for line in raw.read_text().splitlines():
                stack, _, count = line.rpartition(" ")
                stacks.append((int(count), stack.split(";")))
    # The raw format is one line per distinct stack, root first, with its sample count: show
    # the heaviest stack under each profiled Python function, one frame per line, from the
    # script's own frame down (the import machinery and libc above it are left out).
    out = [record, "The heaviest stack under each Python function (py-spy's raw output, one frame a line):"]
    for function in ("fib_work", "words"):
        under = [(n, s) for n, s in stacks if any(f.startswith(f"{function} (") for f in s)]
        if not under:
            out.append(f"\n{function}: no samples")
            continue
        count, stack = max(under)
        total = sum(n for n, _ in under)
        start = next(i for i, f in enumerate(stack) if f.startswith(f"{function} ("))
        out.append(f"\n{function}: {total} samples in all, {count} in this stack")
        frames = [shown(f).replace(str(HERE.relative_to(ROOT)) + "/", "") for f in stack[start:]]
        i = 0
        while i < len(frames):  # a recursion repeats one frame: print it once with its count
            j = i
            while j < len(frames) and frames[j] == frames[i]:
                j += 1
            out.append(f"  {frames[i]}" + (f"  x{j - i}" if j - i > 1 else ""))
            i = j
    return "\n".join(out) + "\n"


# name -> (make the transcript, the evidence it must contain: regular expressions)
TRANSCRIPTS: dict[str, tuple[Callable[[argparse.Namespace], str], list[str]]] = {
    "faulthandler": (faulthandler, [r"Fatal Python error: Segmentation fault", r'crash\.py", line \d+ in handle']),
    "gdb": (gdb, [r"#0 .*segfault .* at recipes_broken\.c:\d+", r"#1 .* in cfunction_vectorcall_NOARGS",
                  r"Traceback \(most recent call first\)",
                  r'crash\.py", line \d+, in handle']),
    "panic": (panic, [r"panicked at src/lib\.rs:\d+", r"first_word\s*\n\s+at .*panic_demo/src/lib\.rs:\d+",
                      r"__pyfunction_first_word",
                      r"pyo3_runtime\.PanicException: called `Option::unwrap\(\)` on a `None` value"]),
    "asan": (asan, [r"ERROR: AddressSanitizer: heap-buffer-overflow", r"WRITE of size 1",
                    r"#0 .* in write_past_end .*recipes_broken\.c:\d+", r"0 bytes to the right of 16-byte region",
                    r"SUMMARY: AddressSanitizer"]),
    "refleaks": (refleaks, [r"test_remember_leaks leaked \[\d+, \d+, \d+\] references", r"1 failed, 1 passed"]),
    "perf": (perf, [r"\[\.\] fib_recursive", r"\[\.\] (word_table|count_words|count_chunk|most_common)",
                    r"_PyEval_EvalFrameDefault", r"cfunction_vectorcall_"]),
    "pyspy": (pyspy, [r"fib_work \(profile_me\.py:\d+\)\n  fib_recursive \(recipes_capi/_module\.c:\d+\)",
                      r"words \(profile_me\.py:\d+\)\n  most_common \(recipes_capi/_module\.c:\d+\)",
                      r"fib_recursive_interruptible \(recipes_capi/core\.c", r"count_without_the_gil \(recipes_capi/_module\.c"]),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--plain", required=True, help="folder with recipes_broken built without sanitizers")
    parser.add_argument("--asan", required=True, help="folder with recipes_broken built with ASan and UBSan")
    parser.add_argument("--panic", required=True, help="folder with panic_demo")
    parser.add_argument("--corpus", default="", help="the text most_common counts (default: the benchmark's corpus)")
    parser.add_argument("--module", default="recipes_capi", help="the profiled module")
    parser.add_argument("--debug-python", default="", help="a debug build of CPython with pytest, for the refleak hunt")
    parser.add_argument("--only", default="", help="comma-separated transcript names")
    parser.add_argument("--sabotage", default="", help="comma-separated transcript names to run with a broken input")
    parser.add_argument("--strict", action="store_true", help="fail on a missing tool or missing evidence")
    args = parser.parse_args()
    args.sabotage = set(filter(None, args.sabotage.split(",")))
    if not args.corpus:  # the benchmark's generated 8 MB text, made once into its cache
        sys.path.insert(0, str(ROOT / "bench"))
        import corpus

        args.corpus = str(corpus.default_corpus(ROOT / ".cache" / "bench"))
    chosen = [n for n in args.only.split(",") if n] or list(TRANSCRIPTS)
    args.out.mkdir(parents=True, exist_ok=True)
    summary, problems = {}, []
    for name in chosen:
        make, evidence = TRANSCRIPTS[name]
        started = time.perf_counter()
        try:
            text = make(args)
            missing = [pattern for pattern in evidence if not re.search(pattern, text)]
            status = "ok" if not missing else "missing evidence"
        except Missing as why:
            text, missing, status = f"Not run: {why}.\n", [], "not run"
        except subprocess.TimeoutExpired as why:
            text, missing, status = f"Not run to the end: {shlex.join(map(shown, why.cmd))} took over {why.timeout} s.\n", [], "not run"
        (args.out / f"{name}.txt").write_text(text)
        seconds = round(time.perf_counter() - started, 1)
        summary[name] = {"status": status, "seconds": seconds, "missing": missing}
        print(f"debugging: {name}: {status} ({seconds} s)" + "".join(f"\n  not in the output: {p}" for p in missing))
        if status != "ok":
            problems.append(name)
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    if args.strict and problems:
        print(f"debugging: no evidence from {', '.join(problems)} (see {shown(args.out)}/<name>.txt)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Read the sanitizer logs of a run and decide which reports are ours.

`nox -s sanitize` runs every process with ASAN_OPTIONS/UBSAN_OPTIONS log_path=DIR/asan (DIR/ubsan),
so each process that reports anything leaves one file DIR/asan.<pid>. The frames are printed
with their module ({/path/to/module.so}, see FRAME_FORMAT), which is what this file reads:

- an AddressSanitizer or UBSan error (heap-buffer-overflow, use after free, SEGV, runtime error)
  is always a failure, whatever module it is in;
- a leak (LeakSanitizer, at exit) is ours when a frame of its allocation stack is in one of our
  modules (`--ours LABEL=PATH`, the installed extension modules and librecipes.so); the others
  are the interpreter's and its dependencies' exit-time allocations (modules and interned
  objects CPython does not free at exit, NumPy's import-time tables), counted and listed as
  suppressed. A suppression file cannot say this: LSan suppressions match any frame, so
  suppressing "libpython" would also hide a leak our code makes through PyObject_Malloc.

How far the attribution reaches: the stacks are unwound with frame pointers (the slow DWARF
unwinder costs minutes per test run), and CPython is built without them. An allocation made by
our code (malloc, new, PyMem_Malloc, PyObject_Malloc: these reach malloc by tail calls) has our
frame right after malloc, so it is always attributed; an object that CPython allocates for us
(PyLong_FromLong, PyList_New, ...) may have a stack cut short inside libpython, so a forgotten
Py_DECREF is not reliably ours here: `nox -s refleaks` counts references for that.

    python tests/sanitize/asan_reports.py DIR --ours recipes_capi=/venv/.../recipes_capi [--json OUT]

exits 1 when any report is an error or one of our leaks (and prints each in full), else 0.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

# Each frame: number, address, function, source location or module, then {module} always.
FRAME_FORMAT = '"    #%n %p %F %L {%m}"'
# The runtime options every process runs with (ASAN_OPTIONS and UBSAN_OPTIONS, with log_path):
# an error aborts the process (SIGABRT, whatever its exit status would have been), and a leak
# found at exit leaves the exit status alone (exitcode=0), so that a test which runs a child
# Python and checks its status is not failed by the interpreter's own exit-time allocations;
# this reader decides about leaks.
OPTIONS = ["abort_on_error=1", "exitcode=0", "halt_on_error=1", f"stack_trace_format={FRAME_FORMAT}"]
FRAME = re.compile(r"^\s+#\d+ 0x[0-9a-f]+ .*\{(?P<module>[^{}]*)\}\s*$")
LEAK_HEADER = re.compile(r"^(Direct|Indirect) leak of \d+ byte")


@dataclass
class Report:
    """One sanitizer report: an error, or one leak of a LeakSanitizer summary."""

    path: Path
    kind: str  # "error" or "leak"
    text: str
    modules: list[str] = field(default_factory=list)

    def owner(self, ours: dict[str, Path]) -> str | None:
        """The label of the first of our modules on the stack, or None."""
        for module in self.modules:
            for label, root in ours.items():
                if Path(module) == root or root in Path(module).parents:
                    return label
        return None


def read_reports(log_dir: Path) -> list[Report]:
    reports: list[Report] = []
    for path in sorted(log_dir.glob("*")):
        text = path.read_text(errors="replace")
        if not text.strip():
            continue
        error_lines = [line for line in text.splitlines() if "ERROR:" in line or "runtime error:" in line]
        only_leaks = error_lines and all("ERROR: LeakSanitizer: detected memory leaks" in line for line in error_lines)
        if not only_leaks:  # an error (or anything we do not understand) is reported whole
            reports.append(Report(path, "error", text, _modules(text)))
            continue
        block: list[str] = []
        for line in [*text.splitlines(), ""]:
            if LEAK_HEADER.match(line):
                block = [line]
            elif block and line.strip():
                block.append(line)
            elif block:
                leak = "\n".join(block)
                reports.append(Report(path, "leak", leak, _modules(leak)))
                block = []
    return reports


def _modules(text: str) -> list[str]:
    return [m.group("module") for m in map(FRAME.match, text.splitlines()) if m]


def classify(reports: list[Report], ours: dict[str, Path]) -> dict:
    """{"errors": [...], "ours": {label: [...]}, "suppressed": [...]}: texts of the reports."""
    result: dict = {"errors": [], "ours": {label: [] for label in ours}, "suppressed": []}
    for report in reports:
        owner = report.owner(ours)
        if report.kind == "error":
            result["errors"].append({"file": report.path.name, "owner": owner, "text": report.text})
        elif owner is not None:
            result["ours"][owner].append({"file": report.path.name, "text": report.text})
        else:
            result["suppressed"].append({"file": report.path.name, "text": report.text})
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("log_dir", type=Path)
    parser.add_argument("--ours", action="append", default=[], metavar="LABEL=PATH",
                        help="a module (file or folder) of ours; repeat for each")
    parser.add_argument("--json", type=Path, help="write the classification here")
    args = parser.parse_args(argv)
    ours = {label: Path(path).resolve() for label, path in (item.split("=", 1) for item in args.ours)}
    result = classify(read_reports(args.log_dir), ours)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    for item in result["errors"]:
        print(f"--- sanitizer error in {item['file']} ({item['owner'] or 'no module of ours on the stack'}):\n{item['text']}")
    for label, items in result["ours"].items():
        for item in items:
            print(f"--- leak in {label} ({item['file']}):\n{item['text']}")
    suppressed = result["suppressed"]
    if suppressed:
        modules = sorted({Path(m).name for item in suppressed for m in _modules(item["text"])} - {"libasan.so"})
        print(f"suppressed: {len(suppressed)} exit-time leak(s) with no frame in our modules "
              f"(allocated in: {', '.join(modules[:8])}{', ...' if len(modules) > 8 else ''})")
    failed = len(result["errors"]) + sum(map(len, result["ours"].values()))
    print(f"sanitizer reports: {len(result['errors'])} error(s), "
          f"{sum(map(len, result['ours'].values()))} leak(s) of ours, {len(suppressed)} suppressed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

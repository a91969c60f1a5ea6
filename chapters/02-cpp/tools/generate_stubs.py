"""Regenerate the committed stubs of the pybind11 and nanobind modules.

    pip install ".[test]"                  # the modules, nanobind and pybind11-stubgen
    python tools/generate_stubs.py         # rewrite src/recipes_*/_ext.pyi
    python tools/generate_stubs.py --check # exit 1 if a committed stub is stale

The stubs are generated from the installed extension modules by each library's
own generator (nanobind's stubgen, pybind11-stubgen) and committed, so that the
source tree carries them and a reviewer sees every change to the Python API.
The only change made to the generators' output is the order of the import block,
which this script sorts the way isort (and ruff's I rules) want.
Boost.Python has no generator: src/recipes_boost/_ext.pyi is written by hand.
Both kinds are checked against the runtime modules by mypy's stubtest
(tests/test_stubs.py).
"""

from __future__ import annotations

import argparse
import difflib
import subprocess
import sys
import tempfile
from pathlib import Path

CHAPTER = Path(__file__).resolve().parent.parent


def nanobind_stub(module: str, out_dir: Path) -> Path:
    target = out_dir / "nanobind.pyi"
    subprocess.run(
        [sys.executable, "-m", "nanobind.stubgen", "-q", "-m", module, "-o", str(target)],
        check=True,
    )
    return target


def pybind11_stub(module: str, out_dir: Path) -> Path:
    # Run pybind11-stubgen in a child process, with one fix: version 3.0.0 drops
    # the "/" when *every* parameter is positional-only (its printer only emits
    # "/" before the first parameter that is not), which is all of ours.
    code = f"""
import sys
from pybind11_stubgen import main
from pybind11_stubgen.printer import Printer

original = Printer.print_function

def print_function(self, func):
    lines = original(self, func)
    if func.args and all(arg.pos_only for arg in func.args):
        at = len(func.decorators)
        line = lines[at]
        depth = 0
        for i, char in enumerate(line):
            depth += {{"(": 1, ")": -1}}.get(char, 0)
            if char == ")" and depth == 0:
                lines[at] = line[:i] + ", /" + line[i:]
                break
    return lines

Printer.print_function = print_function
sys.argv = ["pybind11-stubgen", "--exit-code", "-o", {str(out_dir)!r}, {module!r}]
main()
"""
    subprocess.run([sys.executable, "-c", code], check=True, stdout=subprocess.DEVNULL)
    return out_dir.joinpath(*module.split(".")).with_suffix(".pyi")


IMPORT = ("import ", "from ")


def sort_imports(stub: str) -> str:
    """The stub with its import block in isort's order.

    Sections: __future__, then the standard library, then third-party modules (numpy,
    typing_extensions), with a blank line between sections and after the block (a stub's
    convention); in each section `import x` lines first, then `from x import y`, each sorted.
    Neither generator does this.
    """
    lines = stub.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(IMPORT))
    end = first
    while end < len(lines) and (lines[end].startswith(IMPORT) or not lines[end].strip()):
        end += 1
    imports = [line for line in lines[first:end] if line.strip()]

    def section(line: str) -> int:
        top = line.split()[1].partition(".")[0]
        return 0 if top == "__future__" else 1 if top in sys.stdlib_module_names else 2

    block: list[str] = []
    for number in range(3):
        members = [line for line in imports if section(line) == number]
        plain = sorted(line for line in members if line.startswith("import "))
        from_imports = sorted(line for line in members if line.startswith("from "))
        if members:
            block += [*plain, *from_imports, ""]
    return "\n".join([*lines[:first], *block, *lines[end:]]) + "\n"


GENERATORS = {
    "recipes_nanobind._ext": nanobind_stub,
    "recipes_pybind11._ext": pybind11_stub,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare with the committed stubs instead of writing them")
    args = parser.parse_args()
    stale = 0
    with tempfile.TemporaryDirectory() as tmp:
        for module, generate in GENERATORS.items():
            generated = sort_imports(generate(module, Path(tmp)).read_text(encoding="utf-8"))
            committed_path = CHAPTER / "src" / Path(*module.split(".")).with_suffix(".pyi")
            committed = committed_path.read_text(encoding="utf-8") if committed_path.exists() else ""
            if generated == committed:
                print(f"{committed_path.relative_to(CHAPTER)}: up to date")
            elif args.check:
                stale += 1
                sys.stdout.writelines(difflib.unified_diff(
                    committed.splitlines(keepends=True), generated.splitlines(keepends=True),
                    f"committed {committed_path.name}", f"generated from {module}"))
            else:
                committed_path.write_text(generated, encoding="utf-8")
                print(f"{committed_path.relative_to(CHAPTER)}: written")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())

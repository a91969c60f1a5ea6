"""pytest plugin for `nox -s dist`: the modules under test must come from the installed wheel.

Loaded with `-p installed_only` (PYTHONPATH=tests/dist). DIST_IMPORT_NAMES lists the import
names, DIST_PACKAGES any other top-level package of the wheels, DIST_REPORT the JSON file to write. When the run ends, each of them, and every module of
their packages the tests imported, must live in this interpreter's site-packages: tests run
next to a package's sources could import that copy instead and prove nothing about the wheel.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import sysconfig
from pathlib import Path


def pytest_sessionfinish(session, exitstatus):
    names = [n for n in os.environ.get("DIST_IMPORT_NAMES", "").split(",") if n]
    site = sorted({str(Path(sysconfig.get_paths()[k]).resolve()) for k in ("purelib", "platlib")})
    missing = {}
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError as error:
            missing[name] = str(error)
    # and every other top-level package of the wheels (DIST_PACKAGES), such as chapter 6's recipes_clib
    tops = {n.split(".")[0] for n in names} | {p for p in os.environ.get("DIST_PACKAGES", "").split(",") if p}
    found = {name: str(Path(module.__file__).resolve()) for name, module in list(sys.modules.items())
             if name.split(".")[0] in tops and getattr(module, "__file__", None)}
    outside = {name: path for name, path in found.items() if not any(Path(path).is_relative_to(s) for s in site)}
    Path(os.environ["DIST_REPORT"]).write_text(json.dumps(
        {"site_packages": site, "modules": found, "outside": outside, "missing": missing}, indent=2) + "\n")
    lines = [f"installed_only: {name} was imported from {path}, not from {' or '.join(site)}" for name, path in outside.items()]
    lines += [f"installed_only: {name} does not import: {error}" for name, error in missing.items()]
    if lines:
        session.exitstatus = 1
    else:
        lines = [f"installed_only: {len(found)} modules of {', '.join(sorted(tops))} imported, all from site-packages"]
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    for line in lines:
        if reporter is not None:
            reporter.write_line(line, red=bool(outside or missing))

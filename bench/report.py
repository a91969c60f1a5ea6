"""Turn a results JSON from bench/run.py into the Markdown tables and SVG plots the site embeds.

    python bench/report.py .cache/bench/results.json --out-dir docs/generated/bench
    python bench/report.py .cache/bench/results.json --out-dir DIR --build-info .cache/build-info.json
        (also the "Choosing a technology" tables, from chapters/chapters.toml and nox's build record)

The workloads, their labels and their floors come from chapters/recipes.toml, the modules and
the reference from chapters/chapters.toml: nothing here lists recipes, workloads or chapters.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import tokenize
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECIPES_TOML = ROOT / "chapters" / "recipes.toml"
CHAPTERS_TOML = ROOT / "chapters" / "chapters.toml"


def load_recipes() -> tuple[dict, ...]:
    """The recipes of chapters/recipes.toml, in its order (each with its `workload` list)."""
    return tuple(tomllib.loads(RECIPES_TOML.read_text(encoding="utf-8"))["recipe"])


def load_chapters() -> tuple[dict, ...]:
    return tuple(tomllib.loads(CHAPTERS_TOML.read_text(encoding="utf-8"))["chapter"])


def workload_specs() -> dict[str, dict]:
    """Every benchmark workload of recipes.toml by id, in the list's order, with its recipe's slug."""
    return {w["id"]: {**w, "recipe": r["slug"]} for r in load_recipes() for w in r.get("workload", [])}


def workload_label(workload: str) -> str:
    return workload_specs().get(workload, {}).get("label", workload)


def floor_label(data: dict) -> str:
    """How tables name the floor row: the C built-ins that recipes.toml measures as floors."""
    specs = workload_specs()
    calls = dict.fromkeys(specs[w]["floor"] for w in data.get("floor", {}) if specs.get(w, {}).get("floor"))
    return "floor: " + ", ".join(f"`{c}`" for c in calls) if calls else "floor"


# The reference (the first module of chapter 0, pure Python) is what "speedup" divides by.
REFERENCE = min(load_chapters(), key=lambda c: c["id"])["modules"][0]
# The comparison table's two measured columns: the call overhead is the workload measured
# against a floor (a C built-in), compute is this one (pure native work, no boundary in it).
COMPUTE_WORKLOAD = "fibrec30"


def call_workload() -> str | None:
    return next((w for w, spec in workload_specs().items() if spec.get("floor")), None)


def fmt_time(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if seconds >= scale or unit == "ns":
            value = seconds / scale
            return f"{value:.3g} {unit}" if value < 100 else f"{value:.0f} {unit}"
    raise AssertionError


def fmt_ratio(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:.3g}×" if x < 100 else f"{x:.0f}×"


def spread(r: dict) -> str:
    """Median with the interquartile range as a +/- percentage: robust against outliers."""
    half_iqr = (r["q3"] - r["q1"]) / 2
    return nbsp(f"{fmt_time(r['median'])} ± {100 * half_iqr / r['median']:.1f}%")


def nbsp(text: str) -> str:
    """Table cells: keep a figure and its unit (and its spread) on one line."""
    return text.replace(" ", "\u00a0")


def labels(data: dict) -> dict[str, str]:
    """What plots call each module: its import name (variants have a longer label for tables)."""
    return {m["module"]: m["module"] for m in data["modules"]}


def module_cell(data: dict, module: str) -> str:
    """A table cell naming a module: the import name, and a variant's label under it."""
    label = {m["module"]: m.get("label", m["module"]) for m in data["modules"]}.get(module, module)
    return f"`{module}`" + (f"<br><small>{label}</small>" if label != module else "")


def workloads_of(data: dict) -> list[str]:
    """The workloads measured in this run, in the order of recipes.toml (unknown ones last)."""
    seen: list[str] = []
    for per in data["results"].values():
        seen += [w for w in per if w not in seen]
    order = list(workload_specs())
    return sorted(seen, key=lambda w: order.index(w) if w in order else len(order))


def speedup_cell(data: dict, module: str, workload: str, compact: bool = False) -> str:
    ratio = data["ratios"].get(module, {}).get(workload, {}).get("speedup_vs_python")
    return f"{' · ' if compact else '<br>'}**{fmt_ratio(ratio)}**" if ratio and module != REFERENCE else ""


def scoreboard_table(data: dict, workloads: list[str] | None = None, compact: bool = False, link=None) -> str:
    """Module x workload: the median time (± half the IQR unless compact), and the speedup over
    pure Python under it. `link(workload)` makes each column head a link (to the scoreboard)."""
    ws = workloads_of(data) if workloads is None else [w for w in workloads_of(data) if w in workloads]
    heads = [f"[`{w}`]({link(w)})" if link else f"`{w}`" for w in ws]
    lines = ["| module | " + " | ".join(heads) + " |", "|---|" + "---:|" * len(ws)]

    def figure(r: dict) -> str:
        return nbsp(fmt_time(r["median"])) if compact else spread(r)

    floors = data.get("floor", {})
    if any(w in floors for w in ws):
        cells = [figure(floors[w]) if w in floors else "" for w in ws]
        lines.append(f"| *{floor_label(data)}* | " + " | ".join(cells) + " |")
    for module, per in data["results"].items():
        cells = [figure(per[w]) + speedup_cell(data, module, w, compact) if w in per else "–" for w in ws]
        lines.append(f"| {module_cell(data, module)} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def workload_table(data: dict, workload: str) -> str:
    floor = data.get("floor", {}).get(workload)
    lines = [
        "| module | median ± IQR/2 | speedup vs Python | relative to C API |" + (" relative to floor |" if floor else ""),
        "|---|---:|---:|---:|" + ("---:|" if floor else ""),
    ]
    if floor:
        lines.append(f"| *{floor_label(data)}* | {spread(floor)} | | | 1× |")
    for module, per in data["results"].items():
        if workload not in per:
            continue
        r = data["ratios"][module][workload]
        row = f"| {module_cell(data, module)} | {spread(per[workload])} | {fmt_ratio(r.get('speedup_vs_python'))} | {fmt_ratio(r.get('relative_to_capi'))} |"
        if floor:
            row += f" {fmt_ratio(r.get('relative_to_floor'))} |"
        lines.append(row)
    return "\n".join(lines) + "\n"


def environment_table(data: dict) -> str:
    env = data["environment"]
    m, py = env["machine"], env["python"]
    rows = [
        ("run", f"{env['created']}, {env['mode']} mode, {data['seconds']:.0f} s"),
        ("CPU", f"{m['cpu']}, {m['cores']} cores" + (f", {m['memory_gb']} GiB" if m.get("memory_gb") else "")),
        ("OS", m["platform"]),
        ("Python", f"{py['implementation']} {py['version']} ({py['compiler']})"),
    ]
    rows += [(k, f"`{v}`") for k, v in env["compilers"].items()]
    rows.append(("packages", ", ".join(f"{k} {v}" for k, v in env["packages"].items())))
    for folder, crates in env.get("crates", {}).items():
        rows.append((f"crates ({folder})", ", ".join(f"{k} {v}" for k, v in crates.items())))
    for folder, reqs in env.get("build_requirements", {}).items():
        rows.append((f"builds ({folder})", ", ".join(f"`{r}`" for r in reqs)))
    c = env["corpus"]
    rows.append(("corpus", f"{c['path']}: {c['bytes'] / 2**20:.1f} MiB, {c['words']:,} words, {c['distinct_words']:,} distinct (sha256 {c['sha256']}…)"))
    return "| | |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows) + "\n"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "extending-python", "svg.fonttype": "path", "font.size": 9})
    return plt


def write_if_changed(path: Path, data: bytes) -> Path:
    """Leave an unchanged file alone, so a live-reloading docs server does not rebuild forever."""
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)
    return path


def _save(fig, path: Path) -> Path:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    _pyplot().close(fig)
    return write_if_changed(path, buffer.getvalue())


def chapter_colours(data: dict) -> dict[str, str]:
    """One colour per chapter, the same in every plot (a chapter's modules share it)."""
    palette = ["#3f51b5", "#e65100", "#2e7d32", "#6a1b9a", "#00838f", "#c62828", "#795548", "#ad1457", "#558b2f", "#4e342e"]
    chapters = sorted({m.get("chapter") if m.get("chapter") is not None else 99 for m in data["modules"]})
    by_chapter = {c: palette[i % len(palette)] for i, c in enumerate(chapters)}
    return {m["module"]: by_chapter[m.get("chapter") if m.get("chapter") is not None else 99] for m in data["modules"]}


def plot_workload(data: dict, workload: str, path: Path) -> Path:
    """Horizontal bars of the median time (log scale when the range needs it), quartiles as error
    bars, each bar labelled with its time and its speedup over pure Python."""
    plt = _pyplot()
    name = labels(data)
    colours = chapter_colours(data)
    rows = [(m, name.get(m, m), per[workload]) for m, per in data["results"].items() if workload in per]
    if workload in data.get("floor", {}):
        rows.insert(0, (None, floor_label(data).replace("`", ""), data["floor"][workload]))
    fig, ax = plt.subplots(figsize=(7.0, 0.34 * len(rows) + 1.0))
    y = list(range(len(rows)))
    med = [r["median"] * 1e9 for _, _, r in rows]
    err = [[max(0.0, (r["median"] - r["q1"]) * 1e9) for _, _, r in rows], [max(0.0, (r["q3"] - r["median"]) * 1e9) for _, _, r in rows]]
    ax.barh(y, med, xerr=err, color=[colours.get(m, "#9e9e9e") if m else "#bdbdbd" for m, _, _ in rows],
            capsize=2, error_kw={"elinewidth": 0.8, "ecolor": "#424242"})
    ax.set_yticks(y, [label for _, label, _ in rows])
    ax.invert_yaxis()
    log = max(med) / min(med) > 20
    if log:
        ax.set_xscale("log")
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt_time(x * 1e-9) if x > 0 else "0"))
    ax.set_xlabel(f"median time per call{' (log scale)' if log else ''}; error bars: quartiles")
    ax.set_title(workload_label(workload), loc="left", fontsize=10)
    for i, (m, _, r) in enumerate(rows):
        speedup = data["ratios"].get(m, {}).get(workload, {}).get("speedup_vs_python") if m else None
        text = fmt_time(r["median"]) + (f"  ({fmt_ratio(speedup)} Python)" if speedup and m != REFERENCE else "")
        ax.annotate(text, (r["q3"] * 1e9, i), xytext=(4, 0), textcoords="offset points", va="center", fontsize=7)
    ax.set_xlim(right=max(r["q3"] for _, _, r in rows) * 1e9 * (8 if log else 1.45))
    ax.grid(axis="x", which="both", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    return _save(fig, path)


def plot_ratio_heatmap(data: dict, path: Path, key: str, title: str, higher_is_better: bool) -> Path:
    """Module x workload, each cell a ratio from this run, coloured on a log scale around 1x."""
    import numpy as np
    from matplotlib.colors import LogNorm

    plt = _pyplot()
    name = labels(data)
    ws = workloads_of(data)
    modules = [m for m in data["ratios"] if any(key in data["ratios"][m].get(w, {}) for w in ws)]
    grid = np.full((len(modules), len(ws)), np.nan)
    for i, m in enumerate(modules):
        for j, w in enumerate(ws):
            value = data["ratios"][m].get(w, {}).get(key)
            if value:
                grid[i, j] = value
    finite = grid[np.isfinite(grid)]
    span = max(2.0, float(np.nanmax(np.abs(np.log10(finite)))) if finite.size else 1.0)
    norm = LogNorm(vmin=10 ** -span, vmax=10 ** span)
    fig, ax = plt.subplots(figsize=(1.05 * len(ws) + 2.6, 0.36 * len(modules) + 1.3))
    image = ax.imshow(grid, cmap="RdYlGn" if higher_is_better else "RdYlGn_r", norm=norm, aspect="auto")
    ax.set_xticks(range(len(ws)), ws)
    ax.set_yticks(range(len(modules)), [name.get(m, m) for m in modules])
    ax.xaxis.tick_top()
    for i in range(len(modules)):
        for j in range(len(ws)):
            if np.isfinite(grid[i, j]):
                strong = abs(np.log10(grid[i, j])) > span * 0.6
                ax.text(j, i, fmt_ratio(grid[i, j]), ha="center", va="center", fontsize=7, color="white" if strong else "black")
    ax.set_title(title, fontsize=10, pad=24, loc="left")
    from matplotlib.ticker import FuncFormatter

    bar = fig.colorbar(image, ax=ax, shrink=0.8, pad=0.02, format=FuncFormatter(lambda x, _: fmt_ratio(x)))
    bar.ax.tick_params(labelsize=7)
    return _save(fig, path)


# --- "Choosing a technology": the comparison tables ----------------------------------------
#
# Measured columns come from this run (results JSON) and from nox's build record
# (.cache/build-info.json: build seconds and the native files of each wheel); the code columns
# are counted in the chapter folders; the fact columns are the chapters.toml fields
# gil_release, stable_abi, free_threading and maintenance (a string, or a table keyed by
# import name when a chapter's modules differ). Nothing in these tables is typed by hand.

FACTS = ("gil_release", "stable_abi", "free_threading", "maintenance")
SKIP_DIRS = {"build", "target", "dist", ".venv", "venv", "__pycache__", ".pytest_cache", ".nox", "builddir"}


def distinguishing_name(module: str) -> str:
    """What sets a module apart from its chapter siblings: recipes_pybind11 -> pybind11."""
    return module.rsplit(".", maxsplit=1)[-1].removeprefix("recipes_")


def attribute(paths: list[str], module: str, siblings: list[str]) -> list[str]:
    """The files that belong to a module: those named after it, plus those named after no sibling (shared)."""
    def owner(path: str) -> str | None:
        hits = [m for m in siblings if re.search(rf"(?<![A-Za-z0-9]){re.escape(distinguishing_name(m))}(?![A-Za-z0-9])", path)]
        return max(hits, key=lambda m: len(distinguishing_name(m))) if hits else None
    return [p for p in paths if owner(p) in (module, None)]


def code_lines(path: Path) -> int:
    """Non-blank lines that are not comments (C, C++ and Rust comments; Python/Cython comments and docstrings)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".py", ".pyx", ".pxd", ".pyi"):
        skip: set[int] = set()
        try:
            tokens = [t for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type != tokenize.NL]
        except (tokenize.TokenError, SyntaxError):  # not tokenizable as Python: count non-comment lines
            tokens = []
            skip = {i for i, line in enumerate(text.splitlines(), 1) if line.strip().startswith("#")}
        for i, tok in enumerate(tokens):
            if tok.type == tokenize.COMMENT and not tok.line[: tok.start[1]].strip():
                skip.add(tok.start[0])
            elif tok.type == tokenize.STRING:
                before = [t for t in tokens[:i] if t.type != tokenize.COMMENT][-1:]
                after = [t for t in tokens[i + 1:] if t.type != tokenize.COMMENT][:1]
                starts_statement = not before or before[0].type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
                if starts_statement and after and after[0].type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                    skip.update(range(tok.start[0], tok.end[0] + 1))  # a docstring: documentation, not code
        return sum(1 for i, line in enumerate(text.splitlines(), 1) if line.strip() and i not in skip)
    # C-like: drop /* ... */ blocks and // comments (string literals with comment markers are rare in bindings)
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return sum(1 for line in text.splitlines() if line.strip() and not line.strip().startswith("//"))


def chapter_files(folder: Path, pattern: str) -> list[Path]:
    return sorted(p for p in folder.rglob(pattern) if not (set(p.relative_to(folder).parts[:-1]) & SKIP_DIRS)
                  and not any(part.endswith(".egg-info") for part in p.parts))


def stubs_for(module: str, folder: Path) -> list[str]:
    """The .pyi files that type a module: named after it, or inside its package."""
    parts = module.split(".")
    found = []
    for p in chapter_files(folder, "*.pyi"):
        rel = p.relative_to(folder).with_suffix("").parts
        if parts[-1] in rel or (len(parts) == 1 and parts[0] in rel):
            found.append(p.relative_to(folder).as_posix())
    return found


def fact(chapter: dict, key: str, module: str, strict: bool) -> str:
    value = chapter.get(key)
    if isinstance(value, dict):
        value = value.get(module, value.get("default"))
    if not value:
        if strict:
            raise ValueError(f"chapters.toml: chapter {chapter['id']} ({chapter['folder']}) has no `{key}` for {module}")
        return "–"
    return str(value)


BINDING_CRATES = ("pyo3", "cpython", "bindgen", "cbindgen")


def build_pins(project: Path, module: str, siblings: list[str], chapter_folder: Path | None = None) -> list[str]:
    """What the project builds with: its [build-system] requires and the binding crates of its
    Cargo.lock, keeping those that belong to this module (pybind11 for recipes_pybind11) or to all."""
    pins = []
    pyproject = project / "pyproject.toml"
    if pyproject.is_file():
        pins += tomllib.loads(pyproject.read_text()).get("build-system", {}).get("requires", [])
    lock = project / "Cargo.lock"
    if not lock.is_file() and chapter_folder is not None:
        lock = chapter_folder / "Cargo.lock"  # a variant sub-project builds the chapter's crate
    if lock.is_file():
        pins += [f"{p['name']} {p['version']} (crate)" for p in tomllib.loads(lock.read_text()).get("package", [])
                 if p["name"] in BINDING_CRATES]
    return attribute(pins, module, siblings)


LOADED_LIBRARIES = """
import importlib, sys
importlib.import_module(sys.argv[1])
with open("/proc/self/maps") as maps:
    print("\\n".join(sorted({line.split()[-1] for line in maps if ".so" in line.rsplit("/", 1)[-1]})))
"""


def loaded_native_files(module: str, wheel_files: list[str]) -> list[str] | None:
    """The wheel's native files that `import module` actually maps into the process (Linux:
    /proc/self/maps), so a module is charged for what it loads, dlopen'ed libraries included.
    None where that cannot be observed (not Linux, or the module does not import here)."""
    import subprocess
    import sys

    if not Path("/proc/self/maps").exists():
        return None
    done = subprocess.run([sys.executable, "-c", LOADED_LIBRARIES, module], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return None
    mapped = done.stdout.split()
    return [f for f in wheel_files if any(path.endswith("/" + f) for path in mapped)]


def fmt_bytes(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n / 2**10:.0f} KiB"


def comparison_rows(data: dict, chapters: list[dict], build_info: dict, chapters_dir: Path, strict: bool = True) -> list[dict]:
    rows = []
    for ch in chapters:
        folder = chapters_dir / ch["folder"]
        entries = [(m, m, "", False) for m in ch["modules"]] + [
            (v["module"], v.get("label", v["module"]), v.get("project", ""), True) for v in ch.get("variant", [])]
        holds_gil = {v["module"] for v in ch.get("variant", []) if v.get("releases_gil") is False}
        siblings = [e[0] for e in entries]
        loc_files = list(ch.get("binding_loc", []))
        for module, label, project, variant in entries:
            if module not in data["results"]:
                if strict:
                    raise ValueError(f"{module} (chapter {ch['id']}) was not measured in this benchmark run")
                continue
            key = ch["folder"] + (f"/{project}" if project else "")
            build = build_info.get(key)
            if build is None and strict:
                raise ValueError(f"the build record (.cache/build-info.json) has no entry for {key}: was it built by nox?")
            wheel_natives = sorted((build or {}).get("native_bytes", {}))
            own_natives = loaded_native_files(module, wheel_natives) if wheel_natives else []
            if own_natives is None:  # cannot watch the import: attribute the files by their names
                own_natives = attribute(wheel_natives, module, siblings)
            files = attribute(loc_files, module, siblings)
            missing = [f for f in files if not (folder / f).is_file()]
            if missing:
                raise ValueError(f"chapters.toml: chapter {ch['id']} lists binding_loc {missing}, which do not exist")
            per = data["results"][module]
            ratios = data["ratios"].get(module, {})
            call, compute = call_workload(), COMPUTE_WORKLOAD
            rows.append({
                "chapter": ch, "module": module, "label": label, "variant": variant,
                "call": per.get(call), "call_vs_floor": ratios.get(call, {}).get("relative_to_floor"),
                "compute": per.get(compute), "compute_vs_capi": ratios.get(compute, {}).get("relative_to_capi"),
                "build_seconds": build["seconds"] if build else None,
                "shared_build": len([e for e in entries if e[2] == project]) > 1,
                "native_bytes": sum(build["native_bytes"][f] for f in own_natives) if build else None,
                "native_files": own_natives,
                "loc": sum(code_lines(folder / f) for f in files), "loc_files": files,
                "stubs": stubs_for(module, folder),
                # Modules share out the pins by name (pybind11 to recipes_pybind11); a variant is a
                # second build of the same sources and needs all of its project's.
                "pins": build_pins(folder / project if project else folder, module, [] if variant else ch["modules"], folder),
                **{k: fact(ch, k, module, strict) for k in FACTS},
            })
            explicit = isinstance(ch.get("gil_release"), dict) and module in ch["gil_release"]
            if module in holds_gil and not explicit:  # the variant says so: releases_gil = false
                rows[-1]["gil_release"] = "no: a variant that keeps the GIL (`releases_gil = false`)"
    return rows


def free_threading_cell(chapter: dict, module: str, claim: str, freethreaded: dict | None) -> str:
    """What `nox -s freethreaded` found for the module (.cache/freethreaded.json), above what chapters.toml says.

    The result line is the run's own: passed or failed on which interpreter with how many tests,
    not testable on that interpreter, or unsupported. Without a run it says so.
    """
    needs = fact(chapter, "free_threaded_from", module, strict=False)
    if needs == "no":
        return f"**unsupported**<br><small>{claim}</small>"
    result = (freethreaded or {}).get("modules", {}).get(module)
    if result is None:
        return f"**not tested in this build** (`nox -s freethreaded`)<br><small>{claim}</small>"
    interpreter = freethreaded["interpreter"]
    if result["status"] in ("passed", "failed"):
        own, conf = result["chapter_tests"], result["conformance"]
        counts = f"{own['passed']} chapter tests, {conf['passed']} conformance and stress tests"
        return f"**{result['status']} on CPython {interpreter}**, {freethreaded['date']}<br><small>{counts}; {claim}</small>"
    if result["status"] == "not testable":
        return f"**not testable here**: needs {result['needs']}, this run had {interpreter}<br><small>{claim}</small>"
    return f"**{result['status']}**<br><small>{claim}</small>"


def comparison_tables(data: dict, chapters: list[dict], build_info: dict, chapters_dir: Path, strict: bool = True,
                      freethreaded: dict | None = None) -> tuple[str, str]:
    """Two Markdown tables over the same rows: what was measured and counted, and the facts."""
    rows = comparison_rows(data, chapters, build_info, chapters_dir, strict)
    for r in rows:
        r["free_threading"] = free_threading_cell(r["chapter"], r["module"], r["free_threading"], freethreaded)

    def who(r: dict) -> str:
        label = f"<br><small>{r['label']}</small>" if r["label"] != r["module"] else ""
        return f"[{r['chapter']['technology']}](chapters/{r['chapter']['folder']}.md)<br>`{r['module']}`{label}"

    if COMPUTE_WORKLOAD not in workload_specs():
        raise ValueError(f"the comparison table's compute column needs the workload {COMPUTE_WORKLOAD!r}, which recipes.toml lacks")
    measured = [
        f"| technology | call overhead<br><small>`{call_workload()}`, vs the floor</small> "
        f"| compute<br><small>`{COMPUTE_WORKLOAD}`, vs the C API</small> "
        "| build time<br><small>clean wheel build</small> | extension size<br><small>native files in the wheel</small> "
        "| binding code<br><small>lines, no comments</small> |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        call = nbsp(f"{fmt_time(r['call']['median'])} ({fmt_ratio(r['call_vs_floor'])})") if r["call"] else "–"
        compute = nbsp(f"{fmt_ratio(r['compute_vs_capi'])} ({fmt_time(r['compute']['median'])})") if r["compute"] and r["compute_vs_capi"] else "–"
        build = "–" if r["build_seconds"] is None else nbsp(f"{r['build_seconds']:.0f} s") + ("<br><small>one build, all modules</small>" if r["shared_build"] else "")
        size = nbsp(fmt_bytes(r["native_bytes"])) if r["native_bytes"] else "–"
        loc = (f"{r['loc']}<br><small>" + ", ".join(f"`{Path(f).name}`" for f in r["loc_files"]) + "</small>") if r["loc_files"] else "–"
        measured.append(f"| {who(r)} | {call} | {compute} | {build} | {size} | {loc} |")
    facts = [
        "| technology | build backend<br><small>and what it builds with</small> | stubs (`.pyi`) | releases the GIL in `most_common` | stable ABI (abi3) | free-threaded CPython | maintenance |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        stubs = "yes" if r["stubs"] else "no"
        pins = "<br><small>" + "<br>".join(f"`{p}`" for p in r["pins"]) + "</small>" if r["pins"] else ""
        facts.append(f"| {who(r)} | {r['chapter']['backend']}{pins} | {stubs} | {r['gil_release']} | {r['stable_abi']} | {r['free_threading']} | {r['maintenance']} |")
    return "\n".join(measured) + "\n", "\n".join(facts) + "\n"


# --- The concurrency page: two kinds of parallelism, measured in the same runs -----------------

CONCURRENCY = (("words", "words_threads", "native threads: `threads=2` vs `threads=1`"),
               ("words_twice", "words_pool", "Python threads: 2-thread pool vs two calls in a row"))


def concurrency_table(data: dict, freethreaded: dict | None = None) -> str:
    """Speed-ups of threads=2 and of a 2-thread pool, each a ratio of two medians from one run.

    `data` is the site's benchmark run (a GIL build); `freethreaded`, when given, is the quick run
    `nox -s freethreaded` made on the free-threaded interpreter, for the modules that passed there.
    """
    def cells(run: dict | None, module: str) -> list[str]:
        out = []
        for serial, parallel, _ in CONCURRENCY:
            per = (run or {}).get("results", {}).get(module, {})
            if serial in per and parallel in per:
                out.append(f"**{fmt_ratio(per[serial]['median'] / per[parallel]['median'])}**<br><small>"
                           f"{spread(per[serial])} → {spread(per[parallel])}</small>")
            else:
                out.append("–")
        return out

    def version(run: dict) -> str:
        py = run["environment"]["python"]
        return f"{py['version']}{'t' if py.get('free_threaded') else ''}"

    runs = [("", data)] + ([(" (free-threaded)", freethreaded)] if freethreaded else [])
    head = ["module"] + [f"{title}<br><small>CPython {version(run)}{tag}</small>" for tag, run in runs for *_, title in CONCURRENCY]
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    for m in data["modules"]:
        module = m["module"]
        row = [c for _, run in runs for c in cells(run, module)]
        if any(c != "–" for c in row):
            lines.append(f"| `{module}` | " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def write_all(data: dict, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []

    def write(name: str, text: str):
        written.append(write_if_changed(out_dir / name, text.encode()))

    write("scoreboard.md", scoreboard_table(data))
    write("environment.md", environment_table(data))
    for w in workloads_of(data):
        write(f"workload-{w}.md", workload_table(data, w))
        written.append(plot_workload(data, w, out_dir / f"workload-{w}.svg"))
    if any("speedup_vs_python" in r for per in data["ratios"].values() for r in per.values()):
        written.append(plot_ratio_heatmap(data, out_dir / "speedup-vs-python.svg", "speedup_vs_python",
                                          "speedup over pure Python, same run (higher is faster)", higher_is_better=True))
    if any("relative_to_capi" in r for per in data["ratios"].values() for r in per.values()):
        written.append(plot_ratio_heatmap(data, out_dir / "relative-to-capi.svg", "relative_to_capi",
                                          "time relative to the C API chapter, same run (lower is faster)", higher_is_better=False))
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", type=Path)
    parser.add_argument("--out-dir", type=Path, required=True)
    parser.add_argument("--build-info", type=Path, help="nox's build record: also write the comparison tables")
    parser.add_argument("--freethreaded", type=Path, help="what `nox -s freethreaded` found (.cache/freethreaded.json)")
    args = parser.parse_args(argv)
    data = json.loads(args.results.read_text())
    for path in write_all(data, args.out_dir):
        print(f"report: wrote {path}")
    if args.build_info:
        chapters = list(load_chapters())
        freethreaded = json.loads(args.freethreaded.read_text()) if args.freethreaded and args.freethreaded.exists() else None
        measured, facts = comparison_tables(data, chapters, json.loads(args.build_info.read_text()), CHAPTERS_TOML.parent,
                                            freethreaded=freethreaded)
        for name, text in (("comparison-measured.md", measured), ("comparison-facts.md", facts)):
            print(f"report: wrote {write_if_changed(args.out_dir / name, text.encode())}")


if __name__ == "__main__":
    main()

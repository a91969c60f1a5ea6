"""Turn a results JSON from bench/run.py into the Markdown tables and SVG plots the site embeds.

    python bench/report.py .cache/bench/results.json --out-dir docs/generated/bench
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

WORKLOAD_TITLES = {
    "call": "call overhead: fib(0)",
    "fib90": "fib(90)",
    "fibrec30": "fib_recursive(30)",
    "recurrence": "90 terms of LinearRecurrence",
    "words": "most_common on the 8 MB corpus",
    "pi": "calc_pi(1000)",
}


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
    return f"{fmt_time(r['median'])} ± {100 * half_iqr / r['median']:.1f}%"


def labels(data: dict) -> dict[str, str]:
    return {m["module"]: m["label"] for m in data["modules"]}


def workloads_of(data: dict) -> list[str]:
    seen = []
    for per in data["results"].values():
        for w in per:
            if w not in seen:
                seen.append(w)
    return [w for w in WORKLOAD_TITLES if w in seen]


def scoreboard_table(data: dict) -> str:
    """Module x workload: median time, and the speedup over pure Python under it."""
    ws = workloads_of(data)
    name = labels(data)
    lines = ["| module | " + " | ".join(f"`{w}`" for w in ws) + " |", "|---|" + "---:|" * len(ws)]
    if data.get("floor"):
        cells = [spread(data["floor"]["call"]) if w == "call" else "" for w in ws]
        lines.append("| *floor: `abs(0)`* | " + " | ".join(cells) + " |")
    for module, per in data["results"].items():
        cells = []
        for w in ws:
            if w not in per:
                cells.append("–")
                continue
            ratio = data["ratios"][module][w].get("speedup_vs_python")
            cells.append(spread(per[w]) + (f"<br>**{fmt_ratio(ratio)}**" if ratio and module != "recipes_python" else ""))
        lines.append(f"| `{name.get(module, module)}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def workload_table(data: dict, workload: str) -> str:
    name = labels(data)
    lines = [
        "| module | median ± IQR/2 | speedup vs Python | relative to C API |" + (" relative to floor |" if workload == "call" else ""),
        "|---|---:|---:|---:|" + ("---:|" if workload == "call" else ""),
    ]
    if workload == "call" and data.get("floor"):
        f = data["floor"]["call"]
        lines.append(f"| *floor: `abs(0)`* | {spread(f)} | | | 1× |")
    for module, per in data["results"].items():
        if workload not in per:
            continue
        r = data["ratios"][module][workload]
        row = f"| `{name.get(module, module)}` | {spread(per[workload])} | {fmt_ratio(r.get('speedup_vs_python'))} | {fmt_ratio(r.get('relative_to_capi'))} |"
        if workload == "call":
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
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    _pyplot().close(fig)
    return write_if_changed(path, buffer.getvalue())


def plot_workload(data: dict, workload: str, path: Path) -> Path:
    """Horizontal bars of the median time (log scale), with the quartiles as error bars."""
    plt = _pyplot()
    name = labels(data)
    rows = [(name.get(m, m), per[workload]) for m, per in data["results"].items() if workload in per]
    if workload == "call" and data.get("floor"):
        rows.insert(0, ("floor: abs(0)", data["floor"]["call"]))
    fig, ax = plt.subplots(figsize=(6.5, 0.32 * len(rows) + 0.9))
    y = range(len(rows))
    med = [r["median"] * 1e9 for _, r in rows]
    err = [[(r["median"] - r["q1"]) * 1e9 for _, r in rows], [(r["q3"] - r["median"]) * 1e9 for _, r in rows]]
    colors = ["#9e9e9e" if label.startswith("floor") else "#3f51b5" if label == "recipes_python" else "#ff7043" for label, _ in rows]
    ax.barh(list(y), med, xerr=err, color=colors, capsize=2)
    ax.set_yticks(list(y), [label for label, _ in rows])
    ax.invert_yaxis()
    if max(med) / min(med) > 20:
        ax.set_xscale("log")
    ax.set_xlabel("median time per call, ns (log scale)" if ax.get_xscale() == "log" else "median time per call, ns")
    ax.set_title(WORKLOAD_TITLES[workload])
    for i, (_, r) in enumerate(rows):
        ax.annotate(fmt_time(r["median"]), (r["median"] * 1e9, i), xytext=(4, 0), textcoords="offset points", va="center", fontsize=7)
    ax.grid(axis="x", which="both", alpha=0.3)
    return _save(fig, path)


def plot_speedups(data: dict, path: Path, key: str, title: str) -> Path:
    """One line of markers per module across the workloads: speedup vs Python or time vs the C API."""
    plt = _pyplot()
    name = labels(data)
    ws = workloads_of(data)
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    markers = "os^Dv<>pPX*h"
    for i, (module, per) in enumerate(data["ratios"].items()):
        xs = [j for j, w in enumerate(ws) if key in per.get(w, {})]
        ys = [per[ws[j]][key] for j in xs]
        if xs and module not in ("recipes_python",):
            ax.plot(xs, ys, marker=markers[i % len(markers)], linestyle="-", linewidth=0.6, label=name.get(module, module))
    ax.set_xticks(range(len(ws)), ws)
    ax.set_yscale("log")
    ax.axhline(1.0, color="#666", linewidth=0.8)
    ax.set_title(title)
    ax.grid(axis="y", which="both", alpha=0.3)
    if ax.get_lines()[1:]:  # the first line is the 1x reference
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return _save(fig, path)


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
        written.append(plot_speedups(data, out_dir / "speedup-vs-python.svg", "speedup_vs_python", "speedup over pure Python (higher is faster)"))
    if any("relative_to_capi" in r for per in data["ratios"].values() for r in per.values()):
        written.append(plot_speedups(data, out_dir / "relative-to-capi.svg", "relative_to_capi", "time relative to the C API chapter (lower is faster)"))
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", type=Path)
    parser.add_argument("--out-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    for path in write_all(json.loads(args.results.read_text()), args.out_dir):
        print(f"report: wrote {path}")


if __name__ == "__main__":
    main()

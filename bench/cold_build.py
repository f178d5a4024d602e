"""Cold-CLI build of the seed: wall time and peak memory of `policykg build`, as a user runs it.

Each run is a fresh process (`python -m policykg build SEED --out TMP`): interpreter start,
imports, parse, extract, map, reason, gate and write all count. Peak memory is the child's
maximum resident set size. Also times a plain rdflib parse of the build's policykg.nt in the
same run, so the build can be read as a ratio to it.

    python bench/cold_build.py [--runs 5] [--write bench/RESULTS.md]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "sources" / "2020-09-services-trade-pilot-areas-data.md"


def run_child(args: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{proc.stderr.read().decode()}")
    return wall, usage.ru_maxrss


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    return f"{os.cpu_count()} cores ({cpu}), {mem / 1024:.0f} GiB, Python {platform.python_version()}, {platform.system()}"


def emit(text: str, write: Path | None = None, json_path: Path | None = None, figures: object = None) -> None:
    """Print a benchmark's Markdown section; append it to ``write`` and dump ``figures`` as JSON
    to ``json_path`` when asked (the ``--write`` and ``--json`` options of every benchmark)."""
    print(text)
    if json_path:
        json_path.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    if write:
        with write.open("a", encoding="utf-8") as handle:
            handle.write("\n" + text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", type=Path, help="append the table to this Markdown file")
    args = parser.parse_args()
    walls, peaks, parses = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            wall, peak = run_child([sys.executable, "-m", "policykg", "build", str(SEED), "--out", f"{tmp}/dist"])
            walls.append(wall)
            peaks.append(peak)
            code = f"import rdflib; rdflib.Graph().parse('{tmp}/dist/policykg.nt', format='nt')"
            parse, _ = run_child([sys.executable, "-c", code])
            parses.append(parse)
        triples = sum(1 for line in Path(f"{tmp}/dist/policykg.nt").read_text().splitlines() if line.strip())
    build_s, parse_s = statistics.median(walls), statistics.median(parses)
    lines = [
        f"### Cold `policykg build` of the seed ({time.strftime('%Y-%m-%d')})",
        "",
        f"Machine: {machine()}. {args.runs} runs, each a fresh process; medians.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| wall time, cold CLI build | {build_s:.2f} s (min {min(walls):.2f}, max {max(walls):.2f}) |",
        f"| peak memory (max RSS) | {max(peaks) / 1024:.0f} MiB |",
        f"| policykg.nt triples | {triples} |",
        f"| cold rdflib parse of policykg.nt (same run) | {parse_s:.2f} s |",
        f"| build / rdflib parse | {build_s / parse_s:.1f}x |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        with args.write.open("a", encoding="utf-8") as handle:
            handle.write(text + "\n")


if __name__ == "__main__":
    main()

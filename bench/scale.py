"""How the build's cost grows with the corpus: N = 1, 10, 100, 1,000 generated policy updates.

For each N, in one run on one machine:

* ``bench/corpus.py`` writes N documents (deterministic, seed 0) with their gold facts;
* a fresh process runs :func:`policykg.build.build` on them: wall time, peak memory (the
  child's maximum RSS), triples per named graph, each stage's seconds (parse, extract, map,
  store, reason, gate, write), and how many of the corpus's gold facts the build lacks (the
  extractor is checked at scale, not only timed; tests/test_corpus.py checks the converse,
  nothing extra, document by document);
* a fresh process parses the build's ``policykg.nq`` (all four graphs) with rdflib: the
  baseline every stage is given as a ratio to, as is the whole build;
* query latency: a cold ``policykg query`` (a fresh process: start, load the build, answer) and,
  on a store loaded once, the median of 5 runs of each query of ``bench/queries/``.

Then the targets: 1,000 documents built and gated in at most 60 s and 2 GiB, time(1,000) /
time(100) at most 12, a cold ``policykg query`` on the seed at most 0.5 s, ``policykg --help`` at
most 0.3 s. Benchmarks report; they do not assert (that is the tests' job).

    python bench/scale.py [--sizes 1 10 100 1000] [--write bench/RESULTS.md]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

from cold_build import machine  # noqa: E402

SEED = ROOT / "sources" / "2020-09-services-trade-pilot-areas-data.md"
STAGES = ("parse", "extract", "map", "store", "reason", "gate", "write")

#: Run in the child: build, then print what the parent needs as one JSON line.
CHILD = r"""
import json, sys
from pathlib import Path
from policykg.build import build
sources = sorted(Path(sys.argv[1]).glob("*.md"))
result = build(sources, sys.argv[2])
print(json.dumps({"published": result.published, "timings": result.timings,
                  "triples": result.triples, "refusals": list(result.refusals)}))
"""

#: Run in the child: does the build hold every gold fact of every document?
GOLD = r"""
import sys
from pathlib import Path
import pyoxigraph as ox
store = ox.Store()
store.load(path=str(Path(sys.argv[2]) / "policykg.nq"), format=ox.RdfFormat.N_QUADS)
# the gold states facts as tests/gold/README.md writes them (pol:partOf, say), which the
# build may assert or infer (from pol:hasPart): either graph counts.
graphs = [ox.NamedNode("https://w3id.org/policykg/graph/" + g) for g in ("data", "inferences")]
missing = total = 0
for gold in sorted(Path(sys.argv[1]).glob("*.ttl")):
    for t in ox.parse(path=str(gold), format=ox.RdfFormat.TURTLE):
        total += 1
        missing += not any(ox.Quad(t.subject, t.predicate, t.object, g) in store for g in graphs)
print(total, missing)
"""


def run(args: list[str]) -> tuple[float, str]:
    """Wall seconds and stdout of one child process."""
    start = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{proc.stderr.decode()[-2000:]}")
    return time.perf_counter() - start, proc.stdout.decode()


def run_peak(args: list[str]) -> tuple[float, int, str]:
    """As :func:`run`, with the child's peak RSS (KiB) from ``wait4``."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"failed: {' '.join(args)}\n{err.read().decode()[-2000:]}")
        return wall, usage.ru_maxrss, out.read().decode()


def query_latency(build: Path) -> dict[str, float]:
    """Median seconds of 5 runs of each bench query on a store loaded once."""
    import pyoxigraph as ox

    store = ox.Store()
    store.load(path=str(build / "policykg.nq"), format=ox.RdfFormat.N_QUADS)
    out = {}
    for path in sorted((ROOT / "bench" / "queries").glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        times = []
        for _ in range(5):
            start = time.perf_counter()
            result = store.query(text, use_default_graph_as_union=True)
            sum(1 for _ in result)
            times.append(time.perf_counter() - start)
        out[path.stem] = statistics.median(times)
    return out


def measure(n: int, tmp: Path) -> dict:
    from corpus import generate

    src = tmp / f"corpus-{n}"
    src.mkdir()
    for doc in generate(n, seed=0):
        (src / f"{doc.name}.md").write_text(doc.text, encoding="utf-8")
        (src / f"{doc.name}.ttl").write_text(doc.gold, encoding="utf-8")
    out = tmp / f"dist-{n}"
    wall, peak, stdout = run_peak([sys.executable, "-c", CHILD, str(src), str(out)])
    result = json.loads(stdout.strip().splitlines()[-1])
    _, gold = run([sys.executable, "-c", GOLD, str(src), str(out)])
    gold_total, gold_missing = map(int, gold.split())
    parse, parse_peak, _ = run_peak([sys.executable, "-c",
                                     "import sys, rdflib; rdflib.Dataset().parse(sys.argv[1], format='nquads')",
                                     str(out / "policykg.nq")])
    cold_query, _, _ = run_peak([sys.executable, "-m", "policykg", "query", "--dist", str(out), "--format", "csv",
                                 str(ROOT / "bench" / "queries" / "02-measures-per-agency.rq")])
    latency = query_latency(out)
    return {"n": n, "wall": wall, "peak_kib": peak, "published": result["published"],
            "timings": result["timings"], "triples": result["triples"], "gold_total": gold_total,
            "gold_missing": gold_missing, "rdflib_parse": parse, "rdflib_parse_peak_kib": parse_peak,
            "cold_query": cold_query, "latency": latency,
            "output_mib": sum(f.stat().st_size for f in out.iterdir()) / 2**20}


def seed_cli() -> dict[str, float]:
    """Median of 5: cold `policykg --help`, cold `policykg query` on a build of the seed."""
    with tempfile.TemporaryDirectory() as tmp:
        run([sys.executable, "-m", "policykg", "build", str(SEED), "--out", f"{tmp}/dist"])
        helps = [run_peak([sys.executable, "-m", "policykg", "--help"])[0] for _ in range(5)]
        queries = [run_peak([sys.executable, "-m", "policykg", "query", "--dist", f"{tmp}/dist", "--format", "csv",
                             str(ROOT / "bench" / "queries" / "02-measures-per-agency.rq")])[0] for _ in range(5)]
        builds = [run_peak([sys.executable, "-m", "policykg", "build", str(SEED), "--out", f"{tmp}/dist{i}"])[0]
                  for i in range(5)]
    return {"help": statistics.median(helps), "query": statistics.median(queries), "build": statistics.median(builds)}


def report(rows: list[dict], cli: dict[str, float]) -> str:
    lines = [
        f"### Scale: N generated documents (`python bench/scale.py`, {time.strftime('%Y-%m-%d')})",
        "",
        f"Machine: {machine()}. One run; every figure of a row from that row's build, each build and "
        "each parse a fresh process. Ratios in the second table are to a cold rdflib parse of the same "
        "build's `policykg.nq` (all four graphs), measured in the same run.",
        "",
        "| N | wall s | peak MiB | data | inferred | provenance | all quads | gold facts (missing) "
        "| output MiB | rdflib parse s | cold query s | warm query ms (median of medians) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        t = r["triples"]
        warm = statistics.median(r["latency"].values()) * 1000
        lines.append(
            f"| {r['n']} | {r['wall']:.2f} | {r['peak_kib'] / 1024:.0f} | {t['data']} | {t['inferences']} | "
            f"{t['provenance']} | {sum(t.values())} | {r['gold_total']} ({r['gold_missing']}) | "
            f"{r['output_mib']:.1f} | {r['rdflib_parse']:.2f} | {r['cold_query']:.2f} | {warm:.2f} |")
    lines += ["", "Stage seconds, and each as a ratio to the rdflib parse of the output:", "",
              "| N | " + " | ".join(STAGES) + " | whole build |", "|---|" + "---|" * (len(STAGES) + 1)]
    for r in rows:
        p = r["rdflib_parse"]
        cells = [f"{r['timings'].get(s, 0.0):.2f} ({r['timings'].get(s, 0.0) / p:.2f}x)" for s in STAGES]
        lines.append(f"| {r['n']} | " + " | ".join(cells) + f" | {r['wall']:.2f} ({r['wall'] / p:.2f}x) |")
    by_n = {r["n"]: r for r in rows}
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    if 1000 in by_n:
        r = by_n[1000]
        lines.append(f"| 1,000 documents built and gated ≤ 60 s | {r['wall']:.1f} s | {'yes' if r['wall'] <= 60 else 'NO'} |")
        lines.append(f"| ... with ≤ 2 GiB peak memory | {r['peak_kib'] / 2**20:.2f} GiB | "
                     f"{'yes' if r['peak_kib'] <= 2 * 2**20 else 'NO'} |")
        if 100 in by_n:
            ratio = r["wall"] / by_n[100]["wall"]
            lines.append(f"| time(1,000) / time(100) ≤ 12 | {ratio:.1f} | {'yes' if ratio <= 12 else 'NO'} |")
    lines.append(f"| seed: cold `policykg build` ≤ 2 s | {cli['build']:.2f} s | {'yes' if cli['build'] <= 2 else 'NO'} |")
    lines.append(f"| seed: cold `policykg query` ≤ 0.5 s | {cli['query']:.2f} s | {'yes' if cli['query'] <= 0.5 else 'NO'} |")
    lines.append(f"| `policykg --help` ≤ 0.3 s | {cli['help']:.2f} s | {'yes' if cli['help'] <= 0.3 else 'NO'} |")
    missing = sum(r["gold_missing"] for r in rows)
    lines.append(f"| every gold fact built (all N) | {missing} missing | {'yes' if missing == 0 else 'NO'} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100, 1000])
    parser.add_argument("--write", type=Path, help="append the tables to this Markdown file")
    parser.add_argument("--json", type=Path, help="also write the raw figures as JSON")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            print(f"N = {n} ...", file=sys.stderr, flush=True)
            rows.append(measure(n, Path(tmp)))
    cli = seed_cli()
    text = report(rows, cli)
    print(text)
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "cli": cli}, indent=1), encoding="utf-8")
    if args.write:
        with args.write.open("a", encoding="utf-8") as handle:
            handle.write("\n" + text)


if __name__ == "__main__":
    main()

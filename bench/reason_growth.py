"""How OWL 2 RL reasoning grows with the corpus: naive and semi-naive evaluation, N = 100, 300, 1,000.

For each N, in one run on one machine:

* ``bench/corpus.py`` writes N documents (deterministic, seed 0), and the build's own stages
  (read, extract, reconcile, map) turn them into the data graph, written as N-Triples;
* for each strategy of :func:`policykg.pipeline.reason.infer` (``naive``: every rule in full every round;
  ``semi-naive``: after the first round, only derivations that use a triple new to the rule), a
  fresh process loads the ontology and that data graph into a store and times ``infer()``: wall
  and CPU seconds (the best of ``--repeat`` runs, each on a fresh store), rounds, triples derived
  per round and seconds per round; it also prints a digest of the inferences graph, so that the
  table can say whether both strategies wrote the same graph.

Then the ratios: time(N) / time(smallest N) for each strategy (data growth is the baseline:
the ratio of the data triples), and naive / semi-naive at each N. Benchmarks report; they do
not assert (that is the tests' job: tests/test_reason_rl.py compares the two graphs).

    python bench/reason_growth.py [--sizes 100 300 1000] [--repeat 3] [--write bench/RESULTS.md]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

from cold_build import emit, machine  # noqa: E402

STRATEGIES = ("naive", "semi-naive")

#: Run in the child: the data graph of the N documents, as N-Triples (the build's stages).
DATA = r"""
import sys
from pathlib import Path
import pyoxigraph as ox
from policykg.pipeline.build import extract_all
from policykg.pipeline.lexicon import load_lexicon
from policykg.pipeline.mapping import load_rules, map_records
from policykg.pipeline.reconcile import reconcile
extractions = extract_all(sorted(Path(sys.argv[1]).glob("*.md")), load_lexicon())
triples = map_records(reconcile(extractions).records, load_rules()).triples
Path(sys.argv[2]).write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
"""

#: Run in the child: infer() on a fresh store, ``repeat`` times; one JSON line.
INFER = r"""
import hashlib, json, sys, time
import pyoxigraph as ox
from policykg.graphs import GRAPHS
from policykg.pipeline.reason import infer, load_ontology
path, strategy, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = [ox.Quad(t.subject, t.predicate, t.object, GRAPHS["data"]) for t in ox.parse(path=path)]
runs = []
for _ in range(repeat):
    store = ox.Store()
    load_ontology(store)
    store.extend(data)
    wall, cpu = time.perf_counter(), time.process_time()
    result = infer(store, strategy=strategy)
    runs.append((time.perf_counter() - wall, time.process_time() - cpu, result))
wall, cpu, result = min(runs, key=lambda run: run[1])
lines = sorted(str(q.triple) for q in store.quads_for_pattern(None, None, None, GRAPHS["inferences"]))
print(json.dumps({"wall": wall, "cpu": cpu, "rounds": result.rounds, "added": result.added,
                  "round_derived": result.round_derived, "round_seconds": result.round_seconds,
                  "per_rule": result.per_rule,
                  "digest": hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]}))
"""


def run(args: list[str]) -> str:
    proc = subprocess.run(args, capture_output=True, cwd=ROOT, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args[:3])} ...\n{proc.stderr[-2000:]}")
    return proc.stdout


def measure(n: int, tmp: Path, repeat: int) -> dict:
    from corpus import generate

    src = tmp / f"corpus-{n}"
    src.mkdir()
    for doc in generate(n, seed=0):
        (src / f"{doc.name}.md").write_text(doc.text, encoding="utf-8")
    data = tmp / f"data-{n}.nt"
    run([sys.executable, "-c", DATA, str(src), str(data)])
    triples = sum(1 for line in data.read_text(encoding="utf-8").splitlines() if line.strip())
    row = {"n": n, "data": triples}
    for strategy in STRATEGIES:
        print(f"N = {n}, {strategy} ...", file=sys.stderr, flush=True)
        row[strategy] = json.loads(run([sys.executable, "-c", INFER, str(data), strategy,
                                        str(repeat)]).strip().splitlines()[-1])
    return row


def report(rows: list[dict], repeat: int) -> str:
    lines = [
        (f"### OWL 2 RL reasoning against N (`python bench/reason_growth.py`, "
         f"{time.strftime('%Y-%m-%d')})"),
        "",
        (f"Machine: {machine()}. One run; each strategy at each N in a fresh process, the best "
         f"(least CPU) of {repeat} `infer()` runs on a fresh store holding the ontology and the "
         "data graph the build makes of N generated documents."),
        "",
        ("| N | data | inferred | strategy | rounds | derived per round | wall s | CPU s "
         "| seconds per round | same graph |"),
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        same = "yes" if r["naive"]["digest"] == r["semi-naive"]["digest"] else "NO"
        for strategy in STRATEGIES:
            m = r[strategy]
            per_round = " / ".join(f"{s:.2f}" for s in m["round_seconds"])
            derived = " / ".join(str(d) for d in m["round_derived"])
            lines.append(f"| {r['n']} | {r['data']} | {m['added']} | {strategy} | {m['rounds']} "
                         f"| {derived} | {m['wall']:.2f} | {m['cpu']:.2f} | {per_round} | {same} |")
    first = rows[0]
    lines += ["", f"Growth against N = {first['n']} (data triples grow by the first ratio):", "",
              ("| N | data | naive wall | naive CPU | semi-naive wall | semi-naive CPU "
               "| naive / semi-naive wall | CPU |"),
              "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        naive, semi = r["naive"], r["semi-naive"]
        lines.append(
            f"| {r['n']} | {r['data'] / first['data']:.1f} "
            f"| {naive['wall'] / first['naive']['wall']:.1f} "
            f"| {naive['cpu'] / first['naive']['cpu']:.1f} "
            f"| {semi['wall'] / first['semi-naive']['wall']:.1f} "
            f"| {semi['cpu'] / first['semi-naive']['cpu']:.1f} "
            f"| {naive['wall'] / semi['wall']:.2f} | {naive['cpu'] / semi['cpu']:.2f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--repeat", type=int, default=3, help="infer() runs per measurement")
    parser.add_argument("--write", type=Path, help="append the tables to this Markdown file")
    parser.add_argument("--json", type=Path, help="also write the raw figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = [measure(n, Path(tmp), args.repeat) for n in sorted(args.sizes)]
    emit(report(rows, args.repeat), args.write, args.json, rows)


if __name__ == "__main__":
    main()

"""How the build's cost grows with the corpus: N = 1, 10, 100, 1,000 generated policy updates.

For each N, in one run on one machine:

* ``bench/corpus.py`` writes N documents (deterministic, seed 0) with their gold facts;
* a fresh process runs :func:`policykg.pipeline.build.build` on them: wall time, peak memory (the
  child's maximum RSS), triples per named graph, each stage's seconds (parse, extract, map,
  store, reason, gate, write), and how many of the corpus's gold facts the build lacks (the
  extractor is checked at scale, not only timed; tests/test_corpus.py checks the converse,
  nothing extra, document by document);
* a fresh process parses the build's ``policykg.nq`` (all four graphs) with rdflib: the
  baseline every stage is given as a ratio to, as is the whole build;
* query latency: a cold ``policykg query`` (a fresh process: start, open the build's persistent
  store, answer; ``bench/cold.py`` compares it with parsing ``policykg.nq``) and, on an
  in-memory store loaded once, the median of 5 runs of each query of ``bench/queries/``.

Then the targets: 1,000 documents built and gated in at most 60 s and 2 GiB, time(1,000) /
time(100) at most 12, a cold ``policykg query`` on the seed at most 0.5 s, ``policykg --help`` at
most 0.3 s. Benchmarks report; they do not assert (that is the tests' job).

With ``--curation K`` (issue 14), each N is built again, in the same run, with K curation
entries generated from the first build's graph (:func:`curation_entries`: retracts, quoted
asserts found in the sources, labels, merges, and a few stale entries, names given by label
where a curator would), and without, the two builds taking turns ``--pairs`` times (default 1):
the time of the curation stage, and the whole build's with against without, as a ratio of
medians. A report, not a timed test; on a shared machine the whole-build ratio carries the
machine's noise, the stage's own time does not.

    python bench/scale.py [--sizes 1 10 100 1000] [--curation 100 [--pairs 3]] [--write bench/RESULTS.md]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
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
STAGES = ("parse", "extract", "map", "curate", "store", "reason", "gate", "write")

#: Run in the child: build, then print what the parent needs as one JSON line.
CHILD = r"""
import json, sys
from pathlib import Path
from policykg.pipeline.build import build
sources = sorted(Path(sys.argv[1]).glob("*.md"))
result = build(sources, sys.argv[2], curation=sys.argv[3] if len(sys.argv) > 3 else None)
curated = result.curated
print(json.dumps({"published": result.published, "timings": result.timings,
                  "triples": result.triples, "refusals": list(result.refusals),
                  "applied": len(curated.applied) if curated else 0,
                  "stale": len(curated.warnings) if curated else 0}))
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


def run_peak(args: list[str], sampled: dict | None = None) -> tuple[float, int, str]:
    """As :func:`run`, with the child's peak RSS (KiB) from ``wait4``. With ``sampled`` (a dict),
    the RSS of the child and all its descendants is also summed every 0.2 s: ``sampled["peak_sum_kib"]``
    is the largest sum (the build with its forked readers, its store writer, GNU sort), and
    ``sampled["load"]`` the load averages before and after."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, cwd=ROOT)
        if sampled is not None:
            sampled["load_before"] = os.getloadavg()
            peak = 0
            while True:
                done, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if done:
                    break
                peak = max(peak, tree_rss_kib(proc.pid))
                time.sleep(0.2)
            sampled["peak_sum_kib"] = peak
            sampled["load_after"] = os.getloadavg()
        else:
            _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"failed: {' '.join(args)}\n{err.read().decode()[-2000:]}")
        return wall, usage.ru_maxrss, out.read().decode()


def tree_rss_kib(pid: int) -> int:
    """The resident memory of ``pid`` and its descendants, summed (KiB; 0 when it is gone)."""
    total = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status", encoding="ascii", errors="replace") as handle:
                total += next((int(line.split()[1]) for line in handle if line.startswith("VmRSS:")), 0)
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as handle:
                    todo += [int(child) for child in handle.read().split()]
        except (OSError, ValueError):
            continue
    return total


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


def curation_entries(build: Path, sources: Path, k: int) -> str:
    """``k`` curation entries for the build in ``build`` (of the documents in ``sources``), as
    a curator would write them: 40% retracts of guidance (measures by label and table), 30%
    asserts of guidance quoted from the measure's own text in its source, 15% Chinese labels
    and aliases, 10% merges of minted agencies or categories, 5% stale entries. Deterministic."""
    import json as _json

    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=str(build / "policykg.nq"), format=ox.RdfFormat.N_QUADS)
    pre = """PREFIX pol: <https://w3id.org/policykg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX dct: <http://purl.org/dc/terms/>
"""
    data = "<https://w3id.org/policykg/graph/data>"
    prov = "<https://w3id.org/policykg/graph/provenance>"
    def q(text: str) -> list[tuple[str, ...]]:
        return [tuple(t.value for t in row) for row in store.query(pre + text)]

    guidance = q(f"""SELECT ?m ?ml ?tl ?a WHERE {{ GRAPH {data} {{ ?m pol:guidedBy ?a ; rdfs:label ?ml ;
                     pol:partOf ?t . ?t rdfs:label ?tl FILTER(LANG(?tl) = "en") }} }} ORDER BY ?m ?a""")
    texts = q(f"""SELECT ?m ?ml ?tl ?exact ?file WHERE {{
                  GRAPH {data} {{ ?m pol:measureText ?x ; rdfs:label ?ml ; pol:partOf ?t . ?t rdfs:label ?tl
                                 FILTER(LANG(?tl) = "en") }}
                  GRAPH {prov} {{ ?s rdf:subject ?m ; rdf:predicate pol:measureText ;
                                  prov:wasDerivedFrom ?span . ?span oa:hasSource ?u ;
                                  oa:hasSelector/oa:exact ?exact . ?u dct:source ?file }} }} ORDER BY ?m""")
    agencies = [r[0] for r in q(f"SELECT ?a WHERE {{ GRAPH {data} {{ ?a a pol:GovernmentAgency }} }} ORDER BY ?a")]
    minted = [r[0] for r in q(f"""SELECT ?c WHERE {{ GRAPH {data} {{ ?c a pol:MeasureCategory }}
                                 FILTER NOT EXISTS {{ GRAPH {prov} {{ ?s rdf:subject ?c ; dct:source ?row }} }} }}
                                 ORDER BY ?c""")]
    sign = 'curator = "Bench Curator"\ndate = 2024-06-03\n'
    out: list[str] = []
    def js(text: str) -> str:
        return _json.dumps(text, ensure_ascii=False)

    n_retract, n_assert, n_label, n_merge = int(k * .4), int(k * .3), int(k * .15), int(k * .1)
    used: set[tuple[str, str]] = set()
    for m, ml, tl, a in guidance[::max(1, len(guidance) // max(1, n_retract))][:n_retract]:
        used.add((m, a))
        out.append(f'[[retract]]\nsubject = {{ label = {js(ml)}, in = {js(tl)} }}\nproperty = "guided by"\n'
                   f'object = {js(a)}\n{sign}reason = "bench: retract"\n')
    for i, (m, ml, tl, exact, file) in enumerate(texts[::max(1, len(texts) // max(1, n_assert))][:n_assert]):
        agency = agencies[i % len(agencies)]
        out.append(f'[[assert]]\nsubject = {{ label = {js(ml)}, in = {js(tl)} }}\nproperty = "guided by"\n'
                   f'object = {js(agency)}\nsource = {js(Path(file).name)}\nquote = {js(exact)}\n'
                   f'{sign}reason = "bench: assert"\n')
    for i, a in enumerate(agencies[:n_label]):
        out.append(f'[[label]]\nentity = {js(a)}\nalias = [{js(f"Bench alias {i}")}]\n{sign}reason = "bench: label"\n')
    pairs = list(zip(minted[0::2], minted[1::2]))[:n_merge]
    for keep, other in pairs:
        out.append(f'[[merge]]\nkeep = {js(keep)}\nother = {js(other)}\n{sign}reason = "bench: merge"\n')
    while len(out) < k:
        out.append(f'[[label]]\nentity = "No Such Entity {len(out)}"\nzh = "无"\n{sign}reason = "bench: stale"\n')
    return "\n".join(out[:k])


def measure_curation(n: int, k: int, src: Path, out: Path, tmp: Path, pairs: int = 1) -> dict:
    """The build of ``src`` with ``k`` curation entries made from the build in ``out``, and
    without, taking turns ``pairs`` times: medians of the whole builds and of the stages."""
    folder = tmp / f"curation-{n}"
    folder.mkdir()
    (folder / "bench.toml").write_text(curation_entries(out, src, k), encoding="utf-8")
    runs: dict[str, list[dict]] = {"plain": [], "curated": []}
    for i in range(pairs):
        for kind, curation in (("plain", tmp / "no-curation"), ("curated", folder)):
            built = tmp / f"dist-{n}-{kind}-{i}"
            wall, peak, stdout = run_peak([sys.executable, "-c", CHILD, str(src), str(built), str(curation)])
            runs[kind].append({"wall": wall, "peak_kib": peak, **json.loads(stdout.strip().splitlines()[-1])})
            shutil.rmtree(built, ignore_errors=True)  # half a gigabyte at N = 1,000
    last = runs["curated"][-1]

    def median(kind: str, key: str) -> float:
        return statistics.median(r["wall"] if key == "wall" else r["timings"].get(key, 0.0) for r in runs[kind])

    return {"n": n, "entries": k, "pairs": pairs, "wall": median("curated", "wall"),
            "plain_wall": median("plain", "wall"), "curate": median("curated", "curate"),
            "review": median("curated", "review"), "plain_review": median("plain", "review"),
            "published": all(r["published"] for r in runs["curated"]), "applied": last["applied"],
            "stale": last["stale"], "runs": runs}


def report_curation(rows: list[dict]) -> str:
    lines = ["", (f"Curation (`--curation {rows[0]['entries']} --pairs {rows[0]['pairs']}`): each N built "
                  "without and with that many generated entries (retracts, quoted asserts, labels, merges, "
                  "stale ones), taking turns, in the same run; medians. `curate` is the stage's own time."), "",
             ("| N | entries applied (stale) | published | curate s | curate / whole | whole build s, without → "
              "with | ratio with / without |"), "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['n']} | {r['applied']} ({r['stale']}) | {'yes' if r['published'] else 'NO'} | "
                     f"{r['curate']:.3f} | {r['curate'] / r['wall']:.2%} | {r['plain_wall']:.2f} → {r['wall']:.2f} | "
                     f"{r['wall'] / r['plain_wall']:.3f} |")
    return "\n".join(lines) + "\n"


def measure(n: int, tmp: Path, *, parse_up_to: int = 2000, latency_up_to: int = 2000) -> dict:
    """One build of ``n`` generated documents, and what is measured on it. The rdflib parse of its
    output (the baseline of the ratios) is skipped above ``parse_up_to`` documents (rdflib holds
    ten million quads in about 20 GB), and so are the warm query latencies above ``latency_up_to``
    (an in-memory copy of the build in this process)."""
    from corpus import generate

    src = tmp / f"corpus-{n}"
    src.mkdir()
    for doc in generate(n, seed=0):
        (src / f"{doc.name}.md").write_text(doc.text, encoding="utf-8")
        (src / f"{doc.name}.ttl").write_text(doc.gold, encoding="utf-8")
    out = tmp / f"dist-{n}"
    (tmp / "no-curation").mkdir(exist_ok=True)
    sampled: dict = {}
    wall, peak, stdout = run_peak([sys.executable, "-c", CHILD, str(src), str(out), str(tmp / "no-curation")],
                                  sampled)
    result = json.loads(stdout.strip().splitlines()[-1])
    _, gold = run([sys.executable, "-c", GOLD, str(src), str(out)])
    gold_total, gold_missing = map(int, gold.split())
    parse = parse_peak = None
    if n <= parse_up_to:
        parse, parse_peak, _ = run_peak([sys.executable, "-c",
                                         "import sys, rdflib; rdflib.Dataset().parse(sys.argv[1], format='nquads')",
                                         str(out / "policykg.nq")])
    cold_query, _, _ = run_peak([sys.executable, "-m", "policykg", "query", "--dist", str(out), "--format", "csv",
                                 str(ROOT / "bench" / "queries" / "02-measures-per-agency.rq")])
    latency = query_latency(out) if n <= latency_up_to else {}
    return {"n": n, "wall": wall, "peak_kib": peak, "peak_sum_kib": sampled["peak_sum_kib"],
            "load": [sampled["load_before"][0], sampled["load_after"][0]],
            "published": result["published"], "src": str(src),
            "out": str(out), "timings": result["timings"], "triples": result["triples"], "gold_total": gold_total,
            "gold_missing": gold_missing, "rdflib_parse": parse, "rdflib_parse_peak_kib": parse_peak,
            "cold_query": cold_query, "latency": latency,
            "output_mib": sum(f.stat().st_size for f in out.rglob("*") if f.is_file()) / 2**20}


#: Concurrent clients of the serving measurement (issue 16: p99 < 200 ms at 8 clients).
CLIENTS = 8


def measure_serving(out: Path, *, clients: int = CLIENTS, seconds: float = 60.0, cache_mb: int | None = None,
                    workers: int | None = None) -> dict:
    """``policykg serve --no-build`` on the build in ``out``, asked every competency question of
    ``queries/cq`` by ``clients`` clients at once (each asks them in turn, from a different one,
    for ``seconds``): the latency of every answer, each question's first (before any answer of
    it was cached), the p50 and p99 of all, and the answers that failed (HTTP errors: a question
    stopped by the server's time limit among them). ``cache_mb=0`` measures without the answer
    cache, which is what a new question gets."""
    import socket
    import threading
    import urllib.error
    import urllib.parse
    import urllib.request

    queries = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries" / "cq").glob("*.rq"))}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = [sys.executable, "-m", "policykg", "serve", "--no-build", "--dist", str(out), "--port", str(port)]
    if cache_mb is not None:
        args += ["--cache-mb", str(cache_mb)]
    if workers is not None:
        args += ["--workers", str(workers)]
    log = tempfile.TemporaryFile()
    started = time.perf_counter()
    server = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/sparql"

    def ask(query: str) -> tuple[float, int]:
        request = urllib.request.Request(url + "?" + urllib.parse.urlencode({"query": query}),
                                         headers={"Accept": "application/sparql-results+json"})
        begin = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=120) as answer:
                answer.read()
                status = answer.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError:
            status = 0
        return time.perf_counter() - begin, status

    try:
        deadline = time.monotonic() + 600
        while True:
            if server.poll() is not None:
                log.seek(0)
                raise SystemExit(f"policykg serve exited:\n{log.read().decode()[-3000:]}")
            if ask("SELECT * WHERE { } LIMIT 1")[1] == 200:
                break
            if time.monotonic() > deadline:
                raise SystemExit("policykg serve did not answer within 600 s")
            time.sleep(0.5)
        ready = time.perf_counter() - started
        names = list(queries)
        first = {}
        for name in names:  # each question once, alone: its first answer (nothing cached)
            first[name] = ask(queries[name])
        times: list[tuple[str, float, int]] = []
        lock = threading.Lock()
        stop = time.monotonic() + seconds

        def client(k: int) -> None:
            i = k
            while time.monotonic() < stop:
                name = names[i % len(names)]
                elapsed, status = ask(queries[name])
                with lock:
                    times.append((name, elapsed, status))
                i += 1

        threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        try:
            os.killpg(server.pid, 15)
            server.wait(30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(server.pid, 9)
            server.wait(10)
    ok = sorted(t for _, t, status in times if status == 200)
    per = {name: sorted(t for n, t, status in times if n == name and status == 200) for name in names}

    def pct(values: list[float], q: float) -> float | None:
        return values[min(len(values) - 1, int(q * len(values)))] if values else None

    return {"clients": clients, "seconds": seconds, "cache_mb": cache_mb, "ready_s": ready,
            "answers": len(ok), "failed": len(times) - len(ok),
            "failed_by_query": {n: sum(1 for m, _, st in times if m == n and st != 200) for n in names},
            "p50": pct(ok, 0.5), "p99": pct(ok, 0.99), "max": ok[-1] if ok else None,
            "first": {n: {"seconds": t, "status": st} for n, (t, st) in first.items()},
            "p99_by_query": {n: pct(v, 0.99) for n, v in per.items()}}


def report_serving(n: int, rows: list[dict]) -> str:
    lines = ["", f"Serving the {n:,}-document build (`policykg serve --no-build`, {rows[0]['clients']} clients asking "
                 f"the {len(rows[0]['first'])} competency questions of `queries/cq` in turn, {rows[0]['seconds']:.0f} s "
                 "each run):", "",
             "| answer cache | first answer after start s | answers | failed | p50 ms | p99 ms | max ms | p99 < 200 ms |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        cache = "off (`--cache-mb 0`)" if r["cache_mb"] == 0 else "on (default)"
        ms = {k: (f"{r[k] * 1000:.0f}" if r[k] is not None else "-") for k in ("p50", "p99", "max")}
        met = "yes" if r["p99"] is not None and r["p99"] < 0.2 and not r["failed"] else "NO"
        lines.append(f"| {cache} | {r['ready_s']:.1f} | {r['answers']} | {r['failed']} | {ms['p50']} | {ms['p99']} | "
                     f"{ms['max']} | {met} |")
    lines += ["", "Each question alone, first asked (nothing cached), and its p99 under load:", "",
              "| question | first answer ms | HTTP | p99 ms, cache " + " | p99 ms, cache ".join(
                  "off" if r["cache_mb"] == 0 else "on" for r in rows) + " |",
              "|---|---:|---|" + "---:|" * len(rows)]
    for name, first in rows[0]["first"].items():
        cells = [(f"{r['p99_by_query'][name] * 1000:.0f}" if r["p99_by_query"][name] is not None else "-")
                 for r in rows]
        lines.append(f"| {name} | {first['seconds'] * 1000:.0f} | {first['status']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


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
        "build's `policykg.nq` (all four graphs), measured in the same run (not above "
        "`--parse-up-to` documents: rdflib would need about 20 GB). Peak MiB: the build's process "
        "(`wait4`), and the build with every process it started, summed (sampled every 0.2 s). "
        "Load: the 1-minute load average before and after the build.",
        "",
        "| N | wall s | peak MiB | peak MiB, all processes | load | data | inferred | provenance | all quads "
        "| gold facts (missing) | output MiB | rdflib parse s | cold query s | warm query ms (median of medians) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        t = r["triples"]
        warm = f"{statistics.median(r['latency'].values()) * 1000:.2f}" if r["latency"] else "-"
        parse = f"{r['rdflib_parse']:.2f}" if r["rdflib_parse"] is not None else "-"
        lines.append(
            f"| {r['n']} | {r['wall']:.2f} | {r['peak_kib'] / 1024:.0f} | {r['peak_sum_kib'] / 1024:.0f} | "
            f"{r['load'][0]:.1f}–{r['load'][1]:.1f} | {t['data']} | {t['inferences']} | "
            f"{t['provenance']} | {sum(t.values())} | {r['gold_total']} ({r['gold_missing']}) | "
            f"{r['output_mib']:.1f} | {parse} | {r['cold_query']:.2f} | {warm} |")
    lines += ["", "Stage seconds, and each as a ratio to the rdflib parse of the output:", "",
              "| N | " + " | ".join(STAGES) + " | whole build |", "|---|" + "---|" * (len(STAGES) + 1)]
    for r in rows:
        p = r["rdflib_parse"]

        def cell(seconds: float) -> str:
            return f"{seconds:.2f} ({seconds / p:.2f}x)" if p else f"{seconds:.2f}"

        cells = [cell(r["timings"].get(s, 0.0)) for s in STAGES]
        lines.append(f"| {r['n']} | " + " | ".join(cells) + f" | {cell(r['wall'])} |")
    steps = sorted({k for r in rows for k in r["timings"] if k.startswith("write: ")})
    if steps:
        lines += ["", "The write stage's steps, seconds:", "",
                  "| N | " + " | ".join(k[len("write: "):] for k in steps) + " |", "|---|" + "---|" * len(steps)]
        for r in rows:
            lines.append(f"| {r['n']} | " + " | ".join(f"{r['timings'].get(k, 0.0):.2f}" for k in steps) + " |")
    if len(rows) > 1:
        lines += ["", "Growth: each N against the one before it (documents, then time and memory; a stage "
                      "whose time grows faster than the documents grows faster than linear):", "",
                  "| N → N' | documents | quads | wall | peak MiB | peak MiB, all | " + " | ".join(STAGES) + " |",
                  "|---|---|---|---|---|---|" + "---|" * len(STAGES)]
        for a, b in zip(rows, rows[1:]):
            def ratio(x: float, y: float) -> str:
                return f"{y / x:.1f}x" if x > 0.05 else "-"

            stages = [ratio(a["timings"].get(s, 0.0), b["timings"].get(s, 0.0)) for s in STAGES]
            lines.append(f"| {a['n']} → {b['n']} | {b['n'] / a['n']:.0f}x | "
                         f"{sum(b['triples'].values()) / sum(a['triples'].values()):.1f}x | {ratio(a['wall'], b['wall'])} | "
                         f"{ratio(a['peak_kib'], b['peak_kib'])} | {ratio(a['peak_sum_kib'], b['peak_sum_kib'])} | "
                         + " | ".join(stages) + " |")
    by_n = {r["n"]: r for r in rows}
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    if 1000 in by_n:
        r = by_n[1000]
        if r["rdflib_parse"]:
            ratio = r["wall"] / r["rdflib_parse"]
            lines.append(f"| 1,000 documents: build ≤ 0.6x the rdflib parse of its output (issue 16) | {ratio:.2f}x "
                         f"({r['wall']:.1f} s / {r['rdflib_parse']:.1f} s) | {'yes' if ratio <= 0.6 else 'NO'} |")
        lines.append(f"| 1,000 documents built and gated ≤ 60 s | {r['wall']:.1f} s | {'yes' if r['wall'] <= 60 else 'NO'} |")
        lines.append(f"| ... with ≤ 2 GiB peak memory | {r['peak_kib'] / 2**20:.2f} GiB | "
                     f"{'yes' if r['peak_kib'] <= 2 * 2**20 else 'NO'} |")
        if 100 in by_n:
            ratio = r["wall"] / by_n[100]["wall"]
            lines.append(f"| time(1,000) / time(100) ≤ 10.5 (issue 16) | {ratio:.1f} | {'yes' if ratio <= 10.5 else 'NO'} |")
    if 10000 in by_n:
        r = by_n[10000]
        lines.append(f"| 10,000 documents built and gated ≤ 8 min (issue 16) | {r['wall'] / 60:.1f} min | "
                     f"{'yes' if r['wall'] <= 480 else 'NO'} |")
        lines.append(f"| ... with ≤ 6 GiB peak (the build's process; all its processes) | {r['peak_kib'] / 2**20:.2f} GiB; "
                     f"{r['peak_sum_kib'] / 2**20:.2f} GiB | {'yes' if r['peak_kib'] <= 6 * 2**20 else 'NO'} |")
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
    parser.add_argument("--curation", type=int, metavar="K",
                        help="also build each N with K generated curation entries, and compare")
    parser.add_argument("--parse-up-to", type=int, default=2000, metavar="N",
                        help="the rdflib parse of the output (the ratios' baseline) up to N documents (default 2000)")
    parser.add_argument("--serve", action="store_true",
                        help=f"also serve the largest build and ask it the competency questions with {CLIENTS} "
                             "clients, with the answer cache and without")
    parser.add_argument("--serve-seconds", type=float, default=60.0, metavar="S",
                        help="how long each serving run lasts (default 60)")
    parser.add_argument("--pairs", type=int, default=1, metavar="R",
                        help="with --curation: builds without and with curation, taking turns R times (default 1)")
    args = parser.parse_args()
    rows = []
    curated = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            print(f"N = {n} ...", file=sys.stderr, flush=True)
            rows.append(measure(n, Path(tmp), parse_up_to=args.parse_up_to, latency_up_to=args.parse_up_to))
            if args.curation:
                print(f"N = {n}, {args.curation} curation entries ...", file=sys.stderr, flush=True)
                curated.append(measure_curation(n, args.curation, Path(rows[-1]["src"]), Path(rows[-1]["out"]),
                                                Path(tmp), args.pairs))
        serving = []
        if args.serve:
            largest = max(rows, key=lambda r: r["n"])
            for cache_mb in (None, 0):
                print(f"serving N = {largest['n']} (cache {'off' if cache_mb == 0 else 'on'}) ...", file=sys.stderr,
                      flush=True)
                serving.append(measure_serving(Path(largest["out"]), seconds=args.serve_seconds, cache_mb=cache_mb))
        for r in rows:  # the builds go with the folder: what is kept are the figures
            r.pop("src", None)
    cli = seed_cli()
    text = report(rows, cli) + (report_curation(curated) if curated else "")
    if serving:
        text += report_serving(max(r["n"] for r in rows), serving)
    print(text)
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "cli": cli, "curation": curated, "serving": serving}, indent=1),
                             encoding="utf-8")
    if args.write:
        with args.write.open("a", encoding="utf-8") as handle:
            handle.write("\n" + text)


if __name__ == "__main__":
    main()

"""Cold start on a large build, with and without its persistent store (issue 16).

One run, on one machine, for N generated documents (default 1,000; ``bench/corpus.py``, seed 0):

* **Build cost of the store.** Two builds of the same corpus, each a fresh process: the default
  one (which writes ``store/`` in a child process beside the other writers) and one with the
  store writer switched off. Wall seconds, CPU seconds (the build and every process it waited
  for: the store writer too), peak memory (the largest resident set among them), the ``write``
  stage, and the size of the store.
* **Cold ``policykg query``.** A fresh ``python -m policykg query --dist DIR --format csv`` per
  run, on the build (its store opened read-only) and on a copy of it without the store, as an
  older policykg published it (the same files, ``store/`` and its lines of ``SHA256SUMS``
  removed), which parses ``policykg.nq``: a light query (20 rows) and every query of
  ``bench/queries/``; the median of ``--runs`` runs with the store, of ``--runs-without``
  runs without it.
* **``policykg serve --no-build``: time to the first answer.** From the start of the process
  (``--workers 2 --cache-mb 0``: every answer comes from a worker) to the first 200 answer to
  a light query over HTTP, polled every 20 ms; the latency of each ``bench/queries/`` query
  right after it; then (with the store) how long until both workers have loaded the build
  into memory and closed the store (read from ``/proc``), and the latency of each query again.

Ratios (without / with) in the same run. Benchmarks report; they do not assert.

    python bench/cold.py [--docs 1000] [--runs 3] [--runs-without 1] [--serve-runs 2]
                         [--dist DIR] [--write bench/RESULTS.md] [--json FILE]

``--dist DIR`` measures an existing build (published by this policykg: it must have a store)
and skips the two builds.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from cold_build import emit, machine  # noqa: E402

QUERIES = ROOT / "bench" / "queries"
#: A question with a short answer (20 rows): what a cold query costs when the answer is small.
LIGHT = ("PREFIX pol: <https://w3id.org/policykg/ontology#>\n"
         "SELECT ?measure ?article WHERE { ?measure a pol:Measure ; pol:articleNumber ?article } "
         "ORDER BY ?article LIMIT 20\n")

#: Run in the child: build, the store writer switched off when asked; print the timings.
BUILD = r"""
import json, sys
from pathlib import Path
import policykg.pipeline.publish as pub
if sys.argv[3] == "without":
    class NoStore(pub._StoreWriter):
        def start(self, folder, nquads):
            pass
        def finish(self):
            return []
    pub._StoreWriter = NoStore
from policykg.pipeline.build import build
result = build(sorted(Path(sys.argv[1]).glob("*.md")), sys.argv[2])
print(json.dumps({"published": result.published, "timings": result.timings}))
"""


def tree_rss_kib(pid: int) -> int:
    """The resident memory of a process and its descendants, now (KiB)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        children.setdefault(int(fields["PPid"]), []).append(int(entry))
        rss[int(entry)] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo += children.get(current, [])
    return total


def run_measured(args: list[str], *, sample: bool = False) -> dict:
    """Wall and CPU seconds, peak RSS (MiB) and stdout of one child process (and of the
    processes it waited for); with ``sample``, also the peak of the whole process tree's
    resident memory at once (the build and its store writer together), sampled every 50 ms."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, cwd=ROOT, stdin=subprocess.DEVNULL)
        peak = [0]
        done = threading.Event()

        def sampler() -> None:
            while not done.wait(0.05):
                peak[0] = max(peak[0], tree_rss_kib(proc.pid))

        thread = threading.Thread(target=sampler, daemon=True)
        if sample:
            thread.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        if sample:
            thread.join()
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"failed: {' '.join(args)}\n{err.read().decode()[-3000:]}")
        return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mib": usage.ru_maxrss / 1024,
                "tree_peak_mib": peak[0] / 1024, "stdout": out.read().decode()}


def folder_mib(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def without_store(build: Path, target: Path) -> Path:
    """A copy of ``build`` as an older policykg published it: no ``store/``, and ``SHA256SUMS``
    without its lines (hard links: the other files are the same bytes)."""
    target.mkdir(parents=True)
    for item in build.iterdir():
        if item.is_file() and item.name != "SHA256SUMS":
            os.link(item, target / item.name)
        elif item.is_dir() and item.name != "store":
            shutil.copytree(item, target / item.name, copy_function=os.link)
    lines = (build / "SHA256SUMS").read_text(encoding="ascii").splitlines(keepends=True)
    (target / "SHA256SUMS").write_text("".join(line for line in lines if "  store/" not in line), encoding="ascii")
    return target


def cold_query(dist: Path, query: Path, runs: int) -> float:
    """Median wall seconds of ``runs`` fresh ``policykg query`` processes."""
    return statistics.median(run_measured([sys.executable, "-m", "policykg", "query", "--dist", str(dist),
                                           "--format", "csv", str(query)])["wall"] for _ in range(runs))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, query: str, timeout: float = 60) -> bytes:
    url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return answer.read()


def workers_on_store(pid: int) -> int | None:
    """How many of the server's query workers hold a file of a store open (None: no workers)."""
    workers = [int(entry) for entry in os.listdir("/proc") if entry.isdigit() and _parent(int(entry)) == pid
               and "spawn_main" in _cmdline(int(entry))]
    if not workers:
        return None
    holding = 0
    for worker in workers:
        try:
            links = [os.readlink(f"/proc/{worker}/fd/{fd}") for fd in os.listdir(f"/proc/{worker}/fd")]
        except OSError:
            continue
        holding += any("/store/" in link or link.endswith("/store") for link in links)
    return holding


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def serve_first_answer(dist: Path, queries: dict[str, str], *, watch_store: bool) -> dict:
    """Seconds from the start of ``policykg serve --no-build`` to its first answer; then the
    latency of each query; then (``watch_store``) seconds until no worker holds the store."""
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "policykg", "serve", "--no-build", "--dist", str(dist),
                             "--port", str(port), "--workers", "2", "--cache-mb", "0"], cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"policykg serve exited ({proc.returncode}) on {dist}")
            try:
                get(port, LIGHT, timeout=120)
                break
            except OSError:
                time.sleep(0.02)
        first = time.perf_counter() - start
        latency = {}
        for name, text in queries.items():
            t = time.perf_counter()
            get(port, text, timeout=120)
            latency[name] = time.perf_counter() - t
        in_memory, settled = None, {}
        if watch_store:
            deadline = time.perf_counter() + 120
            while time.perf_counter() < deadline:
                if workers_on_store(proc.pid) == 0:
                    in_memory = time.perf_counter() - start
                    break
                time.sleep(0.1)
            for name, text in queries.items():
                t = time.perf_counter()
                get(port, text, timeout=120)
                settled[name] = time.perf_counter() - t
        return {"first": first, "latency": latency, "in_memory": in_memory, "settled": settled}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def measure(args: argparse.Namespace, tmp: Path) -> dict:
    from corpus import generate

    out: dict = {"docs": args.docs}
    if args.dist is None:
        corpus = tmp / "corpus"
        corpus.mkdir()
        for doc in generate(args.docs, seed=0):
            (corpus / f"{doc.name}.md").write_text(doc.text, encoding="utf-8")
        builds = {}
        for variant in ("with", "without"):
            print(f"build {variant} the store ...", file=sys.stderr, flush=True)
            run = run_measured([sys.executable, "-c", BUILD, str(corpus), str(tmp / f"build-{variant}" / "dist"),
                                variant], sample=True)
            result = json.loads(run.pop("stdout").strip().splitlines()[-1])
            assert result["published"], "the build was not published"
            builds[variant] = {**run, "write": result["timings"].get("write", 0.0)}
        out["build"] = builds
        dist = tmp / "build-with" / "dist"
    else:
        dist = args.dist.resolve()
    if not (dist / "store").is_dir():
        raise SystemExit(f"{dist} has no persistent store")
    out["store_mib"] = folder_mib(dist / "store")
    out["build_mib"] = folder_mib(dist)
    old = without_store(dist, tmp / "without" / "dist")

    queries = {"light (20 rows)": None, **{p.stem: p for p in sorted(QUERIES.glob("*.rq"))}}
    light = tmp / "light.rq"
    light.write_text(LIGHT, encoding="utf-8")
    out["query"] = {}
    for name, path in queries.items():
        path = path or light
        print(f"cold query {name} ...", file=sys.stderr, flush=True)
        out["query"][name] = {"with": cold_query(dist, path, args.runs),
                              "without": cold_query(old, path, args.runs_without)}
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted(QUERIES.glob("*.rq"))}
    out["serve"] = {}
    for variant, folder in (("with", dist), ("without", old)):
        print(f"serve {variant} the store ...", file=sys.stderr, flush=True)
        runs = [serve_first_answer(folder, texts, watch_store=variant == "with") for _ in range(args.serve_runs)]
        best = sorted(runs, key=lambda r: r["first"])[(len(runs) - 1) // 2]  # the (lower) median run
        out["serve"][variant] = {**best, "firsts": [r["first"] for r in runs]}
    return out


def report(r: dict) -> str:
    lines = [
        f"### Cold start: {r['docs']:,} generated documents (`python bench/cold.py`, {time.strftime('%Y-%m-%d')})",
        "",
        f"Machine: {machine()}. One run; \"without\" is the same build without its store (as an older "
        "policykg published it: `policykg.nq` is parsed instead). Build: "
        f"{r['build_mib']:.0f} MiB, of which the store {r['store_mib']:.0f} MiB.",
        "",
    ]
    if "build" in r:
        w, o = r["build"]["with"], r["build"]["without"]
        lines += [
            "| build | wall s | CPU s (with the store writer) | peak MiB (largest process) "
            "| peak MiB (all processes at once, sampled) | write stage s |",
            "|---|---|---|---|---|---|",
            f"| with the store (default) | {w['wall']:.1f} | {w['cpu']:.1f} | {w['peak_mib']:.0f} "
            f"| {w['tree_peak_mib']:.0f} | {w['write']:.1f} |",
            f"| without | {o['wall']:.1f} | {o['cpu']:.1f} | {o['peak_mib']:.0f} | {o['tree_peak_mib']:.0f} "
            f"| {o['write']:.1f} |",
            f"| cost of the store | {w['wall'] - o['wall']:+.1f} ({w['wall'] / o['wall'] - 1:+.0%}) "
            f"| {w['cpu'] - o['cpu']:+.1f} ({w['cpu'] / o['cpu'] - 1:+.0%}) "
            f"| {w['peak_mib'] - o['peak_mib']:+.0f} | {w['tree_peak_mib'] - o['tree_peak_mib']:+.0f} "
            f"| {w['write'] - o['write']:+.1f} |",
            "",
        ]
    lines += ["| cold `policykg query --format csv` | with the store s | without s | ratio |", "|---|---|---|---|"]
    for name, q in r["query"].items():
        lines.append(f"| {name} | {q['with']:.2f} | {q['without']:.2f} | {q['without'] / q['with']:.1f}x |")
    s, o = r["serve"]["with"], r["serve"]["without"]
    in_memory = f"{s['in_memory']:.1f} s" if s["in_memory"] is not None else "not within 120 s (stays on the store)"
    lines += [
        "",
        "| `policykg serve --no-build`, 2 workers | with the store | without | ratio |",
        "|---|---|---|---|",
        f"| first answer after start (median of {len(s['firsts'])}) | {s['first']:.2f} s | {o['first']:.2f} s "
        f"| {o['first'] / s['first']:.1f}x |",
    ]
    lines += ["", f"Latency of each query right after the first answer (with the store: the workers answer from "
                  f"its files), and with the store once both workers had loaded the build into memory and closed "
                  f"the store ({in_memory} after start):", "",
              "| query | with the store, at once | without, at once | with the store, in memory |", "|---|---|---|---|"]
    for name in s["latency"]:
        settled = s["settled"].get(name)
        lines.append(f"| {name} | {s['latency'][name] * 1000:.0f} ms | {o['latency'][name] * 1000:.0f} ms "
                     f"| {f'{settled * 1000:.0f} ms' if settled is not None else '-'} |")
    targets = [("cold `policykg query` (light) ≤ 0.5 s", r["query"]["light (20 rows)"]["with"], 0.5),
               ("`serve --no-build`: first answer ≤ 3 s", s["first"], 3.0)]
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    lines += [f"| {what} | {value:.2f} s | {'yes' if value <= bound else 'NO'} |" for what, value, bound in targets]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3, help="cold query runs with the store (median)")
    parser.add_argument("--runs-without", type=int, default=1, help="cold query runs without it (median)")
    parser.add_argument("--serve-runs", type=int, default=2)
    parser.add_argument("--dist", type=Path, help="measure this build (with a store) instead of building")
    parser.add_argument("--write", type=Path, help="append the section to this Markdown file")
    parser.add_argument("--json", type=Path, help="also write the raw figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        figures = measure(args, Path(tmp))
    emit(report(figures), args.write, args.json, figures)


if __name__ == "__main__":
    main()

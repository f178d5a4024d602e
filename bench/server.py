"""Throughput and latency of the competency queries over HTTP: policykg vs rdflib-endpoint vs Oxigraph.

One run builds the seed once, serves the same data from three servers on 127.0.0.1, checks that
every query in bench/queries/*.rq gives the same rows on each (it stops, loudly, if not), then
loads each server in turn with wrk: 32 keep-alive connections, a warm-up, then a measured run,
rotating through the queries as ``GET <endpoint>?query=...`` with
``Accept: application/sparql-results+json``. It does so for two mixes of queries: ``cq``, the
queries of bench/queries/ in turn, and ``distinct``, those and 50 more made from queries/cq/
with other constants (:func:`distinct_queries`), each request's text made new by a counter in a
comment, so that no cache serves an answer twice. It appends a Markdown table per mix (with the
machine) and the ratios against the targets (issue 16): at least 5x the queries per second of
rdflib-endpoint; without the answer cache (and on the distinct mix) at least 0.6x the Oxigraph
server's, with it at least 1.5x; p99 under 50 ms at 32 concurrent clients.

    python bench/server.py [--duration 20] [--warmup 5] [--rounds 1] [--connections 32]
                           [--workers 1,2,3] [--mixes cq,distinct] [--dist DIR] [--write FILE]

On a machine that others share, use ``--rounds 3``: the servers then take turns three times and
each keeps its median run (by queries/s; the lower middle one for an even count), and the "CPU
other" column says how many cores other work took meanwhile. The script exits 0 when a target
is missed (the table says so); it exits non-zero when the servers disagree or a tool fails.

The servers, all serving one build (policykg.nq and policykg.trig hold the same quads):

* policykg: ``policykg serve --no-build --dist DIR --workers N``, once per N in ``--workers``;
  its default graph is the union of the named graphs.
* rdflib-endpoint: ``rdflib_endpoint.SparqlEndpoint`` over ``rdflib.Dataset(default_union=True)``
  parsed from policykg.trig, under uvicorn in one process without an access log. That is what
  its own CLI (``rdflib-endpoint serve FILE``) does, less the access log.
* Oxigraph: ``oxigraph load`` of policykg.nq into a fresh folder, then
  ``oxigraph serve-read-only --union-default-graph`` (the ``oxigraph`` CLI from PyPI).

Dataset choice: every server's default graph is the union of all named graphs, and a query that
needs one graph names it with ``GRAPH <iri>``, so the same query text gives the same rows on all
three. The check compares multisets of rows (each binding as type, value, datatype, language).

Tools: ``wrk`` (Debian's package; installed with apt-get when missing and running as root), and
``oxigraph`` and ``rdflib-endpoint`` (pip-installed into the running interpreter's environment
when missing; not project dependencies). The servers not under load stay up but idle. CPU is
read from /proc for each server process and its descendants (policykg's query workers), and
from wait4 for wrk, over the measured run only.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cold_build import machine

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "bench" / "queries"
ACCEPT = "application/sparql-results+json"
GRAPHS = ["ontology", "data", "provenance", "inferences"]
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
TICKS = os.sysconf("SC_CLK_TCK")

TARGET_X_RDFLIB = 5.0
TARGET_X_OXIGRAPH = 0.6  # without the answer cache (issue 16)
TARGET_X_OXIGRAPH_CACHED = 1.5  # with it
TARGET_P99_MS = 50.0
#: The query mixes: "cq", the queries of bench/queries/ in turn; "distinct", those and the
#: :data:`DISTINCT` queries made from queries/cq/ with other constants, in turn, each request's
#: text made unique by a comment with a counter (so that no cache serves any answer twice).
MIXES = ("cq", "distinct")

RDFLIB_ENDPOINT_APP = r"""
import sys
import uvicorn
from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint

trig, port = sys.argv[1], int(sys.argv[2])
ds = Dataset(default_union=True)
ds.parse(trig, format="trig")
app = SparqlEndpoint(graph=ds, path="/sparql", public_url=f"http://127.0.0.1:{port}/sparql")
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
"""

# wrk runs this in its (single) thread: it rotates through the queries and prints one JSON line
WRK_LUA = r"""
local paths = { %(paths)s }
local requests = {}
local counter = 0

function init(args)
  for i, p in ipairs(paths) do
    requests[i] = wrk.format("GET", wrk.path .. p, { ["Accept"] = "%(accept)s" })
  end
end

function request()
  counter = counter + 1
  local i = (counter %% #requests) + 1
  if %(unique)s then
    -- a comment with a counter: every request's query text is new ("#<n>\n" URL-encoded)
    return wrk.format("GET", wrk.path .. paths[i] .. "%%0A%%23" .. counter, { ["Accept"] = "%(accept)s" })
  end
  return requests[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%%.0f,"duration_us":%%.0f,"bytes":%%.0f,"connect":%%.0f,"read":%%.0f,' ..
    '"write":%%.0f,"status":%%.0f,"timeout":%%.0f,"p50":%%.0f,"p90":%%.0f,"p99":%%.0f,"max":%%.0f,"mean":%%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""


# ------------------------------------------------------------------------ tools

def ensure_tools() -> tuple[str, str]:
    """Paths of wrk and the oxigraph CLI, installing what is missing."""
    wrk = shutil.which("wrk")
    if wrk is None and os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk: apt-get install -y wrk", file=sys.stderr)
        subprocess.run(["apt-get", "update", "-qq"], check=False, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, stdout=subprocess.DEVNULL)
        wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("bench/server.py needs wrk: apt-get install wrk")
    bindir = Path(sys.executable).parent
    missing = []
    try:
        import rdflib_endpoint  # noqa: F401
    except ImportError:
        missing.append("rdflib-endpoint")
    if not (bindir / "oxigraph").exists() and shutil.which("oxigraph") is None:
        missing.append("oxigraph")
    if missing:
        print(f"installing {' '.join(missing)} with pip", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", *missing], check=True)
    oxigraph = str(bindir / "oxigraph") if (bindir / "oxigraph").exists() else shutil.which("oxigraph")
    if oxigraph is None:
        raise SystemExit("the oxigraph CLI is missing: pip install oxigraph")
    return wrk, oxigraph


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------------ distinct queries

CQ = ROOT / "queries" / "cq"
DISTINCT = 50
POL = "PREFIX pol: <https://w3id.org/policykg/ontology#>\n"


def distinct_queries(nquads: Path, count: int = DISTINCT) -> list[str]:
    """``count`` distinct queries made from the competency questions of queries/cq/ with other
    constants (another agency, category, article, date, label language), each giving at least
    one row on the build; deterministic for a build (constants sorted, templates taken in turn).

    The templates: cq 01 (agencies of the measures of a category, with the labels of a
    language), 02 (the measures an agency guides), 05 (measures in trial on a date), 06 (the
    provenance of an agency's guidance of an article), 08 (regions of an article)."""
    import datetime

    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)

    def values(query: str) -> list[str]:
        return sorted({str(row[0].value) for row in store.query(POL + query, use_default_graph_as_union=True)})

    def has_rows(query: str) -> bool:
        return next(iter(store.query(query, use_default_graph_as_union=True)), None) is not None

    def local(iri: str, base: str) -> str | None:
        rest = iri[len(base):] if iri.startswith(base) else None
        return rest if rest and all(c.isalnum() or c in "-_" for c in rest) else None

    text = {p.name[:2]: p.read_text(encoding="utf-8") for p in CQ.glob("*.rq")}
    agencies = [a for a in (local(i, "https://w3id.org/policykg/id/agency/")
                            for i in values("SELECT ?a WHERE { ?m pol:guidedBy ?a }")) if a]
    categories = [c for c in (local(i, "https://w3id.org/policykg/id/category/")
                              for i in values("SELECT ?c WHERE { ?m pol:inCategory ?c }")) if c]
    articles = sorted({int(n) for n in values("SELECT ?n WHERE { ?m pol:articleNumber ?n }")})
    trials = [(datetime.date.fromisoformat(a), datetime.date.fromisoformat(b)) for a, b in
              sorted({(str(r[0].value), str(r[1].value)) for r in store.query(
                  POL + "SELECT ?s ?e WHERE { ?n pol:trialStart ?s ; pol:trialEnd ?e }", use_default_graph_as_union=True)})]
    templates: list[list[str]] = [
        [text["01"].replace("category:cross-border-data-transfer", f"category:{c}").replace('"en"', f'"{lang}"')
         for lang in ("en", "zh") for c in categories
         if (c, lang) != ("cross-border-data-transfer", "en")],
        [text["02"].replace("agency:cac", f"agency:{a}") for a in agencies if a != "cac"],
        [text["05"].replace("2021-06-01", (start + datetime.timedelta(days=day)).isoformat())
         for start, end in trials for day in range(0, (end - start).days + 1, 7)
         if start + datetime.timedelta(days=day) != datetime.date(2021, 6, 1)],
        [text["06"].replace("articleNumber 75", f"articleNumber {n}").replace("agency:miit", f"agency:{a}")
         for n in articles for a in agencies if (n, a) != (75, "miit")],
        [text["08"].replace("articleNumber 79", f"articleNumber {n}") for n in articles if n != 79],
    ]
    templates = [[q for q in group if has_rows(q)] for group in templates]
    chosen: list[str] = []
    while len(chosen) < count and any(templates):
        for group in templates:
            if group and len(chosen) < count:
                chosen.append(group.pop(0))
    if len(chosen) < count:
        raise SystemExit(f"only {len(chosen)} distinct queries with rows could be made from {CQ} on this build")
    return chosen


# ------------------------------------------------------------------------ servers

@dataclass
class Server:
    name: str
    args: list[str]
    port: int
    path: str  # the SPARQL endpoint's path
    log: Path
    process: subprocess.Popen | None = None
    result: dict = field(default_factory=dict)
    rounds: list[dict] = field(default_factory=list)
    by_mix: dict[str, list[dict]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def start(self) -> None:
        self.process = subprocess.Popen(self.args, stdout=self.log.open("wb"), stderr=subprocess.STDOUT,
                                        cwd=ROOT, start_new_session=True)

    def wait_ready(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited ({self.process.returncode}):\n{self.log.read_text()[-3000:]}")
            try:
                get(self.url, "SELECT * WHERE { } LIMIT 1")
                return
            except urllib.error.HTTPError as exc:
                if exc.code < 500:
                    raise SystemExit(f"{self.name} refused the readiness query: HTTP {exc.code} {exc.read()[:500]!r}")
                time.sleep(0.2)
            except (OSError, urllib.error.URLError):
                time.sleep(0.2)
        raise SystemExit(f"{self.name} did not answer on {self.url} within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # the server's own process group (start_new_session): it and the workers it started
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)


def get(url: str, query: str) -> bytes:
    request = urllib.request.Request(url + "?" + urllib.parse.urlencode({"query": query}),
                                     headers={"Accept": ACCEPT})
    with urllib.request.urlopen(request, timeout=60) as response:
        if response.status != 200:
            raise OSError(f"HTTP {response.status}")
        return response.read()


def tree_cpu(pid: int) -> tuple[float, float]:
    """CPU seconds (user+system) of ``pid`` itself and of its live descendants."""
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        parents[int(entry.name)] = int(fields[1])
        cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / TICKS
    own = cpu.get(pid, 0.0)
    children, frontier = 0.0, [pid]
    while frontier:
        parent = frontier.pop()
        for child, ppid in parents.items():
            if ppid == parent:
                children += cpu.get(child, 0.0)
                frontier.append(child)
    return own, children


def machine_busy() -> float:
    """CPU seconds the whole machine has spent busy (all cores), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / TICKS


# ------------------------------------------------------------------------ result equality

def rows(body: bytes) -> list[tuple]:
    """The solutions of a SPARQL JSON result as a sorted list of comparable rows."""
    data = json.loads(body)
    out = []
    for binding in data["results"]["bindings"]:
        row = []
        for var in sorted(binding):
            term = binding[var]
            kind = "literal" if term["type"] == "typed-literal" else term["type"]
            datatype = term.get("datatype")
            if datatype == XSD_STRING:
                datatype = None
            lang = term.get("xml:lang", "").lower() or None
            row.append((var, kind, term["value"], datatype, lang))
        out.append(tuple(row))
    return sorted(out)


def verify(servers: list[Server], queries: dict[str, str]) -> dict[str, int]:
    """Check that all servers give the same rows; return the row count of each query."""
    checks = dict(queries)
    for g in GRAPHS:
        checks[f"(quads in graph/{g})"] = (f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <https://w3id.org/policykg/graph/{g}> "
                                          "{ ?s ?p ?o } }")
    counts: dict[str, int] = {}
    failures = []
    for name, query in checks.items():
        answers = {s.name: rows(get(s.url, query)) for s in servers}
        reference_name = servers[0].name
        reference = answers[reference_name]
        if not reference:
            failures.append(f"{name}: no rows on {reference_name}")
        for other, got in answers.items():
            if got != reference:
                extra = collections.Counter(got) - collections.Counter(reference)
                lack = collections.Counter(reference) - collections.Counter(got)
                failures.append(f"{name}: {other} differs from {reference_name}: {len(got)} vs {len(reference)} rows; "
                                f"only on {other}: {list(extra)[:3]}; only on {reference_name}: {list(lack)[:3]}")
        counts[name] = len(reference)
        if name.startswith("(quads"):
            counts[name] = int(reference[0][0][2])
    if failures:
        raise SystemExit("RESULTS DIFFER BETWEEN SERVERS — not benchmarking:\n  " + "\n  ".join(failures))
    return counts


# ------------------------------------------------------------------------ load

def run_wrk(wrk: str, lua: Path, server: Server, *, seconds: float, connections: int, threads: int) -> dict:
    args = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(lua),
            server.url]
    assert server.process is not None
    before = tree_cpu(server.process.pid)
    busy_before = machine_busy()
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    after = tree_cpu(server.process.pid)
    busy = machine_busy() - busy_before
    out = proc.stdout.read().decode() if proc.stdout else ""
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"wrk failed on {server.name}:\n{out}\n{err}")
    line = next((ln for ln in out.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no summary for {server.name}:\n{out}\n{err}")
    result = json.loads(line[len("WRKJSON "):])
    result["qps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = result["connect"] + result["read"] + result["write"] + result["status"] + result["timeout"]
    result["cpu_server"] = (after[0] - before[0]) / wall
    result["cpu_children"] = max(0.0, after[1] - before[1]) / wall
    result["cpu_wrk"] = (usage.ru_utime + usage.ru_stime) / wall
    # what else ran on the machine meanwhile (other users' processes): it takes cores from the server
    result["cpu_other"] = max(0.0, busy / wall - result["cpu_server"] - result["cpu_children"] - result["cpu_wrk"])
    return result


# ------------------------------------------------------------------------ main

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds per server (default 20)")
    parser.add_argument("--warmup", type=float, default=5.0, help="warm-up seconds per server (default 5)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measured runs per server, taking turns; the median by queries/s is reported")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1: leave the cores to the servers)")
    parser.add_argument("--workers", default="2", help="policykg --workers values to run, comma-separated")
    parser.add_argument("--dist", type=Path, help="a published build to serve (default: build the seed afresh)")
    parser.add_argument("--write", type=Path, help="append the section to this Markdown file")
    parser.add_argument("--mixes", default=",".join(MIXES), help="query mixes to run, comma-separated: "
                        "cq (the queries of bench/queries/), distinct (those and 50 more, every request new)")
    args = parser.parse_args()
    worker_counts = [int(w) for w in args.workers.split(",") if w.strip()]
    mixes = [m.strip() for m in args.mixes.split(",") if m.strip()]
    if not mixes or any(m not in MIXES for m in mixes):
        raise SystemExit(f"--mixes: choose among {', '.join(MIXES)}")

    wrk, oxigraph = ensure_tools()
    queries = {p.stem: p.read_text(encoding="utf-8") for p in sorted(QUERIES.glob("*.rq"))}
    if not queries:
        raise SystemExit(f"no queries in {QUERIES}")
    wrk_version = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False).stdout.split(" [")[0].strip()
    ox_version = subprocess.run([oxigraph, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    from importlib.metadata import version

    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="policykg-bench-server-") as tmp_name:
        tmp = Path(tmp_name)
        dist = args.dist
        if dist is None:
            dist = tmp / "dist"
            print("building the seed ...", file=sys.stderr)
            subprocess.run([sys.executable, "-m", "policykg", "build", "--out", str(dist)], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL)
        dist = dist.resolve()
        subprocess.run([oxigraph, "load", "--location", str(tmp / "oxigraph"), "--file", str(dist / "policykg.nq")],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for n in worker_counts:
            # with the answer cache (the default) and without it: the cache is exact (the served
            # build is pinned and read-only), but the uncached figure shows the engine itself
            for cache_mb, label in (("64", ""), ("0", " --cache-mb 0")):
                servers.append(Server(f"policykg --workers {n}{label}",
                                      [sys.executable, "-m", "policykg", "serve", "--no-build", "--dist", str(dist),
                                       "--host", "127.0.0.1", "--port", str(port := free_port()), "--workers", str(n),
                                       "--cache-mb", cache_mb,
                                       # wrk's 32 connections come from one address: without
                                       # this they would be one client, held to its share
                                       "--client-queries", "0"],
                                      port, "/sparql", tmp / f"policykg-{n}-{cache_mb}.log"))
        servers.append(Server("rdflib-endpoint", [sys.executable, "-c", RDFLIB_ENDPOINT_APP,
                                                  str(dist / "policykg.trig"), str(port := free_port())],
                              port, "/sparql", tmp / "rdflib-endpoint.log"))
        servers.append(Server("Oxigraph server", [oxigraph, "serve-read-only", "--location", str(tmp / "oxigraph"),
                                                  "--bind", f"127.0.0.1:{(port := free_port())}",
                                                  "--union-default-graph"],
                              port, "/query", tmp / "oxigraph.log"))
        distinct = {f"d{i + 1:02d}": q for i, q in enumerate(distinct_queries(dist / "policykg.nq"))} \
            if "distinct" in mixes else {}
        luas = {}
        for mix in mixes:
            texts = list(queries.values()) + (list(distinct.values()) if mix == "distinct" else [])
            paths = ", ".join(json.dumps("?" + urllib.parse.urlencode({"query": q})) for q in texts)
            luas[mix] = tmp / f"rotate-{mix}.lua"
            luas[mix].write_text(WRK_LUA % {"paths": paths, "accept": ACCEPT,
                                            "unique": "true" if mix == "distinct" else "false"})
        try:
            for s in servers:
                s.start()
            for s in servers:
                s.wait_ready()
            counts = verify(servers, {**queries, **distinct})
            print("all servers agree: " + ", ".join(f"{k} {v}" for k, v in counts.items()), file=sys.stderr)
            # rdflib-endpoint, then Oxigraph, then policykg: the baselines first. With --rounds R the
            # servers take turns R times (background load from other users then falls on all of them)
            # and each keeps its median round by queries/s.
            order = servers[-2:] + servers[:-2]
            for s in order:
                print(f"warming up {s.name} ({args.warmup:g} s)", file=sys.stderr)
                run_wrk(wrk, luas[mixes[0]], s, seconds=args.warmup, connections=args.connections,
                        threads=args.threads)
            for round_ in range(args.rounds):
                for mix in mixes:
                    for s in order:
                        r = run_wrk(wrk, luas[mix], s, seconds=args.duration, connections=args.connections,
                                    threads=args.threads)
                        s.by_mix.setdefault(mix, []).append(r)
                        print(f"round {round_ + 1}, {mix}: {s.name}: {r['qps']:.0f} q/s, p50 {r['p50'] / 1000:.1f} ms, "
                              f"p99 {r['p99'] / 1000:.1f} ms, {r['errors']:.0f} errors, other load "
                              f"{r['cpu_other']:.2f} cores", file=sys.stderr)
        finally:
            for s in servers:
                s.stop()
    texts = []
    for mix in mixes:
        for s in servers:
            s.rounds = s.by_mix[mix]
            s.result = sorted(s.rounds, key=lambda r: r["qps"])[(len(s.rounds) - 1) // 2]
            s.result["errors_all"] = sum(r["errors"] for r in s.rounds)
        texts.append(report(servers, counts, args, wrk_version, ox_version, version("rdflib-endpoint"),
                            version("rdflib"), mix=mix))
    text = "\n".join(texts)
    print(text)
    if args.write:
        with args.write.open("a", encoding="utf-8") as handle:
            handle.write(text + "\n")


def report(servers: list[Server], counts: dict[str, int], args: argparse.Namespace, wrk_version: str,
           ox_version: str, rdflib_endpoint_version: str, rdflib_version: str, mix: str = "cq") -> str:
    rdflib_s = next(s for s in servers if s.name == "rdflib-endpoint")
    ox_s = next(s for s in servers if s.name == "Oxigraph server")
    policykg = [s for s in servers if s.name.startswith("policykg")]
    quads = sum(v for k, v in counts.items() if k.startswith("(quads"))
    cq = [k for k in counts if not k.startswith("(") and not k.startswith("d")]
    distinct = [k for k in counts if k.startswith("d")]
    rounds = (f"{args.rounds} measured runs of {args.duration:g} s per server, taking turns, median by queries/s "
              "reported" if args.rounds > 1 else f"{args.duration:g} s measured per server")
    rows_per_query = ", ".join(f"{k[:2]}: {counts[k]}" for k in cq)
    header = ("| server | queries/s | p50 ms | p90 ms | p99 ms | max ms | errors | CPU server | CPU workers "
              "| CPU µs/query | CPU wrk | CPU other |")
    lines = [
        f"### SPARQL over HTTP: policykg vs rdflib-endpoint vs Oxigraph, mix \"{mix}\" ({time.strftime('%Y-%m-%d')})",
        "",
        (f"Machine: {machine()}. `python bench/server.py`: {wrk_version}, {args.threads} thread, "
         f"{args.connections} connections, one server under load at a time, {args.warmup:g} s warm-up, {rounds}. "
         + (f"Each request is a GET of the next of the {len(cq)} competency queries in `bench/queries/`, "
            if mix == "cq" else
            f"Each request is a GET of the next of {len(cq) + len(distinct)} queries — the {len(cq)} of "
            f"`bench/queries/` and {len(distinct)} made from `queries/cq/` with other constants "
            "(`distinct_queries`) — with a comment holding a request counter appended, so that every request's "
            "text is new and no cache serves an answer twice; ")
         + 
         f"`Accept: {ACCEPT}`. The data: one build of the seed, {quads} quads in {len(GRAPHS)} named graphs; on "
         "every server the default graph is their union. "
         f"rdflib-endpoint {rdflib_endpoint_version} (rdflib {rdflib_version}; one uvicorn process, as its CLI runs, "
         f"without the access log) serves a `Dataset(default_union=True)` parsed from policykg.trig; "
         f"{ox_version} `serve-read-only --union-default-graph` a store loaded from policykg.nq. Before the load, "
         f"every query gave the same rows on every server (rows: {rows_per_query}"
         + (f"; the {len(distinct)} distinct queries {sum(counts[k] for k in distinct)} rows in all" if distinct else "")
         + ")."),
        "",
        ("CPU columns are cores busy during the measured run: the server process, its child processes (policykg's "
         "query workers), the load generator, and everything else on the machine (other users' work, which takes "
         "cores from the server under test). CPU µs/query is the server's and its workers' CPU per answer."),
        "",
        header,
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in [rdflib_s, ox_s, *policykg]:
        r = s.result
        per_query = (r["cpu_server"] + r["cpu_children"]) / r["qps"] * 1e6
        lines.append(f"| {s.name} | {r['qps']:.0f} | {r['p50'] / 1000:.1f} | {r['p90'] / 1000:.1f} | "
                     f"{r['p99'] / 1000:.1f} | {r['max'] / 1000:.0f} | {r['errors']:.0f} of {r['requests']:.0f} | "
                     f"{r['cpu_server']:.2f} | {r['cpu_children']:.2f} | {per_query:.0f} | {r['cpu_wrk']:.2f} | "
                     f"{r['cpu_other']:.2f} |")
    if args.rounds > 1:
        lines += ["", "Queries/s per run: " + "; ".join(
            f"{s.name} " + ", ".join(f"{r['qps']:.0f}" for r in s.rounds) for s in [rdflib_s, ox_s, *policykg]) + "."]
    busy = max(r["cpu_other"] for s in servers for r in s.rounds)
    if busy > 0.25:
        lines += ["", (f"**Warning:** other work used up to {busy:.2f} cores during the measured runs; the "
                       "numbers understate what the servers do on an idle machine, and the ratios are less sure.")]
    lines += [
        "",
        (f"Targets: at least {TARGET_X_RDFLIB:g}x rdflib-endpoint's queries/s; at least {TARGET_X_OXIGRAPH:g}x "
         f"the Oxigraph server's without the answer cache (and with it on this mix, where no cache can help)"
         + (f", {TARGET_X_OXIGRAPH_CACHED:g}x with it" if mix == "cq" else "")
         + f"; p99 under {TARGET_P99_MS:g} ms at {args.connections} clients; no errors."),
        "",
        "| policykg | / rdflib-endpoint | / Oxigraph | p99 | targets |",
        "|---|---|---|---|---|",
    ]
    for s in policykg:
        r = s.result
        x_rdflib = r["qps"] / rdflib_s.result["qps"]
        x_ox = r["qps"] / ox_s.result["qps"]
        cached = "--cache-mb 0" not in s.name and mix == "cq"
        checks = [x_rdflib >= TARGET_X_RDFLIB, x_ox >= (TARGET_X_OXIGRAPH_CACHED if cached else TARGET_X_OXIGRAPH),
                  r["p99"] / 1000 < TARGET_P99_MS,
                  r["errors_all"] == 0]
        r["pass"] = all(checks)
        missed = [name for name, ok in zip(["vs rdflib-endpoint", "vs Oxigraph", "p99", "errors"], checks) if not ok]
        mark = ["(met)" if ok else "(missed)" for ok in checks]
        lines.append(f"| {s.name} | {x_rdflib:.1f}x {mark[0]} | {x_ox:.2f}x {mark[1]} | "
                     f"{r['p99'] / 1000:.1f} ms {mark[2]} | {'all met' if r['pass'] else 'missed: ' + ', '.join(missed)} |")
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()

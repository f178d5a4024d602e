"""Nothing lost (issue 7): a `policykg build` killed with SIGKILL at any stage — extraction, the
SHACL gate, writing — leaves the last good build, the kept builds and what a running server
answers byte-identical; the next build succeeds and tidies up; two builds at once take turns;
a refused build (gate failure, empty graph, lost facts) changes nothing.

Every build here is the real command (``policykg.cli.main``) in its own process. A build that
is to be killed runs with one addition, in the test's launcher only: on SIGUSR1 it writes its
Python stack (every frame, one line). The test samples the stack every few milliseconds until
the build is in the stage wanted (and, for writing, its temporary folder exists), then sends
SIGKILL: the last sample, taken a moment before the kill, says where the kill landed. Kill points
are spread over each stage by the stage's length in a timed build, and a kill that lands in
another stage is counted there and tried again, so the test holds on a slow or busy machine.

The corpus is bench/corpus.py's: deterministic documents that build together.
"""
from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

import servers
from policykg.pipeline.publish.release import KEEP, history, latest_good

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "sources" / "2020-09-services-trade-pilot-areas-data.md"
#: The seed with a second, different trial period for its notice: a graph the gate refuses.
SECOND_TRIAL = ("on August 14, with a trial period of three years.",
                "on August 14, with a trial period of three years. The notice runs a trial period of two "
                "years, counted from 1 March 2021.")
DOCUMENTS = sorted(p for p in (ROOT / "tests" / "documents").glob("*.md") if p.name != "README.md")

_spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
corpus = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("bench_corpus", corpus)
_spec.loader.exec_module(corpus)

#: The launcher of a build that may be killed: policykg's own CLI, and on SIGUSR1 a line
#: ``STACK|file:function|...`` (innermost first) on stderr. (faulthandler's dump stops at 100
#: frames, which pyparsing and the importer exceed.)
LAUNCHER = """
import os, signal, sys

def sample(signum, frame):
    names = []
    while frame is not None:
        names.append(f"{frame.f_code.co_filename}:{frame.f_code.co_name}")
        frame = frame.f_back
    os.write(2, ("STACK|" + "|".join(names) + "\\n").encode())

signal.signal(signal.SIGUSR1, sample)
os.write(2, b"sampling ready\\n")
from policykg.cli import main
sys.exit(main())
"""
FRACTIONS = (0.1, 0.45, 0.8)  # where in each stage the kills land
#: What a killed build may leave hidden (never taken for a build; removed by the next one).
LEFTOVERS = (".dist.tmp-", ".dist.swap-", ".dist.trash-", ".dist.prev.tmp-", ".trash-")
BUILD_TIMEOUT = 300


# --------------------------------------------------------------------------------------------
# The corpus, snapshots of an output folder
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("corpus")
    paths = []
    for doc in corpus.generate(100, seed=11):
        path = folder / f"{doc.name}.md"
        path.write_bytes(doc.text.encode("utf-8"))
        paths.append(path)
    return sorted(paths)


def digests(folder: Path) -> dict[str, str]:
    """Every file of a build, its persistent store's (``store/``) too, with its digest."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def snapshot(out: Path) -> dict[str, object]:
    """Every byte a reader of ``out`` may read: the current build, each kept build, where
    ``.prev`` points; and the names beside ``out`` and in its history that are not hidden."""
    kept = out.with_name(out.name + ".history")
    prev = out.with_name(out.name + ".prev")
    return {
        "current": digests(out),
        "kept": {p.name: digests(p) for p in sorted(kept.iterdir()) if not p.name.startswith(".")}
        if kept.is_dir() else {},
        "prev": os.readlink(prev) if prev.is_symlink() else None,
        "visible": sorted(p.name for p in out.parent.iterdir() if not p.name.startswith(".")),
    }


def hidden(out: Path) -> list[str]:
    """Hidden names beside ``out`` and in its history, but the lock and a server's pinned copy."""
    kept = out.with_name(out.name + ".history")
    names = [p.name for p in out.parent.iterdir() if p.name.startswith(".")]
    names += [p.name for p in kept.iterdir() if p.name.startswith(".")] if kept.is_dir() else []
    return sorted(n for n in names if n != f".{out.name}.lock" and not n.startswith(".policykg-serve-"))


def assert_whole(build: Path) -> None:
    """Every file listed in SHA256SUMS matches, and nothing else is there."""
    listed = {}
    for line in (build / "SHA256SUMS").read_text(encoding="ascii").splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    assert listed and set(listed) == {str(p.relative_to(build)) for p in build.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    for name, digest in listed.items():
        assert hashlib.sha256((build / name).read_bytes()).hexdigest() == digest, (build, name)


def sources_of(build: Path) -> dict[str, set[str]]:
    """What each file of a build says it was built from: the sha256 of every source (the build
    report, the provenance graph) and the documents (the VoID description, the data graph)."""
    report = (build / "build-report.md").read_text(encoding="utf-8")
    store = ox.Store()
    store.load(path=str(build / "policykg.nq"), format=ox.RdfFormat.N_QUADS)
    checksums = {row[0].value for row in store.query(
        "SELECT ?v WHERE { GRAPH <https://w3id.org/policykg/graph/provenance> "
        "{ ?c <http://spdx.org/rdf/terms#checksumValue> ?v } }")}
    updates = {row[0].value for row in store.query(
        "SELECT ?d WHERE { GRAPH <https://w3id.org/policykg/graph/data> "
        "{ ?d a <https://w3id.org/policykg/ontology#PolicyUpdate> } }")}
    void = ox.Store()
    void.load(path=str(build / "void.ttl"), format=ox.RdfFormat.TURTLE)
    described = {row[0].value for row in void.query(
        "SELECT ?d WHERE { <https://w3id.org/policykg/id/dataset> <http://purl.org/dc/terms/source> ?d }")}
    return {"report": set(re.findall(r"^\| `[^`]+` \| `([0-9a-f]{64})` \|", report, re.M)),
            "provenance": checksums, "void": described, "data": updates}


def assert_built_from(build: Path, paths: list[Path]) -> None:
    """``build`` is whole, and every file of it belongs to one build of ``paths``."""
    assert_whole(build)
    said = sources_of(build)
    wanted = {hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
    assert said["report"] == wanted and said["provenance"] == wanted
    assert said["void"] == said["data"] and len(said["void"]) == len(paths)


def assert_lock_free(out: Path) -> None:
    """Nobody holds the output folder's lock (the kernel released a killed build's)."""
    with open(out.parent / f".{out.name}.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # BlockingIOError if held
        fcntl.flock(handle, fcntl.LOCK_UN)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "policykg", *args], capture_output=True, text=True,
                          timeout=BUILD_TIMEOUT, stdin=subprocess.DEVNULL, cwd=ROOT)


# --------------------------------------------------------------------------------------------
# A build that is sampled, and killed where wanted
# --------------------------------------------------------------------------------------------

#: The stages in the order a build goes through them; what a stack sample says.
ORDER = ("starting", "preflight", "lock", "load", "parse", "extract", "map", "store", "reason", "gate", "check",
         "void", "write", "ended")
#: The module (and function) that the build calls for each stage, by the module's path in the
#: package (``pipeline/publish/__init__.py`` is the publish stage's door).
CALLEES = {("pipeline/publish/__init__.py", "publish"): "write", ("pipeline/publish/release.py", "lock"): "lock",
           ("pipeline/publish/release.py", "resolve_out_dir"): "preflight",
           ("pipeline/publish/release.py", "check_out_dir"): "preflight",
           ("pipeline/publish/release.py", "latest_good"): "check", ("pipeline/build.py", "_previous_size"): "check",
           ("pipeline/build.py", "_lock"): "lock", ("pipeline/build.py", "_to_rdflib"): "gate",
           ("pipeline/reason.py", "load_ontology"): "store", ("pipeline/reason.py", "infer"): "reason",
           ("pipeline/mapping.py", "load_rules"): "load", ("pipeline/mapping.py", "map_records"): "map",
           "pipeline/lexicon.py": "load", "pipeline/mapping.py": "map", "pipeline/read.py": "parse",
           "pipeline/structure.py": "parse", "document.py": "parse", "pipeline/reason.py": "reason",
           "pipeline/extract.py": "extract", "pipeline/reconcile.py": "map", "pipeline/provenance.py": "store",
           "pipeline/gate/__init__.py": "gate", "pipeline/gate/quality.py": "gate",
           "pipeline/publish/void.py": "void", "pipeline/publish/__init__.py": "write"}


def _in_package(path: str) -> str:
    """A frame's file as a path inside the package ("pipeline/build.py"); a file outside it as
    its name."""
    parts = Path(path).parts
    return "/".join(parts[len(parts) - parts[::-1].index("policykg"):]) if "policykg" in parts else Path(path).name


def stage_of(dump: str, inside: bool) -> str:
    """The stage a stack dump shows: what ``build()`` is calling (``starting`` before it runs,
    ``ended`` after, which ``inside`` tells apart; ``build`` between two calls)."""
    frames = [(_in_package(f), fn) for f, _, fn in
              (entry.rpartition(":") for entry in dump.split("|")[1:])]  # innermost first
    at = next((i for i, frame in enumerate(frames) if frame == ("pipeline/build.py", "build")), None)
    if at is None:
        return "ended" if inside else "starting"
    for name, fn in reversed(frames[:at]):  # from build() inwards
        if name == "pipeline/build.py" and fn.startswith("<"):  # a comprehension inside build()
            continue
        return CALLEES.get((name, fn)) or CALLEES.get(name) or "build"
    return "build"


@dataclass
class Kill:
    stage: str  # where the kill was aimed
    landed: str  # where the last sample before it found the build
    seconds_in: float  # how long the build had been in the stage
    latency: float  # from that sample to SIGKILL
    dump: str


class SampledBuild:
    """``policykg build`` in a child process whose Python stack the test can sample."""

    def __init__(self, sources: list[Path], out: Path, log: Path) -> None:
        self.log = log
        self._err = open(log, "wb")  # noqa: SIM115 - closed in wait()
        self.process = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, "build", *map(str, sources), "--out", str(out)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._err, cwd=ROOT)
        self.inside = False
        deadline = time.monotonic() + 60
        while b"sampling ready" not in log.read_bytes():
            assert self.process.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, "the build did not start"
            time.sleep(0.005)

    def builder(self) -> int | None:
        """The pid of the process that runs the build: `policykg build` runs it in a forked
        child (its time limit), which inherits the launcher's SIGUSR1 handler and stderr."""
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        except OSError:
            return None
        return int(children[0]) if children else None

    def sample(self) -> str | None:
        """The build's stack now (None when it has ended)."""
        offset = self.log.stat().st_size
        pid = self.builder()
        if pid is None:
            return None if self.process.poll() is not None else "STACK|starting"
        try:
            os.kill(pid, signal.SIGUSR1)
        except ProcessLookupError:
            return None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with open(self.log, "rb") as handle:
                handle.seek(offset)
                written = handle.read().decode("utf-8", "replace")
            dump = next((line for line in written.split("\n")[:-1] if line.startswith("STACK|")), None)
            if dump is not None:
                return dump
            if self.process.poll() is not None:
                return None
            time.sleep(0.001)
        raise AssertionError("no stack dump in 10 s")

    def kill_in(self, stage: str, after: float, ready: Callable[[], bool] = lambda: True) -> Kill:
        """Once the build has been in ``stage`` for ``after`` seconds (and ``ready()``), SIGKILL it;
        if it gets past ``stage`` first, SIGKILL it there. The sample before the kill says where."""
        first = None
        while True:
            dump = self.sample()
            if dump is None:  # it ended before it could be killed (it may have published): say so
                code = self.wait()
                print(f"the build ended (exit {code}) before it was killed:\n"
                      f"{self.log.read_text(errors='replace')[-2000:]}")
                return Kill(stage, "ended", 0.0, 0.0, "")
            seen = time.monotonic()
            landed = stage_of(dump, self.inside)
            self.inside = self.inside or landed not in ("starting", "ended")
            if landed == stage and ready():
                first = first if first is not None else seen
                if seen - first >= after:
                    break
            elif landed in ORDER and ORDER.index(landed) > ORDER.index(stage):
                break
            time.sleep(0.005)
        builder = self.builder()
        if builder is not None:
            os.kill(builder, signal.SIGKILL)  # the build itself ...
        self.process.send_signal(signal.SIGKILL)  # ... and the command that started it
        latency = time.monotonic() - seen
        assert self.wait() == -signal.SIGKILL
        while builder is not None and Path(f"/proc/{builder}").exists():  # reaped by init
            time.sleep(0.001)
        return Kill(stage, landed, 0.0 if first is None else seen - first, latency, dump)

    def wait(self) -> int:
        try:
            return self.process.wait(timeout=BUILD_TIMEOUT)
        finally:
            self._err.close()


def timed_build(sources: list[Path], out: Path, log: Path) -> float:
    """Build ``sources`` into ``out`` (it must publish); returns how long its temporary folder
    lived: the writing stage, which the build report does not time."""
    build = SampledBuild(sources, out, log)
    appeared = gone = None
    while build.process.poll() is None:
        tmp = any(p.name.startswith(f".{out.name}.tmp-") for p in out.parent.iterdir())
        now = time.monotonic()
        if tmp and appeared is None:
            appeared = now
        if appeared is not None and not tmp and gone is None:
            gone = now
        time.sleep(0.002)
    assert build.wait() == 0, log.read_text(errors="replace")
    assert appeared is not None and gone is not None
    return gone - appeared


def stage_seconds(build: Path) -> dict[str, float]:
    """The stage timings of a build's report."""
    text = (build / "build-report.md").read_text(encoding="utf-8")
    return {name: float(s) for name, s in re.findall(r"^\| (\w+) \| ([0-9.]+) \|$", text, re.M)}


# --------------------------------------------------------------------------------------------
# A server that answers from the last good build
# --------------------------------------------------------------------------------------------

QUERIES = {
    "graphs": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "guided": "PREFIX pol: <https://w3id.org/policykg/ontology#> "
              "SELECT ?m ?a WHERE { ?m pol:guidedBy ?a } ORDER BY ?m ?a LIMIT 100",
    "measures": "PREFIX pol: <https://w3id.org/policykg/ontology#> "
                "CONSTRUCT { ?m ?p ?o } WHERE { ?m a pol:Measure ; ?p ?o } ORDER BY ?m ?p ?o LIMIT 300",
}


def answers(url: str) -> dict[str, bytes]:
    """The server's answers to a few queries and pages, byte for byte."""
    got = {}
    for name, query in QUERIES.items():
        accept = "application/n-triples" if "CONSTRUCT" in query else "application/sparql-results+json"
        request = urllib.request.Request(f"{url}/sparql?{urllib.parse.urlencode({'query': query})}",
                                         headers={"Accept": accept})
        with urllib.request.urlopen(request, timeout=60) as answer:
            got[name] = answer.read()
    for path in ("/", "/downloads/policykg.nt", "/downloads/SHA256SUMS"):
        with urllib.request.urlopen(url + path, timeout=60) as answer:
            got[path] = answer.read()
    return got


@pytest.fixture()
def server_of(tmp_path: Path) -> Iterator[Callable[[Path], str]]:
    started = []

    def start(out: Path) -> str:
        process, url, _ = servers.serve(out, tmp_path / "server.log", "--cache-mb", "0", "--timeout", "120")
        started.append(process)
        return url

    yield start
    for process in started:
        servers.stop(process)


# --------------------------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------------------------

def test_a_build_killed_at_any_stage_loses_nothing(docs: list[Path], tmp_path: Path, server_of) -> None:
    out = tmp_path / "site" / "dist"
    first, sources = docs[:10], docs[:30]
    assert cli("build", *map(str, first), "--out", str(out)).returncode == 0
    # The last good build, of the sources the killed builds read: its report times the stages.
    writing = timed_build(sources, out, tmp_path / "timed.log")
    seconds = stage_seconds(out)
    seconds["write"] = writing
    url = server_of(out)
    served = answers(url)
    assert served["/downloads/policykg.nt"] == (out / "policykg.nt").read_bytes()
    before = snapshot(out)
    assert len(before["kept"]) == 1 and before["prev"] is not None
    assert before["visible"] == ["dist", "dist.history", "dist.prev"]

    def temporary() -> set[str]:
        return {p.name for p in out.parent.iterdir() if p.name.startswith(".dist.tmp-")}

    kills: list[Kill] = []
    published = 0  # kills that came after the build had published: too late
    for stage in ("extract", "gate", "write"):
        landed = 0
        for attempt in range(len(FRACTIONS) + 3):
            if landed == len(FRACTIONS):
                break
            fraction = FRACTIONS[landed] if attempt < len(FRACTIONS) else FRACTIONS[0] / 2
            # extraction is short: a longer one, of more documents, is killed there
            killed = docs if stage == "extract" else sources
            length = seconds[stage] * (len(docs) / len(sources) if stage == "extract" else 1)
            left = temporary()  # by builds killed before: this one's is new
            build = SampledBuild(killed, out, tmp_path / f"{stage}-{attempt}.log")
            kill = build.kill_in(stage, fraction * length, lambda: stage != "write" or bool(temporary() - left))
            kills.append(kill)
            print(f"killed in {kill.landed:7} (aimed at {kill.stage}) {kill.seconds_in:6.3f} s into it, "
                  f"SIGKILL {kill.latency * 1000:.1f} ms after the sample")
            landed += kill.landed == stage
            # The kernel released the killed build's lock; everything a reader sees is as it was.
            assert_lock_free(out)
            assert latest_good(out) == out
            assert all(n.startswith(LEFTOVERS) for n in hidden(out)), hidden(out)
            assert answers(url) == served, f"the server's answers changed after a kill in {kill.landed}"
            now = snapshot(out)
            if kill.landed == "write" and now == before:
                assert temporary() - left  # killed while writing its files: they are left hidden
            if now != before:  # killed after its swap, or after it ended: published, and whole
                assert kill.landed in ("write", "ended"), f"a build killed in {kill.landed} changed the output"
                assert_built_from(out, killed)
                old = [out.with_name("dist.history") / name for name in now["kept"]]
                old += [p for p in out.parent.iterdir() if p.name.startswith(".dist.swap-")]
                assert before["current"] in [digests(p) for p in old]  # the last good build, kept
                # every build kept before is kept still, but the oldest that a full history lets go
                # (release.KEEP builds at most: a publish beyond them prunes the oldest)
                by_number = sorted(before["kept"], key=lambda name: int(name.split("-", 1)[0]))
                let_go = set(by_number[:max(0, len(by_number) + 1 - KEEP)])
                assert all(now["kept"].get(k) == v for k, v in before["kept"].items() if k not in let_go)
                before, published = now, published + 1
        assert landed == len(FRACTIONS), [(k.stage, k.landed) for k in kills]
    if not published:  # (a publish tidies up what killed builds left)
        assert any(n.startswith(".dist.tmp-") for n in hidden(out))  # a killed write left its folder

    # The next build succeeds, while the server serves: it tidies up, keeps the last good build.
    after = docs[5:30]
    proc = cli("build", *map(str, after), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert hidden(out) == []
    assert_built_from(out, after)
    now = snapshot(out)
    newest = history(out).previous[0]
    assert now["kept"][newest.path.name] == before["current"]  # the last good build, kept whole
    assert {k: v for k, v in now["kept"].items() if k in before["kept"]} == before["kept"]
    assert now["prev"] == f"dist.history/{newest.path.name}"
    assert answers(url) == served  # the server serves the build it pinned at start


def test_two_builds_at_once_take_turns(docs: list[Path], tmp_path: Path) -> None:
    """Two builds of different sources into one folder, started together: one waits for the
    other (the lock); each publishes a whole build of its own sources, never a mix; the last
    one is current and the other is kept."""
    out = tmp_path / "dist"
    sets = {"one": docs[60:75], "two": docs[75:90]}
    writing = []  # how many builds were writing their files at once, sampled all along
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            writing.append(sum(1 for p in tmp_path.iterdir() if p.name.startswith(".dist.tmp-")))
            time.sleep(0.002)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        builds = {name: subprocess.Popen([sys.executable, "-m", "policykg", "build", *map(str, paths),
                                          "--out", str(out)], cwd=ROOT, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                  for name, paths in sets.items()}
        for name, process in builds.items():
            stdout, stderr = process.communicate(timeout=BUILD_TIMEOUT)
            assert process.returncode == 0, f"{name}: {stdout}\n{stderr}"
    finally:
        done.set()
        watcher.join()
    assert max(writing) == 1  # seen writing, and never two at once

    kept = history(out).previous
    assert len(kept) == 1 and latest_good(out) == out and hidden(out) == []
    owners = []
    for folder in (out, kept[0].path):
        said = sources_of(folder)["provenance"]
        owner = [name for name, paths in sets.items()
                 if said == {hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}]
        assert len(owner) == 1, f"{folder} mixes the sources of both builds"
        assert_built_from(folder, sets[owner[0]])
        owners += owner
    assert sorted(owners) == ["one", "two"]


@pytest.fixture(scope="module")
def good_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder with two good builds: the seed, then the seed and tests/documents."""
    from policykg.pipeline.build import build

    out = tmp_path_factory.mktemp("refusals") / "site" / "dist"
    assert build([SEED], out).published
    assert build([SEED, *DOCUMENTS], out).published
    return out


@pytest.mark.parametrize("refusal", ["gate", "empty", "shrink"])
def test_a_refused_build_changes_nothing(good_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         refusal: str) -> None:
    """A graph that fails the gate, an empty graph, one that lost more than half of the last
    good build's facts: not published, and every byte a reader sees is as it was."""
    import policykg.pipeline.build
    from policykg.pipeline.mapping import Mapped

    site = tmp_path / "site"
    shutil.copytree(good_site.parent, site, symlinks=True)
    out = site / "dist"
    before = snapshot(out)
    assert len(before["kept"]) == 1
    if refusal == "gate":  # the text gives the notice a second trial period: a shape breaks
        bad = tmp_path / "bad.md"
        bad.write_text(SEED.read_text(encoding="utf-8").replace(*SECOND_TRIAL), encoding="utf-8")
        sources, why = [bad, *DOCUMENTS], "the SHACL gate failed"
    elif refusal == "empty":  # a mapping that yields nothing
        monkeypatch.setattr(policykg.pipeline.build, "map_records", lambda records, rules: Mapped((), {}))
        sources, why = [SEED, *DOCUMENTS], "the graph is empty"
    else:  # one document after seven
        sources, why = [DOCUMENTS[0]], "fewer than the last good build"
    result = policykg.pipeline.build.build(sources, out)
    assert not result.published
    assert any(why in reason for reason in result.refusals), result.refusals
    assert snapshot(out) == before and hidden(out) == []
    assert latest_good(out) == out


def test_a_build_past_its_time_limit_is_stopped_and_changes_nothing(good_site: Path, docs: list[Path]) -> None:
    """`policykg build --time-limit S` SIGKILLs a build that runs longer (a gate or an OWL 2 RL
    round stuck inside pyoxigraph never returns to Python to see a gentler signal): exit 1,
    a message naming the limit, and every byte of the output and its history as before."""
    before = snapshot(good_site)
    start = time.monotonic()
    run = cli("build", *map(str, docs), "--out", str(good_site), "--time-limit", "0.5")
    assert run.returncode == 1, run.stderr
    assert "stopped after its time limit of 0.5 s" in run.stderr
    assert "nothing was published" in run.stderr and "Traceback" not in run.stderr
    assert time.monotonic() - start < 20  # stopped, not run to the end (the build takes longer)
    assert snapshot(good_site) == before
    assert_lock_free(good_site)
    # (Every other CLI build of the tests runs under the default limit, in the same forked child.)


def test_killing_the_command_kills_its_build(docs: list[Path], tmp_path: Path) -> None:
    """The build runs in a child of `policykg build` (for its time limit); SIGKILL of the command
    alone must not leave that child building and publishing behind the user's back."""
    out = tmp_path / "site" / "dist"
    out.parent.mkdir()
    build = SampledBuild(docs, out, tmp_path / "build.log")
    deadline = time.monotonic() + 60
    busy = ORDER[ORDER.index("parse"):ORDER.index("write")]  # well before anything is published
    while (stage := stage_of(build.sample() or "STACK|", build.inside)) not in busy:
        build.inside = build.inside or stage not in ("starting", "ended")
        assert time.monotonic() < deadline and build.process.poll() is None, "never saw the build at work"
        time.sleep(0.005)
    builder = build.builder()
    assert builder is not None
    build.process.send_signal(signal.SIGKILL)  # the command only
    assert build.wait() == -signal.SIGKILL
    deadline = time.monotonic() + 10
    while Path(f"/proc/{builder}").exists():
        assert time.monotonic() < deadline, "the build outlived the command that started it"
        time.sleep(0.01)
    assert not out.exists()
    assert_lock_free(out)

"""The persistent store a build publishes (issue 16): ``store/``, a pyoxigraph (RocksDB) store of
the quads of ``policykg.nq``, which ``policykg query`` and the server's query workers open
read-only instead of parsing the N-Quads.

What is shown, each on a real build of ``tests/documents``:

* the build publishes it, and ``SHA256SUMS`` lists every file of it (``sha256sum -c`` passes); a
  store file changed, removed or added afterwards makes the build incomplete, and policykg
  then never replaces nor serves it;
* opening it read-only and querying it writes nothing: no byte, no time stamp, no new file;
  it refuses updates;
* every competency question and quality rule gets the same answer from the store as from
  ``policykg.nq`` (what an older build without a store is read from); a build whose N-Quads
  were replaced afterwards, or whose store cannot be opened, is read from its N-Quads;
* it goes into the history with its build, and a rollback brings it back, byte for byte;
* a build killed while its store is being written leaves ``dist`` untouched (and no writer
  behind); a store that cannot be written is left out, with a warning; the files other than
  ``store/`` and ``SHA256SUMS`` are byte-identical to those of a build without a store, and
  the build's id does not depend on the store's bytes;
* the server's workers answer from it at once, then from memory, with their isolation: no
  socket (seccomp) even while they read the store's files, no file once in memory, the time
  limit, a pinned copy that a newer build does not change.
"""
from __future__ import annotations

import gc
import hashlib
import importlib.util
import json
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

import policykg.pipeline.publish as pub
import policykg.pipeline.publish.release as release
from policykg.errors import InputError
from policykg.graphs import GRAPHS
from policykg.pipeline.publish import publish
from policykg.pipeline.gate.quality import load_quality_rules
from policykg.tools.query import QueryResult, QuerySyntaxError, load_build, load_competency_queries, run_query
from policykg.pipeline.publish.release import history, latest_good, open_store, rollback, store_path
from policykg.server import worker as worker_module

from folders import tree
from servers import serve, stop

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = sorted(p for p in (ROOT / "tests" / "documents").glob("*.md") if p.name != "README.md")
SEED = ROOT / "sources" / "2020-09-services-trade-pilot-areas-data.md"
ID = "https://w3id.org/policykg/id/"
POL = "https://w3id.org/policykg/ontology#"
SPDX = "http://spdx.org/rdf/terms#"

_spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
corpus = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("bench_corpus", corpus)
_spec.loader.exec_module(corpus)


# ------------------------------------------------------------------------- helpers

@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The published build of every test document."""
    from policykg.pipeline.build import build

    out = tmp_path_factory.mktemp("store") / "dist"
    result = build(DOCUMENTS, out)
    assert result.published, result.report.to_text()
    return out


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listed(build: Path) -> dict[str, str]:
    return {name: digest for digest, _, name in
            (line.partition("  ") for line in (build / "SHA256SUMS").read_text(encoding="ascii").splitlines())}


def files_of(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Every file and folder under ``folder``: size, modification time (ns) and digest."""
    out = {".": (0, folder.stat().st_mtime_ns, "dir")}
    for path in sorted(folder.rglob("*")):
        stat = path.stat()
        out[str(path.relative_to(folder))] = (stat.st_size, stat.st_mtime_ns,
                                              sha256(path) if path.is_file() else "dir")
    return out


def copy_build(build: Path, target: Path) -> Path:
    shutil.copytree(build, target)
    return target


def without_store(build: Path, target: Path) -> Path:
    """A copy of ``build`` as a policykg before stores published it: no ``store/``, and
    ``SHA256SUMS`` without its lines."""
    shutil.copytree(build, target, ignore=shutil.ignore_patterns("store"))
    sums = target / "SHA256SUMS"
    sums.write_text("".join(line for line in sums.read_text(encoding="ascii").splitlines(keepends=True)
                            if "  store/" not in line), encoding="ascii")
    return target


def resum(build: Path) -> None:
    """Write ``SHA256SUMS`` again for the files it lists (after a deliberate change)."""
    names = sorted(listed(build))
    (build / "SHA256SUMS").write_text("".join(f"{sha256(build / n)}  {n}\n" for n in names), encoding="ascii")


def normalised(result: QueryResult) -> tuple[tuple[str, ...], Counter]:
    """A result's variables and rows, blank nodes all the same (labels differ between stores)."""
    def cell(term: object) -> object:
        return "_:" if isinstance(term, ox.BlankNode) else term

    rows = result.table_rows() if result.kind != "boolean" else ((result.boolean,),)
    return result.variables, Counter(tuple(cell(t) for t in row) for row in rows)


def is_read_only(store: ox.Store) -> bool:
    try:
        store.update(f"INSERT DATA {{ <{ID}probe> <{POL}probe> <{ID}probe> }}")
    except RuntimeError:
        return True
    store.update(f"DELETE DATA {{ <{ID}probe> <{POL}probe> <{ID}probe> }}")
    return False


# ------------------------------------------------------------------------- published and whole

def test_the_build_publishes_its_store_and_sha256sums_proves_it_whole(built: Path) -> None:
    store_dir = built / "store"
    assert store_dir.is_dir() and store_path(built) == store_dir
    sums = listed(built)
    on_disk = {f"store/{p.name}" for p in store_dir.iterdir()}
    assert on_disk == {name for name in sums if name.startswith("store/")}
    assert {"store/CURRENT", "store/policykg-store.json"} <= on_disk
    assert not any(name.startswith("store/LOG") for name in on_disk)  # info logs are not kept
    for name in on_disk:
        assert sha256(built / name) == sums[name], name
    record = json.loads((store_dir / "policykg-store.json").read_text(encoding="utf-8"))
    assert record["nquads"] == "policykg.nq" and record["sha256"] == sums["policykg.nq"] == sha256(built / "policykg.nq")
    assert record["pyoxigraph"] == ox.__version__
    assert release._complete(built) and latest_good(built) == built
    if shutil.which("sha256sum"):
        check = subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=built, capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    store = open_store(built)
    nquads = sum(1 for line in (built / "policykg.nq").read_bytes().split(b"\n") if line)
    assert len(store) == nquads
    assert set(store.named_graphs()) == set(GRAPHS.values())


def test_blank_nodes_keep_their_canonical_labels_in_the_store(built: Path) -> None:
    store = open_store(built)
    checksums = {s[0].value for s in store.query(f"SELECT ?c WHERE {{ GRAPH ?g {{ ?s <{SPDX}checksum> ?c }} }}")}
    assert checksums and all(label.startswith("c14n") for label in checksums)
    text = (built / "policykg.nq").read_text(encoding="utf-8")
    assert all(f"_:{label} <{SPDX}checksumValue>" in text for label in checksums)


@pytest.mark.parametrize("damage", ["a changed byte", "a truncated file", "a removed file", "an added file"])
def test_a_damaged_store_makes_its_build_incomplete(built: Path, tmp_path: Path, damage: str) -> None:
    copy = copy_build(built, tmp_path / "dist")
    sst = max((copy / "store").glob("*.sst"), key=lambda p: p.stat().st_size)
    if damage == "a changed byte":
        data = bytearray(sst.read_bytes())
        data[len(data) // 2] ^= 0xFF
        sst.write_bytes(bytes(data))
    elif damage == "a truncated file":
        with open(sst, "r+b") as handle:
            handle.truncate(sst.stat().st_size // 2)
    elif damage == "a removed file":
        sst.unlink()
    else:
        (copy / "store" / "LOG").write_text("written by someone else\n")
    before = tree(tmp_path)
    if damage == "an added file":
        assert release._complete(copy)  # every listed file still matches; but the folder is not the build
        with pytest.raises(InputError, match="not part of its build: store/LOG"):
            release.check_out_dir(copy)
    else:
        assert not release._complete(copy)
        assert latest_good(copy) is None  # never served
        assert history(copy).current.complete is False
        with pytest.raises(InputError, match="changed after it was published|not part of its build"):
            release.check_out_dir(copy)  # never replaced by a build, nor by a rollback
        if shutil.which("sha256sum"):
            check = subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=copy, capture_output=True)
            assert check.returncode != 0
    with pytest.raises(InputError):
        publish(ox.Store(), copy, report_text="", shacl_report=rdflib.Graph(), build_report="")
    assert tree(tmp_path) == before


# ------------------------------------------------------------------------- read-only

def test_opening_and_querying_the_store_read_only_writes_nothing(built: Path, tmp_path: Path) -> None:
    copy = copy_build(built, tmp_path / "dist")
    time.sleep(0.05)  # a write now would change a time stamp
    before = files_of(copy / "store")
    store = open_store(copy)
    for cq in load_competency_queries():
        store.query(cq.query, use_default_graph_as_union=True)
    assert len(store) > 0
    assert is_read_only(store)
    with pytest.raises(RuntimeError):
        store.add(ox.Quad(ox.NamedNode(f"{ID}x"), ox.NamedNode(f"{POL}x"), ox.NamedNode(f"{ID}x"), GRAPHS["data"]))
    del store
    gc.collect()
    proc = subprocess.run([sys.executable, "-m", "policykg", "query", "--dist", str(copy), "-q",
                           f"SELECT (COUNT(*) AS ?n) WHERE {{ ?m a <{POL}Measure> }}"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert files_of(copy / "store") == before
    assert release._complete(copy)


def test_run_query_answers_from_the_read_only_store(built: Path, tmp_path: Path) -> None:
    assert is_read_only(load_build(built))  # the persistent store, not a copy in memory
    with pytest.raises(QuerySyntaxError):
        run_query(f"INSERT DATA {{ <{ID}x> <{POL}x> <{ID}x> }}", build=built)
    older = without_store(built, tmp_path / "older")
    assert not is_read_only(load_build(older))  # an older build: its N-Quads, in memory


# ------------------------------------------------------------------------- the same answers

def test_every_question_gets_the_same_answer_from_the_store_and_from_the_nquads(built: Path, tmp_path: Path) -> None:
    older = without_store(built, tmp_path / "dist")
    assert latest_good(older) == older  # an older build: complete without a store
    queries = [(cq.path.name, cq.query) for cq in load_competency_queries()]
    queries += [(rule.path.name, rule.query) for rule in load_quality_rules()]
    queries += [(p.name, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "bench" / "queries").glob("*.rq"))]
    queries += [("count", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
                ("construct", f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s a <{POL}Measure> ; ?p ?o }}"),
                ("ask", f"ASK {{ ?s a <{POL}Measure> }}")]
    assert len(queries) > 30
    answered = 0
    for name, query in queries:
        from_store, from_nquads = run_query(query, build=built), run_query(query, build=older)
        assert from_store.kind == from_nquads.kind, name
        assert normalised(from_store) == normalised(from_nquads), name
        answered += len(from_store) > 0
    assert answered > 20


def test_replaced_nquads_are_read_rather_than_the_store(built: Path, tmp_path: Path) -> None:
    copy = copy_build(built, tmp_path / "dist")
    extra = f"<{ID}agency/probe> <{POL}probe> \"only in the N-Quads\" <{GRAPHS['data'].value}> .\n"
    with open(copy / "policykg.nq", "a", encoding="utf-8") as handle:
        handle.write(extra)
    resum(copy)
    assert latest_good(copy) == copy and store_path(copy) is None  # the store no longer holds the N-Quads
    answer = run_query(f"SELECT ?o WHERE {{ <{ID}agency/probe> <{POL}probe> ?o }}", build=copy)
    assert [row[0].value for row in answer.rows] == ["only in the N-Quads"]


def test_a_store_that_cannot_be_opened_is_passed_over_for_the_nquads(built: Path, tmp_path: Path) -> None:
    copy = copy_build(built, tmp_path / "dist")
    (copy / "store" / "CURRENT").write_text("MANIFEST-999999\n")  # names a manifest that is not there
    resum(copy)
    assert store_path(copy) is not None and open_store(copy) is None
    store = load_build(copy)
    assert not is_read_only(store) and len(store) == len(open_store(built))


# ------------------------------------------------------------------------- history and rollback

def _small(i: int) -> ox.Store:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(f"{ID}area/small-{i}"), ox.NamedNode(f"{POL}articleNumber"),
                      ox.Literal(str(i)), GRAPHS["data"]))
    return store


def _publish(store: ox.Store, out: Path, text: str = "") -> pub.PublishResult:
    return publish(store, out, report_text=text, shacl_report=rdflib.Graph(), build_report=text)


def _numbers(build: Path) -> list[str]:
    return [row[0].value for row in run_query(f"SELECT ?n WHERE {{ ?a <{POL}articleNumber> ?n }}", build=build).rows]


def test_the_store_goes_into_the_history_and_comes_back_with_a_rollback(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    first = _publish(_small(1), out)
    first_store = tree(out / "store")
    second = _publish(_small(2), out)
    kept = out.with_name("dist.history") / f"000001-{first.id}"
    assert tree(kept / "store") == first_store and release._complete(kept)
    assert _numbers(kept) == ["1"] and _numbers(out) == ["2"]
    second_store = tree(out / "store")

    result = rollback(out)
    assert result.current.id == first.id
    assert tree(out / "store") == first_store  # the same files, moved back
    assert _numbers(out) == ["1"] and is_read_only(load_build(out))
    assert rollback(out).current.id == second.id
    assert tree(out / "store") == second_store and _numbers(out) == ["2"]


def test_the_same_graphs_again_change_nothing_store_included(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    first = _publish(_small(1), out)
    before = tree(tmp_path)
    again = _publish(_small(1), out)  # a new store, other bytes; the same build
    assert again.id == first.id and tree(tmp_path) == before


def test_a_reader_keeps_its_build_when_another_is_swapped_in(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    _publish(_small(1), out)
    store = open_store(out)  # pinned to the folder, not to the path
    _publish(_small(2), out)
    assert [s[0].value for s in store.query(f"SELECT ?n WHERE {{ GRAPH ?g {{ ?a <{POL}articleNumber> ?n }} }}")] == ["1"]
    assert _numbers(out) == ["2"]  # a new call sees the new build


# ------------------------------------------------------------------------- the other files, the id

def test_the_other_files_are_byte_identical_to_a_build_without_a_store(tmp_path: Path, monkeypatch) -> None:
    from policykg.pipeline.build import build

    result = build([SEED], tmp_path / "with" / "dist")
    assert result.published
    store = ox.Store()
    store.load(path=str(tmp_path / "with" / "dist" / "policykg.nq"), format=ox.RdfFormat.N_QUADS)

    def publish_into(out: Path) -> pub.PublishResult:
        return publish(store, out, report_text="gate\n", shacl_report=rdflib.Graph(), build_report="report\n")

    with_store = publish_into(tmp_path / "a" / "dist")

    class NoStore(pub._StoreWriter):
        def start(self, folder: Path, nquads: Path) -> None:
            pass

        def finish(self) -> list[str]:
            return []

    monkeypatch.setattr(pub, "_StoreWriter", NoStore)
    without = publish_into(tmp_path / "b" / "dist")
    a, b = tmp_path / "a" / "dist", tmp_path / "b" / "dist"
    assert not (b / "store").exists()
    names = {p.name for p in b.iterdir()}
    assert {p.name for p in a.iterdir()} == names | {"store"}
    for name in names - {"SHA256SUMS"}:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    sums = (a / "SHA256SUMS").read_text(encoding="ascii").splitlines(keepends=True)
    assert "".join(line for line in sums if "  store/" not in line) == (b / "SHA256SUMS").read_text(encoding="ascii")
    assert with_store.id == without.id  # the id does not depend on the store's bytes


def test_a_store_that_cannot_be_written_is_left_out_with_a_warning(tmp_path: Path, monkeypatch, caplog) -> None:
    monkeypatch.setattr(pub, "_STORE_CHILD", "import sys\nsys.exit('RocksDB refused this file system')\n")
    out = tmp_path / "dist"
    with caplog.at_level("WARNING", logger="policykg.pipeline.publish"):
        result = _publish(_small(3), out)
    assert "published without its persistent store" in caplog.text and "RocksDB refused" in caplog.text
    assert not (out / "store").exists() and not [n for n in result.files if n.startswith("store/")]
    assert release._complete(out) and latest_good(out) == out and _numbers(out) == ["3"]


# ------------------------------------------------------------------------- killed while writing it

def _corpus(folder: Path, n: int) -> list[Path]:
    folder.mkdir()
    paths = []
    for doc in corpus.generate(n, seed=0):
        path = folder / f"{doc.name}.md"
        path.write_text(doc.text, encoding="utf-8")
        paths.append(path)
    return paths


def _writers(folder: Path) -> list[int]:
    """Processes whose command line names ``folder`` (a store writer of a build into it)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if str(folder).encode() in Path(f"/proc/{entry}/cmdline").read_bytes():
                    found.append(int(entry))
            except OSError:
                pass
    return found


def test_a_build_killed_while_its_store_is_written_leaves_dist_untouched(tmp_path: Path) -> None:
    sources = _corpus(tmp_path / "in", 40)
    site = tmp_path / "site"
    site.mkdir()
    out = site / "dist"
    first = subprocess.run([sys.executable, "-m", "policykg", "build", str(SEED), "--out", str(out)],
                           capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    before = tree(site)
    caught = False
    for _attempt in range(5):
        proc = subprocess.Popen([sys.executable, "-m", "policykg", "build", *map(str, sources), "--out", str(out)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 300
        while proc.poll() is None and time.monotonic() < deadline:
            if any((tmp / "store" / "CURRENT").exists() for tmp in site.glob(".dist.tmp-*")):
                os.kill(proc.pid, signal.SIGKILL)  # the build only: its store writer must die with it
                caught = True
                break
            time.sleep(0.005)
        proc.wait()
        if caught:
            break
        # it finished before it could be caught: go back to the first build and try again
        assert rollback(out).current is not None
        shutil.rmtree(site / "dist.history")
        (site / "dist.prev").unlink(missing_ok=True)
    assert caught, "the store was never caught being written"
    time.sleep(0.5)
    staged = list(site.glob(".dist.tmp-*"))
    assert staged and all(not _writers(tmp) for tmp in staged), "a store writer outlived its build"
    after = tree(site)
    assert {k: v for k, v in after.items() if not k.startswith(".dist.tmp-")} == before
    assert latest_good(out) == out
    # the next build tidies up and publishes, store and all
    again = subprocess.run([sys.executable, "-m", "policykg", "build", *map(str, sources), "--out", str(out)],
                           capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert not list(site.glob(".dist.tmp-*")) and release._complete(out) and store_path(out) is not None


KILL_AFTER_STORE = r"""
import os, signal, sys
from pathlib import Path
import pyoxigraph as ox
import rdflib
import policykg.pipeline.publish as pub

class Killed(pub._StoreWriter):
    def finish(self):
        names = super().finish()  # the store is whole in the hidden folder: die before the swap
        os.kill(os.getpid(), signal.SIGKILL)

pub._StoreWriter = Killed
store = ox.Store()
store.load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)
pub.publish(store, Path(sys.argv[2]), report_text="", shacl_report=rdflib.Graph(), build_report="killed\n")
"""


def test_a_build_killed_with_its_store_written_but_not_swapped_in_leaves_dist_untouched(built: Path,
                                                                                        tmp_path: Path) -> None:
    out = tmp_path / "dist"
    _publish(_small(1), out)
    before = tree(tmp_path)
    proc = subprocess.run([sys.executable, "-c", KILL_AFTER_STORE, str(built / "policykg.nq"), str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    staged = list(tmp_path.glob(".dist.tmp-*"))
    assert len(staged) == 1 and (staged[0] / "store" / "CURRENT").exists()
    assert {k: v for k, v in tree(tmp_path).items() if not k.startswith(".dist.tmp-")} == before
    assert _numbers(out) == ["1"]
    _publish(_small(2), out)  # the next publish removes what the killed one left
    assert not list(tmp_path.glob(".dist.tmp-*")) and _numbers(out) == ["2"]


# ------------------------------------------------------------------------- the server's workers

class Listener:
    """A TCP listener on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections: list[object] = []
        self.closed = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                conn, address = self.sock.accept()
            except OSError:
                continue
            self.connections.append(address)
            conn.close()

    def close(self) -> None:
        self.closed = True
        self.thread.join(2)
        self.sock.close()


def _on_the_store_only(conn, snapshot: str, memory_limit: int) -> None:  # pragma: no cover - a worker process
    """A worker that never loads the build into memory: it stays on the store's files."""
    worker_module.IN_MEMORY_SHARE = 1 << 60
    worker_module.main(conn, snapshot, memory_limit)


def _start_worker(target, snapshot: Path) -> tuple[multiprocessing.Process, object, object]:
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=target, args=(child, str(snapshot), 4 << 30), daemon=True)
    process.start()
    child.close()
    assert parent.poll(120)
    return process, parent, parent.recv()


def _ask(conn, query: str) -> worker_module.QueryResponse:
    conn.send(worker_module.QueryRequest(query=query, result_format="json"))
    assert conn.poll(60)
    return conn.recv()


def _limit(pid: int, name: str) -> str:
    line = next(line for line in Path(f"/proc/{pid}/limits").read_text().splitlines() if line.startswith(name))
    return line[len(name):].split()[0]


def _store_files_open(pid: int) -> int:
    return sum("/store/" in os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd"))


def test_a_worker_answers_from_the_store_at_once_then_from_memory(built: Path, tmp_path: Path) -> None:
    snapshot = copy_build(built, tmp_path / "snapshot")
    before = files_of(snapshot / "store")
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?m a <{POL}Measure> }}"
    expected = run_query(count, build=built).rows[0][0].value
    process, conn, ready = _start_worker(worker_module.main, snapshot)
    try:
        assert ready == ("ready", "store")
        answer = _ask(conn, count)
        assert answer.status == 200 and json.loads(answer.body)["results"]["bindings"][0]["n"]["value"] == expected
        status = Path(f"/proc/{process.pid}/status").read_text()
        assert "Seccomp:\t2" in status  # the filter: no socket, from the first step
        deadline = time.monotonic() + 120
        while _limit(process.pid, "Max open files") != "0" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _limit(process.pid, "Max open files") == "0", "the build was not loaded into memory"
        assert _store_files_open(process.pid) == 0  # the store is closed
        answer = _ask(conn, count)
        assert json.loads(answer.body)["results"]["bindings"][0]["n"]["value"] == expected
    finally:
        process.kill()
        process.join(5)
    assert files_of(snapshot / "store") == before  # the worker wrote nothing there


def test_a_worker_on_the_store_opens_no_socket(built: Path, tmp_path: Path) -> None:
    """Defence in depth, while the worker reads the store's files (and so may open files): a
    SERVICE call that slipped past the guard cannot connect anywhere."""
    snapshot = copy_build(built, tmp_path / "snapshot")
    listener = Listener()
    process, conn, ready = _start_worker(_on_the_store_only, snapshot)
    try:
        assert ready == ("ready", "store")
        assert _limit(process.pid, "Max open files") != "0"  # it reads the store: files stay allowed
        for query in (f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/> {{ ?s ?p ?o }} }}",
                      f"SELECT * WHERE {{ SERVICE SILENT <http://localhost:{listener.port}/sparql> {{ ?s ?p ?o }} }}"):
            answer = _ask(conn, query)
            assert answer.status in (200, 400), answer.body
            if answer.status == 200:  # SILENT: no rows, and no connection either
                assert json.loads(answer.body)["results"]["bindings"] in ([], [{}])
        answer = _ask(conn, f"ASK {{ ?m a <{POL}Measure> }}")
        assert answer.body == b'{"head": {}, "boolean": true}'
        time.sleep(1)
        assert _store_files_open(process.pid) > 0  # still on the store
    finally:
        process.kill()
        process.join(5)
        time.sleep(0.2)
        listener.close()
    assert listener.connections == []


def _get(url: str, query: str, timeout: float = 60) -> tuple[int, bytes]:
    request = urllib.request.Request(f"{url}/sparql?" + urllib.parse.urlencode({"query": query}),
                                     headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_serving_a_build_with_a_store_keeps_the_limits_and_the_pinned_build(built: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    out = copy_build(built, site / "dist")
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?m a <{POL}Measure> }}"
    expected = run_query(count, build=built).rows[0][0].value
    process, url, _port = serve(out, tmp_path / "serve.log", "--timeout", "2", "--workers", "2", "--cache-mb", "0")
    try:
        status, body = _get(url, count)
        assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == expected
        pinned = [p for p in site.iterdir() if p.name.startswith(".policykg-serve-")]
        assert len(pinned) == 1 and (pinned[0] / "store" / "CURRENT").is_file()  # the store is pinned too
        assert _get(url, f"INSERT DATA {{ <{ID}x> <{POL}x> <{ID}x> }}")[0] in (400, 403)
        # a newer build published meanwhile changes nothing that is answered
        _publish(_small(7), out)
        assert _numbers(out) == ["7"]
        # the time limit kills a worker on the store, and its replacement opens the pinned store
        start = time.monotonic()
        status, _ = _get(url, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
        assert status == 503 and time.monotonic() - start < 10
        for _ in range(4):  # both workers, the replaced one included
            status, body = _get(url, count)
            assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == expected
    finally:
        stop(process)
    assert not [p for p in site.iterdir() if p.name.startswith(".policykg-serve-")]

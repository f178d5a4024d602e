"""Publishing a build: the working store's graphs as the files of a build, swapped in atomically.

Pipeline position::

    ... -> gate + quality -> review -> **publish** -> serve / query / export / push

Door: :func:`publish`. It writes every file of a build, each RDF file from the canonical form
of its graphs (:mod:`policykg.pipeline.publish.serialize`: the same graphs give the same bytes whatever the
order the store holds them in), into a fresh hidden folder, and hands it to the release store
(:mod:`policykg.pipeline.publish.release`), which swaps it in for the build the output folder held and keeps
that one in the history. The folders, the lock, the history, rollback, a build's id and the
promises kept if the process is killed at any instant are :mod:`policykg.pipeline.publish.release`'s.

A build holds:

* ``policykg.ttl``: ontology + data as Turtle, with readable prefixes
  (:data:`policykg.names.PREFIXES`);
* ``policykg.nt``: ontology + data as canonical N-Triples: RDFC-1.0 blank node labels, lines
  sorted, UTF-8, ``\\n`` line ends; byte-identical for the same graph;
* ``policykg.trig`` and ``policykg.nq``: the four named graphs of
  :data:`policykg.graphs.GRAPHS` (the N-Quads canonical like the N-Triples; in the TriG the
  provenance graph, most of the quads, is written as its canonical N-Triples lines);
* ``policykg.jsonld``: ontology + data, compacted with a context under which it reads like
  plain JSON (:func:`policykg.pipeline.publish.serialize.jsonld_context`); ``context.jsonld``: that context alone;
* ``policykg.owl``: the OWL edition (:func:`policykg.ontology.owl_edition`) as RDF/XML;
* ``shacl-report.ttl``, ``gate.txt``, ``build-report.md``: the gate's report graph and text,
  and the build's report; ``void.ttl``: the VoID description, when one is given;
* ``store/``: the same quads as ``policykg.nq`` in a persistent pyoxigraph store (RocksDB
  files), which ``policykg query`` and the server's query workers open read-only instead of
  parsing the N-Quads (:func:`policykg.pipeline.publish.release.store_path`); ``store/policykg-store.json``
  records the SHA-256 of the ``policykg.nq`` it was loaded from. Written by a child process
  while the other files are (:class:`_StoreWriter`), or begun by one before the build was
  reasoned and gated, which finishes it from the N-Quads (:class:`EarlyStore`,
  :mod:`policykg.pipeline.publish.store`); a store that cannot be written is left out, with a
  warning;
* ``SHA256SUMS``: the digest of every other file (``sha256sum -c SHA256SUMS``), the store's
  included, written last.

At scale (issue 16): the canonical N-Quads come from the graphs' sorted lines, merged, or for
two million quads and more from GNU sort through files (:func:`serialize.sort_canonical`: no
line of them in memory); every file is hashed as it is written (no second reading) and all are
fsynced at the end; the TriG is written as it is made.
"""
from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import PolicykgError
from ...graphs import GRAPHS
from ...names import LINK_PREFIXES, PREFIXES  # (also read from here by policykg.pipeline.curate)
from ...timing import Laps
from . import release
from .release import CHECKSUMS, KEEP, REQUIRED_FILES, STORE, STORE_RECORD
from .serialize import (
    EXTERNAL_SORT_FROM,
    Dumped,
    canonical_graphs,
    canonical_union,
    external_sort,
    json_bytes,
    jsonld,
    jsonld_context,
    rdfxml,
    sort_canonical,
    to_rdflib,
    turtle,
    turtle_rdflib,
)

if TYPE_CHECKING:
    import pyoxigraph
    import rdflib

log = logging.getLogger("policykg.pipeline.publish")

#: What ``policykg.nt``, ``policykg.ttl``, ``policykg.jsonld`` and ``policykg.owl`` hold: the
#: union of these graphs.
ONTOLOGY_AND_DATA = ("ontology", "data")


@dataclass(frozen=True)
class PublishResult:
    """What :func:`publish` wrote.

    ``files`` maps each file name (``store/...`` for the store's) to its path inside
    ``out_dir``; ``triples`` maps each RDF file to the number of triples (quads for ``.trig``
    and ``.nq``) it holds; ``graphs`` the number of triples in each named graph; ``id`` is the
    build's id (see :mod:`policykg.pipeline.publish.release`); ``previous`` is where the build before it now
    lives (the newest folder of ``<out_dir>.history``), or ``None`` when there is none.
    """

    out_dir: Path
    files: dict[str, Path]
    triples: dict[str, int]
    graphs: dict[str, int]
    previous: Path | None
    id: str = ""
    #: Seconds per step of the publish (canonical forms, each file, the store, fsync, the swap).
    timings: dict[str, float] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Files, and the persistent store
# --------------------------------------------------------------------------------------------

def _write_chunks(folder: Path, name: str, chunks: Iterable[bytes]) -> Path:
    """Write ``chunks`` to ``folder/name`` and fsync it (no second copy of a large file)."""
    path = folder / name
    with open(path, "wb") as handle:
        for chunk in chunks:
            handle.write(chunk)
        handle.flush()
        os.fsync(handle.fileno())
    return path


def _write(folder: Path, name: str, data: bytes) -> Path:
    return _write_chunks(folder, name, (data,))


class _Sink:
    """A file being written, and the SHA-256 of what was written into it."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.handle.write(data)
        return len(data)

    def flush(self) -> None:
        pass


class _Files:
    """The files of a build being written into ``folder``: each hashed as it is written (its
    line of ``SHA256SUMS`` needs no second reading), and fsynced together by :meth:`close`
    (the disk writes them back meanwhile) before ``SHA256SUMS`` is written. (No thread does it
    behind the writing: CPython 3.11 may hold back the build's signal handlers while another
    thread runs, and tests/test_nothing_lost.py samples a build's stack with SIGUSR1.)"""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.paths: dict[str, Path] = {}
        self.digests: dict[str, str] = {}

    def write(self, name: str, chunks: Iterable[bytes] | bytes) -> Path:
        with self.open(name) as sink:
            for chunk in (chunks,) if isinstance(chunks, bytes) else chunks:
                sink.write(chunk)
        return self.paths[name]

    @contextmanager
    def open(self, name: str) -> Iterator[_Sink]:
        """A file of the build to write into (``write(bytes)``), hashed as it is written."""
        path = self.folder / name
        with open(path, "wb") as handle:
            sink = _Sink(handle)
            yield sink
        self.paths[name] = path
        self.digests[name] = sink.digest.hexdigest()

    def adopt(self, name: str) -> Path:
        """A file written into the folder by someone else (GNU sort): fsynced with the others;
        its digest is given later (:attr:`digests` lacks it until then)."""
        path = self.folder / name
        self.paths[name] = path
        return path

    def close(self) -> None:
        """fsync every file written."""
        for path in self.paths.values():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


#: Bytes of N-Quads per call of pyoxigraph's bulk loader when writing the store: its memory
#: grows with the quads of one call (about 1 GiB for a million), so they are loaded in parts.
STORE_PART = 64 << 20


#: The program of the child process that writes a build's persistent store (pyoxigraph and
#: the standard library only, so that it starts in a few hundredths of a second). Arguments:
#: the build's folder, its N-Quads (``-``: named later, on stdin), the publishing process's id,
#: :data:`STORE_PART`, then pairs (graph IRI, N-Triples file) loaded first
#: (:mod:`policykg.pipeline.publish.store`).
#:
#: * It dies with the publishing process (``PR_SET_PDEATHSIG``, Linux): a killed build leaves no
#:   writer behind.
#: * pyoxigraph's bulk loader renames blank nodes within each call, so the lines with one are
#:   set aside and added at the end, parsed whole with their canonical labels kept (``_:c14n0``
#:   in an answer is ``_:c14n0`` in ``policykg.nq``).
#: * Started before the build is gated (:mod:`policykg.pipeline.publish.store`), it loads the graphs that reasoning
#:   does not change (ontology, data, provenance: the N-Triples files named, lines with a blank
#:   node left out) while the build reasons and gates, in a folder of its own; then waits for
#:   the build's folder (a line: it closes the store, moves it there, opens it again) and a line ``<N-Quads
#:   file>\t<its SHA-256>`` on stdin. Reading the published N-Quads, it loads every line it has
#:   not loaded (``-`` for the SHA-256: it reads it as it loads them), and checks that the lines
#:   of those graphs it loaded first are exactly those of
#:   the N-Quads (their number, and the sum of their hashes); if not, it loads the N-Quads again
#:   into an empty store. So the store holds the quads of ``policykg.nq``, whatever happened.
#: * RocksDB's info logs (``LOG*``) are removed: nothing needs them to open the store, and a
#:   read-only opening writes none. Then the record (:data:`STORE_RECORD`) names the digest
#:   of the N-Quads (read as they are loaded, or given), every file and the folder are fsynced,
#:   and the last line of stdout gives the SHA-256 of the N-Quads and of every file of the
#:   store, as JSON.
_STORE_CHILD = r"""
import ctypes, hashlib, json, os, shutil, sys
folder, nquads, parent, part_size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
early = list(zip(sys.argv[5::2], sys.argv[6::2]))
try:
    ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
except (OSError, AttributeError):
    pass
if os.getppid() != parent:
    sys.exit("the publishing process is gone")
import pyoxigraph as ox
target = os.path.join(folder, "STORE")


def parts(path, hashed=None):
    with open(path, "rb") as handle:
        while part := handle.read(part_size):
            part += handle.readline()  # whole lines only
            if hashed is not None:
                hashed.update(part)
            lines = part.split(b"\n")
            if not lines[-1]:
                lines.pop()
            yield [line for line in lines if line]


def load_nquads(store, path, hashed=None):
    blank = []
    for lines in parts(path, hashed):
        blank += [line for line in lines if b"_:" in line]  # a blank node (or "_:" in a literal)
        store.bulk_load(b"\n".join(line for line in lines if b"_:" not in line), format=ox.RdfFormat.N_QUADS)
    if blank:
        store.bulk_extend(ox.parse(b"\n".join(blank), format=ox.RdfFormat.N_QUADS))


store = ox.Store(target)
digest = None
if early:
    count = total = 0
    ends = []
    for graph, path in early:
        end = b" <" + graph.encode() + b"> ."
        ends.append(end)
        for lines in parts(path):
            lines = [line for line in lines if b"_:" not in line]
            count += len(lines)
            total += sum(hash(line[:-2] + end) for line in lines)
            if lines:
                store.bulk_load(b"\n".join(lines), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
        os.unlink(path)
    move = sys.stdin.readline().rstrip("\n")  # the build's folder, once it is publishing
    if not move:
        sys.exit("the build was not published")
    del store  # closed, moved into the build's folder, opened again there
    moved = os.path.join(move, "STORE")
    os.rename(target, moved)
    target = moved
    try:
        os.rmdir(folder)  # its own folder, empty now: nothing of it is left if the build is killed
    except OSError:
        pass
    store = ox.Store(target)
    order = sys.stdin.readline().rstrip("\n").split("\t")
    if len(order) != 2:
        sys.exit("no N-Quads were published")
    nquads, digest = order
    hashed = hashlib.sha256() if digest == "-" else None
    ends = tuple(ends)
    seen = added = 0
    blank = []
    for lines in parts(nquads, hashed):
        blank += [line for line in lines if b"_:" in line]
        lines = [line for line in lines if b"_:" not in line]
        loaded = [line for line in lines if line.endswith(ends)]
        seen += len(loaded)
        added += sum(map(hash, loaded))
        rest = [line for line in lines if not line.endswith(ends)]
        if rest:
            store.bulk_load(b"\n".join(rest), format=ox.RdfFormat.N_QUADS)
    if hashed is not None:
        digest = hashed.hexdigest()
    if (seen, added) != (count, total):
        print("the graphs loaded first are not those published: loading the N-Quads again", file=sys.stderr)
        del store
        shutil.rmtree(target)
        store = ox.Store(target)
        load_nquads(store, nquads)
    elif blank:
        store.bulk_extend(ox.parse(b"\n".join(blank), format=ox.RdfFormat.N_QUADS))
else:
    hashed = hashlib.sha256()
    load_nquads(store, nquads, hashed)
    digest = hashed.hexdigest()
del store  # the last reference: RocksDB closes here (a pyoxigraph Store has no close())
for name in os.listdir(target):
    if name.startswith("LOG"):
        os.unlink(os.path.join(target, name))
record = {"nquads": os.path.basename(nquads), "sha256": digest, "pyoxigraph": ox.__version__}
with open(os.path.join(target, "STORE_RECORD"), "w", encoding="utf-8") as handle:
    handle.write(json.dumps(record, indent=2) + "\n")
digests = {os.path.basename(nquads): digest}
for name in sorted(os.listdir(target)):
    with open(os.path.join(target, name), "rb") as handle:
        digests["STORE/" + name] = hashlib.file_digest(handle, "sha256").hexdigest()
        os.fsync(handle.fileno())
fd = os.open(target, os.O_RDONLY)
try:
    os.fsync(fd)
finally:
    os.close(fd)
print(json.dumps(digests))
""".replace('"STORE_RECORD"', repr(STORE_RECORD)).replace('"STORE/"', repr(STORE + "/")).replace('"STORE"', repr(STORE))


class _StoreWriter:
    """The child process that writes a build's persistent store (:data:`_STORE_CHILD`) while
    :func:`publish` writes the other files: started once ``policykg.nq`` is written, waited for
    by :meth:`finish`; leaving the ``with`` block kills it if it still runs (a writer failed).

    A process rather than a thread: it runs beside the writers on another core, its memory
    (the bulk loader's) is returned when it ends, and the publishing process never starts
    RocksDB's background threads, which a process forked from it afterwards would lack (a
    read-write RocksDB store opened there waits for them forever).
    """

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.folder: Path | None = None
        #: The SHA-256 of each file of the store (``store/...``), as the child read them back.
        self.digests: dict[str, str] = {}
        #: The SHA-256 of the N-Quads it loaded, as it read them (None: not told).
        self.nquads_digest: str | None = None

    def __enter__(self) -> _StoreWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.kill()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def _spawn(self, folder: Path, nquads: str, early: list[str], stdin: int) -> None:
        self.folder = folder
        self.process = subprocess.Popen([sys.executable, "-c", _STORE_CHILD, str(folder), nquads,
                                         str(os.getpid()), str(STORE_PART), *early], stdin=stdin,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def start(self, folder: Path, nquads: Path) -> None:
        """Start writing ``folder/store`` from ``nquads``."""
        self._spawn(folder, str(nquads), [], subprocess.DEVNULL)

    def finish(self) -> list[str]:
        """Wait for the store; the names of its files (``store/...``), sorted. A store that
        could not be written is left out, with a warning: the build is whole without it, and
        its readers parse ``policykg.nq``."""
        assert self.process is not None and self.folder is not None
        out, err = self.process.communicate()
        if self.process.returncode != 0:
            lines = err.decode("utf-8", "replace").strip().splitlines() or [f"exit {self.process.returncode}"]
            log.warning("the build is published without its persistent store, which could not be written "
                        "(%s); queries will parse policykg.nq", lines[-1])
            shutil.rmtree(self.folder / STORE, ignore_errors=True)
            self.digests = {}
            return []
        for line in err.decode("utf-8", "replace").strip().splitlines():
            log.info("the store writer: %s", line)
        try:
            told = json.loads(out.decode("utf-8").strip().splitlines()[-1])
        except (ValueError, IndexError):
            told = {}
        names = []
        for path in sorted((self.folder / STORE).iterdir()):
            if path.is_symlink() or not path.is_file():
                raise OSError(errno.EISDIR, "the store holds something other than files", str(path))
            names.append(f"{STORE}/{path.name}")
        self.digests = {name: told[name] for name in names if isinstance(told.get(name), str)}
        if isinstance(told.get("policykg.nq"), str):
            self.nquads_digest = told["policykg.nq"]
        return names


class EarlyStore(_StoreWriter):
    """A build's persistent store, begun before the build is gated
    (:mod:`policykg.pipeline.publish.store`): the child of :data:`_STORE_CHILD` loads the ontology,
    data and provenance graphs, which reasoning and gating do not change, into ``workdir/store``
    (a hidden folder beside the output folder, of the kind a killed build leaves for the next
    one to remove) while the build reasons and gates; :func:`publish` has it moved into the
    folder the build is written into (:meth:`move_to`, then :attr:`folder` is that one), and once
    ``policykg.nq`` is written there (:meth:`send`) it loads the rest. A build that is not
    published calls :meth:`abandon`, which ends the child and removes ``workdir`` (a killed build
    leaves both to the kernel and the next build, as any build it kills while writing).

    (The build's folder is made when publishing begins, not before: what lies in it is what is
    being written, as before the store was begun early; tests/test_nothing_lost.py times the
    writing by it.)
    """

    def __init__(self) -> None:
        super().__init__()
        self.workdir: Path | None = None

    def move_to(self, folder: Path) -> None:
        """Publishing into ``folder``: the child moves the store there once its first part is in."""
        self._tell(f"{folder}\n")
        self.folder = folder

    def send(self, nquads: Path, digest: str | None) -> None:
        """The published N-Quads (and their SHA-256, or None: it reads them as it loads them):
        load what is not loaded yet, and check what is."""
        self._tell(f"{nquads}\t{digest or '-'}\n", last=True)

    def _tell(self, line: str, *, last: bool = False) -> None:
        assert self.process is not None
        stdin = self.process.stdin
        if stdin is None:
            return
        if last:
            self.process.stdin = None  # closed here: communicate() leaves it
        try:
            stdin.write(line.encode())
            stdin.flush()
            if last:
                stdin.close()
        except OSError:  # it died already: finish() says so, and the build goes without a store
            pass

    def finish(self) -> list[str]:
        names = super().finish()
        self._remove_workdir()
        return names

    def abandon(self) -> None:
        """End the child and remove ``workdir`` (the build's own folder is :func:`publish`'s)."""
        self.kill()
        self._remove_workdir()

    def _remove_workdir(self) -> None:
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None


# --------------------------------------------------------------------------------------------
# The door
# --------------------------------------------------------------------------------------------

def publish(store: pyoxigraph.Store, out_dir: Path, *, report_text: str,
            shacl_report: rdflib.Graph, build_report: str,
            void: rdflib.Graph | None = None, keep: int = KEEP,
            extra_files: dict[str, bytes] | None = None, early: EarlyStore | None = None) -> PublishResult:
    """Write the graphs of ``store`` as a build into ``out_dir``, atomically.

    ``store`` holds the named graphs of :data:`policykg.graphs.GRAPHS` (other graphs are not
    published); it is only read. The persistent store ``store/`` is loaded from the written
    ``policykg.nq`` by a child process, beside the other writers, or finished by the one
    :mod:`policykg.pipeline.publish.store` began (``early``, whose folder the build is then written into). The
    build ``out_dir`` held goes into ``<out_dir>.history``, which keeps the newest ``keep``
    builds before the current one. Holds :func:`policykg.pipeline.publish.release.lock`. See the
    module docstring for the files, and :mod:`policykg.pipeline.publish.release` for the folders
    and the guarantees.

    Raises:
        InputError: ``out_dir``, ``<out_dir>.prev`` or ``<out_dir>.history`` exists and is
            not a folder.
        EnvironmentProblem: a file or folder cannot be written or renamed (permissions, a
            full disk); ``out_dir`` and its history are then unchanged.
    """
    import pyoxigraph as ox

    from ...ontology import owl_edition_triples
    from ..gate import shapes_graph

    if keep < 0:
        raise ValueError(f"keep must be 0 or more, not {keep}")
    out_dir = release.resolve_out_dir(out_dir)
    release.check_out_dir(out_dir)
    lap = Laps()
    timings = lap.timings

    # Every serialization starts from the canonical form, so that blank node labels and the
    # order of statements are the same from one build of the same graphs to the next: sorted in
    # memory, or for a large build by GNU sort through files (serialize.sort_canonical).
    sort = external_sort() if len(store) >= EXTERNAL_SORT_FROM else None
    if sort is None:
        dumped = Dumped.of(store)
        canon = canonical_graphs(store, dumped)
    lap("canonical")

    triples: dict[str, int] = {}
    tmp: Path | None = None
    files: _Files | None = None
    writer: _StoreWriter = early if early is not None and early.process is not None else _StoreWriter()
    try:
        with release.lock(out_dir), writer:
            if writer is early:  # (the folder and its leftovers were looked after when it began)
                tmp = release.new_folder(out_dir, recover=False)
                early.move_to(tmp)
            else:
                tmp = release.new_folder(out_dir)
            files = _Files(tmp)
            # The N-Quads first: a child process loads the persistent store from them while
            # this one writes the other files (leaving the ``with`` ends it if a writer fails).
            if sort is not None:
                canon, dumped = sort_canonical(store, tmp / "policykg.nq", tmp, sort)
                nquads = files.adopt("policykg.nq")
            else:
                nquads = files.write("policykg.nq", canon.nquads())
            graphs = {role: canon.count(role) for role in GRAPHS}
            triples["policykg.nq"] = sum(graphs.values())
            if writer is early:
                early.send(nquads, files.digests.get("policykg.nq"))
            else:
                writer.start(tmp, nquads)
            lap("nquads")
            nt = canonical_union(store, ONTOLOGY_AND_DATA, dumped)
            del dumped
            canonical = list(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)) if nt else []
            ontology = [q.triple for q in store.quads_for_pattern(None, None, None, GRAPHS["ontology"])]
            context = jsonld_context(to_rdflib(ontology), shapes_graph())

            files.write("policykg.nt", nt)
            triples["policykg.nt"] = len(canonical)
            del nt
            files.write("policykg.ttl", turtle(canonical))
            triples["policykg.ttl"] = len(canonical)
            lap("nt, ttl")
            with files.open("policykg.trig") as sink:
                canon.write_trig(sink)
            triples["policykg.trig"] = sum(graphs.values())
            for spilled in canon.spilled.values():
                spilled.unlink()
            del canon
            lap("trig")
            files.write("policykg.jsonld", jsonld(canonical, context))
            triples["policykg.jsonld"] = len(canonical)
            files.write("context.jsonld", json_bytes({"@context": context}))
            lap("jsonld")
            edition = owl_edition_triples(canonical)
            files.write("policykg.owl", rdfxml(edition))
            triples["policykg.owl"] = len(edition)
            del canonical, edition
            lap("owl")
            files.write("shacl-report.ttl", turtle_rdflib(shacl_report))
            triples["shacl-report.ttl"] = len(shacl_report)
            files.write("build-report.md", build_report.encode("utf-8"))
            files.write("gate.txt", report_text.encode("utf-8"))
            if void is not None:
                files.write("void.ttl", turtle_rdflib(void))
                triples["void.ttl"] = len(void)
            for name, data in sorted((extra_files or {}).items()):
                # files that belong with the build, e.g. sources/<name>.txt, the text renditions
                # of PDF, HTML and Word sources that the spans' offsets point into
                folder, _, base = name.rpartition("/")
                if (not base or ".." in name.split("/") or name.startswith("/") or name in REQUIRED_FILES
                        or name.split("/")[0] == STORE):
                    raise ValueError(f"not a name for a file of the build: {name!r}")
                if folder:
                    (tmp / folder).mkdir(parents=True, exist_ok=True)
                files.write(name, data)
            lap("reports")
            digests = dict(files.digests)
            for name in writer.finish():
                digests[name] = writer.digests.get(name) or release.sha256_of(tmp / name)
            if "policykg.nq" not in digests:  # written by sort: the store writer read it, or we do
                digests["policykg.nq"] = writer.nquads_digest or release.sha256_of(nquads)
            lap("store")
            files.close()
            lap("fsync")
            _write(tmp, CHECKSUMS, release.checksum_lines(digests))
            build_id, previous = release.swap_in(tmp, out_dir, keep)
            lap("swap")
    except OSError as exc:
        _discard(tmp)
        raise release.problem(exc, "cannot publish the build", out_dir,
                              hint="check the permissions and free space of the folder; "
                                   "the previous build is unchanged") from None
    except BaseException:
        _discard(tmp)
        raise
    names = [*digests, CHECKSUMS]
    return PublishResult(out_dir=out_dir, files={name: out_dir / name for name in names},
                         triples=triples, graphs=graphs, previous=previous, id=build_id, timings=timings)


def _discard(tmp: Path | None) -> None:
    """A publish that failed: remove its folder."""
    if tmp is not None:
        shutil.rmtree(tmp, ignore_errors=True)


__all__ = ["LINK_PREFIXES", "ONTOLOGY_AND_DATA", "PREFIXES", "STORE_PART", "EarlyStore", "PublishResult",
           "publish"]

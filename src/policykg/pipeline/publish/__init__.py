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
  while the other files are (:class:`_StoreWriter`); a store that cannot be written is left
  out, with a warning;
* ``SHA256SUMS``: the digest of every other file (``sha256sum -c SHA256SUMS``), the store's
  included, written last.
"""
from __future__ import annotations

import errno
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ...graphs import GRAPHS
from ...names import LINK_PREFIXES, PREFIXES  # (also read from here by policykg.pipeline.curate)
from . import release
from .release import CHECKSUMS, KEEP, REQUIRED_FILES, STORE, STORE_RECORD
from .serialize import (
    Dumped,
    canonical_graphs,
    canonical_union,
    json_bytes,
    jsonld,
    jsonld_context,
    rdfxml,
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


def _write_lines(folder: Path, name: str, lines: list[bytes]) -> Path:
    """Write ``lines`` each ended by ``\\n`` (nothing at all for no lines)."""
    return _write_chunks(folder, name, (b"\n".join(lines[i:i + 65536]) + b"\n"
                                        for i in range(0, len(lines), 65536)))


#: Bytes of N-Quads per call of pyoxigraph's bulk loader when writing the store: its memory
#: grows with the quads of one call (about 1 GiB for a million), so they are loaded in parts.
STORE_PART = 64 << 20


#: The program of the child process that writes a build's persistent store (pyoxigraph and
#: the standard library only, so that it starts in a few hundredths of a second). Arguments:
#: the build's folder, its N-Quads, the publishing process's id, :data:`STORE_PART`.
#:
#: * It dies with the publishing process (``PR_SET_PDEATHSIG``, Linux): a killed build leaves no
#:   writer behind.
#: * pyoxigraph's bulk loader renames blank nodes within each call, so the lines with one are
#:   set aside and added at the end, parsed whole with their canonical labels kept (``_:c14n0``
#:   in an answer is ``_:c14n0`` in ``policykg.nq``).
#: * RocksDB's info logs (``LOG*``) are removed: nothing needs them to open the store, and a
#:   read-only opening writes none. Then the record (:data:`STORE_RECORD`) names the digest
#:   of the N-Quads, and every file and the folder are fsynced.
_STORE_CHILD = r"""
import ctypes, hashlib, json, os, sys
folder, nquads, parent, part_size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
try:
    ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
except (OSError, AttributeError):
    pass
if os.getppid() != parent:
    sys.exit("the publishing process is gone")
import pyoxigraph as ox
target = os.path.join(folder, "STORE")
store = ox.Store(target)
blank = []
with open(nquads, "rb") as handle:
    while part := handle.read(part_size):
        part += handle.readline()  # whole lines only
        if b"_:" in part:  # a blank node (or "_:" in a literal: set aside all the same)
            lines = part.split(b"\n")
            blank += [line for line in lines if b"_:" in line]
            part = b"\n".join(line for line in lines if b"_:" not in line)
        store.bulk_load(part, format=ox.RdfFormat.N_QUADS)
if blank:
    store.bulk_extend(ox.parse(b"\n".join(blank), format=ox.RdfFormat.N_QUADS))
del store  # the last reference: RocksDB closes here (a pyoxigraph Store has no close())
for name in os.listdir(target):
    if name.startswith("LOG"):
        os.unlink(os.path.join(target, name))
with open(nquads, "rb") as handle:
    digest = hashlib.file_digest(handle, "sha256").hexdigest()
record = {"nquads": os.path.basename(nquads), "sha256": digest, "pyoxigraph": ox.__version__}
with open(os.path.join(target, "STORE_RECORD"), "w", encoding="utf-8") as handle:
    handle.write(json.dumps(record, indent=2) + "\n")
for name in os.listdir(target):
    fd = os.open(os.path.join(target, name), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
fd = os.open(target, os.O_RDONLY)
try:
    os.fsync(fd)
finally:
    os.close(fd)
""".replace('"STORE_RECORD"', repr(STORE_RECORD)).replace('"STORE"', repr(STORE))


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

    def __enter__(self) -> _StoreWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def start(self, folder: Path, nquads: Path) -> None:
        """Start writing ``folder/store`` from ``nquads``."""
        self.folder = folder
        self.process = subprocess.Popen([sys.executable, "-c", _STORE_CHILD, str(folder), str(nquads),
                                         str(os.getpid()), str(STORE_PART)], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def finish(self) -> list[str]:
        """Wait for the store; the names of its files (``store/...``), sorted. A store that
        could not be written is left out, with a warning: the build is whole without it, and
        its readers parse ``policykg.nq``."""
        assert self.process is not None and self.folder is not None
        _, err = self.process.communicate()
        if self.process.returncode != 0:
            lines = err.decode("utf-8", "replace").strip().splitlines() or [f"exit {self.process.returncode}"]
            log.warning("the build is published without its persistent store, which could not be written "
                        "(%s); queries will parse policykg.nq", lines[-1])
            shutil.rmtree(self.folder / STORE, ignore_errors=True)
            return []
        names = []
        for path in sorted((self.folder / STORE).iterdir()):
            if path.is_symlink() or not path.is_file():
                raise OSError(errno.EISDIR, "the store holds something other than files", str(path))
            names.append(f"{STORE}/{path.name}")
        return names


# --------------------------------------------------------------------------------------------
# The door
# --------------------------------------------------------------------------------------------

def publish(store: pyoxigraph.Store, out_dir: Path, *, report_text: str,
            shacl_report: rdflib.Graph, build_report: str,
            void: rdflib.Graph | None = None, keep: int = KEEP,
            extra_files: dict[str, bytes] | None = None) -> PublishResult:
    """Write the graphs of ``store`` as a build into ``out_dir``, atomically.

    ``store`` holds the named graphs of :data:`policykg.graphs.GRAPHS` (other graphs are not
    published); it is only read. The persistent store ``store/`` is loaded from the written
    ``policykg.nq`` by a child process, beside the other writers. The build ``out_dir`` held
    goes into ``<out_dir>.history``, which keeps the newest ``keep`` builds before the current
    one. Holds :func:`policykg.pipeline.publish.release.lock`. See the module docstring for the files, and
    :mod:`policykg.pipeline.publish.release` for the folders and the guarantees.

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
    # Every serialization starts from the canonical form, so that blank node labels and the
    # order of statements are the same from one build of the same graphs to the next.
    dumped = Dumped.of(store)
    canon = canonical_graphs(store, dumped)
    graphs = {role: len(lines) for role, lines in canon.lines.items()}

    files: dict[str, Path] = {}
    triples: dict[str, int] = {}
    tmp: Path | None = None
    try:
        with release.lock(out_dir), _StoreWriter() as store_writer:
            tmp = release.new_folder(out_dir)
            # The N-Quads first: a child process loads the persistent store from them while
            # this one writes the other files (leaving the ``with`` ends it if a writer fails).
            nquads = canon.nquad_lines()
            files["policykg.nq"] = _write_lines(tmp, "policykg.nq", nquads)
            triples["policykg.nq"] = len(nquads)
            del nquads
            store_writer.start(tmp, files["policykg.nq"])
            nt = canonical_union(store, ONTOLOGY_AND_DATA, dumped)
            del dumped
            canonical = list(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)) if nt else []
            ontology = [q.triple for q in store.quads_for_pattern(None, None, None, GRAPHS["ontology"])]
            context = jsonld_context(to_rdflib(ontology), shapes_graph())

            files["policykg.nt"] = _write(tmp, "policykg.nt", nt)
            triples["policykg.nt"] = len(canonical)
            del nt
            files["policykg.ttl"] = _write(tmp, "policykg.ttl", turtle(canonical))
            triples["policykg.ttl"] = len(canonical)
            files["policykg.trig"] = _write_chunks(tmp, "policykg.trig", canon.trig())
            triples["policykg.trig"] = sum(graphs.values())
            files["policykg.jsonld"] = _write(tmp, "policykg.jsonld",
                                              jsonld(canonical, context))
            triples["policykg.jsonld"] = len(canonical)
            files["context.jsonld"] = _write(tmp, "context.jsonld",
                                             json_bytes({"@context": context}))
            edition = owl_edition_triples(canonical)
            files["policykg.owl"] = _write(tmp, "policykg.owl", rdfxml(edition))
            triples["policykg.owl"] = len(edition)
            del canonical, edition
            files["shacl-report.ttl"] = _write(tmp, "shacl-report.ttl", turtle_rdflib(shacl_report))
            triples["shacl-report.ttl"] = len(shacl_report)
            files["build-report.md"] = _write(tmp, "build-report.md",
                                              build_report.encode("utf-8"))
            files["gate.txt"] = _write(tmp, "gate.txt", report_text.encode("utf-8"))
            if void is not None:
                files["void.ttl"] = _write(tmp, "void.ttl", turtle_rdflib(void))
                triples["void.ttl"] = len(void)
            for name, data in sorted((extra_files or {}).items()):
                # files that belong with the build, e.g. sources/<name>.txt, the text renditions
                # of PDF, HTML and Word sources that the spans' offsets point into
                folder, _, base = name.rpartition("/")
                if (not base or ".." in name.split("/") or name.startswith("/") or name in REQUIRED_FILES
                        or name.split("/")[0] == STORE):
                    raise ValueError(f"not a name for a file of the build: {name!r}")
                target = tmp / folder if folder else tmp
                target.mkdir(parents=True, exist_ok=True)
                files[name] = _write(target, base, data)
            files.update((name, tmp / name) for name in store_writer.finish())
            files[CHECKSUMS] = _write(tmp, CHECKSUMS, release.checksums(tmp, files))
            build_id, previous = release.swap_in(tmp, out_dir, keep)
    except OSError as exc:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        raise release.problem(exc, "cannot publish the build", out_dir,
                              hint="check the permissions and free space of the folder; "
                                   "the previous build is unchanged") from None
    except BaseException:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    return PublishResult(out_dir=out_dir,
                         files={name: out_dir / name for name in files},
                         triples=triples, graphs=graphs, previous=previous, id=build_id)


__all__ = ["LINK_PREFIXES", "ONTOLOGY_AND_DATA", "PREFIXES", "STORE_PART", "PublishResult", "publish"]

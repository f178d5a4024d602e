"""The persistent store of a build, begun before the build is gated.

Door: :func:`start_store`, which the build calls once its working store holds the ontology, data
and provenance graphs; :func:`policykg.pipeline.publish.publish` finishes what it began (see
:class:`policykg.pipeline.publish.EarlyStore` and the store writer's program there).
"""
from __future__ import annotations

import logging
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import PolicykgError
from ...graphs import GRAPHS
from . import EarlyStore, release

if TYPE_CHECKING:
    import pyoxigraph

log = logging.getLogger("policykg.pipeline.publish")


_NON_NEGATIVE = b"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>"
_INTEGER = b"^^<http://www.w3.org/2001/XMLSchema#integer>"

#: The graphs reasoning does not change, which :func:`start_store` loads into the store first.
EARLY_GRAPHS = ("ontology", "data", "provenance")


class StoreParts:
    """The parts of the persistent store a build gives before it is reasoned: made by
    :func:`begin_store` (a hidden folder to begin the store in, and a file of the provenance
    graph's N-Triples, which the build writes as it loads them with :meth:`add`), then started by
    :meth:`start` (:func:`start_store` in one step, for a store whose graphs are all loaded).

    Why the provenance as it is made: it is 80 % of the quads, and dumping it from the store
    again took 15 s at ten thousand documents. Its lines must be the store's writer's, byte for
    byte (:func:`policykg.pipeline.provenance.provenance_ntriples` writes them so; the writer of
    the store checks them against the published N-Quads and loads those again if they differ,
    so a difference costs time, never a wrong store), and none twice: a build that adds other
    provenance (curation's) lets :meth:`start` dump the graph instead (:meth:`whole`).
    """

    def __init__(self, early: EarlyStore, folder: Path) -> None:
        self.early = early
        self.folder = folder
        self.provenance = folder / ".early-provenance.nt"
        self._handle = open(self.provenance, "wb")  # noqa: SIM115 - closed by start() or abandon()
        self.complete = True

    def add(self, data: bytes) -> None:
        """N-Triples of the provenance graph, as the store's writer writes them but for the
        offsets' datatype: a store keeps a literal of a type derived from ``xsd:integer`` as an
        ``xsd:integer`` (pyoxigraph 0.5, so the build has always published ``oa:start`` and
        ``oa:end`` so), and its writer writes what it keeps."""
        if self._handle is not None:
            self._handle.write(data.replace(_NON_NEGATIVE, _INTEGER))

    def whole(self) -> None:
        """The provenance graph holds what :meth:`add` was not given: :meth:`start` dumps it."""
        self.complete = False

    def start(self, store: pyoxigraph.Store) -> EarlyStore | None:
        """Dump the other graphs of :data:`EARLY_GRAPHS` and start the writer; ``None`` when it
        cannot start (then the folder is gone, and :func:`publish` writes the store from the
        N-Quads)."""
        import pyoxigraph as ox

        try:
            if self._handle is not None:
                self._handle.close()
                self._handle = None
            parts = []
            for role in EARLY_GRAPHS:
                path = self.folder / f".early-{role}.nt"
                if role != "provenance" or not self.complete:
                    store.dump(output=str(path), format=ox.RdfFormat.N_TRIPLES, from_graph=GRAPHS[role])
                parts += [GRAPHS[role].value, str(path)]
            self.early._spawn(self.folder, "-", parts, subprocess.PIPE)
        except (OSError, ValueError) as exc:
            log.info("the store is not begun early (%s)", exc)
            self.abandon()
            return None
        return self.early

    def abandon(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        self.early.abandon()


def begin_store(out_dir: Path) -> StoreParts | None:
    """Make the hidden folder in which the persistent store of a build of ``out_dir`` is begun
    before the build is reasoned (:class:`StoreParts`; :data:`policykg.pipeline.publish.release.WORK`,
    moved into the build's folder when it is published). The caller holds
    :func:`policykg.pipeline.publish.release.lock`. ``None`` when it cannot be made: the
    build then goes without (:func:`publish` makes its folder and writes the store from the
    N-Quads)."""
    out_dir = release.resolve_out_dir(out_dir)
    early = EarlyStore()
    try:
        folder = release.new_folder(out_dir, kind=release.WORK)
    except (OSError, PolicykgError) as exc:
        log.info("the store is not begun early (%s)", exc)
        return None
    early.folder = early.workdir = folder
    try:
        return StoreParts(early, folder)
    except OSError as exc:
        log.info("the store is not begun early (%s)", exc)
        early.abandon()
        return None


def start_store(store: pyoxigraph.Store, out_dir: Path) -> EarlyStore | None:
    """Begin the persistent store of a build of ``store`` into ``out_dir`` before it is reasoned
    and gated (:class:`EarlyStore`; pass it to :func:`publish`, or :meth:`EarlyStore.abandon`
    it), every graph of :data:`EARLY_GRAPHS` dumped from ``store``. The caller holds
    :func:`policykg.pipeline.publish.release.lock`. ``None`` when it cannot begin (the folder
    cannot be made or written): :func:`publish` then writes the store from the N-Quads, as
    without it.

    Why: RocksDB's bulk loader takes about 12 s for the 1.1 million quads of a thousand
    documents, more than any stage of the build; begun after the N-Quads were written, the
    build waited for it at the end. Begun here, the graphs that make 87 % of the quads are
    loaded on the other core while the build reasons and gates.
    """
    parts = begin_store(out_dir)
    if parts is None:
        return None
    parts.whole()
    return parts.start(store)


__all__ = ["EARLY_GRAPHS", "StoreParts", "begin_store", "start_store"]

"""The pipeline, end to end: sources -> validated, published graph.

Door: :func:`build`. It chains the stages, in this order, each a function of its own module::

    load            lexicon.load_lexicon, mapping.load_rules, curate.load_curation
    read            read.read_document
    extract         extract.extract
    reconcile       reconcile.reconcile
    map             mapping.map_records
    curate          curate.curate
    store           provenance.provenance_ntriples, provenance_quads (and reason.load_ontology)
    reason          reason.infer
    gate + quality  gate.validate_store, quality.check_quality_store
    review          review.collect_review (made after curate: it needs the documents, which
                    then go; it is the build's review whatever the gate says)
    publish         publish.publish (serialize, then release)

and keeps the working graph in a pyoxigraph store with four named graphs (ontology, data,
provenance, inferences). Only a graph that passes the gate (the SHACL shapes and the ``error``
quality rules) is published; a graph that fails it leaves the previous output untouched, and so
does any error. Builds into the same
output folder take turns (a lock file beside it).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .. import __version__, resources
from ..document import Document
from ..errors import InputError
from ..graphs import GRAPHS
from ..names import ID, POL
from ..rdfio import gc_paused
from ..timing import Laps
from . import gate
from .curate import Curated, SourceText, curate, load_curation
from .extract import Extraction, NewEntity, extract
from .gate.quality import QualityReport, check_quality_store
from .lexicon import Lexicon, load_lexicon
from .mapping import Mapped, load_rules, map_records
from .provenance import BuildInfo, SourceInfo, provenance_ntriples, provenance_quads
from .read import read_document
from .readers import NOT_SOURCES
from .reconcile import reconcile
from .review import Review, collect_review

SOURCE_SUFFIXES = (".md", ".txt", ".markdown", ".text", ".html", ".htm", ".pdf", ".docx")


@dataclass(frozen=True)
class BuildResult:
    """What a build did. ``published`` is false when the gate stopped it."""

    out: Path
    published: bool
    report: gate.Report
    sources: tuple[SourceInfo, ...]
    class_counts: dict[str, int]
    triples: dict[str, int]  # per named graph
    new_entities: tuple[NewEntity, ...]
    merged: tuple[tuple[str, str], ...]
    warnings: tuple[str, ...]
    timings: dict[str, float] = field(default_factory=dict)
    quality: QualityReport | None = None  # the quality rules of queries/qc (error rules gate too)
    refusals: tuple[str, ...] = ()  # why the build was not published
    skipped: tuple[str, ...] = ()  # sources not read, each "file: why" (--keep-going, names)
    #: The build's working store (ontology, data, provenance and inference graphs), published or
    #: not: what ``policykg eval`` measures a refused build by.
    store: ox.Store | None = field(default=None, repr=False, compare=False)
    #: What the curation files did (mappings/curation: retract, assert, merge, split, label); its
    #: ``mapped`` is empty (the triples and their supports are in :attr:`store`).
    curated: Curated | None = field(default=None, repr=False, compare=False)
    #: What a person should look at: :mod:`policykg.pipeline.review` (also ``review.json`` in the build).
    review: Review | None = field(default=None, repr=False, compare=False)

    def summary(self) -> str:
        """The human-readable build report (Markdown)."""
        lines = [f"# policykg build {__version__}", ""]
        verdict = "published" if self.published else "NOT published: " + "; ".join(self.refusals)
        lines += [f"Output: `{self.out}` — {verdict}.", ""]
        lines += ["## Sources", "", "| file | sha256 | characters |", "|---|---|---|"]
        lines += [f"| `{s.path}` | `{s.sha256}` | {s.characters} |" for s in self.sources]
        lines += ["", "## Triples", "", "| graph | triples |", "|---|---|"]
        lines += [f"| {g} | {n} |" for g, n in sorted(self.triples.items())]
        lines += ["", "## Entities per class", "", "| class | entities |", "|---|---|"]
        lines += [f"| pol:{c} | {n} |" for c, n in sorted(self.class_counts.items())]
        counts = self.report.counts()
        lines += ["", "## SHACL gate", "",
                  f"{'PASSED' if self.report.passed else 'FAILED'}: "
                  f"{counts[gate.Severity.VIOLATION]} violations, {counts[gate.Severity.WARNING]} warnings."]
        for r in self.report.results:
            lines.append(f"- {r.severity.value}: {r.focus} — {r.message} ({r.shape})")
        if self.quality is not None:
            lines += ["", "## Quality rules (queries/qc)", "", "```", self.quality.to_text().rstrip(), "```"]
        lines += ["", f"## New entities ({len(self.new_entities)})", "",
                  "Not in the lexicon; minted from the text:", ""]
        lines += [f"- {n.kind} `{n.iri}` — {n.label}" for n in self.new_entities] or ["- none"]
        if self.merged:
            lines += ["", "## Merged", ""]
            lines += [f"- `{a}` → `{b}`" for a, b in self.merged]
        if self.curated is not None and self.curated.applied:
            lines += ["", f"## Curation ({len(self.curated.applied)})", "",
                      "Corrections of mappings/curation, each with who, when and why:", ""]
            lines += [f"- {a.summary} — {a.entry.curator}, {a.entry.date.isoformat()} "
                      f"(`{a.entry.name}:{a.entry.line}`): {a.entry.reason}" for a in self.curated.applied]
        if self.skipped:
            lines += ["", f"## Skipped ({len(self.skipped)})", ""]
            lines += [f"- {w}" for w in self.skipped]
        lines += ["", f"## Warnings ({len(self.warnings)})", ""]
        lines += [f"- {w}" for w in self.warnings] or ["- none"]
        lines += ["", "## Timings (seconds)", "", "| stage | seconds |", "|---|---|"]
        lines += [f"| {k} | {v:.3f} |" for k, v in self.timings.items()]
        return "\n".join(lines) + "\n"


def default_sources() -> list[Path]:
    return collect_sources([resources.data_root() / "sources"])[0]


def _not_a_source(path: Path) -> bool:
    """A file that sits among sources but is not a policy update, by its name."""
    return path.name.lower() in NOT_SOURCES or path.name.startswith(".")


def collect_sources(given: Sequence[str | Path]) -> tuple[list[Path], list[str]]:
    """The documents to build from ``given`` files and folders, and what was skipped by name.

    A folder gives its files (not its subfolders) whose names end in a suffix of
    :data:`SOURCE_SUFFIXES`; ``README.md`` and the like (:data:`policykg.pipeline.readers.NOT_SOURCES`)
    and hidden files are skipped, also when named one by one (``sources/*``).
    """
    paths: set[Path] = set()
    skipped: list[str] = []
    for item in given:
        path = Path(item)
        if path.is_dir():
            for child in sorted(path.iterdir()):
                if child.is_dir() or child.suffix.lower() not in SOURCE_SUFFIXES:
                    continue
                if _not_a_source(child):
                    continue
                paths.add(child)
        elif _not_a_source(path):
            skipped.append(f"{path}: skipped, not a policy update by its name")
        else:
            paths.add(path)
    return sorted(paths, key=str), skipped


def _rendition_names(docs: Sequence[Document]) -> dict[str, str]:
    """``sources/<file name>.txt`` for each source whose text is a rendition (path -> name);
    a name two sources share is numbered."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for doc in docs:
        if not doc.is_rendition:
            continue
        base = Path(doc.path).name
        name, n = f"sources/{base}.txt", 1
        while name in used:
            n += 1
            name = f"sources/{base}.{n}.txt"
        used.add(name)
        names[doc.path] = name
    return names


@contextmanager
def _lock(out: Path) -> Iterator[None]:
    """One build at a time per output folder: the publishing lock (:func:`policykg.pipeline.publish.release.lock`,
    re-entrant, so publish() inside it does not wait for itself), held for the whole build so
    that the shrink check and the publication see the same last good build."""
    from .publish.release import lock

    with lock(out):
        yield


def _now() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch else dt.datetime.now(dt.timezone.utc)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def extract_all(paths: Sequence[Path], lexicon: Lexicon) -> list[Extraction]:
    """Read and extract every source (in path order); the first bad input stops the build."""
    return [extract(read_document(p), lexicon) for p in paths]


# --------------------------------------------------------------------------------------------
# Reading and extracting on every core
# --------------------------------------------------------------------------------------------

#: Documents a process claims at a time (a few, so that the cores finish together).
_CHUNK = 4
#: Below this many documents the build reads and extracts them in its own process only.
_PARALLEL_FROM = 12
#: ``POLICYKG_BUILD_WORKERS=1`` reads and extracts in the build's own process only; ``N``
#: uses N processes (the build's and N - 1 forked ones); by default one per core it may use.
WORKERS_VARIABLE = "POLICYKG_BUILD_WORKERS"


@dataclass
class _Outcome:
    """What reading and extracting one document gave: its extraction, or the stage that failed
    (``"parse"`` or ``"extract"``; the build does that document again itself, to raise or skip
    the very error the serial build would), and how long each stage took."""

    extraction: Extraction | None = None
    failed: str | None = None
    parse_seconds: float = 0.0
    extract_seconds: float = 0.0


def _one(path: Path, lexicon: Lexicon) -> _Outcome:
    start = time.perf_counter()
    try:
        doc = read_document(path)
    except Exception:  # noqa: BLE001 - done again by the build itself, which raises or skips it
        return _Outcome(failed="parse", parse_seconds=time.perf_counter() - start)
    read = time.perf_counter()
    try:
        extraction = extract(doc, lexicon)
    except Exception:  # noqa: BLE001 - as above
        return _Outcome(failed="extract", parse_seconds=read - start, extract_seconds=time.perf_counter() - read)
    return _Outcome(extraction, None, read - start, time.perf_counter() - read)


def build_workers(documents: int) -> int:
    """How many processes read and extract ``documents`` documents (:data:`WORKERS_VARIABLE`)."""
    given = os.environ.get(WORKERS_VARIABLE, "").strip()
    if given.isdigit() and int(given) >= 1:
        wanted = int(given)
    else:
        try:
            wanted = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):  # pragma: no cover - not Linux
            wanted = os.cpu_count() or 1
    if documents < _PARALLEL_FROM or not hasattr(os, "fork") or not sys.platform.startswith("linux"):
        return 1
    return max(1, min(wanted, documents // _CHUNK))


class _Readers:
    """The processes that read and extract the documents of ``paths`` with the build's own:
    :func:`build_workers` - 1 forked ones, each claiming :data:`_CHUNK` documents at a time from
    a counter shared with the build (:meth:`claims`, which the build reads and extracts itself)
    and writing what it got (pickled) into a file of its own, made before the fork and unlinked
    (nothing is left of it when the build is killed). :meth:`join` gives the outcomes in path
    order, whichever process made them, so that the build is the same, byte for byte, as when one
    process reads them all (``tests/test_parallel_extract.py``).

    A forked reader dies with the build (``PR_SET_PDEATHSIG``: a killed build leaves none behind)
    and shares nothing but the counter and its file; the documents it did not write (it died,
    or what it got could not be pickled) are done by :meth:`join`. Where forking is not
    possible, the build reads and extracts every document.

    No thread: CPython 3.11 may hold back the build's signal handlers while another thread runs
    (tests/test_nothing_lost.py samples the build's stack with SIGUSR1). And the build loops over
    :meth:`claims` itself, rather than calling a function that does, so that its stack shows the
    reader or the extractor at work: that test tells the stages apart by it.
    """

    def __init__(self, paths: Sequence[Path], lexicon: Lexicon) -> None:
        self.paths = paths
        self.lexicon = lexicon
        self.outcomes: list[_Outcome | None] = [None] * len(paths)
        self.counter = None
        self.children: list[tuple[int, Any]] = []  # (pid, the file it writes its outcomes into)
        workers = build_workers(len(paths))
        if workers <= 1:
            return
        import multiprocessing
        import tempfile

        self.counter = multiprocessing.get_context("fork").Value("q", 0)
        parent = os.getpid()
        for _ in range(workers - 1):
            sink = tempfile.TemporaryFile()  # noqa: SIM115 - closed by join() or close()
            try:
                pid = os.fork()
            except OSError:
                sink.close()
                break
            if pid == 0:  # pragma: no cover - runs in the forked process (measured by its results)
                _child(paths, lexicon, self.counter, sink.fileno(), parent)
            self.children.append((pid, sink))

    def claims(self) -> Iterator[int]:
        """The documents the build reads and extracts itself (their indexes)."""
        return _claims(self.counter, len(self.paths))

    def join(self) -> list[_Outcome]:
        """Every document's outcome, in path order (what no process wrote, done here)."""
        import pickle

        for pid, sink in self.children:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:  # pragma: no cover
                pass
            sink.seek(0)
            while header := sink.read(8):
                size = int.from_bytes(header, "little")
                data = sink.read(size)
                if len(data) < size:
                    break  # cut short (the reader died writing it): those documents are done here
                try:
                    batch = pickle.loads(data)
                except Exception:  # noqa: BLE001 - those documents are done here
                    continue
                for i, outcome in batch:
                    self.outcomes[i] = outcome
            sink.close()
        self.children = []
        return [o if o is not None else _one(self.paths[i], self.lexicon) for i, o in enumerate(self.outcomes)]

    def close(self) -> None:
        """End the forked readers that still run (the build failed before :meth:`join`)."""
        import signal

        for pid, sink in self.children:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):  # pragma: no cover
                pass
            sink.close()
        self.children = []


def _claims(counter, total: int) -> Iterator[int]:
    """The indexes of the documents this process reads: every one, or :data:`_CHUNK` at a time
    from ``counter`` (shared with the forked processes) until none is left."""
    if counter is None:
        yield from range(total)
        return
    while True:
        with counter.get_lock():
            first = counter.value
            counter.value = first + _CHUNK
        if first >= total:
            return
        yield from range(first, min(first + _CHUNK, total))


def _child(paths: Sequence[Path], lexicon: Lexicon, counter, fd: int, parent: int) -> None:  # pragma: no cover
    """A forked reader: claim documents, read and extract them, write each chunk's outcomes
    (pickled, length first) into ``fd``; then leave without running the parent's clean-up."""
    import ctypes
    import pickle
    import signal

    code = 0
    try:
        try:
            ctypes.CDLL(None).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG: die with the build
        except (OSError, AttributeError):
            pass
        if os.getppid() != parent:
            os._exit(1)
        # none of the build's files but its own: the lock of the output folder above all (a
        # flock is held while any copy of its descriptor is open)
        os.closerange(3, fd)
        os.closerange(fd + 1, 1 << 16)
        batch: list[tuple[int, _Outcome]] = []
        for i in _claims(counter, len(paths)):
            batch.append((i, _one(paths[i], lexicon)))
            if len(batch) >= _CHUNK:
                _send(fd, pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
                batch = []
        if batch:
            _send(fd, pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
    except BaseException:  # noqa: BLE001 - what it did not write, the build does itself
        code = 1
    finally:
        os._exit(code)


def _send(fd: int, data: bytes) -> None:
    view = memoryview(len(data).to_bytes(8, "little") + data)
    while view:
        view = view[os.write(fd, view):]


def _count_triples(store: ox.Store) -> dict[str, int]:
    """The triples of each named graph of :data:`GRAPHS`, counted by the store (no Python object
    per quad)."""
    counts = dict.fromkeys(GRAPHS, 0)
    names = {g: role for role, g in GRAPHS.items()}
    for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        if row[0] in names:
            counts[names[row[0]]] = int(row[1].value)
    return counts


#: A build that loses more than this share of the last good build's data triples is refused
#: (a source went missing, or the extractor broke), unless ``allow_shrink``.
MAX_SHRINK = 0.5


def _previous_size(out: Path) -> int | None:
    """Data triples of the last good build in ``out`` (from its VoID description), if any."""
    from .publish.release import latest_good

    good = latest_good(out) if out.exists() else None
    if good is None or not (good / "void.ttl").is_file():
        return None
    store = ox.Store()
    store.load(path=str(good / "void.ttl"), format=ox.RdfFormat.TURTLE)
    for row in store.query(f"SELECT ?n WHERE {{ <{ID}dataset/graph/data> "
                           "<http://rdfs.org/ns/void#triples> ?n }"):
        return int(row[0].value)
    return None


def build(sources: Sequence[str | Path] | None = None, out: str | Path = "dist", *,
          lexicon: Lexicon | None = None, allow_shrink: bool = False, keep: int | None = None,
          keep_going: bool = False, curation: str | Path | None = None) -> BuildResult:
    """Build, reason, gate and (when the gate passes) publish the graph of ``sources`` (files
    and folders; default: the ``sources/`` folder).

    Refused, and not published: a graph that fails the SHACL gate or an ``error`` quality
    rule, an empty graph, and (unless ``allow_shrink``) one that has lost more than
    :data:`MAX_SHRINK` of the last good build's data triples. ``keep``: how many earlier
    builds ``out``'s history keeps (default :data:`policykg.pipeline.publish.release.KEEP`). A source that
    cannot be read refuses the whole build (:class:`InputError`), unless ``keep_going``: then
    it is skipped and listed in :attr:`BuildResult.skipped`, and only a build of no document
    at all is refused. ``curation``: the folder of curation files (default
    ``mappings/curation/``, :func:`policykg.pipeline.curate.load_curation`), applied after the mapping
    and before reasoning and the gate; a bad entry is an :class:`InputError`.
    """
    from . import publish, reason
    from .publish import release
    from .publish.store import begin_store
    from .publish.void import describe

    lap = Laps()
    timings = lap.timings

    if sources:
        paths, skipped = collect_sources(sources)
    else:
        paths, skipped = default_sources(), []
    if not paths:
        raise InputError("no source documents to build"
                         + (f" ({len(skipped)} skipped by name)" if skipped else ""),
                         path=Path(sources[0]) if sources else resources.data_root() / "sources")
    out = release.resolve_out_dir(out)
    release.check_out_dir(out)  # refused before any work, and again when publishing
    started = _now()
    # the collector off for the whole build (rdfio.gc_paused): it keeps millions of objects alive
    # to its end, which each full collection would walk again
    with _lock(out), gc_paused():
        lexicon = lexicon or load_lexicon()
        rules = load_rules()
        corrections = load_curation(curation)
        lap("load")
        # Read and extract every document, on every core (_Readers); then, in path
        # order, what failed is done again here, to raise (or skip, with keep_going) the very
        # error of the first document that fails to be read, else of the first that fails to be
        # extracted, as reading all then extracting all did.
        began = time.perf_counter()
        readers = _Readers(paths, lexicon)
        try:
            for i in readers.claims():
                at = time.perf_counter()
                try:
                    doc = read_document(paths[i])
                except Exception:  # noqa: BLE001 - done again below, to raise or skip it
                    readers.outcomes[i] = _Outcome(failed="parse", parse_seconds=time.perf_counter() - at)
                    continue
                read_at = time.perf_counter()
                try:
                    readers.outcomes[i] = _Outcome(extract(doc, lexicon), None, read_at - at,
                                                   time.perf_counter() - read_at)
                except Exception:  # noqa: BLE001 - as above
                    readers.outcomes[i] = _Outcome(failed="extract", parse_seconds=read_at - at,
                                                   extract_seconds=time.perf_counter() - read_at)
            outcomes = readers.join()
        finally:
            readers.close()
        docs: dict[int, Document] = {}
        for i, (p, outcome) in enumerate(zip(paths, outcomes)):
            if outcome.failed == "parse":
                try:
                    docs[i] = read_document(p)
                except InputError as exc:
                    if not keep_going:
                        raise
                    skipped.append(f"{exc}")
        extractions = []
        for i, outcome in enumerate(outcomes):
            if outcome.extraction is not None:
                extractions.append(outcome.extraction)
                continue
            doc = docs.get(i) if outcome.failed == "parse" else read_document(paths[i])
            if doc is None:
                continue
            try:
                extractions.append(extract(doc, lexicon))
            except InputError as exc:
                if not keep_going:
                    raise
                skipped.append(f"{exc}")
        # the two stages ran interleaved: the wall time is shared by their CPU seconds
        parsed = sum(o.parse_seconds for o in outcomes)
        share = parsed / (parsed + sum(o.extract_seconds for o in outcomes) or 1.0)
        lap.clock = began + (time.perf_counter() - began) * share
        timings["parse"] = lap.clock - began
        lap("extract")
        if not extractions:
            raise InputError(f"no document could be read ({len(skipped)} skipped): "
                             + "; ".join(skipped[:3]), path=paths[0])
        lap("extract")
        reconciled = reconcile(extractions, apart=corrections.apart)
        mapped = map_records(reconciled.records, rules)
        lap("map")

        renditions = _rendition_names([x.document for x in extractions])
        rendition_files = {renditions[x.document.path]: x.document.text.encode("utf-8")
                           for x in extractions if x.document.path in renditions}
        infos = tuple(SourceInfo(x.source, _display(Path(x.document.path)), x.document.sha256,
                                 len(x.document.text), x.document.format,
                                 renditions.get(x.document.path),
                                 hashlib.sha256(rendition_files[renditions[x.document.path]]).hexdigest()
                                 if x.document.path in renditions else None)
                      for x in extractions)
        digest = hashlib.sha256("".join(i.sha256 for i in infos).encode()).hexdigest()[:16]
        build_info = BuildInfo(f"{ID}build/{digest}", __version__, started, started)
        lap("store")  # (the sources' descriptions: the store stage's, as before curation was one)
        curated = curate(mapped, corrections, build=build_info, kept_apart=reconciled.kept_apart,
                         sources=[SourceText(x.source, x.document.path, x.document.text) for x in extractions])
        mapped = curated.mapped
        lap("curate")
        # What a person should check needs the documents and records, the stages after this one
        # do not: the review is made now and they go (at ten thousand documents, a gigabyte the
        # working store would otherwise sit beside).
        warnings = tuple(w for x in extractions for w in x.document.warnings) + reconciled.warnings \
            + curated.warnings
        review = collect_review(extractions, reconciled, curated, warnings)
        new_entities, merged = reconciled.new_entities, reconciled.merged
        del extractions, outcomes, readers, docs, reconciled
        lap("review")
        store = ox.Store()
        reason.load_ontology(store)
        store.bulk_extend([ox.Quad(t.subject, t.predicate, t.object, GRAPHS["data"]) for t in mapped.triples])
        # The persistent store of the build begins in this stage, on another core, with the graphs
        # that reasoning and the gate leave as they are (publish.store); a build that is not
        # published abandons it (below, in the finally).
        parts = begin_store(out)
        early = None
        try:
            # the provenance graph: the statements of the data triples as N-Triples (most of it,
            # loaded without a Python object per term, and handed on to the store's writer as they
            # are), the rest (the build, the sources) as quads
            for chunk in provenance_ntriples(mapped, build_info):
                store.bulk_load(chunk, format=ox.RdfFormat.N_TRIPLES, to_graph=GRAPHS["provenance"])
                if parts is not None:
                    parts.add(chunk)
            head = list(dict.fromkeys(provenance_quads(mapped, infos, build_info, text_apart=True)))
            store.bulk_extend(head)
            store.bulk_extend(curated.provenance)
            if parts is not None:
                parts.add(ox.serialize([q.triple for q in head], format=ox.RdfFormat.N_TRIPLES) or b"")
                if curated.provenance:
                    parts.whole()  # (which may repeat a line given above: dumped instead)
                early = parts.start(store)
            # the store holds the triples now: the build keeps no second copy of them, nor of
            # their supports (a gigabyte at ten thousand documents)
            curated = dataclasses.replace(curated, mapped=Mapped((), {}))
            del mapped, head
            lap("store")
            reason.infer(store)
            lap("reason")
            report = gate.validate_store(store, [GRAPHS["data"], GRAPHS["inferences"], GRAPHS["ontology"]])
            quality = check_quality_store(store, out)
            lap("gate")

            triples = _count_triples(store)
            classes = Counter()
            for row in store.query(
                    "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } "
                    f"FILTER(?g IN (<{GRAPHS['data'].value}>, <{GRAPHS['inferences'].value}>)) "
                    f"FILTER(STRSTARTS(STR(?c), '{POL}')) }} GROUP BY ?c"):
                classes[row[0].value.rsplit("#", 1)[1]] = int(row[1].value)
            refusals = []
            if not report.passed:
                refusals.append("the SHACL gate failed")
            if not quality.passed:
                refusals.append("an error quality rule returned rows")
            size = triples["data"]
            previous = _previous_size(out)
            if size == 0:
                refusals.append("the graph is empty")
            elif previous and not allow_shrink and size < previous * (1 - MAX_SHRINK):
                refusals.append(f"the graph has {size} data triples, {previous - size} fewer than the last good "
                                f"build's {previous} (more than {MAX_SHRINK:.0%} lost); "
                                "pass --allow-shrink if intended")
            passed = not refusals
            result = BuildResult(out, passed, report, infos, dict(classes), triples,
                                 new_entities, merged, warnings, timings, quality,
                                 tuple(refusals), tuple(skipped), store, curated, review)
            if passed:
                ended = _now()
                build_info = BuildInfo(build_info.iri, __version__, started, ended)
                published = publish.publish(
                    store, out, report_text=report.to_text() + "\n" + quality.to_text(), shacl_report=report.graph,
                    build_report=result.summary(), void=describe(store, infos, build_info),
                    keep=release.KEEP if keep is None else keep,
                    extra_files={**rendition_files, "review.json": review.to_json().encode("utf-8")}, early=early)
                lap("write")
                # the steps of the write stage, after it (the build report, written before, has none)
                timings.update((f"write: {step}", seconds) for step, seconds in published.timings.items())
                result = BuildResult(out, True, report, infos, dict(classes), triples, new_entities,
                                     merged, warnings, timings, quality, skipped=tuple(skipped),
                                     store=store, curated=curated, review=review)
            return result
        finally:
            if early is not None:
                early.abandon()  # nothing, once published
            elif parts is not None:
                parts.abandon()


__all__ = ["SOURCE_SUFFIXES", "BuildResult", "build", "collect_sources", "default_sources", "extract_all"]

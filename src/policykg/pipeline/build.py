"""The pipeline, end to end: sources -> validated, published graph.

Door: :func:`build`. It chains the stages, in this order, each a function of its own module::

    load            lexicon.load_lexicon, mapping.load_rules, curate.load_curation
    read            read.read_document
    extract         extract.extract
    reconcile       reconcile.reconcile
    map             mapping.map_records
    curate          curate.curate
    store           provenance.provenance_quads (and reason.load_ontology)
    reason          reason.infer
    gate + quality  gate.validate_store, quality.check_quality_store
    review          review.collect_review
    publish         publish.publish (serialize, then release)

and keeps the working graph in a pyoxigraph store with four named graphs (ontology, data,
provenance, inferences). Only a graph that passes the gate (the SHACL shapes and the ``error``
quality rules) is published; a graph that fails it leaves the previous output untouched, and so
does any error. Builds into the same
output folder take turns (a lock file beside it).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .. import __version__, resources
from ..document import Document
from ..errors import InputError
from ..graphs import GRAPHS
from ..names import ID, POL
from ..rdfio import gc_paused
from . import gate
from .curate import Curated, SourceText, curate, load_curation
from .extract import Extraction, NewEntity, extract
from .gate.quality import QualityReport, check_quality_store
from .lexicon import Lexicon, load_lexicon
from .mapping import load_rules, map_records
from .provenance import BuildInfo, SourceInfo, provenance_quads
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
    #: What the curation files did (mappings/curation: retract, assert, merge, split, label).
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
    from .publish.void import describe

    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = timings.get(name, 0.0) + now - clock
        clock = now

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
        docs: list[Document] = []
        for p in paths:
            try:
                docs.append(read_document(p))
            except InputError as exc:
                if not keep_going:
                    raise
                skipped.append(f"{exc}")
        lap("parse")
        extractions = []
        for d in docs:
            try:
                extractions.append(extract(d, lexicon))
            except InputError as exc:
                if not keep_going:
                    raise
                skipped.append(f"{exc}")
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
        store = ox.Store()
        reason.load_ontology(store)
        store.bulk_extend([ox.Quad(t.subject, t.predicate, t.object, GRAPHS["data"]) for t in mapped.triples])
        store.bulk_extend(provenance_quads(mapped, infos, build_info))
        store.bulk_extend(curated.provenance)
        lap("store")
        reason.infer(store)
        lap("reason")
        report = gate.validate_store(store, [GRAPHS["data"], GRAPHS["inferences"], GRAPHS["ontology"]])
        quality = check_quality_store(store, out)
        lap("gate")

        triples = {name: sum(1 for _ in store.quads_for_pattern(None, None, None, g)) for name, g in GRAPHS.items()}
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
                            f"build's {previous} (more than {MAX_SHRINK:.0%} lost); pass --allow-shrink if intended")
        passed = not refusals
        warnings = tuple(w for x in extractions for w in x.document.warnings) + reconciled.warnings \
            + curated.warnings
        review = collect_review(extractions, reconciled, curated, warnings)
        lap("review")
        result = BuildResult(out, passed, report, infos, dict(classes), triples,
                             reconciled.new_entities, reconciled.merged, warnings, timings, quality,
                             tuple(refusals), tuple(skipped), store, curated, review)
        if passed:
            ended = _now()
            build_info = BuildInfo(build_info.iri, __version__, started, ended)
            publish.publish(store, out, report_text=report.to_text() + "\n" + quality.to_text(),
                            shacl_report=report.graph,
                            build_report=result.summary(), void=describe(store, infos, build_info),
                            keep=release.KEEP if keep is None else keep,
                            extra_files={**rendition_files, "review.json": review.to_json().encode("utf-8")})
            lap("write")
            result = BuildResult(out, True, report, infos, dict(classes), triples, reconciled.new_entities,
                                 reconciled.merged, warnings, timings, quality, skipped=tuple(skipped),
                                 store=store, curated=curated, review=review)
        return result


__all__ = ["SOURCE_SUFFIXES", "BuildResult", "build", "collect_sources", "default_sources", "extract_all"]

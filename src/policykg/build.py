"""The pipeline, end to end: sources -> validated, published graph.

Door: :func:`build`. It chains the stages, each a function of its own module::

    read_document -> extract -> reconcile -> map_records -> (store) -> infer -> validate -> publish

and keeps the working graph in a pyoxigraph store with four named graphs (ontology, data,
provenance, inferences). Only a graph that passes the SHACL gate is published; a graph that
fails it leaves the previous output untouched, and so does any error. Builds into the same
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

from . import __version__, gate, resources
from .read import read_document
from .errors import InputError
from .extract import Extraction, NewEntity, extract
from .graphs import GRAPHS
from .lexicon import Lexicon, load_lexicon
from .mapping import load_rules, map_records
from .provenance import BuildInfo, SourceInfo, provenance_quads
from .query import QualityReport, check_quality_store
from .reconcile import reconcile

SOURCE_SUFFIXES = (".md", ".txt", ".markdown")


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
        lines += ["", f"## Warnings ({len(self.warnings)})", ""]
        lines += [f"- {w}" for w in self.warnings] or ["- none"]
        lines += ["", "## Timings (seconds)", "", "| stage | seconds |", "|---|---|"]
        lines += [f"| {k} | {v:.3f} |" for k, v in self.timings.items()]
        return "\n".join(lines) + "\n"


def default_sources() -> list[Path]:
    folder = resources.data_root() / "sources"
    return sorted(p for p in folder.iterdir() if p.suffix in SOURCE_SUFFIXES and p.name != "README.md")


@contextmanager
def _lock(out: Path) -> Iterator[None]:
    """One build at a time per output folder: the publishing lock (:func:`policykg.publish.lock`,
    re-entrant, so publish() inside it does not wait for itself), held for the whole build so
    that the shrink check and the publication see the same last good build."""
    from .publish import lock

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
    from .publish import latest_good

    good = latest_good(out) if out.exists() else None
    if good is None or not (good / "void.ttl").is_file():
        return None
    store = ox.Store()
    store.load(path=str(good / "void.ttl"), format=ox.RdfFormat.TURTLE)
    for row in store.query("SELECT ?n WHERE { <https://w3id.org/policykg/id/dataset/graph/data> "
                           "<http://rdfs.org/ns/void#triples> ?n }"):
        return int(row[0].value)
    return None


def build(sources: Sequence[str | Path] | None = None, out: str | Path = "dist", *,
          lexicon: Lexicon | None = None, allow_shrink: bool = False, keep: int | None = None) -> BuildResult:
    """Build, reason, gate and (when the gate passes) publish the graph of ``sources``.

    Refused, and not published: a graph that fails the SHACL gate or an ``error`` quality
    rule, an empty graph, and (unless ``allow_shrink``) one that has lost more than
    :data:`MAX_SHRINK` of the last good build's data triples. ``keep``: how many earlier
    builds ``out``'s history keeps (default :data:`policykg.publish.KEEP`).
    """
    from . import publish, reason
    from .void import describe

    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = timings.get(name, 0.0) + now - clock
        clock = now

    paths = sorted({Path(p) for p in sources}, key=str) if sources else default_sources()
    if not paths:
        raise InputError("no source documents to build", path=resources.data_root() / "sources")
    out = publish.resolve_out_dir(out)
    publish.check_out_dir(out)  # refused before any work, and again when publishing
    started = _now()
    with _lock(out):
        lexicon = lexicon or load_lexicon()
        rules = load_rules()
        lap("load")
        docs = [read_document(p) for p in paths]
        lap("parse")
        extractions = [extract(d, lexicon) for d in docs]
        lap("extract")
        reconciled = reconcile(extractions)
        mapped = map_records(reconciled.records, rules)
        lap("map")

        infos = tuple(SourceInfo(x.source, _display(Path(x.document.path)), x.document.sha256,
                                 len(x.document.text)) for x in extractions)
        digest = hashlib.sha256("".join(i.sha256 for i in infos).encode()).hexdigest()[:16]
        build_info = BuildInfo(f"https://w3id.org/policykg/id/build/{digest}", __version__, started, started)
        store = ox.Store()
        reason.load_ontology(store)
        store.bulk_extend([ox.Quad(t.subject, t.predicate, t.object, GRAPHS["data"]) for t in mapped.triples])
        store.bulk_extend(provenance_quads(mapped, infos, build_info))
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
                "FILTER(STRSTARTS(STR(?c), 'https://w3id.org/policykg/ontology#')) } GROUP BY ?c"):
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
        result = BuildResult(out, passed, report, infos, dict(classes), triples,
                             reconciled.new_entities, reconciled.merged, reconciled.warnings, timings, quality,
                             tuple(refusals))
        if passed:
            ended = _now()
            build_info = BuildInfo(build_info.iri, __version__, started, ended)
            publish.publish(store, out, report_text=report.to_text() + "\n" + quality.to_text(),
                            shacl_report=report.graph,
                            build_report=result.summary(), void=describe(store, infos, build_info),
                            keep=publish.KEEP if keep is None else keep)
            lap("write")
            result = BuildResult(out, True, report, infos, dict(classes), triples, reconciled.new_entities,
                                 reconciled.merged, reconciled.warnings, timings, quality)
        return result


__all__ = ["BuildResult", "build", "default_sources", "extract_all"]

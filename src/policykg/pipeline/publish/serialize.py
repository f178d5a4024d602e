"""Canonical serialisation: the graphs of a build as bytes, the same bytes for the same graphs.

Pipeline position: the formats of the publish stage (:mod:`policykg.pipeline.publish` writes them into a
build, :mod:`policykg.pipeline.publish.release` keeps the builds)::

    ... -> gate + quality -> review -> **publish** (serialize, release)

Door: :func:`canonical_graphs` and :func:`canonical_union` (a store's graphs as sorted
N-Triples lines, blank nodes labelled by RDFC-1.0, without a Python object per triple),
:func:`canonical_ntriples` and :func:`canonical_nquads` (the same from terms); then the readable
forms, each from the canonical triples: :func:`turtle` (pyoxigraph's writer, with
:data:`policykg.names.PREFIXES`), :meth:`CanonicalGraphs.trig`, :func:`rdfxml`, :func:`jsonld`
under :func:`jsonld_context`; :func:`turtle_rdflib` for the small rdflib graphs of a build (the
gate's report, the VoID description).

Each is a function of the graphs only, so that the same graphs give the same bytes whatever the
order a store holds them in (and so that a test can make one fail).
"""
from __future__ import annotations

import bisect
import itertools
import json
import re
from json.encoder import encode_basestring
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...graphs import GRAPHS
from ...names import LINK_PREFIXES, POL, PREFIXES

if TYPE_CHECKING:
    import pyoxigraph
    import rdflib

_XSD = PREFIXES["xsd"]
# In JSON-LD, literals of these datatypes are JSON numbers and booleans.
_NATIVE = {_XSD + "integer", _XSD + "boolean"}
_PLAIN = {_XSD + "string"}
# Annotation and schema terms that read well as plain keys: name -> (CURIE, value kind).
_COMMON_TERMS: dict[str, tuple[str, str]] = {
    "label": ("rdfs:label", "lang"),
    "comment": ("rdfs:comment", "lang"),
    "prefLabel": ("skos:prefLabel", "lang"),
    "altLabel": ("skos:altLabel", "set"),
    "definition": ("skos:definition", "lang"),
    "example": ("skos:example", "lang"),
    "scopeNote": ("skos:scopeNote", "lang"),
    "title": ("dct:title", "lang"),
    "inScheme": ("skos:inScheme", "id"),
    "exactMatch": ("skos:exactMatch", "ids"),
    "closeMatch": ("skos:closeMatch", "ids"),
    "isDefinedBy": ("rdfs:isDefinedBy", "id"),
    "seeAlso": ("rdfs:seeAlso", "ids"),
    "subClassOf": ("rdfs:subClassOf", "ids"),
    "subPropertyOf": ("rdfs:subPropertyOf", "ids"),
    "domain": ("rdfs:domain", "id"),
    "range": ("rdfs:range", "id"),
}


def _canonical(quads: Iterable[pyoxigraph.Quad]) -> list[pyoxigraph.Quad]:
    """The quads with RDFC-1.0 blank node labels (``c14n0``, ...), without duplicates, sorted
    by graph (in :data:`GRAPHS` order), subject, predicate and object."""
    import pyoxigraph as ox

    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    order = {graph: i for i, graph in enumerate(GRAPHS.values())}
    return sorted(dataset, key=lambda q: (order.get(q.graph_name, len(order)), str(q.graph_name),
                                          str(q.subject), str(q.predicate), str(q.object)))


def _lines(data: bytes) -> list[bytes]:
    # Split on "\n" only: bytes.splitlines() (like str.splitlines()) also breaks at "\r", and
    # str's at U+0085, U+2028 and U+2029, which N-Triples allows raw inside a literal.
    lines = data.split(b"\n")
    if b"\n\n" in data or data.startswith(b"\n"):
        return [line for line in lines if line]
    if lines and not lines[-1]:
        lines.pop()
    return lines


def _sorted_lines(data: bytes) -> bytes:
    """N-Triples or N-Quads with its lines sorted (code point order, as RDFC-1.0 sorts its
    N-Quads: UTF-8 bytes sort the same way) and without duplicates."""
    lines = sorted(set(_lines(data)))
    return b"\n".join(lines) + b"\n" if lines else b""


def _take_blank_lines(data: bytes, found: list[bytes]) -> bytes:
    """``data`` (N-Triples, every line ended by ``\\n``) without its lines that have a blank
    node, which go into ``found``. Only the lines with ``"_:"`` in them are looked at, found by
    searching the bytes: the others, nearly all, are not touched one by one."""
    pieces = []
    kept = 0
    at = data.find(b"_:")
    while at != -1:
        start = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        end = len(data) if end == -1 else end + 1
        line = data[start:end].rstrip(b"\n")
        if _has_blank(line):
            pieces.append(data[kept:start])
            found.append(line)
            kept = end
        at = data.find(b"_:", end)
    if not found:
        return data
    pieces.append(data[kept:])
    return b"".join(pieces)


def _has_blank(line: bytes) -> bool:
    """Whether an N-Triples line has a blank node (as subject, or as object: its last term)."""
    return b"_:" in line and (line.startswith(b"_:")
                              or line[:-2].rstrip().rsplit(b" ", 1)[-1].startswith(b"_:"))


@dataclass(frozen=True)
class Dumped:
    """The graphs of :data:`GRAPHS` as the store's N-Triples writer gives them (no Python object
    per triple): per role, the lines without a blank node, and those with one."""

    plain: dict[str, list[bytes]]
    blank: dict[str, list[bytes]]

    @classmethod
    def of(cls, store: pyoxigraph.Store) -> Dumped:
        import pyoxigraph as ox

        plain, blank = {}, {}
        for role, graph in GRAPHS.items():
            data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b""
            found: list[bytes] = []
            if b"_:" in data:
                data = _take_blank_lines(data, found)
            blank[role] = found
            plain[role] = _lines(data)
            del data
        return cls(plain, blank)

    def blank_quads(self, roles: Iterable[str]) -> list[pyoxigraph.Quad]:
        """The quads with a blank node of the graphs of ``roles``, parsed as one document (so a
        blank node shared by two graphs stays one)."""
        import pyoxigraph as ox

        text = b"".join(line[:-1] + b"<" + GRAPHS[role].value.encode() + b"> .\n"
                        for role in roles for line in self.blank[role])
        return list(ox.parse(text, format=ox.RdfFormat.N_QUADS)) if text else []


@dataclass(frozen=True)
class CanonicalGraphs:
    """The published graphs in canonical form: for each role of :data:`GRAPHS`, its sorted,
    distinct N-Triples lines (``bytes``, without line ends), blank nodes labelled by RDFC-1.0
    over the dataset of all four graphs (as in ``policykg.nq``). A role in ``spilled`` has its
    lines in a file instead (each ended by ``\\n``; its ``lines`` are empty), and ``counts``
    gives its number of lines."""

    lines: dict[str, list[bytes]]
    spilled: dict[str, Path] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, role: str) -> int:
        return self.counts[role] if role in self.spilled else len(self.lines[role])

    def nquad_lines(self) -> list[bytes]:
        """Canonical N-Quads lines of every graph, sorted."""
        return sorted(line[:-1] + b"<" + GRAPHS[role].value.encode() + b"> ."
                      for role in GRAPHS for line in self.lines[role])

    def nquad_count(self) -> int:
        return sum(len(lines) for lines in self.lines.values())

    def nquads(self, lines_per_chunk: int = 65536) -> Iterator[bytes]:
        """The canonical N-Quads (:meth:`nquad_lines`, each ended by ``\\n``), in chunks, without
        a line of them in memory at once: the sorted lines of the graphs, merged.

        A graph's N-Quads line is its N-Triples line with the graph's name before the final
        ``.``; within a graph this keeps the lines' order (two lines differ before their final
        `` .``, which neither has anywhere else), so the sorted N-Quads are the merge of the
        graphs' sorted lines. The merge copies runs, not lines: the graph whose next line comes
        first gives every line up to the next line of another graph at once (found by galloping
        and bisection), and a run's lines get their graph's name in one ``bytes.replace``
        (``" .\\n"`` ends a line and occurs nowhere else in one). Every run is checked to be in
        order and to come after the one before: a merge out of order raises (never a silently
        unsorted file).
        """
        runs = [(self.lines[role], b"<" + GRAPHS[role].value.encode() + b"> .")
                for role in GRAPHS if self.lines[role]]
        position = [0] * len(runs)
        last = b""

        def out(run: int, start: int, end: int) -> Iterator[bytes]:
            lines, suffix = runs[run]
            ending = b" " + suffix + b"\n"
            for i in range(start, end, lines_per_chunk):
                part = lines[i:min(end, i + lines_per_chunk)]
                if not all(map(bytes.__lt__, part, itertools.islice(part, 1, None))):
                    raise AssertionError("the N-Quads merge is out of order (a graph's lines are not sorted)")
                yield (b"\n".join(part) + b"\n").replace(b" .\n", ending)

        while True:
            heads = sorted((runs[r][0][position[r]][:-1] + runs[r][1], r)
                           for r in range(len(runs)) if position[r] < len(runs[r][0]))
            if not heads:
                return
            first, run = heads[0]
            if first <= last:
                raise AssertionError("the N-Quads merge is out of order")
            lines, suffix = runs[run]
            start = position[run]
            if len(heads) == 1:
                end = len(lines)
            else:
                bound = heads[1][0]

                def key(line: bytes, suffix: bytes = suffix) -> bytes:
                    return line[:-1] + suffix

                # gallop (lines[start] comes before ``bound``), then bisect where the run stops
                below, probe, step = start, start + 1, 1
                while probe < len(lines) and key(lines[probe]) < bound:
                    below, step = probe, step * 2
                    probe = start + step
                end = bisect.bisect_left(lines, bound, below + 1, min(probe, len(lines)), key=key)
            yield from out(run, start, end)
            position[run] = end
            last = lines[end - 1][:-1] + suffix

    def chunks(self, role: str) -> Iterator[bytes]:
        """The canonical lines of ``role``, each ended by ``\\n``, in chunks of whole lines."""
        if role in self.spilled:
            with open(self.spilled[role], "rb") as handle:
                while chunk := handle.read(_CHUNK_BYTES):
                    yield chunk + handle.readline()
        lines = self.lines[role]
        for i in range(0, len(lines), 65536):
            yield b"\n".join(lines[i:i + 65536]) + b"\n"

    def write_trig(self, out: Any, pretty: Iterable[str] = ("ontology", "data", "inferences")) -> None:
        """TriG into ``out`` (anything with ``write(bytes)``), as it is made: the graphs of
        ``pretty`` by pyoxigraph's writer with :data:`PREFIXES` (from their lines as N-Quads, a
        chunk at a time: the parser gives the quads, and keeps blank node labels), the others (the
        provenance graph, 80 % of the quads) as blocks of their canonical lines, which are TriG
        too, without a Python object per quad."""
        import pyoxigraph as ox

        pretty = [role for role in GRAPHS if role in set(pretty) and self.count(role)]

        def quads() -> Iterator[pyoxigraph.Quad]:
            for role in pretty:
                ending = b" <" + GRAPHS[role].value.encode() + b"> .\n"
                for chunk in self.chunks(role):
                    yield from ox.parse(chunk.replace(b" .\n", ending), format=ox.RdfFormat.N_QUADS)

        ox.serialize(quads(), output=out, format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
        for role in GRAPHS:
            if role in pretty or not self.count(role):
                continue
            out.write(b"\n<" + GRAPHS[role].value.encode() + b"> {\n")
            for chunk in self.chunks(role):
                out.write(chunk)
            out.write(b"}\n")

    def trig(self, pretty: Iterable[str] = ("ontology", "data", "inferences")) -> Iterator[bytes]:
        """:meth:`write_trig`'s bytes, in chunks."""
        parts: list[bytes] = []

        class _Collect:
            def write(self, data: bytes) -> int:
                parts.append(bytes(data))
                return len(data)

            def flush(self) -> None:
                pass

        self.write_trig(_Collect(), pretty)
        yield from parts


def canonical_graphs(store: pyoxigraph.Store, dumped: Dumped | None = None) -> CanonicalGraphs:
    """The graphs of :data:`GRAPHS` in ``store``, in canonical form (the dataset's).

    RDFC-1.0 labels a blank node from the quads that mention it and, through them, the blank
    nodes related to it: so canonicalizing only the quads that mention a blank node (the
    ontology's restrictions and lists, the sources' checksums) labels them exactly as
    canonicalizing the whole dataset would, and the million other quads of a thousand
    documents go from the store's writer to sorted lines.
    """
    import pyoxigraph as ox

    dumped = dumped or Dumped.of(store)
    names = {g: role for role, g in GRAPHS.items()}
    extra: dict[str, list[ox.Triple]] = {role: [] for role in GRAPHS}
    for q in _canonical(dumped.blank_quads(GRAPHS)):
        extra[names[q.graph_name]].append(q.triple)
    lines = {}
    for role in GRAPHS:
        # a graph's lines are distinct (a graph is a set), and so are its canonical blank-node
        # lines (RDFC-1.0 relabels, one to one), which have a blank node where no other has
        own = list(dumped.plain[role])
        if extra[role]:
            own += sorted(set(_lines(ox.serialize(extra[role], format=ox.RdfFormat.N_TRIPLES))))
        own.sort()
        lines[role] = own
    return CanonicalGraphs(lines)


#: Bytes read or written at a time when the graphs go through files.
_CHUNK_BYTES = 64 << 20

#: Below this many quads the canonical N-Quads are sorted in memory (:func:`canonical_graphs`);
#: from it on, by GNU sort, through files (:func:`sort_canonical`), when there is one.
EXTERNAL_SORT_FROM = 2_000_000

#: Runs GNU sort so that it dies with the process that started it (``PR_SET_PDEATHSIG``, which
#: ``execve`` keeps): a killed build leaves no sort behind. Arguments: sort's own.
_SORT = ("import ctypes, os, sys\n"
         "try:\n    ctypes.CDLL(None).prctl(1, 9)\nexcept (OSError, AttributeError):\n    pass\n"
         "if os.getppid() != int(sys.argv[1]):\n    sys.exit('the build is gone')\n"
         "os.execvp(sys.argv[2], sys.argv[2:])\n")


def external_sort() -> str | None:
    """GNU sort's path, when there is one (``sort --version`` names GNU coreutils)."""
    import shutil
    import subprocess

    path = shutil.which("sort")
    if path is None:
        return None
    try:
        version = subprocess.run([path, "--version"], capture_output=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return path if b"GNU coreutils" in version else None


def sort_canonical(store: pyoxigraph.Store, nquads: Path, scratch: Path, sort: str) -> tuple[CanonicalGraphs, Dumped]:
    """Write the canonical N-Quads of ``store``'s graphs to ``nquads``, sorted by GNU sort
    (``sort``: its path) through files in ``scratch``, without the lines in memory: the same
    bytes as :meth:`CanonicalGraphs.nquads`. Then read them back once, graph by graph: the
    canonical lines of the ontology, data and inferences graphs (in memory, as
    :func:`canonical_graphs` gives them), and of the provenance graph (in a file of
    ``scratch``, ``spilled``); and, for :func:`canonical_union`, what :class:`Dumped` gives for
    the ontology and data graphs.

    Why: the provenance graph is 80 % of the quads; at ten thousand documents its lines were
    nine million Python bytes objects, sorted and merged in memory (5 GB). GNU sort orders lines
    by their bytes with ``LC_ALL=C``, as Python sorts ``bytes``; it spills to ``scratch``, and
    dies with the build. A graph's dump goes to a file (the store's writer, no Python object per
    quad), then to sort in chunks with its lines given their graph's name, the lines with a
    blank node taken out; those are canonicalized (RDFC-1.0, as :func:`canonical_graphs` does)
    and given to sort too.

    Raises:
        OSError: sort or a file failed (the caller writes nothing more).
    """
    import os
    import subprocess
    import sys

    import pyoxigraph as ox

    env = {**os.environ, "LC_ALL": "C"}
    sorter = subprocess.Popen([sys.executable, "-c", _SORT, str(os.getpid()), sort, "-S", "512M", "--parallel=2",
                               "-T", str(scratch), "-o", str(nquads)],
                              stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    blank: dict[str, list[bytes]] = {}
    try:
        assert sorter.stdin is not None
        for role, graph in GRAPHS.items():
            dump = scratch / f".dump-{role}.nt"
            store.dump(output=str(dump), format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
            ending = b" <" + graph.value.encode() + b"> .\n"
            found: list[bytes] = []
            with open(dump, "rb") as handle:
                while chunk := handle.read(_CHUNK_BYTES):
                    chunk += handle.readline()
                    if b"_:" in chunk:
                        chunk = _take_blank_lines(chunk, found)
                    sorter.stdin.write(chunk.replace(b" .\n", ending))
            os.unlink(dump)
            blank[role] = found
        dumped = Dumped({role: [] for role in GRAPHS}, blank)
        canonical = _canonical(dumped.blank_quads(GRAPHS))
        if canonical:
            sorter.stdin.write(ox.serialize(canonical, format=ox.RdfFormat.N_QUADS))
        sorter.stdin.close()
        error = sorter.stderr.read() if sorter.stderr is not None else b""
        if sorter.wait() != 0:
            raise OSError(f"sort failed: {error.decode('utf-8', 'replace').strip()}")
    finally:
        if sorter.poll() is None:
            sorter.kill()
            sorter.wait()

    # the sorted N-Quads, back graph by graph: each graph's canonical lines into a file of its
    # own (in memory only the lines of the ontology and data without a blank node, which
    # canonical_union needs)
    endings = {role: b" <" + graph.value.encode() + b"> ." for role, graph in GRAPHS.items()}
    spilled = {role: scratch / f".canonical-{role}.nt" for role in GRAPHS}
    counts = dict.fromkeys(GRAPHS, 0)
    plain: dict[str, list[bytes]] = {role: [] for role in GRAPHS}
    outs = {role: open(path, "wb") for role, path in spilled.items()}  # noqa: SIM115 - closed below
    try:
        with open(nquads, "rb") as handle:
            while chunk := handle.read(_CHUNK_BYTES):
                chunk += handle.readline()
                rest = _lines(chunk)
                for role in sorted(GRAPHS, key=lambda r: r != "provenance"):  # the most lines first
                    ending = endings[role]
                    if not rest:
                        break
                    mine = [line for line in rest if line.endswith(ending)]
                    if not mine:
                        continue
                    if len(mine) < len(rest):
                        rest = [line for line in rest if not line.endswith(ending)]
                    else:
                        rest = []
                    counts[role] += len(mine)
                    text = (b"\n".join(mine) + b"\n").replace(ending + b"\n", b" .\n")
                    outs[role].write(text)
                    if role in ("ontology", "data"):
                        plain[role] += [line for line in _lines(text) if not _has_blank(line)]
    finally:
        for out in outs.values():
            out.close()
    return (CanonicalGraphs({role: [] for role in GRAPHS}, spilled, counts), Dumped(plain, blank))


def canonical_union(store: pyoxigraph.Store, roles: Iterable[str], dumped: Dumped | None = None) -> bytes:
    """Canonical N-Triples of the union of the graphs of ``roles`` (the graph's own RDFC-1.0
    labels, as :func:`canonical_ntriples` gives them, independent of the other graphs)."""
    import pyoxigraph as ox

    roles = list(roles)
    dumped = dumped or Dumped.of(store)
    lines = {line for role in roles for line in dumped.plain[role]}
    blank = dumped.blank_quads(roles)
    if blank:
        canonical = [q.triple for q in _canonical(ox.Quad(q.subject, q.predicate, q.object) for q in blank)]
        lines.update(_lines(ox.serialize(canonical, format=ox.RdfFormat.N_TRIPLES)))
    ordered = sorted(lines)
    return b"\n".join(ordered) + b"\n" if ordered else b""


def canonical_ntriples(triples: Iterable[pyoxigraph.Triple]) -> bytes:
    """Canonical N-Triples: RDFC-1.0 blank nodes, one triple per line, lines sorted, UTF-8.

    The bytes depend only on the graph (up to blank node renaming), never on the order in
    which its triples were added.
    """
    import pyoxigraph as ox

    canonical = [q.triple for q in _canonical(ox.Quad(t.subject, t.predicate, t.object) for t in triples)]
    return _sorted_lines(ox.serialize(canonical, format=ox.RdfFormat.N_TRIPLES))


def canonical_nquads(quads: Iterable[pyoxigraph.Quad]) -> bytes:
    """Canonical N-Quads, as :func:`canonical_ntriples` but keeping the graph names."""
    import pyoxigraph as ox

    return _sorted_lines(ox.serialize(_canonical(quads), format=ox.RdfFormat.N_QUADS))


def to_rdflib(triples: Iterable[pyoxigraph.Triple]) -> rdflib.Graph:
    """An rdflib graph with the same triples, blank node labels kept, :data:`PREFIXES` bound."""
    from rdflib import Graph

    from ...rdfio import rdflib_term

    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    for t in triples:
        graph.add((rdflib_term(t.subject), rdflib_term(t.predicate), rdflib_term(t.object)))
    return graph


def turtle_rdflib(graph: rdflib.Graph) -> bytes:
    """Turtle from rdflib's writer, for the small rdflib graphs of a build."""
    return graph.serialize(format="turtle", encoding="utf-8")


def turtle(triples: Iterable[pyoxigraph.Triple]) -> bytes:
    """Turtle from pyoxigraph's writer (consecutive triples of a subject share it), with
    :data:`PREFIXES`: an order of magnitude faster than rdflib's on the data graph."""
    import pyoxigraph as ox

    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)


def rdfxml(triples: Iterable[pyoxigraph.Triple]) -> bytes:
    # pyoxigraph's writer over sorted triples: rdflib's "xml" writer orders subjects by
    # Python's per-process string hash, and its "pretty-xml" drops assertions on list nodes.
    import pyoxigraph as ox

    ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return ox.serialize(ordered, format=ox.RdfFormat.RDF_XML, prefixes=PREFIXES)


def jsonld_context(ontology: rdflib.Graph, shapes: rdflib.Graph | None = None) -> dict[str, Any]:
    """A JSON-LD context under which policykg data reads like plain JSON.

    ``id``/``type`` alias ``@id``/``@type``; every pol: class and property is a term named by
    its local name (object properties hold IRIs, in an array unless the property is
    functional; dates are ``xsd:date`` strings, integers JSON numbers); labels, definitions
    and other text in several languages are language maps (``"label": {"en": ..., "zh":
    ...}``). A property's datatype comes from its ``rdfs:range``, else from the shapes'
    ``sh:datatype`` (the date properties have no range: see the ontology's header).
    """
    from rdflib import RDF, RDFS, URIRef
    from rdflib.namespace import OWL, SH

    context: dict[str, Any] = {"id": "@id", "type": "@type"}
    context.update(PREFIXES)
    # links out (skos:exactMatch, below as "exactMatch"): GeoNames features, Wikidata items
    context.update(LINK_PREFIXES)
    for name, (curie, kind) in _COMMON_TERMS.items():
        context[name] = _term(curie, kind)
    # W3C Basic Geo points (lexicon coordinates), decimal degrees.
    context["lat"] = {"@id": "wgs84:lat", "@type": "xsd:decimal"}
    context["long"] = {"@id": "wgs84:long", "@type": "xsd:decimal"}

    def local(iri: URIRef) -> str:
        return str(iri)[len(POL):]

    def datatype(prop: URIRef) -> str | None:
        ranges = {str(r) for r in ontology.objects(prop, RDFS.range)}
        if not ranges and shapes is not None:
            ranges = {str(d) for shape in shapes.subjects(SH.path, prop)
                      for d in shapes.objects(shape, SH.datatype)}
        return ranges.pop() if len(ranges) == 1 else None

    mine = sorted({s for s in ontology.subjects() if isinstance(s, URIRef)
                   and str(s).startswith(POL) and local(s).isidentifier()})
    for iri in mine:
        kinds = set(ontology.objects(iri, RDF.type))
        curie = "pol:" + local(iri)
        if OWL.Class in kinds:
            context[local(iri)] = curie
        elif OWL.ObjectProperty in kinds:
            functional = OWL.FunctionalProperty in kinds
            context[local(iri)] = _term(curie, "id" if functional else "ids")
        elif OWL.DatatypeProperty in kinds:
            dt = datatype(iri)
            if dt is None or dt in _NATIVE or dt in _PLAIN:
                context[local(iri)] = {"@id": curie}
            else:
                context[local(iri)] = {"@id": curie, "@type": _curie(dt)}
    return context


def _term(curie: str, kind: str) -> dict[str, str]:
    return {
        "lang": {"@id": curie, "@container": "@language"},
        "set": {"@id": curie, "@container": "@set"},
        "id": {"@id": curie, "@type": "@id"},
        "ids": {"@id": curie, "@type": "@id", "@container": "@set"},
    }[kind]


def _curie(iri: str) -> str:
    """The compact form of ``iri`` in the JSON-LD: by :data:`PREFIXES`, then :data:`LINK_PREFIXES`."""
    for prefix, namespace in (*PREFIXES.items(), *LINK_PREFIXES.items()):
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


class _Curies(dict):
    """:func:`_curie`, each IRI once (a build names a class, a property or an agency thousands
    of times)."""

    def __missing__(self, iri: str) -> str:
        self[iri] = curie = _curie(iri)
        return curie


def jsonld(triples: list[pyoxigraph.Triple], context: dict[str, Any]) -> bytes:
    """The triples as flattened JSON-LD compacted with ``context``: one object per subject.

    Written by hand rather than by rdflib's JSON-LD writer, which loses a blank node (and the
    triples about it) when it is the value of a term coerced to ``@id``, such as
    ``rdfs:domain [ owl:unionOf (...) ]``. Well-formed RDF lists become ``@list`` arrays.
    """
    import pyoxigraph as ox

    rdf = PREFIXES["rdf"]
    first, rest, nil, rdf_type = rdf + "first", rdf + "rest", rdf + "nil", rdf + "type"

    by_iri: dict[str, tuple[str, dict[str, str]]] = {}
    classes: dict[str, str] = {}
    for name, definition in context.items():
        if isinstance(definition, dict) and "@id" in definition:
            by_iri[_expand(definition["@id"])] = (name, definition)
        elif isinstance(definition, str) and not definition.startswith("@") \
                and name not in PREFIXES and name not in LINK_PREFIXES:
            classes[_expand(definition)] = name

    subjects: dict[Any, list[tuple[str, Any]]] = {}
    referenced: dict[Any, int] = {}
    for t in triples:
        subjects.setdefault(t.subject, []).append((t.predicate.value, t.object))
        if isinstance(t.object, ox.BlankNode):
            referenced[t.object] = referenced.get(t.object, 0) + 1

    def list_items(head: Any) -> list[Any] | None:
        """The items of the well-formed list that starts at ``head``, else None."""
        items, node, seen = [], head, set()
        while not (isinstance(node, ox.NamedNode) and node.value == nil):
            props = subjects.get(node, [])
            if (not isinstance(node, ox.BlankNode) or node in seen or referenced.get(node) != 1
                    or sorted(p for p, _ in props) != [first, rest]):
                return None
            seen.add(node)
            items.append(next(o for p, o in props if p == first))
            node = next(o for p, o in props if p == rest)
        return items

    lists = {node: items for node in referenced
             if (items := list_items(node)) is not None}
    in_lists = set()
    for head in lists:
        node = head
        while isinstance(node, ox.BlankNode):
            in_lists.add(node)
            node = next(o for p, o in subjects[node] if p == rest)

    curie = _Curies()

    def ident(node: Any) -> str:
        return f"_:{node.value}" if isinstance(node, ox.BlankNode) else curie[node.value]

    def value(node: Any) -> Any:
        """A node reference, a list or an explicit value object: right under any key."""
        if isinstance(node, ox.BlankNode) and node in lists:
            return {"@list": [value(item) for item in lists[node]]}
        if not isinstance(node, ox.Literal):
            return {"id": ident(node)}
        if node.language:
            return {"@value": node.value, "@language": node.language}
        if node.datatype.value in _PLAIN:
            return node.value
        return {"@value": node.value, "@type": curie[node.datatype.value]}

    def compact(predicate: str, node: Any) -> tuple[str, Any, str]:
        """(key, JSON value, how it is added: "one", "set" or a language)."""
        term = by_iri.get(predicate)
        if term is not None:
            name, definition = term
            container = definition.get("@container")
            coerce = definition.get("@type")
            how = "set" if container == "@set" else "one"
            if container == "@language":
                if isinstance(node, ox.Literal) and node.language:
                    return name, node.value, node.language
            elif coerce == "@id":
                if not isinstance(node, ox.Literal) and node not in lists:
                    return name, ident(node), how
                return name, value(node), how
            elif isinstance(node, ox.Literal) and not node.language:
                datatype = node.datatype.value
                if coerce is not None and _expand(coerce) == datatype:
                    return name, node.value, how
                if coerce is None and datatype in _PLAIN:
                    return name, node.value, how
                if coerce is None and datatype == _XSD + "integer" \
                        and re.fullmatch(r"-?(0|[1-9][0-9]*)", node.value):
                    return name, int(node.value), how
                if coerce is None and datatype == _XSD + "boolean" \
                        and node.value in ("true", "false"):
                    return name, node.value == "true", how
                return name, value(node), how
            else:
                return name, value(node), how
        return curie[predicate], value(node), "one"

    def sort_key(item: Any) -> str:
        return json.dumps(item, ensure_ascii=False, sort_keys=True)

    nodes = []
    for subject in sorted(subjects, key=lambda n: (isinstance(n, ox.BlankNode), ident(n))):
        if subject in in_lists:
            continue
        node: dict[str, Any] = {}
        sets: set[str] = set()  # keys whose value is an array even when it holds one item
        types = []
        for predicate, obj in subjects[subject]:
            if predicate == rdf_type and isinstance(obj, ox.NamedNode):
                types.append(classes.get(obj.value) or curie[obj.value])
                continue
            key, item, how = compact(predicate, obj)
            if how in ("one", "set"):
                node.setdefault(key, []).append(item)
                if how == "set":
                    sets.add(key)
            else:  # ``how`` is a language of a language map
                node.setdefault(key, {}).setdefault(how, []).append(item)
        out: dict[str, Any] = {"id": ident(subject)}
        if types:
            types.sort()
            out["type"] = types if len(types) > 1 else types[0]
        for key in sorted(node):
            values = node[key]
            if isinstance(values, dict):  # language map
                out[key] = {lang: sorted(v) if len(v) > 1 else v[0]
                            for lang, v in sorted(values.items())}
            else:
                values = sorted(values, key=sort_key)
                out[key] = values if key in sets or len(values) > 1 else values[0]
        nodes.append(out)
    return json_bytes({"@context": context, "@graph": nodes})


def _expand(curie: str) -> str:
    prefix, sep, local = curie.partition(":")
    if sep and prefix in PREFIXES:
        return PREFIXES[prefix] + local
    if sep and prefix in LINK_PREFIXES:
        return LINK_PREFIXES[prefix] + local
    return curie


def json_bytes(value: Any) -> bytes:
    """JSON as the build writes it: UTF-8, indented by two, a line end at the end: the bytes of
    ``json.dumps(value, ensure_ascii=False, indent=2)``, written by :func:`_indented` (the
    standard library's encoder is in Python when it indents, a generator per level; the
    JSON-LD of ten thousand documents took it ten seconds). A value it does not know is left
    to ``json.dumps``, which says what is wrong with it."""
    parts: list[str] = []
    try:
        _indented(value, "\n", parts)
    except _NotPlain:
        return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    parts.append("\n")
    return "".join(parts).encode("utf-8")


class _NotPlain(Exception):
    """A value :func:`_indented` leaves to ``json.dumps``."""


def _indented(value: Any, newline: str, parts: list[str]) -> None:
    """Append ``value`` as ``json.dumps(..., ensure_ascii=False, indent=2)`` writes it, at the
    indentation of ``newline`` (a line end and the spaces before a value at this depth)."""
    if isinstance(value, str):
        parts.append(encode_basestring(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif type(value) is int:
        parts.append(int.__repr__(value))
    elif type(value) is dict:
        if not value:
            parts.append("{}")
            return
        inner = newline + "  "
        first = True
        for key, item in value.items():
            if type(key) is not str:
                raise _NotPlain
            parts.append(("{" if first else ",") + inner + encode_basestring(key) + ": ")
            first = False
            _indented(item, inner, parts)
        parts.append(newline + "}")
    elif type(value) in (list, tuple):
        if not value:
            parts.append("[]")
            return
        inner = newline + "  "
        first = True
        for item in value:
            parts.append(("[" if first else ",") + inner)
            first = False
            _indented(item, inner, parts)
        parts.append(newline + "]")
    else:  # floats (NaN, infinities), subclasses, anything else: json.dumps decides
        raise _NotPlain


__all__ = ["EXTERNAL_SORT_FROM", "CanonicalGraphs", "Dumped", "canonical_graphs", "canonical_nquads",
           "canonical_ntriples", "canonical_union", "external_sort", "json_bytes", "jsonld", "jsonld_context", "rdfxml",
           "sort_canonical", "to_rdflib", "turtle", "turtle_rdflib"]

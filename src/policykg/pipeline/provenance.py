"""The provenance graph: for every fact, the words of the source that support it.

Door: :func:`provenance_quads`. Each supported triple of the data graph becomes an
``rdf:Statement`` (``rdf:subject``, ``rdf:predicate``, ``rdf:object``) with
``prov:wasDerivedFrom`` one ``pol:TextSpan`` per supporting span — ``oa:hasSource`` the policy
update, ``oa:hasSelector`` a selector with ``oa:exact``, ``oa:start`` and ``oa:end`` such that
``text[start:end] == exact`` — and ``dct:source`` the lexicon row for facts the lexicon adds.
The build is a ``prov:Activity`` (software version, time); each source carries its sha256.

IRIs are minted from content (statement: a hash of the triple; span: source and offsets), so
the same sources give the same provenance graph apart from the build's time.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from ..graphs import GRAPHS
from ..names import ID, POL
from .mapping import Mapped

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
DCT = "http://purl.org/dc/terms/"
SPDX = "http://spdx.org/rdf/terms#"


#: The media type of each format a source may come in.
MEDIA_TYPES = {"markdown": "text/markdown", "text": "text/plain", "html": "text/html",
               "pdf": "application/pdf",
               "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


@dataclass(frozen=True)
class SourceInfo:
    """A source document of the build."""

    iri: str  # the policy update's IRI
    path: str  # as given to the build (relative when possible)
    sha256: str  # of the file as received
    characters: int  # of its text rendition
    format: str = "markdown"  # markdown | text | html | pdf | docx
    #: For a format that is not text: the rendition the spans' offsets point into, as published
    #: in the build (``sources/<name>.txt``), and its sha256.
    rendition: str | None = None
    rendition_sha256: str | None = None


@dataclass(frozen=True)
class BuildInfo:
    """The build activity: what ran, when, on what."""

    iri: str
    version: str
    started: str  # xsd:dateTime
    ended: str


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value: object, datatype: str | None = None) -> ox.Literal:
    if datatype:
        return ox.Literal(str(value), datatype=_n(datatype))
    return ox.Literal(str(value))


def statement_iri(triple: ox.Triple) -> str:
    digest = hashlib.sha256(f"{triple.subject}\t{triple.predicate}\t{triple.object}".encode()).hexdigest()
    return f"{ID}statement/{digest[:24]}"


def span_iri(source: str, start: int, end: int) -> str:
    return f"{ID}span/{source.rsplit('/', 1)[-1]}/{start}-{end}"


def lexicon_row_iri(kind: str, entry_id: str) -> str:
    return f"{ID}lexicon/{kind.replace('_', '-')}/{entry_id}"


def _has_blank(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def provenance_quads(mapped: Mapped, sources: Sequence[SourceInfo], build: BuildInfo, *,
                     text_apart: bool = False) -> Iterator[ox.Quad]:
    """The provenance graph of a build, as quads in ``GRAPHS["provenance"]``.

    A generator: the graph is about eight times the size of the data graph, and the store can
    take it quad by quad without a list of them all in Python.

    With ``text_apart``, the statements of the data triples without a blank node (nearly all of
    the graph) are left out: :func:`provenance_ntriples` gives them as N-Triples, which a store
    loads without a Python object per term. The two together are the same graph.
    """
    g = GRAPHS["provenance"]

    def add(s: str | ox.NamedNode | ox.BlankNode, p: str, o: ox.NamedNode | ox.Literal | ox.BlankNode) -> ox.Quad:
        subject = _n(s) if isinstance(s, str) else s
        return ox.Quad(subject, _n(p), o, g)

    build_node = build.iri
    agent = f"{ID}software/policykg/{build.version}"
    yield add(build_node, RDF + "type", _n(PROV + "Activity"))
    yield add(build_node, RDFS + "label", ox.Literal(f"policykg build {build.version}", language="en"))
    yield add(build_node, PROV + "startedAtTime", _lit(build.started, XSD + "dateTime"))
    yield add(build_node, PROV + "endedAtTime", _lit(build.ended, XSD + "dateTime"))
    yield add(build_node, PROV + "wasAssociatedWith", _n(agent))
    yield add(agent, RDF + "type", _n(PROV + "SoftwareAgent"))
    yield add(agent, RDFS + "label", ox.Literal(f"policykg {build.version}", language="en"))
    yield add(agent, "http://www.w3.org/2002/07/owl#versionInfo", _lit(build.version))
    for src in sources:
        yield add(build_node, PROV + "used", _n(src.iri))
        yield add(src.iri, RDF + "type", _n(PROV + "Entity"))
        yield add(src.iri, DCT + "source", _lit(src.path))
        checksum = ox.BlankNode(f"sha256-{src.sha256[:16]}")
        yield add(src.iri, SPDX + "checksum", checksum)
        yield add(checksum, RDF + "type", _n(SPDX + "Checksum"))
        yield add(checksum, SPDX + "algorithm", _n(SPDX + "checksumAlgorithm_sha256"))
        yield add(checksum, SPDX + "checksumValue", _lit(src.sha256, XSD + "hexBinary"))
        yield add(src.iri, DCT + "format", _lit(MEDIA_TYPES.get(src.format, "text/plain")))
        if src.rendition is not None and src.rendition_sha256 is not None:
            # the spans of a PDF, HTML or Word source count characters of its text rendition,
            # published in the build: the file a user opens to check them
            text = f"{src.iri}/text"
            yield add(src.iri, DCT + "hasFormat", _n(text))
            yield add(text, RDF + "type", _n(PROV + "Entity"))
            yield add(text, PROV + "wasDerivedFrom", _n(src.iri))
            yield add(text, DCT + "source", _lit(src.rendition))
            yield add(text, DCT + "format", _lit("text/plain"))
            yield add(text, RDFS + "comment", ox.Literal(
                "The text rendition of the source: the oa:start and oa:end of its text spans count "
                "characters of this file.", language="en"))
            rendered = ox.BlankNode(f"sha256-{src.rendition_sha256[:16]}")
            yield add(text, SPDX + "checksum", rendered)
            yield add(rendered, RDF + "type", _n(SPDX + "Checksum"))
            yield add(rendered, SPDX + "algorithm", _n(SPDX + "checksumAlgorithm_sha256"))
            yield add(rendered, SPDX + "checksumValue", _lit(src.rendition_sha256, XSD + "hexBinary"))

    spans_done: set[str] = set()
    rows_done: set[str] = set()
    for triple in mapped.triples:
        supports = mapped.supports.get(triple, ())
        if not supports or (text_apart and not _has_blank(triple)):
            continue
        stmt = statement_iri(triple)
        yield add(stmt, RDF + "type", _n(RDF + "Statement"))
        yield ox.Quad(_n(stmt), _n(RDF + "subject"), triple.subject, g)
        yield ox.Quad(_n(stmt), _n(RDF + "predicate"), triple.predicate, g)
        yield ox.Quad(_n(stmt), _n(RDF + "object"), triple.object, g)
        yield add(stmt, PROV + "wasGeneratedBy", _n(build_node))
        for support in supports:
            ev = support.evidence
            if ev is not None:
                span = span_iri(ev.source, ev.start, ev.end)
                yield add(stmt, PROV + "wasDerivedFrom", _n(span))
                if span not in spans_done:
                    spans_done.add(span)
                    selector = span + "/selector"
                    yield add(span, RDF + "type", _n(POL + "TextSpan"))
                    yield add(span, RDF + "type", _n(OA + "SpecificResource"))
                    yield add(span, OA + "hasSource", _n(ev.source))
                    yield add(span, OA + "hasSelector", _n(selector))
                    yield add(selector, RDF + "type", _n(OA + "TextPositionSelector"))
                    yield add(selector, RDF + "type", _n(OA + "TextQuoteSelector"))
                    yield add(selector, OA + "exact", _lit(ev.exact))
                    yield add(selector, OA + "start", _lit(ev.start, XSD + "nonNegativeInteger"))
                    yield add(selector, OA + "end", _lit(ev.end, XSD + "nonNegativeInteger"))
            if support.lexicon is not None:
                entry = support.lexicon
                row = lexicon_row_iri(entry.kind, entry.id)
                yield add(stmt, DCT + "source", _n(row))
                if row not in rows_done:
                    rows_done.add(row)
                    yield add(row, RDF + "type", _n(PROV + "Entity"))
                    yield add(row, RDFS + "label", _lit(f"{_relative(entry.file)}, line {entry.line}"))
                    yield add(row, DCT + "bibliographicCitation", _lit(entry.source))


#: How pyoxigraph's N-Triples writer escapes a character of a literal (``tests/test_bulk_write.py``
#: checks every code point): so that the lines written here are its lines, byte for byte.
_NT_ESCAPES = str.maketrans({
    **{chr(c): f"\\u{c:04X}" for c in (*range(0x20), 0x7F, 0xFFFE, 0xFFFF)},
    "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"})


def _nt_string(value: object) -> str:
    """A plain literal in N-Triples, as pyoxigraph's writer writes it."""
    return '"' + str(value).translate(_NT_ESCAPES) + '"'


def provenance_ntriples(mapped: Mapped, build: BuildInfo, *, lines_per_chunk: int = 65536) -> Iterator[bytes]:
    """What ``provenance_quads(..., text_apart=True)`` leaves out, as N-Triples (UTF-8, in chunks
    of whole lines): the statements of the data triples without a blank node, with their spans,
    selectors and lexicon rows, the very triples :func:`provenance_quads` makes of them.

    Why text: these are nearly all of the provenance graph (880,000 triples of 1,100,000 at a
    thousand documents), and a store parses N-Triples faster than Python makes four pyoxigraph
    terms and a quad for each. (No blank node is written here: a store's loader gives a blank
    node a new label at each call, and a statement must name the data graph's own.)

    Each line is the one a store's N-Triples writer writes for the triple as the store keeps
    it, byte for byte, so that the build can hand them on as the graph's dump
    (:class:`policykg.pipeline.publish.store.StoreParts`): a store keeps numbers, dates and the
    like in a canonical form of its own (``"125.0"^^xsd:decimal`` as ``"125"``, every type
    derived from ``xsd:integer`` as ``xsd:integer``), so each literal other than a plain string
    is written as a store writes it (:func:`stored_forms`); a store keeps those forms as they
    are, so it holds the same graph either way.
    """
    rdf_type = f"<{RDF}type>"
    derived, generated, source = f"<{PROV}wasDerivedFrom>", f"<{PROV}wasGeneratedBy>", f"<{DCT}source>"
    statement = f"{rdf_type} <{RDF}Statement> ."
    s_, p_, o_ = f"<{RDF}subject>", f"<{RDF}predicate>", f"<{RDF}object>"
    build_node = f"<{build.iri}> ."
    span_types = f"{rdf_type} <{POL}TextSpan> .", f"{rdf_type} <{OA}SpecificResource> ."
    selector_types = f"{rdf_type} <{OA}TextPositionSelector> .", f"{rdf_type} <{OA}TextQuoteSelector> ."
    has_source, has_selector = f"<{OA}hasSource>", f"<{OA}hasSelector>"
    exact, start_, end_ = f"<{OA}exact>", f"<{OA}start>", f"<{OA}end>"
    offset = ox.Literal("0", datatype=_n(XSD + "nonNegativeInteger"))
    typed = {t.object for t in mapped.triples if isinstance(t.object, ox.Literal)
             and (t.object.language or t.object.datatype.value != XSD + "string")}
    forms = stored_forms([offset, *typed])
    number = forms[offset][len('"0"'):] + " ."  # the offsets' datatype as a store keeps it
    entity, label, citation = f"{rdf_type} <{PROV}Entity> .", f"<{RDFS}label>", f"<{DCT}bibliographicCitation>"
    out: list[str] = []
    spans_done: set[str] = set()
    rows_done: set[str] = set()
    for triple in mapped.triples:
        supports = mapped.supports.get(triple, ())
        if not supports or _has_blank(triple):
            continue
        stmt = f"<{statement_iri(triple)}> "
        obj = triple.object
        value = forms[obj] if obj in forms else _nt_string(obj.value) if isinstance(obj, ox.Literal) else str(obj)
        out += (stmt + statement, f"{stmt}{s_} {triple.subject} .", f"{stmt}{p_} {triple.predicate} .",
                f"{stmt}{o_} {value} .", f"{stmt}{generated} {build_node}")
        for support in supports:
            ev = support.evidence
            if ev is not None:
                span = span_iri(ev.source, ev.start, ev.end)
                out.append(f"{stmt}{derived} <{span}> .")
                if span not in spans_done:
                    spans_done.add(span)
                    sp, sel = f"<{span}> ", f"<{span}/selector> "
                    out += (sp + span_types[0], sp + span_types[1], f"{sp}{has_source} <{ev.source}> .",
                            f"{sp}{has_selector} <{span}/selector> .", sel + selector_types[0],
                            sel + selector_types[1], f"{sel}{exact} {_nt_string(ev.exact)} .",
                            f"{sel}{start_} \"{ev.start}\"{number}", f"{sel}{end_} \"{ev.end}\"{number}")
            if support.lexicon is not None:
                entry = support.lexicon
                row = lexicon_row_iri(entry.kind, entry.id)
                out.append(f"{stmt}{source} <{row}> .")
                if row not in rows_done:
                    rows_done.add(row)
                    out += (f"<{row}> {entity}",
                            f"<{row}> {label} {_nt_string(f'{_relative(entry.file)}, line {entry.line}')} .",
                            f"<{row}> {citation} {_nt_string(entry.source)} .")
        if len(out) >= lines_per_chunk:
            yield ("\n".join(out) + "\n").encode("utf-8")
            out = []
    if out:
        yield ("\n".join(out) + "\n").encode("utf-8")


def stored_forms(literals: Iterable[ox.Literal]) -> dict[ox.Literal, str]:
    """How a store's N-Triples writer writes each of ``literals`` once the store keeps it (in
    its canonical form for numbers, dates, booleans and language tags): found by keeping them in
    a store of their own and reading its dump."""
    items = list(dict.fromkeys(literals))
    if not items:
        return {}
    scratch = ox.Store()
    p = ox.NamedNode("urn:policykg:form")
    scratch.extend(ox.Quad(ox.NamedNode(f"urn:policykg:form:{i}"), p, term) for i, term in enumerate(items))
    forms = {}
    head, middle = b"<urn:policykg:form:", b"> <urn:policykg:form> "
    for line in (scratch.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b"").split(b"\n"):
        if line:
            index, _, rest = line[len(head):].partition(middle)
            forms[items[int(index)]] = rest[:-2].decode("utf-8")
    return forms


def _relative(file: str) -> str:
    """A lexicon file's path relative to the data root, so provenance does not depend on
    where the repository is checked out."""
    from pathlib import Path

    from .. import resources

    try:
        return Path(file).resolve().relative_to(resources.data_root().resolve()).as_posix()
    except ValueError:
        return Path(file).name


def sorted_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    return sorted(set(quads), key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))


__all__ = ["BuildInfo", "SourceInfo", "lexicon_row_iri", "provenance_ntriples", "provenance_quads", "span_iri",
           "statement_iri"]

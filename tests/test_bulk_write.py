"""The build's bulk paths (issue 16) give what the object paths gave.

* the provenance statements as N-Triples text (:func:`provenance_ntriples`) and the rest as quads
  are the graph :func:`provenance_quads` makes, literals with quotes, backslashes, line breaks,
  tabs and any character included, a triple with a blank node included;
* the N-Quads merged from the graphs' sorted lines (:meth:`CanonicalGraphs.nquads`) are the
  sorted N-Quads, in chunks of any size, and a merge out of order raises;
* the lines with a blank node are found as one line at a time found them; lines split as before;
* the triples of each graph counted by SPARQL are those a walk over the store counts;
* :func:`policykg.textutil.normalise` and :func:`policykg.textutil.block_view` give what they
  gave (every code point; views of two documents asked in turn);
* the persistent store begun before reasoning holds exactly the quads of ``policykg.nq``, also
  when a graph it loaded first changed afterwards (it loads the N-Quads again); abandoned, it
  leaves no folder and no process.
"""
from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg.document import Block, Document
from policykg.graphs import GRAPHS
from policykg.pipeline.build import _count_triples
from policykg.pipeline.mapping import Mapped, Support
from policykg.pipeline.provenance import BuildInfo, SourceInfo, provenance_ntriples, provenance_quads
from policykg.pipeline.publish import publish
from policykg.pipeline.publish.release import lock, store_path
from policykg.pipeline.publish.serialize import CanonicalGraphs, Dumped, _has_blank, _lines, canonical_graphs
from policykg.pipeline.publish.store import start_store
from policykg.pipeline.recognisers.records import Evidence
from policykg.textutil import SPACES, View, block_view, normalise

ID = "https://w3id.org/policykg/id/"
POL = "https://w3id.org/policykg/ontology#"
BUILD = BuildInfo(f"{ID}build/test", "0.0", "2024-01-01T00:00:00Z", "2024-01-01T00:00:01Z")
AWKWARD = ['plain', 'with "quotes"', "back\\slash", "two\nlines", "carriage\rreturn", "tab\there",
           "bell\x07 and \x1f", "\x7f delete", "中文 and émigré", "e\u0301 combining", "_:not-a-blank", "end \\"]


def _mapped() -> Mapped:
    """Triples with supports of every kind, a few with a blank node."""
    from policykg.pipeline.lexicon import load_lexicon

    lexicon = load_lexicon()
    entry = next(iter(lexicon.of_kind("agency")))
    source = f"{ID}document/a-policy-update-2024-01"
    triples, supports = [], {}
    for i, exact in enumerate(AWKWARD):
        t = ox.Triple(ox.NamedNode(f"{ID}measure/m/{i}"), ox.NamedNode(f"{POL}measureText"), ox.Literal(exact))
        triples.append(t)
        evidence = Evidence(source, 10 * i, 10 * i + len(exact), exact, 1)
        supports[t] = (Support(evidence, None), Support(None, entry)) if i % 3 == 0 else (Support(evidence, None),)
    shared = Evidence(source, 500, 510, "shared one", 2)
    for i in range(3):
        t = ox.Triple(ox.NamedNode(f"{ID}agency/a{i}"), ox.NamedNode(f"{POL}guides"), ox.NamedNode(f"{ID}measure/m/{i}"))
        triples.append(t)
        supports[t] = (Support(shared, None),)
    xsd = "http://www.w3.org/2001/XMLSchema#"
    for i, value in enumerate([ox.Literal("125.0", datatype=ox.NamedNode(xsd + "decimal")),
                               ox.Literal("007", datatype=ox.NamedNode(xsd + "nonNegativeInteger")),
                               ox.Literal("2020-08-14", datatype=ox.NamedNode(xsd + "date")),
                               ox.Literal("1", datatype=ox.NamedNode(xsd + "boolean")),
                               ox.Literal("1.50E1", datatype=ox.NamedNode(xsd + "double")),
                               ox.Literal("Beijing", language="en-US"), ox.Literal("北京", language="zh")]):
        t = ox.Triple(ox.NamedNode(f"{ID}area/a{i}"), ox.NamedNode(f"{POL}value"), value)
        triples.append(t)
        supports[t] = (Support(Evidence(source, 700 + i, 701 + i, "x", 3), None),)
    blank = ox.Triple(ox.BlankNode("b0"), ox.NamedNode(f"{POL}guides"), ox.NamedNode(f"{ID}measure/m/1"))
    triples.append(blank)
    supports[blank] = (Support(shared, None),)
    unsupported = ox.Triple(ox.NamedNode(f"{ID}agency/a9"), ox.NamedNode(f"{POL}guides"), ox.Literal("x"))
    triples.append(unsupported)
    return Mapped(tuple(triples), supports)


def test_provenance_as_text_and_quads_is_the_graph_of_the_quads() -> None:
    mapped = _mapped()
    sources = [SourceInfo(f"{ID}document/a-policy-update-2024-01", "a.md", "ab" * 32, 100)]
    g = GRAPHS["provenance"]
    whole = ox.Store()
    whole.extend(provenance_quads(mapped, sources, BUILD))
    parts = ox.Store()
    parts.extend(provenance_quads(mapped, sources, BUILD, text_apart=True))
    for chunk in provenance_ntriples(mapped, BUILD, lines_per_chunk=7):
        parts.load(chunk, format=ox.RdfFormat.N_TRIPLES, to_graph=g)
    assert set(whole) == set(parts)  # no blank node in the text: the labels are the same
    # every line is the store's writer's, byte for byte (what the early store is handed as the dump)
    text = {line for chunk in provenance_ntriples(mapped, BUILD) for line in chunk.split(b"\n") if line}
    dumped = set(_lines(parts.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g)))
    assert text <= dumped
    exact = {q.object.value for q in parts.quads_for_pattern(None, ox.NamedNode("http://www.w3.org/ns/oa#exact"), None)}
    assert exact == set(AWKWARD) | {"shared one", "x"}


def test_text_literals_are_escaped_as_the_store_writer_escapes_them() -> None:
    from policykg.pipeline.provenance import _nt_string

    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    assert _nt_string(every) == str(ox.Literal(every))
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(f"{ID}x"), ox.NamedNode(f"{POL}p"), ox.Literal(every)))
    assert store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) == \
        f"<{ID}x> <{POL}p> {_nt_string(every)} .\n".encode()


def _lines_of(store: ox.Store, role: str) -> list[bytes]:
    return sorted(_lines(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=GRAPHS[role]) or b""))


def _interleaved_store(n: int = 300) -> ox.Store:
    """Four graphs whose sorted lines interleave (shared subjects, one triple in two graphs)."""
    rng = random.Random(5)
    store = ox.Store()
    roles = list(GRAPHS)
    for i in range(n):
        s = ox.NamedNode(f"{ID}thing/{rng.randrange(40)}")
        p = ox.NamedNode(f"{POL}p{rng.randrange(5)}")
        o = ox.Literal(rng.choice(AWKWARD) + str(i)) if i % 2 else ox.NamedNode(f"{ID}thing/{rng.randrange(40)}")
        for role in rng.sample(roles, rng.choice([1, 1, 2])):
            store.add(ox.Quad(s, p, o, GRAPHS[role]))
    head = ox.BlankNode("x")
    store.add(ox.Quad(ox.NamedNode(f"{ID}thing/1"), ox.NamedNode(f"{POL}checksum"), head, GRAPHS["provenance"]))
    store.add(ox.Quad(head, ox.NamedNode(f"{POL}value"), ox.Literal("abc"), GRAPHS["provenance"]))
    return store


def test_merged_nquads_are_the_sorted_nquads_in_chunks_of_any_size() -> None:
    canon = canonical_graphs(_interleaved_store())
    expected = b"".join(line + b"\n" for line in canon.nquad_lines())
    for size in (1, 2, 7, 65536):
        assert b"".join(canon.nquads(lines_per_chunk=size)) == expected
    assert canon.nquad_count() == len(canon.nquad_lines())


def test_a_merge_out_of_order_raises() -> None:
    canon = canonical_graphs(_interleaved_store())
    broken = CanonicalGraphs({role: list(reversed(lines)) for role, lines in canon.lines.items()})
    with pytest.raises(AssertionError, match="out of order"):
        b"".join(broken.nquads())


def test_blank_lines_are_found_as_line_by_line() -> None:
    store = _interleaved_store()
    store.add(ox.Quad(ox.NamedNode(f"{ID}thing/1"), ox.NamedNode(f"{POL}note"), ox.Literal("a _:b c"), GRAPHS["data"]))
    dumped = Dumped.of(store)
    for role, graph in GRAPHS.items():
        lines = _lines(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b"")
        assert sorted(dumped.blank[role]) == sorted(line for line in lines if _has_blank(line))
        assert sorted(dumped.plain[role]) == sorted(line for line in lines if not _has_blank(line))


@pytest.mark.parametrize("data", [b"", b"a .\n", b"a .\nb .\n", b"a .\n\nb .\n", b"\na .\n", b"a .\nb ."])
def test_lines_split_as_before(data: bytes) -> None:
    assert _lines(data) == [line for line in data.split(b"\n") if line]


def test_triples_counted_by_sparql_are_those_walked() -> None:
    store = _interleaved_store()
    walked = {role: sum(1 for _ in store.quads_for_pattern(None, None, None, g)) for role, g in GRAPHS.items()}
    assert _count_triples(store) == walked
    assert _count_triples(ox.Store()) == dict.fromkeys(GRAPHS, 0)


def _normalise_as_before(text: str) -> str:
    out = []
    for ch in text:
        if ch in "’‘ʼ`′":
            out.append("'")
        elif ch in "‐‑‒–—−":
            out.append("-")
        elif ch.isspace():
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def test_normalise_as_before_for_every_code_point() -> None:
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    assert normalise(every) == _normalise_as_before(every)
    assert set(SPACES) == {chr(c) for c in range(0x110000) if chr(c).isspace()}


def _document(text: str, path: str) -> Document:
    blocks, start = [], 0
    for number, line in enumerate(text.split("\n"), 1):
        blocks.append(Block("paragraph", start, start + len(line), number))
        start += len(line) + 1
    return Document(path, text, "0" * 64, tuple(blocks), 2024, 1)


def test_block_views_are_those_of_view_of_whichever_document_asks() -> None:
    a = _document("The **Ministry** of *Commerce*[^1] said.\nA second [link](http://x) line¹.", "a.md")
    b = _document("Another **document**, with e\u0301 and \u200bhidden.\nIts second line.", "b.md")
    for _ in range(2):
        for doc in (a, b, a):
            for block in doc.blocks:
                for start in (None, block.start + 2):
                    expected = View.of(doc.text, block.start if start is None else start, block.end,
                                       markup=doc.markup, drop=[(m.start, m.end) for m in block.markers])
                    assert block_view(doc, block, start) == expected
    assert block_view(a, a.blocks[0]) is block_view(a, a.blocks[0])  # made once
    assert unicodedata.is_normalized("NFC", block_view(b, b.blocks[0]).clean)


# ----------------------------------------------------------------------------- the early store

def _working_store() -> ox.Store:
    from policykg.pipeline.reason import infer, load_ontology

    store = ox.Store()
    load_ontology(store)
    data = f"""@prefix pol: <{POL}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    <{ID}area/beijing> a pol:City ; rdfs:label "Beijing"@en .
    <{ID}document/notice-2021> a pol:Notice ; rdfs:label "A notice"@en ; pol:pilotArea <{ID}area/beijing> ."""
    store.load(data, format=ox.RdfFormat.TURTLE, to_graph=GRAPHS["data"])
    store.load(f'<{ID}span/s1> <http://www.w3.org/ns/oa#exact> "Beijing" .\n'
               f'<{ID}document/u> <http://spdx.org/rdf/terms#checksum> _:c .\n'
               '_:c <http://spdx.org/rdf/terms#checksumValue> "ab" .\n',
               format=ox.RdfFormat.N_TRIPLES, to_graph=GRAPHS["provenance"])
    infer(store)
    return store


def _publish(store: ox.Store, out: Path, early) -> None:
    import rdflib

    publish(store, out, report_text="gate\n", shacl_report=rdflib.Graph(), build_report="report\n", early=early)


def _store_quads(out: Path) -> list[bytes]:
    folder = store_path(out)
    assert folder is not None
    opened = ox.Store.read_only(str(folder))
    return sorted(line for line in opened.dump(format=ox.RdfFormat.N_QUADS).split(b"\n") if line)


def _nquads(out: Path) -> list[bytes]:
    return [line for line in (out / "policykg.nq").read_bytes().split(b"\n") if line]


@pytest.mark.parametrize("changed", [False, True])
def test_the_store_begun_early_holds_the_published_nquads(tmp_path: Path, changed: bool) -> None:
    store = _working_store()
    out = tmp_path / "dist"
    with lock(out):
        early = start_store(store, out)
        assert early is not None and early.folder is not None and early.folder.name.startswith(".dist.trash-store-")
        assert not [p for p in out.parent.iterdir() if p.name.startswith(".dist.tmp-")]  # made when publishing
        if changed:  # a graph it loaded first changes before the build is published
            store.add(ox.Quad(ox.NamedNode(f"{ID}span/s2"), ox.NamedNode("http://www.w3.org/ns/oa#exact"),
                              ox.Literal("late"), GRAPHS["provenance"]))
            store.remove(ox.Quad(ox.NamedNode(f"{ID}area/beijing"),
                                 ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                                 ox.Literal("Beijing", language="en"), GRAPHS["data"]))
        _publish(store, out, early)
        early.abandon()  # nothing, once published
    assert _store_quads(out) == _nquads(out)
    assert b"_:c14n" in b"".join(_nquads(out))  # the blank node kept its canonical label
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == [".dist.lock"]
    assert not list(out.glob(".early-*"))


def test_an_abandoned_early_store_leaves_nothing(tmp_path: Path) -> None:
    store = _working_store()
    out = tmp_path / "dist"
    with lock(out):
        early = start_store(store, out)
        assert early is not None and early.process is not None
        pid, folder = early.process.pid, early.workdir
        early.abandon()
    assert folder is not None and not folder.exists()
    assert not Path(f"/proc/{pid}").exists()  # ended, and reaped
    assert [p.name for p in tmp_path.iterdir()] == [".dist.lock"]

"""The extractor against hand-written gold facts, and the promises around it: spans that are
exact, shared entities across documents, clear errors for bad input."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from policykg.pipeline.read import read_document
from policykg.errors import InputError
from policykg.pipeline.extract import extract
from policykg.pipeline.lexicon import load_lexicon
from policykg.pipeline.mapping import map_records
from policykg.pipeline.reconcile import reconcile

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold"
DOCUMENTS = sorted(p for p in (ROOT / "tests" / "documents").glob("*.md") if p.name != "README.md") + \
    sorted(p for p in (ROOT / "sources").glob("*.md") if p.name != "README.md")
POL = "https://w3id.org/policykg/ontology#"
ID = "https://w3id.org/policykg/id/"
LEXICON = load_lexicon()


def data_graph(*paths: Path) -> Graph:
    extractions = [extract(read_document(p), LEXICON) for p in paths]
    mapped = map_records(reconcile(extractions).records)
    graph = Graph()
    graph.parse(data=ox.serialize(mapped.triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def project(graph: Graph) -> set[tuple]:
    """The facts gold files state (tests/gold/README.md): pol: types, English labels of
    pol: entities, pol: properties but measureText, hasPart written as partOf."""
    typed = {s for s, o in graph.subject_objects(RDF.type) if str(o).startswith(POL)}
    out = set()
    for s, p, o in graph:
        if p == RDF.type:
            if str(o).startswith(POL):
                out.add((s, p, o))
        elif p == RDFS.label:
            if isinstance(o, Literal) and o.language == "en" and s in typed:
                out.add((s, p, o))
        elif str(p) == POL + "hasPart":
            out.add((o, URIRef(POL + "partOf"), s))
        elif str(p).startswith(POL) and str(p) != POL + "measureText":
            out.add((s, p, o))
    return out


def _short(triple: tuple) -> str:
    return " ".join(str(t).replace(ID, "").replace(POL, "pol:") for t in triple)


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.stem for p in DOCUMENTS])
def test_build_reproduces_gold_exactly(path: Path) -> None:
    gold = project(Graph().parse(GOLD / f"{path.stem}.ttl"))
    got = project(data_graph(path))
    missing = sorted(_short(t) for t in gold - got)
    extra = sorted(_short(t) for t in got - gold)
    assert (missing, extra) == ([], []), f"missing {missing}\nextra {extra}"


def test_every_document_has_a_gold_file() -> None:
    assert {p.stem for p in DOCUMENTS} == {p.stem for p in GOLD.glob("*.ttl")}
    assert len(DOCUMENTS) >= 4


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.stem for p in DOCUMENTS])
def test_every_span_is_exact(path: Path) -> None:
    doc = read_document(path)
    extraction = extract(doc, LEXICON)
    spans = [r.evidence for r in extraction.records if r.evidence is not None]
    assert spans
    for ev in spans:
        assert doc.text[ev.start:ev.end] == ev.exact
        assert ev.exact.strip() == ev.exact and ev.exact
        assert doc.line_of(ev.start) == ev.line


def test_seed_tricky_points() -> None:
    g = data_graph(ROOT / "sources" / "2020-09-services-trade-pilot-areas-data.md")
    pol = lambda n: URIRef(POL + n)  # noqa: E731
    area = lambda n: URIRef(ID + "area/" + n)  # noqa: E731
    notice = next(g.subjects(RDF.type, pol("Notice")))
    pilots = set(g.objects(notice, pol("pilotArea")))
    assert len(pilots) == 28 == int(g.value(notice, pol("statedPilotAreaCount")))
    assert area("xiongan") in pilots and area("hebei") not in pilots
    assert (area("xiongan"), pol("locatedIn"), area("hebei")) in g
    assert area("chongqing") in pilots and area("fuling") not in pilots
    assert (area("fuling"), pol("locatedIn"), area("chongqing")) in g
    measures = {int(g.value(m, pol("articleNumber"))): m for m in g.subjects(RDF.type, pol("Measure"))}
    assert sorted(measures) == [75, 76, 79, 83, 115, 116]
    with_forerunners = sorted(n for n, m in measures.items() if g.value(m, pol("forerunner")))
    assert with_forerunners == [75, 76]
    assert g.value(measures[115], pol("guidedBy")) is None and g.value(measures[116], pol("guidedBy")) is None
    # one Xiong'an, whichever of its names the text uses
    names = {str(o) for o in g.objects(area("xiongan"), URIRef("http://www.w3.org/2004/02/skos/core#altLabel"))}
    assert {"Xiong'an New District", "Hebei Xiong'an New Area"} <= names


def test_documents_built_together_share_their_entities() -> None:
    together = data_graph(*DOCUMENTS)
    cac = URIRef(ID + "agency/cac")
    guided = {m for m in together.subjects(URIRef(POL + "guidedBy"), cac)}
    docs_of = {str(m).split("/measure/")[1].split("/")[0] for m in guided}
    assert len(docs_of) >= 3  # the CAC guides measures of several tables, as one node
    labels = [o for o in together.objects(cac, RDFS.label) if o.language == "en"]
    assert labels == [Literal("Cyberspace Administration of China", lang="en")]
    separate = set().union(*(project(data_graph(p)) for p in DOCUMENTS))
    assert project(together) == separate


@pytest.mark.parametrize("content,needle,line", [
    (b"", "the document is empty", 1),
    (b"   \n\n\t\n", "the document is empty", 1),
    (b"Title\n\nSome \x00 binary", "binary file", 3),
    (b"Title\n\nCaf\xe9 au lait\n", "not UTF-8", 3),
    (b"Title\n\nPolicy Update | May 2021\n\nA paragraph without any article.\n", "0 numbered measures", 1),
])
def test_bad_input_is_an_error_with_file_and_line(tmp_path: Path, content: bytes, needle: str, line: int) -> None:
    path = tmp_path / "doc.md"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        extract(read_document(path), LEXICON)
    assert needle in info.value.message
    assert (info.value.path, info.value.line) == (str(path), line)


def test_a_footnote_marker_without_its_footnote_is_left_out_with_a_warning(tmp_path: Path) -> None:
    """One dangling marker is no reason to refuse a whole document (it was, until a Word file
    whose notes were numbered paragraphs came): the marker is left out, the warning says where."""
    path = tmp_path / "doc.md"
    path.write_bytes(b"Title\n\nPolicy Update | May 2021\n\n- **Article 1:** The measure.\xc2\xb9\n")
    doc = read_document(path)
    assert not [m for b in doc.blocks for m in b.markers]
    assert doc.warnings == (f"{path}:5: footnote marker '\u00b9' has no footnote: left out",)
    assert [r.get("number") for r in extract(doc, LEXICON).records if r.kind == "article"] == [1]


def test_notes_written_as_numbered_paragraphs_are_the_markers_footnotes(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    path.write_text("Title\n\nPolicy Update | May 2021\n\nThe CAC issued the **Measures on Data**.[1]\n\n"
                    "- **Article 1:** The CAC will guide.\n\n## Notes\n\n1 The Measures rest on the "
                    "Data Security Law.\n\n2 Not a note: no marker 2.\n", encoding="utf-8")
    doc = read_document(path)
    notes = [b for b in doc.blocks if b.kind == "footnote"]
    assert [(b.footnote, doc.slice(b)) for b in notes] == [("1", "The Measures rest on the Data Security Law.")]
    assert doc.warnings == ()


def test_a_known_abbreviation_needs_no_definition(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    path.write_text("Title\n\nPolicy Update | May 2021\n\nThe **Table** lists measures.\n\n- **Data**\n"
                    "- **Article 1:** The CAC will guide and formulate the policy.\n", encoding="utf-8")
    g = data_graph(path)
    assert (None, URIRef(POL + "guidedBy"), URIRef(ID + "agency/cac")) in g


def test_an_unknown_abbreviation_is_left_out_with_a_warning_quoting_the_sentence(tmp_path: Path) -> None:
    """Unsure means left out: "XYZA" guides Article 1 only if the text or the lexicon says who
    XYZA is; the build goes on, and the warning quotes the sentence."""
    path = tmp_path / "doc.md"
    path.write_text("Title\n\nPolicy Update | May 2021\n\nThe **Table** lists measures.\n\n- **Data**\n"
                    "- **Article 1:** The XYZA will guide and formulate the policy.\n", encoding="utf-8")
    extraction = extract(read_document(path), LEXICON)
    assert not [r for r in extraction.records if r.kind == "guidance"]
    assert any(w.startswith(f"{path}:8: abbreviation 'XYZA' is not defined") and "The XYZA will guide" in w
               for w in extraction.warnings), extraction.warnings


def test_an_abbreviation_defined_for_two_names_is_neither(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    path.write_text("Title\n\nPolicy Update | May 2021\n\nThe Cyberspace Administration of China (CAC) and "
                    "the Civil Aviation Commission (CAC) issued a **notice on data** on May 3.\n\n"
                    "The **Table** lists measures.\n\n- **Data**\n"
                    "- **Article 1:** The CAC will guide and formulate the policy.\n", encoding="utf-8")
    extraction = extract(read_document(path), LEXICON)
    assert not [r for r in extraction.records if r.kind == "guidance"]
    assert any("'CAC' is defined for" in w for w in extraction.warnings), extraction.warnings


@pytest.mark.parametrize("title", ["数据出境安全评估办法", "网络数据安全管理条例"])
def test_a_title_without_ascii_letters_gets_an_iri_of_its_own(tmp_path: Path, title: str) -> None:
    from policykg.pipeline.extract import policy_update_iri

    iris = set()
    for name in (title, title + "（试行）"):
        path = tmp_path / "doc.md"
        path.write_text(f"{name}\n\nPolicy Update | May 2021\n\nThe **Table** lists measures.\n\n"
                        "- **Article 1:** The CAC will guide and formulate the policy.\n", encoding="utf-8")
        iri = policy_update_iri(read_document(path))
        assert not iri.rsplit("/", 1)[1].startswith("-"), iri
        iris.add(iri)
    assert len(iris) == 2


def test_a_new_name_never_takes_the_lexicons_iri(tmp_path: Path) -> None:
    """"Béijing" with a combining accent is not the lexicon's Beijing: it gets an IRI of its own."""
    path = tmp_path / "doc.md"
    path.write_text("Title\n\nPolicy Update | May 2021\n\nThe CAC issued a **notice on data** on May 3, with a "
                    "trial period of two years. The pilot areas consist of **2 cities** including Shanghai and "
                    "Bei\u0301jing.\n\nThe **Table** lists measures.\n\n- **Data**\n"
                    "- **Article 1:** The CAC will guide and formulate the policy.\n", encoding="utf-8")
    extraction = extract(read_document(path), LEXICON)
    lexicon_beijing = ID + "area/beijing"
    minted = {n.iri for n in extraction.new_entities}
    assert lexicon_beijing not in minted
    beijing = [r for r in extraction.records if r.kind == "area" and r.get("iri") == lexicon_beijing]
    assert all(r.lexicon is not None for r in beijing)  # only the lexicon's own Beijing has its IRI

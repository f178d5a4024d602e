"""Publishing a build (policykg.publish): every file, canonical N-Triples, the atomic swap,
rollback, and JSON-LD that reads like plain JSON.

The store is the shape cases' base graph with the ontology, its inferences and a small
provenance graph (with a blank node, so that the named-graph files carry one too).
"""
from __future__ import annotations

import hashlib
import json
import random
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

import policykg.publish as pub
from policykg.errors import EnvironmentProblem, InputError
from policykg.graphs import GRAPHS
from policykg.ontology import owl_edition
from policykg.publish import (PREFIXES, PublishResult, canonical_ntriples, latest_good, publish,
                              rollback)
from policykg.reason import check_owl, infer, load_ontology

# rdflib's own JSON-LD and N-Quads parsers use its deprecated ConjunctiveGraph API
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")

BASE = Path(__file__).parent / "shapes" / "base.ttl"
ID = "https://w3id.org/policykg/id/"
POL = "https://w3id.org/policykg/ontology#"

EXTRA_DATA = f"""
@prefix pol: <{POL}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{ID}document/notice-2021> a pol:Notice ; rdfs:label "A notice of 2021"@en ;
    pol:pilotArea <{ID}area/beijing> .
<{ID}export-base/qilu-software-park> a pol:ExportBase ; rdfs:label "Qilu Software Park"@en ;
    pol:locatedIn <{ID}area/beijing> .
"""
PROVENANCE = f"""
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<{ID}span/s1> a oa:SpecificResource ;
    oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "Ministry of Commerce" ] ;
    prov:wasDerivedFrom <{ID}source/update-1> .
"""
SHACL_REPORT = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
[] a sh:ValidationReport ; sh:conforms true .
"""
VOID = f"""
@prefix void: <http://rdfs.org/ns/void#> .
<{ID}dataset> a void:Dataset ; void:triples 644 .
"""
TEXTS = {"gate.txt": "SHACL gate: PASSED (0 violations, 0 warnings, 0 infos)\n",
         "build-report.md": "# Build report\n\n* 3 documents, 中文 too\n"}


def make_store(order: str = "as-is", data: str | None = None) -> ox.Store:
    """A reasoned store; ``order`` changes the order in which the data triples are added."""
    store = ox.Store()
    load_ontology(store)
    triples = list(ox.parse(path=BASE)) + list(ox.parse(EXTRA_DATA, format=ox.RdfFormat.TURTLE))
    if data is not None:
        triples += list(ox.parse(data, format=ox.RdfFormat.TURTLE))
    if order == "reversed":
        triples.reverse()
    elif order == "shuffled":
        random.Random(7).shuffle(triples)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, GRAPHS["data"]) for t in triples)
    store.load(PROVENANCE, format=ox.RdfFormat.TURTLE, to_graph=GRAPHS["provenance"])
    infer(store)
    return store


def graph(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format="turtle")


def do_publish(store: ox.Store, out: Path) -> PublishResult:
    return publish(store, out, report_text=TEXTS["gate.txt"], shacl_report=graph(SHACL_REPORT),
                   build_report=TEXTS["build-report.md"], void=graph(VOID))


def hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir())}


def leftovers(parent: Path, name: str = "dist") -> list[str]:
    """Hidden temporary folders a publish may have left next to the build."""
    return sorted(p.name for p in parent.iterdir()
                  if p.name.startswith(f".{name}.") and not p.name.endswith(".lock"))


def store_triples(store: ox.Store, roles: tuple[str, ...]) -> list[ox.Triple]:
    return [q.triple for role in roles
            for q in store.quads_for_pattern(None, None, None, GRAPHS[role])]


def to_rdflib(triples: list[ox.Triple]) -> rdflib.Graph:
    nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode()
    return rdflib.Graph().parse(data=nt, format="nt")


def oxi_parse(path: Path) -> list[ox.Quad]:
    fmt = ox.RdfFormat.RDF_XML if path.suffix == ".owl" else None
    return list(ox.parse(path=path, format=fmt))


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return make_store()


@pytest.fixture(scope="module")
def build(store, tmp_path_factory) -> tuple[PublishResult, Path]:
    out = tmp_path_factory.mktemp("publish") / "dist"
    return do_publish(store, out), out


# --- every file -------------------------------------------------------------------------------

def test_every_file_is_written(build) -> None:
    result, out = build
    expected = {"policykg.ttl", "policykg.nt", "policykg.trig", "policykg.nq",
                "policykg.jsonld", "context.jsonld", "policykg.owl", "shacl-report.ttl",
                "build-report.md", "gate.txt", "void.ttl", "SHA256SUMS"}
    assert {p.name for p in out.iterdir()} == expected
    assert set(result.files) == expected
    assert all(path.parent == out and path.is_file() for path in result.files.values())
    assert result.previous is None
    assert leftovers(out.parent) == []
    for name, text in TEXTS.items():
        assert (out / name).read_text(encoding="utf-8") == text


@pytest.mark.parametrize("name", ["policykg.ttl", "policykg.nt", "policykg.jsonld"])
def test_ontology_and_data_files_parse_back(store, build, name) -> None:
    _, out = build
    expected = to_rdflib(store_triples(store, ("ontology", "data")))
    fmt = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}[name.rsplit(".", 1)[1]]
    assert isomorphic(rdflib.Graph().parse(out / name, format=fmt), expected)
    assert isomorphic(to_rdflib([q.triple for q in oxi_parse(out / name)]), expected)


def test_owl_edition_parses_back(store, build) -> None:
    result, out = build
    expected = owl_edition(to_rdflib(store_triples(store, ("ontology", "data"))))
    assert isomorphic(rdflib.Graph().parse(out / "policykg.owl", format="xml"), expected)
    assert isomorphic(to_rdflib([q.triple for q in oxi_parse(out / "policykg.owl")]), expected)
    assert result.triples["policykg.owl"] == len(expected)


@pytest.mark.java
@pytest.mark.skipif(shutil.which("java") is None, reason="no Java runtime on PATH")
def test_owl_edition_is_owl2_dl_and_consistent(build) -> None:
    result = check_owl(build[1] / "policykg.owl")
    assert result.ok, result.summary()


@pytest.mark.parametrize("name", ["policykg.trig", "policykg.nq"])
def test_named_graph_files_parse_back(store, build, name) -> None:
    _, out = build
    quads = oxi_parse(out / name)
    dataset = rdflib.Dataset().parse(out / name, format="trig" if name.endswith("trig")
                                     else "nquads")
    for role, graph_name in GRAPHS.items():
        expected = to_rdflib(store_triples(store, (role,)))
        assert isomorphic(to_rdflib([q.triple for q in quads if q.graph_name == graph_name]),
                          expected), role
        assert isomorphic(dataset.graph(rdflib.URIRef(graph_name.value)), expected), role
    # the whole dataset, blank nodes shared across graphs included
    written, held = ox.Dataset(quads), ox.Dataset(store.quads_for_pattern(None, None, None))
    written.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    held.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    assert written == held


def test_reports_and_void_parse_back(build) -> None:
    _, out = build
    assert isomorphic(rdflib.Graph().parse(out / "shacl-report.ttl"), graph(SHACL_REPORT))
    assert isomorphic(rdflib.Graph().parse(out / "void.ttl"), graph(VOID))


def test_counts_and_checksums(store, build) -> None:
    result, out = build
    published = {t for t in store_triples(store, ("ontology", "data"))}
    assert result.triples["policykg.nt"] == len(published) == result.triples["policykg.ttl"]
    assert result.triples["policykg.nq"] == len(store) == result.triples["policykg.trig"]
    assert result.graphs == {role: len(store_triples(store, (role,))) for role in GRAPHS}
    lines = (out / "SHA256SUMS").read_text().splitlines()
    assert len(lines) == len(result.files) - 1
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest


def test_turtle_has_readable_prefixes(build) -> None:
    _, out = build
    text = (out / "policykg.ttl").read_text(encoding="utf-8")
    for prefix in ("pol", "rdf", "rdfs", "owl", "xsd", "skos", "dct", "agency", "area", "region",
                   "base", "doc", "measure", "category"):
        assert f"@prefix {prefix}: <{PREFIXES[prefix]}> ." in text
    assert "agency:mofcom" in text and "base:qilu-software-park" in text
    assert "doc:notice-2021" in text


def test_publish_does_not_change_the_store(store, build) -> None:
    assert set(store.named_graphs()) == set(GRAPHS.values())
    before = set(store)
    do_publish(store, build[1].parent / "another")
    assert set(store) == before


# --- canonical N-Triples ----------------------------------------------------------------------

def test_ntriples_are_canonical_and_do_not_depend_on_insertion_order(tmp_path) -> None:
    outs = {}
    for order in ("as-is", "reversed", "shuffled"):
        outs[order] = tmp_path / order / "dist"
        do_publish(make_store(order), outs[order])
    data = {order: (out / "policykg.nt").read_bytes() for order, out in outs.items()}
    assert data["as-is"] == data["reversed"] == data["shuffled"]
    text = data["as-is"].decode("utf-8")
    lines = text.split("\n")
    assert text.endswith("\n") and "\r" not in text and lines[-1] == ""
    assert lines[:-1] == sorted(lines[:-1])
    assert "_:c14n0 " in text  # RDFC-1.0 labels
    # every other file too: they all start from the canonical form
    assert hashes(outs["as-is"]) == hashes(outs["reversed"]) == hashes(outs["shuffled"])


def test_canonical_ntriples_ignores_blank_node_labels() -> None:
    text = '<http://e/s> <http://e/p> [ <http://e/q> "1" ; <http://e/r> [ <http://e/q> "2" ] ] .'
    one = list(ox.parse(text, format=ox.RdfFormat.TURTLE))
    two = list(reversed(list(ox.parse(text, format=ox.RdfFormat.TURTLE))))
    assert {t.object for t in one} != {t.object for t in two}  # different blank nodes
    assert canonical_ntriples(one) == canonical_ntriples(two)


# --- the atomic swap --------------------------------------------------------------------------

def test_a_failure_in_the_middle_leaves_the_previous_build(store, tmp_path, monkeypatch) -> None:
    out = tmp_path / "dist"
    do_publish(store, out)
    before = hashes(out)

    def boom(*_args, **_kwargs):
        raise RuntimeError("the RDF/XML writer broke")

    monkeypatch.setattr(pub, "_rdfxml", boom)
    with pytest.raises(RuntimeError, match="RDF/XML writer broke"):
        do_publish(store, out)
    assert hashes(out) == before
    assert not (tmp_path / "dist.prev").exists()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("exchange", ["renameat2", "renames"])
def test_a_failure_during_the_swap_leaves_both_builds(store, tmp_path, monkeypatch,
                                                       exchange) -> None:
    out, prev = tmp_path / "dist", tmp_path / "dist.prev"
    if exchange == "renames":
        monkeypatch.setattr(pub, "_exchange", lambda a, b: False)
    do_publish(store, out)
    do_publish(make_store(data=f"<{ID}area/x> a <{POL}Area> ."), out)
    before, before_prev = hashes(out), hashes(prev)
    real_rename = pub.os.rename

    def failing_rename(src, dst):
        if Path(dst) in (out, prev) and ".tmp-" in str(src) or (
                exchange == "renames" and Path(src) == out):
            raise OSError(28, "No space left on device", str(dst))
        return real_rename(src, dst)

    monkeypatch.setattr(pub.os, "rename", failing_rename)
    with pytest.raises(EnvironmentProblem, match="No space left"):
        do_publish(store, out)
    monkeypatch.setattr(pub.os, "rename", real_rename)
    assert hashes(out) == before and hashes(prev) == before_prev
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("exchange", ["renameat2", "renames"])
def test_publish_moves_the_old_build_to_prev_and_rollback_restores_it(
        store, tmp_path, monkeypatch, exchange) -> None:
    if exchange == "renames":
        monkeypatch.setattr(pub, "_exchange", lambda a, b: False)
    out, prev = tmp_path / "dist", tmp_path / "dist.prev"
    do_publish(store, out)
    first = hashes(out)
    newer = make_store(data=f"<{ID}area/tianjin> a <{POL}Municipality> .")
    result = do_publish(newer, out)
    second = hashes(out)
    assert result.previous == prev and hashes(prev) == first and second != first
    third = do_publish(newer, out)  # a third build replaces the older .prev
    assert third.previous == prev and hashes(prev) == second
    assert hashes(out) == second  # the same graph gives the same bytes
    assert rollback(out) == out
    assert hashes(out) == second and hashes(prev) == second
    do_publish(store, out)
    assert hashes(out) == first
    rollback(out)
    assert hashes(out) == second and hashes(prev) == first
    rollback(out)  # a second rollback undoes the first
    assert hashes(out) == first and hashes(prev) == second
    assert leftovers(tmp_path) == []


def test_rollback_without_a_previous_build_is_an_input_error(tmp_path) -> None:
    with pytest.raises(InputError, match="no previous build"):
        rollback(tmp_path / "dist")


def test_latest_good(store, tmp_path) -> None:
    out = tmp_path / "dist"
    assert latest_good(out) is None
    do_publish(store, out)
    assert latest_good(out) == out
    do_publish(store, out)
    (out / "policykg.nt").write_text("truncated")
    assert latest_good(out) == tmp_path / "dist.prev"
    (tmp_path / "dist.prev" / "SHA256SUMS").unlink()
    assert latest_good(out) is None


def test_a_file_where_the_build_goes_is_an_input_error(store, tmp_path) -> None:
    (tmp_path / "dist").write_text("not a folder")
    with pytest.raises(InputError, match="it is a file"):
        do_publish(store, tmp_path / "dist")
    assert leftovers(tmp_path) == []


# --- JSON-LD ----------------------------------------------------------------------------------

def test_jsonld_reads_like_plain_json(build) -> None:
    _, out = build
    document = json.loads((out / "policykg.jsonld").read_text(encoding="utf-8"))
    context = json.loads((out / "context.jsonld").read_text(encoding="utf-8"))
    assert document["@context"] == context["@context"]
    nodes = {node["id"]: node for node in document["@graph"]}
    measure = nodes["measure:t1-76"]
    assert measure["type"] == "Measure"
    assert measure["guidedBy"] == ["agency:cac", "agency:mofcom"]
    assert measure["label"] == {"en": "Article 76"}
    assert measure["articleNumber"] == 76
    assert measure["inCategory"] == "category:cross-border-data-transfer"
    notice = nodes[ID + "notice/n1"]
    assert notice["issuedOn"] == "2020-08-14"
    assert notice["pilotArea"] == ["area:beijing", "area:hebei-xiongan"]
    assert nodes["agency:mofcom"]["label"] == {"en": "Ministry of Commerce", "zh": "商务部"}
    assert nodes["agency:mofcom"]["altLabel"] == ["MOFCOM"]
    assert nodes["pol:guidedBy"]["label"] == {"en": "guided by", "zh": "指导单位"}

    def keys(value):
        if isinstance(value, dict):
            for key, inner in value.items():
                yield key
                yield from keys(inner)
        elif isinstance(value, list):
            for inner in value:
                yield from keys(inner)

    full = sorted({k for k in keys(document["@graph"]) if "://" in k})
    assert full == []


def test_jsonld_expands_back_to_the_same_graph(store, build) -> None:
    _, out = build
    expected = to_rdflib(store_triples(store, ("ontology", "data")))
    # The ontology's blank nodes (union domains, restrictions, lists) survive too.
    assert isomorphic(rdflib.Graph().parse(out / "policykg.jsonld", format="json-ld"), expected)
    assert isomorphic(to_rdflib([q.triple for q in oxi_parse(out / "policykg.jsonld")]),
                      expected)

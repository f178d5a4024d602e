"""The whole pipeline as a user runs it: `policykg build`, its outputs, its promises."""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF

from policykg.pipeline.build import build

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "sources" / "2020-09-services-trade-pilot-areas-data.md"
#: The seed with a second, different trial period for its notice: a graph the gate refuses.
SECOND_TRIAL = ("on August 14, with a trial period of three years.",
                "on August 14, with a trial period of three years. The notice runs a trial period of two "
                "years, counted from 1 March 2021.")
DOCUMENTS = sorted(p for p in (ROOT / "tests" / "documents").glob("*.md") if p.name != "README.md")
POL = "https://w3id.org/policykg/ontology#"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
PROVENANCE = "https://w3id.org/policykg/graph/provenance"
TEXT_FACTS = ["guidedBy", "forerunner", "concernsRegion", "pilotArea", "inCategory", "issuedBy",
              "issuedOn", "trialStart", "trialEnd", "statedPilotAreaCount", "articleNumber"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "policykg", *args], capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL, cwd=ROOT)


def digest(folder: Path) -> dict[str, str]:
    """Every file of a build, its persistent store's (``store/``) too, with its digest."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seed") / "dist"
    result = build([SEED], out)
    assert result.published, result.report.to_text()
    return out


def test_outputs_are_all_there(seed_build: Path) -> None:
    for name in ("policykg.ttl", "policykg.nt", "policykg.jsonld", "policykg.owl", "policykg.trig",
                 "shacl-report.ttl", "void.ttl", "build-report.md"):
        assert (seed_build / name).stat().st_size > 0, name


def test_same_sources_give_a_byte_identical_nt(seed_build: Path, tmp_path: Path) -> None:
    again = build([SEED], tmp_path / "again")
    assert again.published
    assert (seed_build / "policykg.nt").read_bytes() == (tmp_path / "again" / "policykg.nt").read_bytes()


def test_every_text_fact_has_its_words(seed_build: Path) -> None:
    """Each fact of the data graph taken from the text is reified with an exact span."""
    text = SEED.read_text(encoding="utf-8")
    store = ox.Store()
    store.load(path=str(seed_build / "policykg.trig"), format=ox.RdfFormat.TRIG)
    for name in TEXT_FACTS:
        facts = list(store.query(f"""
            SELECT ?s ?o WHERE {{ GRAPH <https://w3id.org/policykg/graph/data> {{ ?s <{POL}{name}> ?o }} }}"""))
        assert facts, name
        for s, o in facts:
            rows = list(store.query(f"""
                SELECT ?exact ?start ?end ?source WHERE {{ VALUES (?s ?o) {{ ({s} {o}) }}
                    GRAPH <{PROVENANCE}> {{
                    ?st a <{RDF}Statement> ; <{RDF}subject> ?s ; <{RDF}predicate> <{POL}{name}> ;
                        <{RDF}object> ?o ; <{PROV}wasDerivedFrom> ?span .
                    ?span <{OA}hasSource> ?source ; <{OA}hasSelector> ?sel .
                    ?sel <{OA}exact> ?exact ; <{OA}start> ?start ; <{OA}end> ?end . }} }}"""))
            assert rows, f"no span for {s} pol:{name} {o}"
            for exact, start, end, _source in rows:
                assert text[int(start.value):int(end.value)] == exact.value


def test_the_data_graph_has_no_provenance_clutter(seed_build: Path) -> None:
    store = ox.Store()
    store.load(path=str(seed_build / "policykg.trig"), format=ox.RdfFormat.TRIG)
    assert not bool(store.query(f"""ASK {{ GRAPH <https://w3id.org/policykg/graph/data> {{
        {{ ?s a <{RDF}Statement> }} UNION {{ ?s <{PROV}wasDerivedFrom> ?x }}
        UNION {{ ?s <{OA}hasSelector> ?x }} }} }}"""))


def test_the_build_activity_and_source_checksum(seed_build: Path) -> None:
    g = Dataset()
    g.parse(seed_build / "policykg.trig", format="trig")
    prov = g.graph(URIRef(PROVENANCE))
    activities = list(prov.subjects(RDF.type, URIRef(PROV + "Activity")))
    assert len(activities) == 1
    sha = hashlib.sha256(SEED.read_bytes()).hexdigest()
    values = {str(o) for o in prov.objects(None, URIRef("http://spdx.org/rdf/terms#checksumValue"))}
    assert values == {sha}


def test_lexicon_facts_say_so(seed_build: Path) -> None:
    """Qilu Software Park lies in Jinan: the lexicon says so, not the text."""
    store = ox.Store()
    store.load(path=str(seed_build / "policykg.trig"), format=ox.RdfFormat.TRIG)
    rows = list(store.query(f"""SELECT ?citation WHERE {{ GRAPH <{PROVENANCE}> {{
        ?st <{RDF}subject> <https://w3id.org/policykg/id/export-base/qilu-software-park> ;
            <{RDF}predicate> <{POL}locatedIn> ; <{RDF}object> <https://w3id.org/policykg/id/area/jinan> ;
            <http://purl.org/dc/terms/source> ?row .
        ?row <http://purl.org/dc/terms/bibliographicCitation> ?citation }} }}"""))
    assert rows and rows[0][0].value


def test_all_documents_build_together_and_pass(tmp_path: Path) -> None:
    result = build([SEED, *DOCUMENTS], tmp_path / "all")
    assert result.published, result.report.to_text()
    g = Graph().parse(tmp_path / "all" / "policykg.nt")
    assert len(set(g.subjects(RDF.type, URIRef(POL + "PolicyUpdate")))) == 1 + len(DOCUMENTS)
    cac = URIRef("https://w3id.org/policykg/id/agency/cac")
    assert len(list(g.objects(cac, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))) == 2  # en + zh


def test_cli_build_exit_0_and_report(tmp_path: Path) -> None:
    proc = run("build", str(SEED), "--out", str(tmp_path / "dist"))
    assert proc.returncode == 0, proc.stderr
    assert "SHACL gate passed (2 warnings)" in proc.stdout
    assert "new document: <https://w3id.org/policykg/id/document/notice-stimulating" in proc.stdout


def test_a_graph_that_fails_the_gate_is_not_published(tmp_path: Path, seed_build: Path) -> None:
    out = tmp_path / "dist"
    assert run("build", str(SEED), "--out", str(out)).returncode == 0
    before = digest(out)
    bad = tmp_path / "bad.md"
    # the text gives the notice a second trial period: a shape breaks, nothing may be published
    bad.write_text(SEED.read_text(encoding="utf-8").replace(SECOND_TRIAL[0], SECOND_TRIAL[1]), encoding="utf-8")
    proc = run("build", str(bad), "--out", str(out))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "A document has at most one pol:trialStart" in proc.stdout
    assert "nothing published" in proc.stderr
    assert digest(out) == before


@pytest.mark.parametrize("content,needle", [
    (b"", "the document is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    (b"Title\n\nCaf\xe9\n", "not UTF-8"),
    (b"Title\n\nPolicy Update | May 2021\n\nNo articles here.\n", "0 numbered measures"),
])
def test_bad_input_exits_2_and_writes_nothing(tmp_path: Path, content: bytes, needle: str) -> None:
    out = tmp_path / "dist"
    assert run("build", str(SEED), "--out", str(out)).returncode == 0
    before = digest(out)
    bad = tmp_path / "bad.md"
    bad.write_bytes(content)
    proc = run("build", str(SEED), str(bad), "--out", str(out))
    assert proc.returncode == 2
    assert f"{bad}:" in proc.stderr and needle in proc.stderr and "Traceback" not in proc.stderr
    assert digest(out) == before
    assert {p.name for p in tmp_path.iterdir()} == {"dist", "bad.md", ".dist.lock"}  # no half-written folder


def test_a_graph_that_lost_most_of_its_facts_is_not_published(tmp_path: Path) -> None:
    """A build of one document after a build of six is suspicious: refused unless allowed."""
    out = tmp_path / "dist"
    assert build([SEED, *DOCUMENTS], out).published
    before = digest(out)
    shrunk = build([DOCUMENTS[0]], out)
    assert not shrunk.published and shrunk.report.passed
    assert any("fewer than the last good build" in r for r in shrunk.refusals)
    assert digest(out) == before
    assert build([DOCUMENTS[0]], out, allow_shrink=True).published


def test_rollback_command_swaps_the_previous_build_back(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    assert run("build", str(SEED), "--out", str(out)).returncode == 0
    first = digest(out)
    assert run("build", str(SEED), str(DOCUMENTS[0]), "--out", str(out)).returncode == 0
    second = digest(out)
    assert second != first
    proc = run("rollback", "--dist", str(out))
    assert proc.returncode == 0, proc.stderr
    assert digest(out) == first
    assert run("rollback", "--dist", str(out)).returncode == 0  # and back again
    assert digest(out) == second
    proc = run("rollback", "--dist", str(tmp_path / "nothing"))
    assert proc.returncode == 2 and "no previous build" in proc.stderr

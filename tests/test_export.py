"""Exporting a build (`policykg export`) and release notes between two builds (`policykg diff`).

Every export format is read back by two parsers that share no code with the writer —
`rapper` (Raptor, C) and rdflib — and must be isomorphic to what the build's store held when it
was published (caught on its way into :func:`policykg.pipeline.publish.publish`). The OWL edition must
pass the OWL API's DL profile check and HermiT, and load in owlready2 with the same individuals
per class as the store.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import XSD

import policykg.pipeline.publish as publish_module
from policykg.pipeline.build import build
from policykg.tools.diff import diff
from policykg.errors import InputError
from policykg.tools.export import FILES, FORMATS, export
from policykg.graphs import GRAPHS
from policykg.ontology import owl_edition
from policykg.rdfio import rdflib_graph

# rdflib's own JSON-LD and N-Quads parsers use its deprecated ConjunctiveGraph API
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "sources" / "2020-09-services-trade-pilot-areas-data.md"
EXTRA = ROOT / "tests" / "documents" / "2024-06-data-labelling-bases.md"
POL = "https://w3id.org/policykg/ontology#"
ID = "https://w3id.org/policykg/id/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
BASE_IRI = "https://w3id.org/policykg/"
RAPPER = shutil.which("rapper")
RAPPER_HELP = subprocess.run([RAPPER, "--help"], capture_output=True, text=True).stdout \
    if RAPPER else ""
#: rapper's input syntax for each export format (None: rapper cannot read it)
RAPPER_SYNTAX = {"ttl": "turtle", "nt": "ntriples", "nq": "nquads", "trig": "trig",
                 "rdfxml": "rdfxml", "owl": "rdfxml",
                 "jsonld": "jsonld" if re.search(r"^\s+jsonld\s", RAPPER_HELP, re.M) else None}
#: what each format holds: the four named graphs, ontology + data, or its OWL edition
HOLDS = {"ttl": "triples", "nt": "triples", "jsonld": "triples", "rdfxml": "triples",
         "nq": "quads", "trig": "quads", "owl": "owl"}


def run(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "policykg", *args], capture_output=True,
                          timeout=300, stdin=subprocess.DEVNULL, cwd=ROOT)


# --------------------------------------------------------------------------------------------
# The builds, and what their store held
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Built:
    out: Path
    quads: tuple[ox.Quad, ...]  # the store's four named graphs as publish() received them

    def graph(self, *roles: str) -> Graph:
        names = {GRAPHS[r] for r in roles}
        return to_rdflib(q.triple for q in self.quads if q.graph_name in names)

    def graphs(self) -> dict[str, Graph]:
        return {g.value: self.graph(role) for role, g in GRAPHS.items()}


def build_capturing(sources: list[Path], out: Path) -> Built:
    """Build ``sources`` into ``out``, keeping the quads of the store that publish() writes."""
    captured: list[ox.Quad] = []
    original = publish_module.publish

    def spy(store, out_dir, **kwargs):
        captured.extend(q for g in GRAPHS.values()
                        for q in store.quads_for_pattern(None, None, None, g))
        return original(store, out_dir, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(publish_module, "publish", spy)
        result = build(sources, out)
    assert result.published, result.report.to_text()
    assert captured
    return Built(out, tuple(captured))


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_capturing([SEED], tmp_path_factory.mktemp("seed") / "dist")


@pytest.fixture(scope="module")
def seed_plus_one(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_capturing([SEED, EXTRA], tmp_path_factory.mktemp("seed-plus-one") / "dist")


# --------------------------------------------------------------------------------------------
# RDF terms and graphs, compared as RDF (xsd:string literals are simple literals)
# --------------------------------------------------------------------------------------------

def to_rdflib(triples) -> Graph:
    return rdflib_graph(triples)


def normalized(graph: Graph) -> Graph:
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype == XSD.string:
            o = Literal(str(o))
        out.add((s, p, o))
    return out


def assert_isomorphic(got: Graph, expected: Graph, what: str) -> None:
    got, expected = normalized(got), normalized(expected)
    assert len(got) == len(expected), f"{what}: {len(got)} triples, expected {len(expected)}"
    if to_isomorphic(got) != to_isomorphic(expected):
        a, b = set(to_isomorphic(got)), set(to_isomorphic(expected))
        sample = sorted(str(t) for t in a ^ b)[:5]
        pytest.fail(f"{what}: not isomorphic to the store's graph; e.g. {sample}")


def assert_same_dataset(got: dict[str, Graph], expected: dict[str, Graph], what: str) -> None:
    got = {g: graph for g, graph in got.items() if len(graph)}
    assert sorted(got) == sorted(expected), f"{what}: named graphs {sorted(got)}"
    for name, graph in expected.items():
        assert_isomorphic(got[name], graph, f"{what}, graph <{name}>")


def expected_for(built: Built, fmt: str) -> Graph | dict[str, Graph]:
    if HOLDS[fmt] == "quads":
        return built.graphs()
    union = built.graph("ontology", "data")
    return owl_edition(union) if HOLDS[fmt] == "owl" else union


def quads_by_graph(quads) -> dict[str, Graph]:
    grouped: dict[str, list] = {}
    for q in quads:
        name = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
        grouped.setdefault(name, []).append(q.triple)
    return {name: to_rdflib(triples) for name, triples in grouped.items()}


# --------------------------------------------------------------------------------------------
# Every format, read back by two independent parsers
# --------------------------------------------------------------------------------------------

def test_every_format_is_a_file_of_the_build(seed: Built, tmp_path: Path) -> None:
    for fmt in FORMATS:
        out = export(seed.out, fmt, tmp_path / f"export.{fmt}")
        assert out == tmp_path / f"export.{fmt}" and out.stat().st_size > 0
        source = seed.out / FILES[fmt]
        if source.is_file():  # byte for byte what the build wrote, never serialized anew
            assert out.read_bytes() == source.read_bytes() == export(seed.out, fmt), fmt
    assert not (seed.out / "policykg.rdf").exists()  # rdfxml came from the N-Triples


@pytest.mark.parametrize("fmt", FORMATS)
def test_rapper_reads_the_export_as_the_store_held_it(seed: Built, fmt: str, tmp_path: Path) -> None:
    if RAPPER is None:
        pytest.skip("rapper is not installed (Debian's raptor2-utils; scripts/system-deps.sh "
                    "installs it)")
    syntax = RAPPER_SYNTAX[fmt]
    if syntax is None:
        pytest.skip("this rapper was built without a JSON-LD parser (Raptor 2's `json` is "
                    "RDF/JSON, another format); rdflib reads the JSON-LD below")
    path = export(seed.out, fmt, tmp_path / f"export.{fmt}")
    proc = subprocess.run([RAPPER, "-q", "-i", syntax, "-o", "nquads", str(path), BASE_IRI],
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    quads = list(ox.parse(proc.stdout, format=ox.RdfFormat.N_QUADS))
    expected = expected_for(seed, fmt)
    if isinstance(expected, dict):
        assert_same_dataset(quads_by_graph(quads), expected, f"rapper -i {syntax}")
    else:
        assert all(q.graph_name == ox.DefaultGraph() for q in quads)
        assert_isomorphic(to_rdflib(q.triple for q in quads), expected, f"rapper -i {syntax}")


RDFLIB_FORMAT = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig", "jsonld": "json-ld",
                 "rdfxml": "xml", "owl": "xml"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_rdflib_reads_the_export_as_the_store_held_it(seed: Built, fmt: str, tmp_path: Path) -> None:
    path = export(seed.out, fmt, tmp_path / f"export.{fmt}")
    expected = expected_for(seed, fmt)
    if isinstance(expected, dict):
        dataset = Dataset()
        dataset.parse(path, format=RDFLIB_FORMAT[fmt])
        # every non-empty graph, the default graph included: it must hold nothing
        got = {str(g.identifier): Graph() + g for g in dataset.graphs() if len(g)}
        assert_same_dataset(got, expected, f"rdflib {fmt}")
    else:
        graph = Graph().parse(path, format=RDFLIB_FORMAT[fmt])
        assert_isomorphic(graph, expected, f"rdflib {fmt}")


def test_a_build_that_has_rdfxml_exports_its_own_file(seed: Built, tmp_path: Path) -> None:
    build_dir = tmp_path / "dist"
    shutil.copytree(seed.out, build_dir)
    own = export(seed.out, "rdfxml")
    assert isinstance(own, bytes)
    (build_dir / "policykg.rdf").write_bytes(own + b"<!-- the build's own file -->\n")
    assert export(build_dir, "rdfxml").endswith(b"<!-- the build's own file -->\n")


def test_plain_rdfxml_keeps_xsd_date_and_owl_has_datetime(seed: Built) -> None:
    rdfxml, owl = export(seed.out, "rdfxml"), export(seed.out, "owl")
    assert b"XMLSchema#date\"" in rdfxml and b"XMLSchema#dateTime" not in rdfxml
    assert b"XMLSchema#dateTime" in owl and b"XMLSchema#date\"" not in owl


# --------------------------------------------------------------------------------------------
# The OWL edition: OWL API + HermiT, and owlready2
# --------------------------------------------------------------------------------------------

@pytest.mark.java
@pytest.mark.skipif(shutil.which("java") is None, reason="no Java runtime on PATH")
def test_owl_edition_is_owl2_dl_and_consistent(seed: Built, tmp_path: Path) -> None:
    from policykg.tools.owlcheck import check_owl

    result = check_owl(export(seed.out, "owl", tmp_path / "policykg.owl"))
    assert result.ok, result.summary()
    assert result.profile_violations == () and result.consistent is True
    assert result.unsatisfiable == ()


def test_owlready2_loads_the_owl_edition_offline(seed: Built, tmp_path: Path) -> None:
    import owlready2

    path = export(seed.out, "owl", tmp_path / "policykg.owl")
    world = owlready2.World()  # a fresh quadstore: nothing of an earlier load leaks in
    world.get_ontology(path.as_uri()).load(only_local=True)
    found = {c.iri[len(POL):]: {i.iri for i in c.instances(world=world)}
             for c in world.classes() if c.iri.startswith(POL)}

    store = ox.Store()  # ontology + data, as the OWL edition holds them
    store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in seed.quads
                 if q.graph_name in (GRAPHS["ontology"], GRAPHS["data"]))
    expected: dict[str, set[str]] = {}
    for cls, x in store.query(f"""
            SELECT ?c ?x WHERE {{ ?c a <http://www.w3.org/2002/07/owl#Class>
              FILTER(STRSTARTS(STR(?c), "{POL}"))
              OPTIONAL {{ ?x a/<{RDFS}subClassOf>* ?c FILTER(isIRI(?x)) }} }}"""):
        members = expected.setdefault(cls.value[len(POL):], set())
        if x is not None:
            members.add(x.value)
    assert set(found) == set(expected)
    assert found == expected
    assert len(found["Measure"]) == 6
    assert f"{ID}measure/attached-table-pilot-tasks-specific-measures-division-responsibilities-0576e0d3-2020/75" in found["Measure"]


# --------------------------------------------------------------------------------------------
# JSON-LD that reads like plain JSON
# --------------------------------------------------------------------------------------------

def test_jsonld_reads_like_plain_json(seed: Built) -> None:
    document = json.loads(export(seed.out, "jsonld"))
    nodes = {node["id"]: node for node in document["@graph"]}
    article = nodes["measure:attached-table-pilot-tasks-specific-measures-division-responsibilities-0576e0d3-2020/75"]
    assert article["type"] == "Measure"
    assert article["label"] == {"en": "Article 75"}
    assert article["guidedBy"] == ["agency:miit"]
    assert article["articleNumber"] == 75
    assert nodes["agency:miit"]["label"]["en"] == "Ministry of Industry and Information Technology"
    assert all(":" not in key or key.split(":")[0] in document["@context"]
               for node in nodes.values() for key in node)


def test_context_jsonld_is_the_context_of_the_export(seed: Built) -> None:
    """Data written against context.jsonld alone (a client's own JSON) means the same RDF."""
    document = json.loads(export(seed.out, "jsonld"))
    context = json.loads((seed.out / "context.jsonld").read_text(encoding="utf-8"))
    assert context["@context"] == document["@context"]
    bare = json.dumps({"@graph": document["@graph"]})
    graph = Graph().parse(data=bare, format="json-ld", context=context["@context"])
    assert_isomorphic(graph, seed.graph("ontology", "data"), "JSON-LD with context.jsonld")


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------

def test_missing_build_and_unknown_format_are_input_errors(seed: Built, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no build here"):
        export(tmp_path / "nowhere", "ttl")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="holds no build"):
        export(empty, "ttl")
    with pytest.raises(InputError, match="unknown export format 'xml'") as info:
        export(seed.out, "xml")
    assert "rdfxml" in str(info.value)
    with pytest.raises(InputError, match="is a folder"):
        export(seed.out, "ttl", tmp_path)


def test_cli_export_streams_to_stdout_and_writes_files(seed: Built, tmp_path: Path) -> None:
    proc = run("export", "--format", "nq", "--dist", str(seed.out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (seed.out / "policykg.nq").read_bytes()
    proc = run("export", "--format", "owl", "--dist", str(seed.out), "--out", str(tmp_path / "a.owl"))
    assert proc.returncode == 0
    assert (tmp_path / "a.owl").read_bytes() == (seed.out / "policykg.owl").read_bytes()
    proc = run("export", "--format", "ttl", "--dist", str(tmp_path / "nowhere"))
    assert proc.returncode == 2 and b"no build here" in proc.stderr and b"Traceback" not in proc.stderr
    proc = run("export", "--format", "xml", "--dist", str(seed.out))
    assert proc.returncode == 2 and b"invalid choice" in proc.stderr


# --------------------------------------------------------------------------------------------
# Release notes between two builds
# --------------------------------------------------------------------------------------------

def english_labels(built: Built) -> dict[str, str]:
    graph = built.graph("ontology", "data")
    return {str(s): str(o) for s, o in graph.subject_objects(URIRef(RDFS + "label"))
            if isinstance(o, Literal) and o.language == "en"}


def test_diff_lists_added_entities_by_label(seed: Built, seed_plus_one: Built, tmp_path: Path) -> None:
    proc = run("diff", str(seed.out), str(seed_plus_one.out))
    assert proc.returncode == 0, proc.stderr
    notes = proc.stdout.decode("utf-8")

    old = {str(s) for s in seed.graph("data").subjects() if isinstance(s, URIRef)}
    new = {str(s) for s in seed_plus_one.graph("data").subjects() if isinstance(s, URIRef)}
    added = new - old
    assert added and old <= new
    labels = english_labels(seed_plus_one)
    section = notes.split("## Added entities", 1)[1].split("\n## ", 1)[0]
    assert f"## Added entities ({len(added)})" in notes
    for iri in added:
        assert f"[{labels[iri]}]({iri})" in section, iri
    assert "## Removed entities" not in notes
    # e.g. the new list, with who issued it and what it lists, all by name
    assert "[First batch of national data labelling bases](" in section
    assert "issued by: [National Data Administration](" in section
    assert "guided by: [National Development and Reform Commission](" in section

    # never a bare IRI where a label exists: outside link targets, no labelled IRI shows
    text = re.sub(r"\]\([^)]*\)", "]", notes)
    for iri in labels:
        assert iri not in text, iri
    assert "https://w3id.org/policykg/id/" not in text

    again = diff(seed.out, seed_plus_one.out)
    assert again.to_markdown() == notes  # deterministic
    proc = run("diff", str(seed.out), str(seed_plus_one.out), "--out", str(tmp_path / "notes.md"))
    assert proc.returncode == 0 and (tmp_path / "notes.md").read_text(encoding="utf-8") == notes
    assert not diff(seed.out, seed.out).added and diff(seed.out, seed.out).empty


def write_fake_build(folder: Path, data: str) -> Path:
    """A folder with only the policykg.nq that diff() reads: a tiny ontology and ``data``."""
    folder.mkdir(parents=True)
    ontology = (f'<{POL}guidedBy> <{RDFS}label> "guided by"@en .\n'
                f'<{POL}Measure> <{RDFS}label> "measure"@en .\n')
    quads = [line.rstrip(" .") + f" <{GRAPHS['ontology'].value}> ." for line in ontology.splitlines()]
    quads += [line.rstrip(" .") + f" <{GRAPHS['data'].value}> ." for line in data.splitlines()
              if line.strip()]
    (folder / "policykg.nq").write_text("\n".join(quads) + "\n", encoding="utf-8")
    return folder


def test_diff_of_changed_and_removed_entities(tmp_path: Path) -> None:
    m1, m2, m3 = (f"<{ID}measure/t/{n}>" for n in (1, 2, 3))
    miit, cac = f"<{ID}agency/miit>", f"<{ID}agency/cac>"
    common = (f'{miit} <{RDFS}label> "MIIT"@en .\n{cac} <{RDFS}label> "CAC"@en .\n'
              f'{m1} <{RDF_TYPE}> <{POL}Measure> .\n{m1} <{RDFS}label> "Article 1"@en .\n')
    old_data = common + f"""
{m1} <{POL}guidedBy> {miit} .
{m2} <{RDF_TYPE}> <{POL}Measure> .
{m2} <{RDFS}label> "Article 2"@en .
{m2} <{POL}note> _:b .
_:b <{RDFS}label> "a note"@en .
"""
    old = write_fake_build(tmp_path / "old", old_data)
    new = write_fake_build(tmp_path / "new", common + f"""
{m1} <{POL}guidedBy> {cac} .
{m1} <{RDFS}label> "第一条"@zh .
{m3} <{RDF_TYPE}> <{POL}Measure> .
{m3} <{RDFS}label> "Article 10"@en .
""")
    result = diff(old, new)
    assert [c.iri for c in result.added] == [m3.strip("<>")]
    assert [c.iri for c in result.removed] == [m2.strip("<>")]
    assert [c.iri for c in result.changed] == [m1.strip("<>")]
    notes = result.to_markdown()
    assert "**1 added, 1 removed, 1 changed.**" in notes
    assert f"### [Article 1]({m1.strip('<>')}) (Measure)" in notes
    assert f"- added: guided by: [CAC]({cac.strip('<>')})" in notes
    assert f"- removed: guided by: [MIIT]({miit.strip('<>')})" in notes
    assert "- added: label: 第一条 (zh)" in notes
    assert "### Measure (1)" in notes and "[Article 10](" in notes and "[Article 2](" in notes
    assert "`pol:note`: [label: a note]" in notes  # no label: a compact IRI; a blank node by content
    # a blank node is compared by what is said of it, not by its label
    renamed = write_fake_build(tmp_path / "renamed", old_data.replace("_:b", "_:other"))
    assert diff(old, renamed).empty


def test_diff_of_a_folder_that_is_no_build_is_an_input_error(seed: Built, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no build here"):
        diff(tmp_path / "nowhere", seed.out)
    proc = run("diff", str(seed.out), str(tmp_path / "nowhere"))
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr

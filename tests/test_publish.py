"""Publishing a build (policykg.pipeline.publish): every file, canonical N-Triples, the atomic swap,
rollback, and JSON-LD that reads like plain JSON.

The store is the shape cases' base graph with the ontology, its inferences and a small
provenance graph (with a blank node, so that the named-graph files carry one too).
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

import policykg.pipeline.publish as pub
import policykg.pipeline.publish.release as release
from policykg.errors import EnvironmentProblem, InputError
from policykg.graphs import GRAPHS
from policykg.names import PREFIXES
from policykg.ontology import owl_edition
from policykg.tools.owlcheck import check_owl
from policykg.pipeline.publish import PublishResult, publish
from policykg.pipeline.reason import infer, load_ontology
from policykg.pipeline.publish.release import RollbackResult, history, latest_good, rollback
from policykg.pipeline.publish.serialize import canonical_ntriples

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
    """The digest of every file of a build but its persistent store's, whose bytes differ from
    one publish of the same graphs to the next (so, for ``SHA256SUMS``, of its lines but the
    store's: what the build's id is made of). tests/test_store.py tests the store."""
    def content(p: Path) -> bytes:
        data = p.read_bytes()
        if p.name == release.CHECKSUMS:
            data = b"".join(line for line in data.splitlines(keepends=True) if b"  store/" not in line)
        return data

    return {p.name: hashlib.sha256(content(p)).hexdigest()
            for p in sorted(folder.iterdir()) if p.name != release.STORE}


def store_hashes(folder: Path) -> dict[str, str]:
    """The digest of every file of a build's persistent store."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((folder / release.STORE).iterdir())} if (folder / release.STORE).is_dir() else {}


def leftovers(parent: Path, name: str = "dist") -> list[str]:
    """Hidden temporary folders a publish may have left next to the build or in its history."""
    history = parent / f"{name}.history"
    return sorted([p.name for p in parent.iterdir()
                   if p.name.startswith(f".{name}.") and not p.name.endswith(".lock")]
                  + ([p.name for p in history.iterdir() if p.name.startswith(".")]
                     if history.is_dir() else []))


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
    assert {p.name for p in out.iterdir()} == expected | {"store"}
    store_files = {name for name in result.files if name.startswith("store/")}
    assert set(result.files) == expected | store_files
    assert store_files == {f"store/{p.name}" for p in (out / "store").iterdir()}
    assert "store/policykg-store.json" in store_files and "store/CURRENT" in store_files
    assert all(path == out / name and path.is_file() for name, path in result.files.items())
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


# --- the atomic swap, the history, rollback ---------------------------------------------------

def variant(i: int) -> ox.Store:
    """A store whose build differs from the others' (one more area)."""
    return make_store(data=f"<{ID}area/variant-{i}> a <{POL}Area> .")


def state(out: Path) -> dict[str, object]:
    """Everything a reader of ``out`` sees: the digest of every file of the current build and
    of each kept build, where ``.prev`` points, and the names beside ``out``."""
    history = out.with_name(out.name + ".history")
    prev = out.with_name(out.name + ".prev")
    return {
        "current": hashes(out) if out.is_dir() else None,
        "current store": store_hashes(out) if out.is_dir() else None,
        "history": {p.name: hashes(p) for p in sorted(history.iterdir())} if history.is_dir() else {},
        "history stores": {p.name: store_hashes(p) for p in sorted(history.iterdir())} if history.is_dir() else {},
        "prev": os.readlink(prev) if prev.is_symlink() else None,
        "beside": sorted(p.name for p in out.parent.iterdir()),
    }


def kept(out: Path) -> list[str]:
    """The builds of ``out``'s history, oldest first (hidden names are never builds)."""
    history = out.with_name(out.name + ".history")
    return sorted(p.name for p in history.iterdir()
                  if not p.name.startswith(".")) if history.is_dir() else []


def build_ids(out: Path) -> set[str]:
    """The ids of every build of ``out``: the current one and the kept ones."""
    folders = [out, *out.with_name(out.name + ".history").glob("[0-9]*")]
    return {hashes(f)["SHA256SUMS"][:12] for f in folders if f.is_dir()}  # SHA256SUMS but the store's lines


def test_a_failure_in_the_middle_leaves_the_previous_build(store, tmp_path, monkeypatch) -> None:
    out = tmp_path / "dist"
    do_publish(store, out)
    before = state(out)

    def boom(*_args, **_kwargs):
        raise RuntimeError("the RDF/XML writer broke")

    monkeypatch.setattr(pub, "rdfxml", boom)
    with pytest.raises(RuntimeError, match="RDF/XML writer broke"):
        do_publish(variant(1), out)
    assert state(out) == before
    assert before["beside"] == [".dist.lock", "dist"]  # a first build has no history yet
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("exchange", ["renameat2", "renames"])
def test_a_failure_during_the_swap_leaves_every_build(tmp_path, monkeypatch, exchange) -> None:
    out = tmp_path / "dist"
    do_publish(variant(1), out)
    do_publish(variant(2), out)
    before = state(out)
    assert len(before["history"]) == 1 and before["prev"] == "dist.history/" + kept(out)[0]
    if exchange == "renameat2":
        def failing_exchange(a, b):
            raise OSError(28, "No space left on device", str(b))
        monkeypatch.setattr(release, "_exchange", failing_exchange)
    else:
        monkeypatch.setattr(release, "_exchange", lambda a, b: False)
        real_rename = os.rename

        def failing_rename(src, dst):
            if Path(dst) == out and ".swap-" in str(src):  # the new build going in
                raise OSError(28, "No space left on device", str(dst))
            return real_rename(src, dst)

        monkeypatch.setattr(release.os, "rename", failing_rename)
    with pytest.raises(EnvironmentProblem, match="No space left"):
        do_publish(variant(3), out)
    monkeypatch.undo()
    assert state(out) == before
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("exchange", ["renameat2", "renames"])
def test_the_last_builds_are_kept_and_the_oldest_pruned(tmp_path, monkeypatch, exchange) -> None:
    if exchange == "renames":
        monkeypatch.setattr(release, "_exchange", lambda a, b: False)
    out = tmp_path / "dist"
    results = [publish(variant(i), out, report_text="", shacl_report=graph(SHACL_REPORT),
                       build_report=f"build {i}\n", keep=2) for i in range(4)]
    ids = [r.id for r in results]
    assert len(set(ids)) == 4 and all(len(i) == 12 for i in ids)
    assert results[0].previous is None
    # numbered in the order they left ``dist``, named after their ids; the oldest pruned
    assert kept(out) == [f"000002-{ids[1]}", f"000003-{ids[2]}"]
    assert results[3].previous == out.with_name("dist.history") / f"000003-{ids[2]}"
    assert os.readlink(tmp_path / "dist.prev") == f"dist.history/000003-{ids[2]}"
    assert (tmp_path / "dist.prev" / "build-report.md").read_text() == "build 2\n"
    assert (out / "build-report.md").read_text() == "build 3\n"
    assert latest_good(out) == out
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dist.lock", "dist", "dist.history",
                                                         "dist.prev"]
    found = history(out)
    assert found.current.id == ids[3] and found.current.number is None and found.current.complete
    assert [(r.id, r.number, r.complete) for r in found.previous] == [(ids[2], 3, True),
                                                                     (ids[1], 2, True)]
    # keep=0: no history at all
    publish(variant(9), out, report_text="", shacl_report=graph(SHACL_REPORT),
            build_report="", keep=0)
    assert kept(out) == [] and not (tmp_path / "dist.prev").is_symlink()


def test_the_same_build_again_changes_nothing(tmp_path) -> None:
    out = tmp_path / "dist"
    first = do_publish(variant(1), out)
    second = do_publish(variant(2), out)
    before = state(out)
    again = do_publish(variant(2), out)  # the same graph gives the same bytes: nothing to do
    assert again.id == second.id and state(out) == before
    do_publish(variant(1), out)  # the first build again: current, and no longer kept as well
    assert hashes(out) == before["history"][f"000001-{first.id}"]
    assert kept(out) == [f"000002-{second.id}"]


@pytest.mark.parametrize("exchange", ["renameat2", "renames"])
def test_rollback_goes_back_and_a_second_rollback_undoes_it(tmp_path, monkeypatch,
                                                            exchange) -> None:
    if exchange == "renames":
        monkeypatch.setattr(release, "_exchange", lambda a, b: False)
    out = tmp_path / "dist"
    a, b, c = (do_publish(variant(i), out) for i in range(3))
    files = {r.id: hashes(out.with_name("dist.history") / n) for r in (a, b)
             for n in kept(out) if n.endswith(r.id)}
    files[c.id] = hashes(out)

    result = rollback(out)
    assert isinstance(result, RollbackResult)
    assert result.current.id == b.id and hashes(out) == files[b.id]
    assert result.replaced.id == c.id and result.replaced.path == out.with_name(
        "dist.history") / kept(out)[-1]
    assert [n[7:] for n in kept(out)] == [a.id, c.id]
    assert os.readlink(tmp_path / "dist.prev") == f"dist.history/{kept(out)[-1]}"

    assert rollback(out).current.id == c.id  # and back again
    assert hashes(out) == files[c.id] and [n[7:] for n in kept(out)] == [a.id, b.id]

    result = rollback(out, to=a.id[:5])  # any kept build, by (the start of) its id
    assert result.current.id == a.id and hashes(out) == files[a.id]
    assert result.replaced.id == c.id and [n[7:] for n in kept(out)] == [b.id, c.id]
    numbers = [int(n[:6]) for n in kept(out)]
    assert numbers == sorted(numbers) and len(set(numbers)) == 2
    assert latest_good(out) == out
    assert leftovers(tmp_path) == []


def test_rollback_refuses_what_it_cannot_do(tmp_path) -> None:
    with pytest.raises(InputError, match="no previous build"):
        rollback(tmp_path / "dist")
    assert list(tmp_path.iterdir()) == []  # not even a lock file
    out = tmp_path / "dist"
    do_publish(variant(1), out)
    with pytest.raises(InputError, match="no previous build"):
        rollback(out)
    do_publish(variant(2), out)
    do_publish(variant(3), out)
    before = state(out)
    with pytest.raises(InputError, match="no kept build has the id 'ffffff'"):
        rollback(out, to="ffffff")
    with pytest.raises(InputError, match="no kept build has the id ''"):
        rollback(out, to="")
    newest = out.with_name("dist.history") / kept(out)[-1]
    (newest / "policykg.nt").write_text("truncated")
    before = state(out)
    with pytest.raises(InputError, match="is incomplete"):
        rollback(out)
    assert state(out) == before


def test_latest_good(tmp_path) -> None:
    out = tmp_path / "dist"
    assert latest_good(out) is None
    do_publish(variant(1), out)
    assert latest_good(out) == out
    do_publish(variant(2), out)
    do_publish(variant(3), out)
    older, newer = (out.with_name("dist.history") / n for n in kept(out))
    (out / "policykg.nt").write_text("truncated")
    assert latest_good(out) == newer  # the newest complete build
    (newer / "SHA256SUMS").unlink()
    assert latest_good(out) == older
    (older / "gate.txt").unlink()
    assert latest_good(out) is None


def test_a_prev_folder_of_an_older_policykg_is_moved_into_the_history(tmp_path) -> None:
    out, prev = tmp_path / "dist", tmp_path / "dist.prev"
    first = do_publish(variant(1), tmp_path / "elsewhere" / "dist")
    second = do_publish(variant(2), out)
    os.rename(first.out_dir, prev)  # the layout of a policykg that kept one previous build
    legacy = hashes(prev)
    assert latest_good(out) == out
    third = do_publish(variant(3), out)
    assert prev.is_symlink() and kept(out) == [f"000001-{first.id}", f"000002-{second.id}"]
    assert hashes(out.with_name("dist.history") / kept(out)[0]) == legacy
    assert third.previous == prev.resolve()
    assert rollback(out).current.id == second.id


def test_a_file_where_the_build_goes_is_an_input_error(store, tmp_path) -> None:
    (tmp_path / "dist").write_text("not a folder")
    with pytest.raises(InputError, match="it is a file"):
        do_publish(store, tmp_path / "dist")
    (tmp_path / "dist").unlink()
    (tmp_path / "dist.history").write_text("not a folder")
    with pytest.raises(InputError, match="it is a file"):
        do_publish(store, tmp_path / "dist")
    assert leftovers(tmp_path) == []


# --- killed at any step -----------------------------------------------------------------------
#
# A child process runs publish() or rollback() and dies (os._exit, as from SIGKILL: no cleanup)
# just before its n-th step that changes the file system; n = 1, 2, ... until it finishes. After
# each death: the current build is the old one or the new one, whole; every build that was
# kept is still there, or filed by the next publish; nothing half done looks like a build.

_STEPS = ("rename", "replace", "symlink", "unlink", "rmdir", "mkdir")


def tiny(i: int) -> ox.Store:
    """A small store of its own (no ontology), quick to publish many times."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(f"{ID}area/tiny-{i}"), ox.NamedNode(f"{POL}articleNumber"),
                      ox.Literal(str(i)), GRAPHS["data"]))
    return store


def _die_at(n: int) -> None:
    """In a child process: die just before the n-th step that changes the file system."""
    count = [0]

    def step(real):
        def wrapper(*args, **kwargs):
            count[0] += 1
            if count[0] == n:
                os._exit(137)
            return real(*args, **kwargs)
        return wrapper

    for name in _STEPS:
        setattr(os, name, step(getattr(os, name)))
    release._exchange = step(release._exchange)
    release.shutil.rmtree = step(release.shutil.rmtree)


def _run_killed(n: int, action) -> bool:
    """Run ``action`` in a child that dies at step ``n``; True if it died, False if it ended."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            _die_at(n)
            action()
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) in (0, 137), status
    return os.WEXITSTATUS(status) == 137


def _assert_readable(out: Path, allowed: list[dict[str, str]]) -> None:
    """What a reader sees: the current build is one of ``allowed``, whole, and every folder
    named like a kept build is a whole build."""
    assert latest_good(out) == out and hashes(out) in allowed
    for name in kept(out):
        assert release._complete(out.with_name("dist.history") / name), name


def test_a_publish_killed_at_any_step_loses_nothing(tmp_path) -> None:
    stores = [tiny(i) for i in range(4)]

    def publish_keeping_two(i: int, out: Path) -> PublishResult:
        return publish(stores[i], out, report_text="", shacl_report=graph(SHACL_REPORT),
                       build_report=f"build {i}\n", keep=2)

    reference = tmp_path / "reference" / "dist"
    ids = [publish_keeping_two(i, reference).id for i in range(4)]
    new_files = hashes(reference)
    template = tmp_path / "template" / "dist"
    for i in range(3):
        publish_keeping_two(i, template)
    deaths = 0
    for n in range(1, 100):
        out = tmp_path / f"run{n}" / "dist"
        shutil.copytree(template.parent, out.parent, symlinks=True)
        old_files = hashes(out)
        assert build_ids(out) == set(ids[:3])
        if not _run_killed(n, lambda: publish_keeping_two(3, out)):
            break
        deaths += 1
        _assert_readable(out, [old_files, new_files])
        # the next publish finishes the work: the new build current, the two before it kept
        # (the oldest pruned), .prev pointing at the newest, nothing else left
        publish_keeping_two(3, out)
        assert hashes(out) == new_files and build_ids(out) == set(ids[1:])
        assert [name[7:] for name in kept(out)] == ids[1:3]
        assert os.readlink(out.with_name("dist.prev")) == f"dist.history/{kept(out)[-1]}"
        assert leftovers(out.parent) == []
    # the temporary folder, its rename, the swap, filing the old build, pruning, linking .prev
    assert deaths >= 10, deaths


def test_a_rollback_killed_at_any_step_loses_nothing(tmp_path) -> None:
    template = tmp_path / "template" / "dist"
    for i in range(3):
        do_publish(tiny(i), template)
    deaths = 0
    for n in range(1, 100):
        out = tmp_path / f"run{n}" / "dist"
        shutil.copytree(template.parent, out.parent, symlinks=True)
        current = hashes(out)
        target = hashes(out.with_name("dist.history") / kept(out)[-1])
        ids = build_ids(out)
        if not _run_killed(n, lambda: rollback(out)):
            break
        deaths += 1
        _assert_readable(out, [current, target])
        assert build_ids(out) == ids  # every build still there (a rename at most)
        rolled = hashes(out) == target
        if not rolled:
            rollback(out)
        else:  # the next operation tidies up
            pub_lock_recover(out)
        assert hashes(out) == target and build_ids(out) == ids
        assert os.readlink(out.with_name("dist.prev")) == f"dist.history/{kept(out)[-1]}"
        assert hashes(out.with_name("dist.prev")) == current
        assert leftovers(out.parent) == []
    assert deaths >= 5, deaths


def pub_lock_recover(out: Path) -> None:
    with release.lock(out):
        release._recover(out)


# --- the lock ---------------------------------------------------------------------------------

def test_the_lock_is_reentrant_and_a_killed_holder_releases_it(tmp_path) -> None:
    import subprocess
    import sys
    import threading
    import time

    out = tmp_path / "dist"
    with release.lock(out), release.lock(out):  # re-entrant: build() holds it around publish()
        do_publish(variant(1), out)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from policykg.pipeline.publish.release import lock\n"
         f"with lock({str(out)!r}):\n    print('held', flush=True); time.sleep(600)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        done = threading.Event()
        worker = threading.Thread(target=lambda: (do_publish(variant(2), out), done.set()))
        worker.start()
        assert not done.wait(1.0)  # waits for the holder
        assert len(kept(out)) == 0
        holder.kill()  # SIGKILL: the kernel releases the lock
        assert done.wait(60)
        worker.join()
        assert len(kept(out)) == 1
    finally:
        holder.kill()
        holder.wait()


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

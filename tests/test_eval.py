"""``policykg eval``: the label-based gold format (tests/eval/README.md) and the scoring.

A small policy update of the seed's genre (tests/eval/fixtures/data-circulation-pilots.md) is
built through the real pipeline, and its hand-written gold is evaluated exactly, then with
mistakes planted in copies of it: each mistake must cost exactly the true and false positives
and negatives it should, kind by kind. The seed's own label-based gold and every IRI-based gold
of tests/gold must score 1.0 against a build of their document.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg.pipeline.build import build
from policykg.errors import InputError
from policykg.tools.evaluate import (KINDS, Evaluation, build_and_evaluate, evaluate, find_document,
                               normalise, read_facts, read_gold)
from policykg.graphs import GRAPHS

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "eval" / "fixtures"
DOC = FIXTURES / "data-circulation-pilots.md"
GOLD = FIXTURES / "data-circulation-pilots.facts"
SEED = ROOT / "sources" / "2020-09-services-trade-pilot-areas-data.md"
SEED_FACTS = FIXTURES / "seed.facts"
IRI_GOLDS = sorted((ROOT / "tests" / "gold").glob("*.ttl"))
POL = "https://w3id.org/policykg/ontology#"
ID = "https://w3id.org/policykg/id/"

# What the fixture's gold states, per kind (and so what an exact build scores as true positives).
EXACT = {"update": 1, "document": 3, "issued_by": 1, "issued_on": 1, "trial": 1, "stated_count": 1,
         "pilot_area": 4, "part_of": 1, "refers_to": 1, "lists": 0, "agency": 4, "measure": 3,
         "category": 3, "guided_by": 4, "forerunner": 4, "region": 1}


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "policykg", *args], capture_output=True, text=True,
                          timeout=600, cwd=cwd, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def fixture_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("eval") / "dist"
    assert build([DOC], out).published
    return out


@pytest.fixture(scope="module")
def seed_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("eval-seed") / "dist"
    assert build([SEED], out).published
    return out


def figures(ev: Evaluation) -> dict[str, tuple[int, int, int]]:
    return {s.kind: (s.tp, s.fp, s.fn) for s in ev.scores}


def planted(tmp_path: Path, *, drop: tuple[str, ...] = (), add: tuple[str, ...] = (),
            replace: tuple[tuple[str, str], ...] = ()) -> Path:
    """A copy of the fixture's gold with lines dropped (by their start), added and edited."""
    lines = GOLD.read_text(encoding="utf-8").splitlines()
    for start in drop:
        hits = [line for line in lines if line.startswith(start)]
        assert len(hits) == 1, f"{start!r} starts {len(hits)} lines"
        lines.remove(hits[0])
    text = "\n".join(lines) + "\n" + "".join(line + "\n" for line in add)
    for old, new in replace:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / GOLD.name  # the same stem: the gold of the same document
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# Scoring: each planted mistake costs exactly what it should
# --------------------------------------------------------------------------------------------

# (case, edits of the gold, {kind: (tp, fp, fn)} where it differs from the exact figures)
CASES = [
    ("exact", {}, {}),
    ("a gold fact the build cannot have is a false negative",
     {"add": ("guided_by | 6 | National Health Commission",)}, {"guided_by": (4, 0, 1)}),
    ("a fact the gold lacks is a false positive",
     {"drop": ("forerunner   | 6 | Xi'an",)}, {"forerunner": (3, 1, 0)}),
    ("a gold file lacking an entity: the entity and its facts are false positives",
     {"drop": ("agency       | Ministry of Commerce", "guided_by    | 9 | Ministry of Commerce")},
     {"agency": (3, 1, 0), "guided_by": (3, 1, 0)}),
    ("a wrong date is one false positive and one false negative",
     {"replace": (("issued_on    | the notice | 2022-05-12", "issued_on | the notice | 2022-05-13"),)},
     {"issued_on": (0, 1, 1)}),
    ("a trial's last day off by one",
     {"replace": (("2022-05-12 | 2024-05-11", "2022-05-12 | 2024-05-12"),)}, {"trial": (0, 1, 1)}),
    ("a wrong stated count", {"replace": (("stated_count | the notice | 4", "stated_count | the notice | 5"),)},
     {"stated_count": (0, 1, 1)}),
    ("a wrong document class", {"replace": (("Data Security Law | Law", "Data Security Law | Notice"),)},
     {"document": (2, 1, 1)}),
    ("an alternative label is matched when another is wrong",
     {"replace": (("guided_by    | 5 | CAC", "guided_by | 5 | Cyberspace Affairs Commission || CAC"),
                  ("agency       | Cyberspace Administration of China || CAC",
                   "agency | Cyberspace Affairs Commission || CAC"))}, {}),
    ("a name that is no label of the entity does not match",
     {"replace": (("guided_by    | 5 | CAC", "guided_by | 5 | Cyberspace Affairs Commission"),)},
     {"guided_by": (3, 1, 1)}),
    ("an abbreviation names the agency whatever the agency line says",
     {"replace": (("agency       | Ministry of Commerce", "agency | MOFCOM"),)}, {}),
    ("curly and straight apostrophes match each other",
     {"replace": (("Xi’an", "XI'AN"), ("forerunner   | 6 | Xi'an", "forerunner | 6 | Xi’an"))}, {}),
    ("a misspelt name does not match", {"replace": (("pilot_area   | the notice | Xi’an", "pilot_area | the notice | Xian"),)},
     {"pilot_area": (3, 1, 1)}),
    ("case, a leading 'the', trailing punctuation and spaces are ignored",
     {"replace": (("agency       | Ministry of Commerce", "agency |   the  ministry of COMMERCE. "),
                  ("region       | 6 | Yangtze River Delta", "region | 6 | the Yangtze River Delta;"))}, {}),
    ("a document is named by any name of its document line",
     {"replace": (("part_of      | Table | the notice",
                   "part_of | Table | Notice on piloting data circulation in free trade zones"),)}, {}),
    ("'N @ document' picks the measure of that document",
     {"replace": (("guided_by    | 6 | MIIT", "guided_by | 6 @ the Table | MIIT"),)}, {}),
    ("'N @ another document' matches nothing",
     {"replace": (("guided_by    | 6 | MIIT", "guided_by | 6 @ Data Security Law | MIIT"),)},
     {"guided_by": (3, 1, 1)}),
    ("'Article N' is the article number N",
     {"replace": (("category     | 9 | Data Security Management", "category | Article 9 | Data Security Management"),)}, {}),
    ("a measure of another number", {"replace": (("measure      | 9 | Table", "measure | 10 | Table"),)},
     {"measure": (2, 1, 1)}),
    ("a fact written twice counts once", {"add": ("pilot_area | notice | Wuhan",)}, {}),
    ("an unsure comment is no fact", {"add": ("# unsure: the Table refers to the Cybersecurity Law",)}, {}),
    ("a reference to a document with no document line is matched by its own names",
     {"add": ("refers_to | Table | Personal Information Protection Law",)}, {"refers_to": (1, 0, 1)}),
]


@pytest.mark.parametrize("edits,changed", [(e, c) for _, e, c in CASES], ids=[c for c, _, _ in CASES])
def test_planted_mistakes_cost_exactly_what_they_should(fixture_dist: Path, tmp_path: Path, edits: dict,
                                                        changed: dict) -> None:
    ev = evaluate(planted(tmp_path, **edits), fixture_dist)
    expected = {kind: changed.get(kind, (n, 0, 0)) for kind, n in EXACT.items()}
    assert figures(ev) == expected
    tp, fp, fn = (sum(v[i] for v in expected.values()) for i in range(3))
    assert (ev.overall.tp, ev.overall.fp, ev.overall.fn) == (tp, fp, fn)
    assert ev.overall.precision == tp / (tp + fp) and ev.overall.recall == tp / (tp + fn)
    assert ev.overall.f1 == pytest.approx(2 * tp / (2 * tp + fp + fn))
    assert len(ev.missed) == fn and len(ev.wrong) == fp


def test_missed_and_wrong_facts_are_readable(fixture_dist: Path, tmp_path: Path) -> None:
    gold = planted(tmp_path, drop=("forerunner   | 6 | Xi'an",),
                   replace=(("issued_on    | the notice | 2022-05-12", "issued_on | the notice | 2022-05-13"),))
    ev = evaluate(gold, fixture_dist)
    assert [(f.kind, f.text) for f in ev.missed] == [("issued_on", "issued_on | the notice | 2022-05-13")]
    assert ev.missed[0].line == next(i for i, line in enumerate(gold.read_text(encoding="utf-8").splitlines(), 1)
                                     if "2022-05-13" in line)
    assert sorted(f.text for f in ev.wrong) == [
        "forerunner | 6 | Xi'an",
        "issued_on | Notice on piloting data circulation in free trade zones | 2022-05-12"]
    xian = next(f for f in ev.wrong if f.kind == "forerunner")
    assert xian.iris == (f"{ID}measure/attached-table-tasks-measures-data-circulation-pilots-free-20af3a1e-2022/6", f"{ID}area/xian")
    markdown = ev.to_markdown()
    for kind in KINDS:
        assert f"| `{kind}` |" in markdown
    assert "| **overall** | 32 | 33 | 31 | 2 | 1 | 0.939 | 0.969 | 0.954 |" in markdown
    data = json.loads(ev.to_json())
    assert data["kinds"]["forerunner"] == {"gold": 3, "built": 4, "tp": 3, "fp": 1, "fn": 0,
                                           "precision": 0.75, "recall": 1.0, "f1": 0.8571}
    assert data["missed"][0]["fact"] == "issued_on | the notice | 2022-05-13"


def test_lexicon_only_facts_may_match_but_are_no_false_positives_and_duplicates_are_reported(
        fixture_dist: Path) -> None:
    store = ox.Store()
    store.bulk_load(path=str(fixture_dist / "policykg.nq"), format=ox.RdfFormat.N_QUADS)
    data, prov = GRAPHS["data"], GRAPHS["provenance"]
    copy, m5 = ox.NamedNode(ID + "agency/cac-again"), ox.NamedNode(ID + "measure/attached-table-tasks-measures-data-circulation-pilots-free-20af3a1e-2022/5")
    guided = ox.NamedNode(POL + "guidedBy")
    store.extend([
        ox.Quad(copy, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(POL + "Administration"), data),
        ox.Quad(copy, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("Cyberspace Administration of China", language="en"), data),
        ox.Quad(m5, guided, copy, data),  # no provenance: a fact only the lexicon would support
    ])
    ev = evaluate(GOLD, store)
    assert figures(ev) == {kind: (n, 0, 0) for kind, n in EXACT.items()}  # ignored, not wrong
    assert [(d.cls, d.names, [iri for iri, _ in d.nodes]) for d in ev.duplicates] == [
        ("agency", ("Cyberspace Administration of China",), [ID + "agency/cac", ID + "agency/cac-again"])]

    # The same fact derived from the update's text counts: a second CAC guiding Article 5 is wrong.
    span = next(q.object for q in store.quads_for_pattern(None, ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom"), None, prov))
    statement = ox.NamedNode(ID + "statement/planted")
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    store.extend([ox.Quad(statement, ox.NamedNode(rdf + "subject"), m5, prov),
                  ox.Quad(statement, ox.NamedNode(rdf + "predicate"), guided, prov),
                  ox.Quad(statement, ox.NamedNode(rdf + "object"), copy, prov),
                  ox.Quad(statement, ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom"), span, prov)])
    ev = evaluate(GOLD, store)
    assert figures(ev)["guided_by"] == (4, 1, 0)  # one to one: one gold fact pairs with one built fact
    assert figures(ev)["agency"] == (4, 1, 0)  # named by the update's text now
    assert [f.iris[-1] for f in ev.wrong] == [ID + "agency/cac-again"] * 2


# --------------------------------------------------------------------------------------------
# Gold that scores 1.0: the seed by label, every IRI-based gold, and several documents at once
# --------------------------------------------------------------------------------------------

def test_the_seed_by_label_scores_one(seed_dist: Path) -> None:
    ev = evaluate(SEED_FACTS, seed_dist)
    assert (ev.overall.precision, ev.overall.recall) == (1.0, 1.0), ev.to_table()
    assert ev.duplicates == () and ev.warnings == ()
    # the label-based gold states what the IRI-based gold states, kind by kind
    by_iri = read_gold(ROOT / "tests" / "gold" / f"{SEED.stem}.ttl")
    assert {k: read_facts(SEED_FACTS).count(k) for k in KINDS} == {k: by_iri.count(k) for k in KINDS}
    assert ev.overall.tp == 94


@pytest.mark.parametrize("gold", IRI_GOLDS, ids=[p.stem for p in IRI_GOLDS])
def test_every_iri_gold_scores_one_against_a_build_of_its_document(gold: Path) -> None:
    ev = build_and_evaluate(gold)
    assert ev.by_iri and ev.refused == ()
    assert Path(ev.document or "").stem == gold.stem
    assert (ev.overall.precision, ev.overall.recall) == (1.0, 1.0), ev.to_table()
    assert ev.overall.tp == len(read_gold(gold).facts) > 0
    assert ev.duplicates == ()


def test_a_build_of_several_documents_counts_only_the_gold_documents_facts(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    assert build([DOC, SEED], out).published
    for gold, facts in ((GOLD, 33), (SEED_FACTS, 94), (ROOT / "tests" / "gold" / f"{SEED.stem}.ttl", 94)):
        ev = evaluate(gold, out)
        assert (ev.overall.tp, ev.overall.fp, ev.overall.fn) == (facts, 0, 0), ev.to_table()


def test_a_refused_build_is_evaluated_from_its_unpublished_graph(tmp_path: Path) -> None:
    # a second, different trial period for the notice: the gate refuses the build
    doc = tmp_path / GOLD.with_suffix(".md").name
    doc.write_text(DOC.read_text(encoding="utf-8").replace(
        "with a trial period of two years.",
        "with a trial period of two years. The notice runs a trial period of three years, counted from 1 March "
        "2024."), encoding="utf-8")
    ev = build_and_evaluate(GOLD, doc)
    assert ev.refused and "SHACL gate" in ev.refused[0]
    # two starts and two ends: four pairs, the right one and three wrong
    assert figures(ev)["trial"] == (1, 3, 0)
    assert ev.overall.tp == 33


def test_find_document() -> None:
    assert find_document(GOLD) == DOC
    assert find_document(ROOT / "tests" / "gold" / f"{SEED.stem}.ttl") == SEED
    assert find_document(IRI_GOLDS[1]) == ROOT / "tests" / "documents" / f"{IRI_GOLDS[1].stem}.md"
    with pytest.raises(InputError, match="no document for this gold file"):
        find_document(FIXTURES / "nothing-here.facts")


# --------------------------------------------------------------------------------------------
# Names and the format
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("a,b", [
    ("Xi’an", "Xi'an"), ("“Quoted” Name", '"quoted" name'), ("The Table", "table"),
    ("the  Data\tSecurity   Law.", "Data Security Law"), ("Beijing–Tianjin–Hebei", "Beijing-Tianjin-Hebei"),
    ("ＣＡＣ", "CAC"), ("Ministry of Commerce;", "MINISTRY OF COMMERCE"),
])
def test_names_that_are_the_same_after_normalisation(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)


@pytest.mark.parametrize("a,b", [("Xian", "Xi'an"), ("Other Table", "Table"), ("Theory", "ory"),
                                 ("China (Nanjing) Software Valley", "China Nanjing Software Valley")])
def test_names_that_stay_different(a: str, b: str) -> None:
    assert normalise(a) != normalise(b)


def test_read_facts(tmp_path: Path) -> None:
    gold = read_facts(GOLD)
    assert len(gold.facts) == sum(EXACT.values()) and not gold.by_iri and gold.warnings == ()
    assert str(gold.update) == "Data Circulation Pilots in Free Trade Zones"
    table_ref = next(f for f in gold.facts if f.kind == "measure").fields[1]
    # "Table" stands for every name of the Table's document line
    assert normalise("Attached Table: Tasks and Measures for Data Circulation Pilots in Free Trade Zones") \
        in table_ref.keys and "table" in table_ref.keys
    unsure = tmp_path / "u.facts"
    unsure.write_text("update | T\n# unsure: \"the government\" is no agency\n", encoding="utf-8")
    assert read_facts(unsure).unsure == ((2, '"the government" is no agency'),)


def gold_line(start: str) -> int:
    """The number of the fixture gold's line that starts with ``start``."""
    lines = GOLD.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(start))


# (line appended to the fixture's gold, what the message says, the start of the line it names
# when that is not the appended line)
BAD_LINES = [
    ("agencies | CAC", "unknown kind of fact 'agencies'", None),
    ("guided_by | 5", "guided_by takes 2 fields (article number | agency), not 1", None),
    ("guided_by | 5 | CAC | MIIT", "guided_by takes 2 fields", None),
    ("issued_on | the notice | 12 May 2022", "not a date YYYY-MM-DD", None),
    ("issued_on | the notice | 2022-02-30", "not a date YYYY-MM-DD", None),
    ("stated_count | the notice | four", "'four' is not a number", None),
    ("measure | 5a | Table", "not a number", None),
    ("guided_by | five | CAC", "is not an article number", None),
    ("document | Some Guide | Guideline", "unknown document class 'Guideline'", None),
    ("agency | CAC ||  || Cyberspace Administration of China", "an empty alternative", None),
    ("agency |  ", "the name is empty", None),
    ("agency | CAC ||| MIIT", "a stray '|'", None),
    ("trial | the notice | 2022-05-12 | 2021-05-11", "before its first day", None),
    ("update | Another Title", f"a second update line (the first is line {gold_line('update')})", None),
    # two document lines now have the name "Table": the first line that uses it is ambiguous
    ("document | Another Table || Table | MeasureTable", "'Table' could name 2 documents of this file",
     "part_of      | Table"),
]


@pytest.mark.parametrize("line,needle,at", BAD_LINES, ids=[n for _, n, _ in BAD_LINES])
def test_a_malformed_line_is_an_error_with_file_and_line(tmp_path: Path, line: str, needle: str,
                                                         at: str | None) -> None:
    text = GOLD.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "bad.facts"
    path.write_text("\n".join(text) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_facts(path)
    assert needle in str(info.value)
    assert (info.value.path, info.value.line) == (str(path), gold_line(at) if at else len(text) + 1)


@pytest.mark.parametrize("content,needle,line", [
    (b"", "no facts in the gold file", 1),
    (b"# only a comment\n\n", "no facts in the gold file", 1),
    (b"update | T\nagency | Caf\xe9\n", "not UTF-8", 2),
])
def test_an_unusable_file_is_an_error(tmp_path: Path, content: bytes, needle: str, line: int) -> None:
    path = tmp_path / "x.facts"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_facts(path)
    assert needle in str(info.value) and info.value.line == line


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------

def test_cli_malformed_gold_exits_2_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.facts"
    bad.write_text("update | A Title\n\nissued_on | the notice | 2022-13-01\n", encoding="utf-8")
    other = tmp_path / "other.facts"
    other.write_text("update | A Title\nforerunners | 5 | Hangzhou\n", encoding="utf-8")
    for path, line, needle in ((bad, 3, "not a date"), (other, 2, "unknown kind of fact 'forerunners'")):
        proc = run("eval", str(path), "--build")
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert f"{path}:{line}: " in proc.stderr and needle in proc.stderr
        assert "Traceback" not in proc.stderr + proc.stdout


def test_cli_build_figures_and_thresholds(tmp_path: Path) -> None:
    proc = run("eval", str(GOLD), "--build", "--min-recall", "1", "--min-precision", "1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "overall" in proc.stdout and "1.000" in proc.stdout

    missing = planted(tmp_path, add=("guided_by | 6 | National Health Commission",))
    (tmp_path / DOC.name).write_bytes(DOC.read_bytes())  # the document beside its gold
    proc = run("eval", str(missing), "--build", "--format", "json")
    assert proc.returncode == 0, proc.stderr  # figures are results, not failures
    data = json.loads(proc.stdout)
    assert data["overall"]["fn"] == 1 and data["kinds"]["guided_by"]["fn"] == 1
    assert data["evaluations"][0]["missed"] == [
        {"kind": "guided_by", "fact": "guided_by | 6 | National Health Commission",
         "line": len(GOLD.read_text(encoding="utf-8").splitlines()) + 1}]
    proc = run("eval", str(missing), "--build", "--min-recall", "0.99")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "recall 0.971 is below --min-recall 0.99" in proc.stderr
    assert run("eval", str(missing), "--build", "--min-precision", "0.99").returncode == 0


def test_cli_against_a_dist_and_bad_usage(fixture_dist: Path, tmp_path: Path) -> None:
    proc = run("eval", str(GOLD), str(IRI_GOLDS[0]), "--dist", str(fixture_dist), "--format", "markdown")
    # the seed's IRI gold names an update this build does not hold: all of it is missed
    assert proc.returncode == 0, proc.stderr
    assert "| **overall** | 33 | 33 | 33 | 0 | 0 | 1.000 | 1.000 | 1.000 |" in proc.stdout
    assert "| **overall** | 94 | 0 | 0 | 0 | 94 | – | 0.000 | 0.000 |" in proc.stdout
    proc = run("eval", str(GOLD), "--dist", str(tmp_path / "nowhere"))
    assert proc.returncode == 2 and "no build here" in proc.stderr
    assert run("eval", str(GOLD), "--build", "--dist", str(fixture_dist)).returncode == 2
    assert run("eval", str(GOLD), "--build", "--min-recall", "2").returncode == 2

"""Curation (issue 14): a curator corrects the graph with data — retract, assert, merge, split,
label — with who, when and why; ``policykg review`` says what to look at.

Every test builds real documents with the real pipeline (pyoxigraph store, SHACL gate, quality
rules) and reads what was published. Two small updates (written below) carry one thing for each
kind of entry: a minted agency under two names (the National Data Bureau, "NDB", and the "State
Data Office"), a name the build merges across the two updates, an article whose agency the text
gives only as "the bureau", and "Article 3" in both. The end-to-end story takes the seed and the
development document ``tests/documents/blind/2022-01-cybersecurity-review-measures.md``, whose
extraction has a wrong fact (Article 4 "guided by" the CAC: the text says the Cybersecurity
Review Office is *located in* the CAC) and a missed one (the Data Security Law's date, in a
footnote), through ``policykg review``, the curation file, the build and ``policykg diff``
(``tests/browser/test_review_browser.py`` shows the entity pages in Chromium). Curation folders
are always passed explicitly (``--curation``), so no test touches ``mappings/curation/``.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import servers

from policykg.pipeline.build import build
from policykg.pipeline.curate import load_curation
from policykg.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "sources" / "2020-09-services-trade-pilot-areas-data.md"
CYBER = ROOT / "tests" / "documents" / "blind" / "2022-01-cybersecurity-review-measures.md"
ID = "https://w3id.org/policykg/id/"
POL = "https://w3id.org/policykg/ontology#"
DATA = "https://w3id.org/policykg/graph/data"
PROVENANCE = "https://w3id.org/policykg/graph/provenance"
PREFIXES = f"""PREFIX pol: <{POL}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""

DOC_A = """# Data Export Pilots in Free Trade Zones

**Policy Update on Measures regarding Data | May 2023**

The Cyberspace Administration of China (**CAC**) and the National Data Bureau (**NDB**) issued a **notice on piloting data export facilitation in free trade zones** on May 10, with a trial period of two years. The notice is accompanied by a **Table** specifying the measures and the agencies responsible.

## What are the measures?

The **Table** sets out the following measures:

### Data Export Services

- **Article 3:** Pilot zones shall set up a data export service desk. The CAC will guide the work.
- **Article 4:** Pilot zones shall publish a list of common export scenarios. The NDB will guide and formulate the policy.

### Security Assessment

- **Article 7:** Assessments shall finish within 45 working days. The CAC and the State Data Office shall support and guide the pilot zones.

We hope you enjoyed reading this Policy Update.
"""

DOC_B = """# Data Labelling Bases in Pilot Cities

**Policy Update on Measures regarding Data | June 2024**

The National Data Bureau issued a **notice on data labelling bases** on June 1. The notice is accompanied by a **List of Measures**.

## What are the measures?

The **List of Measures** sets out the following measures:

### Data Labelling Infrastructure

- **Article 2:** Pilot cities shall build public labelling platforms. The National Data Bureau will guide the work.
- **Article 3:** Pilot cities shall open labelled data sets to researchers. The National Data Bureau will guide the work.
- **Article 5:** Pilot cities shall train labelling staff; the bureau will see to it.

### Security Assessments

- **Article 8:** Labelled data shall be assessed before release. The CAC will guide the assessments.

We hope you enjoyed reading this Policy Update.
"""

NDB = ID + "agency/ndb"
NDB_B = ID + "agency/national-data-bureau"  # what the build merges into NDB by name
SDO = ID + "agency/state-data-office"
CAC = ID + "agency/cac"
A3, A4, A7 = (ID + f"measure/table-2023/{n}" for n in (3, 4, 7))
B2, B5 = (ID + f"measure/list-measures-2024/{n}" for n in (2, 5))

SIGNED = 'curator = "Wang Fang"\ndate = 2024-06-03\n'


def entry(kind: str, body: str, reason: str = "A test of curation.") -> str:
    return f"[[{kind}]]\n{body.strip()}\n{SIGNED}reason = {json.dumps(reason, ensure_ascii=False)}\n\n"


RETRACT = entry("retract", """
subject = { label = "Article 7", in = "Table" }
property = "guided by"
object = "State Data Office"
""", "The State Data Office supports the pilot zones; the text does not say it guides Article 7.")
ASSERT_QUOTE = entry("assert", """
subject = { label = "Article 5", in = "List of Measures" }
property = "guided by"
object = "NDB"
source = "b.md"
quote = "the bureau will see to it"
""", "The bureau is the National Data Bureau, the only bureau the update names.")
ASSERT_NOTE = entry("assert", """
subject = "notice on data labelling bases"
property = "trial end"
object = 2027-05-31
note = "NDB press release of 2 June 2024"
""", "The press release gives the end of the trial.")
MERGE = entry("merge", """
keep = "National Data Bureau"
other = "State Data Office"
""", "The State Data Office is the bureau's own office: one agency.")
LABEL = entry("label", """
entity = "agency:ndb"
en = "National Data Administration"
zh = "国家数据局"
alias = ["NDA", "National Data Bureau"]
""", "Its official names.")


# --------------------------------------------------------------------------- helpers

def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "policykg", *args], capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL, cwd=cwd)


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("docs")
    (folder / "a.md").write_text(DOC_A, encoding="utf-8")
    (folder / "b.md").write_text(DOC_B, encoding="utf-8")
    return [folder / "a.md", folder / "b.md"]


def curation(tmp: Path, text: str, name: str = "corrections.toml") -> Path:
    folder = tmp / "curation"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def store_of(build_dir: Path) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=str(build_dir / "policykg.nq"), format=ox.RdfFormat.N_QUADS)
    return store


def ask(store: ox.Store, where: str) -> bool:
    return bool(store.query(PREFIXES + f"ASK {{ {where} }}"))


def rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    return [tuple(term.value if term is not None else "" for term in row) for row in store.query(PREFIXES + query)]


def data_has(store: ox.Store, s: str, p: str, o: str) -> bool:
    return ask(store, f"GRAPH <{DATA}> {{ {s} {p} {o} }}")


@pytest.fixture(scope="module")
def plain(docs: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two small updates built with an empty curation folder."""
    tmp = tmp_path_factory.mktemp("plain")
    (tmp / "curation").mkdir()
    result = build(docs, tmp / "dist", curation=tmp / "curation")
    assert result.published, result.report.to_text()
    return tmp / "dist"


# --------------------------------------------------------------------------- no entries

def test_no_entries_change_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The seed built with no curation folder entries — an empty folder, the repository's
    example file (all comments), the default — gives the same bytes."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    (tmp_path / "empty").mkdir()
    outs = []
    for name, folder in (("empty", tmp_path / "empty"), ("repository", ROOT / "mappings" / "curation"),
                         ("default", None)):
        result = build([SEED], tmp_path / name, curation=folder)
        assert result.published
        assert result.curated is not None and not result.curated.applied and not result.curated.provenance
        outs.append(tmp_path / name)
    for other in outs[1:]:
        for file in ("policykg.nt", "policykg.nq", "policykg.ttl", "policykg.owl"):
            assert (other / file).read_bytes() == (outs[0] / file).read_bytes(), file
    assert len(load_curation(ROOT / "mappings" / "curation")) == 0


def test_the_example_file_documents_entries_that_parse(tmp_path: Path) -> None:
    """Uncommented, the examples of mappings/curation/corrections.toml are valid entries of
    every kind."""
    text = (ROOT / "mappings" / "curation" / "corrections.toml").read_text(encoding="utf-8")
    examples = [line[2:] for line in text.splitlines()
                if line.startswith("# ") and re.match(r"(\[\[\w+\]\]|\w+ = )", line[2:])]
    folder = curation(tmp_path, "\n".join(examples) + "\n")
    entries = load_curation(folder).entries
    assert sorted({e.kind for e in entries}) == ["assert", "label", "merge", "retract", "split"]
    assert all(e.curator and e.reason and e.date.year == 2024 for e in entries)


# --------------------------------------------------------------------------- each kind

def test_retract_removes_the_fact_and_records_it(docs: list[Path], plain: Path, tmp_path: Path) -> None:
    before = store_of(plain)
    assert data_has(before, f"<{A7}>", "pol:guidedBy", f"<{SDO}>")
    result = build(docs, tmp_path / "dist", curation=curation(tmp_path, RETRACT))
    assert result.published, result.report.to_text()
    after = store_of(tmp_path / "dist")
    assert not data_has(after, f"<{A7}>", "pol:guidedBy", f"<{SDO}>")
    assert data_has(after, f"<{A7}>", "pol:guidedBy", f"<{CAC}>")  # the other agency stays
    # not silently dropped: the statement stays, with the words it was read from, invalidated
    found = rows(after, f"""SELECT ?exact ?who ?reason ?date ?where WHERE {{ GRAPH <{PROVENANCE}> {{
        ?stmt a rdf:Statement ; rdf:subject <{A7}> ; rdf:predicate pol:guidedBy ; rdf:object <{SDO}> ;
              prov:wasDerivedFrom/oa:hasSelector/oa:exact ?exact ; prov:wasInvalidatedBy ?c .
        ?c a prov:Activity ; prov:wasAssociatedWith ?agent ; rdfs:comment ?reason ; dct:date ?date ;
           dct:source ?where .
        ?agent a prov:Agent ; rdfs:label ?who . }} }}""")
    reason = "The State Data Office supports the pilot zones; the text does not say it guides Article 7."
    assert found and {r[1:] for r in found} == {("Wang Fang", reason, "2024-06-03", "corrections.toml:1")}
    assert any("State Data Office" in r[0] for r in found)
    assert "retract: Article 7 guided by State Data Office" in (tmp_path / "dist" / "build-report.md").read_text()
    assert result.quality is not None and result.quality.passed  # statement-without-fact knows retractions


def test_assert_with_a_quote_records_its_span(docs: list[Path], plain: Path, tmp_path: Path) -> None:
    assert f"Warning: <{B5}>" in (plain / "gate.txt").read_text()  # uncurated, Article 5 names no agency
    result = build(docs, tmp_path / "dist", curation=curation(tmp_path, ASSERT_QUOTE))
    assert result.published
    after = store_of(tmp_path / "dist")
    assert data_has(after, f"<{B5}>", "pol:guidedBy", f"<{NDB}>")
    assert B5 not in {r.focus for r in result.report.results}  # the gate judged the curated graph
    found = rows(after, f"""SELECT ?src ?start ?end ?exact ?who ?reason WHERE {{ GRAPH <{PROVENANCE}> {{
        ?stmt rdf:subject <{B5}> ; rdf:predicate pol:guidedBy ; rdf:object <{NDB}> ;
              prov:wasAttributedTo ?curator ; prov:wasGeneratedBy ?c ;
              prov:wasDerivedFrom ?span .
        ?span a pol:TextSpan ; oa:hasSource ?src ; oa:hasSelector ?sel .
        ?sel oa:start ?start ; oa:end ?end ; oa:exact ?exact .
        ?curator rdfs:label ?who . ?c rdfs:comment ?reason ; prov:wasAssociatedWith ?curator . }} }}""")
    assert len(found) == 1
    src, start, end, exact, who, reason = found[0]
    assert exact == "the bureau will see to it" == DOC_B[int(start):int(end)]
    assert src == ID + "document/data-labelling-bases-pilot-cities-2024-06"
    assert (who, reason) == ("Wang Fang", "The bureau is the National Data Bureau, the only bureau the update names.")


def test_assert_with_a_note_cites_it(docs: list[Path], tmp_path: Path) -> None:
    result = build(docs, tmp_path / "dist", curation=curation(tmp_path, ASSERT_NOTE))
    assert result.published, result.report.to_text()
    after = store_of(tmp_path / "dist")
    notice = ID + "document/notice-data-labelling-bases-2024"
    assert data_has(after, f"<{notice}>", "pol:trialEnd", '"2027-05-31"^^<http://www.w3.org/2001/XMLSchema#date>')
    found = rows(after, f"""SELECT ?note ?who WHERE {{ GRAPH <{PROVENANCE}> {{
        ?stmt rdf:subject <{notice}> ; rdf:predicate pol:trialEnd ; prov:wasGeneratedBy ?c ;
              prov:wasAttributedTo/rdfs:label ?who .
        ?c dct:bibliographicCitation ?note .
        FILTER NOT EXISTS {{ ?stmt prov:wasDerivedFrom ?span }} }} }}""")
    assert found == [("NDB press release of 2 June 2024", "Wang Fang")]
    assert result.quality is not None and result.quality.passed  # a curator's word is support enough


def test_merge_keeps_one_iri_and_records_the_other_as_same_as(docs: list[Path], tmp_path: Path) -> None:
    result = build(docs, tmp_path / "dist", curation=curation(tmp_path, MERGE))
    assert result.published, result.report.to_text()
    after = store_of(tmp_path / "dist")
    assert rows(after, f"SELECT ?p ?o WHERE {{ GRAPH <{DATA}> {{ <{SDO}> ?p ?o }} }}") == [
        ("http://www.w3.org/2002/07/owl#sameAs", NDB)]
    assert not ask(after, f"GRAPH <{DATA}> {{ ?s ?p <{SDO}> }}")
    assert data_has(after, f"<{A7}>", "pol:guidedBy", f"<{NDB}>")
    assert rows(after, f'SELECT ?l WHERE {{ GRAPH <{DATA}> {{ <{NDB}> rdfs:label ?l FILTER(LANG(?l) = "en") }} }}') \
        == [("National Data Bureau",)]
    assert data_has(after, f"<{NDB}>", "skos:altLabel", '"State Data Office"')
    # the moved fact keeps the words it was read from; the merge is the curator's
    assert ask(after, f"""GRAPH <{PROVENANCE}> {{ ?s rdf:subject <{A7}> ; rdf:predicate pol:guidedBy ;
        rdf:object <{NDB}> ; prov:wasDerivedFrom/oa:hasSelector/oa:exact ?e FILTER(CONTAINS(?e, "State Data Office")) }}""")
    assert ask(after, f"""GRAPH <{PROVENANCE}> {{ ?s rdf:subject <{SDO}> ; rdf:predicate owl:sameAs ;
        prov:wasAttributedTo/rdfs:label "Wang Fang" }}""")
    assert result.curated is not None and result.curated.merged == ((SDO, NDB),)


def test_split_keeps_apart_what_the_build_merged_by_name(docs: list[Path], plain: Path, tmp_path: Path) -> None:
    assert f"`{NDB_B}` → `{NDB}`" in (plain / "build-report.md").read_text()
    split = entry("split", 'name = "National Data Bureau"\nkind = "agency"',
                  "Two bureaus in this test, one name.")
    # kept apart, the two agencies share an English name: the gate refuses that graph
    refused = build(docs, tmp_path / "refused", curation=curation(tmp_path, split))
    assert not refused.published
    assert {f"<{NDB}>", f"<{NDB_B}>"} & {r.focus for r in refused.report.results if r.severity.value == "Violation"}
    assert not (tmp_path / "refused").exists()
    # with a name of its own (by IRI: the name fits both now) it is published
    label = entry("label", f'entity = "{NDB_B}"\nen = "National Data Bureau (labelling)"', "Its own name.")
    tmp = tmp_path / "named"
    tmp.mkdir()
    result = build(docs, tmp / "dist", curation=curation(tmp, split + label))
    assert result.published, result.report.to_text()
    after = store_of(tmp / "dist")
    assert data_has(after, f"<{B2}>", "pol:guidedBy", f"<{NDB_B}>")
    assert not data_has(after, f"<{B2}>", "pol:guidedBy", f"<{NDB}>")
    assert data_has(after, f"<{A4}>", "pol:guidedBy", f"<{NDB}>")
    assert result.merged == ()
    assert result.curated.applied[0].summary == f"split: 'National Data Bureau' kept apart as <{NDB_B}>, <{NDB}>"


def test_label_replaces_names_and_adds_aliases(docs: list[Path], tmp_path: Path) -> None:
    result = build(docs, tmp_path / "dist", curation=curation(tmp_path, LABEL))
    assert result.published, result.report.to_text()
    after = store_of(tmp_path / "dist")
    labels = set(rows(after, f"SELECT ?l (LANG(?l) AS ?lang) WHERE {{ GRAPH <{DATA}> {{ <{NDB}> rdfs:label ?l }} }}"))
    assert labels == {("National Data Administration", "en"), ("国家数据局", "zh")}
    aliases = {r[0] for r in rows(after, f"SELECT ?a WHERE {{ GRAPH <{DATA}> {{ <{NDB}> skos:altLabel ?a }} }}")}
    assert {"NDA", "NDB", "National Data Bureau"} <= aliases
    # the English label it replaced is recorded as retracted by the same entry
    assert ask(after, f"""GRAPH <{PROVENANCE}> {{ ?s rdf:subject <{NDB}> ; rdf:predicate rdfs:label ;
        rdf:object "National Data Bureau"@en ; prov:wasInvalidatedBy/rdfs:comment "Its official names." }}""")


def test_the_gate_judges_the_curated_graph(docs: list[Path], plain: Path, tmp_path: Path) -> None:
    """A curator's fact that breaks a shape is refused like an extracted one: Article 3 given
    Article 4's number."""
    out = tmp_path / "dist"
    assert build(docs, out, curation=curation(tmp_path, "")).published
    before = digest(out)
    wrong = entry("assert", 'subject = { label = "Article 3", in = "Table" }\nproperty = "article number"\n'
                            'object = 4\nnote = "a slip"', "A slip of the keyboard.")
    result = build(docs, out, curation=curation(tmp_path, wrong))
    assert not result.published
    assert "the SHACL gate failed" in result.refusals
    assert f"<{A3}>" in {r.focus for r in result.report.results if r.severity.value == "Violation"}
    assert digest(out) == before


def test_a_rebuild_is_byte_identical(docs: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    folder = curation(tmp_path, RETRACT + ASSERT_QUOTE + ASSERT_NOTE + MERGE + LABEL)
    first = build(docs, tmp_path / "one", curation=folder)
    second = build(docs, tmp_path / "two", curation=folder)
    assert first.published and second.published, first.report.to_text()
    assert len(first.curated.applied) == 5 and not first.curated.warnings
    for name in ("policykg.nt", "policykg.nq", "policykg.trig", "review.json"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
    # the entries' order does not matter: names are looked up in the graph as extracted
    (tmp_path / "shuffled").mkdir()
    shuffled = curation(tmp_path / "shuffled", LABEL + MERGE + ASSERT_NOTE + ASSERT_QUOTE + RETRACT)
    assert build(docs, tmp_path / "three", curation=shuffled).published
    assert (tmp_path / "three" / "policykg.nt").read_bytes() == (tmp_path / "one" / "policykg.nt").read_bytes()


def test_entries_whose_target_is_gone_are_warnings(docs: list[Path], tmp_path: Path) -> None:
    stale = "".join([
        entry("retract", 'subject = { label = "Article 3", in = "Table" }\nproperty = "guided by"\n'
                         'object = "State Data Office"'),  # never said
        entry("assert", 'subject = { label = "Article 3", in = "Table" }\nproperty = "guided by"\nobject = "CAC"\n'
                        'source = "a.md"\nquote = "The CAC will guide the work."'),  # extracted already
        entry("assert", 'subject = "CAC"\nproperty = "type"\nobject = "Administration"\n'
                        'source = "gone.md"\nquote = "x"'),  # a source not in this build
        entry("merge", 'keep = "CAC"\nother = "Ministry of Magic"'),
        entry("label", 'entity = "Ministry of Magic"\nzh = "魔法部"'),
        entry("split", 'name = "State Data Office"'),
    ])
    result = build(docs, tmp_path / "dist", curation=curation(tmp_path, stale, "stale.toml"))
    assert result.published, result.report.to_text()
    found = [w for w in result.warnings if "no longer applies" in w]
    assert len(found) == 6
    lines = sorted(int(re.search(r"stale\.toml:(\d+):", w).group(1)) for w in found)
    headers = [n for n, line in enumerate(stale.splitlines(), 1) if line.startswith("[[")]
    assert lines == headers
    assert any("already" in w for w in found) and any("gone.md" in w for w in found)
    assert any("nothing named 'State Data Office' was merged by name" in w for w in found)
    # the assert of an extracted fact keeps its provenance: the curator vouches for it too
    after = store_of(tmp_path / "dist")
    assert ask(after, f"""GRAPH <{PROVENANCE}> {{ ?s rdf:subject <{A3}> ; rdf:predicate pol:guidedBy ;
        rdf:object <{CAC}> ; prov:wasAttributedTo ?c }}""")


BAD = [
    ("no-curator", ('[[retract]]\nsubject = "CAC"\nproperty = "guided by"\nobject = "CAC"\ndate = 2024-06-03\n'
                    'reason = "x"\n'), 1, "'curator' is missing"),
    ("unknown-property", '[[retract]]\nsubject = "CAC"\nproperty = "guided bye"\nobject = "CAC"\n' + SIGNED
                         + 'reason = "x"\n', 3, "unknown property 'guided bye'"),
    ("unknown-kind", "# a comment\n[[retrakt]]\n", 2, "did you mean [[retract]]"),
    ("unknown-key", '[[label]]\nentity = "CAC"\nzh = "网信办"\n' + SIGNED + 'reson = "x"\n', 6, "unknown key 'reson'"),
    ("bad-date", '[[label]]\nentity = "CAC"\nzh = "网信办"\ncurator = "Wang Fang"\ndate = "June"\nreason = "x"\n',
     5, "'date' must be a date"),
    ("not-toml", '[[label]]\nentity = "CAC\n', 2, "not valid TOML"),
    ("unknown-class", '[[assert]]\nsubject = "CAC"\nproperty = "type"\nobject = "Wizard"\nnote = "n"\n'
                      + SIGNED + 'reason = "x"\n', 4, "unknown class 'Wizard'"),
    ("quote-and-note", '[[assert]]\nsubject = "CAC"\nproperty = "issued by"\nobject = "CAC"\nnote = "n"\n'
                       'quote = "q"\nsource = "a.md"\n' + SIGNED + 'reason = "x"\n', 1, "either a quote"),
    ("quote-not-in-source", '\n[[assert]]\nsubject = { label = "Article 5", in = "List of Measures" }\n'
                            'property = "guided by"\nobject = "NDB"\nsource = "b.md"\n'
                            'quote = "the bureau will guide it"\n' + SIGNED + 'reason = "x"\n',
     7, "the quote is not in"),
    ("ambiguous-name", '[[retract]]\nsubject = "Article 3"\nproperty = "guided by"\nobject = "CAC"\n' + SIGNED
                       + 'reason = "x"\n', 2, "'Article 3' names 2 entities"),
]


@pytest.mark.parametrize("text,line,needle", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_entry_exits_2_with_file_and_line(text: str, line: int, needle: str, docs: list[Path],
                                                plain: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    folder = curation(tmp_path / "good", "")
    assert run("build", *map(str, docs), "--out", str(out), "--curation", str(folder)).returncode == 0
    before = digest(out)
    bad = curation(tmp_path, text, "bad.toml")
    proc = run("build", *map(str, docs), "--out", str(out), "--curation", str(bad))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"bad.toml:{line}: " in proc.stderr, proc.stderr
    assert needle in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert digest(out) == before


def test_load_curation_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such curation folder"):
        load_curation(tmp_path / "nowhere")
    proc = run("review", "--dist", str(tmp_path / "nowhere"))
    assert proc.returncode == 2 and "no build here" in proc.stderr and "Traceback" not in proc.stderr


# --------------------------------------------------------------------------- the server

def test_a_merged_iri_redirects_to_the_kept_entity(docs: list[Path], tmp_path: Path) -> None:
    assert build(docs, tmp_path / "dist", curation=curation(tmp_path, MERGE)).published
    proc, url, _port = servers.serve(tmp_path / "dist", tmp_path / "server.log")
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            for accept, query in (("text/html", ""), ("text/turtle", ""), ("*/*", "?format=jsonld")):
                r = client.get("/id/agency/state-data-office" + query, headers={"Accept": accept})
                assert r.status_code == 303, r.text
                assert r.headers["location"] == "/id/agency/ndb" + query
                assert r.headers["link"] == f'<{NDB}>; rel="canonical"'
            assert client.head("/id/agency/state-data-office").status_code == 303
            r = client.get("/id/agency/state-data-office", headers={"Accept": "text/turtle"}, follow_redirects=True)
            assert r.status_code == 200 and str(r.url).endswith("/id/agency/ndb")
            triples = {q.triple for q in ox.parse(r.content, format=ox.RdfFormat.TURTLE)}
            assert ox.Triple(ox.NamedNode(SDO), ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs"),
                             ox.NamedNode(NDB)) in triples
            page = client.get("/id/agency/ndb", headers={"Accept": "text/html"}).text
            assert "Merged from:" in page and SDO in page
            assert client.get("/id/agency/cac", headers={"Accept": "text/html"}).status_code == 200
    finally:
        servers.stop(proc)


# --------------------------------------------------------------------------- the review

def test_review_lists_each_kind_with_its_sentence_and_entry(docs: list[Path], plain: Path) -> None:
    proc = run("review", "--dist", str(plain), "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    items = list(csv.DictReader(io.StringIO(proc.stdout)))
    kinds = {i["kind"] for i in items}
    assert {"no-agency", "new-entity", "near-duplicate", "merged-by-name"} <= kinds
    no_agency = next(i for i in items if i["kind"] == "no-agency" and i["subject"] == B5)
    assert no_agency["sentence"] == "Article 5: Pilot cities shall train labelling staff; the bureau will see to it."
    line = DOC_B.splitlines().index(next(x for x in DOC_B.splitlines() if "Article 5:" in x)) + 1
    assert no_agency["file"].endswith("b.md") and no_agency["line"] == str(line)
    assert 'property = "guided by"' in no_agency["entry"]
    assert 'subject = { label = "Article 5", in = "List of Measures" }' in no_agency["entry"]
    merged = next(i for i in items if i["kind"] == "merged-by-name")
    assert 'name = "National Data Bureau"' in merged["entry"] and merged["subject"] == NDB
    duplicate = next(i for i in items if i["kind"] == "near-duplicate")
    assert "'Security Assessments' and 'Security Assessment' may be one category" == duplicate["message"]
    assert "[[merge]]" in duplicate["entry"]
    markdown = run("review", "--dist", str(plain)).stdout
    assert markdown.startswith("# Review: what to check in this build")
    assert "> Article 5: Pilot cities shall train labelling staff; the bureau will see to it." in markdown


def test_a_pasted_review_entry_is_accepted_once_filled_in(docs: list[Path], plain: Path, tmp_path: Path) -> None:
    """The review's entry for Article 5, pasted as it is, is refused (unsigned); with the
    object, the quote cut to its words, the curator and the reason, the build applies it."""
    items = list(csv.DictReader(io.StringIO(run("review", "--dist", str(plain), "--format", "csv").stdout)))
    pasted = next(i for i in items if i["kind"] == "no-agency" and i["subject"] == B5)["entry"]
    proc = run("build", *map(str, docs), "--out", str(tmp_path / "dist"),
               "--curation", str(curation(tmp_path, pasted)))
    assert proc.returncode == 2 and "'curator' must be a non-empty string" in proc.stderr
    filled = (pasted.replace('object = ""', 'object = "NDB"')
              .replace('curator = ""', 'curator = "Wang Fang"')
              .replace('reason = ""', 'reason = "The bureau is the NDB."'))
    filled = re.sub(r'quote = "[^"]*"', 'quote = "the bureau will see to it"', filled)
    proc = run("build", *map(str, docs), "--out", str(tmp_path / "dist"),
               "--curation", str(curation(tmp_path, filled)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "curated: assert: Article 5 guided by National Data Bureau" in proc.stdout
    again = list(csv.DictReader(io.StringIO(run("review", "--dist", str(tmp_path / "dist"), "--format",
                                                "csv").stdout)))
    assert not [i for i in again if i["kind"] == "no-agency" and i["subject"] == B5]


# --------------------------------------------------------------------------- the story

#: The curator's corrections of the development document (the browser test shows them too).
STORY = entry("retract", """
subject = { label = "Article 4", in = "Cybersecurity Review Measures (2021)" }
property = "guided by"
object = "Cyberspace Administration of China"
""", "The text says the Cybersecurity Review Office is located in the CAC, not that the CAC guides Article 4.") + \
    entry("assert", """
subject = "Data Security Law"
property = "issued on"
object = 2021-06-10
source = "2022-01-cybersecurity-review-measures.md"
quote = "Data Security Law of the People's Republic of China, adopted on 10 June 2021"
""", "Footnote 2 gives the day the law was adopted; the extractor missed it.")
STORY = STORY.replace("Wang Fang", "Li Wei")
ARTICLE_4 = ID + "measure/cybersecurity-review-measures-2021/4"
DSL = ID + "document/data-security-law"
OFFICE = ID + "agency/cybersecurity-review-office"


def story_entries(review_csv: str) -> str:
    """The story's curation file: the two corrections, and the review's entry for the new
    Cybersecurity Review Office, filled in."""
    items = list(csv.DictReader(io.StringIO(review_csv)))
    office = next(i for i in items if i["kind"] == "new-entity" and i["subject"] == OFFICE)["entry"]
    filled = (office.replace('zh = ""', 'zh = "网络安全审查办公室"')
              .replace('curator = ""', 'curator = "Li Wei"')
              .replace('reason = ""', 'reason = "Its official Chinese name."'))
    return STORY + filled


def test_the_story_review_curate_build_diff(tmp_path: Path) -> None:
    empty = curation(tmp_path / "none", "")
    before, after = tmp_path / "before", tmp_path / "after"
    proc = run("build", str(SEED), str(CYBER), "--out", str(before), "--curation", str(empty))
    assert proc.returncode == 0, proc.stderr
    plain = store_of(before)
    assert data_has(plain, f"<{ARTICLE_4}>", "pol:guidedBy", f"<{CAC}>")  # the wrong fact
    assert not ask(plain, f"GRAPH <{DATA}> {{ <{DSL}> pol:issuedOn ?d }}")  # the missed one

    review = run("review", "--dist", str(before))
    assert review.returncode == 0
    assert "new agency: Cybersecurity Review Office" in review.stdout
    assert "Article 2 of Cybersecurity Review Measures (2021) names no agency" in review.stdout
    folder = curation(tmp_path, story_entries(run("review", "--dist", str(before), "--format", "csv").stdout))

    proc = run("build", str(SEED), str(CYBER), "--out", str(after), "--curation", str(folder))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "curated: retract: Article 4 guided by Cyberspace Administration of China (Li Wei" in proc.stdout
    assert "curated: assert: Data Security Law issued on '2021-06-10' (Li Wei" in proc.stdout
    curated = store_of(after)
    assert not data_has(curated, f"<{ARTICLE_4}>", "pol:guidedBy", f"<{CAC}>")
    assert data_has(curated, f"<{ARTICLE_4}>", "pol:guidedBy", f"<{OFFICE}>")
    assert data_has(curated, f"<{DSL}>", "pol:issuedOn", '"2021-06-10"^^<http://www.w3.org/2001/XMLSchema#date>')
    assert data_has(curated, f"<{OFFICE}>", "rdfs:label", '"网络安全审查办公室"@zh')
    text = CYBER.read_text(encoding="utf-8")
    span = rows(curated, f"""SELECT ?start ?end ?exact WHERE {{ GRAPH <{PROVENANCE}> {{
        ?s rdf:subject <{DSL}> ; rdf:predicate pol:issuedOn ; prov:wasDerivedFrom/oa:hasSelector ?sel .
        ?sel oa:start ?start ; oa:end ?end ; oa:exact ?exact }} }}""")
    assert [(text[int(a):int(b)] == e, e) for a, b, e in span] == \
        [(True, "Data Security Law of the People's Republic of China, adopted on 10 June 2021")]

    notes = run("diff", str(before), str(after))
    assert notes.returncode == 0
    assert "Curators (mappings/curation) retracted 1 and asserted 2 of these facts" in notes.stdout
    assert re.search(r"- removed: guided by: \[Cyberspace Administration of China\]\([^)]*\) — \*retracted by "
                     r"Li Wei, 2024-06-03: The text says the Cybersecurity Review Office is located in the CAC",
                     notes.stdout), notes.stdout
    assert "- added: issued on: 2021-06-10 — *asserted by Li Wei, 2024-06-03: Footnote 2 gives" in notes.stdout

    again = run("review", "--dist", str(after))
    assert "new agency: Cybersecurity Review Office" not in again.stdout  # named in Chinese now

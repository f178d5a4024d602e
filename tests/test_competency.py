"""Competency questions, quality rules and ``policykg query``, on a build of every document.

The graph of all documents (``sources/`` and ``tests/documents/``) is built once for the module.

- Every ``queries/cq/*.rq`` runs against it and must give exactly the rows of its expected
  file (as a list: every competency query has an ORDER BY that fixes the order).
- Every ``queries/qc/*-violation.rq`` returns no rows on it, and a defect planted in a copy of
  the build makes the matching rule fire (and only the rules the case names).
- ``policykg query`` prints tables, CSV, TSV and JSON, and exits 0 or 2; through ``--endpoint``
  it gives the same answers as the build it queries, against a real server on 127.0.0.1.

The expected results were checked by hand against the source texts. After a deliberate change,
regenerate them with ``POLICYKG_UPDATE_EXPECTED=1 pytest tests/test_competency.py`` and review
the diff of ``queries/cq/*.srj`` before committing it.
"""
from __future__ import annotations

import csv
import doctest
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import servers

import policykg.tools.query as query_module
from policykg.errors import InputError
from policykg.pipeline.gate.quality import Severity, load_quality_rules
from policykg.tools.query import (
    CompetencyQuery,
    QueryResult,
    QuerySyntaxError,
    check_quality,
    load_competency_queries,
    read_expected,
    run_query,
)
from policykg.resources import data_root

HERE = Path(__file__).resolve().parent
ROOT = data_root()
DOCUMENTS = sorted(p for p in (ROOT / "sources").glob("*.md") if p.name != "README.md") + \
    sorted(p for p in (HERE / "documents").glob("*.md") if p.name != "README.md")
CQS = load_competency_queries()
UPDATE = bool(os.environ.get("POLICYKG_UPDATE_EXPECTED"))

POL = "https://w3id.org/policykg/ontology#"
ID = "https://w3id.org/policykg/id/"
PREFIXES = f"""PREFIX pol: <{POL}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX agency: <{ID}agency/>
PREFIX area: <{ID}area/>
PREFIX region: <{ID}region/>
PREFIX doc: <{ID}document/>
PREFIX measure: <{ID}measure/>
PREFIX site: <{ID}site/>
PREFIX lexicon: <{ID}lexicon/>
PREFIX data: <https://w3id.org/policykg/graph/data>
PREFIX prv: <https://w3id.org/policykg/graph/provenance>
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The published build of every document."""
    from policykg.pipeline.build import build

    assert len(DOCUMENTS) >= 6, DOCUMENTS
    out = tmp_path_factory.mktemp("cq") / "dist"
    result = build(DOCUMENTS, out)
    assert result.published, result.report.to_text()
    return out


# ------------------------------------------------------------------------- competency questions

def _without_comments(query: str) -> str:
    return "\n".join(line for line in query.splitlines() if not line.lstrip().startswith("#"))


def _ordered(query: str) -> bool:
    return re.search(r"\bORDER\s+BY\b", _without_comments(query), re.IGNORECASE) is not None


def _difference(actual: QueryResult, expected: QueryResult) -> str:
    got, want = Counter(actual.rows), Counter(expected.rows)
    missing = QueryResult.from_solutions(expected.variables, (want - got).elements())
    extra = QueryResult.from_solutions(actual.variables, (got - want).elements())
    return ("missing rows:\n" + missing.to_table() + "unexpected rows:\n" + extra.to_table()
            + "all rows, in order:\n" + actual.to_table())


@pytest.mark.parametrize("cq", CQS, ids=[cq.name for cq in CQS])
def test_competency_question(cq: CompetencyQuery, built: Path) -> None:
    actual = run_query(cq.query, build=built)
    assert cq.expected is not None, f"{cq.path.name}: no '# Expected:' line"
    if UPDATE:
        cq.expected.write_text(actual.to_json(), encoding="utf-8")
    expected = read_expected(cq.expected)
    assert actual.variables == expected.variables
    if _ordered(cq.query):
        assert list(actual.rows) == list(expected.rows), (
            f"{cq.path.name}: {cq.question}\n" + _difference(actual, expected))
    else:
        assert Counter(actual.rows) == Counter(expected.rows), _difference(actual, expected)


def test_competency_files_have_a_header_and_expected_results() -> None:
    assert len(CQS) >= 15
    folder = CQS[0].path.parent
    for cq in CQS:
        lines = cq.query.splitlines()
        assert re.fullmatch(r"\d\d-[a-z0-9]+(-[a-z0-9]+)*", cq.name), cq.name
        assert lines[0].startswith("# ") and cq.question == lines[0][2:].strip(), cq.name
        assert cq.question.endswith("?"), f"{cq.name}: line 1 is the question"
        assert lines[1].startswith("# Why: ") and len(cq.why) > 20, f"{cq.name}: line 2 is '# Why: ...'"
        assert lines[2] == f"# Expected: {cq.name}.srj" or lines[2] == f"# Expected: {cq.name}.tsv", cq.name
        assert cq.expected is not None and cq.expected.is_file(), f"{cq.name}: {cq.expected} is missing"
        assert _ordered(cq.query), f"{cq.name}: needs an ORDER BY, so that its results are deterministic"
        read_expected(cq.expected)  # parses
    names = {cq.name for cq in CQS}
    orphans = [p.name for p in folder.iterdir() if p.suffix in (".srj", ".tsv") and p.stem not in names]
    assert not orphans, f"expected results without a query: {orphans}"


def test_competency_questions_use_the_provenance_graph_by_name() -> None:
    """The default graph is the union of all graphs; provenance facts are asked for by name."""
    for cq in CQS:
        body = _without_comments(cq.query)
        if re.search(r"\b(oa:|prov:wasDerivedFrom|rdf:subject)", body):
            assert "GRAPH <https://w3id.org/policykg/graph/provenance>" in body, cq.name


# ------------------------------------------------------------------------- quality rules

def test_quality_rules_have_a_header_and_a_severity() -> None:
    rules = load_quality_rules()
    assert len(rules) >= 6
    for rule in rules:
        lines = rule.query.splitlines()
        assert lines[0].startswith("# Finds: ") and rule.finds, rule.name
        assert lines[1].startswith("# Why it matters: ") and rule.why, rule.name
        assert rule.severity in (Severity.ERROR, Severity.WARN)
        assert _ordered(rule.query), f"{rule.name}: needs an ORDER BY"


def test_quality_profile_must_cover_every_rule(tmp_path: Path) -> None:
    (tmp_path / "a-violation.rq").write_text("# Finds: x\n# Why it matters: y\nASK {}\n", encoding="utf-8")
    (tmp_path / "profile.toml").write_text("[severity]\n", encoding="utf-8")
    with pytest.raises(InputError, match="rule 'a' has no severity"):
        load_quality_rules(tmp_path)
    (tmp_path / "profile.toml").write_text('[severity]\na = "error"\nb = "warn"\n', encoding="utf-8")
    with pytest.raises(InputError, match="no b-violation.rq"):
        load_quality_rules(tmp_path)
    (tmp_path / "profile.toml").write_text('[severity]\na = "fatal"\n', encoding="utf-8")
    with pytest.raises(InputError, match="must be \"error\" or \"warn\""):
        load_quality_rules(tmp_path)


def test_quality_rules_return_no_rows_on_the_good_build(built: Path) -> None:
    report = check_quality(built)
    assert report.passed, report.to_text()
    assert [r.rule.name for r in report.results if r.rows] == [], report.to_text()
    assert "PASSED" in report.to_text()


M75 = "measure:attached-table-pilot-tasks-specific-measures-division-responsibilities-0576e0d3-2020\\/75"
M116 = "measure:attached-table-pilot-tasks-specific-measures-division-responsibilities-0576e0d3-2020\\/116"
MIIT_GUIDES_75 = f"?st rdf:subject {M75} ; rdf:predicate pol:guidedBy ; rdf:object agency:miit"
NOTICE_2024 = "doc:notice-construction-data-labelling-bases-pilot-cities-2024"


def _drop_fact(s: str, p: str, o: str) -> list[str]:
    """Remove a fact and every statement about it, as if the build had never made it."""
    return [f"DELETE DATA {{ GRAPH data: {{ {s} {p} {o} }} }}",
            (f"DELETE {{ GRAPH prv: {{ ?st ?x ?y }} }} WHERE {{ GRAPH prv: {{ ?st rdf:subject {s} ; "
             f"rdf:predicate {p} ; rdf:object {o} ; ?x ?y }} }}")]


def _lexicon_fact(s: str, p: str, o: str, row: str) -> list[str]:
    """Add a fact whose only support is a lexicon row."""
    return [(f"INSERT DATA {{ GRAPH data: {{ {s} {p} {o} }} GRAPH prv: {{ <{ID}statement/planted> a rdf:Statement ; "
             f"rdf:subject {s} ; rdf:predicate {p} ; rdf:object {o} ; dct:source {row} }} }}")]


MIIT_SELECTOR = (f"GRAPH prv: {{ {MIIT_GUIDES_75} ; prov:wasDerivedFrom ?span . "
                 "?span oa:hasSelector ?sel }")

#: rule -> (the defect as SPARQL Updates, the other rules it also makes fire)
PLANTED: dict[str, tuple[list[str], set[str]]] = {
    "fact-without-provenance": (
        [f"DELETE {{ GRAPH prv: {{ ?st ?x ?y }} }} WHERE {{ GRAPH prv: {{ {MIIT_GUIDES_75} ; ?x ?y }} }}"], set()),
    "known-entity-without-chinese-label": (_drop_fact("agency:cac", "rdfs:label", '"国家互联网信息办公室"@zh'), set()),
    "measure-text-empty": (
        [(f"DELETE {{ GRAPH data: {{ {M75} pol:measureText ?t }} GRAPH prv: {{ ?st rdf:object ?t }} }} "
          f"INSERT {{ GRAPH data: {{ {M75} pol:measureText \" \"@en }} GRAPH prv: {{ ?st rdf:object \" \"@en }} }} "
          f"WHERE {{ GRAPH data: {{ {M75} pol:measureText ?t }} "
          f"GRAPH prv: {{ ?st rdf:subject {M75} ; rdf:predicate pol:measureText ; rdf:object ?t }} }}")], set()),
    "statement-without-fact": (
        [(f"INSERT DATA {{ GRAPH prv: {{ <{ID}statement/planted> a rdf:Statement ; rdf:subject {M75} ; "
          "rdf:predicate pol:guidedBy ; rdf:object agency:mof ; dct:source lexicon:agency\\/mof } }")], set()),
    "statement-without-support": (
        [(f"DELETE {{ GRAPH prv: {{ ?st prov:wasDerivedFrom ?span }} }} "
          f"WHERE {{ GRAPH prv: {{ {MIIT_GUIDES_75} ; prov:wasDerivedFrom ?span }} }}")], set()),
    "span-exact-empty": (
        [(f"DELETE {{ GRAPH prv: {{ ?sel oa:exact ?e }} }} INSERT {{ GRAPH prv: {{ ?sel oa:exact \"\" }} }} "
          f"WHERE {{ {MIIT_SELECTOR} GRAPH prv: {{ ?sel oa:exact ?e }} }}")], {"span-offsets-inconsistent"}),
    "span-offsets-inconsistent": (
        [(f"DELETE {{ GRAPH prv: {{ ?sel oa:end ?e }} }} INSERT {{ GRAPH prv: {{ ?sel oa:end ?later }} }} "
          f"WHERE {{ {MIIT_SELECTOR} GRAPH prv: {{ ?sel oa:end ?e }} BIND (?e + 1 AS ?later) }}")], set()),
    "region-area-outside-provinces": (
        _lexicon_fact("region:northeast-china", "pol:includesArea", "area:haikou", "lexicon:region\\/northeast-china"),
        set()),
    "pilot-area-not-in-text": (
        _lexicon_fact(NOTICE_2024, "pol:pilotArea", "area:hunan", "lexicon:area\\/hunan"), set()),
    "measure-outside-document": (
        _drop_fact(M116, "pol:partOf", "doc:attached-table-pilot-tasks-specific-measures-division-responsibilities-0576e0d3-2020"), set()),
    "site-without-area": (
        _drop_fact("site:changsha-data-labelling-base", "pol:locatedIn", "area:changsha"), set()),
}


def test_every_quality_rule_has_a_planted_defect() -> None:
    assert sorted(PLANTED) == sorted(r.name for r in load_quality_rules())


@pytest.mark.parametrize("rule", sorted(PLANTED))
def test_planted_defect_makes_its_rule_fire(rule: str, built: Path, tmp_path: Path) -> None:
    updates, also = PLANTED[rule]
    store = ox.Store()
    store.bulk_load(path=str(built / "policykg.nq"), format=ox.RdfFormat.N_QUADS)
    before = len(store)
    for update in updates:
        store.update(PREFIXES + update)
    assert len(store) != before or rule in ("measure-text-empty", "span-exact-empty",
                                            "span-offsets-inconsistent"), "the defect changed nothing"
    copy = tmp_path / "dist"
    copy.mkdir()
    store.dump(str(copy / "policykg.nq"), format=ox.RdfFormat.N_QUADS)

    report = check_quality(copy)
    fired = {r.rule.name for r in report.failed()}
    assert fired == {rule} | also, report.to_text()
    severities = {r.rule.name: r.severity for r in report.results}
    assert report.passed == all(severities[name] is Severity.WARN for name in fired)
    assert rule in report.to_text()


# ------------------------------------------------------------------------- the library door

def test_query_result_kinds(built: Path) -> None:
    ask = run_query("ASK { ?m a <https://w3id.org/policykg/ontology#Measure> }", build=built)
    assert ask.kind == "boolean" and ask.boolean is True
    assert json.loads(ask.to_json()) == {"head": {}, "boolean": True}
    graph = run_query(PREFIXES + "CONSTRUCT { ?r rdfs:label ?l } WHERE { ?r a pol:Region ; rdfs:label ?l }",
                      build=built)
    assert graph.kind == "graph" and len(graph) == 8  # four regions, English and Chinese labels
    assert graph.to_ntriples().count("\n") == 8
    table = graph.to_table()
    assert "region:northeast-china" in table and '"东北地区"@zh' in table


def test_the_default_graph_is_the_union_of_the_four_graphs(built: Path) -> None:
    result = run_query(PREFIXES + """SELECT (COUNT(*) AS ?n) WHERE {
        { measure:attached-table-pilot-tasks-specific-measures-division-responsibilities-0576e0d3-2020\\/75 pol:articleNumber 75 }  # data
        { doc:attached-table-pilot-tasks-specific-measures-division-responsibilities-0576e0d3-2020 pol:hasPart
              measure:attached-table-pilot-tasks-specific-measures-division-responsibilities-0576e0d3-2020\\/75 }                   # inferences
        { pol:Measure a <http://www.w3.org/2002/07/owl#Class> }                             # ontology
        { ?span a pol:TextSpan }                                                           # provenance
    } LIMIT 1""", build=built)
    assert int(result.rows[0][0].value) > 0


def test_a_query_that_names_its_dataset_gets_it(built: Path) -> None:
    def count(query: str) -> int:
        return int(run_query(query, build=built).rows[0][0].value)

    data = count("SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/policykg/graph/data> WHERE { ?s ?p ?o }")
    union = count("# not FROM <https://w3id.org/policykg/graph/data>\nSELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert 0 < data < union


def test_syntax_error_and_missing_build(built: Path, tmp_path: Path) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        run_query("SELECT ?x\nWHERE { ?x ?y }", build=built)
    assert info.value.line == 2 or info.value.line == 3
    with pytest.raises(InputError, match="no build here"):
        run_query("ASK {}", build=tmp_path)
    with pytest.raises(InputError, match="not both"):
        run_query("ASK {}", build=built, endpoint="http://127.0.0.1:1/sparql")


def test_docstring_examples_run() -> None:
    assert doctest.testmod(query_module).failed == 0


def test_table_cells_render_as_turtle_terms() -> None:
    xsd = "http://www.w3.org/2001/XMLSchema#"
    result = QueryResult.from_solutions(["a", "b", "c", "d", "e"], [[
        ox.NamedNode(ID + "agency/cac"), ox.Literal("北京市", language="zh"), ox.Literal("28", datatype=ox.NamedNode(xsd + "integer")),
        ox.Literal("2020-08-14", datatype=ox.NamedNode(xsd + "date")), None]])
    table = result.to_table()
    assert "| agency:cac | \"北京市\"@zh | 28 | \"2020-08-14\"^^xsd:date |   |" in table
    widths = {_display_width(line) for line in table.splitlines()[:-1]}
    assert len(widths) == 1, table  # aligned, counting a Chinese character as two columns
    tsv = result.to_tsv().splitlines()
    assert tsv[0] == "?a\t?b\t?c\t?d\t?e" and tsv[1].endswith("\t")


# ------------------------------------------------------------------------- policykg query

def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "policykg", *args], check=False, capture_output=True, text=True,
                          timeout=120, input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL)


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


CQ01 = next(cq for cq in CQS if cq.name.startswith("01-"))


def test_query_prints_a_readable_table(built: Path) -> None:
    proc = cli("query", str(CQ01.path), "--dist", str(built))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert re.fullmatch(r"\| agency +\| name +\| measures +\|", lines[1]), lines[1]
    assert set(lines[2]) == {"="}
    assert any(re.fullmatch(r'\| agency:cac +\| "Cyberspace Administration of China"@en +\| 5 +\|', line)
               for line in lines), proc.stdout
    assert lines[-1] == "(6 rows)"
    assert len({_display_width(line) for line in lines[:-1]}) == 1, "the table is not aligned"


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_query_formats_parse_back(fmt: str, built: Path) -> None:
    proc = cli("query", str(CQ01.path), "--dist", str(built), "--format", fmt)
    assert proc.returncode == 0, proc.stderr
    local = run_query(CQ01.query, build=built)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(proc.stdout)))
        assert rows[0] == list(local.variables)
        assert rows[1] == [ID + "agency/cac", "Cyberspace Administration of China", "5"]
        assert len(rows) == len(local) + 1
    else:
        parsed = ox.parse_query_results(proc.stdout, ox.QueryResultsFormat.TSV if fmt == "tsv"
                                        else ox.QueryResultsFormat.JSON)
        assert QueryResult.from_pyoxigraph(parsed) == local
        if fmt == "json":
            assert json.loads(proc.stdout)["head"]["vars"] == list(local.variables)


def test_query_inline_and_from_stdin(built: Path) -> None:
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?m a <https://w3id.org/policykg/ontology#Measure> }"
    for args, stdin in ((["-q", text], None), (["-"], text)):
        proc = cli("query", *args, "--dist", str(built), "--format", "csv", stdin=stdin)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.splitlines() == ["n", "33"]


def test_query_exit_codes(built: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.rq"
    bad.write_text("# a query with a mistake on line 3\nSELECT ?x\nWHERE { ?x ?y }\n", encoding="utf-8")
    binary = tmp_path / "binary.rq"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00")
    cases = [
        (["query", str(tmp_path / "missing.rq"), "--dist", str(built)], "missing.rq: no such query file"),
        (["query", str(bad), "--dist", str(built)], f"{bad}:4: SPARQL syntax error: error at 4:1"),
        (["query", str(binary), "--dist", str(built)], "not UTF-8"),
        (["query", "-q", "SELECT * { ?s ?p }", "--dist", str(built)], "<query>:1: SPARQL syntax error"),
        (["query", str(CQ01.path), "-q", "ASK {}", "--dist", str(built)], "one of them"),
        (["query", "--dist", str(built)], "one of them"),
        (["query", str(CQ01.path), "--dist", str(tmp_path)], "no build here"),
        (["query", str(CQ01.path), "--format", "xml"], "invalid choice"),
        (["query", "-q", "INSERT DATA { <http://a> <http://a> <http://a> }", "--endpoint",
          "http://127.0.0.1:1/sparql"], "only reads"),
    ]
    for args, needle in cases:
        proc = cli(*args)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert needle in proc.stderr, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
    ok = cli("query", "-q", "ASK {}", "--dist", str(built))
    assert (ok.returncode, ok.stdout) == (0, "true\n")


def test_query_unreachable_endpoint_exits_2() -> None:
    proc = cli("query", str(CQ01.path), "--endpoint", f"http://127.0.0.1:{servers.free_port()}/sparql",
                    "--timeout", "5")
    assert proc.returncode == 2
    assert "cannot query the endpoint" in proc.stderr and "Traceback" not in proc.stderr


def test_endpoint_that_never_answers_times_out() -> None:
    with socket.socket() as listener:  # accepts the connection (backlog) but never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        port = listener.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(InputError, match="cannot query the endpoint"):
            run_query("ASK {}", endpoint=f"http://127.0.0.1:{port}/sparql", timeout=1)
        assert time.monotonic() - started < 10


# ------------------------------------------------------------------------- through an endpoint

def _oxigraph_cli() -> str | None:
    beside = Path(sys.executable).with_name("oxigraph")
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


@pytest.fixture(scope="module", params=["policykg", "oxigraph"])
def endpoint(request, built: Path, tmp_path_factory) -> Iterator[str]:
    """A SPARQL endpoint on 127.0.0.1 serving ``built``: ``policykg serve``, and Oxigraph's own
    server (``oxigraph serve-read-only --union-default-graph``) as a reference."""
    folder = tmp_path_factory.mktemp(f"endpoint-{request.param}")
    log = folder / "server.log"
    port = servers.free_port()
    if request.param == "policykg":
        args = servers.serve_args(built, port, "--workers", "2")
        url = f"http://127.0.0.1:{port}/sparql"
    else:
        oxigraph = _oxigraph_cli()
        if oxigraph is None:
            pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
        subprocess.run([oxigraph, "load", "--location", str(folder / "db"), "--file", str(built / "policykg.nq")],
                       check=True, capture_output=True, timeout=300)
        args = [oxigraph, "serve-read-only", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}",
                "--union-default-graph"]
        url = f"http://127.0.0.1:{port}/query"
    proc = servers.start(args, url + "?query=ASK%7B%7D", log)
    try:
        yield url
    finally:
        servers.stop(proc)


@pytest.mark.parametrize("cq", CQS, ids=[cq.name for cq in CQS])
def test_competency_question_through_the_endpoint(cq: CompetencyQuery, endpoint: str, built: Path) -> None:
    remote = run_query(cq.query, endpoint=endpoint, timeout=30)
    local = run_query(cq.query, build=built)
    assert remote.variables == local.variables
    assert list(remote.rows) == list(local.rows), "\n" + remote.to_table() + local.to_table()


def test_query_command_through_the_endpoint(endpoint: str, built: Path, tmp_path: Path) -> None:
    proc = cli("query", str(CQ01.path), "--endpoint", endpoint, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    parsed = QueryResult.from_pyoxigraph(ox.parse_query_results(proc.stdout, ox.QueryResultsFormat.JSON))
    assert parsed == run_query(CQ01.query, build=built)

    graph = run_query(PREFIXES + "CONSTRUCT { ?r rdfs:label ?l } WHERE { ?r a pol:Region ; rdfs:label ?l }",
                      endpoint=endpoint)
    assert graph.kind == "graph" and len(set(graph.graph)) == 8
    assert run_query("ASK { ?s ?p ?o }", endpoint=endpoint).boolean is True

    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT *\nWHERE { ?s ?p ?o ) }\n", encoding="utf-8")
    proc = cli("query", str(bad), "--endpoint", endpoint)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    # file:line from the server's message (Oxigraph's parser reports where it gave up)
    assert re.search(re.escape(str(bad)) + r":\d+: the endpoint refused the query: .*error at \d+:\d+",
                     proc.stderr), proc.stderr
    assert "Traceback" not in proc.stderr

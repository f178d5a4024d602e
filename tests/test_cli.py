"""The ``policykg`` command, run as a real process: exit codes, messages, no tracebacks."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
BASE = HERE / "shapes" / "base.ttl"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "policykg", *args], capture_output=True,
                          text=True, timeout=300, cwd=cwd, stdin=subprocess.DEVNULL)


def assert_no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout


def test_validate_conforming_file_exits_0() -> None:
    proc = run("validate", str(BASE))
    assert proc.returncode == 0, proc.stderr
    assert "SHACL gate: PASSED (0 violations, 0 warnings, 0 infos)" in proc.stdout


def test_validate_violating_file_exits_1_with_report_grouped_by_severity(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    text = BASE.read_text(encoding="utf-8")
    text = text.replace("pol:articleNumber 76 ;", "pol:articleNumber 75 ;")  # duplicate article
    text = text.replace("pol:guidedBy agency:cac , agency:mofcom .", ".")     # and no agency
    bad.write_text(text, encoding="utf-8")
    proc = run("validate", str(bad))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert "SHACL gate: FAILED (2 violations, 1 warnings, 0 infos)" in out
    assert out.index("== Violations (2) ==") < out.index("== Warnings (1) ==")
    assert "Article 75 appears more than once in the same measure table" in out
    assert "The measure names no guiding agency." in out
    assert_no_traceback(proc)


def test_validate_turtle_report_is_a_shacl_report() -> None:
    from rdflib import Graph
    from rdflib.namespace import SH

    proc = run("validate", "--format", "turtle", str(BASE))
    assert proc.returncode == 0
    report = Graph().parse(data=proc.stdout, format="turtle")
    assert [str(c) for c in report.objects(None, SH.conforms)] == ["true"]


@pytest.mark.parametrize("content,needle,line", [
    (None, "no such file", None),
    (b"", "the file is empty", 1),
    (b"\x89PNG\r\n\x1a\n\x00\x00binary", "not UTF-8", 1),
    (b"@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b \"open\n", "RDF syntax error", 3),
])
def test_validate_bad_input_exits_2_naming_file_and_line(tmp_path: Path, content: bytes | None,
                                                           needle: str, line: int | None) -> None:
    path = tmp_path / "input.ttl"
    if content is not None:
        path.write_bytes(content)
    proc = run("validate", str(path))
    assert proc.returncode == 2
    where = f"{path}:{line}: " if line else f"{path}: "
    assert where in proc.stderr and needle in proc.stderr, proc.stderr
    assert_no_traceback(proc)


def test_validate_unknown_extension_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "graph.rdfz"
    path.write_text("x", encoding="utf-8")
    proc = run("validate", str(path))
    assert proc.returncode == 2 and "unknown RDF file extension" in proc.stderr


def test_validate_reads_other_formats(tmp_path: Path) -> None:
    from rdflib import Graph

    graph = Graph().parse(BASE)
    for fmt, suffix in (("xml", ".rdf"), ("nt", ".nt"), ("json-ld", ".jsonld"), ("trig", ".trig")):
        target = tmp_path / f"base{suffix}"
        graph.serialize(target, format=fmt)
        proc = run("validate", str(target))
        assert proc.returncode == 0, (suffix, proc.stdout, proc.stderr)


def test_usage_error_exits_2() -> None:
    proc = run("validate")
    assert proc.returncode == 2 and "usage:" in proc.stderr
    proc = run("no-such-command")
    assert proc.returncode == 2


def test_check_reports_every_model_check() -> None:
    proc = run("check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 5 and all(line.startswith("ok ") for line in lines), proc.stdout


def test_docs_writes_a_page(tmp_path: Path) -> None:
    proc = run("docs", "--out", str(tmp_path / "docs"))
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "docs" / "index.html").read_text(encoding="utf-8")
    assert "guided by" in page and "指导单位" in page


def test_vocab_check_passes_on_a_clean_tree() -> None:
    proc = run("vocab", "--check")
    assert proc.returncode == 0, proc.stderr


def test_help_is_quick() -> None:
    # not a benchmark: a guard that --help imports nothing heavy (rdflib, pyshacl, ...)
    code = ("import sys, policykg.cli as c\n"
            "try: c.main(['--help'])\n"
            "except SystemExit: pass\n"
            "heavy = [m for m in ('rdflib', 'pyshacl', 'pyoxigraph', 'owlready2', 'jinja2') if m in sys.modules]\n"
            "print('heavy:' + ','.join(heavy))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert proc.stdout.strip().splitlines()[-1] == "heavy:"


def test_builds_lists_the_kept_builds_and_rollback_goes_to_any(tmp_path: Path) -> None:
    from test_publish import do_publish, variant

    out = tmp_path / "dist"
    assert run("builds", "--dist", str(out)).stdout == f"no build in {out}\n"
    ids = [do_publish(variant(i), out).id for i in range(3)]
    proc = run("builds", "--dist", str(out))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["id", "built", "sources", "data", "triples", "state", "folder"]
    assert [line.split()[:2] for line in lines[1:4]] == [["*", ids[2]], ["1", ids[1]], ["2", ids[0]]]
    assert all("complete" in line for line in lines[1:4])
    assert lines[2].endswith(f"dist.history/000002-{ids[1]}")

    proc = run("rollback", "--dist", str(out))  # back to the previous build
    assert proc.returncode == 0, proc.stderr
    assert f"holds build {ids[1]} again" in proc.stdout and f"{ids[2]}, is kept as" in proc.stdout
    proc = run("rollback", "--dist", str(out), "--to", ids[0][:6])  # or to any kept build
    assert proc.returncode == 0 and f"holds build {ids[0]} again" in proc.stdout
    assert [line.split()[1] for line in run("builds", "--dist", str(out)).stdout.splitlines()[1:4]] \
        == [ids[0], ids[1], ids[2]]

    proc = run("rollback", "--dist", str(out), "--to", "ffffffff")
    assert proc.returncode == 2 and "no kept build has the id 'ffffffff'" in proc.stderr
    assert_no_traceback(proc)
    proc = run("rollback", "--dist", str(tmp_path / "nothing"))
    assert proc.returncode == 2 and "no previous build" in proc.stderr

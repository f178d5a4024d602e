"""The OWL check: the OWL API's OWL 2 DL profile check and HermiT, through policykg.tools.owlcheck.

Each fixture in tests/owl/ is a small ontology with one known property; the assertions are on
the exact typed results. All tests need a Java runtime and are skipped without one.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policykg import resources
from policykg.errors import EnvironmentProblem, InputError
from policykg.tools.owlcheck import OwlCheckResult, ProfileViolation, check_owl

OWL = Path(__file__).parent / "owl"

pytestmark = [
    pytest.mark.java,
    pytest.mark.skipif(shutil.which("java") is None,
                       reason="no Java runtime on PATH (the OWL API / HermiT check needs one: "
                              "apt-get install default-jdk-headless)"),
]


def test_clean_dl_ontology_is_ok() -> None:
    result = check_owl(OWL / "clean_dl.ttl")
    assert isinstance(result, OwlCheckResult)
    assert result.path == str(OWL / "clean_dl.ttl")
    assert result.profile_violations == ()
    assert result.consistent is True
    assert result.unsatisfiable == ()
    assert result.unresolved_imports == ()
    assert result.reasoner_error is None
    assert result.ok
    assert result.axioms == 21
    assert result.logical_axioms == 12
    assert "OK" in result.summary().splitlines()[0]


def test_clean_dl_ontology_in_rdfxml_and_ntriples(tmp_path: Path) -> None:
    rdflib = pytest.importorskip("rdflib")
    graph = rdflib.Graph().parse(OWL / "clean_dl.ttl", format="turtle")
    for name, fmt in (("clean.owl", "xml"), ("clean.nt", "nt")):
        target = tmp_path / name
        graph.serialize(target, format=fmt, encoding="utf-8")
        result = check_owl(target)
        assert result.ok, result.summary()
        # Only the logical axioms: the OWL API 3 N-Triples/Turtle parser turns an ontology
        # annotation whose triple comes before the "a owl:Ontology" triple into an extra
        # annotation assertion, so the total depends on rdflib's triple order.
        assert result.logical_axioms == 12


def test_owl2_full_ontology_breaks_the_dl_profile() -> None:
    result = check_owl(OWL / "full_punning.ttl")
    kinds = [v.kind for v in result.profile_violations]
    assert kinds == ["IllegalPunning", "IllegalPunning", "IllegalPunning",
                     "UseOfUndeclaredClass"]
    assert all(isinstance(v, ProfileViolation) for v in result.profile_violations)
    punned = "http://example.org/policykg-test/full#hasValue"
    assert all(punned in v.message for v in result.profile_violations[:3])
    undeclared = "http://example.org/policykg-test/full#Instrument"
    assert undeclared in result.profile_violations[3].message
    # HermiT still reasons over it; only the profile check fails.
    assert result.consistent is True
    assert result.unsatisfiable == ()
    assert result.reasoner_error is None
    assert not result.ok
    summary = result.summary()
    assert "4 violation(s)" in summary and "UseOfUndeclaredClass" in summary


def test_inconsistent_ontology() -> None:
    result = check_owl(OWL / "inconsistent.ttl")
    assert result.profile_violations == ()
    assert result.consistent is False
    assert result.unsatisfiable == ()
    assert result.reasoner_error is None
    assert not result.ok
    assert "INCONSISTENT" in result.summary()


def test_unsatisfiable_class() -> None:
    result = check_owl(OWL / "unsatisfiable.ttl")
    assert result.profile_violations == ()
    assert result.consistent is True
    assert result.unsatisfiable == ("http://example.org/policykg-test/unsat#ForbiddenDuty",)
    assert result.reasoner_error is None
    assert not result.ok
    assert "http://example.org/policykg-test/unsat#ForbiddenDuty" in result.summary()


def test_xsd_date_passes_the_profile_but_hermit_refuses_it() -> None:
    result = check_owl(OWL / "xsd_date.ttl")
    # The OWL API 3 DL profile check does not flag xsd:date ...
    assert result.profile_violations == ()
    # ... but HermiT only knows the OWL 2 datatype map.
    assert result.reasoner_error is not None
    assert result.reasoner_error.startswith("UnsupportedDatatypeException")
    assert "http://www.w3.org/2001/XMLSchema#date" in result.reasoner_error
    assert result.consistent is None
    assert result.unsatisfiable == ()
    assert not result.ok
    assert "HermiT could not reason" in result.summary()


def test_imports_are_reported_not_downloaded(tmp_path: Path) -> None:
    text = (OWL / "clean_dl.ttl").read_text(encoding="utf-8")
    text += ("\n<http://example.org/policykg-test/clean> owl:imports "
             "<http://example.invalid/nowhere.owl> .\n")
    target = tmp_path / "with_import.ttl"
    target.write_text(text, encoding="utf-8")
    result = check_owl(target, timeout=60)
    assert result.unresolved_imports == ("http://example.invalid/nowhere.owl",)
    assert result.ok  # an unavailable import is a note, not a failure
    assert "not available locally" in result.summary()


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.ttl"
    with pytest.raises(InputError) as caught:
        check_owl(missing)
    assert caught.value.path == str(missing)
    assert str(missing) in str(caught.value)


def test_garbage_file_is_an_input_error() -> None:
    garbage = OWL / "garbage.ttl"
    with pytest.raises(InputError) as caught:
        check_owl(garbage)
    error = caught.value
    assert error.path == str(garbage)
    assert str(garbage) in str(error)
    assert "cannot parse" in error.message
    assert "\n" not in error.message


def test_timeout_is_an_environment_problem() -> None:
    with pytest.raises(EnvironmentProblem) as caught:
        check_owl(OWL / "clean_dl.ttl", timeout=0.01)
    assert "did not finish" in caught.value.message


def test_missing_java_is_an_environment_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    import policykg.tools.owlcheck as owlcheck

    monkeypatch.setattr(owlcheck.shutil, "which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(EnvironmentProblem) as caught:
        check_owl(OWL / "clean_dl.ttl")
    assert caught.value.hint is not None and "jdk" in caught.value.hint.lower()


def test_project_ontology_is_dl_and_consistent() -> None:
    path = resources.ontology_path()
    assert path.is_file(), f"the project ontology {path} does not exist yet"
    result = check_owl(path)
    assert result.ok, "the project ontology fails the OWL check:\n" + result.summary()

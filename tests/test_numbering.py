"""Every way the catalogue numbers and lays out measures (tests/documents/numbering/cases.toml),
built through the whole pipeline and measured with policykg eval: exact, in each form."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import formats
from policykg.pipeline.build import build
from policykg.tools.evaluate import build_and_evaluate, read_facts

HERE = Path(__file__).resolve().parent / "documents" / "numbering"
DATA = tomllib.loads((HERE / "cases.toml").read_text(encoding="utf-8"))
CASES = DATA["case"]
SUFFIX = {"markdown": ".md", "text": ".txt", "html": ".html"}


def write(case: dict, folder: Path) -> tuple[Path, Path]:
    markdown = DATA["document"].replace("{measures}", case["measures"].strip()).lstrip()
    path = folder / (case["name"] + SUFFIX[case["form"]])
    if case["form"] == "markdown":
        path.write_text(markdown, encoding="utf-8")
    elif case["form"] == "text":
        path.write_text(formats.to_text(markdown), encoding="utf-8")
    else:
        path.write_text(formats.to_html(markdown), encoding="utf-8")
    gold = folder / (case["name"] + ".facts")
    gold.write_text(DATA["facts"] + (DATA[case["facts"]] if case.get("facts") else ""), encoding="utf-8")
    return path, gold


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_each_numbering_form_builds_exactly(case: dict, tmp_path: Path) -> None:
    path, gold = write(case, tmp_path)
    result = build_and_evaluate(read_facts(gold), path)
    wrong = [str(f) for f in result.wrong]
    missed = [str(f) for f in result.missed]
    assert (missed, wrong) == ([], []), result.to_markdown() if hasattr(result, "to_markdown") else result
    for warning in case.get("warnings", []):
        built = build([path], tmp_path / "dist")
        assert any(warning in w for w in built.warnings), built.warnings


def test_every_catalogue_form_has_a_case() -> None:
    """numbering.toml's forms each appear in a case (and so do tables and the agency prefix)."""
    from policykg.pipeline.structure import numbering_forms

    text = "\n".join(c["measures"] for c in CASES)
    for form in numbering_forms():
        assert form.pattern.search(text) or form.numbered_list, form.name
    assert sum(c["form"] == "html" for c in CASES) >= 2


HOLDERS = DATA["holder"]


@pytest.mark.parametrize("case", HOLDERS, ids=[c["name"] for c in HOLDERS])
def test_measures_belong_to_the_document_that_holds_them(case: dict, tmp_path: Path) -> None:
    markdown = DATA["holder_document"].format(**case).lstrip()
    path = tmp_path / (case["name"] + ".md")
    path.write_text(markdown, encoding="utf-8")
    gold = tmp_path / (case["name"] + ".facts")
    gold.write_text(DATA["holder_facts"].format(**case) + case["facts"], encoding="utf-8")
    result = build_and_evaluate(read_facts(gold), path)
    assert ([str(f) for f in result.missed], [str(f) for f in result.wrong]) == ([], []), result.to_table()

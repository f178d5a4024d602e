"""Forms of the genre met in session 8 (issue 13): measures numbered in a form policykg does not
know, and updates that number no measures at all. Each on a small document of its own."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from policykg.errors import InputError
from test_genre_forms import _extract, _facts
from test_genre_forms_g import NOTICE


def _numbers(x) -> list[int]:
    return sorted(int(str(f["iri"]).rsplit("/", 1)[-1]) for f in _facts(x, "measure"))


def test_a_label_that_numbers_three_blocks_is_learnt_as_the_measures_form(tmp_path: Path) -> None:
    text = NOTICE + "\n\n" + "".join(f"Point {n}: {w} cities share the data they hold. MIIT is responsible.\n\n"
                                     for n, w in ((1, "Large"), (2, "Coastal"), (4, "Pilot")))
    x = _extract(tmp_path, "u.txt", text)
    assert _numbers(x) == [1, 2, 4]
    assert any('measures numbered "Point 1", ...' in w and "learnt from this document" in w
               for w in x.document.warnings)


@pytest.mark.parametrize("label", ["§", "Measure No.", "Point"])
def test_learnt_forms_keep_their_separators(tmp_path: Path, label: str) -> None:
    text = NOTICE + "\n\n" + "".join(f"**{label} {n}** – Cities share data of kind {n}.\n\n" for n in (3, 4, 5))
    assert _numbers(_extract(tmp_path, "u.md", text)) == [3, 4, 5]


@pytest.mark.parametrize("label", ["Chapter", "Table", "Phase", "Section"])
def test_the_parts_of_a_text_are_never_learnt_as_measures(tmp_path: Path, label: str) -> None:
    text = NOTICE + "\n\n" + "".join(f"{label} {n}: Cities share data of kind {n}.\n\n" for n in (1, 2, 3)) + \
        "- **Article 1:** Cities share data. MIIT is responsible.\n"
    assert _numbers(_extract(tmp_path, "u.md", text)) == [1]


def test_two_blocks_teach_no_form(tmp_path: Path) -> None:
    """Two "Point N" blocks are too few to be the document's numbering: nothing is learnt, and
    the update, which names a document, is read without measures (next test)."""
    text = NOTICE + "\n\n" + "".join(f"Point {n}: Cities share data of kind {n}.\n\n" for n in (1, 2))
    x = _extract(tmp_path, "u.md", text)
    assert _numbers(x) == []
    assert not any("learnt from this document" in w for w in x.document.warnings)


def test_a_known_form_anywhere_means_nothing_is_learnt(tmp_path: Path) -> None:
    text = NOTICE + "\n\n- **Article 9:** Cities share data. MIIT is responsible.\n\n" + \
        "".join(f"Point {n}: a remark on the notice, number {n}.\n\n" for n in (1, 2, 3))
    assert _numbers(_extract(tmp_path, "u.md", text)) == [9]


def test_an_update_that_numbers_no_measures_but_names_documents_is_read_for_the_rest(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "\n\nThe pilots run for two years from the date of the notice.\n")
    assert not _facts(x, "measure")
    notice = [r for r in x.records if r.kind == "document" and "Second Batch" in str(r.get("label"))]
    assert notice and {str(f["agency"]).rsplit("/", 1)[-1] for f in _facts(x, "issuance")} >= {"mohurd", "miit"}
    assert _facts(x, "trial")
    assert any("no numbered measures found" in w and "are not extracted" in w for w in x.warnings)


def test_an_update_that_numbers_no_measures_and_names_no_document_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "u.md"
    path.write_text("# Smart Cities\n\nPolicy Update | December 2021\n\nCities met and talked about data.\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as info:
        _extract(tmp_path, "u.md", path.read_text(encoding="utf-8"))
    assert "0 numbered measures" in info.value.message and info.value.line == 1


def _issuers(x) -> set[tuple[str, str]]:
    return {(str(f["document"]).rsplit("/", 1)[-1].split("-")[0], str(f["agency"]).rsplit("/", 1)[-1])
            for f in _facts(x, "issuance")}


LAW = ("# The PIPL\n\nClient Alert | August 2021\n\nOn 20 August 2021 the Standing Committee of the National "
       "People's Congress (the NPCSC) adopted the **Personal Information Protection Law** (the PIPL). ")


def test_an_agency_that_issued_no_rules_under_a_law_is_no_issuer_of_it(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", LAW + "In practice the Ministry of Industry and Information Technology (MIIT) "
                 "polices apps, but MIIT has issued no rules under the PIPL so far.\n\n"
                 "- **Article 38:** Transfers abroad need a route.\n")
    assert _issuers(x) == {("personal", "npcsc")}


def test_rules_most_of_which_an_agency_issued_are_not_the_law(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", LAW + "The PIPL leaves the detail to implementing rules, most of which the "
                 "Cyberspace Administration of China has since issued.\n\n- **Article 38:** Transfers abroad need a route.\n")
    assert _issuers(x) == {("personal", "npcsc")}


def test_its_articles_are_those_of_the_document_the_paragraph_is_about(tmp_path: Path) -> None:
    """"Its 74 articles" two sentences after "The PIPL is ...": the PIPL's, not those of the law
    named last in between."""
    x = _extract(tmp_path, "u.md", LAW + "\n\nThe PIPL is China's first comprehensive law on personal information. "
                 "With the Cybersecurity Law and the **Data Security Law** it completes the three pillars. It "
                 "applies abroad too. Its 74 articles in eight chapters borrow from the GDPR.\n\n"
                 "- **Article 38:** Transfers abroad need a route.\n")
    holders = {str(f["table"]).rsplit("/", 1)[-1] for f in _facts(x, "article")}
    assert holders == {"personal-information-protection-law"}


@pytest.mark.parametrize("heading,name", [("### I. Infrastructure", "infrastructure"),
                                          ("### (c) Data and security", "data-and-security"),
                                          ("### 3.1 Two foundations", "two-foundations"),
                                          ("### Part II – Teaching", "teaching"),
                                          ("### 三、Evaluation", "evaluation")])
def test_a_category_is_named_without_the_numeral_before_it(tmp_path: Path, heading: str, name: str) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + f"\n\n{heading}\n\n- **Article 1:** Cities share data. MIIT is responsible.\n")
    assert {str(f["category"]).rsplit("/", 1)[-1] for f in _facts(x, "categorisation")} == {name}


def test_a_count_in_the_last_column_of_a_table_of_batches_numbers_no_measures(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "\n\n| Batch | Notice dated | Pilot cities | Number |\n|---|---|---|---|\n"
                 "| First | 28 March 2019 | Changsha; Wenzhou | 2 |\n| Second | 1 December 2021 | Nanjing | 10 |\n\n"
                 "## Tasks\n\n- **Article 1:** Cities share data. MIIT is responsible.\n")
    assert _numbers(x) == [1]


def test_a_creation_period_counted_from_the_date_of_the_notice(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "\n\nThe notice did three things. It set out tasks in an attached "
                 "**Table of Key Tasks** (the Table); and it fixed a creation period of three years, counted from "
                 "the date of the Notice, after which each zone undergoes acceptance.\n\n"
                 "- **Article 1:** Cities share data. MIIT is responsible.\n")
    assert [(f["start"], f["end"]) for f in _facts(x, "trial")] == [(dt.date(2021, 12, 1), dt.date(2024, 11, 30))]
    assert {str(f["notice"]).rsplit("/", 1)[-1].split("-")[0] for f in _facts(x, "trial")} == {"notice"}


def test_a_period_after_a_notice_named_since_the_last_issuing_is_that_notices(tmp_path: Path) -> None:
    """"... the Plan, which the MOE issued in 2018. The Notice ... applies the tasks to ten new
    areas. Their creation period is likewise three years": the Notice's, named after the Plan's
    issuing was reported."""
    x = _extract(tmp_path, "u.md", "# Zones\n\nPolicy Update | May 2021\n\nThe zones implement the **Education "
                 "Informatization 2.0 Action Plan**, which the Ministry of Education (MOE) issued on 13 April 2018.\n\n"
                 "The **Notice on Announcing the Second Batch of Creation Areas** (the 2021 Notice) applies the tasks "
                 "of the Plan to ten new areas. Their creation period is likewise three years, counted from 22 "
                 "March 2021.\n\n- **Article 1:** Zones share data. The MOE is responsible.\n")
    trials = _facts(x, "trial")
    assert [(f["start"], f["end"]) for f in trials] == [(dt.date(2021, 3, 22), dt.date(2024, 3, 21))]
    assert str(trials[0]["notice"]).rsplit("/", 1)[-1].startswith("notice-announcing-second-batch")

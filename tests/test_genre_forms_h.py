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


NOTE = ("Two Years of East Data, West Computing\r\n\r\nWorking Note 2024/03 -- March 2024\r\n\r\n\r\n"
        "1. Why this note\r\n\r\nIn February 2022 Beijing launched the project. This note retraces it.\r\n\r\n\r\n"
        "2. The documents\r\n\r\nThe project rests on documents issued by the National Development and Reform "
        "Commission (NDRC) with the CAC, MIIT and the NEA:\r\n\r\n"
        "- the Guiding Opinions on Accelerating the Construction of the National Integrated Big Data Centre "
        "System, issued by the four departments on 23 December 2020 (the \"2020 Guiding Opinions\");\r\n\r\n"
        "- the Implementation Opinions on Deepening the \"East Data, West Computing\" Project and Accelerating "
        "the National Computing Network, dated 25 December 2023 (the \"Implementation Opinions\"). This time there "
        "are five issuers: the NDRC, the National Data Administration (NDA), the CAC, MIIT and the NEA.\r\n\r\n\r\n"
        "3. Hub nodes\r\n\r\nTable 1 -- Hub nodes (as approved in February 2022)\r\n\r\n"
        "The 2020 Guiding Opinions name the hubs.\r\n\r\n\r\n"
        "4. The tasks of the 2020 Guiding Opinions\r\n\r\nWe number the tasks as the Opinions do.\r\n\r\n"
        "Task 1 -- Build data centre clusters in the hub nodes.\r\n\r\nTask 2 -- Connect the hubs.\r\n\r\n"
        "Task 3 -- Green power.\r\n")


def test_numbered_section_lines_of_a_plain_text_are_headings_not_the_title(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.txt", NOTE)
    blocks = {x.document.text[b.start:b.end]: b.kind for b in x.document.blocks}
    assert blocks["Two Years of East Data, West Computing"] == "title"
    assert blocks["1. Why this note"] == blocks["4. The tasks of the 2020 Guiding Opinions"] == "heading"


def test_a_short_name_at_the_end_of_the_clause_names_the_document_of_the_clause(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.txt", NOTE)
    opinions = [r for r in x.records if r.kind == "document" and "Guiding Opinions" in str(r.get("label"))]
    assert len(opinions) == 1 and "2020 Guiding Opinions" in opinions[0].get("alt")
    assert {str(f["table"]).rsplit("/", 1)[-1].split("-")[0] for f in _facts(x, "article")} == {"guiding"}


def test_issued_by_the_four_departments_named_together_before(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.txt", NOTE)
    assert {a for d, a in _issuers(x) if d == "guiding"} == {"ndrc", "cac", "miit", "nea"}


def test_a_quoted_name_inside_a_documents_name_and_a_list_of_its_issuers(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.txt", NOTE)
    labels = {str(r.get("label")) for r in x.records if r.kind == "document"}
    assert 'Implementation Opinions on Deepening the "East Data, West Computing" Project and Accelerating the ' \
           'National Computing Network' in labels
    assert {a for d, a in _issuers(x) if d == "implementation"} == {"ndrc", "nda", "cac", "miit", "nea"}


def test_a_count_of_issuers_that_does_not_match_the_list_is_left_out(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.txt", NOTE.replace("are five issuers", "are six issuers"))
    assert not {a for d, a in _issuers(x) if d == "implementation"}
    assert any("6 issuers of" in w and "left out" in w for w in x.warnings)


def _areas(x) -> set[str]:
    return {str(f["area"]).rsplit("/", 1)[-1] for f in _facts(x, "pilot_area")}


def test_an_ordinal_inside_an_agencys_name(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Zhejiang\n\nPolicy Update | March 2022\n\nOn 21 January 2022 the Standing "
                 "Committee of the 13th Zhejiang Provincial People's Congress adopted the **Zhejiang Provincial Public "
                 "Data Regulations** (the Regulations).\n\n- **§ 9** — Data are gathered on one platform.\n"
                 "- **§ 11** — Catalogues are compiled.\n- **§ 16** — Data are collected once.\n")
    issuers = {str(f["agency"]).rsplit("/", 1)[-1] for f in _facts(x, "issuance")}
    assert issuers == {"standing-committee-of-the-13th-zhejiang-provincial-peoples-congress"}


@pytest.mark.parametrize("sentence", ["Disputes are decided by the CAC.", "The CAC supervises the platforms.",
                                      "The CAC works with the provinces on it.", "The CAC draws up the catalogue."])
def test_more_ways_of_saying_who_is_responsible(tmp_path: Path, sentence: str) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + f"\n\n- **Article 1:** Cities share data. {sentence}\n")
    assert {str(f["agency"]).rsplit("/", 1)[-1] for f in _facts(x, "guidance")} == {"cac"}


def test_pilot_cities_between_dashes_after_what_they_are_for(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "\n\nUnder the notice MOHURD has chosen four pilot cities for authorised "
                 "operation — Hangzhou, Ningbo, Wenzhou and Huzhou — where governments grant rights in fields such as "
                 "transport and health.\n\n- **Article 1:** Cities share data. MIIT is responsible.\n")
    assert _areas(x) == {"hangzhou", "ningbo", "wenzhou", "huzhou"}
    assert [f["count"] for f in _facts(x, "stated_count")] == [4]


def test_the_new_zones_of_a_reply_named_before_placed_in_their_provinces(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Zones\n\nPolicy Update | May 2024\n\nMOFCOM issued the **Opinions on "
                 "Overseas Warehouses** on 29 May 2024. The State Council has added zones in batches. The most "
                 "recent is its Reply on Establishing Cross-Border E-Commerce Comprehensive Pilot Zones in 33 Cities, "
                 "dated 14 November 2022. The 33 new zones include Langfang and Cangzhou in Hebei, Yuncheng in "
                 "Shanxi, and Nanping and Ningde in Fujian; the Reply lists 28 more.\n\n"
                 "- **Article 1:** Firms sell abroad. MOFCOM is responsible.\n")
    reply = {str(f["notice"]).rsplit("/", 1)[-1].split("-")[0] for f in _facts(x, "pilot_area")}
    assert reply == {"reply"}
    assert _areas(x) == {"langfang", "cangzhou", "yuncheng", "nanping", "ningde"}
    assert [f["count"] for f in _facts(x, "stated_count")] == [33]  # the text names only some: "include"


def test_a_year_before_pilot_zones_is_no_count(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "\n\nMOFCOM's 2024 evaluation of the pilot zones is due.\n\n"
                 "- **Article 1:** Cities share data. MIIT is responsible.\n")
    assert not _facts(x, "stated_count") and not any("2024 pilot areas" in w for w in x.warnings)


def test_regulators_that_signed_a_document_issued_it_unless_another_verb_says_so(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Deepfakes\n\nPolicy Update | January 2023\n\nThree regulators – the Cyberspace "
                 "Administration of China, the Ministry of Industry and Information Technology and the Ministry of "
                 "Public Security – signed the **Provisions on Deep Synthesis** on 25 November 2022.\n\n"
                 "- **Article 1:** Content is labelled. The CAC is responsible.\n")
    assert {a for _, a in _issuers(x)} == {"cac", "miit", "mps"}
    assert [f["date"] for f in _facts(x, "issue_date")] == [dt.date(2022, 11, 25)]
    y = _extract(tmp_path, "v.md", "# CII\n\nPolicy Update | August 2021\n\nThe State Council has issued the "
                 "**Regulations on CII** (the Regulations). They were adopted at an executive meeting of the State "
                 "Council on 27 April 2021, and the Premier signed them on 30 July 2021.\n\n"
                 "- **Article 1:** Operators protect CII. The CAC is responsible.\n")
    # "adopted ..., and the Premier signed them": the signing is no second issuing; the adoption
    # by the executive meeting is no issue date of regulations either (unsure: none)
    assert {a for _, a in _issuers(y)} == {"state-council"}
    assert dt.date(2021, 4, 27) not in {f["date"] for f in _facts(y, "issue_date")}


def test_co_issuers_after_the_verb_of_a_relative_clause(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "The notice builds directly on the **Provisions on Algorithmic "
                 "Recommendation** (the “Algorithm Provisions”), which the CAC issued with MIIT, the MPS and the "
                 "State Administration for Market Regulation (SAMR) on 31 December 2021.\n\n"
                 "- **Article 1:** Filing follows the Algorithm Provisions. MIIT is responsible.\n")
    assert {a for d, a in _issuers(x) if d == "provisions"} == {"cac", "miit", "mps", "samr"}
    documents = [r for r in x.records if r.kind == "document" and "Algorithm" in str(r.get("label"))]
    assert len(documents) == 1  # "the Algorithm Provisions" in the measure: the short name given, though
    refers = {(str(f["document"]).rsplit("/", 1)[-1].split("-")[0], str(f["target"]).rsplit("/", 1)[-1].split("-")[0])
              for f in _facts(x, "reference")}
    assert ("notice", "provisions") in refers  # "builds directly on"


def test_a_pages_related_links_name_no_documents_of_the_update(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "\n\n- **Article 1:** Cities share data. MIIT is responsible.\n\n"
                 "## Related updates\n\n- Interim Measures for Generative AI Services: what changed\n"
                 "- Measures for Labelling Synthetic Content published\n\n")
    assert not [r for r in x.records if r.kind == "document" and "Measures" in str(r.get("label"))]


def _agencies(x) -> set[str]:
    return {str(r.get("iri")).rsplit("/", 1)[-1] for r in x.records if r.kind == "agency"}


def test_every_agency_the_text_names_is_one_but_no_documents_name(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "The blueprint was released by the CPC Central Committee and the State "
                 "Council in 2019. The **Interim Measures for the Administration of Smart Cities** apply.\n\n"
                 "- **Article 1:** Cities share data. MIIT is responsible.\n")
    assert "state-council" in _agencies(x)  # named, in no fact
    assert not [a for a in _agencies(x) if a.startswith(("interim", "cpc", "central-committee"))]


def test_a_short_name_given_below_an_agencys_name(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "At provincial level this is the **Zhejiang Provincial Big Data Development "
                 "Administration** (浙江省大数据发展管理局, below: the Big Data Administration). Hangzhou's Municipal Data "
                 "Resources Administration runs the city's platform.\n\n"
                 "- **Article 1:** Cities share data. The Big Data Administration is responsible.\n")
    assert {str(f["agency"]).rsplit("/", 1)[-1] for f in _facts(x, "guidance")} == \
        {"zhejiang-provincial-big-data-development-administration"}
    assert "big-data-administration" not in _agencies(x)
    assert "municipal-data-resources-administration" in _agencies(x)  # the city's possessive is no part of it


def test_a_table_of_events_dates_a_documents_adoption(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", LAW + "\n\n| Event | Date |\n|---|---|\n| First draft released for public comment | "
                 "21 October 2020 |\n| Data Security Law adopted by the NPCSC | 10 June 2021 |\n\n"
                 "- **Article 38:** Transfers abroad need a route.\n")
    dated = {(str(f["document"]).rsplit("/", 1)[-1], f["date"]) for f in _facts(x, "issue_date")}
    assert ("data-security-law", dt.date(2021, 6, 10)) in dated
    assert not [d for d in dated if d[1] == dt.date(2020, 10, 21)]


@pytest.mark.parametrize("sentence,guides", [
    ("The CAC may put foreign organisations on a list.", {"cac"}),
    ("The national cyberspace administration is responsible for the overall planning.", {"cac"}),
    ("Handlers above the volume set by the CAC must appoint an officer.", set()),
])
def test_an_agency_that_opens_the_measure_acts_but_one_named_inside_its_subject_does_not(
        tmp_path: Path, sentence: str, guides: set[str]) -> None:
    x = _extract(tmp_path, "u.md", LAW + f"\n\n- **第42条 Article 42** {sentence}\n"
                 "- **第43条 Article 43** Handlers keep records.\n")
    assert _numbers(x) == [42, 43]
    assert {str(f["agency"]).rsplit("/", 1)[-1] for f in _facts(x, "guidance")} == guides


@pytest.mark.parametrize("sentence", [
    "The Hangzhou, Ningbo and Shenzhen zones were the first to try the model and share their experience.",
    "Hangzhou, Ningbo and Shenzhen had tried the model before the notice and served as examples.",
])
def test_areas_that_were_the_first_to_try_a_measure_are_its_forerunners(tmp_path: Path, sentence: str) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + f"\n\n- **Article 3:** Promote industrial belts. {sentence}\n")
    assert {str(f["area"]).rsplit("/", 1)[-1] for f in _facts(x, "forerunner")} == {"hangzhou", "ningbo", "shenzhen"}


@pytest.mark.parametrize("sentence", ["The notice loosens the **Measures on Security Assessment** without repealing them.",
                                      "For transfers abroad the notice points to the **Measures on Security Assessment**.",
                                      "The notice adds a reference to the **Measures on Security Assessment**."])
def test_more_ways_of_building_on_another_document(tmp_path: Path, sentence: str) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + sentence + "\n\n- **Article 1:** Cities share data. MIIT is responsible.\n")
    refers = {(str(f["document"]).rsplit("/", 1)[-1].split("-")[0], str(f["target"]).rsplit("/", 1)[-1].split("-")[0])
              for f in _facts(x, "reference")}
    assert refers == {("notice", "measures")}

"""Forms of the genre met in the seventh blind batch (batch G, issue 13), each on a small
document of its own: how it is read, and what it must give."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from test_genre_forms import _extract, _facts, _labels

NOTICE = ("# Smart Cities\n\nPolicy Update | December 2021\n\n"
          "MOHURD and MIIT jointly issued the **Notice on Determining the Second Batch of Pilot Cities for "
          "Smart Infrastructure** (Jian Cheng Han [2021] No. 114; the **second-batch Notice**) on 1 December 2021. ")


def _local(iri: object) -> str:
    return str(iri).rsplit("/", 1)[-1]


def _first_words(x, kind: str, a: str, b: str) -> set[tuple[str, str]]:
    """The facts of ``kind`` as pairs of the first words of their fields ``a`` and ``b``' IRIs."""
    return {(_local(f[a]).split("-")[0], _local(f[b]).split("-")[0]) for f in _facts(x, kind)}


def test_a_batch_of_pilot_cities_is_the_documents_areas_not_a_list(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "The notice names the **first batch of three pilot cities**: Beijing, "
                 "Shanghai and Chongqing.\n\n- **Article 1:** Cities share data. MIIT is responsible.\n")
    assert not [label for label in _labels(x) if "batch of three" in label.lower()]
    assert {_local(f["area"]) for f in _facts(x, "pilot_area")} == {"beijing", "shanghai", "chongqing"}
    assert [f["count"] for f in _facts(x, "stated_count")] == [3]


def test_a_short_name_after_the_document_number_names_that_document(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "Cities file plans in accordance with the second-batch Notice.\n\n"
                 "- **Article 1:** Cities share data. MIIT is responsible.\n")
    notice = next(r for r in x.records if r.kind == "document" and "Second Batch" in str(r.get("label")))
    assert "second-batch Notice" in notice.get("alt")
    assert not [w for w in x.warnings if "second-batch Notice" in w]


def test_the_pilot_work_runs_for_years_from_the_date_of_the_document(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "The pilots of the second batch run for two years from the date of "
                 "the notice.\n\n- **Article 1:** Cities share data. MIIT is responsible.\n")
    assert [(f["start"], f["end"]) for f in _facts(x, "trial")] == [(dt.date(2021, 12, 1), dt.date(2023, 11, 30))]


def test_a_list_under_a_sentence_that_counts_the_pilot_cities(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "\n\nThe second-batch Notice names three pilot cities:\n\n"
                 "- Chongqing\n- Cangzhou\n- Zibo\n\n## Tasks\n\n- **Article 1:** Cities share data. MIIT is responsible.\n")
    assert {_local(f["area"]) for f in _facts(x, "pilot_area")} == {"chongqing", "cangzhou", "zibo"}


def test_a_list_under_a_count_that_is_not_all_places_is_left_out(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "\n\nThe second-batch Notice names three pilot cities:\n\n"
                 "- Chongqing\n- all county-level cities of Hebei\n- Zibo\n\n"
                 "## Tasks\n\n- **Article 1:** Cities share data. MIIT is responsible.\n")
    assert not _facts(x, "pilot_area")
    assert any("not taken as the pilot areas" in w for w in x.warnings)


def test_pilot_provinces_between_hyphens_of_a_plain_text(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.txt", "HEALTH DATA\n\nThe NHC issued the Notice on Health Data Centres on "
                 "6 December 2017. It named three pilot provinces - Shandong, Anhui and Guizhou - with a pilot "
                 "period of three years from the date of the notice.\n\nArticle 1 - Centres share data. The NHC "
                 "is responsible.\n")
    assert {_local(f["area"]) for f in _facts(x, "pilot_area")} == {"shandong", "anhui", "guizhou"}


def test_participating_departments_share_the_measure(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "\n\n12. **Data return.** Data go back to the cities. (Lead: NDRC; "
                 "participating: Ministry of Public Security (MPS), SAMR)\n")
    assert {_local(f["agency"]) for f in _facts(x, "guidance")} == {"ndrc", "mps", "samr"}


def test_a_category_in_brackets_after_the_article_number(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.txt", "HEALTH DATA\n\nThe NHC issued the Measures on Health Data on 12 July 2018.\n\n"
                 "Article 7 [Standards] - A single national standard system is built. The NHC is responsible.\n\n"
                 "Article 14 [Security] - Units protect the data they hold.\n")
    measures = {f["number"] for f in _facts(x, "article")}
    assert measures == {7, 14}
    categories = {str(r.get("label")) for r in x.records if r.kind == "category"}
    assert categories == {"Standards", "Security"}
    assert len(_facts(x, "categorisation")) == 2


WHO_LEADS = """<html><body><h1>Dual Smart Pilots</h1><p>Policy Update | May 2021</p>
<p>MOHURD and MIIT issued the <strong>Notice on Dual Smart Pilots</strong> on 6 May 2021.</p>
<table><tr><th>No.</th><th>Task</th></tr>
<tr><td>1</td><td>Build smart roads.</td></tr><tr><td>2</td><td>Build a data platform.</td></tr></table>
<h2>Who leads?</h2>
<table><tr><th>Task</th><th>Lead</th><th>Participating</th></tr>
<tr><td>1</td><td>MOHURD</td><td>Ministry of Transport (MOT)</td></tr>
<tr><td>2</td><td>MIIT</td><td>&mdash;</td></tr>
<tr><td>7</td><td>MIIT</td><td>&mdash;</td></tr></table></body></html>
"""


def test_a_table_of_who_leads_which_measure_by_its_number(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.html", WHO_LEADS)
    by_measure = {(_local(f["measure"]), _local(f["agency"])) for f in _facts(x, "guidance")}
    assert by_measure == {("1", "mohurd"), ("1", "mot"), ("2", "miit")}
    assert any("who leads measure 7" in w and "no measure" in w for w in x.warnings)


def test_annexed_to_the_document_is_its_part(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Pilots\n\nPolicy Update | May 2021\n\nThe State Council issued the "
                 "**Opinions on Business Environment Pilots** on 31 October 2021. Annexed to the Opinions is the "
                 "**First Batch List of Reform Items** (the **List**).\n\n- **Article 1:** Cities share data. "
                 "The NDRC is responsible.\n")
    parts = _first_words(x, "part", "whole", "part")
    assert ("opinions", "first") in parts


def test_the_same_two_ministries_document_is_theirs(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "The same two ministries’ **Notice on Determining the First Batch of "
                 "Pilot Cities** had named six.\n\n- **Article 1:** Cities share data. MIIT is responsible.\n")
    first = {_local(f["agency"]) for f in _facts(x, "issuance") if "first-batch" in str(f["document"])}
    assert first == {"mohurd", "miit"}


def test_the_same_three_ministries_when_two_issued_is_no_one(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "The same three ministries’ **Notice on Determining the First Batch of "
                 "Pilot Cities** had named six.\n\n- **Article 1:** Cities share data. MIIT is responsible.\n")
    assert not [f for f in _facts(x, "issuance") if "first-batch" in str(f["document"])]


def test_a_month_after_an_agencys_name_is_none_of_it(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Pilots\n\nPolicy Update | May 2021\n\nThe **Notice on Organising Pilot "
                 "Work** was issued by the General Office of MIIT in November 2020.\n\n- **Article 1:** Cities "
                 "share data. MIIT is responsible.\n")
    labels = {str(r.get("label")) for r in x.records if r.kind == "agency"}
    assert "General Office of MIIT" in labels and not [label for label in labels if "November" in label]


def test_two_names_joined_after_a_bracket_are_two_documents(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Online Medicine\n\nPolicy Update | July 2018\n\nOn 17 July 2018 the NHC issued "
                 "three documents¹.\n\n- **Article 1:** Hospitals share data. The NHC is responsible.\n\n"
                 "¹ The three documents are the Measures for the Administration of Internet Diagnosis and Treatment "
                 "(Trial), the Measures for the Administration of Internet Hospitals (Trial) and the Provisions on "
                 "the Administration of Telemedicine Services (Trial).\n")
    labels = _labels(x)
    assert {"Measures for the Administration of Internet Diagnosis and Treatment (Trial)",
            "Measures for the Administration of Internet Hospitals (Trial)",
            "Provisions on the Administration of Telemedicine Services (Trial)"} <= labels
    assert not [label for label in labels if ") and the" in label or "), the" in label]


def test_a_title_in_capitals_wrapped_over_two_lines_is_one_title(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.txt", "HEALTH DATA: THE NHC'S MEASURES AND THE\nREGIONAL CENTRE PILOTS\n\n"
                 "Policy Update | October 2018\n\nThe NHC issued the Measures on Health Data on 12 July 2018.\n\n"
                 "Article 1 - Centres share data. The NHC is responsible.\n")
    title = x.document.slice(x.document.title)
    assert " ".join(title.split()) == "HEALTH DATA: THE NHC'S MEASURES AND THE REGIONAL CENTRE PILOTS"


def test_a_title_and_its_subtitle_stay_apart(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.txt", "AUDITS ON A SCHEDULE\nChina's rules for personal information audits\n\n"
                 "Policy Update | May 2025\n\nThe CAC issued the Measures on Audits on 12 February 2025.\n\n"
                 "Article 1 - Handlers audit themselves. The CAC is responsible.\n")
    assert x.document.slice(x.document.title).strip() == "AUDITS ON A SCHEDULE"


DOCUMENTS_TABLE = """# Cyber ID

Policy Update | May 2025

The MPS and five other departments issued the **Measures on Online Identity** (the **Measures**). The CAC had
published the **Measures on Online Identity (Draft for Comment)** in July 2024.

| Document | Issued by | Issued | In force |
|---|---|---|---|
| Measures on Online Identity | MPS, CAC, Ministry of Civil Affairs (MCA) | 19 May 2025 | 15 July 2025 |
| Measures on Online Identity (Draft for Comment) | MPS, CAC | July 2024 | — |
| An unnamed circular | MPS | 1 June 2024 | — |

- **Article 1:** Platforms accept the cyber ID. The MPS is responsible.
"""


def test_a_table_of_documents_says_who_issued_each_and_when(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", DOCUMENTS_TABLE)

    def which(iri: object) -> str:
        return "draft" if "draft" in str(iri) else "final"

    issued = {(which(f["document"]), _local(f["agency"])) for f in _facts(x, "issuance")}
    assert {("final", "mps"), ("final", "cac"), ("final", "mca"), ("draft", "mps"), ("draft", "cac")} <= issued
    assert ("draft", "mca") not in issued
    dates = {(which(f["document"]), f["date"]) for f in _facts(x, "issue_date")}
    # the issue column's whole dates only: not "July 2024" (no day), not the "In force" column
    assert dates == {("final", dt.date(2025, 5, 19))}


def test_a_table_without_an_issuer_column_says_nothing_of_issuers(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", DOCUMENTS_TABLE.replace("| Document | Issued by |", "| Document | Reviewed by |"))
    assert not [f for f in _facts(x, "issuance") if _local(f["agency"]) == "mca"]


PILOT_UNITS = """# Chief Data Officers

Policy Update | September 2021

The General Office of the Guangdong Provincial People's Government issued the **Work Plan for Chief Data
Officers** on 23 April 2021. The pilot areas are three cities; the other pilot units are departments.

| Pilot cities (pilot areas) | Pilot departments |
|---|---|
| Guangzhou | Guangdong Provincial Department of Public Security |
| Shaoguan | Guangdong Provincial Department of Natural Resources |
| Heyuan | — |

- **Article 1:** Each pilot unit names a chief data officer. The General Office of the Guangdong Provincial
  People's Government is responsible.
"""


def test_a_table_column_of_pilot_cities_as_many_as_the_text_counts(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", PILOT_UNITS)
    assert {_local(f["area"]) for f in _facts(x, "pilot_area")} == {"guangzhou", "shaoguan", "heyuan"}


def test_a_table_column_of_pilot_cities_that_the_count_does_not_fit(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", PILOT_UNITS.replace("are three cities", "are four cities"))
    assert not _facts(x, "pilot_area")
    assert any("not taken as the pilot areas" in w for w in x.warnings)


def test_the_updates_own_numbered_table_is_no_document(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Chief Data Officers\n\nPolicy Update | September 2021\n\nThe General Office "
                 "issued the **Work Plan for Chief Data Officers** on 23 April 2021. The Work Plan sets two tasks; "
                 "who leads each is shown in Table 2 below.\n\n(1) Appoint officers. The NDRC is responsible.\n\n"
                 "(2) Train them. The NDRC is responsible.\n")
    assert not [label for label in _labels(x) if label.lower().startswith("table")]
    assert {str(f["table"]).rsplit("/", 1)[-1].split("-")[0] for f in _facts(x, "article")} == {"work"}


def test_the_document_that_sets_the_tasks_holds_them(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Dual Smart\n\nPolicy Update | May 2021\n\nThe **Notice on Organising Pilot "
                 "Work** (the **2020 Notice**) was issued by MOHURD. The 2020 Notice sets three pilot tasks. Task 2 "
                 "relies on the **Administrative Rules on Road Testing (Trial)**, issued by MIIT.\n\n"
                 "| No. | Task |\n|---|---|\n| 1 | Build roads. |\n| 2 | Test vehicles. |\n| 3 | Share data. |\n")
    holders = {str(f["table"]).rsplit("/", 1)[-1].split("-")[0] for f in _facts(x, "article")}
    assert holders == {"notice"}


def test_a_numbered_list_of_key_takeaways_is_no_measures(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Cyber ID\n\nCLIENT ALERT | May 2025\n\n## Key takeaways\n\n1. Six departments "
                 "issued the **Measures on Online Identity**.\n2. Use is voluntary.\n3. There are no pilot regions.\n\n"
                 "## What do the Measures say?\n\n- **Article 2:** The MPS builds the public service.\n"
                 "- **Article 5:** Individuals apply of their own will.\n")
    assert {f["number"] for f in _facts(x, "article")} == {2, 5}


def test_zones_that_share_a_plural_head_and_a_zone_named_after_its_place(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Rules Pilot\n\nPolicy Update | July 2023\n\nThe State Council issued the "
                 "**Notice on Piloting High-Standard Rules** on 1 June 2023. The notice names four pilot areas[^1].\n\n"
                 "- **Article 1:** Zones open data. MOFCOM is responsible.\n\n"
                 "[^1]: The four pilot areas are the China (Shanghai), China (Tianjin) and China (Beijing) Pilot Free "
                 "Trade Zones and the Hainan Free Trade Port.\n")
    labels = {str(r.get("label")) for r in x.records if r.kind == "area"}
    areas = {_local(f["area"]) for f in _facts(x, "pilot_area")}
    assert areas == {"china-shanghai-pilot-free-trade-zone", "china-tianjin-pilot-free-trade-zone",
                     "china-beijing-pilot-free-trade-zone", "hainan-free-trade-port"}
    assert "China (Tianjin) Pilot Free Trade Zone" in labels and "china" not in areas


def test_a_zone_named_after_its_place_in_a_sentence(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Rules Pilot\n\nPolicy Update | July 2023\n\nThe State Council issued the "
                 "**Decision on Adjusting Regulations in Pilot Areas** on 1 June 2023. The Decision applies in two "
                 "pilot areas only: the Hainan Free Trade Port and Beijing.\n\n- **Article 1:** Zones open data. MOFCOM is "
                 "responsible.\n")
    assert {_local(f["area"]) for f in _facts(x, "pilot_area")} == {"hainan-free-trade-port", "beijing"}


def test_a_document_that_agencies_published_named_in_passing(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Data Spaces\n\nPolicy Update | March 2025\n\nThe NDA issued the **pilot notice** "
                 "on 14 February 2025. It does not refer to the **National Data Infrastructure Guidelines** that the "
                 "National Development and Reform Commission (NDRC), the NDA and MIIT published in January 2025. The "
                 "notice names three pilot cities: Beijing, Shanghai and Hangzhou.\n\n- **Article 1:** Cities build "
                 "data spaces. The NDA is responsible.\n")
    guidelines = {_local(f["agency"]) for f in _facts(x, "issuance") if "guidelines" in str(f["document"])}
    assert guidelines == {"ndrc", "nda", "miit"}
    owners = {_local(f["notice"]).split("-")[0] for f in _facts(x, "pilot_area")}
    assert owners == {"pilot"}  # the pilot facts after it stay the notice's


def test_which_the_document_cites_makes_that_document_the_one_that_refers(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Smart\n\nPolicy Update | May 2021\n\nThe State Council issued the **Opinions on "
                 "Smart Cities** on 3 March 2021. MOHURD had issued the **Notice on Pilots** (the **2020 Notice**) on "
                 "1 November 2020. Task 2 needs the **Administrative Rules on Road Testing (Trial)**, which the 2020 "
                 "Notice cites.\n\n- **Article 1:** Build roads. MOHURD is responsible.\n")
    refs = _first_words(x, "reference", "document", "target")
    assert refs == {("notice", "administrative")}


def test_a_measure_that_relies_on_a_regulation(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Outbound Data\n\nPolicy Update | July 2022\n\nThe CAC issued the **Measures on "
                 "Outbound Data** on 7 July 2022. For infrastructure operators, the Measures rely on the definition in "
                 "the **Regulations on Infrastructure Security**.\n\n- **Article 1:** Handlers apply. The CAC is "
                 "responsible.\n")
    refs = _first_words(x, "reference", "document", "target")
    assert ("measures", "regulations") in refs


def test_a_table_of_articles_with_a_content_column_holds_measures(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Fines\n\nPolicy Update | November 2025\n\nThe NPCSC adopted the **Decision on "
                 "Amending the Law** on 28 October 2025.\n\n| Article | New maximum fine | Enforced by |\n|---|---|---|\n"
                 "| 59 | RMB 10 million | CAC |\n| 61 | RMB 1 million | SAMR |\n")
    assert {f["number"] for f in _facts(x, "article")} == {59, 61}
    assert {(_local(f["measure"]), _local(f["agency"])) for f in _facts(x, "guidance")} == {("59", "cac"),
                                                                                             ("61", "samr")}


def test_a_table_of_who_leads_each_task_with_a_remark_column(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Zones\n\nPolicy Update | May 2021\n\nMOST issued the **Guidelines on Pilot Zones** "
                 "on 3 May 2021.\n\n- **Article 1:** Build platforms.\n- **Article 2:** Train people.\n\n"
                 "## Who leads?\n\n| Measure | Lead unit | Supporting units | Remark |\n|---|---|---|---|\n"
                 "| 1 | MOST | NDRC | local bureaus assist |\n| 2 | MIIT | | |\n")
    assert {(_local(f["measure"]), _local(f["agency"])) for f in _facts(x, "guidance")} == {
        ("1", "most"), ("1", "ndrc"), ("2", "miit")}


def test_the_same_ministrys_document_is_its_one_issuers(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Data Assets\n\nPolicy Update | March 2025\n\nThe Ministry of Finance (MOF) issued "
                 "the **Interim Provisions on Data Resources** on 1 August 2023. The same ministry's **Guiding Opinions "
                 "on Data Assets** followed in December.\n\n- **Article 1:** Firms book data. The MOF is responsible.\n")
    opinions = {_local(f["agency"]) for f in _facts(x, "issuance") if "guiding" in str(f["document"])}
    assert opinions == {"mof"}


def test_a_party_body_is_no_agency_and_says_so(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Data Basics\n\nPolicy Update | December 2022\n\nThe CPC Central Committee and the "
                 "State Council issued the **Opinions on Building a Data Basic System** on 2 December 2022. The General "
                 "Office of the CPC Central Committee and the Central Cyberspace Affairs Commission followed.\n\n"
                 "- **Article 1:** Data rights are split. The NDRC is responsible.\n")
    agencies = {str(r.get("label")) for r in x.records if r.kind == "agency"}
    assert not [a for a in agencies if "Central" in a or "CPC" in a], agencies
    assert {_local(f["agency"]) for f in _facts(x, "issuance")} == {"state-council"}
    warned = [w for w in x.warnings if "body of the Communist Party of China" in w]
    # each Party body the text names is left out, said once each (the issuer among them)
    assert len(warned) == len(set(warned)) and any("'CPC Central Committee'" in w for w in warned)
    assert all("'CPC Central Committee'" in w or "'Central Cyberspace Affairs Commission'" in w for w in warned)


def test_the_same_ministry_after_a_document_of_the_state_council_is_unsure(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Smart Cities\n\nPolicy Update | May 2024\n\nThe State Council issued the **Opinions "
                 "on Smart Cities** on 3 May 2024. The same ministry's **Notice on Smart City Pilots** named 90 pilots.\n\n"
                 "- **Article 1:** Cities share data. MOHURD is responsible.\n")
    assert not [f for f in _facts(x, "issuance") if "notice" in str(f["document"])]


def test_those_rules_replaced_by_later_provisions(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Road Tests\n\nPolicy Update | August 2021\n\nMIIT issued the **Administrative Rules "
                 "on Road Testing (Trial)** in April 2018. Those Rules have since been replaced by the **Administrative "
                 "Provisions on Road Testing (Trial)**, issued by MIIT in July 2021.\n\n- **Article 1:** Cars are "
                 "tested. MIIT is responsible.\n")
    assert not [label for label in _labels(x) if label.startswith("Those")]
    refs = {(_local(f["document"]).split("-")[1], _local(f["target"]).split("-")[1]) for f in _facts(x, "reference")}
    assert ("provisions", "rules") in refs


def test_an_italic_disclaimer_is_no_document(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Data Rules\n\nPolicy Update | July 2025\n\nThe NFRA issued the **Measures on Bank "
                 "Data** on 5 December 2024.\n\n- **Article 1:** Banks grade data. The NFRA is responsible.\n\n"
                 "*Data Watch summarises regulation for information only; it is not legal advice. Comments: "
                 "editor@example.org*\n")
    assert _labels(x, "PolicyDocument") == {"Measures on Bank Data"}


def test_a_document_of_pilots_had_named_six_places(tmp_path: Path) -> None:
    text = ("# Dual Smart\n\nPolicy Update | December 2021\n\nThe **Notice on the First Batch of Pilot Cities** (the "
            "**first-batch Notice**), made public on 6 May 2021, had named three: Beijing, Shanghai and Wuxi.\n\n"
            "- **Article 1:** Cities build roads. MIIT is responsible.\n")
    x = _extract(tmp_path, "u.md", text)
    assert {_local(f["area"]) for f in _facts(x, "pilot_area")} == {"beijing", "shanghai", "wuxi"}
    assert [f["count"] for f in _facts(x, "stated_count")] == [3]
    y = _extract(tmp_path, "v.md", text.replace("Shanghai and Wuxi", "Shanghai and their suburbs"))
    assert not _facts(y, "pilot_area") and any("not 3 places alone" in w for w in y.warnings)


def test_a_web_pages_tag_before_a_measure_is_its_category(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.html", "<html><body><h1>Labelling</h1><p>Policy Update | January 2025</p><p>The NDRC "
                 "issued the <strong>Opinions on Data Labelling</strong> on 5 January 2025.</p><ol>"
                 "<li><span class=\"tag\">Innovation</span> Firms build tools. The NDRC is responsible.</li>"
                 "<li><span class=\"tag\">Talent</span> Colleges open courses.</li></ol>"
                 "<p><span class=\"label\">Note:</span> figures are provisional.</p></body></html>")
    by_measure = {_local(f["measure"]): _local(f["category"]) for f in _facts(x, "categorisation")}
    assert by_measure == {"1": "innovation", "2": "talent"}
    texts = {str(f["text"]) for f in _facts(x, "measure_text")}
    assert "Firms build tools. The NDRC is responsible." in texts  # the tag is no part of the text
    assert "[Note:]" not in x.document.text  # only a tag's class makes a label


def test_a_markdown_link_at_the_start_of_a_measure_is_no_category(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Guides\n\nPolicy Update | March 2024\n\nThe CAC issued the **Provisions on Data "
                 "Flows** on 22 March 2024.\n\n- **Article 1:** [Guide](https://example.org/guide) applies. The CAC is "
                 "responsible.\n")
    assert not _facts(x, "categorisation")


def test_a_law_named_beside_a_document_without_a_word_of_basis_is_no_reference(tmp_path: Path) -> None:
    base = ("# Digital Economy\n\nPolicy Update | January 2022\n\nThe State Council issued the **Plan for the Digital "
            "Economy** on 12 December 2021.\n\n{}\n\n- **Article 1:** Build networks. The NDRC is responsible.\n")
    x = _extract(tmp_path, "u.md", base.format("For foreign firms the Plan is a map: the binding rules on data remain "
                                              "those of the **Data Security Law**."))
    assert not _facts(x, "reference")
    y = _extract(tmp_path, "v.md", base.format("The Plan puts into practice the principle outlined in the **Data "
                                              "Security Law**."))
    assert {_local(f["target"]) for f in _facts(y, "reference")} == {"data-security-law"}
    z = _extract(tmp_path, "w.md", base.format("The Plan names no law. It predates the **Data Security Law**."))
    assert not _facts(z, "reference")


def test_the_last_two_were_issued_by(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Health\n\nPolicy Update | July 2018\n\nThe NHC issued the **Measures on Health "
                 "Data** on 12 July 2018. They implement the **Guiding Opinions on Health Data** and the **Opinions on "
                 "Internet Health**. The last two were issued by the General Office of the State Council.\n\n"
                 "- **Article 1:** Share data. The NHC is responsible.\n")
    by_office = {_local(f["document"]).split("-")[0] for f in _facts(x, "issuance")
                 if _local(f["agency"]) == "general-office-of-the-state-council"}
    assert by_office == {"guiding", "opinions"}


def test_agencies_issued_three_documents_that_a_note_names(tmp_path: Path) -> None:
    text = ("# Online Medicine\n\nPolicy Update | July 2018\n\nOn 17 July 2018 the NHC and the NATCM issued three "
            "documents on online medicine (Guo Wei Yi Fa [2018] No. 25)[^3].\n\n- **Article 1:** Hospitals share data. "
            "The NHC is responsible.\n\n[^3]: The three documents are the Measures for the Administration of Internet "
            "Diagnosis (Trial), the Measures for the Administration of Internet Hospitals (Trial) and the Provisions "
            "on Telemedicine Services (Trial).\n")
    x = _extract(tmp_path, "u.md", text)
    issued = {(_local(f["document"]), _local(f["agency"])) for f in _facts(x, "issuance")}
    documents = {d for d, _ in issued}
    assert len(documents) == 3 and all(("provisions" in d or "internet" in d) for d in documents)
    assert {a for _, a in issued} == {"nhc", "natcm"} and len(issued) == 6
    assert {f["date"] for f in _facts(x, "issue_date")} == {dt.date(2018, 7, 17)}
    y = _extract(tmp_path, "v.md", text.replace("issued three", "issued four"))
    assert not _facts(y, "issuance") and any("counts 4 documents" in w for w in y.warnings)


def test_its_document_after_a_sentence_that_ends_with_an_agency(tmp_path: Path) -> None:
    base = ("# Health\n\nPolicy Update | July 2018\n\n{} Its **Notice on the Second Batch of Pilot Projects** named "
            "three provinces.\n\n- **Article 1:** Share data. The NHC is responsible.\n")
    x = _extract(tmp_path, "u.md", base.format("The pilots belong to an older programme, run by the predecessor of "
                                              "the NHC, the National Health and Family Planning Commission (NHFPC)."))
    assert {_local(f["agency"]) for f in _facts(x, "issuance")} == {"nhfpc"}
    y = _extract(tmp_path, "v.md", base.format("The NHC took over the programme in 2018 and its reports."))
    assert not _facts(y, "issuance")  # the sentence before ends with no agency: whose, unsure


def test_a_topic_heading_over_prose_and_a_table_of_measures_is_their_category(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Fines\n\nPolicy Update | November 2025\n\nThe NPCSC adopted the **Decision on "
                 "Amending the Law** on 28 October 2025.\n\n## General provisions\n\n- **Article 3:** Work upholds "
                 "security. The CAC is responsible.\n\n## Legal liability\n\nThe Decision raises most fines.\n\n"
                 "| Article | New maximum fine | Enforced by |\n|---|---|---|\n| 59 | RMB 10 million | CAC |\n\n"
                 "## What should companies do now?\n\n1. Check the fines.\n2. Map the data.\n")
    by_measure = {_local(f["measure"]): _local(f["category"]) for f in _facts(x, "categorisation")}
    assert by_measure == {"3": "general-provisions", "59": "legal-liability"}  # no checklist measures


def test_a_task_column_numbers_the_measures_of_a_content_column(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Labelling\n\nPolicy Update | January 2025\n\nThe NDA issued the **Measures on "
                 "Labelling Bases** on 5 January 2025.\n\n| Task | Content | Responsible entities | Category |\n"
                 "|---|---|---|---|\n| 1 | Build the bases. | NDA | Infrastructure |\n| 2 | Train labellers. | MOHRSS "
                 "| Talent |\n")
    assert {(f["number"], str(f["table"]).rsplit("/", 1)[-1].split("-")[0]) for f in _facts(x, "article")} == {
        (1, "measures"), (2, "measures")}
    assert {str(f["text"]) for f in _facts(x, "measure_text")} == {"Build the bases.", "Train labellers."}

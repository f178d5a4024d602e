"""Forms of the genre met in the ninth blind batch (batch I, session 8, issue 13), each on a small
document of its own: how it is read, and what it must give."""
from __future__ import annotations

from pathlib import Path

from test_genre_forms import _extract, _facts
from test_genre_forms_g import NOTICE, _local
from test_genre_forms_h import _numbers


def test_paragraphs_that_open_with_a_bold_number_are_measures(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "\n\n" + "".join(
        f"**{n}. {t}.** Cities act.\nLead unit: Provincial Financial Affairs Office\n"
        f"Co-operating units: Provincial Administration for Industry and Commerce\n\n"
        for n, t in ((1, "Build a platform"), (2, "Open data"), (3, "Trade data"))))
    assert _numbers(x) == [1, 2, 3]
    guided = {(_local(f["measure"]), _local(f["agency"])) for f in _facts(x, "guidance")}
    assert guided == {(str(n), a) for n in (1, 2, 3) for a in ("provincial-financial-affairs-office",
                                                              "provincial-administration-for-industry-and-commerce")}


def test_a_label_with_a_full_stop_is_learnt(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "\n\n" + "".join(f"**Para. {n}.** Platforms do task {n}.\n\n"
                                                           for n in (3, 7, 9)))
    assert _numbers(x) == [3, 7, 9]


def test_two_enumerators_before_a_category(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "\n\n### （一）(I) Building a data system\n\n"
                 "- **Article 1:** Cities share data. MIIT is responsible.\n")
    assert {_local(f["category"]) for f in _facts(x, "categorisation")} == {"building-a-data-system"}


def test_a_provinces_office_named_like_a_state_council_office_is_the_provinces(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "\n\n- **Article 1:** Cities share data. Lead unit: the Hong Kong and "
                 "Macao Affairs Office of the Provincial People's Government.\n")
    assert {_local(f["agency"]) for f in _facts(x, "guidance")} == \
        {"hong-kong-and-macao-affairs-office-of-the-provincial-peoples-government"}


def test_an_e_mails_header_and_a_newsletters_masthead_are_no_title(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.txt", "From: China Networks Briefing <briefing@cnb.example>\nTo: subscribers@cnb.example\n"
                 "Subject: CNB 30/2016 -- 39 more cities\nDate: Fri, 29 Jul 2016 07:12:44 +0800\n\n"
                 "CHINA NETWORKS BRIEFING\nWeek 30/2016  ::  29 July 2016  ::  for subscribers only\n"
                 "======================================================================\n\n"
                 "39 more cities -- and what they now have to deliver\n\n"
                 "MIIT issued the Notice on Broadband Cities on 18 July 2016.\n\nArticle 1: Cities build networks.\n")
    kinds = {x.document.text[b.start:b.end].split("\n")[0]: b.kind for b in x.document.blocks}
    assert kinds["39 more cities -- and what they now have to deliver"] == "title"
    assert kinds["CHINA NETWORKS BRIEFING"] == "dateline" and kinds["From: China Networks Briefing <briefing@cnb.example>"] == "preamble"


def test_a_subtitle_between_the_title_and_the_date_line(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# The national team gets a rulebook\n\n*MOST's guidelines for AI open innovation "
                 "platforms, and the ten new names*\n\n**Compute & Commons** · No. 41 · 12 September 2019\n\n"
                 "MOST issued the **Guidelines for AI Platforms** on 1 August 2019.\n\n*Principles*\n\n"
                 "**Para. 3.** Enterprises are the main body.\n\n**Para. 7.** Applicants need data.\n\n"
                 "*Tasks*\n\n**Para. 9.** Innovation.\n")
    assert x.document.year == 2019
    holders = {_local(f["table"]).split("-")[0] for f in _facts(x, "article")}
    assert holders == {"guidelines"}  # not the subtitle, which names no document
    assert {(_local(f["measure"]), _local(f["category"])) for f in _facts(x, "categorisation")} == \
        {("3", "principles"), ("7", "principles"), ("9", "tasks")}  # italic lines over the measures


def test_a_documents_name_goes_on_over_5g(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "MIIT issued the Notice on Promoting the Accelerated Development of 5G on "
                 "24 March 2020.\n\n- **Article 1:** Cities share data. MIIT is responsible.\n")
    assert "Notice on Promoting the Accelerated Development of 5G" in {str(r.get("label")) for r in x.records
                                                                     if r.kind == "document"}


def _documents(x) -> set[str]:
    return {str(r.get("label")) for r in x.records if r.kind == "document" and r.get("cls") != "PolicyUpdate"}


def test_a_short_name_used_before_the_text_gives_it_is_that_documents(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# 5G plans\n\nPolicy Update | December 2024\n\n- A twelve-department Upgrade Plan, "
                 "released on 26 November 2024, replaces the targets.\n\nThe ten departments issued the 5G "
                 "Applications “Sailing” Action Plan (2021–2023) on 5 July 2021. On 26 November 2024 MIIT issued "
                 "the 5G Scaled Application “Sailing” Action Upgrade Plan (the Upgrade Plan).\n\n"
                 "| Date | Event |\n|---|---|\n| 5 July 2021 | July 2021 Sailing Plan signed |\n"
                 "| 31 December 2027 | Upgrade Plan (end-2027) targets fall due |\n\n"
                 "- **Article 1:** Build networks. MIIT is responsible.\n")
    assert _documents(x) == {"5G Applications “Sailing” Action Plan (2021–2023)",
                             "5G Scaled Application “Sailing” Action Upgrade Plan"}


def test_a_short_form_with_a_qualifier_in_brackets(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "MIIT issued the **Measures for Data Security Management in the Industrial "
                 "Sector (Trial)** in December 2022. The Measures (Trial) apply to industrial firms.\n\n"
                 "- **Article 1:** Cities share data. MIIT is responsible.\n")
    assert "Measures (Trial)" not in _documents(x)


def test_a_label_lists_its_agencies_over_semicolons_to_the_bracket(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "\n\n- **Article 7:** Channels. *(Responsible: Hainan Communications "
                 "Administration; Provincial Department of Industry and Information Technology)* Firms apply.\n"
                 "- **Article 8:** Licences. (Lead: SAMR; participating: Ministry of Public Security (MPS), CAC)\n")
    guided = {(_local(f["measure"]), _local(f["agency"])) for f in _facts(x, "guidance")}
    assert guided == {("7", "hainan-communications-administration"),
                      ("7", "provincial-department-of-industry-and-information-technology"),
                      ("8", "samr"), ("8", "mps"), ("8", "cac")}


def test_letters_and_standards_are_documents_but_a_one_word_cell_is_none(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "On 8 October 2016 the NDRC and MIIT jointly issued the Letter Approving "
                 "Seven Regions to Build National Big Data Comprehensive Pilot Zones. The NHC issued the Standards "
                 "for the Administration of Telemedicine Services (Trial) on 17 July 2018.\n\n"
                 "| No. | Measure | Category |\n|---|---|---|\n| 1 | Cities share data. MIIT is responsible. | Standards |\n")
    assert {"Letter Approving Seven Regions to Build National Big Data Comprehensive Pilot Zones",
            "Standards for the Administration of Telemedicine Services (Trial)"} <= _documents(x)
    assert "Standards" not in _documents(x)
    assert not [r for r in x.records if r.kind == "agency" and "Telemedicine" in str(r.get("label"))]


def test_a_special_action_column_groups_the_tasks_and_mixed_case_abbreviations(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", NOTICE + "\n\n| Task | Special action | What the Plan asks | Responsible |\n"
                 "|---|---|---|---|\n| 20 | Public services | 5G + smart education: campus networks | MoE; MIIT |\n")
    assert {_local(f["category"]) for f in _facts(x, "categorisation")} == {"public-services"}
    assert {_local(f["agency"]) for f in _facts(x, "guidance")} == {"moe", "miit"}


NEWSLETTER = ("Broadband cities -- what they now have to deliver\n\nWeek 30/2016 :: 29 July 2016\n\n"
              "MIIT and the NDRC issued the Notice on Announcing the 2016 Demonstration Cities on 18 July 2016. It "
              "builds on the State Council's \"Broadband China\" Strategy and Implementation Plan of 2013. The "
              "Notice sets the 39 seven creation tasks.\n\nNETWORK BUILD-OUT\n\n"
              "[1] Fibre to the home. New buildings get fibre under the national standard GB 50846-2012.\n"
              "    Lead: MOHURD; with: MIIT\n\n"
              "[2] Urban access. 50 Mbps for urban households by 2018.\n    Lead: MIIT\n\n"
              "SPEED UP, PRICES DOWN\n\n[3] Tariffs. Operators publish clear tariffs.\n    Lead: MIIT; with: MOF\n\n"
              "PAPER TRAIL\n\nThe Notice rests on earlier documents.\n")


def test_numbered_items_a_reader_took_for_notes_are_measures_of_the_document_that_sets_them(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.txt", NEWSLETTER)
    assert _numbers(x) == [1, 2, 3]
    assert {_local(f["table"]).split("-")[0] for f in _facts(x, "article")} == {"notice"}
    assert {(_local(f["measure"]), _local(f["category"])) for f in _facts(x, "categorisation")} == \
        {("1", "network-build-out"), ("2", "network-build-out"), ("3", "speed-up-prices-down")}
    assert '"Broadband China" Strategy and Implementation Plan' in _documents(x)


def test_notes_under_a_heading_of_notes_stay_notes(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.txt", NEWSLETTER.replace("NETWORK BUILD-OUT", "NOTES").replace("SPEED UP, PRICES DOWN", "NOTES")
                 + "\nArticle 1: Cities act.\n")
    assert _numbers(x) == [1]

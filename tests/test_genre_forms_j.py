"""Forms of the genre for issuers and issue dates in running prose (session 9, issue 13): each on a
small document of its own, what it must give and what it must not."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from test_genre_forms import _extract, _facts
from test_genre_forms_g import _local

HEAD = "# Data rules roundup\n\n*Policy Watch, 3 March 2025*\n\n"
MEASURES = "\n\n## Measures\n\n1. Exporters file a self-assessment. The CAC is responsible for this.\n"


def _issued(x) -> set[tuple[str, str]]:
    """(document's first words, agency) of every issuance."""
    return {("-".join(_local(f["document"]).split("-")[:2]), _local(f["agency"])) for f in _facts(x, "issuance")}


def _dates(x) -> dict[str, set[dt.date]]:
    out: dict[str, set[dt.date]] = {}
    for f in _facts(x, "issue_date"):
        out.setdefault("-".join(_local(f["document"]).split("-")[:2]), set()).add(f["date"])
    return out


def test_a_participle_that_opens_the_sentence_tells_of_the_document_after_its_clause(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", HEAD + "Promulgated by the Ministry of Industry and Information Technology "
                 "(MIIT) on 8 December 2022, the Measures for the Administration of Data Security in Industry "
                 "apply from 1 January 2023." + MEASURES)
    assert _issued(x) == {("measures-administration", "miit")}
    assert _dates(x)["measures-administration"] == {dt.date(2022, 12, 8)}


def test_an_opening_participle_whose_clause_names_the_document_is_not_read_so(tmp_path: Path) -> None:
    # "Issued by MIIT together with the Guide to X, the Measures ...": the Guide is inside the
    # clause; which of the two MIIT issued is not for this form to say
    x = _extract(tmp_path, "u.md", HEAD + "Issued by MIIT on 8 December 2022 with the Guide to Data Grading, "
                 "the Measures for Data Security in Industry apply from 1 January 2023." + MEASURES)
    assert ("measures-data", "miit") not in _issued(x)


def test_a_participle_after_a_name_gives_its_date_without_an_issuer(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", HEAD + "MIIT's Notice on Carrying Out Pilot Work for Data Security Management, "
                 "released on 15 May 2023, names ten provinces." + MEASURES)
    assert _dates(x)["notice-carrying"] == {dt.date(2023, 5, 15)}
    # the IRI of a document carries the year it was issued in, now known
    assert any(_local(f["document"]).endswith("-2023") for f in _facts(x, "issue_date"))


def test_a_law_adopted_after_its_name_is_left_unsure(tmp_path: Path) -> None:
    # "adopted" is the legislature's vote: annotators differ on whether it is the issue date
    x = _extract(tmp_path, "u.md", HEAD + "The Data Security Law, adopted on 10 June 2021, takes effect on "
                 "1 September 2021." + MEASURES)
    assert "data-security" not in _dates(x)


def test_it_was_issued_on_dates_the_document_named_last(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", HEAD + "The General Office of the State Council has published the Opinions on "
                 "Accelerating Public Data Services. It was issued on 20 January 2022." + MEASURES)
    assert _dates(x)["opinions-accelerating"] == {dt.date(2022, 1, 20)}


def test_a_named_subject_that_was_adopted_is_itself_dated_not_the_last_of_its_head(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", HEAD + "The draft Data Security Law is before the legislature.\n\n"
                 "The Cybersecurity Law was adopted on 7 November 2016." + MEASURES)
    assert _dates(x).get("cybersecurity-law") == {dt.date(2016, 11, 7)}
    assert "data-security" not in _dates(x)


def test_two_documents_of_one_plural_subject_share_issuer_and_date(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", HEAD + "Both the Notice on Data Export Pilots and the Guide to Data "
                 "Classification were issued on 10 March 2025 by the National Data Administration (NDA)." + MEASURES)
    assert _issued(x) == {("notice-data", "nda"), ("guide-data", "nda")}
    assert _dates(x) == {"notice-data": {dt.date(2025, 3, 10)}, "guide-data": {dt.date(2025, 3, 10)}}


def test_a_singular_verb_after_two_names_is_the_last_ones(tmp_path: Path) -> None:
    # "the Notice ... and the Guide ..., which was issued by the NDA": only the Guide's
    x = _extract(tmp_path, "u.md", HEAD + "The update cites the Notice on Data Export Pilots and the Guide to Data "
                 "Classification, which was issued on 10 March 2025 by the NDA." + MEASURES)
    assert ("notice-data", "nda") not in _issued(x)
    assert "notice-data" not in _dates(x)


def test_a_field_list_gives_its_documents_issuer_and_date(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", HEAD + "**Document:** Provisions on Promoting and Regulating Cross-Border Data "
                 "Flows\n**Issuing authority:** Cyberspace Administration of China (CAC)\n**Date of issue:** "
                 "2024-03-22\n**Effective date:** 2024-04-01" + MEASURES)
    # each line its own block: the name does not run into the next line
    assert "Provisions on Promoting and Regulating Cross-Border Data Flows" in {
        str(dict(r.fields).get("label")) for r in x.records if r.kind == "document"}
    assert _issued(x) == {("provisions-promoting", "cac")}
    assert _dates(x)["provisions-promoting"] == {dt.date(2024, 3, 22)}


def test_a_table_of_two_columns_under_a_heading_that_names_the_document(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", HEAD + "### The Measures for Data Export Filing\n\n| Item | Detail |\n|---|---|\n"
                 "| Issued by | National Data Administration (NDA) |\n| Date of issue | 5 May 2024 |\n"
                 "| In force | 1 June 2024 |\n" + MEASURES)
    assert _issued(x) == {("measures-data", "nda")}
    assert _dates(x)["measures-data"] == {dt.date(2024, 5, 5)}


def test_a_field_list_without_a_document_says_nothing(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", HEAD + "The Measures for Data Export Filing matter.\n\n"
                 "Issuing authority: NDA\nEffective date: 1 June 2024" + MEASURES)
    assert _issued(x) == set() and "measures-data" not in _dates(x)


def test_an_x_issued_document_names_its_issuer_not_a_longer_document(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", HEAD + "The MIIT-issued Guidelines on Industrial Data Classification set three "
                 "grades. The Notice on Pilot Cities was put out by MIIT on 4 April 2024." + MEASURES)
    labels = {str(dict(r.fields).get("label")) for r in x.records if r.kind == "document"}
    assert "Guidelines on Industrial Data Classification" in labels and not any("MIIT" in n for n in labels)
    assert _issued(x) == {("guidelines-industrial", "miit"), ("notice-pilot", "miit")}
    assert _dates(x)["notice-pilot"] == {dt.date(2024, 4, 4)}


def test_issuers_in_a_name_end_at_on_before_for(tmp_path: Path) -> None:
    # "for" is inside the name of SAMR: the issuers end at "on"
    x = _extract(tmp_path, "u.md", HEAD + "The Announcement of the Cyberspace Administration of China and the State "
                 "Administration for Market Regulation on Personal Information Protection Certification is dated "
                 "8 November 2022." + MEASURES)
    assert {a for _, a in _issued(x)} == {"cac", "samr"}


def test_a_law_passed_by_the_legislature_is_issued_by_it(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", HEAD + "The NPC Standing Committee passed the Law on Science Popularization on "
                 "28 December 2023. The List was released by the Provincial Data Bureau after it had passed the "
                 "filing review of the CAC." + MEASURES)
    assert ("law-science", "npcsc") in _issued(x)
    assert _dates(x)["law-science"] == {dt.date(2023, 12, 28)}
    assert not any(a == "cac" for _, a in _issued(x))  # a review passed is no issuing


def _guided(x) -> set[tuple[str, str]]:
    return {(_local(f["measure"]), _local(f["agency"])) for f in _facts(x, "guidance")}


PLAN = ("# Guidance forms\n\n*Data Law Weekly, 12 May 2024*\n\nThe Ministry of Industry and Information "
        "Technology (MIIT) issued the **Action Plan for Industrial Data** on 3 May 2024.\n\n## Tasks\n\n")


def test_names_in_a_bracket_or_after_a_dash_that_ends_a_measure_are_responsible(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", PLAN + "1. Train data engineers. [Ministry of Education, MIIT]\n"
                 "2. Promote data standards. — State Administration for Market Regulation\n"
                 "3. Open public data to enterprises (NDRC, CAC).\n"
                 "4. Publish a list of pilots (Trial).\n"
                 "5. Register data products with the Cyberspace Administration of China (CAC).\n")
    assert _guided(x) == {("1", "moe"), ("1", "miit"), ("2", "samr"), ("3", "ndrc"), ("3", "cac")}


def test_competent_authorities_and_cooperating_departments_are_responsible(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", PLAN + "1. Strengthen data security. Competent authority: CAC.\n"
                 "2. Set up data venues. NDRC takes the lead; MIIT and the CAC cooperate.\n"
                 "3. Cultivate data firms. Implementing body: provincial governments.\n")
    assert _guided(x) == {("1", "cac"), ("2", "ndrc"), ("2", "miit"), ("2", "cac")}


def _measure_numbers(x) -> list[int]:
    return sorted(dict(r.fields)["number"] for r in x.records if r.kind == "article")


def test_measures_numbered_in_words(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", PLAN + "Task One: Build a platform. MIIT leads.\n\nTask Two: Open data. The CAC "
                 "leads.\n\nTask Three: Trade data. NDRC leads.\n")
    assert _measure_numbers(x) == [1, 2, 3]
    assert ("2", "cac") in _guided(x)


def test_a_serial_number_column_numbers_the_measures(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", PLAN + "| S/N | Task | Lead |\n|---|---|---|\n| 1 | Build a platform | MIIT |\n"
                 "| 2 | Open data | CAC |\n| 3 | Trade data | NDRC |\n")
    assert _measure_numbers(x) == [1, 2, 3]
    assert _guided(x) == {("1", "miit"), ("2", "cac"), ("3", "ndrc")}


def test_a_pillar_or_a_chapter_number_is_no_part_of_the_categorys_name(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", PLAN + "### Pillar 1 — Infrastructure\n\nTask 1: Build a platform. MIIT leads.\n\n"
                 "Chapter II Data Markets\n\nTask 2: Trade data. NDRC leads.\n\nTask 3: Open data. The CAC leads.\n")
    labels = {str(dict(r.fields)["label"]) for r in x.records if r.kind == "category"}
    assert labels == {"Infrastructure", "Data Markets"}


PILOTS = ("# New data pilot cities named\n\n*Data Law Weekly, 12 May 2024*\n\nOn 10 May 2024 the National Data "
          "Administration (NDA) issued the **Notice on Data Trading Pilots**. ")
PILOT_MEASURES = "\n\n## Tasks\n\n1. Build data exchanges. The NDA leads.\n2. Open public data. MIIT leads.\n"


def _pilots(x) -> set[str]:
    return {_local(f["area"]) for f in _facts(x, "pilot_area")}


def test_the_issuer_that_selected_a_count_of_cities_in_brackets(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", PILOTS + "The NDA selected five cities (Beijing, Shanghai, Shenzhen, Hangzhou and "
                 "Chengdu) as pilots. The pilots will last three years." + PILOT_MEASURES)
    assert _pilots(x) == {"beijing", "shanghai", "shenzhen", "hangzhou", "chengdu"}
    assert [f["count"] for f in _facts(x, "stated_count")] == [5]
    assert [(f["start"], f["end"]) for f in _facts(x, "trial")] == [(dt.date(2024, 5, 10), dt.date(2027, 5, 9))]


def test_another_agency_that_selected_cities_says_nothing_of_the_notice(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", PILOTS + "MIIT selected five cities (Beijing, Shanghai, Shenzhen, Hangzhou and "
                 "Chengdu) for its own programme." + PILOT_MEASURES)
    assert _pilots(x) == set() and _facts(x, "stated_count") == []


def test_a_label_of_pilot_areas_lists_them(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", PILOTS + "\n\nPilot areas: Beijing, Shanghai, Chengdu." + PILOT_MEASURES)
    assert _pilots(x) == {"beijing", "shanghai", "chengdu"}


def test_an_area_that_has_already_tried_a_measure_is_its_forerunner(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", PILOTS + PILOT_MEASURES.replace("The NDA leads.", "The NDA leads. Shanghai has "
                                                                   "already tried this measure."))
    assert {(_local(f["measure"]), _local(f["area"])) for f in _facts(x, "forerunner")} == {("1", "shanghai")}


def test_a_document_in_line_with_or_elaborating_on_another_refers_to_it(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# References\n\n*Data Law Weekly, 12 May 2024*\n\nOn 10 May 2024 the CAC "
                 "issued the **Measures for Data Export Filing**. The Measures are in line with the Opinions on "
                 "Building a Basic System for Data. The Measures elaborate on Article 40 of the Personal Information "
                 "Protection Law." + MEASURES)
    refs = {"-".join(_local(f["target"]).split("-")[:2]) for f in _facts(x, "reference")}
    assert refs == {"opinions-building", "personal-information"}


def _forerunners(x) -> set[tuple[str, str]]:
    return {(_local(f["measure"]), _local(f["area"])) for f in _facts(x, "forerunner")}


def test_forerunners_in_prose_before_the_measures_and_in_words_of_models(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", PLAN + "Two features were tried in Guiyang first: the platform of Task 1 and the "
                 "catalogue of Task 3. Two provinces were ahead of the ministry on Task 2: Zhejiang and Guangdong "
                 "had both circulated drafts.\n\n"
                 "Task 1: Build a platform. MIIT leads.\n\nTask 2: Open data. The CAC leads.\n\n"
                 "Task 3: Trade data. NDRC leads. Suzhou tried this first.\n\n"
                 "Task 4 is not new everywhere. Beijing and Tianjin have required it since 2019, and MIIT cites "
                 "them as models.\n\nTask 4: Keep data local. MIIT leads.\n")
    assert _forerunners(x) == {("1", "guiyang"), ("3", "guiyang"), ("2", "zhejiang"), ("2", "guangdong"),
                               ("3", "suzhou")}


def test_a_bare_art_number_before_a_verb_is_running_text(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", PLAN + "Art. 1 names the Cybersecurity Law as the basis.\n\n"
                 "Art. 5. Cities build a platform. MIIT leads.\n\nArt. 6 Cities open data. The CAC leads.\n")
    assert _measure_numbers(x) == [5, 6]


def test_made_under_and_invokes_refer(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# References\n\n*Data Law Weekly, 12 May 2024*\n\nOn 10 May 2024 the CAC "
                 "issued the **Measures for Data Export Filing**. The Measures were made under the Opinions on "
                 "Cross-Border Data (2023 Edition).\n\nOn 2 May 2024 MIIT issued the **Notice on Data Grading**. "
                 "For Task 1 the Notice also invokes the Guide to Data Labelling (First Edition)." + MEASURES)
    pairs = {("-".join(_local(f["document"]).split("-")[:2]), "-".join(_local(f["target"]).split("-")[:2]))
             for f in _facts(x, "reference")}
    assert pairs == {("measures-data", "opinions-cross"), ("notice-data", "guide-data")}


def test_a_bracket_of_issuer_order_and_date_after_a_name(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", HEAD + "Chapter III builds on the Interim Provisions on Prohibiting Abuse of "
                 "Dominant Market Positions (SAMR Order No. 11, 26 June 2019). They do not cite the E-Commerce Law "
                 "of the People's Republic of China (NPCSC, 31 August 2018). The Outline for Big Data "
                 "(Guo Fa [2015] No. 50) is older. The Rules for Data Audits (the Audit Rules, 2021) are newer."
                 + MEASURES)
    assert _issued(x) == {("interim-provisions", "samr"), ("e-commerce", "npcsc")}
    assert _dates(x)["interim-provisions"] == {dt.date(2019, 6, 26)}
    assert _dates(x)["e-commerce"] == {dt.date(2018, 8, 31)}
    assert "outline-big" not in _dates(x) and "rules-data" not in _dates(x)


def test_the_co_issuers_named_on_its_cover_include(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", HEAD + "MIIT issued the Action Plan for Identifiers on 2 April 2024. The co-issuers "
                 "named on its cover include the National Development and Reform Commission (NDRC), the Ministry of "
                 "Finance and the Ministry of Commerce (MOFCOM)." + MEASURES)
    assert {a for d, a in _issued(x) if d == "action-plan"} == {"miit", "ndrc", "mof", "mofcom"}


def test_among_the_co_issuers_of_a_footnote_says_not_whose(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", HEAD + "The NDA issued the Notice on the Action Plan for Data on 2 April 2024.\n\n"
                 "Among the co-issuers are the Ministry of Finance and the Ministry of Commerce (MOFCOM)." + MEASURES)
    assert not {a for _, a in _issued(x)} & {"mof", "mofcom"}


def test_a_note_number_glued_to_a_full_stop_ends_the_sentence() -> None:
    from policykg.textutil import View, sentences

    text = "Both were adopted by the same Standing Committee.2 In February 2016 it was approved by MIIT. See No. 5 There."
    view = View.of(text, 0, len(text), markup=False)
    assert [view.clean[s:e] for s, e in sentences(view)] == [
        "Both were adopted by the same Standing Committee.", "In February 2016 it was approved by MIIT.",
        "See No. 5 There."]


def test_prose_after_the_measures_says_who_is_responsible_for_which(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", PLAN + "Article 12 The database is run centrally.\n\nArticle 13 Agencies must be "
                 "legal persons.\n\nArticle 15 Hospitals use the code.\n\nArticle 16 The code is linked to insurance.\n\n"
                 "## Who is responsible?\n\nThe NDRC is responsible for Articles 12 and 13: it runs the database. "
                 "The CAC is responsible for Article 15 in hospitals, and MIIT is responsible for Article 16. "
                 "Article 5 of the Cybersecurity Law is the CAC's.\n")
    assert _guided(x) == {("12", "ndrc"), ("13", "ndrc"), ("15", "cac"), ("16", "miit")}


TEXT_TABLE = """DATA POLICY WATCH                                   Issue 2020/31
Rules in China, every Monday                           3 August 2020
=====================================================================

MIIT SETS TEN TASKS

On 22 July 2020 the Ministry of Industry and Information Technology
(MIIT) issued the Notice on Rectifying Apps. Both Notices rest on the
Cybersecurity Law.

No.  Task                                          In charge
---  --------------------------------------------  ----------

A. Handling personal information

1    Collecting personal information without        MIIT
     consent, or beyond the scope the service
     needs.
2    Using personal information beyond the agreed  MIIT; SAMR
     purpose.

B. Harassing users

3    Forced, frequent or excessive requests for     -
     permissions.

The State Administration for Market Regulation (SAMR) is brought in on
Task 2 because the ads are advertising.
"""


def test_a_plain_text_table_in_columns_is_read_row_by_row(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.txt", TEXT_TABLE)
    doc = x.document
    assert doc.format == "text+tables" and doc.is_rendition  # the rows re-laid: a rendition, published
    rows = {b.article: doc.text[b.start:b.end] for b in doc.blocks if b.kind == "article"}
    assert rows[1] == ("1 | Collecting personal information without consent, or beyond the scope the service "
                       "needs. | MIIT")
    assert _guided(x) == {("1", "miit"), ("2", "miit"), ("2", "samr")}
    categories = {(_local(f["measure"]), _local(f["category"])) for f in _facts(x, "categorisation")}
    assert categories == {("1", "handling-personal-information"), ("2", "handling-personal-information"),
                          ("3", "harassing-users")}
    # the measures are the notice's, not the law's it rests on
    assert {_local(f["table"]).split("-")[0] for f in _facts(x, "article")} == {"notice"}


def test_a_text_without_a_rule_of_dashes_stays_the_files_own(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.txt", TEXT_TABLE.replace("---  --------------------------------------------  ----------\n", ""))
    assert x.document.format == "text" and not x.document.is_rendition


def test_pilots_opened_in_six_cities_for_a_period_and_a_table_headed_pilot_city(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Maps\n\n*Data Law Weekly, 12 May 2024*\n\nOn 30 August 2022 MNR issued the "
                 "Notice on Pilot Work for Map Applications, which opened pilots in three cities for a period of two "
                 "years:\n\n| Pilot city | Main use tested |\n|---|---|\n| Beijing | Robotaxi services |\n"
                 "| Shanghai | Urban navigation |\n| Shenzhen | Map updating |\n" + MEASURES)
    assert _pilots(x) == {"beijing", "shanghai", "shenzhen"}
    assert [f["count"] for f in _facts(x, "stated_count")] == [3]
    assert [(f["start"], f["end"]) for f in _facts(x, "trial")] == [(dt.date(2022, 8, 30), dt.date(2024, 8, 29))]


def test_a_commission_of_the_state_council_is_itself_not_the_state_council(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", HEAD + "On 7 February 2021 the Anti-Monopoly Commission of the State Council issued "
                 "the Anti-Monopoly Guidelines for the Platform Economy." + MEASURES)
    agencies = {_local(dict(r.fields)["iri"]) for r in x.records if r.kind == "agency"}
    assert "anti-monopoly-commission-of-the-state-council" in agencies and "state-council" not in agencies
    assert _issued(x) == {("anti-monopoly", "anti-monopoly-commission-of-the-state-council")}


def test_its_general_office_is_no_body_of_its_own(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", HEAD + "On 30 August 2022 the Ministry of Natural Resources (MNR) issued through its "
                 "General Office the Notice on Map Pilots." + MEASURES)
    agencies = {_local(dict(r.fields)["iri"]) for r in x.records if r.kind == "agency"}
    assert not any("general-office" in a for a in agencies)
    assert {a for d, a in _issued(x) if d == "notice-map"} == {"mnr"}


def test_a_year_before_a_short_name_and_a_short_name_that_begins_one_name(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", HEAD + "The Guidelines build on the *Interim Provisions on Prohibiting Abuse of "
                 "Dominant Market Positions*. In 2023 SAMR issued the *Provisions on Prohibiting Abuse of Dominant "
                 "Market Positions*. The Provisions replace the 2019 Interim Provisions." + MEASURES)
    labels = {str(dict(r.fields)["label"]) for r in x.records if r.kind == "document"}
    assert "2019 Interim Provisions" not in labels  # the Interim Provisions again, not a document of its own
    pairs = {("-".join(_local(f["document"]).split("-")[:2]), "-".join(_local(f["target"]).split("-")[:2]))
             for f in _facts(x, "reference")}
    assert ("provisions-prohibiting", "interim-provisions") in pairs


def test_the_august_notice_is_the_one_dated_in_august_and_no_owner_of_pilots_it_is_implemented_by(
        tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", HEAD + "MNR issued the Notice on Promoting Connected Vehicles, dated 25 August 2022. "
                 "On 30 August 2022 MNR issued the Notice on Map Pilots (the “Pilot Notice”), which implements the "
                 "August Notice and opened pilots in two cities for a period of two years: Beijing and Shanghai."
                 + MEASURES)
    pairs = {("-".join(_local(f["document"]).split("-")[:3]), "-".join(_local(f["target"]).split("-")[:2]))
             for f in _facts(x, "reference")}
    assert ("notice-map-pilots", "notice-promoting") in pairs
    assert {_local(f["notice"]).split("-")[1] for f in _facts(x, "stated_count")} == {"map"}


def test_lettered_notes_glued_in_plain_text_and_a_note_that_opens_with_issued(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.txt", TEXT_TABLE.replace(
        "Both Notices rest on the\nCybersecurity Law.", "Inspectors apply the Methods for Identifying\n"
        "Illegal Collection of Personal Information by Apps(b).") + "\n\n(b) Issued on 28 November 2019 by the "
        "Cyberspace Administration of\n    China (CAC) and MIIT.\n")
    doc = x.document
    assert [(b.footnote, doc.text[b.start:b.start + 9]) for b in doc.blocks if b.kind == "footnote"] == [("b", "Issued on")]
    labels = {str(dict(r.fields)["label"]) for r in x.records if r.kind == "document"}
    assert "Methods for Identifying Illegal Collection of Personal Information by Apps" in labels
    assert {a for d, a in _issued(x) if d == "methods-identifying"} == {"cac", "miit"}
    assert _dates(x)["methods-identifying"] == {dt.date(2019, 11, 28)}


def test_by_inside_a_name_is_not_its_issuer(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", HEAD + "Inspectors apply the Measures for Data Audits by the CAC. They also apply "
                 "the Rules for Data Audits by MIIT." + MEASURES)
    labels = {str(dict(r.fields)["label"]) for r in x.records if r.kind == "document"}
    assert {"Measures for Data Audits", "Rules for Data Audits"} <= labels


def test_a_decision_on_amending_a_law_refers_to_it(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", HEAD + "The Anti-Monopoly Law of the People's Republic of China applies. On 24 June "
                 "2022 the NPCSC adopted the Decision on Amending the Anti-Monopoly Law of the People's Republic of "
                 "China." + MEASURES)
    pairs = {("-".join(_local(f["document"]).split("-")[:2]), "-".join(_local(f["target"]).split("-")[:2]))
             for f in _facts(x, "reference")}
    assert ("decision-amending", "anti-monopoly") in pairs


def test_a_note_that_opens_with_the_full_name_to_which_an_article_refers(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.html", "<html><body><h1>Maps</h1><p><em>Data Law Weekly, 12 May 2024</em></p>"
                 "<p>On 10 May 2024 MNR issued the <strong>Measures for Data Security in Natural Resources</strong>."
                 "<sup><a href='#fn1'>1</a></sup></p><h2>Measures</h2><ol><li>Data are graded. MNR leads.</li>"
                 "<li>Data are protected. MNR guides this.</li></ol><ol class='notes'><li id='fn1'>The <em>Provisions "
                 "on the Scope of State Secrets in Surveying Work</em>, issued in June 2020 by the Ministry of "
                 "Natural Resources (MNR), to which Article 2 refers.</li></ol></body></html>")
    labels = {str(dict(r.fields)["label"]) for r in x.records if r.kind == "document"}
    assert "Provisions on the Scope of State Secrets in Surveying Work" in labels
    pairs = {("-".join(_local(f["document"]).split("-")[:2]), "-".join(_local(f["target"]).split("-")[:2]))
             for f in _facts(x, "reference")}
    assert ("measures-data", "provisions-scope") in pairs
    assert ("provisions-scope", "mnr") in _issued(x)


def test_a_tables_label_said_to_be_an_agency_stands_for_it(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", PLAN + "| No. | Measure | Responsible |\n|---|---|---|\n"
                 "| 1 | Departments share data. | Provincial big data dept. |\n| 2 | Data are opened. | — |\n\n"
                 "“Provincial big data dept.” is the Guizhou Provincial Big Data Development Administration.\n")
    assert _guided(x) == {("1", "guizhou-provincial-big-data-development-administration")}


def test_a_masthead_of_two_lines_over_a_title_wrapped_on_two(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.txt", TEXT_TABLE.replace("MIIT SETS TEN TASKS", "MIIT SETS TEN TASKS FOR APPS AND\nAPP STORES"))
    kinds = {x.document.text[b.start:b.end].split("\n")[0]: b.kind for b in x.document.blocks}
    assert kinds["MIIT SETS TEN TASKS FOR APPS AND"] == "title"
    assert kinds["DATA POLICY WATCH                                   Issue 2020/31"] == "dateline"

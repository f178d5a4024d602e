"""Forms of the genre met in the fifth blind batch (issue 13), each on a small document: how it
is read, and what it must give. The documents are written here, in the form each case names;
the facts are looked up by kind in the extraction."""
from __future__ import annotations

from pathlib import Path

import pytest

from policykg.pipeline.extract import extract
from policykg.pipeline.lexicon import load_lexicon
from policykg.pipeline.read import read_document

LEXICON = load_lexicon()
MEASURE = "\n\n- **Article 1:** Handlers file their data catalogues. The CAC is responsible.\n"


def _read(tmp_path: Path, name: str, text: str | bytes):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return read_document(path)


def _extract(tmp_path: Path, name: str, text: str | bytes):
    return extract(_read(tmp_path, name, text), LEXICON)


def _facts(x, kind: str) -> list[dict]:
    return [dict(r.fields) for r in x.records if r.kind == kind]


def _labels(x, cls: str | None = None) -> set[str]:
    return {str(r.get("label")) for r in x.records if r.kind == "document" and (cls is None or r.get("cls") == cls)}


# ------------------------------------------------------------------------------------- reading

def test_a_first_sentence_with_a_date_is_no_date_line(tmp_path: Path) -> None:
    doc = _read(tmp_path, "u.md", "# Data Rules\n\nThe State Council issued the Opinions on Building a Data "
                                  "Market on 30 March 2020." + MEASURE)
    assert doc.dateline is None and [b.kind for b in doc.blocks][:2] == ["title", "paragraph"]
    assert "Opinions on Building a Data Market" in _labels(extract(doc, LEXICON))


@pytest.mark.parametrize("line,year,month", [
    ("Policy Update | September 2020", 2020, 9), ("2025-03", 2025, 3), ("2021年8月", 2021, 8),
])
def test_date_lines_in_words_iso_and_chinese(tmp_path: Path, line: str, year: int, month: int) -> None:
    doc = _read(tmp_path, "u.md", f"# Data Rules\n\n{line}\n\nThe CAC issued the Rules on Data on 3 May {year}."
                + MEASURE)
    assert (doc.year, doc.month) == (year, month)


def test_a_signature_gives_the_date_line_when_the_title_has_none(tmp_path: Path) -> None:
    text = ("DATA RULES FOR PORTS\n\nThe Ministry of Commerce issued the Measures on Port Data on 3 June.\n\n"
            "Article 1 Ports share customs data. MOFCOM is responsible.\n\n"
            "Policy Update on Measures regarding Data\nBeijing, June 2024\n")
    doc = _read(tmp_path, "u.txt", text)
    assert (doc.year, doc.month) == (2024, 6) and doc.dateline is not None


def test_a_forwarded_e_mail_is_read_without_its_quote_marks(tmp_path: Path) -> None:
    quoted = ["PORT DATA: MOFCOM SETS RULES", "", "Policy Update | June 2024", "",
              "The Ministry of Commerce (MOFCOM) issued the Measures on Port Data on 3 June 2024.", "",
              "Art. 1  Ports share customs data. MOFCOM is responsible.", "",
              "Art. 2  Ports open logistics data to the platforms. MOFCOM", "leads."]
    text = "From: A. Reader\nSent: Monday\nSubject: FW: update\n\nFor your files.\n\n-----Original Message-----\n" + \
        "\n".join(("> " + line).rstrip() for line in quoted) + "\n"
    doc = _read(tmp_path, "mail.txt", text)
    assert doc.format == "email" and doc.is_rendition
    assert doc.slice(doc.title).startswith("PORT DATA") and ">" not in doc.text
    x = extract(doc, LEXICON)
    assert sorted(f["number"] for f in _facts(x, "article")) == [1, 2]
    assert len(_facts(x, "guidance")) == 2


def test_a_yaml_front_matter_gives_title_and_date(tmp_path: Path) -> None:
    text = ('---\ntitle: "Port Data: Two Rulebooks"\nsubtitle: Policy Update\ndate: 2025-03\nlang: en-GB\n---\n\n'
            "The Ministry of Commerce (MOFCOM) issued the Measures on Port Data on 28 February 2025." + MEASURE)
    doc = _read(tmp_path, "u.md", text)
    assert doc.slice(doc.title) == "Port Data: Two Rulebooks" and (doc.year, doc.month) == (2025, 3)


HTML_TABLE = """<html><body><main><h1>Vehicle Pilots</h1><p>Policy Update | January 2024</p>
<p>The Ministry of Industry and Information Technology (MIIT) and the Ministry of Transport (MOT) issued a
<strong>Notice on Vehicle Pilots</strong> on 15 January 2024.</p>
<p>The annex to the notice, <strong>Pilot Tasks and Division of Responsibilities</strong>, contains three tasks:</p>
<table><thead><tr><th>Area</th><th>No.</th><th>Pilot task</th><th>Lead</th><th>Participating</th></tr></thead>
<tbody>
<tr><td rowspan="2">Infrastructure</td><td>1</td><td>Roadside units at key intersections.</td><td>MIIT</td><td>MOT</td></tr>
<tr><td>2</td><td>On-board units in new buses.</td><td>MOT</td><td>&mdash;</td></tr>
<tr><td>Standards</td><td>3</td><td>Standards for roadside equipment.</td><td colspan="2">MIIT</td></tr>
</tbody></table>
<p>Wuxi and Changsha are named as the forerunners for the first two tasks. Shenzhen may be added as a
forerunner later.</p></main>
<aside class="col-side"><h2>Related policy updates</h2><ul><li><a href="/x">Regulations on Network Data
Security Management (October 2024)</a></li></ul></aside></body></html>"""


def test_an_html_table_with_spanned_cells_and_two_agency_columns(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.html", HTML_TABLE)
    holders = {f["table"].rsplit("/", 1)[1] for f in _facts(x, "article")}
    assert len(holders) == 1 and holders.pop().startswith("pilot-tasks-division-responsibilities")
    assert "Pilot Tasks and Division of Responsibilities" in _labels(x, "MeasureTable")
    categories = {f["measure"].rsplit("/", 1)[1]: f["category"].rsplit("/", 1)[1] for f in _facts(x, "categorisation")}
    assert categories == {"1": "infrastructure", "2": "infrastructure", "3": "standards"}
    guided = {(f["measure"].rsplit("/", 1)[1], f["agency"].rsplit("/", 1)[1]) for f in _facts(x, "guidance")}
    assert guided == {("1", "miit"), ("1", "mot"), ("2", "mot"), ("3", "miit")}
    forerunners = {(f["measure"].rsplit("/", 1)[1], f["area"].rsplit("/", 1)[1]) for f in _facts(x, "forerunner")}
    assert forerunners == {("1", "wuxi"), ("1", "changsha"), ("2", "wuxi"), ("2", "changsha")}
    assert any("Shenzhen may be added" in w for w in x.warnings)
    # the sidebar is the site's, not the update's: its links name no document
    assert not any("Network Data" in label for label in _labels(x))


# ------------------------------------------------------------------------------------ documents

@pytest.mark.parametrize("sentence,expected,warned", [
    # a dated short form before its full name is the named document, not a new one
    ("The January 2024 Notice builds on the Notice on Data Pilots, issued by the CAC on 5 January 2024.",
     {"Notice on Data Pilots"}, False),
    # a short form that fits two documents of its kind: neither, with a warning
    ("The 2021 Provisions sit beside the Provisions on Data Export and the Provisions on Data Labelling.",
     {"Provisions on Data Export", "Provisions on Data Labelling"}, True),
    # a date in brackets after a name is no part of it
    ("The CAC issued the Regulations on Network Data Security Management (October 2024).",
     {"Regulations on Network Data Security Management"}, False),
])
def test_short_forms_and_dates_never_make_documents_of_their_own(tmp_path: Path, sentence: str,
                                                                  expected: set[str], warned: bool) -> None:
    x = _extract(tmp_path, "u.md", f"# Data Rules\n\nPolicy Update | May 2024\n\n{sentence}" + MEASURE)
    assert _labels(x) - {"Data Rules"} == expected
    assert warned == any("names a document of that kind" in w for w in x.warnings)


def test_a_chinese_date_is_an_issue_date(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Data Rules\n\nPolicy Update | August 2021\n\nThe State Council issued the "
                                   "Regulations on Data Protection on 2021年7月30日." + MEASURE)
    assert [f["date"].isoformat() for f in _facts(x, "issue_date")] == ["2021-07-30"]


def test_a_footnote_gives_what_a_document_rests_on(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Data Rules\n\nPolicy Update | May 2024\n\nThe CAC issued the Regulations "
                                   "on Data Protection on 3 May 2024. The Regulations rest on three laws.[^1]" + MEASURE +
                 "\n[^1]: The three laws are the Cybersecurity Law, the Data Security Law and the Personal "
                 "Information Protection Law.\n")
    targets = {f["target"].rsplit("/", 1)[1] for f in _facts(x, "reference")}
    assert targets == {"cybersecurity-law", "data-security-law", "personal-information-protection-law"}


def test_each_reference_verb_reads_its_example(tmp_path: Path) -> None:
    from policykg.pipeline.recognisers.references import verbs

    for i, verb in enumerate(verbs()):
        x = _extract(tmp_path, f"v{i}.md", f"# Data Rules\n\nPolicy Update | May 2024\n\n{verb.example}" + MEASURE)
        labels = {str(r.get("label")): r.get("iri") for r in x.records if r.kind == "document"}
        targets = {f["target"] for f in _facts(x, "reference")}
        for name in verb.refers:
            iri = next((iri for label, iri in labels.items() if name in label), None)
            assert iri in targets, (verb.name, name, labels, targets)


# ---------------------------------------------------------------------------------------- sites

def test_sites_after_a_colon_and_under_a_heading(tmp_path: Path) -> None:
    text = ("# Data Venues\n\nPolicy Update | May 2024\n\nThe Ministry of Commerce (MOFCOM) issued the Notice on Data "
            "Markets on 3 May 2024. The Notice annexes a List of Data Trading Venues. It names two venues: "
            "Guiyang Global Big Data Exchange and Shanghai Data Exchange Center." + MEASURE +
            "\n### The national data labelling bases\n\nDesignated in the List of National Data Labelling Bases:\n\n"
            "- Chengdu Data Labelling Base\n- Hefei Data Labelling Base\n- Riverside Data Labelling Base\n")
    x = _extract(tmp_path, "u.md", text)
    listed = {(f["list"].rsplit("/", 1)[1].rsplit("-", 1)[0], f["base"].rsplit("/", 1)[1]) for f in _facts(x, "listing")}
    assert listed == {("list-data-trading-venues", "guiyang-global-big-data-exchange"),
                      ("list-data-trading-venues", "shanghai-data-exchange-center"),
                      ("list-national-data-labelling-bases", "chengdu-data-labelling-base"),
                      ("list-national-data-labelling-bases", "hefei-data-labelling-base")}
    # a site whose place neither its name nor its list tells: left out, with a warning
    assert any("Riverside Data Labelling Base" in w and "left out" in w for w in x.warnings)


# ------------------------------------------------------------------------- issuers and pilots

def test_co_issuers_in_a_dagger_footnote(tmp_path: Path) -> None:
    text = ("# Data Elements\n\nPolicy Update | January 2024\n\nOn 4 January 2024 the National Data Administration (NDA) "
            "and two other departments† released a notice on issuing the Data Elements Action Plan." + MEASURE +
            "\n† The co-issuers are the Ministry of Commerce (MOFCOM) and the Ministry of Transport (MOT).\n")
    x = _extract(tmp_path, "u.md", text)
    assert {f["agency"].rsplit("/", 1)[1] for f in _facts(x, "issuance")} == {"nda", "mofcom", "mot"}
    # a dagger no footnote opens with is no marker (and no error)
    doc = _read(tmp_path, "v.md", text.replace("\n† The co-issuers", "\nThe co-issuers"))
    assert not any(b.markers for b in doc.blocks)


def test_areas_a_named_document_selected_and_a_lower_case_short_name(tmp_path: Path) -> None:
    text = ("# Industrial Data\n\nPolicy Update | March 2022\n\nMIIT launched pilots with its Notice on Data Security "
            "Pilots in Industry (the pilot notice) on 21 February 2022. The pilot notice selected 3 provinces: "
            "Jiangsu, Zhejiang and Hubei. The Measures on Data Export selected 2 provinces: Hebei and Anhui." + MEASURE)
    x = _extract(tmp_path, "u.md", text)
    by_doc: dict[str, set[str]] = {}
    for f in _facts(x, "pilot_area"):
        by_doc.setdefault(f["notice"].rsplit("/", 1)[1], set()).add(f["area"].rsplit("/", 1)[1])
    notice = next(k for k in by_doc if k.startswith("notice-data-security-pilots-industry"))
    assert by_doc[notice] == {"jiangsu", "zhejiang", "hubei"}
    assert [f["count"] for f in _facts(x, "stated_count") if f["notice"].endswith(notice)] == [3]


# ------------------------------------------------------------------- dates, references, pilots

def test_it_is_dated_and_a_footnote_of_full_names_with_dates(tmp_path: Path) -> None:
    text = ("# Data Guides\n\nPolicy Update | March 2024\n\nThe Ministry of Commerce (MOFCOM) published the Notice on "
            "Data Markets. It is dated 15 July 2020. The Cyberspace Administration of China (CAC) revised two "
            "guides¹." + MEASURE +
            "\n¹ Full names and dates of the two guides, all issued by the CAC: Guide to Filing Data Exports "
            "(First Edition), 30 May 2023; Guide to Filing Data Exports (Second Edition), 22 March 2024.\n")
    x = _extract(tmp_path, "u.md", text)
    labels = {r.get("iri"): str(r.get("label")) for r in x.records if r.kind == "document"}
    dates = {labels[f["document"]]: f["date"].isoformat() for f in _facts(x, "issue_date")}
    assert dates == {"Notice on Data Markets": "2020-07-15", "Guide to Filing Data Exports (First Edition)": "2023-05-30",
                     "Guide to Filing Data Exports (Second Edition)": "2024-03-22"}
    issuers = {(labels[f["document"]], f["agency"].rsplit("/", 1)[1]) for f in _facts(x, "issuance")}
    assert ("Guide to Filing Data Exports (First Edition)", "cac") in issuers
    assert ("Guide to Filing Data Exports (Second Edition)", "cac") in issuers


def test_both_texts_and_the_notice_as_subjects_of_a_reference(tmp_path: Path) -> None:
    text = ("# Public Data\n\nPolicy Update | March 2025\n\nThe NDA issued the **Measures on Data Registration** and the "
            "**Specification for Data Operation** on 28 February 2025. Both texts implement the Data Security Law." + MEASURE)
    x = _extract(tmp_path, "u.md", text)
    labels = {r.get("iri"): str(r.get("label")) for r in x.records if r.kind == "document"}
    refs = {(labels[f["document"]], labels[f["target"]]) for f in _facts(x, "reference")}
    assert refs == {("Measures on Data Registration", "Data Security Law"),
                    ("Specification for Data Operation", "Data Security Law")}


@pytest.mark.parametrize("sentence,forerunners", [
    ("Beijing and Shanghai go first with the two tasks above.", {("2", "beijing"), ("2", "shanghai"),
                                                                 ("3", "beijing"), ("3", "shanghai")}),
    # what the tasks are about, not where the paragraph stands, would say which: left out
    ("Zhejiang and Guangdong are the forerunners for the monitoring task.", set()),
])
def test_forerunners_of_measures_named_by_place_or_by_topic(tmp_path: Path, sentence: str, forerunners: set) -> None:
    text = ("# Pilots\n\nPolicy Update | May 2024\n\nThe MIIT issued the Plan for Data Pilots on 3 May 2024.\n\n"
            "- **Article 1:** Monitoring platforms are built. The MIIT is responsible.\n"
            "- **Article 2:** Data are graded. The MIIT is responsible.\n"
            "- **Article 3:** Incidents are reported. The MIIT is responsible.\n\n" + sentence + "\n")
    x = _extract(tmp_path, "u.md", text)
    assert {(f["measure"].rsplit("/", 1)[1], f["area"].rsplit("/", 1)[1]) for f in _facts(x, "forerunner")} == forerunners


@pytest.mark.parametrize("sentences,trial", [
    ("The MIIT issued the Notice on Vehicle Pilots on 30 December 2023. The pilot period runs from 1 January 2024 "
     "to 31 December 2026.", ("notice-vehicle-pilots", "2024-01-01", "2026-12-31")),
    ("The NDA issued the Specification for Data Operation on 28 February 2025. The Specification is to be tried "
     "out for two years from 1 March 2025.", ("specification-data-operation", "2025-03-01", "2027-02-28")),
    # the Plan's trial, counted from the notice's date
    ("The NDRC issued a Notice on Digital Zones on 11 October 2019. The Plan for Digital Zones gives them a trial "
     "period of three years counted from the date of the notice.", ("plan-digital-zones", "2019-10-11", "2022-10-10")),
    # the sentence names no document of its own: the trial is the notice's it counts from
    ("The NDRC issued a Notice on Data Cities on 20 July 2023. The Plan for Digital Zones came later. The pilots run "
     "for a trial period of two years from the date of the notice.", ("notice-data-cities", "2023-07-20", "2025-07-19")),
])
def test_trial_periods_by_their_days_and_the_date_they_count_from(tmp_path: Path, sentences: str, trial: tuple) -> None:
    x = _extract(tmp_path, "u.md", f"# Pilots\n\nPolicy Update | May 2025\n\n{sentences}" + MEASURE)
    found = [(f["notice"].rsplit("/", 1)[1], f["start"].isoformat(), f["end"].isoformat()) for f in _facts(x, "trial")]
    assert len(found) == 1 and found[0][0].startswith(trial[0]) and found[0][1:] == trial[1:], found


@pytest.mark.parametrize("sentence,issuers", [
    ("The NDA was created by the **Plan for Reforming State Institutions** of the **State Council** and the "
     "**National People's Congress**, made public on 16 March 2023.", {"state-council", "npc"}),
    # other words after "of": no issuer
    ("The **Plan for Reforming State Institutions** of the kind the State Council likes was made public.", set()),
])
def test_issuers_written_after_a_name(tmp_path: Path, sentence: str, issuers: set) -> None:
    x = _extract(tmp_path, "u.md", f"# Reform\n\nPolicy Update | March 2023\n\n{sentence}" + MEASURE)
    assert {f["agency"].rsplit("/", 1)[1] for f in _facts(x, "issuance")} == issuers


# ------------------------------------------------------------------------------- batch E forms

def test_a_form_feed_is_a_page_break(tmp_path: Path) -> None:
    text = ("DATA AUDITS\n\nPolicy Update | February 2025\n\nThe CAC issued the Measures on Data Audits on 12 February "
            "2025.\n\nArticle 3 Handlers audit their data.\n\f\nArticle 4 Auditors report to the CAC.\n")
    doc = _read(tmp_path, "u.txt", text)
    assert [b.article for b in doc.blocks if b.kind == "article"] == [3, 4]


def test_numbered_headings_over_their_text_are_the_measures(tmp_path: Path) -> None:
    html = ("<html><body><h1>Digital Villages</h1><p>Policy Update | May 2024</p>"
            "<p>The MARA issued the Work Plan for Digital Villages on 3 May 2024.</p><h3>Infrastructure</h3>"
            "<h4>1. Broadband</h4><p>Pilot areas extend fibre to all villages. MIIT leads this task.</p>"
            "<h4>2. Big data</h4><p>Pilot areas build data resources.</p><p>They connect them to the platform.</p>"
            "</body></html>")
    doc = _read(tmp_path, "u.html", html)
    articles = [b for b in doc.blocks if b.kind == "article"]
    assert [b.article for b in articles] == [1, 2]
    assert "connect them" in doc.text[articles[1].body_start:articles[1].end]
    assert [b.kind for b in doc.blocks].count("category") == 1


@pytest.mark.parametrize("head,title,year_month", [
    # a date line first, the title and a subtitle under it (a PDF's running header)
    ("Policy Update on Measures regarding Data      February 2025\n\nDATA AUDITS\nChina's rules for audits\n\n",
     "DATA AUDITS", (2025, 2)),
    # badges over the title of a Markdown page
    ("# Data Spaces\n\n[![status](https://img.shields.io/badge/a-b-green)](#) [![t](https://x/y.svg)](#)\n\n"
     "**Policy Update** · April 2025\n\n", "Data Spaces", (2025, 4)),
])
def test_titles_under_a_date_line_or_over_badges(tmp_path: Path, head: str, title: str, year_month: tuple) -> None:
    name = "u.md" if head.startswith("#") else "u.txt"
    body = "The CAC issued the Measures on Data Audits on 12 February 2025.\n\nArticle 3 Handlers audit their data.\n"
    doc = _read(tmp_path, name, head + body)
    assert doc.slice(doc.title).strip("# ") == title and (doc.year, doc.month) == year_month


def test_pilot_areas_between_dashes_and_in_a_list_under_their_count(tmp_path: Path) -> None:
    text = ("# AI Zones\n\nPolicy Update | May 2025\n\nThe MIIT issued the Notice on AI Pilot Zones on 3 May 2025, "
            "supporting three cities – Chengdu, Jinan and Wuxi – in building pilot zones.\n\n"
            "The MIIT also issued the Notice on Data Space Pilots on 4 May 2025. The Notice on Data Space Pilots "
            "names 4 pilot cities.\n\n<details>\n<summary>The 4 pilot cities</summary>\n\n1. Hefei\n2. Fuzhou\n"
            "3. Wuhan\n4. Nanjing\n\n</details>\n" + MEASURE)
    x = _extract(tmp_path, "u.md", text)
    by_doc: dict[str, set[str]] = {}
    for f in _facts(x, "pilot_area"):
        by_doc.setdefault(f["notice"].rsplit("/", 1)[1].rsplit("-", 1)[0], set()).add(f["area"].rsplit("/", 1)[1])
    assert by_doc == {"notice-ai-pilot-zones": {"chengdu", "jinan", "wuxi"},
                      "notice-data-space-pilots": {"hefei", "fuzhou", "wuhan", "nanjing"}}


def test_a_list_that_names_its_pilot_areas_holds_them(tmp_path: Path) -> None:
    text = ("# Blockchain Pilots\n\nPolicy Update | January 2022\n\nThe CAC issued the Notice on Blockchain Pilots on "
            "10 October 2021. The CAC issued the **List of Blockchain Pilots** (the List) on 29 January 2022.\n\n"
            "The List names 2 comprehensive pilot areas – Beijing and Shanghai – and 164 featured pilots." + MEASURE)
    x = _extract(tmp_path, "u.md", text)
    owners = {f["notice"].rsplit("/", 1)[1] for f in _facts(x, "pilot_area")}
    assert len(owners) == 1 and owners.pop().startswith("list-blockchain-pilots")


def test_a_bold_category_line_with_a_marker_before_it(tmp_path: Path) -> None:
    text = ("# AI Zones\n\nPolicy Update | May 2025\n\nThe MOST issued the Guidelines for AI Zones on 3 May 2025.\n\n"
            "▸ **Data and computing**\n\nMeasure 1 — Zones open their data. MOST is responsible.\n\n"
            "Measure 2 — Zones build computing centres. MOST is responsible.\n")
    x = _extract(tmp_path, "u.md", text)
    assert {f["category"].rsplit("/", 1)[1] for f in _facts(x, "categorisation")} == {"data-and-computing"}


def test_a_body_whose_name_begins_with_an_agencys_is_not_that_agency(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Villages\n\nPolicy Update | July 2020\n\nThe CAC and the State Council Leading "
                                   "Group Office of Poverty Alleviation issued the Notice on Digital Villages on 3 "
                                   "July 2020." + MEASURE)
    issuers = {f["agency"].rsplit("/", 1)[1] for f in _facts(x, "issuance")}
    assert "cac" in issuers and "state-council" not in issuers


def test_the_same_body_as_issuer_and_as_the_agency_of_a_measure(tmp_path: Path) -> None:
    text = ("# Data Laws\n\nPolicy Update | June 2021\n\nThe National Security Law was adopted by the NPC Standing "
            "Committee on 1 July 2015. The Cybersecurity Law was adopted by the same body on 7 November 2016.\n\n"
            "The CAC issued the Measures on Data Audits on 3 June 2021.\n\n"
            "- **Article 1:** Handlers audit their data. The CAC is responsible.\n"
            "- **Article 2:** Auditors report every year. This task falls to the same body.\n")
    x = _extract(tmp_path, "u.md", text)
    labels = {r.get("iri"): str(r.get("label")) for r in x.records if r.kind == "document"}
    issuers = {(labels[f["document"]], f["agency"].rsplit("/", 1)[1]) for f in _facts(x, "issuance")}
    assert ("Cybersecurity Law", "npcsc") in issuers
    guided = {(f["measure"].rsplit("/", 1)[1], f["agency"].rsplit("/", 1)[1]) for f in _facts(x, "guidance")}
    assert guided == {("1", "cac"), ("2", "cac")}


def test_laws_in_a_footnote_are_cited_by_the_document_its_marker_stands_by(tmp_path: Path) -> None:
    text = ("# Algorithms\n\nPolicy Update | January 2022\n\nThe CAC issued the Provisions on Algorithmic Services "
            "on 31 December 2021. The Provisions name their legal bases.[^1]" + MEASURE +
            "\n[^1]: The Cybersecurity Law, the Data Security Law and the Measures for the Administration of "
            "Internet Information Services (State Council, 2000).\n")
    x = _extract(tmp_path, "u.md", text)
    labels = {r.get("iri"): str(r.get("label")) for r in x.records if r.kind == "document"}
    refs = {(labels[f["document"]], labels[f["target"]]) for f in _facts(x, "reference")}
    assert ("Provisions on Algorithmic Services", "Cybersecurity Law") in refs
    assert not any(doc.startswith("Measures for the Administration") for doc, _ in refs)


@pytest.mark.parametrize("tail,trial", [
    ("with a trial period of two years starting on 1 April 2025.", ("2025-04-01", "2027-03-31")),
    # counted from its release: a date the graph does not hold; left out
    ("The List sets a pilot period of two years, counted from its release.", None),
])
def test_trial_starting_on_a_day_and_from_a_release(tmp_path: Path, tail: str, trial: tuple | None) -> None:
    x = _extract(tmp_path, "u.md", "# Pilots\n\nPolicy Update | April 2025\n\nThe NDA issued the Notice on Data "
                                   f"Space Pilots, dated 14 March 2025, {tail}" + MEASURE)
    found = [(f["start"].isoformat(), f["end"].isoformat()) for f in _facts(x, "trial")]
    assert found == ([trial] if trial else [])
    assert [f["date"].isoformat() for f in _facts(x, "issue_date")] == ["2025-03-14"]


def test_a_who_acts_column_and_a_date_after_a_bracketed_short_name(tmp_path: Path) -> None:
    text = ("# Algorithms\n\nPolicy Update | January 2025\n\nOn 24 November 2024 the CAC published the Notice on "
            "Algorithm Problems (the Qinglang notice), dated 12 November 2024.\n\n"
            "| Article | Provision | Who acts |\n|---|---|---|\n"
            "| Art. 3 | Providers label their algorithms. | CAC; MIIT, MPS |\n")
    x = _extract(tmp_path, "u.md", text)
    assert {f["agency"].rsplit("/", 1)[1] for f in _facts(x, "guidance")} == {"cac", "miit", "mps"}
    assert [f["date"].isoformat() for f in _facts(x, "issue_date")] == ["2024-11-12"]


# ------------------------------------------------------------------ session 6: dates and standards

_PUBLISHED = ("# Labels\n\nPolicy Update | March 2025\n\nOn 14 March 2025 the CAC and the MIIT published the "
              "**Measures for Labelling Synthetic Content** (the “Labelling Measures”). ")


@pytest.mark.parametrize("said,date", [
    ("The Labelling Measures are dated 7 March 2025.", "2025-03-07"),
    ("The Measures bear 7 March 2025 as their date of issue.", "2025-03-07"),
    ("They carry the date of 7 March 2025.", "2025-03-07"),
    ("The two departments had issued the Measures on 7 March 2025.", "2025-03-07"),
    # a date the Measures merely bear is no issue date: the day they were published stays
    ("The Measures bear 7 March 2025.", "2025-03-14"),
])
def test_the_issue_date_the_text_gives_wins_over_the_publication(tmp_path: Path, said: str, date: str) -> None:
    x = _extract(tmp_path, "u.md", _PUBLISHED + said + MEASURE)
    assert {f["date"].isoformat() for f in _facts(x, "issue_date")} == {date}  # (one date, perhaps two supports)


def test_both_documents_carry_one_date(tmp_path: Path) -> None:
    text = ("# Public Data\n\nPolicy Update | March 2025\n\nThe NDRC and the NDA issued the **Interim Measures on "
            "Data Registration** and the **Specification for Data Operation**. Both carry the date of 28 February "
            "2025 and were released on 5 March." + MEASURE)
    x = _extract(tmp_path, "u.md", text)
    labels = {r.get("iri"): str(r.get("label")) for r in x.records if r.kind == "document"}
    dates = {(labels[f["document"]], f["date"].isoformat()) for f in _facts(x, "issue_date")}
    assert dates == {("Interim Measures on Data Registration", "2025-02-28"),
                     ("Specification for Data Operation", "2025-02-28")}


def test_a_standard_named_by_its_code_is_a_document_with_its_title(tmp_path: Path) -> None:
    text = ("# Labels\n\nPolicy Update | March 2025\n\nThe Measures come with the national standard GB/T "
            "35273-2020, Information Security Technology - Personal Information Security Specification, which "
            "the State Administration for Market Regulation (SAMR) issued on 6 March 2020." + MEASURE)
    x = _extract(tmp_path, "u.md", text)
    docs = [dict(r.fields) for r in x.records if r.kind == "document" and r.get("label") == "GB/T 35273-2020"]
    assert len(docs) == 1
    assert "Information Security Technology - Personal Information Security Specification" in docs[0]["alt"]
    assert "Personal Information Security Specification" not in _labels(x)  # one standard, not two
    assert {(f["agency"].rsplit("/", 1)[1], f["document"]) for f in _facts(x, "issuance")} == \
        {("samr", docs[0]["iri"])}
    assert [f["date"].isoformat() for f in _facts(x, "issue_date")] == ["2020-03-06"]


def _pairs(x, kind: str, a: str, b: str) -> set[tuple[str, str]]:
    labels = {r.get("iri"): str(r.get("label")) for r in x.records if r.kind == "document"}
    return {(labels[f[a]], labels[f[b]]) for f in _facts(x, kind)}


def test_a_document_named_by_its_head_word_refers_to_another(tmp_path: Path) -> None:
    text = ("# Bay Area Data\n\nPolicy Update | December 2023\n\nThe CAC issued the **Guidelines for the Bay Area "
            "Standard Contract** on 10 December 2023. The **Notice on Data Zones** of the NDRC came later. "
            "The Guidelines implement the **Memorandum of Understanding on Bay Area Data Flow**." + MEASURE)
    x = _extract(tmp_path, "u.md", text)
    assert _pairs(x, "reference", "document", "target") == \
        {("Guidelines for the Bay Area Standard Contract", "Memorandum of Understanding on Bay Area Data Flow")}


@pytest.mark.parametrize("sentence", [
    "The template, the **Standard Contract for Data Export**, forms the annex to the Measures.",
    "The **Standard Contract for Data Export** is attached to the Measures.",
    "The **Standard Contract for Data Export** was attached to the Measures.",
    "Attached to them is the **Standard Contract for Data Export**.",
])
def test_a_document_that_forms_the_annex_to_another_is_its_part(tmp_path: Path, sentence: str) -> None:
    text = ("# Contracts\n\nPolicy Update | February 2023\n\nThe CAC issued the **Measures on the Standard Contract** "
            "on 22 February 2023. " + sentence + MEASURE)
    x = _extract(tmp_path, "u.md", text)
    assert _pairs(x, "part", "part", "whole") == {("Standard Contract for Data Export", "Measures on the Standard Contract")}


def test_a_page_whose_meta_line_dates_it_european_style_opens_with_its_h1(tmp_path: Path) -> None:
    page = ("<html><body><main><p class='post-meta'>Policy Update on Measures regarding Data &middot; Posted "
            "22.09.2025 &middot; 7 min read</p><h1>One Hour to Report</h1><p>The CAC issued the <strong>Measures "
            "on Incident Reporting</strong> on 11 September 2025.</p>"
            "<h4>Article 2 &middot; Who must report</h4><p>Network operators report incidents. The CAC guides.</p>"
            "<h4>Article 3 &middot; Division of work</h4><p>The MPS handles crimes.</p></main></body></html>")
    doc = _read(tmp_path, "u.html", page)
    assert doc.slice(doc.title) == "One Hour to Report" and (doc.year, doc.month) == (2025, 9)
    assert sorted(f["number"] for f in _facts(extract(doc, LEXICON), "article")) == [2, 3]


def test_pilots_from_the_date_of_the_notice_until_a_day(tmp_path: Path) -> None:
    text = ("# Data Assets\n\nPolicy Update | March 2025\n\nThe MOF issued the Notice on Data Asset Pilots "
            "(the \"pilot notice\") on 14 February 2025. It names nine pilot localities: Beijing, Shanghai, Anhui, "
            "Shandong, Hubei, Hunan, Guangdong, Chongqing and Guizhou. The pilots run from the date of the notice "
            "until 31 December 2026." + MEASURE)
    x = _extract(tmp_path, "u.md", text)
    assert [(f["start"].isoformat(), f["end"].isoformat()) for f in _facts(x, "trial")] == [("2025-02-14", "2026-12-31")]
    assert [f["count"] for f in _facts(x, "stated_count")] == [9] and len(_facts(x, "pilot_area")) == 9


def test_a_short_form_that_fits_two_documents_is_left_out(tmp_path: Path) -> None:
    text = ("# Data Assets\n\nPolicy Update | March 2025\n\nThe MOF issued the **Guiding Opinions on Data Asset "
            "Management**. The CAS issued the **Guiding Opinions on Data Asset Valuation**. The Guiding Opinions "
            "also cite the Asset Appraisal Law." + MEASURE)
    x = _extract(tmp_path, "u.md", text)
    assert not _facts(x, "reference")
    assert "Guiding Opinions" not in _labels(x)  # no third document named by the short form alone


@pytest.mark.parametrize("sentence,issuers", [
    ("On 20 May 2024 the National Development and Reform Commission (NDRC), the National Data Administration "
     "(NDA) and the Ministry of Finance (MOF) made public their **Guiding Opinions on Smart Cities**.",
     {"ndrc", "nda", "mof"}),
    ("The MOHURD started the pilots with its **Guiding Opinions on Smart Cities** of 5 December 2012.", {"mohurd"}),
    # the subject is no agency: "its" is the city's, not the CAC's
    ("Under the guidance of the CAC, the city published its **Guiding Opinions on Smart Cities**.", set()),
])
def test_its_document_is_issued_by_the_agencies_the_sentence_opens_with(tmp_path: Path, sentence: str,
                                                                         issuers: set[str]) -> None:
    x = _extract(tmp_path, "u.md", "# Smart Cities\n\nPolicy Update | May 2024\n\n" + sentence + MEASURE)
    assert {f["agency"].rsplit("/", 1)[1] for f in _facts(x, "issuance")} == issuers


def test_a_part_column_gives_the_categories(tmp_path: Path) -> None:
    text = ("# Smart Cities\n\nPolicy Update | May 2024\n\nThe NDRC issued the **Guiding Opinions on Smart Cities**.\n\n"
            "| No. | Task | Lead | Part |\n|---|---|---|---|\n| (1) | A city information model. | MNR | All fields |\n"
            "| (8) | Gigabit networks. | NDRC | Support |\n")
    x = _extract(tmp_path, "u.md", text)
    assert {(f["measure"].rsplit("/", 1)[1], f["category"].rsplit("/", 1)[1]) for f in _facts(x, "categorisation")} \
        == {("1", "all-fields"), ("8", "support")}


def test_a_count_with_some_areas_named_among_them(tmp_path: Path) -> None:
    """"names 117 pilot areas, among them Pinggu District in Beijing, ...": the count stands (the
    text says it names only some), each area placed in its province, the provinces no pilot areas."""
    text = ("# Villages\n\nPolicy Update | October 2020\n\nThe CAC issued the **Notice on the List of Village Pilot "
            "Areas** on 19 October 2020. It names 117 pilot areas, among them Pinggu District in Beijing, Deqing "
            "County in Zhejiang and Xiji County in Ningxia." + MEASURE)
    x = _extract(tmp_path, "u.md", text)
    assert [f["count"] for f in _facts(x, "stated_count")] == [117]
    assert {f["area"].rsplit("/", 1)[1] for f in _facts(x, "pilot_area")} == {"pinggu-district", "deqing-county",
                                                                             "xiji-county"}
    assert {(f["child"].rsplit("/", 1)[1], f["parent"].rsplit("/", 1)[1]) for f in _facts(x, "containment")} >= \
        {("pinggu-district", "beijing"), ("deqing-county", "zhejiang"), ("xiji-county", "ningxia")}


@pytest.mark.parametrize("said,trial", [
    ("The Notice takes effect on 1 August 2020. The pilots run for a trial period of two years from the day the "
     "Notice takes effect.", ("2020-08-01", "2022-07-31")),
    ("It was made public on 23 July 2020. It sets a pilot period of two years, counted from the day the notice "
     "was made public.", ("2020-07-23", "2022-07-22")),
    # the day it takes effect is not given: no trial
    ("The pilots run for a trial period of two years from the day the Notice takes effect.", None),
])
def test_a_trial_counted_from_publication_or_entry_into_force(tmp_path: Path, said: str, trial) -> None:
    text = ("# Data Markets\n\nPolicy Update | July 2020\n\nThe NDRC issued the **Notice on Data Market Pilots** on "
            "15 July 2020. " + said + MEASURE)
    x = _extract(tmp_path, "u.md", text)
    found = [(f["start"].isoformat(), f["end"].isoformat()) for f in _facts(x, "trial")]
    assert found == ([trial] if trial else [])
    assert [f["date"].isoformat() for f in _facts(x, "issue_date")] == ["2020-07-15"]  # publication is no issue


def test_the_document_is_dated(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", _PUBLISHED + "The document is dated 7 March 2025 and carries a number." + MEASURE)
    assert {f["date"].isoformat() for f in _facts(x, "issue_date")} == {"2025-03-07"}


def test_forerunners_said_in_a_list_item_after_a_table(tmp_path: Path) -> None:
    text = ("# Smart Cities\n\nPolicy Update | May 2024\n\nThe NDRC issued the **Guiding Opinions on Smart Cities** on "
            "14 May 2024.\n\n| No. | Task | Lead | Part |\n|---|---|---|---|\n| (4) | Governance. | NDA | All fields |\n"
            "| (5) | Services. | NDA | All fields |\n\n- Shanghai and Hangzhou, where \"one network\" models began, are "
            "named as forerunners for tasks (4) and (5).\n")
    x = _extract(tmp_path, "u.md", text)
    assert {(f["measure"].rsplit("/", 1)[1], f["area"].rsplit("/", 1)[1]) for f in _facts(x, "forerunner")} == \
        {("4", "shanghai"), ("5", "shanghai"), ("4", "hangzhou"), ("5", "hangzhou")}


def test_a_name_given_in_brackets_is_found_where_it_is_written_again(tmp_path: Path) -> None:
    text = ("# Big Data\n\nPolicy Update | January 2022\n\nThe MIIT issued the **14th Five-Year Plan for the Big Data "
            "Industry** (the “Plan”) on 30 November 2021. It replaces the **Big Data Industry Plan (2016–2020)** "
            "(the “2016 Plan”). Like the 2016 Plan, the Plan implements the **Action Outline for Big Data**."
            + MEASURE)
    x = _extract(tmp_path, "u.md", text)
    refs = _pairs(x, "reference", "document", "target")
    assert ("14th Five-Year Plan for the Big Data Industry", "Action Outline for Big Data") in refs


@pytest.mark.parametrize("sentence,issuers", [
    ("On 21 March 2025 the CAC and the MPS made public the **Measures on Face Recognition**.", {"cac", "mps"}),
    # "by" after a comma is another verb's: the NDRC administers the NDA, it did not issue the plan
    ("The **Plan for Reforming Institutions**, made public on 16 March 2023, created the NDA, administered by the "
     "National Development and Reform Commission (NDRC).", set()),
])
def test_made_public_by_whom(tmp_path: Path, sentence: str, issuers: set[str]) -> None:
    x = _extract(tmp_path, "u.md", "# Faces\n\nPolicy Update | March 2025\n\n" + sentence + MEASURE)
    assert {f["agency"].rsplit("/", 1)[1] for f in _facts(x, "issuance")} == issuers


@pytest.mark.parametrize("name,agency", [
    ("the Supreme People's Court (SPC)", True),
    ("the Standing Committee of the Shenzhen Municipal People's Congress", True),
    ("the Guangdong Provincial People's Government", True),
    ("the Standing Committee", False),  # a head word alone names no one body
    ("the National Artificial Intelligence Governance Expert Committee", False),
])
def test_courts_congresses_and_governments_are_agencies(tmp_path: Path, name: str, agency: bool) -> None:
    x = _extract(tmp_path, "u.md", "# Courts\n\nPolicy Update | July 2021\n\n"
                                   f"- **Article 1:** Pilot courts share case data. {name[0].upper() + name[1:]} guides.\n")
    assert bool(_facts(x, "guidance")) == agency


def test_issuers_after_a_name_and_its_short_name(tmp_path: Path) -> None:
    text = ("# Big Data\n\nPolicy Update | January 2022\n\nGuizhou became the first in 2016, with the **Reply on "
            "the Guizhou Pilot Zone** (the “Guizhou Reply”) of the National Development and Reform Commission "
            "(NDRC), MIIT and the Cyberspace Administration of China (CAC)." + MEASURE)
    x = _extract(tmp_path, "u.md", text)
    assert {f["agency"].rsplit("/", 1)[1] for f in _facts(x, "issuance")} == {"ndrc", "miit", "cac"}


def test_a_later_verb_of_the_sentence_names_the_issuers(tmp_path: Path) -> None:
    text = ("# Digital China\n\nPolicy Update | March 2023\n\nOn 27 February 2023 Xinhua published the **Overall "
            "Layout Plan for Digital China** (the \"Layout Plan\"), which the State Council had \"recently issued\"."
            + MEASURE)
    x = _extract(tmp_path, "u.md", text)
    assert {f["agency"].rsplit("/", 1)[1] for f in _facts(x, "issuance")} == {"state-council"}


def test_a_reply_that_followed_with_three_cities_between_dashes(tmp_path: Path) -> None:
    text = ("# AI Zones\n\nPolicy Update | November 2020\n\nOn 27 October 2020, MOST followed with an official **Reply** "
            "supporting **three cities – Chengdu, Xi'an and Jinan –** in building pilot zones, with a pilot period of "
            "three years. Beijing and Shanghai, the first two pilot zones, are named as forerunners.\n\n"
            "- **Article 1:** Pilot zones open computing centres. MOST guides.\n")
    x = _extract(tmp_path, "u.md", text)
    assert [f["count"] for f in _facts(x, "stated_count")] == [3]  # "an official Reply ... three": three
    assert {f["area"].rsplit("/", 1)[1] for f in _facts(x, "pilot_area")} == {"chengdu", "xian", "jinan"}
    assert {f["agency"].rsplit("/", 1)[1] for f in _facts(x, "issuance")} == {"most"}
    assert [(f["start"].isoformat(), f["end"].isoformat()) for f in _facts(x, "trial")] == [("2020-10-27", "2023-10-26")]


def test_a_measure_numbered_in_a_heading_has_the_paragraphs_under_it(tmp_path: Path) -> None:
    page = ("<html><body><h1>Incidents</h1><p>Policy Update | September 2025</p><p>The CAC issued the "
            "<strong>Measures on Incident Reporting</strong> on 11 September 2025.</p>"
            "<h4>Article 3 &middot; Division of work</h4><p>The CAC coordinates incident reporting nationwide.</p>"
            "<h4>Article 7 &middot; Critical infrastructure</h4><p>Operators report within one hour.</p>"
            "<p>The MPS is responsible.</p><h2>What next?</h2><p>The CAC will publish a guide.</p></body></html>")
    x = _extract(tmp_path, "u.html", page)
    assert {(f["measure"].rsplit("/", 1)[1], f["agency"].rsplit("/", 1)[1]) for f in _facts(x, "guidance")} == \
        {("3", "cac"), ("7", "mps")}


def test_a_sentence_about_a_numbered_measure_is_not_one(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# Data Assets\n\nPolicy Update | March 2025\n\nThe MOF issued the **Measures on "
                                   "Data Assets**.\n\nTask 2 (holding) Institutions register their data. The MOF "
                                   "guides.\n\nTask 18 (organisation and implementation) is not summarised here.\n")
    assert sorted(f["number"] for f in _facts(x, "article")) == [2]


def test_a_category_in_brackets_is_named_without_them(tmp_path: Path) -> None:
    x = _extract(tmp_path, "u.md", "# 5G\n\nPolicy Update | July 2021\n\nThe MIIT issued the **Action Plan for 5G**.\n\n"
                                   "### [Industry]\n\n- **No. 8:** Factories use 5G. The MIIT guides.\n")
    labels = {str(r.get("label")) for r in x.records if r.kind == "category"}
    assert labels == {"Industry"}

"""The extractor checks the text against itself before the gate sees it (issue 13): a graph built
from an ordinary policy update should pass the gate, and where the text does not add up the fact
is left out with a warning that quotes it, not published wrong nor refused whole.

Each case is a small document and what it must (and must not) give: measures of two runs handed
to two documents by the prose between them; a number twice in one document; a stated count of
pilot areas as a checksum of the areas found; a trial period counted from an event the graph does
not hold."""
from __future__ import annotations

from pathlib import Path

import pytest

from policykg.pipeline.build import build
from policykg.pipeline.extract import extract
from policykg.pipeline.lexicon import load_lexicon
from policykg.pipeline.read import read_document

LEXICON = load_lexicon()
ID = "https://w3id.org/policykg/id/"

TWO_RUNS = """# Data as a Factor: From the Opinions to the Pilots

The "Opinions on Building a Market for Data Factors" (the Opinions) were issued by the State Council on 30 March 2020.
The Ministry of Commerce (MOFCOM) issued the "Notice on Pilot Work on Data Markets in Commerce" (the Notice) on 15 July 2020.

The Opinions have 32 numbered items. Part VI holds three of them:

Cultivating the data market

(20) Promote the opening of government data. MOFCOM is responsible.

(21) Increase the value of social data.

The Notice comes with an Attached Table of 30 measures:

Trade data

No. 20 - Enterprises open their logistics data. MOFCOM is responsible.

No. 25 - Pilot areas build data platforms. MOFCOM leads.
"""

TWICE = """# Data Export Measures

The Cyberspace Administration of China (CAC) issued the "Measures on Data Export" (the Measures) on 1 June 2023.

Security

- **Article 2:** Data handlers assess their exports. The CAC is responsible.
- **Article 3:** Large handlers file a report. The CAC is responsible.
- **Article 2:** Exports of important data are assessed again. The CAC is responsible.
"""

COUNTS = """# Pilots for Data Labelling

The National Data Administration (NDA) issued the "Notice on Data Labelling Bases" (the Notice) on 1 June 2024.
The Notice selects {count} pilot areas: Beijing, Shanghai and Chengdu.
Companies in the {again} pilot areas should expect new rules.

- **Article 1:** Bases label data for public use. The NDA is responsible.
"""

TRIAL = """# Pilots for Data Markets

The Ministry of Commerce (MOFCOM) issued the "Notice on Pilot Work on Data Markets" (the Notice) on 15 July 2020.
It is effective from 1 August 2020. The pilots run for a trial period of two years {start}.

- **Article 1:** Pilot areas open their trade data. MOFCOM is responsible.
"""


def _extract(tmp_path: Path, text: str, name: str = "update.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return extract(read_document(path), LEXICON)


def _facts(extraction, kind: str) -> list[dict]:
    return [dict(r.fields) for r in extraction.records if r.kind == kind]


def _holder(iri: str) -> str:
    return iri.split("/measure/", 1)[1].rsplit("/", 1)[0]


def test_the_prose_between_two_runs_of_measures_hands_each_to_its_document(tmp_path: Path) -> None:
    x = _extract(tmp_path, TWO_RUNS)
    measures = {(_holder(f["measure"]), f["number"]) for f in _facts(x, "article")}
    opinions = {h for h, n in measures if h.startswith("opinions-building-market-data-factors")}
    tables = {h for h, n in measures if h.startswith("attached-table")}
    assert len(opinions) == 1 and len(tables) == 1, measures
    assert measures == {(*opinions, 20), (*opinions, 21), (*tables, 20), (*tables, 25)}
    # each measure one text: nothing of the second run's Article 20 in the first's
    texts = {f["measure"]: f["text"] for f in _facts(x, "measure_text")}
    assert len(texts) == 4 and len(_facts(x, "measure_text")) == 4
    assert not any("second time" in w for w in x.warnings)


def test_a_number_twice_in_one_document_is_left_out_with_a_warning(tmp_path: Path) -> None:
    x = _extract(tmp_path, TWICE)
    texts = [f for f in _facts(x, "measure_text") if f["measure"].endswith("/2")]
    assert len(texts) == 1 and texts[0]["text"].startswith("Data handlers assess")
    assert any("Article 2 of" in w and "appears a second time" in w and "Exports of important data" in w
               for w in x.warnings), x.warnings


@pytest.mark.parametrize("count,again,stated,areas", [
    ("three", "three", 3, 3),  # the count agrees with the areas; "the three pilot areas" is no second count
    ("four", "four", None, 3),  # one area missed: the count is left out, the three found stay
    ("two", "two", None, 0),  # more areas than the count: one at least is false, none is kept
])
def test_the_stated_count_is_a_checksum_of_the_areas(tmp_path: Path, count: str, again: str,
                                                     stated: int | None, areas: int) -> None:
    x = _extract(tmp_path, COUNTS.format(count=count, again=again))
    counts = [f["count"] for f in _facts(x, "stated_count")]
    assert counts == ([stated] if stated else [])
    assert len(_facts(x, "pilot_area")) == areas
    if stated is None:
        assert any("pilot areas but 3 were found" in w and "The Notice selects" in w for w in x.warnings), x.warnings


@pytest.mark.parametrize("start,first", [
    ("from the day the Notice takes effect", "2020-08-01"),  # the day the text says it takes effect
    ("from the date of implementation", None),
    ("counted from the date of the Notice", "2020-07-15"),  # the Notice's issue date
    ("counted from 1 September 2020", "2020-09-01"),
    ("", "2020-07-15"),
])
def test_a_trial_period_counted_from_an_event_needs_its_date(tmp_path: Path, start: str, first: str | None) -> None:
    x = _extract(tmp_path, TRIAL.format(start=start).replace(" .", "."))
    trials = [f["start"].isoformat() for f in _facts(x, "trial")]
    assert trials == ([first] if first else [])
    if first is None:
        assert any("trial period counted from an event" in w and start in w for w in x.warnings), x.warnings


def test_a_document_whose_count_disagrees_is_still_published(tmp_path: Path) -> None:
    """Before these checks the gate refused such a build: nothing at all was published."""
    path = tmp_path / "update.md"
    path.write_text(COUNTS.format(count="four", again="four"), encoding="utf-8")
    result = build([path], tmp_path / "dist")
    assert result.published, result.refusals
    assert any("pilot areas but 3 were found" in w for w in result.warnings)

"""The genre's words as data (mappings/patterns/): every entry's example is read as it says."""
from __future__ import annotations

import pytest

from policykg.pipeline.structure import _CELL_NUMBER, _number, _numbering, column_roles, numbering_forms


@pytest.mark.parametrize("form", numbering_forms(), ids=lambda f: f.name)
def test_each_numbering_form_reads_its_example(form) -> None:  # noqa: ANN001
    text = form.example
    found = _numbering(text, 0, len(text), bare=form.numbered_list)
    assert found is not None, text
    assert found.form.name == form.name
    assert _number(found.number_text) == form.number  # digits, or a number spelt out
    assert text[found.body:].strip() and not text[found.body:].startswith((":", "–", "—"))
    if "agency" in form.pattern.groupindex:
        assert found.agency is not None and text[found.agency.start:found.agency.end] == "CAC"


@pytest.mark.parametrize("role", column_roles(), ids=lambda r: r.name)
def test_each_column_role_reads_its_example(role) -> None:  # noqa: ANN001
    first = next(r.name for r in column_roles() if r.pattern.search(role.example))
    assert first == role.name


@pytest.mark.parametrize("cell, number", [("75", 75), ("Article 2", 2), ("Art. 3", 3), ("No. 12", 12),
                                          ("(7)", 7), ("第37条", 37), ("Item 4:", 4)])
def test_a_table_number_cell(cell: str, number: int) -> None:
    m = _CELL_NUMBER.fullmatch(cell)
    assert m and int(m.group(1) or m.group(2)) == number


@pytest.mark.parametrize("text", ["Article 75 of the Law applies.", "Articles 16 to 18 are", "No measure here.",
                                  "1000 cities", "Item: none"])
def test_words_that_are_not_a_measure_number(text: str) -> None:
    found = _numbering(text, 0, len(text), bare=False)
    assert found is None, (text, found)


def test_each_responsibility_frame_reads_its_example() -> None:
    from policykg.pipeline.recognisers.responsibility import frames, responsible_ranges

    for frame in frames():
        text = frame.example
        ranges = responsible_ranges(text, 0, len(text))
        named = " ".join(text[a:b] for a, b in ranges)
        for agency in frame.agencies:
            assert agency in named, (frame.name, ranges)


def test_each_anaphora_example_is_read_by_its_expression() -> None:
    """mappings/patterns/anaphora.toml: every example matches the expression built from its section."""
    import re

    from policykg.pipeline.recognisers import anaphora

    data = anaphora.words()
    for example in data["document"]["examples"]:
        m = anaphora.document_anaphora().search(example)
        assert m and " ".join(m.group("what").lower().split()) in anaphora.document_classes(), example
    for example in data["documents"]["examples"]:
        assert anaphora.both_documents().search(example), example
    for example in data["agencies"]["examples"]:
        assert anaphora.same_agencies().search(example), example
    nouns = re.compile(rf"\b(?:{anaphora.measure_nouns()})\b", re.IGNORECASE)
    for example in data["measures"]["examples"]:
        assert nouns.search(example), example
    # one noun and several: the singular/plural decides how many agencies are meant
    assert anaphora.same_agencies().search("the same body").group("one")
    assert anaphora.same_agencies().search("the said departments").group("several")

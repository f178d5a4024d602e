"""Forms of the genre met in session 8 (issue 13): measures numbered in a form policykg does not
know, and updates that number no measures at all. Each on a small document of its own."""
from __future__ import annotations

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

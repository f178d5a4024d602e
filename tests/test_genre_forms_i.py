"""Forms of the genre met in the ninth blind batch (batch I, session 8, issue 13), each on a small
document of its own: how it is read, and what it must give."""
from __future__ import annotations

from pathlib import Path

from test_genre_forms import _extract, _facts
from test_genre_forms_g import NOTICE


def _local(iri: object) -> str:
    return str(iri).rsplit("/", 1)[-1]


def _numbers(x) -> list[int]:
    return sorted(int(_local(f["iri"])) for f in _facts(x, "measure"))


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

"""The recognisers over their shared context (issue 13): the indexes the context keeps agree with
the records they index, the mentions of documents stay ordered and disjoint, and each
recogniser module says at its door what it reads and writes."""
from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policykg.errors import InputError
from policykg.pipeline.extract import extract, run
from policykg.pipeline.lexicon import load_lexicon
from policykg.pipeline.read import read_document
from policykg.pipeline.recognisers.context import Context, DocumentMentions, NamedDocument

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = sorted(p for folder in ("sources", "tests/documents", "tests/eval/fixtures")
                   for p in (ROOT / folder).glob("*.md") if p.name not in ("README.md",))
LEXICON = load_lexicon()
RECOGNISERS = ["agencies", "dates", "documents", "measures", "places", "references", "sites"]


def _context(path: Path) -> Context:
    try:
        doc = read_document(path)
    except InputError:
        pytest.skip(f"{path.name} is not a policy update")
    ctx = Context(doc, LEXICON)
    run(ctx)
    return ctx


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.stem for p in DOCUMENTS])
def test_the_indexes_of_records_agree_with_the_records(path: Path) -> None:
    """Issue dates by document and containment by child: what a pass over the records gives."""
    ctx = _context(path)
    by_document: dict[str, list] = {}
    parents: dict[str, set] = {}
    for rec in ctx.records:
        if rec.kind == "issue_date":
            by_document.setdefault(str(rec.get("document")), []).append(rec)
        elif rec.kind == "containment":
            parents.setdefault(str(rec.get("child")), set()).add(rec.get("parent"))
    assert ctx.issue_dates == by_document
    for child, expected in parents.items():
        assert ctx.parents(child) == expected
    for document, recs in by_document.items():
        assert ctx.issue_date(document) == recs[-1].get("date")


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.stem for p in DOCUMENTS])
def test_run_over_a_context_is_extract(path: Path) -> None:
    ctx = _context(path)
    assert extract(ctx.doc, LEXICON).records == tuple(ctx.entities.values()) + tuple(ctx.records)


def _document(n: int) -> NamedDocument:
    return NamedDocument(f"https://example.org/d{n}", "Notice", f"d{n}", f"d{n}")


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 8), st.integers(0, 3)), max_size=25),
       st.integers(0, 70), st.integers(0, 70))
def test_mentions_are_ordered_and_none_starts_inside_another(adds: list[tuple[int, int, int]],
                                                             lo: int, hi: int) -> None:
    mentions = DocumentMentions()
    docs = [_document(n) for n in range(4)]
    kept: list[tuple[int, int, NamedDocument]] = []
    for start, length, which in adds:
        if not any(s <= start < e for s, e, _ in kept):
            kept.append((start, start + length, docs[which]))
        mentions.add(start, start + length, docs[which])
    assert mentions.items == sorted(kept, key=lambda m: m[0])
    assert mentions.within(lo, hi) == [m for m in mentions.items if lo <= m[0] < hi]
    assert mentions.count_before(lo) == sum(m[0] < lo for m in mentions.items)
    mentions.remove(docs[0])
    assert all(d is not docs[0] for _, _, d in mentions)
    assert all(mentions.covered.covers(s) for s, _, _ in mentions)


@pytest.mark.parametrize("name", [*RECOGNISERS, "context", "records", "iris", "indexes"])
def test_each_recogniser_says_at_its_door_what_it_does(name: str) -> None:
    module = importlib.import_module(f"policykg.pipeline.recognisers.{name}")
    assert module.__doc__ and "Door:" in module.__doc__, name
    if name in RECOGNISERS:
        assert "Reads" in module.__doc__ or "reads" in module.__doc__, name
        assert "Writes" in module.__doc__ or "writes" in module.__doc__, name


def test_what_other_modules_import_from_extract_is_there() -> None:
    from policykg.pipeline import extract as extract_module

    for name in ("DEFINITION", "Evidence", "Extraction", "NewEntity", "Record", "_DocumentNames", "_Extractor",
                 "_HeadWords", "_NameIndex", "dated_document_slug", "definitions", "document_slug", "extract",
                 "policy_update_iri", "record"):
        assert hasattr(extract_module, name), name

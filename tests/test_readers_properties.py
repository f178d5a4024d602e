"""Properties of the readers, on inputs hypothesis makes (derandomized: the same every run).

* Whatever the bytes, a reader returns a rendition or raises :class:`InputError`: never a
  traceback. Every offset it gives lies inside its text, in order.
* The genre step (:func:`policykg.pipeline.structure.structure`) keeps the same promises.
* A generated policy update (``bench/corpus.py``) gives the same facts from its Markdown and from
  the HTML page markdown-it renders of it, and from its plain-text copy.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import formats
from test_extract import data_graph, project

from policykg.errors import InputError
from policykg.pipeline.readers import read_rendition
from policykg.pipeline.readers.base import Rendition
from policykg.pipeline.structure import structure

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import corpus  # noqa: E402

#: Words and marks of the genre, so that generated text looks like a policy update often enough
#: to reach deep into the readers.
WORDS = ["Article", "Art.", "No.", "Item", "75", "(75)", "75.", "第75条", "**", "*", "_", "-", "•", "#", "###",
         "|", "---", "[1]", "[^1]", "[^1]:", "¹", "²", "CAC", "Ministry of Commerce (MOFCOM)", "notice on",
         "Plan", "Table", "Beijing", "pilot areas", "guide", "on August 14", "\n", "\n\n", "\r\n", " ", "  ",
         "\t", ":", "—", "–", "\u200b", "\u202e", "e\u0301", "&amp;", "<b>", "</b>", "<li>", "<p>", "\u00a0",
         "Policy Update | September 2020", "Page 1", "Infor-\nmation", "```", "> ", "[x](y)", "<", ">"]

text_docs = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=12)), max_size=60).map("".join)
html_docs = st.lists(st.one_of(
    st.sampled_from(["<html>", "<body>", "<h1>", "</h1>", "<h3>", "<p>", "</p>", "<ul>", "<ol start=\"75\">",
                     "<li>", "<li value=\"7\">", "</li>", "</ul>", "</ol>", "<strong>", "</strong>", "<em>",
                     "<sup>1</sup>", "<a href=\"#fn1\">1</a>", "<table>", "<tr>", "<th>No.</th>", "<td>75</td>",
                     "</tr>", "</table>", "<br>", "<script>x</script>", "&nbsp;", "&ldquo;", "<!-- c -->",
                     "<div class=\"footnotes\">", "</div>", "<li id=\"fn1\">", "</body>", "</html>"]),
    st.sampled_from(WORDS), st.text(max_size=10)), max_size=60).map(lambda parts: "<!DOCTYPE html>" + "".join(parts))


def check_rendition(rendition: Rendition) -> None:
    n = len(rendition.text)
    last = -1
    for block in rendition.blocks:
        assert 0 <= block.lead <= block.start <= block.end <= n, block
        assert block.start >= last or block.kind == "footnote", (block, last)  # reading order
        last = block.start
        for span in (*block.bold, *block.italic, *block.cells):
            assert block.lead <= span.start <= span.end <= n, (span, block)
        for marker in block.markers:
            assert 0 <= marker.start < marker.end <= n


def read_any(data: bytes, name: str) -> None:
    path = Path(name)
    try:
        rendition = read_rendition(path, data)
    except InputError as exc:
        assert exc.path is not None and str(exc)
        return
    check_rendition(rendition)
    try:
        doc = structure(rendition, path, "0" * 64)
    except InputError as exc:
        assert exc.path is not None and exc.line is not None
        return
    for block in doc.blocks:
        assert 0 <= block.start <= block.end <= len(doc.text)
        if block.kind == "article":
            assert block.article is not None and 1 <= block.article
            assert block.start <= (block.body_start or block.start) <= block.end


SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(text_docs)
def test_markdown_reader_never_fails_unexpectedly(text: str) -> None:
    read_any(text.encode("utf-8", "surrogatepass"), "doc.md")


@SETTINGS
@given(text_docs)
def test_text_reader_never_fails_unexpectedly(text: str) -> None:
    read_any(text.encode("utf-8", "surrogatepass"), "doc.txt")


@SETTINGS
@given(html_docs)
def test_html_reader_never_fails_unexpectedly(text: str) -> None:
    read_any(text.encode("utf-8", "surrogatepass"), "doc.html")


@SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes_get_a_rendition_or_a_clear_error(data: bytes) -> None:
    for name in ("doc.md", "doc.txt", "doc.html", "doc.pdf", "doc.docx", "doc"):
        read_any(data, name)


@SETTINGS
@given(st.binary(max_size=200))
def test_broken_pdf_and_docx_get_a_clear_error(tail: bytes) -> None:
    read_any(b"%PDF-1.7\n" + tail, "doc.pdf")
    read_any(b"PK\x03\x04" + tail, "doc.docx")


@settings(max_examples=15, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=100_000))
def test_markdown_its_html_and_its_text_give_the_same_facts(seed: int) -> None:
    """A generated policy update (bench/corpus.py, seeded by hypothesis), saved as Markdown, as
    the HTML page markdown-it renders of it and as its plain-text copy: the same facts."""
    import tempfile

    doc = corpus.generate(1, seed=seed)[0]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        md = folder / f"{doc.name}.md"
        md.write_text(doc.text, encoding="utf-8")
        html = folder / f"{doc.name}.html"
        html.write_text(formats.to_html(doc.text), encoding="utf-8")
        txt = folder / f"{doc.name}.txt"
        txt.write_text(formats.to_text(doc.text), encoding="utf-8")
        expected = project(data_graph(md))
        assert expected
        assert project(data_graph(html)) == expected
        assert project(data_graph(txt)) == expected


def test_plain_text_footnotes_glued_to_their_words(tmp_path: Path) -> None:
    """Text copied out of a PDF: "departments1" marks footnote 1, a later line "1 The ..." is it;
    a line starting with a number that no word carries stays a paragraph line."""
    text = ("DATA RULES\n\nPolicy Update on Measures regarding Data | May 2023\n\n"
            "The CAC and sixteen other\ndepartments1 issued the Measures on Data Exports on May 3.\n"
            "3 Pilot zones follow them.\n\n"
            "1 The sixteen are the Ministry of Commerce and the\nMinistry of Finance.\n\n"
            "Article 2: The CAC will guide the work.\n")
    path = tmp_path / "update.txt"
    path.write_text(text, encoding="utf-8")
    from policykg.pipeline.read import read_document

    doc = read_document(path)
    notes = doc.footnotes
    assert set(notes) == {"1"}
    assert doc.text[notes["1"].start:notes["1"].end].startswith("The sixteen are")
    marked = [m for b in doc.blocks for m in b.markers]
    assert [(doc.text[m.start:m.end], m.label) for m in marked] == [("1", "1")]
    assert doc.text[marked[0].start - 11:marked[0].start] == "departments"
    assert "3 Pilot zones follow them." in doc.text[doc.blocks[2].start:doc.blocks[2].end]


@pytest.mark.parametrize("name, data, expected", [
    ("update.txt", b"<!DOCTYPE html><html><body><h1>T</h1><p>x</p></body></html>", "html"),
    ("update", b"# Title\n\n- **Article 1:** The CAC will guide.\n- **Article 2:** More.\n", "markdown"),
    ("update", b"Title\n\nArticle 1: The CAC will guide the work.\n", "text"),
    ("update.md", b"Title\n\nArticle 1: The CAC will guide the work.\n", "markdown"),
    ("update.html", b"%PDF-1.7\n%\xe2\xe3\n", "pdf"),
    ("update.bin", b"\xef\xbb\xbf<html><body><p>Article 1</p></body></html>", "html"),
])
def test_the_format_is_told_by_the_content(name: str, data: bytes, expected: str) -> None:
    """The extension breaks only the tie between Markdown and plain text."""
    from policykg.pipeline.readers import detect_format

    assert detect_format(data, Path(name)) == expected


def test_a_file_whose_name_promises_another_format_is_refused(tmp_path: Path) -> None:
    from policykg.pipeline.readers import read_rendition

    path = tmp_path / "scan.pdf"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    with pytest.raises(InputError) as info:
        read_rendition(path)
    assert info.value.path == str(path)

"""The HTML, PDF and Word readers (policykg.pipeline.readers.html, .pdf, .docx) on real files made here.

Nothing binary is committed: HTML is written as strings, Word documents with python-docx (the
footnotes part and custom numbering as WordprocessingML written by hand, as Word writes them),
PDFs printed from HTML by headless Chromium (Debian's ``chromium``, as the browser tests use
it; these tests skip without it). For each reader: the rendition's text, the kinds, levels and
numbers of its blocks, bold spans (as the text they cover), footnote markers and footnotes,
table cells, and that every span lies inside the text; then bad files of each format, read
directly and through :func:`policykg.pipeline.readers.read_rendition`: an InputError naming the file
and the reason, never a traceback.
"""
from __future__ import annotations

import base64
import importlib.util
import os
import struct
import subprocess
import time
import zipfile
import zlib
from io import BytesIO
from pathlib import Path

import pytest

from policykg.errors import InputError
from policykg.pipeline.readers import docx as docx_reader
from policykg.pipeline.readers import html as html_reader
from policykg.pipeline.readers import pdf as pdf_reader
from policykg.pipeline.readers import read_rendition
from policykg.pipeline.readers.base import FOOTNOTE, HEADING, ITEM, PARAGRAPH, ROW, Rendition

CHROMIUM = Path(os.environ.get("POLICYKG_CHROMIUM", "/usr/bin/chromium"))
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# -- what every rendition promises ---------------------------------------------------------------

def check_spans(r: Rendition) -> None:
    """Every offset lies inside the text, in order, and says what it should."""
    n = len(r.text)
    for b in r.blocks:
        assert 0 <= b.lead <= b.start <= b.end <= n, b
        content = r.text[b.start:b.end]
        assert content.strip(), b
        if b.kind != ROW:  # a row may end in an empty cell: "Zone | "
            assert content == content.strip(), b
        for span in b.bold + b.italic:
            assert b.start <= span.start < span.end <= b.end, (b, span)
            assert r.text[span.start:span.end].strip(), span
        for m in b.markers:
            assert b.start <= m.start < m.end <= b.end
            assert r.text[m.start:m.end] == f"[{m.label}]"
        for cell in b.cells:
            assert b.start <= cell.start <= cell.end <= b.end
        if b.kind == ITEM and b.number is not None:
            assert r.text[b.lead:b.start] == f"{b.number}. "
        if b.kind == FOOTNOTE:
            assert r.text[b.lead:b.start] == f"[{b.label}] "
        assert "\n" not in content


def text_of(r: Rendition, b) -> str:
    return r.text[b.start:b.end]


def outline(r: Rendition) -> list[tuple]:
    """(kind, level, number or label, text) of every block."""
    return [(b.kind, b.level, b.number if b.kind == ITEM else b.label, text_of(r, b)) for b in r.blocks]


def bold(r: Rendition) -> list[str]:
    return [r.text[s.start:s.end] for b in r.blocks for s in b.bold]


def italic(r: Rendition) -> list[str]:
    return [r.text[s.start:s.end] for b in r.blocks for s in b.italic]


def markers(r: Rendition) -> list[str]:
    return [m.label for b in r.blocks for m in b.markers]


def footnotes(r: Rendition) -> dict[str, str]:
    return {b.label: text_of(r, b) for b in r.blocks if b.kind == FOOTNOTE}


def rows(r: Rendition) -> list[tuple[bool, list[str]]]:
    return [(b.header, [r.text[c.start:c.end] for c in b.cells]) for b in r.blocks if b.kind == ROW]


def refused(reader, data: bytes, path: Path) -> InputError:
    """The InputError of reading ``data`` with ``reader`` and through read_rendition (both
    name the file)."""
    with pytest.raises(InputError) as direct:
        reader(data, path)
    assert direct.value.path == str(path)
    path.write_bytes(data)
    with pytest.raises(InputError) as door:
        read_rendition(path)
    assert door.value.path == str(path)
    return direct.value


# -- HTML ----------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Pilot zones &ndash; update</title>
<style>p { color: red }</style><script>document.write("<p>not text</p>")</script></head>
<body>
<header><nav><a href="/">Home</a> | <a href="/about">About</a></nav><p>Site banner</p></header>
<main><article>
<header><h1>Data Rules for the Pilot Zones</h1><p class="dateline">Policy Update &ndash; March&nbsp;2024</p></header>
<p>The <strong>National Data Administration (NDA)</strong><sup><a href="#fn1" id="ref1">1</a></sup> and
the <b>Ministry of Commerce</b> steer the <em>pilot zones</em>; R&amp;D data follow
&ldquo;graded&rdquo; rules.<br>A line break is a space.</p>
<div>Text written straight into a div, with a unit: 30&nbsp;m<sup>3</sup>.</div>
<h2>Which measures?</h2>
<h3>Cross-border data</h3>
<ol>
<li value="75">Measure seventy-five.<sup><a href="#fn2">2</a></sup></li>
<li>Measure seventy-six, numbered by counting on.
  <ul><li>a bullet inside it</li><li>another <strong>bold</strong> one</li></ul></li>
<li value="79"><p>Measure seventy-nine,</p><p>written as two paragraphs.</p></li>
</ol>
<ol start="3"><li>three</li><li>four</li></ol>
<ol reversed><li>second</li><li>first</li></ol>
<table>
<caption>Table 1: measures</caption>
<thead><tr><th>No.</th><th>Measure</th><th>Agencies</th></tr></thead>
<tbody><tr><td>83</td><td>Open <b>public data</b></td><td>NDA, MIIT</td></tr>
<tr><td>115</td><td>Data export bases</td><td>MOFCOM</td></tr></tbody>
</table>
<table><tr><th>Zone</th><th>Province</th></tr><tr><td>Tianjin</td><td>Tianjin</td></tr></table>
<table><tr><td>no</td><td>header</td></tr></table>
<p hidden>hidden words</p><p style="display:none">more hidden words</p>
<template><p>template words</p></template><noscript><p>noscript words</p></noscript>
</article></main>
<section class="footnotes"><h2>Notes</h2><ol>
<li id="fn1">The NDA was set up in 2023. <a href="#ref1">&uarr;</a></li>
<li id="fn2">See the <i>Data Security Law</i>. <a href="#ref2" class="footnote-backref">&#8617;</a></li>
</ol></section>
<footer><p>&copy; 2024 Site footer</p></footer>
</body></html>
"""


def test_html_page():
    r = html_reader.read(PAGE.encode(), Path("page.html"))
    assert r.format == "html" and not r.markup
    check_spans(r)
    assert outline(r) == [
        (HEADING, 1, None, "Data Rules for the Pilot Zones"),
        (PARAGRAPH, 0, None, "Policy Update – March 2024"),
        (PARAGRAPH, 0, None, ("The National Data Administration (NDA)[1] and the Ministry of Commerce "
                             "steer the pilot zones; R&D data follow “graded” rules. A line break is a space.")),
        (PARAGRAPH, 0, None, "Text written straight into a div, with a unit: 30 m3."),
        (HEADING, 2, None, "Which measures?"),
        (HEADING, 3, None, "Cross-border data"),
        (ITEM, 0, 75, "Measure seventy-five.[2]"),
        (ITEM, 0, 76, "Measure seventy-six, numbered by counting on."),
        (ITEM, 1, None, "a bullet inside it"),
        (ITEM, 1, None, "another bold one"),
        (ITEM, 0, 79, "Measure seventy-nine, written as two paragraphs."),
        (ITEM, 0, 3, "three"),
        (ITEM, 0, 4, "four"),
        (ITEM, 0, 2, "second"),
        (ITEM, 0, 1, "first"),
        (PARAGRAPH, 0, None, "Table 1: measures"),
        (ROW, 0, None, "No. | Measure | Agencies"),
        (ROW, 0, None, "83 | Open public data | NDA, MIIT"),
        (ROW, 0, None, "115 | Data export bases | MOFCOM"),
        (ROW, 0, None, "Zone | Province"),
        (ROW, 0, None, "Tianjin | Tianjin"),
        (ROW, 0, None, "no | header"),
        (HEADING, 2, None, "Notes"),
        (FOOTNOTE, 0, "1", "The NDA was set up in 2023."),
        (FOOTNOTE, 0, "2", "See the Data Security Law."),
    ]
    assert bold(r) == ["National Data Administration (NDA)", "Ministry of Commerce", "bold", "public data"]
    assert italic(r) == ["pilot zones", "Data Security Law"]
    assert markers(r) == ["1", "2"]  # m<sup>3</sup> is no reference: the footnotes are 1 and 2
    assert rows(r) == [(True, ["No.", "Measure", "Agencies"]), (False, ["83", "Open public data", "NDA, MIIT"]),
                       (False, ["115", "Data export bases", "MOFCOM"]), (True, ["Zone", "Province"]),
                       (False, ["Tianjin", "Tianjin"]), (False, ["no", "header"])]
    tables = [b.table for b in r.blocks if b.kind == ROW]
    assert tables == [0, 0, 0, 1, 1, 2]
    for hidden in ("not text", "Site banner", "Home", "hidden words", "template words", "noscript words",
                   "Site footer", "↑", "↩", "Pilot zones – update"):
        assert hidden not in r.text


def test_html_bare_superscripts():
    """A bare <sup>2</sup> is a reference when a footnote 2 exists (or the page has no
    footnotes), and text when the page's footnotes have other labels."""
    with_notes = b"""<body><p>Area 30 km<sup>2</sup> and a law<sup>1</sup>.</p>
    <p><sup>1</sup> The law is the Data Security Law.</p></body>"""
    r = html_reader.read(with_notes, Path("a.html"))
    check_spans(r)
    assert outline(r) == [(PARAGRAPH, 0, None, "Area 30 km2 and a law[1]."),
                          (FOOTNOTE, 0, "1", "The law is the Data Security Law.")]
    r = html_reader.read(b"<body><p>A law<sup>3</sup>.</p></body>", Path("b.html"))
    assert markers(r) == ["3"]


def test_html_footnote_styles():
    """Footnotes as converters write them: markdown-it, Pandoc, Word's "Save as HTML"."""
    markdown_it = b"""<p>Text<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup> more.</p>
<hr class="footnotes-sep"><section class="footnotes"><ol class="footnotes-list">
<li id="fn1" class="footnote-item"><p>A markdown-it note. <a href="#fnref1" class="footnote-backref">\xe2\x86\xa9\xef\xb8\x8e</a></p></li>
</ol></section>"""
    r = html_reader.read(markdown_it, Path("md.html"))
    check_spans(r)
    assert outline(r) == [(PARAGRAPH, 0, None, "Text[1] more."), (FOOTNOTE, 0, "1", "A markdown-it note.")]

    pandoc = b"""<p>Text<a href="#fn1" class="footnote-ref" id="fnref1" role="doc-noteref"><sup>1</sup></a>.</p>
<section id="footnotes" class="footnotes footnotes-end-of-document" role="doc-endnotes"><hr />
<ol><li id="fn1"><p>A Pandoc note.<a href="#fnref1" class="footnote-back" role="doc-backlink">\xe2\x86\xa9\xef\xb8\x8e</a></p></li></ol></section>"""
    r = html_reader.read(pandoc, Path("pandoc.html"))
    check_spans(r)
    assert outline(r) == [(PARAGRAPH, 0, None, "Text[1]."), (FOOTNOTE, 0, "1", "A Pandoc note.")]

    word = b"""<html><body><div class=WordSection1><p class=MsoNormal>The CAC<a href="#_ftn1" name="_ftnref1"
title=""><span class=MsoFootnoteReference>[1]</span></a> guides.</p></div>
<div style='mso-element:footnote-list'><br clear=all><hr align=left size=1 width="33%">
<div style='mso-element:footnote' id=ftn1><p class=MsoFootnoteText><a href="#_ftnref1" name="_ftn1" title="">
<span class=MsoFootnoteReference>[1]</span></a> A Word note.</p></div></div></body></html>"""
    r = html_reader.read(word, Path("word.html"))
    check_spans(r)
    assert outline(r) == [(PARAGRAPH, 0, None, "The CAC[1] guides."), (FOOTNOTE, 0, "1", "A Word note.")]


def test_html_breaks_styles_and_malformed_markup():
    page = b"""<body><div>One line<br>same paragraph<br><br>a new paragraph</div>
<b style="font-weight:normal" id="docs-internal-guid-1"><p>Google <span style="font-weight:700">Docs</span>
and <span style="font-style:italic">italic</span></p></b>
<p>unclosed <b>bold <i>both</p><p>next</div></span> paragraph
<ul><li>loose<li>items</ul><table><tr><td>cell<td>cell two</table>"""
    r = html_reader.read(page, Path("messy.html"))
    check_spans(r)
    assert [t for _, _, _, t in outline(r)][:4] == [
        "One line same paragraph", "a new paragraph", "Google Docs and italic", "unclosed bold both"]
    assert "Docs" in bold(r) and "italic" in italic(r) and "bold both" in bold(r)
    assert ("items" in r.text and "cell | cell two" in r.text)


@pytest.mark.parametrize("encoding, declaration", [
    ("cp1252", b'<meta charset="windows-1252">'),
    ("gb18030", b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'),
])
def test_html_declared_charset(encoding, declaration):
    text = "<html><head>{}</head><body><p>Caf\u00e9 \u201cquoted\u201d \u2013 \u6570\u636e</p></body></html>"
    body = "Caf\u00e9 \u201cquoted\u201d \u2013" + (" \u6570\u636e" if encoding == "gb18030" else "")
    if encoding == "cp1252":
        text = text.replace(" \u6570\u636e", "")
    data = text.encode(encoding).replace(b"{}", declaration)
    r = html_reader.read(data, Path("legacy.html"))
    assert text_of(r, r.blocks[0]) == body


def test_html_bom_and_undeclared_legacy_encoding(tmp_path):
    r = html_reader.read(b"\xef\xbb\xbf<p>caf\xc3\xa9</p>", Path("bom.html"))
    assert r.text == "café\n"
    r = html_reader.read("\ufeff<p>utf-16 page</p>".encode("utf-16"), Path("utf16.html"))
    assert r.text == "utf-16 page\n"
    error = refused(html_reader.read, b"<html><body><p>caf\xe9</p></body></html>", tmp_path / "latin.html")
    assert "not UTF-8" in error.message and error.line == 1


def test_html_notes_heading():
    """An <ol> right under a heading "Notes" holds footnotes, class or no class."""
    page = b"""<p>A claim<sup>1</sup> and another<sup>2</sup>.</p><h2>Notes</h2>
<ol><li>The first note.</li><li>The second note. <a href="#r2">&#8617;</a></li></ol>
<h2>Measures</h2><ol start="5"><li>Measure five.</li></ol>"""
    r = html_reader.read(page, Path("notes.html"))
    check_spans(r)
    assert outline(r) == [(PARAGRAPH, 0, None, "A claim[1] and another[2]."), (HEADING, 2, None, "Notes"),
                          (FOOTNOTE, 0, "1", "The first note."), (FOOTNOTE, 0, "2", "The second note."),
                          (HEADING, 2, None, "Measures"), (ITEM, 0, 5, "Measure five.")]


def test_html_several_references_in_one_sup():
    page = b"""<p>Two laws<sup><a href="#fn1">1</a>,<a href="#fn2">2</a></sup> apply.</p>
<ol class="footnotes"><li id="fn1">The first.</li><li id="fn2">The second.</li></ol>"""
    r = html_reader.read(page, Path("two.html"))
    check_spans(r)
    assert outline(r) == [(PARAGRAPH, 0, None, "Two laws[1],[2] apply."),
                          (FOOTNOTE, 0, "1", "The first."), (FOOTNOTE, 0, "2", "The second.")]


def test_html_nested_too_deep(tmp_path):
    """libxml2 stops at 256 nested elements; what follows would be lost, so the page is refused."""
    page = b"<p>top</p>" + b"<div>a " * 300 + b"deep" + b"</div>" * 300 + b"<p>after</p>"
    error = refused(html_reader.read, page, tmp_path / "deep.html")
    assert "cannot be read whole" in error.message


@pytest.mark.parametrize("page", [
    b"<html><head><title>Only a title</title></head></html>",
    b"<!DOCTYPE html><html><head></head><body>  </body></html>",
    b"<!DOCTYPE html><html><body><script>var a = 1;</script><nav>menu</nav></body></html>",
])
def test_html_without_body_text(tmp_path, page):
    error = refused(html_reader.read, page, tmp_path / "empty.html")
    assert error.message == "an HTML page with no text in its body"


# -- Word ----------------------------------------------------------------------------------------

def _numbering(document) -> None:
    """A list that starts at 75 (abstract 90; level 1 lettered), an instance of it (91) and a
    second instance that restarts it at 1 (92), as Word writes "start at" and "restart"."""
    from lxml import etree

    numbering = document.part.numbering_part.element
    abstract = etree.fromstring(
        f'<w:abstractNum xmlns:w="{W}" w:abstractNumId="90"><w:multiLevelType w:val="multilevel"/>'
        '<w:lvl w:ilvl="0"><w:start w:val="75"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%2)"/></w:lvl>'
        '</w:abstractNum>')
    numbering.insert(0, abstract)  # abstractNum elements come before num elements
    for num_id, override in (("91", ""), ("92", '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>')):
        numbering.append(etree.fromstring(
            f'<w:num xmlns:w="{W}" w:numId="{num_id}"><w:abstractNumId w:val="90"/>{override}</w:num>'))


def _numbered(document, text: str, num_id: str, ilvl: int = 0):
    from docx.oxml import parse_xml

    p = document.add_paragraph(text)
    p._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr xmlns:w="{W}"><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))
    return p


def _footnote_reference(paragraph, note_id: int) -> None:
    from docx.oxml import parse_xml

    paragraph._p.append(parse_xml(
        f'<w:r xmlns:w="{W}"><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
        f'<w:footnoteReference w:id="{note_id}"/></w:r>'))


def _footnotes_part(document, notes: dict[int, str]) -> None:
    """word/footnotes.xml, as Word writes it (python-docx writes no footnotes)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    xml = [f'<w:footnotes xmlns:w="{W}">',
           '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>',
           '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>']
    for note_id, text in notes.items():
        xml.append(f'<w:footnote w:id="{note_id}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
                   '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
                   f'<w:r><w:t xml:space="preserve"> {text}</w:t></w:r></w:p></w:footnote>')
    xml.append("</w:footnotes>")
    part = Part(PackURI("/word/footnotes.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
                "".join(xml).encode(), document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)


def _hyperlink(document, paragraph, text: str, url: str) -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml

    rid = document.part.relate_to(url, RT.HYPERLINK, is_external=True)
    paragraph._p.append(parse_xml(
        f'<w:hyperlink xmlns:w="{W}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        f'r:id="{rid}"><w:r><w:t>{text}</w:t></w:r></w:hyperlink>'))


def make_docx() -> bytes:
    import docx

    d = docx.Document()
    _numbering(d)
    d.add_paragraph("Data Rules for the Pilot Zones", style="Title")
    d.add_paragraph("Policy Update – March 2024")
    d.add_heading("Which measures?", level=1)
    p = d.add_paragraph("The ")
    p.add_run("National Data Administration (NDA)").bold = True
    _footnote_reference(p, 7)  # ids need not be the numbers Word shows
    p.add_run(" and the ")
    p.add_run("Ministry of ").bold = True
    p.add_run("Commerce").bold = True  # one bold name in two runs
    p.add_run(" steer the ")
    p.add_run("pilot zones").italic = True
    p.add_run(". See ")
    _hyperlink(d, p, "the notice", "https://example.org/notice")
    p.add_run(".")
    strong = d.add_paragraph("A ")
    strong.add_run("character style", style="Strong")
    strong.add_run(" makes bold too.")
    d.add_heading("Cross-border data", level=2)
    _numbered(d, "Measure seventy-five.", "91")
    item = _numbered(d, "Measure seventy-six.", "91")
    _footnote_reference(item, 3)
    _numbered(d, "a sub-point", "91", ilvl=1)
    _numbered(d, "another sub-point", "91", ilvl=1)
    _numbered(d, "Measure seventy-seven.", "91")
    _numbered(d, "A list restarted at one.", "92")
    _numbered(d, "Its second item.", "92")
    d.add_paragraph("A bullet", style="List Bullet")
    d.add_paragraph("A deeper bullet", style="List Bullet 2")
    d.add_paragraph("Counted by the List Number style", style="List Number")
    table = d.add_table(rows=3, cols=3)
    for r, values in enumerate((("No.", "Measure", "Agencies"), ("83", "Open public data", "NDA, MIIT"),
                                ("115", "Data export bases", "MOFCOM"))):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    table.cell(1, 1).paragraphs[0].runs[0].bold = True
    d.add_paragraph("")  # an empty paragraph: no block
    d.add_paragraph("The end.")
    _footnotes_part(d, {3: "See the Data Security Law.", 7: "The NDA was set up in 2023."})
    out = BytesIO()
    d.save(out)
    return out.getvalue()


def test_docx_document(tmp_path):
    data = make_docx()
    r = docx_reader.read(data, Path("update.docx"))
    assert r.format == "docx" and not r.markup
    check_spans(r)
    assert outline(r) == [
        (HEADING, 1, None, "Data Rules for the Pilot Zones"),
        (PARAGRAPH, 0, None, "Policy Update – March 2024"),
        (HEADING, 2, None, "Which measures?"),
        (PARAGRAPH, 0, None, ("The National Data Administration (NDA)[1] and the Ministry of Commerce steer "
                             "the pilot zones. See the notice.")),
        (PARAGRAPH, 0, None, "A character style makes bold too."),
        (HEADING, 3, None, "Cross-border data"),
        (ITEM, 0, 75, "Measure seventy-five."),
        (ITEM, 0, 76, "Measure seventy-six.[2]"),
        (ITEM, 1, 1, "a sub-point"),
        (ITEM, 1, 2, "another sub-point"),
        (ITEM, 0, 77, "Measure seventy-seven."),
        (ITEM, 0, 1, "A list restarted at one."),
        (ITEM, 0, 2, "Its second item."),
        (ITEM, 0, None, "A bullet"),
        (ITEM, 1, None, "A deeper bullet"),
        (ITEM, 0, 1, "Counted by the List Number style"),
        (ROW, 0, None, "No. | Measure | Agencies"),
        (ROW, 0, None, "83 | Open public data | NDA, MIIT"),
        (ROW, 0, None, "115 | Data export bases | MOFCOM"),
        (PARAGRAPH, 0, None, "The end."),
        (FOOTNOTE, 0, "1", "The NDA was set up in 2023."),
        (FOOTNOTE, 0, "2", "See the Data Security Law."),
    ]
    body_bold = [s for s in bold(r) if s not in ("Which measures?", "Cross-border data")]  # heading styles are bold
    assert body_bold == ["National Data Administration (NDA)", "Ministry of Commerce", "character style",
                         "Open public data"]
    assert italic(r) == ["pilot zones"]
    assert markers(r) == ["1", "2"]
    assert footnotes(r) == {"1": "The NDA was set up in 2023.", "2": "See the Data Security Law."}
    assert rows(r) == [(True, ["No.", "Measure", "Agencies"]), (False, ["83", "Open public data", "NDA, MIIT"]),
                       (False, ["115", "Data export bases", "MOFCOM"])]
    path = tmp_path / "update.docx"
    path.write_bytes(data)
    assert read_rendition(path) == r


def test_docx_entities_not_resolved():
    """A DTD in the document or footnotes part: no entity is fetched or expanded (hostile
    inputs 27 and 28)."""
    data = make_docx()
    dtd = b'<!DOCTYPE w:x [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY a "aaaaaaaaaa">' \
          b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(out, "w") as z:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "word/footnotes.xml":
                content = dtd + content.replace(b"The NDA", b"&xxe;&c; The NDA")
            z.writestr(item, content)
    r = docx_reader.read(out.getvalue(), Path("entities.docx"))
    assert "root:" not in r.text and "aaaaaaaaaa" not in r.text
    assert "The NDA was set up in 2023." in footnotes(r)["1"]


def test_docx_notes_typed_by_hand():
    """No Word footnotes: a superscript number is a reference, and the numbered items under a
    heading "Notes" are the footnotes."""
    import docx

    d = docx.Document()
    p = d.add_paragraph("The NDA")
    p.add_run("1").font.superscript = True
    p.add_run(" steers the zones.")
    d.add_heading("Notes", level=1)
    d.add_paragraph("The NDA was set up in 2023.", style="List Number")
    d.add_heading("Measures", level=1)
    d.add_paragraph("Not a note.", style="List Bullet")
    out = BytesIO()
    d.save(out)
    r = docx_reader.read(out.getvalue(), Path("typed.docx"))
    check_spans(r)
    assert outline(r) == [(PARAGRAPH, 0, None, "The NDA[1] steers the zones."), (HEADING, 1, None, "Notes"),
                          (FOOTNOTE, 0, "1", "The NDA was set up in 2023."), (HEADING, 1, None, "Measures"),
                          (ITEM, 0, None, "Not a note.")]


def test_docx_empty(tmp_path):
    import docx

    out = BytesIO()
    d = docx.Document()
    d.add_paragraph("   ")
    d.save(out)
    error = refused(docx_reader.read, out.getvalue(), tmp_path / "empty.docx")
    assert error.message == "the Word document has no text"


def test_docx_not_a_word_zip(tmp_path):
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", "<office:document-content/>")
    error = refused(docx_reader.read, out.getvalue(), tmp_path / "notes.docx")
    assert "not a Word .docx document" in error.message


def test_docx_damaged(tmp_path):
    data = make_docx()
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(out, "w") as z:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "word/document.xml":
                content = content[: len(content) // 2]  # cut mid-element
            z.writestr(item, content)
    error = refused(docx_reader.read, out.getvalue(), tmp_path / "damaged.docx")
    assert "damaged" in error.message
    with pytest.raises(InputError) as cut:
        docx_reader.read(data[: len(data) // 2], Path("half.docx"))
    assert "not a Word .docx document" in cut.value.message


# -- PDF -----------------------------------------------------------------------------------------

def chromium_pdf(html: str, folder: Path, name: str) -> Path:
    """Print ``html`` to a PDF with headless Chromium."""
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package (scripts/system-deps.sh test)")
    source = folder / f"{name}.html"
    source.write_text(html, encoding="utf-8")
    target = folder / f"{name}.pdf"
    profile = folder / f"{name}-profile"
    done = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={target}",
         source.as_uri()],
        capture_output=True, timeout=180, stdin=subprocess.DEVNULL, check=False)
    assert done.returncode == 0 and target.is_file(), done.stderr.decode(errors="replace")[-2000:]
    return target


#: Prose with no full stop, so that where a page or a line breaks it no sentence ends.
FILLER = ("the pilot zones shall open public data in an orderly way, classify and grade it, "
          "protect personal information and trade secrets, and report to the departments concerned, ")

PDF_PAGE = f"""<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: A5; margin: 20mm 15mm 30mm;
  @top-left {{ content: "Page " counter(page); font-size: 8pt }}
  @top-right {{ content: "Policy Update | March 2024"; font-size: 8pt }} }}
@page :first {{ @bottom-left {{ content: "1 The NDA was set up in 2023 under the National Development and Reform Commission, which guides its work."; font-size: 8pt; vertical-align: top; text-align: left }} }}
body {{ font-family: "DejaVu Serif", "Liberation Serif", serif; font-size: 11pt; margin: 0 }}
h1 {{ font-size: 20pt }} h2 {{ font-size: 15pt }} h3 {{ font-size: 13pt }}
p {{ margin: 0 0 8pt }}
.narrow {{ width: 40mm; hyphens: manual }}
.note {{ font-size: 8pt; margin-top: 12pt }}
</style></head><body>
<h1>Data Rules for the Pilot Zones</h1>
<p>The <strong>National Data Administration</strong><sup>1</sup> and the <b>Ministry of Commerce</b> steer the <em>pilot zones</em>.</p>
<p>Running on: {FILLER * 14}and this paragraph ends on the second page.</p>
<h2>Which measures?</h2>
<p class="narrow">The Ministry of Industry and Infor&shy;mation Technology supports Cross-Border data flows.</p>
<h3>Cross-border data</h3>
<ol start="75"><li>Measure seventy-five, long enough to wrap onto a second line of this page.</li>
<li>Measure seventy-six with <strong>a bold part</strong>.</li></ol>
<ul><li>A drawn bullet</li><li>Another drawn bullet</li></ul>
<p>After the lists.<sup>2</sup></p>
<p class="note"><sup>2</sup> See the Data Security Law, which the measures build on.</p>
</body></html>"""


@pytest.fixture(scope="module")
def pdf_folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pdf")


@pytest.fixture(scope="module")
def printed(pdf_folder) -> Path:
    return chromium_pdf(PDF_PAGE, pdf_folder, "update")


def test_pdf_document(printed):
    r = pdf_reader.read(printed.read_bytes(), printed)
    assert r.format == "pdf" and not r.markup
    check_spans(r)
    got = outline(r)
    running = next(t for k, _, _, t in got if t.startswith("Running on:"))
    assert running.endswith("and this paragraph ends on the second page."), "one paragraph across the page break"
    assert [row for row in got if not row[3].startswith("Running on:")] == [
        (HEADING, 1, None, "Data Rules for the Pilot Zones"),
        (PARAGRAPH, 0, None, "The National Data Administration[1] and the Ministry of Commerce steer the pilot zones."),
        (FOOTNOTE, 0, "1", ("The NDA was set up in 2023 under the National Development and Reform Commission, "
                           "which guides its work.")),
        (HEADING, 2, None, "Which measures?"),
        (PARAGRAPH, 0, None, "The Ministry of Industry and Information Technology supports Cross-Border data flows."),
        (HEADING, 3, None, "Cross-border data"),
        (ITEM, 0, 75, "Measure seventy-five, long enough to wrap onto a second line of this page."),
        (ITEM, 0, 76, "Measure seventy-six with a bold part."),
        (ITEM, 0, None, "A drawn bullet"),
        (ITEM, 0, None, "Another drawn bullet"),
        (PARAGRAPH, 0, None, "After the lists.[2]"),
        (FOOTNOTE, 0, "2", "See the Data Security Law, which the measures build on."),
    ]
    # the footnote of page 1 follows the paragraph it interrupted
    kinds = [(k, t[:11]) for k, _, _, t in got]
    assert kinds.index((PARAGRAPH, "Running on:")) + 1 == kinds.index((FOOTNOTE, "The NDA was"))
    body_bold = [s for s in bold(r) if s not in ("Data Rules for the Pilot Zones", "Which measures?", "Cross-border data")]
    assert body_bold == ["National Data Administration", "Ministry of Commerce", "a bold part"]
    assert italic(r) == ["pilot zones"]
    assert markers(r) == ["1", "2"]
    for furniture in ("Policy Update", "Page 1", "Page 2", "March 2024"):
        assert furniture not in r.text
    assert read_rendition(printed) == r


INDENTED = f"""<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: A5; margin: 20mm }} body {{ font: 10pt "DejaVu Serif", serif; text-align: justify }}
p {{ margin: 0; text-indent: 2em }} h2 {{ font-size: 12pt }}
</style></head><body><h2>Indented paragraphs</h2>
<p>First paragraph: {FILLER * 3}end one.</p><p>Second: short.</p><p>Third paragraph: {FILLER}end three.</p>
<p>(1) A bracketed item long enough to wrap, {FILLER}end of item one.</p><p>(2) Second bracketed item.</p>
<p>A paragraph that refers to the measures on page<br>12. The line before ends mid-sentence, so this is no item.</p>
<p>A claim<sup>1</sup> with a note.</p>
<h2>Notes</h2><ol><li>The note, as a web page numbers it. <a href="#ref1">&uarr;</a></li></ol>
</body></html>"""


def test_pdf_indented_paragraphs(pdf_folder):
    """Paragraphs told apart by their indented first lines alone (no space between them),
    bracketed numbers as items, and a number at the start of a wrapped line that is not one."""
    path = chromium_pdf(INDENTED, pdf_folder, "indented")
    r = pdf_reader.read(path.read_bytes(), path)
    check_spans(r)
    assert outline(r) == [
        (HEADING, 1, None, "Indented paragraphs"),
        (PARAGRAPH, 0, None, f"First paragraph: {FILLER * 3}end one."),
        (PARAGRAPH, 0, None, "Second: short."),
        (PARAGRAPH, 0, None, f"Third paragraph: {FILLER}end three."),
        (ITEM, 0, 1, f"A bracketed item long enough to wrap, {FILLER}end of item one."),
        (ITEM, 0, 2, "Second bracketed item."),
        (PARAGRAPH, 0, None, ("A paragraph that refers to the measures on page 12. The line before ends "
                             "mid-sentence, so this is no item.")),
        (PARAGRAPH, 0, None, "A claim[1] with a note."),
        (HEADING, 1, None, "Notes"),
        (FOOTNOTE, 0, "1", "The note, as a web page numbers it."),  # under "Notes", without its arrow
    ]


CAPTIONS = """<!doctype html><html><head><meta charset="utf-8"><style>
@page { size: A5; margin: 20mm } body { font: 10.5pt "DejaVu Serif", serif } p { margin: 0 0 6pt }
</style></head><body>
<p><b>A market for data as a factor of production</b></p>
<p><b>No. 1</b> Build a system of data resources with property rights and grades.</p>
<p><b>Data security</b></p>
<p><b>No. 2</b> Classified and graded protection of industrial data.</p>
</body></html>"""


def test_pdf_a_bold_line_over_text_is_a_block_of_its_own(pdf_folder):
    """A bold caption (a category) is not run into the text under it although it ends with no
    full stop and the gap is a line's."""
    path = chromium_pdf(CAPTIONS, pdf_folder, "captions")
    r = pdf_reader.read(path.read_bytes(), path)
    assert [t for _, _, _, t in outline(r)] == [
        "A market for data as a factor of production", "No. 1 Build a system of data resources with property "
        "rights and grades.", "Data security", "No. 2 Classified and graded protection of industrial data."]


def test_pdf_hyphenation_judgement():
    """The mending rule on its own: a capital after the hyphen keeps it, a word the document
    writes with its hyphen keeps it, a soft hyphen and an unknown break go."""
    layout = pdf_reader._Layout.__new__(pdf_reader._Layout)
    layout.vocabulary = {"cross-border", "information"}
    assert layout._keep_hyphen("Cross", "Border data", "Border", soft=False)
    assert layout._keep_hyphen("2019", "2020", "", soft=False)
    assert layout._keep_hyphen("cross", "border data", "border", soft=False)
    assert not layout._keep_hyphen("Infor", "mation", "mation", soft=False)
    assert not layout._keep_hyphen("regu", "lation", "lation", soft=True)


def test_pdf_reading_time(pdf_folder, capsys):
    """Seconds per page on a 10-page document (printed, not asserted: bench/pdf_reading.py)."""
    pages = "".join(
        f"<h2>Part {n}</h2><p><b>Measure {n}.</b> {FILLER * 6}</p><ol start='{n * 10}'><li>{FILLER}</li>"
        f"<li>{FILLER}</li></ol><p style='break-after: page'>Closing words of part {n}.<sup>{n}</sup></p>"
        for n in range(1, 11))
    html = ("<!doctype html><html><head><meta charset='utf-8'><style>@page { size: A4; margin: 20mm;"
            " @bottom-center { content: 'Page ' counter(page) } } body { font: 11pt serif }</style></head>"
            f"<body>{pages}</body></html>")
    path = chromium_pdf(html, pdf_folder, "ten-pages")
    data = path.read_bytes()
    from pypdf import PdfReader

    count = len(PdfReader(BytesIO(data)).pages)
    assert count == 10
    start = time.perf_counter()
    r = pdf_reader.read(data, path)
    seconds = time.perf_counter() - start
    check_spans(r)
    assert len([b for b in r.blocks if b.kind == HEADING]) == 10
    with capsys.disabled():
        print(f"\nPDF reading: {seconds / count:.3f} s per page ({count} pages, {seconds:.2f} s)")


def _png(width: int = 120, height: int = 60) -> bytes:
    """A grey PNG image, written by hand."""
    raw = b"".join(b"\x00" + bytes([128]) * width for _ in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def test_pdf_truncated(printed, tmp_path):
    data = printed.read_bytes()
    error = refused(pdf_reader.read, data[: len(data) // 2], tmp_path / "truncated.pdf")
    assert "truncated" in error.message


def test_pdf_image_only(pdf_folder, tmp_path):
    html = ("<!doctype html><html><body style='margin:0'><img style='width:150mm' "
            f"src='data:image/png;base64,{base64.b64encode(_png()).decode()}'></body></html>")
    scanned = chromium_pdf(html, pdf_folder, "scanned")
    error = refused(pdf_reader.read, scanned.read_bytes(), tmp_path / "scanned.pdf")
    assert "no text layer (a scanned document?)" in error.message


def test_pdf_encrypted(printed, tmp_path):
    from pypdf import PdfWriter

    locked = PdfWriter(clone_from=BytesIO(printed.read_bytes()))
    locked.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = BytesIO()
    locked.write(out)
    error = refused(pdf_reader.read, out.getvalue(), tmp_path / "locked.pdf")
    assert "encrypted" in error.message and "password" in error.message
    # restrictions only (an empty user password): opens as any viewer opens it
    open_copy = PdfWriter(clone_from=BytesIO(printed.read_bytes()))
    open_copy.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    out = BytesIO()
    open_copy.write(out)
    r = pdf_reader.read(out.getvalue(), Path("restricted.pdf"))
    assert "Data Rules for the Pilot Zones" in r.text


def test_pdf_not_a_pdf(tmp_path):
    with pytest.raises(InputError) as direct:
        pdf_reader.read(_png(), tmp_path / "picture.pdf")
    assert "not a PDF file" in direct.value.message and direct.value.path == str(tmp_path / "picture.pdf")
    if importlib.util.find_spec("policykg.pipeline.readers.markdown") is None:
        pytest.skip("read_rendition's format detection needs policykg.pipeline.readers.markdown")
    path = tmp_path / "picture.pdf"
    path.write_bytes(_png())
    with pytest.raises(InputError) as door:
        read_rendition(path)
    assert door.value.path == str(path) and "not PDF" in door.value.message


#: A table of measures as a web page prints it: its header drawn again on the next page, ditto
#: marks in the category column; then a paragraph with words far apart that is no table.
TABLE_PAGES = """<!doctype html><html><head><meta charset="utf-8"><style>
@page { size: A5; margin: 18mm 15mm }
body { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 10pt }
table { border-collapse: collapse; width: 100% } th, td { padding: 1mm 2mm; vertical-align: top; text-align: left }
table.ruled th, table.ruled td { border: 0.5pt solid #777 }
.break { page-break-before: always }
</style></head><body>
<h1>Two Rulebooks</h1>
<p>The NFRA issued the Measures on Bank Data on 5 December 2024.</p>
<table class="ruled"><thead><tr><th>Art.</th><th>Requirement</th><th>Category</th><th>Supervisor</th></tr></thead>
<tr><td>5</td><td>The board bears final responsibility for data security and names a senior manager to lead the work.</td><td>Governance</td><td>NFRA</td></tr>
<tr><td>8</td><td>A data security department is designated.</td><td>&ldquo;</td><td>&ldquo;</td></tr></table>
<p class="break">Table 1 (continued)</p>
<table class="ruled"><thead><tr><th>Art.</th><th>Requirement</th><th>Category</th><th>Supervisor</th></tr></thead>
<tr><td>12</td><td>Data are graded core, important or general.</td><td>Classification</td><td>NFRA</td></tr></table>
<p>After the table, a paragraph of plain prose that runs across the whole width of the page and on.</p>
<table><tr><th>No.</th><th>Task</th><th>Lead</th></tr>
<tr><td>1</td><td>Open the data.</td><td>CAC</td></tr></table>
</body></html>"""


def test_pdf_tables_are_read_as_tables(pdf_folder):
    path = chromium_pdf(TABLE_PAGES, pdf_folder, "tables")
    r = pdf_reader.read(path.read_bytes(), path)
    rows = [[" ".join(r.text[c.start:c.end].split()) for c in b.cells] for b in r.blocks if b.kind == "row"]
    assert rows[:4] == [
        ["Art.", "Requirement", "Category", "Supervisor"],
        ["5", "The board bears final responsibility for data security and names a senior manager to lead the work.",
         "Governance", "NFRA"],
        ["8", "A data security department is designated.", "“", "“"],
        ["12", "Data are graded core, important or general.", "Classification", "NFRA"],  # the page after
    ]
    assert rows[4:] == [["No.", "Task", "Lead"], ["1", "Open the data.", "CAC"]]  # no rules drawn
    texts = [" ".join(r.text[b.start:b.end].split()) for b in r.blocks if b.kind != "row"]
    assert "Table 1 (continued)" not in texts  # the table goes on: one table
    assert any(t.startswith("After the table, a paragraph of plain prose") for t in texts)


def test_pdf_table_rows_are_measures_with_the_ditto_marks_filled_in(pdf_folder):
    from policykg.pipeline.extract import extract
    from policykg.pipeline.lexicon import load_lexicon
    from policykg.pipeline.read import read_document

    path = chromium_pdf(TABLE_PAGES, pdf_folder, "tables")
    doc = read_document(path)
    articles = {b.article: doc.text[b.category_cell.start:b.category_cell.end] for b in doc.blocks
                if b.kind == "article" and b.category_cell is not None}
    assert articles == {5: "Governance", 8: "Governance", 12: "Classification"}
    x = extract(doc, load_lexicon())
    guided = {(str(r.get("measure")).rsplit("/", 1)[-1], str(r.get("agency")).rsplit("/", 1)[-1])
              for r in x.records if r.kind == "guidance"}
    assert {("5", "nfra"), ("8", "nfra"), ("12", "nfra")} <= guided


#: A brief as a think tank prints it: two columns of text, a sentence running from the first
#: into the second; then a table whose headers are centred over their columns, one wrapped
#: over two lines ("Measure" / "No."), with bold rows across the table naming groups of rows
#: and "Lead | With" columns.
CENTRED_TABLE = """<!doctype html><html><head><meta charset="utf-8"><style>
@page { size: A4; margin: 18mm 18mm }
body { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 9pt }
.cols { column-count: 2; column-gap: 10mm; height: 40mm }
.cols p { margin: 0 0 3mm 0 }
table { border-collapse: collapse; width: 100%; margin-top: 6mm; page-break-before: always }
th { text-align: center; font-weight: bold; padding: 2mm } td { padding: 2mm; vertical-align: top }
th.no { width: 12mm } td.no { text-align: center }
td.group { font-weight: bold }
</style></head><body>
<h1>Selling Abroad</h1>
<div class="cols"><p>The State Council has added zones in seven batches, and its latest reply names new zones in
thirty-three cities and regions across the country, from the coast to the far west. The new zones include
Langfang and Cangzhou in Hebei, Yuncheng in Shanxi, Baotou in Inner Mongolia and Anshan in Liaoning, with
more in the provinces of the centre and the west, which the reply lists in full in its annex.</p>
<p>Unlike many pilots, the zones have no trial period.</p></div>
<table><thead><tr><th class="no">Measure No.</th><th>What the measure does</th><th>Lead</th><th>With</th></tr></thead>
<tr><td class="group" colspan="4">I. Cultivating market players</td></tr>
<tr><td class="no">1</td><td>Help traditional foreign-trade firms sell through platforms and build their own brand websites abroad.</td><td>MOFCOM</td><td>&ndash;</td></tr>
<tr><td class="no">3</td><td>Promote industrial-belt models in the pilot zones.</td><td>MOFCOM</td><td>NDRC</td></tr>
<tr><td class="group" colspan="4">II. Financial support</td></tr>
<tr><td class="no">14</td><td>Encourage banks to lend against overseas-warehouse assets.</td><td>PBOC</td><td>SAFE</td></tr>
</table></body></html>"""


def test_pdf_centred_headers_group_rows_and_a_sentence_over_a_column_break(pdf_folder):
    path = chromium_pdf(CENTRED_TABLE, pdf_folder, "centred")
    r = pdf_reader.read(path.read_bytes(), path)
    rows = [[" ".join(r.text[c.start:c.end].split()) for c in b.cells] for b in r.blocks if b.kind == "row"]
    assert rows == [
        ["Measure No.", "What the measure does", "Lead", "With"],
        ["I. Cultivating market players", "", "", ""],
        ["1", "Help traditional foreign-trade firms sell through platforms and build their own brand websites "
              "abroad.", "MOFCOM", "–"],
        ["3", "Promote industrial-belt models in the pilot zones.", "MOFCOM", "NDRC"],
        ["II. Financial support", "", "", ""],
        ["14", "Encourage banks to lend against overseas-warehouse assets.", "PBOC", "SAFE"],
    ]
    texts = [" ".join(r.text[b.start:b.end].split()) for b in r.blocks if b.kind != "row"]
    assert any(t.startswith("The State Council has added zones") and t.endswith("in its annex.") for t in texts)


def test_pdf_group_rows_name_the_categories_and_with_columns_guide(pdf_folder):
    from policykg.pipeline.extract import extract
    from policykg.pipeline.lexicon import load_lexicon
    from policykg.pipeline.read import read_document

    path = chromium_pdf(CENTRED_TABLE.replace("<h1>Selling Abroad</h1>", "<h1>Selling Abroad</h1><p>MOFCOM issued "
                                              "the <b>Opinions on Overseas Warehouses</b> on 29 May 2024.</p>"),
                        pdf_folder, "centred-measures")
    x = extract(read_document(path), load_lexicon())
    categories = {(str(r.get("measure")).rsplit("/", 1)[-1], str(r.get("category")).rsplit("/", 1)[-1])
                  for r in x.records if r.kind == "categorisation"}
    assert categories == {("1", "cultivating-market-players"), ("3", "cultivating-market-players"),
                          ("14", "financial-support")}
    guided = {(str(r.get("measure")).rsplit("/", 1)[-1], str(r.get("agency")).rsplit("/", 1)[-1])
              for r in x.records if r.kind == "guidance"}
    assert guided == {("1", "mofcom"), ("3", "mofcom"), ("3", "ndrc"), ("14", "pboc"), ("14", "safe")}

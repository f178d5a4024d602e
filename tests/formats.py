"""A Markdown policy update saved in the other forms users bring: plain text, HTML, Word, PDF.

The tests write each form from the Markdown the way the tools people use would: plain text as
copied out of a rendered page (no ``**``, no list markers), HTML as markdown-it renders it
(a page with ``<strong>``, ``<ul>``, ``<sup>``), Word with python-docx (bold runs, list
paragraphs, headings), PDF printed from that HTML by headless Chromium. Nothing here knows the
genre: it converts markup, so the facts must come from the text.
"""
from __future__ import annotations

import html as htmllib
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _md() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table").use(footnote_plugin)


def _plain_inline(token) -> str:  # noqa: ANN001
    out = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif child.type == "footnote_ref":
            out.append(f"[{child.meta['label']}]")
    return "".join(out)


def to_text(markdown: str) -> str:
    """The text a reader copies out of the rendered page: no markup, no list markers."""
    tokens = _md().parse(markdown)
    blocks = []
    for i, token in enumerate(tokens):
        if token.type == "inline" and tokens[i - 1].type in ("paragraph_open", "heading_open"):
            blocks.append(_plain_inline(token))
        elif token.type == "footnote_open":
            blocks.append(f"[{token.meta['label']}] ")
    # a footnote's label and its paragraph are one block
    joined: list[str] = []
    for block in blocks:
        if joined and re.fullmatch(r"\[\d+\] ", joined[-1]):
            joined[-1] += block
        else:
            joined.append(block)
    return "\n\n".join(joined) + "\n"


def to_html(markdown: str, title: str = "Policy update") -> str:
    """A whole HTML page, as markdown-it renders the Markdown (superscript markers as <sup>)."""
    body = _md().render(markdown)
    body = re.sub(r"([⁰¹²³⁴⁵⁶⁷⁸⁹]+)", lambda m: f"<sup>{m.group(1).translate(str.maketrans('⁰¹²³⁴⁵⁶⁷⁸⁹', '0123456789'))}</sup>", body)
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{htmllib.escape(title)}"
            f"</title></head>\n<body>\n{body}</body></html>\n")


def to_docx(markdown: str, path: Path) -> Path:
    """A Word document: headings, paragraphs, bullet paragraphs, bold and italic runs."""
    import docx

    document = docx.Document()
    tokens = _md().parse(markdown)
    in_item = False
    for i, token in enumerate(tokens):
        if token.type == "list_item_open":
            in_item = True
        elif token.type == "list_item_close":
            in_item = False
        elif token.type == "inline" and tokens[i - 1].type in ("paragraph_open", "heading_open"):
            if tokens[i - 1].type == "heading_open":
                paragraph = document.add_heading(level=int(tokens[i - 1].tag[1]))
            else:
                paragraph = document.add_paragraph(style="List Bullet" if in_item else None)
            bold = italic = False
            for child in token.children or []:
                if child.type == "strong_open":
                    bold = True
                elif child.type == "strong_close":
                    bold = False
                elif child.type == "em_open":
                    italic = True
                elif child.type == "em_close":
                    italic = False
                elif child.type in ("text", "code_inline"):
                    run = paragraph.add_run(child.content)
                    run.bold, run.italic = bold or None, italic or None
                elif child.type in ("softbreak", "hardbreak"):
                    paragraph.add_run(" ")
    document.save(str(path))
    return path


def to_pdf(html_text: str, path: Path) -> Path:
    """Print the HTML page to PDF with headless Chromium (as the browser tests use it)."""
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(html_text, encoding="utf-8")
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={tmp}/profile", "--no-pdf-header-footer",
                        f"--print-to-pdf={path}", page.as_uri()],
                       check=True, capture_output=True, timeout=120)
    return path


__all__ = ["CHROMIUM", "to_docx", "to_html", "to_pdf", "to_text"]

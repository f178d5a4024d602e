"""Markdown: CommonMark (markdown-it-py) with GFM tables and ``[^1]`` footnotes.

Door: :func:`read`. The rendition is the file itself, decoded, so every offset points into the
file as received (CRLF kept). markdown-it-py finds the blocks — headings (ATX and setext),
paragraphs, list items with their depth and, in ordered lists, their number, table rows and
cells, footnote definitions — with their source lines; the inline tokens then give bold and
italic runs, which are found in the source by walking the tokens along it (markdown-it keeps
no character offsets of inline markup).

Markdown is lenient where the genre is not: a line that starts a footnote (``¹ ...``,
``[1] ...``) or a measure (``Article 75: ...``) right under a paragraph or a list item, with
no blank line, is a block of its own here, as a reader of the genre sees it (CommonMark would
make it a continuation line).
"""
from __future__ import annotations

import bisect
import re
from functools import cache
from pathlib import Path

from ...document import Span
from .base import FOOTNOTE, HEADING, ITEM, PARAGRAPH, ROW, RawBlock, Rendition
from .text import decode

#: A line that starts a block of its own in the genre, even inside a CommonMark paragraph.
_BREAKS_BLOCK = re.compile(r"[ \t]*(?:[⁰¹²³⁴⁵⁶⁷⁸⁹]+[ \t]|\[\^?\d{1,3}\]:?[ \t]|(?:\*\*)?\s*Article\s+\d)")
#: Markdown syntax that is rare in plain text (for telling the two apart).
_MARKDOWN_SIGNS = re.compile(r"^(?:#{1,6}\s|\s*[-*+]\s|\s*\d+[.)]\s|>\s|\|.*\|\s*$|\[\^\d+\]:)|\*\*\S|__\S|\]\(",
                             re.MULTILINE)


@cache
def _parser():  # noqa: ANN202 - markdown_it's type
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin

    return MarkdownIt("commonmark", {"html": False}).enable("table").use(footnote_plugin).use(front_matter_plugin)


def looks_like_markdown(text: str) -> bool:
    """True when ``text`` uses Markdown syntax (headings, lists, emphasis, tables, links)."""
    return len(_MARKDOWN_SIGNS.findall(text[:200_000])) >= 2


class _Lines:
    """Offsets of the lines of ``text`` (line ends ``\\n``, ``\\r\\n`` or ``\\r``)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        self.ends = []
        for match in re.finditer(r"\r\n|\r|\n", text):
            self.ends.append(match.start())
            self.starts.append(match.end())
        self.ends.append(len(text))

    def start(self, line: int) -> int:
        return self.starts[min(line, len(self.starts) - 1)]

    def end(self, line: int) -> int:
        return self.ends[min(line, len(self.ends) - 1)]

    def of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1


def _content_start(text: str, start: int, end: int) -> int:
    """The first offset of a block's content on its first line: after the list marker,
    ``>``, heading ``#``, footnote label, and spaces."""
    m = re.compile(r"[ \t]*(?:>[ \t]?)*[ \t]*(?:#{1,6}(?=[ \t]|$)|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]|$)|\[\^[^\]]+\]:)?[ \t]*").match(text, start, end)
    return m.end() if m else start


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1] in " \t\r\n":
        end -= 1
    while start < end and text[start] in " \t":
        start += 1
    return start, end


def _setext_end(text: str, lines: _Lines, first: int, last: int) -> int:
    """End of a setext heading's text (the underline excluded)."""
    return lines.end(max(first, last - 2)) if last - first >= 2 else lines.end(first)


class _Inline:
    """Bold and italic spans of an inline token, found by walking its children along the
    source ``text[pos:end]``."""

    def __init__(self, text: str, pos: int, end: int) -> None:
        self.text, self.pos, self.end = text, pos, end
        self.bold: list[Span] = []
        self.italic: list[Span] = []
        self._open: list[tuple[str, int]] = []

    def _find(self, needle: str) -> int | None:
        at = self.text.find(needle, self.pos, self.end)
        return None if at < 0 else at

    def _advance_text(self, content: str) -> None:
        """Move past ``content`` in the source, allowing for escapes, entities and line
        breaks that markdown-it has already resolved."""
        text, pos, end = self.text, self.pos, self.end
        for ch in content:
            while pos < end and text[pos] != ch:
                if text[pos] == "\\" or text[pos] in " \t\r\n>":
                    pos += 1
                elif text[pos] == "&":
                    semi = text.find(";", pos, min(end, pos + 12))
                    if semi < 0:
                        return  # cannot follow: leave the position where it was
                    pos = semi + 1
                    break  # an entity stands for this character
                else:
                    return
            else:
                if pos >= end:
                    return
                pos += 1
        self.pos = pos

    def walk(self, children) -> None:  # noqa: ANN001 - markdown_it tokens
        for child in children:
            kind = child.type
            if kind == "text" or kind == "code_inline" or kind == "html_inline":
                if kind == "code_inline":
                    at = self._find(child.markup)
                    if at is not None:
                        self.pos = at + len(child.markup)
                self._advance_text(child.content)
                if kind == "code_inline":
                    at = self._find(child.markup)
                    if at is not None:
                        self.pos = at + len(child.markup)
            elif kind in ("softbreak", "hardbreak"):
                while self.pos < self.end and self.text[self.pos] in " \t\\\r\n":
                    self.pos += 1
            elif kind in ("strong_open", "em_open"):
                at = self._find(child.markup)
                if at is not None:
                    self.pos = at + len(child.markup)
                    self._open.append((kind, self.pos))
            elif kind in ("strong_close", "em_close"):
                at = self._find(child.markup)
                opened = kind.replace("close", "open")
                start = next((s for k, s in reversed(self._open) if k == opened), None)
                if at is not None and start is not None:
                    self._open.remove((opened, start))
                    (self.bold if kind == "strong_close" else self.italic).append(Span(start, at))
                    self.pos = at + len(child.markup)
            elif kind == "link_open":
                at = self._find("[")
                if at is not None and child.markup != "autolink":
                    self.pos = at + 1
            elif kind == "link_close":
                at = self._find("](")
                if at is not None:
                    close = self.text.find(")", at, self.end)
                    self.pos = close + 1 if close >= 0 else at + 2
            elif kind == "footnote_ref":
                at = self._find(f"[^{child.meta.get('label', '')}]")
                if at is not None:
                    self.pos = at + len(child.meta.get("label", "")) + 3
            elif kind == "image":
                close = self.text.find(")", self.pos, self.end)
                if close >= 0:
                    self.pos = close + 1


def _inline(text: str, token, start: int, end: int) -> tuple[tuple[Span, ...], tuple[Span, ...]]:  # noqa: ANN001
    walker = _Inline(text, start, end)
    walker.walk(token.children or [])
    return tuple(sorted(walker.bold, key=lambda s: s.start)), tuple(sorted(walker.italic, key=lambda s: s.start))


def _cells(text: str, start: int, end: int) -> tuple[Span, ...]:
    """The cells of a table row ``text[start:end]``: split at unescaped pipes outside code."""
    cuts = []
    i = start
    in_code = False
    while i < end:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "`":
            in_code = not in_code
        elif ch == "|" and not in_code:
            cuts.append(i)
        i += 1
    bounds = [start - 1, *cuts, end]
    cells = []
    for a, b in zip(bounds, bounds[1:]):
        s, e = _trim(text, a + 1, b)
        cells.append(Span(s, e))
    # a leading and a trailing pipe make empty edge cells
    if cells and cuts and not text[start:cuts[0]].strip():
        cells = cells[1:]
    if cells and cuts and not text[cuts[-1] + 1:end].strip():
        cells = cells[:-1]
    return tuple(cells)


def _split_genre_lines(text: str, lines: _Lines, raw: RawBlock, first: int, last: int) -> list[tuple[int, int]]:
    """Line ranges of ``raw``'s content that start a block of their own in the genre."""
    out = []
    begin = first
    for line in range(first + 1, last):
        if _BREAKS_BLOCK.match(text, lines.start(line), lines.end(line)):
            out.append((begin, line))
            begin = line
    out.append((begin, last))
    return out


def read(data: bytes, path: Path) -> Rendition:
    """Read a Markdown policy update: the rendition is the decoded file."""
    text = decode(data, path)
    lines = _Lines(text)
    tokens = _parser().parse(text)
    blocks: list[RawBlock] = []
    depth = -1  # list nesting
    numbers: list[int | None] = []  # the next number of each open list (None: bullets)
    item_number: int | None = None
    item_lead: int | None = None
    table = -1
    row_cells: list[Span] = []
    row_header = False
    in_footnote: str | None = None
    heading_level = 0
    for index, token in enumerate(tokens):
        kind = token.type
        if kind == "front_matter" and token.map is not None:
            blocks += _front_matter(text, lines, *token.map)
        elif kind in ("bullet_list_open", "ordered_list_open"):
            depth += 1
            numbers.append(int(token.attrs.get("start", 1)) if kind == "ordered_list_open" else None)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
            numbers.pop()
        elif kind == "list_item_open":
            item_number = numbers[-1] if numbers else None
            if item_number is not None:
                item_number = int(token.info) if token.info.isdigit() else item_number
                numbers[-1] = item_number + 1
            line_start = lines.start(token.map[0])
            m = re.compile(r"[ \t]*").match(text, line_start)
            item_lead = m.end() if m else line_start
        elif kind == "heading_open":
            heading_level = int(token.tag[1])
        elif kind == "table_open":
            table += 1
        elif kind == "tr_open":
            first = token.map[0]
            row_cells = list(_cells(text, *_trim(text, lines.start(first), lines.end(first))))
            row_header = tokens[index - 1].type == "thead_open"
            s, e = _trim(text, lines.start(first), lines.end(first))
            bold: list[Span] = []
            italic: list[Span] = []
            j = index + 1
            cell = 0
            while tokens[j].type != "tr_close":
                if tokens[j].type == "inline" and cell < len(row_cells):
                    b, i = _inline(text, tokens[j], row_cells[cell].start, row_cells[cell].end)
                    bold += b
                    italic += i
                    cell += 1
                j += 1
            blocks.append(RawBlock(ROW, s, e, cells=tuple(row_cells), header=row_header, table=table,
                                   bold=tuple(bold), italic=tuple(italic)))
        elif kind == "footnote_open":
            in_footnote = str(token.meta.get("label", ""))
        elif kind == "footnote_close":
            in_footnote = None
        elif kind == "inline" and token.map is not None and tokens[index - 1].type in ("paragraph_open", "heading_open"):
            first, last = token.map
            opener = tokens[index - 1]
            parent_item = tokens[index - 2].type == "list_item_open" if index >= 2 else False
            if opener.type == "heading_open":
                end_line = last if opener.markup.startswith("#") else last - 1
                ranges = [(first, max(first + 1, end_line))]
            else:
                ranges = _split_genre_lines(text, lines, None, first, last)  # type: ignore[arg-type]
            for n, (a, b) in enumerate(ranges):
                start = _content_start(text, lines.start(a), lines.end(a)) if n == 0 else lines.start(a)
                if n == 0 and in_footnote is None and opener.type == "paragraph_open" and not parent_item:
                    start = lines.start(a)
                    while start < lines.end(a) and text[start] in " \t>":
                        start += 1
                s, e = _trim(text, start, lines.end(b - 1))
                if e <= s:
                    continue
                bold, italic = _inline(text, token, s, e) if len(ranges) == 1 else _inline_range(text, s, e)
                if opener.type == "heading_open":
                    blocks.append(RawBlock(HEADING, s, e, level=heading_level, bold=bold, italic=italic))
                elif in_footnote is not None and n == 0:
                    label_at = text.rfind("[^", lines.start(a), s)
                    blocks.append(RawBlock(FOOTNOTE, s, e, lead=label_at if label_at >= 0 else s,
                                           label=in_footnote, bold=bold, italic=italic))
                elif parent_item and n == 0:
                    blocks.append(RawBlock(ITEM, s, e, lead=item_lead if item_lead is not None else s,
                                           level=max(depth, 0), number=item_number, bold=bold, italic=italic))
                else:
                    blocks.append(RawBlock(PARAGRAPH, s, e, bold=bold, italic=italic))
    blocks.sort(key=lambda b: b.start)
    return Rendition(text, tuple(blocks), "markdown", markup=True)


#: A line of a YAML front matter that gives the title or the date: ``title: "..."``.
_FRONT_KEY = re.compile(r"[ \t]*(?P<key>title|date)[ \t]*:[ \t]*(?P<q>[\"']?)(?P<value>.*?)(?P=q)[ \t]*$", re.IGNORECASE)


def _front_matter(text: str, lines: _Lines, first: int, last: int) -> list[RawBlock]:
    """The title and the date of a YAML front matter (Pandoc, Jekyll, Hugo: ``---`` lines
    around ``key: value`` lines) as a heading and a paragraph: the rest of it is the tool's."""
    found: dict[str, RawBlock] = {}
    for n in range(first, last):
        start, end = lines.start(n), lines.end(n)
        m = _FRONT_KEY.match(text, start, end)
        if m and m.group("value").strip() and m.group("key").lower() not in found:
            s, e = _trim(text, m.start("value"), m.end("value"))
            key = m.group("key").lower()
            found[key] = RawBlock(HEADING, s, e, level=1) if key == "title" else RawBlock(PARAGRAPH, s, e)
    return [found[k] for k in ("title", "date") if k in found]


def _inline_range(text: str, start: int, end: int) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
    """Bold and italic spans of a part of a paragraph that the genre splits off: parsed on
    its own (its offsets shifted back into the file)."""
    tokens = _parser().parseInline(text[start:end])
    if not tokens:
        return (), ()
    walker = _Inline(text, start, end)
    walker.walk(tokens[0].children or [])
    return tuple(walker.bold), tuple(walker.italic)


__all__ = ["looks_like_markdown", "read"]

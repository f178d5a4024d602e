"""PDF: a policy update as its publisher prints it — text with fonts, page furniture and footnotes.

Door: :func:`read`. pypdf (pure Python) parses the file and reports every piece of text the
pages draw, in the order the page draws it, with its position, font and size; the layout is
read from that here, page by page, into a :class:`~policykg.pipeline.readers.base.RenditionBuilder`:

1. **Lines.** Pieces on one baseline are a line (a raised, smaller piece stays in its line).
   Ligatures (``ﬁ``, ``ﬂ``) become letters; text drawn twice in place (fake bold) is read once;
   only upright text is read.
2. **Page furniture dropped.** A line in the top or bottom tenth of the page, set no larger
   than the text, is a running header or footer when the same text (digits aside) stands at
   the same height on at least half the pages, or when it is a page number (``7``,
   ``Page 7``, ``Page 7 of 9``, ``- 7 -``, ``vii``, ``... | Page 7``).
3. **Sizes.** The body size is the size most of the text is set in. A line set larger (by
   15 % or more, or by 5 % when it is all bold) is a heading, its level the rank of its size
   among the headings' sizes (the largest is 1). Emphasis comes from the font: bold when its
   name says ``Bold``, ``Black``, ``Heavy``, ``Semibold``, ``Demi`` or ends in ``,B`` (or its
   descriptor says weight 600+); italic when it says ``Italic``, ``Oblique``, ``-It`` or ``,I``
   (or it has an italic angle).
4. **Footnotes.** The lines set smaller than the body below all of a page's body text (found by
   position, whatever order the page draws them in: Chromium draws its page margins first) are
   the page's footnotes when the first starts with a number (``1``, ``1.``, ``[1]``, ``¹``, or
   a raised smaller digit): each labelled line starts a footnote block, the lines after it
   continue it (and a page whose small print starts without a label continues the previous
   page's last footnote). A line anywhere that starts with a raised small number and goes on
   with text is a footnote too, as are the numbered items under a heading "Notes" (or
   "Footnotes", "Endnotes": a web page printed). Footnotes are written after the paragraph
   they interrupt (a paragraph running on to the next page is kept whole). In running text, a
   raised smaller number is a footnote reference ``[N]``.
5. **Blocks.** Lines are gathered into blocks: a new block starts after a vertical gap larger
   than the usual line spacing, at an indented first line, at an outdent, at a heading, a
   footnote or a list item; a paragraph or an item goes on across a page break unless it
   ended a sentence (positions are taken from the left edge of each page's text, so that
   pages with other margins line up). A line starting with a bullet (``•``, ``▪``, ``-``,
   ``–``, ``*``, Word's Symbol bullets, or a small disc or square drawn as a shape, as
   Chromium prints a ``<ul>``) or a number (``75.``, ``75)``, ``(75)``) is a list item — a
   number or a dash only where a list item can start (after a gap, a finished sentence or
   another item, or indented from the line before), so that a paragraph wrapped before
   "12. The ..." is not cut; the depth of an item comes from where its text starts.
6. **Hyphenation.** A line ending in a hyphen (not a dash: ``data -``) is joined to the next:
   the hyphen is kept when the next line starts with a capital or a digit (``Cross-`` +
   ``Border``, ``2019-`` + ``2020``) or when the document writes the hyphenated word elsewhere
   (``cross-border``), and dropped otherwise (``Infor-`` + ``mation``: a break the typesetter
   made) — a judgement: a compound broken at its own hyphen before a lower-case word the
   document never writes with its hyphen is joined without it.

7. **Tables.** A line whose pieces stand far apart (each at least half the text's size beyond
   where the piece before would end), three to twelve of them and none of more than four
   words, is a table's header when a line under it starts a row with text in two of its
   columns; the lines under it whose text starts inside its columns (none left of the first,
   no piece running across a column's edge) are its rows, a row beginning at each line with
   text in the first column. Ruled or not: only the text's positions are read. A table whose
   header is drawn again after a page break (perhaps under "Table 1 (continued)") goes on.

Not read: columns of text (read in the order the page
draws them, which for most producers is the reading order), text that is not upright (a page
turned with ``/Rotate`` whose text is drawn sideways), text in images. A damaged or truncated
file, an encrypted one that needs a password, and one with no text at all ("no text layer (a
scanned document?)") raise :class:`~policykg.errors.InputError` naming the file and, where it
helps, the page. A file encrypted with an empty user password (a "restrictions only" PDF)
opens as any viewer opens it; if it is AES-encrypted that needs the ``cryptography`` package,
which pypdf does not install (the error says so).
"""
from __future__ import annotations

import itertools
import logging
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from ...errors import InputError
from .base import FOOTNOTE, HEADING, ITEM, PARAGRAPH, ROW, Rendition, RenditionBuilder, Run

#: The share of the page height, at the top and at the bottom, where headers and footers sit.
MARGIN_ZONE = 0.1
#: A line this much larger than the body text is a heading (or this much, when it is all bold:
#: Word's Heading 3 is 12 pt bold over 11 pt text).
HEADING_RATIO = 1.15
BOLD_HEADING_RATIO = 1.05
#: A line at most this size relative to the body text is small print (footnotes).
SMALL_RATIO = 0.9
#: A vertical gap this many times the usual line spacing starts a new block.
GAP_RATIO = 1.3

LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st",
                           "ﬆ": "st", "\u00a0": " "})
#: Hyphens written as hyphen-minus in the rendition (after line breaks are mended: Chromium
#: draws the hyphen of a broken word as U+2010, after a gap).
HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-", "\u00ad": ""})
SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")

BULLETS = "•●▪■◦‣∙○□➢►✓❖◆◇"
DASHES = "-–—*"
_BULLET = re.compile(rf"^\s*([{BULLETS}\uf000-\uf0ff])\s*(?=\S)")
_DASH = re.compile(rf"^\s*([{re.escape(DASHES)}])\s+(?=\S)")
_NUMBER = re.compile(r"^\s*(?:\((\d{1,3})\)|(\d{1,3})[.)])\s+(?=\S)")
_NOTE_LABEL = re.compile(r"^\s*(?:\[(\d{1,3})\]|(\d{1,3})[.)]?(?=\s)|([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3}))\s*(?=\S)")
_NOTE_TEXT = re.compile(r"^\s*\[?\(?(\d{1,3})\)?\]?\s*$|^\s*([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3})\s*$")
_PAGE_NUMBER = re.compile(
    r"^\s*(?:(?:page|p\.)\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$"
    r"|^\s*[-–—]\s*\d{1,4}\s*[-–—]\s*$"
    r"|^\s*[ivxlc]{1,7}\s*$"
    r"|\bpage\s+\d{1,4}(?:\s+of\s+\d{1,4})?\s*$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?:;。；：]['\"’”)\]]*\s*$")
_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
_BOLD = re.compile(r"bold|black|heavy|semibold|demi|extrab|ultrab|,b(?:i|old)?$|[-,]bd$", re.IGNORECASE)
_ITALIC = re.compile(r"italic|oblique|kursiv|-it$|-boldit$|,i$|,bi$", re.IGNORECASE)


def read(data: bytes, path: Path) -> Rendition:
    """Read a PDF into a rendition (see the module docstring)."""
    pages = _extract(data, path)
    return _Layout(pages, path).render()


# -- extraction: pypdf's pieces of text -> lines ---------------------------------------------

@dataclass
class _Piece:
    text: str
    x: float
    y: float  # the baseline, from the top of the page, downwards
    size: float
    bold: bool
    italic: bool


@dataclass
class _Line:
    page: int  # 1-based
    pieces: list[_Piece]
    height: float  # of the page
    y: float = 0.0  # the baseline of the line's main text
    x: float = 0.0  # where the line starts
    size: float = 0.0  # the size of most of its text
    text: str = ""

    def finish(self) -> None:
        if any(b.x < a.x - 1.0 for a, b in zip(self.pieces, self.pieces[1:])):
            # drawn out of order (a word set bold afterwards): put the pieces in place, and
            # keep words apart where nothing separated them
            self.pieces.sort(key=lambda p: p.x)
            for a, b in zip(self.pieces, self.pieces[1:]):
                if (a.text and b.text and not a.text[-1].isspace() and not b.text[0].isspace()
                        and abs(a.size - b.size) < 0.5):
                    a.text += " "
        weights: Counter[float] = Counter()
        for piece in self.pieces:
            weights[round(piece.size, 1)] += len(piece.text.strip())
        self.size = weights.most_common(1)[0][0] if weights else self.pieces[0].size
        main = max(self.pieces, key=lambda p: (round(p.size, 1) == self.size, len(p.text.strip())))
        self.y = main.y
        self.x = min(p.x for p in self.pieces if p.text.strip()) if any(p.text.strip() for p in self.pieces) else self.pieces[0].x
        self.text = "".join(p.text for p in self.pieces)

    def raised(self, piece: _Piece) -> bool:
        """A footnote reference or label: smaller than the line's text and above its baseline,
        and nothing but a number."""
        return (piece.size <= self.size * 0.85 and self.y - piece.y >= self.size * 0.12
                and _NOTE_TEXT.match(piece.text) is not None)


def _extract(data: bytes, path: Path) -> list[list[_Line]]:
    """The lines of every page (upright text only)."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    if not data.lstrip(b"\x00\t\n\f\r ").startswith(b"%PDF-"):
        raise InputError("not a PDF file (it does not start with %PDF-)", path=path)
    truncated = b"%%EOF" not in data[-2048:]
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)  # pypdf logs what it repairs; a damaged file raises below
    page_no = 0
    try:
        try:
            reader = PdfReader(BytesIO(data), strict=False)
        except (PdfReadError, ValueError, KeyError, TypeError, IndexError, AttributeError,
                RecursionError, OSError) as exc:
            if truncated:
                raise InputError("the PDF is truncated (it has no end-of-file marker): "
                                 f"{_reason(exc)}", path=path,
                                 hint="download or copy the file again") from None
            raise InputError(f"a damaged PDF: {_reason(exc)}", path=path) from None
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except DependencyError:
                raise InputError("the PDF is encrypted (AES), and reading it needs the "
                                 "'cryptography' package", path=path,
                                 hint="pip install cryptography, or save the PDF without "
                                      "encryption") from None
            except (PdfReadError, ValueError, NotImplementedError, KeyError) as exc:
                raise InputError(f"the PDF is encrypted and cannot be opened: {_reason(exc)}",
                                 path=path) from None
            if not opened:
                raise InputError("the PDF is encrypted: it needs a password to open", path=path,
                                 hint="save a copy without a password")
        try:
            count = len(reader.pages)
        except (PdfReadError, ValueError, KeyError, TypeError, IndexError, AttributeError,
                RecursionError) as exc:
            raise InputError(f"a damaged PDF (its page tree cannot be read): {_reason(exc)}",
                             path=path) from None
        if count == 0:
            raise InputError("the PDF has no pages", path=path)
        pages: list[list[_Line]] = []
        fonts: dict[str, tuple[bool, bool]] = {}
        for page_no in range(1, count + 1):
            page = reader.pages[page_no - 1]
            pages.append(_page_lines(page, page_no, fonts))
    except FileNotDecryptedError:
        raise InputError("the PDF is encrypted: it needs a password to open", path=path) from None
    except InputError:
        raise
    except RecursionError:
        raise InputError(f"page {page_no}: a damaged PDF (its objects refer to each other "
                         "without end)", path=path) from None
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on damaged files
        where = f"page {page_no}: " if page_no else ""
        if truncated:
            raise InputError(f"{where}the PDF is truncated (it has no end-of-file marker): "
                             f"{_reason(exc)}", path=path,
                             hint="download or copy the file again") from None
        raise InputError(f"{where}a damaged PDF: {_reason(exc)}", path=path) from None
    finally:
        logger.setLevel(level)
    if not any(line.text.strip() for lines in pages for line in lines):
        raise InputError("no text layer (a scanned document?): the PDF has "
                         f"{len(pages)} page{'s' if len(pages) != 1 else ''} and no text", path=path,
                         hint="run OCR on it first (e.g. ocrmypdf), or use the publisher's "
                              "text version")
    return pages


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return text or type(exc).__name__


def _page_lines(page, page_no: int, fonts: dict[str, tuple[bool, bool]]) -> list[_Line]:
    box = page.mediabox
    top, left = float(box.top), float(box.left)
    height = abs(float(box.top) - float(box.bottom)) or 792.0
    pieces: list[_Piece] = []

    def visit(text: str, cm: list[float], tm: list[float], font, size: float) -> None:
        text = text.replace("\n", "").replace("\r", "")
        if not text:
            return
        a = tm[0] * cm[0] + tm[1] * cm[2]
        b = tm[0] * cm[1] + tm[1] * cm[3]
        c = tm[2] * cm[0] + tm[3] * cm[2]
        d = tm[2] * cm[1] + tm[3] * cm[3]
        e = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        f = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = math.sqrt(abs(a * d - b * c)) or math.hypot(c, d) or 1.0
        bold, italic = _font_style(font, fonts)
        piece = _Piece(text.translate(LIGATURES), e - left, top - f, abs(size * scale), bold, italic)
        if pieces:  # text drawn twice in place (fake bold): read once
            last = pieces[-1]
            if last.text == piece.text and abs(last.x - piece.x) < 1.5 and abs(last.y - piece.y) < 1.5:
                return
        pieces.append(piece)

    shapes: list[tuple[float, float, float]] = []  # small filled discs and squares: x0, x1, y
    path: list[tuple[float, float]] = []

    def operator(op: bytes, operands: list, cm: list[float], tm: list[float]) -> None:
        """Track small painted shapes: the bullets Chromium and others draw instead of a •."""
        if op in (b"m", b"l", b"c", b"v", b"y", b"re"):
            try:
                numbers = [float(v) for v in operands]
            except (TypeError, ValueError):
                return
            if op == b"re" and len(numbers) == 4:
                x, y, w, h = numbers
                numbers = [x, y, x + w, y + h]
            for i in range(0, len(numbers) - 1, 2):
                x, y = numbers[i], numbers[i + 1]
                path.append((x * cm[0] + y * cm[2] + cm[4], x * cm[1] + y * cm[3] + cm[5]))
        elif op in (b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*", b"S", b"s", b"n"):
            if path and op != b"n":
                xs = [x for x, _ in path]
                ys = [y for _, y in path]
                w, h = max(xs) - min(xs), max(ys) - min(ys)
                if 1.5 <= w <= 9 and 1.5 <= h <= 9 and 0.6 <= w / h <= 1.6:
                    shapes.append((min(xs) - left, max(xs) - left, top - (max(ys) + min(ys)) / 2))
            path.clear()

    page.extract_text(visitor_text=visit, visitor_operand_before=operator, orientations=(0,))
    lines: list[_Line] = []
    current: _Line | None = None
    reference = None  # the largest piece of the current line: its baseline is the line's
    for piece in pieces:
        if current is not None and reference is not None:
            tolerance = 0.55 * max(reference.size, piece.size)
            if abs(piece.y - reference.y) <= tolerance:
                current.pieces.append(piece)
                if piece.size > reference.size:
                    reference = piece
                continue
        current = _Line(page_no, [piece], height)
        reference = piece
        lines.append(current)
    for line in lines:
        line.finish()
        for x0, x1, y in shapes:  # a drawn bullet just left of the line, at its x-height
            if (0 <= line.x - x1 <= 2.5 * line.size and line.size * 0.1 <= line.y - y <= line.size * 0.6):
                line.pieces.insert(0, _Piece("• ", x0, line.y, line.size, False, False))
                line.finish()
                break
    return [line for line in lines if line.text.strip()]


def _font_style(font, cache: dict[str, tuple[bool, bool]]) -> tuple[bool, bool]:
    """(bold, italic) of a font resource, from its name and its descriptor (cached by name)."""
    if font is None:
        return False, False
    try:
        base = str(font.get("/BaseFont", "") or "")
    except (AttributeError, TypeError, ValueError):
        return False, False
    if base and base in cache:
        return cache[base]
    try:
        name = base.lstrip("/")
        if len(name) > 7 and name[6] == "+":
            name = name[7:]  # a subset's ABCDEF+ prefix
        bold = bool(_BOLD.search(name))
        italic = bool(_ITALIC.search(name))
        descriptor = font.get("/FontDescriptor")
        if descriptor is None and font.get("/DescendantFonts"):
            descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
        if descriptor is not None:
            descriptor = descriptor.get_object()
            flags = int(descriptor.get("/Flags", 0) or 0)
            weight = float(descriptor.get("/FontWeight", 0) or 0)
            angle = float(descriptor.get("/ItalicAngle", 0) or 0)
            bold = bold or weight >= 600 or bool(flags & (1 << 18))
            italic = italic or bool(flags & (1 << 6)) or abs(angle) > 0.5
    except (AttributeError, TypeError, ValueError, KeyError, IndexError):
        bold, italic = False, False
    if base:
        cache[base] = (bold, italic)
    return bold, italic


# -- layout: lines -> blocks -----------------------------------------------------------------

@dataclass
class _Block:
    kind: str
    page: int
    size: float
    x: float  # where its first line (an item: its marker) starts
    lines: list[_Line] = field(default_factory=list)
    runs: list[list[Run]] = field(default_factory=list)  # the runs of each line
    level: int = 0
    number: int | None = None
    label: str | None = None
    text_x: float | None = None  # an item's text after its marker
    rows: list[list[list[Run]]] | None = None  # a table's rows of cells (its first row the header)

    @property
    def last(self) -> _Line:
        return self.lines[-1]


#: What ends a footnote of a printed web page: its link back to the reference.
BACKLINKS = " ↑↩⤴\ufe0e"
#: A heading over a document's notes: the numbered items under it are its footnotes.
NOTES_HEADING = re.compile(r"^\s*(?:foot|end)?notes?\s*:?\s*$", re.IGNORECASE)


def _notes_sections(blocks: list[_Block]) -> None:
    """The numbered items under a "Notes" heading (a web page printed to PDF) are footnotes,
    labelled by their numbers — until the next heading."""
    inside = False
    for index, block in enumerate(blocks):
        if block.kind == HEADING:
            inside = bool(NOTES_HEADING.match("".join(r.text for line in block.runs for r in line)))
        elif inside and block.kind == ITEM and block.number is not None:
            blocks[index] = _Block(FOOTNOTE, block.page, block.size, block.x, block.lines, block.runs,
                                   label=str(block.number))


def _text_x(line: _Line, skip: int) -> float:
    """Where a list item's text starts, after a marker of ``skip`` characters."""
    seen = 0
    for piece in line.pieces:
        if seen >= skip and piece.text.strip():
            return piece.x
        if seen + len(piece.text) > skip:
            offset = len(piece.text[:skip - seen].rstrip()) + 1
            return piece.x + offset * piece.size * 0.5  # within one piece: an estimate
        seen += len(piece.text)
    return line.x


#: A cell ends where the next starts: a gap of at least half the text's size after the end a
#: piece's text would reach (a generous estimate of its width) starts a new column.
_CHAR_WIDTH = 0.55


def _header_columns(line: _Line) -> list[float] | None:
    """The left edges of the columns of a table's header line ("Art.   Requirement   Category
    Supervisor", each name its own piece, far apart), or ``None`` for a line of text."""
    pieces = [p for p in line.pieces if p.text.strip()]
    if len(pieces) < 3 or len(pieces) > 12 or any(len(p.text.split()) > 4 for p in pieces):
        return None
    columns = [pieces[0].x]
    for before, after in itertools.pairwise(pieces):
        end = before.x + len(before.text) * before.size * _CHAR_WIDTH
        if after.x < end + before.size * 0.5:
            return None  # words of one line, not cells
        columns.append(after.x)
    return columns


def _end(piece: _Piece) -> float:
    """Where a piece's text ends, estimated (the font's widths are not read)."""
    return piece.x + len(piece.text.strip()) * piece.size * _CHAR_WIDTH


def _header_line(band: list[_Line]) -> _Line:
    """One line of a header drawn as several: its pieces left to right, the pieces of a cell
    wrapped over two lines (one under the other) as one, the longest of them."""
    columns: list[list[_Piece]] = []
    for piece in sorted((p for line in band for p in line.pieces if p.text.strip()), key=lambda p: p.x):
        if columns and piece.x < max(_end(p) for p in columns[-1]) and all(abs(p.y - piece.y) >= 0.6
                                                                           for p in columns[-1]):
            columns[-1].append(piece)  # under (or over) the cell before: the same cell
        else:
            columns.append([piece])
    first = band[0]
    line = _Line(first.page, [max(c, key=lambda p: len(p.text.strip())) for c in columns], first.height)
    line.finish()
    return line


def _body_columns(columns: list[float], header: _Line, body: list[_Line]) -> list[float]:
    """The left edges of a table's columns, from its header's ``columns`` and where the text of
    the lines under it starts: a header centred over its column ("What the measure does" over
    cells that start further left) moves its column's edge to the last place, left of the
    header's text and right of the column before, where the cells of three or more lines start."""
    starts = sorted(p.x for line in body for p in line.pieces if p.text.strip())
    recurring: list[float] = []
    group: list[float] = []
    for x in starts + [float("inf")]:
        if group and x - group[0] > 3.0:
            if len(group) >= 3:
                recurring.append(group[0])
            group = []
        group.append(x)
    out = [columns[0]]
    for k in range(1, len(columns)):
        inside = [x for x in recurring if out[-1] + 2.0 < x <= columns[k] + 2.0]
        out.append(inside[-1] if inside else columns[k])
    return out


@dataclass
class _Table:
    """A table as a PDF draws it: a header line whose column names stand apart, and under it
    the lines whose text starts inside its columns (each cell's lines start at, or right of,
    its column's left edge, and a line holds no text left of the first column)."""

    columns: list[float]
    lines: list[_Line]
    head: int = 1  # how many of ``lines`` are the header's (a header wrapped over two lines)

    def column(self, x: float) -> int | None:
        """The column a piece of text starting at ``x`` stands in."""
        if x < self.columns[0] - 2.0:
            return None
        return max(i for i, edge in enumerate(self.columns) if x >= edge - 2.0 or i == 0)

    def columns_of(self, line: _Line) -> dict[int, list[_Piece]]:
        out: dict[int, list[_Piece]] = {}
        current = None
        for piece in line.pieces:
            if piece.text.strip():
                at = self.column(piece.x)
                current = at if current is None or at != current and piece.x >= self.columns[at] - 2.0 else current
            if current is not None:
                out.setdefault(current, []).append(piece)
        return out

    def holds(self, line: _Line) -> bool:
        """Whether the line's text lies inside the columns: none left of the first, and no
        piece running across the next column's edge (but for a short bold line that starts in
        the first column: a group's name across the table, "I. Cultivating market players")."""
        pieces = [p for p in line.pieces if p.text.strip()]
        if not pieces or self.column(pieces[0].x) is None:
            return False
        if self.column(pieces[0].x) == 0 and all(p.bold for p in pieces) and len(line.text.split()) <= 8:
            return True  # a short bold line across the table: the name of a group of rows
        for piece in pieces:
            c = self.column(piece.x)
            if c is None:
                return False
            if c + 1 < len(self.columns):
                end = piece.x + len(piece.text.strip()) * piece.size * 0.4  # a modest estimate
                if end > self.columns[c + 1] + piece.size:
                    return False
        return True

    def starts_row(self, line: _Line) -> bool:
        """A line with text in the first column begins a row."""
        pieces = [p for p in line.pieces if p.text.strip()]
        return bool(pieces) and self.column(pieces[0].x) == 0


def _continued_tables(blocks: list[_Block]) -> list[_Block]:
    """A table that goes on over a page break, its header drawn again (perhaps under a line
    "Table 1 (continued)"), is one table."""
    out: list[_Block] = []
    for block in blocks:
        if block.kind == ROW and block.rows:
            k = len(out) - 1
            between = []
            while k >= 0 and out[k].kind in (PARAGRAPH, FOOTNOTE) and (
                    out[k].kind == FOOTNOTE or re.search(r"\bcontinued\b", "".join(
                        r.text for line in out[k].runs for r in line), re.IGNORECASE)):
                between.append(k)
                k -= 1
            if k >= 0 and out[k].kind == ROW and out[k].rows and _cell_texts(out[k].rows[0]) == \
                    _cell_texts(block.rows[0]):
                previous = out[k]
                previous.rows = previous.rows + block.rows[1:]
                previous.lines = previous.lines + block.lines
                out = [b for i, b in enumerate(out) if i not in between or b.kind == FOOTNOTE]
                continue
        out.append(block)
    return out


def _cell_texts(row: list[list[Run]]) -> list[str]:
    return [" ".join("".join(r.text for r in cell).split()).lower() for cell in row]


class _Layout:
    def __init__(self, pages: list[list[_Line]], path: Path) -> None:
        self.path = path
        self.pages = self._drop_furniture(pages)
        lines = [line for page in self.pages for line in page]
        sizes: Counter[float] = Counter()
        for line in lines:
            for piece in line.pieces:
                sizes[round(piece.size * 2) / 2] += len(piece.text.strip())
        self.body = sizes.most_common(1)[0][0] if sizes else 10.0
        self.pitch = self._pitch()
        heading_sizes = sorted({round(line.size * 2) / 2 for line in lines if self._is_heading(line)},
                               reverse=True)
        self.heading_levels = {size: min(rank + 1, 6) for rank, size in enumerate(heading_sizes)}
        self.vocabulary = {w.lower() for line in lines for w in _WORD.findall(line.text.translate(HYPHENS))}
        # the left edge of each page's text: where most of its body lines start
        self.left: dict[int, float] = {}
        everywhere: Counter[float] = Counter()
        for page in self.pages:
            starts: Counter[float] = Counter(round(line.x) for line in page if abs(line.size - self.body) < 0.6)
            everywhere.update(starts)
            if page and starts:
                self.left[page[0].page] = float(starts.most_common(1)[0][0])
        fallback = float(everywhere.most_common(1)[0][0]) if everywhere else 0.0
        for page in self.pages:
            if page and page[0].page not in self.left:
                self.left[page[0].page] = fallback

    def _is_heading(self, line: _Line) -> bool:
        if line.size >= self.body * HEADING_RATIO:
            return True
        return line.size >= self.body * BOLD_HEADING_RATIO and all(
            p.bold for p in line.pieces if p.text.strip() and not line.raised(p))

    # -- page furniture -------------------------------------------------------------------

    def _drop_furniture(self, pages: list[list[_Line]]) -> list[list[_Line]]:
        def zone(line: _Line) -> str | None:
            if line.y <= line.height * MARGIN_ZONE:
                return "top"
            if line.y >= line.height * (1 - MARGIN_ZONE):
                return "bottom"
            return None

        def key(line: _Line) -> str:
            return re.sub(r"\d+", "#", " ".join(line.text.lower().split()))

        sizes: Counter[float] = Counter()
        for lines in pages:
            for line in lines:
                sizes[round(line.size * 2) / 2] += len(line.text)
        body = sizes.most_common(1)[0][0] if sizes else 0.0

        def furniture_size(line: _Line) -> bool:
            """Headers and footers are set no larger than the text (a chapter heading at the
            top of every page is not one)."""
            return line.size <= body * 1.05

        seen: dict[tuple[str, str], list[tuple[int, float]]] = {}
        for lines in pages:
            for line in lines:
                where = zone(line)
                if where and furniture_size(line):
                    seen.setdefault((where, key(line)), []).append((line.page, line.y))
        need = max(2, math.ceil(len(pages) / 2))
        running = set()
        for k, places in seen.items():
            distinct = {page for page, _ in places}
            ys = [y for _, y in places]
            if len(distinct) >= need and max(ys) - min(ys) <= 6.0:
                running.add(k)
        out = []
        for lines in pages:
            kept = []
            for line in lines:
                where = zone(line)
                if where and furniture_size(line) and ((where, key(line)) in running
                                                       or _PAGE_NUMBER.search(line.text)):
                    continue
                kept.append(line)
            out.append(kept)
        return out

    def _pitch(self) -> float:
        """The usual distance between the baselines of two lines of body text."""
        gaps: Counter[float] = Counter()
        for lines in self.pages:
            for before, after in itertools.pairwise(lines):
                if abs(before.size - self.body) < 0.6 and abs(after.size - self.body) < 0.6:
                    gap = after.y - before.y
                    if self.body * 0.9 <= gap <= self.body * 2.5:
                        gaps[round(gap * 2) / 2] += 1
        if not gaps:
            return self.body * 1.25
        best = gaps.most_common(1)[0][1]
        return min(g for g, n in gaps.items() if n >= best * 0.5)

    # -- what a line is -------------------------------------------------------------------

    def _note_start(self, line: _Line) -> tuple[str, int] | None:
        """A line that starts a footnote: (its label, how many pieces or characters its label
        takes: ``(-n)`` pieces when raised pieces, else characters of the text)."""
        first = line.pieces[0]
        if line.raised(first) and len(line.pieces) > 1 and line.text[len(first.text):].strip():
            return _NOTE_TEXT.match(first.text).group(1) or first.text.strip().translate(SUPERSCRIPT_DIGITS), -1
        match = _NOTE_LABEL.match(line.text)
        if match:
            label = match.group(1) or match.group(2) or match.group(3).translate(SUPERSCRIPT_DIGITS)
            return str(int(label)), match.end()
        return None

    def _small(self, line: _Line) -> bool:
        return line.size <= self.body * SMALL_RATIO

    def _footnote_lines(self, lines: list[_Line], carried: bool) -> list[tuple[_Line, tuple[str, int] | None]]:
        """The footnotes at the bottom of a page, top to bottom: the small-print lines below
        all the page's body text, when the first starts with a label (or ``carried``: the
        previous page ended in a footnote, which they may go on with). Each with the label
        it starts (None: it continues a footnote). Found by position, not by the order the
        page draws them (Chromium draws its page margins first)."""
        small = [line for line in lines if self._small(line)]
        if not small:
            return []
        body_bottom = max((line.y for line in lines if not self._small(line)), default=-1.0)
        below = sorted((line for line in small if line.y > body_bottom), key=lambda line: line.y)
        if not below:
            return []
        if self._note_start(below[0]) is None and not carried:
            return []
        return [(line, self._note_start(line)) for line in below]

    def _item_start(self, line: _Line) -> tuple[str, int | None, int] | None:
        """A line that starts a list item: (its kind: bullet, dash or number, its number, how
        many characters its marker takes)."""
        match = _BULLET.match(line.text)
        if match:
            return "bullet", None, match.end()
        match = _NUMBER.match(line.text)
        if match:
            return "number", int(match.group(1) or match.group(2)), match.end()
        match = _DASH.match(line.text)
        if match:
            return "dash", None, match.end()
        return None

    # -- runs -----------------------------------------------------------------------------

    def _runs(self, line: _Line, skip_chars: int = 0, skip_pieces: int = 0) -> list[Run]:
        """The line as runs; raised numbers are footnote references; the first ``skip_chars``
        characters (a marker) or ``skip_pieces`` pieces (a raised label) left out."""
        runs: list[Run] = []
        for index, piece in enumerate(line.pieces):
            text = piece.text
            if index < skip_pieces:
                continue
            if skip_chars > 0:
                cut = min(skip_chars, len(text))
                text, skip_chars = text[cut:], skip_chars - cut
            if not text:
                continue
            if line.raised(piece):
                match = _NOTE_TEXT.match(piece.text)
                label = match.group(1) or match.group(2).translate(SUPERSCRIPT_DIGITS)
                runs.append(Run("", note=str(int(label))))
                continue
            runs.append(Run(text, bold=piece.bold, italic=piece.italic))
        return runs

    def _join(self, block: _Block, runs: list[Run]) -> None:
        """Add a line's runs to a block: a space between the lines, or a hyphenated word
        mended."""
        previous = block.runs[-1] if block.runs else None
        if previous and runs and not self._mend(previous, runs):
            last = previous[-1]  # the space takes the emphasis of the text before it
            previous[-1] = Run(" ") if last.note is not None else Run(last.text + " ", last.bold, last.italic)
            if last.note is not None:
                previous.append(Run(" "))
                previous[-2] = last
        block.runs.append(runs)

    def _mend(self, previous: list[Run], runs: list[Run]) -> bool:
        """Join a word hyphenated across two lines, in place: True if it was one."""
        texts = [i for i, r in enumerate(previous) if r.note is None and r.text.strip()]
        head = next((i for i, r in enumerate(runs) if r.note is None and r.text.strip()), None)
        if not texts or head is None or texts[-1] != len(previous) - 1 or runs[head].note is not None:
            return False
        last = texts[-1]
        tail = previous[last].text.rstrip()
        if tail[-1] not in "-\u00ad\u2010":
            return False
        hyphen, before = tail[-1], tail[:-1]
        word_at = last
        if not before.strip():  # the hyphen drawn on its own (Chromium), after the word
            if len(texts) < 2:
                return False
            word_at = texts[-2]
            before = previous[word_at].text
        spaced = before[-1:].isspace()
        if spaced and hyphen == "-":
            return False  # "data -": a dash, not a broken word
        left = re.search(r"[A-Za-z]+$", before.rstrip())
        if left is None:
            return False
        after = runs[head].text.lstrip()
        right = _WORD.match(after)
        keep = self._keep_hyphen(left.group(0), after, right.group(0) if right else "",
                                 soft=hyphen == "\u00ad")
        source = previous[word_at]
        previous[word_at] = Run(before.rstrip() + ("-" if keep else ""), source.bold, source.italic)
        if word_at != last:
            del previous[last]
        runs[head] = Run(after, runs[head].bold, runs[head].italic)
        return True

    def _keep_hyphen(self, left: str, after: str, right: str, soft: bool) -> bool:
        if not after or not after[0].isalpha() or after[0].isupper():
            return True  # Cross-Border, 2019-2020
        if soft:
            return False
        left_word = (_WORD.findall(left) or [left])[-1].lower()
        right_word = right.lower()
        return f"{left_word}-{right_word}" in self.vocabulary

    # -- blocks ---------------------------------------------------------------------------

    def render(self) -> Rendition:
        builder = RenditionBuilder("pdf")
        blocks: list[_Block] = []
        pending: list[_Block] = []  # footnotes waiting for the paragraph they interrupt to end
        current: _Block | None = None
        carried = False  # the previous page ended in a footnote
        open_items: list[float] = []  # where the text of the open list levels starts

        def start(block: _Block) -> _Block:
            nonlocal current
            if pending:
                blocks.extend(pending)
                pending.clear()
            blocks.append(block)
            current = block
            return block

        last_note: _Block | None = None
        for lines in self.pages:
            notes = self._footnote_lines(lines, carried)
            carried = bool(notes)
            page_notes: list[_Block] = []  # pending once the page's text is read
            for line, begins in notes:
                if begins is None and last_note is not None:
                    self._join(last_note, self._runs(line))
                    last_note.lines.append(line)
                elif begins is None:  # cannot happen (carried means a footnote before)
                    page_notes.append(_Block(PARAGRAPH, line.page, line.size, line.x, [line], [self._runs(line)]))
                else:
                    label, skip = begins
                    runs = self._runs(line, skip_pieces=1) if skip < 0 else self._runs(line, skip_chars=skip)
                    last_note = _Block(FOOTNOTE, line.page, line.size, line.x, [line], [runs], label=label)
                    page_notes.append(last_note)
            in_notes = {id(line) for line, _ in notes}
            tables = self._tables([line for line in lines if id(line) not in in_notes])
            in_tables = {id(line): table for table in tables for line in table.lines}
            first_on_page = True
            for line in lines:
                if id(line) in in_notes:
                    continue
                table = in_tables.get(id(line))
                if table is not None:  # a table's lines: the table, where its header stands
                    if line is table.lines[0]:
                        open_items.clear()
                        start(_Block(ROW, line.page, line.size, line.x, list(table.lines), [],
                                     rows=self._cells(table)))
                    first_on_page = False
                    continue
                new_page, first_on_page = first_on_page, False
                begins = self._note_start(line) if line.raised(line.pieces[0]) else None
                if begins is not None and begins[1] < 0:  # a "Notes" section: ¹ text
                    last_note = start(_Block(FOOTNOTE, line.page, line.size, line.x, [line],
                                             [self._runs(line, skip_pieces=1)], label=begins[0]))
                    continue
                if (current is not None and current.kind == FOOTNOTE and not new_page
                        and self._continues(current, line)):
                    self._join(current, self._runs(line))
                    current.lines.append(line)
                    continue
                size = round(line.size * 2) / 2
                if size in self.heading_levels and self._is_heading(line):
                    level = self.heading_levels[size]
                    if (current is not None and current.kind == HEADING and current.level == level
                            and not new_page and 0 < line.y - current.last.y <= line.size * 1.6):
                        self._join(current, self._runs(line))
                        current.lines.append(line)
                    else:
                        open_items.clear()
                        start(_Block(HEADING, line.page, line.size, line.x, [line], [self._runs(line)],
                                     level=level))
                    continue
                item = self._item_start(line)
                if item is not None and item[0] != "bullet" and not self._may_start_item(current, line, new_page):
                    item = None
                if item is not None:
                    _, number, skip = item
                    # the depth: by where the item's text starts (markers differ in width)
                    text_x = _text_x(line, skip)
                    indent = self._rel(text_x, line.page)
                    if current is None or current.kind != ITEM:
                        open_items.clear()
                    while open_items and open_items[-1] > indent + 0.4 * line.size:
                        open_items.pop()
                    if not open_items or indent > open_items[-1] + 0.4 * line.size:
                        open_items.append(indent)
                    runs = self._runs(line, skip_chars=skip)
                    start(_Block(ITEM, line.page, line.size, line.x, [line], [runs],
                                 level=len(open_items) - 1, number=number, text_x=text_x))
                    continue
                if current is not None and self._continues(current, line, new_page):
                    self._join(current, self._runs(line))
                    current.lines.append(line)
                else:
                    start(_Block(PARAGRAPH, line.page, line.size, line.x, [line], [self._runs(line)]))
            pending.extend(page_notes)
        blocks.extend(pending)
        _notes_sections(blocks)
        blocks = _continued_tables(blocks)

        for block in blocks:
            runs = [Run(run.text.translate(HYPHENS), run.bold, run.italic, run.note)
                    for line in block.runs for run in line]
            if block.kind == ROW and block.rows is not None:
                builder.table([[[Run(r.text.translate(HYPHENS), r.bold, r.italic, r.note) for r in cell]
                                for cell in row] for row in block.rows])
                continue
            if block.kind == FOOTNOTE:
                while runs and runs[-1].note is None and not runs[-1].text.strip(BACKLINKS):
                    runs.pop()  # a back-link arrow of a printed web page
                if runs and runs[-1].note is None:
                    runs[-1] = Run(runs[-1].text.rstrip(BACKLINKS), runs[-1].bold, runs[-1].italic)
                builder.footnote(block.label or "", runs)
            else:
                builder.block(block.kind, runs, level=block.level, number=block.number)
        rendition = builder.build()
        if not rendition.blocks:
            raise InputError("no text layer (a scanned document?): the PDF's pages hold only "
                             "page headers, footers and numbers", path=self.path)
        return rendition

    # -- tables ---------------------------------------------------------------------------

    def _tables(self, lines: list[_Line]) -> list[_Table]:
        """The tables of a page's lines (see :class:`_Table`), top to bottom. A header whose
        cells the page draws one by one is read from all the lines on its baseline; one that
        wraps ("Measure" over "No.") takes the bold lines right under it (:meth:`_header_band`); columns whose
        header is centred over them start where their cells' text starts (:func:`_body_columns`)."""
        ordered = sorted(lines, key=lambda line: (line.y, line.x))
        tables: list[_Table] = []
        taken: set[int] = set()
        for i, line in enumerate(ordered):
            if id(line) in taken:
                continue
            band = self._header_band(line, ordered, taken)
            header = line
            if len(band) > 1:  # the cells of one header, drawn apart or wrapped
                header = _header_line(band)
            columns = _header_columns(header)
            if columns is None or self._is_heading(header):
                continue
            head_lines = band
            last_y = max(other.y for other in band)
            body: list[_Line] = []
            for other in ordered[i + 1:]:
                if any(other is h for h in head_lines):
                    continue
                # (a table's padding may stand between its header and its first row)
                if other.y - last_y > self._spacing(other) * (2.6 if body else 4.0) or self._is_heading(other):
                    break
                body.append(other)
                last_y = other.y
            columns = _body_columns(columns, header, body)
            table = _Table(columns, list(head_lines), head=len(head_lines))
            rows = 0
            last_y = max(other.y for other in band)
            for other in body:
                if other.y - last_y > self._spacing(other) * (2.6 if rows else 4.0) or not table.holds(other):
                    break
                table.lines.append(other)
                last_y = max(last_y, other.y)
                rows += table.starts_row(other)
            # a header over at least one row that fills two of its columns on its first line
            if rows and any(table.starts_row(other) and len(self._band_columns(table, other, body)) >= 2
                            for other in table.lines[len(head_lines):]):
                tables.append(table)
                taken.update(id(other) for other in table.lines)
        return tables

    def _header_band(self, line: _Line, ordered: list[_Line], taken: set[int]) -> list[_Line]:
        """The lines of the header that may start at ``line``: those on its baseline (cells
        drawn one by one); for a bold line, also the bold lines under it, within a line and a
        half, each of whose pieces stands under one of the band's (a header cell wrapped over
        two lines, "Measure" over "No.", or set lower as a cell's middle)."""
        band = [other for other in ordered if abs(other.y - line.y) < 0.6 and id(other) not in taken]
        if not all(p.bold for other in band for p in other.pieces if p.text.strip()):
            return band
        reach = line.y + self._spacing(line) * 1.6
        for other in ordered:
            if other in band or id(other) in taken or not line.y < other.y <= reach:
                continue
            pieces = [p for p in other.pieces if p.text.strip()]
            if not pieces or not all(p.bold for p in pieces):
                continue
            heads = [p for b in band for p in b.pieces if p.text.strip()]
            if len(pieces) > 1 or any(p.x - 2.0 <= pieces[0].x and _end(pieces[0]) <= _end(p) + 2 * p.size
                                      for p in heads):
                band.append(other)
        return band

    @staticmethod
    def _band_columns(table: _Table, line: _Line, lines: list[_Line]) -> set[int]:
        """The columns the lines on ``line``'s baseline fill (a row drawn cell by cell)."""
        return {c for other in lines if abs(other.y - line.y) < 0.6 and other in table.lines
                for c in table.columns_of(other)}

    def _cells(self, table: _Table) -> list[list[list[Run]]]:
        """The rows of ``table``, each a list of cells of runs: a row begins at a line with text
        in the first column; the lines under it, to the next such line, go on with its cells."""
        rows: list[list[list[tuple[float, list[_Piece]]]]] = []
        row_y = None  # the baseline of the first line of the row being read
        for line in sorted(table.lines, key=lambda line: (line.y, line.x)):
            heading = any(line is h for h in table.lines[:table.head])
            if not rows or not heading and table.starts_row(line) and line.y != row_y:
                rows.append([[] for _ in table.columns])
                row_y = line.y
            for c, pieces in table.columns_of(line).items():
                cell = rows[-1][c]
                if cell and cell[-1][0] == line.y:
                    cell[-1][1].extend(pieces)
                else:
                    cell.append((line.y, list(pieces)))
        out = []
        for row in rows:
            cells = []
            for cell in row:
                block = _Block(PARAGRAPH, 0, 0.0, 0.0)
                for _, pieces in cell:
                    part = _Line(table.lines[0].page, [_Piece(p.text.lstrip() if k == 0 else p.text, p.x, p.y, p.size,
                                                              p.bold, p.italic) for k, p in enumerate(pieces)],
                                 table.lines[0].height)
                    part.finish()
                    self._join(block, self._runs(part))
                cells.append([run for line in block.runs for run in line])
            out.append(cells)
        return out

    def _may_start_item(self, current: _Block | None, line: _Line, new_page: bool) -> bool:
        """Whether a line starting "2020. " or "- " can start a list item rather than go on
        with the paragraph before it."""
        if current is None or current.kind != PARAGRAPH or new_page:
            return True
        last = current.last
        gap = line.y - last.y
        if gap > self._spacing(line) * GAP_RATIO or gap < 0:
            return True
        if self._rel(line.x, line.page) > self._rel(last.x, last.page) + 0.4 * line.size:
            return True  # indented from the line before
        return bool(_SENTENCE_END.search(last.text))

    def _spacing(self, line: _Line) -> float:
        return self.pitch * max(line.size, 1.0) / self.body

    def _continues(self, block: _Block, line: _Line, new_page: bool = False) -> bool:
        """Whether ``line`` goes on with ``block``: the same size, no gap (or a page or column
        break in an unfinished sentence), and an indentation that fits."""
        last = block.last
        if block.kind in (HEADING, ROW):
            return False
        if abs(line.size - block.size) > max(0.6, block.size * 0.08):
            return False
        ended = bool(_SENTENCE_END.search("".join(r.text for r in block.runs[-1] if r.note is None)))
        if len(block.lines) == 1 and self._all_bold(last) and not self._all_bold(line):
            return False  # a bold line alone, then text: a caption over it ("Data security", then "No. 11 ...")
        if new_page or line.page != last.page:
            if block.kind not in (PARAGRAPH, ITEM) or ended:
                return False
        else:
            gap = line.y - last.y
            if gap < 0 and line.x - last.x > 15 * line.size and block.kind in (PARAGRAPH, ITEM) and not ended:
                return True  # a sentence going on at the top of the next column
            if gap <= 0 or gap > self._spacing(line) * GAP_RATIO:
                return False
        return self._aligned(block, line, ended, new_page or line.page != last.page)

    @staticmethod
    def _all_bold(line: _Line) -> bool:
        """Every piece of ``line`` with text (raised markers aside) is bold."""
        pieces = [p for p in line.pieces if p.text.strip() and not line.raised(p)]
        return bool(pieces) and all(p.bold for p in pieces)

    def _rel(self, x: float, page: int) -> float:
        """``x`` from the left edge of the page's text."""
        return x - self.left.get(page, 0.0)

    def _aligned(self, block: _Block, line: _Line, ended: bool, next_page: bool) -> bool:
        """Whether the indentation of ``line`` lets it go on with ``block`` (positions taken
        from the left edge of each page's text, so that a paragraph runs on to a page with
        other margins). ``ended``: the block's last line ends a sentence; ``next_page``: the
        line is the first of the next page (no gap to tell a list's end by)."""
        tolerance = 0.8 * line.size
        x = self._rel(line.x, line.page)
        first = block.lines[0]
        first_x = self._rel(first.x, first.page)
        if block.kind == ITEM:
            text_x = self._rel(block.text_x, first.page) if block.text_x is not None else first_x
            if abs(x - text_x) <= tolerance:
                return True  # under the item's text (a hanging indent)
            if abs(x - first_x) <= tolerance or (abs(x) <= tolerance and first_x > tolerance
                                                 and not next_page):
                # under the marker, or at the margin after an indented first line: a
                # continuation unless a sentence ended there (then a new paragraph)
                return not ended
            return False
        if len(block.lines) >= 2:
            second = block.lines[1]
            if block.lines[-1].page == second.page and block.lines[-1].x - second.x > 15 * line.size:
                second = block.lines[-1]  # the paragraph went on in the next column: its lines there
            return abs(x - self._rel(second.x, second.page)) <= tolerance  # else (out)dented: new
        if x > first_x + tolerance:
            return not ended  # a hanging indent, unless a new indented paragraph
        if x < first_x - tolerance:
            return True  # the lines after an indented first line
        if first_x > tolerance:
            return not ended  # one indented line, then another: a new paragraph when it ended
        return True


__all__ = ["read"]

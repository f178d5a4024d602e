"""What every reader returns: a :class:`Rendition` — the document's text and its blocks.

A reader turns the bytes of one format into the same thing: the **text rendition** of the
document (for Markdown and plain text the file itself, decoded; for HTML, PDF and Word a plain
text that policykg publishes beside the build) and the **raw blocks** found in it, each with
character offsets into that text. Readers know the format and nothing of the genre: which
block is a title, a category or an article is decided afterwards, from the text, by
:mod:`policykg.pipeline.structure`.

Formats that are not text build their rendition with :class:`RenditionBuilder`, so that every
reader lays it out the same way:

* one block per line (a paragraph's inner line breaks become spaces), and a blank line between
  blocks, except between the items of one list or the rows of one table;
* a list item is indented two spaces per level and starts with ``- `` or, when the format
  numbers it (``<li value="75">``, a Word numbered paragraph), with its number: ``75. ``;
* a table row is its cells joined by `` | ``;
* a footnote reference is ``[N]`` right after the word it marks; a footnote is a block
  ``[N] text``;
* emphasis (bold, italic) is kept as spans, never as characters.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ...document import Marker, Span

#: Raw block kinds.
HEADING, PARAGRAPH, ITEM, ROW, FOOTNOTE = "heading", "paragraph", "item", "row", "footnote"
KINDS = (HEADING, PARAGRAPH, ITEM, ROW, FOOTNOTE)


@dataclass(frozen=True)
class RawBlock:
    """A block as the format shows it, before the genre is read into it.

    ``start``/``end``: the block's content in the rendition (after a list marker or a footnote
    label). ``lead``: where that marker or label starts (``lead == start`` when there is none),
    so ``text[lead:start]`` is ``"75. "`` or ``"[2] "``. ``level``: a heading's level (1 for the
    title) or a list item's depth (0 at the top). ``number``: the number the format gives a list
    item. ``label``: a footnote's label. ``cells``: a table row's cells; ``header`` for the
    table's header row, ``table`` numbers the tables of the document (rows of one table share
    it). ``bold``/``italic``: emphasis; ``markers``: footnote references inside the block.
    """

    kind: str
    start: int
    end: int
    lead: int | None = None
    level: int = 0
    number: int | None = None
    label: str | None = None
    cells: tuple[Span, ...] = ()
    header: bool = False
    table: int | None = None
    bold: tuple[Span, ...] = ()
    italic: tuple[Span, ...] = ()
    markers: tuple[Marker, ...] = ()

    def __post_init__(self) -> None:
        if self.lead is None:
            object.__setattr__(self, "lead", self.start)


@dataclass(frozen=True)
class Rendition:
    """A document as read: ``text`` (offsets point into it), its blocks in reading order, the
    format it came in and whether ``text`` carries Markdown markup (``**``, ``*``, link
    syntax) that views of it must look through."""

    text: str
    blocks: tuple[RawBlock, ...]
    format: str  # markdown | text | html | pdf | docx
    markup: bool = False


@dataclass(frozen=True)
class Run:
    """A stretch of inline text with one emphasis; ``note`` makes it a footnote reference
    (its text is ignored and ``[note]`` is written)."""

    text: str
    bold: bool = False
    italic: bool = False
    note: str | None = None


@dataclass
class RenditionBuilder:
    """Lays out a plain-text rendition block by block (see the module docstring)."""

    format: str
    _parts: list[str] = field(default_factory=list)
    _length: int = 0
    _blocks: list[RawBlock] = field(default_factory=list)
    _tight: bool = False  # the previous block was an item or a row (no blank line after it)
    _tables: int = 0

    def _write(self, text: str) -> int:
        start = self._length
        self._parts.append(text)
        self._length += len(text)
        return start

    def _separate(self, tight: bool) -> None:
        if self._length:
            self._write("\n" if tight and self._tight else "\n\n")
        self._tight = tight

    def _runs(self, runs: Iterable[Run]) -> tuple[tuple[Span, ...], tuple[Span, ...], tuple[Marker, ...]]:
        """Write ``runs`` (whitespace collapsed, the block's edges trimmed) and return the
        emphasis and marker spans."""
        bold: list[Span] = []
        italic: list[Span] = []
        markers: list[Marker] = []
        space: Run | None = None  # the run whose whitespace is still to be written
        first = True
        for run in runs:
            if run.note is not None:
                start = self._write(f"[{run.note}]")
                markers.append(Marker(run.note, start, self._length))
                first, space = False, None
                continue
            words = run.text.split()
            if not words:
                if run.text and space is None:
                    space = run
                continue
            if run.text[:1].isspace() and space is None:
                space = run
            if space is not None and not first:
                self._write(" ")
            start = self._write(" ".join(words))
            first = False
            # emphasis that runs on across the space (a Word run split mid-name) is one span
            joined = space is not None and space is not run
            if run.bold:
                _extend(bold, start, self._length, joined and space.bold)
            if run.italic:
                _extend(italic, start, self._length, joined and space.italic)
            space = run if run.text[-1:].isspace() else None
        return tuple(bold), tuple(italic), tuple(markers)

    def block(self, kind: str, runs: Sequence[Run], *, level: int = 0, number: int | None = None) -> RawBlock | None:
        """Add a heading, a paragraph or a list item; blocks with no text are skipped."""
        if not "".join(r.text for r in runs if r.note is None).strip():
            return None
        tight = kind == ITEM
        self._separate(tight)
        lead = self._length
        if kind == ITEM:
            self._write("  " * level + (f"{number}. " if number is not None else "- "))
        start = self._length
        if kind == ITEM and number is None:
            lead = start
        elif kind == ITEM:
            lead += 2 * level
        bold, italic, markers = self._runs(runs)
        raw = RawBlock(kind, start, self._length, lead=lead, level=level, number=number,
                       bold=bold, italic=italic, markers=markers)
        self._blocks.append(raw)
        return raw

    def footnote(self, label: str, runs: Sequence[Run]) -> RawBlock | None:
        if not "".join(r.text for r in runs).strip():
            return None
        self._separate(False)
        lead = self._write(f"[{label}] ")
        start = self._length
        bold, italic, markers = self._runs(runs)
        raw = RawBlock(FOOTNOTE, start, self._length, lead=lead, label=label, bold=bold,
                       italic=italic, markers=markers)
        self._blocks.append(raw)
        return raw

    def table(self, rows: Sequence[Sequence[Sequence[Run]]], header_rows: int = 1) -> None:
        """Add a table: ``rows`` of cells of runs; the first ``header_rows`` are its header."""
        table = self._tables
        self._tables += 1
        for index, row in enumerate(rows):
            self._separate(True)
            start = self._length
            cells: list[Span] = []
            bold: list[Span] = []
            italic: list[Span] = []
            markers: list[Marker] = []
            for c, cell in enumerate(row):
                if c:
                    self._write(" | ")
                cell_start = self._length
                b, i, m = self._runs(cell)
                cells.append(Span(cell_start, self._length))
                bold += b
                italic += i
                markers += m
            self._blocks.append(RawBlock(ROW, start, self._length, cells=tuple(cells),
                                         header=index < header_rows, table=table, bold=tuple(bold),
                                         italic=tuple(italic), markers=tuple(markers)))
        self._tight = True

    def build(self) -> Rendition:
        return Rendition("".join(self._parts) + "\n", tuple(self._blocks), self.format, markup=False)


def _extend(spans: list[Span], start: int, end: int, across_space: bool) -> None:
    """Add ``start:end``, merged with the previous span when they touch, or are one space
    apart and that space was itself emphasised."""
    if spans and (spans[-1].end == start or (across_space and spans[-1].end == start - 1)):
        spans[-1] = Span(spans[-1].start, end)
    else:
        spans.append(Span(start, end))


__all__ = ["FOOTNOTE", "HEADING", "ITEM", "KINDS", "PARAGRAPH", "ROW", "RawBlock", "Rendition",
           "RenditionBuilder", "Run"]

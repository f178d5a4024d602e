"""The document model: a policy update as read, its blocks and spans.

:class:`Document` is what stage 1 (:mod:`policykg.pipeline.read`) gives the extractor: the text
rendition (:attr:`Document.text`), the blocks found in it with their genre roles (title, date
line, heading, paragraph, category, article, bullet, footnote), emphasis and footnote markers
as spans, and the month and year of the date line. Every offset is into ``text``.
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field

MONTHS = {m: i for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"), start=1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9

#: Any month name or abbreviation, longest first, for regular expressions.
MONTH_PATTERN = "|".join(sorted(MONTHS, key=len, reverse=True))
DATE_LINE = re.compile(r"\b(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?\s+(\d{4})\b",
                       re.IGNORECASE)


@dataclass(frozen=True)
class Span:
    """A range of characters of the document's text: ``text[start:end]``."""

    start: int
    end: int


@dataclass(frozen=True)
class Marker:
    """A footnote marker in running text, e.g. ``¹`` or ``[1]``; ``label`` is its number."""

    label: str
    start: int
    end: int


@dataclass(frozen=True)
class Block:
    """A structural unit: a line or run of lines with one role.

    ``start``/``end`` delimit the content (after a bullet or footnote prefix, without the line
    end). ``kind`` is one of ``title``, ``dateline``, ``heading``, ``paragraph``, ``category``,
    ``article``, ``bullet``, ``footnote``, ``header`` (the header row of a table: the names
    of its columns, never a category nor a sentence) or ``preamble`` (lines before the title,
    such as an e-mail's header and greeting: read by nobody).
    """

    kind: str
    start: int
    end: int
    line: int
    level: int = 0
    #: the article number, for kind == "article"; for a paragraph that is a row of a table of who
    #: leads which measure ("Task | Lead | Participating"), the number of the measure it is about
    article: int | None = None
    body_start: int | None = None  # where an article's text begins, after "Article 75:"
    footnote: str | None = None  # the footnote's label, for kind == "footnote"
    bold: tuple[Span, ...] = ()
    italic: tuple[Span, ...] = ()
    markers: tuple[Marker, ...] = ()
    #: For an article: where its number is written (``Article 75``, ``75.`` of a numbered list,
    #: the number cell of a table row), and the agency written before it (``CAC — Article 2``).
    head: Span | None = None
    agency_prefix: Span | None = None
    #: For an article that is a table row: the cells of the columns that name the responsible
    #: agencies and the category.
    agencies_cell: Span | None = None
    category_cell: Span | None = None
    body_end: int | None = None  # where an article's text ends, when not at the block's end
    #: For a table's row (and its header): its cells, in order.
    cells: tuple[Span, ...] = ()


@dataclass(frozen=True)
class Document:
    """A policy update: its text as read and the blocks found in it."""

    path: str
    text: str  # the text rendition: the file itself for Markdown and plain text
    sha256: str  # of the file as received (its bytes)
    blocks: tuple[Block, ...]
    year: int | None
    month: int | None
    _line_starts: tuple[int, ...] = field(repr=False, compare=False, default=())
    format: str = "markdown"  # markdown | text | html | pdf | docx
    markup: bool = True  # ``text`` holds Markdown markup that views look through
    warnings: tuple[str, ...] = ()  # what the reader saw but could not use, with file:line

    @property
    def is_rendition(self) -> bool:
        """True when :attr:`text` is not the file's own text (HTML, PDF, Word): then policykg
        publishes it, so that every span's offsets resolve in a file a user can open."""
        return self.format not in ("markdown", "text")

    @property
    def title(self) -> Block:
        return next(b for b in self.blocks if b.kind == "title")

    @property
    def dateline(self) -> Block | None:
        return next((b for b in self.blocks if b.kind == "dateline"), None)

    @functools.cached_property
    def footnotes(self) -> dict[str, Block]:
        return {b.footnote: b for b in self.blocks if b.kind == "footnote" and b.footnote}

    def line_of(self, offset: int) -> int:
        """The 1-based line number of a character offset."""
        return bisect.bisect_right(self._line_starts, offset)

    def line(self, number: int) -> str:
        """The text of 1-based line ``number`` without its line break ("" outside the text)."""
        if number < 1 or number > len(self._line_starts):
            return ""
        start = self._line_starts[number - 1]
        end = self._line_starts[number] - 1 if number < len(self._line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r")

    def slice(self, span: Span | Block) -> str:
        return self.text[span.start:span.end]


__all__ = ["DATE_LINE", "MONTHS", "MONTH_PATTERN", "Block", "Document", "Marker", "Span"]

"""Stage 1: source text -> :class:`Document` (structure, with character offsets).

Door: :func:`read_document`. It reads a policy update as it is (UTF-8, any line ends) and
recognises the genre's structure: the title and date lines, paragraphs and question headings,
bullets (``-``, ``*`` or ``•``, at any indent), bullets that are category headings (all bold)
or articles (``Article 75:``, bold or not), footnotes (``¹ ...``, ``[1] ...``, ``[^1]: ...``)
and the markers that point to them, and the bold and italic runs inside each block.

Promises: every offset is into :attr:`Document.text`, the text exactly as decoded (CRLF kept),
so ``doc.text[span.start:span.end]`` is what the span names. Nothing is rewritten. A file that
cannot be a policy update (empty, binary, not UTF-8, no article, a marker with no footnote)
raises :class:`~policykg.errors.InputError` naming the file and the line.
"""
from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError

MONTHS = {m: i for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"), start=1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SUP_CHARS = "⁰¹²³⁴⁵⁶⁷⁸⁹"

#: A footnote marker in running text: superscript digits, ``[1]`` (not a link ``[x](..)``), ``[^1]``.
MARKER = re.compile(rf"[{_SUP_CHARS}]+|\[\^?(\d{{1,3}})\](?![(:])")
#: A footnote definition at the start of a line.
FOOTNOTE_DEF = re.compile(rf"^[ \t]*(?:([{_SUP_CHARS}]+)|\[\^?(\d{{1,3}})\]:?)[ \t]+(?=\S)")
BULLET = re.compile(r"^([ \t]*)([-*•])[ \t]+(?=\S)")
ARTICLE = re.compile(r"^(?:\*\*)?\s*Article\s+(\d{1,4})\s*[:：.](?:\*\*)?\s*", re.IGNORECASE)
BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
ITALIC = re.compile(r"(?<![*\w])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![*\w])|(?<![_\w])_(?=\S)([^_\n]+?)(?<=\S)_(?![_\w])")
LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]*)\)")
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
    ``article``, ``bullet`` or ``footnote``.
    """

    kind: str
    start: int
    end: int
    line: int
    level: int = 0
    article: int | None = None  # the article number, for kind == "article"
    body_start: int | None = None  # where an article's text begins, after "Article 75:"
    footnote: str | None = None  # the footnote's label, for kind == "footnote"
    bold: tuple[Span, ...] = ()
    italic: tuple[Span, ...] = ()
    markers: tuple[Marker, ...] = ()


@dataclass(frozen=True)
class Document:
    """A policy update: its text as read and the blocks found in it."""

    path: str
    text: str
    sha256: str
    blocks: tuple[Block, ...]
    year: int | None
    month: int | None
    _line_starts: tuple[int, ...] = field(repr=False, compare=False, default=())

    @property
    def title(self) -> Block:
        return next(b for b in self.blocks if b.kind == "title")

    @property
    def dateline(self) -> Block | None:
        return next((b for b in self.blocks if b.kind == "dateline"), None)

    @property
    def footnotes(self) -> dict[str, Block]:
        return {b.footnote: b for b in self.blocks if b.kind == "footnote" and b.footnote}

    def line_of(self, offset: int) -> int:
        """The 1-based line number of a character offset."""
        return bisect.bisect_right(self._line_starts, offset)

    def slice(self, span: Span | Block) -> str:
        return self.text[span.start:span.end]


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line's content, line ends excluded (\\n, \\r\\n or \\r)."""
    out = []
    for match in re.finditer(r"[^\r\n]*(?:\r\n|\r|\n|$)", text):
        if match.start() == len(text) and match.end() == len(text):
            break
        content = match.group(0).rstrip("\r\n")
        out.append((match.start(), match.start() + len(content)))
    return out


def _inline(text: str, start: int, end: int) -> tuple[tuple[Span, ...], tuple[Span, ...], tuple[Marker, ...]]:
    chunk = text[start:end]
    bold = tuple(Span(start + m.start(1), start + m.end(1)) for m in BOLD.finditer(chunk))
    # italics: single * or _ runs, outside bold markers
    masked = BOLD.sub(lambda m: " " * len(m.group(0)), chunk)
    italic = tuple(Span(start + (m.start(1) if m.group(1) else m.start(2)),
                        start + (m.end(1) if m.group(1) else m.end(2)))
                   for m in ITALIC.finditer(masked))
    markers = []
    for m in MARKER.finditer(chunk):
        label = m.group(1) if m.group(1) else m.group(0).translate(_SUPERSCRIPT)
        markers.append(Marker(str(int(label)), start + m.start(), start + m.end()))
    return bold, italic, tuple(markers)


def _decode(path: Path, data: bytes) -> str:
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise InputError("binary file: not a text document (NUL byte)", path=path, line=line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                         path=path, line=line, hint="save the document as UTF-8") from None
    if text.startswith("\ufeff"):
        text = text[1:]  # a byte-order mark is not part of the text
    bad = re.search(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise InputError(f"control character U+{ord(bad.group()):04X} in the text: not a text document",
                         path=path, line=line)
    return text


def parse_document(text: str, path: str | Path = "<text>", *, sha256: str | None = None) -> Document:
    """Parse ``text`` (already decoded) into a :class:`Document`."""
    path = Path(path)
    lines = _lines(text)
    line_starts = tuple(s for s, _ in lines) or (0,)
    if not text.strip():
        raise InputError("the document is empty", path=path, line=1)

    blocks: list[Block] = []
    seen_title = False
    pending: list[tuple[int, int, int]] = []  # paragraph lines being gathered: (start, end, lineno)
    footnote: list[object] | None = None  # [label, start, end, lineno] of the open footnote

    def flush_paragraph() -> None:
        nonlocal seen_title
        if not pending:
            return
        start, _, lineno = pending[0]
        end = pending[-1][1]
        pending.clear()
        content = text[start:end]
        if not seen_title:
            kind = "title"
            seen_title = True
        elif len(blocks) == 1 and blocks[0].kind == "title" and DATE_LINE.search(content):
            kind = "dateline"
        elif content.rstrip().endswith("?") and "\n" not in content.strip():
            kind = "heading"
        else:
            kind = "paragraph"
        _add(kind, start, end, lineno)

    def flush_footnote() -> None:
        nonlocal footnote
        if footnote is not None:
            label, start, end, lineno = footnote
            _add("footnote", start, end, lineno, footnote_label=label)
            footnote = None

    def _add(kind: str, start: int, end: int, lineno: int, *, level: int = 0,
             footnote_label: str | None = None) -> None:
        bold, italic, markers = _inline(text, start, end)
        article = body = None
        content = text[start:end]
        if kind in ("bullet", "paragraph"):
            match = ARTICLE.match(content)
            if match:
                kind, article, body = "article", int(match.group(1)), start + match.end()
            elif kind == "bullet" and len(bold) == 1 and \
                    text[start:end].strip().strip("*").strip() == text[bold[0].start:bold[0].end].strip():
                kind = "category"
        blocks.append(Block(kind, start, end, lineno, level=level, article=article, body_start=body,
                            footnote=footnote_label, bold=bold, italic=italic, markers=markers))

    for index, (start, end) in enumerate(lines):
        lineno = index + 1
        content = text[start:end]
        if not content.strip():
            flush_paragraph()
            flush_footnote()
            continue
        fdef = FOOTNOTE_DEF.match(content)
        if fdef:
            flush_paragraph()
            flush_footnote()
            raw = fdef.group(1) or fdef.group(2)
            label = str(int(raw.translate(_SUPERSCRIPT)))
            footnote = [label, start + fdef.end(), end, lineno]
            continue
        if footnote is not None:  # a footnote runs on to the next blank line
            footnote[2] = end
            continue
        bullet = BULLET.match(content)
        if bullet:
            flush_paragraph()
            indent = bullet.group(1).replace("\t", "    ")
            _add("bullet", start + bullet.end(), end, lineno, level=len(indent) // 2)
            continue
        pending.append((start, end, lineno))
    flush_paragraph()
    flush_footnote()

    doc = Document(path=str(path), text=text,
                   sha256=sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest(),
                   blocks=tuple(blocks), year=None, month=None, _line_starts=line_starts)
    dateline = doc.dateline
    year = month = None
    if dateline is not None:
        match = DATE_LINE.search(doc.slice(dateline))
        if match:
            month, year = MONTHS[match.group(1).lower()], int(match.group(2))
    doc = Document(path=doc.path, text=text, sha256=doc.sha256, blocks=doc.blocks, year=year,
                   month=month, _line_starts=line_starts)
    _check(doc)
    return doc


def _check(doc: Document) -> None:
    """Refuse what cannot be a policy update of the genre."""
    path = Path(doc.path)
    if not any(b.kind == "article" for b in doc.blocks):
        raise InputError("no articles found (expected bullets such as \"Article 75: ...\"): "
                         "not a policy update on measures", path=path, line=1)
    notes = doc.footnotes
    for block in doc.blocks:
        for marker in block.markers:
            if marker.label not in notes:
                raise InputError(f"footnote marker {doc.text[marker.start:marker.end]!r} has no "
                                 f"footnote", path=path, line=doc.line_of(marker.start))
    labels = [b.footnote for b in doc.blocks if b.kind == "footnote"]
    for label in set(labels):
        if labels.count(label) > 1:
            block = [b for b in doc.blocks if b.footnote == label][1]
            raise InputError(f"footnote {label} is defined twice", path=path, line=block.line)


def read_document(path: str | Path) -> Document:
    """Read and parse the policy update at ``path``."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file" if not path.exists() else "not a file", path=path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=path) from None
    if not data.strip():
        raise InputError("the document is empty", path=path, line=1)
    text = _decode(path, data)
    return parse_document(text, path, sha256=hashlib.sha256(data).hexdigest())


__all__ = ["Block", "Document", "Marker", "Span", "parse_document", "read_document"]

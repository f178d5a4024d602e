"""Plain text: a policy update as copied out of a PDF or an e-mail, with no markup at all.

Door: :func:`read`. The rendition is the file itself (decoded). Blocks are separated by blank
lines; inside a run of lines, a line that starts a numbered or bulleted item, or a footnote,
starts a new block, and a hard-wrapped paragraph's lines are one block. A page's running
header, footer and page number (``Policy Update | Page 1``) are not blocks. Footnotes as a copy
out of a PDF leaves them — "departments1" in the text, a line "1 The sixteen are ..." further
on — are footnotes, with their markers.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from pathlib import Path

from ...document import Marker, Span
from ...errors import InputError
from .base import FOOTNOTE, HEADING, ITEM, PARAGRAPH, ROW, RawBlock, Rendition


def decode(data: bytes, path: Path) -> str:
    """UTF-8 text without its byte-order mark; refused: NUL bytes, other encodings, control
    characters other than a form feed (file and line named)."""
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
    # (a form feed is a page break, as text copied out of a PDF has it: a line end)
    bad = re.search(r"[\x01-\x08\x0b\x0e-\x1f\x7f]", text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise InputError(f"control character U+{ord(bad.group()):04X} in the text: not a text document",
                         path=path, line=line)
    return text


#: A line that starts an item: a bullet, or a number written as a list's ("75." "75)").
_ITEM = re.compile(r"[ \t]*(?:(?P<bullet>[-*•▪◦·])|(?P<n>\d{1,9})[.)])[ \t]+(?=\S)")
#: A line that starts a block of its own: an item, a measure's number, a footnote.
_STARTS_BLOCK = re.compile(r"[ \t]*(?:[-*•▪◦·][ \t]|\d{1,9}[.)][ \t]|[(（]\d+[)）]|"
                           r"(?:Article|Art\.|No\.|Item)[ \t]*\d|第[ \t]*\d+[ \t]*条|"
                           r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+[ \t]|\[\^?\d{1,3}\]:?[ \t])", re.IGNORECASE)
#: A line a page adds, not the document: "Page 3", "3", "- 3 -", "Policy Update | Page 1".
_PAGE_LINE = re.compile(r"[ \t]*(?:[-–—]?[ \t]*\d{1,4}[ \t]*[-–—]?|(?:.{0,60}[|·•][ \t]*)?(?:page|p\.)[ \t]*\d{1,4}"
                        r"(?:[ \t]*(?:of|/)[ \t]*\d{1,4})?)[ \t]*", re.IGNORECASE)
_SENTENCE_END = ".!?:;。：；”\")"


#: A line that starts a block whatever comes before it: a bullet or a footnote marker.
_ALWAYS_STARTS = re.compile(r"[ \t]*(?:[-*•▪◦·][ \t]|[⁰¹²³⁴⁵⁶⁷⁸⁹]+[ \t]|\[\^?\d{1,3}\]:?[ \t])")


def _starts_block(text: str, previous: tuple[int, int], start: int, end: int) -> bool:
    """True when the line ``text[start:end]`` starts a block of its own after the line
    ``previous`` of the same run: a bullet or footnote always; a number ("75.", "(75)",
    "Article 75", "No. 11") only when the line before finished its sentence — a hard-wrapped
    "... Document number: Guo Shu Zheng Ce [2023]" / "No. 11." runs on."""
    if _ALWAYS_STARTS.match(text, start, end):
        return True
    if not _STARTS_BLOCK.match(text, start, end):
        return False
    before = text[previous[0]:previous[1]].rstrip()
    return not before or before[-1] in _SENTENCE_END or len(before) < 40


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line's content, line ends excluded."""
    out = []
    pos = 0
    for match in re.finditer(r"\r\n|\r|\n|\f", text):
        out.append((pos, match.start()))
        pos = match.end()
    if pos < len(text):
        out.append((pos, len(text)))
    return out


def _page_furniture(text: str, lines: list[tuple[int, int]]) -> set[int]:
    """Indexes of the lines a page adds: page numbers, and short lines that recur (a running
    header or footer, its page number aside)."""
    keys: dict[str, list[int]] = {}
    dropped = set()
    for i, (s, e) in enumerate(lines):
        line = text[s:e]
        if not line.strip():
            continue
        if _PAGE_LINE.fullmatch(line):
            dropped.add(i)
            continue
        if len(line.strip()) <= 80:
            keys.setdefault(re.sub(r"\d+", "#", " ".join(line.split()).lower()), []).append(i)
    for key, found in keys.items():
        # a short line seen on two or more pages, standing alone between blank lines
        if len(found) >= 2 and "#" in key or len(found) >= 3:
            alone = [i for i in found if (i == 0 or not text[slice(*lines[i - 1])].strip())
                     and (i + 1 >= len(lines) or not text[slice(*lines[i + 1])].strip())]
            if len(alone) >= 2:
                dropped.update(alone)
    return dropped


#: A footnote marker glued to its word, as text copied out of a PDF has it: "departments1".
_GLUED = re.compile(r"(?<=[a-z)’'”])(\d{1,2})(?=[\s,.;:)”\"]|$)")
#: A line that starts a footnote in such a text: its number, a space, a capital.
_NOTE_LINE = re.compile(r"[ \t]*(\d{1,2})[ \t]+(?=[A-Z“\"])")
#: The same with letters: "Law(a)" in the text, a line "(a) Cybersecurity Law of ..." below.
_GLUED_LETTER = re.compile(r"(?<=[A-Za-z’'”])\(([a-j])\)(?=[\s,.;:)”\"]|$)")
_LETTER_NOTE_LINE = re.compile(r"[ \t]*\(([a-j])\)[ \t]+(?=[A-Z“\"])")


def _glued_notes(text: str, lines: list[tuple[int, int]]) -> tuple[dict[int, str], list[Marker]]:
    """Footnotes a copy out of a PDF leaves: lines "1 The sixteen are ..." whose number a word
    earlier in the text carries glued to it ("departments1"). Returns the footnote lines (index
    -> label) and the markers. A number that no word carries is not a footnote."""
    starts: dict[int, str] = {}
    for i, (s, e) in enumerate(lines):
        m = _NOTE_LINE.match(text, s, e) or _LETTER_NOTE_LINE.match(text, s, e)
        if m:
            starts[i] = str(int(m.group(1))) if m.group(1).isdigit() else m.group(1)
    if not starts:
        return {}, []
    first_note = {label: lines[i][0] for i, label in sorted(starts.items(), reverse=True)}
    markers = []
    for m in (*_GLUED.finditer(text), *_GLUED_LETTER.finditer(text)):
        label = str(int(m.group(1))) if m.group(1).isdigit() else m.group(1)
        if label in first_note and m.start() < first_note[label]:
            markers.append(Marker(label, m.start(), m.end()))
    markers.sort(key=lambda mk: mk.start)
    marked = {m.label for m in markers}
    return {i: label for i, label in starts.items() if label in marked}, markers


#: The quote marks an e-mail puts before each line it forwards or replies to: "> ", ">> ".
_QUOTE = re.compile(r"^[ \t]*>(?:[ \t]?>)*[ \t]?")


def unquote(text: str) -> str | None:
    """The update a forwarded e-mail quotes: its quoted lines with their quote marks taken off
    (the forwarder's header, greeting and comments left out); ``None`` when the text is not
    such an e-mail: at least five lines, and half of its non-blank lines, begin with ">"."""
    lines = text.splitlines()
    marked = [bool(_QUOTE.match(line)) and line.lstrip(" \t").startswith(">") for line in lines]
    filled = [line for line in lines if line.strip()]
    quoted = sum(marked)
    if quoted < 5 or 2 * quoted < len(filled):
        return None
    kept = [_QUOTE.sub("", line, count=1) for line, m in zip(lines, marked) if m]
    return "\n".join(kept) + "\n"


def _numbered_headings(text: str, blocks: list[RawBlock]) -> list[RawBlock]:
    """A numbered line alone, short and unfinished, between blocks that are no list items ("1.
    Why this note", then a paragraph) is a section's heading, not a list of one item."""
    out = list(blocks)
    for k, b in enumerate(blocks):
        content = text[b.start:b.end]
        if b.kind == ITEM and b.number is not None and "\n" not in content and len(content.split()) <= 8 \
                and content.rstrip()[-1:] not in _SENTENCE_END and k + 1 < len(blocks) \
                and blocks[k + 1].kind == PARAGRAPH and (k == 0 or blocks[k - 1].kind != ITEM):
            out[k] = RawBlock(HEADING, b.lead, b.end, level=2)
    return out


#: The rule under a plain-text table's header: two or more runs of dashes ("---  -------  ----").
_RULE = re.compile(r"[ \t]*-{2,}(?:[ \t]+-{2,})+[ \t]*")


@dataclass(frozen=True)
class _TableLine:
    """A line of the rendition that is a row of a plain-text table (its cells, as offsets from
    the line's start; ``header`` for the header row), or a line across the table's columns that
    names the group of the rows under it (no cells)."""

    table: int
    cells: tuple[tuple[int, int], ...] = ()
    header: bool = False


def _simple_tables(text: str) -> tuple[str, dict[int, _TableLine]]:
    """Plain-text tables laid out in columns, as a text copy of a table leaves them: a header
    line, a rule of dashes under it whose runs mark the columns, then rows whose first column
    opens each row and whose lines go on in their columns ("1    Collecting ... without consent,
    or    MIIT" and, under it, "     beyond the scope ..."), and lines across the columns between
    them that name a group ("A. Handling users' personal information"). Each row is written on a
    line of its own, its cells joined by " | ", the rule left out: the text of the rendition,
    and the lines of it that are rows. A text without such a table is returned as it is."""
    lines = text.split("\n")
    out: list[str] = []
    rows: dict[int, _TableLine] = {}
    i = 0
    table = 0
    while i < len(lines):
        rule = _RULE.fullmatch(lines[i + 1]) if i + 1 < len(lines) and lines[i].strip() else None
        if rule is None:
            out.append(lines[i])
            i += 1
            continue
        columns = [(m.start(), m.end()) for m in re.finditer(r"-{2,}", lines[i + 1])]
        body, j = _table_body(lines, i + 2, columns)
        if not body:
            out.append(lines[i])
            i += 1
            continue
        table += 1
        for kind, group in [("header", [lines[i]]), *body]:
            if kind == "blank":
                out.append("")
                continue
            if kind == "group":
                rows[len(out)] = _TableLine(table)
                out.append(group[0].strip())
                continue
            cells = [" ".join(" ".join(line[a:b].strip() for line in group).split()) for a, b in _spans(columns)]
            line, spans = "", []
            for k, cell in enumerate(cells):
                if k:
                    line += " | "
                spans.append((len(line), len(line) + len(cell)))
                line += cell
            rows[len(out)] = _TableLine(table, tuple(spans), header=kind == "header")
            out.append(line)
        i = j
    if not rows:
        return text, {}
    return "\n".join(out), rows


def _spans(columns: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Where each column's text may stand: from its rule's start to the next column's start."""
    return [(a if k else 0, columns[k + 1][0] if k + 1 < len(columns) else 10**6) for k, (a, _) in enumerate(columns)]


def _table_body(lines: list[str], i: int, columns: list[tuple[int, int]]) -> tuple[list[tuple[str, list[str]]], int]:
    """The rows of a table from line ``i`` (("row", its lines), ("group", [line]), ("blank",
    [])), and the index of the first line after it. A line whose first column is empty goes on
    the row above; a line with text where two columns meet is a group's name when a row follows
    it, else the table has ended."""
    gaps = [(columns[k][1], columns[k + 1][0]) for k in range(len(columns) - 1)]
    first_end = columns[1][0]
    body: list[tuple[str, list[str]]] = []
    j = i
    while j < len(lines):
        line = lines[j].expandtabs(4) if "\t" in lines[j] else lines[j]
        if not line.strip():
            body.append(("blank", []))
            j += 1
            continue
        if not line[:first_end].strip() and body and body[-1][0] == "row" and lines[j - 1].strip():
            body[-1][1].append(line)  # the row above goes on (its text may run a little past a rule)
            j += 1
            continue
        across = any(line[a:b].strip() for a, b in gaps)
        if across:
            # a group's name only where a row follows (blank lines aside)
            k = j + 1
            while k < len(lines) and not lines[k].strip():
                k += 1
            nxt = lines[k] if k < len(lines) else ""
            if nxt.strip() and nxt[:first_end].strip() and not any(nxt[a:b].strip() for a, b in gaps) \
                    and len(line.split()) <= 12:
                body.append(("group", [line]))
                j += 1
                continue
            break
        if line[:first_end].strip():
            body.append(("row", [line]))
        else:
            break
        j += 1
    while body and body[-1][0] == "blank":
        body.pop()
        j -= 1
    return (body if any(kind == "row" for kind, _ in body) else []), j


def read(data: bytes, path: Path) -> Rendition:
    """Read a plain-text policy update: the rendition is the decoded file; for an e-mail that
    quotes the update ("> " before each line), the decoded file without its quote marks (a
    rendition of format ``email``, published beside the graph like an HTML page's text)."""
    text = decode(data, path)
    fmt = "text"
    unquoted = unquote(text)
    if unquoted is not None:
        text, fmt = unquoted, "email"
    text, table_lines = _simple_tables(text)
    if table_lines and fmt == "text":
        fmt = "text+tables"  # the rendition is no longer the file's own text: it is published
    lines = _lines(text)
    furniture = _page_furniture(text, lines)
    notes, glued = _glued_notes(text, lines)
    blocks: list[RawBlock] = []
    group: list[int] = []  # the lines of the block being gathered

    def flush() -> None:
        if not group:
            return
        first, last = group[0], group[-1]
        start, end = lines[first][0], lines[last][1]
        while start < end and text[start] in " \t":
            start += 1
        while end > start and text[end - 1] in " \t":
            end -= 1
        group.clear()
        if end <= start:
            return
        if first in notes:
            label = notes[first]
            m = _NOTE_LINE.match(text, start, end) or _LETTER_NOTE_LINE.match(text, start, end)
            blocks.append(RawBlock(FOOTNOTE, m.end(), end, lead=start, label=label))
            return
        item = _ITEM.match(text, start, end)
        if item:
            number = int(item.group("n")) if item.group("n") else None
            indent = len(text[lines[first][0]:start].expandtabs(4))
            blocks.append(RawBlock(ITEM, item.end(), end, lead=start, level=indent // 2, number=number))
            return
        content = text[start:end]
        single = first == last
        if single and len(content) <= 100 and content[-1] not in _SENTENCE_END \
                and not _STARTS_BLOCK.match(content) and any(c.isalpha() for c in content):
            # a short line alone: a heading (the first one is the title)
            blocks.append(RawBlock(HEADING, start, end, level=1 if not blocks else 2))
            return
        if not blocks and last - first < 3 and len(content) <= 200 and content[-1] not in _SENTENCE_END \
                and all(line.upper() == line and any(c.isalpha() for c in line) for line in content.split("\n")):
            # the first block, in capitals over two or three lines: a title wrapped as a PDF sets it
            blocks.append(RawBlock(HEADING, start, end, level=1))
            return
        blocks.append(RawBlock(PARAGRAPH, start, end))

    for i, (s, e) in enumerate(lines):
        if i in table_lines:
            flush()
            row = table_lines[i]
            if row.cells:
                blocks.append(RawBlock(ROW, s, e, cells=tuple(Span(s + a, s + b) for a, b in row.cells),
                                       header=row.header, table=row.table))
            else:  # a group's name across the columns: a row of one cell
                blocks.append(RawBlock(ROW, s, e, cells=(Span(s, e),), table=row.table))
            continue
        if i in furniture or not text[s:e].strip():
            flush()
            continue
        if group and (i in notes or _starts_block(text, lines[group[-1]], s, e)):
            flush()
        group.append(i)
    flush()
    blocks = _numbered_headings(text, blocks)
    if glued:  # each glued marker belongs to the block it stands in
        starts = [b.start for b in blocks]
        placed: dict[int, list[Marker]] = {}
        for marker in glued:
            at = bisect.bisect_right(starts, marker.start) - 1
            if at >= 0 and blocks[at].lead <= marker.start < blocks[at].end:
                placed.setdefault(at, []).append(marker)
        blocks = [replace(b, markers=b.markers + tuple(placed[i])) if i in placed else b
                  for i, b in enumerate(blocks)]
    return Rendition(text, tuple(blocks), fmt, markup=False)


__all__ = ["decode", "read", "unquote"]

"""Stage 1b: :class:`~policykg.pipeline.readers.base.Rendition` -> :class:`~policykg.document.Document`:
the genre read into the blocks a reader found.

Door: :func:`structure`. Whatever the format, a policy update has a title and a date line,
question headings, paragraphs, categories, numbered measures and footnotes. This step decides
which block is which, from the text and the hints the format gives (a heading, bold, a list
number, a table's header) — markup is a hint, never a requirement:

* **title**: the first block; **date line**: the block after it, when it names a month and a
  year (``Policy Update ... | September 2020``);
* **footnote**: a block the format marks as one (``[^1]:``, a footnote list, Word's footnotes),
  or that starts with a marker (``¹ ...``, ``[1] ...``);
* **article** (a numbered measure): a block that starts with one of the numbering forms of
  ``mappings/patterns/numbering.toml`` (``Article 75:``, ``Art. 75``, ``No. 75``, ``(75)``,
  ``Item 75``, ``第75条``, ``CAC — Article 2:``), a row of a table whose header has a number
  column (``mappings/patterns/columns.toml``), or — *bare numbers* — an item ``75.`` of a
  numbered list, in a document that has no other kind of measure and where the list does not
  finish a sentence ("the Plan wants 1. ... 2. ..." lists targets, not measures);
* **category**: a list item or a short line that is all bold, or a heading (a Markdown or HTML
  heading, a short plain-text line), when measures follow it;
* **heading**: a question (``What's the connection ...?``) or any other heading;
* **bullet** and **paragraph**: the rest.

Article numbers run from 1 to :data:`MAX_ARTICLE`; a number outside (``Article 0``,
``Article -5``, ``Article 10000000``) is refused with its line, never dropped.
"""
from __future__ import annotations

import bisect
import itertools
import re
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from .. import resources
from ..document import DATE_LINE, MONTHS, Block, Document, Marker, Span
from ..errors import InputError
from ..textutil import parse_number
from .readers.base import FOOTNOTE, HEADING, ITEM, PARAGRAPH, ROW, RawBlock, Rendition

#: The largest article number policykg accepts, and the most measures in one document.
MAX_ARTICLE = 99_999
MAX_MEASURES = 50_000
#: The most digits a footnote's number has (longer runs of superscript digits are powers).
MAX_FOOTNOTE_DIGITS = 6

_SUP_CHARS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT = str.maketrans(_SUP_CHARS, "0123456789")
#: A footnote marker in running text: superscript digits, ``[1]`` (not a link ``[x](..)``), ``[^1]``.
MARKER = re.compile(rf"[{_SUP_CHARS}]+|\[\^?(\d{{1,3}})\](?![(:])|(?<=\w)[†‡]+")
#: A footnote written as a paragraph: its label first.
FOOTNOTE_START = re.compile(rf"[ \t]*(?:\*\*|\*|_)?(?:([{_SUP_CHARS}]+|[†‡]+)|\[\^?(\d{{1,3}})\]:?)(?:\*\*|\*|_)?[ \t]+(?=\S)")
#: A table's number cell: ``75``, ``Article 75``, ``Art. 75``, ``No. 75``, ``Item 75``, ``(75)``, ``第75条``.
_CELL_NUMBER = re.compile(r"(?:(?:Article|Arts?\.?|No\.?|Nr\.?|Item)\s*)?[(（]?(\d+)[)）]?\s*[:.]?|第\s*(\d+)\s*条",
                          re.IGNORECASE)
#: A category in brackets at the start of a measure's text: "[Innovation] Labelling ..." (not a
#: footnote "[1]", not a Markdown link "[Guide](...)").
_TAG = re.compile(r"[*_]*[\[【](?P<tag>[A-Za-z][^\[\]【】\n]{0,58})[\]】](?!\()[*_]*\s+")
#: The header of a column of measures' texts, beside a column of their numbers headed "Task".
_MEASURE_TEXT = re.compile(r"\b(?:content|contents|description|text|details|requirements?|what)\b", re.IGNORECASE)
#: A ditto mark in a table's cell: the entry above it, again ("“", "〃", "ditto", "do.").
_DITTO = re.compile(r"[“”\"〃]|ditto|do\.?|id\.?", re.IGNORECASE)
#: The first column of a table of who leads which measure, keyed by the measure's number:
#: "Task | Lead | Participating", "No. | Lead department | Supporting departments".
_KEY_COLUMN = re.compile(r"(?:(?P<task>task|measure|item|action)|article|no\.?|nr\.?|number|#)(?:\s+(?:no\.?|number))?",
                         re.IGNORECASE)
#: Markup a block may open with before its number (``**Article 75:**``).
_LEADING_MARKUP = re.compile(r"(?:\*\*|__|\*|_)?\s*")
#: A number that is written like a measure's but cannot be one.
_BAD_NUMBER = re.compile(r"(?:Article|Art\.|No\.|Item)\s*([-−–]\s*\d+|0+\b|\d{6,})", re.IGNORECASE)


@dataclass(frozen=True)
class NumberingForm:
    """One way of writing a measure's number (``mappings/patterns/numbering.toml``)."""

    name: str
    pattern: re.Pattern[str]
    numbered_list: bool
    example: str
    number: int


@dataclass(frozen=True)
class ColumnRole:
    """What a table column holds, by its header (``mappings/patterns/columns.toml``)."""

    name: str
    pattern: re.Pattern[str]
    example: str


#: A line short and plain enough to be the name of a group of measures when one follows it:
#: a capital, at most eight words, no sentence punctuation.
_SHORT_LINE = re.compile(r"[A-Z][\w'’&,/()\- ]{0,79}(?<![,\- ]):?")

def _patterns_file(name: str) -> dict:
    path = resources.data_root() / "mappings" / "patterns" / name
    with path.open("rb") as handle:
        return tomllib.load(handle)


@cache
def numbering_forms() -> tuple[NumberingForm, ...]:
    data = _patterns_file("numbering.toml")
    return tuple(NumberingForm(f["name"], re.compile(f["pattern"], re.IGNORECASE),
                               bool(f.get("numbered_list", False)), f["example"], int(f["number"]))
                 for f in data["form"])


@cache
def column_roles() -> tuple[ColumnRole, ...]:
    data = _patterns_file("columns.toml")
    return tuple(ColumnRole(r["name"], re.compile(r["pattern"], re.IGNORECASE), r["example"])
                 for r in data["role"])


@dataclass(frozen=True)
class _Numbered:
    form: NumberingForm
    number_text: str
    head: Span  # the number as written, from the form's start to the measure's text
    body: int
    agency: Span | None
    tag: Span | None = None  # a category written after the number: "Article 7 [Standards] - ..."


#: A block that opens with a word and a number, as measures numbered in a form not in
#: ``numbering.toml`` do ("Point 7: ...", "§ 12 ...", "Measure No. 4 - ..."): the candidates of
#: :func:`_learnt_forms`.
_LABELLED = re.compile(r"(?P<label>§|(?-i:[A-Z][a-z]{2,11})(?:\.|\s+No\.)?)\s*(?P<n>\d{1,4})\s*"
                       r"(?:[:：.)]|\s?[-–—·•|]\s?|(?=\s+(?-i:[A-Z(“\"])))")
#: A block that opens with a bold number: "**1. Build a unified platform.** Connect ...".
_BOLD_NUMBER = re.compile(r"(?:\*\*|__)(?P<n>\d{1,3})[.)]\s")
#: Words that number the parts of a text, not its measures ("Chapter 3", "Table 2", "Phase 1").
_NOT_MEASURE_LABELS = frozenset("""
    chapter part section table figure fig annex annexe appendix schedule phase stage step batch
    issue volume vol page p pp note footnote round wave lot group level tier grade class category sec fig tab
    year week day month quarter edition version draft exhibit chart box panel tab slide question
    option case example scenario zone region area city province district batch""".split())
#: How many blocks must open with one label, with as many distinct numbers, to learn it.
_LEARN_AT = 3


def _learnt_forms(text: str, raws: list) -> tuple[NumberingForm, ...]:
    """Numbering forms this document uses and ``numbering.toml`` does not know: a label that
    opens at least :data:`_LEARN_AT` blocks, each with another number ("Point 1:", "Point 2:",
    ...), where no known form opens any block. The parts of a text ("Chapter", "Table", "Phase",
    ...) are never learnt."""
    seen: dict[str, set[str]] = {}
    bold: set[str] = set()  # the numbers of blocks that open with a bold number
    for raw in raws:
        if raw.kind in (ROW, FOOTNOTE):
            continue
        if _numbering(text, raw.start, raw.end, bare=False) is not None:
            return ()  # the document numbers its measures in a known form
        if raw.kind == PARAGRAPH:
            b = _BOLD_NUMBER.match(text, raw.start, raw.end)
            if b:
                bold.add(b.group("n"))
        lead = _LEADING_MARKUP.match(text, raw.start, raw.end)
        at = lead.end() if lead else raw.start
        # "**Point 3** – ...": the bold closing before the separator is read as a space
        head = re.sub(r"\*\*|__", "  ", text[at:min(raw.end, at + 120)], count=1)
        m = _LABELLED.match(head)
        if m and m.group("label").split()[0].rstrip(".").lower() not in _NOT_MEASURE_LABELS and at + m.end() < raw.end:
            seen.setdefault(" ".join(m.group("label").split()), set()).add(m.group("n"))
    forms = []
    if len(bold) >= _LEARN_AT:
        # "**1. Build ...**", "**2. Open ...**" in paragraphs (not a list): bare numbers, in bold
        forms.append(NumberingForm("learnt: bold N.", re.compile(r"(?P<n>\d+)[.)](?=\s)\s*"), False,
                                   f"{min(bold, key=int)}.", int(min(bold, key=int))))
    for label, numbers in sorted(seen.items()):
        if len(numbers) >= _LEARN_AT:
            words = r"\s+".join(re.escape(w) for w in label.rstrip(".").split()) + (r"\." if label.endswith(".") else "")
            pattern = re.compile(words + r"\s*(?P<n>\d+)\s*(?:[:：.)]|\s?[-–—·•|]\s?|(?=\s+(?-i:[A-Z(“\"])))",
                                 re.IGNORECASE)
            forms.append(NumberingForm(f"learnt: {label} N", pattern, False, f"{label} {min(numbers, key=int)}",
                                       int(min(numbers, key=int))))
    return tuple(forms)


#: The heading over a document's notes: what follows it are footnotes whatever else holds.
_NOTES_HEADING = re.compile(r"[\W_]*(?:notes?|footnotes?|endnotes?|sources?|references?)\b", re.IGNORECASE)


def _numbered_items_as_notes(text: str, raws: list) -> dict[int, str]:
    """Blocks a reader took for footnotes ("[1] Fibre to the home. ...") that are numbered
    items: at least :data:`_LEARN_AT` of them, numbered, no marker in the text pointing at
    any, none under a heading of notes, in groups under headings and with the text going on
    after them. The indexes of those blocks and their numbers; else none."""
    referenced = {mk.label for raw in raws for mk in raw.markers}
    labels: dict[int, str] = {}
    for i, raw in enumerate(raws):
        if raw.kind == FOOTNOTE and raw.label and re.fullmatch(r"[0-9]+", raw.label):
            labels[i] = raw.label
        elif raw.kind in (PARAGRAPH, ITEM):
            m = FOOTNOTE_START.match(text, raw.start, raw.end)
            written = m and (m.group(1) or m.group(2))
            if written and re.fullmatch(r"[0-9]+", written):
                labels[i] = written
    notes = sorted(labels)
    if len(notes) < _LEARN_AT or any(labels[i] in referenced for i in notes):
        return {}
    groups = 0
    for i in notes:
        before = next((raws[k] for k in range(i - 1, -1, -1) if not (raws[k].kind == FOOTNOTE and k in notes)), None)
        if before is None:
            return {}
        if before.kind == HEADING or before.kind == PARAGRAPH and len(text[before.start:before.end].split()) <= 6:
            if _NOTES_HEADING.match(text[before.start:before.end]):
                return {}
            groups += before is not None and i - 1 >= 0 and not (raws[i - 1].kind == FOOTNOTE and i - 1 in notes)
    after = any(raw.kind in (PARAGRAPH, HEADING, ITEM) for raw in raws[notes[-1] + 1:])
    if groups < 2 or not after:
        return {}
    return labels


def _numbering(text: str, start: int, end: int, *, bare: bool,
               learnt: tuple[NumberingForm, ...] = ()) -> _Numbered | None:
    """The numbering form ``text[start:end]`` starts with (bare numbers only if ``bare``; the
    forms this document taught, ``learnt``, after the known ones)."""
    lead = _LEADING_MARKUP.match(text, start, end)
    at = lead.end() if lead else start
    # "**Task 1** – ...": the bold closes between the number and its separator; the forms are
    # matched on a copy of the head with that closing markup blanked (offsets kept)
    masked = None
    if lead and lead.group(0).strip():
        window = text[at:min(end, at + 200)]
        close = re.compile(r"\*\*|__").search(window, 0, 80)
        if close:
            masked = window[:close.start()] + " " * (close.end() - close.start()) + window[close.end():]
    for form in numbering_forms() + learnt:
        if form.numbered_list and not bare:
            continue
        m = form.pattern.match(text, at, end)
        if not m and masked is not None and "agency" not in form.pattern.groupindex:
            mm = form.pattern.match(masked)
            if mm and mm.end() < len(masked):
                body = _skip_space(text, at + mm.end(), end)
                return _Numbered(form, mm.group("n"), Span(at, at + mm.end()), body, None)
        if not m:
            continue
        body = m.end()
        # the bold that closes around the number: "**Article 75:**"
        closing = re.compile(r"\s*(?:\*\*|__|\*(?!\*)|_)").match(text, body, end)
        if closing and lead and lead.group(0).strip():
            body = closing.end()
        agency = None
        head_start = at
        if "agency" in form.pattern.groupindex and m.group("agency"):
            agency = Span(m.start("agency"), m.end("agency"))
            head_start = m.start("n")
            while head_start > m.start() and text[head_start - 1] not in "—–:|-":
                head_start -= 1
            head_start = _skip_space(text, head_start, body)
        tag = Span(m.start("tag"), m.end("tag")) if "tag" in form.pattern.groupindex and m.group("tag") else None
        body = _skip_space(text, body, end)
        again = _SAME_NUMBER.match(text, body, end)
        if again and again.group(1) == m.group("n"):
            body = _skip_space(text, again.end(), end)  # "第38条 Article 38 ...": the number twice, in two languages
        return _Numbered(form, m.group("n"), Span(head_start, body), body, agency, tag)
    return None


#: The number a measure's text may open with once more, in the other language ("第38条 Article 38").
_SAME_NUMBER = re.compile(r"[*_]*(?:Article|Art\.?|第)\s*(\d+)\s*(?:条)?[*_]*\s*[:：.\-–—]?")
#: A line of an e-mail's header ("From: ...", "Sent: ...") or any "Field: value" line.
_HEADER_FIELD = re.compile(r"[A-Z][\w-]{0,20}:\s")


#: The heading of a web page's links to other pages: "Related updates", "Read more", "See also".
_FURNITURE_HEADING = re.compile(r"(?:related|more|recommended|popular|latest|further)\s+(?:updates?|articles?|reading|"
                                r"posts?|news|stories|insights|briefings?|content|on\s+this\s+topic)|read\s+more|"
                                r"see\s+also|you\s+may\s+also\s+like|most\s+read", re.IGNORECASE)
#: A section's number ("3. Eight hub nodes"): a heading inside the text, not its title.
_NOT_A_TITLE = re.compile(r"\d{1,2}(?:\.\d{1,2})*[.)]?\s")
#: A table's or figure's caption ("Table 1 -- Hub nodes (as approved in February 2022)"): no date line.
_CAPTION = re.compile(r"(?:Table|Figure|Fig\.|Chart|Box|Exhibit)\s+\d", re.IGNORECASE)


def _title_index(blocks: list, text: str) -> int:
    """The index of the title: 0, unless the second block is no date line and a later one,
    among the first twenty, is (a single short line with a month and a year, not a "Field:"
    line) with a single short line before it."""

    def line(b) -> str | None:
        if b is None or b.kind not in ("paragraph", "heading") or b.cells:  # (a table's row is no title)
            return None
        content = text[b.start:b.end].strip()
        return content if "\n" not in content and len(content) <= 200 else None

    def wrapped(b) -> str | None:
        """A title wrapped over at most three short lines, as one line."""
        if b is None or b.kind not in ("paragraph", "heading") or b.cells:
            return None
        lines = text[b.start:b.end].strip().split("\n")
        joined = " ".join(x.strip() for x in lines)
        return joined if len(lines) <= 3 and len(joined) <= 200 and not re.search(r"[.;]\s", joined) else None

    def dated(content: str | None) -> bool:
        return bool(content) and _month_year(content) is not None and _date_line_shape(content)  # type: ignore[arg-type]

    kept = [i for i, b in enumerate(blocks[:20]) if b is not None]
    # a level-1 heading under lines that are only links and badges, or a date: the title
    # ("[![status](...)](#) [![topic](...)](#)", then "# Trusted Data Spaces")
    h1 = next((i for i in kept if blocks[i].kind == "heading" and blocks[i].level == 1), None)
    if h1 is not None and h1 == kept[0] and len(kept) >= 3 and not dated(line(blocks[kept[1]])) and \
            dated(line(blocks[kept[2]])) and blocks[kept[1]].kind != "heading":
        # "# The title", "*A subtitle in italics*", then the date line: the heading, not the subtitle
        return h1
    if h1 is not None and h1 != kept[0] and all(
            _only_links(text[blocks[i].start:blocks[i].end]) or dated(line(blocks[i])) for i in kept[:kept.index(h1)]):
        return h1
    # a date line first, the title under it ("Policy Update on Data    February 2025", then
    # "AUDITS ON A SCHEDULE" and perhaps a subtitle on the next line)
    if len(kept) >= 2 and dated(line(blocks[kept[0]])):
        second = text[blocks[kept[1]].start:blocks[kept[1]].end].strip().split("\n")
        if blocks[kept[1]].kind in ("paragraph", "heading") and len(second) <= 2 and len(second[0]) <= 200 and \
                not dated(second[0]) and not _HEADER_FIELD.match(second[0]):
            return kept[1]
    # lines of links and badges are no title, nor what a date line follows; nor an e-mail's
    # header lines ("From: ...", "Subject: ...")
    kept = [i for i in kept if not _only_links(text[blocks[i].start:blocks[i].end])
            and not _mail_header(text[blocks[i].start:blocks[i].end])]
    if len(kept) >= 2 and _masthead(text[blocks[kept[0]].start:blocks[kept[0]].end]) and wrapped(blocks[kept[1]]) \
            and not dated(wrapped(blocks[kept[1]])):
        # a newsletter's masthead ("CHINA NETWORKS BRIEFING", "Week 30/2016 :: 29 July 2016"),
        # then the title on a line of its own (or wrapped over two or three)
        return kept[1]
    if len(kept) < 2 or dated(line(blocks[kept[1]])):
        return kept[0] if kept else 0
    for before, at in zip(kept, kept[1:]):
        date = line(blocks[at])
        title = line(blocks[before])
        if date and title and dated(date) and not _HEADER_FIELD.match(date) \
                and not _HEADER_FIELD.match(title) and not _NOT_A_TITLE.match(title) and not _CAPTION.match(date):
            return before
    return 0


def _mail_header(content: str) -> bool:
    """An e-mail's header lines: every line "From:", "To:", "Subject:", "Date:", ..."""
    lines = [x for x in content.strip().splitlines() if x.strip()]
    return bool(lines) and all(re.match(r"\s*(?:From|To|Cc|Bcc|Sent|Date|Subject|Reply-To)\s*:", x, re.IGNORECASE)
                               for x in lines)


def _masthead(content: str) -> bool:
    """A newsletter's masthead: at most four lines (rules of "=" or "-" aside), one of them a
    short line with a month and a year."""
    lines = [x for x in content.strip().splitlines() if x.strip() and not re.fullmatch(r"\s*[=\-_*~]{3,}\s*", x)]
    return 2 <= len(lines) <= 4 and any(_month_year(x) and _date_line_shape(x) for x in lines)


def _only_links(content: str) -> bool:
    """A line of Markdown links and images only (badges, a breadcrumb): no words of its own."""
    rest = re.sub(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\([^)]*\)", " ", content)
    return bool(content.strip()) and not re.search(r"[A-Za-z\u4e00-\u9fff]{2,}", rest)


def _skip_space(text: str, at: int, end: int) -> int:
    while at < end and text[at] in " \t\r\n":
        at += 1
    return at


class _Lines:
    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]

    def of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)


def _markers(text: str, raw: RawBlock, start: int) -> tuple[Marker, ...]:
    # the reader's markers (HTML, PDF, Word), ordered, with the furthest end reached so far:
    # whether a marker found in the text lies in one of them is a bisection
    given = sorted((m for m in raw.markers if m.start >= start), key=lambda m: m.start)
    starts = [m.start for m in given]
    reach = list(itertools.accumulate((m.end for m in given), max))
    found = {m.start: m for m in given}
    for m in MARKER.finditer(text, start, raw.end):
        i = bisect.bisect_right(starts, m.start()) - 1
        if m.start() in found or (i >= 0 and m.start() < reach[i]):
            continue
        label = m.group(1) if m.group(1) else m.group(0).translate(_SUPERSCRIPT)
        if len(label) > MAX_FOOTNOTE_DIGITS:  # not a footnote marker: a run of superscript digits (a power)
            continue
        found[m.start()] = Marker(footnote_label(label), m.start(), m.end())
    return tuple(sorted(found.values(), key=lambda m: m.start))


def footnote_label(written: str) -> str:
    """A footnote's number as a label: ``"007"`` -> ``"7"``, ``"¹²"`` -> ``"12"``; anything
    that is not all digits as written. Never ``int()``, which refuses more than 4,300 digits."""
    digits = written.translate(_SUPERSCRIPT)
    if not digits or not digits.isdecimal():
        return written
    ascii_digits = "".join(str(unicodedata.decimal(c)) for c in digits)
    return ascii_digits.lstrip("0") or "0"


def _number(written: str) -> int | None:
    """``written`` (digits, perhaps a sign) as a number; ``None`` when it has more digits than
    any measure's number can (``int()`` would refuse 4,301 digits, and need not see them)."""
    digits = written.lstrip("+-−– ")
    if digits[:1].isalpha():  # "Task Two": a number spelt out
        return parse_number(digits)
    if len(digits.lstrip("0")) > len(str(MAX_ARTICLE)):
        return None
    return int(written.replace("−", "-").replace("–", "-").replace(" ", ""))


def _shown(written: str, limit: int = 24) -> str:
    """A number as a message quotes it: cut, with its count of digits, when it is long."""
    return written if len(written) <= limit else f"{written[:12]}… ({len(written):,} characters)"


def _inside(spans: tuple[Span, ...], start: int, end: int) -> tuple[Span, ...]:
    return tuple(s for s in spans if s.start >= start and s.end <= end)


def _all_bold(text: str, raw: RawBlock) -> bool:
    """True when the block's text is one bold run (markup, spaces and a colon aside)."""
    if len(raw.bold) != 1:
        return False
    inner = text[raw.bold[0].start:raw.bold[0].end].strip()
    whole = re.sub(r"[*_]+", "", text[raw.start:raw.end]).strip().rstrip(":").strip()
    whole = re.sub(r"^[▸►▶■□◆◇●○▪▫•→»·]\s*", "", whole)  # a marker drawn before it: "▸ **Data and computing**"
    return bool(inner) and whole == re.sub(r"[*_]+", "", inner).strip().rstrip(":").strip()


def _inside_a_sentence(text: str, raw: RawBlock) -> bool:
    """True when a numbered item is a piece of a sentence ("1. more than 300 scenarios,"),
    not a measure: it starts in lower case or ends with a comma, a semicolon or "and"."""
    body = re.sub(r"^\s*\d+[.)]\s*", "", text[raw.start:raw.end]).strip(" *_")
    return bool(body) and (body[0].islower() or bool(re.search(r"(?:[,;]|\band|\bor)$", body)))


#: A heading over a numbered list that sums up the update, not its measures: "Key takeaways",
#: "Highlights", "At a glance", "Next steps".
_SUMMARY_HEADING = re.compile(r"\b(?:key\s+(?:takeaways|points|facts|dates|changes|messages)|takeaways|highlights|"
                              r"summary|at\s+a\s+glance|in\s+brief|next\s+steps|action\s+items|checklist|"
                              r"recommendations|what\s+(?:to\s+do|companies\s+should\s+do|should\s+(?:\w+\s+){1,2}do|"
                              r"(?:it|this)\s+means|does\s+(?:it|this)\s+mean))\b", re.IGNORECASE)


def _lists_under_headings(raws: Sequence[RawBlock], bare: list[int], text: str) -> list[int]:
    """The items of ``bare`` (indexes of numbered list items) in lists that a heading opens
    right above them, of two or more items (a list under each heading, its numbering going on
    or starting again), but for a heading that sums up the update ("Key takeaways")."""
    kept: list[int] = []
    run: list[int] = []
    for i in [*bare, -2]:
        if run and i == run[-1] + 1:
            run.append(i)
            continue
        if len(run) >= 2 and run[0] > 0 and raws[run[0] - 1].kind == HEADING and \
                not _SUMMARY_HEADING.search(text[raws[run[0] - 1].start:raws[run[0] - 1].end]):
            kept += run
        run = [i]
    return kept


def _ends_unfinished(text: str, raw: RawBlock | None) -> bool:
    """True when ``raw`` is a paragraph whose sentence runs on (into a list after it)."""
    if raw is None or raw.kind != PARAGRAPH or _all_bold(text, raw):
        return False  # (a bold line is a name, "**Cross-border data flows**", not a sentence)
    tail = re.sub(r"[*_\s]+$", "", text[raw.start:raw.end])
    return bool(tail) and tail[-1] not in ".:?!。：”\")"


#: A line of a field list: "Issuing authority: CAC", "**Date of issue:** 2024-03-22" (a label of one
#: to six words, capitalised, then a colon and something after it).
_FIELD = re.compile(r"[ \t>]*[*_]*(?-i:[A-Z])[\w()/&'’-]*(?:[ \t]+[\w()/&'’-]+){0,5}?[*_]*[ \t]*[:：][*_]*[ \t]*\S")


def _field_lines(text: str, raws: list[RawBlock]) -> list[RawBlock]:
    """A paragraph whose every line is a field ("Document: ...", "Issuing authority: ...",
    "Date of issue: ..."; two or more) is a field list: each line is a paragraph of its own, as a
    table of two columns would give it, and a name on one line never runs into the next."""
    out: list[RawBlock] = []
    for raw in raws:
        lines = text[raw.start:raw.end].split("\n")
        if raw.kind != PARAGRAPH or len(lines) < 2 or not all(_FIELD.match(line) for line in lines):
            out.append(raw)
            continue
        at = raw.start
        for line in lines:
            end = at + len(line.rstrip())
            if end > at:
                out.append(replace(raw, start=at, lead=at, end=end, bold=_inside(raw.bold, at, end),
                                   italic=_inside(raw.italic, at, end),
                                   markers=tuple(m for m in raw.markers if at <= m.start < end)))
            at += len(line) + 1
    return out


def structure(rendition: Rendition, path: str | Path, sha256: str) -> Document:
    """Read the genre into ``rendition``'s blocks; the :class:`Document` of ``path``.

    Raises :class:`InputError` (file and line): no numbered measure, an article number out of
    range, a footnote defined twice (a footnote marker with no footnote is left out, with a
    warning in :attr:`Document.warnings`).
    """
    path = Path(path)
    text = rendition.text
    lines = _Lines(text)
    raws = _field_lines(text, [r for r in rendition.blocks if r.end > r.start])
    if not raws:
        raise InputError("the document is empty", path=path, line=1)

    blocks: list[Block | None] = [None] * len(raws)
    # table headers: table number -> column index -> role
    roles: dict[int, dict[int, str]] = {}
    bare: list[int] = []  # blocks numbered only by a bare list number
    explicit = 0

    def make(i: int, kind: str, start: int | None = None, **extra: object) -> Block:
        raw = raws[i]
        s = raw.start if start is None else start
        if raw.kind == ROW:
            extra.setdefault("cells", raw.cells)
        return Block(kind, s, raw.end, lines.of(raw.lead if kind in ("article",) else s), level=raw.level,
                     bold=_inside(raw.bold, s, raw.end), italic=_inside(raw.italic, s, raw.end),
                     markers=_markers(text, raw, s), **extra)

    def check_number(i: int, written: str, at: int) -> int:
        n = _number(written)
        if n is None or not 1 <= n <= MAX_ARTICLE:
            raise InputError(f"article number {_shown(written)} is out of range: a measure's number runs "
                             f"from 1 to {MAX_ARTICLE:,}", path=path, line=lines.of(at))
        return n

    learnt = _learnt_forms(text, raws)
    numbered_notes = _numbered_items_as_notes(text, raws)
    last_cells: dict[int, dict[tuple[str, int], Span]] = {}  # table -> (role, column) -> the cell above
    for i, raw in enumerate(raws):
        if raw.kind == ROW:
            if raw.header:
                found: dict[int, str] = {}
                for c, cell in enumerate(raw.cells):
                    words = re.sub(r"[*_`]+", "", text[cell.start:cell.end]).strip()
                    role = next((r.name for r in column_roles() if r.pattern.search(words)), None)
                    # several columns of agencies side by side ("Lead | Participating"): all of them
                    if role and (role not in found.values() or role == "agencies" and found.get(c - 1) == role):
                        found[c] = role
                first = re.sub(r"[*_`]+", "", text[raw.cells[0].start:raw.cells[0].end]).strip() if raw.cells else ""
                if "number" not in found.values():
                    # "Task | Content | Responsible entities": the first column that names measures
                    # is their number when a later one holds their text
                    named = [c for c, role in sorted(found.items()) if role == "measure"]
                    texts = [c for c, cell in enumerate(raw.cells) if named and c > named[0] and c not in found
                             and _MEASURE_TEXT.search(re.sub(r"[*_`]+", "", text[cell.start:cell.end]))]
                    if named and texts:
                        found[named[0]] = "number"
                        found[texts[0]] = "measure"
                key = _KEY_COLUMN.fullmatch(first)
                if key and len(found) >= 2 and (key.group("task") or len(found) == len(raw.cells)) and \
                        all(role == "agencies" for c, role in found.items() if c != 0):
                    # "Task | Lead | Participating": who leads the measures numbered elsewhere (a
                    # remark beside them too; but under "Article" or "No.", a column of anything
                    # else, "New maximum fine", makes the rows measures)
                    found = {0: "key", **{c: role for c, role in found.items() if c != 0}}
                number_at = next((c for c, role in found.items() if role == "number"), None)
                if number_at is not None and number_at > 0 and "measure" not in found.values():
                    # "Batch | Notice dated | Creation areas | Number": a count in the last
                    # column of a table of something else, not the numbers of measures
                    del found[number_at]
                roles[raw.table if raw.table is not None else -1] = found
                blocks[i] = make(i, "header")
                continue
            table_key = raw.table if raw.table is not None else -1
            table_roles = roles.get(table_key, {})
            by_role: dict[str, Span] = {}
            above = last_cells.setdefault(table_key, {})
            for c, role in sorted(table_roles.items()):
                if c < len(raw.cells):
                    cell = raw.cells[c]
                    if _DITTO.fullmatch(text[cell.start:cell.end].strip(" *_")) and (role, c) in above:
                        cell = above[(role, c)]  # a ditto mark: the entry above it, again
                    above[(role, c)] = cell
                    # adjacent columns of one role read as one cell, from the first to the last
                    by_role[role] = Span(by_role[role].start, cell.end) if role in by_role else cell
            key_cell = by_role.get("key")
            if key_cell is not None and by_role.get("agencies") is not None:
                key = _CELL_NUMBER.fullmatch(" ".join(re.sub(r"[*_`]+", "", text[key_cell.start:key_cell.end]).split()))
                digits = (key.group(1) or key.group(2)) if key else None
                if digits is not None:  # a row of who leads measure N: a paragraph that says so
                    blocks[i] = make(i, "paragraph", raw.start, article=check_number(i, digits, key_cell.start),
                                     head=key_cell, agencies_cell=by_role["agencies"])
                    continue
            number_cell = by_role.get("number")
            if number_cell is not None:
                written = re.sub(r"[*_`\s]+", "", text[number_cell.start:number_cell.end])
                cell_number = _CELL_NUMBER.fullmatch(" ".join(re.sub(r"[*_`]+", "", text[number_cell.start:number_cell.end]).split()))
                digits = (cell_number.group(1) or cell_number.group(2)) if cell_number else None
                if digits is None and re.fullmatch(r"[-−–]?\d+", written):
                    check_number(i, written.replace("−", "-").replace("–", "-"), number_cell.start)
                if digits is not None:
                    n = check_number(i, digits, number_cell.start)
                    measure = by_role.get("measure")
                    body = measure.start if measure else number_cell.end
                    explicit += 1
                    blocks[i] = make(i, "article", raw.start, article=n, body_start=body,
                                     body_end=measure.end if measure else None,
                                     head=Span(number_cell.start, number_cell.end),
                                     agencies_cell=by_role.get("agencies"),
                                     category_cell=by_role.get("category"))
                    continue
            filled = [cell for cell in raw.cells if re.sub(r"[*_`\s|]+", "", text[cell.start:cell.end])]
            if "number" in table_roles.values() and len(filled) == 1 and filled[0] is raw.cells[0] and \
                    len(text[filled[0].start:filled[0].end].split()) <= 10 and \
                    not re.search(r"\d", re.sub(r"^\W*(?:[IVXLC]+|[A-Z]|\d{1,2})[.)]\s", "", text[filled[0].start:filled[0].end])):
                # a row that only names a group ("Duties of providers", "II. Financial support"),
                # in a table of numbered measures: the category of the rows under it
                cell = filled[0]
                blocks[i] = replace(make(i, "category", cell.start), end=cell.end)
                continue
            blocks[i] = make(i, "paragraph")
            continue
        if raw.kind == FOOTNOTE and i in numbered_notes:
            # "[3] Rural broadband. ..." under "NETWORK BUILD-OUT": a numbered item, no footnote
            n = check_number(i, numbered_notes[i], raw.lead if raw.lead is not None else raw.start)
            explicit += 1
            blocks[i] = make(i, "article", raw.start, article=n, body_start=raw.start,
                             head=Span(raw.lead if raw.lead is not None else raw.start, raw.start))
            continue
        if raw.kind == FOOTNOTE:
            blocks[i] = make(i, "footnote", footnote=footnote_label(raw.label) if raw.label else raw.label)
            continue
        content = text[raw.start:raw.end]
        fdef = FOOTNOTE_START.match(text, raw.start, raw.end) if raw.kind != HEADING else None
        if fdef and i in numbered_notes:
            # "[3] Rural broadband. ..." under "NETWORK BUILD-OUT": a numbered item, no footnote
            explicit += 1
            blocks[i] = make(i, "article", article=check_number(i, numbered_notes[i], raw.start),
                             body_start=fdef.end(), head=Span(raw.start, fdef.end()))
            continue
        if fdef and (fdef.group(1) or fdef.group(2)):
            written = fdef.group(1) or fdef.group(2)
            if len(written) > MAX_FOOTNOTE_DIGITS:
                raise InputError(f"a footnote numbered with {len(written):,} digits: a footnote's number "
                                 f"has at most {MAX_FOOTNOTE_DIGITS} (as its marker's)", path=path,
                                 line=lines.of(raw.start))
            label = footnote_label(written)
            blocks[i] = make(i, "footnote", fdef.end(), footnote=label)
            continue
        numbered = _numbering(text, raw.start, raw.end, bare=False, learnt=learnt)
        if numbered is not None and not re.sub(r"[\s*_.:;,–—-]+", "", text[numbered.body:raw.end]):
            numbered = None  # "No. 11." alone: a number with no measure (a document number)
        if numbered is not None and _ABOUT_A_MEASURE.match(text, numbered.body, raw.end):
            numbered = None  # "Task 18 (organisation) is not summarised here.": a sentence about one
        if numbered is not None:
            n = check_number(i, numbered.number_text, numbered.head.start)
            explicit += 1
            blocks[i] = make(i, "article", article=n, body_start=numbered.body, head=numbered.head,
                             agency_prefix=numbered.agency, category_cell=numbered.tag)
            continue
        lead = _LEADING_MARKUP.match(text, raw.start, raw.end)
        bad = _BAD_NUMBER.match(text, lead.end() if lead else raw.start, raw.end)
        if bad:  # "Article -5:", "Article 0:", "Article 1000000:": refused, not dropped
            written = re.sub(r"\s", "", bad.group(1)).replace("−", "-").replace("–", "-")
            check_number(i, written, raw.start)
        if raw.kind == ITEM and raw.number is not None:
            bare.append(i)
            blocks[i] = make(i, "bullet")
            continue
        if raw.kind in (ITEM, PARAGRAPH) and re.match(r"\d+[.)]\s", content) and raw.kind == PARAGRAPH \
                and rendition.format not in ("markdown",):
            bare.append(i)
            blocks[i] = make(i, "paragraph")
            continue
        if raw.kind == ITEM:
            blocks[i] = make(i, "category" if _all_bold(text, raw) else "bullet")
            continue
        if raw.kind == HEADING:
            blocks[i] = make(i, "heading")
            continue
        blocks[i] = make(i, "paragraph")

    # a measure numbered in a heading ("<h4>Article 3 · Division of work</h4>") has its text in
    # the paragraphs under the heading: they are the measure's, to the next heading or measure
    for i, raw in enumerate(raws):
        b = blocks[i]
        if raw.kind != HEADING or b is None or b.kind != "article":
            continue
        j = i
        while j + 1 < len(raws) and raws[j + 1].kind == PARAGRAPH and blocks[j + 1] is not None \
                and blocks[j + 1].kind == "paragraph":
            j += 1
        if j > i:
            end = raws[j].end
            blocks[i] = replace(b, end=end, bold=_inside(raw.bold, b.start, raw.end) + tuple(
                                    s for k in range(i + 1, j + 1) for s in blocks[k].bold),
                                italic=_inside(raw.italic, b.start, raw.end) + tuple(
                                    s for k in range(i + 1, j + 1) for s in blocks[k].italic),
                                markers=b.markers + tuple(mk for k in range(i + 1, j + 1) for mk in blocks[k].markers))
            for k in range(i + 1, j + 1):
                blocks[k] = None

    # bare numbers ("75." items) are measures where nothing else numbers them; where something
    # does, a list of them right under a heading ("At enterprise level", then Word's numbered
    # paragraphs) is measures all the same: the second document's, whose headings group them
    if explicit and bare:
        bare = _lists_under_headings(raws, bare, text)
    if bare:
        previous_kept: RawBlock | None = None
        for i in bare:
            raw = raws[i]
            before = raws[i - 1] if i else None
            if before is not None and before.kind == ITEM and before.number is not None and previous_kept is not None \
                    and blocks[i - 1] is not None and blocks[i - 1].kind != "article":
                continue  # the list this item belongs to was not a list of measures
            if _ends_unfinished(text, before) or _inside_a_sentence(text, raw):
                continue
            if raw.number is not None:
                n = check_number(i, str(raw.number), raw.lead)
                head = Span(raw.lead, raw.start)
                body = raw.start
            else:
                m = re.match(r"(\d+)[.)]\s*", text[raw.start:raw.end])
                n = check_number(i, m.group(1), raw.start)
                head = Span(raw.start, raw.start + m.end())
                body = raw.start + m.end()
            blocks[i] = Block("article", head.start, raw.end, lines.of(head.start), level=raw.level,
                              article=n, body_start=body, head=head,
                              bold=_inside(raw.bold, head.start, raw.end),
                              italic=_inside(raw.italic, head.start, raw.end),
                              markers=_markers(text, raw, raw.start))
            previous_kept = raw

    # no measure numbered otherwise: numbered headings with their text below them ("<h4>1.
    # Broadband for every village</h4><p>Pilot areas extend ...</p>") are the measures, where
    # two or more of one level each open a paragraph, their numbers rising
    if not any(b is not None and b.kind == "article" for b in blocks):
        heads = [i for i, raw in enumerate(raws) if raw.kind == HEADING and blocks[i] is not None
                 and _HEADING_NUMBER.match(text, raw.start, raw.end)]
        levels = {raws[i].level for i in heads}
        numbers = [int(_HEADING_NUMBER.match(text, raws[i].start, raws[i].end).group(1)) for i in heads]
        opened = all(i + 1 < len(raws) and raws[i + 1].kind == PARAGRAPH and blocks[i + 1] is not None
                     and blocks[i + 1].kind == "paragraph" for i in heads)
        if len(heads) >= 2 and len(levels) == 1 and opened and numbers == sorted(set(numbers)):
            for i, n in zip(heads, numbers):
                raw = raws[i]
                m = _HEADING_NUMBER.match(text, raw.start, raw.end)
                j = i + 1
                while j + 1 < len(raws) and raws[j + 1].kind == PARAGRAPH and blocks[j + 1] is not None \
                        and blocks[j + 1].kind == "paragraph" and j + 1 not in heads:
                    j += 1
                end = raws[j].end
                blocks[i] = Block("article", m.start(1), end, lines.of(m.start(1)), level=raw.level,
                                  article=check_number(i, m.group(1), m.start(1)), body_start=m.end(),
                                  head=Span(m.start(1), m.end()), bold=_inside(raw.bold, m.start(1), end),
                                  italic=_inside(raw.italic, m.start(1), end),
                                  markers=tuple(mk for k in range(i, j + 1) for mk in blocks[k].markers))
                for k in range(i + 1, j + 1):
                    blocks[k] = None

    # title and date line: the first blocks; or, in an e-mail or a page with lines before
    # them (a header, a greeting), the first short line with a month and a year that a short
    # line precedes: the lines before the title are a preamble, read by nobody
    first = _title_index(blocks, text)
    for i in range(first):
        b = blocks[i]
        if b is not None:
            blocks[i] = Block("preamble", b.start, b.end, b.line, bold=b.bold, italic=b.italic, markers=b.markers)
    # a web page's links to other pages after the text ("Related updates", "Read more"): its
    # furniture, read by nobody either, to the next heading
    furniture = False
    for i in range(first + 1, len(blocks)):
        b = blocks[i]
        if b is None:
            continue
        if b.kind == "heading":
            furniture = bool(_FURNITURE_HEADING.fullmatch(" ".join(text[b.start:b.end].strip(" #*_:").split())))
        if furniture and b.kind in ("heading", "paragraph", "bullet"):
            blocks[i] = Block("preamble", b.start, b.end, b.line, bold=b.bold, italic=b.italic, markers=b.markers)
    # the block under the title, lines of links and badges passed over
    under = next((i for i in range(first + 1, min(len(blocks), first + 4)) if blocks[i] is not None
                  and not _only_links(text[blocks[i].start:blocks[i].end])), None)
    def dated_line(i: int | None) -> bool:
        return i is not None and blocks[i] is not None and blocks[i].kind in ("paragraph", "heading") and \
            bool(_month_year(text[blocks[i].start:blocks[i].end])) and \
            _date_line_shape(text[blocks[i].start:blocks[i].end])

    under_dated = dated_line(under)
    if under is not None and not under_dated and blocks[under].kind == "paragraph" and \
            "\n" not in text[blocks[under].start:blocks[under].end].strip() and \
            dated_line(next((i for i in range(under + 1, min(len(blocks), under + 3)) if blocks[i] is not None), None)):
        # "# Title", "*A subtitle*", then the date line: the subtitle is read by nobody (it
        # restates the title), the date line is the one after it
        b = blocks[under]
        blocks[under] = Block("preamble", b.start, b.end, b.line, bold=b.bold, italic=b.italic, markers=b.markers)
        under = next(i for i in range(under + 1, min(len(blocks), under + 3)) if blocks[i] is not None)
        under_dated = True
    above = next((i for i in range(first - 1, -1, -1) if blocks[i] is not None), None)
    if above is not None and not under_dated:
        b = blocks[above]  # the date line over the title, where none is under it
        content = text[b.start:b.end].strip()
        if "\n" not in content and _month_year(content) and _date_line_shape(content) or _masthead(content):
            blocks[above] = Block("dateline", b.start, b.end, b.line, bold=b.bold, italic=b.italic, markers=b.markers)
    blocks[first] = Block("title", blocks[first].start, blocks[first].end, blocks[first].line,
                          bold=blocks[first].bold, italic=blocks[first].italic,
                          markers=blocks[first].markers) if blocks[first].kind != "article" else blocks[first]
    if under_dated:
        b = blocks[under]  # type: ignore[index]
        blocks[under] = Block("dateline", b.start, b.end, b.line, bold=b.bold, italic=b.italic,  # type: ignore[index]
                              markers=b.markers)

    elif not any(b is not None and b.kind == "dateline" for b in blocks):
        # no date line under the title: a signature's ("Policy Update on Data / Beijing, August
        # 2021"), among the last three blocks that are no footnote, one short line with a month
        # and a year
        tail = [i for i, b in enumerate(blocks) if b is not None and b.kind != "footnote"][-3:]
        for i in reversed(tail):
            b = blocks[i]
            lines_of = text[b.start:b.end].strip().splitlines()
            content = lines_of[-1] if lines_of else ""
            if i > first and b.kind in ("paragraph", "heading") and len(lines_of) <= 2 and \
                    len(content.split()) <= 6 and _month_year(content):
                blocks[i] = Block("dateline", b.start, b.end, b.line, bold=b.bold, italic=b.italic,
                                  markers=b.markers)
                break

    # questions are headings; a heading or an all-bold line that measures follow is a category
    out: list[Block] = [b for b in blocks if b is not None]
    # a measure whose text opens with its category in brackets ("1. [Innovation] Labelling
    # enterprises ...", as a web page's tag is read): the category, and the text after it
    for k, b in enumerate(out):
        if b.kind == "article" and b.category_cell is None and b.body_start is not None:
            tag = _TAG.match(text, b.body_start, b.body_end or b.end)
            if tag:
                out[k] = replace(b, category_cell=Span(tag.start("tag"), tag.end("tag")), body_start=tag.end())
    # a title and its subtitle on the next line ("AUDITS ON A SCHEDULE" / "China's rules for
    # ..."): the title is the first line
    at = next((k for k, b in enumerate(out) if b.kind == "title"), None)
    if at is not None:
        t = out[at]
        lines_of = text[t.start:t.end].split("\n")
        # (but a title in capitals wrapped over two lines, or one whose first line ends in "the",
        # "and", "of" ..., is one title: "... THE NHC'S MEASURES (TRIAL) AND THE" / "REGIONAL CENTRE PILOTS")
        capitals = all(x.upper() == x and any(c.isalpha() for c in x) for x in lines_of)
        wrapped = len(lines_of) == 2 and (capitals or re.search(
            r"\b(?:the|and|of|for|on|in|to|a|an|with|from)\s*$", lines_of[0], re.IGNORECASE) is not None)
        if len(lines_of) == 2 and all(0 < len(x.strip()) <= 120 for x in lines_of) and \
                lines_of[0].rstrip()[-1:] not in ".:;," and not wrapped:
            cut = t.start + len(lines_of[0].rstrip())
            sub = t.start + len(lines_of[0]) + 1
            sub += len(text[sub:t.end]) - len(text[sub:t.end].lstrip())
            out[at:at + 1] = [Block("title", t.start, cut, t.line, bold=_inside(t.bold, t.start, cut),
                                    italic=_inside(t.italic, t.start, cut),
                                    markers=tuple(m for m in t.markers if m.start < cut)),
                              Block("paragraph", sub, t.end, t.line + 1, bold=_inside(t.bold, sub, t.end),
                                    italic=_inside(t.italic, sub, t.end),
                                    markers=tuple(m for m in t.markers if m.start >= cut))]
    # the first block after each that is not a footnote, found in one pass from the end (the
    # loop below changes no block into or out of a footnote or an article)
    following_of: list[Block | None] = [None] * len(out)
    for j in range(len(out) - 2, -1, -1):
        following_of[j] = out[j + 1] if out[j + 1].kind != "footnote" else following_of[j + 1]
    for i, b in enumerate(out):
        if b.kind in ("title", "dateline", "article", "footnote", "header", "preamble"):
            continue
        content = text[b.start:b.end]
        question = content.rstrip(" *_").endswith("?") and "\n" not in content.strip()
        if question:
            if b.kind == "paragraph":
                out[i] = Block("heading", b.start, b.end, b.line, bold=b.bold, italic=b.italic, markers=b.markers)
            continue
        short_bold = b.kind == "paragraph" and len(content) <= 120 and "\n" not in content.strip() \
            and _all_bold(text, RawBlock(PARAGRAPH, b.start, b.end, bold=b.bold))
        # a short plain line right before a measure names its group: "Infrastructure and data"
        # (or in italics: "*Principles*", as a newsletter sets the group over its paragraphs)
        short_plain = b.kind == "paragraph" and len(content.split()) <= 8 and \
            _SHORT_LINE.fullmatch(re.sub(r"^([*_])(?!\1)(.+?)\1$", r"\2", content.strip())) is not None
        if b.kind == "heading" or short_bold or short_plain:
            following = following_of[i]
            if following is not None and following.kind == "article":
                out[i] = Block("category", b.start, b.end, b.line, level=b.level, bold=b.bold,
                               italic=b.italic, markers=b.markers)

    articles = sum(1 for b in out if b.kind == "article")
    if articles > MAX_MEASURES:
        block = [b for b in out if b.kind == "article"][MAX_MEASURES]
        raise InputError(f"more than {MAX_MEASURES:,} numbered measures in one document",
                         path=path, line=block.line)

    doc = Document(path=str(path), text=text, sha256=sha256, blocks=tuple(out), year=None, month=None,
                   _line_starts=tuple(lines.starts), format=rendition.format, markup=rendition.markup)
    year = month = None
    dateline = doc.dateline
    if dateline is not None:
        found = _month_year(doc.slice(dateline))
        if found:
            month, year = found
    blocks_out = _notes_by_number(text, list(doc.blocks))
    # a dagger after a word is a footnote marker only where a footnote opens with it ("Tom†" in
    # a name list is no marker); a digit marker without its footnote is left out with a warning
    notes = {b.footnote for b in blocks_out if b.kind == "footnote"}
    warnings = [f"{path}:1: measures numbered \"{form.example}\", ...: a numbering form policykg does not "
                f"know, learnt from this document (mappings/patterns/numbering.toml lists the known ones)"
                for form in learnt]
    warnings += [f"{path}:{lines.of(m.start)}: footnote marker {text[m.start:m.end]!r} has no footnote: left out"
                for b in blocks_out for m in b.markers if m.label not in notes and not set(m.label) <= set("†‡")]
    blocks_out = tuple(replace(b, markers=tuple(m for m in b.markers if m.label in notes))
                       if any(m.label not in notes for m in b.markers) else b for b in blocks_out)
    doc = Document(path=doc.path, text=text, sha256=sha256, blocks=blocks_out, year=year, month=month,
                   _line_starts=doc._line_starts, format=doc.format, markup=doc.markup, warnings=tuple(warnings))
    _check(doc)
    return doc


#: A note written as a paragraph that opens with its number alone: "1 The NPCSC adopted ...".
_NOTE_NUMBER = re.compile(r"[ \t]*(\d{1,3})[.)]?[ \t]+(?=\S)")


def _notes_by_number(text: str, blocks: list[Block]) -> list[Block]:
    """The footnotes a document writes as paragraphs that open with a bare number ("1 The
    NPCSC adopted ..." under "Notes", as Word's numbered notes come out in plain text): a
    paragraph after every marker of its number, where no footnote has that number."""
    notes = {b.footnote for b in blocks if b.kind == "footnote"}
    last_marker: dict[str, int] = {}
    for b in blocks:
        for m in b.markers:
            if m.label not in notes:
                last_marker[m.label] = max(last_marker.get(m.label, -1), m.start)
    if not last_marker:
        return blocks
    out = []
    for b in blocks:
        m = _NOTE_NUMBER.match(text, b.start, b.end) if b.kind == "paragraph" else None
        label = footnote_label(m.group(1)) if m else None
        if m and label in last_marker and last_marker[label] < b.start and label not in notes:
            notes.add(label)
            b = replace(b, kind="footnote", start=m.end(), footnote=label)
        out.append(b)
    return out


#: A month written with digits: "2025-03", "2025-03-05", "2025/03/05" (ISO order), "2021年8月"
#: (Chinese), "22.09.2025" (day, month and year with full stops, as European pages write it).
_NUMERIC_MONTH = re.compile(r"\b(?P<y>(?:19|20)\d\d)[-/](?P<m>0?[1-9]|1[0-2])(?:[-/]\d{1,2})?\b|"
                            r"(?P<cy>(?:19|20)\d\d)\s*年\s*(?P<cm>\d{1,2})\s*月|"
                            r"\b\d{1,2}\.(?P<em>0?[1-9]|1[0-2])\.(?P<ey>(?:19|20)\d\d)\b")


def _month_year(content: str) -> tuple[int, int] | None:
    """The month and year a date line gives ("September 2020", "2025-03", "2021年8月")."""
    m = DATE_LINE.search(content)
    if m:
        return MONTHS[m.group(1).lower()], int(m.group(2))
    n = _NUMERIC_MONTH.search(content)
    if n and 1 <= int(n.group("m") or n.group("cm") or n.group("em")) <= 12:
        return int(n.group("m") or n.group("cm") or n.group("em")), int(n.group("y") or n.group("cy") or n.group("ey"))
    return None


#: A heading that opens with a number: "1. Broadband for every village", "3) Platforms".
#: After a measure's number, a caption in brackets and a verb: a sentence about the measure, not
#: the measure ("Task 18 (organisation and implementation) is not summarised here.").
_ABOUT_A_MEASURE = re.compile(r"[*_]*\s*\([^()\n]{1,80}\)[*_]*\s+(?:is|are|was|were|has|have|had|will|would|remains?|"
                              r"appears?|does|do|did|covers?|falls?|stays?)\b")
_HEADING_NUMBER = re.compile(r"[ \t]*(?:[*_]+[ \t]*)?(\d{1,4})[.)][ \t]+(?=\S)")


def _date_line_shape(content: str) -> bool:
    """A date line is one line, and short or no sentence ("Policy Update | May 2021", "*Published
    12 March 2024 by the editorial team*"); "The State Council issued the Opinions on 30 March
    2020." is the text's first sentence, not its date line."""
    line = " ".join(re.sub(r"[*_#>|]+", " ", content).split())
    if "\n" in content.strip():
        return False
    return len(line.split()) <= 10 or not line.endswith((".", "!", "?"))


def no_measures(doc: Document) -> InputError:
    """The error of a document with no numbered measures that names no policy document either:
    what was found, and the lines expected. (A document that names documents but numbers no
    measures is read for the rest, with a warning: see :func:`policykg.pipeline.extract.run`.)"""
    kinds: dict[str, int] = {}
    for b in doc.blocks:
        kinds[b.kind] = kinds.get(b.kind, 0) + 1
    order = ("title", "dateline", "heading", "paragraph", "bullet", "category", "footnote", "header")
    names = {"dateline": "date line", "bullet": "list item", "header": "table header"}
    found = ", ".join(f"{kinds[k]} {names.get(k, k)}{'' if kinds[k] == 1 else 's'}"
                      for k in order if k in kinds)
    return InputError(f"found {found or 'no blocks'} and 0 numbered measures; expected lines such as "
                      "\"Article 12: ...\", \"Art. 12\", \"(12)\", \"12.\" in a numbered list or a "
                      "table with a number column: not a policy update on measures", path=Path(doc.path), line=1)


def _check(doc: Document) -> None:
    """Refuse what cannot be a policy update of the genre, saying what was found."""
    path = Path(doc.path)
    opening = next(b for b in doc.blocks if b.kind not in ("preamble", "dateline"))
    if opening.kind != "title":  # the first block is a numbered measure
        first = " ".join(doc.text[opening.start:opening.end].split())
        raise InputError(f"the document begins with a numbered measure ({first[:60]!r}), not with its "
                         "title: a policy update's first line is its title", path=path, line=opening.line)
    seen: dict[str, Block] = {}
    for block in doc.blocks:
        if block.kind == "footnote" and block.footnote:
            if block.footnote in seen:
                raise InputError(f"footnote {block.footnote} is defined twice", path=path, line=block.line)
            seen[block.footnote] = block


__all__ = ["MAX_ARTICLE", "MAX_MEASURES", "MARKER", "ColumnRole", "NumberingForm", "column_roles",
           "numbering_forms", "structure"]

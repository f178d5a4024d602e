"""Word (.docx): a policy update written in Word, LibreOffice or Google Docs and saved as .docx.

Door: :func:`read`. python-docx opens the package (styles, numbering, the document part); the
body is walked in document order — paragraphs, tables and the paragraphs inside content
controls — into a :class:`~policykg.pipeline.readers.base.RenditionBuilder`:

* **Headings**: paragraph styles ``Title`` and ``Heading N`` (or a style based on one, or with
  an outline level). The title is level 1; when the document uses the ``Title`` style,
  ``Heading N`` is level N + 1, else N. ``Subtitle`` is a paragraph. A numbered heading keeps
  its number as text (``1. Scope``).
* **List items**: paragraphs with numbering properties (``w:numPr``, written on the paragraph
  or on its style: ``List Bullet``, ``List Number`` ...), their depth ``w:ilvl``. Numbers are
  counted as Word counts them: per abstract numbering and level, from the level's ``w:start``
  (or a ``w:startOverride`` of the list instance, which restarts it), a level restarting
  whenever a higher level is numbered; a bullet level (``numFmt="bullet"``) gives no number.
  So a paragraph Word shows as "75." is ``75. `` in the rendition. Number formats other than
  decimal (``a.``, ``iv.``) still give the item's ordinal.
* **Emphasis**: a run's bold and italic (``run.bold``/``run.italic``), else its character
  style's, else the paragraph style's, following ``basedOn``; hidden runs (``w:vanish``) and
  deleted text (tracked changes) are left out, inserted text is kept.
* **Footnotes**: a ``w:footnoteReference`` is a marker ``[N]``, N the number Word shows
  (footnotes are numbered in the order they are referenced, whatever their ids); the
  footnotes part (``word/footnotes.xml``) gives a footnote block ``[N] text`` for each
  referenced footnote, at the end of the rendition. Endnotes are read the same way, numbered
  after the footnotes. Notes typed by hand are read too: a superscript number (a run set
  ``vertAlign="superscript"``) is a marker — when the document has no Word footnotes, or one
  with that number — and the numbered items under a heading "Notes" (or "Footnotes",
  "Endnotes") are footnote blocks where they stand.
* **Tables**: rows of cells (a cell's paragraphs joined by spaces, nested tables flattened);
  the leading rows marked "repeat as header row" are the header, else the first row when the
  table's look says it has a header row (Word's default), else none.
* Hyperlinks keep their text; tabs and line breaks are spaces; field codes are not text, field
  results are.

Not read: text boxes and shapes, headers and footers of the page, comments, equations, images.
A document with no text, a ZIP that is not a Word document and a damaged one raise
:class:`~policykg.errors.InputError`.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from lxml import etree

from ...errors import InputError
from .base import HEADING, ITEM, PARAGRAPH, Rendition, RenditionBuilder, Run

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
RT_FOOTNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
RT_ENDNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/endnotes"
#: A heading over notes typed by hand: the numbered items under it are footnotes.
NOTES_HEADING = re.compile(r"^(?:foot|end)?notes?:?$")


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _wval(el: etree._Element | None, attr: str = "val") -> str | None:
    return None if el is None else el.get(w(attr))


def _on(el: etree._Element | None) -> bool | None:
    """A toggle property (``<w:b/>``, ``<w:b w:val="0"/>``): True, False, or None if absent."""
    if el is None:
        return None
    return (_wval(el) or "true").lower() not in ("0", "false", "off", "none")


#: Elements whose runs are part of the paragraph's text (a link, inserted text, a field ...).
RUN_CONTAINERS = frozenset(w(t) for t in ("hyperlink", "ins", "moveTo", "smartTag", "customXml",
                                          "fldSimple", "dir", "bdo"))


def read(data: bytes, path: Path) -> Rendition:
    """Read a Word .docx document into a rendition (see the module docstring)."""
    document = _open(data, path)
    reader = _Reader(document)
    reader.read()
    rendition = reader.builder.build()
    if not rendition.blocks:
        raise InputError("the Word document has no text", path=path)
    return rendition


def _open(data: bytes, path: Path):  # -> docx.document.Document
    try:
        names = set(zipfile.ZipFile(BytesIO(data)).namelist())
    except zipfile.BadZipFile:
        raise InputError("not a Word .docx document (not a ZIP archive, or a damaged one)",
                         path=path) from None
    if "word/document.xml" not in names:
        raise InputError("a ZIP archive, not a Word .docx document (it has no word/document.xml)",
                         path=path)
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return docx.Document(BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError,
            EOFError, OSError, AttributeError, TypeError) as exc:
        reason = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
        reason = reason.splitlines()[0] if reason.strip() else type(exc).__name__
        raise InputError(f"a damaged or unsupported Word document: {reason}", path=path) from None


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    style: str | None = None  # the paragraph style linked to this level


@dataclass
class _Numbering:
    """Word's numbering definitions and the counters of the lists read so far."""

    abstract: dict[str, dict[int, _Level]] = field(default_factory=dict)
    num: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)  # numId -> (abstract, overrides)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)
    started: set[str] = field(default_factory=set)  # numIds whose overrides were applied

    @classmethod
    def of(cls, document) -> _Numbering:
        out = cls()
        try:
            part = document.part.numbering_part
        except (KeyError, NotImplementedError, AttributeError):
            return out
        root = part.element
        links: dict[str, str] = {}  # abstractNumId -> the list style it takes its levels from
        for abstract in root.iterchildren(w("abstractNum")):
            link = _wval(abstract.find(w("numStyleLink")))
            if link:
                links[_wval(abstract, "abstractNumId") or ""] = link
            levels = {}
            for lvl in abstract.iterchildren(w("lvl")):
                ilvl = _int(_wval(lvl, "ilvl"), 0)
                levels[ilvl] = _Level(
                    start=_int(_wval(lvl.find(w("start"))), 1),
                    fmt=_wval(lvl.find(w("numFmt"))) or "decimal",
                    text=_wval(lvl.find(w("lvlText"))) or "",
                    style=_wval(lvl.find(w("pStyle"))))
            out.abstract[_wval(abstract, "abstractNumId") or ""] = levels
        for num in root.iterchildren(w("num")):
            abstract_id = _wval(num.find(w("abstractNumId"))) or ""
            overrides = {}
            for override in num.iterchildren(w("lvlOverride")):
                start = _wval(override.find(w("startOverride")))
                if start is not None:
                    overrides[_int(_wval(override, "ilvl"), 0)] = _int(start, 1)
            out.num[_wval(num, "numId") or ""] = (abstract_id, overrides)
        for abstract_id, style_id in links.items():  # a list defined by a list style
            try:
                style = document.styles.element.get_by_id(style_id)
            except (KeyError, AttributeError):
                style = None
            num_id = _wval(style.find(f"{w('pPr')}/{w('numPr')}/{w('numId')}")) if style is not None else None
            target = out.num.get(num_id or "", ("", {}))[0]
            if target and target != abstract_id and out.abstract.get(target):
                out.abstract[abstract_id] = out.abstract[target]
        return out

    def level(self, num_id: str, ilvl: int) -> _Level:
        abstract_id, _ = self.num.get(num_id, ("", {}))
        return self.abstract.get(abstract_id, {}).get(ilvl, _Level())

    def level_of_style(self, num_id: str, style_id: str) -> int | None:
        abstract_id, _ = self.num.get(num_id, ("", {}))
        for ilvl, level in self.abstract.get(abstract_id, {}).items():
            if level.style == style_id:
                return ilvl
        return None

    def next(self, num_id: str, ilvl: int) -> int:
        """Count a paragraph of list ``num_id`` at level ``ilvl``: its number."""
        abstract_id, overrides = self.num.get(num_id, (f"#{num_id}", {}))
        counters = self.counters.setdefault(abstract_id, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for level, start in overrides.items():  # "restart numbering" in Word
                counters[level] = start - 1
                for deeper in [k for k in counters if k > level]:
                    del counters[deeper]
        if ilvl not in counters:
            counters[ilvl] = self.level(num_id, ilvl).start - 1
        counters[ilvl] += 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        return counters[ilvl]

    def label(self, num_id: str, ilvl: int, number: int) -> str:
        """The number as the level's text writes it (``%1.%2``), decimal levels only."""
        abstract_id, _ = self.num.get(num_id, ("", {}))
        counters = self.counters.get(abstract_id, {})
        text = self.level(num_id, ilvl).text or "%1."

        def value(match: re.Match) -> str:
            level = int(match.group(1)) - 1
            return str(number if level == ilvl else counters.get(level, self.level(num_id, level).start))

        return re.sub(r"%([1-9])", value, text)


class _Reader:
    def __init__(self, document) -> None:
        self.document = document
        self.builder = RenditionBuilder("docx")
        self.numbering = _Numbering.of(document)
        self.styles = {s.style_id: s for s in document.styles}
        from docx.enum.style import WD_STYLE_TYPE

        try:
            self.default_style = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
        except (KeyError, ValueError, AttributeError):
            self.default_style = None
        self._chains: dict[int, list] = {}
        self._flags: dict[tuple, bool] = {}
        body = document.element.body
        uses_title = any(self._style_name(self._paragraph_style(p)) == "title"
                         for p in body.iter(w("p")))
        self.heading_offset = 1 if uses_title else 0
        self.under_notes = False  # the last heading was "Notes": numbered items are footnotes
        # footnotes and endnotes are numbered in the order they are referenced
        self.labels: dict[tuple[str, str], str] = {}
        refs = [(el.tag, el.get(w("id"))) for el in body.iter(w("footnoteReference"), w("endnoteReference"))]
        for kind in (w("footnoteReference"), w("endnoteReference")):
            for tag, note_id in refs:
                if tag == kind and (tag, note_id) not in self.labels:
                    self.labels[(tag, note_id)] = str(len(self.labels) + 1)

    # -- styles ---------------------------------------------------------------------------

    def _paragraph_style(self, p: etree._Element):
        style_id = _wval(p.find(f"{w('pPr')}/{w('pStyle')}"))
        style = self.styles.get(style_id) if style_id else None
        return style if style is not None else self.default_style

    def _chain(self, style) -> list:
        """``style`` and the styles it is based on (cached: python-docx looks each up)."""
        if style is None:
            return []
        key = id(style)
        if key not in self._chains:
            chain, seen = [], set()
            while style is not None and style.style_id not in seen:
                seen.add(style.style_id)
                chain.append(style)
                try:
                    style = style.base_style
                except (KeyError, AttributeError):
                    break
            self._chains[key] = chain
        return self._chains[key]

    @staticmethod
    def _style_name(style) -> str:
        return (getattr(style, "name", None) or "").strip().lower()

    def _heading_level(self, p: etree._Element, style) -> int | None:
        for s in self._chain(style):
            name = self._style_name(s)
            if name == "title":
                return 1
            if name in ("subtitle",):
                return None
            match = re.fullmatch(r"heading\s*([1-9])", name)
            if match:
                return int(match.group(1)) + self.heading_offset
        outline = _wval(p.find(f"{w('pPr')}/{w('outlineLvl')}"))
        if outline is None:
            for s in self._chain(style):
                outline = _wval(s.element.find(f"{w('pPr')}/{w('outlineLvl')}"))
                if outline is not None:
                    break
        level = _int(outline, 9)
        return level + 1 + self.heading_offset if level < 9 else None

    def _numbering(self, p: etree._Element, style) -> tuple[str, int, int] | None:
        """(numId, ilvl, depth) of a numbered or bulleted paragraph, or None."""
        num_pr = p.find(f"{w('pPr')}/{w('numPr')}")
        num_id = _wval(num_pr.find(w("numId"))) if num_pr is not None else None
        ilvl = _wval(num_pr.find(w("ilvl"))) if num_pr is not None else None
        from_style = None
        if num_id is None:
            for s in self._chain(style):
                style_pr = s.element.find(f"{w('pPr')}/{w('numPr')}")
                if style_pr is not None:
                    num_id = _wval(style_pr.find(w("numId")))
                    ilvl = ilvl if ilvl is not None else _wval(style_pr.find(w("ilvl")))
                    from_style = s
                    break
        if num_id is None or num_id == "0":
            return None
        if ilvl is None and from_style is not None:
            # Word's List Bullet 2, List Number 3 ...: single-level lists indented deeper
            linked = self.numbering.level_of_style(num_id, from_style.style_id) or 0
            match = re.fullmatch(r"list(?: bullet| number| continue)? ([2-9])", self._style_name(from_style))
            return num_id, linked, int(match.group(1)) - 1 if match else linked
        level = _int(ilvl, 0)
        return num_id, level, level

    def _flag(self, run_el: etree._Element, paragraph_style, name: str) -> bool:
        """The effective bold (``b``) or italic (``i``) of a run."""
        direct = _on(run_el.find(f"{w('rPr')}/{w(name)}"))
        if direct is not None:
            return direct
        char_id = _wval(run_el.find(f"{w('rPr')}/{w('rStyle')}")) or ""
        key = (char_id, id(paragraph_style), name)
        if key not in self._flags:
            self._flags[key] = False
            for start in (self.styles.get(char_id), paragraph_style):
                values = [_on(s.element.find(f"{w('rPr')}/{w(name)}")) for s in self._chain(start)]
                value = next((v for v in values if v is not None), None)
                if value is not None:
                    self._flags[key] = value
                    break
        return self._flags[key]

    # -- the body -------------------------------------------------------------------------

    def read(self) -> None:
        self._blocks(self.document.element.body)
        self._notes(RT_FOOTNOTES, w("footnote"), w("footnoteReference"))
        self._notes(RT_ENDNOTES, w("endnote"), w("endnoteReference"))

    def _blocks(self, container: etree._Element) -> None:
        for child in container:
            if child.tag == w("p"):
                self._paragraph(child)
            elif child.tag == w("tbl"):
                self._table(child)
            elif child.tag == w("sdt"):
                content = child.find(w("sdtContent"))
                if content is not None:
                    self._blocks(content)
            elif child.tag in (w("customXml"), w("ins"), w("moveTo")):
                self._blocks(child)

    def _paragraph(self, p: etree._Element) -> None:
        style = self._paragraph_style(p)
        runs = self._runs(p, style)
        level = self._heading_level(p, style)
        numbered = self._numbering(p, style)
        if level is not None:
            if numbered is not None:
                num_id, ilvl, _ = numbered
                fmt = self.numbering.level(num_id, ilvl).fmt
                if fmt not in ("bullet", "none"):
                    number = self.numbering.next(num_id, ilvl)
                    if fmt == "decimal" or fmt == "decimalZero":
                        runs.insert(0, Run(self.numbering.label(num_id, ilvl, number) + " "))
            self.builder.block(HEADING, runs, level=min(level, 9))
            title = " ".join("".join(r.text for r in runs if r.note is None).split()).lower()
            self.under_notes = bool(NOTES_HEADING.match(title))
        elif numbered is not None:
            num_id, ilvl, depth = numbered
            fmt = self.numbering.level(num_id, ilvl).fmt
            number = None
            if fmt not in ("bullet", "none"):  # Word numbers (and counts) an empty paragraph too
                number = self.numbering.next(num_id, ilvl)
            if self.under_notes and number is not None and depth == 0:
                self.builder.footnote(str(number), runs)  # a "Notes" list typed by hand
            else:
                self.builder.block(ITEM, runs, level=depth, number=number)
        else:
            self.builder.block(PARAGRAPH, runs)

    def _runs(self, container: etree._Element, style, *, skip_note_mark: bool = False) -> list[Run]:
        runs: list[Run] = []
        for child in container:
            if child.tag == w("r"):
                self._run(child, style, runs, skip_note_mark)
            elif child.tag in RUN_CONTAINERS:
                runs += self._runs(child, style, skip_note_mark=skip_note_mark)
            elif child.tag == w("sdt"):
                content = child.find(w("sdtContent"))
                if content is not None:
                    runs += self._runs(content, style, skip_note_mark=skip_note_mark)
            elif child.tag == f"{{{MC}}}AlternateContent":
                fallback = child.find(f"{{{MC}}}Fallback")
                if fallback is not None:
                    runs += self._runs(fallback, style, skip_note_mark=skip_note_mark)
        return runs

    def _run(self, r: etree._Element, style, runs: list[Run], skip_note_mark: bool) -> None:
        if _on(r.find(f"{w('rPr')}/{w('vanish')}")):
            return
        bold = self._flag(r, style, "b")
        italic = self._flag(r, style, "i")
        if _wval(r.find(f"{w('rPr')}/{w('vertAlign')}")) == "superscript" and r.find(w("footnoteReference")) is None:
            label = _label("".join("".join(t.itertext()) for t in r.iter(w("t"))))
            known = {label for (tag, _), label in self.labels.items()}
            if label is not None and (not known or label in known):
                runs.append(Run("", note=label))  # a reference typed by hand: ¹ as a raised 1
                return
        text: list[str] = []

        def flush() -> None:
            if text:
                runs.append(Run("".join(text), bold=bold, italic=italic))
                text.clear()

        custom_mark = False
        for child in r:
            tag = child.tag
            if tag == w("t"):
                if custom_mark:  # a footnote with its own mark (*): the mark is this text
                    custom_mark = False
                    continue
                text.append("".join(child.itertext()))  # an unresolved entity stays "&name;"
            elif tag in (w("tab"), w("br"), w("cr"), w("ptab")):
                text.append(" ")
            elif tag == w("noBreakHyphen"):
                text.append("-")
            elif tag in (w("footnoteReference"), w("endnoteReference")):
                flush()
                label = self.labels.get((tag, child.get(w("id"))))
                if child.get(w("customMarkFollows")) in ("1", "true", "on"):
                    custom_mark = True
                if label is not None:
                    runs.append(Run("", note=label))
            elif tag in (w("footnoteRef"), w("endnoteRef")) and skip_note_mark:
                pass
        flush()

    def _table(self, tbl: etree._Element) -> None:
        rows: list[list[list[Run]]] = []
        header = 0
        counting_header = True
        for tr in tbl.iterchildren(w("tr")):
            row = []
            for tc in tr.iterchildren(w("tc")):
                row.append(self._cell(tc))
            if not any("".join(r.text for r in cell).strip() or any(r.note for r in cell) for cell in row):
                continue
            repeat = _on(tr.find(f"{w('trPr')}/{w('tblHeader')}"))
            if counting_header and repeat:
                header += 1
            else:
                counting_header = False
            rows.append(row)
        if not rows:
            return
        if header == 0:
            look = tbl.find(f"{w('tblPr')}/{w('tblLook')}")
            if look is not None:
                first = look.get(w("firstRow"))
                if first is not None:
                    header = 1 if first in ("1", "true", "on") else 0
                elif look.get(w("val")):
                    header = 1 if int(look.get(w("val")), 16) & 0x0020 else 0
        self.builder.table(rows, header_rows=min(header, len(rows)))

    def _cell(self, tc: etree._Element) -> list[Run]:
        runs: list[Run] = []
        for el in tc.iter(w("p")):
            if runs:
                runs.append(Run(" "))
            runs += self._runs(el, self._paragraph_style(el))
        return runs

    def _notes(self, reltype: str, tag: str, ref_tag: str) -> None:
        """The footnotes (or endnotes) part: a footnote block for each referenced note, in the
        order of their numbers."""
        root = self._part_xml(reltype)
        if root is None:
            return
        notes = {}
        for note in root.iterchildren(tag):
            kind = note.get(w("type")) or "normal"
            if kind != "normal":
                continue  # separators
            label = self.labels.get((ref_tag, note.get(w("id"))))
            if label is None:
                continue  # not referenced: Word does not show it
            runs: list[Run] = []
            for p in note.iter(w("p")):
                if runs:
                    runs.append(Run(" "))
                runs += self._runs(p, self._paragraph_style(p), skip_note_mark=True)
            notes[int(label)] = (label, runs)
        for key in sorted(notes):
            label, runs = notes[key]
            self.builder.footnote(label, runs)

    def _part_xml(self, reltype: str) -> etree._Element | None:
        for rel in self.document.part.rels.values():
            if rel.reltype == reltype and not rel.is_external:
                parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
                try:
                    return etree.fromstring(rel.target_part.blob, parser=parser)
                except etree.XMLSyntaxError:
                    return None
        return None


def _label(text: str) -> str | None:
    """``1``, ``[1]``, ``(1)`` -> ``"1"``, else None."""
    text = text.strip().strip("[]()").strip()
    return str(int(text)) if text.isdigit() and len(text) <= 3 else None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


__all__ = ["read"]

"""HTML: a policy update saved from a web page or exported by a word processor or a converter.

Door: :func:`read`. The bytes are decoded first — a byte-order mark, else the page's own
``<meta charset>`` (or ``http-equiv="content-type"``), else UTF-8 with the checks of
:func:`policykg.pipeline.readers.text.decode` — then parsed by lxml (libxml2's HTML parser, which recovers
from malformed markup as browsers do) and the ``<body>`` is walked in document order into a
:class:`~policykg.pipeline.readers.base.RenditionBuilder`:

* ``h1``–``h6`` are headings of that level; ``p``, ``blockquote``, ``pre`` and text written
  straight into a ``div`` (or a ``section``, ``article``, ...) are paragraphs; two ``<br>`` in a
  row end a paragraph, one is a space.
* ``ul``/``ol``/``li`` are list items, their depth the nesting of lists. An ``ol`` numbers its
  items as a browser does: from ``start`` (counting down from the number of items when
  ``reversed``), a ``<li value="N">`` setting the number of its item and of those after it;
  ``ul`` items have no number. The paragraphs of one ``li`` are one item.
* ``table`` rows are rows: the rows of ``thead`` are the header; without a ``thead``, a first
  row made of ``th`` cells is. A ``caption`` is a paragraph before the table.
* ``strong``/``b`` are bold and ``em``/``i`` italic, as are spans whose ``style`` says
  ``font-weight: bold`` (600 or more) or ``font-style: italic``; ``font-weight: normal``
  undoes a surrounding ``<b>`` (as Google Docs writes it).
* Footnote references: a ``<sup>`` holding a link or a bare number (``<sup>2</sup>``: unless
  the page has footnotes and none has that label, as in ``km<sup>2</sup>``) and an
  ``<a href="#fn1">`` (or ``#footnote-1``, Word's ``#_ftn1``, ``#cite_note-1``, or any link
  to a footnote of the page) become a ``[N]`` marker.
* Footnotes: the items and labelled paragraphs of a container whose class, id or role says
  footnotes (``footnotes``, ``fn``, ``endnotes``, ``notes``, ``doc-endnotes``), the items of
  an ``ol`` right under a heading "Notes" (or "Footnotes", "Endnotes"), an element
  whose id is a footnote's (``<li id="fn1">``, Word's ``<div id="ftn1">``), and a paragraph
  that starts with ``<sup>N</sup>`` are footnote blocks ``[N] text`` where they stand, not list
  items; their back-links (``↩``, ``href="#fnref1"``) are dropped.
* ``script``, ``style``, ``template``, ``noscript``, ``nav``, forms and media are skipped, as
  are elements marked ``hidden``, ``aria-hidden`` or ``display: none``; so are a page's
  ``header`` and ``footer`` (its banner and its site footer) — but not those inside an
  ``article`` or ``main``, which hold the document's own title and date line; and what a site
  puts around the page, by an element's class, id or role: navigation, breadcrumbs and cookie
  banners anywhere, an ``aside`` or a sidebar ("related updates", "contact") outside the
  article.
* Entities are decoded by the parser; a no-break space is a space in the rendition.

Not read: CSS beyond an element's own ``style`` attribute (a heading styled by a class is a
paragraph; a bullet drawn by CSS has no number), images and their ``alt`` text, generated
content (``::before``), right-to-left layout. A page whose body has no text, one that is not
UTF-8 and declares no other charset, and one nested more than 256 elements deep (where libxml2
stops: the rest would be lost) raise :class:`~policykg.errors.InputError`.
"""
from __future__ import annotations

import codecs
import re
from pathlib import Path

import lxml.html
from lxml import etree

from ...errors import InputError
from .base import HEADING, ITEM, PARAGRAPH, Rendition, RenditionBuilder, Run
from .text import decode

#: Elements whose content is never part of the document's text.
SKIPPED = frozenset({
    "script", "style", "template", "noscript", "nav", "head", "title", "meta", "link", "base",
    "iframe", "object", "embed", "svg", "math", "canvas", "video", "audio", "map", "img",
    "picture", "form", "button", "select", "textarea", "input", "label", "dialog", "menu",
})
#: A page's banner and site footer: skipped unless inside an article or main.
PAGE_FURNITURE = frozenset({"header", "footer"})
#: Elements that start a block of their own (everything else is inline).
BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "center", "details", "dd", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hgroup", "hr", "li", "main", "ol", "p", "pre", "section", "summary", "table", "ul", "tr",
    "td", "th", "thead", "tbody", "tfoot", "caption", "body", "html",
})
HEADINGS = {f"h{n}": n for n in range(1, 7)}
#: A heading over the notes: the numbered list right under it is the footnotes.
NOTES_HEADING = frozenset({"notes", "note", "footnotes", "endnotes", "notes:", "footnotes:", "endnotes:"})
LISTS = frozenset({"ul", "ol"})
#: Class, id or role words of an element that holds the footnotes.
NOTE_WORDS = frozenset({"footnotes", "footnote", "fn", "fns", "endnotes", "endnote", "notes",
                        "doc-endnotes", "doc-footnotes", "doc-footnote", "doc-endnote"})
#: How a footnote's id starts (``fn1``, ``fn:1``, ``footnote-1``, Word's ``ftn1``/``_ftn1``,
#: ``cite_note-1``); longest first.
NOTE_ID_PREFIXES = ("cite_note", "footnote", "endnote", "_ftn", "_edn", "ftn", "edn", "note",
                    "fn", "en")
#: How the id of a footnote *reference* starts: a link to it is a back-link.
BACKREF_PREFIXES = ("fnref", "_ftnref", "ftnref", "_ednref", "ednref", "cite_ref", "footnote-ref",
                    "footnoteref", "fn-ref", "ref")
BACKLINK_TEXT = frozenset({"↩", "↩︎", "↑", "^", "⤴", "⮌", "back", "return"})
#: Invisible characters dropped from text.
INVISIBLE = str.maketrans("", "", "\u00ad\u200b\u2060\ufeff")

Style = tuple[bool, bool]  # (bold, italic)


def read(data: bytes, path: Path) -> Rendition:
    """Read an HTML page into a rendition (see the module docstring)."""
    text = _decode(data, path)
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError):
        root = None  # "Document is empty"
    fatal = [e for e in parser.error_log if e.level_name == "FATAL"]
    if fatal:  # libxml2 stopped (elements nested more than 256 deep): the rest would be lost
        reason = fatal[0].message.split(":")[0].strip() or "a fatal parse error"
        raise InputError(f"the HTML page cannot be read whole: {reason}", path=path, line=fatal[0].line)
    body = root.find("body") if root is not None else None
    if body is None:
        raise InputError("an HTML page with no text in its body", path=path)
    # First walk: where the footnotes are and what they are labelled, so that a bare
    # <sup>2</sup> can be told from a footnote reference; second walk: the rendition.
    first = _Walker(notes=None)
    first.walk(body)
    walker = _Walker(notes=first.found)
    walker.walk(body)
    rendition = walker.builder.build()
    if not rendition.blocks:
        raise InputError("an HTML page with no text in its body", path=path)
    return rendition


# -- decoding ----------------------------------------------------------------------------

#: Labels a browser reads as another encoding (WHATWG Encoding Standard).
_ALIASES = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
            "l1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252", "windows-1252": "cp1252",
            "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030"}


def _decode(data: bytes, path: Path) -> str:
    """The page's text: a byte-order mark decides, then ``<meta charset>``, else UTF-8."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16").lstrip("\ufeff")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-16 text although it starts with a UTF-16 byte-order mark "
                             f"(offset {exc.start})", path=path) from None
    if data.startswith(codecs.BOM_UTF8):
        return decode(data, path)
    declared = _declared_charset(data)
    codec = None
    if declared:
        label = declared.strip().lower()
        try:
            codec = codecs.lookup(_ALIASES.get(label, label)).name
        except LookupError:
            codec = None  # an unknown label is ignored, as browsers do
        if codec in ("utf-16", "utf-16-le", "utf-16-be", "utf-32"):
            codec = None  # a meta tag cannot declare UTF-16: the bytes are ASCII-compatible
    if codec is None or codec == "utf-8":
        return decode(data, path)
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise InputError("binary file: not a text document (NUL byte)", path=path, line=line)
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"not {declared} text as the page's <meta charset> says (byte "
                         f"0x{data[exc.start]:02x} at offset {exc.start})", path=path, line=line,
                         hint="save the page as UTF-8") from None


def _declared_charset(data: bytes) -> str | None:
    """The charset a ``<meta>`` of the page declares (read from its first 8 KiB, parsed as
    Latin-1 so that any bytes parse), or None."""
    parser = etree.HTMLParser(encoding="iso-8859-1", recover=True, no_network=True)
    try:
        root = etree.fromstring(data[:8192], parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root is None:
        return None
    for meta in root.iter("meta"):
        if meta.get("charset"):
            return meta.get("charset")
        if (meta.get("http-equiv") or "").strip().lower() == "content-type":
            for part in (meta.get("content") or "").split(";"):
                name, _, value = part.partition("=")
                if name.strip().lower() == "charset" and value.strip():
                    return value.strip().strip("'\"")
    return None


# -- what an element is -----------------------------------------------------------------

def _tag(el: object) -> str | None:
    tag = getattr(el, "tag", None)
    return tag.lower() if isinstance(tag, str) else None


def _words(el: etree._Element) -> set[str]:
    """The class, id and role words of ``el``, lower case."""
    return {w.lower() for w in ((el.get("class") or "").split() + (el.get("id") or "").split()
                                + (el.get("role") or "").split())}


def _is_note_container(el: etree._Element) -> bool:
    if _tag(el) not in ("ol", "ul", "div", "section", "aside", "footer", "dl"):
        return False
    return any(w in NOTE_WORDS or w.startswith(("footnotes", "endnotes")) for w in _words(el))


def _note_id_label(value: str | None) -> str | None:
    """The label in a footnote's id (``fn1``, ``fn:1``, ``footnote-2``, ``ftn3``,
    ``cite_note-Smith-4``), or None."""
    if not value:
        return None
    value = value.strip().lower().lstrip("#")
    for prefix in NOTE_ID_PREFIXES:
        if value.startswith(prefix):
            rest = value[len(prefix):].lstrip(":-_.")
            if rest.isdigit():
                return str(int(rest))
            tail = rest.rsplit("-", 1)[-1]
            if prefix == "cite_note" and tail.isdigit():
                return str(int(tail))
            return None
    return None


def _label_text(text: str) -> str | None:
    """``1``, ``[1]``, ``(1)``, ``1)`` -> ``"1"``; a lone ``*`` or ``†`` is its own label."""
    text = text.strip().strip("[]()").rstrip(".)").strip()
    if text.isdigit() and len(text) <= 4:
        return str(int(text))
    if text and len(text) <= 3 and all(c in "*†‡§¶#" for c in text):
        return text
    return None


def _fragment(href: str | None) -> str | None:
    if href and "#" in href:
        before, _, after = href.partition("#")
        if not before or before.endswith((".html", ".htm", "/")) or not before.startswith(("http:", "https:")):
            return after or None
    return None


def _is_backlink(el: etree._Element) -> bool:
    """A footnote's link back to its reference (dropped)."""
    if _tag(el) != "a":
        return False
    words = _words(el)
    if "doc-backlink" in words or any("backref" in w or "footnote-back" in w or "reversefootnote" in w
                                      for w in words):
        return True
    fragment = (_fragment(el.get("href")) or "").lower()
    for prefix in BACKREF_PREFIXES:
        if fragment.startswith(prefix):
            rest = fragment[len(prefix):].lstrip(":-_.")
            if rest[:1].isdigit() or (prefix == "cite_ref" and rest):
                return True
    return bool(fragment) and el.text_content().strip().lower() in BACKLINK_TEXT


def _hidden(el: etree._Element) -> bool:
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").strip().lower() == "true":
        return True
    style = _css(el)
    return style.get("display") == "none" or style.get("visibility") == "hidden"


def _css(el: etree._Element) -> dict[str, str]:
    """The declarations of ``el``'s ``style`` attribute."""
    out = {}
    for declaration in (el.get("style") or "").split(";"):
        name, _, value = declaration.partition(":")
        if value:
            out[name.strip().lower()] = value.replace("!important", "").strip().lower()
    return out


def _style(el: etree._Element, inherited: Style) -> Style:
    bold, italic = inherited
    tag = _tag(el)
    if tag in ("b", "strong"):
        bold = True
    elif tag in ("i", "em"):
        italic = True
    css = _css(el)
    weight = css.get("font-weight")
    if weight:
        if weight in ("bold", "bolder"):
            bold = True
        elif weight in ("normal", "lighter"):
            bold = False
        elif weight.isdigit():
            bold = int(weight) >= 600
    font_style = css.get("font-style")
    if font_style:
        italic = font_style in ("italic", "oblique") or font_style.startswith("oblique")
    return bold, italic


def _in_sectioning(el: etree._Element) -> bool:
    return any(_tag(a) in ("article", "main") for a in el.iterancestors())


#: What a site puts around a page, by the words of an element's class or id, or its role:
#: navigation, breadcrumbs and cookie banners anywhere; sidebars ("related updates",
#: "contact") outside the article.
_SITE_WORDS = re.compile(r"(?:^|[-_\s])(?:nav|navbar|navigation|menu|breadcrumbs?|cookies?|consent|skip-link)(?:$|[-_\s])",
                         re.IGNORECASE)
_SIDE_WORDS = re.compile(r"(?:^|[-_\s])(?:side|sidebar|aside|related|share|social|contact|newsletter)(?:$|[-_\s])",
                         re.IGNORECASE)
_SITE_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "complementary"})


def _site_furniture(el: etree._Element, tag: str) -> bool:
    """An element a site puts around the page (see :data:`_SITE_WORDS`)."""
    words = f"{el.get('class') or ''} {el.get('id') or ''}"
    if _SITE_WORDS.search(words) or (el.get("role") or "").strip().lower() in _SITE_ROLES - {"complementary"}:
        return True
    if _in_sectioning(el):
        return False
    return tag == "aside" or bool(_SIDE_WORDS.search(words)) or (el.get("role") or "").strip().lower() == "complementary"


def _skipped(el: etree._Element) -> bool:
    tag = _tag(el)
    if tag is None:
        return True  # a comment or processing instruction left by the parser
    if tag in SKIPPED or _hidden(el):
        return True
    if tag in ("aside", "div", "section", "ul", "ol", "p", "span") and _site_furniture(el, tag):
        return True
    return tag in PAGE_FURNITURE and not _in_sectioning(el)


def _has_block(el: etree._Element) -> bool:
    return any(_tag(d) in BLOCKS for d in el.iterdescendants())


class _Walker:
    """One walk of the body. ``notes``: the labels and ids of the page's footnotes, found by a
    first walk (None during it); ``found``: what this walk found."""

    def __init__(self, notes: tuple[set[str], set[str]] | None) -> None:
        self.builder = RenditionBuilder("html")
        self.notes = notes
        self.found: tuple[set[str], set[str]] = (set(), set())  # labels, ids
        self.under_notes = False  # the last heading was "Notes"

    def walk(self, body: etree._Element) -> None:
        self._flow(body, 0, (False, False))

    # -- blocks --------------------------------------------------------------------------

    def _flow(self, el: etree._Element, depth: int, style: Style) -> None:
        """The content of a container: inline content gathered into paragraphs, blocks
        dispatched; two ``<br>`` in a row end a paragraph."""
        runs: list[Run] = []
        breaks = 0

        def flush() -> None:
            if runs:
                self.builder.block(PARAGRAPH, runs)
                runs.clear()

        if el.text:
            runs.append(self._run(el.text, style))
        for child in el:
            tag = _tag(child)
            if _skipped(child):
                pass
            elif tag == "br":
                breaks += 1
                if breaks >= 2:
                    flush()
                else:
                    runs.append(Run(" "))
            elif tag in BLOCKS:
                flush()
                self._block(child, depth, style)
            elif _has_block(child):  # an inline element wrapping blocks (<b><p>..</p></b>)
                flush()
                self._flow(child, depth, _style(child, style))
            else:
                self._inline(child, style, runs)
            if tag != "br" or (child.tail and child.tail.strip()):
                breaks = 0
            if child.tail:
                runs.append(self._run(child.tail, style))
        flush()

    def _block(self, el: etree._Element, depth: int, style: Style) -> None:
        tag = _tag(el)
        style = _style(el, style)
        label = _note_id_label(el.get("id")) if tag in ("li", "div", "p", "aside", "section") else None
        if label is not None:
            self._footnote(el, label, style)
        elif tag in HEADINGS:
            runs: list[Run] = []
            self._content(el, style, runs)
            self.builder.block(HEADING, runs, level=HEADINGS[tag])
            self.under_notes = " ".join("".join(r.text for r in runs).split()).lower() in NOTES_HEADING
        elif _is_note_container(el):
            self._notes(el, depth, style)
        elif tag == "ol" and self.under_notes and depth == 0:
            self._notes(el, depth, style)  # <h2>Notes</h2><ol>...: footnotes, by their numbers
        elif tag in LISTS:
            self._list(el, depth, style)
        elif tag == "li":  # an item outside a list (lxml keeps what it is given)
            self._item(el, depth, None, style)
        elif tag == "table":
            self._table(el, style)
        elif tag == "dl" and not self.under_notes:
            self._definitions(el, depth, style)
        elif tag in ("tr", "td", "th", "thead", "tbody", "tfoot", "caption"):
            self._flow(el, depth, style)  # table parts outside a table
        elif tag == "hr":
            pass
        elif tag in ("p", "dt", "dd", "pre", "summary", "figcaption") and self._leading_label(el):
            lead, label = self._leading_label(el)
            self._footnote(el, label, style, skip=lead)
        else:
            self._flow(el, depth, style)

    def _list(self, el: etree._Element, depth: int, style: Style) -> None:
        ordered = _tag(el) == "ol"
        reverse = ordered and el.get("reversed") is not None
        items = [c for c in el if _tag(c) == "li"]
        counter = _int(el.get("start"))
        if counter is None:
            counter = len(items) if reverse else 1
        step = -1 if reverse else 1
        runs: list[Run] = []  # text written straight into the list (malformed)
        if el.text and el.text.strip():
            runs.append(self._run(el.text, style))
        for child in el:
            tag = _tag(child)
            if _skipped(child):
                pass
            elif tag == "li":
                if runs:
                    self.builder.block(PARAGRAPH, runs)
                    runs = []
                number = None
                if ordered:
                    value = _int(child.get("value"))
                    if value is not None:
                        counter = value
                    number = counter
                    counter += step
                self._item(child, depth, number, _style(child, style))
            elif tag in LISTS:  # <ul><li>a</li><ul><li>a.1</li></ul></ul>: a nested list
                self._list(child, depth + 1, _style(child, style))
            elif tag in BLOCKS:
                self._block(child, depth, style)
            else:
                self._inline(child, style, runs)
            if child.tail and child.tail.strip():
                runs.append(self._run(child.tail, style))
        if runs:
            self.builder.block(PARAGRAPH, runs)

    def _item(self, li: etree._Element, depth: int, number: int | None, style: Style) -> None:
        label = _note_id_label(li.get("id"))
        if label is not None:
            self._footnote(li, label, style)
            return
        runs: list[Run] = []
        emitted = False
        if li.text:
            runs.append(self._run(li.text, style))
        for child in li:
            tag = _tag(child)
            if _skipped(child):
                pass
            elif tag in LISTS or tag in ("table", "blockquote", "dl") or tag in HEADINGS and emitted \
                    or _is_note_container(child):
                if not emitted:
                    self.builder.block(ITEM, runs, level=depth, number=number)
                    emitted = True
                elif runs:
                    self.builder.block(PARAGRAPH, runs)
                runs = []
                self._block(child, depth + 1 if tag in LISTS else depth, style)
            elif emitted and tag in BLOCKS:
                if runs:
                    self.builder.block(PARAGRAPH, runs)
                    runs = []
                self._block(child, depth, style)
            else:
                self._inline(child, style, runs)
            if child.tail:
                runs.append(self._run(child.tail, style))
        if not emitted:
            self.builder.block(ITEM, runs, level=depth, number=number)
        elif runs:
            self.builder.block(PARAGRAPH, runs)

    def _definitions(self, dl: etree._Element, depth: int, style: Style) -> None:
        """A definition list: each term with its definition is one paragraph, the term on the
        first line ("Article 7" / "CAC — Article 17", then the measure's text), as a term
        labels what its definition says."""
        runs: list[Run] = []
        for child in dl:
            tag = _tag(child)
            if _skipped(child):
                pass
            elif tag == "dt":
                if runs:
                    self.builder.block(PARAGRAPH, runs)
                runs = []
                self._content(child, _style(child, style), runs)
            elif tag == "dd":
                if runs:
                    runs.append(self._run("\n", style))
                self._content(child, _style(child, style), runs)
            elif tag in ("div",):  # <dl><div><dt>..</dt><dd>..</dd></div></dl> (HTML 5.2)
                if runs:
                    self.builder.block(PARAGRAPH, runs)
                    runs = []
                self._definitions(child, depth, style)
            elif tag in BLOCKS:
                if runs:
                    self.builder.block(PARAGRAPH, runs)
                    runs = []
                self._block(child, depth, style)
        if runs:
            self.builder.block(PARAGRAPH, runs)

    def _table(self, table: etree._Element, style: Style) -> None:
        head: list[etree._Element] = []
        body: list[etree._Element] = []
        foot: list[etree._Element] = []
        for child in table:
            tag = _tag(child)
            if tag == "caption" and not _skipped(child):
                runs: list[Run] = []
                self._content(child, style, runs)
                self.builder.block(PARAGRAPH, runs)
            elif tag == "thead":
                head += [r for r in child if _tag(r) == "tr"]
            elif tag == "tfoot":
                foot += [r for r in child if _tag(r) == "tr"]
            elif tag == "tbody":
                body += [r for r in child if _tag(r) == "tr"]
            elif tag == "tr":
                body.append(child)
        rows: list[list[list[Run]]] = []
        first_all_th = False
        spanned: dict[int, tuple[list[Run], int]] = {}  # column -> (a cell above that spans it, rows left)
        for index, tr in enumerate(head + body + foot):
            if _skipped(tr):
                continue
            cells = [c for c in tr if _tag(c) in ("td", "th") and not _skipped(c)]
            row: list[list[Run]] = []
            queue = list(cells)
            while queue or any(c >= len(row) for c in spanned):
                if len(row) in spanned:  # a cell of a row above reaches down into this one
                    runs, left = spanned[len(row)]
                    row.append(list(runs))
                    if left > 1:
                        spanned[len(row) - 1] = (runs, left - 1)
                    else:
                        del spanned[len(row) - 1]
                    continue
                if not queue:
                    break
                cell = queue.pop(0)
                runs = []
                self._content(cell, _style(cell, style), runs)
                down = min(_int(cell.get("rowspan")) or 1, 1000)
                across = min(_int(cell.get("colspan")) or 1, 100)
                if down > 1:
                    spanned[len(row)] = (runs, down - 1)
                row.append(runs)
                row += [[] for _ in range(across - 1)]  # the columns it spans: empty, its text once
            if not any("".join(r.text for r in cell).strip() or any(r.note for r in cell) for cell in row):
                continue
            if not rows:
                first_all_th = bool(cells) and all(_tag(c) == "th" for c in cells)
            rows.append(row)
        if not rows:
            return
        header = len([tr for tr in head if not _skipped(tr)]) if head else int(first_all_th)
        self.builder.table(rows, header_rows=header)

    def _notes(self, el: etree._Element, depth: int, style: Style) -> None:
        """A container of footnotes: its items and labelled paragraphs are footnotes."""
        counter = _int(el.get("start")) or 1
        runs: list[Run] = []
        if el.text and el.text.strip():
            runs.append(self._run(el.text, style))
        for child in el:
            tag = _tag(child)
            if _skipped(child):
                continue
            if runs:
                self.builder.block(PARAGRAPH, runs)
                runs = []
            child_style = _style(child, style)
            label = _note_id_label(child.get("id"))
            lead = self._leading_label(child) if tag not in LISTS else None
            if tag == "li":
                value = _int(child.get("value"))
                if value is not None:
                    counter = value
                if label is None and lead is not None:
                    self._footnote(child, lead[1], child_style, skip=lead[0])
                else:
                    self._footnote(child, label or str(counter), child_style)
                counter += 1
            elif label is not None:
                self._footnote(child, label, child_style)
            elif lead is not None:
                self._footnote(child, lead[1], child_style, skip=lead[0])
            elif tag in LISTS or tag in ("div", "section", "aside", "dl", "dd", "footer"):
                self._notes(child, depth, child_style)
            elif tag in BLOCKS:
                self._block(child, depth, style)
            else:
                self._inline(child, style, runs)
            if child.tail and child.tail.strip():
                runs.append(self._run(child.tail, style))
        if runs:
            self.builder.block(PARAGRAPH, runs)

    def _footnote(self, el: etree._Element, label: str, style: Style,
                  skip: etree._Element | None = None) -> None:
        runs: list[Run] = []
        self._content(el, style, runs, skip=skip, in_note=True)
        self.found[0].add(label)
        if el.get("id"):
            self.found[1].add(el.get("id"))
        self.builder.footnote(label, runs)

    def _leading_label(self, el: etree._Element) -> tuple[etree._Element, str] | None:
        """A paragraph that starts with its footnote label: ``<p><sup>1</sup> text``, or
        Word's ``<p><a href="#_ftnref1">[1]</a> text``: (the label's element, the label)."""
        if (el.text or "").strip() or not len(el):
            return None
        first = next((c for c in el if _tag(c) is not None), None)
        if first is None or _tag(first) not in ("sup", "a", "span", "small", "b", "strong"):
            return None
        label = _label_text(first.text_content())
        if label is None:
            return None
        if not (first.tail or "").strip() and first.getnext() is None:
            return None  # nothing after the label: not a footnote
        tags = {_tag(first)} | {_tag(d) for d in first.iterdescendants()}
        if "sup" in tags:
            return first, label
        links = [first] if _tag(first) == "a" else list(first.iterdescendants("a"))
        if any(_fragment(a.get("href")) or _note_id_label(a.get("name")) is not None for a in links):
            return first, label
        return None

    # -- inline content ---------------------------------------------------------------------

    def _run(self, text: str, style: Style) -> Run:
        return Run(text.translate(INVISIBLE), bold=style[0], italic=style[1])

    def _content(self, el: etree._Element, style: Style, runs: list[Run], *,
                 skip: etree._Element | None = None, in_note: bool = False) -> None:
        """All the text of ``el`` as runs, its blocks flattened (a cell, a heading, a
        footnote); ``skip``: an element left out (a footnote's own label)."""
        if el.text:
            runs.append(self._run(el.text, style))
        for child in el:
            if child is not skip and not (in_note and _is_backlink(child)):
                self._inline(child, style, runs, in_note=in_note)
            if child.tail:
                runs.append(self._run(child.tail, style))

    def _inline(self, el: etree._Element, style: Style, runs: list[Run], *, in_note: bool = False) -> None:
        """Add ``el`` (not its tail) to ``runs``."""
        tag = _tag(el)
        if _skipped(el):
            return
        if tag == "br":
            runs.append(Run(" "))
            return
        if tag == "sup":
            label = self._sup_label(el)
            if label is not None:
                runs.append(Run("", note=label))
                return
        elif tag == "a":
            if _is_backlink(el) and not self._ref_label(el):
                return
            label = self._ref_label(el)
            if label is not None:
                runs.append(Run("", note=label))
                return
        inner = _style(el, style)
        block = tag in BLOCKS
        if block:
            runs.append(Run(" "))
        tagged = tag in ("span", "small", "mark") and bool(_words(el) & _TAG_WORDS)
        if tagged:  # <span class="tag">Innovation</span>: a label, written as one ("[Innovation]")
            runs.append(Run("["))
        self._content(el, inner, runs, in_note=in_note)
        if tagged:
            runs.append(Run("] "))
        if block:
            runs.append(Run(" "))

    def _sup_label(self, sup: etree._Element) -> str | None:
        """The label of a footnote reference written as ``<sup>``, or None (also for a
        ``<sup>`` of several links, ``1,2``: each link is a reference of its own)."""
        links = list(sup.iter("a"))
        if len(links) > 1:
            return None
        for a in links:
            label = self._ref_label(a)
            if label is not None:
                return label
        label = _label_text(sup.text_content())
        if label is None:
            return None
        if links:
            return label
        if self.notes is not None and self.notes[0] and label not in self.notes[0]:
            return None  # km<sup>2</sup> on a page whose footnotes have other labels
        return label

    def _ref_label(self, a: etree._Element) -> str | None:
        """The label of a link to a footnote (``<a href="#fn1">1</a>``), or None."""
        fragment = _fragment(a.get("href"))
        words = _words(a)
        to_note = fragment is not None and (
            _note_id_label(fragment) is not None
            or (self.notes is not None and fragment in self.notes[1]))
        if not (to_note or "doc-noteref" in words or any("footnote-ref" in w or "noteref" in w for w in words)):
            return None
        return _label_text(a.text_content()) or _note_id_label(fragment)


#: The class words of an inline element that labels what it stands in: a tag, a badge.
_TAG_WORDS = {"tag", "badge", "category", "topic", "pill", "chip"}


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    try:
        return int(value)
    except ValueError:
        return None


__all__ = ["read"]

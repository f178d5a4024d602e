"""Measures and categories: the numbered articles, their text, category, responsible agencies,
regions and forerunner areas; and the scheme of measure categories.

Door: :func:`articles` (a pass over the document's blocks) and :func:`category_scheme`.

Reads from the context: the document that holds the measures
(:attr:`~policykg.pipeline.recognisers.context.Context.holder`, which
:func:`~policykg.pipeline.recognisers.documents.find_holder` decided; where it is ``None``, a table
of the measures is made, part of the notice named before), the documents named before a
measure, the agencies of a span (:func:`~policykg.pipeline.recognisers.agencies.agencies_in`, in the
ranges the responsibility frames give: :mod:`~policykg.pipeline.recognisers.responsibility`) and the
areas (:func:`~policykg.pipeline.recognisers.places.areas_in`). Writes: measure and category entities,
``article``, ``measure_text``, ``categorisation``, ``guidance``, ``forerunner``,
``region_concern``, ``part`` (of an implicit table), ``scheme`` and ``in_scheme`` facts, the
heading of each category (:attr:`~policykg.pipeline.recognisers.context.Context.categories`), and
warnings. :func:`category_scheme` reads the categories :func:`articles` found.
"""
from __future__ import annotations

import re

from ...document import Block, Document, Span
from ...textutil import NUMBER, View, block_view, parse_number, sentences
from .agencies import agencies_in
from .anaphora import measure_nouns, same_agencies
from .context import Context, NamedDocument, quote
from .iris import CATEGORY_SCHEME, ID, document_slug
from .places import areas_in
from .records import Evidence, record
from .responsibility import responsible_ranges

#: The nouns for measures (mappings/patterns/anaphora.toml, [measures]).
_NOUNS = measure_nouns()
FORERUNNER = re.compile(r"\b(?:forerunners?|pioneers?|examples?|first\s+movers?|frontrunners?|"
                        r"first\s+(?:piloted|tried(?:\s+out)?|tested|implemented|rolled\s+out)|"
                        # "tried this first", "were tried in Guiyang first"
                        r"(?:piloted|tried|tested)\s+(?:[\w'’-]+\s+){0,3}?first|go(?:es)?\s+first|"
                        # "were ahead of the ministry on Article 7", "cites them as models", "serve as models"
                        r"(?:were|was|are|is)\s+ahead\s+of|as\s+(?:a\s+|the\s+)?models?|"
                        r"tr(?:y|ies)\s+out\s+(?:[\w-]+\s+){1,6}?first|"
                        # "were the first to try the model", "had tried authorised operation before"
                        r"first\s+to\s+(?:try|trial|test|pilot|adopt|introduce|launch)|"
                        r"(?:had|have|has)\s+(?:already\s+)?(?:tried|piloted|trialled|tested)\s+(?:[\w-]+\s+){0,5}?"
                        r"(?:before|already|earlier)|"
                        # "Shanghai has already tried this measure"
                        r"(?:had|have|has)\s+already\s+(?:tried|piloted|trialled|tested)|"
                        r"take\s+the\s+lead)\b", re.IGNORECASE)
#: A measure named by its number in prose: "Action 3", "Articles 4 and 5", "measure (19)", "row 8"
#: (not "Article 22 of that law": another document's).
MEASURE_NUMBERS = re.compile(r"\b(?:Articles?|Arts?\.|Actions?|Measures?|Tasks?|Items?|Nos?\.|Rows?)\s*"
                             r"(?>\(?\d+\)?(?:\s*(?:,|and|&)\s*\(?\d+\)?)*)(?!\s+of\b)", re.IGNORECASE)
#: "the first two tasks", "the first three measures": the first N measures of the document.
_FIRST_N = re.compile(rf"\bthe\s+first\s+(?P<n>{NUMBER})\s+(?:{_NOUNS})\b", re.IGNORECASE)
#: Measures a sentence names by what they are about ("the two Application tasks", "the
#: monitoring task"), which the paragraph's place does not tell.
_OTHER_MEASURES = re.compile(rf"\bthe\s+(?:[\w-]+\s+){{1,3}}?(?:{_NOUNS})\b(?!\s+above)", re.IGNORECASE)
#: Agencies named by reference to the measure before: "the said departments", "the same body"
#: (mappings/patterns/anaphora.toml, [agencies]).
_SAME_AGENCIES = same_agencies()
#: "This task falls to ...": who carries a measure out.
_FALLS_TO = re.compile(r"\b(?:falls?|fell)\s+to\b", re.IGNORECASE)
#: Words by which a sentence says it is not sure: "may be added", "is expected to", "could".
HEDGED = re.compile(r"\b(?:may|might|could|possibly|perhaps|not\s+(?:yet\s+)?decided|undecided)\b", re.IGNORECASE)
MEASURES_ABOVE = re.compile(rf"\bthe\s+(?:(?P<n>{NUMBER})\s+)?(?:{_NOUNS})\s+above\b|"
                            rf"\bthe\s+above(?:-mentioned)?\s+(?P<n2>{NUMBER}\s+)?(?P<what>{_NOUNS})\b", re.IGNORECASE)


def articles(ctx: Context) -> None:
    """Every article: its measure (of the holder, else of an implicit table), under the
    category heading above it (or of its table cell); and the forerunners the paragraphs
    after the articles name."""
    doc = ctx.doc
    category: tuple[str, Evidence] | None = None
    done: list[tuple[str, Block]] = []
    by_number: dict[int, list[str]] = {}  # article number -> its measures so far (an index of done)
    table = None
    seen: set[tuple[str, int]] = set()  # (holder, number) of the measures made
    previous: Block | None = None  # the block before this one, footnotes aside
    leads: list[Block] = []
    early: list[Block] = []  # paragraphs before the first measure
    heading: Block | None = None  # a heading that names a topic, over prose and then a table of measures
    for block in doc.blocks:
        if block.kind == "category":
            category = _category(ctx, block.bold[0] if block.bold else block)
            heading = None
        elif block.kind == "heading":
            category = None  # a question heading ends the category above it
            heading = block if _TOPIC_HEADING.fullmatch(" ".join(doc.text[block.start:block.end].split())) else None
        elif block.kind == "article" and category is None and heading is not None and block.cells \
                and block.category_cell is None:
            # "## Legal liability", a paragraph, then a table of measures with no category
            # column: the heading names their category
            category = _category(ctx, heading)
            heading = None
        if block.kind == "article":
            holder = ctx.holder_at(block.start)
            if holder is not None:
                table = holder
            elif table is None:
                table = _implicit_table(ctx, block)
            if (table.iri, block.article) in seen:
                said = " ".join(ctx.doc.text[block.start:block.end].split())
                ctx.warn(block.line, f"Article {block.article} of {table.label!r} appears a second time, with "
                                     f"another text: left out of the graph: {quote(said)}")
                continue
            seen.add((table.iri, block.article))
            cell = _category(ctx, block.category_cell) if block.category_cell else None
            done.append(_article(ctx, block, table, cell or category))
            by_number.setdefault(block.article, []).append(done[-1][0])
        elif block.kind == "paragraph" and block.article is not None and block.agencies_cell is not None:
            leads.append(block)  # a row of a table of who leads which measure: once all are known
        elif block.kind in ("paragraph", "bullet") and done:  # (a list item says it as a paragraph would)
            _prose_on_measures(ctx, block, done, by_number, adjacent=previous is not None and previous.kind == "article")
        elif block.kind in ("paragraph", "bullet"):
            early.append(block)
        if block.kind != "footnote":
            previous = block
    for block in early:
        # prose before the measures: forerunners of the measures it names by number ("Three
        # features were tried in Guiyang first: ... of Art. 13, ... of Art. 16"), once all are known
        _prose_on_measures(ctx, block, [], by_number, adjacent=False)
    for row in leads:
        _leads_row(ctx, row, by_number)


#: A heading that names a topic ("Legal liability"), not a question ("Which articles change?").
_TOPIC_HEADING = re.compile(r"[A-Z][\w'’,&-]*(?:\s+[\w'’,&-]+){0,5}")
#: Markers drawn before a category's name: "▸ **Data and computing**".
_MARKS = "▸►▶■□◆◇●○▪▫•→»· "


#: What numbers a category before its name: "I. ", "IV) ", "B. ", "3. ", "3.1 ", "(c) ", "三、",
#: "Part II – ", "Pillar 1 — ", "Chapter II " before a capitalised word, and two of them: "（一）(I) ".
_ENUMERATOR = re.compile(r"(?:(?:(?:Part|Chapter|Section|Pillar|Priority|Strand|Track|Theme)\s+(?:[IVXLC]+|\d{1,2}|[A-Z])"
                         r"\s*(?:[.:)]|\s[-–—]|[-–—]|(?<=[IVXLC\d])\s(?=[A-Z][a-z])|(?<=[IVXLC\d])\s(?=[A-Z]{3,}\b))|"
                         r"\d{1,2}(?:\.\d{1,2})+\.?(?=\s)|(?:[IVXLC]{1,6}|[A-Z]|\d{1,2})[.)]|"
                         r"[(（](?:[ivxlc]{1,6}|[IVXLC]{1,6}|[a-zA-Z]|\d{1,2}|[一二三四五六七八九十]{1,3})[)）]|"
                         r"[一二三四五六七八九十]{1,3}[、.])[ \t*_]*)+(?=\S)")


def _category(ctx: Context, span: Span | Block) -> tuple[str, Evidence] | None:
    """The category named by ``span`` (a heading, a bold line, a table cell)."""
    view = View.of(ctx.doc.text, span.start, span.end, markup=ctx.doc.markup)
    name = " ".join(re.sub(r"[*_#]+", " ", view.clean).split()).strip(" :").lstrip(_MARKS).strip()
    bracketed = re.fullmatch(r"[\[【〔](.+)[\]】〕]", name)
    if bracketed:  # "[Industry]", "【Industry】": the category's name is inside its brackets
        name = bracketed.group(1).strip()
    if not name:
        return None
    lead = len(view.clean) - len(view.clean.lstrip(" *_#" + _MARKS + ("[【〔" if bracketed else "")))
    enumerator = _ENUMERATOR.match(view.clean, lead)
    if enumerator and not bracketed and view.clean[enumerator.end():].strip(" *_:"):
        # "I. Infrastructure", "(c) Data", "Part II – Security": the category is what follows
        lead = enumerator.end()
        name = " ".join(re.sub(r"[*_#]+", " ", view.clean[lead:]).split()).strip(" :")
    start, end = view.origin(lead, len(view.clean.rstrip(" *_:" + ("]】〕" if bracketed else ""))))
    evidence = ctx.evidence(start, end)
    entry = ctx.lexicon.lookup(name, ["category"])
    iri = ctx.entity_from_lexicon(entry) if entry else ctx.mint("category", name, evidence)
    ctx.categories.setdefault(iri, evidence)
    return iri, evidence


def _implicit_table(ctx: Context, block: Block) -> NamedDocument:
    """Articles that no named document holds: a table of measures of the notice named before
    (part of it), or of the update, with a warning."""
    notice = ctx.document_before(block.start, ["Notice"])
    label = f"Table of measures of the {notice.label[:1].lower() + notice.label[1:]}" if notice \
        else f"Table of measures in {doc_title(ctx.doc)}"
    evidence = ctx.evidence(block.start, block.end)
    iri = ctx.mint("document", label, evidence, slug=document_slug(label),
                   cls="MeasureTable")
    d = NamedDocument(iri, "MeasureTable", label, label, evidence=evidence)
    ctx.warn(block.line, f"articles without a named measure table: they go to {label!r}")
    if notice is not None:
        ctx.fact("part", evidence, whole=notice.iri, part=iri)
    return d


def _article(ctx: Context, block: Block, table: NamedDocument,
             category: tuple[str, Evidence] | None) -> tuple[str, Block]:
    """One article: its measure, number, text and category; the agencies that guide it (in
    its sentences, before its number, in a table's column); its forerunners and regions."""
    doc = ctx.doc
    number = block.article
    table_id = table.iri.rsplit("/", 1)[1]
    iri = f"{ID}measure/{table_id}/{number}"
    head = ctx.evidence(*((block.head.start, block.head.end) if block.head
                          else (block.start, block.body_start or block.start)))
    body_start = block.body_start or block.start
    body_end = block.body_end or block.end
    text = ctx.evidence(body_start, body_end)
    view = View.of(doc.text, body_start, body_end, markup=doc.markup)
    ctx.entities.setdefault(iri, record("measure", head, iri=iri, cls="Measure", label=f"Article {number}"))
    ctx.fact("article", head, measure=iri, number=number, table=table.iri)
    ctx.fact("measure_text", text, measure=iri, text=" ".join(view.clean.split()))
    if category:
        ctx.fact("categorisation", category[1], measure=iri, category=category[0])
    else:
        ctx.warn(block.line, f"Article {number} is under no category heading")
    guided: list[str] = []
    for s, e in sentences(view):
        o_start, o_end = view.origin(s, e)
        ranges = responsible_ranges(view.clean, s, e)
        said: set[str] = set()  # (two frames may name one agency: "The CAC will guide it")
        for lo, hi in ranges:
            for a in agencies_in(ctx, view, lo, hi, strict=True):
                if a.iri in said:
                    continue
                said.add(a.iri)
                ctx.fact("guidance", ctx.evidence(o_start, o_end), measure=iri, agency=a.iri)
                guided.append(a.iri)
        same = _SAME_AGENCIES.search(view.clean, s, e)
        if same and (ranges or _FALLS_TO.search(view.clean, s, e)) and ctx.last_guidance and not guided:
            # "The said departments take the lead here too", "This task falls to the same body":
            # the agencies of the measure before (one for "body", several for "departments")
            plural = bool(same.group("several"))
            if plural == (len(ctx.last_guidance) > 1):
                for agency in ctx.last_guidance:
                    ctx.fact("guidance", ctx.evidence(o_start, o_end), measure=iri, agency=agency)
                    guided.append(agency)
        if FORERUNNER.search(view.clean, s, e):  # "Zhejiang and Guangdong ... are the forerunners"
            for mention in areas_in(ctx, view, s, e):
                ctx.fact("forerunner", ctx.evidence(o_start, o_end), measure=iri, area=mention.iri)
    # "CAC — Article 2: ...", and a table's column of responsible agencies
    for span in (block.agency_prefix, block.agencies_cell):
        if span is None:
            continue
        cell = View.of(doc.text, span.start, span.end, markup=doc.markup)
        for a in agencies_in(ctx, cell, 0, len(cell.clean), strict=True):
            ctx.fact("guidance", ctx.evidence(*cell.origin(0, len(cell.clean))), measure=iri, agency=a.iri)
            guided.append(a.iri)
    if guided:
        ctx.last_guidance = list(dict.fromkeys(guided))
    for m in ctx.lexicon_matches(view, ["region"]):
        entry = ctx.lexicon.get("region", m.iri.rsplit("/", 1)[1])
        ctx.entity_from_lexicon(entry)
        ctx.fact("region_concern", ctx.evidence(m.start, m.end), measure=iri, region=m.iri)
    return iri, block


def _leads_row(ctx: Context, row: Block, by_number: dict[int, list[str]]) -> None:
    """A row of a table of who leads which measure ("3 | MOHURD, MIIT | —"): the agencies of
    its cells guide the one measure of that number; where the text has none or several (two
    documents' measures numbered alike), the row is left out with a warning."""
    assert row.article is not None and row.agencies_cell is not None
    measures = by_number.get(row.article, [])
    said = " ".join(ctx.doc.text[row.start:row.end].split())
    if len(measures) != 1:
        ctx.warn(row.line, f"a row of who leads measure {row.article}, but the text has "
                           f"{'no measure' if not measures else 'several measures'} of that number: left out "
                           f"of the graph: {quote(said)}")
        return
    cell = View.of(ctx.doc.text, row.agencies_cell.start, row.agencies_cell.end, markup=ctx.doc.markup)
    for a in agencies_in(ctx, cell, 0, len(cell.clean), strict=True):
        ctx.fact("guidance", ctx.evidence(row.start, row.end), measure=measures[0], agency=a.iri)


def _prose_on_measures(ctx: Context, block: Block, done: list[tuple[str, Block]], by_number: dict[int, list[str]], *,
                       adjacent: bool) -> None:
    """Prose about the measures: who is responsible for those it names by number
    (:func:`_guidance_by_number`), and areas that pilot measures first: in a sentence that
    says so, for the measures it names by number ("Action 3 is expected to start in Hangzhou"), else for "the measure(s)
    above" (the last one, or the last N), else — in the paragraph right after a measure —
    for that measure. A sentence that names no measure, far from any, is left out with a
    warning."""
    view = block_view(ctx.doc, block)
    above = MEASURES_ABOVE.search(view.clean)
    count = 1
    if above:
        word = above.group("n") or (above.group("n2") or "").strip()
        if word:
            count = parse_number(word) or 1
        elif above.group("what") and above.group("what").lower().endswith("s"):
            count = len(done)
    before: list[int] = []  # the measures the sentence before named ("Task 6 is not new everywhere.")
    for s, e in sentences(view):
        o_start, o_end = view.origin(s, e)
        named = [int(n) for m in MEASURE_NUMBERS.finditer(view.clean, s, e)
                 for n in re.findall(r"\d+", m.group(0))]
        previous, before = before, named
        if named:
            _guidance_by_number(ctx, view, s, e, by_number)
        if named:  # "Action 4 concentrates first on the Yangtze River Delta": the measure's region
            sub = View(view.clean[s:e], view.offsets[s:e + 1])
            for n in named:
                for iri in by_number.get(n, ()) if len(by_number.get(n, ())) == 1 else ():
                    for m in ctx.lexicon_matches(sub, ["region"]):
                        ctx.entity_from_lexicon(ctx.lexicon.get("region", m.iri.rsplit("/", 1)[1]))
                        ctx.fact("region_concern", ctx.evidence(m.start, m.end), measure=iri, region=m.iri)
        if not FORERUNNER.search(view.clean, s, e):
            continue
        if HEDGED.search(view.clean, s, e):  # "Shenzhen may be added as a forerunner later"
            ctx.warn(ctx.doc.line_of(o_start), f"forerunners in {quote(' '.join(view.clean[s:e].split()))}: "
                                               f"the sentence is not sure of them; left out")
            continue
        first = _FIRST_N.search(view.clean, s, e)
        if first and not named:  # "the forerunners for the first two tasks"
            n = parse_number(first.group("n")) or 0
            numbers = sorted(by_number)[:n] if n <= len(by_number) else []
            named = numbers
        if named:
            measures = [iri for n in named for iri in by_number.get(n, ())
                        if len(by_number.get(n, ())) == 1]
        elif above:
            measures = [iri for iri, _ in done[-count:]]
        elif previous and _THEM.search(view.clean, s, e):
            # "Task 6 is not new everywhere. Beijing and Tianjin have required it since 2019, and
            # MIIT cites them as models": the measures the sentence before named, pointed back at
            measures = [iri for n in previous for iri in by_number.get(n, ()) if len(by_number.get(n, ())) == 1]
        elif adjacent and not _OTHER_MEASURES.search(view.clean, s, e):
            measures = [iri for iri, _ in done[-1:]]
        else:  # "the two Application tasks", "the monitoring task": measures this cannot tell
            measures = []
        areas = areas_in(ctx, view, s, e)
        if areas and not measures:
            ctx.warn(ctx.doc.line_of(o_start), f"forerunners in {' '.join(view.clean[s:e].split())!r}: "
                                               f"the sentence names no measure of this document; left out")
            continue
        for mention in areas:
            for measure in dict.fromkeys(measures):
                ctx.fact("forerunner", ctx.evidence(o_start, o_end), measure=measure, area=mention.iri)


#: Where a sentence of prose about measures parts into clauses, each with its own agency and
#: numbers: "The NHC is responsible for Article 15, and the NHSA is responsible for Article 16."
_CLAUSE = re.compile(r";|:\s|,\s+(?:and|while|whereas|but)\s+")


def _guidance_by_number(ctx: Context, view: View, s: int, e: int, by_number: dict[int, list[str]]) -> None:
    """Prose that says who is responsible for measures it names by number ("The NMPA is
    responsible for Articles 12 and 13: ...", "The NHC is responsible for Article 15, and the
    NHSA for Article 16"): in each clause, the agencies a responsibility frame finds guide the
    measures the clause numbers (each number one measure of this document, else none)."""
    cuts = [s, *[m.end() for m in _CLAUSE.finditer(view.clean, s, e)], e]
    for lo, hi in zip(cuts, cuts[1:]):
        numbers = [int(n) for m in MEASURE_NUMBERS.finditer(view.clean, lo, hi) for n in re.findall(r"\d+", m.group(0))]
        measures = [iri for n in numbers for iri in by_number.get(n, ()) if len(by_number.get(n, ())) == 1]
        if not measures:
            continue
        agencies = {a.iri: a for a0, a1 in responsible_ranges(view.clean, lo, hi)
                    for a in agencies_in(ctx, view, a0, a1, strict=True)}
        o_start, o_end = view.origin(lo, hi)
        for measure in dict.fromkeys(measures):
            for agency in agencies:
                ctx.fact("guidance", ctx.evidence(o_start, o_end), measure=measure, agency=agency)


#: Words that point back at what the sentence before named: "it", "this", "the rule", "the task".
_THEM = re.compile(r"\b(?:it|this|that|them|the\s+(?:rule|task|measure|requirement|item|practice))\b", re.IGNORECASE)


def category_scheme(ctx: Context) -> None:
    """The scheme of measure categories, and each category :func:`articles` found in it (in
    the order found; the heading that names a category puts it among the measure categories)."""
    if ctx.categories:
        ctx.fact("scheme", None, iri=CATEGORY_SCHEME, label="Measure categories")
        for iri, heading in ctx.categories.items():
            ctx.fact("in_scheme", heading, category=iri, scheme=CATEGORY_SCHEME)


def doc_title(doc: Document) -> str:
    return doc.slice(doc.title).strip()


__all__ = ["FORERUNNER", "MEASURES_ABOVE", "MEASURE_NUMBERS", "articles", "category_scheme", "doc_title"]

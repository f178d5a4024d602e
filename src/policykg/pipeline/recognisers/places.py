"""Places: areas and what contains them, the pilot areas of a document and their stated count.

Door: :func:`areas_in` (the areas of a span: "X, Y Province" with X in Y is one area, X),
:func:`resolve_area_item` (one item of a list of areas: the lexicon's area, or one minted) and
:func:`pilot_areas` (a sentence's stated count of pilot areas, and the areas a footnote lists
or the sentence names after "including").

Reads from the context: the document, the lexicon, the area names minted so far, and the
document the pilot facts belong to (:func:`~policykg.pipeline.recognisers.documents.pilot_document`,
which reads the documents found and the one whose issuing was reported last). Writes: area
entities, and ``containment``, ``stated_count`` and ``pilot_area`` facts (containment is
indexed by child: :meth:`~policykg.pipeline.recognisers.context.Context.parents`).
"""
from __future__ import annotations

import bisect
import re

from ...document import Block, Span
from ...textutil import NUMBER, View, block_view, parse_number, sentences, split_list
from ..lexicon import Entry
from .agencies import NAME, agencies_in
from .context import Context, NamedDocument, quote
from .documents import FULL_NAMES, pilot_document
from .iris import ID
from .records import Mention, Record

#: (the words between the number and the noun are no number themselves: "an official Reply
#: supporting three cities" counts three, not one)
COUNT = re.compile(rf"\b(?P<n>{NUMBER})\s+(?:(?!(?:{NUMBER})\b)[\w/-]+\s+){{0,4}}?(?:provinces|cities|areas|regions|"
                   rf"municipalities|zones|districts|counties|localities|pilot\s+areas)\b", re.IGNORECASE)
LIST_INTRO = re.compile(r"(?:\b(?:full\s+list|list)\s+(?:entails|includes|comprises|is|are|consists\s+of)|"
                        r"\b(?:are|include|includes|comprise|is)\s*:|"
                        r"\b(?:areas|zones|cities|provinces|regions|counties|localities)\s+(?:are|include|comprise)\s+(?:the\s+)?(?=[A-Z])|"
                        r":)\s*", re.IGNORECASE)
#: A sentence that says areas were chosen for a pilot without "pilot areas": "piloted in nine
#: cities", "The pilot notice selected 15 provinces".
_PILOTED = re.compile(r"\b(?:piloted|selected|chose|chosen|designated|pilots?\s+in)\s+(?:in\s+)?(?:the\s+)?"
                      rf"{NUMBER}\s+(?:[\w/-]+\s+){{0,3}}?(?:provinces|cities|areas|regions|municipalities|zones|counties|"
                      r"localities)\b",
                      re.IGNORECASE)
REGION_WORDS = re.compile(r"\b(?:pilot|demonstration|experimental)\s+(?:areas?|zones?|cities|city|provinces?|"
                          r"regions?|municipalities|counties|county|localities|locality)\b", re.IGNORECASE)


def areas_in(ctx: Context, view: View, lo: int = 0, hi: int | None = None) -> list[Mention]:
    """Areas in ``view.clean[lo:hi]``; "X, Y Province" with X in Y is one area (X)."""
    hi = len(view.clean) if hi is None else hi
    sub = View(view.clean[lo:hi], view.offsets[lo:hi + 1])
    matches = ctx.lexicon.find_all(sub.clean, ["area"])
    out: list[Mention] = []
    skip = set()
    for i, m in enumerate(matches):
        if i in skip:
            continue
        start, end = sub.origin(m.start, m.end)
        if i + 1 < len(matches):
            nxt = matches[i + 1]
            between = sub.clean[m.end:nxt.start]
            if re.fullmatch(r"\s*,\s*", between) and nxt.entry in ctx.lexicon.chain(m.entry):
                # "Xiong'an New District, Hebei Province": one area, lying in the other
                _, n_end = sub.origin(nxt.start, nxt.end)
                evidence = ctx.evidence(start, n_end)
                ctx.entity_from_lexicon(nxt.entry)
                ctx.fact("containment", evidence, child=m.entry.iri, parent=nxt.entry.iri)
                skip.add(i + 1)
                end = n_end
        ctx.entity_from_lexicon(m.entry)
        out.append(Mention("area", m.entry.iri, start, end))
    for s, e, iri in ctx.local_matches("area", sub.clean):
        start, end = sub.origin(s, e)
        if not any(o.start < end and start < o.end for o in out):
            out.append(Mention("area", iri, start, end))
    return sorted(out, key=lambda m: m.start)


#: A bracket inside a place's name, capitalised words after it: "China (Shanghai) Pilot Free
#: Trade Zone" (not "Chongqing (21 districts)").
_INNER_PARENTHESIS = re.compile(r"^[A-Z][\w'’-]*\s*[(（][A-Z][^()（）]{1,40}[)）]\s+[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*$")
#: A plural head that the items of a list before it share: "China (Shanghai), China (Tianjin)
#: and China (Beijing) Pilot Free Trade Zones".
_SHARED_HEAD = re.compile(r"\s+(?P<head>(?:Pilot\s+)?(?:Free\s+Trade\s+|Comprehensive\s+|Demonstration\s+)?"
                          r"(?:Zone|Area|District|Park|Port)s)$")


_THE = re.compile(r"^the\s+", re.IGNORECASE)


def shared_heads(items: list[str]) -> list[str | None]:
    """The whole name of each item of a list whose last item carries a plural head that the
    items before it share ("China (Shanghai)", ..., "China (Beijing) Pilot Free Trade Zones": each
    "China (X) Pilot Free Trade Zone"); ``None`` for an item that is whole as written."""
    out: list[str | None] = [None] * len(items)
    for k, item in enumerate(items):
        m = _SHARED_HEAD.search(item)
        if not m or k == 0:
            continue
        singular = m.group("head")[:-1]
        j = k - 1
        while j >= 0 and out[j] is None and not re.search(r"\b(?:Zone|Area|District|Park|Port)s?\b", items[j]) \
                and re.fullmatch(r"(?:the\s+)?[A-Z][\w'’-]*(?:\s*[(（][^()（）]+[)）])?", items[j].strip()):
            j -= 1
        if j == k - 1:
            continue  # nothing before it shares the head
        for i in range(j + 1, k):
            out[i] = _THE.sub("", items[i].strip()) + " " + singular
        out[k] = f"{item[:m.start()].strip()} {singular}"
    return out


def resolve_area_item(ctx: Context, start: int, end: int, name: str | None = None) -> str | None:
    """One item of a list of areas: the lexicon's area, or a new area minted from the name
    (``name``, where the list gives it in part: "China (Guangdong)" of "China (Guangdong), ...
    and China (Beijing) Pilot Free Trade Zones")."""
    text = ctx.doc.text
    item_view = View.of(text, start, end, markup=ctx.doc.markup)  # composed, no invisible characters
    item = item_view.clean
    if name is not None:
        entry = ctx.lexicon.lookup(name, ["area"])
        return ctx.entity_from_lexicon(entry) if entry is not None else \
            ctx.mint("area", name, ctx.evidence(start, end))
    item = _THE.sub("", item) if _THE.match(item) and item[4:5].isupper() else item  # "the Hainan Free Trade Port"
    if _INNER_PARENTHESIS.search(item):
        # "China (Shanghai) Pilot Free Trade Zone": the bracket is part of the name
        entry = ctx.lexicon.lookup(item.strip(), ["area"])
        return ctx.entity_from_lexicon(entry) if entry is not None else \
            ctx.mint("area", item.strip(), ctx.evidence(*item_view.origin(0, len(item_view.clean))))
    paren_free = re.search(r"^(.*?)\s*(?:[(（]|$)", item)  # the name before any parenthesis
    main = re.sub(r"\s*[(（].*?[)）]\s*", " ", item).strip()
    evidence = ctx.evidence(start, end)
    entry = ctx.lexicon.lookup(main, ["area"])
    if entry is None:
        inner = ctx.lexicon.find_all(item, ["area"])
        whole = [m for m in inner if m.start == 0 or item[:m.start].strip() == ""]
        if whole and len(whole[0].surface) >= len(main) - 1:
            entry = whole[0].entry
    if entry is not None:
        iri = ctx.entity_from_lexicon(entry)
    elif main and main[0].isupper():
        lo = item.find(main.split()[0])
        hi = lo + len(main) if item[lo:lo + len(main)] == main else len(paren_free.group(1) if paren_free else item)
        iri = ctx.mint("area", main, ctx.evidence(*item_view.origin(lo, max(hi, lo + 1))))
    else:
        ctx.warn(ctx.doc.line_of(start), f"list item {item!r} is not an area; left out")
        return None
    # a parenthesis naming areas inside it: "Chongqing (21 municipal districts including Fuling District)"
    paren = re.search(r"[(（](.*?)[)）]", item)
    if paren:
        p_start = start + paren.start(1)
        view = View.of(text, p_start, start + paren.end(1), markup=ctx.doc.markup)
        inner = []
        for m in ctx.lexicon.find_all(view.clean, ["area"]):
            if m.entry.iri != iri:
                ctx.entity_from_lexicon(m.entry)
                inner.append((m.start, m.entry.iri))
        # "(including the Lin-gang Special Area)": a part the lexicon does not know
        for m in re.finditer(rf"\bincluding\s+(?:the\s+)?(?P<name>{NAME})", view.clean):
            if not any(st == m.start("name") for st, _ in inner):
                n_start, n_end = view.origin(m.start("name"), m.end("name"))
                inner.append((m.start("name"), ctx.mint("area", m.group("name"),
                                                        ctx.evidence(n_start, n_end))))
        for _, child in inner:
            ctx.fact("containment", evidence, child=child, parent=iri)
    return iri


def pilot_areas(ctx: Context, view: View, s: int, e: int, block: Block, offset: int) -> None:
    """The stated count of pilot areas in sentence ``view.clean[s:e]`` ("21 pilot areas"), the
    areas a footnote of its lists ("The full list includes: A, B, C"), and those it names after
    "including", "such as", ":": facts of the document the pilot facts belong to."""
    sent = ctx.without_documents(view, s, e)  # "... Pilot Zones" in a document's name is no count
    anaphoric = _THE_COUNT.match(sent)  # "The 33 new zones include ...", after the document of pilot zones
    if not REGION_WORDS.search(sent) and not _PILOTED.search(sent) and not anaphoric:
        _named_count(ctx, view, s, e, sent)
        return
    m = COUNT.search(sent)
    o_start, o_end = view.origin(s, e)
    markers = [mk for mk in block.markers if o_start <= mk.start <= o_end + 2]
    notes = [ctx.doc.footnotes[mk.label] for mk in markers if mk.label in ctx.doc.footnotes]
    lists = [n for n in notes if _list_intro(ctx, n) is not None and _is_area_list(ctx, n)]
    including = re.search(r"\b(?:including|includ(?:es|e)|such\s+as|namely|among\s+them|:)\s+", sent)
    label = _AREAS_LABEL.match(sent)
    if not m and not lists and label:
        # "Pilot areas: Beijing, Shanghai, Shenzhen.": the label's list, of the document of pilots
        notice = pilot_document(ctx, view.origin(s, s + 1)[0], None)
        if notice is not None:
            for mention in areas_in(ctx, view, s + label.end(), e):
                area = _whole_area(ctx, mention)
                if area is not None:
                    ctx.fact("pilot_area", ctx.evidence(area.start, area.end), notice=notice.iri, area=area.iri)
        return
    if not m and not lists:
        return
    at = view.origin(s + (m.start() if m else 0), s + (m.end() if m else 1))[0]
    notice = pilot_document(ctx, at, o_start)
    if notice is None:
        return
    if not REGION_WORDS.search(sent) and not [d for _, _, d in ctx.documents_in(o_start, at) if d is notice] and not (
            anaphoric and re.search(rf"\b(?:pilot|demonstration|experimental)\s+{anaphoric.group('noun')}\b", notice.label,
                                    re.IGNORECASE)) and not _by_its_issuer(ctx, view, s, s + m.start() if m else s, notice):
        return  # "... selected 15 provinces" names the document that did, or says nothing sure
    if m:
        n = parse_number(m.group("n"))
        if n and 1900 <= n <= 2100 and re.fullmatch(r"\d{4}", m.group("n")):
            n = None  # "MOFCOM's 2024 evaluation of the pilot zones": a year, not a count
        c_start, c_end = view.origin(s + m.start(), s + m.end())
        # "companies in the 8 pilot areas": the count stated before, not one more document's
        again = n in ctx.stated_counts and re.search(r"\b(?:the|these|those|all|its|their)\s+$",
                                                     view.clean[max(0, s + m.start() - 12):s + m.start()],
                                                     re.IGNORECASE)
        if n and not again:
            ctx.fact("stated_count", ctx.evidence(c_start, c_end), notice=notice.iri, count=n)
            ctx.stated_counts.add(n)
    for note in lists:
        intro = _list_intro(ctx, note)
        items = []
        for i_start, i_end in split_list(ctx.doc.text, intro, note.end):
            sub = ctx.doc.text[i_start:i_end]
            if "." in sub and not sub.endswith("."):
                i_end = i_start + sub.index(".")  # the list ends with its sentence
            items.append((i_start, i_end))
        skip = False
        whole = shared_heads([" ".join(View.of(ctx.doc.text, a, b, markup=ctx.doc.markup).clean.split())
                              for a, b in items])
        for index, (i_start, i_end) in enumerate(items):
            if skip:
                skip = False
                continue
            iri = resolve_area_item(ctx, i_start, i_end, whole[index])
            if not iri:
                continue
            end = i_end
            if index + 1 < len(items):
                # "Changsha, Hunan Province": one item, the second part where the first lies
                n_start, n_end = items[index + 1]
                parent = ctx.lexicon.lookup(ctx.doc.text[n_start:n_end].strip(), ["area"])
                child = _lexicon_area(ctx, iri)
                if parent is not None and child is not None and parent in ctx.lexicon.chain(child):
                    skip, end = True, n_end
                    ctx.entity_from_lexicon(parent)
                    ctx.fact("containment", ctx.evidence(i_start, n_end), child=iri, parent=parent.iri)
            ctx.fact("pilot_area", ctx.evidence(i_start, end), notice=notice.iri, area=iri)
    dash = None
    if m:
        # "three cities – Chengdu, Xi'an and Jinan – in building pilot zones": the areas the
        # count's dashes enclose (or hyphens set apart by spaces, as a plain text writes them:
        # " - Shandong, Anhui and Guizhou - "; what they are for may come first: "four pilot
        # cities for authorised operation — A, B, C and D —"), before any "such as" after them
        dash = re.match(r"(?:\s+(?:for|in|of|on|under|with)\s+[^–—,.;:()]{1,60}?)?\s*(?:[–—]|(?<=\s)-)\s+"
                        r"(?P<list>[^–—]{2,300}?)\s+(?:[–—]|-(?=\s))", sent[m.end():])
        if dash and including and including.start() < m.end() + dash.start("list"):
            dash = None  # "including ... three cities – ..."? the "including" reads first
    bracket = _BRACKET_LIST.match(sent, m.end()) if m and not dash else None
    if bracket:
        # "selected five cities (Beijing, Shanghai, ...) as pilots": the places the bracket lists
        first = view.origin(s + bracket.start("list"), s + bracket.start("list") + 1)[0]
        for mention in areas_in(ctx, view, s + bracket.start("list"), s + bracket.end("list")):
            # (the bracket opens the list: its first place is no place inside a zone's name)
            area = mention if mention.start <= first else _whole_area(ctx, mention)
            if area is not None:
                ctx.fact("pilot_area", ctx.evidence(area.start, area.end), notice=notice.iri, area=area.iri)
    elif dash:
        lo = s + m.end() + dash.start("list")
        for mention in areas_in(ctx, view, lo, lo + len(dash.group("list"))):
            ctx.fact("pilot_area", ctx.evidence(mention.start, mention.end), notice=notice.iri,
                     area=mention.iri)
    elif including:
        # (the list ends at a semicolon: "...; the Reply lists 23 more")
        semicolon = view.clean.find(";", s + including.end(), e)
        placed = _placed_items(ctx, view, s + including.end(), semicolon if semicolon >= 0 else e)
        if placed is not None:  # "among them Pinggu District in Beijing, Deqing County in Zhejiang"
            for start, end, area in placed:
                ctx.fact("pilot_area", ctx.evidence(start, end), notice=notice.iri, area=area)
            return
        for mention in areas_in(ctx, view, s + including.end(), e):
            area = _whole_area(ctx, mention)
            if area is not None:
                ctx.fact("pilot_area", ctx.evidence(area.start, area.end), notice=notice.iri, area=area.iri)


#: "Pilot areas:", "The pilot cities:" opening a sentence: a list of the document of pilots' areas.
_AREAS_LABEL = re.compile(r"[\W_]*(?:the\s+)?(?:pilot|demonstration|experimental)\s+(?:areas|cities|zones|provinces|"
                          r"localities|counties|districts|regions)\s*[:：]\s*", re.IGNORECASE)
#: A bracket right after a count that lists the places: "five cities (Beijing, ..., Chengdu)".
_BRACKET_LIST = re.compile(r"\s*[(（](?P<list>[^()（）]{2,400})[)）]")


def _by_its_issuer(ctx: Context, view: View, lo: int, hi: int, notice: NamedDocument) -> bool:
    """Whether ``view.clean[lo:hi]`` (a sentence before its count) names an issuer of ``notice``
    as the one acting: "The NDA selected five cities ..." after the NDA's notice."""
    issuers = set(ctx.issuers.get(notice.iri, ()))
    return bool(issuers) and any(a.iri in issuers for a in agencies_in(ctx, view, lo, hi, strict=True))


#: A sentence that opens with a count of the areas of the document of pilots named before:
#: "The 33 new zones include ...", "These ten cities are ...".
_THE_COUNT = re.compile(rf"\s*(?:the|these|those|its|their)\s+(?P<n>{NUMBER})\s+(?:(?:new|additional|selected|"
                        r"designated|approved)\s+)?(?P<noun>zones|cities|areas|provinces|regions|counties|districts)\b",
                        re.IGNORECASE)
#: Capitalised words after a place's name that make it the name of a zone in it: "Hainan Free
#: Trade Port", "Pudong New Area".
_ZONE_AFTER = re.compile(r"\s+(?:[A-Z][\w'’-]*\s+){0,3}(?:Zone|Port|Area|Park|District)\b")


def _whole_area(ctx: Context, mention: Mention) -> Mention | None:
    """The area a sentence names where the lexicon found ``mention``: the place itself, or the
    zone whose name it begins ("Hainan Free Trade Port", minted as such); ``None`` for a place
    inside another name's brackets ("China (Shanghai) Pilot Free Trade Zone"), which names a
    zone, not the place."""
    text = ctx.doc.text
    if text[max(0, mention.start - 1):mention.start] in "(（" and mention.start > 0:
        return None
    after = _ZONE_AFTER.match(text, mention.end, min(len(text), mention.end + 60))
    if after is None:
        return mention
    name = " ".join(View.of(text, mention.start, after.end(), markup=ctx.doc.markup).clean.split())
    entry = ctx.lexicon.lookup(name, ["area"])
    iri = ctx.entity_from_lexicon(entry) if entry is not None else \
        ctx.mint("area", name, ctx.evidence(mention.start, after.end()))
    return Mention("area", iri, mention.start, after.end())


#: "... had named six: Beijing, Shanghai and Wuxi": a count with no noun, a colon, the places.
_NAMED_COUNT = re.compile(rf"\b(?:named|names|designated|designates|selected|selects|chose|chooses)\s+"
                          rf"(?P<n>{NUMBER})\s*:\s*", re.IGNORECASE)


def _named_count(ctx: Context, view: View, s: int, e: int, sent: str) -> None:
    """"The first-batch Notice on ... Pilot Cities had named six: Beijing, ..., Wuxi": the pilot
    areas of the one document of pilots the sentence names before the count, when the list
    after the colon is that many places and nothing else."""
    m = _NAMED_COUNT.search(sent)
    if not m:
        return
    n = parse_number(m.group("n"))
    o_start, _ = view.origin(s, e)
    o_count = view.origin(s + m.start(), s + m.end())[0]
    named = {d.iri: d for st, _, d in ctx.documents_in(o_start, o_count)
             if d.iri != ctx.source and REGION_WORDS.search(d.label)}
    if len(named) != 1 or not n:
        return
    notice = next(iter(named.values()))
    lo = s + m.end()
    stop = re.search(r"[.;]\s", view.clean[lo:e] + " ")
    hi = lo + (stop.start() if stop else e - lo)
    items = split_list(view.clean, lo, hi)
    found = areas_in(ctx, view, lo, hi)
    if len(items) != n or len(found) != n or not all(
            any(a <= mention_at(view, f) < b for f in found) for a, b in items):
        ctx.warn(ctx.doc.line_of(o_start), f"{quote(' '.join(view.clean[s:e].split()))} names {n} places but "
                                           f"they are not {n} places alone: no pilot areas taken from it")
        return
    c_start, c_end = view.origin(s + m.start("n"), s + m.end("n"))
    ctx.fact("stated_count", ctx.evidence(c_start, c_end), notice=notice.iri, count=n)
    ctx.stated_counts.add(n)
    for mention in found:
        ctx.fact("pilot_area", ctx.evidence(mention.start, mention.end), notice=notice.iri, area=mention.iri)


def mention_at(view: View, mention: Mention) -> int:
    """Where in ``view.clean`` a mention (offsets of the document's text) begins."""
    return bisect.bisect_left(view.offsets, mention.start)


#: A list item that places an area in another: "Pinggu District in Beijing", "Pudong New Area of
#: Shanghai".
_PLACED = re.compile(rf"(?P<a>{NAME})\s+(?:in|of)\s+(?P<b>{NAME})")


def _placed_items(ctx: Context, view: View, lo: int, hi: int) -> list[tuple[int, int, str]] | None:
    """The areas of a list whose items place each in a larger one ("among them Pinggu District
    in Beijing, Deqing County in Zhejiang and Wuhu", "Nanping and Ningde in Fujian"): the first
    of each item (the lexicon's, or
    a new area: the text places it), contained in the second; an item of one known area is
    that area. ``None`` when no item places an area (the list is read as before), or when an
    item is neither (then the list is unsure: nothing is taken from it, with a warning)."""
    o_lo, o_hi = view.origin(lo, hi)
    items = split_list(ctx.doc.text, o_lo, o_hi)
    found: list[tuple[int, int, str]] = []
    views = [View.of(ctx.doc.text, a, b, markup=ctx.doc.markup) for a, b in items]
    texts = [re.sub(r"^and\s+", "", v.clean.strip().rstrip(".")) for v in views]
    matches = [_PLACED.fullmatch(t) for t in texts]
    outers = [ctx.lexicon.lookup(m.group("b"), ["area"]) if m else None for m in matches]
    placed = any(o is not None for o in outers)
    for k, ((i_start, i_end), item, text, m, outer) in enumerate(zip(items, views, texts, matches, outers)):
        if m and outer is not None:
            ctx.entity_from_lexicon(outer)
            at = item.clean.index(m.group("a"))
            # "Nanping and Ningde in Fujian": each of them, in it
            for name in re.finditer(r"[^\s](?:(?!\s+and\s+).)*", m.group("a")):
                a_start, a_end = item.origin(at + name.start(), at + name.end())
                inner = ctx.lexicon.lookup(name.group(0), ["area"])
                area = ctx.entity_from_lexicon(inner) if inner is not None else \
                    ctx.mint("area", name.group(0), ctx.evidence(a_start, a_end))
                ctx.fact("containment", ctx.evidence(i_start, i_end), child=area, parent=outer.iri)
                found.append((a_start, a_end, area))
            continue
        entry = ctx.lexicon.lookup(text, ["area"])
        if entry is None and placed and k + 1 < len(items) and outers[k + 1] is not None and \
                re.fullmatch(rf"{NAME}", text) and re.fullmatch(r"\s+and\s+", ctx.doc.text[i_end:items[k + 1][0]]):
            # "Langfang and Cangzhou in Hebei" (read as two items): both in Hebei
            outer_next = outers[k + 1]
            area = ctx.mint("area", text, ctx.evidence(i_start, i_end))
            ctx.entity_from_lexicon(outer_next)
            ctx.fact("containment", ctx.evidence(i_start, items[k + 1][1]), child=area, parent=outer_next.iri)
            found.append((i_start, i_end, area))
            continue
        if entry is None:
            if placed or _PLACED.search(text):
                ctx.warn(ctx.doc.line_of(i_start), f"list item {text!r} is not an area: the list is left out")
                return []
            return None
        found.append((i_start, i_end, ctx.entity_from_lexicon(entry)))
    return found if placed else None


#: A line over a list of the pilot areas: "The 12 pilot cities", "Pilot cities (12):".
_AREAS_OVER_LIST = re.compile(rf"^\W*(?:the\s+)?(?:(?P<n>{NUMBER})\s+)?pilot\s+(?:cities|areas|zones|provinces)"
                              rf"(?:\s*\((?P<n2>\d+)\))?\s*:?\W*$", re.IGNORECASE)


def _alone(ctx: Context, item: Span, area: Mention) -> bool:
    """Whether the list item names the area and nothing more ("Chongqing", "Hefei (Anhui)",
    "Changsha, Hunan Province"), not a part or a class of it ("all county-level cities of Hebei")."""
    rest = ctx.doc.text[item.start:area.start] + " " + ctx.doc.text[area.end:item.end]
    rest = re.sub(r"[(（][^()（）]*[)）]", " ", re.sub(r"[*_]+", " ", rest))
    return re.fullmatch(r"[\W\d]*(?:(?:city|province|municipality|region|district|county)\W*)?", rest,
                        re.IGNORECASE) is not None


#: A list item that is a place's name alone: "Cangzhou", "Xiong'an New Area" (capitalised words).
_AREA_NAME = re.compile(r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,3}\.?")
#: A sentence that ends by counting the pilot areas, over their list: "The second-batch Notice
#: names ten pilot cities:", "It designates the following 12 pilot zones:".
_COUNT_OVER_LIST = re.compile(rf"\b(?P<n>{NUMBER})\s+(?:[\w-]+\s+){{0,2}}?pilot\s+(?:cities|areas|zones|provinces|"
                              rf"regions|counties|municipalities)\W*:\W*$", re.IGNORECASE)


def listed_pilot_areas(ctx: Context) -> None:
    """The items of a list under a line that names the pilot areas and their count ("The 12
    pilot cities", then twelve list items), and the cells of a table's column headed "Pilot
    cities": pilot areas of the document that stated that count, where every item is an area
    and there are as many (else nothing, with a warning)."""
    blocks = ctx.doc.blocks
    counted: dict[object, set[object]] = {}
    for rec in ctx.records:
        if rec.kind == "stated_count":
            counted.setdefault(rec.get("count"), set()).add(rec.get("notice"))
    for i, block in enumerate(blocks):
        if block.kind == "header" and block.cells:
            _area_column(ctx, i, counted)
            continue
        if block.kind not in ("heading", "paragraph", "category") or i + 1 >= len(blocks):
            continue
        view = block_view(ctx.doc, block)
        line = " ".join(re.sub(r"<[^<>]{1,80}>", " ", view.clean).split())
        m = _AREAS_OVER_LIST.match(line) or _COUNT_OVER_LIST.search(line)
        if not m or not (m.group("n") or m.groupdict().get("n2")):
            continue
        n = parse_number(m.group("n") or m.groupdict().get("n2"))
        items: list[Span] = []
        for item in blocks[i + 1:]:
            if item.kind not in ("bullet", "article") or item.kind == "article" and item.article is None:
                break
            items.append(Span(item.start, item.end))
        if items:
            _take_areas(ctx, block.line, " ".join(view.clean.split()), items, n, counted.get(n, set()))


#: The header of a table's column of pilot areas: "Pilot cities", "Pilot cities (pilot areas)".
_AREA_COLUMN = re.compile(r"(?:pilot|demonstration)\s+(?:cit(?:y|ies)|areas?|zones?|provinces?|regions?|counties|county|"
                          r"municipalit(?:y|ies))\b.*",
                          re.IGNORECASE)


def _area_column(ctx: Context, i: int, counted: dict[object, set[object]]) -> None:
    """A table's column headed "Pilot cities": its cells, one area each, as a list of them."""
    header = ctx.doc.blocks[i]
    for c, cell in enumerate(header.cells):
        words = " ".join(re.sub(r"[*_`]+", " ", ctx.doc.text[cell.start:cell.end]).split())
        if not _AREA_COLUMN.fullmatch(words):
            continue
        items: list[Span] = []
        for row in ctx.doc.blocks[i + 1:]:
            if row.kind not in ("paragraph", "article") or len(row.cells) != len(header.cells):
                break
            value = row.cells[c]
            if re.sub(r"[\s*_—–-]+", "", ctx.doc.text[value.start:value.end]):
                items.append(value)
        if items:
            _take_areas(ctx, header.line, words, items, len(items), counted.get(len(items), set()))


def _take_areas(ctx: Context, line: int, label: str, items: list[Span], n: int | None, owners: set[object]) -> None:
    """``items`` as the pilot areas of the one document that stated ``n`` of them, when each
    names one area alone and there are ``n``; else nothing, with a warning."""
    areas: list[Mention | Span] = []  # an area the lexicon knows, or an item that names one
    for item in items:
        item_view = View.of(ctx.doc.text, item.start, item.end, markup=ctx.doc.markup)
        found = areas_in(ctx, item_view, 0, len(item_view.clean))
        if len(found) == 1 and _alone(ctx, item, found[0]):
            areas.append(found[0])
        elif not found and _AREA_NAME.fullmatch(item_view.clean.strip()):
            areas.append(item)  # "Cangzhou": a place the lexicon does not know, named alone
        else:
            break
    if len(owners) != 1 or len(areas) != len(items) or len(areas) != n:
        ctx.warn(line, f"a list of {len(items)} items under {quote(label)}: not taken as the pilot areas (no one "
                       f"document states {n} of them, or the items are not {n} areas)")
        return
    owner = next(iter(owners))
    for area in areas:
        if isinstance(area, Mention):
            ctx.fact("pilot_area", ctx.evidence(area.start, area.end), notice=owner, area=area.iri)
            continue
        iri = resolve_area_item(ctx, area.start, area.end)
        if iri is not None:
            ctx.fact("pilot_area", ctx.evidence(area.start, area.end), notice=owner, area=iri)


#: Words that say a list names only some of what was counted.
_PARTIAL = re.compile(r"\b(?:among\s+them|among\s+others|including|includes?|such\s+as|for\s+example|for\s+instance|e\.g\.|"
                      r"\d+\s+more\b)",
                      re.IGNORECASE)


def settle_counts(ctx: Context) -> None:
    """The text's count of pilot areas is a checksum of the areas found for its document: where
    they are not as many, an area was missed, split or merged, or the count is another
    document's; then the count is left out, with a warning that quotes its sentence, and where
    more areas were found than the text counts (so one at least is false), the areas too —
    unless another count of the same document matches them (then that one is the document's).
    Fewer stay: each stands on its own evidence, and the warning says some are missing."""
    areas: dict[object, set[object]] = {}
    for rec in ctx.records:
        if rec.kind == "pilot_area":
            areas.setdefault(rec.get("notice"), set()).add(rec.get("area"))
    counts: set[int] = set()  # the counts left out
    extra: set[object] = set()  # ... and whose areas too
    # a document one of whose counts the areas found match: its other counts are the ones wrong
    matched = {rec.get("notice") for rec in ctx.records if rec.kind == "stated_count"
               and len(areas.get(rec.get("notice"), ())) == rec.get("count")}
    for rec in ctx.records:
        if rec.kind == "stated_count":
            found = areas.get(rec.get("notice"), set())
            if 0 < len(found) < rec.get("count") and _PARTIAL.search(_sentence_at(ctx, rec)):
                continue  # "117 pilot areas, among them ...": the text says it names only some
            if len(found) != rec.get("count"):
                line = rec.evidence.line if rec.evidence else 0
                what = "the count and those areas are" if len(found) > rec.get("count") else "the count is"
                ctx.warn(line, f"the text states {rec.get('count')} pilot areas but {len(found)} were found for "
                               f"its document: {what} left out: {quote(_sentence_at(ctx, rec))}")
                counts.add(id(rec))
                if len(found) > rec.get("count") and rec.get("notice") not in matched:
                    extra.add(rec.get("notice"))
    if counts:
        ctx.records[:] = [rec for rec in ctx.records
                          if id(rec) not in counts
                          and not (rec.kind == "pilot_area" and rec.get("notice") in extra)]


def _sentence_at(ctx: Context, rec: Record) -> str:
    """The sentence of the block that holds ``rec``'s evidence."""
    ev = rec.evidence
    if ev is None:
        return ""
    blocks = ctx.doc.blocks
    i = bisect.bisect_right(blocks, ev.start, key=lambda b: b.start) - 1
    if i >= 0 and ev.start < blocks[i].end:
        view = block_view(ctx.doc, blocks[i])
        for s, e in sentences(view):
            o_start, o_end = view.origin(s, e)
            if o_start <= ev.start < o_end + 1:
                return " ".join(view.clean[s:e].split())
    return ev.exact


def _lexicon_area(ctx: Context, iri: str) -> Entry | None:
    prefix = f"{ID}area/"
    return ctx.lexicon.get("area", iri[len(prefix):]) if iri.startswith(prefix) else None


def _list_intro(ctx: Context, note: Block) -> int | None:
    view = block_view(ctx.doc, note)
    m = LIST_INTRO.search(view.clean)
    return view.origin(m.end(), m.end())[0] if m else None


def _is_area_list(ctx: Context, note: Block) -> bool:
    view = block_view(ctx.doc, note)
    if FULL_NAMES.search(view.clean):
        return False  # "Full names of the three documents: ... Pilot Zones"
    return bool(re.search(r"\b(?:full\s+list|pilot\s+areas?|areas|cities|provinces|zones)\b", view.clean,
                          re.IGNORECASE)) and not re.search(r"\bbases?\b", view.clean, re.IGNORECASE)


__all__ = ["COUNT", "LIST_INTRO", "REGION_WORDS", "areas_in", "listed_pilot_areas", "pilot_areas", "resolve_area_item", "settle_counts"]

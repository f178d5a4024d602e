"""Lists of designated sites: "The first batch of digital service export bases are: A, B, C."

Door: :func:`designated_sites` (a pass over the document's blocks).

Bases of a list that names them export bases are ``pol:ExportBase``; other bases (data
labelling bases, ...) are ``pol:DesignatedSite``. Reads from the context: the list named last
before the items (a ``DesignationList`` among the mentions of documents that
:func:`~policykg.pipeline.recognisers.documents.find_documents` found), the lexicon, and where a known
base lies (containment by child, :meth:`~policykg.pipeline.recognisers.context.Context.parents`: the
lexicon's, added with its entity). Writes site and export-base entities, and ``listing`` and
``containment`` facts.
"""
from __future__ import annotations

import re

from ...textutil import NUMBER, View, block_view, split_list
from .context import Context, NamedDocument, quote

#: What a list of designated sites calls its items.
_SITES = r"(?:bases|venues|desks|exchanges|centres|centers|parks|hubs|zones)"
#: "The first batch of digital service export bases are: A, B", "It names three venues: A, B
#: and C": the list's items follow the colon.
_INTRO = re.compile(rf"\b{_SITES}\s*(?:(?:are|include|includes|comprise|cover)\s*)?:\s*|"
                    rf"\b(?:names|lists|designates|includes|comprises|covers)\s+(?:the\s+following\s+|"
                    rf"{NUMBER}\s+)?(?:[\w-]+\s+){{0,3}}?{_SITES}\s*:\s*", re.IGNORECASE)
#: A heading or line over a bulleted list of sites: "The seven national data labelling bases".
_OVER_ITEMS = re.compile(rf"\b{_SITES}\b", re.IGNORECASE)


def designated_sites(ctx: Context) -> None:
    """Each list of sites: its items, listed in the list named before, and where each lies —
    after "...: A, B and C", and as the items of a bulleted list under a heading or line that
    names such sites."""
    doc = ctx.doc
    blocks = doc.blocks
    for i, block in enumerate(blocks):
        if block.kind == "bullet" and i and blocks[i - 1].kind != "bullet":
            _bulleted(ctx, i)
            continue
        view = block_view(doc, block)
        m = _INTRO.search(view.clean)
        if not m:
            continue
        intro_end = view.origin(m.end(), m.end())[0]
        kind = "export_base" if re.search(r"\bexport\s+bases?\b", view.clean[:m.end()], re.IGNORECASE) else "site"
        the_list = ctx.document_before(intro_end, ["DesignationList"])
        rest = doc.text[intro_end:block.end]
        stop = re.search(r"\.(?:\s|$)", rest)
        list_end = intro_end + (stop.start() if stop else len(rest))
        # known names are items whole, even with an "and" inside them
        known = _known_spans(ctx, intro_end, list_end, ["export_base", "area"])
        for i_start, i_end in split_list(doc.text, intro_end, list_end, protect=known):
            _listed(ctx, i_start, i_end, kind, the_list)


def _bulleted(ctx: Context, first: int) -> None:
    """The bulleted list that starts at block ``first``, when the heading or line over it (one
    of the two blocks before) names sites and every item is a short name."""
    blocks = ctx.doc.blocks
    over = [b for b in blocks[max(0, first - 2):first] if b.kind in ("heading", "paragraph", "category")]
    if not over or not any(_OVER_ITEMS.search(block_view(ctx.doc, b).clean) for b in over):
        return
    items = []
    for block in blocks[first:]:
        if block.kind != "bullet":
            break
        name = " ".join(block_view(ctx.doc, block).clean.split()).strip(" .;,")
        if not name or len(name.split()) > 10 or not name[:1].isupper() or re.search(r"[.;:]\s", name):
            return  # sentences, not names: not a list of sites
        items.append(block)
    words = " ".join(block_view(ctx.doc, b).clean for b in over)
    kind = "export_base" if re.search(r"\bexport\s+bases?\b", words, re.IGNORECASE) else "site"
    the_list = ctx.document_before(blocks[first].start, ["DesignationList"])
    for block in items:
        view = block_view(ctx.doc, block)
        lead = len(view.clean) - len(view.clean.lstrip(" *_"))
        start, end = view.origin(lead, len(view.clean.rstrip(" .;,*_")))
        _listed(ctx, start, end, kind, the_list)


def _listed(ctx: Context, start: int, end: int, kind: str, the_list: NamedDocument | None) -> None:
    """One site of a list: its entity and where it lies (see :func:`_designated_site`), and the
    list's ``listing`` fact; a site whose place neither its name nor its list's name tells is
    left out, with a warning (a site lies in one area)."""
    iri = _designated_site(ctx, start, end, kind, the_list)
    if iri is None:
        ctx.warn(ctx.doc.line_of(start), f"the site {quote(' '.join(ctx.doc.text[start:end].split()))} names no "
                                         f"area the lexicon knows, nor does its list: left out")
        return
    if the_list is not None:
        ctx.fact("listing", ctx.evidence(start, end), list=the_list.iri, base=iri)


def _known_spans(ctx: Context, start: int, end: int, kinds: list[str]) -> list[tuple[int, int]]:
    """Where the lexicon's names of ``kinds`` stand in ``text[start:end]`` (original offsets)."""
    view = View.of(ctx.doc.text, start, end, markup=ctx.doc.markup)
    return [view.origin(m.start, m.end) for m in ctx.lexicon.find_all(view.clean, kinds)]


def _designated_site(ctx: Context, start: int, end: int, kind: str, the_list: NamedDocument | None) -> str | None:
    """One item of a list of sites: the lexicon's export base, or one minted, where it lies
    (for the lexicon's, one of the areas the lexicon puts it in): the area its name holds,
    else the one area its list's name holds ("... of the China (Beijing) Pilot Free Trade
    Zone"). ``None`` for a site minted here whose place neither tells."""
    text = ctx.doc.text
    name = text[start:end].strip()
    evidence = ctx.evidence(start, end)
    entry = ctx.lexicon.lookup(name, ["export_base"])
    view = View.of(text, start, end, markup=ctx.doc.markup)
    if entry is not None:
        iri = ctx.entity_from_lexicon(entry)
        located = ctx.parents(iri)
    else:
        areas = [m.entry for m in ctx.lexicon.find_all(view.clean, ["area"])]
        if not areas and the_list is not None:
            in_list = {m.entry.iri: m.entry for m in ctx.lexicon.find_all(the_list.label, ["area"])}
            areas = list(in_list.values()) if len(in_list) == 1 else []
        if not areas:
            return None
        iri = ctx.mint(kind, name, evidence)
        ctx.entity_from_lexicon(areas[0])
        ctx.fact("containment", evidence, child=iri, parent=areas[0].iri)
        return iri
    # the text itself says where the base lies when its name contains an area
    for m in ctx.lexicon.find_all(view.clean, ["area"]):
        if located and m.entry.iri not in located:
            continue
        ctx.entity_from_lexicon(m.entry)
        ctx.fact("containment", evidence, child=iri, parent=m.entry.iri)
        break
    return iri


__all__ = ["designated_sites"]

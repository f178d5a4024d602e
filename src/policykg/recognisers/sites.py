"""Lists of designated sites: "The first batch of digital service export bases are: A, B, C."

Door: :func:`designated_sites` (a pass over the document's blocks).

Bases of a list that names them export bases are ``pol:ExportBase``; other bases (data
labelling bases, ...) are ``pol:DesignatedSite``. Reads from the context: the list named last
before the items (a ``DesignationList`` among the mentions of documents that
:func:`~policykg.recognisers.documents.find_documents` found), the lexicon, and where a known
base lies (containment by child, :meth:`~policykg.recognisers.context.Context.parents`: the
lexicon's, added with its entity). Writes site and export-base entities, and ``listing`` and
``containment`` facts.
"""
from __future__ import annotations

import re

from ..textutil import View, block_view, split_list
from .context import Context


def designated_sites(ctx: Context) -> None:
    """Each list of bases: its items, listed in the list named before, and where each lies."""
    doc = ctx.doc
    for block in doc.blocks:
        view = block_view(doc, block)
        m = re.search(r"\bbases\s*(?:(?:are|include|includes|comprise|cover)\s*)?:\s*", view.clean, re.IGNORECASE)
        if not m:
            continue
        intro_end = view.origin(m.end(), m.end())[0]
        kind = "export_base" if re.search(r"\bexport\b", view.clean[:m.end()], re.IGNORECASE) else "site"
        the_list = ctx.document_before(intro_end, ["DesignationList"])
        rest = doc.text[intro_end:block.end]
        stop = re.search(r"\.(?:\s|$)", rest)
        list_end = intro_end + (stop.start() if stop else len(rest))
        # known names are items whole, even with an "and" inside them
        known = _known_spans(ctx, intro_end, list_end, ["export_base", "area"])
        for i_start, i_end in split_list(doc.text, intro_end, list_end, protect=known):
            iri = _designated_site(ctx, i_start, i_end, kind)
            if the_list is not None:
                ctx.fact("listing", ctx.evidence(i_start, i_end), list=the_list.iri, base=iri)


def _known_spans(ctx: Context, start: int, end: int, kinds: list[str]) -> list[tuple[int, int]]:
    """Where the lexicon's names of ``kinds`` stand in ``text[start:end]`` (original offsets)."""
    view = View.of(ctx.doc.text, start, end, markup=ctx.doc.markup)
    return [view.origin(m.start, m.end) for m in ctx.lexicon.find_all(view.clean, kinds)]


def _designated_site(ctx: Context, start: int, end: int, kind: str) -> str:
    """One item of a list of bases: the lexicon's export base, or one minted; where it lies
    when its name holds an area (for the lexicon's, one of the areas the lexicon puts it in)."""
    text = ctx.doc.text
    name = text[start:end].strip()
    evidence = ctx.evidence(start, end)
    entry = ctx.lexicon.lookup(name, ["export_base"])
    if entry is not None:
        iri = ctx.entity_from_lexicon(entry)
        located = ctx.parents(iri)
    else:
        iri = ctx.mint(kind, name, evidence)
        located = set()
    # the text itself says where the base lies when its name contains an area
    view = View.of(text, start, end, markup=ctx.doc.markup)
    for m in ctx.lexicon.find_all(view.clean, ["area"]):
        if located and m.entry.iri not in located:
            continue
        ctx.entity_from_lexicon(m.entry)
        ctx.fact("containment", evidence, child=iri, parent=m.entry.iri)
        break
    return iri


__all__ = ["designated_sites"]

"""References: which document refers to which ("replaces the X", "implements the X", "in
accordance with the X"), and the laws a paragraph about a document names.

Door: :func:`references` (one block, after its sentences have been read).

Reads from the context: the mentions of documents in the block
(:func:`~policykg.pipeline.recognisers.documents.find_documents`) and the update's main document
(:meth:`~policykg.pipeline.recognisers.context.Context.main_document`, which reads the holder that
:func:`~policykg.pipeline.recognisers.documents.find_holder` decided). Writes ``reference`` facts, and
a warning for a law named beside a document that the text says does not cite it.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache

from ... import resources
from ...document import Block
from ...textutil import View, block_view, sentences
from .anaphora import both_documents
from .context import NEGATED, Context, NamedDocument, denied, quote
from .documents import anaphora, short_form_of
from .heads import document_heads


@dataclass(frozen=True)
class Verb:
    """One way of saying that a document refers to another (``mappings/patterns/references.toml``)."""

    name: str
    pattern: str
    replaces: bool  # only the first document after it is the target
    example: str
    refers: tuple[str, ...]


@cache
def verbs() -> tuple[Verb, ...]:
    """The verbs of ``mappings/patterns/references.toml``, in the file's order."""
    path = resources.data_root() / "mappings" / "patterns" / "references.toml"
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    out = []
    for v in data["verb"]:
        re.compile(v["pattern"])  # a bad pattern fails here, naming nothing else
        out.append(Verb(v["name"], v["pattern"], bool(v.get("replaces")), v["example"], tuple(v.get("refers", ()))))
    return tuple(out)


@cache
def _refers() -> re.Pattern[str]:
    return re.compile("|".join(f"(?P<{v.name.replace('-', '_')}>\\b(?:{v.pattern})\\b)" for v in verbs()),
                      re.IGNORECASE)


def _first_only(verb: re.Match[str]) -> bool:
    """Whether the verb found takes only its first target ("replaces")."""
    return any(v.replaces and verb.group(v.name.replace("-", "_")) for v in verbs())




#: The subject of a sentence's verb named by a document's head word, after "the" and up to
#: three words ("The Guidelines", "The 2019 Guidelines", "The Revised Guidelines also", "the new Notice").
_HEAD_SUBJECT = re.compile(r"(?:^|[,;:]\s*|\b)[Tt]he\s+(?:(?:[A-Z0-9][\w'’-]*|new|revised|amended|old|original|earlier|"
                           r"later|latest|draft|final|current|present)\s+){0,3}?(?P<what>[A-Z][a-z]+)\s+"
                           r"(?:(?:do|does|also|both|themselves|itself|further|thus|then|\w+ly)\s+)*$")


#: The passive of replacing and amending: "A has been replaced by B", "A was amended by B": B
#: refers to A.
_BY_LATER = re.compile(r"\b(?:been|was|were|is|are)\s+(?:\w+\s+)?(?:replaced|superseded|repealed|amended|revised)\s+by\s+",
                       re.IGNORECASE)
#: A relative clause whose subject is the document that refers to the one before the comma:
#: "..., which the 2020 Notice cites", "..., which the Measures implement".
_WHICH_SUBJECT = re.compile(r",\s*which\s+(?P<subject>(?:the\s+)?[^,;()]{1,80}?)\s+(?:also\s+|both\s+)?$")


#: "..., to which Article 22 refers", "..., which Items 11 and 12 below apply": measures of the
#: update's document refer to the document named before "which".
_MEASURES_REFER = re.compile(r",\s*(?:to\s+)?which\s+(?:Articles?|Arts?\.|Items?|Tasks?|Measures?)\s+\d+"
                             r"(?:\s*(?:,|and|&)\s*\d+)*\s+(?:below\s+|above\s+)?(?:also\s+)?"
                             r"(?:refers?|cites?|appl(?:y|ies)|implements?)\b", re.IGNORECASE)


def references(ctx: Context, block: Block, block_docs: list) -> None:
    """Which document refers to which: "replace(s) the X", "implements the X", "under the
    X" name the document the sentence is about (named before the verb, else the update's
    main document) and the one it refers to; and a law named in a paragraph about a
    document ("... outlined in the Data Security Law")."""
    view = block_view(ctx.doc, block)
    for s, e in sentences(view):
        by_measures = _MEASURES_REFER.search(view.clean, s, e)
        holder = ctx.main_document() if by_measures else None
        if by_measures and holder is not None:
            # "the Provisions on ..., to which Article 22 refers", "..., which Items 11 and 12
            # below apply": the document of those measures refers to the one before "which"
            o_s, o_e = view.origin(s, e)
            o_which = view.origin(by_measures.start(), by_measures.end())[0]
            before = [d for st, _, d in ctx.documents_in(o_s, o_which) if d is not holder and d.iri != ctx.source]
            if before:
                ctx.fact("reference", ctx.evidence(o_s, o_e), document=holder.iri, target=before[-1].iri)
            continue
        passive = _BY_LATER.search(view.clean, s, e)
        if passive and not NEGATED.search(view.clean[max(s, passive.start() - 40):passive.start()]):
            # "Those Rules have since been replaced by the Provisions": the Provisions refer to them
            o_s, o_e = view.origin(s, e)
            o_verb, o_by = view.origin(passive.start(), passive.end())
            sdocs = ctx.documents_in(o_s, o_e)
            older = [d for st, _, d in sdocs if st < o_verb]
            newer = [d for st, _, d in sdocs if st >= o_by]
            if not older:
                named = anaphora(ctx, view.clean[s:passive.start()], o_s)
                older = [named] if named is not None else []
            if older and newer and newer[0] is not older[-1]:
                ctx.fact("reference", ctx.evidence(o_s, o_e), document=newer[0].iri, target=older[-1].iri)
            continue
        verb = _refers().search(view.clean, s, e)
        if not verb:
            continue
        if denied(view.clean, verb, s):
            continue  # "The Provisions do not cite the new law", "cite neither the Code nor ..."
        o_verb = view.origin(verb.start(), verb.end())[0]
        o_s, o_e = view.origin(s, e)
        sdocs = ctx.documents_in(o_s, o_e)
        back = _WHICH_SUBJECT.search(view.clean, s, verb.start())
        if back:  # "the Rules ..., which the 2020 Notice cites": the Notice refers to the Rules
            o_which, o_subject = view.origin(back.start(), back.start("subject"))
            said = [d for st, _, d in sdocs if o_subject <= st < o_verb]
            before = [d for st, _, d in sdocs if st < o_which]
            if len(said) == 1 and before and before[-1] is not said[0] and said[0].cls != "Law":
                ctx.fact("reference", ctx.evidence(o_s, o_e), document=said[0].iri, target=before[-1].iri)
            continue
        subjects = [d for st, _, d in sdocs if st < o_verb and d.cls != "Law"]  # a law is what is built on
        targets = [(st, en, d) for st, en, d in sdocs if st >= o_verb]
        comma = view.clean.find(",", verb.end(), e)
        if not view.clean[s:verb.start()].strip(" *_") and comma > 0:
            # "Building on the Code, the SPC issued ... the Provisions ...": what the opening
            # phrase names, the document of the main clause builds on
            o_comma = view.origin(comma, comma + 1)[0]
            after = [d for st, _, d in sdocs if st > o_comma and d.cls != "Law"]
            targets = [(st, en, d) for st, en, d in targets if st < o_comma]
            if not after:
                continue
            subjects = after[:1]
        in_block = next((d for _, _, d in block_docs if d.cls != "Law"), None)
        before_verb = view.clean[s:verb.start()]
        both = both_documents().search(before_verb)  # "Both texts implement ..."
        if not subjects and both:  # "Both texts implement the Opinions": the two named last
            found: list[NamedDocument] = []
            last = ctx.mentions.count_before(o_s) - 1
            for i in range(last, max(-1, last - 50), -1):  # the mentions just before, not all
                d = ctx.mentions.items[i][2]
                if d.iri != ctx.source and d.cls != "Law" and d not in found:
                    found.append(d)
                if len(found) == 2:
                    break
            chosen = found if len(found) == 2 else []
        elif subjects:
            chosen = subjects[-1:]
        else:  # "The notice implements ...": the notice named last; else the paragraph's, the update's
            named = anaphora(ctx, before_verb, o_s)
            head = _HEAD_SUBJECT.search(before_verb) if named is None else None
            if head and head.group("what").casefold() in document_heads():
                # "The Guidelines implement ...", "The Guiding Opinions also cite ...": the one
                # document named so far that the words fit (two Guiding Opinions: unsure, none)
                named = short_form_of(ctx, before_verb[head.start():head.end("what")])
                if named is None:
                    ctx.warn(ctx.doc.line_of(o_s), f"the document that {quote(view.clean[s:e])} is said of may be "
                                                   f"any of several named before: left out")
                    continue
            chosen = [named or in_block or ctx.main_document()]
        for subject in chosen:
            if subject is None:
                continue
            these = targets
            if not [d for _, _, d in these if d is not subject]:
                # "The Regulations rest on three laws²": what the sentence's footnotes name
                these = _in_footnotes(ctx, block, o_verb, o_e)
            for st, en, d in these[:1] if _first_only(verb) else these:
                if d is not subject:
                    ctx.fact("reference", ctx.evidence(o_s, o_e), document=subject.iri, target=d.iri)
    if block.kind == "footnote":  # a footnote's laws: of the document its marker's sentence names
        subject = _marker_subject(ctx, block)
        if subject is not None:
            _laws_beside(ctx, view, block_docs, subject)
    else:
        _laws_beside(ctx, view, block_docs, None)


def _in_footnotes(ctx: Context, block: Block, start: int, end: int) -> list[tuple[int, int, NamedDocument]]:
    """The documents named in the footnotes whose markers lie in ``[start, end]`` of ``block``
    (a marker may follow the sentence's full stop)."""
    found: list[tuple[int, int, NamedDocument]] = []
    for marker in block.markers:
        note = ctx.doc.footnotes.get(marker.label) if start <= marker.start <= end + 2 else None
        if note is not None:
            found += [(st, en, d) for st, en, d in ctx.documents_in(note.start, note.end) if d.iri != ctx.source]
    return found


def _marker_subject(ctx: Context, note: Block) -> NamedDocument | None:
    """The document a footnote is about: the first (not a law) its marker's sentence names."""
    where = ctx.marker_sentence(note)
    if where is None:
        return None
    marker, start = where
    named = [d for _, _, d in ctx.documents_in(start, marker + 1) if d.cls != "Law" and d.iri != ctx.source]
    return named[0] if named else None


#: What a paragraph may hold before the name it opens with: markup, "The", "Its".
_OPENS_WITH_NAME = re.compile(r"[\s*_>#-]*(?:(?:The|Its|Their|This|These)\s+)?[*_“\"]*")


#: Words of a paragraph that says what a document rests on.
_BASIS_WORDS = re.compile(r"\b(?:bas(?:is|es|ed)|implement\w*|rest(?:s|ing)?\s+on|build(?:s|ing)?\s+on|cit(?:es?|ed|ing)|"
                          r"names?\s+(?:the|them|three|four|two|five|six)\b|in\s+accordance|pursuant|in\s+line\s+with|"
                          r"made\s+under|spell\w*\s+out|follow(?:s|ing)?\s+the|align\w*\s+with|(?:outlined|laid\s+down|"
                          r"set\s+out|provided\s+for|required)\s+(?:in|by)|puts?\s+into\s+practice|in\s+keeping\s+with|"
                          r"compl(?:y|ies|iance)\s+with|requirements?\s+of)\b", re.IGNORECASE)
#: "The Work Plan names no law": none is cited.
_NO_LAW = re.compile(r"\b(?:names?|cites?|mentions?)\s+no\s+(?:law|laws|legal\s+basis)\b", re.IGNORECASE)


def _laws_beside(ctx: Context, view: View, block_docs: list, note_subject: NamedDocument | None) -> None:
    """A law named in a paragraph about a document: the document refers to it, unless the
    text says it does not. In a footnote, the document is the one its marker's sentence names
    (a footnote that lists laws beside other documents says that none of them cites them)."""
    laws = [(s, d) for s, _, d in block_docs if d.cls == "Law"]
    others = [(s, d) for s, _, d in block_docs if d.cls != "Law"]
    if note_subject is not None:
        others = [(-1, note_subject)]
    if not laws or not others:
        return
    if note_subject is None and (not _BASIS_WORDS.search(view.clean) or _NO_LAW.search(view.clean)):
        # a paragraph that names laws but says nothing of a basis ("the binding rules remain those
        # of the Data Security Law", "consent under the PIPL? The Plan does not say"), or says
        # that none is named: no reference taken from it
        return
    if len({d.iri for _, d in others if d.iri != ctx.source}) > 1 and \
            not _OPENS_WITH_NAME.fullmatch(ctx.doc.text, view.origin(0, 0)[0], others[0][0]):
        # a paragraph that names several documents and opens with none of them: which one
        # builds on the law, the text does not say (a verb would: "The Guidelines rest on the
        # PIPL"); none. ("The Overall Plan generally proposes ... the Data Security Law": the
        # paragraph is about the document it opens with.)
        return
    # a law named in a sentence that says it is not cited ("...; the Provisions do not cite
    # it yet"), or right before one that says so of "the new law", is not taken as cited
    spans = list(sentences(view))
    negative: list[bool] = []
    for a, b in spans:
        negative.append(any(denied(view.clean, m, a) for m in _refers().finditer(view.clean, a, b)))
    unsure: set[int] = set()
    for i, (a, b) in enumerate(spans):
        anaphoric = i + 1 < len(spans) and negative[i + 1] and \
            not ctx.documents_in(*view.origin(*spans[i + 1]))
        if negative[i] or anaphoric:
            o_a, o_b = view.origin(a, b)
            for st, _, d in block_docs:
                if o_a <= st < o_b and d.cls == "Law":
                    unsure.add(st)
                    ctx.warn(ctx.doc.line_of(st), f"{d.label!r} is named beside a document that the text says "
                                                  f"does not cite it: no reference taken from "
                                                  f"{quote(' '.join(view.clean[a:b].split()))}")
    laws = [(st, d) for st, d in laws if st not in unsure]
    subject = others[0][1]
    for s, law in laws:
        if law is subject:
            continue
        e = next(e for st, e, d in block_docs if st == s)
        ctx.fact("reference", ctx.evidence(s, e), document=subject.iri, target=law.iri)


__all__ = ["Verb", "references", "verbs"]

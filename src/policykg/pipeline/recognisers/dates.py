"""Dates and periods: who issued a document and when, the dates written after its name, trial
periods, and the year a document's IRI carries.

Door: per sentence (:func:`policykg.pipeline.extract.prose` calls them in order for each sentence),
:func:`issuance` ("X issued the Y on 1 May": ``issuance`` and ``issue_date`` facts; the
document it returns is the one whose issuing the text reported last,
:attr:`~policykg.pipeline.recognisers.context.Context.last_issued`), :func:`dated_names` ("the
Measures ... of 7 July 2022"), :func:`dated_anaphora` ("The notice is dated ...") and
:func:`trial` (a trial period, kept in
:attr:`~policykg.pipeline.recognisers.context.Context.pending_trials` until its start is known). Then,
once the whole text is read: :func:`settle_issue_dates` (one issue date per document),
:func:`settle_trials` (each trial period from its explicit start or its document's issue date:
after :func:`settle_issue_dates`) and :func:`date_documents` (each document minted here gets
its year in its IRI, everywhere: last, since it renames what the others wrote).

Reads the documents found and their mentions
(:func:`~policykg.pipeline.recognisers.documents.find_documents`), the agencies of a span
(:func:`~policykg.pipeline.recognisers.agencies.agencies_in`), issue dates by document
(:attr:`~policykg.pipeline.recognisers.context.Context.issue_dates`); writes ``issuance``,
``issue_date`` and ``trial`` facts, and warnings.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re

from ...document import MONTH_PATTERN, MONTHS, Block
from ...errors import InputError
from ...textutil import NUMBER, View, block_view, parse_number, sentences
from .agencies import agencies_in
from .anaphora import same_issuers
from .context import Context, NamedDocument, denied, quote
from .documents import ANAPHORA, FULL_NAMES, anaphora, pilot_document
from .iris import ID, YEAR_IN_NAME, dated_document_slug, document_iri, document_slug
from .records import Evidence, Mention, Record

ISSUE = re.compile(r"\b(?:(?:jointly\s+|co-?)?(?:issued|released|published|promulgated|unveiled|announced|adopted|"
                   r"made\s+public|put\s+out|passed)|followed\s+(?:up\s+)?with)\b", re.IGNORECASE)
#: "signed": an issue verb only where the sentence has no other (see :func:`issuance`).
_SIGNED = re.compile(r"\b(?:jointly\s+|co-?)?signed\b", re.IGNORECASE)
PASSIVE_BY = re.compile(r"\bby\s+(?:the\s+)?", re.IGNORECASE)
_MONTH = MONTH_PATTERN
#: A date written the Chinese way inside English text: "2021年7月30日".
_CN_DATE = r"(?P<cy>\d{4})\s*年\s*(?P<cm>\d{1,2})\s*月\s*(?P<cd>\d{1,2})\s*日"
DATE = re.compile(rf"\bon\s+(?:(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m1>{_MONTH})\.?|(?P<m2>{_MONTH})\.?\s+"
                  rf"(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?)(?:,?\s+(?P<y>\d{{4}}))?\b|{_CN_DATE})", re.IGNORECASE)
#: "... counted from 1 March 2024" right after a trial period: its first day.
_TRIAL_FROM = re.compile(rf",?\s*(?:\w+\s+){{0,6}}?(?:(?:counted\s+|starting\s+|running\s+|beginning\s+)?from|"
                         rf"(?:starting|beginning|commencing)\s+on|as\s+of)\s+"
                         rf"(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{MONTH_PATTERN})\.?|(?P<m2>{MONTH_PATTERN})\.?\s+(?P<d2>\d{{1,2}}),?)"
                         rf"(?:\s+(?P<y>\d{{4}}))?\b", re.IGNORECASE)
#: "... from the day the Notice takes effect", "counted from the date of the notice": a trial
#: period counted from an event; only an issue (a document's date) gives a date the graph holds.
_TRIAL_FROM_EVENT = re.compile(r",?\s*(?:counted\s+|starting\s+|running\s+|beginning\s+)?(?:from|after|as\s+of)\s+"
                               r"(?P<event>(?:the|its|their)\s+(?:day|date|time|release|publication|issue|issuance|"
                               r"promulgation|entry\s+into\s+force|implementation)\b"
                               r"(?:(?!,\s+(?:after|which|when|where|during|but|with|until|whereupon)\b)[^.;]){0,120})",
                               re.IGNORECASE)
_ISSUING = re.compile(r"^(?:the|its|their)\s+(?:issu(?:e|ance)|promulgation)\b(?!\s+\w)|"
                      r"^(?:the|its|their)\s+(?:day|date|time)\s+(?:of\s+(?:the\s+)?(?:issu(?:e|ing|ance)\s+of\s+"
                      r"(?:the\s+)?|promulgation\s+of\s+(?:the\s+)?)?(?!(?:entry|implementation|effect)\b)"
                      r"(?:[A-Z\w][\w'’-]*\s*){1,14}$|(?:on\s+which|when|that)\s+(?:the\s+|it\s+)?(?:[\w'’-]+\s+){0,12}?"
                      r"(?:was|were|is|are)\s+(?:issued|promulgated)\b)", re.IGNORECASE)
_NOT_ISSUING = re.compile(r"\b(?:effect(?:ive)?|force|implement\w*|enter\w*|appl(?:y|ies|ied|ication)|"
                          r"publication|published|launch\w*|start\w*|approv\w*)\b", re.IGNORECASE)
#: "a trial period of two years", "a creation period of three years", "Their pilot period is
#: likewise three years".
TRIAL = re.compile(rf"\b(?:trial|pilot|creation|demonstration|experimental)\s+period\s+(?:of|(?:is|will\s+be|lasts)"
                   rf"(?:\s+(?:likewise|also|again))?)\s+(?P<n>{NUMBER})\s+(?P<unit>years?|months?)\b", re.IGNORECASE)
#: "is to be tried out for two years (from 1 March 2025)", "on a trial basis for two years", "The
#: pilot work runs for three years from the date of the Opinions", "The pilots will last three years",
#: "opened pilots in six cities for a period of two years".
_TRIED_FOR = re.compile(rf"\b(?:tried\s+out|trialled|piloted|on\s+a\s+trial\s+basis|"
                        rf"(?:trial|pilot)(?:s|\s+(?:work|period|programme|program|scheme|phase))?"
                        rf"(?:\s+of\s+the\s+[\w-]+\s+batch)?\s+(?:runs?|lasts?|will\s+(?:run|last)|"
                        rf"(?:is|are)\s+to\s+(?:run|last))|pilots?\s+(?:in\s+[^.;:]{{1,40}}?\s+)?for\s+a\s+(?:period|term))"
                        rf"(?:\s+(?:for|of))?\s+(?P<n>{NUMBER})\s+"
                        rf"(?P<unit>years?|months?)\b", re.IGNORECASE)


def _day(tag: str) -> str:
    return (rf"(?:(?P<d1_{tag}>\d{{1,2}})\s+(?P<m1_{tag}>{MONTH_PATTERN})\.?|(?P<m2_{tag}>{MONTH_PATTERN})\.?\s+"
            rf"(?P<d2_{tag}>\d{{1,2}}),?)\s+(?P<y_{tag}>\d{{4}})")


#: "The pilot period runs from 1 January 2024 to 31 December 2026", "The pilots run from ...":
#: the first and last day.
_TRIAL_SPAN = re.compile(rf"\b(?:trial|pilot)(?:s|\s+period)\s+(?:runs?|lasts?|is|will\s+run)\s+from\s+{_day('a')}\s+"
                         rf"(?:to|until|till|through)\s+{_day('b')}", re.IGNORECASE)
#: "The pilots run from the date of the notice until 31 December 2026": the first day is the
#: issue date of the document named (known once the whole text is read), the last written.
_TRIAL_UNTIL = re.compile(rf"\b(?:trial|pilot)(?:s|\s+period)\s+(?:runs?|lasts?|is|will\s+run)\s+from\s+"
                          rf"(?P<event>(?:the|its|their)\s+(?:day|date)\s+of\s+(?:the\s+)?[^.;]{{1,60}}?)\s+"
                          rf"(?:to|until|till|through)\s+{_day('b')}", re.IGNORECASE)
#: A date right after a document's name: "of 7 July 2022", "(22 March 2024)", ", dated 1 June 2023".
_DATED = re.compile(rf"\s*(?:of|dated|,\s*dated|,\s*issued\s+on|\(|(?:is|was|are|were)\s+dated|\(\s*dated)\s*(?:(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH})\.?|"
                    rf"(?P<m2>{_MONTH})\.?\s+(?P<d2>\d{{1,2}}),?)\s+(?P<y>\d{{4}})\b|{_CN_DATE})", re.IGNORECASE)
#: ", dated 1 June": a date without its year (the update's), only after "dated".
_DATED_THIS_YEAR = re.compile(rf"\s*(?:,\s*|\(\s*|(?:is|was)\s+)?dated\s+(?:on\s+)?(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH})\.?|"
                              rf"(?P<m2>{_MONTH})\.?\s+(?P<d2>\d{{1,2}}))(?P<y>)(?![\d,]*\s*\d{{4}})", re.IGNORECASE)
#: Who a sentence says is dated (:func:`dated_anaphora`): "The notice", "The Labelling
#: Measures" (a document named by its head word, after up to three capitalised words), "It",
#: "They", "The document" (the document named last), "Both" (the two documents named last).
_DATED_SUBJECT = (r"(?:(?P<it>It|They|(?:[Tt]he|[Tt]his)\s+(?:document|text))|[Tt]he\s+(?:[A-Z][\w'’-]*\s+){0,3}?(?P<what>[A-Za-z]+)|"
                  r"(?P<both>Both(?:\s+(?:texts|documents))?))")
_DATE_GROUPS = (rf"(?:(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH})\.?|(?P<m2>{_MONTH})\.?\s+(?P<d2>\d{{1,2}}),?)"
                rf"(?:\s+(?P<y>\d{{4}}))?\b|{_CN_DATE})")
#: "The notice is dated 31 December 2023", "Both are dated 28 February 2025", "It was issued on
#: 20 January 2022" (issued, promulgated or adopted: the day it was published may be another).
_DATED_ANAPHORA = re.compile(rf"\b{_DATED_SUBJECT}\s+(?:is|was|are|were|had\s+been)\s+(?:both\s+)?"
                             rf"(?:dated|(?:jointly\s+)?(?:issued|promulgated|adopted)(?=\s+on\b))\s+(?:on\s+)?"
                             rf"{_DATE_GROUPS}", re.IGNORECASE)
#: "Both carry the date of 28 February 2025", "The Measures bear 22 February 2023 as their date
#: of issue": a date a document bears is its date of issue only when the words say so (group
#: ``the`` or ``issue``).
_BEARS_DATE = re.compile(rf"\b{_DATED_SUBJECT}\s+(?:both\s+)?(?:bears?|bore|carry|carries|carried)\s+"
                         rf"(?P<the>the\s+date\s+(?:of\s+)?)?{_DATE_GROUPS}"
                         rf"(?P<issue>\s+as\s+(?:its|their)\s+(?:date|day)\s+of\s+(?:issue|issuance|signature))?",
                         re.IGNORECASE)
#: "The three departments issued the Provisions on 12 July 2021", "They had issued them on
#: ...": issuers the text named before, pointed back at; the sentence gives only the date.
_ISSUERS_BEFORE = re.compile(r"^\W*(?:(?:on|in)\s+[^,]{3,30},\s*)?(?:(?:the\s+)?(?:two|three|four|five|six|seven|eight|"
                             r"nine|ten|eleven|twelve|\d{1,2}|said|same|these|those|both)\s+(?:departments|ministries|"
                             r"agencies|bodies|authorities|regulators|issuers|administrations|commissions)|they)"
                             r"\s+(?:(?:had|have|has|then|jointly|formally|also)\s+)*$", re.IGNORECASE)

#: An opening clause that names who guides, not who issues: "Under the guidance of the CAC, ".
_GUIDANCE_CLAUSE = re.compile(r"\b(?:under\s+the\s+(?:guidance|leadership|supervision|direction)\s+of|"
                              r"guided\s+by|with\s+the\s+(?:support|approval)\s+of)\b[^,]{0,160},", re.IGNORECASE)
#: "issued the Provisions": the verb's object a document's head word alone (one named before).
_HEAD_OBJECT = re.compile(r"\s+(?:the|these|this)\s+(?P<what>[A-Z][a-z]+)\b(?!\s+(?:on|of|for)\s+[A-Z])")
#: "issued three documents on online medicine (Guo Wei Yi Fa [2018] No. 25)³": a count of
#: documents whose names a footnote gives.
_SEVERAL_NOTED = re.compile(rf"\s+(?P<n>{NUMBER})\s+(?:documents|texts|sets\s+of\s+rules|(?:[A-Z][a-z]+\s+)?"
                            r"(?:Measures|Notices|Opinions|Provisions|Regulations|Rules|Guidelines|Plans))\b")


def _noted_documents(ctx: Context, view: View, s: int, e: int, block: Block, several: re.Match[str],
                     agencies: list, sent: str, verb: re.Match[str]) -> None:
    """The documents a footnote names for "issued three documents³": each issued by the
    sentence's issuers (and on its date), when the note names as many documents as counted."""
    o_after, o_end = view.origin(s + several.end(), e)
    marks = [m for m in block.markers if o_after <= m.start <= o_end + 2 and m.label in ctx.doc.footnotes]
    n = parse_number(several.group("n"))
    if len(marks) != 1 or not n:
        return
    note = ctx.doc.footnotes[marks[0].label]
    named = list({d.iri: d for _, _, d in ctx.documents_in(note.start, note.end) if d.cls != "Law"}.values())
    o_start, o_end = view.origin(s, e)
    if len(named) != n:
        ctx.warn(ctx.doc.line_of(o_start), f"{quote(sent)} counts {n} documents, but their note names "
                                           f"{len(named)}: no issuers taken from it")
        return
    evidence = ctx.evidence(o_start, o_end)
    date, _ = date_in(ctx, _issuing_clause(sent, verb.start(), 0))
    for d in named:
        for a in agencies:
            ctx.fact("issuance", evidence, document=d.iri, agency=a.iri)
        if date is not None:
            ctx.fact("issue_date", evidence, document=d.iri, date=date)


#: "issued them", "issued it": the verb's object is a pronoun.
_PRONOUN_OBJECT = re.compile(r"\s+(?:it|them)\b", re.IGNORECASE)
#: "... jointly with the NDRC, the MOE and the MIIT": co-issuers after the verb.
_JOINTLY = re.compile(r"\b(?:jointly|together|along)\s+with\s+(?:the\s+)?", re.IGNORECASE)
#: Right after the verb of a relative clause: its co-issuers ("which the CAC issued with MIIT").
_WITH_AFTER = re.compile(r"\s+(?:(?:jointly|together|along)\s+)?with\s+(?:the\s+)?", re.IGNORECASE)
#: Where a list of co-issuers ends: a date, the clause's end, another clause.
_WITH_STOP = re.compile(r"[.;:]|\s+(?:on|in|at|from)\s+(?:\d|[A-Z][a-z]+\s+\d)|,?\s+and\s+(?:which|that|has|have|was|were)\b")
#: A table cell that is a date and nothing else: "10 June 2021", "June 10, 2021".
_DATE_CELL = re.compile(rf"(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH})\.?|(?P<m2>{_MONTH})\.?\s+(?P<d2>\d{{1,2}}),?)\s+(?P<y>\d{{4}})",
                        re.IGNORECASE)
#: Dates that another verb governs: not issue dates.
_OTHER_DATES = re.compile(rf"\b(?:effect(?:ive)?|force|made\s+public|publication|published|apply|applies|"
                          rf"expire[sd]?|until|comments?|approved|starting|beginning|commencing|counted|"
                          rf"trial\s+period|pilot\s+period|due|deadline)\b"
                          rf"[^.;]{{0,12}}?\b(?:on|from|by|in|as\s+of)\s+(?:(?:\d{{1,2}}\s+(?:{_MONTH})\.?)|"
                          rf"(?:{_MONTH})\.?\s+\d{{1,2}})(?:,?\s+\d{{4}})?", re.IGNORECASE)


# ---------------------------------------------------------------------------------- issuance

def issuance(ctx: Context, view: View, s: int, e: int, sdocs: list, block: Block) -> NamedDocument | None:
    """"The CAC issued the Provisions on 22 March 2024", "The list was co-released on 2 April by
    the A, B and C", "... which the CAC had issued": the issuers and the issue date of the
    document the sentence ``view.clean[s:e]`` says was issued; that document, or ``None``.
    The sentence's verbs are read in turn until one names issuers ("Xinhua published the Plan,
    which the State Council had issued": Xinhua is no issuer; the State Council is)."""
    verbs = list(ISSUE.finditer(view.clean, s, e))
    if not verbs and _SIGNED.search(view.clean, s, e):
        # "Three regulators – A, B and C – signed the Provisions on 25 November 2022": signing
        # is the issuing where the sentence tells of no other (else it is a step before it:
        # "adopted on 27 April, and the Premier signed them on 30 July")
        return _issuance_at(ctx, view, s, e, sdocs, block, view.clean[s:e], _SIGNED.search(view.clean[s:e]))
    if len(verbs) == 1:
        return _issuance_at(ctx, view, s, e, sdocs, block, view.clean[s:e], ISSUE.search(view.clean[s:e]))
    # several verbs: each is read in its own stretch, from the verb before it to the verb after
    # it (so that a sentence of a thousand verbs is read once, not once per verb)
    starts = [st for st, _, _ in sdocs]
    for i, verb in enumerate(verbs):
        lo = verbs[i - 1].end() if i else s
        hi = verbs[i + 1].start() if i + 1 < len(verbs) else e
        o_lo, o_hi = view.origin(lo, hi)
        window = sdocs[bisect.bisect_left(starts, o_lo):bisect.bisect_left(starts, o_hi)]
        sent = view.clean[lo:hi]
        found = _issuance_at(ctx, view, lo, hi, window, block, sent, ISSUE.search(sent, verb.start() - lo))
        if found is not None:
            return found
    return None


def _issuance_at(ctx: Context, view: View, s: int, e: int, sdocs: list, block: Block, sent: str,
                 verb: re.Match[str]) -> NamedDocument | None:
    """:func:`issuance` for one verb of the sentence."""
    if denied(sent, verb, 0):
        return None  # "MIIT has issued no rules under the PIPL so far"
    o_verb = view.origin(s + verb.start(), s + verb.end())[0]
    before = [d for st, _, d in sdocs if st < o_verb]
    after = [d for st, _, d in sdocs if st >= o_verb]
    # (a short name given after the verb for a document named before it is no other document:
    # "the Guiding Opinions on ..., issued by the four departments on ... (the “2020 Guiding Opinions”)")
    others_after = [d for d in after if not any(d is b for b in before)]
    by = PASSIVE_BY.search(sent, verb.end())
    if by and (by.start() - verb.end() > 80 or re.search(r"[,;]", sent[verb.end():by.start()])):
        by = None  # "made public on 16 March, created the NDA, administered by the NDRC": another verb's
    relative = None
    in_passing = False
    also: list[NamedDocument] = []
    if by and not before and _FRONTED.fullmatch(sent, 0, verb.start()):
        # "Promulgated by MIIT on 8 December 2022, the Measures ... apply from ...": a participle
        # that opens the sentence, its clause ended by a comma, tells of the document named next
        comma = sent.find(",", by.end())
        later = [d for st, _, d in sdocs if st > view.origin(s + comma, s + comma + 1)[0]] if comma > 0 else []
        if not sdocs and block.kind == "footnote":
            # "(b) Issued on 28 November 2019 by the CAC, MIIT, the MPS and SAMR.": a note on the
            # document its marker follows
            where = ctx.marker_sentence(block)
            named = [d for _, _, d in ctx.documents_in(where[1], where[0] + 1)] if where else []
            later = named[-1:]
            comma = len(sent)
        elif not later or [d for st, _, d in sdocs if o_verb <= st <= view.origin(s + comma, s + comma + 1)[0]]:
            return None  # no document after the clause, or one inside it (then it is the clause's object)
        if not later:
            return None
        target = later[0]
        agencies = agencies_in(ctx, view, s + by.end(), s + comma, strict=True)
        if not agencies:
            return None
        o_start, o_end = view.origin(s, e)
        evidence = ctx.evidence(o_start, o_end)
        for a in agencies:
            ctx.fact("issuance", evidence, document=target.iri, agency=a.iri)
        date, m = date_in(ctx, _issuing_clause(sent[:comma], verb.start(), 0))
        if date is not None:
            ctx.fact("issue_date", evidence, document=target.iri, date=date)
        return target
    if before:
        # "... the Measures (2020), which the CAC and eleven other departments had issued"
        # (also when the sentence names more documents after: "the Guidelines ..., which the
        # MIIT issued on 7 November 2022, and on the Law ...")
        last_end = max(en for st, en, _ in sdocs if st < o_verb)
        clause = view.clean[s:s + verb.start()]
        rel = None
        # ("the Guidelines that the NDRC, the NDA and MIIT published": no comma before "that")
        for rel in re.finditer(r"(?:[,(]\s*|\s)(?:which|that)\s+", clause):
            pass
        # "..., most of which the CAC has since issued": a part of something else, not the document
        partitive = rel is not None and re.search(r"\bof\s*$", clause[:rel.start() + 1])
        if rel and not partitive and view.origin(s + rel.start(), s + rel.end())[0] >= last_end - 1:
            relative = s + rel.end()
            # "the Guidelines that the NDRC published": a document named in passing, whose
            # issuing is no news of the sentence (what comes after is not about it)
            in_passing = not re.match(r"[,(]", rel.group(0))
    if by and not others_after:
        # "The list was co-released on 2 April by the A, B and C."
        target = before[-1] if before else anaphora(ctx, sent[:verb.start()], view.origin(s, e)[0])
        also = _coordinated(view, s, sent, verb, [(st, en, d) for st, en, d in sdocs if st < o_verb])
        agencies = agencies_in(ctx, view, s + by.end(), e, strict=True)
        last = _LAST_N.match(sent[:verb.start()]) if not before else None
        if last and target is None and agencies:
            # "The last two were issued by the General Office of the State Council": each of
            # the documents named last before the sentence
            n = 2 if last.group("both") else parse_number(last.group("n") or last.group("k")) or 0
            named = ctx.last_documents_before(view.origin(s, e)[0], n)
            if len(named) == n:
                evidence = ctx.evidence(*view.origin(s, e))
                for d in named:
                    for a in agencies:
                        ctx.fact("issuance", evidence, document=d.iri, agency=a.iri)
            return None
        issuers_from = (s + by.end(), e)
        same = _SAME_ISSUERS.match(sent, by.end())
        if not agencies and same and target is not None:
            # "... was adopted by the same body on 7 November 2016": the issuers of the
            # document whose issuers the text gave last
            agencies = _last_issuers(ctx, view.origin(s, e)[0], target, plural=bool(same.group("several")))
        counted = _N_BODIES.match(sent, by.end())
        if not agencies and counted and target is not None:
            # "issued by the (same) four departments": the four agencies the text named together last
            agencies = _group_of(ctx, view.origin(s + by.start(), s + by.end())[0],
                                 parse_number(counted.group("n")) or 0)
    elif relative is not None:
        target = before[-1]
        agencies = agencies_in(ctx, view, relative, s + verb.start(), strict=True)
        issuers_from = (relative, s + verb.start())
    else:
        target = after[0] if after else None
        if target is None and not sdocs and _PRONOUN_OBJECT.match(sent, verb.end()):
            # "The CAC issued them on 10 July 2023": the document named last before
            target = ctx.last_document_before(view.origin(s, e)[0])
        head = _HEAD_OBJECT.match(sent, verb.end()) if target is None else None
        if head:  # "The three departments issued the Provisions on 12 July 2021": named before
            what = head.group("what").casefold()
            target = ctx.last_with_head((what, what.rstrip("s")), view.origin(s, e)[0])
        agencies = agencies_in(ctx, view, s, s + verb.start(), strict=True)
        if _GUIDANCE_CLAUSE.search(sent, 0, verb.start()):
            # "Under the guidance of the CAC, the city published ...": the agencies of that
            # clause guide, they do not issue; only those the main clause opens with do
            clause = _GUIDANCE_CLAUSE.search(sent, 0, verb.start())
            agencies = [a for a in agencies if bisect.bisect_left(view.offsets, a.start, s, e) - s >= clause.end()]
        issuers_from = (s, s + verb.start())
        several = _SEVERAL_NOTED.match(sent, verb.end()) if target is None and agencies else None
        if several:  # "the NHC and the NATCM issued three documents (...)³": the note's documents
            _noted_documents(ctx, view, s, e, block, several, agencies, sent, verb)
            return None
    if target is None:
        return None
    jointly = _JOINTLY.search(sent, verb.end())
    if jointly and not by and relative is None:  # "..., jointly with the NDRC, the MOE and the MIIT"
        stop = re.search(r"[.;]", sent[jointly.end():])
        agencies += [a for a in agencies_in(ctx, view, s + jointly.end(),
                                            s + jointly.end() + (stop.start() if stop else len(sent) - jointly.end()),
                                            strict=True)
                     if a.iri not in {x.iri for x in agencies}]
    with_ = _WITH_AFTER.match(sent, verb.end()) if relative is not None and agencies else None
    if with_:  # "the Algorithm Provisions, which the CAC issued with MIIT, the MPS and SAMR on ..."
        stop = _WITH_STOP.search(sent, with_.end())
        agencies += [a for a in agencies_in(ctx, view, s + with_.end(), s + (stop.start() if stop else len(sent)),
                                            strict=True)
                     if a.iri not in {x.iri for x in agencies}]
    agencies += _listed_issuers(ctx, view, *issuers_from, block, agencies)
    if not agencies and not (relative is None and not by and _ISSUERS_BEFORE.match(sent[:verb.start()])
                             and re.search(r"issued|promulgated|adopted", verb.group(0), re.IGNORECASE)):
        return None
    o_start, o_end = view.origin(s, e)
    evidence = ctx.evidence(o_start, o_end)
    for d in (target, *also):
        for a in agencies:
            ctx.fact("issuance", evidence, document=d.iri, agency=a.iri)
    date, m = date_in(ctx, _issuing_clause(sent, verb.start(), relative - s if relative is not None else 0))
    if date is None and m is None and block.cells and not _OTHER_DATES.search(sent):
        # a table of events: "Data Security Law adopted by the NPCSC | 10 June 2021"
        cell = next((c for c in block.cells if _DATE_CELL.fullmatch(" ".join(ctx.doc.text[c.start:c.end].strip(" *_").split()))),
                    None)
        if cell is not None:
            date = date_of(ctx, _DATE_CELL.fullmatch(" ".join(ctx.doc.text[cell.start:cell.end].strip(" *_").split())))
    if date is not None and re.search(r"(?:released|published|announced|unveiled|public)$", verb.group(0), re.IGNORECASE) \
            and re.search(r"\bdated\b", sent, re.IGNORECASE):
        date = None  # "published the Notice ..., dated 12 November 2024": the date it is dated, not this one
    if date is not None:
        for d in (target, *also):
            ctx.fact("issue_date", evidence, document=d.iri, date=date)
    elif m is not None:
        ctx.warn(evidence.line, f"date {m.group(0)!r} has no year (no date line): left out")
    return None if in_passing else target


#: Between two documents of one subject: "A and B", "A, B and C", "A as well as B".
_AND_BETWEEN = re.compile(r"[\s*_\"”“]*(?:,\s*(?:and\s+)?|and\s+|as\s+well\s+as\s+)(?:the\s+)?[*_\"“]*", re.IGNORECASE)
#: What lies between a plural subject and its passive verb: "were", "have both been", "had been".
_PLURAL_PASSIVE = re.compile(r"[\s*_\"”)]*(?:\([^()]*\)\s*)?(?:were|are|have|had)\b(?:\s+(?:both|all|also|been|jointly))*\s*$",
                             re.IGNORECASE)


def _coordinated(view: View, s: int, sent: str, verb: re.Match[str], before: list) -> list[NamedDocument]:
    """"Both the Notice on ... and the Guide to ... were issued on 10 March by the NDA": the
    documents named before the last one (``before``: its sentence's documents before the verb)
    that make one plural subject with it; none where the verb is singular or anything but "and"
    and commas lies between them."""
    if len(before) < 2:
        return []
    at = [(bisect.bisect_left(view.offsets, st), bisect.bisect_left(view.offsets, en), d) for st, en, d in before]
    if not _PLURAL_PASSIVE.match(view.clean, at[-1][1], s + verb.start()):
        return []
    also = []
    for (_, end, d), (start, _, _) in zip(reversed(at[:-1]), reversed(at[1:])):
        if not _AND_BETWEEN.fullmatch(view.clean, end, start) or any(d is x for x in also):
            break
        also.append(d)
    return [d for d in also if d is not before[-1][2]]


#: A participle that opens a sentence: "Promulgated by", "Jointly issued by" (see :func:`_issuance_at`).
_FRONTED = re.compile(r"[\W_]*(?:(?:first|recently|originally|formally)\s+)?", re.IGNORECASE)


#: "The last two were", "Both were", "The three documents had been": the subject of a passive that
#: stands for the documents named last.
_LAST_N = re.compile(rf"^\W*(?:(?:the\s+)?(?:last|latter)\s+(?P<n>{NUMBER})|(?P<both>both)|the\s+(?P<k>{NUMBER})\s+"
                     r"(?:documents|texts))(?:\s+of\s+them)?\s+(?:were|had\s+been|have\s+been)\s+$", re.IGNORECASE)
#: "by the same body", "by the same bodies": the issuers named last (mappings/patterns/anaphora.toml).
_SAME_ISSUERS = same_issuers()


#: "the four departments", "the same two ministries" right after "by": as many agencies as it
#: says, named together before.
_N_BODIES = re.compile(rf"(?:the\s+)?(?:(?:same|said|these|those)\s+)?(?P<n>{NUMBER})\s+(?:ministries|departments|"
                       r"agencies|bodies|regulators|commissions|administrations|authorities|issuers)\b", re.IGNORECASE)


def _group_of(ctx: Context, offset: int, n: int) -> list[Mention]:
    """The ``n`` agencies the last sentence before ``offset`` (in its block or the three
    before) that names any names, when it names exactly ``n`` ("... issued by the NDRC with
    the CAC, MIIT and the NEA: ... issued by the four departments"); else none (unsure)."""
    if n < 2:
        return []
    blocks = ctx.doc.blocks
    at = bisect.bisect_left(blocks, offset, key=lambda b: b.start)
    for block in reversed(blocks[max(0, at - 4):at]):
        if block.kind in ("title", "dateline", "header"):
            continue
        view = block_view(ctx.doc, block)
        spans = [(a, b) for a, b in sentences(view) if view.origin(a, b)[0] < offset]
        for a, b in reversed(spans):
            hi = min(b, bisect.bisect_left(view.offsets, offset, a, b))
            found = list({m.iri: m for m in agencies_in(ctx, view, a, hi, strict=False)}.values())
            if found:
                return [Mention("agency", m.iri, offset, offset) for m in found] if len(found) == n else []
    return []


def _last_issuers(ctx: Context, offset: int, target: NamedDocument, *, plural: bool) -> list[Mention]:
    """The issuers of the document whose issuing the text reported last before ``offset`` (not
    ``target``): one for "the same body", several for "the same bodies"; none when unsure."""
    found: dict[str, list[str]] = {}
    order: list[str] = []
    for rec in reversed(ctx.records[-400:]):  # the facts just before, not all
        if rec.kind != "issuance" or rec.evidence is None or rec.evidence.start >= offset:
            continue
        doc = str(rec.get("document"))
        if doc == target.iri:
            continue
        if doc not in found:
            if order:
                break  # the document before it: not the last
            order.append(doc)
            found[doc] = []
        found[doc].append(str(rec.get("agency")))
    agencies = list(dict.fromkeys(found[order[0]])) if order else []
    if not agencies or plural != (len(agencies) > 1):
        return []
    return [Mention("agency", a, offset, offset) for a in agencies]


def date_of(ctx: Context, m: re.Match[str]) -> dt.date | None:
    """The date a match of one of the date expressions here writes: its groups ``d1``/``d2``
    (day), ``m1``/``m2`` (month) and ``y`` (year; missing or empty: the update's year), or
    ``cy``, ``cm``, ``cd`` of a date written the Chinese way ("2021年7月30日").
    ``None`` when there is no year or no such day ("30 February")."""
    chinese = m.groupdict().get("cd")
    if chinese:  # "2021年7月30日"
        try:
            return dt.date(int(m.group("cy")), int(m.group("cm")), int(chinese))
        except ValueError:
            return None
    year = int(m.group("y")) if m.group("y") else ctx.doc.year
    if year is None:
        return None
    try:
        return dt.date(year, MONTHS[(m.group("m1") or m.group("m2")).lower().rstrip(".")],
                       int(m.group("d1") or m.group("d2")))
    except ValueError:
        return None


def date_in(ctx: Context, text: str) -> tuple[dt.date | None, re.Match[str] | None]:
    """The first "on 1 May 2024" (or "on May 1", of the update's year) of ``text``."""
    m = DATE.search(text)
    if not m:
        return None, None
    return date_of(ctx, m), m


def _issuing_clause(sent: str, verb: int, start: int) -> str:
    """The part of ``sent`` whose date is the issue date: the sentence with every date that
    another verb governs blanked out ("take effect on 15 February 2022", "made public on
    ...", "in force from ..."), and, for a relative clause ("which ... issued on"), only
    the clause."""
    text = sent if start <= 0 else " " * start + sent[start:]
    return _OTHER_DATES.sub(lambda m: " " * len(m.group(0)), text)


def _listed_issuers(ctx: Context, view: View, lo: int, hi: int, block: Block, named: list[Mention]) -> list[Mention]:
    """Co-issuers a footnote lists: "the CAC and twelve other departments¹ issued ...",
    footnote ¹ "The twelve are the NDRC, MIIT, ...". Only where the words say that more
    bodies issued it ("other departments", "sixteen ministries") and a marker points to a
    footnote that names agencies."""
    if not re.search(r"\b(?:other|\w+teen|\w+ty|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                     r"several|\d+)\s+(?:other\s+)?(?:(?:central|national|state|government|ministerial)\s+)?"
                     r"(?:departments|ministries|agencies|bodies|authorities|regulators)\b",
                     view.clean[lo:hi], re.IGNORECASE):
        return []
    o_lo, o_hi = view.origin(lo, hi)
    out: list[Mention] = []
    seen = {m.iri for m in named}
    for marker in block.markers:
        if not o_lo <= marker.start <= o_hi + 1:
            continue
        note = ctx.doc.footnotes.get(marker.label)
        if note is None:
            continue
        note_view = block_view(ctx.doc, note)
        for m in agencies_in(ctx, note_view, 0, len(note_view.clean), strict=True):
            if m.iri not in seen:
                seen.add(m.iri)
                out.append(m)
    return out


# ----------------------------------------------------------------------------- dated names

def dated_names(ctx: Context, view: View, s: int, e: int, sdocs: list) -> None:
    """"the Measures on ... of 7 July 2022", "the Provisions (22 March 2024)": the date
    written right after a document's name, with its year, is the day it was issued."""
    # a footnote of full names with dates ("Full names and dates of the four guides, all issued
    # by the CAC: Guide to ..., 31 August 2022; Guide to ..., 22 March 2024"): the date after
    # each name is its own, and issuers said of them "all" are each one's
    listing = bool(FULL_NAMES.search(view.clean, s, e)) and bool(re.search(r"\bdates?\b", view.clean[s:e], re.IGNORECASE))
    if FULL_NAMES.search(view.clean, s, e):
        everyone = _ALL_ISSUED_BY.search(view.clean, s, e)
        if everyone:
            stop = re.search(r"[:;]", view.clean[everyone.end():e])
            hi = everyone.end() + (stop.start() if stop else e - everyone.end())
            o_start, o_end = view.origin(everyone.start(), hi)
            for a in agencies_in(ctx, view, everyone.end(), hi, strict=True):
                for st, _, d in sdocs:
                    if st > o_end and d.cls != "PolicyUpdate":
                        ctx.fact("issuance", ctx.evidence(o_start, o_end), document=d.iri, agency=a.iri)
    for _, end, d in sdocs:
        if d.cls == "PolicyUpdate":
            continue
        at = bisect.bisect_left(view.offsets, end, s, e)
        alias = _ALIAS_AFTER.match(view.clean, at, e)  # "the Notice on ... (the Qinglang notice), dated ..."
        if alias:
            at = alias.end()
        m = _DATED.match(view.clean, at, e) or _DATED_THIS_YEAR.match(view.clean, at, e) or \
            (_LISTED_DATE.match(view.clean, at, e) if listing else None)
        if not m:
            continue
        date = date_of(ctx, m)  # (without a year, "a notice, dated 1 June,": the update's)
        if date is None:
            continue
        o_start, o_end = view.origin(at, m.end())
        # (a second date of the document, given otherwise: settle_issue_dates chooses)
        ctx.fact("issue_date", ctx.evidence(o_start, o_end), document=d.iri, date=date)


def issued_after_names(ctx: Context, view: View, s: int, e: int, sdocs: list) -> None:
    """"the Provisions on ..., issued on 25 November 2022 by the CAC, the MIIT and the MPS":
    a participle right after a document's name gives its issuers and date (each name of the
    sentence its own, where :func:`issuance` reads one verb a sentence)."""
    for _, end, d in sdocs:
        if d.iri == ctx.source:
            continue
        at = bisect.bisect_left(view.offsets, end, s, e)
        m = _ISSUED_AFTER.match(view.clean, at, e)
        if not m:
            on = _ISSUED_ON_AFTER.match(view.clean, at, e)
            if on and not re.search(r"\bdated\b", view.clean[s:e], re.IGNORECASE):
                # "MIIT's Notice on ..., released on 15 May 2023, names ...": its date, whoever issued it
                date = date_of(ctx, on)
                if date is not None:
                    ctx.fact("issue_date", ctx.evidence(*view.origin(at, on.end())), document=d.iri, date=date)
            continue
        stop = _CLAUSE_STOP.search(view.clean, m.end(), e)
        hi = stop.start() if stop else e
        o_start, o_end = view.origin(at, hi)
        evidence = ctx.evidence(o_start, o_end)
        for a in agencies_in(ctx, view, m.end(), hi, strict=True):
            ctx.fact("issuance", evidence, document=d.iri, agency=a.iri)
        date, _ = date_in(ctx, view.clean[m.start():m.end()])
        if date is not None:
            ctx.fact("issue_date", evidence, document=d.iri, date=date)


#: A bracket right after a document's name: "(SAMR Order No. 11, 26 June 2019)", "(NPCSC, 31 August 2018)".
_BRACKET_AFTER = re.compile(r"\s*[(（](?P<inside>[^()（）]{2,160})[)）]")
#: A part of that bracket that names its issuer and perhaps the number it gave it.
_ISSUER_PART = re.compile(r"\s*(?:the\s+)?(?P<who>.+?)(?:\s+(?:Order|Decree|Announcement|Notice|Circular|Document)"
                          r"(?:\s+No\.?\s*\d+(?:\s+of\s+\d{4})?)?)?\s*$")
#: A part of it that is one whole date.
_DATE_PART = re.compile(rf"\s*(?:dated\s+|issued\s+(?:on\s+)?)?{_DATE_GROUPS}\s*$", re.IGNORECASE)


def bracket_after_names(ctx: Context, view: View, s: int, e: int, sdocs: list) -> None:
    """"the Interim Provisions on ... (SAMR Order No. 11, 26 June 2019)", "the E-Commerce Law
    (NPCSC, 31 August 2018)": a bracket right after a document's name whose first part is an
    agency and nothing else (but the number of its order) names the issuer; a part that is a
    whole date, beside it, the issue date. A bracket of anything else ("(Guo Fa [2016] No. 51)",
    "(the Measures)", "(see note 2)") says nothing here."""
    for _, end, d in sdocs:
        if d.iri == ctx.source:
            continue
        at = bisect.bisect_left(view.offsets, end, s, e)
        m = _BRACKET_AFTER.match(view.clean, at, e)
        if not m:
            continue
        lo = m.start("inside")
        parts = []
        for piece in re.finditer(r"[^,;，；]+", m.group("inside")):
            parts.append((lo + piece.start(), lo + piece.end()))
        first = _ISSUER_PART.fullmatch(view.clean, *parts[0]) if parts else None
        if first is None:
            continue
        a, b = first.span("who")
        who = agencies_in(ctx, view, a, b, strict=False)
        covered = "".join(ch for i, ch in enumerate(view.clean[a:b], a)
                          if not any(bisect.bisect_left(view.offsets, x.start) <= i < bisect.bisect_left(view.offsets, x.end)
                                     for x in who))
        if len(who) != 1 or re.sub(r"\b(?:the|its|of)\b|[\s'’s]", "", covered):
            continue  # not one agency and nothing else
        evidence = ctx.evidence(*view.origin(m.start(), m.end()))
        ctx.fact("issuance", evidence, document=d.iri, agency=who[0].iri)
        for pa, pb in parts[1:]:
            day = _DATE_PART.fullmatch(view.clean, pa, pb)
            if day and day.group("y"):
                date = date_of(ctx, day)
                if date is not None:
                    ctx.fact("issue_date", evidence, document=d.iri, date=date)
                break


#: A short name in brackets right after a document's name: "(the Qinglang notice)".
_ALIAS_AFTER = re.compile(r"\s*\((?:the\s+)?[^()]{1,80}\)(?=\s*,|\s+(?:is|was|are|were)\s+dated\b)")
#: "..., all issued by the CAC:" in a footnote of full names: the issuers of every name after it.
_ALL_ISSUED_BY = re.compile(r"\ball\s+(?:of\s+them\s+)?(?:issued|released|published)\s+by\s+(?:the\s+)?", re.IGNORECASE)
#: ", 31 August 2022" right after a name in a footnote of full names and dates.
_LISTED_DATE = re.compile(rf"\s*,\s*(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH})\.?\s+(?P<y>\d{{4}})\b(?P<m2>)(?P<d2>)(?=\s*[;.,]|\s*$)",
                          re.IGNORECASE)
#: ", issued on 25 November 2022 by the" / ", issued by the": after a document's name.
_ISSUED_AFTER = re.compile(rf"\s*,\s*(?:(?:jointly|first)\s+)?(?:issued|promulgated|released|adopted)\s+"
                           rf"(?:on\s+(?:\d{{1,2}}\s+(?:{_MONTH})|(?:{_MONTH})\s+\d{{1,2}}),?(?:\s+\d{{4}})?\s+|"
                           rf"in\s+(?:(?:{_MONTH})\s+)?\d{{4}}\s+)?"
                           rf"by\s+(?:the\s+)?", re.IGNORECASE)
#: ", released on 15 May 2023," right after a document's name (the issuers said elsewhere, or not).
_ISSUED_ON_AFTER = re.compile(rf"\s*,\s*(?:(?:jointly|first)\s+)?(?:issued|promulgated|released|unveiled)\s+"
                              rf"on\s+{_DATE_GROUPS}(?=\s*[,;.)]|\s+and\b)", re.IGNORECASE)
#: Where the issuers after "by" end: a clause or another document's name ("..., and the Provisions").
_CLAUSE_STOP = re.compile(r"[;.]|,\s+(?:and\s+)?(?:the\s+)?[*_]*(?-i:[A-Z])[a-z]+\s+(?:on|for|of)\b|,\s+(?:which|and\s+the)\b")


def dated_anaphora(ctx: Context, view: View, s: int, e: int) -> None:
    """"The notice is dated 31 December 2023", "The Labelling Measures are dated 7 March 2025":
    the last document named before with that head word (or of that class) was issued that day;
    "It is dated 15 July 2020": the document named last before the sentence; "Both carry the
    date of 28 February 2025": the two documents named last. A date a document "bears" is its
    issue date only where the words say so ("the date of", "as its date of issue")."""
    found = list(_DATED_ANAPHORA.finditer(view.clean, s, e))
    found += [m for m in _BEARS_DATE.finditer(view.clean, s, e) if m.group("the") or m.group("issue")]
    for m in found:
        what = (m.group("what") or "it").casefold()
        o_start, o_end = view.origin(m.start(), m.end())
        named = [d for st, _, d in ctx.documents_in(o_start, o_end) if st < view.origin(m.end("what"), m.end("what"))[0]] \
            if m.group("what") else []
        if named:
            # "The Cybersecurity Law was adopted on 7 November 2016": the document the subject names
            targets = named[-1:]
        elif m.group("it") or m.group("both"):
            if m.start() != s:
                continue  # only a sentence that opens with it: "It is dated ...", "Both carry ..."
            targets = ctx.last_documents_before(o_start, 2 if m.group("both") else 1)
            if m.group("both") and len(targets) != 2:
                continue
        else:
            target = ctx.last_with_head((what, what.rstrip("s")), o_start)
            targets = [target] if target is not None else []
        date = date_of(ctx, m)
        if date is None:
            continue
        for target in targets:
            ctx.fact("issue_date", ctx.evidence(o_start, o_end), document=target.iri, date=date)


def settle_issue_dates(ctx: Context) -> None:
    """One issue date per document. Where the text gives two, the one it says the document
    is dated wins, then one it was issued, adopted or signed on, over one it was published,
    released or made public on ("released on 4 January ...; the notice is dated 31
    December 2023"); two dates of one rank are unsure: neither is kept, with a warning."""
    drop: set[int] = set()
    for recs in ctx.issue_dates.values():
        if len({r.get("date") for r in recs}) < 2:
            continue
        ranked = sorted(recs, key=_issue_rank)
        best = [r for r in ranked if _issue_rank(r) == _issue_rank(ranked[0])]
        drop |= {id(r) for r in recs if r not in best}
        if len({r.get("date") for r in best}) > 1:
            drop |= {id(r) for r in best}
            quotes = "; ".join(quote(" ".join(r.evidence.exact.split())) for r in best if r.evidence)
            ctx.warn(best[0].evidence.line if best[0].evidence else 1,
                     f"two issue dates for one document ({', '.join(sorted(str(r.get('date')) for r in best))}): "
                     f"neither kept — {quotes}")
    if drop:
        ctx.drop(drop)


def _issue_rank(rec: Record) -> int:
    """How surely the sentence of an issue date gives the date of issue (lower: surer)."""
    text = rec.evidence.exact if rec.evidence is not None else ""
    if re.search(r"\bdated\b|\bdate\s+of\s+(?:issue|issuance|signature)\b|\b(?:bears?|bore|carry|carries|carried)\s+"
                 r"the\s+date\b", text, re.IGNORECASE):
        return 0  # "is dated", "bear ... as their date of issue", "carry the date of"
    if re.search(r"\b(?:issued|promulgated|signed)\b", text, re.IGNORECASE):
        return 1
    if re.search(r"\badopted\b", text, re.IGNORECASE):  # a law's adoption is its issue; a rule's, less sure
        return 2
    return 3


# ---------------------------------------------------------------------------------- trials

def trial(ctx: Context, sent: str, evidence: Evidence, issued: NamedDocument | None, offset: int) -> None:
    """"with a trial period of two years (counted from 1 March 2024)", "is to be tried out for
    two years from 1 March 2025", "The pilot period runs from 1 January 2024 to 31 December
    2026": a trial period of the document just issued, else of the one the pilot facts belong
    to; one counted from a date is settled by :func:`settle_trials`, from its start or from the
    issue date of the document whose date it counts from ("from the date of the notice")."""
    span = _TRIAL_SPAN.search(sent)
    until = _TRIAL_UNTIL.search(sent) if not span else None
    m = TRIAL.search(sent) or _TRIED_FOR.search(sent)
    if not m and not span and not until:
        return
    at = (m or span or until).start()  # type: ignore[union-attr]
    notice = issued or pilot_document(ctx, offset + at, offset)
    if notice is None:
        ctx.warn(evidence.line, f"a trial period of no known document: left out of {quote(sent)}")
        return
    if span:  # the first and the last day, both written
        first, last = date_of(ctx, _Groups(span, "a")), date_of(ctx, _Groups(span, "b"))
        if first is None or last is None or last < first:
            ctx.warn(evidence.line, f"a trial period whose days are unsure: left out of {quote(sent)}")
            return
        ctx.fact("trial", evidence, notice=notice.iri, start=first, end=last)
        return
    if until and not m:  # from the date of a document to a day written
        last = date_of(ctx, _Groups(until, "b"))
        event_text = until.group("event")
        if last is None or _NOT_ISSUING.search(event_text) or not _ISSUING.search(event_text):
            ctx.warn(evidence.line, f"a trial period counted from an event other than an issue: left out of "
                                    f"{quote(sent)}")
            return
        named = [d for _, _, d in ctx.documents_in(offset + until.start("event"), offset + until.end("event"))
                 if d.iri != ctx.source]
        counted_from = named[0] if named else anaphora(ctx, event_text, offset + until.start("event"))
        if counted_from is None:
            ctx.warn(evidence.line, f"a trial period counted from no known document: left out of {quote(sent)}")
            return
        if issued is None and not [d for _, _, d in ctx.documents_in(offset, offset + at) if d.iri != ctx.source]:
            notice = counted_from  # "The pilots run from the date of the notice ...": the notice's
        ctx.pending_spans.append((notice, evidence, counted_from, last))
        return
    assert m is not None
    event = _TRIAL_FROM_EVENT.match(sent, m.end())
    kind = "issue"
    if event and (_NOT_ISSUING.search(event.group("event")) or not _ISSUING.search(event.group("event"))):
        # "from the day the Notice takes effect", "from the day the list was made public": the
        # day the text gives for that event, if it gives one (settle_trials); else left out
        kind = _event_kind(event.group("event"))
        if kind is None:
            ctx.warn(evidence.line, f"a trial period counted from an event other than an issue, publication "
                                    f"or entry into force: left out of {quote(sent)}")
            return
    counted_from = None
    if event:  # "counted from the date of the notice": that notice's issue date
        named = [d for _, _, d in ctx.documents_in(offset + event.start("event"), offset + event.end("event"))
                 if d.iri != ctx.source]
        counted_from = named[0] if named else anaphora(ctx, event.group("event"), offset + event.start("event"))
        if counted_from is None and not named and ANAPHORA.search(event.group("event")):
            # "counted from the day the list was made public" where no list was named: which
            # document's day, the text does not say
            ctx.warn(evidence.line, f"a trial period counted from a day of a document the text does not "
                                    f"name: left out of {quote(sent)}")
            return
        if counted_from is not None and issued is None and not [
                d for _, _, d in ctx.documents_in(offset, offset + at)
                if d.iri != ctx.source and d.cls not in ("MeasureTable", "DesignationList")]:
            # "The pilots run for a trial period of two years from the date of the notice": the
            # sentence names no document of its own before (a table or list it attaches aside):
            # the trial is the notice's
            notice = counted_from
    explicit = _TRIAL_FROM.match(sent, m.end())
    # "a trial period of two years, counted from 1 March 2024"; else from the document's
    # issue date, known once the whole text is read
    start = date_of(ctx, explicit) if explicit else None
    ctx.pending_trials.append((m, notice, evidence, start, counted_from, kind))


class _Groups:
    """The groups ``d1``, ``m1``, ``m2``, ``d2``, ``y`` of one of the two dates of a match
    whose groups end in ``_a`` and ``_b``, as :func:`date_of` reads them."""

    def __init__(self, m: re.Match[str], which: str) -> None:
        self._m, self._which = m, which

    def group(self, name: str) -> str | None:
        return self._m.group(f"{name}_{self._which}")

    def groupdict(self) -> dict[str, str | None]:
        return {}


def settle_trials(ctx: Context) -> None:
    """The trial periods found, from their explicit start or the issue date of the document
    they count from (their own, unless the text names another) (after
    :func:`settle_issue_dates`)."""
    for m, notice, evidence, start, counted_from, kind in ctx.pending_trials:
        of = (counted_from or notice).iri
        start = start or (ctx.issue_date(of) if kind == "issue" else ctx.event_dates.get((of, kind)))
        if start is None:
            ctx.warn(evidence.line, "a trial period with no start date: left out" if kind == "issue" else
                     f"a trial period counted from an event, the {_EVENT_NAMES[kind]} of a document, that the "
                     f"text does not date: left out of {quote(' '.join(evidence.exact.split()))}")
            continue
        _trial_fact(ctx, m, notice, evidence, start)
    for notice, evidence, counted_from, last in ctx.pending_spans:
        start = ctx.issue_date(counted_from.iri)
        if start is None or last < start:
            ctx.warn(evidence.line, "a trial period with no start date (or one after its end): left out")
            continue
        ctx.fact("trial", evidence, notice=notice.iri, start=start, end=last)


def _trial_fact(ctx: Context, m: re.Match[str], notice: NamedDocument, evidence: Evidence, start: dt.date) -> None:
    n = parse_number(m.group("n")) or 0
    months = n * 12 if m.group("unit").lower().startswith("year") else n
    year, month = divmod(start.month - 1 + months, 12)
    try:
        try:
            same_day = start.replace(year=start.year + year, month=month + 1)
        except ValueError:  # 29 February, 31st of a shorter month: the next month's first day
            same_day = dt.date(start.year + year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
        end = same_day - dt.timedelta(days=1)
    except (ValueError, OverflowError):  # past 31 December 9999 (or before 1 January 1)
        raise InputError(f"a trial period of {m.group('n')} {m.group('unit')} from {start.isoformat()} "
                         f"ends outside the years 1 to 9999 that a date can have: "
                         f"{quote(m.group(0))}", path=ctx.doc.path, line=evidence.line) from None
    ctx.fact("trial", evidence, notice=notice.iri, start=start, end=end)


# ----------------------------------------------------------- days of publication and effect

#: "was made public on 23 October", "takes effect on 1 August 2020": the day of an event of a
#: document other than its issue, which a trial period may count from (never a fact of the graph).
_EVENT_ON = re.compile(rf"\b(?:(?P<publication>(?:was|were|is|are|been)\s+(?:made\s+public|published|released|posted|"
                       rf"announced)|made\s+(?:it|them)\s+public)|(?P<effect>(?:takes?|took|take)\s+effect|"
                       rf"(?:enters?|entered|came|comes?)\s+into\s+force|(?:is|are|was|were|became|become)\s+"
                       rf"effective|(?:has|have)\s+(?:been\s+)?in\s+force|appl(?:y|ies|ied))"
                       rf")\s+(?:on|from|as\s+of|since)\s+(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH})\.?|(?P<m2>{_MONTH})\.?\s+"
                       rf"(?P<d2>\d{{1,2}}),?)(?:\s+(?P<y>\d{{4}}))?\b", re.IGNORECASE)
_EVENT_NAMES = {"publication": "publication", "effect": "entry into force", "issue": "issue"}


def _event_kind(text: str) -> str | None:
    """Which event a trial period is counted from: "the day the list was made public"
    (publication), "the day the Notice takes effect" (effect); ``None`` for any other."""
    if re.search(r"\b(?:made\s+public|publish\w*|publication|release[sd]?|posted|announce[sd]?)\b", text, re.IGNORECASE):
        return "publication"
    if re.search(r"\b(?:effect(?:ive)?|force|appl(?:y|ies|ication))\b", text, re.IGNORECASE):
        return "effect"
    return None


def event_dates(ctx: Context, view: View, s: int, e: int, sdocs: list) -> None:
    """"It is dated 19 October 2020 and was posted on 23 October", "The Notice takes effect on
    1 August 2020": the day the document named last before the verb in the sentence (or the
    one "it", "the notice" stands for) was made public or took effect, kept for the trial
    periods counted from it (:attr:`Context.event_dates`). Two days for one event: neither."""
    for m in _EVENT_ON.finditer(view.clean, s, e):
        o_at = view.origin(m.start(), m.end())[0]
        before = [d for st, _, d in sdocs if st < o_at and d.iri != ctx.source]
        target = before[-1] if before else None
        if target is None:
            lead = view.clean[s:m.start()]
            if re.match(r"\s*(?:It|They|This|These)\b", lead):
                target = ctx.last_document_before(view.origin(s, e)[0])
            else:
                target = anaphora(ctx, lead, view.origin(s, e)[0])
        date = date_of(ctx, m)
        if target is None or date is None:
            continue
        key = (target.iri, "publication" if m.group("publication") else "effect")
        if ctx.event_dates.get(key, date) != date:
            ctx.event_dates[key] = None  # two days: unsure
        elif key not in ctx.event_dates:
            ctx.event_dates[key] = date


# ------------------------------------------------------------------------- dated documents

def date_documents(ctx: Context) -> None:
    """Give each document minted here its year (see :func:`dated_document_slug`), in every
    record, new entity, measure IRI and warning: the year is known only once the text has
    been read (its issue date may come after the name)."""
    years: dict[str, int] = {}
    for iri, recs in ctx.issue_dates.items():
        for rec in recs:
            year = rec.get("date").year  # type: ignore[union-attr]
            years[iri] = min(year, years.get(iri, year))
    mapping: dict[str, str] = {}
    for iri, rec in ctx.entities.items():
        if rec.kind != "document" or rec.lexicon is not None or iri == ctx.source:
            continue
        label = str(rec.get("label"))
        named = YEAR_IN_NAME.search(label)
        year = years.get(iri) or (int(named.group(1)) if named else None) or ctx.doc.year
        slug = iri.rsplit("/", 1)[1]
        dated = dated_document_slug(label, year)
        if not slug.startswith(document_slug(label)):
            dated = slug  # a provisional IRI made unique already: keep what was said
        elif slug != document_slug(label):
            dated = dated_document_slug(label, year) + slug[len(document_slug(label)):]
        if dated != slug:
            mapping[iri] = document_iri(dated)
    if not mapping:
        return
    measures = {f"{ID}measure/{old.rsplit('/', 1)[1]}/": f"{ID}measure/{new.rsplit('/', 1)[1]}/"
                for old, new in mapping.items()}

    def remap(value: object) -> object:
        if isinstance(value, str):
            if value in mapping:
                return mapping[value]
            if value.startswith(f"{ID}measure/"):
                head, _, number = value.rpartition("/")
                return measures.get(head + "/", head + "/") + number
            return value
        if isinstance(value, tuple):
            return tuple(remap(v) for v in value)
        return value

    ctx.rewrite(remap)


__all__ = ["DATE", "ISSUE", "PASSIVE_BY", "TRIAL", "date_documents", "date_in", "dated_anaphora", "dated_names",
           "event_dates",
           "issuance", "settle_issue_dates", "settle_trials", "trial"]

"""Who is responsible for a measure: the frames of ``mappings/patterns/responsibility.toml``.

Door: :func:`responsible_ranges`. For one sentence of a measure's text it gives the ranges in
which the responsible agencies are named: before a guiding verb ("The CAC will guide and
formulate the policy", "The CAC shall complete the assessment"), or after a label or a phrase
("Lead agencies: NDRC and MOST", "Responsible: the NDA", "under the guidance of the NDA"), or
as the subject a sentence opens with ("The CAC may put ... on a list"), or in a bracket or after
a dash that ends the sentence and holds nothing but names ("... data platforms. (MIIT, CAC)"). The
extractor takes the agencies it finds in them; a range that names none (a class of bodies,
"Responsible: none named") gives no fact.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache

from ... import resources


@dataclass(frozen=True)
class Frame:
    """One way of saying who is responsible."""

    name: str
    where: str  # "before", "after", "subject" or "end"
    pattern: re.Pattern[str]
    example: str
    agencies: tuple[str, ...]


@cache
def frames() -> tuple[Frame, ...]:
    path = resources.data_root() / "mappings" / "patterns" / "responsibility.toml"
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    out = []
    for f in data["frame"]:
        if f["where"] not in ("before", "after", "subject", "end"):
            raise ValueError(f"{path}: frame {f['name']!r}: where must be 'before', 'after', 'subject' or 'end'")
        flags = 0 if f.get("case_sensitive") else re.IGNORECASE
        out.append(Frame(f["name"], f["where"], re.compile(f["pattern"], flags), f["example"],
                         tuple(f.get("agencies", ()))))
    return tuple(out)


def responsible_ranges(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Ranges of ``text[start:end]`` (one sentence) in which the responsible agencies stand,
    in the order of the frames that found them."""
    out: list[tuple[int, int]] = []
    for frame in frames():
        if frame.where == "subject":
            # the sentence opens with its subject, then the frame's verb: "The CAC may put ..."
            m = frame.pattern.match(text, start, end)
            if m:
                out.append((m.start("who"), m.end("who")))
            continue
        if frame.where == "end":
            # the sentence ends with them: "... for enterprises. [MOE, MIIT]", "... — SAMR"
            m = frame.pattern.search(text, start, end)
            if m and not _NAME_BEFORE.search(text, max(start, m.start() - 60), m.start()):
                out.append((m.start("who"), m.end("who")))
            continue
        clause = start  # where the clause of the next match begins (after a ";")
        for m in frame.pattern.finditer(text, start, end):
            if frame.where == "before":
                # "The MIIT is responsible for ...; the MPS is responsible for ...": each
                # clause names its own agencies
                for semi in _CLAUSE_END.finditer(text, clause, m.start()):
                    clause = semi.end()
                out.append((clause, m.start()))
                clause = m.end()
            else:
                # after a label ("Responsible: A; B"), a semicolon parts the agencies it lists;
                # the list ends at a bracket or a full stop
                if text[m.start():m.end()].rstrip().endswith((":", "：")):
                    out.append((m.end(), _label_end(text, m.end(), end)))
                else:
                    stop = _CLAUSE_END.search(text, m.end(), end)
                    out.append((m.end(), stop.start() if stop else end))
    return out


#: A capitalised word right before an "end" frame's bracket: "the Cyberspace Administration of China
#: (CAC)." defines an abbreviation, it does not say who is responsible.
_NAME_BEFORE = re.compile(r"(?-i:[A-Z])[\w'’&-]*\s*$")
_CLAUSE_END = re.compile(r"[;；]|\.(?:\s|$)")
_LABEL_END = re.compile(r"[)）;；]|\.(?:\s|$)")


def _label_end(text: str, start: int, end: int) -> int:
    """Where the list after a label ends: "Responsible: A; B)" runs over its semicolons to the
    bracket; "Lead: A; participating: B" ends before the next label; the bracket of an
    abbreviation ("Ministry of Public Security (MPS)") ends nothing."""
    for m in _LABEL_END.finditer(text, start, end):
        c = m.group(0)
        if c in ";；":
            if re.match(r"\s*[\w -]{1,30}[:：]", text[m.end():end]):
                return m.start()  # another label
            continue
        if c in ")）" and re.search(r"[(（][A-Za-z&]{2,12}$", text[max(start, m.start() - 14):m.start()]):
            continue  # "(MPS)"
        return m.start()
    return end


__all__ = ["Frame", "frames", "responsible_ranges"]

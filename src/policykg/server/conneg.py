"""Content negotiation: pick the representation an ``Accept`` header prefers.

Door: :func:`choose`. Parsing is bounded (at most :data:`MAX_RANGES` media ranges, malformed
ranges and q-values ignored) so a hostile header costs nothing; a header that accepts none of
the offers gives ``None`` (the caller answers 406); a missing or empty header gives the first
offer, so the default is deterministic.
"""
from __future__ import annotations

from collections.abc import Sequence

MAX_RANGES = 64


def _ranges(accept: str) -> list[tuple[str, str, float, int]]:
    out = []
    for index, part in enumerate(accept.split(",")[:MAX_RANGES]):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            continue
        main, _, sub = media.partition("/")
        if not main or not sub:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = -1.0
                if not 0.0 <= q <= 1.0:
                    q = -1.0
        if q >= 0:
            out.append((main, sub, q, index))
    return out


def choose(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer (a media type such as ``text/turtle``) that ``accept`` ranks highest.

    Ties go to the more specific range, then to the order of ``offers``.
    """
    if not offers:
        return None
    if accept is None or not accept.strip():
        return offers[0]
    ranges = _ranges(accept)
    if not ranges:
        return offers[0]
    best: tuple[float, int, int] | None = None
    chosen = None
    for order, offer in enumerate(offers):
        main, _, sub = offer.lower().partition("/")
        match: tuple[float, int] | None = None  # (q, specificity)
        for r_main, r_sub, q, _index in ranges:
            if r_main == main and r_sub == sub:
                spec = 2
            elif r_main == main and r_sub == "*":
                spec = 1
            elif r_main == "*" and r_sub == "*":
                spec = 0
            else:
                continue
            if match is None or spec > match[1]:
                match = (q, spec)
        if match is None or match[0] <= 0:
            continue
        key = (match[0], match[1], -order)
        if best is None or key > best:
            best, chosen = key, offer
    return chosen


__all__ = ["MAX_RANGES", "choose"]

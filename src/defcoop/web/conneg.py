"""Choosing a media type from an ``Accept`` header (RFC 9110 12.5.1: q-values, wildcards)."""

from __future__ import annotations


def parse_accept(header: str | None) -> list[tuple[str, float, int]]:
    """``[(media range, q, position)]``; a missing or empty header accepts anything."""
    if not header or not header.strip():
        return [("*/*", 1.0, 0)]
    out = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        if "/" not in media:
            media = media + "/*" if media == "*" else media
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = max(0.0, min(1.0, float(f[2:])))
                except ValueError:
                    q = 0.0
        out.append((media, q, position))
    return out


def choose(header: str | None, offered: list[str]) -> str | None:
    """The offered type the client prefers most (ties: the more specific range, then the
    order of ``offered``); None when it accepts none of them (a 406)."""
    ranges = parse_accept(header)
    best, best_key = None, None
    for index, media in enumerate(offered):
        kind = media.split("/")[0]
        match = None
        for rng, q, pos in ranges:
            if rng == media:
                specificity = 2
            elif rng == f"{kind}/*":
                specificity = 1
            elif rng == "*/*":
                specificity = 0
            else:
                continue
            candidate = (specificity, q, -pos)
            if match is None or candidate[0] > match[0]:
                match = candidate
        if match is None or match[1] <= 0:
            continue
        key = (match[1], match[0], -index)
        if best_key is None or key > best_key:
            best, best_key = media, key
    return best

"""Fill in quote positions: ``defcoop anchor FILE --source TEXT``.

A person writes a quote (``oa:exact "..."``) and leaves its position selector at any
numbers (``oa:start 0 ; oa:end 0``); this finds the quote in the normalised source
text and writes the raw positions in place. Nothing else in the file changes. A
quote that is not in the source, or that occurs more than once where the written
position is not one of its occurrences, is an error and the file is left as it was.
"""

from __future__ import annotations

import re
from pathlib import Path

from defcoop.errors import DefcoopError
from defcoop.graph.export import write_atomic
from defcoop.graph.sources import SourceText

_PAIR = re.compile(
    r'oa:exact\s+"(?P<exact>(?:[^"\\\n]|\\.)*)"'
    r"(?P<between>[^\]]*?\]\s*,\s*\[\s*a\s+oa:TextPositionSelector\s*;\s*)"
    r"oa:start\s+(?P<start>\d+)\s*;\s*oa:end\s+(?P<end>\d+)"
)


def _unescape(text: str) -> str:
    return re.sub(r'\\(["\\])', r"\1", text)


def anchor_text(turtle: str, source: SourceText, name: str = "<turtle>") -> tuple[str, int]:
    """The Turtle with every quote's position filled in, and how many changed."""
    errors = []
    changed = 0

    def fix(m: re.Match) -> str:
        nonlocal changed
        exact = _unescape(m.group("exact"))
        start, end = int(m.group("start")), int(m.group("end"))
        line = turtle.count("\n", 0, m.start()) + 1
        spans = source.locate(exact)
        if (start, end) in spans:
            return m.group(0)
        if not spans:
            errors.append(f"{name}:{line}: quote not in {source.name}: {exact[:80]!r}")
            return m.group(0)
        if len(spans) > 1:
            errors.append(
                f"{name}:{line}: quote occurs {len(spans)} times in {source.name} "
                f"(at {', '.join(f'{s}-{e}' for s, e in spans)}); write the position "
                f"of the one meant, or quote more words: {exact[:80]!r}"
            )
            return m.group(0)
        changed += 1
        s, e = spans[0]
        return m.group(0)[: m.start("start") - m.start()] + f"{s} ; oa:end {e}"

    result = _PAIR.sub(fix, turtle)
    if errors:
        raise DefcoopError("\n".join(errors))
    return result, changed


def anchor_file(path: str | Path, source_path: str | Path) -> int:
    """Rewrite ``path`` with its quote positions filled in; returns how many changed."""
    path = Path(path)
    source = SourceText.from_path(source_path)
    text = path.read_text(encoding="utf-8")
    new, changed = anchor_text(text, source, name=str(path))
    if changed:
        write_atomic(new.encode("utf-8"), path)
    return changed

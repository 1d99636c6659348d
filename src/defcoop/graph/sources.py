"""The source texts of the graph and the one place where they are normalised.

A source text is a plain-text extraction of a parliamentary PDF: words are broken
at line ends with a hyphen, lines are wrapped, and page footers sit in the middle.
`SourceText` undoes that once, here, and keeps a map from every character of the
normalised text back to its position in the raw file, so that:

* a quote (``oa:exact`` of a ``oa:TextQuoteSelector``) is recorded as readable,
  normalised words ("defensiesamenwerking", not "defensie-\\nsamenwerking"), and
* its position (``oa:start``/``oa:end`` of a ``oa:TextPositionSelector``) counts
  Unicode code points in the raw file of record, which anyone can open and slice.

Normalisation rules (and nothing else):

1. A line that ends in ``<letter>-`` and is followed by a line starting with a
   lower-case letter is a hyphenated word: the hyphen and the line break go.
2. Any other run of white space inside a paragraph becomes one space.
3. A blank line (two or more line breaks) separates paragraphs; so does a
   footnote line (``1 Raadpleegbaar via ...``: one or two digits, a space, a
   capital), which is a paragraph of its own however the PDF placed it.
   Paragraphs are joined with ``"\\n\\n"`` and stripped of white space.

Sentences (`SourceText.sentences`) split each paragraph after ``.``, ``!`` or ``?``
followed by white space and a capital, a digit or an opening bracket or quote,
unless the full stop ends an abbreviation (``dr.``, ``nr.``, ``jl.``) or an
initial (``A.Th.B.``). A heading, a footnote or a signature is a sentence of its own.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

_HYPHEN_BREAK = re.compile(r"(?<=[^\W\d_])-[ \t]*\n[ \t]*(?=[a-zà-ÿ])")
_PARAGRAPH_BREAK = re.compile(r"[ \t]*\n(?:[ \t]*\n)+")
_FOOTNOTE_LINE = re.compile(r"(?m)^\d{1,2} [A-Z][^\n]*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý0-9(“‘\"])")
_ABBREVIATION_END = re.compile(r"\b(?:dr|nr|Nr|jl|[A-Z][a-z]?)\.$")


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a source: its normalised text and its span in the raw file."""

    index: int
    text: str
    start: int  # raw code-point offset, inclusive
    end: int  # raw code-point offset, exclusive


@dataclass(frozen=True)
class Sentence:
    """One sentence of a source: its normalised text, its paragraph and its raw span."""

    index: int
    paragraph: int
    text: str
    start: int  # raw code-point offset, inclusive
    end: int  # raw code-point offset, exclusive


class QuoteError(ValueError):
    """A quote is not in the source, or not at the position it claims."""


class SourceText:
    """A raw source text with its normalised form and the map between the two."""

    def __init__(self, raw: str, name: str = "<text>"):
        self.raw = raw
        self.name = name
        chars: list[str] = []
        raw_index: list[int] = []
        paragraph_starts: list[int] = []
        for block_start, block_end in _blocks(raw):
            block = raw[block_start:block_end]
            # positions inside the block that are dropped (hyphen + line break)
            dropped: set[int] = set()
            for m in _HYPHEN_BREAK.finditer(block):
                dropped.update(range(m.start(), m.end()))
            if chars:
                chars.extend("\n\n")
                raw_index.extend([block_start - 1, block_start - 1])
            paragraph_starts.append(len(chars))
            in_space = False
            for offset, ch in enumerate(block):
                if offset in dropped:
                    continue
                if ch.isspace():
                    if not in_space:
                        chars.append(" ")
                        raw_index.append(block_start + offset)
                    in_space = True
                else:
                    chars.append(ch)
                    raw_index.append(block_start + offset)
                    in_space = False
        self.text = "".join(chars)
        self._raw_index = raw_index
        self._paragraph_starts = paragraph_starts

    @classmethod
    def from_path(cls, path: str | Path) -> "SourceText":
        path = Path(path)
        return cls(path.read_text(encoding="utf-8"), name=str(path))

    # -- positions -----------------------------------------------------------
    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the normalised text to a span of the raw text."""
        if not 0 <= start < end <= len(self.text):
            raise QuoteError(f"{self.name}: span {start}-{end} is outside the text")
        return self._raw_index[start], self._raw_index[end - 1] + 1

    def from_raw(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the raw text to the span of the normalised text it covers."""
        return (
            bisect.bisect_left(self._raw_index, start),
            bisect.bisect_left(self._raw_index, end),
        )

    def quote_at(self, start: int, end: int) -> str:
        """The normalised words of the raw span ``start``..``end``."""
        a, b = self.from_raw(start, end)
        return self.text[a:b]

    def locate(self, quote: str) -> list[tuple[int, int]]:
        """Every raw span whose normalised text is ``quote``."""
        spans = []
        i = self.text.find(quote)
        while i >= 0 and quote:
            spans.append(self.to_raw(i, i + len(quote)))
            i = self.text.find(quote, i + 1)
        return spans

    def check_quote(self, quote: str, start: int, end: int) -> None:
        """Raise `QuoteError` unless ``quote`` is the text at raw ``start``..``end``."""
        if not (0 <= start < end <= len(self.raw)):
            raise QuoteError(
                f"{self.name}: position {start}-{end} is outside the text "
                f"(0-{len(self.raw)})"
            )
        found = self.quote_at(start, end)
        if found != quote:
            where = self.locate(quote)
            hint = (
                f"; the quote occurs at {', '.join(f'{s}-{e}' for s, e in where)}"
                if where
                else "; the quote occurs nowhere in the text"
            )
            raise QuoteError(
                f"{self.name}: at {start}-{end} the text reads {found!r}, "
                f"not {quote!r}{hint}"
            )

    # -- structure -----------------------------------------------------------
    @cached_property
    def paragraphs(self) -> list[Paragraph]:
        result = []
        bounds = self._paragraph_starts + [len(self.text) + 2]
        for i, (a, b) in enumerate(zip(bounds, bounds[1:])):
            b -= 2  # the "\n\n" between paragraphs
            start, end = self.to_raw(a, b)
            result.append(Paragraph(i, self.text[a:b], start, end))
        return result

    @cached_property
    def sentences(self) -> list[Sentence]:
        """Every sentence of the text, in order (the rules are in the module's docstring)."""
        result: list[Sentence] = []
        for p in self.paragraphs:
            base = self.from_raw(p.start, p.end)[0]
            cuts = [0]
            for m in _SENTENCE_END.finditer(p.text):
                if not _ABBREVIATION_END.search(p.text, 0, m.start()):
                    cuts += [m.start(), m.end()]
            cuts.append(len(p.text))
            for a, b in zip(cuts[::2], cuts[1::2]):
                start, end = self.to_raw(base + a, base + b)
                result.append(Sentence(len(result), p.index, p.text[a:b], start, end))
        return result

    def paragraph_of(self, start: int) -> Paragraph:
        """The paragraph that contains the raw offset ``start``."""
        for p in self.paragraphs:
            if p.start <= start < p.end:
                return p
        raise QuoteError(f"{self.name}: offset {start} is in no paragraph")


def _blocks(raw: str):
    """Raw (start, end) spans of the non-blank paragraphs, stripped."""
    pos = 0
    for m in list(_PARAGRAPH_BREAK.finditer(raw)) + [None]:
        end = m.start() if m else len(raw)
        # a footnote line is a paragraph of its own
        cut = pos
        for f in _FOOTNOTE_LINE.finditer(raw, pos, end):
            yield from _stripped(raw, cut, f.start())
            yield from _stripped(raw, f.start(), f.end())
            cut = f.end()
        yield from _stripped(raw, cut, end)
        pos = m.end() if m else len(raw)


def _stripped(raw: str, start: int, end: int):
    block = raw[start:end]
    stripped = block.strip()
    if stripped:
        lead = len(block) - len(block.lstrip())
        yield start + lead, start + lead + len(stripped)

"""SPARQL syntax errors in one line: where (line, column), the offending token, a hint.

Oxigraph reports the furthest place its parser looked ahead, which is often the end
of the text ("line 6, column 1" for an error on line 4), and lists the Unicode ranges
a name may hold. rdflib's parser (pyparsing) stops at the token it could not take,
so for the position we ask it (only when there is an error: it costs ~0.2 s to
import). An undeclared prefix is found by reading the text (`defcoop.query.params`).

Project prefixes: `declare_prefixes` puts a ``PREFIX`` line for each prefix of
`defcoop.namespaces.PREFIXES` that a text uses but does not declare in front of it,
on one line, so that positions in the user's text are one line further down.
"""

from __future__ import annotations

import re

from defcoop.query import params as P

_OXIGRAPH_AT = re.compile(r"error at (\d+):(\d+): (.*)", re.S)
_TOKEN = re.compile(
    r'<[^<>"{}|^`\\\s]*>|"[^"\n]*"?|\'[^\'\n]*\'?|[?$][A-Za-z0-9_]+'
    r"|[A-Za-z_][\w\-.]*:[\w\-.%]*|[A-Za-z_][\w\-]*|\d[\d.eE+-]*|\|\||&&|[<>!=]=|\S"
)


def declare_prefixes(text: str, prefixes: dict | None = None) -> tuple[str, int]:
    """``text`` with a ``PREFIX`` for every project prefix it uses and does not declare,
    all on one line in front; and how many lines were added (0 or 1)."""
    if prefixes is None:
        from defcoop.namespaces import PREFIX_IRIS

        prefixes = PREFIX_IRIS
    missing = [p for p in sorted(P.used_prefixes(text) - P.declared_prefixes(text)) if p in prefixes]
    if not missing:
        return text, 0
    line = " ".join(f"PREFIX {p}: <{prefixes[p]}>" for p in missing)
    return f"{line}\n{text}", 1


def describe(message: str, text: str, line_offset: int = 0) -> str:
    """One line for a syntax error Oxigraph reported as ``message`` in ``text``.

    ``line_offset``: lines put in front of the user's text (`declare_prefixes`),
    taken off the line reported.
    """
    message = " ".join(part.strip() for part in str(message).splitlines() if part.strip())
    undeclared = _undeclared_prefix(text)
    if undeclared is not None:
        prefix, offset = undeclared
        line, column = _position(text, offset)
        return (
            f"line {line - line_offset}, column {column}: undeclared prefix '{prefix}:'"
            f"{_prefix_hint(prefix)}"
        )
    position = _rdflib_position(text)
    detail = None
    if position is None:
        m = _OXIGRAPH_AT.match(message)
        if not m:
            return message[:300]
        position = int(m.group(1)), int(m.group(2))
        detail = m.group(3)[:200]
    line, column, token = _token_at(text, *position)
    if detail is None:
        detail = f"unexpected {token!r}" if token else "unexpected end of the query"
    return f"line {line - line_offset}, column {column}: {detail}"


def _undeclared_prefix(text: str) -> tuple[str, int] | None:
    declared = P.declared_prefixes(text)
    for prefix, offset in P.prefixed_names(text):
        if prefix not in declared:
            return prefix, offset
    return None


def _prefix_hint(prefix: str) -> str:
    from defcoop.namespaces import PREFIX_IRIS

    if prefix in PREFIX_IRIS:
        return f" (add PREFIX {prefix}: <{PREFIX_IRIS[prefix]}>)"
    return f" (declare it: PREFIX {prefix}: <...>; `defcoop queries --prefixes` lists the project's)"


def _rdflib_position(text: str) -> tuple[int, int] | None:
    """(line, column) where rdflib's SPARQL parser stops, or None if it parses."""
    from pyparsing import ParseBaseException  # rdflib's parser is written with pyparsing
    from rdflib.plugins.sparql.parser import parseQuery  # only here: ~0.2 s to import

    try:
        parseQuery(text)
    except ParseBaseException as exc:
        return exc.lineno, exc.col
    except Exception:  # rdflib refuses what it cannot read in other ways: no position
        return None
    return None


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _token_at(text: str, line: int, column: int) -> tuple[int, int, str]:
    """The first token at or after (line, column), with its own line and column."""
    lines = text.split("\n")
    rest = lines[line - 1][column - 1:] if line <= len(lines) else ""
    m = _TOKEN.search(rest)
    if m is not None:
        return line, column + m.start(), m.group(0)[:40]
    for number in range(line + 1, len(lines) + 1):  # nothing more on this line
        m = _TOKEN.search(lines[number - 1])
        if m is not None:
            return number, m.start() + 1, m.group(0)[:40]
    return line, column, ""

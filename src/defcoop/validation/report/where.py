"""Where a finding's focus node was written: the file and line of its first description.

A file is read once per content: in Turtle (and TriG, N3), a line that starts a
statement at its first column starts with its subject (the project writes subjects at
the first column, their statements indented); in N-Triples and N-Quads every line
does. A blank-node focus is placed where the IRI it hangs from is written. A node no
file describes at the first column is placed nowhere ("").
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, URIRef

from defcoop.validation.memo import ContentCache, digest_files
from defcoop.validation.report.model import Finding

_PREFIX = re.compile(r"@?prefix\s+([\w-]*):\s*<([^>]*)>", re.I)
_SUBJECT = re.compile(r"(<[^>\s]*>|[\w-]*:[^\s;,]*)")
_PLACES: ContentCache[dict[str, int]] = ContentCache(size=256)


def subjects(path: Path) -> dict[str, int]:
    """{subject IRI: the line it is first written at} of one file, once per content."""
    def read() -> dict[str, int]:
        out: dict[str, int] = {}
        prefixes: dict[str, str] = {}
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return out
        for i, line in enumerate(lines, 1):
            if not line or line[0] in " \t#)]":
                continue
            declared = _PREFIX.match(line)
            if declared:
                prefixes[declared.group(1)] = declared.group(2)
                continue
            m = _SUBJECT.match(line)
            if not m:
                continue
            token = m.group(1)
            if token.startswith("<"):
                iri = token[1:-1]
            else:
                prefix, _, local = token.partition(":")
                if prefix not in prefixes:
                    continue
                iri = prefixes[prefix] + local
            out.setdefault(iri, i)
        return out

    return _PLACES.get(digest_files([path]), read)


def locate(findings: list[Finding], files: list[Path], graph: Graph) -> list[Finding]:
    """The findings, each with ``where`` ("file:line") filled in where it can be."""
    places = [(f, subjects(f)) for f in files]

    def where(node: Any) -> str:
        for _ in range(8):  # a blank node: the IRI it hangs from
            if not isinstance(node, BNode):
                break
            parent = next(iter(graph.subjects(None, node)), None)
            if parent is None:
                return ""
            node = parent
        if not isinstance(node, URIRef):
            return ""
        for path, found in places:
            line = found.get(str(node))
            if line is not None:
                return f"{path}:{line}"
        return ""

    return [dataclasses.replace(f, where=where(f.focus)) for f in findings]

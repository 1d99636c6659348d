"""The stored query library: one ``.rq`` file per question, with a readable header.

A query file starts with header lines in the style of grlc's decorators::

    #+ summary: Everything concerning one partner
    #+ description: Agreements, projects, programmes and events ...
    #+ description: (may repeat; the lines are joined)
    #+ param: country iri default=id:NL "the partner state"
    #+ param: lang lang default=en "language of the labels"
    #+ example: defcoop query partner --param country=id:FR

A parameter line is ``NAME TYPE [default=VALUE] ["description"]``; TYPE is one of
`defcoop.query.params.TYPES`. The query names each parameter as a variable
(``?country``) and states the defaults as the first thing in its WHERE group, a
``VALUES`` block of one row::

    SELECT ... WHERE {
      VALUES (?country ?lang) { (id:FR "en") }

so that the file as it stands answers with its defaults on any SPARQL 1.1 engine;
`bind` replaces that block with the values given (see `defcoop.query.params`). A
``default=`` on the header line must then agree with the block (it may be left out);
a parameter with neither a default nor a value in the block (``UNDEF``) is required.
The rest of the file is plain SPARQL 1.1 that declares its own prefixes.

The library is ``resources.query_dir()`` plus the folders listed in the
``DEFCOOP_QUERY_PATH`` environment variable (separated like ``PATH``), so a user
can add a ``.rq`` file to either and run it by name at once.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from defcoop.query import params as P
from defcoop import resources
from defcoop.errors import DefcoopError

_HEADER = re.compile(r"^#\+\s*([A-Za-z_]+)\s*:\s?(.*)$")
_KEYS = ("summary", "description", "param", "example")


@dataclass
class Parameter:
    name: str
    type: str
    default: str | None
    description: str
    required: bool


@dataclass
class StoredQuery:
    name: str
    path: Path
    summary: str
    description: str
    params: list[Parameter]
    text: str
    example: str | None
    kind: str  # SELECT/CONSTRUCT/ASK/DESCRIBE
    ordered: bool = field(default=False)  # has a top-level ORDER BY
    defaults: P.DefaultsBlock | None = None  # the VALUES block of the defaults, if any

    def param(self, name: str) -> Parameter | None:
        return next((p for p in self.params if p.name == name), None)


def parse(text: str, path: Path, name: str | None = None) -> StoredQuery:
    """A `StoredQuery` from the text of a ``.rq`` file; header errors name file and line."""
    summary, example = "", None
    description: list[str] = []
    parameters: list[Parameter] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        m = _HEADER.match(line.strip())
        if not m:
            continue
        key, value = m.group(1).lower(), m.group(2).strip()
        where = f"{path}:{lineno}"
        if key not in _KEYS:
            raise DefcoopError(f"{where}: unknown header '#+ {key}:' (known: {', '.join(_KEYS)})")
        if key == "summary":
            summary = value
        elif key == "description":
            description.append(value)
        elif key == "example":
            example = value
        else:
            p = _parse_param(value, where)
            if any(q.name == p.name for q in parameters):
                raise DefcoopError(f"{where}: parameter {p.name!r} declared twice")
            parameters.append(p)
    kind = P.query_kind(text)
    if kind is None:
        raise DefcoopError(f"{path}: not a SPARQL query (no SELECT, CONSTRUCT, ASK or DESCRIBE)")
    used = P.variables(text)
    for p in parameters:
        if p.name not in used:
            raise DefcoopError(f"{path}: parameter {p.name!r} is declared but the query never uses ?{p.name}")
    try:
        block = P.parameter_block(text, {p.name for p in parameters})
    except DefcoopError as exc:
        raise DefcoopError(f"{path}:{exc}") from None
    if block is not None:
        parameters = [_with_block_default(p, block, path) for p in parameters]
    return StoredQuery(
        name=name or path.stem,
        path=path,
        summary=summary,
        description=" ".join(description),
        params=parameters,
        text=text,
        example=example,
        kind=kind,
        ordered=_has_order_by(text),
        defaults=block,
    )


def _with_block_default(p: Parameter, block: P.DefaultsBlock, path: Path) -> Parameter:
    """``p`` with the default its query's VALUES block states (checked against the header)."""
    from defcoop.namespaces import PREFIX_IRIS as PREFIXES

    if p.name not in block.terms:
        raise DefcoopError(f"{path}: parameter {p.name!r} is missing from the VALUES block of the defaults")
    term, value = block.terms[p.name], block.values[p.name]
    if value is None:  # UNDEF
        if p.default is not None:
            raise DefcoopError(f"{path}: parameter {p.name!r} has default={p.default} but UNDEF in the VALUES block")
        return p
    try:
        as_bound = P.to_term(p.name, p.type, value, PREFIXES)
    except DefcoopError as exc:
        raise DefcoopError(f"{path}: the VALUES block of the defaults: {exc}") from None
    if as_bound != term:
        raise DefcoopError(f"{path}: the default {value} of {p.name!r} in the VALUES block means "
                           f"{term}, but defcoop reads it as {as_bound} (declare the prefix as defcoop does)")
    if p.default is not None and P.to_term(p.name, p.type, p.default, PREFIXES) != term:
        raise DefcoopError(f"{path}: parameter {p.name!r}: the header says default={p.default}, "
                           f"the VALUES block {value}")
    return Parameter(p.name, p.type, p.default if p.default is not None else value, p.description, False)


def _parse_param(value: str, where: str) -> Parameter:
    try:
        parts = shlex.split(value)
    except ValueError as exc:
        raise DefcoopError(f"{where}: cannot read the parameter line: {exc}") from None
    if len(parts) < 2:
        raise DefcoopError(f'{where}: a parameter line is: NAME TYPE [default=VALUE] ["description"]')
    name, type_ = parts[0], parts[1]
    if not P.VARNAME.match(name):
        raise DefcoopError(f"{where}: {name!r} is not a valid variable name")
    if type_ not in P.TYPES:
        raise DefcoopError(f"{where}: unknown parameter type {type_!r} (known: {', '.join(P.TYPES)})")
    default, words = None, []
    for part in parts[2:]:
        if part.startswith("default="):
            default = part[len("default="):]
        else:
            words.append(part)
    if default is not None:
        from defcoop.namespaces import PREFIX_IRIS as PREFIXES

        try:
            P.to_term(name, type_, default, PREFIXES)
        except DefcoopError as exc:
            raise DefcoopError(f"{where}: bad default: {exc}") from None
    return Parameter(name, type_, default, " ".join(words), default is None)


def _has_order_by(text: str) -> bool:
    """Whether the outermost query has ORDER BY (not one inside a subquery)."""
    depth = 0
    last_top_close = None
    words = []
    for kind, a, b in P.tokens(text):
        if kind == "{":
            depth += 1
        elif kind == "}":
            depth -= 1
            if depth == 0:
                last_top_close = a
        elif kind == "word" and depth == 0:
            words.append((a, text[a:b].upper()))
    return any(
        w == "ORDER" and last_top_close is not None and a > last_top_close for a, w in words
    )


def folders(folder: Path | None = None) -> list[Path]:
    if folder is not None:
        return [Path(folder)]
    extra = [Path(p) for p in os.environ.get("DEFCOOP_QUERY_PATH", "").split(os.pathsep) if p]
    return extra + [resources.query_dir()]


def load_library(folder: Path | None = None) -> list[StoredQuery]:
    """Every query of the library, sorted by name (a name in an earlier folder wins)."""
    found: dict[str, StoredQuery] = {}
    for f in folders(folder):
        if not f.is_dir():
            raise DefcoopError(f"{f}: query folder does not exist")
        for path in sorted(f.glob("*.rq")):
            if path.stem not in found:
                found[path.stem] = load_file(path)
    return [found[k] for k in sorted(found)]


def load_file(path: str | Path) -> StoredQuery:
    path = Path(path)
    if not path.is_file():
        raise DefcoopError(f"{path}: no such query file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DefcoopError(f"{path}: not UTF-8 text ({exc.reason})") from None
    return parse(text, path)


def find(name_or_path: str) -> StoredQuery:
    """A query of the library by name, or a ``.rq`` file by path."""
    candidate = Path(name_or_path)
    if name_or_path.endswith(".rq") or os.sep in name_or_path or "/" in name_or_path:
        return load_file(candidate)
    for f in folders():
        path = f / f"{name_or_path}.rq"
        if path.is_file():
            return load_file(path)
    if candidate.is_file():
        return load_file(candidate)
    names = sorted(p.stem for f in folders() if f.is_dir() for p in f.glob("*.rq"))
    close = difflib.get_close_matches(name_or_path, names, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise DefcoopError(
        f"no query named {name_or_path!r} in the library{hint} (`defcoop queries` lists them)"
    )


def bind(query: StoredQuery, values: dict[str, str]) -> str:
    """The query text with ``values`` (and the defaults) bound safely as RDF terms."""
    from defcoop.namespaces import PREFIX_IRIS as PREFIXES

    unknown = sorted(set(values) - {p.name for p in query.params})
    if unknown:
        known = ", ".join(p.name for p in query.params) or "none"
        raise P.ParameterError(
            f"--param {unknown[0]}: {query.name} has no such parameter (its parameters: {known})"
        )
    terms = {}
    for p in query.params:
        value = values.get(p.name, p.default)
        if value is None:
            raise P.ParameterError(
                f"--param {p.name}: required by {query.name} ({p.type}: {p.description or P.TYPES[p.type]})"
            )
        terms[p.name] = P.to_term(p.name, p.type, value, PREFIXES)
    text = query.text
    if query.defaults is not None:  # the block of defaults gives way to the values
        text = text[: query.defaults.start] + text[query.defaults.end :]
    return P.insert_values(text, terms)


def parse_assignments(items) -> dict[str, str]:
    """``["a=1", "b=x"]`` -> ``{"a": "1", "b": "x"}``; a malformed item names itself."""
    out = {}
    for item in items:
        if "=" not in item:
            raise P.ParameterError(f"--param {item!r}: write it as name=value")
        k, v = item.split("=", 1)
        k = k.strip()
        if not P.VARNAME.match(k):
            raise P.ParameterError(f"--param {item!r}: {k!r} is not a parameter name")
        if k in out:
            raise P.ParameterError(f"--param {k}: given twice")
        out[k] = v
    return out

"""Binding query parameters safely: a value becomes one RDF term, never query text.

A parameter value given on the command line (``--param country=id:FR``) is turned
into exactly one RDF term of the parameter's declared type, checked, and written
in SPARQL syntax that cannot end early: an IRI may not hold any character the
SPARQL grammar forbids in ``<...>``, a string is escaped, a number, date or
language tag must match its grammar. The terms are then added to the query as a
standard SPARQL 1.1 ``VALUES`` block at the start of its ``WHERE`` group, so the
same bound text runs on the embedded engine and on any endpoint (this is the
mistake of grlc issue 101 avoided: values are never pasted into the query).

A stored query states its parameters' defaults as such a block itself, the first
thing in its WHERE group (`parameter_block` finds it), so that the file as it stands
answers with its defaults on any engine; binding replaces that block.

Writing queries for this: a parameter ``?country`` joins like any variable; use it
in triple patterns anywhere, and in ``FILTER`` only in the query's outermost group
(engines that evaluate bottom-up do not see it inside nested groups).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from defcoop.errors import DefcoopError

XSD = "http://www.w3.org/2001/XMLSchema#"

#: the languages of the graph's labels: the only values of a ``lang`` parameter
#: (``defcoop query --lang`` and ``--param lang=`` alike)
LANGUAGES = ("en", "nl")

#: type name -> what a value must look like (for messages)
TYPES = {
    "iri": "an IRI <http://...>, a full http(s) IRI or a prefixed name such as id:FR",
    "string": "any text",
    "lang": "a language of the labels: " + " or ".join(LANGUAGES),
    "int": "an integer such as 2019",
    "decimal": "a decimal number such as 1.5",
    "bool": "true or false",
    "date": "a date YYYY-MM-DD",
    "gYear": "a year YYYY",
    "gYearMonth": "a month YYYY-MM",
}

# Characters the SPARQL grammar forbids inside <...> (IRIREF), plus controls and space.
_IRI_FORBIDDEN = re.compile(r'[<>"{}|^`\\\x00-\x20\x7f]')
# Whole-value patterns: \Z (not $, which also matches before a final newline) and
# [0-9] (not \d, which also matches Arabic-Indic and other digits).
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_PNAME = re.compile(r"^([A-Za-z][A-Za-z0-9_\-]*)?:([A-Za-z0-9_][A-Za-z0-9_\-.]*)?\Z")
#: a ``lang`` value: one of the languages of the labels, as written (no space, no case change)
_LANG = re.compile(r"^(?:" + "|".join(LANGUAGES) + r")\Z")
_INT = re.compile(r"^[+-]?[0-9]+\Z")
_DECIMAL = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\Z")
_DATE = re.compile(r"^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}\Z")
_GYEAR = re.compile(r"^-?[0-9]{4,}\Z")
_GYEARMONTH = re.compile(r"^-?[0-9]{4,}-(0[1-9]|1[0-2])\Z")
VARNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")
#: the grammar of the typed values, for a client that checks them itself (the site's query page)
PATTERNS = {"iri_forbidden": _IRI_FORBIDDEN, "scheme": _SCHEME, "pname": _PNAME, "lang": _LANG,
            "int": _INT, "decimal": _DECIMAL, "gYear": _GYEAR, "gYearMonth": _GYEARMONTH}


class ParameterError(DefcoopError):
    """A parameter value that is missing, unknown or not of its declared type."""


def to_term(name: str, type_: str, value: str, prefixes: dict | None = None) -> str:
    """The SPARQL text of the one RDF term ``value`` denotes as a ``type_``.

    Raises `ParameterError` naming the parameter when the value is not of its type.
    """
    def bad(why: str) -> ParameterError:
        return ParameterError(
            f"--param {name}: {why} (expected {TYPES.get(type_, type_)}, got {value!r})"
        )

    if type_ == "iri":
        return "<" + expand_iri(name, value, prefixes) + ">"
    if type_ == "string":
        return quote_string(name, value)
    if type_ == "lang":
        if not _LANG.match(value):
            raise bad("the labels are in " + " and ".join(LANGUAGES) + " only")
        return quote_string(name, value)
    if type_ == "int":
        if not _INT.match(value.strip()):
            raise bad("not an integer")
        return f'"{int(value)}"^^<{XSD}integer>'
    if type_ == "decimal":
        if not _DECIMAL.match(value.strip()):
            raise bad("not a decimal number")
        return f'"{value.strip()}"^^<{XSD}decimal>'
    if type_ == "bool":
        v = value.strip().lower()
        if v not in ("true", "false", "1", "0"):
            raise bad("not a boolean")
        return f'"{"true" if v in ("true", "1") else "false"}"^^<{XSD}boolean>'
    if type_ == "date":
        if not _DATE.match(value.strip()):
            raise bad("not a date")
        try:
            d = _dt.date.fromisoformat(value.strip())
        except ValueError:
            raise bad("not a date") from None
        return f'"{d.isoformat()}"^^<{XSD}date>'
    if type_ == "gYear":
        if not _GYEAR.match(value.strip()):
            raise bad("not a year")
        return f'"{value.strip()}"^^<{XSD}gYear>'
    if type_ == "gYearMonth":
        if not _GYEARMONTH.match(value.strip()):
            raise bad("not a month")
        return f'"{value.strip()}"^^<{XSD}gYearMonth>'
    raise ParameterError(f"--param {name}: unknown parameter type {type_!r} (known: {', '.join(TYPES)})")


def expand_iri(name: str, value: str, prefixes: dict | None = None) -> str:
    """A full IRI from ``<iri>``, ``http://...`` or ``prefix:local``; checked against the grammar."""
    v = value.strip()
    if v.startswith("<") and v.endswith(">"):
        iri = v[1:-1]
    elif _PNAME.match(v) and v.split(":", 1)[0] in (prefixes or {}):
        prefix, local = v.split(":", 1)
        iri = str((prefixes or {})[prefix]) + local
    elif _SCHEME.match(v) and v.split(":", 1)[0] in (prefixes or {}):
        # "id:F#R": a declared prefix with a local part no prefixed name may have, not
        # an IRI whose scheme happens to be "id"
        raise ParameterError(
            f"--param {name}: {value!r} is not a prefixed name ({v.split(':', 1)[1]!r} is not a "
            f"valid local name after {v.split(':', 1)[0]}:) and not an IRI")
    elif _SCHEME.match(v) and not _PNAME.match(v):
        iri = v
    elif _PNAME.match(v):
        known = ", ".join(sorted(prefixes or {}))
        raise ParameterError(f"--param {name}: unknown prefix {v.split(':', 1)[0]!r} in {value!r} (known: {known})")
    else:
        raise ParameterError(
            f"--param {name}: not an IRI (expected {TYPES['iri']}, got {value!r})"
        )
    if not _SCHEME.match(iri) or _IRI_FORBIDDEN.search(iri):
        raise ParameterError(
            f"--param {name}: not a valid IRI: {value!r} (no spaces or any of <>\"{{}}|^`\\ allowed)"
        )
    return iri


def quote_string(name: str, value: str) -> str:
    """A SPARQL string literal holding exactly ``value``."""
    if re.search(r"\\[uU]", value):
        # Some engines (rdflib) expand \u escapes before parsing, others do not; refuse
        # rather than let the engines read different values.
        raise ParameterError(f"--param {name}: a backslash followed by 'u' is not allowed in a value ({value!r})")
    out = (
        value.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{out}"'


# ---------------------------------------------------------------------------
# Reading the structure of a query text: where its WHERE group opens, which
# variables it names. A small scanner that skips comments, strings and IRIs.
# ---------------------------------------------------------------------------

_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_STRING = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'",
    re.S,
)
_VAR = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")


def tokens(text: str, parens: bool = False, pnames: bool = False):
    """Yield ``(kind, start, end)`` for the parts of a query that matter here.

    Kinds: ``"{"``, ``"}"``, ``"var"``, ``"word"`` (and ``"("``, ``")"`` if ``parens``,
    ``"pname"`` for a prefixed name such as ``dco:Event`` if ``pnames``);
    comments, strings and IRIs are skipped.
    """
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
        elif c in "\"'":
            m = _STRING.match(text, i)
            i = m.end() if m else i + 1
        elif c == "<":
            m = _IRIREF.match(text, i)
            i = m.end() if m else i + 1
        elif c in "{}" or (parens and c in "()"):
            yield c, i, i + 1
            i += 1
        elif c in "?$":
            m = _VAR.match(text, i)
            if m:
                yield "var", i, m.end()
                i = m.end()
            else:
                i += 1
        elif c.isalpha() or c == "_":
            m = _WORD.match(text, i)
            assert m is not None  # a letter or "_" starts a word
            # a prefixed name (dco:x) is not a keyword
            end = m.end()
            if end < n and text[end] == ":":
                j = end + 1
                while j < n and (text[j].isalnum() or text[j] in "_-.%\\"):
                    j += 1
                while j > end + 1 and text[j - 1] == ".":  # a name does not end in "."
                    j -= 1
                if pnames and text[i:end] != "_":  # _:b is a blank node, not a name
                    yield "pname", i, j
                i = j
                continue
            yield "word", i, end
            i = end
        else:
            i += 1


def prefixed_names(text: str) -> list[tuple[str, int]]:
    """``(prefix, offset)`` of every prefixed name the query uses (not its declarations)."""
    out = []
    after_prefix = False
    for kind, a, b in tokens(text, pnames=True):
        if kind == "pname" and not after_prefix:
            out.append((text[a:text.index(":", a)], a))
        after_prefix = kind == "word" and text[a:b].upper() == "PREFIX"
    return out


def used_prefixes(text: str) -> set[str]:
    return {prefix for prefix, _ in prefixed_names(text)}


def declared_prefixes(text: str) -> set[str]:
    """The prefixes the query's own ``PREFIX`` lines declare."""
    out = set()
    after_prefix = False
    for kind, a, b in tokens(text, pnames=True):
        if kind == "pname" and after_prefix:
            out.add(text[a:text.index(":", a)])
        after_prefix = kind == "word" and text[a:b].upper() == "PREFIX"
    return out


def query_kind(text: str) -> str | None:
    """SELECT, CONSTRUCT, ASK or DESCRIBE: the first query-form keyword of the text."""
    for kind, a, b in tokens(text):
        if kind == "word":
            w = text[a:b].upper()
            if w in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE"):
                return w
    return None


def keywords(text: str) -> set[str]:
    """The bare words of a query in upper case (keywords and function names; not those
    inside strings, IRIs, comments or prefixed names): ``"SERVICE" in keywords(text)``."""
    return {text[a:b].upper() for kind, a, b in tokens(text) if kind == "word"}


def variables(text: str) -> set[str]:
    """The names of the variables the query mentions."""
    return {text[a + 1 : b] for kind, a, b in tokens(text) if kind == "var"}


def where_open(text: str) -> int:
    """The offset just after the ``{`` that opens the query's outermost WHERE group.

    For CONSTRUCT with a template, that is the second top-level group; otherwise the
    first. Raises `DefcoopError` if there is none.
    """
    kind = query_kind(text)
    depth = 0
    groups: list[int] = []  # offsets of top-level "{"
    saw_where_after_construct = False
    construct_seen = False
    for k, a, b in tokens(text):
        if k == "word":
            w = text[a:b].upper()
            if w == "CONSTRUCT" and depth == 0:
                construct_seen = True
            elif w == "WHERE" and depth == 0 and construct_seen and not groups:
                saw_where_after_construct = True  # CONSTRUCT WHERE { ... }
        elif k == "{":
            if depth == 0:
                groups.append(b)
            depth += 1
        elif k == "}":
            depth -= 1
    wanted = 1 if kind == "CONSTRUCT" and not saw_where_after_construct else 0
    if len(groups) <= wanted:
        raise DefcoopError("the query has no WHERE { ... } group to bind parameters in")
    return groups[wanted]


def values_block(bindings: dict[str, str]) -> str:
    """``VALUES (?a ?b) { (t1 t2) }`` for already-serialised terms."""
    names = sorted(bindings)
    for n in names:
        if not VARNAME.match(n):
            raise ParameterError(f"--param {n}: not a valid variable name")
    vars_ = " ".join(f"?{n}" for n in names)
    terms = " ".join(bindings[n] for n in names)
    return f" VALUES ({vars_}) {{ ({terms}) }}"


def insert_values(text: str, bindings: dict[str, str]) -> str:
    """The query text with a VALUES block for ``bindings`` opening its WHERE group, and
    the bound terms written in place of the variables in the FILTERs that see it.

    The VALUES block alone gives the answer; the terms in the filters give the same
    answer faster (Oxigraph evaluates a filter on a variable of the VALUES block only
    after the join with it, a constant one as soon as its other variables are bound:
    3x on the timeline at 1M triples). A filter sees the block if it belongs to the
    WHERE group itself or to an OPTIONAL directly in it (the left join's condition);
    filters anywhere else keep the variable.
    """
    if not bindings:
        return text
    at = where_open(text)
    text = _inline_in_filters(text, at, bindings)
    return text[:at] + values_block(bindings) + text[at:]


def _inline_in_filters(text: str, where: int, bindings: dict[str, str]) -> str:
    """The bound terms written in place of their variables in the filters that see the
    VALUES block opening the WHERE group (the ``{`` ending at offset ``where``)."""
    stack: list[str] = []  # per open group: "where", "optional" (in the where group), "other"
    last_word = ""
    filter_state: str | int | None = None  # None; "want" (after FILTER); else the paren depth inside it
    edits: list[tuple[int, int, str]] = []
    for kind, a, b in tokens(text, parens=True):
        if kind == "{":
            if filter_state is not None and filter_state != "want":
                pass  # EXISTS { ... } inside a filter: still sees the outer solution
            elif b == where:
                stack.append("where")
            elif last_word == "OPTIONAL" and stack and stack[-1] == "where":
                stack.append("optional")
            else:
                stack.append("other")
            if filter_state == "want":
                filter_state = None  # FILTER NOT EXISTS { ... }: a graph pattern, left alone
            last_word = ""
            continue
        if kind == "}":
            if filter_state is None and stack:
                stack.pop()
            last_word = ""
            continue
        if kind == "word":
            last_word = text[a:b].upper()
            if last_word == "FILTER" and filter_state is None:
                filter_state = "want" if stack and stack[-1] in ("where", "optional") else None
            continue
        if kind == "(":
            if filter_state == "want":
                filter_state = 0
            if isinstance(filter_state, int):
                filter_state += 1
            continue
        if kind == ")":
            if isinstance(filter_state, int):
                filter_state -= 1
                if filter_state == 0:
                    filter_state = None
            continue
        if kind == "var" and isinstance(filter_state, int):
            name = text[a + 1 : b]
            if name in bindings:
                edits.append((a, b, bindings[name]))
    for a, b, term in reversed(edits):
        text = text[:a] + term + text[b:]
    return text


# ---------------------------------------------------------------------------
# The defaults a stored query states: a VALUES block opening its WHERE group.
# ---------------------------------------------------------------------------

_PREFIX_DECL = re.compile(r"PREFIX\s+([A-Za-z][A-Za-z0-9_\-.]*)?:\s*<([^<>\s]*)>", re.IGNORECASE)
_TERM = re.compile(
    r'(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)'
    r'|(?P<string>"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\')'
    r'(?:\^\^(?P<datatype><[^<>"{}|^`\\\x00-\x20]*>|[A-Za-z][A-Za-z0-9_\-.]*:[A-Za-z0-9_][A-Za-z0-9_\-.]*))?'
    r'|(?P<undef>UNDEF)\b'
    r'|(?P<pname>(?:[A-Za-z][A-Za-z0-9_\-.]*)?:[A-Za-z0-9_](?:[A-Za-z0-9_\-.]*[A-Za-z0-9_\-])?)'
    r'|(?P<number>[+-]?\d+(?:\.\d+)?)'
    r'|(?P<bool>true|false)\b'
)
_SPACE = re.compile(r"(?:\s|#[^\n]*)*")


def _skip_space(text: str, i: int) -> int:
    """The offset after the white space and comments at ``i``."""
    m = _SPACE.match(text, i)
    assert m is not None  # the pattern matches the empty string
    return m.end()
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "'": "'", "\\": "\\"}


@dataclass(frozen=True)
class DefaultsBlock:
    """The VALUES block that opens a query's WHERE group: ``text[start:end]``.

    ``terms``: variable name -> the term in SPARQL syntax with IRIs written in full
    (as `to_term` writes them), or None for ``UNDEF``; ``values``: the same as
    command-line values (``id:FR`` as written, ``en``), or None.
    """

    start: int
    end: int
    terms: dict
    values: dict


def parameter_block(text: str, parameters: set[str]) -> DefaultsBlock | None:
    """The VALUES block that is the first thing in the query's WHERE group, if its
    variables are all among ``parameters`` (else it is part of the query: None).

    Raises `DefcoopError` (naming the line) when such a block is not one row of terms.
    """
    try:
        at = where_open(text)
    except DefcoopError:
        return None
    i = _skip_space(text, at)
    if text[i:i + 6].upper() != "VALUES" or (i + 6 < len(text) and (text[i + 6].isalnum() or text[i + 6] == "_")):
        return None
    start = i

    def fail(why: str) -> DefcoopError:
        return DefcoopError(f"line {text.count(chr(10), 0, i) + 1}: the VALUES block of the defaults {why}")

    i = _skip_space(text, i + 6)
    names: list[str] = []
    if text[i:i + 1] == "(":
        i = _skip_space(text, i + 1)
        while (m := _VAR.match(text, i)):
            names.append(m.group(1))
            i = _skip_space(text, m.end())
        if text[i:i + 1] != ")":
            raise fail("needs ( ?a ?b ) around its variables")
        i = _skip_space(text, i + 1)
        row_parens = True
    elif (m := _VAR.match(text, i)):
        names.append(m.group(1))
        i = _skip_space(text, m.end())
        row_parens = False
    else:
        raise fail("names no variable")
    if not names or not set(names) <= parameters:
        return None
    if text[i:i + 1] != "{":
        raise fail("needs { ... } after its variables")
    i = _skip_space(text, i + 1)
    if row_parens:
        if text[i:i + 1] != "(":
            raise fail("needs one row ( ... )")
        i = _skip_space(text, i + 1)
    prefixes = {m.group(1) or "": m.group(2) for m in _PREFIX_DECL.finditer(text[:start])}
    terms, values = {}, {}
    for name in names:
        m = _TERM.match(text, i)
        if not m:
            raise fail(f"has no value for ?{name} that a parameter can take")
        terms[name], values[name] = _read_term(m, prefixes, fail)
        i = _skip_space(text, m.end())
    if row_parens:
        if text[i:i + 1] != ")":
            raise fail(f"must have exactly one value for each of {len(names)} variables")
        i = _skip_space(text, i + 1)
    if text[i:i + 1] != "}":
        raise fail("must hold exactly one row")
    return DefaultsBlock(start, i + 1, terms, values)


def _read_term(m, prefixes: dict, fail) -> tuple[str | None, str | None]:
    """(the term as `to_term` writes it, the command-line value) of one matched term."""
    def expand(pname: str) -> str:
        prefix, local = pname.split(":", 1)
        if prefix not in prefixes:
            raise fail(f"uses the undeclared prefix {prefix + ':'!r}")
        return "<" + prefixes[prefix] + local + ">"

    if m.group("undef"):
        return None, None
    if m.group("iri"):
        return m.group("iri"), m.group("iri")
    if m.group("pname"):
        return expand(m.group("pname")), m.group("pname")
    if m.group("string"):
        body = m.group("string")[1:-1]
        value = re.sub(r"\\(.)", lambda e: _ESCAPES.get(e.group(1), e.group(0)), body)
        datatype = m.group("datatype")
        if datatype is None:
            return quote_string("default", value), value
        full = datatype if datatype.startswith("<") else expand(datatype)
        return f"{quote_string('default', value)}^^{full}", value
    if m.group("number"):
        number = m.group("number")
        return f'"{number}"^^<{XSD}{"decimal" if "." in number else "integer"}>', number
    return f'"{m.group("bool")}"^^<{XSD}boolean>', m.group("bool")

"""The SPARQL engine of the query page: Oxigraph compiled to WebAssembly (the vendored
npm package in ``static/vendor/oxigraph``), the site's own dump of the graph, and the
stored queries with their parameters, as files a page can load from ``file://`` and from
any web server alike (classic scripts only: no ES module, no fetch).

- ``static/oxigraph/oxigraph.js``: the package's ``web.js`` as a classic script that
  defines ``window.oxigraph`` (its ``export`` keywords taken away, nothing else changed);
- ``static/oxigraph/engine.js``: the compressed engine (gzip, base64) in
  ``window.DEFCOOP_OXIGRAPH_WASM``, unpacked in the page with ``DecompressionStream``;
- ``data/dump.js``: the dataset the embedded engine queries (`defcoop.query.engine.load_store`:
  one named graph per source file, their merge as the default graph), as N-Quads,
  compressed, in ``window.DEFCOOP_DUMP``;
- the stored queries as JSON in the page: text, kind, parameters (as ``defcoop query``
  takes them), where the ``VALUES`` block of the bound values goes
  (`defcoop.query.params.where_open`), and the grammar of each value type.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from importlib import resources as importlib_resources

import pyoxigraph as ox

from defcoop.errors import DefcoopError
from defcoop.namespaces import PREFIXES
from defcoop.query import params as P
from defcoop.query.engine import load_store

VENDOR = ("static", "vendor", "oxigraph")
VERSION = "0.5.11"
_EXPORT = re.compile(r"^export (class|function|async function) ([A-Za-z_$][\w$]*)", re.MULTILINE)
_EXPORT_LIST = re.compile(r"^export \{ initSync, __wbg_init as default \};\s*$", re.MULTILINE)


def _vendored(name: str) -> bytes:
    folder = importlib_resources.files("defcoop.site")
    for part in VENDOR:
        folder = folder / part
    return (folder / name).read_bytes()


def classic_script(module_text: str) -> str:
    """The ES module ``web.js`` as a classic script that defines ``window.oxigraph``."""
    names = [m.group(2) for m in _EXPORT.finditer(module_text)]
    if not names or not _EXPORT_LIST.search(module_text):
        raise DefcoopError("static/vendor/oxigraph/web.js: not the expected wasm-bindgen module")
    body = _EXPORT.sub(lambda m: f"{m.group(1)} {m.group(2)}", module_text)
    body = _EXPORT_LIST.sub("", body).replace("import.meta.url", "document.baseURI")
    exported = ", ".join(names + ["initSync", "__wbg_init"])
    return (f"// Oxigraph {VERSION} for the web (npm package oxigraph, MIT OR Apache-2.0; see\n"
            "// static/vendor/oxigraph/ in defcoop), as a classic script: window.oxigraph.\n"
            f"(function () {{\n{body}\nwindow.oxigraph = {{ {exported} }};\n}})();\n")


def _packed(variable: str, data: bytes, compressed: bool = False) -> str:
    gz = data if compressed else gzip.compress(data, compresslevel=9, mtime=0)
    return f'window.{variable} = "{base64.b64encode(gz).decode("ascii")}";\n'


def engine_files(sources=None) -> dict[str, str]:
    """The engine and the dump, by path in the site."""
    store = load_store(sources)
    dump = store.dump(format=ox.RdfFormat.N_QUADS) or b""
    return {
        "static/oxigraph/oxigraph.js": classic_script(_vendored("web.js").decode("utf-8")),
        "static/oxigraph/engine.js": _packed("DEFCOOP_OXIGRAPH_WASM", _vendored("web_bg.wasm.gz"), True),
        "data/dump.js": _packed("DEFCOOP_DUMP", dump),
    }


def free_query() -> str:
    """The text the free SPARQL editor starts with: the project's prefixes and an example."""
    lines = [f"PREFIX {k}: <{v}>" for k, v in sorted(PREFIXES.items())]
    return "\n".join(lines) + (
        '\n\nSELECT ?training ?name WHERE {\n  ?training a dco:Training ; rdfs:label ?name .\n'
        '  FILTER(lang(?name) = "en")\n} ORDER BY ?name\n')


def query_specs(queries, pages: dict) -> str:
    """The stored queries and what the page needs to bind their parameters, as JSON;
    ``pages`` maps the IRI of each entity to (href, English label, Dutch label)."""
    specs = []
    for q in queries:
        # the block of defaults gives way to the values the page binds, as in `library.bind`
        text = q.text if q.defaults is None else q.text[: q.defaults.start] + q.text[q.defaults.end :]
        try:
            where = P.where_open(text) if q.params else None
        except DefcoopError:
            where = None
        specs.append({
            "name": q.name, "kind": q.kind, "text": text, "where": where,
            "params": [{"name": p.name, "type": p.type, "default": p.default,
                        "description": p.description} for p in q.params],
        })
    data = {
        "queries": specs,
        "prefixes": {k: str(v) for k, v in sorted(PREFIXES.items())},
        "patterns": {k: v.pattern.replace(r"\Z", "$") for k, v in P.PATTERNS.items()},  # JS: $ is \Z
        "types": P.TYPES,
        "pages": pages,
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")

"""The validation package's seams hold: no import cycle anywhere in ``defcoop``, no
function-level import in ``defcoop.validation`` without a comment saying why, and no
cache keyed by ``id()``."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "defcoop"


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, *, top_only: bool) -> list[tuple[int, str]]:
    """(line, module) of every import of a defcoop module in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module(path)
    typing_only = {
        id(n) for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for n in ast.walk(block)
    }  # `if TYPE_CHECKING:` imports are no edge
    nodes = tree.body if top_only else list(ast.walk(tree))
    out = []
    for node in nodes:
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("defcoop")]
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:
                parent = here.split(".")[: -node.level] if not path.name == "__init__.py" else here.split(".")
                base = ".".join(parent + [node.module])
            if base.startswith("defcoop"):
                # `from pkg import module` imports the module (pkg/__init__ runs first,
                # but importing its own submodules is how a package is made)
                subs = [f"{base}.{a.name}" for a in node.names if (SRC / f"{base}.{a.name}".replace(".", "/")).with_suffix(".py").exists()
                        or (SRC / f"{base}.{a.name}".replace(".", "/")).is_dir()]
                out += [(node.lineno, base)] if len(subs) < len(node.names) else []
                out += [(node.lineno, m) for m in subs]
    return out


def _graph(top_only: bool) -> dict[str, set[str]]:
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for m, p in modules.items():
        for _, target in _imports(p, top_only=top_only):
            if target in modules and target != m:
                graph[m].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle_in_the_package():
    """Counting every import, at the top or inside a function: a function-level import
    hides a cycle, it does not break it (``if TYPE_CHECKING:`` imports do not count)."""
    assert _cycles(_graph(top_only=False)) == []


def test_function_level_imports_in_validation_say_why():
    """An import inside a function must keep CLI start-up fast and say so in a comment
    on its line."""
    bad = []
    for path in sorted((PACKAGE / "validation").rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                if isinstance(node, (ast.Import, ast.ImportFrom)) and "#" not in lines[node.lineno - 1]:
                    bad.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert bad == []


def test_no_cache_is_keyed_by_id():
    """``id()`` of an object is reused once the object is gone: never a key."""
    bad = []
    for path in sorted((PACKAGE / "validation").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "id":
                bad.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert bad == []

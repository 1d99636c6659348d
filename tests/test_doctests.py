"""The examples in the docstrings run as tests (as pyoxigraph and rdflib run theirs).

Every module of the package is imported and its doctests run; the public API
(`defcoop/__init__.py`) must have an example for each function it lists.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil

import pytest

import defcoop

MODULES = ["defcoop"] + sorted(
    m.name for m in pkgutil.walk_packages(defcoop.__path__, "defcoop.")
    if not m.name.startswith(("defcoop.cli", "defcoop.__main__"))
)


def _with_examples() -> list[str]:
    out = []
    for name in MODULES:
        module = importlib.import_module(name)
        if any(t.examples for t in doctest.DocTestFinder().find(module)):
            out.append(name)
    return out


@pytest.mark.parametrize("name", _with_examples())
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
    assert result.attempted > 0


def test_every_public_function_has_an_example():
    for name in defcoop.__all__:
        obj = getattr(defcoop, name)
        if inspect.isfunction(obj):
            assert ">>>" in (obj.__doc__ or ""), f"defcoop.{name} has no example in its docstring"

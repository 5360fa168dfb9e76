"""Docstrings of the public API (``ortgeo.__all__``).

Every exported function and class has a docstring (numpydoc: a summary line first), the
public methods and properties of exported classes too, and every exported function shows
a short ``>>>`` example in an ``Examples`` section. The examples themselves run as doctests
(``--doctest-modules`` in pyproject's addopts): this module only checks they are there.
"""

from __future__ import annotations

import doctest
import functools
import inspect
import re

import pytest

import ortgeo

#: Exported functions that may still lack an ``Examples`` section, because their module
#: belongs to another engineer who adds the example there. Each listed name is reported
#: as an expected failure (``-ra`` lists them), and the test fails as soon as it gets its
#: example: then remove it from this set. Shrink it, never grow it without a reason.
#: (``address_lists`` and ``download_ban_export`` were listed until their owners added
#: examples.)
MISSING_EXAMPLES_ALLOWED: frozenset[str] = frozenset()

_EXAMPLES = re.compile(r"^Examples\n-{8,}\n(?:.*\n)*?\s*>>> ", re.MULTILINE)


def _exported(kind: str) -> list[str]:
    test = inspect.isfunction if kind == "function" else inspect.isclass
    return [name for name in ortgeo.__all__ if test(getattr(ortgeo, name))]


FUNCTIONS = _exported("function")
CLASSES = _exported("class")
#: Exported classes defined by ortgeo itself (a re-exported class documents its own members).
OWN_CLASSES = [name for name in CLASSES if getattr(ortgeo, name).__module__.startswith("ortgeo.")]


def _members(cls: type) -> list[tuple[str, object]]:
    """Public methods and properties defined by ``cls`` itself (not inherited)."""
    out = []
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(value, (classmethod, staticmethod)):
            value = value.__func__
        if inspect.isfunction(value) or isinstance(value, (property, functools.cached_property)):
            out.append((name, value))
    return out


def test_public_api_is_found() -> None:
    assert {"catalog", "check_point", "check_addresses", "annex_map"} <= set(FUNCTIONS)
    assert {"Catalog", "Verdict", "OrtgeoError", "BanLocalGeocoder"} <= set(CLASSES)
    assert set(FUNCTIONS) >= MISSING_EXAMPLES_ALLOWED, "stale name in MISSING_EXAMPLES_ALLOWED"


@pytest.mark.parametrize("name", FUNCTIONS + CLASSES)
def test_docstring(name: str) -> None:
    doc = inspect.getdoc(getattr(ortgeo, name))
    assert doc and doc.strip(), f"ortgeo.{name} has no docstring"
    summary = doc.strip().splitlines()[0]
    assert len(summary) > 10, f"ortgeo.{name}: the docstring should start with a summary line"


@pytest.mark.parametrize("name", OWN_CLASSES)
def test_class_members_docstrings(name: str) -> None:
    cls = getattr(ortgeo, name)
    missing = [member for member, value in _members(cls) if not inspect.getdoc(value)]
    assert not missing, f"ortgeo.{name}: public members without a docstring: {missing}"


@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_has_examples(name: str) -> None:
    func = getattr(ortgeo, name)
    doc = inspect.getdoc(func) or ""
    has_examples = bool(_EXAMPLES.search(doc + "\n"))
    if name in MISSING_EXAMPLES_ALLOWED:
        assert not has_examples, (
            f"ortgeo.{name} now has examples: remove it from MISSING_EXAMPLES_ALLOWED"
        )
        pytest.xfail(f"ortgeo.{name} ({func.__module__}) has no Examples section yet")
    assert has_examples, (
        f"ortgeo.{name} ({func.__module__}): add an 'Examples' section (numpydoc) with a "
        "short, fast, offline '>>>' example"
    )
    # The example is a real doctest that --doctest-modules collects and runs.
    tests = doctest.DocTestFinder(recurse=False).find(func, name, globs={})
    assert tests and tests[0].examples, f"ortgeo.{name}: no doctest found in the docstring"

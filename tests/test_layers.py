"""The layers of the package: data flows one way, lower modules never import upper ones.

Every module's imports are read with ``ast`` — top-level, in-function and lazy ones alike
(only ``if TYPE_CHECKING:`` blocks are left out, they never run) — and each arrow must go
down or stay in its layer; no import cycle may remain, in-function imports counted. The
layers follow ``../shared/design/ARCHITECTURE.md`` (import-linter's ``layers`` contract, as
a test with no extra tool).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ortgeo"

#: From the bottom up. A module belongs to the layer of its longest listed prefix.
LAYERS: list[tuple[str, ...]] = [
    # L0 leaves: no ortgeo imports but each other's
    ("ortgeo.errors", "ortgeo.status", "ortgeo.dates", "ortgeo.crs", "ortgeo.validate",
     "ortgeo.fr", "ortgeo.cachedir", "ortgeo.cpus"),
    # L1 the model of the law (records, the one validity rule) and points
    ("ortgeo.model", "ortgeo.points"),
    # L2 every file read and written; the catalogue's two serialisations; commune data;
    # geocoders (BAN exports, indexes, the BAN API)
    ("ortgeo.io", "ortgeo.output", "ortgeo.table", "ortgeo.catalog", "ortgeo.communes",
     "ortgeo.geocoders"),
    # L3 the kernel on the model's arrays
    ("ortgeo.engine", "ortgeo.distributed"),
    # L4 the state on a date, the legal facts, the French wording
    ("ortgeo.texts", "ortgeo.legal", "ortgeo.inforce"),
    # L5 answers
    ("ortgeo.locate", "ortgeo.verdict", "ortgeo.address", "ortgeo.parcels", "ortgeo.batch",
     "ortgeo.stream", "ortgeo.stats", "ortgeo.testing", "ortgeo.synthetic_sectors"),
    # L6 what people see
    ("ortgeo.maps", "ortgeo.annex", "ortgeo.fiche", "ortgeo.service", "ortgeo.cli"),
]  # fmt: skip


def _modules() -> dict[str, Path]:
    mods = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        mods[name.removesuffix(".__init__")] = path
    return mods


MODULES = _modules()


def layer_of(module: str) -> int:
    """The layer of a module: the longest prefix of :data:`LAYERS` it starts with."""
    best, found = -1, -1
    for level, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), level
    return found


def _owner(name: str) -> str:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _imports(module: str, path: Path) -> set[str]:
    """The ortgeo modules ``module`` imports, wherever in the file (not TYPE_CHECKING)."""
    is_pkg = path.name == "__init__.py"
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for sub in child.orelse:
                    visit(sub)
                continue
            if isinstance(child, ast.ImportFrom):
                base = module.split(".") if is_pkg else module.split(".")[:-1]
                src = (
                    ".".join([*base[: len(base) - child.level + 1], child.module or ""]).strip(".")
                    if child.level
                    else child.module or ""
                )
                for alias in child.names:
                    full = f"{src}.{alias.name}"
                    found.add(_owner(full if full in MODULES else src))
            elif isinstance(child, ast.Import):
                found.update(_owner(alias.name) for alias in child.names)
            else:
                visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {m for m in found if m.split(".")[0] == "ortgeo" and m and m != module}


GRAPH = {m: _imports(m, p) for m, p in MODULES.items()}


def test_every_module_has_a_layer() -> None:
    missing = sorted(m for m in MODULES if m != "ortgeo" and layer_of(m) < 0)
    assert not missing, f"modules without a layer in tests/test_layers.py: {missing}"


def test_no_import_goes_up_a_layer() -> None:
    """In-function imports included: a lazy import that goes up is still an arrow up."""
    up = sorted(
        f"{m} (L{layer_of(m)}) imports {t} (L{layer_of(t)})"
        for m, targets in GRAPH.items()
        if m != "ortgeo"  # the package re-exports everything, lazily: the top
        for t in targets
        if t != "ortgeo" and layer_of(t) > layer_of(m)
    )
    assert not up, "imports going up the layers:\n" + "\n".join(up)


def test_no_import_cycle() -> None:
    """Strongly connected components of the import graph (Tarjan), in-function included."""
    graph = defaultdict(set)
    for m, targets in GRAPH.items():
        if m != "ortgeo":
            graph[m] |= {t for t in targets if t != "ortgeo"}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while not comp or comp[-1] != v:
                comp.append(stack.pop())
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in list(graph):
        if v not in index:
            connect(v)
    assert not cycles, f"import cycles: {cycles}"


@pytest.mark.parametrize(
    ("module", "expected"),
    [("ortgeo.model", 1), ("ortgeo.catalog.toml", 2), ("ortgeo.engine.composite", 3),
     ("ortgeo.inforce", 4), ("ortgeo.verdict", 5), ("ortgeo.cli.check", 6)],
)  # fmt: skip
def test_layers_are_read_as_documented(module: str, expected: int) -> None:
    assert layer_of(module) == expected


def test_the_model_has_no_io_no_french_no_engine() -> None:
    """The model is records and the one rule: it imports only the leaves."""
    assert {layer_of(t) for t in GRAPH["ortgeo.model"]} <= {0}
    source = MODULES["ortgeo.model"].read_text(encoding="utf-8")
    for word in ("open(", "read_text", "read_bytes", "jinja2", "geopandas", "pandas as pd"):
        assert word not in source, word

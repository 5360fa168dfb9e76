"""The geocoders package stays a low layer: no import cycle inside it, and it imports only
the leaves of ortgeo (in-function imports counted; ``TYPE_CHECKING`` imports ignored)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "ortgeo" / "geocoders"
#: What ortgeo/geocoders may import from the rest of ortgeo (plan.md: layers L0-L2).
ALLOWED = {"errors", "status", "dates", "crs", "validate", "fr", "cachedir", "cpus", "io",
           "output", "geocoders"}  # fmt: skip


def _imports(path: Path) -> set[str]:
    """The ``ortgeo.*`` modules a file imports, outside ``if TYPE_CHECKING:`` blocks."""
    found: set[str] = set()

    def walk(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.ImportFrom) and child.module and not child.level:
                found.update(
                    f"{child.module}.{a.name}"
                    if (PACKAGE / f"{a.name}.py").is_file() and child.module == "ortgeo.geocoders"
                    else child.module
                    for a in child.names
                )
            elif isinstance(child, ast.Import):
                found.update(a.name for a in child.names)
            walk(child)

    walk(ast.parse(path.read_text(encoding="utf-8")))
    return {m for m in found if m.split(".")[0] == "ortgeo"}


def _graph() -> dict[str, set[str]]:
    graph = {}
    for path in PACKAGE.glob("*.py"):
        name = "ortgeo.geocoders" if path.stem == "__init__" else f"ortgeo.geocoders.{path.stem}"
        graph[name] = _imports(path) - {name}
    return graph


def test_geocoders_import_only_low_layers() -> None:
    bad = {
        (mod, dep)
        for mod, deps in _graph().items()
        for dep in deps
        if dep.split(".")[1] not in ALLOWED
    }
    assert not bad, f"geocoders/ imports a higher layer: {sorted(bad)}"


def test_no_import_cycle_inside_geocoders() -> None:
    graph = {m: {d for d in deps if d.startswith("ortgeo.geocoders.")} for m, deps in
             _graph().items() if m != "ortgeo.geocoders"}  # fmt: skip

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), list(graph.get(start, ()))
        while todo:
            node = todo.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                todo.extend(graph.get(node, ()))
        return False

    cycles = sorted(m for m in graph if reaches(m, m))
    assert not cycles, f"modules in an import cycle: {cycles}"

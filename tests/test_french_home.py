"""One home for French text: the templates (``ortgeo/templates/``, ``annex/templates/``,
``service/templates/``), ``ortgeo/fr.py`` (formatters) and the CLI catalog
(``ortgeo/locale/``). A string literal a person reads, in French, anywhere else in the
package is counted here, module by module, against :data:`BASELINE` — a ratchet: a new
French literal fails, and a module that loses some must lower its count (move them to a
template macro or the catalog, never add).

Docstrings and comments are English and not counted; a literal is "French" when it has a
French-only character (accents, « », œ) or French words with spaces around them.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ortgeo"
#: The homes of French text; and modules whose French literals are data, not text a person
#: reads from ortgeo: the synthetic fixtures (made-up street names), the French address
#: vocabulary the geocoder parses, the column names of the ANCT source table.
ALLOWED = ("ortgeo/fr.py", "ortgeo/locale/", "ortgeo/testing.py", "ortgeo/synthetic_sectors.py",
           "ortgeo/geocoders/normalize.py", "ortgeo/geocoders/clean.py",
           "ortgeo/geocoders/parse.py", "ortgeo/geocoders/vocabulary.py",
           "ortgeo/io/communes.py")  # fmt: skip
_FRENCH_CHARS = re.compile(r"[éèêëàâçùûôîïœ«»]", re.IGNORECASE)
_FRENCH_WORDS = re.compile(
    r"\b(le|la|les|des|du|une|est|sont|pas|avec|pour|dans|aucun|aucune|adresse)\b "
)

#: French literals left outside the homes, per module (the ratchet: only ever lower).
BASELINE: dict[str, int] = {
    "ortgeo/annex/ban.py": 4,
    "ortgeo/annex/folder.py": 18,
    "ortgeo/annex/lists.py": 10,
    "ortgeo/annex/numbers.py": 3,
    "ortgeo/annex/pdf.py": 5,
    "ortgeo/annex/texts.py": 4,
    "ortgeo/batch.py": 8,
    "ortgeo/catalog/_catalog.py": 1,
    "ortgeo/crs.py": 1,
    "ortgeo/geocoders/ban_export.py": 1,
    "ortgeo/io/cadastre.py": 1,
    "ortgeo/io/checks.py": 3,
    "ortgeo/io/pointfiles.py": 1,
    "ortgeo/io/tables.py": 8,
    "ortgeo/locate.py": 1,
    "ortgeo/maps/cadastre.py": 4,
    "ortgeo/maps/html.py": 8,
    "ortgeo/maps/legend.py": 1,
    "ortgeo/maps/paper/cartouche.py": 2,
    "ortgeo/maps/paper/furniture.py": 2,
    "ortgeo/maps/paper/legend.py": 1,
    "ortgeo/maps/qgis.py": 2,
    "ortgeo/maps/scene.py": 12,
    "ortgeo/maps/style.py": 34,
    "ortgeo/maps/tiles.py": 7,
    "ortgeo/parcels.py": 2,
    "ortgeo/points.py": 7,
    "ortgeo/service/api.py": 21,
    "ortgeo/service/app.py": 1,
    "ortgeo/service/errors.py": 15,
    "ortgeo/service/limits.py": 4,
    "ortgeo/service/ban.py": 18,
    "ortgeo/service/lookup.py": 10,
    "ortgeo/service/page.py": 2,
    "ortgeo/stats.py": 1,
    "ortgeo/verdict.py": 1,
}  # fmt: skip


def _docstring_nodes(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def is_french(text: str) -> bool:
    """Whether a literal reads as French (a person's text, not a key or a code).

    >>> is_french("Données indicatives"), is_french("Wrote {path}"), is_french("nb_adresses")
    (True, False, False)
    """
    if " " not in text.strip() and not _FRENCH_CHARS.search(text):
        return False
    return bool(_FRENCH_CHARS.search(text) or _FRENCH_WORDS.search(text + " "))


def french_literals() -> Counter[str]:
    """French string literals per module (docstrings left out), outside the homes."""
    found: Counter[str] = Counter()
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(ALLOWED):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstring_nodes(tree)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and id(node) not in docs and is_french(node.value)):  # fmt: skip
                found[rel] += 1
    return found


def test_no_new_french_literal_outside_its_homes():
    found = french_literals()
    grown = {m: (n, BASELINE.get(m, 0)) for m, n in found.items() if n > BASELINE.get(m, 0)}
    assert not grown, (
        "French text outside the templates, fr.py and the CLI catalog (module: found, allowed)"
        f": {grown}. Put it in a template macro (ortgeo/templates/) or the catalog."
    )
    shrunk = {m: (found.get(m, 0), n) for m, n in BASELINE.items() if found.get(m, 0) < n}
    assert not shrunk, f"lower BASELINE in tests/test_french_home.py to what is left: {shrunk}"

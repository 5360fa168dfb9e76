"""The French catalog of the command line: extract, update, compile (Babel).

    python tools/i18n.py            # extract the messages, update the .po, compile the .mo
    python tools/i18n.py --check    # exit 1 when a message lacks a translation or the .mo lags

What is extracted from ``ortgeo/cli/*.py`` (:func:`extract_cli`, a Babel extraction
method): the ``_()`` and ``N_()`` calls, the ``help=`` of every click option, argument and
command, the docstring of every click command (as :func:`inspect.cleandoc` gives it: the
help click shows), and the one-line helps of ``COMMANDS`` (``ortgeo --help``).

Decision: the ``.mo`` is compiled here and committed beside the ``.po`` — the wheel and
an editable install need no build hook and no Babel at run time (gettext reads the
``.mo``); ``tests/test_i18n.py`` fails when the two disagree.
"""

from __future__ import annotations

import ast
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_python
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
CLI = ROOT / "ortgeo" / "cli"
PO = ROOT / "ortgeo" / "locale" / "fr" / "LC_MESSAGES" / "ortgeo.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "N_": None}


def _is_click(node: ast.expr) -> bool:
    text = ast.unparse(node)
    return any(word in text for word in ("command", "group", "option", "argument"))


def extract_cli(
    fileobj: Any, keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """A Babel extraction method: gettext calls, click helps and command docstrings."""
    source = fileobj.read()
    yield from extract_python(io.BytesIO(source), keywords, comment_tags, options)
    tree = ast.parse(source.decode("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _is_click(node.func):
            for kw in node.keywords:
                if kw.arg == "help" and isinstance(kw.value, ast.Constant) and kw.value.value:
                    yield kw.value.lineno, None, str(kw.value.value), []
        if isinstance(node, ast.FunctionDef) and any(
            _is_click(d.func if isinstance(d, ast.Call) else d) for d in node.decorator_list
        ):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield node.lineno, None, doc, []
        if isinstance(node, ast.AnnAssign | ast.Assign) and "COMMANDS" in ast.unparse(node):
            value = node.value
            if isinstance(value, ast.Dict):
                for item in value.values:
                    if isinstance(item, ast.Tuple) and isinstance(item.elts[-1], ast.Constant):
                        yield item.lineno, None, str(item.elts[-1].value), []


def template() -> Catalog:
    """Every message of the command line, as a Babel catalog (no translations)."""
    catalog = Catalog(project="ortgeo", domain="ortgeo")
    for filename, lineno, message, comments, _ctx in extract_from_dir(
        str(CLI), method_map=[("**.py", "tools.i18n:extract_cli")], keywords=KEYWORDS,
        comment_tags=(), strip_comment_tags=True,
    ):  # fmt: skip
        catalog.add(message, locations=[(f"ortgeo/cli/{filename}", lineno)],
                    auto_comments=comments)  # fmt: skip
    return catalog


def french() -> Catalog:
    """The French catalog as committed."""
    with PO.open("rb") as fh:
        return read_po(fh, locale="fr", domain="ortgeo")


def compiled(catalog: Catalog) -> bytes:
    """The ``.mo`` of a catalog, as :func:`write_mo` writes it."""
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def problems() -> list[str]:
    """What is wrong with the committed catalog: untranslated or stale messages, a lagging .mo."""
    fr = french()
    wanted = {m.id for m in template() if m.id}
    out = [f"no French for: {i!r}" for i in sorted(wanted) if not (fr.get(i) and fr.get(i).string)]
    out += [f"fuzzy: {m.id!r}" for m in fr if m.id and m.fuzzy]
    if not MO.is_file() or MO.read_bytes() != compiled(fr):
        out.append(f"{MO.relative_to(ROOT)} lags {PO.relative_to(ROOT)}: run python tools/i18n.py")
    return out


def main(argv: list[str]) -> int:
    if "--check" in argv:
        found = problems()
        print("\n".join(found) or "catalog ok")
        return 1 if found else 0
    fr = french() if PO.is_file() else Catalog(locale="fr", domain="ortgeo", project="ortgeo")
    fr.update(template(), no_fuzzy_matching=True)
    fr.obsolete.clear()
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as fh:
        write_po(fh, fr, width=100, omit_header=False, sort_output=False)
    MO.write_bytes(compiled(french()))
    missing = [m.id for m in fr if m.id and not m.string]
    print(f"{PO.relative_to(ROOT)}: {len(fr)} messages, {len(missing)} without French")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))

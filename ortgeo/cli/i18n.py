"""The command line in French for French users: gettext catalogs made with Babel.

The language is the locale's, as gettext reads it (``LANGUAGE``, ``LC_ALL``,
``LC_MESSAGES``, ``LANG``): French for ``fr*``, English otherwise. The catalog is
``ortgeo/locale/fr/LC_MESSAGES/ortgeo.po``, compiled to the ``.mo`` beside it and
committed (the wheel needs no build step; ``python tools/i18n.py`` extracts, updates and
compiles, and ``tests/test_i18n.py`` fails when the ``.mo`` lags the ``.po`` or a message
has no translation).

What is translated, and where:

- every command's help, its options' help and the one-line help of ``ortgeo --help``:
  :func:`translate_command`, once, when the command is loaded (the source keeps English);
- the command line's own messages: ``_("…")`` where they are printed;
- click's words (``Usage:``, ``Options:``…): click asks gettext in the domain set here;
- the library's errors: their English text stays the API's; the command line matches it
  against the templates of :data:`ortgeo.cli.messages.ERRORS` (message ids of the
  catalog) and prints the French (:func:`error_text`). An error without a template
  prints in English.
"""

from __future__ import annotations

import functools
import gettext
import inspect
import re
from pathlib import Path

import click

from ortgeo.cli.messages import ERRORS, N_

__all__ = ["DOMAIN", "LOCALE_DIR", "N_", "_", "error_text", "install", "translate_command"]

DOMAIN = "ortgeo"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"


@functools.cache
def _translation() -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, fallback=True)


def _(message: str) -> str:
    """``message`` in the user's language (the catalog's French, or the English given).

    Examples
    --------
    >>> _("Wrote {path}").format(path="a.pdf") in ("Wrote a.pdf", "Écrit : a.pdf")
    True
    """
    return _translation().gettext(message) if message else message


def install() -> None:
    """Let click's own words (``Usage:``, ``Options:``…) come from the catalog too."""
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)


def translate_command(command: click.Command) -> click.Command:
    """Translate a command's help, its parameters' help and its subcommands', once."""
    if getattr(command, "_ortgeo_translated", False):
        return command
    if command.help:  # the docstring, as ast.get_docstring gives it to the extractor
        command.help = _(inspect.cleandoc(command.help))
    if command.short_help:
        command.short_help = _(command.short_help)
    for param in command.params:
        if isinstance(param, click.Option) and param.help:
            param.help = _(param.help)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            translate_command(sub)
    command._ortgeo_translated = True  # type: ignore[attr-defined]
    return command


@functools.cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    out = []
    for template in ERRORS:
        parts = re.split(r"\{(\w+)\}", template)
        regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)"
                        for i, p in enumerate(parts))  # fmt: skip
        out.append((re.compile(f"^{regex}$", re.DOTALL), template))
    return out


def error_text(message: str) -> str:
    """A library error's English text in the user's language, by its template.

    Examples
    --------
    >>> error_text("Nothing like a template") == "Nothing like a template"
    True
    """
    for pattern, template in _patterns():
        found = pattern.match(message)
        if found is not None:
            return _(template).format(**found.groupdict())
    return message

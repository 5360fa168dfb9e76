"""French text of ortgeo in one place: Jinja2 templates, rendered by one environment.

One :func:`environment` for every template of the package: ``ortgeo/templates/`` (the
notes, the explanation, the fiche), ``annex/…`` (``ortgeo/annex/templates/``: LISEZMOI,
the address list) and ``service/…`` (``ortgeo/service/templates/``: the page, the card);
the formatters of :mod:`ortgeo.fr` as its filters. HTML templates (``.html``,
``.html.j2``) are autoescaped, text ones are not.

:func:`note` renders one macro of ``notes.txt.j2`` (the dated legal and data notes);
:func:`macro` one macro of any template; :func:`render` a whole template.
"""

from __future__ import annotations

import contextlib
import functools
from typing import Any

import jinja2

from ortgeo.cachedir import cache_dir
from ortgeo.fr import date_short, date_words, de, fmt_m, fmt_m2, fmt_pct, month_year, the

__all__ = [
    "act_date", "act_label", "acts_label", "environment", "fmt_m", "fmt_m2", "fmt_pct", "macro",
    "note", "render",
    "validity",
]  # fmt: skip


def _commune_name(insee: str) -> str:
    """A commune's name from its INSEE code (the code when ortgeo does not know it)."""
    from ortgeo.communes import commune_name

    return commune_name(insee) or insee


def _sentence(text: str) -> str:
    """The first letter in upper case (a phrase made the start of a sentence)."""
    return text[:1].upper() + text[1:]


def environment() -> jinja2.Environment:
    """The one Jinja environment of ortgeo (templates of the package, French filters).

    Examples
    --------
    >>> from pathlib import Path
    >>> Path(environment().get_template("service/_verdict.html").filename).parts[-3:]
    ('service', 'templates', '_verdict.html')
    """
    return _env()


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept in ``<cache>/jinja`` (Jinja keys them on the template's source
    and its own and Python's versions): a command's first rendering reads them instead of
    compiling every template again. Best effort: a cache folder that cannot be read or
    written only means compiling, as without a cache."""

    def __init__(self) -> None:
        super().__init__(directory="", pattern="__ortgeo_%s.cache")

    def _folder(self) -> str | None:
        if not self.directory:
            try:
                folder = cache_dir() / "jinja"
                folder.mkdir(exist_ok=True)
                self.directory = str(folder)
            except OSError:
                return None
        return self.directory

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if self._folder() is None:
            return
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if self._folder() is None:
            return
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


@functools.lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    # the template folders of the L6 packages are read by path (no import of them)
    folders = {name: jinja2.PackageLoader("ortgeo", f"{name}/templates")
               for name in ("annex", "service")}  # fmt: skip
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [jinja2.PackageLoader("ortgeo", "templates"), jinja2.PrefixLoader(folders)]
        ),
        # plain text, except the HTML templates (``.html``, ``.html.j2``)
        autoescape=jinja2.select_autoescape(
            ["html", "html.j2"], default_for_string=False, default=False
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        auto_reload=False,  # the templates ship with the package: no stat per rendering
        bytecode_cache=_BytecodeCache(),
    )
    env.filters.update(
        m=fmt_m,
        m2=fmt_m2,
        pct=fmt_pct,
        d=date_short,
        words=date_words,
        the=the,
        de=de,
        month_year=month_year,
        commune=_commune_name,
        sentence=_sentence,
    )
    env.globals["macro"] = macro
    return env


@functools.lru_cache(maxsize=16)
def _module(template: str) -> Any:
    """The module of a template (its macros), compiled once."""
    return _env().get_template(template).module


def _notes() -> Any:
    """The module of ``notes.txt.j2`` (its macros)."""
    return _module("notes.txt.j2")


def macro(template: str, macro_name: str, /, *, lines: bool = False, **context: Any) -> str:
    """Render the macro ``macro_name`` of ``template``, on one line (or as lines).

    Examples
    --------
    >>> macro("fiche.txt.j2", "title")
    "Fiche de situation au regard des secteurs d'intervention de l'ORT"
    """
    return _flatten(str(getattr(_module(template), macro_name)(**context)), lines)


def _flatten(text: str, lines: bool) -> str:
    if lines:
        rows = (" ".join(row.split()) for row in text.splitlines())
        return "\n".join(row for row in rows if row)
    return " ".join(text.split())


def note(macro_name: str, /, *, lines: bool = False, **context: Any) -> str:
    """Render the macro ``macro_name`` of ``notes.txt.j2``, on one line (or as lines).

    Examples
    --------
    >>> import datetime as dt
    >>> note("review", day=dt.date(2027, 1, 15), review_after=dt.date(2026, 12, 31))[:41]
    'La période Action cœur de ville 2023-2026'
    """
    # keyword order is the call site's (not sorted): at worst a second entry, never a wrong one;
    # a float by its exact bits (-0.0 is not 0.0, NaN is NaN), anything else as it is
    key = (
        macro_name,
        lines,
        *[(k, type(v), v.hex() if isinstance(v, float) else v) for k, v in context.items()],
    )
    try:
        text = _NOTES_DONE.get(key)
    except TypeError:  # an unhashable value (a list): no cache
        return _note(macro_name, lines, context)
    if text is None:
        text = _note(macro_name, lines, context)
        if len(_NOTES_DONE) >= _NOTES_DONE_MAX:
            _NOTES_DONE.clear()  # bounded: start again rather than grow
        _NOTES_DONE[key] = text
    return text


#: Rendered notes by macro and context (the macros are pure functions of their context,
#: whose values are immutable: dates, numbers, frozen layers and commune statuses).
_NOTES_DONE: dict[tuple[Any, ...], str] = {}
_NOTES_DONE_MAX = 8192


def _note(macro_name: str, lines: bool, context: dict[str, Any]) -> str:
    return _flatten(str(getattr(_notes(), macro_name)(**context)), lines)


def render(template: str, **context: Any) -> str:
    """Render a whole template (lines kept).

    Examples
    --------
    >>> render("explain.txt.j2", v=None)
    ''
    """
    return _env().get_template(template).render(**context).strip("\n")


def act_label(act: Any) -> str:
    """An act's French label with its date as far as known.

    Examples
    --------
    >>> from ortgeo.catalog import catalog
    >>> act_label(catalog().act("avenant-2"))
    'avenant n° 2, date de signature inconnue, au plus tôt le 6 décembre 2023'
    """
    return note("act_label", act=act)


def act_date(act: Any) -> str:
    """An act's date in French words, with its precision (``"vers juillet 2021"``)."""
    return note("act_date", act=act)


def acts_label(acts: Any) -> str:
    """A chain of acts in French, ``" ; "``-separated."""
    return note("acts", chain=tuple(acts))


def validity(layer: Any) -> str:
    """A layer's validity in French words.

    Examples
    --------
    >>> from ortgeo.catalog import catalog
    >>> validity(catalog()["lens-entree-de-ville"])
    'au plus tôt à partir du 6 décembre 2023, date exacte inconnue, sans date de fin connue'
    """
    return note("validity", layer=layer)

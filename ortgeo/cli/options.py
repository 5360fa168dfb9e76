"""Options shared by several commands (a registry, as in rio), and the error handler.

Every command is wrapped in :func:`friendly`: an :class:`ortgeo.OrtgeoError` becomes a
one-line ``Error: …`` on stderr and exit status 2; warnings are printed as ``Warning: …``.
Every command that writes declares its outputs with :func:`writes`: the one output layer
(:func:`ortgeo.output.check_outputs`) checks them all before the command does any work.
"""

from __future__ import annotations

import functools
import json
import math
import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import click

from ortgeo.cli.i18n import _, error_text
from ortgeo.errors import OrtgeoError

__all__ = [
    "band_option",
    "catalog_option",
    "cli_geocoder",
    "date_option",
    "echo_json",
    "finite_json",
    "friendly",
    "geocoder_options",
    "load_catalog",
    "map_options",
    "writes",
]

#: The attribute of a command's callback naming the parameters :func:`writes` checks.
OUTPUTS_ATTRIBUTE = "__ortgeo_outputs__"


def friendly(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn :class:`OrtgeoError` into a clear message and exit status 2; show warnings."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                return func(*args, **kwargs)
            except OrtgeoError as exc:
                click.echo(_("Error: {message}").format(message=error_text(str(exc))), err=True)
                sys.exit(2)
            finally:
                for w in caught:
                    if issubclass(w.category, UserWarning):
                        text = error_text(str(w.message))
                        click.echo(_("Warning: {message}").format(message=text), err=True)

    return wrapper


def writes(
    files: Mapping[str, str] | None = None,
    folders: Mapping[str, str] | None = None,
    *,
    suffixes: Mapping[str, Sequence[str]] | None = None,
    inputs: Sequence[str] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare what a command writes; the output layer checks it before the command runs.

    Parameters
    ----------
    files, folders : mapping
        Parameter name → the option as the user types it (``{"output": "-o"}``).
    suffixes : mapping, optional
        Parameter name → accepted extensions.
    inputs : sequence of str
        Parameters naming files the command reads (an output may not be one of them).

    Examples
    --------
    >>> @writes({"output": "-o"}, inputs=("source",))
    ... def copy(source: str, output: str) -> None: ...
    >>> getattr(copy, OUTPUTS_ATTRIBUTE)
    ('output',)
    """
    files, folders, suffixes = dict(files or {}), dict(folders or {}), dict(suffixes or {})

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from ortgeo.output import check_outputs

            read: list[Any] = []
            for name in inputs:
                value = kwargs.get(name)
                read.extend(value if isinstance(value, list | tuple) else [value])
            check_outputs(
                {flag: kwargs.get(name) for name, flag in files.items()},
                {flag: kwargs.get(name) for name, flag in folders.items()},
                suffixes={files[name]: wanted for name, wanted in suffixes.items()},
                inputs=read,
            )
            return func(*args, **kwargs)

        setattr(wrapper, OUTPUTS_ATTRIBUTE, (*files, *folders))
        return wrapper

    return decorate


def finite_json(value: Any) -> Any:
    """``value`` with every non-finite number (NaN, ±inf) replaced by ``None`` (JSON null).

    JSON has no NaN or Infinity: ``json.dumps`` would write ``NaN``, which no strict
    parser reads. Numpy scalars become Python numbers.

    Examples
    --------
    >>> finite_json({"d": float("-inf"), "l": [1.5, float("nan")], "ok": True})
    {'d': None, 'l': [1.5, None], 'ok': True}
    """
    if isinstance(value, dict):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_json(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def echo_json(value: Any) -> None:
    """Print ``value`` as strict JSON (non-finite numbers as null), the one JSON printer."""
    click.echo(json.dumps(finite_json(value), ensure_ascii=False, indent=2, allow_nan=False))


def load_catalog(path: str | None) -> Any:
    """The catalogue named by ``--catalog`` (the bundled one when ``None``)."""
    from ortgeo.catalog import catalog

    return catalog(path)


catalog_option = click.option(
    "--catalog", "catalog_path", type=click.Path(dir_okay=False), default=None,
    help="A catalogue TOML file of your own (default: the bundled, indicative one).",
)  # fmt: skip
date_option = click.option(
    "--date", "date", default=None, metavar="YYYY-MM-DD", help="Date (default: today)."
)


def _band(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    """--band through the one validation layer (finite metres ≥ 0), named as typed."""
    from ortgeo.validate import metres

    if value is None:
        return None
    try:
        return metres(value, "--band")
    except OrtgeoError as exc:
        raise click.BadParameter(str(exc).removeprefix("--band "), param_hint="--band") from None


band_option = click.option(
    "--band", "band_m", callback=_band, default=None, metavar="M",
    help="Width of the 'limite' band in metres (default: each sector's accuracy, plus the "
    "position's uncertainty).",
)  # fmt: skip


def cli_geocoder(geocoder: str, ban_index: str | None, ban_url: str | None) -> Any:
    """The geocoder of ``--geocoder``, ``--ban`` and ``--ban-url``; with ``auto``, no offline
    index and no BAN address given, say at once which flag to use (no network attempt)."""
    import os

    from ortgeo.address import resolve_geocoder
    from ortgeo.geocoders import find_ban_index

    online = ban_url or os.environ.get("ORTGEO_BAN_URL")
    if geocoder == "auto" and ban_index is None and not online and find_ban_index() is None:
        raise click.UsageError(_(
            "No offline address index: give --ban INDEX (built by `ortgeo ban index`), or "
            "build one: `ortgeo ban download 62` then `ortgeo ban index "
            "adresses-62.csv.gz`; or ask the BAN online with --geocoder api."
        ))  # fmt: skip
    return resolve_geocoder(geocoder, ban_index=ban_index, base_url=ban_url)


def geocoder_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--geocoder, --ban and --ban-url, shared by the commands that geocode."""
    func = click.option(
        "--ban-url", default=None, metavar="URL",
        help="BAN API root (default $ORTGEO_BAN_URL or https://data.geopf.fr/geocodage).",
    )(func)  # fmt: skip
    func = click.option(
        "--ban", "ban_index", default=None, type=click.Path(dir_okay=False), metavar="INDEX",
        help="Offline BAN index built by `ortgeo ban index` (default $ORTGEO_BAN_INDEX).",
    )(func)  # fmt: skip
    return click.option(
        "--geocoder", type=click.Choice(["auto", "api", "local"]), default="auto",
        show_default=True, help="auto = the offline index (--ban, $ORTGEO_BAN_INDEX or the one "
        "`ortgeo ban index` wrote), else the BAN API when --ban-url or $ORTGEO_BAN_URL is "
        "given; api = the BAN API.",
    )(func)  # fmt: skip


def map_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--communes, --dpi, --size, --basemap, --context, --streets and --cadastre."""
    options = [
        click.option("--communes", default=None, type=click.Path(dir_okay=False),
                     help="Commune polygons to outline on the maps (any OGR file)."),
        click.option("--dpi", default=300.0, show_default=True, type=click.FloatRange(min=10),
                     help="Resolution of the PNG maps."),
        click.option("--size", default="a4", show_default=True, type=click.Choice(["a4", "a3"]),
                     help="Paper size of the print maps (landscape)."),
        click.option("--basemap", default=None, metavar="NAME|URL|FILE",
                     help="Background: an xyzservices provider (OpenStreetMap.Mapnik, "
                     "GeoportailFrance.plan), an XYZ URL template, or a GeoTIFF (print only). "
                     "Default: none, the maps work offline."),
        click.option("--context", default=None, type=click.Choice(["unesco", "none"]),
                     help="Official context layers: UNESCO Bassin minier (default: unesco, "
                     "on the HTML and the print maps alike; none: on neither)."),
        click.option("--streets", default=None, type=click.Path(dir_okay=False),
                     help="A road layer with names (IGN BD TOPO troncon_de_route or any "
                     "line layer) drawn under the sectors."),
        click.option("--cadastre", multiple=True, type=click.Path(dir_okay=False),
                     help="Etalab cadastre file (parcels, buildings; repeatable) drawn as the "
                     "background, offline."),
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func

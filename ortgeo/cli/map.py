"""``ortgeo map KIND``: one Annex 3 map (or the QA map of the control points), HTML or print."""

from __future__ import annotations

from pathlib import Path

import click

from ortgeo.cli.i18n import _
from ortgeo.cli.options import (
    catalog_option,
    date_option,
    friendly,
    load_catalog,
    map_options,
    writes,
)
from ortgeo.io.tables import read_table
from ortgeo.maps.style import ALL_MAP_KINDS

__all__ = ["map_command"]

SUFFIXES = (".html", ".png", ".pdf", ".svg")


@click.command("map")
@click.argument("kind", type=click.Choice(ALL_MAP_KINDS))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Output: .html (interactive, offline) or .png .pdf .svg (print).")  # fmt: skip
@click.option("--addresses", "addresses_path", default=None, type=click.Path(dir_okay=False),
              help="A report of `ortgeo batch` (.csv, .gpkg), coloured by verdict.")  # fmt: skip
@map_options
@date_option
@catalog_option
@friendly
@writes({"output": "-o"}, suffixes={"output": SUFFIXES},
        inputs=("addresses_path", "streets", "communes", "cadastre", "basemap",
                "catalog_path"))  # fmt: skip
def map_command(
    kind: str, output: str, addresses_path: str | None, communes: str | None, dpi: float,
    size: str, basemap: str | None, context: str | None, streets: str | None,
    cadastre: tuple[str, ...], date: str | None,
    catalog_path: str | None,
) -> None:  # fmt: skip
    """One map: KIND situation, general, zoom-extension (Annex 3) or controle (QA).

    Without --date: the sectors the avenant defines.
    """
    from ortgeo.maps import annex_map, check_print_size, render_png, save_html
    from ortgeo.maps.tiles import html_basemap

    path = Path(output)
    html = path.suffix.lower() == ".html"
    if not html:
        check_print_size(size, dpi)
    report = None
    if addresses_path is not None:
        if addresses_path.lower().endswith(".gpkg"):
            from ortgeo.io.vector import read_layer

            report = read_layer(addresses_path, "Addresses report")
        else:
            report = read_table(addresses_path)
    shown = None if context == "none" else "unesco"  # the same layers on paper and HTML
    options = {"date": date, "catalog": load_catalog(catalog_path), "addresses": report,
               "communes": communes, "context": shown, "streets": streets,
               "cadastre": list(cadastre) or None}  # fmt: skip
    if html:
        written = save_html(annex_map(kind, basemap=html_basemap(basemap), **options), path)
    else:
        written = render_png(kind, path, dpi=dpi, size=size, basemap=basemap, **options)
    click.echo(_("Wrote {path}").format(path=written))

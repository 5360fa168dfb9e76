"""``ortgeo map KIND``: one Annex 3 map, HTML or print."""

from __future__ import annotations

from pathlib import Path

import click

from ortgeo.cli.options import catalog_option, date_option, friendly, load_catalog, map_options
from ortgeo.errors import OrtgeoError
from ortgeo.table import read_table

__all__ = ["map_command"]


@click.command("map")
@click.argument("kind", type=click.Choice(["general", "zoom-extension"]))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Output: .html (interactive, offline) or .png .pdf .svg (print).")  # fmt: skip
@click.option("--addresses", "addresses_path", default=None, type=click.Path(dir_okay=False),
              help="A report of `ortgeo batch` (.csv, .gpkg), coloured by verdict.")  # fmt: skip
@map_options
@date_option
@catalog_option
@friendly
def map_command(
    kind: str, output: str, addresses_path: str | None, communes: str | None, dpi: float,
    size: str, basemap: str | None, date: str | None, catalog_path: str | None,
) -> None:  # fmt: skip
    """One Annex 3 map, KIND general or zoom-extension, as HTML or for print (PNG/PDF/SVG)."""
    from ortgeo.maps import annex_map, render_png, save_html

    path = Path(output)
    suffix = path.suffix.lower()
    if suffix not in (".html", ".png", ".pdf", ".svg"):
        raise OrtgeoError(f"Cannot write {path.name}: use .html, .png, .pdf or .svg.")
    if not path.parent.exists():
        raise OrtgeoError(f"Cannot write {path}: folder {path.parent} does not exist.")
    report = None
    if addresses_path is not None:
        if not Path(addresses_path).is_file():
            raise OrtgeoError(f"Addresses report not found: {addresses_path}.")
        if addresses_path.lower().endswith(".gpkg"):
            import geopandas as gpd

            report = gpd.read_file(addresses_path)
        else:
            report = read_table(addresses_path)
    options = {"date": date, "catalog": load_catalog(catalog_path), "addresses": report,
               "communes": communes}  # fmt: skip
    if suffix == ".html":
        written = save_html(annex_map(kind, **options), path)
    else:
        written = render_png(kind, path, dpi=dpi, size=size, basemap=basemap, **options)
    click.echo(f"Wrote {written}")

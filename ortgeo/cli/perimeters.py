"""``ortgeo perimeters list|export``: the perimeter layers."""

from __future__ import annotations

import click
from pyproj import CRS
from rich.console import Console
from rich.table import Table

from ortgeo.catalog import Catalog, no_ort_reason
from ortgeo.cli.options import catalog_option, date_option, friendly, load_catalog
from ortgeo.dates import parse_date
from ortgeo.io import DRIVERS, write_perimeters
from ortgeo.output import check_output_path

__all__ = ["perimeters"]


@click.group()
def perimeters() -> None:
    """List and export the perimeter layers (ORT 2019, route de Lille extension, OPAH-RU)."""


@perimeters.command("list")
@date_option
@catalog_option
@friendly
def perimeters_list(date: str | None, catalog_path: str | None) -> None:
    """Table of layers: dates, status, accuracy, area (all, or those valid on --date)."""
    cat = load_catalog(catalog_path)
    layers = cat.in_force(date) if date else list(cat)
    title = f"Périmètres en vigueur le {parse_date(date):%d/%m/%Y}" if date else "Périmètres"
    table = Table(title=title)
    for col in ("id", "kind", "valid_from", "valid_to", "status", "accuracy_m", "area_ha"):
        table.add_column(
            col, no_wrap=True, justify="right" if col in ("accuracy_m", "area_ha") else "left"
        )
    for layer in layers:
        rec = layer.to_record()
        table.add_row(
            rec["id"], rec["kind"], rec["valid_from"], rec["valid_to"] or "—",
            rec["status"], f"{layer.accuracy_m:.0f}", f"{layer.area_ha:.1f}",
        )  # fmt: skip
    Console(width=max(Console().width, 120)).print(table)
    if date and not cat.ort_layers(date):
        day = parse_date(date)
        click.echo(f"No ORT perimeter in force on {day.isoformat()}: {no_ort_reason(cat, day)}")
    if any(layer.status == "indicatif" for layer in layers):
        click.echo(
            "Note: 'indicatif' layers were digitized by ortgeo from public descriptions, "
            "not from the official plan; replace them with the city's files (--catalog)."
        )


@perimeters.command("export")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Output file: .gpkg, .geojson, .shp or .fgb.")  # fmt: skip
@click.option("--crs", default=None, help="Output CRS, e.g. 2154 (default: EPSG:4326).")
@click.option("--layer", "layer_ids", multiple=True, metavar="ID",
              help="Export only this layer id (repeatable; default: all).")  # fmt: skip
@date_option
@catalog_option
@friendly
def perimeters_export(
    output: str,
    crs: str | None,
    layer_ids: tuple[str, ...],
    date: str | None,
    catalog_path: str | None,
) -> None:
    """Export the perimeter layers (GeoPackage, GeoJSON, Shapefile, by extension)."""
    check_output_path(output, sorted(DRIVERS))  # before any work
    cat = load_catalog(catalog_path)
    if layer_ids:  # an unknown id raises UnknownLayerError, which lists the known ones
        cat = Catalog([cat[i] for i in dict.fromkeys(layer_ids)], cat.name, cat.source)
    gdf = cat.to_geodataframe(date) if date else cat.to_geodataframe(all_dates=True)
    target = int(crs) if crs and crs.isdigit() else crs
    path = write_perimeters(gdf, output, crs=target)
    where = f" in {CRS.from_user_input(target).to_string()}" if target is not None else ""
    click.echo(f"Wrote {len(gdf)} layer(s) to {path}{where}")

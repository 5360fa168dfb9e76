"""``ortgeo perimeters list|export``: the perimeter layers."""

from __future__ import annotations

import click
from pyproj import CRS
from rich.console import Console
from rich.table import Table

from ortgeo.cli.i18n import _
from ortgeo.cli.options import catalog_option, date_option, friendly, load_catalog, writes
from ortgeo.inforce import on
from ortgeo.io import DRIVERS, write_perimeters

__all__ = ["perimeters"]


@click.group()
def perimeters() -> None:
    """List and export the ORT sectors and the other dispositifs (OPAH-RU)."""


@perimeters.command("list")
@date_option
@catalog_option
@friendly
def perimeters_list(date: str | None, catalog_path: str | None) -> None:
    """Table of layers: name, dates and their precision, status, accuracy, area.

    All layers, or those in force on --date with their timing (in force or uncertain).
    """
    cat = load_catalog(catalog_path)
    state = on(date, cat) if date else None
    layers = list(state.layers) if state is not None else list(cat)
    title = (_("Perimeters in force on {date}").format(date=f"{state.date:%d/%m/%Y}")
             if state else _("Perimeters"))  # fmt: skip
    table = Table(title=title)
    cols = ["id", "name", "kind", "valid_from", "valid_to", "status", "accuracy_m", "area_ha"]
    if state is not None:
        cols.insert(3, "timing")
    for col in cols:
        table.add_column(
            col, justify="right" if col in ("accuracy_m", "area_ha") else "left",
            no_wrap=col in ("id", "valid_from", "valid_to"),
        )  # fmt: skip
    for layer in layers:
        start = (
            layer.valid_from.isoformat()
            + {"exact": "", "not-before": " (≥)", "approximate": " (~)"}[layer.valid_from_precision]
        )
        end = (layer.valid_to.isoformat() if layer.valid_to else "—") + (
            " (~)" if layer.valid_to and layer.valid_to_precision == "approximate" else ""
        )
        row = [layer.id, layer.name, layer.kind, start, end,
               layer.status, f"{layer.accuracy_m:.0f}", f"{layer.area_ha:.1f}"]  # fmt: skip
        if state is not None:
            row.insert(3, str(state.timing(layer)))
        table.add_row(*row)
    Console(width=max(Console().width, 140)).print(table)
    click.echo(_("valid_from: (≥) not before that date, exact date unknown; (~) approximate."))
    if state is not None and not state.has_ort:
        click.echo(
            _("No ORT sector in force on {date}: {reason}").format(
                date=state.date.isoformat(), reason=state.no_ort_reason
            )
        )
    if state is not None and state.review_due:
        click.echo(
            _(
                "Warning: the ACV period of the sectors' amendment ended; check with the CALL that "
                "the ORT convention is still in force (sectors are kept)."
            )
        )
    if any(layer.status == "indicatif" for layer in layers):
        click.echo(
            _(
                "Note: 'indicatif' layers were digitized by ortgeo from public descriptions, "
                "not from the official plan; replace them with the city's files (--catalog)."
            )
        )


@perimeters.command("export")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Output file: .gpkg, .geojson, .shp or .fgb; .parquet for a sector table "
              "with every legal field (ortgeo locate --catalog reads it).")  # fmt: skip
@click.option("--crs", default=None, help="Output CRS, e.g. 2154 (default: EPSG:4326).")
@click.option("--layer", "layer_ids", multiple=True, metavar="ID",
              help="Export only this layer id (repeatable; default: all).")  # fmt: skip
@date_option
@catalog_option
@friendly
@writes({"output": "-o"}, suffixes={"output": [*sorted(DRIVERS), ".parquet"]},
        inputs=("catalog_path",))  # fmt: skip
def perimeters_export(
    output: str,
    crs: str | None,
    layer_ids: tuple[str, ...],
    date: str | None,
    catalog_path: str | None,
) -> None:
    """Export the perimeter layers (GeoPackage, GeoJSON, Shapefile, by extension).

    A .parquet output is a sector table: the same model as the catalogue (acts, territories,
    validity with its precision, coverage, provenance), for ortgeo locate --catalog.
    """
    cat = load_catalog(catalog_path)
    if layer_ids:  # an unknown id raises UnknownLayerError, which lists the known ones
        cat = cat.subset(layer_ids)
    if output.lower().endswith(".parquet"):
        from ortgeo.catalog import write_sector_table

        if date:
            cat = cat.subset([x.id for x in cat.in_force(date)])
        target_crs = int(crs) if crs and crs.isdigit() else crs
        path = write_sector_table(cat, output, crs=target_crs)
        click.echo(
            _("Wrote a sector table of {n} layer(s) to {path}").format(n=len(cat), path=path)
        )
        return
    gdf = cat.to_geodataframe(date) if date else cat.to_geodataframe(all_dates=True)
    target = int(crs) if crs and crs.isdigit() else crs
    path = write_perimeters(gdf, output, crs=target)
    if path.suffix.lower() == ".gpkg":  # opens styled in QGIS (the annex maps' styles)
        from ortgeo.maps.qgis import add_qgis_styles

        add_qgis_styles(path, cat)
    where = (_(" in {crs}").format(crs=CRS.from_user_input(target).to_string())
             if target is not None else "")  # fmt: skip
    click.echo(_("Wrote {n} layer(s) to {path}").format(n=len(gdf), path=path) + where)

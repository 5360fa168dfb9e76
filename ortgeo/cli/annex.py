"""``ortgeo annex``: the Annex 3 folder."""

from __future__ import annotations

import click

from ortgeo.cli.options import catalog_option, date_option, friendly, load_catalog, map_options

__all__ = ["annex"]


@click.command("annex")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder to write the Annex 3 files into (created if needed).",
)
@click.option(
    "--ban",
    default=None,
    type=click.Path(dir_okay=False),
    help="BAN source for the address lists: adresses-62.csv(.gz) or an "
    "`ortgeo ban index` file. Without it: maps only.",
)
@map_options
@click.option(
    "--tiles/--no-tiles",
    default=True,
    show_default=True,
    help="Offer online backgrounds (off until switched on) in the HTML maps.",
)
@click.option(
    "--band",
    "band_m",
    type=float,
    default=None,
    help="Width of the 'limite' band of the address list in metres "
    "(default: each layer's accuracy).",
)
@date_option
@catalog_option
@friendly
def annex(
    output: str,
    ban: str | None,
    communes: str | None,
    dpi: float,
    size: str,
    basemap: str | None,
    tiles: bool,
    band_m: float | None,
    date: str | None,
    catalog_path: str | None,
) -> None:
    """Annex 3 of the convention: both maps (HTML + PNG), address lists, LISEZMOI.txt."""
    from ortgeo.annex import write_annex

    result = write_annex(
        output,
        date=date,
        catalog=load_catalog(catalog_path),
        ban=ban,
        communes=communes,
        dpi=dpi,
        size=size,
        basemap=basemap,
        tiles=tiles,
        band_m=band_m,
    )
    click.echo(f"Annex 3 for {result.date:%d/%m/%Y} ({result.status}) in {result.folder}:")
    for path in result.files:
        click.echo(f"  {path.name}")
    if result.n_addresses is None:
        click.echo("No --ban source: no address list (see LISEZMOI.txt to get one).")
    if result.status == "indicatif":
        click.echo("Note: indicative perimeters (digitized by ortgeo), not the official plan.")

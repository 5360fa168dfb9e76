"""``ortgeo annex``: the Annex 3 folder."""

from __future__ import annotations

import click

from ortgeo.cli.i18n import _
from ortgeo.cli.options import (
    band_option,
    catalog_option,
    date_option,
    friendly,
    load_catalog,
    map_options,
    writes,
)

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
@click.option("-q", "--quiet", is_flag=True, help="No progress lines on stderr.")
@band_option
@date_option
@catalog_option
@friendly
@writes(folders={"output": "-o"})
def annex(
    output: str,
    ban: str | None,
    communes: str | None,
    dpi: float,
    size: str,
    basemap: str | None,
    context: str | None,
    streets: str | None,
    cadastre: tuple[str, ...],
    tiles: bool,
    quiet: bool,
    band_m: float | None,
    date: str | None,
    catalog_path: str | None,
) -> None:
    """Annex 3 of the convention: three maps (HTML + PNG), address lists, annexe3.pdf.

    Without --date: the sectors the avenant defines, whatever today's date.
    """
    from ortgeo.annex import write_annex
    from ortgeo.maps import check_print_size

    check_print_size(size, dpi)  # the output folder was checked first (@writes)

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
        context=None if context == "none" else "unesco",
        streets=streets,
        cadastre=list(cadastre) or None,
        band_m=band_m,
        progress=None if quiet else lambda line: click.echo(f"ortgeo annex : {line}", err=True),
    )  # (the progress lines are the library's, in French)
    what = (
        _("the sectors of the avenant n° 2")
        if result.avenant
        else _("the perimeters in force on {date}").format(date=f"{result.date:%d/%m/%Y}")
    )
    click.echo(
        _("Annex 3 ({what}, {status}) in {folder}:").format(
            what=what, status=result.status, folder=result.folder
        )
    )
    for path in result.files:
        click.echo(f"  {path.name}")
    if result.n_addresses is None:
        click.echo(_("No --ban source: no address list (see LISEZMOI.txt to get one)."))
    if result.status == "indicatif":
        click.echo(
            _(
                "Note: indicative perimeters (digitized by ortgeo), not the official plan: "
                "a template of Annex 3 to regenerate from the official files."
            )
        )

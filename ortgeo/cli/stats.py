"""``ortgeo stats``: points per sector, territory, status and commune (CSV + chart)."""

from __future__ import annotations

import click

from ortgeo.cli.i18n import _
from ortgeo.cli.locate import band_option, sectors_option
from ortgeo.cli.options import date_option, friendly, writes

__all__ = ["stats"]


@click.command("stats")
@click.argument("points", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Counts as CSV (.csv).")  # fmt: skip
@click.option("--chart", default=None, type=click.Path(dir_okay=False),
              help="Bar chart of the busiest sectors (.png, .svg or .pdf).")  # fmt: skip
@click.option(
    "--commune-col",
    default=None,
    help="Column with the INSEE code (default: code_insee, citycode... if present).",
)
@sectors_option
@date_option
@band_option
@click.option("--chunk-size", default=500_000, show_default=True, type=click.IntRange(min=1))
@click.option("--top", default=20, show_default=True, type=click.IntRange(min=1),
              help="Sectors (and territories) in the chart; the CSV has all.")  # fmt: skip
@friendly
@writes({"output": "-o", "chart": "--chart"}, inputs=("points", "catalog_path"),
        suffixes={"output": (".csv", ".txt"), "chart": (".png", ".svg", ".pdf")})  # fmt: skip
def stats(
    points: str, output: str, chart: str | None, commune_col: str | None,
    catalog_path: str | None, date: str | None, band_m: float | None, chunk_size: int, top: int,
) -> None:  # fmt: skip
    """Count the points of a file per sector, territory, status and commune."""
    from ortgeo.stats import sector_stats, write_stats

    table = sector_stats(points, catalog_path, date, band_m=band_m, commune_column=commune_col,
                         chunk_size=chunk_size)  # fmt: skip
    files = write_stats(table, output, chart, top=top)
    total = int(table.loc[table["level"] == "all", "total"].iloc[0])
    click.echo(
        _("Counted {n} point(s); wrote {files}.").format(n=total, files=", ".join(map(str, files)))
    )

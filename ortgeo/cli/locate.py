"""``ortgeo locate``: a file of points against every sector in force, streamed in chunks."""

from __future__ import annotations

import gc
import sys

import click

from ortgeo.cli.i18n import _
from ortgeo.cli.options import band_option, date_option, friendly, writes

__all__ = ["locate_command", "sectors_option"]

sectors_option = click.option(
    "--catalog", "catalog_path", type=click.Path(dir_okay=False), default=None,
    help="Catalogue TOML, or a sector table (.parquet / .gpkg) written by "
    "ortgeo.catalog.write_sector_table (every legal field); a flat table with id, territory, "
    "name, kind, valid_from, valid_to, status, accuracy_m also reads (default: bundled).",
)  # fmt: skip


@click.command("locate")
@click.argument("points", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="One row per point: .parquet / .geoparquet or .csv / .csv.gz.")  # fmt: skip
@sectors_option
@date_option
@click.option("--chunk-size", default=500_000, show_default=True, type=click.IntRange(min=1),
              help="Points per chunk (memory depends on it, not on the file size).")  # fmt: skip
@band_option
@click.option(
    "--long",
    "long_out",
    default=None,
    type=click.Path(dir_okay=False),
    help="Also write the long result (point, sector, status, distance) to .parquet.",
)
@click.option("--restart", is_flag=True, help="Start over instead of resuming a stopped run.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Chunks located at once, on threads (default: one per usable CPU, at most "
              "4).")  # fmt: skip
@friendly
@writes({"output": "-o", "long_out": "--long"}, inputs=("points", "catalog_path"))
def locate_command(
    points: str, output: str, catalog_path: str | None, date: str | None, chunk_size: int,
    band_m: float | None, long_out: str | None, restart: bool, jobs: int | None,
) -> None:  # fmt: skip
    """Locate every point of a file (CSV, Parquet, GeoParquet, BAN export) in the sectors.

    Interrupted? Run the same command again: it resumes after the last finished chunk.
    """
    gc.disable()  # the imports make many objects and no garbage: no collection meanwhile,
    from ortgeo.stream import locate_file

    gc.freeze()  # and the modules are never scanned again (a process that only locates)
    gc.enable()
    try:
        report = locate_file(
            points, output, catalog_path, date, chunk_size=chunk_size, band_m=band_m,
            long_out=long_out, resume=not restart, progress=sys.stderr.isatty(), jobs=jobs,
        )  # fmt: skip
    except KeyboardInterrupt:
        click.echo(_("Interrupted. Run the same command again to resume."), err=True)
        sys.exit(130)
    summary = ", ".join(f"{k}: {v}" for k, v in sorted(report["counts"].items()))
    again = _(", {n} resumed").format(n=report["resumed_rows"]) if report["resumed_rows"] else ""
    click.echo(
        _("Wrote {n} row(s) to {path} ({summary}).").format(
            n=report["rows"], path=report["out"], summary=summary + again
        )
    )

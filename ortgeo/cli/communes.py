"""``ortgeo communes update|info``: the ANCT table of ORT communes, refreshed and shown."""

from __future__ import annotations

import click

from ortgeo.cli.i18n import _
from ortgeo.cli.options import friendly

__all__ = ["communes"]


@click.group("communes")
def communes() -> None:
    """The ANCT table of ORT communes: download the current one, say which one is used."""


def _describe() -> str:
    from ortgeo.communes import ort_table

    t = ort_table()
    when = t.table_date.isoformat() if t.table_date else "of unknown date"
    origin = "downloaded" if t.refreshed else "bundled with ortgeo"
    return (f"ANCT table of {when} ({origin}): {t.communes} communes, {t.signed} with a "
            f"signed ORT — {t.path}")  # fmt: skip


@communes.command("update")
@click.option("--url", default=None, metavar="URL",
              help="Address of the ANCT CSV table (default: the DGALN/ANCT table, "
                   "or $ORTGEO_ANCT_URL).")  # fmt: skip
@friendly
def communes_update(url: str | None) -> None:
    """Download the current ANCT table of ORT communes; ortgeo uses it from then on.

    A download that is not the national table (an error page, a truncated file, other
    columns, too few communes) is refused and the table in use is kept.
    """
    from ortgeo.communes import update_ort_table

    update_ort_table(url)
    click.echo(_("Updated: {table}").format(table=_describe()))


@communes.command("info")
@friendly
def communes_info() -> None:
    """Which ANCT table ortgeo uses (downloaded or bundled), its date and size."""
    click.echo(_describe())

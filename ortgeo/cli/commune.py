"""``ortgeo commune INSEE``: a commune's ORT status and what it means for Denormandie."""

from __future__ import annotations

import json

import click

from ortgeo.cli.options import date_option, friendly

__all__ = ["commune"]


@click.command("commune")
@click.argument("insee")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@date_option
@friendly
def commune(insee: str, as_json: bool, date: str | None) -> None:
    """ACV / PVD, ORT signed or not and since when, and the Denormandie answer on --date.

    INSEE is the commune's code, e.g. 62510 for Liévin. Source: the ANCT follow-up table
    bundled with ortgeo (see data/communes/PROVENANCE.md).
    """
    from ortgeo.dates import parse_date
    from ortgeo.legal import commune_status

    day = parse_date(date)
    status = commune_status(insee, day)
    if as_json:
        click.echo(json.dumps(status.to_dict(day), ensure_ascii=False, indent=2, allow_nan=False))
    else:
        click.echo(status.explain(day))

"""``ortgeo fiche``: the fiche de situation of one address, point or parcel (PDF or HTML)."""

from __future__ import annotations

import os
import shlex
from typing import Any

import click

from ortgeo.cli.check import _pair
from ortgeo.cli.i18n import _
from ortgeo.cli.options import (
    catalog_option,
    cli_geocoder,
    date_option,
    friendly,
    geocoder_options,
    load_catalog,
    writes,
)

__all__ = ["fiche"]

SUFFIXES = (".pdf", ".html")


def _redo(address: str | None, lonlat: str | None, parcel: str | None, citycode: str | None,
          cadastre: tuple[str, ...], day: str, output: str) -> str:  # fmt: skip
    """The command that makes the same fiche again, on the same date."""
    words = ["ortgeo", "fiche"]
    if address is not None:
        words.append(address)
    if lonlat is not None:
        words += ["--lonlat", lonlat]
    if parcel is not None:
        words += ["--parcel", parcel]
    if citycode:
        words += ["--citycode", citycode]
    for path in cadastre:
        words += ["--cadastre", os.path.basename(path)]
    return shlex.join([*words, "--date", day, "-o", os.path.basename(output)])


@click.command("fiche")
@click.argument("address", required=False)
@click.option("--lonlat", default=None, metavar="LON,LAT", help="WGS84 longitude,latitude.")
@click.option("--parcel", default=None, metavar="REF",
              help="A cadastral parcel: IDU (62498000AB0123), or 'AB 123' with "
              "--citycode.")  # fmt: skip
@click.option("--cadastre", "cadastre_paths", multiple=True, type=click.Path(dir_okay=False),
              help="Etalab cadastre file: names the parcel of the address or point, draws the "
              "parcels under the map (repeatable).")  # fmt: skip
@click.option("--citycode", default=None, help="Search the address (or parcel) in this commune.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The fiche: .pdf (one A4 page, fonts embedded) or .html.")  # fmt: skip
@click.option(
    "--basemap",
    default=None,
    metavar="NAME|URL|FILE",
    help="Background of the map extract (as for `ortgeo map`); default: none, offline.",
)
@click.option(
    "--url",
    "base_url",
    default=None,
    metavar="URL",
    envvar="ORTGEO_PUBLIC_URL",
    help="Public address of the ortgeo service, for the permalink printed on the "
    "fiche (default $ORTGEO_PUBLIC_URL; without it, the command that redoes the check).",
)
@date_option
@geocoder_options
@catalog_option
@friendly
@writes({"output": "-o"}, suffixes={"output": SUFFIXES},
        inputs=("cadastre_paths", "catalog_path", "basemap"))  # fmt: skip
def fiche(
    address: str | None, lonlat: str | None, parcel: str | None,
    cadastre_paths: tuple[str, ...], citycode: str | None, output: str,
    basemap: str | None, base_url: str | None, date: str | None, geocoder: str,
    ban_index: str | None, ban_url: str | None, catalog_path: str | None,
) -> None:  # fmt: skip
    """The fiche de situation of ADDRESS, --lonlat LON,LAT or --parcel REF: one A4 page.

    The answer on the date with the acts in force that day, a map extract with its scale,
    the contacts the acts name, the fingerprint of the data, the date of the check and the
    permalink. A reading, not a certificate.
    """
    from ortgeo.dates import parse_date
    from ortgeo.fiche import make_fiche, permalink, write_fiche

    if sum(v is not None for v in (address, lonlat, parcel)) != 1:
        raise click.UsageError(_("Give exactly one of ADDRESS, --lonlat LON,LAT or --parcel REF."))
    cat = load_catalog(catalog_path)
    day = parse_date(date)
    assert day is not None
    answer: Any
    query: dict[str, str] = {}
    if parcel is not None:
        from ortgeo.parcels import check_parcel

        answer = check_parcel(parcel, date=day, catalog=cat, citycode=citycode,
                              cadastre=list(cadastre_paths) or None)  # fmt: skip
    elif address is not None:
        from ortgeo.address import check_address

        coder = cli_geocoder(geocoder, ban_index, ban_url)
        answer = check_address(address, date=day, geocoder=coder, catalog=cat, citycode=citycode)
        query = {"address": address}
    else:
        assert lonlat is not None
        from ortgeo.verdict import check_point

        lon, lat = _pair(lonlat, "--lonlat")
        answer = check_point(lon, lat, date=day, catalog=cat)
        query = {"lon": repr(lon), "lat": repr(lat)}
    link = permalink(base_url, query, day) if base_url and query else ""
    made = make_fiche(
        answer, cat, basemap=basemap, cadastre=list(cadastre_paths) or None, permalink=link,
        redo=_redo(address, lonlat, parcel, citycode, cadastre_paths, day.isoformat(), output),
    )  # fmt: skip
    written = write_fiche(made, output)
    click.echo(_("Wrote {path}").format(path=written))

"""``ortgeo check``: one address or point, its verdict in French or JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ortgeo.cli.i18n import _
from ortgeo.cli.options import (
    band_option,
    catalog_option,
    cli_geocoder,
    date_option,
    echo_json,
    friendly,
    geocoder_options,
    load_catalog,
)
from ortgeo.verdict import Verdict, check_point

if TYPE_CHECKING:
    from ortgeo.parcels import ParcelVerdict

__all__ = ["check", "print_verdict"]


def _pair(text: str, option: str) -> tuple[float, float]:
    try:
        a, b = (float(part) for part in text.replace(";", ",").split(","))
    except ValueError:
        example = "2.8339,50.4292" if option == "--lonlat" else "688180,7036861"
        raise click.BadParameter(
            _(
                "expected two numbers separated by a comma, e.g. {option} {example} (got {text})"
            ).format(option=option, example=example, text=repr(text)),
            param_hint=option,
        ) from None
    return a, b


def print_verdict(verdict: Verdict | ParcelVerdict, as_json: bool) -> None:
    """Print a verdict as JSON or as French text with one line per perimeter."""
    if as_json:
        echo_json(verdict.to_dict())
    else:
        click.echo(verdict.explain())


@click.command("check")
@click.argument("address", required=False)
@click.option("--lonlat", default=None, metavar="LON,LAT", help="WGS84 longitude,latitude.")
@click.option("--xy", default=None, metavar="X,Y", help="Lambert-93 (EPSG:2154) x,y in metres.")
@click.option(
    "--parcel",
    default=None,
    metavar="REF",
    help="A cadastral parcel: IDU (62498000AB0123), or 'AB 123' with --citycode.",
)
@click.option(
    "--cadastre",
    "cadastre_path",
    default=None,
    type=click.Path(dir_okay=False),
    help="Etalab cadastre file of the parcel's commune (default: downloaded one).",
)
@click.option("--citycode", default=None, help="Search the address (or parcel) in this commune.")
@click.option("--postcode", default=None, help="Search the address with this postcode.")
@band_option
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON.")
@date_option
@geocoder_options
@catalog_option
@friendly
def check(
    address: str | None,
    lonlat: str | None,
    xy: str | None,
    parcel: str | None,
    cadastre_path: str | None,
    citycode: str | None,
    postcode: str | None,
    band_m: float | None,
    as_json: bool,
    date: str | None,
    geocoder: str,
    ban_index: str | None,
    ban_url: str | None,
    catalog_path: str | None,
) -> None:
    """Is this address or place in the ORT of Lens on this date? Answer, distance, notes.

    ADDRESS is geocoded on the Base Adresse Nationale (offline index or API); or give
    --lonlat LON,LAT, --xy X,Y, or --parcel REF (a cadastral parcel, its geometry from the
    Etalab cadastre file: `ortgeo cadastre download INSEE` or --cadastre FILE).
    Exit status 0 whatever the verdict; 2 on bad input.
    """
    if sum(v is not None for v in (address, lonlat, xy, parcel)) != 1:
        raise click.UsageError(
            _("Give exactly one of ADDRESS, --lonlat LON,LAT, --xy X,Y or --parcel REF.")
        )
    cat = load_catalog(catalog_path)
    if parcel is not None:
        from ortgeo.parcels import check_parcel

        print_verdict(check_parcel(parcel, date=date, catalog=cat, citycode=citycode,
                                   cadastre=cadastre_path, band_m=band_m), as_json)  # fmt: skip
        return
    if address is not None:
        from ortgeo.address import check_address  # geocoders: only here

        coder = cli_geocoder(geocoder, ban_index, ban_url)
        verdict = check_address(
            address, date=date, geocoder=coder, catalog=cat, citycode=citycode,
            postcode=postcode, band_m=band_m,
        )  # fmt: skip
    else:
        if lonlat is not None:
            lon, lat = _pair(lonlat, "--lonlat")
        else:
            assert xy is not None  # exactly one of the three is given (checked above)
            lon, lat = _pair(xy, "--xy")
        crs = 2154 if lonlat is None else 4326
        verdict = check_point(lon, lat, date=date, catalog=cat, band_m=band_m, crs=crs)
    print_verdict(verdict, as_json)

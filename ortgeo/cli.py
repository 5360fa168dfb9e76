"""The ``ortgeo`` command line (click): perimeters, checks, geocoding, Annex 3.

User mistakes end with a one-line message on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import functools
import json
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import numpy as np
from pyproj import CRS
from rich.console import Console
from rich.table import Table

from ortgeo.address import check_address, resolve_geocoder
from ortgeo.batch import check_addresses, check_output_path, read_table, write_report
from ortgeo.catalog import Catalog, catalog, no_ort_reason
from ortgeo.crs import to_wgs84_lonlat
from ortgeo.dates import parse_date
from ortgeo.errors import OrtgeoError
from ortgeo.io import write_perimeters
from ortgeo.verdict import Verdict, check_point

__all__ = ["main"]

err_console = Console(stderr=True)


def friendly(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn :class:`OrtgeoError` into a clear message and exit status 2; show warnings."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                return func(*args, **kwargs)
            except OrtgeoError as exc:
                click.echo(f"Error: {exc}", err=True)
                sys.exit(2)
            finally:
                for w in caught:
                    if issubclass(w.category, UserWarning):
                        click.echo(f"Warning: {w.message}", err=True)

    return wrapper


def _load_catalog(path: str | None) -> Catalog:
    return catalog(path)


catalog_option = click.option(
    "--catalog", "catalog_path", type=click.Path(dir_okay=False), default=None,
    help="A catalogue TOML file of your own (default: the bundled, indicative one).",
)  # fmt: skip
date_option = click.option(
    "--date", "date", default=None, metavar="YYYY-MM-DD", help="Date (default: today)."
)


def geocoder_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--geocoder, --ban and --ban-url, shared by the commands that geocode."""
    func = click.option(
        "--ban-url", default=None, metavar="URL",
        help="BAN API root (default $ORTGEO_BAN_URL or https://data.geopf.fr/geocodage).",
    )(func)  # fmt: skip
    func = click.option(
        "--ban", "ban_index", default=None, type=click.Path(dir_okay=False), metavar="INDEX",
        help="Offline BAN index built by `ortgeo ban index` (default $ORTGEO_BAN_INDEX).",
    )(func)  # fmt: skip
    return click.option(
        "--geocoder", type=click.Choice(["auto", "api", "local"]), default="auto",
        show_default=True, help="auto = the offline index when one is found, else the BAN API.",
    )(func)  # fmt: skip


@click.group()
@click.version_option(package_name="ortgeo")
def main() -> None:
    """ortgeo: is this address in the ORT of Lens, on which date, how sure are we, and why?"""


@main.group()
def perimeters() -> None:
    """List and export the perimeter layers (ORT 2019, route de Lille extension, OPAH-RU)."""


@perimeters.command("list")
@date_option
@catalog_option
@friendly
def perimeters_list(date: str | None, catalog_path: str | None) -> None:
    """Table of layers: dates, status, accuracy, area (all, or those valid on --date)."""
    cat = _load_catalog(catalog_path)
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
    cat = _load_catalog(catalog_path)
    if layer_ids:  # an unknown id raises UnknownLayerError, which lists the known ones
        cat = Catalog([cat[i] for i in dict.fromkeys(layer_ids)], cat.name, cat.source)
    gdf = cat.to_geodataframe(date) if date else cat.to_geodataframe(all_dates=True)
    target = int(crs) if crs and crs.isdigit() else crs
    path = write_perimeters(gdf, output, crs=target)
    where = f" in {CRS.from_user_input(target).to_string()}" if target is not None else ""
    click.echo(f"Wrote {len(gdf)} layer(s) to {path}{where}")


def _pair(text: str, option: str) -> tuple[float, float]:
    try:
        a, b = (float(part) for part in text.replace(";", ",").split(","))
    except ValueError:
        raise click.BadParameter(
            f"expected two numbers separated by a comma, e.g. {option} "
            + ("2.8339,50.4292" if option == "--lonlat" else "688180,7036861")
            + f" (got {text!r})",
            param_hint=option,
        ) from None
    return a, b


def print_verdict(verdict: Verdict, as_json: bool) -> None:
    """Print a verdict as JSON or as French text with one line per perimeter."""
    if as_json:
        click.echo(json.dumps(verdict.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(verdict.explain())


@main.command("check")
@click.argument("address", required=False)
@click.option("--lonlat", default=None, metavar="LON,LAT", help="WGS84 longitude,latitude.")
@click.option("--xy", default=None, metavar="X,Y", help="Lambert-93 (EPSG:2154) x,y in metres.")
@click.option("--citycode", default=None, help="Search the address in this commune (INSEE code).")
@click.option("--postcode", default=None, help="Search the address with this postcode.")
@click.option(
    "--band", "band_m", type=float, default=None,
    help="Width of the 'limite' band in metres (default: accuracy + uncertainty).",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON.")
@date_option
@geocoder_options
@catalog_option
@friendly
def check(
    address: str | None,
    lonlat: str | None,
    xy: str | None,
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
    --lonlat LON,LAT or --xy X,Y. Exit status 0 whatever the verdict; 2 on bad input.
    """
    if sum(v is not None for v in (address, lonlat, xy)) != 1:
        raise click.UsageError("Give exactly one of ADDRESS, --lonlat LON,LAT or --xy X,Y.")
    cat = _load_catalog(catalog_path)
    if address is not None:
        coder = resolve_geocoder(geocoder, ban_index=ban_index, base_url=ban_url)
        verdict = check_address(
            address, date=date, geocoder=coder, catalog=cat, citycode=citycode, postcode=postcode
        )
    else:
        if lonlat is not None:
            lon, lat = _pair(lonlat, "--lonlat")
        else:
            x, y = _pair(xy, "--xy")
            lon, lat = (float(v[0]) for v in to_wgs84_lonlat(np.array([x]), np.array([y])))
        verdict = check_point(lon, lat, date=date, catalog=cat, band_m=band_m)
    print_verdict(verdict, as_json)


@main.command("batch")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Report: .csv (';'-separated) or .gpkg.")  # fmt: skip
@click.option("--address-col", default=None, help="Column holding the full address.")
@click.option("--columns", default=None, metavar="A,B,C",
              help="Columns to join into the address (e.g. numero,voie,cp,ville).")  # fmt: skip
@click.option("--citycode-col", default=None, help="Column with the INSEE code of each row.")
@click.option("--postcode-col", default=None, help="Column with the postcode of each row.")
@click.option("--citycode", default=None, help="One INSEE code for every row, e.g. 62498.")
@click.option("--sep", default=None, help="Input separator (default: detected, ';' or ',').")
@click.option("--encoding", default=None, help="Input encoding (default: UTF-8, else cp1252).")
@click.option("--excel", is_flag=True, help="Write the CSV with a UTF-8 BOM for Excel.")
@date_option
@geocoder_options
@catalog_option
@friendly
def batch(
    input_path: str, output: str, address_col: str | None, columns: str | None,
    citycode_col: str | None, postcode_col: str | None, citycode: str | None,
    sep: str | None, encoding: str | None, excel: bool, date: str | None, geocoder: str,
    ban_index: str | None, ban_url: str | None, catalog_path: str | None,
) -> None:  # fmt: skip
    """Check every address of a CSV file; write every row, in order, with its verdict.

    Interrupted? Run the same command again: answers of the BAN API are cached.
    """
    check_output_path(output)
    cat = _load_catalog(catalog_path)
    coder = resolve_geocoder(geocoder, ban_index=ban_index, base_url=ban_url)
    try:
        report = check_addresses(
            input_path, address_col, columns=columns.split(",") if columns else None,
            citycode_col=citycode_col, postcode_col=postcode_col, citycode=citycode,
            date=date, geocoder=coder, catalog=cat, sep=sep, encoding=encoding, progress=True,
        )  # fmt: skip
    except KeyboardInterrupt:
        click.echo("Interrupted. Run the same command again to resume: geocoded rows are "
                   "cached.", err=True)  # fmt: skip
        sys.exit(130)
    path = write_report(report, output, excel=excel)
    counts = report["verdict"].value_counts()
    summary = ", ".join(f"{k}: {v}" for k, v in counts.items())
    click.echo(f"Wrote {len(report)} row(s) to {path} ({summary}).")


@main.group()
def ban() -> None:
    """Offline BAN addresses: download the département export, build the local index."""


@ban.command("download")
@click.argument("departement", default="62")
@click.option("-o", "--output", "dest", type=click.Path(file_okay=False), default=None,
              help="Folder to write into (default: the ortgeo cache folder).")  # fmt: skip
@click.option("--url", default=None,
              help="URL or template with {dep} (default: adresse.data.gouv.fr).")  # fmt: skip
@friendly
def ban_download(departement: str, dest: str | None, url: str | None) -> None:
    """Download the BAN export of a département (adresses-62.csv.gz for Pas-de-Calais)."""
    from ortgeo.geocoders.ban_export import download_ban_export

    path = download_ban_export(departement, dest, url=url, progress=True)
    click.echo(f"Downloaded {path} ({path.stat().st_size / 1e6:.1f} MB).")
    click.echo(f"Next: ortgeo ban index {path}")


@ban.command("index")
@click.argument("csv_path", type=click.Path(dir_okay=False))
@click.option("-o", "--output", default=None, type=click.Path(dir_okay=False),
              help="Index file (default: in the cache folder, found by get_geocoder).")  # fmt: skip
@click.option("--citycode", multiple=True, metavar="INSEE",
              help="Keep only this commune, e.g. 62498 for Lens (repeatable).")  # fmt: skip
@friendly
def ban_index(csv_path: str, output: str | None, citycode: tuple[str, ...]) -> None:
    """Build the offline geocoding index from a BAN export (adresses-XX.csv.gz)."""
    from ortgeo.geocoders.ban_local import BanIndex, build_ban_index
    from ortgeo.geocoders.cache import default_index_path

    target = output or default_index_path()
    path = build_ban_index(csv_path, target, citycodes=list(citycode) or None, progress=True)
    stats = BanIndex(path).stats()
    click.echo(
        f"Indexed {stats['addresses']:,} addresses, {stats['streets']:,} streets, "
        f"{stats['communes']} commune(s) into {path} ({stats['bytes'] / 1e6:.1f} MB)."
    )


def map_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--communes, --dpi, --size and --basemap, shared by `annex` and `map`."""
    options = [
        click.option("--communes", default=None, type=click.Path(dir_okay=False),
                     help="Commune polygons to outline on the maps (any OGR file)."),
        click.option("--dpi", default=300.0, show_default=True, type=click.FloatRange(min=10),
                     help="Resolution of the PNG maps."),
        click.option("--size", default="a4", show_default=True, type=click.Choice(["a4", "a3"]),
                     help="Paper size of the print maps (landscape)."),
        click.option("--basemap", default=None, type=click.Path(dir_okay=False),
                     help="A GeoTIFF drawn under the print maps."),
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


@main.command("annex")
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
        catalog=_load_catalog(catalog_path),
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


@main.command("map")
@click.argument("kind", type=click.Choice(["general", "zoom-extension"]))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Output: .html (interactive, offline) or .png .pdf .svg (print).")  # fmt: skip
@click.option("--addresses", "addresses_path", default=None, type=click.Path(dir_okay=False),
              help="A report of `ortgeo batch` (.csv, .gpkg), coloured by verdict.")  # fmt: skip
@map_options
@date_option
@catalog_option
@friendly
def map_command(
    kind: str, output: str, addresses_path: str | None, communes: str | None, dpi: float,
    size: str, basemap: str | None, date: str | None, catalog_path: str | None,
) -> None:  # fmt: skip
    """One Annex 3 map, KIND general or zoom-extension, as HTML or for print (PNG/PDF/SVG)."""
    from ortgeo.maps import annex_map, render_png, save_html

    path = Path(output)
    suffix = path.suffix.lower()
    if suffix not in (".html", ".png", ".pdf", ".svg"):
        raise OrtgeoError(f"Cannot write {path.name}: use .html, .png, .pdf or .svg.")
    if not path.parent.exists():
        raise OrtgeoError(f"Cannot write {path}: folder {path.parent} does not exist.")
    report = None
    if addresses_path is not None:
        if not Path(addresses_path).is_file():
            raise OrtgeoError(f"Addresses report not found: {addresses_path}.")
        if addresses_path.lower().endswith(".gpkg"):
            import geopandas as gpd

            report = gpd.read_file(addresses_path)
        else:
            report = read_table(addresses_path)
    options = {"date": date, "catalog": _load_catalog(catalog_path), "addresses": report,
               "communes": communes}  # fmt: skip
    if suffix == ".html":
        written = save_html(annex_map(kind, **options), path)
    else:
        written = render_png(kind, path, dpi=dpi, size=size, basemap=basemap, **options)
    click.echo(f"Wrote {written}")


if __name__ == "__main__":  # pragma: no cover
    main()

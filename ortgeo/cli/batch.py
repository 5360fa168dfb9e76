"""``ortgeo batch``: a file of addresses, every row kept with its verdict.

Exit status (see :data:`EXIT_CODES`): 0 when every row got a verdict, 3 when some rows did
not (the report is written; the last line says how many and why), 4 when no row did,
2 for a user mistake (nothing is geocoded), 130 when interrupted.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from ortgeo.batch import REPORT_SUFFIXES, check_addresses, failures, write_report
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
from ortgeo.dates import parse_date

__all__ = ["EXIT_ALL_FAILED", "EXIT_CODES", "EXIT_SOME_FAILED", "batch", "failure_line"]

#: Some rows got no verdict (indetermine, invalide, erreur); the report is written.
EXIT_SOME_FAILED = 3
#: No row got a verdict; the report is written.
EXIT_ALL_FAILED = 4
#: Every exit status of ``ortgeo batch``.
EXIT_CODES = {
    0: "every row got a verdict",
    2: "bad input or option (nothing was geocoded, nothing written)",
    EXIT_SOME_FAILED: "some rows got no verdict (report written; last line: how many, why)",
    EXIT_ALL_FAILED: "no row got a verdict (report written; last line: why)",
    130: "interrupted (run the same command again to resume from the cache)",
}


#: Kinds of reason listed in the last line; the others are counted together.
SHOWN_REASONS = 6


def failure_line(n_rows: int, reasons: dict[str, int], first_error: str | None = None) -> str:
    """The last line of ``ortgeo batch`` when rows got no verdict: how many, and why.

    ``reasons`` are counted by kind (:func:`ortgeo.batch.failures`); beyond
    :data:`SHOWN_REASONS` kinds the rest are counted together. When geocoding failed,
    ``first_error`` (the first error message) says what happened and what to do.

    Examples
    --------
    >>> failure_line(5, {"adresse vide": 2, "géocodage en erreur (HTTP 502)": 1})
    '3 of 5 row(s) got no verdict: adresse vide: 2, géocodage en erreur (HTTP 502): 1.'
    >>> failure_line(1, {"géocodage en erreur (HTTP 502)": 1}, "BAN down.")
    'No row got a verdict (1 of 1): géocodage en erreur (HTTP 502): 1. First error: BAN down.'
    """
    n_failed = sum(reasons.values())
    shown = list(reasons.items())[:SHOWN_REASONS]
    why = ", ".join(f"{reason}: {count}" for reason, count in shown)
    rest = reasons.keys() - dict(shown).keys()
    if rest:
        why += f", {len(rest)} other reason(s): {sum(reasons[r] for r in rest)}"
    error = f" First error: {first_error}" if first_error else ""
    if n_failed == n_rows:
        return f"No row got a verdict ({n_failed} of {n_rows}): {why}.{error}"
    return f"{n_failed} of {n_rows} row(s) got no verdict: {why}.{error}"


_EPILOG = "Exit status: " + "; ".join(f"{code} = {what}" for code, what in EXIT_CODES.items())


@click.command("batch", epilog=_EPILOG)
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Report: .csv (';'-separated) or .gpkg.")  # fmt: skip
@click.option("--address-col", default=None, help="Column holding the full address.")
@click.option("--columns", default=None, metavar="A,B,C",
              help="Columns to join into the address (e.g. numero,voie,cp,ville).")  # fmt: skip
@click.option("--indice-col", default=None,
              help="With --columns: repetition index column (B/T/Q/C = bis/ter/quater/"
                   "quinquies, DGFiP files), put after the number.")  # fmt: skip
@click.option(
    "--parcel-col",
    default=None,
    help="Column of cadastral parcels (IDU, or 'AB 123' with a commune) instead.",
)
@click.option(
    "--cadastre",
    "cadastre_paths",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Etalab cadastre file(s) for --parcel-col (default: downloaded ones).",
)
@click.option("--citycode-col", default=None, help="Column with the INSEE code of each row.")
@click.option("--postcode-col", default=None, help="Column with the postcode of each row.")
@click.option("--citycode", default=None, help="One INSEE code for every row, e.g. 62498.")
@click.option("--sep", default=None, help="Input separator (default: detected, ';' or ',').")
@click.option("--encoding", default=None,
              help="Input encoding (default: UTF-8, else cp1252; utf-16 for Excel's "
                   "'Unicode text').")  # fmt: skip
@click.option("--excel", is_flag=True, help="Write the CSV with a UTF-8 BOM for Excel.")
@click.option("--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Processes geocoding with the offline index (default: one per usable "
                   "CPU; small files always use one). Same report whatever N.")  # fmt: skip
@date_option
@geocoder_options
@catalog_option
@friendly
@writes({"output": "-o"}, suffixes={"output": REPORT_SUFFIXES},
        inputs=("input_path", "cadastre_paths", "ban_index", "catalog_path"))  # fmt: skip
def batch(
    input_path: str, output: str, address_col: str | None, columns: str | None,
    indice_col: str | None, parcel_col: str | None, cadastre_paths: tuple[str, ...],
    citycode_col: str | None, postcode_col: str | None, citycode: str | None,
    sep: str | None, encoding: str | None, excel: bool, jobs: int | None, date: str | None,
    geocoder: str,
    ban_index: str | None, ban_url: str | None, catalog_path: str | None,
) -> None:  # fmt: skip
    """Check every address of a CSV or .xlsx file; write every row, in order, with its verdict.

    Interrupted? Run the same command again: answers of the BAN API are cached.
    """
    day = parse_date(date)  # every argument is checked before hours of geocoding
    cat = load_catalog(catalog_path)
    if parcel_col is not None:
        from ortgeo.parcels import check_parcels

        if address_col or columns or postcode_col or indice_col:
            raise click.UsageError(
                _(
                    "--parcel-col checks parcels: do not give --address-col, --columns, "
                    "--indice-col or --postcode-col with it."
                )
            )
        if not output.lower().endswith((".csv", ".txt")):
            raise click.UsageError(_("A parcel report is a CSV file: use -o report.csv."))
        report = check_parcels(
            input_path, parcel_col, citycode=citycode, citycode_col=citycode_col, date=date,
            catalog=cat, cadastre=list(cadastre_paths) or None, sep=sep, encoding=encoding,
        )  # fmt: skip
        _summary(report, write_report(report, output, excel=excel))
        return
    coder = cli_geocoder(geocoder, ban_index, ban_url)
    try:
        report = check_addresses(
            input_path, address_col, columns=columns.split(",") if columns else None,
            indice_col=indice_col, citycode_col=citycode_col, postcode_col=postcode_col,
            citycode=citycode,
            date=day, geocoder=coder, catalog=cat, sep=sep, encoding=encoding, progress=True,
            jobs=jobs,
        )  # fmt: skip
    except KeyboardInterrupt:
        click.echo(_("Interrupted. Run the same command again to resume: geocoded rows are "
                     "cached."), err=True)  # fmt: skip
        sys.exit(130)
    _summary(report, write_report(report, output, excel=excel))


def _summary(report: Any, path: Any) -> None:
    counts = report["verdict"].value_counts()
    summary = ", ".join(f"{k}: {v}" for k, v in counts.items())
    click.echo(
        _("Wrote {n} row(s) to {path} ({summary}).").format(
            n=len(report), path=path, summary=summary
        )
    )
    reasons = failures(report)
    if reasons:
        errors = report.loc[report["verdict"] == "erreur", "verdict_reason"]
        first = None
        if len(errors):
            first = " ".join(str(errors.iloc[0]).split(" : ", 1)[-1].split())[:300]
        click.echo(failure_line(len(report), reasons, first), err=True)
        sys.exit(EXIT_ALL_FAILED if sum(reasons.values()) == len(report) else EXIT_SOME_FAILED)

"""The addresses of the annex: a BAN export or an ``ortgeo ban index``, and how to cite it."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ortgeo.communes import LENS_INSEE
from ortgeo.dates import parse_optional_date
from ortgeo.errors import InputFileError
from ortgeo.maps.style import date_fr

__all__ = ["ban_label", "ban_source", "is_export", "load_ban"]


def load_ban(source: str | Path, citycodes: Sequence[str] = (LENS_INSEE,)) -> pd.DataFrame:
    """BAN addresses of the communes ``citycodes`` from an export (.csv/.csv.gz) or an index.

    Returns
    -------
    pandas.DataFrame
        At least ``id, numero, rep, nom_voie, code_postal, code_insee, nom_commune,
        lon, lat``; ``rep`` is lower-case text (``""`` when none).

    Examples
    --------
    >>> import tempfile
    >>> from ortgeo.testing import write_synthetic_ban_export
    >>> path = write_synthetic_ban_export(Path(tempfile.mkdtemp()) / "a.csv.gz", n_rows=30)
    >>> ban = load_ban(path)  # SYNTHETIC addresses
    >>> len(ban), ban["code_insee"].unique().tolist()
    (30, ['62498'])
    """
    from ortgeo.geocoders.ban_export import read_ban_csv
    from ortgeo.geocoders.ban_local import BanIndex

    path = Path(source)
    if is_export(path):
        df = read_ban_csv(path, citycodes=list(citycodes))
    else:
        index = BanIndex(path)
        try:
            df = pd.concat([index.addresses(citycode=c) for c in citycodes], ignore_index=True)
        finally:
            index.close()
    if len(df) == 0:
        raise InputFileError(
            f"{path.name} holds no address of {', '.join(citycodes)}: is it the BAN of the "
            "Pas-de-Calais (62)? Download it with `ortgeo ban download 62`."
        )
    df = df.copy()
    df["rep"] = df["rep"].fillna("").astype(str).str.strip().str.lower()
    df["numero"] = df["numero"].astype("int64")
    return df.reset_index(drop=True)


def is_export(source: Path) -> bool:
    """Whether a BAN source is an export (.csv, .csv.gz) rather than an ortgeo index."""
    return source.name.lower().endswith((".csv", ".csv.gz"))


def ban_label(source: Path) -> str:
    """How to cite the BAN source: the export file and its date, or the index and its origin."""
    if is_export(source):
        stamp = _dt.date.fromtimestamp(source.stat().st_mtime)
        return f"fichier {source.name} du {date_fr(stamp)}"
    from ortgeo.geocoders.ban_local import BanIndex

    index = BanIndex(source)
    try:
        meta = dict(index.meta)
    finally:
        index.close()
    built = parse_optional_date(meta.get("built", "")[:10])
    return (
        f"index {source.name} construit le {date_fr(built, 'date inconnue')} "
        f"à partir de {meta.get('source', 'source inconnue')}"
    )


def ban_source(source: Path, ban: pd.DataFrame) -> str:
    """The provenance phrase of the addresses; SYNTHETIC test data is never called the BAN."""
    from ortgeo.geocoders.ban_local import SYNTHETIC_SOURCE, BanIndex

    if is_export(source):
        synthetic = bool(
            "source_position" in ban and (ban["source_position"] == SYNTHETIC_SOURCE).any()
        )
    else:
        index = BanIndex(source)
        try:
            synthetic = index.synthetic
        finally:
            index.close()
    if synthetic:
        return (
            f"ADRESSES SYNTHÉTIQUES ({ban_label(source)}) générées par ortgeo.testing pour "
            "essai — ce n'est PAS la Base Adresse Nationale : cette liste n'a aucune valeur"
        )
    return f"Base Adresse Nationale ({ban_label(source)}), Licence Ouverte Etalab"

"""Address files that ``ortgeo ban index`` reads, detected from their first line.

* ``ban`` — the BAN per-département export ``adresses-XX.csv.gz`` (:mod:`.ban_export`);
* ``ban-ign`` — the old IGN/BAN v0 layout (``id;nom_voie;id_fantoir;numero;rep;code_insee;
  code_post;...``);
* ``bal-1.4`` / ``bal-1.x`` — a Base Adresse Locale, what a commune publishes itself
  (``uid_adresse;cle_interop;commune_insee;...`` in 1.3/1.4, ``cle_interop;uid_adresse;
  voie_nom;...`` before); BAL has no postcode column: ``code_postal`` stays empty;
* ``bano`` — BANO (OpenStreetMap France), comma-separated without a header:
  ``id,numero,voie,code_post,nom_comm,source,lat,lon``.

Every reader yields chunks with the columns of :func:`.ban_export.iter_ban_csv` (``id,
numero, rep, nom_voie, code_postal, code_insee, nom_commune, x, y, lon, lat``), so that an
index built from any format answers with the same :class:`~ortgeo.geocoders.GeocodeResult`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ortgeo.errors import InputFileError
from ortgeo.geocoders.ban_export import _open_text, iter_ban_csv

__all__ = ["FORMATS", "detect_format", "iter_addresses"]

#: Formats read by :func:`iter_addresses`, with a human description.
FORMATS: dict[str, str] = {
    "ban": "BAN export (adresses-XX.csv)",
    "ban-ign": "old IGN/BAN layout",
    "bal-1.4": "Base Adresse Locale 1.3/1.4",
    "bal-1.x": "Base Adresse Locale 1.1/1.2",
    "bano": "BANO (OpenStreetMap France)",
}
_BANO_RE = re.compile(r"^\ufeff?[0-9AB]{5}[0-9A-Z]{4,5}-[^,]*,[^,]*,[^,]*,\d{5},")


def detect_format(path: str | Path) -> str:
    """The format of an address file (a key of :data:`FORMATS`).

    Raises
    ------
    InputFileError
        Missing, unreadable, or none of the known formats (the message lists them).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "bano.csv"
    >>> _ = p.write_text("080030020H-11,11,Avenue Arthur Rimbaud,08090,Aiglemont,C+O,49.77,4.76\\n")
    >>> detect_format(p)
    'bano'
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(
            f"Address file not found: {path}. Give a BAN export (`ortgeo ban download 62`), "
            "a BAL file or a BANO CSV."
        )
    try:
        with _open_text(path) as fh:
            first = fh.readline().strip().lstrip("\ufeff")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise InputFileError(
            f"Cannot read {path.name} ({type(exc).__name__}): expected a UTF-8 CSV, "
            "possibly gzipped."
        ) from None
    cols = [c.strip().strip('"') for c in first.split(";")]
    if {"id", "nom_voie", "code_postal", "code_insee", "lon", "lat"} <= set(cols):
        return "ban"
    if {"id", "nom_voie", "code_insee", "code_post", "lon", "lat"} <= set(cols):
        return "ban-ign"
    if {"cle_interop", "voie_nom", "numero", "long", "lat"} <= set(cols):
        return "bal-1.4" if "commune_insee" in cols else "bal-1.x"
    if _BANO_RE.match(first):
        return "bano"
    raise InputFileError(
        f"{path.name} is not an address file ortgeo knows (first line {first[:100]!r}). "
        f"Known: {'; '.join(FORMATS.values())}."
    )


def _finish(df: pd.DataFrame, citycodes: set[str] | None) -> pd.DataFrame:
    """Common cleaning: filter communes, numbers (BAL 99999 = no number), positions."""
    if citycodes is not None:
        df = df[df["code_insee"].isin(citycodes)]
    numero = pd.to_numeric(df["numero"], errors="coerce")
    lon = pd.to_numeric(df["lon"], errors="coerce")
    lat = pd.to_numeric(df["lat"], errors="coerce")
    keep = numero.notna() & (numero < 99999) & lon.notna() & lat.notna()
    df = df[keep].assign(numero=numero[keep].astype("int64"), lon=lon[keep], lat=lat[keep])
    for col in ("x", "y"):
        df[col] = pd.to_numeric(df[col], errors="coerce") if col in df else np.nan
    df["rep"] = df["rep"].fillna("").str.strip().str.lower()
    return df.reset_index(drop=True)


def iter_addresses(
    path: str | Path,
    citycodes: Sequence[str] | None = None,
    chunksize: int = 100_000,
    columns: Sequence[str] | None = None,
) -> tuple[str, Iterator[pd.DataFrame]]:
    """``(format, chunks)`` of an address file of any known format (see module doc);
    ``columns``: the BAN columns needed (a BAN export is read faster so).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "bano.csv"
    >>> _ = p.write_text("080030020H-11,11,Avenue Arthur Rimbaud,08090,Aiglemont,C+O,49.77,4.76\\n")
    >>> fmt, chunks = iter_addresses(p)
    >>> fmt, next(chunks)[["id", "numero", "code_insee", "code_postal"]].values.tolist()
    ('bano', [['08003_0020H_00011', 11, '08003', '08090']])
    """
    fmt = detect_format(path)
    if fmt == "ban":
        return fmt, iter_ban_csv(path, citycodes, chunksize=chunksize, columns=columns)
    wanted = {str(c) for c in citycodes} if citycodes else None
    return fmt, _iter_other(Path(path), fmt, wanted, chunksize)


def _iter_other(
    path: Path, fmt: str, wanted: set[str] | None, chunksize: int
) -> Iterator[pd.DataFrame]:
    names = (
        ["bano_id", "numero", "nom_voie", "code_postal", "nom_commune", "source", "lat", "lon"]
        if fmt == "bano" else None
    )  # fmt: skip
    try:
        with _open_text(path) as fh:
            reader = pd.read_csv(
                fh, sep="," if fmt == "bano" else ";", dtype=str, keep_default_na=False,
                header=None if fmt == "bano" else 0, names=names, chunksize=chunksize,
            )  # fmt: skip
            for raw in reader:
                raw.columns = [c.lstrip("\ufeff") for c in raw.columns]
                yield _finish(_to_ban_columns(raw, fmt), wanted)
    except (pd.errors.ParserError, ValueError, KeyError) as exc:
        raise InputFileError(
            f"{path.name}: malformed {FORMATS[fmt]} file ({type(exc).__name__}: {exc})."
        ) from None


def _to_ban_columns(raw: pd.DataFrame, fmt: str) -> pd.DataFrame:
    if fmt == "bano":
        m = raw["bano_id"].str.extract(r"^(\w{5})(\w+?)-(\d+)\s*(\w*)$")
        numero = pd.to_numeric(m[2], errors="coerce").fillna(0).astype(int)
        ids = m[0] + "_" + m[1] + "_" + numero.map("{:05d}".format)
        rep = raw["numero"].str.extract(r"^\d+\s*(\D*)$")[0].fillna("")
        return pd.DataFrame({
            "id": ids.where(m[0].notna(), raw["bano_id"]), "numero": m[2].fillna(raw["numero"]),
            "rep": rep, "nom_voie": raw["nom_voie"], "code_postal": raw["code_postal"],
            "code_insee": m[0].fillna(""), "nom_commune": raw["nom_commune"],
            "lon": raw["lon"], "lat": raw["lat"],
        })  # fmt: skip
    if fmt == "ban-ign":
        fantoir = raw["id_fantoir"].str.strip().str.zfill(4)
        numero = pd.to_numeric(raw["numero"], errors="coerce").fillna(0).astype(int)
        ids = raw["code_insee"] + "_" + fantoir + "_" + numero.map("{:05d}".format)
        return pd.DataFrame({
            "id": ids, "numero": raw["numero"], "rep": raw["rep"], "nom_voie": raw["nom_voie"],
            "code_postal": raw["code_post"], "code_insee": raw["code_insee"],
            "nom_commune": raw["nom_commune"], "x": raw["x"], "y": raw["y"],
            "lon": raw["lon"], "lat": raw["lat"],
        })  # fmt: skip
    insee = raw["commune_insee"] if "commune_insee" in raw else raw["cle_interop"].str[:5]
    return pd.DataFrame({
        "id": raw["cle_interop"], "numero": raw["numero"], "rep": raw["suffixe"],
        "nom_voie": raw["voie_nom"], "code_postal": "", "code_insee": insee,
        "nom_commune": raw["commune_nom"], "x": raw.get("x"), "y": raw.get("y"),
        "lon": raw["long"], "lat": raw["lat"],
    })  # fmt: skip

"""The BAN per-département CSV export (``adresses-62.csv.gz``): download and read.

Format (producer: ban-plateforme ``csv-legacy``): ``;``-separated, UTF-8, a header of 23
columns (:data:`BAN_COLUMNS`), one row per numbered address, ``x``/``y`` in Lambert-93
and ``lon``/``lat`` in WGS84. Codes (INSEE, postcode) are read as text.
"""

from __future__ import annotations

import gzip
import io
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, TextIO

import pandas as pd
import requests

from ortgeo.cachedir import cache_dir
from ortgeo.errors import InputFileError
from ortgeo.geocoders.transport import RetryPolicy, download_file

__all__ = [
    "BAN_COLUMNS",
    "BAN_EXPORT_URL",
    "download_ban_export",
    "iter_ban_csv",
    "read_ban_csv",
]

#: The 23 columns of ``adresses-XX.csv.gz``, in order.
BAN_COLUMNS: tuple[str, ...] = (
    "id", "id_fantoir", "numero", "rep", "nom_voie", "code_postal", "code_insee",
    "nom_commune", "code_insee_ancienne_commune", "nom_ancienne_commune", "x", "y", "lon",
    "lat", "type_position", "alias", "nom_ld", "libelle_acheminement", "nom_afnor",
    "source_position", "source_nom_voie", "certification_commune", "cad_parcelles",
)  # fmt: skip

#: Download URL template (``{dep}`` = département); ``$ORTGEO_BAN_EXPORT_URL`` overrides it.
BAN_EXPORT_URL = "https://adresse.data.gouv.fr/data/ban/adresses/latest/csv/adresses-{dep}.csv.gz"

_FLOATS = ("x", "y", "lon", "lat")
_REQUIRED = ("id", "numero", "rep", "nom_voie", "code_postal", "code_insee", "nom_commune")


def _open_bytes(path: Path) -> BinaryIO:
    """The file's bytes, gunzipped when it is gzip (detected from the content)."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def _open_text(path: Path) -> TextIO:
    return io.TextIOWrapper(_open_bytes(path), encoding="utf-8", newline="")


def _check_header(path: Path) -> list[str]:
    if not path.exists():
        raise InputFileError(
            f"BAN export not found: {path}. Download it with `ortgeo ban download 62`."
        )
    if path.is_dir():
        raise InputFileError(f"{path} is a folder: give the adresses-XX.csv(.gz) file.")
    try:
        with _open_text(path) as fh:
            first = fh.readline()
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise InputFileError(
            f"Cannot read {path.name} as a BAN export ({type(exc).__name__}: {exc}). "
            "Expected adresses-XX.csv.gz (gzip) or its uncompressed .csv, UTF-8."
        ) from None
    header = first.strip().lstrip("\ufeff").split(";")
    missing = [c for c in _REQUIRED + _FLOATS if c not in header]
    if missing:
        raise InputFileError(
            f"{path.name} is not a BAN address export: its header lacks "
            f"{', '.join(missing)} (found {first.strip()[:120]!r}). Expected the 23 "
            "';'-separated columns of adresses-XX.csv.gz (id;id_fantoir;numero;rep;nom_voie;...)."
        )
    return header


def iter_ban_csv(
    path: str | Path,
    citycodes: Sequence[str] | None = None,
    chunksize: int = 100_000,
    columns: Sequence[str] | None = None,
) -> Iterator[pd.DataFrame]:
    """Read a BAN export by chunks of ``chunksize`` rows (see :func:`read_ban_csv`);
    ``columns``: read only these (faster)."""
    path = Path(path)
    header = _check_header(path)
    wanted = {str(c) for c in citycodes} if citycodes else None
    dtypes: dict[str, type[str] | str] = {c: str for c in header if c not in _FLOATS}
    dtypes.update({c: "float64" for c in _FLOATS})
    keep = None if columns is None else set(columns)
    try:
        with _open_bytes(path) as fh:  # the C parser decodes: no text layer in between
            reader = pd.read_csv(
                fh, sep=";", dtype=dtypes, keep_default_na=False,
                na_values={c: [""] for c in _FLOATS}, chunksize=chunksize, encoding="utf-8",
                usecols=None if keep is None else (lambda c: c.lstrip("\ufeff") in keep),
            )  # fmt: skip
            for chunk in reader:
                chunk.columns = [c.lstrip("\ufeff") for c in chunk.columns]
                if wanted is not None:
                    chunk = chunk[chunk["code_insee"].isin(wanted)]
                numero = pd.to_numeric(chunk["numero"], errors="coerce")
                chunk = chunk[numero.notna() & chunk["lon"].notna() & chunk["lat"].notna()]
                chunk = chunk.assign(numero=numero[chunk.index].astype("int64"))
                yield chunk.reset_index(drop=True)
    except (pd.errors.ParserError, ValueError, EOFError, OSError, UnicodeDecodeError) as exc:
        raise InputFileError(
            f"{path.name}: malformed BAN export ({type(exc).__name__}: {exc}). "
            "Download it again (`ortgeo ban download`)."
        ) from None


def read_ban_csv(path: str | Path, citycodes: Sequence[str] | None = None) -> pd.DataFrame:
    """Read a BAN per-département export into a DataFrame.

    Parameters
    ----------
    path : str or Path
        ``adresses-XX.csv.gz`` or the uncompressed ``.csv`` (detected from the content).
    citycodes : sequence of str, optional
        Keep only these communes (INSEE codes), e.g. ``["62498"]`` for Lens.

    Returns
    -------
    pandas.DataFrame
        The export's columns; codes as text, ``numero`` as int, ``x``, ``y``, ``lon``,
        ``lat`` as float. Rows without a number or a position are dropped.

    Raises
    ------
    InputFileError
        Missing file, not a BAN export (wrong header), corrupt gzip.

    Examples
    --------
    >>> import tempfile
    >>> from ortgeo.testing import write_synthetic_ban_export
    >>> path = write_synthetic_ban_export(Path(tempfile.mkdtemp()) / "a.csv.gz", n_rows=50)
    >>> df = read_ban_csv(path)
    >>> len(df), df["code_insee"].iloc[0], df["numero"].dtype
    (50, '62498', dtype('int64'))
    """
    chunks = list(iter_ban_csv(path, citycodes))
    if not chunks:
        return pd.DataFrame(columns=list(BAN_COLUMNS))
    return pd.concat(chunks, ignore_index=True)


def download_ban_export(
    departement: str = "62",
    dest: str | Path | None = None,
    *,
    url: str | None = None,
    session: requests.Session | None = None,
    progress: bool = True,
    policy: RetryPolicy | None = None,
) -> Path:
    """Download the BAN export of a département (``adresses-62.csv.gz``, ~20 MB for 62).

    Parameters
    ----------
    departement : str
        ``"62"`` for Pas-de-Calais.
    dest : str or Path, optional
        Folder to write into (default: ``<cache dir>/ban``).
    url : str, optional
        Full URL or a template with ``{dep}``; default :data:`BAN_EXPORT_URL` or
        ``$ORTGEO_BAN_EXPORT_URL``.
    session : requests.Session, optional
        HTTP transport.
    progress : bool
        Draw a progress bar on stderr.

    Returns
    -------
    Path
        The downloaded file (written to ``*.part`` then renamed: never half a file).

    Raises
    ------
    GeocoderUnavailable
        Offline, or the server cannot be reached.
    GeocoderServiceError
        HTTP error (unknown département...) or the file is not gzip.
    InputFileError
        Not a département code.

    Examples
    --------
    Offline here, so only the check of the département (the download itself is
    ``download_ban_export("62")``, then ``build_ban_index`` on the returned path):

    >>> download_ban_export("Pas-de-Calais")
    Traceback (most recent call last):
    ...
    ortgeo.errors.InputFileError: Invalid département 'Pas-de-Calais': expected e.g. 62, 2A or 971.
    """
    dep = str(departement).strip().upper()
    if not dep.isalnum() or not 2 <= len(dep) <= 3:
        raise InputFileError(f"Invalid département {departement!r}: expected e.g. 62, 2A or 971.")
    template = url or os.environ.get("ORTGEO_BAN_EXPORT_URL") or BAN_EXPORT_URL
    full_url = template.format(dep=dep) if "{dep}" in template else template
    folder = Path(dest) if dest is not None else cache_dir() / "ban"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"adresses-{dep}.csv.gz"
    hint = "Download it by hand from adresse.data.gouv.fr and pass the file to `ortgeo ban index`."
    return download_file(
        full_url, target, session=session, policy=policy, progress=progress,
        service="The BAN download server", hint=hint,
    )  # fmt: skip

"""Readers of the commune data, with csv, gzip and json only (no pandas, no OGR).

- the ANCT table of the communes followed for the ORT, as the ANCT publishes it (CSV), and
  its conversion into ortgeo's table (:func:`parse_anct_csv`, :func:`convert_anct`): the
  build tool and ``ortgeo communes update`` run the same code;
- ortgeo's own CSV tables, plain or gzip (:func:`read_csv_rows`);
- commune outlines written one feature per line with a ``bbox`` (:func:`read_outline_lines`,
  :func:`parse_outline`), so that one point reads one or two features, not the département.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as _dt
import gzip
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import shapely.geometry

from ortgeo.errors import InputFileError

__all__ = [
    "ANCT_OPTIONAL",
    "ANCT_REQUIRED",
    "ORT_FIELDS",
    "Programme",
    "convert_anct",
    "iso_date",
    "ort_by",
    "ort_table_csv",
    "parse_anct_csv",
    "parse_outline",
    "read_csv_rows",
    "read_outline_lines",
]

#: Columns of the ANCT table without which a file is not that table.
ANCT_REQUIRED = ("Code commune", "Statut de la commune", "Signée ?",
                 "Si signée, date de signature")  # fmt: skip
#: Columns read when present (empty otherwise).
ANCT_OPTIONAL = ("Commune", "EPCI", "Département", "Remarques", "Dernière actualisation",
                 "ACV", "PVD")  # fmt: skip
#: Columns of ortgeo's table of ORT communes (``data/communes/ort_communes.csv``).
ORT_FIELDS = ("insee", "nom", "epci", "departement", "programme", "ort", "ort_signee_le",
              "actualise_le", "remarque", "acv", "pvd", "ort_by", "table_date")  # fmt: skip

_SIGNED = {"signée": "signee", "non signée": "non-signee", "en cours": "en-cours",
           "terminée": "terminee"}  # fmt: skip
_PROGRAMME = {"1. commune acv": "acv", "2. commune pvd": "pvd", "3. autre": "autre"}
#: Which row wins when the ANCT table has several rows for one commune (one per convention).
_RANK = {"signee": 0, "en-cours": 1, "non-signee": 2, "terminee": 3, "inconnu": 4}
_TRUE = {"true", "vrai", "oui", "1", "x", "yes"}
#: Longest remark kept (the table's remarks are follow-up notes, some of a page).
REMARK_CHARS = 160

# "par arrêté préfectoral", "arrêté d'homologation", "arrêté de transformation en ORT",
# "arrêté ORT", "arrêté préfet de département signé"; not "arrêté en cours", not an
# "arrêté préfectoral de dérogation", not a "périmètre … arrêté", not a "maison d'arrêt".
_ORDER = re.compile(
    r"arr[êeé]t[ée]\s+(?:pr[ée]fectoral|(?:du\s+)?pr[ée]fet|d['’]\s*homolog|de\s+transformation"
    r"|ORT\b|portant\s+homolog)",
    re.IGNORECASE,
)
_NOT_ORDER = re.compile(r"arr[êeé]t[ée]\s+pr[ée]fectoral\s+de\s+d[ée]rogation", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Programme:
    """A commune of the ANCT programme lists (Action Cœur de Ville, Petites villes de demain)."""

    name: str
    acv: bool = False
    pvd: bool = False


def iso_date(text: str) -> str:
    """An ISO date from the ANCT table's ways of writing one (``""`` when there is none).

    Examples
    --------
    >>> iso_date("09-12-2022 14:13"), iso_date("04/08/2019"), iso_date("2019-08-04T00:00:00")
    ('2022-12-09', '2019-08-04', '2019-08-04')
    >>> iso_date(""), iso_date("bientôt"), iso_date("31-02-2022")
    ('', '', '')
    """
    head = text.strip()[:10]
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%Y/%m/%d"):
        try:
            return _dt.datetime.strptime(head, fmt).date().isoformat()
        except ValueError:
            continue
    return ""


def ort_by(remark: str) -> str:
    """``"arrete"`` when a remark says the ORT came from a prefectoral order, else ``""``.

    An ACV convention could become an ORT convention by a prefectoral order homologating it
    (Lens and Liévin: « par arrêté préfectoral »); the ANCT table says so only in its
    remarks.

    Examples
    --------
    >>> ort_by("par arrêté préfectoral ; binôme ACV avec Liévin")
    'arrete'
    >>> ort_by("Arrêté d'homologation ACV en ORT"), ort_by("Arrêté en cours")
    ('arrete', '')
    >>> ort_by("Arreté préfectoral de dérogation à l'intégration de la ville principale")
    ''
    """
    return "arrete" if any(not _NOT_ORDER.match(remark, m.start())
                           for m in _ORDER.finditer(remark)) else ""  # fmt: skip


def parse_anct_csv(data: bytes, source: str) -> list[dict[str, str]]:
    """The rows of the ANCT table of ORT communes, as published (CSV, UTF-8, ``,`` or ``;``).

    Parameters
    ----------
    data : bytes
        The file's content.
    source : str
        Where it comes from (a URL, a file name), for the messages.

    Returns
    -------
    list of dict
        One dict per row, the columns of :data:`ANCT_REQUIRED` and :data:`ANCT_OPTIONAL`
        (``""`` when absent), values as text.

    Raises
    ------
    InputFileError
        An HTML page, text that is not UTF-8, a broken or truncated CSV, missing columns,
        no rows.

    Examples
    --------
    >>> head = "Commune,Code commune,Statut de la commune,Signée ?,Si signée, date de signature"
    >>> parse_anct_csv(b"<!DOCTYPE html><html>Erreur 502</html>", "https://example.org/t")
    Traceback (most recent call last):
    ...
    ortgeo.errors.InputFileError: https://example.org/t is an HTML page, not the ANCT CSV ...
    """
    text = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] == b"<" or b"<html" in text[:2048].lower():
        raise InputFileError(
            f"{source} is an HTML page, not the ANCT CSV table (an error or login page?)."
        )
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError:
        raise InputFileError(f"{source} is not UTF-8 text: not the ANCT CSV table.") from None
    first = decoded.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(decoded, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in ANCT_REQUIRED if c not in header]
        if missing:
            raise InputFileError(
                f"{source} lacks the columns {', '.join(missing)}: it is not the ANCT table "
                "of ORT communes (expected a header like the one in data/communes/PROVENANCE.md)."
            )
        pos = {name: header.index(name) for name in ANCT_REQUIRED + ANCT_OPTIONAL
               if name in header}  # fmt: skip
        rows = []
        for record in reader:
            if not any(v.strip() for v in record):
                continue
            if len(record) != len(header):
                raise InputFileError(
                    f"{source}, line {reader.line_num}: {len(record)} fields instead of "
                    f"{len(header)}: a truncated or damaged download."
                )
            rows.append({name: record[i] for name, i in pos.items()})
    except csv.Error as exc:
        raise InputFileError(
            f"{source}, line {reader.line_num}: broken CSV ({exc}): a truncated or damaged "
            "download."
        ) from None
    if not rows:
        raise InputFileError(f"{source} holds the ANCT header but no rows.")
    for name in ANCT_OPTIONAL:
        if name not in pos:
            for row in rows:
                row[name] = ""
    return rows


def _code(value: str) -> str:
    code = value.strip()
    return code.zfill(5) if code.isdigit() and len(code) == 4 else code  # "1053" from a number


def _one_row(raw: Mapping[str, str], taken_on: str) -> dict[str, str]:
    ort = _SIGNED.get(raw["Signée ?"].strip().lower(), "inconnu")
    remark = raw["Remarques"].strip()
    return {
        "insee": _code(raw["Code commune"]),
        "nom": re.sub(r"^\S+ - ", "", raw["Commune"].strip()).strip(),
        "epci": raw["EPCI"].strip(), "departement": raw["Département"].strip(),
        "programme": _PROGRAMME.get(raw["Statut de la commune"].strip().lower(), "autre"),
        "ort": ort,
        "ort_signee_le": iso_date(raw["Si signée, date de signature"]) if ort == "signee" else "",
        "actualise_le": iso_date(raw["Dernière actualisation"]),
        "remarque": remark[:REMARK_CHARS].rstrip(),
        "acv": str(raw["ACV"].strip().lower() in _TRUE),
        "pvd": str(raw["PVD"].strip().lower() in _TRUE),
        "ort_by": (ort_by(remark) or "convention") if ort == "signee" else "",
        "table_date": taken_on,
    }  # fmt: skip


def _first(rows: Sequence[dict[str, str]]) -> dict[str, str]:
    """The row that speaks for a commune listed several times: signed first (earliest
    signature), then in progress, not signed, ended; the latest update among equals."""
    latest = sorted(rows, key=lambda r: r["actualise_le"], reverse=True)
    return min(latest, key=lambda r: (_RANK[r["ort"]], r["ort_signee_le"] or "9999"))


def convert_anct(
    raw: Iterable[Mapping[str, str]],
    *,
    programmes: Mapping[str, Programme] | None = None,
    taken_on: _dt.date | None = None,
) -> list[dict[str, str]]:
    """ortgeo's table of ORT communes (columns :data:`ORT_FIELDS`) from the ANCT rows.

    Parameters
    ----------
    raw : iterable of dict
        Rows of :func:`parse_anct_csv`.
    programmes : mapping, optional
        The communes of the programme lists by INSEE code: their ``acv``/``pvd`` flags are
        added to the table's own, and an ACV commune without a row gets one (« absente du
        tableau de suivi ORT de l'ANCT »).
    taken_on : datetime.date, optional
        When the table was taken (the download date); default the latest update of a row.

    Returns
    -------
    list of dict
        One row per INSEE code, sorted by code, every value text: ``ort`` is ``signee``,
        ``non-signee``, ``en-cours``, ``terminee`` or ``inconnu``; ``ort_signee_le`` the ISO
        date of signature as recorded (signed rows only); ``ort_by`` ``"arrete"`` (the
        remark says the ORT came from a prefectoral order), ``"convention"`` (signed, no
        order named) or ``""`` (not signed); ``table_date`` the table's date (ISO).

    Examples
    --------
    >>> raw = [{"Commune": "62 - Lens", "Code commune": "62498", "EPCI": "CA de Lens - Liévin",
    ...         "Département": "Pas-de-Calais", "Statut de la commune": "1. Commune ACV",
    ...         "Signée ?": "Signée", "Si signée, date de signature": "2019-08-04",
    ...         "Remarques": "par arrêté préfectoral", "Dernière actualisation":
    ...         "09-12-2022 14:13", "ACV": "true", "PVD": "false"}]
    >>> row = convert_anct(raw)[0]
    >>> row["nom"], row["ort"], row["ort_signee_le"], row["ort_by"], row["table_date"]
    ('Lens', 'signee', '2019-08-04', 'arrete', '2022-12-09')
    """
    rows = [_one_row(r, "") for r in raw if r["Code commune"].strip()]
    by_code: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_code.setdefault(row["insee"], []).append(row)
    table = {code: _first(group) for code, group in by_code.items()}
    progs = programmes or {}
    for code in sorted(set(progs) - set(table)):  # ACV communes without a row
        if progs[code].acv:
            table[code] = dict.fromkeys(ORT_FIELDS, "") | {
                "insee": code, "nom": progs[code].name, "programme": "acv", "ort": "inconnu",
                "remarque": "absente du tableau de suivi ORT de l'ANCT",
            }  # fmt: skip
    for code, row in table.items():
        prog = progs.get(code, Programme(""))
        row["acv"] = str(row["acv"] == "True" or prog.acv or row["programme"] == "acv")
        row["pvd"] = str(row["pvd"] == "True" or prog.pvd or row["programme"] == "pvd")
    date = taken_on.isoformat() if taken_on else max(r["actualise_le"] for r in rows)
    for row in table.values():
        row["table_date"] = date
    return [table[code] for code in sorted(table)]


def ort_table_csv(rows: Iterable[Mapping[str, str]]) -> bytes:
    """ortgeo's table of ORT communes as CSV bytes (UTF-8, ``\\n``), columns :data:`ORT_FIELDS`.

    Examples
    --------
    >>> ort_table_csv([]).decode().strip() == ",".join(ORT_FIELDS)
    True
    """
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=ORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """The rows of one of ortgeo's CSV tables as text (gzip when the name ends in ``.gz``).

    Examples
    --------
    >>> from ortgeo.communes import communes_path
    >>> read_csv_rows(communes_path() / "cog_epci.csv.gz")[0].keys()
    dict_keys(['siren', 'nom', 'type'])
    """
    raw = Path(path).read_bytes()
    if str(path).endswith(".gz"):
        raw = gzip.decompress(raw)
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))


_HEAD = re.compile(rb'\{"type":"Feature","bbox":\[([^\]]*)\],"properties":\{"code":"([^"]*)"')


def read_outline_lines(path: Path) -> tuple[list[bytes], np.ndarray, list[str]]:
    """The features of a bundled outline file, unparsed, their bounding boxes and codes.

    The file (gzip GeoJSON, written by ``tools/build_commune_extracts.py``) holds one
    feature per line, each starting with its ``bbox`` and its ``code``: finding the outline
    of one point parses only the features whose box holds it (:func:`parse_outline`).

    Returns
    -------
    lines : list of bytes
        One JSON feature per item.
    bbox : numpy.ndarray
        ``(n, 4)`` minx, miny, maxx, maxy in degrees.
    codes : list of str
        The ``code`` property of each feature.

    Examples
    --------
    >>> from ortgeo.communes import communes_path
    >>> lines, bbox, codes = read_outline_lines(communes_path() / "communes_62.geojson.gz")
    >>> len(lines) == len(bbox) == len(codes), bbox.shape[1], "62041" in codes
    (True, 4, True)
    """
    text = gzip.decompress(Path(path).read_bytes())
    start = b'{"type":"Feature",'
    lines = [line.rstrip(b",") for line in text.split(b"\n") if line.startswith(start)]
    boxes, codes = [], []
    for line in lines:
        match = _HEAD.match(line)
        if match is None:  # pragma: no cover - the bundled files are written so
            raise InputFileError(f"{path}: a feature without a leading bbox and code.")
        boxes.append([float(v) for v in match.group(1).split(b",")])
        codes.append(match.group(2).decode("utf-8"))
    return lines, np.array(boxes, dtype=float).reshape(-1, 4), codes


def parse_outline(line: bytes) -> tuple[shapely.Geometry, dict[str, Any]]:
    """The geometry and properties of one feature of :func:`read_outline_lines`.

    Examples
    --------
    >>> geom, props = parse_outline(b'{"type":"Feature","bbox":[0,0,1,1],"properties":{"code":'
    ...     b'"x"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}')
    >>> geom.geom_type, props
    ('Polygon', {'code': 'x'})
    """
    feature = json.loads(line)
    return shapely.geometry.shape(feature["geometry"]), dict(feature["properties"])

"""Cadastral parcels: what notaries bring (a deed, a DIA, a building permit names a parcel).

A parcel is named by its IDU (*identifiant unique*, 14 characters: INSEE code 5, prefix 3,
section 2, number 4 — ``62498000AB0123``) or, with the commune given apart, by
``"AB 123"`` / ``"section AB n° 123"``. Its geometry comes from the Etalab cadastre file of
its commune (``cadastre-62498-parcelles.json.gz``, :func:`download_cadastre`, or a file
passed by hand).

For each sector in force on the date, a parcel is *entirely inside*, *straddling* the limit
(with the area and the share inside) or *outside*, in Lambert-93; its status is ``limite``
when any part of it lies within the sector's band (the accuracy of the sector), as for a
point. The composite "in an ORT sector" follows the rule of points
(:func:`ortgeo.locate.composite`).
"""

from __future__ import annotations

import dataclasses
import os
import re
import string
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ortgeo.catalog import Catalog
from ortgeo.crs import L93, WGS84
from ortgeo.dates import DateLike
from ortgeo.engine.composite import apply_coverage
from ortgeo.errors import (
    CadastreFileError,
    InvalidURLError,
    ParcelReferenceError,
)
from ortgeo.inforce import PerimetersInForce, layer_key, on
from ortgeo.io.cadastre import check_cadastre_file, read_cadastre
from ortgeo.io.tables import column
from ortgeo.locate import ORT_KEY, STATUSES, composite, locate
from ortgeo.model import EXTENT_CODE
from ortgeo.output import atomic_path, make_folder
from ortgeo.status import Status, Timing
from ortgeo.texts import note, render, validity
from ortgeo.verdict import Verdict, verdict_from_row

__all__ = [
    "CADASTRE_URL",
    "CadastreFileError",
    "ParcelRef",
    "ParcelReferenceError",
    "ParcelVerdict",
    "cadastre_path",
    "check_parcel",
    "check_parcels",
    "download_cadastre",
    "parse_parcel_ref",
]

#: Etalab cadastre file of a commune; ``{dep}`` and ``{insee}`` are filled in.
#: ``$ORTGEO_CADASTRE_URL`` overrides it.
CADASTRE_URL = (
    "https://cadastre.data.gouv.fr/data/etalab-cadastre/latest/geojson/communes/"
    "{dep}/{insee}/cadastre-{insee}-parcelles.json.gz"
)
#: Part of a parcel's area below which it does not count as inside (or outside): float noise.
_SLIVER = 1e-9
_INSEE = r"(?:\d{5}|2[AB]\d{3})"
_IDU = re.compile(rf"^({_INSEE})([0-9]{{3}})([0-9A-Z]{{2}})([0-9]{{4}})$")
_SHORT = re.compile(
    r"^(?:(?:SECTION|SECT\.?|SEC\.?)\s*)?([0-9]{0,3}?)\s*([0-9A-Z]{1,2})\s*[-/ ]?\s*"
    r"(?:(?:N\s*°|N°|NO\.?|N\.|NUMERO|NUMÉRO|PARCELLE|N)\s*)?([0-9]{1,4})$"
)


@dataclasses.dataclass(frozen=True)
class ParcelRef:
    """A cadastral parcel reference.

    Examples
    --------
    >>> ParcelRef("62498", "000", "AB", "0123").idu
    '62498000AB0123'
    """

    insee: str
    prefix: str
    section: str
    number: str

    @property
    def idu(self) -> str:
        """The 14-character IDU."""
        return f"{self.insee}{self.prefix}{self.section}{self.number}"

    @property
    def label(self) -> str:
        """French label: ``section AB n° 123``."""
        return note("parcel_label", ref=self)


def parse_parcel_ref(text: str, citycode: str | None = None) -> ParcelRef:
    """Read a parcel reference: an IDU, or ``"AB 123"`` / ``"section AB n° 123"`` with ``citycode``.

    Parameters
    ----------
    text : str
        ``"62498000AB0123"``, ``"62498 000 AB 0123"``, ``"AB 123"``, ``"section AB n° 123"``,
        ``"0A 12"``, ``"123 AB 45"`` (prefix 123, of an absorbed commune).
    citycode : str, optional
        INSEE code of the commune, needed for the short forms.

    Raises
    ------
    ParcelReferenceError
        Neither form, or a short form without a commune.

    Examples
    --------
    >>> parse_parcel_ref("62498000AB0123").label
    'section AB n° 123'
    >>> parse_parcel_ref("section ab n° 45", citycode="62498").idu
    '62498000AB0045'
    >>> parse_parcel_ref("AB 45")
    Traceback (most recent call last):
    ...
    ortgeo.errors.ParcelReferenceError: Parcel reference 'AB 45' has no commune: ...
    """
    raw = "" if text is None else str(text)
    clean = " ".join(raw.replace("\u00a0", " ").upper().split())
    glued = re.sub(r"[\s.\-]", "", clean)
    found = _IDU.match(glued)
    if found:
        insee, prefix, section, number = found.groups()
        return ParcelRef(insee, prefix, section, number)
    short = _SHORT.match(clean)
    if not short or not clean:
        raise ParcelReferenceError(
            f"Parcel reference {raw!r} is not readable: give the 14-character IDU "
            "(INSEE 5 + prefix 3 + section 2 + number 4, e.g. 62498000AB0123) or "
            "'AB 123' / 'section AB n° 123' with the commune (--citycode)."
        )
    prefix, section, number = short.groups()
    if citycode is None or not str(citycode).strip():
        raise ParcelReferenceError(
            f"Parcel reference {raw!r} has no commune: give the IDU (e.g. 62498000AB0123) "
            "or the commune's INSEE code (--citycode 62498).",
            missing_commune=True,
        )
    insee = str(citycode).strip().upper()
    if not re.fullmatch(_INSEE, insee):
        raise ParcelReferenceError(
            f"Commune code {citycode!r} is not an INSEE code (5 characters, e.g. 62498)."
        )
    return ParcelRef(insee, prefix.zfill(3), section.zfill(2), number.zfill(4))


# -- cadastre files ---------------------------------------------------------------------
def _departement(insee: str) -> str:
    return insee[:3] if insee.startswith("97") else insee[:2]


def cadastre_path(insee: str) -> Path:
    """Where :func:`download_cadastre` writes a commune's file (in the cache folder).

    Examples
    --------
    >>> cadastre_path("62498").name
    'cadastre-62498-parcelles.json.gz'
    """
    from ortgeo.cachedir import cache_dir

    return cache_dir() / "cadastre" / f"cadastre-{insee}-parcelles.json.gz"


def download_cadastre(
    insee: str,
    dest: str | Path | None = None,
    *,
    url: str | None = None,
    session: Any = None,
    progress: bool = False,
) -> Path:
    """Download the Etalab cadastre parcels of a commune (``cadastre-62498-parcelles.json.gz``).

    Parameters
    ----------
    insee : str
        INSEE code of the commune.
    dest : str or Path, optional
        Folder to write into (default: ``<cache dir>/cadastre``, where
        :func:`check_parcel` looks).
    url : str, optional
        Full URL or a template with ``{dep}`` and ``{insee}`` (default :data:`CADASTRE_URL`
        or ``$ORTGEO_CADASTRE_URL``).
    session : requests.Session, optional
        HTTP transport.
    progress : bool
        Draw a progress bar on stderr.

    Examples
    --------
    >>> download_cadastre("Lens")
    Traceback (most recent call last):
    ...
    ortgeo.errors.ParcelReferenceError: Commune code 'Lens' is not an INSEE code ...
    """
    from ortgeo.geocoders.transport import download_file

    code = str(insee).strip().upper()
    if not re.fullmatch(_INSEE, code):
        raise ParcelReferenceError(
            f"Commune code {insee!r} is not an INSEE code (5 characters, e.g. 62498)."
        )
    template = url or os.environ.get("ORTGEO_CADASTRE_URL") or CADASTRE_URL
    full_url = _fill_url(template, dep=_departement(code), insee=code)
    target = cadastre_path(code)
    if dest is not None:
        target = Path(dest) / target.name
    make_folder(target.parent)  # checked before the download
    hint = (
        "Download it by hand from cadastre.data.gouv.fr (Etalab, format GeoJSON, parcelles) "
        "and pass it with --cadastre FILE."
    )
    with atomic_path(target) as tmp:  # moved into place only once complete and checked
        download_file(
            full_url, tmp, service="The cadastre download server", hint=hint, session=session,
            progress=progress,
        )  # fmt: skip
        try:
            check_cadastre_file(tmp, name=f"{target.name} (from {full_url})")
        except CadastreFileError as exc:
            raise CadastreFileError(f"{exc} Nothing was kept.") from None
    return target


def _fill_url(template: str, **values: str) -> str:
    """``template`` with its ``{placeholders}`` filled; an unknown one is refused by name.

    Examples
    --------
    >>> _fill_url("https://x/{dep}/{insee}.json.gz", dep="62", insee="62498")
    'https://x/62/62498.json.gz'
    >>> _fill_url("https://x/{departement}.json.gz", dep="62", insee="62498")
    Traceback (most recent call last):
    ...
    ortgeo.errors.InvalidURLError: URL template 'https://x/{departement}.json.gz' has an ...
    """
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        raise InvalidURLError(
            f"URL template {template!r} cannot be read ({exc}): write its placeholders as "
            "{dep} and {insee}, and double any other brace."
        ) from None
    unknown = [f for f in fields if f not in values]
    if unknown:
        known = " and ".join("{" + k + "}" for k in values)
        raise InvalidURLError(
            f"URL template {template!r} has an unknown placeholder {{{unknown[0]}}}: use only "
            f"{known} (or a full URL without placeholders)."
        )
    return template.format(**values)


def _load(paths: Iterable[Path]) -> gpd.GeoDataFrame:
    frames = []
    for p in paths:
        if not p.is_file():
            raise CadastreFileError(f"Cadastre file not found: {p}. Check the path.")
        frames.append(read_cadastre(p))
    if len(frames) == 1:
        return frames[0]
    return gpd.GeoDataFrame(pd.concat(frames), crs=L93)


def _cadastre_files(
    insees: Iterable[str], cadastre: str | Path | Sequence[str | Path] | None
) -> tuple[list[Path], str]:
    """The files to read, and their names for messages; missing downloads say how to fix."""
    if cadastre is not None:
        given = [cadastre] if isinstance(cadastre, str | Path) else list(cadastre)
        paths = [Path(p) for p in given]
        return paths, ", ".join(p.name for p in paths)
    codes = sorted(set(insees))
    paths = [cadastre_path(c) for c in codes]
    missing = [c for c, p in zip(codes, paths, strict=True) if not p.is_file()]
    if missing:
        raise CadastreFileError(
            f"No cadastre file for commune(s) {', '.join(missing)}: run `ortgeo cadastre "
            f"download {' '.join(missing)}`, or pass the file with --cadastre FILE."
        )
    return paths, ", ".join(p.name for p in paths)


# -- geometry ---------------------------------------------------------------------------
def _measure(
    geoms: np.ndarray,
    state: PerimetersInForce,
    band_m: float | None = None,
    citycode: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Per parcel (Lambert-93) and per layer in force: position, area inside, share, distance,
    status; then the composite, in the columns of :func:`ortgeo.locate` plus the areas. The
    band is each layer's accuracy, or ``band_m``; ``citycode`` each parcel's commune (the
    first five characters of its IDU)."""
    area = shapely.area(geoms)
    rep = shapely.point_on_surface(geoms)
    frame = pd.DataFrame(locate(gpd.GeoSeries(rep, crs=L93), perimeters=state, band_m=band_m,
                                citycode=citycode).drop(columns="geometry"))  # fmt: skip
    cols: dict[str, Any] = {"parcel_area_m2": area}
    measured: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    table = state.sectors_table  # prepared Lambert-93 geometries and limits, layers order
    for i, layer in enumerate(state.layers):
        key = layer_key(layer.id)
        geometry, boundary = table.geometry[i], table.boundaries[i]
        inside_area = shapely.area(shapely.intersection(geoms, geometry))
        share = np.clip(np.where(area > 0, inside_area / np.where(area > 0, area, 1), 0), 0, 1)
        whole = share >= 1 - _SLIVER
        none = share <= _SLIVER
        to_limit = shapely.distance(geoms, boundary)
        dist = np.where(whole, to_limit, np.where(none, -to_limit, 0.0))
        band = np.full(len(geoms), float(layer.accuracy_m if band_m is None else band_m))
        position = np.where(whole, "inside", np.where(none, "outside", "straddling"))
        codes = np.where(~none, STATUSES.index(Status.DEDANS), STATUSES.index(Status.DEHORS))
        codes[np.abs(dist) <= band] = STATUSES.index(Status.LIMITE)
        measured[key] = (~none, dist, band)
        cols[f"{key}_inside"] = ~none
        cols[f"{key}_distance_m"] = dist
        cols[f"{key}_status"] = pd.Categorical.from_codes(
            codes.astype(np.int8), categories=pd.Index(STATUSES)
        )
        cols[f"{key}_position"] = position
        cols[f"{key}_area_inside_m2"] = inside_area
        cols[f"{key}_share_inside"] = share
    keys = [layer_key(x.id) for x in state.sectors]
    if keys:
        ins = np.stack([measured[k][0] for k in keys])
        dst = np.stack([measured[k][1] for k in keys])
        bnd = np.stack([measured[k][2] for k in keys])
        certain = np.array([state.timing(x) == Timing.IN_FORCE for x in state.sectors])
        codes, who = composite(ins, dst, bnd, certain)
        extent = np.array([EXTENT_CODE.get(str(c), 0) for c in frame["coverage"]], np.int8)
        codes = apply_coverage(codes, extent)  # where ortgeo's knowledge ends
        at = np.arange(len(geoms))
        union_area = shapely.area(shapely.intersection(geoms, state.union_l93))
        cols["ort_inside"] = ins.any(axis=0)
        cols["ort_distance_m"] = dst[who, at]
        cols["ort_band_m"] = bnd[who, at]
        cols["ort_sector"] = np.array([x.id for x in state.sectors], dtype=object)[who]
        cols["ort_status"] = pd.Categorical.from_codes(codes, categories=pd.Index(STATUSES))
        cols["ort_area_inside_m2"] = union_area
        cols["ort_share_inside"] = np.clip(union_area / np.where(area > 0, area, 1), 0, 1)
    out = frame.assign(**cols)
    invalid = ~out["valid"].to_numpy()
    if invalid.any() and keys:
        out.loc[invalid, "ort_status"] = str(Status.INVALIDE)
    return out


# -- one parcel -------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class ParcelVerdict:
    """The answer for one parcel on one date.

    Attributes
    ----------
    query : str
        The reference as given.
    ref : ParcelRef
        The reference read.
    found : bool
        Whether the cadastre file holds the parcel.
    status : str
        ``dedans`` / ``dehors`` / ``limite`` / ``date-incertaine`` / ``sans-ort`` /
        ``indetermine`` (parcel not in the cadastre file, commune without sectors) /
        ``invalide``.
    reason : str
        French reason when the answer is not firm.
    area_m2 : float
        Area of the parcel (Lambert-93), NaN when not found.
    verdict : Verdict or None
        The verdict of the parcel (sectors, notes), None when not found.
    measures : dict
        Per layer key (and ``ort``): ``position``, ``area_inside_m2``, ``share_inside``.
    cadastre : str
        Name of the cadastre file read.
    """

    query: str
    ref: ParcelRef
    found: bool
    status: str
    reason: str
    area_m2: float
    verdict: Verdict | None
    measures: dict[str, dict[str, Any]]
    cadastre: str

    @property
    def inside(self) -> bool | None:
        """True/False for a firm answer about the ORT sectors, None otherwise."""
        return self.verdict.inside if self.verdict is not None else None

    def explain(self) -> str:
        """A short French explanation (which part of the parcel lies in which sector).

        Examples
        --------
        >>> print(ParcelVerdict.not_found(parse_parcel_ref("62498000AB0123"), "x.json",
        ...       "2024-06-01").explain())  # doctest: +ELLIPSIS
        Parcelle 62498000AB0123 (section AB n° 123), commune 62498
        ...INDÉTERMINÉ — parcelle 62498000AB0123 (section AB n° 123) absente du fichier...
        """
        v = self.verdict
        rows = []
        if v is not None:
            for res in (*v.sectors, *v.others):
                m = self.measures[res.key]
                rows.append({"res": res, "m": m, "other": res.layer is not None
                             and not res.layer.is_ort_sector,
                             "validity": validity(res.layer) if res.layer else ""})  # fmt: skip
        head = note("head", status=self.status, where=v.ort.where() if v and v.ort else "",
                    name=_decider(v), reason=self.reason, first_after=None)  # fmt: skip
        return render("parcel.txt.j2", p=self, head=head, rows=rows,
                      notes=v.notes() if v is not None else [])  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: the parcel, then the verdict with ``area_inside_m2`` and
        ``share_inside`` (0 to 1) per sector.

        Examples
        --------
        >>> d = ParcelVerdict.not_found(parse_parcel_ref("62498000AB0123"), "x", None).to_dict()
        >>> d["parcel"]["idu"], d["status"], d["parcel"]["found"]
        ('62498000AB0123', 'indetermine', False)
        """
        base = self.verdict.to_dict() if self.verdict is not None else {
            "status": self.status, "inside": None, "reason": self.reason, "ort": None,
            "layers": [], "notes": [],
        }  # fmt: skip
        for item in [base.get("ort"), *base.get("layers", [])]:
            if item and item.get("key") in self.measures:
                item.update(self.measures[item["key"]])
        area = None if not np.isfinite(self.area_m2) else round(float(self.area_m2), 1)
        parcel = {
            "query": self.query, "idu": self.ref.idu, "insee": self.ref.insee,
            "prefix": self.ref.prefix, "section": self.ref.section, "number": self.ref.number,
            "found": self.found, "area_m2": area, "cadastre": self.cadastre,
        }  # fmt: skip
        return {"parcel": parcel, **base, "status": self.status, "reason": self.reason}

    @classmethod
    def not_found(cls, ref: ParcelRef, cadastre: str, date: DateLike, query: str = "") -> Any:
        """The answer for a reference the cadastre file does not hold."""
        reason = note("parcel_not_found", ref=ref, cadastre=cadastre)
        return cls(query=query or ref.idu, ref=ref, found=False, status=str(Status.INDETERMINE),
                   reason=reason, area_m2=float("nan"), verdict=None, measures={},
                   cadastre=cadastre)  # fmt: skip


def _decider(v: Verdict | None) -> str:
    if v is None or v.ort is None or v.ort.decided_by is None:
        return ""
    return v.state.catalog[v.ort.decided_by].name


def _measures(row: pd.Series, state: PerimetersInForce) -> dict[str, dict[str, Any]]:
    out = {}
    keys = [layer_key(x.id) for x in state.layers] + ([ORT_KEY] if state.has_ort else [])
    for key in keys:
        share = float(row[f"{key}_share_inside"])
        position = row.get(f"{key}_position")
        if position is None:  # the composite
            position = "inside" if share >= 1 - _SLIVER else "outside" if share <= _SLIVER else (
                "straddling")  # fmt: skip
        out[key] = {
            "position": str(position),
            "area_inside_m2": round(float(row[f"{key}_area_inside_m2"]), 1),
            "share_inside": round(share, 4),
        }
    return out


def check_parcel(
    reference: str,
    date: DateLike = None,
    catalog: Catalog | None = None,
    *,
    citycode: str | None = None,
    cadastre: str | Path | Sequence[str | Path] | None = None,
    band_m: float | None = None,
) -> ParcelVerdict:
    """Check one cadastral parcel against the ORT sectors in force on ``date``.

    Parameters
    ----------
    reference : str
        IDU (``"62498000AB0123"``) or ``"AB 123"`` / ``"section AB n° 123"`` with
        ``citycode``.
    date, catalog
        Date (default today) and catalogue (default: the bundled one).
    citycode : str, optional
        INSEE code of the commune, for the short references.
    cadastre : path or paths, optional
        Etalab cadastre file(s) (``.json`` or ``.json.gz``); default: the file of the
        commune downloaded by ``ortgeo cadastre download`` into the cache folder.
    band_m : float, optional
        Width of the ``limite`` band in metres (default: each sector's accuracy).

    Returns
    -------
    ParcelVerdict

    Raises
    ------
    ParcelReferenceError
        A reference that cannot be read.
    CadastreFileError
        No cadastre file for the commune, or a file that cannot be read.

    Examples
    --------
    >>> check_parcel("62498000AB0123", cadastre="missing.json")
    Traceback (most recent call last):
    ...
    ortgeo.errors.CadastreFileError: Cadastre file not found: missing.json. Check the path.
    """
    ref = parse_parcel_ref(reference, citycode)
    paths, names = _cadastre_files([ref.insee], cadastre)
    parcels = _load(paths)
    state = on(date, catalog)
    if ref.idu not in parcels.index:
        return ParcelVerdict.not_found(ref, names, state.date, query=str(reference))
    geom = np.asarray([parcels.geometry.loc[ref.idu]], dtype=object)
    row = _measure(geom, state, band_m, [ref.insee]).iloc[0]
    verdict = verdict_from_row(row, state, band_m=band_m, citycode=ref.insee)
    return ParcelVerdict(
        query=str(reference), ref=ref, found=True, status=verdict.status, reason=verdict.reason,
        area_m2=float(row["parcel_area_m2"]), verdict=verdict, measures=_measures(row, state),
        cadastre=names,
    )  # fmt: skip


# -- a table of parcels -----------------------------------------------------------------
def check_parcels(
    table: pd.DataFrame | str | Path,
    parcel_col: str = "parcelle",
    *,
    citycode: str | None = None,
    citycode_col: str | None = None,
    date: DateLike = None,
    catalog: Catalog | None = None,
    cadastre: str | Path | Sequence[str | Path] | None = None,
    sep: str | None = None,
    encoding: str | None = None,
) -> pd.DataFrame:
    """Check every parcel of a table; every row kept, in order, with its verdict.

    Parameters
    ----------
    table : DataFrame or path
        The table, or a CSV file (read by :func:`ortgeo.read_table`).
    parcel_col : str
        Column of parcel references (IDU, or ``"AB 123"`` with a commune).
    citycode, citycode_col : str, optional
        The commune of every row, or a column holding each row's commune (for short forms).
    date, catalog
        Date and catalogue of the perimeters.
    cadastre : path or paths, optional
        Etalab cadastre file(s); default: each commune's downloaded file.

    Returns
    -------
    pandas.DataFrame
        The input columns untouched, then ``parcel_idu``, ``parcel_area_m2``,
        ``parcel_lon``/``parcel_lat`` (a point inside the parcel), ``ort_status``,
        ``ort_area_inside_m2``, ``ort_share_inside``, ``ort_sector``, per layer in force
        ``<key>_status``, ``<key>_position`` (inside / straddling / outside),
        ``<key>_area_inside_m2``, ``<key>_share_inside``, ``<key>_distance_m``, then
        ``commune_insee``, ``verdict`` and ``verdict_reason``. A malformed reference
        gives ``invalide``, a parcel absent from the file ``indetermine``, with the reason.

    Examples
    --------
    >>> df = pd.DataFrame({"parcelle": ["n'importe quoi"]})
    >>> check_parcels(df, cadastre=[])[["verdict", "verdict_reason"]].iloc[0].tolist()[0]
    'invalide'
    """
    from ortgeo.io.tables import read_table

    df = table.copy() if isinstance(table, pd.DataFrame) else read_table(table, sep, encoding)
    references = column(df, parcel_col, "--parcel-col").tolist()
    n = len(df)
    cities = column(df, citycode_col).tolist() if citycode_col else [citycode] * n
    refs: list[ParcelRef | None] = []
    status = np.full(n, str(Status.INVALIDE), dtype=object)
    reason = np.full(n, "", dtype=object)
    for i, (text, city) in enumerate(zip(references, cities, strict=True)):
        try:
            refs.append(parse_parcel_ref(text, city or None))
        except ParcelReferenceError as exc:
            refs.append(None)
            reason[i] = note("parcel_malformed", query=str(text),
                             missing_commune=exc.missing_commune)  # fmt: skip
    state = on(date, catalog)
    paths, names = _cadastre_files({r.insee for r in refs if r is not None}, cadastre)
    parcels = _load(paths) if paths else None
    idu = np.array([r.idu if r is not None else None for r in refs], dtype=object)
    known = np.array([parcels is not None and r is not None and r.idu in parcels.index
                      for r in refs], dtype=bool)  # fmt: skip
    for i in np.flatnonzero(~known).tolist():
        ref = refs[i]
        if ref is not None:
            status[i] = str(Status.INDETERMINE)
            reason[i] = note("parcel_not_found", ref=ref, cadastre=names or "aucun fichier")
    added: dict[str, Any] = {"parcel_idu": idu, "parcel_area_m2": np.full(n, np.nan)}
    where = np.flatnonzero(known)
    if len(where):
        assert parcels is not None
        geoms = parcels.geometry.loc[list(idu[where])].to_numpy()
        measured = _measure(geoms, state, citycode=[str(c)[:5] for c in idu[where]])
        lonlat = gpd.GeoSeries(shapely.point_on_surface(geoms), crs=L93).to_crs(WGS84)
        wanted: dict[str, int | None] = {
            "parcel_area_m2": 1, "ort_area_inside_m2": 1, "ort_share_inside": 4,
        }  # fmt: skip
        wanted["ort_sector"] = None
        for layer in state.layers:
            key = layer_key(layer.id)
            wanted |= {f"{key}_status": None, f"{key}_position": None,
                       f"{key}_area_inside_m2": 1, f"{key}_share_inside": 4,
                       f"{key}_distance_m": 1}  # fmt: skip
        added["parcel_lon"] = _spread(n, where, lonlat.x.round(7).to_numpy(), np.nan)
        added["parcel_lat"] = _spread(n, where, lonlat.y.round(7).to_numpy(), np.nan)
        added["ort_status"] = _spread(n, where, measured["ort_status"].astype(object), None)
        for col, digits in wanted.items():
            if col not in measured.columns:
                continue
            values = measured[col].to_numpy()
            if digits is not None:
                values = np.round(values.astype(float), digits)
            else:
                values = values.astype(object)
            added[col] = _spread(n, where, values, np.nan if digits is not None else None)
        for j, i in enumerate(where.tolist()):
            row = measured.iloc[j]
            if not row["valid"]:
                status[i], reason[i] = str(Status.INVALIDE), str(row["reason"])
                continue
            v = verdict_from_row(row, state, citycode=str(idu[i])[:5])
            status[i], reason[i] = v.status, v.reason
    added["commune_insee"] = np.array([r.insee if r is not None else None for r in refs],
                                      dtype=object)  # fmt: skip
    added["verdict"] = status
    added["verdict_reason"] = reason
    out = pd.DataFrame(
        {(f"{k}_ortgeo" if k in df.columns else k): v for k, v in added.items()}, index=df.index
    )
    return pd.concat([df, out], axis=1)


def _spread(n: int, where: np.ndarray, values: Any, fill: Any) -> np.ndarray:
    out = np.full(n, fill, dtype=object if fill is None else float)
    out[where] = values
    return out

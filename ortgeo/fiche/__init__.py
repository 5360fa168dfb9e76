"""The fiche de situation: one A4 page a notary can file, for one address, point or parcel.

:func:`make_fiche` builds it once from an answer (a :class:`~ortgeo.Verdict`, a parcel's
answer, or their JSON): the address and the parcel, the answer on the date with the acts
in force that day, a map extract with a scale bar (:mod:`ortgeo.maps.extract`), the
contacts the acts name, the fingerprint of the data, the date of the check and the
permalink. :func:`write_fiche` writes it as PDF (fonts embedded) or HTML; ``ortgeo
fiche`` and the service's ``/fiche`` print the same fiche.

>>> import ortgeo, tempfile, pathlib
>>> f = make_fiche(ortgeo.check_point(2.833889, 50.429167, "2024-06-01"), dpi=60)
>>> write_fiche(f, pathlib.Path(tempfile.mkdtemp()) / "fiche.pdf").suffix
'.pdf'
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

import numpy as np

from ortgeo.catalog import Catalog, catalog
from ortgeo.errors import OrtgeoError
from ortgeo.fiche.content import Block, Fiche, fiche_content, permalink
from ortgeo.fiche.html import fiche_html, write_fiche_html
from ortgeo.fiche.pdf import fiche_pdf, write_fiche_pdf
from ortgeo.maps.tiles import Basemap

__all__ = [
    "FORMATS", "Block", "Fiche", "fiche_content", "fiche_html", "fiche_pdf", "make_fiche",
    "permalink", "write_fiche",
]  # fmt: skip

#: The formats of a fiche, by the output's extension.
FORMATS = (".pdf", ".html")
_MAP_MM = (180.0, 82.0)


def _parcel_of(
    answer: dict[str, Any], cadastre: Any
) -> tuple[dict[str, Any] | None, Any, str, str]:
    """The parcel of the answer (given, or the one holding the point) from the cadastre
    files: (its JSON, its geometry, the file names searched, the credit line)."""
    import shapely

    from ortgeo.crs import L93
    from ortgeo.maps.cadastre import PARCELLE, read_cadastre
    from ortgeo.parcels import parse_parcel_ref

    parcels, credit = read_cadastre(cadastre)
    names = ", ".join(Path(p).name for p in ([cadastre] if isinstance(cadastre, str | Path)
                                             else cadastre))  # fmt: skip
    parcels = parcels[parcels["kind"] == PARCELLE]
    given = answer.get("parcel")
    if given:
        hit = parcels[parcels["id"] == given["idu"]]
        return given, hit.geometry.iloc[0] if len(hit) else None, names, credit
    point = answer.get("point") or {}
    if point.get("lon") is None:
        return None, None, names, credit
    spot = shapely.Point(point["lon"], point["lat"])
    hits = parcels.sindex.query(spot, predicate="intersects")
    if not len(hits):
        return None, None, names, credit
    row = parcels.iloc[int(np.sort(hits)[0])]
    ref = parse_parcel_ref(str(row["id"]))
    area = float(parcels.loc[[row.name]].to_crs(L93).area.iloc[0])
    info = {"query": ref.idu, "idu": ref.idu, "insee": ref.insee, "prefix": ref.prefix,
            "section": ref.section, "number": ref.number, "found": True,
            "area_m2": round(area, 1), "cadastre": names}  # fmt: skip
    return info, row.geometry, names, credit


def make_fiche(
    answer: Any,
    catalog_: Catalog | None = None,
    *,
    basemap: str | Path | Basemap | None = None,
    cadastre: str | Path | list[str | Path] | None = None,
    permalink: str = "",
    redo: str = "",
    checked_at: _dt.datetime | None = None,
    dpi: float = 200.0,
) -> Fiche:
    """The fiche of one answer.

    Parameters
    ----------
    answer : Verdict, ParcelVerdict or dict
        The answer, or its JSON (``to_dict()``, what the API returns).
    catalog_ : Catalog, optional
        The catalogue the answer used (default: the bundled one), for the map.
    basemap : str, path or Basemap, optional
        Background tiles or raster of the map extract (default: none, offline).
    cadastre : path or list of paths, optional
        Etalab cadastre files: the parcel holding the point is named on the fiche, and
        the parcels are the map's background.
    permalink : str
        The address of the answer on the service, printed in full.
    redo : str
        The command that redoes the check (printed when there is no permalink).
    checked_at : datetime, optional
        When the check was made (default now).
    dpi : float
        Resolution of the map extract.

    Returns
    -------
    Fiche
    """
    from ortgeo.maps.extract import extract_figure, extract_png, extract_span

    data: dict[str, Any] = answer if isinstance(answer, dict) else answer.to_dict()
    data = dict(data)
    cat = catalog_ or catalog()
    parcel_geom, searched, background = None, "", ""
    if cadastre:
        parcel, parcel_geom, searched, background = _parcel_of(data, cadastre)
        if parcel is not None:
            data["parcel"] = parcel
            searched = ""
    point = data.get("point") or {}
    png = b""
    if point.get("lon") is not None:
        ort = data.get("ort") or {}
        fig = extract_figure(
            point["lon"], point["lat"], data["date"], cat, size_mm=_MAP_MM, dpi=dpi,
            span_m=extract_span(ort.get("distance_m")), basemap=basemap, cadastre=cadastre,
            parcel=parcel_geom,
        )  # fmt: skip
        png = extract_png(fig)
        if basemap is not None:
            from ortgeo.maps.tiles import resolve_basemap

            background = resolve_basemap(basemap).credit
    acts = {a.id: a.short or a.title for a in cat.acts}
    return fiche_content(data, map_png=png, map_size_mm=_MAP_MM, background=background,
                         checked_at=checked_at, permalink=permalink, redo=redo,
                         no_parcel=searched, acts=acts)  # fmt: skip


def write_fiche(fiche: Fiche, path: str | Path) -> Path:
    """Write a fiche as PDF or HTML, by the extension of ``path``."""
    suffix = Path(path).suffix.lower()
    if suffix == ".pdf":
        return write_fiche_pdf(fiche, path)
    if suffix == ".html":
        return write_fiche_html(fiche, path)
    raise OrtgeoError(f"A fiche is written as {' or '.join(FORMATS)}, not {suffix or path!r}.")

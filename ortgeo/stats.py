"""Counts of points per sector, territory, status and commune (the analysts' question).

Built on the streaming engine: a file of any size is read in chunks and only the
counts are kept. A sector counts the points inside it (``dedans``) or within its band
(``limite``); a territory counts its composite statuses; a commune (from an INSEE column
of the input, e.g. a BAN export's ``code_insee``) counts its points by composite status.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ortgeo.engine import SectorResult, as_sectors, locate_sectors
from ortgeo.errors import InputFileError
from ortgeo.io.pointfiles import COMMUNE_COLUMNS
from ortgeo.output import atomic_path, check_outputs, write_csv
from ortgeo.status import STATUSES

__all__ = ["CHART_SUFFIXES", "COMMUNE_COLUMNS", "sector_stats", "write_stats"]

_COLUMNS = ["level", "key", "name", "territory", *STATUSES, "total"]


class _Counter:
    def __init__(self, sectors: Any):
        self.sectors = sectors
        self.by_sector = np.zeros((len(sectors.all_ids), len(STATUSES)), np.int64)
        n_terr = len(sectors.territory.categories)
        self.by_territory = np.zeros((n_terr, len(STATUSES)), np.int64)
        self.by_status = np.zeros(len(STATUSES), np.int64)
        self.by_commune: pd.DataFrame | None = None

    def add(self, result: SectorResult, communes: np.ndarray | None) -> None:
        long, terr, pts = result.long, result.territories, result.points
        np.add.at(self.by_sector, (long["sector"].cat.codes, long["status"].cat.codes), 1)
        np.add.at(self.by_territory, (terr["territory"].cat.codes, terr["status"].cat.codes), 1)
        self.by_status += np.bincount(pts["ort_status"].cat.codes, minlength=len(STATUSES))
        if communes is not None:
            table = pd.crosstab(pd.Series(communes, name="key"), pts["ort_status"].to_numpy())
            self.by_commune = (
                table if self.by_commune is None else self.by_commune.add(table, fill_value=0)
            )

    def frame(self) -> pd.DataFrame:
        s = self.sectors
        names = dict(zip(s.code, s.names, strict=True))
        territory = dict(zip(s.code, np.asarray(s.territory, dtype=object), strict=True))
        rows = []
        for code, counts in enumerate(self.by_sector):
            if code in names:
                rows.append(["sector", s.all_ids[code], names[code], territory[code], *counts])
        present = set(territory.values())
        for code, counts in enumerate(self.by_territory):
            terr = s.territory.categories[code]
            if terr in present:
                rows.append(["territory", terr, terr, terr, *counts])
        rows.append(["all", "all", "tous les points", "", *self.by_status])
        if self.by_commune is not None:
            table = self.by_commune.reindex(columns=list(STATUSES), fill_value=0).fillna(0)
            for key, row in table.astype(np.int64).iterrows():
                rows.append(["commune", key, key, "", *row.tolist()])
        out = pd.DataFrame(rows, columns=_COLUMNS[:-1])
        out["total"] = out[list(STATUSES)].sum(axis=1)
        return out


def sector_stats(
    points: Any,
    catalog: Any = None,
    date: Any = None,
    *,
    band_m: float | None = None,
    commune_column: str | None = None,
    chunk_size: int = 500_000,
    progress: bool = False,
) -> pd.DataFrame:
    """Counts of points by status per sector, per territory, overall and per commune.

    Parameters
    ----------
    points : path or table
        A points file (read in chunks, see :func:`ortgeo.locate_file`) or a table /
        GeoDataFrame accepted by :func:`ortgeo.engine.locate_sectors`.
    catalog, date, band_m
        As in :func:`ortgeo.locate_file`.
    commune_column : str, optional
        Column with each point's INSEE code (default: the first of
        :data:`COMMUNE_COLUMNS` present; no commune rows when there is none).

    Returns
    -------
    pandas.DataFrame
        ``level`` (``sector``, ``territory``, ``all``, ``commune``), ``key``, ``name``,
        ``territory``, one count column per status, ``total``. A sector's ``dehors``
        is 0: points far from a sector are not counted against it.

    Examples
    --------
    >>> t = pd.DataFrame({"lon": [2.833889, 2.832308], "lat": [50.429167, 50.45],
    ...                   "code_insee": ["62498", "62498"]})
    >>> s = sector_stats(t, date="2024-06-01")
    >>> s.loc[s["level"] == "commune", ["key", "dedans", "dehors"]].values.tolist()
    [['62498', 1, 1]]
    """
    sectors = as_sectors(catalog)
    if isinstance(points, str | Path):
        from ortgeo.stream import iter_located

        counter = None
        for table, result, _, _ in iter_located(
            points, sectors, date, chunk_size=chunk_size, band_m=band_m
        ):
            counter = counter or _Counter(result.sectors)
            column = _commune_column(table.column_names, commune_column)
            communes = table.column(column).to_numpy(zero_copy_only=False) if column else None
            counter.add(result, None if communes is None else communes.astype(str))
        if counter is None:
            from ortgeo.dates import parse_date

            counter = _Counter(sectors.in_force(parse_date(date)))
        return counter.frame()
    result = locate_sectors(points, sectors, date, band_m=band_m)
    counter = _Counter(result.sectors)
    columns = list(getattr(points, "columns", []))
    column = _commune_column(columns, commune_column)
    counter.add(result, np.asarray(points[column]).astype(str) if column else None)
    return counter.frame()


def _commune_column(columns: list[str], wanted: str | None) -> str | None:
    if wanted is not None:
        if wanted not in columns:
            raise InputFileError(
                f"Commune column {wanted!r} not in the points: it has {columns[:20]}."
            )
        return wanted
    return next((c for c in COMMUNE_COLUMNS if c in columns), None)


#: Chart formats :func:`write_stats` draws (matplotlib, by extension).
CHART_SUFFIXES = (".png", ".svg", ".pdf")


def write_stats(
    stats: pd.DataFrame, csv_path: str | Path, chart_path: str | Path | None = None, top: int = 20
) -> list[Path]:
    """Write the counts as CSV (every row) and, optionally, a chart (PNG/SVG/PDF) of the
    ``top`` busiest sectors and, when there are several territories, the ``top`` busiest
    territories (points ``dedans`` or ``limite``), so that it stays readable with thousands
    of sectors.

    Both go through :mod:`ortgeo.output`: checked before anything is written (a chart
    format matplotlib does not write is refused first), written atomically.

    Raises
    ------
    OutputFileError
        An output that cannot be written, a chart that is not ``.png``, ``.svg`` or ``.pdf``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> t = pd.DataFrame({"lon": [2.833889], "lat": [50.429167]})
    >>> [p.name for p in write_stats(sector_stats(t, date="2024-06-01"), d / "s.csv", d / "s.png")]
    ['s.csv', 's.png']
    """
    check_outputs({"csv": csv_path, "chart": chart_path}, suffixes={"chart": CHART_SUFFIXES})
    written = [write_csv(stats, csv_path, sep=",")]
    if chart_path is not None:
        with atomic_path(chart_path) as tmp:
            _chart(stats, tmp, top)
        written.append(Path(chart_path))
    return written


def _chart(stats: pd.DataFrame, path: Path, top: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ortgeo.texts import note

    levels = ["sector"]
    if (stats["level"] == "territory").sum() > 1:
        levels.append("territory")
    rows = []
    for level in levels:
        part = stats[stats["level"] == level]
        busiest = part.assign(near=part["dedans"] + part["limite"]).nlargest(top, "near")
        rows.append((level, len(part), busiest.iloc[::-1]))
    height = sum(0.3 * max(len(r[2]), 3) + 1.2 for r in rows) + 0.5
    fig, axes = plt.subplots(len(rows), 1, figsize=(8, height), squeeze=False)
    for ax, (level, total, part) in zip(axes[:, 0], rows, strict=True):
        names = part["key"] if level == "territory" else [
            f"{k} ({t})" for k, t in zip(part["key"], part["territory"], strict=True)
        ]  # fmt: skip
        ax.barh(names, part["dedans"], color="#1b7837", label="dedans")
        ax.barh(names, part["limite"], left=part["dedans"], color="#f1a340", label="limite")
        ax.set_xlabel(note("stats_axis"))
        ax.set_title(note("stats_title", level=level, shown=len(part), total=total))
        ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, format=path.suffix.lower().split(".")[-1])
    plt.close(fig)

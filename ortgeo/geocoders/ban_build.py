"""Building the offline BAN index: an address file (BAN export, BAL, BANO) → one SQLite file.

Each chunk of rows is handled with whole-column operations: streets are keyed by
(INSEE code, street name) with :func:`pandas.factorize` and numbered in order of first
appearance, so only the distinct streets, postcodes and suffixes of a chunk go through
Python code. The layout is :mod:`ortgeo.geocoders.ban_store`'s.
"""

from __future__ import annotations

import datetime as _dt
import json
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ortgeo.crs import to_l93_xy
from ortgeo.errors import InputFileError
from ortgeo.geocoders.ban_store import INDEX_VERSION, INDEXES, SCHEMA, SYNTHETIC_SOURCE
from ortgeo.geocoders.formats import iter_addresses
from ortgeo.geocoders.normalize import normalize, normalize_suffix, split_street
from ortgeo.geocoders.progress import progress_iter

__all__ = ["build_ban_index"]

#: The columns an index needs (the others of a BAN export are not read).
INDEX_COLUMNS = (
    "id", "numero", "rep", "nom_voie", "code_postal", "code_insee", "nom_commune",
    "x", "y", "lon", "lat", "source_position",
)  # fmt: skip


def _voie_id(address_id: str) -> str:
    """``62498_0010_00017_bis`` → ``62498_0010``."""
    parts = address_id.split("_")
    return "_".join(parts[:2]) if len(parts) >= 3 else address_id


@dataclass
class _Street:
    citycode: str
    name: str
    voie_id: str
    postcodes: Counter[str] = field(default_factory=Counter)
    n_numbers: int = 0


@dataclass
class _Points:
    """Every address's street and position, kept in memory for the representative points."""

    sid: list[np.ndarray] = field(default_factory=list)
    lonlat: list[np.ndarray] = field(default_factory=list)
    xy: list[np.ndarray] = field(default_factory=list)


def build_ban_index(
    csv_path: str | Path,
    index_path: str | Path,
    citycodes: Sequence[str] | None = None,
    progress: bool = True,
    chunksize: int = 100_000,
) -> Path:
    """Build the offline index from a BAN export (read by chunks).

    Parameters
    ----------
    csv_path : str or Path
        ``adresses-62.csv.gz`` (or its ``.csv``), a BAL file or a BANO CSV.
    index_path : str or Path
        The SQLite file to write (replaced atomically when complete).
    citycodes : sequence of str, optional
        Keep only these communes (e.g. Lens and its neighbours).
    progress : bool
        Draw a progress bar (rows read) on stderr.
    chunksize : int
        Rows read at a time.

    Returns
    -------
    Path
        ``index_path``.

    Raises
    ------
    InputFileError
        Unreadable or not a BAN export; no address left after filtering.

    Examples
    --------
    >>> import tempfile
    >>> from ortgeo.geocoders.ban_store import BanIndex
    >>> from ortgeo.testing import write_synthetic_ban_export
    >>> csv = write_synthetic_ban_export(Path(tempfile.mkdtemp()) / "a.csv.gz", n_rows=300)
    >>> path = build_ban_index(csv, csv.with_name("index.sqlite"), progress=False)
    >>> BanIndex(path).stats()["addresses"]
    300
    """
    csv_path, index_path = Path(csv_path), Path(index_path)
    index_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = index_path.with_name(index_path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
        streets: dict[tuple[str, str], int] = {}
        info: list[_Street] = []
        commune_names: dict[str, str] = {}
        points = _Points()
        n_rows = n_synthetic = 0
        fmt, chunks = iter_addresses(
            csv_path, citycodes, chunksize=chunksize, columns=INDEX_COLUMNS
        )
        for chunk in progress_iter(chunks, None, f"Indexing {csv_path.name}", progress):
            if not len(chunk):
                continue
            sids = _street_ids(chunk, streets, info, commune_names)
            lon, lat = chunk["lon"].to_numpy(float), chunk["lat"].to_numpy(float)
            x, y = chunk["x"].to_numpy(float, copy=True), chunk["y"].to_numpy(float, copy=True)
            missing = ~(np.isfinite(x) & np.isfinite(y))
            if missing.any():
                x[missing], y[missing] = to_l93_xy(lon[missing], lat[missing])
            rep_codes, rep_values = pd.factorize(chunk["rep"], use_na_sentinel=False)
            reps = np.array([normalize_suffix(r) for r in rep_values], dtype=object)[rep_codes]
            db.executemany(
                "INSERT INTO addresses VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                zip(chunk["id"].tolist(), sids.tolist(), chunk["numero"].tolist(),
                    reps.tolist(), chunk["code_postal"].tolist(), lon.tolist(), lat.tolist(),
                    x.tolist(), y.tolist(), strict=True),
            )  # fmt: skip
            points.sid.append(sids)
            points.lonlat.append(np.column_stack([lon, lat]))
            points.xy.append(np.column_stack([x, y]))
            n_rows += len(chunk)
            if "source_position" in chunk:
                n_synthetic += int((chunk["source_position"] == SYNTHETIC_SOURCE).sum())
        if n_rows == 0:
            which = f" for citycode(s) {', '.join(citycodes)}" if citycodes else ""
            raise InputFileError(
                f"{csv_path.name} holds no address{which}: check the file and the INSEE codes."
            )
        _write_streets(db, points, info, commune_names)
        meta = {
            "version": INDEX_VERSION,
            "source": csv_path.name,
            "format": fmt,
            "built": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "citycodes": json.dumps(sorted(citycodes) if citycodes else None),
            "addresses": str(n_rows),
            "streets": str(len(info)),
            "synthetic_rows": str(n_synthetic),
        }
        db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        db.executescript(INDEXES)
        db.commit()
    except BaseException:
        db.close()
        tmp.unlink(missing_ok=True)
        raise
    db.close()
    tmp.replace(index_path)
    return index_path


def _street_ids(
    chunk: pd.DataFrame,
    streets: dict[tuple[str, str], int],
    info: list[_Street],
    commune_names: dict[str, str],
) -> np.ndarray:
    """The street id of every row; new streets numbered in order of first appearance."""
    codes, keys = pd.factorize(chunk["code_insee"].astype(str) + "\x1f" + chunk["nom_voie"])
    first = np.unique(codes, return_index=True)[1]
    ids, cities = chunk["id"].to_numpy(object), chunk["nom_commune"].to_numpy(object)
    key_sids = np.empty(len(keys), dtype=np.int64)
    for k, (key, row) in enumerate(zip(keys, first.tolist(), strict=True)):
        citycode, name = key.split("\x1f", 1)
        sid = streets.get((citycode, name))
        if sid is None:
            sid = streets[(citycode, name)] = len(info)
            info.append(_Street(citycode, name, _voie_id(ids[row])))
            commune_names.setdefault(citycode, cities[row])
        key_sids[k] = sid
    sids = key_sids[codes]
    for k, n in enumerate(np.bincount(codes, minlength=len(keys)).tolist()):
        info[int(key_sids[k])].n_numbers += n
    # postcodes per street, counted in order of first appearance (most_common breaks ties so)
    pairs, pair_keys = pd.factorize(
        pd.Series(sids, index=chunk.index).astype(str) + "\x1f" + chunk["code_postal"]
    )
    for key, n in zip(pair_keys, np.bincount(pairs).tolist(), strict=True):
        sid_text, postcode = key.split("\x1f", 1)
        info[int(sid_text)].postcodes[postcode] += n
    return sids


def _write_streets(
    db: sqlite3.Connection, points: _Points, info: list[_Street], communes: dict[str, str]
) -> None:
    """Streets with a representative point (the address nearest their mean), communes."""
    sid = np.concatenate(points.sid)
    lonlat, xy = np.concatenate(points.lonlat), np.concatenate(points.xy)
    n = len(info)
    count = np.bincount(sid, minlength=n)
    mx = np.bincount(sid, xy[:, 0], minlength=n) / count
    my = np.bincount(sid, xy[:, 1], minlength=n) / count
    d2 = (xy[:, 0] - mx[sid]) ** 2 + (xy[:, 1] - my[sid]) ** 2
    order = np.lexsort((d2, sid))
    first = order[np.r_[True, sid[order][1:] != sid[order][:-1]]]
    rep_lonlat, rep_xy = lonlat[first].tolist(), xy[first].tolist()  # one row per sid
    rows, tokens = [], []
    for s, street in enumerate(info):
        norm = normalize(street.name)
        kind, core = split_street(norm)
        (lon, lat), (x, y) = rep_lonlat[s], rep_xy[s]
        rows.append((s, street.voie_id, street.citycode, street.postcodes.most_common(1)[0][0],
                     street.name, norm, kind, core, lon, lat, x, y, street.n_numbers))  # fmt: skip
        tokens += [(t, s) for t in set(core.split())]
    db.executemany("INSERT INTO streets VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.executemany("INSERT INTO tokens VALUES (?, ?)", tokens)
    codes = sorted(communes)
    cidx = {c: i for i, c in enumerate(codes)}
    street_commune = np.array([cidx[s.citycode] for s in info], dtype=np.int64)
    ac = street_commune[sid]
    counts = np.bincount(ac, minlength=len(codes))
    lon_c = np.bincount(ac, lonlat[:, 0], minlength=len(codes)) / counts
    lat_c = np.bincount(ac, lonlat[:, 1], minlength=len(codes)) / counts
    postcodes: dict[str, set[str]] = {c: set() for c in codes}
    for street in info:
        postcodes[street.citycode].update(street.postcodes)
    db.executemany(
        "INSERT INTO communes VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(c, communes[c], normalize(communes[c]), ",".join(sorted(postcodes[c])),
          float(lon_c[i]), float(lat_c[i]), int(counts[i])) for i, c in enumerate(codes)],
    )  # fmt: skip

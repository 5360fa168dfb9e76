"""Offline geocoding on a local index of the BAN export.

:func:`build_ban_index` turns ``adresses-62.csv.gz`` into one SQLite file (communes,
streets with a representative point and normalised names, house numbers, name tokens).
:class:`BanLocalGeocoder` loads the streets in memory and matches queries: number and
suffix parsed, street fuzzy-matched with rapidfuzz inside the commune when it is known
(citycode, postcode or city name), then the exact number looked up. A street that
does not exist is reported ``not-found``, never replaced by a far-fetched guess.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as _dt
import functools
import json
import sqlite3
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from ortgeo.crs import to_l93_xy
from ortgeo.errors import CorruptFileError, InputFileError
from ortgeo.geocoders.base import Geocoder, progress_iter
from ortgeo.geocoders.formats import iter_addresses
from ortgeo.geocoders.normalize import normalize, normalize_suffix, parse_address, split_street
from ortgeo.geocoders.result import GeocodeResult, format_label

__all__ = ["INDEX_VERSION", "BanIndex", "BanLocalGeocoder", "build_ban_index"]

#: Version of the index file layout; an index of another version must be rebuilt.
INDEX_VERSION = "1"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE communes (citycode TEXT PRIMARY KEY, name TEXT, norm TEXT, postcodes TEXT,
                       lon REAL, lat REAL, n_addresses INTEGER);
CREATE TABLE streets (sid INTEGER PRIMARY KEY, voie_id TEXT, citycode TEXT, postcode TEXT,
                      name TEXT, norm TEXT, kind TEXT, core TEXT, lon REAL, lat REAL,
                      x REAL, y REAL, n_numbers INTEGER);
CREATE TABLE addresses (id TEXT, sid INTEGER, numero INTEGER, rep TEXT, postcode TEXT,
                        lon REAL, lat REAL, x REAL, y REAL);
CREATE TABLE tokens (token TEXT, sid INTEGER);
"""
_INDEXES = """
CREATE INDEX addresses_sid ON addresses (sid);
CREATE INDEX streets_citycode ON streets (citycode);
CREATE INDEX tokens_token ON tokens (token);
"""

# Matching parameters (scores in [0, 1]).
_ACCEPT = 0.80  # below: not-found
_PREFILTER = 50  # rapidfuzz ratio (0-100) to keep a street as a candidate
_PREFILTER_LIMIT = 8
_CANDIDATE_MIN = 0.3  # alternatives below this score are not worth listing
_TYPE_MISMATCH = 0.9  # "avenue X" asked, "rue X" found
_NO_TYPE = 0.98  # no street type in the query
_SUFFIX_ALIAS = 0.97  # "17 b" found as "17bis"
_SUFFIX_DROPPED = 0.95  # "17bis" asked, only "17" exists
_SUFFIX_ADDED = 0.9  # "17" asked, only "17bis" exists
_NUMBER_MISSING = 0.85  # number not in the street: street point
_POSTCODE_MISMATCH = 0.8  # the city exists but the postcode is another commune's
_AMBIGUOUS = 0.5  # the same street, as good, in another commune: a coin toss
_FUZZY_ONLY = 0.75  # cap of a match that only a global ratio supports (not every word)
_ALIASES = {"b": "bis", "bis": "b", "t": "ter", "ter": "t", "q": "quater", "quater": "q"}


#: ``source_position`` of the rows written by :mod:`ortgeo.testing` (never in the real BAN).
SYNTHETIC_SOURCE = "synthetic"


def _voie_id(address_id: str) -> str:
    """``62498_0010_00017_bis`` → ``62498_0010``."""
    parts = address_id.split("_")
    return "_".join(parts[:2]) if len(parts) >= 3 else address_id


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
        ``adresses-62.csv.gz`` (or its ``.csv``).
    index_path : str or Path
        The SQLite file to write (replaced atomically when complete).
    citycodes : sequence of str, optional
        Keep only these communes (e.g. Lens and its neighbours).
    progress : bool
        Draw a progress bar (rows read) on stderr.

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
        db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        streets: dict[tuple[str, str], int] = {}
        street_info: list[list] = []  # [citycode, name, voie_id, Counter(postcode), n]
        commune_names: dict[str, str] = {}
        n_rows = n_synthetic = 0
        fmt, chunks = iter_addresses(csv_path, citycodes, chunksize=chunksize)
        for chunk in progress_iter(chunks, None, f"Indexing {csv_path.name}", progress):
            sids = np.empty(len(chunk), dtype=np.int64)
            keys = zip(chunk["code_insee"], chunk["nom_voie"], strict=True)
            for i, (key, aid, pc, city) in enumerate(
                zip(keys, chunk["id"], chunk["code_postal"], chunk["nom_commune"], strict=True)
            ):
                sid = streets.get(key)
                if sid is None:
                    sid = streets[key] = len(street_info)
                    street_info.append([key[0], key[1], _voie_id(aid), Counter(), 0])
                    commune_names.setdefault(key[0], city)
                info = street_info[sid]
                info[3][pc] += 1
                info[4] += 1
                sids[i] = sid
            x, y = chunk["x"].to_numpy(float, copy=True), chunk["y"].to_numpy(float, copy=True)
            missing = ~(np.isfinite(x) & np.isfinite(y))
            if missing.any():
                mx, my = to_l93_xy(
                    chunk["lon"].to_numpy()[missing], chunk["lat"].to_numpy()[missing]
                )
                x[missing], y[missing] = mx, my
            reps = [normalize_suffix(r) for r in chunk["rep"]]
            db.executemany(
                "INSERT INTO addresses VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                zip(chunk["id"], sids.tolist(), chunk["numero"].tolist(), reps,
                    chunk["code_postal"], chunk["lon"].tolist(), chunk["lat"].tolist(),
                    x.tolist(), y.tolist(), strict=True),
            )  # fmt: skip
            n_rows += len(chunk)
            if "source_position" in chunk:
                n_synthetic += int((chunk["source_position"] == SYNTHETIC_SOURCE).sum())
        if n_rows == 0:
            which = f" for citycode(s) {', '.join(citycodes)}" if citycodes else ""
            raise InputFileError(
                f"{csv_path.name} holds no address{which}: check the file and the INSEE codes."
            )
        _write_streets(db, street_info, commune_names)
        meta = {
            "version": INDEX_VERSION,
            "source": csv_path.name,
            "format": fmt,
            "built": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "citycodes": json.dumps(sorted(citycodes) if citycodes else None),
            "addresses": str(n_rows),
            "streets": str(len(street_info)),
            "synthetic_rows": str(n_synthetic),
        }
        db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        db.executescript(_INDEXES)
        db.commit()
    except BaseException:
        db.close()
        tmp.unlink(missing_ok=True)
        raise
    db.close()
    tmp.replace(index_path)
    return index_path


def _write_streets(db: sqlite3.Connection, info: list[list], communes: dict[str, str]) -> None:
    """Streets with a representative point (the address nearest their mean), communes."""
    pts = np.array(db.execute("SELECT sid, lon, lat, x, y FROM addresses").fetchall(), dtype=float)
    sid = pts[:, 0].astype(np.int64)
    n = len(info)
    count = np.bincount(sid, minlength=n)
    mx = np.bincount(sid, pts[:, 3], minlength=n) / count
    my = np.bincount(sid, pts[:, 4], minlength=n) / count
    d2 = (pts[:, 3] - mx[sid]) ** 2 + (pts[:, 4] - my[sid]) ** 2
    order = np.lexsort((d2, sid))
    first = order[np.r_[True, sid[order][1:] != sid[order][:-1]]]
    rep = pts[first]  # one row per sid, sorted by sid
    rows, tokens = [], []
    for s, (citycode, name, voie_id, postcodes, n_numbers) in enumerate(info):
        norm = normalize(name)
        kind, core = split_street(norm)
        _, lon, lat, x, y = rep[s]
        rows.append((s, voie_id, citycode, postcodes.most_common(1)[0][0], name, norm, kind,
                     core, lon, lat, x, y, n_numbers))  # fmt: skip
        tokens += [(t, s) for t in set(core.split())]
    db.executemany("INSERT INTO streets VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.executemany("INSERT INTO tokens VALUES (?, ?)", tokens)
    codes = sorted(communes)
    cidx = {c: i for i, c in enumerate(codes)}
    street_commune = np.array([cidx[r[0]] for r in info], dtype=np.int64)
    ac = street_commune[sid]
    counts = np.bincount(ac, minlength=len(codes))
    lon = np.bincount(ac, pts[:, 1], minlength=len(codes)) / counts
    lat = np.bincount(ac, pts[:, 2], minlength=len(codes)) / counts
    postcodes: dict[str, set[str]] = {c: set() for c in codes}
    for citycode, _, _, pcs, _ in info:
        postcodes[citycode].update(pcs)
    db.executemany(
        "INSERT INTO communes VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(c, communes[c], normalize(communes[c]), ",".join(sorted(postcodes[c])),
          float(lon[i]), float(lat[i]), int(counts[i])) for i, c in enumerate(codes)],
    )  # fmt: skip


class BanIndex:
    """A read-only offline BAN index built by :func:`build_ban_index`.

    Parameters
    ----------
    path : str or Path
        The index file.

    Raises
    ------
    InputFileError
        Missing file, not an ortgeo BAN index, or built by another version.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise InputFileError(
                f"BAN index not found: {self.path}. Build it with "
                "`ortgeo ban index adresses-62.csv.gz` (after `ortgeo ban download 62`)."
            )
        try:
            self._db = sqlite3.connect(
                f"file:{self.path}?mode=ro", uri=True, check_same_thread=False
            )
            (check,) = self._db.execute("PRAGMA quick_check(1)").fetchone()
            if check != "ok":
                raise CorruptFileError(
                    f"The BAN index {self.path} is damaged ({check}). Rebuild it with "
                    "`ortgeo ban index adresses-62.csv.gz` (or pass another index).",
                    path=str(self.path),
                )
            self.meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            raise CorruptFileError(
                f"The BAN index {self.path} is damaged or not an ortgeo BAN index ({exc}). "
                "Rebuild it with `ortgeo ban index adresses-62.csv.gz`.",
                path=str(self.path),
            ) from None
        if self.meta.get("version") != INDEX_VERSION:
            raise InputFileError(
                f"{self.path} was built by another ortgeo version (index format "
                f"{self.meta.get('version')!r}, expected {INDEX_VERSION!r}). Rebuild it with "
                "`ortgeo ban index`."
            )
        self._geocoder: BanLocalGeocoder | None = None

    def __repr__(self) -> str:
        return f"BanIndex({str(self.path)!r})"

    def _query(self, sql: str, params: Sequence = ()) -> pd.DataFrame:
        cur = self._db.execute(sql, tuple(params))
        return pd.DataFrame(cur.fetchall(), columns=[c[0] for c in cur.description])

    @property
    def synthetic(self) -> bool:
        """Whether the index was built from SYNTHETIC test addresses (``ortgeo.testing``)."""
        return int(self.meta.get("synthetic_rows", "0")) > 0

    def stats(self) -> dict[str, int]:
        """Counts: ``addresses``, ``streets``, ``communes`` and file ``bytes``."""
        n_communes = self._db.execute("SELECT count(*) FROM communes").fetchone()[0]
        return {
            "addresses": int(self.meta["addresses"]),
            "streets": int(self.meta["streets"]),
            "communes": int(n_communes),
            "bytes": self.path.stat().st_size,
        }

    def communes(self) -> pd.DataFrame:
        """Communes: ``citycode, name, norm, postcodes, lon, lat, n_addresses``."""
        return self._query("SELECT * FROM communes ORDER BY citycode")

    def streets(self, citycode: str | None = None) -> pd.DataFrame:
        """Streets with their representative point (``lon``, ``lat``, ``x``, ``y``)."""
        where, params = ("WHERE citycode = ?", [citycode]) if citycode else ("", [])
        return self._query(f"SELECT * FROM streets {where} ORDER BY sid", params)

    def addresses(self, citycode: str | None = None) -> pd.DataFrame:
        """Every numbered address (of one commune), in BAN column names.

        Returns
        -------
        pandas.DataFrame
            ``id, numero, rep, nom_voie, code_postal, code_insee, nom_commune, lon, lat,
            x, y`` (``numero`` int, codes as text).
        """
        where, params = ("WHERE s.citycode = ?", [citycode]) if citycode else ("", [])
        df = self._query(
            "SELECT a.id, a.numero, a.rep, s.name AS nom_voie, a.postcode AS code_postal, "
            "s.citycode AS code_insee, c.name AS nom_commune, a.lon, a.lat, a.x, a.y "
            "FROM addresses a JOIN streets s ON a.sid = s.sid "
            f"JOIN communes c ON c.citycode = s.citycode {where} ORDER BY a.rowid",
            params,
        )
        return df.astype({"numero": "int64"}) if len(df) else df

    def find_streets(self, name: str, citycode: str | None = None, limit: int = 5) -> pd.DataFrame:
        """Streets whose name is closest to ``name`` (fuzzy), with a ``score`` column.

        Examples
        --------
        >>> from ortgeo.testing import synthetic_ban_index
        >>> idx = BanIndex(synthetic_ban_index(n_rows=300))
        >>> idx.find_streets("bd basly", limit=1)["name"].tolist()
        ['Boulevard Émile Basly']
        """
        if self._geocoder is None:
            self._geocoder = BanLocalGeocoder(self)
        geocoder = self._geocoder
        scope = (citycode,) if citycode else None
        matches = geocoder._match_street(normalize(name), scope)[:limit]
        df = self.streets().set_index("sid").loc[[sid for sid, _ in matches]].reset_index()
        df["score"] = [score for _, score in matches]
        return df

    def close(self) -> None:
        """Close the SQLite connection."""
        self._db.close()


@dataclasses.dataclass
class _Commune:
    citycode: str
    name: str
    postcodes: tuple[str, ...]
    lon: float
    lat: float
    sids: list[int]
    cores: list[str]


class BanLocalGeocoder(Geocoder):
    """Geocoder on an offline BAN index (fast: streets held in memory).

    Parameters
    ----------
    index : BanIndex, str or Path
        The index (see :func:`build_ban_index`).

    Examples
    --------
    >>> from ortgeo.testing import synthetic_ban_index
    >>> g = BanLocalGeocoder(synthetic_ban_index(n_rows=400))
    >>> r = g.geocode("3 r. de la gare, 62300 LENS")
    >>> r.status, r.match_type, r.label
    ('ok', 'housenumber', '3 Rue de la Gare 62300 Lens')
    >>> g.geocode("12 rue des Lilas 62300 Lens").status
    'not-found'
    """

    name = "ban-local"

    def __init__(self, index: BanIndex | str | Path) -> None:
        self.index = index if isinstance(index, BanIndex) else BanIndex(index)
        st = self.index.streets()
        self._name = st["name"].tolist()
        self._kind = st["kind"].tolist()
        self._core = st["core"].tolist()
        self._city = st["citycode"].tolist()
        self._postcode = st["postcode"].tolist()
        self._voie = st["voie_id"].tolist()
        self._n = st["n_numbers"].tolist()
        self._pos = list(zip(st["lon"], st["lat"], st["x"], st["y"], strict=True))
        self._communes: dict[str, _Commune] = {}
        for row in self.index.communes().itertuples(index=False):
            self._communes[row.citycode] = _Commune(
                row.citycode, row.name, tuple(row.postcodes.split(",")), row.lon, row.lat, [], []
            )
        for sid, (code, core) in enumerate(zip(self._city, self._core, strict=True)):
            self._communes[code].sids.append(sid)
            self._communes[code].cores.append(core)
        self._by_postcode: dict[str, list[str]] = {}
        self._by_city_norm: dict[str, list[str]] = {}
        for c in self._communes.values():
            for pc in c.postcodes:
                self._by_postcode.setdefault(pc, []).append(c.citycode)
            self._by_city_norm.setdefault(normalize(c.name), []).append(c.citycode)
        self._city_norms = list(self._by_city_norm)
        self._max_city_words = max((len(n.split()) for n in self._city_norms), default=0)
        self._tokens: dict[str, list[int]] = {}
        for sid, core in enumerate(self._core):
            for tok in set(core.split()):
                self._tokens.setdefault(tok, []).append(sid)
        self._numbers: dict[str, dict[int, dict[tuple[int, str], tuple]]] = {}
        self._reverse_arrays: tuple[np.ndarray, ...] | None = None
        self._suggest_words: tuple[list[str], dict[str, set[int]]] | None = None
        self._match_street = functools.lru_cache(maxsize=50_000)(self._match_street_uncached)

    def __repr__(self) -> str:
        return f"BanLocalGeocoder({self.index!r})"

    # ---------------------------------------------------------------- commune scope
    def _numbers_of(self, citycode: str) -> dict[int, dict[tuple[int, str], tuple]]:
        """House numbers of a commune: sid → {(numero, rep): (id, lon, lat, x, y)}."""
        numbers = self._numbers.get(citycode)
        if numbers is None:
            numbers = {}
            rows = self.index._db.execute(
                "SELECT a.sid, a.numero, a.rep, a.id, a.lon, a.lat, a.x, a.y FROM addresses a "
                "JOIN streets s ON a.sid = s.sid WHERE s.citycode = ?",
                (citycode,),
            )
            for sid, numero, rep, aid, lon, lat, x, y in rows:
                numbers.setdefault(sid, {})[(numero, rep)] = (aid, lon, lat, x, y)
            self._numbers[citycode] = numbers
        return numbers

    def _city_scope(self, city: str) -> list[str]:
        """Communes named ``city``: exactly, by a close spelling, or by their first words
        (``"Eleu"`` for Éleu-dit-Leauwette) when only one commune starts so."""
        norm = normalize(city)
        if not norm:
            return []
        if norm in self._by_city_norm:
            return self._by_city_norm[norm]
        best = process.extractOne(norm, self._city_norms, scorer=fuzz.ratio, score_cutoff=85)
        if best:
            return self._by_city_norm[best[0]]
        starts = [n for n in self._city_norms if n.startswith(norm + " ") and len(norm) >= 4]
        return self._by_city_norm[starts[0]] if len(starts) == 1 else []

    def _scope(
        self, citycode: str | None, postcode: str | None, city: str | None
    ) -> tuple[tuple[str, ...] | None, str | None, float, str | None]:
        """Communes to search (None: all), why the answer is "none", a score factor and a
        note when the postcode and the city disagree.

        A named city that exists narrows the search to it, even when its postcode is shared
        (Lens and Éleu-dit-Leauwette share 62300); a postcode that is not the city's lowers
        the score and says so.
        """
        if citycode:
            if citycode not in self._communes:
                return (), f"commune {citycode} is not in the index", 1.0, None
            return (citycode,), None, 1.0, None
        by_pc = set(self._by_postcode.get(postcode, ())) if postcode else set()
        by_city = set(self._city_scope(city)) if city else set()
        if by_city and by_pc:
            both = by_city & by_pc
            if both:
                return tuple(sorted(both)), None, 1.0, None
            names = ", ".join(self._communes[c].name for c in sorted(by_city))
            note = f"postcode {postcode} is not the one of {names}: searched in {names}"
            return tuple(sorted(by_city)), None, _POSTCODE_MISMATCH, note
        if by_city or by_pc:
            return tuple(sorted(by_city or by_pc)), None, 1.0, None
        if postcode:
            return (), f"postcode {postcode} is not one of the index", 1.0, None
        return None, None, 1.0, None

    # ---------------------------------------------------------------- street matching
    def _candidate_sids(self, core: str, scope: tuple[str, ...] | None) -> set[int]:
        if scope is None:
            cores, sids = self._core, range(len(self._core))
        elif len(scope) == 1:
            c = self._communes[scope[0]]
            cores, sids = c.cores, c.sids
        else:
            sids = [s for code in scope for s in self._communes[code].sids]
            cores = [self._core[s] for s in sids]
        found = process.extract(
            core, cores, scorer=fuzz.ratio, limit=_PREFILTER_LIMIT, score_cutoff=_PREFILTER
        )
        out = {sids[i] for _, _, i in found}
        allowed = None if scope is None else set(scope)
        for tok in core.split():
            if len(tok) >= 3:
                out.update(
                    s
                    for s in self._tokens.get(tok, ())
                    if allowed is None or self._city[s] in allowed
                )
        return out

    def _match_street_uncached(
        self, norm: str, scope: tuple[str, ...] | None
    ) -> list[tuple[int, float]]:
        """Streets matching a normalised street text, best first, with scores in [0, 1]."""
        kind, core = split_street(norm)
        if not core:
            return []
        q_tokens = core.split()
        scored = []
        for sid in self._candidate_sids(core, scope):
            s_core = self._core[sid]
            sim = fuzz.ratio(core, s_core) / 100.0
            dist = OSA.distance(core, s_core, score_cutoff=2)
            if dist <= 1 and len(s_core) >= 4:
                sim = max(sim, 0.92 if dist else 1.0)
            elif dist == 2 and len(s_core) >= 10:
                sim = max(sim, 0.85)
            s_tokens = s_core.split()
            cover = _token_cover(q_tokens, s_tokens)
            if cover is not None and any(len(t) >= 4 for t in q_tokens):
                # "bd Basly", "bd E. Basly" for "bd Émile Basly"
                sim = max(sim, 0.95 - 0.05 * cover)
            elif dist > 2 and not _words_close(q_tokens, s_tokens):
                # a typo budget must not turn one real name into another (Renoir → Rodin)
                glued = OSA.distance(core.replace(" ", ""), s_core.replace(" ", ""),
                                     score_cutoff=2)  # fmt: skip
                sim = max(0.95, sim) if glued <= 1 else min(sim, _FUZZY_ONLY)
            if kind and self._kind[sid] and kind != self._kind[sid]:
                sim *= _TYPE_MISMATCH
            elif not kind and self._kind[sid]:
                sim *= _NO_TYPE
            scored.append((sid, round(sim, 4)))
        # ties: the longer street (more numbers) first, then by id for determinism
        scored.sort(key=lambda t: (-t[1], -self._n[t[0]], t[0]))
        return scored

    def _strip_city(self, norm: str) -> tuple[str, tuple[str, ...]] | None:
        """``"rue de la gare lens"`` → ``("rue de la gare", ("62498",))`` (longest name)."""
        words = norm.split()
        for k in range(min(self._max_city_words, len(words)), 0, -1):
            tail = " ".join(words[-k:])
            if tail in self._by_city_norm:
                return " ".join(words[:-k]), tuple(self._by_city_norm[tail])
        return None

    # ---------------------------------------------------------------- results
    def _result(
        self, query: str, sid: int, score: float, number: int | None, suffix: str, want: str | None
    ) -> GeocodeResult:
        commune = self._communes[self._city[sid]]
        lon, lat, x, y = self._pos[sid]
        street = self._name[sid]
        base = dict(
            query=query, status="ok", street=street, postcode=self._postcode[sid],
            citycode=commune.citycode, city=commune.name, provider=self.name,
        )  # fmt: skip
        if number is not None and want != "street":
            hit, factor, note = self._find_number(commune.citycode, sid, number, suffix)
            if hit is not None:
                (aid, lon, lat, x, y), rep = hit
                return GeocodeResult(
                    **base, label=format_label(number, rep, street, base["postcode"], commune.name),
                    score=round(score * factor, 4), match_type="housenumber",
                    housenumber=f"{number}{rep}", id=aid, lon=lon, lat=lat, x=x, y=y, note=note,
                )  # fmt: skip
            score *= _NUMBER_MISSING
            note = (
                f"housenumber {number}{suffix} not found in {street}: "
                "positioned at the street's representative point"
            )
        else:
            note = None
        return GeocodeResult(
            **base, label=format_label(None, "", street, base["postcode"], commune.name),
            score=round(score, 4), match_type="street", id=self._voie[sid],
            lon=lon, lat=lat, x=x, y=y, note=note,
        )  # fmt: skip

    def _find_number(
        self, citycode: str, sid: int, number: int, suffix: str
    ) -> tuple[tuple[tuple, str] | None, float, str | None]:
        numbers = self._numbers_of(citycode).get(sid, {})
        if (number, suffix) in numbers:
            return (numbers[(number, suffix)], suffix), 1.0, None
        alias = _ALIASES.get(suffix)
        if alias and (number, alias) in numbers:
            return (numbers[(number, alias)], alias), _SUFFIX_ALIAS, None
        if suffix and (number, "") in numbers:
            note = f"suffix '{suffix}' not found: number {number} without suffix used"
            return (numbers[(number, "")], ""), _SUFFIX_DROPPED, note
        if not suffix:
            others = sorted(rep for n, rep in numbers if n == number)
            if others:
                note = f"number {number} exists only as {number}{others[0]}"
                return (numbers[(number, others[0])], others[0]), _SUFFIX_ADDED, note
        return None, 0.0, None

    def _municipality(self, query: str, citycode: str, score: float) -> GeocodeResult:
        c = self._communes[citycode]
        return GeocodeResult(
            query=query, status="ok", label=c.name, score=score, match_type="municipality",
            postcode=c.postcodes[0], citycode=c.citycode, city=c.name, id=c.citycode,
            lon=c.lon, lat=c.lat, provider=self.name,
        )  # fmt: skip

    def _geocode(
        self, text: str, citycode: str | None, postcode: str | None, type: str | None, limit: int
    ) -> GeocodeResult:
        """Parse, find the commune scope, match the street, then the number."""
        parsed = parse_address(text)
        pc = postcode or parsed.postcode
        city = parsed.city
        if city is not None and not self._city_scope(city) and pc:
            city = None  # "Lens Cedex", a locality: the postcode decides
        if city is None and parsed.lead and self._city_scope(parsed.lead):
            city = parsed.lead  # "LENS - 12 rue X": the city written first
        scope, why, factor, scope_note = self._scope(citycode, pc, city)
        if scope == () or (scope is None and parsed.city and not pc):
            why = why or f"'{parsed.city}' is not a commune of the index"
            return GeocodeResult(text, "not-found", provider=self.name, note=why)
        norm = normalize(parsed.street)
        attempts: list[tuple[str, tuple[str, ...] | None]] = []
        stripped = self._strip_city(norm)
        if stripped is not None:
            codes = stripped[1] if scope is None else tuple(c for c in stripped[1] if c in scope)
            if codes and (stripped[0] or parsed.housenumber is None):
                attempts.append((stripped[0], codes))
        attempts.append((norm, scope))
        best: list[tuple[int, float]] = []
        for street_norm, street_scope in attempts:
            if not street_norm:  # only a commune name
                if type in (None, "municipality") and street_scope and len(street_scope) == 1:
                    return self._municipality(text, street_scope[0], 1.0)
                continue
            if type == "municipality":
                continue
            matches = self._match_street(street_norm, street_scope)
            if matches and (not best or matches[0][1] > best[0][1]):
                best = matches
            if best and best[0][1] >= 0.9:
                break
        if type == "municipality" and scope and len(scope) == 1 and not norm:
            return self._municipality(text, scope[0], 1.0)
        if not best or best[0][1] < _ACCEPT or type == "locality":
            where = ""
            if scope:
                where = " in " + ", ".join(self._communes[c].name for c in scope)
            return GeocodeResult(
                text, "not-found", provider=self.name,
                note=f"no street like {parsed.street!r}{where}" if parsed.street else "empty query",
            )  # fmt: skip
        results = [
            self._result(text, sid, score, parsed.housenumber, parsed.suffix, type)
            for sid, score in best[: max(1, min(limit, 5)) + 1]
        ]
        if type == "housenumber" and results[0].match_type != "housenumber":
            return GeocodeResult(text, "not-found", provider=self.name, note=results[0].note)
        others = tuple(r for r in results[1:] if r.score >= _CANDIDATE_MIN)
        best_result = results[0]
        if factor != 1.0:
            best_result = best_result.replace(
                score=round(best_result.score * factor, 4),
                note="; ".join(n for n in (best_result.note, scope_note) if n),
            )
        twin = next(
            (o for o in others if o.citycode != best_result.citycode
             and self._core[best[0][0]] == self._core[best[results.index(o)][0]]
             and o.score >= results[0].score - 0.02),
            None,
        )  # fmt: skip
        if twin is not None:  # same street, as good, elsewhere: never a coin toss
            best_result = best_result.replace(
                score=round(min(best_result.score, _AMBIGUOUS), 4),
                note=f"ambiguous: {best_result.street} exists in {best_result.city} and "
                f"{twin.city}; give the city or the postcode",
            )
        return best_result.replace(
            score_next=others[0].score if others else None, candidates=others[: min(limit, 5)]
        )

    def reverse(self, lon: float, lat: float) -> GeocodeResult:
        """The numbered address nearest to a WGS84 point.

        ``score`` falls from 1 (on the point) to 0.5 at 50 m; ``note`` gives the distance.
        """
        if self._reverse_arrays is None:
            rows = self.index._db.execute("SELECT x, y, sid, numero, rep FROM addresses")
            data = rows.fetchall()
            self._reverse_arrays = (
                np.array([r[0] for r in data]), np.array([r[1] for r in data]),
                np.array([r[2] for r in data]), [(r[3], r[4]) for r in data],
            )  # fmt: skip
        xs, ys, sids, numbers = self._reverse_arrays
        x, y = to_l93_xy(np.array([lon], dtype=float), np.array([lat], dtype=float))
        d2 = (xs - x[0]) ** 2 + (ys - y[0]) ** 2
        i = int(np.argmin(d2))
        dist = float(np.sqrt(d2[i]))
        number, rep = numbers[i]
        res = self._result(f"{lon},{lat}", int(sids[i]), 1.0, number, rep, None)
        return res.replace(score=round(1.0 / (1.0 + dist / 50.0), 4), note=f"{dist:.0f} m away")

    def suggest(self, text: str, *, limit: int = 5) -> list[GeocodeResult]:
        """Addresses whose street (and commune) words start like the words typed.

        Every word typed but the last must be a word of the street, its commune or its
        postcode; the last may be the start of one. A leading house number is looked up
        on each street found (the street itself is suggested when it lacks the number).
        Longer streets come first.

        Examples
        --------
        >>> from ortgeo.testing import synthetic_ban_index
        >>> g = BanLocalGeocoder(synthetic_ban_index(n_rows=400))
        >>> [r.label for r in g.suggest("3 rue de la ga", limit=1)]
        ['3 Rue de la Gare 62300 Lens']
        """
        parsed = parse_address(text)
        words = normalize(text).split()
        if words and parsed.housenumber is not None and words[0][:1].isdigit():
            words = words[1:]
        if not words:
            return []
        if self._suggest_words is None:
            by_word: dict[str, set[int]] = {}
            for sid, norm in enumerate(self.index.streets()["norm"]):
                commune = self._communes[self._city[sid]]
                for word in {*norm.split(), *normalize(commune.name).split(), self._postcode[sid]}:
                    by_word.setdefault(word, set()).add(sid)
            self._suggest_words = (sorted(by_word), by_word)
        vocabulary, by_word = self._suggest_words
        last = words[-1]
        start = bisect.bisect_left(vocabulary, last)
        sids: set[int] = set()
        for word in vocabulary[start:]:
            if not word.startswith(last):
                break
            sids |= by_word[word]
        for word in words[:-1]:
            sids &= by_word.get(word, set())
        best = sorted(sids, key=lambda sid: (-self._n[sid], self._name[sid]))[: max(1, limit)]
        return [
            self._result(text, sid, 1.0, parsed.housenumber, parsed.suffix, None) for sid in best
        ]


def _token_cover(query: list[str], street: list[str]) -> float | None:
    """Penalty when every query word is found in the street name (exactly, with one typo
    for words of 5+ letters, or as an initial like "e" for "emile"), else None.

    The penalty counts 1 per street word the query lacks, 0.5 per typo or initial.

    Examples
    --------
    >>> street = ["emile", "basly"]
    >>> _token_cover(["basly"], street), _token_cover(["e", "basly"], street)
    (1, 0.5)
    >>> _token_cover(["lilas"], ["lille"]) is None
    True
    """
    remaining = list(street)
    penalty: float = 0
    for tok in query:
        if tok in remaining:
            remaining.remove(tok)
            continue
        if len(tok) == 1:
            close = next((s for s in remaining if s.startswith(tok) and len(s) > 1), None)
        elif len(tok) >= 5:
            close = next((s for s in remaining if OSA.distance(tok, s, score_cutoff=1) <= 1), None)
        else:
            close = None
        if close is None:
            return None
        remaining.remove(close)
        penalty += 0.5
    return penalty + len(remaining)


def _words_close(query: list[str], street: list[str]) -> bool:
    """Whether every word of the query is in the street name, give or take a typo (1 edit
    up to 7 letters, 2 beyond) or as an initial, and every long street word is asked.

    Examples
    --------
    >>> _words_close(["auguste", "renoir"], ["auguste", "rodin"])
    False
    >>> _words_close(["augste", "rodni"], ["auguste", "rodin"])
    True
    """
    remaining = list(street)
    for tok in query:
        budget = 1 if len(tok) <= 7 else 2
        close = next(
            (s for s in remaining
             if (len(tok) == 1 and s.startswith(tok))
             or OSA.distance(tok, s, score_cutoff=budget) <= budget),
            None,
        )  # fmt: skip
        if close is None:
            return False
        remaining.remove(close)
    return not any(len(s) >= 4 for s in remaining)

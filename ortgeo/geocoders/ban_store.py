"""Storage of the offline BAN index: the SQLite layout and read access (:class:`BanIndex`).

One file per index, written by :func:`ortgeo.geocoders.ban_build.build_ban_index`:
``communes``, ``streets`` (a representative point, the normalised name, its type word and
identifying core), ``addresses`` (house numbers) and ``tokens`` (street-core words).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ortgeo.errors import CorruptFileError, InputFileError

if TYPE_CHECKING:
    import pandas as pd

#: A street's house numbers: ``(numero, rep) → (id, lon, lat, x, y)``.
Numbers = dict[tuple[int, str], tuple[str, float, float, float, float]]

__all__ = ["INDEX_VERSION", "SYNTHETIC_SOURCE", "BanIndex"]

#: Version of the index file layout; an index of another version must be rebuilt.
INDEX_VERSION = "2"  # 2: street cores with the vocabulary of issue 21 (types, connectors)

#: ``source_position`` of the rows written by :mod:`ortgeo.testing` (never in the real BAN).
SYNTHETIC_SOURCE = "synthetic"

SCHEMA = """
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
INDEXES = """
CREATE INDEX addresses_sid ON addresses (sid);
CREATE INDEX streets_citycode ON streets (citycode);
CREATE INDEX tokens_token ON tokens (token);
"""


#: A file changed this recently (s) is checked whatever the memo says: a change within the
#: same tick of the file system's clock would leave its times as they were ("racy" files).
_RACY_S = 2.0
#: Checked files remembered (the last ones).
_CHECKED_MAX = 64


def _signature(path: Path) -> str | None:
    """What identifies one state of a file: device, inode, size, modification and change
    times (a copy, a rewrite, a truncation or a rename changes it); None for a file
    changed too recently to tell."""
    st = path.stat()
    if time.time() - st.st_mtime < _RACY_S or time.time() - st.st_ctime < _RACY_S:
        return None
    key = (f"{path.resolve()}|{st.st_dev}|{st.st_ino}|{st.st_size}|{st.st_mtime_ns}|"
           f"{st.st_ctime_ns}")  # fmt: skip
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def _checked_memo() -> Path:
    from ortgeo.cachedir import cache_dir

    return cache_dir() / "ban" / "checked-indexes.txt"


def _already_checked(signature: str | None) -> bool:
    """Whether this state of a file passed ``PRAGMA quick_check`` before."""
    if signature is None:
        return False
    try:
        return signature in _checked_memo().read_text(encoding="ascii").split()
    except (OSError, ValueError):
        return False


def _remember_checked(signature: str | None) -> None:
    """Remember that this state of a file passed ``PRAGMA quick_check`` (best effort: an
    unwritable cache only means the next opening checks again)."""
    if signature is None:
        return
    try:
        memo = _checked_memo()
        memo.parent.mkdir(parents=True, exist_ok=True)
        try:
            known = memo.read_text(encoding="ascii").split()
        except (OSError, ValueError):
            known = []
        known = [*(k for k in known if k != signature), signature][-_CHECKED_MAX:]
        tmp = memo.with_name(f"{memo.name}.{os.getpid()}.tmp")
        tmp.write_text("\n".join(known) + "\n", encoding="ascii")
        os.replace(tmp, memo)
    except OSError:
        pass


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
    CorruptFileError
        A damaged file (every page is read with ``PRAGMA quick_check`` the first time a
        file is opened; a file unchanged since it passed, same inode, size and times, is
        not read again: that reading is most of the time of one address check).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise InputFileError(
                f"BAN index not found: {self.path}. Build it with "
                "`ortgeo ban index adresses-62.csv.gz` (after `ortgeo ban download 62`)."
            )
        try:
            self._db = self._connect()
            signature = _signature(self.path)
            checked = _already_checked(signature)
            check = "ok" if checked else self._db.execute("PRAGMA quick_check(1)").fetchone()[0]
            if check != "ok":
                raise CorruptFileError(
                    f"The BAN index {self.path} is damaged ({check}). Rebuild it with "
                    "`ortgeo ban index adresses-62.csv.gz` (or pass another index).",
                    path=str(self.path),
                )
            self.meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
            if not checked:
                _remember_checked(signature)
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

    def __repr__(self) -> str:
        return f"BanIndex({str(self.path)!r})"

    def _query(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        import pandas as pd  # the tables only: a look-up reads rows

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

    def street_rows(self, citycodes: Sequence[str] | None = None) -> dict[str, list[Any]]:
        """The ``streets`` table (of some communes) as lists, one per column, in ``sid``
        order (no DataFrame: what :meth:`streets` holds, for the look-ups); a missing
        position is NaN.

        Examples
        --------
        >>> from ortgeo.testing import synthetic_ban_index
        >>> rows = BanIndex(synthetic_ban_index(n_rows=300)).street_rows()
        >>> rows["name"][0], rows["sid"][:3]
        ('Place Jean Jaurès', [0, 1, 2])
        """
        where, params = "", tuple(citycodes or ())
        if citycodes is not None:
            where = f"WHERE citycode IN ({','.join('?' * len(params))})"
        cur = self._db.execute(f"SELECT * FROM streets {where} ORDER BY sid", params)
        names = [c[0] for c in cur.description]
        rows = cur.fetchall()
        if not rows:
            return {name: [] for name in names}
        columns = {name: list(col) for name, col in zip(names, zip(*rows, strict=True),
                                                        strict=True)}  # fmt: skip
        nan = float("nan")
        for name in ("lon", "lat", "x", "y"):  # as pandas reads a NULL in a REAL column
            if None in columns[name]:
                columns[name] = [nan if v is None else v for v in columns[name]]
        return columns

    def street_count(self) -> int:
        """How many streets: the ``sid`` run from 0 to this number (excluded).

        Examples
        --------
        >>> from ortgeo.testing import synthetic_ban_index
        >>> index = BanIndex(synthetic_ban_index(n_rows=300))
        >>> index.street_count() == len(index.street_rows()["sid"])
        True
        """
        (top,) = self._db.execute("SELECT coalesce(max(sid) + 1, 0) FROM streets").fetchone()
        return int(top)

    def commune_rows(self) -> list[tuple[str, str, str, float, float]]:
        """``citycode, name, postcodes, lon, lat`` of every commune, by code (no DataFrame).

        Examples
        --------
        >>> from ortgeo.testing import synthetic_ban_index
        >>> BanIndex(synthetic_ban_index(n_rows=300)).commune_rows()[0][:2]
        ('62498', 'Lens')
        """
        return self._db.execute(
            "SELECT citycode, name, postcodes, lon, lat FROM communes ORDER BY citycode"
        ).fetchall()

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

    def streets_with_number(self, sids: Sequence[int], numero: int, rep: str) -> list[int]:
        """The streets among ``sids`` that have the house number ``numero`` + ``rep``.

        Examples
        --------
        >>> from ortgeo.testing import synthetic_ban_index
        >>> BanIndex(synthetic_ban_index(n_rows=300)).streets_with_number([0, 1], 1, "")
        [0, 1]
        """
        if not sids:
            return []
        marks = ",".join("?" * len(sids))
        rows = self._db.execute(
            f"SELECT DISTINCT sid FROM addresses WHERE sid IN ({marks}) AND numero = ? "
            "AND rep = ? ORDER BY sid",
            (*sids, numero, rep),
        )
        return [sid for (sid,) in rows]

    def house_numbers(self, citycode: str) -> dict[int, Numbers]:
        """House numbers of a commune: ``sid → {(numero, rep): (id, lon, lat, x, y)}``."""
        numbers: dict[int, Numbers] = {}
        rows = self._db.execute(
            "SELECT a.sid, a.numero, a.rep, a.id, a.lon, a.lat, a.x, a.y FROM addresses a "
            "JOIN streets s ON a.sid = s.sid WHERE s.citycode = ?",
            (citycode,),
        )
        for sid, numero, rep, aid, lon, lat, x, y in rows:
            numbers.setdefault(sid, {})[(numero, rep)] = (aid, lon, lat, x, y)
        return numbers

    def reopen(self) -> None:
        """A new connection to the same file, for a forked process (SQLite connections
        must not cross a ``fork``); the inherited one is kept, unused, never closed."""
        self._inherited = self._db
        self._db = self._connect()

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)

    def close(self) -> None:
        """Close the SQLite connection."""
        self._db.close()

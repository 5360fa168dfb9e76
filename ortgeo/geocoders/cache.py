"""Persistent SQLite cache of geocoding answers.

Lives in ``platformdirs.user_cache_dir("ortgeo")`` (or ``$ORTGEO_CACHE_DIR``). Keys
combine the provider, the service URL, the query and its filters, so that answers of a
self-hosted addok never mix with the Géoplateforme's. Writes are committed per batch:
an interrupted run keeps everything geocoded so far and a re-run asks only the rest.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from ortgeo.cachedir import cache_dir
from ortgeo.geocoders.result import GeocodeResult

__all__ = ["GeocodeCache", "cache_dir", "cache_key", "default_index_path"]

T = TypeVar("T")


def default_index_path() -> Path:
    """Where ``ortgeo ban index`` writes the offline BAN index by default.

    Examples
    --------
    >>> default_index_path().name
    'ban_index.sqlite'
    """
    return cache_dir() / "ban" / "ban_index.sqlite"


def cache_key(provider: str, base_url: str, query: str, **filters: Any) -> str:
    """Stable key of one request (filters with a None value are ignored).

    Examples
    --------
    >>> cache_key("ban-api", "u", "q", citycode=None) == cache_key("ban-api", "u", "q")
    True
    """
    clean = {k: str(v) for k, v in sorted(filters.items()) if v is not None}
    text = json.dumps([provider, base_url.rstrip("/"), query.strip(), clean], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class GeocodeCache:
    """A key → :class:`GeocodeResult` store in one SQLite file.

    Only answers (``ok`` and ``not-found``) are cached, never errors. A damaged file
    (``sqlite3.DatabaseError``) is moved aside with a warning naming it, and a new
    empty cache is started.

    Parameters
    ----------
    path : str or Path, optional
        The SQLite file (default ``cache_dir()/geocode.sqlite``).

    Examples
    --------
    >>> import tempfile
    >>> c = GeocodeCache(Path(tempfile.mkdtemp()) / "c.sqlite")
    >>> c.put_many([("k", GeocodeResult("q", "not-found"))])
    >>> c.get("k").status, c.get("other")
    ('not-found', None)
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else cache_dir() / "geocode.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as exc:
            self._db = self._set_aside(exc)

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        try:
            (check,) = db.execute("PRAGMA quick_check(1)").fetchone()
            if check != "ok":
                raise sqlite3.DatabaseError(check)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS results ("
                "key TEXT PRIMARY KEY, value TEXT NOT NULL, created REAL NOT NULL)"
            )
            db.commit()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _set_aside(self, exc: sqlite3.DatabaseError) -> sqlite3.Connection:
        """Move a damaged cache file aside (with its WAL files), warn, start a new one."""
        aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        for suffix in ("", "-wal", "-shm"):
            part = self.path.with_name(self.path.name + suffix)
            if part.exists():
                part.replace(aside.with_name(aside.name + suffix))
        warnings.warn(
            f"The geocode cache {self.path} is damaged ({exc}): moved aside to {aside.name}; "
            "starting an empty cache (answers will be asked again).",
            UserWarning,
            stacklevel=3,
        )
        return self._open()

    def _run(self, action: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``action`` on the database; a damaged file is set aside and replaced once."""
        with self._lock:
            try:
                return action(self._db)
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                    raise
                self._db.close()
                self._db = self._set_aside(exc)
                return action(self._db)

    def get(self, key: str) -> GeocodeResult | None:
        """The cached result for ``key``, or None."""
        return self.get_many([key]).get(key)

    def get_many(self, keys: Sequence[str]) -> dict[str, GeocodeResult]:
        """Cached results of those ``keys`` that are present."""
        unique = list(dict.fromkeys(keys))

        def read(db: sqlite3.Connection) -> dict[str, GeocodeResult]:
            found: dict[str, GeocodeResult] = {}
            for start in range(0, len(unique), 500):
                part = unique[start : start + 500]
                marks = ",".join("?" * len(part))
                rows = db.execute(
                    f"SELECT key, value FROM results WHERE key IN ({marks})", part
                ).fetchall()
                for key, value in rows:
                    found[key] = GeocodeResult.from_dict(json.loads(value))
            return found

        return self._run(read)

    def put_many(self, items: Iterable[tuple[str, GeocodeResult]]) -> None:
        """Store results (errors are skipped) and commit."""
        now = time.time()
        rows = [
            (key, json.dumps(res.to_dict(), ensure_ascii=False), now)
            for key, res in items
            if res.status != "error"
        ]
        if not rows:
            return

        def write(db: sqlite3.Connection) -> None:
            db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?)", rows)
            db.commit()

        self._run(write)

    def __len__(self) -> int:
        return self._run(lambda db: int(db.execute("SELECT count(*) FROM results").fetchone()[0]))

    def clear(self) -> None:
        """Forget every cached answer."""

        def delete(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM results")
            db.commit()

        self._run(delete)

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

"""Persistent SQLite cache of geocoding answers.

Lives in ``platformdirs.user_cache_dir("ortgeo")`` (or ``$ORTGEO_CACHE_DIR``). Keys
combine the provider, the service URL, the query and its filters, so that answers of a
self-hosted addok never mix with the Géoplateforme's. Writes are committed per batch:
an interrupted run keeps everything geocoded so far and a re-run asks only the rest.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import platformdirs

from ortgeo.geocoders.base import GeocodeResult

__all__ = ["GeocodeCache", "cache_dir", "cache_key", "default_index_path"]


def cache_dir() -> Path:
    """The ortgeo cache folder (``$ORTGEO_CACHE_DIR`` or the user cache dir), created.

    Examples
    --------
    >>> cache_dir().is_dir()
    True
    """
    path = Path(os.environ.get("ORTGEO_CACHE_DIR") or platformdirs.user_cache_dir("ortgeo"))
    path.mkdir(parents=True, exist_ok=True)
    return path


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

    Only answers (``ok`` and ``not-found``) are cached, never errors.

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
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS results ("
            "key TEXT PRIMARY KEY, value TEXT NOT NULL, created REAL NOT NULL)"
        )
        self._db.commit()

    def get(self, key: str) -> GeocodeResult | None:
        """The cached result for ``key``, or None."""
        return self.get_many([key]).get(key)

    def get_many(self, keys: Sequence[str]) -> dict[str, GeocodeResult]:
        """Cached results of those ``keys`` that are present."""
        found: dict[str, GeocodeResult] = {}
        unique = list(dict.fromkeys(keys))
        with self._lock:
            for start in range(0, len(unique), 500):
                part = unique[start : start + 500]
                marks = ",".join("?" * len(part))
                rows = self._db.execute(
                    f"SELECT key, value FROM results WHERE key IN ({marks})", part
                ).fetchall()
                for key, value in rows:
                    found[key] = GeocodeResult.from_dict(json.loads(value))
        return found

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
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?)", rows)
            self._db.commit()

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM results").fetchone()[0])

    def clear(self) -> None:
        """Forget every cached answer."""
        with self._lock:
            self._db.execute("DELETE FROM results")
            self._db.commit()

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

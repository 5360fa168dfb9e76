"""Geocoding a large batch in several processes (offline geocoders only).

Rows are independent, so :func:`geocode_in_pool` cuts a batch into chunks of
:data:`CHUNK_ROWS` rows and hands them to worker processes *forked* from the caller: each
worker inherits the geocoder with its streets already in memory, opens its own connection
to the read-only index once (:meth:`Geocoder._after_fork`) and answers whole chunks. The
answers come back in input order. Results travel as plain field dicts and the garbage
collector is paused while they are rebuilt.

A worker that raises an :class:`~ortgeo.errors.OrtgeoError` makes the batch raise the same
error (same class, same message); a worker that dies (killed, out of memory) raises
:class:`~ortgeo.errors.GeocoderError` saying so, never a hang.

Only where ``fork`` exists (Linux, the BSDs): elsewhere :func:`pool_jobs` says 1 and the
batch stays in one process.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import multiprocessing
import re
import signal
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

from ortgeo.cpus import usable_cpus
from ortgeo.errors import GeocoderError, InputFileError, OrtgeoError
from ortgeo.geocoders.progress import progress_iter
from ortgeo.geocoders.result import GeocodeResult

if TYPE_CHECKING:
    from ortgeo.geocoders.base import Geocoder

__all__ = [
    "CHUNK_ROWS",
    "MIN_POOL_ROWS",
    "gc_paused",
    "geocode_in_pool",
    "pool_jobs",
    "usable_cpus",
]

#: Rows per chunk handed to a worker.
CHUNK_ROWS = 2_000
#: Below this many (distinct) rows a batch stays in the calling process: starting
#: workers and shipping results back costs more than it saves.
MIN_POOL_ROWS = 5_000

Row = tuple[str, "str | None", "str | None"]
#: The geocoder of a worker process (inherited through fork).
_WORKER: Any = None


def pool_jobs(jobs: int | None, n_rows: int, geocoder: Geocoder) -> int:
    """How many worker processes to use for ``n_rows`` rows; 1 means "in-process".

    ``jobs=None`` means one per usable CPU. A small batch, a geocoder that cannot be
    forked (the rate-limited web API) or a system without ``fork`` give 1.

    Raises
    ------
    InputFileError
        ``jobs`` below 1.

    Examples
    --------
    >>> from ortgeo.geocoders import BanApiGeocoder
    >>> pool_jobs(4, 100_000, BanApiGeocoder(base_url="http://127.0.0.1:1"))
    1
    """
    if jobs is not None and jobs < 1:
        raise InputFileError(f"jobs must be 1 or more (got {jobs}); give 1 for one process.")
    wanted = usable_cpus() if jobs is None else jobs
    if (
        wanted <= 1
        or n_rows < MIN_POOL_ROWS
        or not geocoder.forkable
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return 1
    return min(wanted, -(-n_rows // CHUNK_ROWS))


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a block that builds many small objects.

    A batch builds hundreds of thousands of results and keeps them: every automatic
    collection would scan them all again. Reference counting still frees everything
    that is not a cycle; the collector is back on (if it was on) after the block.

    Examples
    --------
    >>> with gc_paused():
    ...     gc.isenabled()
    False
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _pack(result: GeocodeResult) -> dict[str, Any]:
    fields = dict(result.__dict__)
    fields["candidates"] = [_pack(c) for c in result.candidates]
    return fields


_new = object.__new__


def _unpack(fields: dict[str, Any]) -> GeocodeResult:
    """The result :func:`_pack` packed (equal to it, candidates included)."""
    candidates = fields["candidates"]
    fields["candidates"] = tuple(map(_unpack, candidates)) if candidates else ()
    obj = _new(GeocodeResult)
    obj.__dict__.update(fields)
    return obj


def _worker_start() -> None:
    """In a fresh worker: no Ctrl-C (the caller stops the pool), no collector, own index."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.disable()  # results are freed by reference counting; scans would copy shared pages
    _WORKER._after_fork()


def _worker_chunk(rows: list[Row]) -> list[dict[str, Any]] | tuple[str, str, str, dict[str, Any]]:
    """Geocode one chunk in a worker; an ortgeo error comes back as plain data."""
    try:
        return [_pack(r) for r in _WORKER._geocode_rows(rows, False)]
    except OrtgeoError as exc:  # some need keyword arguments: not picklable as they are
        cls = type(exc)
        return (cls.__module__, cls.__qualname__, str(exc), dict(exc.__dict__))


def _raise_again(module: str, name: str, message: str, attrs: dict[str, Any]) -> None:
    """Raise in the caller the ortgeo error a worker raised (same class, message, attributes)."""
    found: Any = importlib.import_module(module)
    for part in name.split("."):
        found = getattr(found, part)
    exc: BaseException = Exception.__new__(found)
    Exception.__init__(exc, message)
    exc.__dict__.update(attrs)
    raise exc


def _commune_key(row: Row) -> str:
    """A cheap guess of a row's commune (its codes, else the last 5-digit number in it)."""
    text, citycode, postcode = row
    if citycode or postcode:
        return f"{citycode or ''}|{postcode or ''}"
    found = _POSTCODE.findall(text)
    return found[-1] if found else ""


_POSTCODE = re.compile(r"(?<!\d)\d{5}(?!\d)")


def geocode_in_pool(
    geocoder: Geocoder, rows: list[Row], jobs: int, progress: bool = False
) -> list[GeocodeResult]:
    """``geocoder._geocode_rows(rows)`` in ``jobs`` forked processes; results in input order.

    Rows are grouped by a guess of their commune before being cut into chunks of
    :data:`CHUNK_ROWS` (each worker then reads the house numbers of fewer communes);
    the guess only orders the work, the results are put back in input order.

    Parameters
    ----------
    geocoder : Geocoder
        A geocoder whose ``forkable`` is true.
    rows : list of (query, citycode, postcode)
    jobs : int
        Worker processes (see :func:`pool_jobs`).
    progress : bool
        Show a progress bar (started after the workers are forked).

    Raises
    ------
    OrtgeoError
        The error a worker raised; :class:`~ortgeo.errors.GeocoderError` when a worker died.

    Examples
    --------
    >>> from ortgeo.geocoders import BanLocalGeocoder
    >>> from ortgeo.testing import synthetic_ban_index
    >>> g = BanLocalGeocoder(synthetic_ban_index(n_rows=300))
    >>> rows = [("3 rue de la Gare Lens", None, None), ("", None, None)]
    >>> [r.status for r in geocode_in_pool(g, rows, jobs=2)]
    ['ok', 'not-found']
    """
    global _WORKER
    order = sorted(range(len(rows)), key=lambda i: _commune_key(rows[i]))
    chunks = [order[i : i + CHUNK_ROWS] for i in range(0, len(order), CHUNK_ROWS)]
    _WORKER = geocoder
    pool = ProcessPoolExecutor(
        jobs, mp_context=multiprocessing.get_context("fork"), initializer=_worker_start
    )
    results: list[Any] = [None] * len(rows)
    try:  # every worker is forked at the first submit, before any thread starts
        futures = [pool.submit(_worker_chunk, [rows[i] for i in chunk]) for chunk in chunks]
        _WORKER = None  # the workers have their copy
        done = zip(chunks, futures, strict=True)
        for chunk, future in progress_iter(done, len(chunks), "Geocoding", progress):
            answer: Any = future.result()
            if isinstance(answer, tuple):
                _raise_again(*answer)
            with gc_paused():
                for i, fields in zip(chunk, answer, strict=True):
                    results[i] = _unpack(fields)
    except BrokenProcessPool:
        raise GeocoderError(
            "A geocoding worker process stopped unexpectedly (killed, or out of memory?): "
            "nothing was written. Run again with --jobs 1 (jobs=1) to geocode in one process."
        ) from None
    finally:
        _WORKER = None
        pool.shutdown(wait=True, cancel_futures=True)
    return results

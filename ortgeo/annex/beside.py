"""Jobs run beside this process, on the second CPU: a forked helper process.

The Annex 3 files are independent once the figures are drawn: a child forked at that
point inherits them (no copy, no pickling) and writes its share of the files into the
same temporary folder while this process writes the rest. Without ``fork`` (Windows,
macOS' default), with one usable CPU or with other threads running (forking them is
unsafe), the jobs simply run here, in order, when they are started.
"""

from __future__ import annotations

import multiprocessing
import threading
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any

from ortgeo.cpus import usable_cpus
from ortgeo.errors import OrtgeoError

__all__ = ["Beside", "usable_cpus"]

Job = Callable[[], Any]


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _child(jobs: Sequence[Job], conn: Connection) -> None:
    """In the forked process: run the jobs, send back ``None`` or the error."""
    try:
        for job in jobs:
            job()
        conn.send(None)
    except BaseException as exc:  # every failure goes back to the parent
        try:
            conn.send(exc)
        except Exception:  # an error that does not pickle: its text
            conn.send(OrtgeoError("".join(traceback.format_exception(exc)).strip()))
    finally:
        conn.close()


class Beside:
    """Jobs run beside this process: a context whose :meth:`start` forks a helper.

    ``workers``: ``None`` two processes when this one may use two CPUs, can fork and
    runs no other thread; ``1`` :meth:`start` runs the jobs here, in order. Leaving
    the block normally waits for the jobs and raises the first error one met; leaving it
    on an error stops the helper.

    Examples
    --------
    >>> done = []
    >>> with Beside(workers=1) as helper:
    ...     helper.start([lambda: done.append("beside")])
    ...     done.append("here")
    >>> done
    ['beside', 'here']
    >>> try:
    ...     with Beside() as helper:
    ...         helper.start([lambda: 1 / 0])
    ... except ZeroDivisionError:
    ...     print("raised here")
    raised here
    """

    def __init__(self, workers: int | None = None) -> None:
        if workers is not None and workers < 1:
            raise OrtgeoError(f"workers must be at least 1, not {workers}.")
        self.fork = (usable_cpus() if workers is None else workers) >= 2
        self.jobs: list[Job] = []
        self.process: Any = None
        self.conn: Connection | None = None

    def __enter__(self) -> Beside:
        return self

    def start(self, jobs: Sequence[Job]) -> None:
        """Start ``jobs`` in a forked process (or run them here, now)."""
        self.jobs = list(jobs)
        if not (self.fork and self.jobs and _can_fork()):
            for job in self.jobs:  # here and now: the same order of work as the fork's
                job()
            return
        context = multiprocessing.get_context("fork")
        self.conn, child_end = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_child, args=(self.jobs, child_end), name="ortgeo-beside", daemon=True
        )
        self.process.start()
        child_end.close()

    @property
    def forked(self) -> bool:
        """Whether the jobs run in a forked process."""
        return self.process is not None

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is not None:
            self._cancel()
            return
        if self.process is None:
            return
        assert self.conn is not None
        try:
            outcome = self.conn.recv()
        except EOFError:  # the child died without a word (killed, out of memory)
            outcome = OrtgeoError(
                f"the helper process stopped unexpectedly (exit code {self.process.exitcode})"
            )
        except BaseException:  # Ctrl-C while waiting
            self._cancel()
            raise
        self.conn.close()
        self.process.join()
        if outcome is not None:
            raise outcome

    def _cancel(self) -> None:
        if self.process is not None:
            if self.process.is_alive():
                self.process.terminate()
            self.process.join()
        if self.conn is not None:
            self.conn.close()

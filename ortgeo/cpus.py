"""How many CPUs this process may use: the one answer every pool of threads or processes of
ortgeo asks (chunks of ``locate``, the engine's measures, the geocoding pool, the annex's
helper)."""

from __future__ import annotations

import os

__all__ = ["usable_cpus"]


def usable_cpus() -> int:
    """CPUs this process may run on (``os.sched_getaffinity``, else ``os.cpu_count``), at
    least 1.

    Examples
    --------
    >>> usable_cpus() >= 1
    True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)

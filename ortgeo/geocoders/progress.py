"""A progress bar over an iterable (rich, on stderr), shared by the index build, the
batches and the pool: a leaf module, so that none of them imports another for it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

__all__ = ["progress_iter"]

T = TypeVar("T")


def progress_iter(
    items: Iterable[T], total: int | None, description: str, enabled: bool
) -> Iterator[T]:
    """Iterate over ``items``, drawing a rich progress bar on stderr when ``enabled``.

    Examples
    --------
    >>> list(progress_iter([1, 2], 2, "Counting", enabled=False))
    [1, 2]
    """
    if not enabled:
        yield from items
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            bar.advance(task)

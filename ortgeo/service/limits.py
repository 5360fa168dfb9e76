"""Limits that keep the service up under load: per-client rate, body size, time, threads.

- :class:`RateLimitMiddleware`: per-client moving window (the ``limits`` package's rule;
  in the worker's memory by :class:`MovingWindow`, or on the ``limits`` storage given,
  e.g. redis); over the limit the answer is HTTP 429 with ``Retry-After``, like the BAN
  API. The client is the peer address — behind a reverse proxy, uvicorn's
  ``--forwarded-allow-ips`` makes it the real client's.
- :class:`BodySizeMiddleware`: refuses a body larger than the limit (HTTP 413), by its
  ``Content-Length`` and while it is received.
- :class:`Worker`: runs the work that may wait (address checks on the BAN API,
  suggestions, communes, batches) in a small thread pool with a time limit (HTTP 504),
  queueing included; point checks and address checks on the offline index are answered
  on the event loop (see :func:`ortgeo.service.api.check_json`).
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ortgeo.service.errors import ApiError, error_response

__all__ = ["BodySizeMiddleware", "MovingWindow", "RateLimitMiddleware", "Worker"]

T = TypeVar("T")

#: The ``limits`` storages that mean "this worker's memory": :class:`MovingWindow`.
_MEMORY = ("memory://", "memory:")


class MovingWindow:
    """Per-client moving window in this worker's memory: at most ``amount`` hits in any
    ``expiry`` seconds — the rule of ``limits``' ``MovingWindowRateLimiter`` on its
    ``memory://`` storage (same hits allowed, same reset time), without its expiry
    thread (a new thread every 10 ms under load, scanning every client: ~0.25 ms of CPU
    per request with 1,000 clients).

    Each client keeps its last ``amount`` hits (only the ``amount``-th newest decides);
    clients silent for ``expiry`` seconds are dropped at most once per ``expiry``
    seconds, on a hit.

    Parameters
    ----------
    amount : int
        Hits allowed in a window.
    expiry : float
        Length of the window, seconds.

    Examples
    --------
    >>> w = MovingWindow(2, 1.0)
    >>> [w.hit("a", now=t) for t in (0.0, 0.5, 0.9, 1.0, 1.2)], w.hit("b", now=0.9)
    ([True, True, False, False, True], True)
    >>> w.reset_time("a", now=1.3)  # the oldest hit still in the window (0.5) + 1 s
    1.5
    """

    def __init__(self, amount: int, expiry: float) -> None:
        self.amount = amount
        self.expiry = expiry
        self._hits: dict[str, deque[float]] = {}
        self._sweep_at = 0.0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._hits)

    def hit(self, client: str, now: float | None = None) -> bool:
        """Count a hit of ``client``; False (not counted) when it would go over the limit."""
        if self.amount < 1:  # as limits: a cost above the limit is never allowed
            return False
        now = time.time() if now is None else now
        with self._lock:
            if now >= self._sweep_at:
                self._sweep(now)
            hits = self._hits.get(client)
            if hits is None:
                hits = self._hits[client] = deque(maxlen=self.amount)
            if len(hits) == self.amount and hits[0] >= now - self.expiry:
                return False  # as limits: its amount-th newest hit is still in the window
            hits.append(now)
            return True

    def reset_time(self, client: str, now: float | None = None) -> float:
        """When the oldest hit of ``client`` still in the window leaves it (``limits``'
        ``get_window_stats(...).reset_time``); ``now`` for a client without hits."""
        now = time.time() if now is None else now
        with self._lock:
            hits = self._hits.get(client)
            if not hits:
                return now + self.expiry
            start = next((t for t in hits if t > now - self.expiry), hits[0])
            return start + self.expiry

    def _sweep(self, now: float) -> None:
        old = now - self.expiry
        for client in [c for c, hits in self._hits.items() if hits[-1] <= old]:
            del self._hits[client]
        self._sweep_at = now + max(self.expiry, 1.0)


class RateLimitMiddleware:
    """HTTP 429 + ``Retry-After`` for a client above ``rate`` (e.g. ``"50/second"``).

    Paths starting with one of ``exempt`` (static assets) are not counted.
    """

    def __init__(
        self, app: ASGIApp, rate: str, storage: str = "memory://", exempt: tuple[str, ...] = ()
    ) -> None:
        self.app = app
        self.item = parse(rate)
        self.window: MovingWindow | None = None
        self.limiter: MovingWindowRateLimiter | None = None
        if storage in _MEMORY:
            self.window = MovingWindow(self.item.amount, self.item.get_expiry())
        else:
            self.limiter = MovingWindowRateLimiter(storage_from_string(storage))
        self.exempt = exempt

    def _hit(self, client: str) -> bool:
        if self.window is not None:
            return self.window.hit(client)
        assert self.limiter is not None
        return self.limiter.hit(self.item, client)

    def _reset_time(self, client: str) -> float:
        if self.window is not None:
            return self.window.reset_time(client)
        assert self.limiter is not None
        return self.limiter.get_window_stats(self.item, client).reset_time

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("?", 0))[0]
        if self._hit(client):
            await self.app(scope, receive, send)
            return
        reset = self._reset_time(client)
        wait = max(1, math.ceil(reset - time.time()))
        err = ApiError(
            429, "trop-de-requetes",
            f"Trop de demandes venant de votre adresse ({self.item.amount} en "
            f"{self.item.multiples * self.item.GRANULARITY.seconds} s au plus) : réessayez "
            f"dans {wait} s.",
            headers={"Retry-After": str(wait)},
        )  # fmt: skip
        await error_response(err)(scope, receive, send)


class BodySizeMiddleware:
    """HTTP 413 for a request body above ``max_bytes`` (declared or actually sent)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _refusal(self) -> ApiError:
        return ApiError(413, "fichier-trop-gros",
                        f"Envoi trop gros : {self.max_bytes / 1e6:.1f} Mo au plus.")  # fmt: skip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is None and b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body (HTTP/1.1): nothing to count
            return
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await error_response(self._refusal())(scope, receive, send)
            return
        seen = 0
        refused = False  # the body went over the limit: the answer is our 413
        answered = False  # a response has started (ours or the app's)

        async def counting_receive() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    refused = True
                    raise _TooBig
            return message

        async def guarded_send(message: Message) -> None:
            # the framework may turn _TooBig into its own error ("error parsing the body"):
            # once the body is refused, the 413 replaces whatever the app answers
            nonlocal answered
            start = message["type"] == "http.response.start"
            if refused:  # the app's own answer is dropped
                if start and not answered:
                    await error_response(self._refusal())(scope, receive, send)
                answered = True
                return
            answered = answered or start
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _TooBig:
            if not answered:
                await error_response(self._refusal())(scope, receive, send)


class _TooBig(Exception):
    pass


class Worker:
    """Runs blocking work in at most ``threads`` threads, within a time limit.

    A task that exceeds the limit is answered HTTP 504; its thread finishes in the
    background (Python cannot stop a thread) but holds no client.

    Examples
    --------
    >>> import asyncio
    >>> asyncio.run(Worker(threads=2).run(sum, [1, 2], timeout=1.0))
    3
    """

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self._limiter: anyio.CapacityLimiter | None = None

    async def run(self, func: Callable[..., T], *args: Any, timeout: float) -> T:
        """``func(*args)`` in a worker thread; :class:`ApiError` 504 after ``timeout`` s."""
        if self._limiter is None:  # created inside the event loop
            self._limiter = anyio.CapacityLimiter(self.threads)
        try:
            return await asyncio.wait_for(
                anyio.to_thread.run_sync(func, *args, limiter=self._limiter), timeout
            )
        except TimeoutError:
            raise ApiError(504, "delai-depasse",
                           f"La demande a dépassé le délai de {timeout:.0f} s ; réessayez ou "
                           "envoyez moins d'adresses.") from None  # fmt: skip

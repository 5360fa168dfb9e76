"""Limits that keep the service up under load: per-client rate, body size, time, threads.

- :class:`RateLimitMiddleware`: per-client moving window (the ``limits`` package, memory
  or redis storage); over the limit the answer is HTTP 429 with ``Retry-After``, like
  the BAN API. The client is the peer address — behind a reverse proxy, uvicorn's
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
import time
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ortgeo.service.errors import ApiError, error_response

__all__ = ["BodySizeMiddleware", "RateLimitMiddleware", "Worker"]

T = TypeVar("T")


class RateLimitMiddleware:
    """HTTP 429 + ``Retry-After`` for a client above ``rate`` (e.g. ``"50/second"``).

    Paths starting with one of ``exempt`` (static assets) are not counted.
    """

    def __init__(
        self, app: ASGIApp, rate: str, storage: str = "memory://", exempt: tuple[str, ...] = ()
    ) -> None:
        self.app = app
        self.item = parse(rate)
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage))
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("?", 0))[0]
        if self.limiter.hit(self.item, client):
            await self.app(scope, receive, send)
            return
        reset = self.limiter.get_window_stats(self.item, client).reset_time
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

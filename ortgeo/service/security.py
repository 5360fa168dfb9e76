"""Security headers on every answer: a CSP that forbids every external origin.

The page, its scripts, styles and map assets all come from the service itself
(``'self'``; images also as ``data:`` URIs, which is how Leaflet's CSS carries its
icons); no inline script, no frame, no plug-in; the page cannot be framed by another
site (``frame-ancestors 'none'``, and ``X-Frame-Options`` for old browsers). The one
exception is opt-in: with ``ortgeo serve --basemap``, images may also come from the tile
server's origins (and nothing else from there).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CSP", "SECURITY_HEADERS", "SecurityHeadersMiddleware", "csp"]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
}


def csp(img_origins: tuple[str, ...] = ()) -> str:
    """The CSP, with the tile servers' origins allowed for images only.

    >>> "img-src 'self' data: https://tile.openstreetmap.org;" in csp(
    ...     ("https://tile.openstreetmap.org",))
    True
    """
    if not img_origins:
        return CSP
    return CSP.replace("img-src 'self' data:", "img-src 'self' data: " + " ".join(img_origins))


class SecurityHeadersMiddleware:
    """Adds :data:`SECURITY_HEADERS` to every HTTP response (unless the route set one)."""

    def __init__(self, app: ASGIApp, img_origins: tuple[str, ...] = ()) -> None:
        self.app = app
        headers = {**SECURITY_HEADERS, "Content-Security-Policy": csp(img_origins)}
        self.encoded = [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(pair for pair in self.encoded if pair[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)

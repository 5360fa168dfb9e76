"""``ortgeo serve``: the lookup page and the JSON API, on uvicorn."""

from __future__ import annotations

import errno
import os
import socket

import click

from ortgeo.cli.i18n import _
from ortgeo.cli.options import catalog_option, friendly, geocoder_options
from ortgeo.errors import PortInUseError

__all__ = ["check_listen", "serve"]


def check_listen(host: str, port: int) -> None:
    """Refuse, before starting, an address and port the server could not listen on.

    uvicorn would log its own English traceback line and exit with status 3; this says
    what is wrong and what to do, in one line (exit status 2).

    Raises
    ------
    PortInUseError

    Examples
    --------
    >>> with socket.socket() as busy:
    ...     busy.bind(("127.0.0.1", 0)); busy.listen()
    ...     check_listen("127.0.0.1", busy.getsockname()[1])
    Traceback (most recent call last):
    ...
    ortgeo.errors.PortInUseError: Port ... on 127.0.0.1 is already in use (another ortgeo serve?)...
    """
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except (socket.gaierror, UnicodeError):
        raise PortInUseError(
            f"Cannot listen on {host!r}: not an address of this machine. Use --host "
            "127.0.0.1 (this machine only) or 0.0.0.0 (every interface)."
        ) from None
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                message = (
                    f"Port {port} on {host} is already in use (another ortgeo serve?): stop "
                    "that server, or choose another port with --port."
                )
            elif exc.errno == errno.EACCES:
                message = f"Port {port} needs privileges: choose a port above 1023 with --port."
            elif exc.errno == errno.EADDRNOTAVAIL:
                message = (
                    f"Cannot listen on {host}: not an address of this machine. Use --host "
                    "127.0.0.1 or 0.0.0.0."
                )
            else:
                message = f"Cannot listen on {host}:{port}: {exc.strerror or exc}."
            raise PortInUseError(message) from None


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (keep 127.0.0.1 behind a reverse proxy).",
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes (one per core).",
)
@geocoder_options
@catalog_option
@click.option(
    "--rate-limit",
    default="50/second",
    show_default=True,
    metavar="N/PERIOD",
    help="Requests per client ('' = off); answered 429 + Retry-After beyond it.",
)
@click.option(
    "--rate-limit-storage",
    default="memory://",
    show_default=True,
    metavar="URI",
    help="memory:// (per worker) or redis://host:6379 (shared by the workers).",
)
@click.option(
    "--max-rows",
    default=5000,
    show_default=True,
    type=click.IntRange(1),
    help="Most addresses in one uploaded CSV.",
)
@click.option(
    "--max-upload-mb",
    default=2.0,
    show_default=True,
    type=click.FloatRange(0.001),
    help="Largest uploaded CSV, in megabytes.",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    metavar="ORIGIN",
    help="Allow this origin to call the API from a browser (repeatable; default: none).",
)
@click.option(
    "--forwarded-allow-ips",
    default="127.0.0.1",
    show_default=True,
    metavar="IPS",
    help="Proxies whose X-Forwarded-For gives the client address (rate limiting).",
)
@click.option(
    "--root-path",
    default="",
    metavar="PATH",
    help="URL prefix when the proxy serves the service under a path, e.g. /ort.",
)
@click.option(
    "--basemap",
    default=None,
    metavar="NAME|URL",
    help="Background of the page's map: an xyzservices provider (OpenStreetMap.Mapnik, "
    "GeoportailFrance.plan) or an XYZ URL template. Default: none (no external request).",
)
@friendly
def serve(
    host: str,
    port: int,
    workers: int,
    geocoder: str,
    ban_index: str | None,
    ban_url: str | None,
    catalog_path: str | None,
    rate_limit: str,
    rate_limit_storage: str,
    max_rows: int,
    max_upload_mb: float,
    cors_origins: tuple[str, ...],
    forwarded_allow_ips: str,
    root_path: str,
    basemap: str | None,
) -> None:
    """Serve the French lookup page (/) and the JSON API (/api/v1, documented at /docs)."""
    import uvicorn

    from ortgeo.service import ServiceConfig, create_app
    from ortgeo.service.config import CONFIG_ENV

    check_listen(host, port)  # before loading anything
    config = ServiceConfig(
        catalog_path=catalog_path,
        ban_index=ban_index,
        geocoder=geocoder,
        ban_url=ban_url,
        rate_limit=rate_limit,
        rate_limit_storage=rate_limit_storage,
        max_rows=max_rows,
        max_upload_bytes=int(max_upload_mb * 1e6),
        cors_origins=cors_origins,
        basemap=basemap,
    )
    app = create_app(config)  # fails here, with a clear message, on a bad catalogue or index
    geocoder_name = app.state.lookup.geocoder.name
    os.environ[CONFIG_ENV] = config.to_json()
    # glibc gives each thread its own malloc arena, and a worker's arenas only grow: two
    # are enough for the event loop and the few check threads (the worker processes read
    # it when they start; keep the value the user set, if any)
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    click.echo(
        _(
            "ortgeo serve: {url} ({workers} worker(s), geocoder {geocoder}, rate limit {rate})"
        ).format(
            url=f"http://{host}:{port}{root_path}/",
            workers=workers,
            geocoder=geocoder_name,
            rate=rate_limit or _("off"),
        ),
        err=True,
    )
    uvicorn.run(
        "ortgeo.service.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        root_path=root_path,
        server_header=False,
        timeout_keep_alive=5,
        log_level="warning",
        access_log=False,  # formatting a log line per request costs CPU even when it is dropped
    )

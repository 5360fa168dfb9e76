"""Fixtures of the web-service tests: SYNTHETIC offline BAN indexes, hostile labels.

Every index is built in a temporary folder from ``ortgeo.testing.write_synthetic_ban_export``
(made-up addresses); the "hostile" one renames one street with HTML/JS payloads, to show
that labels coming from the index stay text in every page.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from ortgeo.geocoders import build_ban_index
from ortgeo.testing import write_synthetic_ban_export

#: Street names an attacker could slip into an address file (each must stay text).
HOSTILE_STREET = "Rue <script>alert('xss')</script> \"><img src=x onerror=alert(1)>"
HOSTILE_QUERY = "<img src=x onerror=alert(2)> rue de la gare\"'><svg onload=alert(3)>"


def synthetic_index(folder: Path, n_rows: int = 1500) -> Path:
    """An offline BAN index of SYNTHETIC Lens addresses."""
    folder.mkdir(parents=True, exist_ok=True)
    csv = write_synthetic_ban_export(folder / "adresses.csv", n_rows=n_rows)
    return build_ban_index(csv, folder / "ban.sqlite", progress=False)


def hostile_index(folder: Path) -> Path:
    """A SYNTHETIC index whose "Rue de Paris" is renamed :data:`HOSTILE_STREET`."""
    folder.mkdir(parents=True, exist_ok=True)
    csv = write_synthetic_ban_export(folder / "adresses.csv", n_rows=800)
    table = pd.read_csv(csv, sep=";", dtype=str, keep_default_na=False)
    assert (table["nom_voie"] == "Rue de Paris").any()
    table.loc[table["nom_voie"] == "Rue de Paris", "nom_voie"] = HOSTILE_STREET
    table.to_csv(csv, sep=";", index=False)
    return build_ban_index(csv, folder / "ban.sqlite", progress=False)


@contextlib.contextmanager
def live_server(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free port of 127.0.0.1 (in a thread); yield its URL."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)

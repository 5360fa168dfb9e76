"""``ortgeo communes update``: the ANCT table downloaded from a local server on 127.0.0.1 that
speaks its exact CSV format; bad downloads refused with one line, the table in use kept."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_communes import ANCT_HEADER, anct_csv

from ortgeo import communes
from ortgeo.cli import main
from ortgeo.errors import GeocoderServiceError, InputFileError, OrtgeoError

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = communes.communes_path() / "ort_communes.csv"


def _national() -> bytes:
    """The bundled table in the ANCT's format, with Loison-sous-Lens signed in 2025 and
    Liévin's row updated: what a newer national table looks like."""
    rows = [dict(r) for r in communes.read_csv_rows(BUNDLED)]
    loison = dict(rows[0]) | {
        "insee": "62523", "nom": "Loison-sous-Lens", "epci": "CA de Lens - Liévin",
        "departement": "Pas-de-Calais", "programme": "autre", "ort": "signee",
        "ort_signee_le": "2025-03-14", "actualise_le": "2025-04-02",
        "remarque": "Intégrée à l'ORT de la CALL par avenant", "acv": "False", "pvd": "False",
    }  # fmt: skip
    return anct_csv(sorted([*rows, loison], key=lambda r: r["insee"]))


#: path → (status, content type, body, declared length or None)
ROUTES: dict[str, tuple[int, str, bytes, int | None]] = {}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        missing = (404, "text/html", b"<html>404</html>", None)
        status, ctype, body, length = ROUTES.get(self.path.split("?")[0], missing)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length if length is not None else len(body)))
        self.end_headers()
        self.wfile.write(body)
        if length is not None:  # a connection cut before the declared end
            self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def anct_server() -> Iterator[str]:
    national = _national()
    few = anct_csv(list(communes.ort_rows().values())[:40])
    ROUTES.update({
        "/ort.csv": (200, "text/csv; charset=utf-8", national, None),
        "/html": (200, "text/html; charset=utf-8",
                  b"<!DOCTYPE html>\n<html>\n<body>Document introuvable</body>\n</html>", None),
        "/few.csv": (200, "text/csv", few, None),
        "/other.csv": (200, "text/csv", b"insee_com,lib_com,id_acv\n62498,Lens,acv-113\n", None),
        "/truncated.csv": (200, "text/csv", national[:200_000], len(national)),
        "/cut-in-quote.csv": (200, "text/csv", national[: national.index(b'"', 30_000) + 20],
                              None),
        "/failing": (500, "text/html", b"<html>\n<h1>500</h1>\nInternal error\n</html>", None),
    })  # fmt: skip
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache folder of this test only; the tables are read again before and after."""
    monkeypatch.setenv("ORTGEO_CACHE_DIR", str(tmp_path))
    communes.ort_rows.cache_clear()
    communes._ort_table.cache_clear()
    yield tmp_path / "anct" / "ort_communes.csv"
    communes.ort_rows.cache_clear()
    communes._ort_table.cache_clear()


def test_update_downloads_converts_and_is_used(anct_server: str, cache: Path) -> None:
    assert "62523" not in communes.ort_rows()
    table = communes.update_ort_table(f"{anct_server}/ort.csv", today=dt.date(2026, 5, 4))
    assert cache.is_file() and table.path == cache and table.refreshed
    assert (table.table_date, table.communes, table.signed) == (dt.date(2026, 5, 4), 2297, 1897)
    rows = communes.ort_rows()
    loison = rows["62523"]
    assert (loison["ort"], loison["ort_signee_le"], loison["ort_by"], loison["table_date"]) == (
        "signee",
        "2025-03-14",
        "convention",
        "2026-05-04",
    )
    lens = rows["62498"]  # the same conversion as the bundled table's
    assert (lens["ort_signee_le"], lens["ort_by"], lens["acv"]) == ("2019-08-04", "arrete", "True")
    assert communes.ort_communes().loc["62523", "table_date"] == "2026-05-04"
    assert BUNDLED.read_bytes() != cache.read_bytes()
    assert [p.name for p in cache.parent.iterdir()] == ["ort_communes.csv"]  # no .part left


@pytest.mark.parametrize("path, error, words", [
    ("/html", InputFileError, "is an HTML page, not the ANCT CSV table"),
    ("/other.csv", InputFileError, "lacks the columns Code commune"),
    ("/truncated.csv", InputFileError, "was interrupted"),
    ("/cut-in-quote.csv", InputFileError, "a truncated or damaged download"),
    ("/few.csv", InputFileError, "lists 15 communes with a signed ORT against 1897"),
    ("/failing", GeocoderServiceError, "answered HTTP 500"),
    ("/missing.csv", GeocoderServiceError, "rejected the request with HTTP 404"),
])  # fmt: skip
def test_a_bad_download_is_refused_and_the_table_kept(
    anct_server: str, cache: Path, path: str, error: type[OrtgeoError], words: str
) -> None:
    communes.update_ort_table(f"{anct_server}/ort.csv", today=dt.date(2026, 5, 4))
    before = cache.read_bytes()
    with pytest.raises(error) as err:
        communes.update_ort_table(f"{anct_server}{path}", today=dt.date(2026, 6, 1), retries=0)
    message = str(err.value)
    assert words in message and "\n" not in message
    assert message.endswith("The table in use is kept (ANCT table of 2026-05-04, downloaded).")
    assert cache.read_bytes() == before
    assert [p.name for p in cache.parent.iterdir()] == ["ort_communes.csv"]
    assert communes.ort_table().table_date == dt.date(2026, 5, 4)


def test_the_address_comes_from_the_environment(
    anct_server: str, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORTGEO_ANCT_URL", f"{anct_server}/html")
    with pytest.raises(InputFileError, match=f"{anct_server}/html is an HTML page"):
        communes.update_ort_table()
    assert not cache.exists()
    assert communes.ort_table().path == BUNDLED


def test_cli_update_and_info(anct_server: str, cache: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(main, ["communes", "update", "--url", f"{anct_server}/html"])
    assert bad.exit_code == 2
    assert bad.output.splitlines() == [
        f"Error: {anct_server}/html is an HTML page, not the ANCT CSV table (an error or login "
        "page?). The table in use is kept (ANCT table of 2024-09-18, bundled)."]  # fmt: skip
    notaurl = runner.invoke(main, ["communes", "update", "--url", "ftp://x"])
    assert notaurl.exit_code == 2 and "is not an http(s) address" in notaurl.output
    good = runner.invoke(main, ["communes", "update", "--url", f"{anct_server}/ort.csv"])
    assert good.exit_code == 0, good.output
    today = dt.date.today().isoformat()
    assert good.output == (f"Updated: ANCT table of {today} (downloaded): 2297 communes, 1897 "
                           f"with a signed ORT — {cache}\n")  # fmt: skip
    info = runner.invoke(main, ["communes", "info"])
    assert info.output == good.output.removeprefix("Updated: ")


def test_a_fresh_process_reads_the_refreshed_table(anct_server: str, cache: Path) -> None:
    communes.update_ort_table(f"{anct_server}/ort.csv", today=dt.date(2026, 5, 4))
    probe = ("import json, ortgeo.communes as c; r = c.ort_rows()['62523']; "
             "print(json.dumps([r['ort'], r['table_date']]))")  # fmt: skip
    env = {"PATH": "", "PYTHONPATH": str(ROOT), "ORTGEO_CACHE_DIR": str(cache.parent.parent)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env=env, timeout=120, check=True)  # fmt: skip
    assert json.loads(done.stdout) == ["signee", "2026-05-04"]


def test_a_damaged_refreshed_table_gives_way_to_the_bundled_one(cache: Path) -> None:
    cache.parent.mkdir(parents=True)
    cache.write_text("insee,nom\n62498,Lens\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="cannot be read .* run `ortgeo communes update` again"):
        rows = communes.ort_rows()
    assert rows["62498"]["table_date"] == "2024-09-18"


def test_the_fixture_speaks_the_published_format() -> None:
    """The local server's table starts with the header of the ANCT's published CSV."""
    assert _national().decode("utf-8").splitlines()[0] == ANCT_HEADER
    assert os.path.basename(communes.ANCT_URL.split("?")[0]) == "csv"

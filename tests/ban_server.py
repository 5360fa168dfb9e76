"""A fake BAN geocoding service (addok API) on 127.0.0.1, for tests. No internet.

It answers ``GET /search``, ``GET /reverse`` and ``POST /search/csv`` in the formats of
the Géoplateforme (``data.geopf.fr/geocodage``), as recorded in
``../shared/data/reference/ban_api/`` (it does not need those files to run), over a
small table of SYNTHETIC Lens addresses or any BAN-like DataFrame. It can be told to
misbehave: HTTP 429 with ``Retry-After``, 5xx, slow answers (timeouts), truncated JSON,
no ``/search/csv`` endpoint, and answers of the right status but wrong content
(:data:`MANGLES`: rows reordered, missing, duplicated, another row's query echoed, the id
column dropped, ``"score": "high"``, one-element coordinates). Every request is recorded
in ``hits``.

Use the ``ban_server`` fixture: ``from ban_server import ban_server  # noqa: F401``.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import email.parser
import email.policy
import io
import json
import math
import socket
import threading
import time
import unicodedata
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

#: Result columns that /search/csv appends (Géoplateforme), in order.
CSV_RESULT_COLUMNS = (
    "longitude", "latitude", "result_score", "result_score_next", "result_label", "result_type",
    "result_id", "result_banId", "result_housenumber", "result_name", "result_street",
    "result_postcode", "result_city", "result_context", "result_citycode",
    "result_oldcitycode", "result_oldcity", "result_district", "result_status",
)  # fmt: skip

#: A few SYNTHETIC addresses of Lens (not real BAN data): numero, rep, street, lon, lat.
DEFAULT_ADDRESSES = (
    (1, "", "Rue de la Gare", 2.8291, 50.4271),
    (3, "", "Rue de la Gare", 2.8293, 50.4273),
    (3, "bis", "Rue de la Gare", 2.8294, 50.4274),
    (17, "", "Boulevard Émile Basly", 2.8305, 50.4281),
    (18, "", "Boulevard Émile Basly", 2.8306, 50.4280),
    (2, "", "Rue de Paris", 2.8335, 50.4290),
    (4, "", "Rue de Paris", 2.8333, 50.4288),
    (10, "", "Route de Lille", 2.8420, 50.4340),
    (12, "", "Route de Lille", 2.8423, 50.4342),
    (5, "", "Place Jean Jaurès", 2.8339, 50.4292),
)
_CONTEXT = "62, Pas-de-Calais, Hauts-de-France"

#: Content faults of :attr:`FakeBanServer.mangle` (HTTP 200 with a wrong answer).
#: CSV: ``reorder`` (rows reversed), ``drop`` (every 3rd row missing), ``duplicate`` (the
#: first row twice, the second left out), ``swap_query`` (rows 0 and 1 exchange their
#: answers, ids kept), ``no_id`` (the id column not echoed), ``bad_score``
#: (``result_score`` "high"), ``bad_coords`` (empty longitude). JSON: ``bad_score``
#: (``"score": "high"``), ``one_coord`` (one-element coordinates), ``no_props``.
MANGLES = frozenset(
    {"reorder", "drop", "duplicate", "swap_query", "no_id", "bad_score", "bad_coords",
     "one_coord", "no_props"}
)  # fmt: skip


def _fold(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c if c.isalnum() else " " for c in text if not unicodedata.combining(c))
    return text.split()


@dataclasses.dataclass
class Fault:
    """One scripted misbehaviour, applied to the next ``times`` matching requests."""

    path: str | None  # None: any path
    times: int
    status: int | None = None
    retry_after: str | None = None
    delay: float = 0.0
    truncate: bool = False
    skip: int = 0  # let this many matching requests through first


@dataclasses.dataclass
class _Address:
    numero: int
    rep: str
    street: str
    postcode: str
    citycode: str
    city: str
    lon: float
    lat: float
    id: str

    @property
    def housenumber(self) -> str:
        return f"{self.numero}{self.rep}"

    @property
    def label(self) -> str:
        return f"{self.housenumber} {self.street} {self.postcode} {self.city}"


class FakeBanServer:
    """The fake service. ``url`` is its base URL once started.

    Parameters
    ----------
    addresses : pandas.DataFrame, optional
        BAN-export-like rows (``numero, rep, nom_voie, code_postal, code_insee,
        nom_commune, lon, lat, id``); default :data:`DEFAULT_ADDRESSES`.
    csv_endpoint : bool
        Whether ``POST /search/csv`` exists (a bare addok has none: HTTP 404).
    """

    def __init__(self, addresses: Any = None, csv_endpoint: bool = True) -> None:
        if addresses is None:
            self.addresses = [
                _Address(n, r, s, "62300", "62498", "Lens", lon, lat,
                         f"62498_{zlib.crc32(s.encode()) % 9000 + 1000}_{n:05d}"
                         + (f"_{r}" if r else ""))
                for n, r, s, lon, lat in DEFAULT_ADDRESSES
            ]  # fmt: skip
        else:
            self.addresses = [
                _Address(int(r.numero), r.rep or "", r.nom_voie, r.code_postal, r.code_insee,
                         r.nom_commune, float(r.lon), float(r.lat), r.id)
                for r in addresses.itertuples(index=False)
            ]  # fmt: skip
        self._tokens = [set(_fold(f"{a.street} {a.postcode} {a.city}")) for a in self.addresses]
        self.csv_endpoint = csv_endpoint
        #: Static files served on GET (path → bytes), e.g. a fake BAN export to download.
        self.files: dict[str, bytes] = {}
        #: Delimiter of /search/csv answers (None: the dialect the request was read in).
        self.csv_delimiter: str | None = None
        #: Content faults applied to every answer (see :data:`MANGLES`).
        self.mangle: set[str] = set()
        #: Dialect of the last /search/csv request as read (sent, or sniffed as addok-csv).
        self.last_csv_delimiter: str | None = None
        self.hits: list[tuple[str, str, dict[str, list[str]]]] = []
        self.faults: list[Fault] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # --------------------------------------------------------------- control
    def start(self) -> FakeBanServer:
        """Serve on a free port of 127.0.0.1 in a daemon thread."""
        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def fail(
        self,
        status: int,
        times: int = 1,
        path: str | None = None,
        retry_after: str | None = None,
        skip: int = 0,
    ) -> None:
        """Answer the next ``times`` requests (to ``path``) with HTTP ``status``,
        after letting ``skip`` of them through."""
        self.faults.append(Fault(path, times, status=status, retry_after=retry_after, skip=skip))

    def slow(self, delay: float, times: int = 1, path: str | None = None) -> None:
        """Wait ``delay`` seconds before answering the next ``times`` requests."""
        self.faults.append(Fault(path, times, delay=delay))

    def truncate(self, times: int = 1, path: str | None = None) -> None:
        """Cut the body of the next ``times`` answers in half (invalid JSON/CSV)."""
        self.faults.append(Fault(path, times, truncate=True))

    def count(self, path: str | None = None) -> int:
        """Requests received (to ``path``)."""
        return sum(1 for _, p, _ in self.hits if path is None or p == path)

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times > 0 and (fault.path is None or fault.path == path):
                    if fault.skip > 0:
                        fault.skip -= 1
                        return None
                    fault.times -= 1
                    return fault
        return None

    # --------------------------------------------------------------- engine
    def search(
        self, q: str, limit: int = 5, citycode: str | None = None, postcode: str | None = None,
        type: str | None = None,
    ) -> list[tuple[float, _Address, str]]:  # fmt: skip
        """(score, address, kind) best first: a toy ranking by shared words."""
        words = _fold(q)
        number = words.pop(0) if words and words[0][0].isdigit() else None
        wanted = set(words)
        if not wanted:
            return []
        by_street: dict[tuple[str, str], list[int]] = {}
        for i, a in enumerate(self.addresses):
            if (citycode and a.citycode != citycode) or (postcode and a.postcode != postcode):
                continue
            by_street.setdefault((a.citycode, a.street), []).append(i)
        found = []
        for idx in by_street.values():
            tokens = self._tokens[idx[0]]
            common = len(wanted & tokens)
            if common == 0:
                continue
            score = common / len(wanted | tokens)
            hit = next((i for i in idx if number and self.addresses[i].housenumber == number), None)
            if hit is not None and type in (None, "housenumber"):
                found.append((0.5 + score / 2, self.addresses[hit], "housenumber"))
            elif type in (None, "street"):
                found.append((0.4 + score / 2, self.addresses[idx[0]], "street"))
        found.sort(key=lambda t: -t[0])
        return found[:limit]

    def feature(self, score: float, a: _Address, kind: str, **extra: Any) -> dict[str, Any]:
        """A GeoJSON feature with the properties of the recorded responses."""
        from ortgeo.crs import to_l93_xy

        x, y = to_l93_xy([a.lon], [a.lat])
        props: dict[str, Any] = {
            "label": a.label if kind == "housenumber" else f"{a.street} {a.postcode} {a.city}",
            "score": score,
        }
        if kind == "housenumber":
            props["housenumber"] = a.housenumber
        props.update(
            id=a.id if kind == "housenumber" else a.id.rsplit("_", 1 + bool(a.rep))[0],
            name=f"{a.housenumber} {a.street}" if kind == "housenumber" else a.street,
            postcode=a.postcode, citycode=a.citycode, x=round(float(x[0]), 2),
            y=round(float(y[0]), 2), city=a.city, context=_CONTEXT, type=kind,
            importance=0.6, street=a.street, **extra,
        )  # fmt: skip
        if "bad_score" in self.mangle:
            props["score"] = "high"
        feature: dict[str, Any] = {
            "type": "Feature",
            "geometry": {
                "type": "Point",
                "coordinates": [a.lon] if "one_coord" in self.mangle else [a.lon, a.lat],
            },
            "properties": props,
        }
        if "no_props" in self.mangle:
            del feature["properties"]
        return feature

    def collection(
        self, features: list[dict[str, Any]], query: str | None, filters: dict, limit: int
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "FeatureCollection", "version": "draft", "features": features,
            "attribution": "BAN", "licence": "ETALAB-2.0",
        }  # fmt: skip
        if query is not None:
            out["query"] = query
        if filters:
            out["filters"] = filters
        out["limit"] = limit
        return out

    def reverse(self, lon: float, lat: float) -> tuple[float, _Address] | None:
        if not self.addresses:
            return None
        k = math.cos(math.radians(lat))
        d, a = min(
            (math.hypot((a.lon - lon) * 111_320 * k, (a.lat - lat) * 110_574), a)
            for a in self.addresses
        )
        return d, a


class _Handler(BaseHTTPRequestHandler):
    fake: FakeBanServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _reply(
        self, status: int, body: bytes, ctype: str, fault: Fault | None, headers: dict | None = None
    ) -> None:
        if fault is not None and fault.truncate:
            body = body[: len(body) // 2]
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # client gave up
            self.wfile.write(body)

    def _json(self, status: int, data: Any, fault: Fault | None = None, **kw: Any) -> None:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        self._reply(status, body, "application/json; charset=utf-8", fault, **kw)

    def _pre(self, method: str) -> tuple[str, dict[str, list[str]], Fault | None, bool]:
        parts = urlsplit(self.path)
        params = parse_qs(parts.query, keep_blank_values=True)
        path = parts.path.rstrip("/") or "/"
        self.fake.hits.append((method, path, params))
        # read the whole request first: answering before would reset the connection
        self._body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        fault = self.fake._take_fault(path)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.status:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            self._json(fault.status, {"code": fault.status, "message": "scripted failure"},
                       headers=headers)  # fmt: skip
            return path, params, fault, True
        return path, params, fault, False

    def do_GET(self) -> None:
        path, params, fault, done = self._pre("GET")
        if done:
            return
        one = {k: v[-1] for k, v in params.items()}
        if path in self.fake.files:
            self._reply(200, self.fake.files[path], "application/gzip", fault)
        elif path == "/search":
            q = one.get("q", "")
            if len(q.strip()) < 3:
                self._json(400, {"code": 400, "message": "q must contain at least 3 chars"})
                return
            limit = int(one.get("limit") or 5)
            filters = {k: one[k] for k in ("citycode", "postcode", "type") if one.get(k)}
            found = self.fake.search(q, limit, **filters)
            feats = [self.fake.feature(s, a, kind) for s, a, kind in found]
            self._json(200, self.fake.collection(feats, q, filters, limit), fault)
        elif path == "/reverse":
            try:
                lon, lat = float(one["lon"]), float(one["lat"])
            except (KeyError, ValueError):
                self._json(400, {"code": 400, "message": "lon and lat are required"})
                return
            hit = self.fake.reverse(lon, lat)
            feats = []
            if hit is not None:
                d, a = hit
                feats = [self.fake.feature(1 - d / 10_000, a, "housenumber", distance=round(d))]
            self._json(200, self.fake.collection(feats, None, {}, 1), fault)
        else:
            self._json(404, {"code": 404, "message": "not found"})

    def do_POST(self) -> None:
        path, _, fault, done = self._pre("POST")
        if done:
            return
        body = self._body
        if path != "/search/csv" or not self.fake.csv_endpoint:
            self._json(404, {"code": 404, "message": "not found"})
            return
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {self.headers.get('Content-Type')}\r\n\r\n".encode() + body
        )
        form: dict[str, list[str]] = {}
        data = None
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if name == "data":
                data = payload.decode("utf-8-sig")
            else:
                form.setdefault(name, []).append(payload.decode("utf-8"))
        if not data:
            self._json(400, {"code": 400, "message": "Missing file"})
            return
        # addok-csv: the delimiter sent, else sniffed (a one-column file may sniff nonsense)
        sent_delimiter = (form.get("delimiter") or [""])[0]
        if sent_delimiter:
            delimiter = sent_delimiter
        else:
            try:
                delimiter = csv.Sniffer().sniff(data).delimiter
            except csv.Error:
                delimiter = ","
        self.fake.last_csv_delimiter = delimiter
        quote = (form.get("quote") or ['"'])[0]
        rows = list(csv.DictReader(io.StringIO(data), delimiter=delimiter, quotechar=quote))
        columns = form.get("columns") or list(rows[0].keys() if rows else [])
        out = io.StringIO()
        fieldnames = list(rows[0].keys() if rows else []) + [
            c for c in CSV_RESULT_COLUMNS if not rows or c not in rows[0]
        ]
        mangle = self.fake.mangle
        if "no_id" in mangle:
            fieldnames = [f for f in fieldnames if f != "ortgeo_row"]
        writer = csv.DictWriter(
            out, fieldnames, delimiter=self.fake.csv_delimiter or delimiter, quotechar=quote,
            lineterminator="\r\n", extrasaction="ignore",
        )  # fmt: skip
        writer.writeheader()
        answers = []
        for row in rows:
            q = " ".join(row.get(c) or "" for c in columns).strip()
            filters = {
                k: row.get(form[k][0]) or None for k in ("citycode", "postcode") if k in form
            }
            result = dict.fromkeys(CSV_RESULT_COLUMNS, "")
            found = self.fake.search(q, 2, **filters) if q else []
            if not q:
                result["result_status"] = "skipped"
            elif not found:
                result["result_status"] = "not-found"
            else:
                score, a, kind = found[0]
                feat = self.fake.feature(score, a, kind)["properties"]
                result.update(
                    longitude=a.lon, latitude=a.lat, result_score=score,
                    result_score_next=found[1][0] if len(found) > 1 else "",
                    result_label=feat["label"], result_type=kind, result_id=feat["id"],
                    result_housenumber=feat.get("housenumber", ""), result_name=feat["name"],
                    result_street=a.street, result_postcode=a.postcode, result_city=a.city,
                    result_context=_CONTEXT, result_citycode=a.citycode, result_status="ok",
                )  # fmt: skip
                if "bad_coords" in mangle:
                    result["longitude"] = ""
                if "bad_score" in mangle:
                    result["result_score"] = "high"
            answers.append({**row, **result})
        if "reorder" in mangle:
            answers.reverse()
        if "drop" in mangle:
            answers = [r for i, r in enumerate(answers) if i % 3 != 2]
        if "duplicate" in mangle and len(answers) > 1:
            answers[1] = answers[0]
        if "swap_query" in mangle and len(answers) > 1:  # ids stay, contents exchanged
            a0, a1 = dict(answers[0]), dict(answers[1])
            answers[0] = {**a1, "ortgeo_row": a0.get("ortgeo_row", "")}
            answers[1] = {**a0, "ortgeo_row": a1.get("ortgeo_row", "")}
        writer.writerows(answers)
        self._reply(200, out.getvalue().encode("utf-8"), "text/csv; charset=utf-8", fault)


def closed_port_url() -> str:
    """A base URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def ban_server() -> Iterator[FakeBanServer]:
    """A started :class:`FakeBanServer` on the default synthetic addresses."""
    server = FakeBanServer().start()
    try:
        yield server
    finally:
        server.stop()

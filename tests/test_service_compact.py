"""The compact answer of ``/api/v1/check`` (``detail=compact``): the point's own answer, the
same values as the full answer's, without the texts shared by every point of a commune."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import ortgeo
from ortgeo.service import ServiceConfig, create_app
from ortgeo.service.lookup import compact_answer

#: (lon, lat, date): inside, outside, within a band, a commune whose sectors are not held,
#: an invalid point, before the ORT, an uncertain date.
CASES = [
    (2.833889, 50.429167, "2024-06-01"), (2.832308, 50.45, "2024-06-01"),
    (2.8395, 50.4335, "2024-06-01"), (2.77428, 50.42283, "2024-06-01"),
    (200.0, 95.0, "2024-06-01"), (2.833889, 50.429167, "2018-06-01"),
    (2.852, 50.437, "2023-12-06"), (2.81, 50.41, "2027-03-01"),
]  # fmt: skip


@pytest.mark.parametrize(("lon", "lat", "date"), CASES)
def test_compact_holds_the_full_answers_values(lon: float, lat: float, date: str) -> None:
    v = ortgeo.check_point(lon, lat, date=date)
    full, compact = v.to_dict(), compact_answer(v)
    for key in ("date", "status", "inside", "reason", "summary", "point", "data_status"):
        assert compact[key] == full[key], key
    assert compact["coverage"]["extent"] == full["coverage"]["extent"]
    commune = full["commune"]
    assert compact["commune"] == (
        {"insee": commune["insee"], "name": commune["name"]} if commune else None
    )
    pairs = [(compact["ort"], full["ort"])] if full["ort"] else []
    assert (compact["ort"] is None) == (full["ort"] is None)
    pairs += list(zip(compact["layers"], full["layers"], strict=True))
    for small, big in pairs:
        for key in ("key", "status", "inside", "distance_m", "band_m", "timing", "decided_by"):
            assert small[key] == big[key], key


def test_the_api_answers_both_forms() -> None:
    app = create_app(ServiceConfig(geocoder="api", ban_url="http://127.0.0.1:9", rate_limit=""))
    client = TestClient(app)
    params = {"lon": 2.833889, "lat": 50.429167, "date": "2024-06-01"}
    full = client.get("/api/v1/check", params=params)
    compact = client.get("/api/v1/check", params={**params, "detail": "compact"})
    assert client.get("/api/v1/check", params={**params, "detail": "full"}).content == full.content
    assert compact.status_code == 200 and compact.json()["detail"] == "compact"
    assert len(compact.content) * 5 < len(full.content)
    assert compact.json()["summary"] == full.json()["summary"]
    again = client.get("/api/v1/check", params={**params, "detail": "compact"})
    assert again.content == compact.content  # from the cache, each form under its own key
    bad = client.get("/api/v1/check", params={**params, "detail": "court"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "parametre-invalide"

"""BanApiGeocoder against a REAL addok (the BAN engine) started by ``.ci/addok.sh``.

Skipped unless ``ORTGEO_ADDOK_URL`` is set (``eval "$(bash .ci/addok.sh | tail -n 1)"``).
addok holds the SYNTHETIC addresses of ``ortgeo.testing.ADDOK_FIXTURE``; the test
regenerates the same rows to know the expected answers.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
import requests

from ortgeo.geocoders import BanApiGeocoder, read_ban_csv
from ortgeo.geocoders.result import format_label
from ortgeo.testing import ADDOK_FIXTURE, write_synthetic_ban_export

pytestmark = [
    pytest.mark.addok,
    pytest.mark.skipif(
        not os.environ.get("ORTGEO_ADDOK_URL"),
        reason="no real addok: run `bash .ci/addok.sh` and export ORTGEO_ADDOK_URL",
    ),
]


@pytest.fixture(scope="module")
def url() -> str:
    return os.environ["ORTGEO_ADDOK_URL"].rstrip("/")


@pytest.fixture(scope="module")
def labels(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    path = write_synthetic_ban_export(
        tmp_path_factory.mktemp("addok") / "a.csv.gz", **ADDOK_FIXTURE
    )
    df = read_ban_csv(path)
    all_labels = [
        format_label(n, r, s, pc, c)
        for n, r, s, pc, c in zip(
            df.numero, df.rep, df.nom_voie, df.code_postal, df.nom_commune, strict=True
        )
    ]
    return random.Random(0).sample(all_labels, 60)


class CountingSession(requests.Session):
    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    def request(self, method, url, *args, **kwargs):
        self.paths.append(f"{method} {url.split('?')[0]}")
        return super().request(method, url, *args, **kwargs)


def test_search(url: str, labels: list[str]) -> None:
    g = BanApiGeocoder(url, cache=False)
    results = [g.geocode(label) for label in labels]
    assert all(r.status == "ok" and r.provider == "ban-api" for r in results)
    assert sum(r.label == label for r, label in zip(results, labels, strict=True)) >= 0.95 * len(
        labels
    )
    r = results[0]
    assert r.match_type == "housenumber" and r.x is not None and r.citycode in ("62498", "62523")
    assert 0 < r.score <= 1


def test_search_filters(url: str) -> None:
    g = BanApiGeocoder(url, cache=False)
    loison = g.geocode("2 route de Lille", citycode="62523")
    assert (loison.city, loison.citycode, loison.housenumber) == ("Loison-sous-Lens", "62523", "2")
    lens = g.geocode("2 route de Lille", postcode="62300")
    assert lens.city == "Lens"
    street = g.geocode("route de Lille", citycode="62498", type="street")
    assert street.match_type == "street" and street.street == "Route de Lille"


def test_reverse(url: str) -> None:
    r = BanApiGeocoder(url, cache=False).reverse(2.8339, 50.4292)
    assert r.status == "ok" and r.match_type == "housenumber" and r.city == "Lens"


def test_csv_batch(url: str, labels: list[str], tmp_path: Path) -> None:
    session = CountingSession()
    g = BanApiGeocoder(url, cache=False, session=session, chunk_size=25)
    citycodes = ["62523" if "Loison" in label else "62498" for label in labels]
    res = g.geocode_many(labels, citycode=citycodes)
    assert session.paths.count(f"POST {url}/search/csv") == 3  # 60 rows, chunks of 25
    assert not any(p.startswith("GET") for p in session.paths)
    assert [r.query for r in res] == labels
    assert sum(r.label == label for r, label in zip(res, labels, strict=True)) >= 0.95 * len(labels)
    assert all(r.lon is not None and r.x is not None for r in res)
    assert {r.street for r in res} - {None}  # street recovered from addok-csv's columns


def test_csv_batch_with_semicolons_and_quotes(url: str, labels: list[str]) -> None:
    """A `;` inside an address used to make addok-csv sniff another delimiter: every row
    of the batch came back unreadable. The delimiter and quoting are now sent."""
    noisy = [
        label.replace(" ", " ; bât B ", 1) if i % 3 == 0 else f'"{label}"' if i % 3 == 1 else label
        for i, label in enumerate(labels[:20])
    ]
    res = BanApiGeocoder(url, cache=False, chunk_size=50).geocode_many(noisy)
    assert [r.query for r in res] == noisy
    assert all(r.status != "error" for r in res), [r.error for r in res if r.error]
    assert sum(r.label == label for r, label in zip(res, labels, strict=False)) >= 0.8 * 20

"""check_address / assess_geocodes: verdicts from geocodes, never from a weak geocode.

Geocoding runs on an offline index built in tmp_path from a SYNTHETIC BAN-format export
(``ortgeo.testing.write_synthetic_ban_export``), and on the fake BAN API of
``ban_server.py`` (127.0.0.1). No internet.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ban_server import ban_server  # noqa: F401
from click.testing import CliRunner

import ortgeo
from ortgeo.address import MATCH_UNCERTAINTY_M, assess_geocodes, check_address
from ortgeo.cli import main
from ortgeo.geocoders import BanApiGeocoder, BanIndex, BanLocalGeocoder, build_ban_index
from ortgeo.geocoders.result import GeocodeResult
from ortgeo.testing import write_synthetic_ban_export

DATE = "2024-06-01"


@pytest.fixture(scope="module")
def index_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("ban")
    csv = write_synthetic_ban_export(tmp / "adresses-62.csv.gz", n_rows=4000, seed=1)
    return build_ban_index(csv, tmp / "ban.sqlite", progress=False)


@pytest.fixture(scope="module")
def local(index_path: Path) -> BanLocalGeocoder:
    return BanLocalGeocoder(index_path)


@pytest.fixture(scope="module")
def streets(index_path: Path) -> dict[str, set[str]]:
    """Independent expectation, per street: the set of composite statuses of its addresses,
    and "limite" or "mixte" when some sector's status varies along it or is "limite"."""
    addr = BanIndex(index_path).addresses("62498")
    res = ortgeo.locate(addr, date=DATE, uncertainty_m=MATCH_UNCERTAINTY_M["housenumber"])
    cols = [c for c in res.columns if c.endswith("_status")]
    out: dict[str, set[str]] = {}
    for name, grp in res.groupby(addr["nom_voie"]):
        statuses = set(grp["ort_status"].astype(str))
        if any(grp[c].nunique() > 1 for c in cols):
            statuses.add("mixte")
        if (grp[cols].astype(str) == "limite").to_numpy().any():
            statuses.add("limite")
        out[name] = statuses
    return out


def test_housenumber_verdict_carries_its_geocode(local, index_path):
    addr = BanIndex(index_path).addresses("62498").iloc[0]
    query = f"{addr.numero}{addr.rep} {addr.nom_voie}, {addr.code_postal} Lens"
    v = check_address(query, date=DATE, geocoder=local)
    expected = ortgeo.check_point(addr.lon, addr.lat, date=DATE, uncertainty_m=15)
    assert v.geocode.match_type == "housenumber"
    assert v.status == expected.status
    assert v.uncertainty_m == MATCH_UNCERTAINTY_M["housenumber"]
    decider = ortgeo.catalog()[v.ort.decided_by]
    assert v.ort.band_m == decider.accuracy_m + 15
    text = v.explain()
    assert text.startswith(f"Adresse demandée : {query} → trouvée : ")
    assert v.to_dict()["geocode"]["match_type"] == "housenumber"


def test_street_match_firm_only_when_whole_street_on_one_side(local, streets):
    one_side = [s for s, st in streets.items() if len(st) == 1 and st <= {"dedans", "dehors"}]
    crossing = [s for s, st in streets.items() if len(st) > 1 or "limite" in st]
    assert one_side and crossing, "the synthetic export must have both kinds of street"
    for name in one_side[:3]:
        v = check_address(f"9999 {name} Lens", date=DATE, geocoder=local)
        assert v.geocode.match_type == "street"
        assert v.status == next(iter(streets[name]))
        assert "même côté" in v.reason
    for name in crossing[:3]:
        v = check_address(f"{name}, Lens", date=DATE, geocoder=local)
        assert v.geocode.match_type == "street"
        assert v.status == "indetermine"
        assert "précisez le numéro" in v.reason


def test_not_found_and_municipality_are_indetermine(local):
    v = check_address("12 rue des Lilas, 62300 Lens", date=DATE, geocoder=local)
    assert v.status == "indetermine" and "introuvable" in v.reason
    assert v.layers == () and "INDÉTERMINÉ" in v.explain()
    v = check_address("Lens", date=DATE, geocoder=local)
    assert v.status == "indetermine" and "commune" in v.reason


def _result(**kw) -> GeocodeResult:
    base = dict(query="q", status="ok", label="1 Rue X 62300 Lens", score=0.9,
                match_type="housenumber", lon=2.833889, lat=50.429167, provider="ban-api",
                citycode="62498")  # fmt: skip
    return GeocodeResult(**{**base, **kw})


def test_low_score_gives_indetermine():
    frame = assess_geocodes([_result(score=0.3), _result(score=0.9)], date=DATE)
    assert frame["status"].tolist() == ["indetermine", "dedans"]
    assert "score 0.30" in frame["reason"].iloc[0]


def test_close_runner_up_on_the_other_side_gives_indetermine():
    far = _result(label="1 Rue X 62300 Sallaumines", lon=2.863056, lat=50.420278, score=0.88)
    near_same = _result(label="3 Rue X 62300 Lens", lon=2.8340, lat=50.4292, score=0.88)
    weak_other = _result(lon=2.863056, lat=50.420278, score=0.5)
    results = [
        _result(candidates=(far,)),  # close score, other side → ambiguous
        _result(candidates=(near_same,)),  # close score, same side → fine
        _result(candidates=(weak_other,)),  # other side but far lower score → fine
    ]
    frame = assess_geocodes(results, date=DATE)
    assert frame["status"].tolist() == ["indetermine", "dedans", "dedans"]
    assert "ambiguë" in frame["reason"].iloc[0]


def test_api_street_match_uses_a_wide_band():
    frame = assess_geocodes(
        [_result(match_type="street", street="Rue X"), _result(match_type="street",
         street="Rue Y", lon=2.90, lat=50.45)], date=DATE,
    )  # fmt: skip
    # Near the centre, the street point ± 500 m reaches a limit: no firm verdict.
    assert frame["status"].tolist() == ["indetermine", "dehors"]
    assert frame["uncertainty_m"].tolist() == [500.0, 500.0]


def test_error_results_are_reported_not_raised():
    err = GeocodeResult("q", "error", provider="ban-api", error="HTTP 503")
    frame = assess_geocodes([err, _result()], date=DATE)
    assert frame["status"].tolist() == ["erreur", "dedans"]
    assert "HTTP 503" in frame["reason"].iloc[0]


def test_check_address_on_the_api(ban_server):  # noqa: F811
    api = BanApiGeocoder(ban_server.url)
    v = check_address("3 rue de la Gare 62300 Lens", date=DATE, geocoder=api)
    assert v.geocode.provider == "ban-api" and v.geocode.match_type == "housenumber"
    expected = ortgeo.check_point(v.geocode.lon, v.geocode.lat, date=DATE, uncertainty_m=15)
    assert v.status == expected.status
    hits = ban_server.count("/search")
    check_address("3 rue de la Gare 62300 Lens", date=DATE, geocoder=api)
    assert ban_server.count("/search") == hits  # cached


def test_cli_check_address(index_path):
    runner = CliRunner()
    res = runner.invoke(main, ["check", "1 rue de la Gare, Lens", "--ban", str(index_path),
                               "--date", DATE])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "Adresse demandée : 1 rue de la Gare, Lens" in res.output
    res = runner.invoke(main, ["check", "1 rue de la Gare", "--geocoder", "local", "--ban",
                               "nope.sqlite"])  # fmt: skip
    assert res.exit_code == 2 and "BAN index not found" in res.output
    assert "Traceback" not in res.output


def test_uncertainty_of_each_match_type_is_documented():
    assert list(MATCH_UNCERTAINTY_M) == ["housenumber", "street", "locality", "municipality"]
    assert np.all(np.diff(list(MATCH_UNCERTAINTY_M.values())) >= 0)

"""Offline BAN index and BanLocalGeocoder, on a SYNTHETIC export generated in tmp_path."""

from __future__ import annotations

import os
import random
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from ortgeo.errors import CorruptFileError, InputFileError
from ortgeo.geocoders import (
    BanApiGeocoder,
    BanIndex,
    BanLocalGeocoder,
    build_ban_index,
    get_geocoder,
    read_ban_csv,
)
from ortgeo.geocoders.result import format_label
from ortgeo.testing import NONEXISTENT_STREETS, noisy_variants, write_synthetic_ban_export


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 SYNTHETIC rows: Lens (62498) and Loison-sous-Lens (62523)."""
    path = tmp_path_factory.mktemp("ban") / "adresses-62.csv.gz"
    return write_synthetic_ban_export(path, n_rows=3000, extra_citycodes=["62523"], n_communes=2)


@pytest.fixture(scope="module")
def index_path(export: Path) -> Path:
    return build_ban_index(export, export.parent / "index.sqlite", progress=False)


@pytest.fixture(scope="module")
def geocoder(index_path: Path) -> BanLocalGeocoder:
    return BanLocalGeocoder(index_path)


@pytest.fixture(scope="module")
def rows(export: Path):
    df = read_ban_csv(export)
    df["label"] = [
        format_label(n, r, s, pc, c)
        for n, r, s, pc, c in zip(
            df.numero, df.rep, df.nom_voie, df.code_postal, df.nom_commune, strict=True
        )
    ]
    return df


def _row(rows, street: str, citycode: str = "62498", rep: str = ""):
    sel = rows[(rows.nom_voie == street) & (rows.code_insee == citycode) & (rows.rep == rep)]
    return sel.iloc[0]


# ------------------------------------------------------------------ index
def test_index_holds_every_address(index_path: Path, rows) -> None:
    idx = BanIndex(index_path)
    stats = idx.stats()
    assert stats["addresses"] == len(rows) == 3000
    assert stats["streets"] == rows.groupby(["code_insee", "nom_voie"]).ngroups
    assert stats["communes"] == 2 and stats["bytes"] > 0
    addr = idx.addresses()
    for col in ("id", "numero", "rep", "nom_voie", "code_postal", "code_insee", "nom_commune"):
        assert col in addr.columns
    assert addr["numero"].dtype == np.int64 and addr["code_insee"].iloc[0] == "62498"
    assert sorted(addr["id"]) == sorted(rows["id"])
    loison = idx.addresses("62523")
    assert set(loison["nom_commune"]) == {"Loison-sous-Lens"}
    assert len(loison) == (rows.code_insee == "62523").sum()
    merged = addr.merge(rows, on="id", suffixes=("", "_csv"))
    assert (
        np.allclose(merged["lon"], merged["lon_csv"]) and (merged.numero == merged.numero_csv).all()
    )


def test_street_representative_point_is_one_of_its_addresses(index_path: Path, rows) -> None:
    idx = BanIndex(index_path)
    streets = idx.streets("62498")
    gare = streets[streets["name"] == "Rue de la Gare"].iloc[0]
    pts = rows[(rows.nom_voie == "Rue de la Gare") & (rows.code_insee == "62498")]
    d = np.hypot(pts.x - gare.x, pts.y - gare.y)
    assert d.min() < 0.01  # an address of the street...
    mean = np.array([pts.x.mean(), pts.y.mean()])
    nearest = np.hypot(pts.x - mean[0], pts.y - mean[1]).min()
    assert np.hypot(gare.x - mean[0], gare.y - mean[1]) == pytest.approx(nearest)  # ...mid-street
    assert gare["core"] == "gare" and gare["kind"] == "rue" and gare["voie_id"].startswith("62498_")


def test_index_citycode_filter(export: Path, tmp_path: Path) -> None:
    path = build_ban_index(export, tmp_path / "lens.sqlite", citycodes=["62523"], progress=False)
    assert BanIndex(path).communes()["citycode"].tolist() == ["62523"]
    with pytest.raises(InputFileError, match="no address for citycode"):
        build_ban_index(export, tmp_path / "none.sqlite", citycodes=["99999"], progress=False)
    assert not (tmp_path / "none.sqlite").exists()
    assert not (tmp_path / "none.sqlite.tmp").exists()


def test_bad_index_files(tmp_path: Path, index_path: Path) -> None:
    with pytest.raises(InputFileError, match="ortgeo ban index"):
        BanIndex(tmp_path / "missing.sqlite")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(InputFileError, match="not an ortgeo BAN index"):
        BanIndex(junk)
    old = tmp_path / "old.sqlite"
    old.write_bytes(index_path.read_bytes())
    with sqlite3.connect(old) as db:
        db.execute("UPDATE meta SET value = '0' WHERE key = 'version'")
    with pytest.raises(InputFileError, match="another ortgeo version"):
        BanIndex(old)


def _damage_pages(data: bytes) -> bytes:
    """Overwrite the middle pages of a SQLite file (its header stays valid)."""
    page = int.from_bytes(data[16:18], "big") or 65536
    n = len(data) // page
    out = bytearray(data)
    for p in range(n // 3, n // 3 + max(2, n // 3)):
        out[p * page + 8 : (p + 1) * page - 8] = b"\xa5" * (page - 16)
    return bytes(out)


@pytest.mark.parametrize(
    "damage",
    [lambda d: b"not a database at all" * 100, lambda d: d[: len(d) // 2], _damage_pages],
    ids=["junk", "truncated", "damaged-pages"],
)
def test_corrupt_index_is_detected_on_open(tmp_path: Path, index_path: Path, damage) -> None:
    """Said when the index is opened (naming the file and the fix), not halfway through."""
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(damage(index_path.read_bytes()))
    with pytest.raises(CorruptFileError, match="ortgeo ban index") as exc:
        BanLocalGeocoder(bad)
    assert str(bad) in str(exc.value) and exc.value.path == str(bad)


# ------------------------------------------------------------------ matching
def test_clean_labels_all_found_exactly(geocoder: BanLocalGeocoder, rows) -> None:
    sample = rows.sample(400, random_state=1)
    for label, aid in zip(sample["label"], sample["id"], strict=True):
        r = geocoder.geocode(label)
        assert (r.status, r.match_type, r.label, r.id) == ("ok", "housenumber", label, aid)
        assert r.provider == "ban-local" and 0 < r.score <= 1


def test_noisy_variants_mostly_found(geocoder: BanLocalGeocoder, rows) -> None:
    rng = random.Random(3)
    sample = rows.sample(200, random_state=2)
    total = good = 0
    for label in sample["label"]:
        for variant in noisy_variants(label, rng):
            total += 1
            good += geocoder.geocode(variant).label == label
    assert good / total >= 0.97, f"{good}/{total}"


def test_nonexistent_streets_are_not_found(geocoder: BanLocalGeocoder) -> None:
    for name in NONEXISTENT_STREETS:
        r = geocoder.geocode(f"12 {name} 62300 Lens")
        assert r.status == "not-found", (name, r.label, r.score)
        assert r.label is None and r.lon is None and "no street like" in r.note


def test_suffixes(geocoder: BanLocalGeocoder, rows) -> None:
    withbis = rows[(rows.rep == "bis") & (rows.code_insee == "62498")].iloc[0]
    n, street = withbis.numero, withbis.nom_voie
    for q in (f"{n}bis {street} Lens", f"{n} bis {street} Lens", f"{n} BIS, {street}, Lens",
              f"{n} b {street} Lens", f"{n}B {street} Lens"):  # fmt: skip
        r = geocoder.geocode(q)
        assert r.housenumber == f"{n}bis" and r.id == withbis.id, q
    assert (
        geocoder.geocode(f"{n}b {street} Lens").score
        < geocoder.geocode(f"{n}bis {street} Lens").score
    )
    plain = geocoder.geocode(f"{n} {street} Lens")
    assert plain.housenumber == str(n) and plain.id != withbis.id
    missing = geocoder.geocode(f"{n} quater {street} Lens")
    assert missing.housenumber == str(n) and "suffix 'quater' not found" in missing.note


def test_unknown_number_gives_street_with_note(geocoder: BanLocalGeocoder) -> None:
    r = geocoder.geocode("9999 rue de Paris 62300 Lens")
    assert r.status == "ok" and r.match_type == "street" and r.housenumber is None
    assert r.label == "Rue de Paris 62300 Lens" and "9999 not found" in r.note
    assert r.id.startswith("62498_") and r.lon is not None and r.x is not None
    full = geocoder.geocode("rue de Paris 62300 Lens")
    assert full.match_type == "street" and full.note is None and full.score > r.score
    assert (full.lon, full.lat) == (r.lon, r.lat)


def test_runner_up_score_and_candidates(geocoder: BanLocalGeocoder) -> None:
    r = geocoder.geocode("4 route de Bethune 62300 Lens")
    assert r.score == 1.0 and r.score_next is not None and r.score_next < 0.8
    assert r.candidates and r.candidates[0].score == r.score_next
    assert r.candidates[0].street == "Rue Berthelot"  # far behind
    assert geocoder.geocode("4 route de Bethune 62300 Lens", limit=0).candidates == ()
    # a place and a rue of the same name in two communes: the type decides, narrowly
    r = geocoder.geocode("2 place Jean Jaurès")
    assert (r.street, r.city, r.score) == ("Place Jean Jaurès", "Lens", 1.0)
    assert r.candidates[0].street == "Rue Jean Jaurès" and r.score_next == 0.9
    # the same street in two communes, no commune given: ambiguous, and said so — for the
    # twin too (a client taking the best score of the list must not get a coin toss)
    amb = geocoder.geocode("route de Lille")
    assert amb.score == 0.5 and amb.score_next == 0.5 and "ambiguous" in amb.note
    assert {amb.city, amb.candidates[0].city} == {"Lens", "Loison-sous-Lens"}
    assert "ambiguous" in amb.candidates[0].note


def test_commune_restriction(geocoder: BanLocalGeocoder) -> None:
    cases = [
        ({"citycode": "62523"}, "2 route de Lille"),
        ({"postcode": "62218"}, "2 route de Lille"),
    ]
    cases += [
        ({}, q)
        for q in (
            "2 route de Lille, Loison-sous-Lens",
            "2 route de Lille 62218",
            "2 route de Lille loison sous lens",
            "2 rte de lille, Loison s/ Lens",
        )
    ]
    for kw, q in cases:
        r = geocoder.geocode(q, **kw)
        assert (r.city, r.citycode, r.match_type) == ("Loison-sous-Lens", "62523", "housenumber"), q
        assert r.score_next is None or r.score_next < r.score
    assert geocoder.geocode("2 route de Lille", citycode="62498").city == "Lens"
    assert geocoder.geocode("rue de Lens").city == "Loison-sous-Lens"  # a street, not a city
    # a street of Loison asked in Lens: not found rather than a guess elsewhere
    assert geocoder.geocode("rue Roger Salengro", citycode="62498").status in ("not-found",)
    r = geocoder.geocode("1 rue de Paris", citycode="75056")
    assert r.status == "not-found" and "not in the index" in r.note
    assert geocoder.geocode("1 rue de Paris 75001 Paris").status == "not-found"


def test_municipality(geocoder: BanLocalGeocoder) -> None:
    for q in ("Lens", "62300 Lens", "LENS"):
        r = geocoder.geocode(q)
        assert (r.match_type, r.citycode, r.label) == ("municipality", "62498", "Lens"), q
    assert geocoder.geocode("rue de Paris", type="municipality").status == "not-found"


def test_type_filter(geocoder: BanLocalGeocoder) -> None:
    assert geocoder.geocode("2 rue de Paris Lens", type="street").match_type == "street"
    assert geocoder.geocode("9999 rue de Paris Lens", type="housenumber").status == "not-found"
    assert geocoder.geocode("2 rue de Paris Lens", type="housenumber").housenumber == "2"


def test_typo_and_abbreviations(geocoder: BanLocalGeocoder) -> None:
    for q in (
        "3 bd E. Basly Lens",
        "3 boulevard emile bsly lens",
        "3 Bd Basly 62300",
        "3, av. Alfred Maes, LENS",
        "3 r du mal leclerc lens",
        "3 rte de bethune lens",
    ):
        r = geocoder.geocode(q)
        assert r.status == "ok" and r.housenumber == "3", (q, r)
    assert geocoder.geocode("3 bd E. Basly Lens").street == "Boulevard Émile Basly"
    assert geocoder.geocode("3 r du mal leclerc lens").street == "Rue du Maréchal Leclerc"


def test_geocode_many_keeps_order(geocoder: BanLocalGeocoder) -> None:
    qs = ["2 route de Lille", "", "12 rue des Lilas", None, "2 route de Lille"]
    res = geocoder.geocode_many(qs, citycode=["62523", None, "62498", None, "62498"])
    assert [r.status for r in res] == ["ok", "not-found", "not-found", "not-found", "ok"]
    assert [r.city for r in (res[0], res[4])] == ["Loison-sous-Lens", "Lens"]


def test_reverse(geocoder: BanLocalGeocoder, rows) -> None:
    row = _row(rows, "Rue de Paris")
    r = geocoder.reverse(row.lon + 0.00002, row.lat)
    assert r.status == "ok" and r.id == row.id and r.match_type == "housenumber"
    assert r.score > 0.9 and r.note.endswith("m away")


def test_find_streets(index_path: Path) -> None:
    df = BanLocalGeocoder(index_path).find_streets("route de lile", limit=2)
    assert df["name"].tolist() == ["Route de Lille"] * 2 and (df["score"] > 0.8).all()
    assert set(df["citycode"]) == {"62498", "62523"}


# ------------------------------------------------------------------ factory
def test_get_geocoder(index_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORTGEO_BAN_INDEX", raising=False)
    assert isinstance(get_geocoder("auto"), BanApiGeocoder)  # no index in the test cache dir
    assert isinstance(get_geocoder("auto", ban_index=index_path), BanLocalGeocoder)
    assert isinstance(get_geocoder("api", base_url="http://127.0.0.1:9"), BanApiGeocoder)
    with pytest.raises(InputFileError, match="No offline BAN index"):
        get_geocoder("local")
    with pytest.raises(InputFileError, match="Unknown geocoder kind"):
        get_geocoder("google")
    monkeypatch.setenv("ORTGEO_BAN_INDEX", str(index_path))
    assert isinstance(get_geocoder(), BanLocalGeocoder)
    assert isinstance(get_geocoder("api"), BanApiGeocoder)


def test_index_read_whole_once_then_trusted_while_unchanged(
    tmp_path: Path, index_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``PRAGMA quick_check`` reads every page: done on the first opening of a file, not
    again while it is unchanged (inode, size, times); a change, even with its old
    modification time put back, is checked again, and so is a file changed just now."""
    from ortgeo.geocoders import ban_store

    monkeypatch.setenv("ORTGEO_CACHE_DIR", str(tmp_path / "cache"))
    good = tmp_path / "good.sqlite"
    good.write_bytes(index_path.read_bytes())
    BanIndex(good)  # changed just now: checked, not remembered
    assert not ban_store._checked_memo().exists()
    old = good.stat().st_mtime_ns - 3_600 * 10**9
    os.utime(good, ns=(old, old))
    monkeypatch.setattr(ban_store, "_RACY_S", 0.0)  # the change time is also "just now"
    BanIndex(good)
    assert ban_store._signature(good) in ban_store._checked_memo().read_text().split()
    checks = []
    real = ban_store._already_checked
    monkeypatch.setattr(ban_store, "_already_checked",
                        lambda sig: checks.append(real(sig)) or checks[-1])  # fmt: skip
    BanIndex(good)
    assert checks == [True]
    good.write_bytes(_damage_pages(good.read_bytes()))  # in place, same size
    os.utime(good, ns=(old, old))  # the old modification time put back
    with pytest.raises(CorruptFileError, match="ortgeo ban index"):
        BanIndex(good)
    assert checks == [True, False]


def test_streets_read_commune_by_commune_give_the_same_answers(index_path: Path, rows) -> None:
    """A search in some communes reads only their streets; the answers are those of a
    table holding every street (and a search in every commune reads them all)."""
    whole = BanLocalGeocoder(index_path)
    whole._streets.load(None)
    rng = random.Random(5)
    sample = rows.sample(60, random_state=5)
    queries = ["2 rue de la Gare", "rue de Paris, Lens", "Lens", "12 rue des Lilas Lens"]
    for label, street, city in zip(sample["label"], sample["nom_voie"], sample["nom_commune"],
                                   strict=True):  # fmt: skip
        queries += [label, f"{street} {city}", *noisy_variants(label, rng)[:2]]
    scoped = 0
    for q in queries:
        fresh = BanLocalGeocoder(index_path)
        assert repr(fresh.geocode(q)) == repr(whole.geocode(q)), q
        scoped += not fresh._streets._all
    assert scoped > len(queries) / 2
    fresh = BanLocalGeocoder(index_path)
    lens = fresh.geocode("rue de la Gare, Lens")
    assert fresh._streets._loaded == {lens.citycode} and not fresh._streets._all
    assert [r.label for r in fresh.suggest("3 rue de la ga")] == [
        r.label for r in whole.suggest("3 rue de la ga")
    ]
    assert fresh._streets._all
    fresh = BanLocalGeocoder(index_path)  # the nearest address may be in any commune
    assert repr(fresh.reverse(2.83, 50.43)) == repr(whole.reverse(2.83, 50.43))

"""One model of the law: ``check_point``, ``locate`` and ``locate_sectors`` agree on every day.

Issue 18 found the engine with its own validity rule (a plain date interval) while the
verdicts used the dates' precision: on 2021-06-10 the same point was inside the OPAH-RU for
one and in no OPAH-RU for the other. Now there is one rule (:func:`ortgeo.model.timing_codes`)
and one composite (:func:`ortgeo.engine.composite.composite`); this test walks every day from
2018-01-01 to 2030-12-31 — the approximate dates (±31 days), "not before" dates and the end
of the ACV period included — over a grid of points in and around Lens (Lens, Loison-sous-Lens,
Liévin, Harnes, Sallaumines...), and compares the three paths.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import ortgeo
from ortgeo.catalog import write_sector_table
from ortgeo.engine import Sectors, locate_sectors
from ortgeo.model import TIMINGS

FIRST, LAST = dt.date(2018, 1, 1), dt.date(2030, 12, 31)
DAYS = [FIRST + dt.timedelta(days=i) for i in range((LAST - FIRST).days + 1)]


def grid() -> tuple[np.ndarray, np.ndarray]:
    """A grid over Lens and its neighbours (7 × 6 points, 1.2 km apart), plus points chosen
    near the limits: inside each sector, in the bands, in Loison-sous-Lens."""
    lon, lat = np.meshgrid(np.linspace(2.79, 2.88, 7), np.linspace(50.415, 50.455, 6))
    extra_lon = [2.833889, 2.8486, 2.85446, 2.8129, 2.8443, 2.8389, 2.8412, 2.8230]
    extra_lat = [50.429167, 50.4395, 50.44647, 50.4381, 50.4368, 50.4270, 50.4327, 50.4300]
    return np.r_[lon.ravel(), extra_lon], np.r_[lat.ravel(), extra_lat]


LON, LAT = grid()


def test_every_day_has_the_same_sectors_in_force_for_every_path() -> None:
    """The timings of the model (Layer.timing), of on() and of the engine (Sectors) — the
    same function — on every one of the 4,749 days."""
    cat = ortgeo.catalog()
    table = Sectors.from_catalog(cat)
    for day in DAYS:
        state = ortgeo.on(day)
        engine = [str(TIMINGS[c]) for c in table.timings(day)]
        model = [str(x.timing(day)) for x in cat]
        assert engine == model == [str(state.timing(x)) for x in cat], day
        live = [x.id for x, t in zip(cat, engine, strict=True) if t in ("en-vigueur", "incertain")]
        assert [x.id for x in state.layers] == live, day
        assert table.in_force(day).ids.tolist() == live, day


@pytest.mark.parametrize("year", range(FIRST.year, LAST.year + 1))
def test_check_point_locate_and_locate_sectors_agree_every_day(year: int) -> None:
    """Per year (one test each): every day, every grid point, the three paths."""
    days = [d for d in DAYS if d.year == year]
    for day in days:
        wide = ortgeo.locate((LON, LAT), date=day)
        sparse = locate_sectors((LON, LAT), date=day).points
        assert wide["ort_status"].astype(str).tolist() == \
            sparse["ort_status"].astype(str).tolist(), day  # fmt: skip
        assert wide["coverage"].astype(str).tolist() == sparse["coverage"].astype(str).tolist()
        # the deciding sector: the same wherever the sparse engine names one (it cannot name
        # the nearest sector of a point outside every band: it measures only near pairs)
        named = sparse["ort_sector"].notna().to_numpy()
        assert (wide["ort_sector"].to_numpy()[named] ==
                sparse["ort_sector"].astype(str).to_numpy()[named]).all(), day  # fmt: skip
        if day.day in (1, 15) or _near_a_boundary(day):  # check_point: each point alone
            for i in range(len(LON)):
                v = ortgeo.check_point(LON[i], LAT[i], date=day)
                assert v.status == wide["ort_status"].iloc[i], (day, i)
                for res in v.layers:
                    assert res.status == wide[f"{res.key}_status"].iloc[i], (day, i, res.key)


def _near_a_boundary(day: dt.date) -> bool:
    """Days within 2 days of a date of the catalogue, or of the edge of an approximate one."""
    return any(abs((day - b).days) <= 2 for b in _boundaries())


def _boundaries() -> list[dt.date]:
    out = []
    for x in ortgeo.catalog():
        for d, precision in ((x.valid_from, x.valid_from_precision),
                             (x.valid_to, x.valid_to_precision)):  # fmt: skip
            if d is None:
                continue
            out.append(d)
            if precision == "approximate":
                out += [d - dt.timedelta(days=31), d + dt.timedelta(days=31)]
        if x.review_after:
            out.append(x.review_after)
    return out


def test_the_opah_ru_on_2021_06_10_is_the_same_for_everyone() -> None:
    """The day the issue found two laws: the OPAH-RU starts « vers juillet 2021 »."""
    church = (2.833889, 50.429167)
    v = ortgeo.check_point(*church, date="2021-06-10")
    assert v.layer("call-opah-ru-coeur-de-ville").timing == "incertain"
    r = locate_sectors(([church[0]], [church[1]]), date="2021-06-10")
    assert "call-opah-ru-coeur-de-ville" in set(r.long["sector"].astype(str))
    assert r.sectors.certain.tolist() == [True, False]  # centre-ville certain, OPAH-RU not
    wide = ortgeo.locate(([church[0]], [church[1]]), date="2021-06-10")
    assert wide["call_opah_ru_coeur_de_ville_status"].item() == "dedans"


def test_a_national_table_is_the_same_law(tmp_path) -> None:
    """The bundled catalogue written as a sector table (GeoParquet and GeoPackage) and read
    back gives the answers of the TOML catalogue, on the days where they can differ."""
    cat = ortgeo.catalog()
    for suffix in (".parquet", ".gpkg"):
        path = write_sector_table(cat, tmp_path / f"secteurs{suffix}")
        table = ortgeo.catalog(path)
        assert table.ids == cat.ids
        assert [a.id for a in table.acts] == [a.id for a in cat.acts]
        assert table.coverage == cat.coverage
        for x, y in zip(table, cat, strict=True):

            def facts(z: ortgeo.Layer) -> tuple[object, ...]:
                return (z.valid_from_precision, z.valid_to_precision, z.communes_possible,
                        [a.id for a in z.acts])  # fmt: skip

            assert facts(x) == facts(y)
        for day in ("2019-08-03", "2021-06-10", "2023-12-06", "2024-06-01", "2027-01-01"):
            a = ortgeo.locate((LON, LAT), date=day, catalog=table)
            b = ortgeo.locate((LON, LAT), date=day)
            pd.testing.assert_series_equal(a["ort_status"], b["ort_status"])
            c = locate_sectors((LON, LAT), path, date=day).points["ort_status"]
            assert c.astype(str).tolist() == b["ort_status"].astype(str).tolist()

"""Large batches: worker processes (``jobs``), identical rows geocoded once, the CSV writer.

Offline index built from a SYNTHETIC BAN export (made-up addresses, several communes);
the pool thresholds are lowered so that a few hundred rows go through the worker path.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from ortgeo.batch import check_addresses, write_report
from ortgeo.cli import main
from ortgeo.errors import CorruptFileError, GeocoderError, InputFileError
from ortgeo.geocoders import BanApiGeocoder, BanLocalGeocoder, build_ban_index, pool
from ortgeo.geocoders.ban_export import read_ban_csv
from ortgeo.output import neutralise_formula, write_csv
from ortgeo.testing import write_synthetic_ban_export

DATE = "2024-06-01"


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("ban")
    return write_synthetic_ban_export(
        tmp / "adresses.csv.gz", n_rows=4000, n_communes=6, seed=3,
        extra_citycodes=("62291", "62523"),
    )  # fmt: skip


@pytest.fixture(scope="module")
def index(export: Path) -> Path:
    return build_ban_index(export, export.parent / "ban.sqlite", progress=False)


@pytest.fixture(scope="module")
def queries(export: Path) -> list[str]:
    """Clean, noisy, repeated, empty and unknown addresses of every commune, shuffled."""
    df = read_ban_csv(export).sample(300, random_state=4).astype(str)
    clean = (df["numero"] + " " + df["nom_voie"] + " " + df["code_postal"] + " "
             + df["nom_commune"]).tolist()  # fmt: skip
    noisy = [q.upper().replace(" rue ", " r. ") for q in clean[:100]]
    no_city = [" ".join(q.split()[:-2]) for q in clean[:60]]
    odd = ["", "12 rue des Lilas Lens", "Lens", "=1+1", "  ", "n°3 rue de la Gare, 62300"]
    out = clean + noisy + no_city + odd + clean[:40]  # 40 repeated rows
    rng = np.random.default_rng(5)
    return [out[i] for i in rng.permutation(len(out))]


@pytest.fixture
def small_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """Send any batch of 20 rows or more to the pool, by chunks of 37 rows."""
    monkeypatch.setattr(pool, "MIN_POOL_ROWS", 20)
    monkeypatch.setattr(pool, "CHUNK_ROWS", 37)


def test_pool_gives_the_same_results_in_input_order(index, queries, small_pool):
    alone = BanLocalGeocoder(index).geocode_many(queries, jobs=1)
    pooled = BanLocalGeocoder(index).geocode_many(queries, jobs=2)
    assert [r.query for r in pooled] == queries
    assert [r.to_dict() for r in pooled] == [r.to_dict() for r in alone]
    assert pooled == alone  # dataclass equality, candidates included


def test_pool_with_per_row_codes(index, queries, small_pool):
    codes = [("62498" if i % 3 == 0 else None) for i in range(len(queries))]
    posts = [("62300" if i % 5 == 0 else None) for i in range(len(queries))]
    kw = {"citycode": codes, "postcode": posts}
    alone = BanLocalGeocoder(index).geocode_many(queries, jobs=1, **kw)
    assert BanLocalGeocoder(index).geocode_many(queries, jobs=3, **kw) == alone


def test_report_is_byte_identical_whatever_jobs(tmp_path, index, queries, small_pool):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": range(len(queries)), "adresse": queries}).to_csv(src, sep=";", index=False)
    outs = []
    for jobs in (1, 2):
        report = check_addresses(src, geocoder=BanLocalGeocoder(index), date=DATE, jobs=jobs)
        assert report["id"].tolist() == [str(i) for i in range(len(queries))]
        outs.append(write_report(report, tmp_path / f"out{jobs}.csv").read_bytes())
    assert outs[0] == outs[1]


def test_cli_jobs_same_report_and_bad_value(tmp_path, index, queries, small_pool):
    src = tmp_path / "in.csv"
    pd.DataFrame({"adresse": queries}).to_csv(src, sep=";", index=False)
    runner = CliRunner()
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"r{jobs}.csv"
        args = ["batch", str(src), "-o", str(out), "--geocoder", "local", "--ban", str(index),
                "--date", DATE, "--jobs", jobs]  # fmt: skip
        res = runner.invoke(main, args)
        assert res.exit_code in (0, 3), res.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    res = runner.invoke(main, ["batch", str(src), "-o", str(tmp_path / "x.csv"), "--jobs", "0"])
    assert res.exit_code == 2
    assert "--jobs" in res.output and not (tmp_path / "x.csv").exists()


class _Failing(BanLocalGeocoder):
    """Raises an ortgeo error (one that needs a keyword argument) on one query."""

    def _geocode(self, text, citycode, postcode, type, limit):  # type: ignore[no-untyped-def]
        if text == "BOOM":
            raise CorruptFileError("The BAN index x.sqlite is damaged: rebuild it.", path="x")
        return super()._geocode(text, citycode, postcode, type, limit)


class _Dying(BanLocalGeocoder):
    """Kills its worker process on one query (as the out-of-memory killer would)."""

    def _geocode(self, text, citycode, postcode, type, limit):  # type: ignore[no-untyped-def]
        if text == "DIE" and os.getpid() != self.parent:
            os._exit(9)
        return super()._geocode(text, citycode, postcode, type, limit)


def test_worker_error_surfaces_unchanged(index, queries, small_pool):
    with pytest.raises(CorruptFileError, match="is damaged: rebuild it") as err:
        _Failing(index).geocode_many([*queries, "BOOM"], jobs=2)
    assert err.value.path == "x"
    with pytest.raises(CorruptFileError, match="is damaged: rebuild it"):  # same in-process
        _Failing(index).geocode_many([*queries, "BOOM"], jobs=1)


def test_dead_worker_is_a_clear_error_not_a_hang(index, queries, small_pool):
    coder = _Dying(index)
    coder.parent = os.getpid()
    with pytest.raises(GeocoderError, match=r"worker process stopped unexpectedly.*--jobs 1"):
        coder.geocode_many([*queries[:100], "DIE", *queries[100:]], jobs=2)


def test_small_input_stays_in_process(index, queries, monkeypatch):
    def no_pool(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a small batch must not start worker processes")

    monkeypatch.setattr("ortgeo.geocoders.base.geocode_in_pool", no_pool)
    coder = BanLocalGeocoder(index)
    assert len(coder.geocode_many(queries[:50], jobs=4)) == 50
    assert pool.pool_jobs(4, pool.MIN_POOL_ROWS - 1, coder) == 1
    assert pool.pool_jobs(4, 10 * pool.MIN_POOL_ROWS, coder) == 4
    assert pool.pool_jobs(None, 10 * pool.MIN_POOL_ROWS, coder) == min(
        pool.usable_cpus(), -(-10 * pool.MIN_POOL_ROWS // pool.CHUNK_ROWS)
    )
    api = BanApiGeocoder(base_url="http://127.0.0.1:1")
    assert pool.pool_jobs(4, 10 * pool.MIN_POOL_ROWS, api) == 1  # rate-limited web API
    with pytest.raises(InputFileError, match="jobs must be 1 or more"):
        pool.pool_jobs(0, 100, coder)


def test_identical_rows_are_geocoded_once(index, monkeypatch):
    coder = BanLocalGeocoder(index)
    seen: list[str] = []
    real = coder._geocode

    def counting(text, *args):  # type: ignore[no-untyped-def]
        seen.append(text)
        return real(text, *args)

    monkeypatch.setattr(coder, "_geocode", counting)
    rows = ["3 rue de la Gare Lens", "1 rue de la Gare Lens", "3 rue de la Gare Lens"]
    a, b, c = coder.geocode_many(rows, citycode=["62498", None, None])
    assert seen == rows  # different citycode: not the same row
    assert a.query == c.query and b.query == rows[1]
    seen.clear()
    a, b, c = coder.geocode_many(rows)
    assert seen == rows[:2] and a is c


def test_write_csv_same_bytes_as_pandas(tmp_path):
    """The CSV writer prints every cell as pandas' ``to_csv`` would (then neutralised)."""
    table = pd.DataFrame({
        "texte": pd.array(["=1+1", None, 'a "b"; c', "ligne\nsuite", "-x", "é\r"], dtype="str"),
        "objets": [1.5, None, "txt", np.nan, -2.0, "+33"],
        "flottants": [0.1, np.nan, 1e-05, 1e16, -0.0, 123456.789],
        "entiers": [1, -2, 3, 40, 5, 6],
        "booleens": [True, False, True, True, False, True],
        "sep;dans;l'en-tete": ["a", "b", "c", "d", "e", "f"],
    })  # fmt: skip
    path = write_csv(table, tmp_path / "t.csv")
    safe = table.copy()
    for col in ("texte", "objets", "sep;dans;l'en-tete"):
        safe[col] = [neutralise_formula(v) for v in table[col].astype(object)]
    expected = safe.to_csv(sep=";", index=False, lineterminator="\n")
    assert path.read_bytes() == expected.encode("utf-8")
    assert "'=1+1" in expected and ";-2.0;" in expected  # numbers are not text: kept
    dates = pd.DataFrame({"jour": pd.to_datetime(["2024-06-01", None]), "n": [1, 2]})
    assert write_csv(dates, tmp_path / "d.csv").read_bytes().decode() == dates.to_csv(
        sep=";", index=False, lineterminator="\n"
    )
    one = pd.DataFrame({"seule": ["", "a"]})
    assert write_csv(one, tmp_path / "o.csv", excel=True).read_bytes() == (
        "\ufeff" + one.to_csv(sep=";", index=False, lineterminator="\n")
    ).encode("utf-8")
    twice = pd.DataFrame([["x", 1.5], ["y", None]], columns=["a", "a"])
    assert write_csv(twice, tmp_path / "t2.csv").read_bytes().decode() == twice.to_csv(
        sep=";", index=False, lineterminator="\n"
    )
    empty = pd.DataFrame({"a": pd.array([], dtype="str"), "b": []})
    assert write_csv(empty, tmp_path / "e.csv").read_bytes() == b"a;b\n"

"""Facts of the convention checked on the bundled, indicative perimeter layers.

Points come from two places, read as they are (nothing is copied or generated):

- ``data/perimeters/landmarks.geojson`` (bundled, via :func:`ortgeo.landmarks`): places of
  the convention, including the estimated town hall and 43-45 rue de la Gare (action AM05)
  and the centres of Liévin, Loison-sous-Lens and Sallaumines;
- the sourced points of ``../shared/data/reference/landmarks/lens_points.geojson``
  (Wikipedia / BRGM coordinates) and the commune outlines of
  ``../shared/data/reference/communes/`` (IGN ADMIN EXPRESS COG 2018), through the
  ``reference`` fixture: those tests skip when the reference folder is absent;
- the ANCT table of ORT communes (``ort_national/ort_communes_anct.csv`` of the reference
  folder), against which the catalogue's territory and act dates are checked.

All geometry is compared in Lambert-93 (EPSG:2154). The bundled layers are rounded to
1e-6° (≈ 0.1 m), hence the 1 m tolerances.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from ortgeo import catalog, landmarks, ort_perimeter
from ortgeo.crs import L93, LENS_CENTRE_LONLAT, to_l93_xy

ORT, EXT, OPAH = "lens-centre-ville", "lens-entree-de-ville", "call-opah-ru-coeur-de-ville"
LENS, LIEVIN, LOISON, SALLAUMINES = "62498", "62510", "62523", "62771"
BULLY, MAZINGARBE, HARNES = "62186", "62563", "62413"
COMMUNES = "communes/communes_lens_and_neighbours_from_france-geojson.geojson"
TOLERANCE_M = 1.0


def layer_l93(layer_id: str) -> shapely.Geometry:
    return catalog()[layer_id].geometry_l93


def named(points: gpd.GeoDataFrame, fragment: str) -> shapely.Point:
    """The one point whose name contains ``fragment``, in Lambert-93."""
    rows = points[points["name"].str.contains(fragment, regex=False)]
    assert len(rows) == 1, f"{fragment!r} names {len(rows)} points"
    return rows.to_crs(L93).geometry.iloc[0]


@pytest.fixture(scope="module")
def bundled_points() -> gpd.GeoDataFrame:
    return landmarks()


@pytest.fixture(scope="module")
def sourced_points(reference: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(reference / "landmarks" / "lens_points.geojson")


@pytest.fixture(scope="module")
def communes(reference: Path) -> gpd.GeoSeries:
    gdf = gpd.read_file(reference / COMMUNES)
    return gdf.set_index("code").geometry.to_crs(L93)


# -- places inside the 2019 ORT --------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    [
        "Louvre-Lens",
        "Stade Bollaert-Delelis",
        "Gare de Lens",
        "Église Saint-Léger",
        "Hôtel de ville",
        "43-45 rue de la Gare",
        "AM04 – Place Jean-Jaurès",
    ],
)
def test_bundled_places_inside_the_2019_ort(bundled_points: gpd.GeoDataFrame, name: str) -> None:
    assert layer_l93(ORT).contains(named(bundled_points, name))


@pytest.mark.parametrize(
    "name",
    [
        "Louvre-Lens (musée",
        "Stade Bollaert-Delelis",
        "Gare de Lens",
        "Église Saint-Léger de Lens",
        "Puits n° 9, fosse 9",  # the Louvre-Lens site
    ],
)
def test_sourced_places_inside_the_2019_ort(sourced_points: gpd.GeoDataFrame, name: str) -> None:
    assert layer_l93(ORT).contains(named(sourced_points, name))


def test_sourced_and_bundled_points_agree(
    bundled_points: gpd.GeoDataFrame, sourced_points: gpd.GeoDataFrame
) -> None:
    for bundled, sourced in [
        ("Louvre-Lens", "Louvre-Lens (musée"),
        ("Stade Bollaert-Delelis", "Stade Bollaert-Delelis"),
        ("Gare de Lens", "Gare de Lens"),
        ("Église Saint-Léger", "Église Saint-Léger de Lens"),
    ]:
        gap = named(bundled_points, bundled).distance(named(sourced_points, sourced))
        assert gap < 5.0, bundled


def test_town_hall_is_just_west_of_the_church(bundled_points: gpd.GeoDataFrame) -> None:
    church = named(bundled_points, "Église Saint-Léger")
    town_hall = named(bundled_points, "Hôtel de ville")
    x, y = (float(v[0]) for v in to_l93_xy([LENS_CENTRE_LONLAT[0]], [LENS_CENTRE_LONLAT[1]]))
    assert church.distance(shapely.Point(x, y)) < 1.0  # the centre of Lens is the church
    assert town_hall.x < church.x and church.distance(town_hall) < 120


# -- how the layers nest ---------------------------------------------------------------
def test_opah_ru_inside_the_2019_ort() -> None:
    assert layer_l93(ORT).buffer(TOLERANCE_M).contains(layer_l93(OPAH))


def test_2019_ort_inside_the_commune_of_lens(communes: gpd.GeoSeries) -> None:
    lens = communes[LENS]
    assert lens.buffer(TOLERANCE_M).contains(layer_l93(ORT))
    assert lens.buffer(TOLERANCE_M).contains(layer_l93(OPAH))
    assert lens.buffer(TOLERANCE_M).contains(layer_l93(EXT))  # clipped at the Loison limit


def test_extension_reaches_the_loison_sous_lens_limit(communes: gpd.GeoSeries) -> None:
    ext = layer_l93(EXT)
    assert ext.distance(communes[LOISON]) <= TOLERANCE_M
    assert ext.intersection(communes[LOISON]).area < 0.001 * ext.area  # touches, no more
    assert layer_l93(ORT).distance(communes[LOISON]) > 100  # the 2019 ORT does not


def test_extension_runs_north_east_of_the_centre() -> None:
    x, y = (float(v[0]) for v in to_l93_xy([LENS_CENTRE_LONLAT[0]], [LENS_CENTRE_LONLAT[1]]))
    ext = layer_l93(EXT)
    minx, miny, _, _ = ext.bounds
    assert minx > x and miny > y  # wholly north-east of the church Saint-Léger
    assert ext.centroid.x - x > 500 and ext.centroid.y - y > 500
    assert ext.intersects(layer_l93(ORT))  # it extends the 2019 ORT, from its corner


def test_route_de_lille_action_only_in_the_ort_once_extended(
    bundled_points: gpd.GeoDataFrame,
) -> None:
    am10 = named(bundled_points, "AM10")
    assert layer_l93(EXT).contains(am10) and not layer_l93(ORT).contains(am10)
    for day, inside in [
        ("2023-12-05", False),
        ("2023-12-06", True),
        ("2026-12-31", True),
        ("2027-01-01", True),  # the end of the ACV period does not end the sector
        ("2028-01-01", True),
    ]:
        ort = ort_perimeter(day).to_crs(L93).geometry.iloc[0]
        assert ort.contains(am10) is inside, day


# -- outside every layer ---------------------------------------------------------------
NEIGHBOUR_CENTRES = {
    "Liévin (centre)": LIEVIN,
    "Loison-sous-Lens (centre)": LOISON,
    "Sallaumines (centre)": SALLAUMINES,
}


@pytest.mark.parametrize("name", NEIGHBOUR_CENTRES)
def test_neighbour_centres_outside_every_layer(bundled_points: gpd.GeoDataFrame, name: str) -> None:
    point = named(bundled_points.query("kind == 'centre-commune'"), name)
    for layer in catalog():
        assert not layer.geometry_l93.intersects(point), layer.id


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Loison-sous-Lens – commune reference point", LOISON),
        ("Sallaumines – commune reference point", SALLAUMINES),
        ("Puits n° 9 bis (Liévin", LIEVIN),
        ("Puits n° 2 ter (Loison-sous-Lens", LOISON),
    ],
)
def test_sourced_points_of_neighbours_outside_every_layer(
    sourced_points: gpd.GeoDataFrame, communes: gpd.GeoSeries, name: str, code: str
) -> None:
    point = named(sourced_points, name)
    assert communes[code].contains(point)  # the point is where its source says
    for layer in catalog():
        assert not layer.geometry_l93.intersects(point), layer.id


def test_bundled_neighbour_centres_lie_in_their_commune(
    bundled_points: gpd.GeoDataFrame, communes: gpd.GeoSeries
) -> None:
    for name, code in [*NEIGHBOUR_CENTRES.items(), ("Puits n° 9 bis (Liévin)", LIEVIN)]:
        assert communes[code].contains(named(bundled_points, name)), name


# -- status ----------------------------------------------------------------------------
def test_every_bundled_layer_is_indicative_and_says_how_rough() -> None:
    for layer in catalog():
        assert layer.status == "indicatif", layer.id
        assert layer.accuracy_m >= 100, layer.id
        assert layer.source and layer.notes and layer.acts, layer.id


# -- the acts and sectors of the convention --------------------------------------------
def test_acts_of_the_convention() -> None:
    cat = catalog()
    order = cat.act("arrete-ort-2019")
    assert (order.kind, order.date, order.date_precision) == (
        "arrete",
        dt.date(2019, 8, 4),
        "exact",
    )
    assert "Arrêté préfectoral" in order.title and "décret" not in order.title.lower()
    assert cat.act("convention-acv-2018").date == dt.date(2018, 9, 28)
    assert cat.act("avenant-deploiement-2021").date == dt.date(2021, 2, 10)
    chapeau = cat.act("convention-chapeau-2023")
    assert (chapeau.kind, chapeau.date) == ("convention", dt.date(2023, 4, 6))
    assert "L303-2" in chapeau.title and "L.302-2" not in chapeau.title  # the text's typo
    amendment = cat.act("avenant-2")
    assert (amendment.kind, amendment.date, amendment.date_precision) == (
        "avenant",
        dt.date(2023, 12, 6),
        "not-before",  # council authorised the signature that day; signature date blank
    )
    assert any(a.startswith("art. 1") and "pas une fin de l'ORT" in a for a in amendment.articles)
    assert cat.act("deliberation-2023-12-06").kind == "deliberation"
    assert cat.annex["act"] == "avenant-2"


def test_sectors_as_the_amendment_names_them() -> None:
    cat = catalog()
    centre, entry = cat[ORT], cat[EXT]
    assert (centre.name, entry.name) == (
        "Centre-ville de Lens",
        "Entrée de ville – Lens/Loison-sous-Lens",
    )
    assert centre.communes == entry.communes == (LENS,)
    assert entry.communes_possible == (LOISON,)  # reaching Loison-sous-Lens: not known
    assert (centre.includes_centre_ville, entry.includes_centre_ville) == (True, False)
    assert [a.id for a in centre.acts] == [  # homologated in 2019, re-recognised by avenant 2
        "convention-acv-2018", "arrete-ort-2019", "avenant-deploiement-2021", "avenant-2",
        "avenant-convention-chapeau",
    ]  # fmt: skip
    # in force only with the avenant n° 2 and the amendment to the chapeau convention (art. 5)
    assert [a.id for a in entry.acts] == ["avenant-2", "avenant-convention-chapeau"]
    assert (centre.valid_from, centre.valid_from_precision) == (dt.date(2019, 8, 4), "exact")
    assert (entry.valid_from, entry.valid_from_precision) == (dt.date(2023, 12, 6), "not-before")
    for sector in cat.sectors:
        assert sector.valid_to is None, sector.id  # no act ends an ORT sector
        assert sector.review_after == dt.date(2026, 12, 31), sector.id  # end of the ACV period


def test_opah_ru_is_a_call_dispositif_not_an_ort_sector() -> None:
    opah = catalog()[OPAH]
    assert not opah.is_ort_sector and opah.kind == "opah-ru"
    assert "CALL" in opah.contact and "ville" not in opah.contact  # not "la ville"
    assert opah.communes == (LENS,)  # ortgeo draws the Lens part only
    assert set(opah.communes_all) == {LENS, LIEVIN, HARNES}
    assert (opah.valid_from, opah.valid_from_precision) == (dt.date(2021, 7, 1), "approximate")
    assert (opah.valid_to, opah.valid_to_precision) == (dt.date(2026, 6, 30), "approximate")


def test_territory_matches_the_national_ort_table(reference: Path) -> None:
    """The communes that signed the CALL's ORT, and when, as the ANCT table lists them."""
    table = pd.read_csv(
        reference / "ort_national" / "ort_communes_anct.csv", dtype={"Code commune": str}
    )
    call = table[(table["EPCI"] == "CA de Lens - Liévin") & (table["Signée ?"] == "Signée")]
    signed = dict(zip(call["Code commune"], call["Si signée, date de signature"], strict=True))
    territory = catalog().territory
    assert set(territory.ort_communes) == set(signed)
    assert signed == {
        LENS: "2019-08-04",
        LIEVIN: "2019-08-04",
        BULLY: "2023-04-06",
        MAZINGARBE: "2023-04-06",
    }
    assert LOISON not in signed
    assert catalog().act("convention-chapeau-2023").date.isoformat() == signed[BULLY]
    assert catalog().act("arrete-ort-2019").date.isoformat() == signed[LENS]

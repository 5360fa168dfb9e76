"""The address lists of Annex 3, as annexes write them.

Only ORT sectors are « secteurs d'intervention »; the OPAH-RU is listed apart, « pour
information ». For each sector and street: « voie entière » when every number of the
street is inside, else the numbers by side (« n° 1 à 47 impairs ; 2 à 50 pairs ») and the
cadastral parcels when the BAN export gives them; the addresses in the uncertainty band
(« à vérifier ») are listed apart, street by street and side of the drawn limit, with
their distances to it: « côté intérieur, à 12 à 40 m de la limite : n° 15 à 17 impairs ».
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from ortgeo.annex.numbers import format_numbers, sides_text, street_sort_key
from ortgeo.catalog import Catalog, Layer
from ortgeo.dates import DateLike
from ortgeo.locate import DEDANS, LIMITE, layer_key, locate
from ortgeo.maps._state import AnnexState, StateLayer, annex_state

__all__ = ["CATEGORIES", "LIST_COLUMNS", "Sector", "address_lists", "sectors", "state_sectors"]

#: The two parts of the list: the ORT sectors, and the other dispositifs.
CATEGORIES = ("secteur d'intervention", "pour information")
INCLUDED, TO_CHECK = "adresses incluses", "à vérifier"
WHOLE_STREET = "voie entière"
LIST_COLUMNS = [
    "categorie", "secteur_id", "secteur", "statut_trace", "liste", "code_insee", "commune",
    "voie", "code_postal", "etendue", "numeros_impairs", "numeros_pairs", "numeros",
    "parcelles", "nb_adresses", "distance_m", "cote",
]  # fmt: skip
_DETAIL_COLUMNS = [
    "id", "numero", "rep", "nom_voie", "code_postal", "code_insee", "nom_commune", "lon", "lat",
]  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Sector:
    """One part of the address list: an ORT sector, or another dispositif « pour information »."""

    key: str
    title: str
    category: str
    item: StateLayer

    @property
    def layers(self) -> tuple[Layer, ...]:
        """The catalogue layers it is made of."""
        return (self.item.layer,)

    @property
    def status(self) -> str:
        """``officiel`` or ``indicatif`` (the status of its tracé)."""
        return self.item.layer.status


def sectors(catalog: Catalog | None = None, date: DateLike = None) -> list[Sector]:
    """The parts of the address list: each ORT sector, then each other dispositif.

    Examples
    --------
    >>> [(s.title, s.category) for s in sectors()]  # doctest: +NORMALIZE_WHITESPACE
    [('Centre-ville de Lens', "secteur d'intervention"),
     ('Entrée de ville – Lens/Loison-sous-Lens', "secteur d'intervention"),
     ('OPAH-RU « Cœur de ville »', 'pour information')]
    """
    return state_sectors(annex_state(date, catalog))


def state_sectors(state: AnnexState) -> list[Sector]:
    """The parts of the address list for an annex state (:func:`sectors` on a state)."""
    return [
        Sector(layer_key(x.id), x.name, CATEGORIES[0] if x.is_sector else CATEGORIES[1], x)
        for x in state.layers
    ]


_KEY = ("code_insee", "nom_voie", "code_postal")


class _Rows:
    """The BAN columns the lists read, as Python lists (grouping street by street in pandas
    costs a frame per street: most of the list's time)."""

    def __init__(self, ban: pd.DataFrame):
        self.numero = ban["numero"].tolist()
        self.rep = ban["rep"].tolist()
        self.commune = ban["nom_commune"].tolist()
        self.keys = list(zip(*(ban[c].tolist() for c in _KEY), strict=True))
        self.keyed = ~ban[list(_KEY)].isna().any(axis=1).to_numpy()  # groupby drops NA keys
        self.parcels = ban["cad_parcelles"].tolist() if "cad_parcelles" in ban else None
        # every (numero, rep) of each street, in BAN order
        self.present: dict[tuple[str, str], list[Any]] = {}
        for i in np.flatnonzero(~ban[list(_KEY[:2])].isna().any(axis=1).to_numpy()):
            insee, voie, _ = self.keys[i]
            self.present.setdefault((str(insee), str(voie)), []).append(self.pair(int(i)))

    def pair(self, i: int) -> tuple[Any, Any]:
        return self.numero[i], self.rep[i]

    def streets(self, mask: np.ndarray) -> list[tuple[tuple[Any, ...], list[int]]]:
        """The rows of ``mask`` by (commune, street, postcode), keys sorted as groupby does."""
        groups: dict[tuple[Any, ...], list[int]] = {}
        for i in np.flatnonzero(mask & self.keyed):
            groups.setdefault(self.keys[i], []).append(int(i))
        return sorted(groups.items())

    def parcels_text(self, rows: list[int]) -> str:
        if self.parcels is None:
            return ""
        cells = (self.parcels[i] for i in rows)
        found = {p.strip() for c in cells if not pd.isna(c) for p in str(c).split("|")}
        return ", ".join(sorted(found - {""}))

    def head(self, key: tuple[Any, ...], rows: list[int]) -> dict[str, Any]:
        insee, voie, cp = key
        return {"code_insee": insee, "commune": self.commune[rows[0]], "voie": voie,
                "code_postal": cp}  # fmt: skip


def _included(ban: _Rows, inside: np.ndarray) -> list[dict]:
    rows = []
    for key, idx in ban.streets(inside):
        numbers = [ban.pair(i) for i in idx]
        street = ban.present[(str(key[0]), str(key[1]))]
        odd, even = format_numbers(numbers, street)
        whole = set(numbers) >= set(street)
        rows.append({
            **ban.head(key, idx), "etendue": WHOLE_STREET if whole else "",
            "numeros_impairs": odd, "numeros_pairs": even,
            "numeros": WHOLE_STREET if whole else sides_text(odd, even),
            "parcelles": ban.parcels_text(idx), "nb_adresses": len(idx), "distance_m": np.nan,
            "cote": "",
        })  # fmt: skip
    return sorted(rows, key=lambda r: (street_sort_key(r["voie"]), r["code_postal"]))


def _to_check(ban: _Rows, border: np.ndarray, distance: np.ndarray) -> list[dict]:
    """One row per street: the numbers « à vérifier » by side of the limit, with distances."""
    rows = []
    for key, idx in ban.streets(border):
        texts = []
        d = distance[idx]
        for side, part in (("intérieur", d >= 0), ("extérieur", d < 0)):
            if not part.any():
                continue
            chosen = [i for i, keep in zip(idx, part, strict=True) if keep]
            odd, even = format_numbers([ban.pair(i) for i in chosen],
                                       ban.present[(str(key[0]), str(key[1]))])  # fmt: skip
            lo, hi = np.abs(d[part]).min(), np.abs(d[part]).max()
            span = f"{lo:.0f} m" if round(lo) == round(hi) else f"{lo:.0f} à {hi:.0f} m"
            texts.append(f"côté {side}, à {span} de la limite : {sides_text(odd, even)}")
        rows.append({
            **ban.head(key, idx), "etendue": "", "numeros_impairs": "", "numeros_pairs": "",
            "numeros": " — ".join(texts), "parcelles": ban.parcels_text(idx),
            "nb_adresses": len(idx), "distance_m": round(float(np.nanmin(np.abs(d))), 1),
            "cote": "des deux côtés" if len(texts) == 2 else texts[0].split(",")[0][5:],
        })  # fmt: skip
    return sorted(rows, key=lambda r: (street_sort_key(r["voie"]), r["code_postal"]))


def address_lists(
    ban: pd.DataFrame,
    date: DateLike = None,
    catalog: Catalog | None = None,
    band_m: float | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The address lists of Annex 3 from BAN addresses.

    Parameters
    ----------
    ban : DataFrame
        BAN addresses (:func:`ortgeo.annex.load_ban`): ``numero, rep, nom_voie,
        code_postal, code_insee, nom_commune, lon, lat`` (``cad_parcelles`` optional).
    date : str or date, optional
        Date of the perimeters; default: the sectors the avenant defines.
    catalog : Catalog, optional
        Perimeter catalogue (default: the bundled one).
    band_m : float, optional
        Width of the « à vérifier » band (default: each layer's accuracy).

    Returns
    -------
    (lists, detail) : tuple of DataFrame
        ``lists``: columns :data:`LIST_COLUMNS`, one row per sector, list (« adresses
        incluses » / « à vérifier ») and street; ``distance_m`` is the smallest distance
        to the limit of the street's addresses « à vérifier ». ``detail``: the BAN rows
        with ``<sector>_statut`` and ``<sector>_distance_m``.

    Examples
    --------
    >>> ban = pd.DataFrame({  # three made-up addresses on place Jean-Jaurès
    ...     "id": ["a", "b", "c"], "numero": [1, 3, 2], "rep": "", "nom_voie": "Place Jean Jaurès",
    ...     "code_postal": "62300", "code_insee": "62498", "nom_commune": "Lens",
    ...     "lon": [2.8339, 2.8340, 2.8338], "lat": [50.4292, 50.4293, 50.4291]})
    >>> lists, detail = address_lists(ban, date="2024-06-01")
    >>> lists.query("secteur == 'Centre-ville de Lens'")[["liste", "numeros"]].to_dict("records")
    [{'liste': 'adresses incluses', 'numeros': 'voie entière'}]
    """
    state = annex_state(date, catalog)
    ban = ban.reset_index(drop=True)
    res = locate(ban[["lon", "lat"]], perimeters=state.perimeters, band_m=band_m)
    rows_of = _Rows(ban)
    detail = ban[[c for c in _DETAIL_COLUMNS if c in ban]].copy()
    rows: list[dict] = []
    for sector in state_sectors(state):
        status = res[f"{sector.key}_status"].to_numpy()
        distance = res[f"{sector.key}_distance_m"]
        detail[f"{sector.key}_statut"] = status
        detail[f"{sector.key}_distance_m"] = distance.round(1).to_numpy()
        head = {"categorie": sector.category, "secteur_id": sector.key, "secteur": sector.title,
                "statut_trace": sector.status}  # fmt: skip
        rows += [{**head, "liste": INCLUDED, **r} for r in _included(rows_of, status == DEDANS)]
        rows += [
            {**head, "liste": TO_CHECK, **r}
            for r in _to_check(rows_of, status == LIMITE, distance.loc[ban.index].to_numpy())
        ]
    return pd.DataFrame(rows, columns=LIST_COLUMNS), detail

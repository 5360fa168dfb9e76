"""Styles, colours and French labels of the Annex 3 maps, shared by the HTML and print maps.

Everything a reader sees on both maps is defined here once: the titles, the style of
each perimeter kind, of the landmarks, of the commune outlines and of the address
statuses, the warnings and the small French formatting helpers. :mod:`ortgeo.maps.html`
(Leaflet, sizes in CSS pixels) and :mod:`ortgeo.maps.png` (matplotlib, sizes in points)
both read them, so the two renderings cannot drift apart.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import html
from typing import Final, Literal

from ortgeo.catalog import Layer
from ortgeo.locate import DEDANS, DEHORS, INVALIDE, LIMITE, SANS_ORT
from ortgeo.verdict import ERREUR, INDETERMINE

__all__ = [
    "ADDRESS_STATUSES",
    "CARTOUCHE_TITLE",
    "COMMUNE_STYLE",
    "FILE_STEMS",
    "INDICATIF_WARNING",
    "LANDMARK_STYLES",
    "LAYER_STYLES",
    "LENS_STYLE",
    "MAP_KINDS",
    "MAP_TITLES",
    "STATUS_COLOURS",
    "STATUS_LABELS",
    "WATERMARK",
    "LandmarkStyle",
    "LayerStyle",
    "date_fr",
    "escape",
    "layer_style",
    "precision_fr",
]

#: The maps of Annex 3, by the ``kind`` argument of the map functions (page order).
MAP_KINDS: Final = ("situation", "general", "zoom-extension")
#: Every map ``ortgeo map`` draws: the annex maps and the QA map of the digitising points.
ALL_MAP_KINDS: Final = (*MAP_KINDS, "controle")
#: Titles of the maps, as the convention names them.
MAP_TITLES: Final = {
    "situation": "Situation des secteurs d'intervention – commune de Lens",
    "general": "Cartographie générale du périmètre ORT – ville de Lens",
    "zoom-extension": "Zoom Extension du périmètre ORT : ville de Lens",
    "controle": "Carte de contrôle de la numérisation – points de calage (usage interne)",
}
#: File names (without extension) of the maps in the Annex 3 folder.
FILE_STEMS: Final = {
    "situation": "situation",
    "general": "carte_generale",
    "zoom-extension": "zoom_extension",
    "controle": "controle",
}

#: Shown on every map and list when any layer drawn is not official.
INDICATIF_WARNING: Final = "Périmètres indicatifs numérisés par ortgeo — pas le plan officiel"
#: Watermark of every page when any drawn sector is indicative.
WATERMARK: Final = "PROJET – document de travail – tracés indicatifs, non officiels"
#: First line of the cartouche of every page.
CARTOUCHE_TITLE: Final = (
    "Annexe 3 à l'avenant n° 2 à la convention-cadre Action cœur de ville de Lens (2023-2026)"
)
#: First line of the cartouche of the QA map, which is not part of the annex.
CONTROLE_CARTOUCHE: Final = "Document de contrôle interne – ne fait pas partie de l'annexe 3"
#: Subtitle when the sectors are those the avenant defines (no date asked).
AVENANT_SUBTITLE: Final = "Secteurs d'intervention définis par l'avenant n° 2 — tracés {status}"
DATED_SUBTITLE: Final = "Périmètres en vigueur le {date} — statut : {status}"
NO_STREETS: Final = (
    "Aucun fond de voirie fourni (options --streets, --cadastre ou --basemap) : carte sans fond."
)
PRODUCER: Final = "Producteur : ortgeo {version}{what}"
PRODUCER_INDICATIF: Final = " – tracés des secteurs numérisés par ortgeo (indicatifs)"
DRAWN_ON: Final = "Date du tracé : {date}"
ACT_LINE: Final = "{name} : {act_title} — entrée en vigueur : {act_date}"
STATUS_PLURAL: Final = {"indicatif": "indicatifs", "officiel": "officiels", "—": "absents"}
DATE_UNKNOWN: Final = "date inconnue"


@dataclasses.dataclass(frozen=True)
class LayerStyle:
    """How a perimeter kind is drawn.

    Attributes
    ----------
    colour : str
        Outline colour (also the hatch colour).
    fill_opacity : float
        Opacity of the flat fill (0 = none).
    weight : float
        Outline width in CSS pixels (the print map uses ``0.75 *`` in points).
    dash : str or None
        SVG dash array in pixels (``"10 6"``), ``None`` for a solid line.
    hatch : str or None
        Hatch pattern, matplotlib notation (``"///"``); the HTML map draws the same
        diagonal hatching with an SVG pattern.
    legend : str
        Short French description used in legends.
    """

    colour: str
    fill_opacity: float
    weight: float
    dash: str | None
    hatch: str | None
    legend: str

    @property
    def hatch_id(self) -> str:
        """Id of the SVG hatch pattern of this style in the HTML page."""
        return "ortgeo-hatch-" + self.colour.lstrip("#")

    @property
    def mpl_linewidth(self) -> float:
        """Outline width in points for matplotlib."""
        return round(0.75 * self.weight, 2)

    @property
    def mpl_linestyle(self) -> Literal["solid"] | tuple[float, tuple[float, ...]]:
        """The dash array as a matplotlib line style (lengths in line widths)."""
        if not self.dash:
            return "solid"
        lengths = tuple(float(v) / self.weight for v in self.dash.split())
        return (0.0, lengths)


#: Style of each catalogue layer kind (``ort``, ``ort-extension``, ``opah-ru``).
LAYER_STYLES: Final = {
    "ort": LayerStyle("#c0392b", 0.12, 3.0, None, None, "trait plein rouge"),
    "ort-extension": LayerStyle("#7b3294", 0.0, 3.0, "10 6", "///", "tirets et hachures violets"),
    "opah-ru": LayerStyle("#1f78b4", 0.10, 2.5, "2 5", None, "pointillés bleus"),
}


def layer_style(layer: Layer) -> LayerStyle:
    """Style of a catalogue layer, by its kind.

    Examples
    --------
    >>> from ortgeo.catalog import catalog
    >>> layer_style(catalog()["lens-entree-de-ville"]).hatch
    '///'
    """
    return LAYER_STYLES[style_key(layer)]


def style_key(layer: Layer) -> str:
    """``ort`` for a sector with the centre-ville, ``ort-extension`` for another sector,
    else the layer's kind (``opah-ru``)."""
    if layer.is_ort_sector:
        return "ort" if layer.includes_centre_ville else "ort-extension"
    return layer.kind if layer.kind in LAYER_STYLES else "opah-ru"


@dataclasses.dataclass(frozen=True)
class LandmarkStyle:
    """How a kind of landmark is drawn: a circle of ``radius`` CSS pixels."""

    colour: str
    edge: str
    radius: float
    legend: str


#: Style of each landmark kind of :func:`ortgeo.landmarks`.
LANDMARK_STYLES: Final = {
    "action": LandmarkStyle("#e7298a", "#ffffff", 7.0, "Action de la convention (site)"),
    "repere": LandmarkStyle("#333333", "#ffffff", 5.0, "Repère"),
    "centre-commune": LandmarkStyle("#ffffff", "#333333", 5.0, "Centre de commune voisine"),
}
#: Dashed circle around an action site: its estimated position precision.
PRECISION_LEGEND: Final = "Précision estimée de la position d'une action"

#: Outline of the communes, and of Lens itself.
COMMUNE_STYLE: Final = LayerStyle("#6b6b6b", 0.0, 1.0, "4 3", None, "Limite communale")
LENS_STYLE: Final = LayerStyle("#111111", 0.0, 2.6, None, None, "Limite communale de Lens")
#: The CALL communes on the situation map (light fill).
CALL_STYLE: Final = LayerStyle(
    "#9a9a9a",
    0.06,
    0.8,
    None,
    None,
    "Commune de la CALL (Communauté d'agglomération de Lens-Liévin)",
)
#: The cadastre of ``--cadastre``: parcels in thin grey outlines, buildings in light grey.
CADASTRE_STYLES: Final = {
    "parcelle": LayerStyle("#8c8c8c", 0.0, 0.5, None, None, "Parcelle cadastrale"),
    "batiment": LayerStyle("#b3b3b3", 0.45, 0.3, None, None, "Bâtiment (cadastre)"),
}
#: Streets of a ``--streets`` file.
STREET_STYLE: Final = LayerStyle("#b5b5b5", 0.0, 1.6, None, None, "Voirie")
#: Official context layers (UNESCO), by their ``layer`` value: an olive family, outlines
#: dash-dotted and fills dotted, so that no context area looks like a sector (red flat
#: fill, violet diagonal hatching, blue dots on the outline only).
CONTEXT_STYLES: Final = {
    "bien-inscrit": LayerStyle(
        "#5f6b12", 0.0, 1.4, "8 3 2 3", None, "Bien inscrit au patrimoine mondial (UNESCO)"
    ),
    "cites-minieres": LayerStyle("#7a8a1a", 0.0, 0.6, None, "..", "Cité minière du bien inscrit"),
    "batis": LayerStyle("#3d4410", 0.55, 0.5, None, None, "Bâti du bien inscrit"),
}
CONTEXT_CREDIT: Final = (
    "Patrimoine mondial UNESCO – Bassin minier du Nord-Pas de Calais : tracés officiels de la "
    "Mission Bassin Minier (data.gouv.fr), Licence Ouverte 2.0"
)

#: Status of a checked address (see :func:`ortgeo.locate` and :class:`ortgeo.verdict.Verdict`).
ADDRESS_STATUSES: Final = (DEDANS, LIMITE, DEHORS, INDETERMINE, INVALIDE, SANS_ORT, ERREUR)
STATUS_COLOURS: Final = {
    DEDANS: "#1a9641",
    LIMITE: "#f28e2b",
    DEHORS: "#8c8c8c",
    INDETERMINE: "#9e7bb5",
    INVALIDE: "#000000",
    SANS_ORT: "#c7c7c7",
    ERREUR: "#d7191c",
}
STATUS_LABELS: Final = {
    DEDANS: "Dans le périmètre",
    LIMITE: "En limite – à vérifier",
    DEHORS: "Hors du périmètre",
    INDETERMINE: "Indéterminé",
    INVALIDE: "Coordonnées invalides",
    SANS_ORT: "Aucune ORT en vigueur",
    ERREUR: "Erreur de géocodage",
}

#: Text colour of warnings (the ``indicatif`` notice, a layer not in force).
WARNING_COLOUR: Final = "#b00020"
#: Names of the layers of the HTML map and headings of the print legend.
GROUP_LABELS: Final = {
    "communes": "Limites communales",
    "landmarks": "Repères",
    "actions": "Actions de la convention",
    "addresses": "Adresses vérifiées",
    "sectors": "Secteurs d'intervention de l'ORT",
    "others": "Pour information",
    "context": "Patrimoine mondial UNESCO (tracés officiels)",
    "streets": "Voirie",
    "call": "Communauté d'agglomération",
    "control": "Points de calage de la numérisation",
    "cadastre": "Cadastre",
}


def escape(text: object) -> str:
    """HTML-escape any text from data or user input, safe in HTML and in JS template strings.

    Besides ``& < > " '``, the backtick, ``$`` and backslash are replaced by character
    references, so that the text can also sit inside a JavaScript template literal
    (folium puts popups in one) without being evaluated.

    Examples
    --------
    >>> escape("<script>alert(`${1}`)</script>")
    '&lt;script&gt;alert(&#96;&#36;{1}&#96;)&lt;/script&gt;'
    >>> escape(None)
    ''
    """
    if text is None:
        return ""
    out = html.escape(str(text), quote=True)
    return out.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def date_fr(day: _dt.date | None, empty: str = "—") -> str:
    """A date as ``JJ/MM/AAAA`` (``empty`` when None).

    Examples
    --------
    >>> date_fr(_dt.date(2023, 12, 6)), date_fr(None)
    ('06/12/2023', '—')
    """
    return f"{day:%d/%m/%Y}" if day else empty


def precision_fr(metres: float) -> str:
    """A position precision in French, e.g. ``"± 300 m"``.

    Examples
    --------
    >>> precision_fr(300.0), precision_fr(1500)
    ('± 300 m', '± 1 500 m')
    """
    return "± " + f"{round(float(metres)):,}".replace(",", " ") + " m"

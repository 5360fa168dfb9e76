"""The French texts of the annex folder, rendered from the templates in ``templates/``."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ortgeo import dates
from ortgeo.communes import LENS_INSEE, commune_name
from ortgeo.maps._state import AnnexState, StateLayer
from ortgeo.maps.style import (
    CARTOUCHE_TITLE,
    INDICATIF_WARNING,
    WATERMARK,
    date_fr,
    precision_fr,
)
from ortgeo.texts import acts_label, environment, note, validity

__all__ = [
    "denormandie_note",
    "list_html",
    "list_parts",
    "readme",
    "what_is_drawn",
]


def denormandie_note(state: AnnexState) -> str:
    """The dated Denormandie note for Lens (:mod:`ortgeo.legal`), on the day asked, or today
    for the sectors of the avenant.

    Examples
    --------
    >>> from ortgeo.maps._state import annex_state
    >>> "tout le territoire de la commune de Lens" in denormandie_note(annex_state("2024-06-01"))
    True
    """
    from ortgeo.legal import commune_status

    day = dates.today() if state.avenant else state.date
    return commune_status(LENS_INSEE).denormandie(day)["text"]


def what_is_drawn(state: AnnexState) -> str:
    """« Secteurs définis par l'avenant n° 2 » or « Périmètres en vigueur le … ».

    Examples
    --------
    >>> from ortgeo.maps._state import annex_state
    >>> what_is_drawn(annex_state("2024-06-01"))
    'Périmètres en vigueur le 01/06/2024.'
    """
    if state.avenant:
        return (
            "Secteurs d'intervention définis par l'avenant n° 2 (quelle que soit la date du jour)."
        )
    return f"Périmètres en vigueur le {date_fr(state.date)}."


def _common(state: AnnexState) -> dict[str, Any]:
    return {
        "cartouche_title": CARTOUCHE_TITLE,
        "watermark": WATERMARK,
        "indicatif_warning": INDICATIF_WARNING,
        "status": state.data_status,
        "what_is_drawn": what_is_drawn(state),
        "denormandie": denormandie_note(state),
        "lens_insee": LENS_INSEE,
    }


def readme(
    state: AnnexState,
    files: dict[str, str],
    ban_label: str | None,
    notices: list[str],
    sources: list[str],
    missing_communes: str = "",
) -> str:
    """The LISEZMOI.txt of the folder."""
    from ortgeo import __version__

    return (
        environment()
        .get_template("annex/LISEZMOI.txt.j2")
        .render(
            **_common(state),
            version=__version__,
            today=date_fr(dates.today()),
            notices=[n for n in notices if n != INDICATIF_WARNING],
            files=files,
            ban_label=ban_label,
            missing_communes=missing_communes,
            sectors=state.sectors,
            others=state.others,
            sources=sources,
            precision=precision_fr,
            area=lambda layer: f"{layer.area_ha:.1f} ha".replace(".", ","),
            acts=lambda layer: acts_label(state.perimeters.acts(layer)),
            validity=validity,
            communes=communes_label,
            fingerprint=note("fingerprint", lines=True, fp=state.perimeters.fingerprint()),
        )
    )


def communes_label(item: StateLayer) -> str:
    """The communes of a layer, those it may reach into said so: « 62498 Lens ; 62523
    Loison-sous-Lens : possible, non établi ».

    Examples
    --------
    >>> from ortgeo.maps._state import annex_state
    >>> communes_label(annex_state().sectors[1])
    '62498 Lens ; 62523 Loison-sous-Lens : possible, non établi'
    """
    layer = item.layer
    drawn = [c for c in item.communes if c not in layer.communes_possible]
    parts = [f"{c} {commune_name(c)}".strip() for c in drawn]
    parts += [f"{c} {commune_name(c)} : possible, non établi".replace("  ", " ")
              for c in layer.communes_possible]  # fmt: skip
    return " ; ".join(parts)


def list_parts(lists: pd.DataFrame, state: AnnexState) -> list[dict[str, Any]]:
    """One dict per part of the list (sector or other dispositif), for the templates and PDF."""
    from ortgeo.annex.lists import INCLUDED, TO_CHECK, state_sectors

    parts = []
    for sector in state_sectors(state):
        sub = lists[lists["secteur_id"] == sector.key]
        included = sub[sub["liste"] == INCLUDED].to_dict("records")
        check = sub[sub["liste"] == TO_CHECK].to_dict("records")
        parts.append({
            "category": sector.category, "title": sector.title, "status": sector.status,
            "legend": sector.item.legend,
            "act": f"{sector.item.act_title} — entrée en vigueur : {sector.item.act_date_fr}",
            "acts": acts_label(state.perimeters.acts(sector.item.layer)),
            "communes": communes_label(sector.item),
            "included": included, "check": check,
            "n_included": int(sum(r["nb_adresses"] for r in included)),
            "n_check": int(sum(r["nb_adresses"] for r in check)),
        })  # fmt: skip
    return parts


def list_html(lists: pd.DataFrame, state: AnnexState, cartouche: list[str], ban_label: str) -> str:
    """The address list laid out for print (HTML, A4)."""
    return (
        environment()
        .get_template("annex/liste.html.j2")
        .render(
            **_common(state),
            cartouche=cartouche,
            ban_label=ban_label,
            parts=list_parts(lists, state),
        )
    )

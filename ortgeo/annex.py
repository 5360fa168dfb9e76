"""Annex 3 of the convention in one folder: both maps (HTML + print) and the address lists.

Annex 3 is « Cartographie des périmètres des secteurs d'intervention et liste des
adresses incluses dans les secteurs d'intervention ». :func:`write_annex` writes:

``carte_generale.html`` / ``.png``, ``zoom_extension.html`` / ``.png``
    the two maps, interactive (self-contained, offline) and for print;
``adresses_par_secteur.csv`` / ``.html``
    with a BAN source: for each sector (ORT in force, then each layer in force), the
    streets and their house-number ranges split by side, addresses in the ``limite``
    band listed apart, « à vérifier »;
``adresses_detail.csv``
    every BAN address of Lens with its status and signed distance for each sector;
``LISEZMOI.txt``
    what each file is, the date, status, sources, the ``indicatif`` warning and the
    Denormandie note; without a BAN source, how to get the address list.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from ortgeo.catalog import Catalog, Layer
from ortgeo.catalog import catalog as _catalog
from ortgeo.dates import DateLike, parse_date, parse_optional_date
from ortgeo.errors import InputFileError, OrtgeoError
from ortgeo.inforce import layer_key, on
from ortgeo.locate import DEDANS, LIMITE, ORT_KEY, locate
from ortgeo.maps.html import _map_from_scene, save_html
from ortgeo.maps.png import _scene_figure, save_figure
from ortgeo.maps.scene import build_scene
from ortgeo.maps.style import (
    FILE_STEMS,
    INDICATIF_WARNING,
    MAP_KINDS,
    MAP_TITLES,
    date_fr,
    escape,
    precision_fr,
)
from ortgeo.verdict import LENS_INSEE

__all__ = [
    "AnnexResult",
    "Sector",
    "address_lists",
    "format_numbers",
    "load_ban",
    "number_runs",
    "sectors",
    "write_annex",
]

#: House numbers at or above this are BAN place names without a number (lieux-dits).
NO_NUMBER = 99999
_REP_ORDER = {"": 0, "bis": 1, "ter": 2, "quater": 3, "quinquies": 4}
LIST_CSV = "adresses_par_secteur.csv"
LIST_HTML = "adresses_par_secteur.html"
DETAIL_CSV = "adresses_detail.csv"
README = "LISEZMOI.txt"
#: The legal note on the Denormandie tax reduction (whole commune, not only the perimeter).
DENORMANDIE_NOTE = (
    "La réduction d'impôt « Denormandie dans l'ancien » (article 199 novovicies du code "
    "général des impôts) s'applique sur tout le territoire de la commune de Lens, commune "
    "signataire d'une convention d'ORT (Action Cœur de Ville), et pas seulement à "
    "l'intérieur du périmètre ORT représenté ici ; ses conditions (travaux, loyers, "
    "ressources des locataires) sont à vérifier auprès de l'administration fiscale."
)


# -- house-number ranges ----------------------------------------------------------------------
def _rep_key(rep: str) -> tuple[int, str]:
    return (_REP_ORDER.get(rep, 9), rep)


def _number_text(numero: int, reps: Iterable[str]) -> str:
    if numero >= NO_NUMBER:
        return "sans numéro"
    return " et ".join(f"{numero} {rep}".strip() for rep in sorted(reps, key=_rep_key))


def number_runs(inside: Iterable[int], present: Iterable[int] | None = None) -> list[list[int]]:
    """Split house numbers into runs of consecutive numbers of the same side.

    Two numbers of one side follow each other when no other number of that side lies
    between them in ``present`` (the numbers that exist in the BAN for the street).
    Without ``present``, they follow each other when they differ by 2.

    Parameters
    ----------
    inside : iterable of int
        The numbers to list (one side or both).
    present : iterable of int, optional
        Every number of the street in the BAN (``inside`` included).

    Returns
    -------
    list of list of int
        Runs, odd side first then even side, each sorted.

    Examples
    --------
    >>> number_runs([1, 3, 5, 9, 11, 2, 4])
    [[1, 3, 5], [9, 11], [2, 4]]
    >>> number_runs([1, 3, 5, 9, 11], present=[1, 3, 5, 9, 11])  # no 7 in the BAN
    [[1, 3, 5, 9, 11]]
    >>> number_runs([1, 3, 9], present=[1, 3, 5, 9])  # 5 exists but is not inside
    [[1, 3], [9]]
    """
    chosen = set(inside)
    runs: list[list[int]] = []
    for parity in (1, 0):
        side = sorted(n for n in chosen if n % 2 == parity)
        if not side:
            continue
        if present is None:
            follows = lambda a, b: b - a == 2  # noqa: E731
        else:
            order = sorted({n for n in present if n % 2 == parity} | set(side))
            rank = {n: i for i, n in enumerate(order)}
            follows = lambda a, b, r=rank: r[b] - r[a] == 1  # noqa: E731
        run = [side[0]]
        for n in side[1:]:
            if follows(run[-1], n):
                run.append(n)
            else:
                runs.append(run)
                run = [n]
        runs.append(run)
    return runs


def format_numbers(
    inside: Iterable[tuple[int, str]], present: Iterable[tuple[int, str]] | None = None
) -> tuple[str, str]:
    """House numbers of one street as French ranges, odd side and even side.

    A range is a run of consecutive numbers of one side that all exist in the BAN
    (``present``) and whose every variant (``12``, ``12 bis``...) is in ``inside``;
    a number with only some variants inside breaks the run and is listed alone
    with those variants. Suffixed numbers inside a range are named after it
    (« y c. 5 bis »).

    Parameters
    ----------
    inside : iterable of (int, str)
        ``(numero, rep)`` of the addresses to list (``rep`` = ``""``, ``"bis"``...).
    present : iterable of (int, str), optional
        Every ``(numero, rep)`` of the street in the BAN; default ``inside``.

    Returns
    -------
    tuple of str
        ``(odd, even)``, e.g. ``("1 à 47, 51", "2 à 50 (y c. 12 bis)")``: runs joined
        by commas, variants of one number by « et »; ``""`` for a side with no number.

    Examples
    --------
    >>> inside = [(n, "") for n in [1, 3, 5, 7, 2, 4, 6, 10]]
    >>> format_numbers(inside)  # no 8 in the BAN: 6 and 10 follow each other
    ('1 à 7', '2 à 10')
    >>> format_numbers(inside, present=[*inside, (8, "")])  # 8 exists but is not inside
    ('1 à 7', '2 à 6, 10')
    >>> format_numbers([(1, ""), (3, ""), (3, "bis"), (5, "")], [(1, ""), (3, ""), (3, "bis"),
    ...                (5, ""), (7, "")])
    ('1 à 5 (y c. 3 bis)', '')
    >>> format_numbers([(12, "bis"), (14, "")], [(12, ""), (12, "bis"), (14, "")])
    ('', '12 bis, 14')
    """
    inside_reps: dict[int, set[str]] = defaultdict(set)
    for numero, rep in inside:
        inside_reps[int(numero)].add(rep or "")
    present_reps: dict[int, set[str]] = defaultdict(set)
    for numero, rep in present if present is not None else inside:
        present_reps[int(numero)].add(rep or "")
    for numero, reps in inside_reps.items():
        present_reps[numero] |= reps
    full = {n for n, reps in inside_reps.items() if reps >= present_reps[n] and n < NO_NUMBER}
    partial = {n for n in inside_reps if n not in full}
    sides: dict[int, list[tuple[int, str]]] = {1: [], 0: []}
    for run in number_runs(full, present_reps.keys()):
        if len(run) == 1:
            text = _number_text(run[0], inside_reps[run[0]])
        else:
            extra = [f"{n} {r}" for n in run for r in sorted(inside_reps[n], key=_rep_key) if r]
            text = f"{run[0]} à {run[-1]}" + (f" (y c. {', '.join(extra)})" if extra else "")
        sides[run[0] % 2].append((run[0], text))
    for n in partial:
        sides[n % 2 if n < NO_NUMBER else 1].append((n, _number_text(n, inside_reps[n])))
    odd, even = (", ".join(text for _, text in sorted(sides[p])) for p in (1, 0))
    return odd, even


def _sides_text(odd: str, even: str) -> str:
    """``"n° 1 à 47 impairs ; 2 à 50 pairs"``."""
    parts = [f"{odd} impairs" if odd else "", f"{even} pairs" if even else ""]
    return "n° " + " ; ".join(p for p in parts if p) if odd or even else ""


# -- sectors and BAN ---------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Sector:
    """A sector of Annex 3: the ORT in force (composite) or one layer in force."""

    key: str
    title: str
    layers: tuple[Layer, ...]

    @property
    def status(self) -> str:
        """``officiel`` when every layer it is made of is official, else ``indicatif``."""
        return "officiel" if all(x.status == "officiel" for x in self.layers) else "indicatif"


def sectors(catalog: Catalog | None = None, date: DateLike = None) -> list[Sector]:
    """The sectors of the address list on ``date``: the ORT in force, then each layer in force.

    Examples
    --------
    >>> [s.key for s in sectors(date="2024-06-01")]
    ['ort', 'lens_centre_ville', 'lens_entree_de_ville', 'call_opah_ru_coeur_de_ville']
    """
    state = on(date, catalog)
    out = []
    if state.has_ort:
        names = " + ".join(layer.name for layer in state.sectors)
        out.append(
            Sector(
                ORT_KEY,
                f"Secteurs d'intervention de l'ORT le {date_fr(state.date)} : {names}",
                state.sectors,
            )
        )
    out += [Sector(layer_key(x.id), x.title, (x,)) for x in state.layers]
    return out


def load_ban(source: str | Path, citycodes: Sequence[str] = (LENS_INSEE,)) -> pd.DataFrame:
    """BAN addresses of the communes ``citycodes`` from an export (.csv/.csv.gz) or an index.

    Returns
    -------
    pandas.DataFrame
        At least ``id, numero, rep, nom_voie, code_postal, code_insee, nom_commune,
        lon, lat``; ``rep`` is lower-case text (``""`` when none).

    Examples
    --------
    >>> import tempfile
    >>> from ortgeo.testing import write_synthetic_ban_export
    >>> path = write_synthetic_ban_export(Path(tempfile.mkdtemp()) / "a.csv.gz", n_rows=30)
    >>> ban = load_ban(path)  # SYNTHETIC addresses
    >>> len(ban), ban["code_insee"].unique().tolist()
    (30, ['62498'])
    """
    from ortgeo.geocoders.ban_export import read_ban_csv
    from ortgeo.geocoders.ban_local import BanIndex

    path = Path(source)
    if _is_export(path):
        df = read_ban_csv(path, citycodes=list(citycodes))
    else:
        index = BanIndex(path)
        try:
            df = pd.concat([index.addresses(citycode=c) for c in citycodes], ignore_index=True)
        finally:
            index.close()
    if len(df) == 0:
        raise InputFileError(
            f"{path.name} holds no address of {', '.join(citycodes)}: is it the BAN of the "
            "Pas-de-Calais (62)? Download it with `ortgeo ban download 62`."
        )
    df = df.copy()
    df["rep"] = df["rep"].fillna("").astype(str).str.strip().str.lower()
    df["numero"] = df["numero"].astype("int64")
    return df.reset_index(drop=True)


def _ranges_table(group: pd.DataFrame, present: dict[tuple[str, str], list]) -> list[dict]:
    rows = []
    for (insee, voie, cp), sub in group.groupby(["code_insee", "nom_voie", "code_postal"]):
        odd, even = format_numbers(
            zip(sub["numero"], sub["rep"], strict=True), present[(insee, voie)]
        )
        rows.append(
            {
                "code_insee": insee,
                "commune": sub["nom_commune"].iloc[0],
                "voie": voie,
                "code_postal": cp,
                "numeros_impairs": odd,
                "numeros_pairs": even,
                "numeros": _sides_text(odd, even),
                "nb_adresses": len(sub),
            }
        )
    return sorted(rows, key=lambda r: (_street_sort_key(r["voie"]), r["code_postal"]))


def _street_sort_key(name: str) -> str:
    """Sort streets by their name without the type: « Rue de Paris » under P."""
    words = re.sub(
        r"^(rue|route|avenue|boulevard|place|impasse|allée|chemin|square|cité|résidence|"
        r"quai|passage|sentier|rond-point|cour|parvis|voie)\s+(de la |de l'|des |du |de |d')?",
        "",
        name.strip(),
        flags=re.IGNORECASE,
    )
    return words.casefold()


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
        BAN addresses (:func:`load_ban`): ``numero, rep, nom_voie, code_postal,
        code_insee, nom_commune, lon, lat``.
    date, catalog
        Date and catalogue of the perimeters.
    band_m : float, optional
        Width of the ``limite`` band (default: each layer's accuracy), as in
        :func:`ortgeo.locate`.

    Returns
    -------
    (lists, detail) : tuple of DataFrame
        ``lists``: one row per sector, list (``dedans`` / ``limite``) and street, with
        ``numeros_impairs``, ``numeros_pairs``, ``numeros`` and ``nb_adresses``.
        ``detail``: the BAN rows with ``<sector>_statut`` and ``<sector>_distance_m``.

    Examples
    --------
    >>> ban = pd.DataFrame({  # three made-up addresses on place Jean-Jaurès
    ...     "id": ["a", "b", "c"], "numero": [1, 3, 2], "rep": "", "nom_voie": "Place Jean Jaurès",
    ...     "code_postal": "62300", "code_insee": "62498", "nom_commune": "Lens",
    ...     "lon": [2.8339, 2.8340, 2.8338], "lat": [50.4292, 50.4293, 50.4291]})
    >>> lists, detail = address_lists(ban, date="2024-06-01")
    >>> lists.query("secteur_id == 'ort'")[["liste", "numeros"]].to_dict("records")
    [{'liste': 'dedans', 'numeros': 'n° 1 à 3 impairs ; 2 pairs'}]
    """
    cat = catalog if catalog is not None else _catalog()
    day = parse_date(date)
    ban = ban.reset_index(drop=True)
    res = locate(ban[["lon", "lat"]], date=day, catalog=cat, band_m=band_m)
    present = {
        key: list(zip(sub["numero"], sub["rep"], strict=True))
        for key, sub in ban.groupby(["code_insee", "nom_voie"])
    }
    rows: list[dict] = []
    detail = ban[
        [
            "id",
            "numero",
            "rep",
            "nom_voie",
            "code_postal",
            "code_insee",
            "nom_commune",
            "lon",
            "lat",
        ]
    ].copy()
    for sector in sectors(cat, day):
        status = res[f"{sector.key}_status"].to_numpy()
        detail[f"{sector.key}_statut"] = status
        detail[f"{sector.key}_distance_m"] = res[f"{sector.key}_distance_m"].round(1).to_numpy()
        for which, label in ((DEDANS, "dedans"), (LIMITE, "limite – à vérifier")):
            for row in _ranges_table(ban[status == which], present):
                rows.append(
                    {
                        "secteur_id": sector.key,
                        "secteur": sector.title,
                        "statut_secteur": sector.status,
                        "liste": label,
                        **row,
                    }
                )
    columns = [
        "secteur_id",
        "secteur",
        "statut_secteur",
        "liste",
        "code_insee",
        "commune",
        "voie",
        "code_postal",
        "numeros_impairs",
        "numeros_pairs",
        "numeros",
        "nb_adresses",
    ]
    return pd.DataFrame(rows, columns=columns), detail


# -- output files -----------------------------------------------------------------------------
_LIST_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 11pt; color: #111; margin: 2em; }
h1 { font-size: 16pt; } h2 { font-size: 13pt; margin-top: 1.6em; } h3 { font-size: 11.5pt; }
.notice { border: 2px solid #b00020; color: #b00020; font-weight: bold; padding: .4em .6em; }
.note { border-left: 4px solid #888; padding: .2em .6em; color: #333; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 1em; }
th, td { border: 1px solid #999; padding: .2em .4em; text-align: left; vertical-align: top; }
th { background: #eee; } td.n { text-align: right; white-space: nowrap; }
.limite th { background: #fde9d4; }
@page { size: A4 portrait; margin: 15mm 12mm; }
@media print {
  body { margin: 0; font-size: 9.5pt; }
  section.sector { page-break-before: always; }
  thead { display: table-header-group; }
  tr { page-break-inside: avoid; }
}
"""


def _html_table(rows: pd.DataFrame, css_class: str = "") -> str:
    if rows.empty:
        return "<p><i>Aucune adresse.</i></p>"
    body = "".join(
        f"<tr><td>{escape(r.voie)}</td><td>{escape(r.code_postal)}</td>"
        f"<td>{escape(r.numeros_impairs)}</td><td>{escape(r.numeros_pairs)}</td>"
        f'<td class="n">{int(r.nb_adresses)}</td></tr>'
        for r in rows.itertuples()
    )
    return (
        f'<table class="{css_class}"><thead><tr><th>Voie</th><th>Code postal</th>'
        "<th>Numéros impairs</th><th>Numéros pairs</th><th>Adresses</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _list_html(
    lists: pd.DataFrame, secs: list[Sector], day: _dt.date, status: str, ban_label: str
) -> str:
    summary = []
    sections = []
    for sector in secs:
        sub = lists[lists["secteur_id"] == sector.key]
        inside = sub[sub["liste"] == "dedans"]
        border = sub[sub["liste"] != "dedans"]
        summary.append(
            f"<tr><td>{escape(sector.title)}</td><td>{escape(sector.status)}</td>"
            f'<td class="n">{int(inside["nb_adresses"].sum())}</td>'
            f'<td class="n">{int(border["nb_adresses"].sum())}</td></tr>'
        )
        layers = "".join(
            f"<li>{escape(x.title)} — {escape(x.legal_basis)} ; en vigueur {escape(x.validity_fr)}"
            f" ; statut {escape(x.status)}, précision {escape(precision_fr(x.accuracy_m))}</li>"
            for x in sector.layers
        )
        sections.append(
            f'<section class="sector"><h2>{escape(sector.title)}</h2><ul>{layers}</ul>'
            f"<h3>Adresses incluses ({int(inside['nb_adresses'].sum())})</h3>"
            f"{_html_table(inside)}"
            f"<h3>Adresses en limite du périmètre — à vérifier "
            f"({int(border['nb_adresses'].sum())})</h3>"
            "<p>Ces adresses sont à une distance de la limite inférieure à la précision du "
            "tracé : seul le plan officiel permet de dire si elles sont dedans.</p>"
            f"{_html_table(border, 'limite')}</section>"
        )
    notice = f'<p class="notice">{escape(INDICATIF_WARNING)}</p>' if status == "indicatif" else ""
    return (
        '<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8">'
        "<title>Annexe 3 – Liste des adresses incluses dans les secteurs d'intervention</title>"
        f"<style>{_LIST_CSS}</style></head><body>"
        "<h1>Annexe 3 – Liste des adresses incluses dans les secteurs d'intervention</h1>"
        f"<p>Convention Action Cœur de Ville – ORT de Lens (INSEE {LENS_INSEE}). "
        f"Périmètres en vigueur le <b>{date_fr(day)}</b>, statut : <b>{escape(status)}</b>. "
        f"Adresses : {escape(ban_label)}.</p>"
        f"{notice}<p class='note'>{escape(DENORMANDIE_NOTE)}</p>"
        "<p>Plages de numéros : suite de numéros consécutifs d'un même côté de la voie "
        "présents dans la BAN (un numéro de la BAN hors du secteur interrompt la plage).</p>"
        "<table><thead><tr><th>Secteur</th><th>Statut</th><th>Adresses incluses</th>"
        f"<th>En limite, à vérifier</th></tr></thead><tbody>{''.join(summary)}</tbody></table>"
        f"{''.join(sections)}</body></html>\n"
    )


def _is_export(source: Path) -> bool:
    """Whether a BAN source is an export (.csv, .csv.gz) rather than an ortgeo index."""
    return source.name.lower().endswith((".csv", ".csv.gz"))


def _ban_label(source: Path) -> str:
    """How to cite the BAN source: the export file and its date, or the index and its origin."""
    if _is_export(source):
        stamp = _dt.date.fromtimestamp(source.stat().st_mtime)
        return f"fichier {source.name} du {date_fr(stamp)}"
    from ortgeo.geocoders.ban_local import BanIndex

    index = BanIndex(source)
    try:
        meta = dict(index.meta)
    finally:
        index.close()
    built = parse_optional_date(meta.get("built", "")[:10])
    return (
        f"index {source.name} construit le {date_fr(built, 'date inconnue')} "
        f"à partir de {meta.get('source', 'source inconnue')}"
    )


def _ban_source(source: Path, ban: pd.DataFrame) -> str:
    """The provenance phrase of the addresses; SYNTHETIC test data is never called the BAN."""
    from ortgeo.geocoders.ban_local import SYNTHETIC_SOURCE, BanIndex

    if _is_export(source):
        synthetic = "source_position" in ban and (ban["source_position"] == SYNTHETIC_SOURCE).any()
    else:
        index = BanIndex(source)
        try:
            synthetic = index.synthetic
        finally:
            index.close()
    if synthetic:
        return (
            f"ADRESSES SYNTHÉTIQUES ({_ban_label(source)}) générées par ortgeo.testing pour "
            "essai — ce n'est PAS la Base Adresse Nationale : cette liste n'a aucune valeur"
        )
    return f"Base Adresse Nationale ({_ban_label(source)}), Licence Ouverte Etalab"


def _readme(
    day: _dt.date,
    status: str,
    layers: list[Layer],
    files: dict[str, str],
    ban_label: str | None,
    notices: list[str],
    sources: list[str],
) -> str:
    from ortgeo import __version__

    lines = [
        "ANNEXE 3 – Cartographie des périmètres des secteurs d'intervention et liste des",
        "adresses incluses dans les secteurs d'intervention",
        f"Convention Action Cœur de Ville – ORT de Lens (Pas-de-Calais, INSEE {LENS_INSEE})",
        "",
        f"Date des périmètres : {date_fr(day)}",
        f"Statut des périmètres : {status}",
        f"Dossier produit par ortgeo {__version__} le {date_fr(_dt.date.today())}.",
        "",
    ]
    if status == "indicatif":
        lines += [
            f"!! AVERTISSEMENT : {INDICATIF_WARNING}.",
            "!! Les tracés ont été numérisés à la main d'après des descriptions publiques ; ils",
            "!! peuvent s'écarter de plusieurs centaines de mètres des limites réelles. Seul le",
            "!! plan annexé à l'acte fait foi. Remplacez-les par les fichiers officiels de la",
            "!! ville (ortgeo annex --catalog mon_catalogue.toml).",
            "",
        ]
    lines += [f"Note : {n}" for n in notices if n != INDICATIF_WARNING]
    lines += ["", "CONTENU DU DOSSIER", ""]
    lines += [f"- {name} : {what}" for name, what in files.items()]
    if ban_label is None:
        lines += [
            "",
            "LISTE DES ADRESSES : NON PRODUITE",
            "",
            "Aucune source d'adresses (BAN) n'a été donnée. Pour obtenir la liste des adresses",
            "par secteur (adresses_par_secteur.csv et .html) :",
            "  1. télécharger la Base Adresse Nationale du Pas-de-Calais :",
            "       ortgeo ban download 62 -o .     (écrit adresses-62.csv.gz ici)",
            "  2. en faire un index local (hors ligne) :",
            "       ortgeo ban index adresses-62.csv.gz -o ban62.sqlite",
            "  3. refaire l'annexe avec cette source :",
            "       ortgeo annex -o annexe3/ --ban ban62.sqlite",
            "     (ou directement, sans index : --ban adresses-62.csv.gz)",
        ]
    lines += ["", f"PÉRIMÈTRES REPRÉSENTÉS (en vigueur le {date_fr(day)})", ""]
    for layer in layers:
        lines += [
            f"- {layer.title}",
            f"    base légale : {layer.legal_basis}",
            f"    date de l'acte : {date_fr(layer.act_date, 'inconnue')} ; "
            f"en vigueur {layer.validity_fr}",
            f"    statut : {layer.status} ; précision {precision_fr(layer.accuracy_m)} ; "
            f"surface {layer.area_ha:.1f} ha".replace(".", ","),
            f"    source : {layer.source}",
        ]
    if not layers:
        lines.append("- aucun périmètre en vigueur à cette date")
    lines += ["", "SOURCES ET LICENCES", ""]
    lines += [f"- {s}" for s in sources]
    if ban_label:
        lines.append(f"- Adresses : {ban_label}")
    lines += ["", "NOTE JURIDIQUE", "", DENORMANDIE_NOTE, ""]
    return "\n".join(lines)


@dataclasses.dataclass
class AnnexResult:
    """What :func:`write_annex` wrote."""

    folder: Path
    files: list[Path]
    date: _dt.date
    status: str
    n_addresses: int | None = None

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.files)


def write_annex(
    output: str | Path,
    date: DateLike = None,
    catalog: Catalog | None = None,
    ban: str | Path | None = None,
    communes: str | Path | None = None,
    dpi: float = 300,
    size: str = "a4",
    basemap: str | Path | None = None,
    tiles: bool = True,
    band_m: float | None = None,
) -> AnnexResult:
    """Write the whole Annex 3 folder: both maps (HTML + PNG), address lists, LISEZMOI.txt.

    Parameters
    ----------
    output : str or Path
        Folder to write into (created if needed).
    date : str or date, optional
        Date of the perimeters (default today).
    catalog : Catalog, optional
        Perimeter catalogue (default: the bundled, indicative one).
    ban : str or Path, optional
        BAN source: an export ``adresses-62.csv(.gz)`` or an ``ortgeo ban index`` file.
        Without it, no address list; LISEZMOI.txt says how to get one.
    communes : str or Path, optional
        Commune polygons to outline on the maps.
    dpi, size
        Print maps resolution and paper (``"a4"`` or ``"a3"``, landscape).
    basemap : str or Path, optional
        A GeoTIFF background for the print maps.
    tiles : bool
        Offer online backgrounds (off by default) in the HTML layer control.
    band_m : float, optional
        Width of the ``limite`` band of the address list (default: each layer's accuracy).

    Returns
    -------
    AnnexResult
        The folder and the files written.

    Examples
    --------
    >>> import tempfile
    >>> res = write_annex(tempfile.mkdtemp(), date="2024-06-01", dpi=30)
    >>> sorted(p.name for p in res.files)  # doctest: +NORMALIZE_WHITESPACE
    ['LISEZMOI.txt', 'carte_generale.html', 'carte_generale.png',
     'zoom_extension.html', 'zoom_extension.png']
    """
    cat = catalog if catalog is not None else _catalog()
    day = parse_date(date)
    folder = Path(output)
    if folder.exists() and not folder.is_dir():
        raise OrtgeoError(f"{folder} exists and is not a folder: choose another -o/--output.")
    ban_df = load_ban(ban) if ban is not None else None  # fail early on a bad BAN source
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    described: dict[str, str] = {}
    scene = None
    for kind in MAP_KINDS:
        scene = build_scene(kind, day, cat, communes=communes)
        stem = FILE_STEMS[kind]
        written.append(save_html(_map_from_scene(scene, tiles), folder / f"{stem}.html"))
        written.append(
            save_figure(
                _scene_figure(scene, size=size, dpi=dpi, basemap=basemap), folder / f"{stem}.png"
            )
        )
        described[f"{stem}.html"] = (
            f"« {MAP_TITLES[kind]} », carte interactive : s'ouvre dans un navigateur, "
            "fonctionne hors ligne (fonds de carte en ligne activables dans « Couches ») ; "
            "cliquer un périmètre donne sa base légale, ses dates et sa précision."
        )
        described[f"{stem}.png"] = (
            f"la même carte pour l'impression ({size.upper()} paysage, {dpi:g} dpi), en Lambert-93."
        )
    assert scene is not None
    ban_label = None
    n_addresses = None
    if ban_df is not None:
        ban_label = _ban_source(Path(ban), ban_df)
        lists, detail = address_lists(ban_df, day, cat, band_m=band_m)
        n_addresses = len(detail)
        secs = sectors(cat, day)
        lists.to_csv(folder / LIST_CSV, sep=";", index=False, encoding="utf-8-sig")
        detail.to_csv(folder / DETAIL_CSV, sep=";", index=False, encoding="utf-8-sig")
        (folder / LIST_HTML).write_text(
            _list_html(lists, secs, day, scene.status, ban_label), encoding="utf-8"
        )
        written += [folder / LIST_CSV, folder / LIST_HTML, folder / DETAIL_CSV]
        described[LIST_CSV] = (
            "liste des adresses par secteur (ORT en vigueur, puis chaque périmètre) : une "
            "ligne par secteur, liste (« dedans » ou « limite – à vérifier ») et voie, avec "
            "les plages de numéros impairs et pairs ; séparateur « ; », UTF-8 (Excel)."
        )
        described[LIST_HTML] = "la même liste, mise en page pour l'impression (A4)."
        described[DETAIL_CSV] = (
            f"les {n_addresses} adresses de Lens de la source, une par ligne, avec pour "
            "chaque secteur leur statut (dedans, dehors, limite) et la distance signée à la "
            "limite en mètres (positive dedans)."
        )
    described[README] = "ce fichier."
    (folder / README).write_text(
        _readme(
            day, scene.status, scene.layers, described, ban_label, scene.notices, scene.sources
        ),
        encoding="utf-8",
    )
    written.append(folder / README)
    return AnnexResult(folder, written, day, scene.status, n_addresses)

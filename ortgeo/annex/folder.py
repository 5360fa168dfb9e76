"""Writing the Annex 3 folder, all or nothing (a temporary folder moved into place at the end)."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ortgeo.annex import texts
from ortgeo.annex.ban import ban_source, load_ban
from ortgeo.annex.beside import Beside
from ortgeo.annex.lists import address_lists
from ortgeo.catalog import Catalog
from ortgeo.catalog import catalog as _catalog
from ortgeo.communes import commune_outlines
from ortgeo.dates import DateLike
from ortgeo.maps._state import annex_state
from ortgeo.maps.cadastre import read_cadastre
from ortgeo.maps.paper.cartouche import cartouche_lines
from ortgeo.maps.png import check_print_size, save_figure, scene_figure
from ortgeo.maps.scene import Scene, build_scene, read_streets
from ortgeo.maps.style import FILE_STEMS, MAP_KINDS, MAP_TITLES
from ortgeo.maps.tiles import Basemap, html_basemap, is_raster
from ortgeo.output import atomic_folder, check_output_folder, write_csv

__all__ = ["DETAIL_CSV", "LIST_CSV", "LIST_HTML", "PDF", "README", "AnnexResult", "write_annex"]

LIST_CSV = "adresses_par_secteur.csv"
LIST_HTML = "adresses_par_secteur.html"
DETAIL_CSV = "adresses_detail.csv"
README = "LISEZMOI.txt"
PDF = "annexe3.pdf"
LIST_TITLE = "Annexe 3 – Liste des adresses incluses dans les secteurs d'intervention"


@dataclasses.dataclass
class AnnexResult:
    """What :func:`write_annex` wrote."""

    folder: Path
    files: list[Path]
    date: _dt.date
    status: str
    n_addresses: int | None = None
    avenant: bool = True
    pages: int = 0

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.files)


def write_pdf(*args: Any, **kwargs: Any) -> int:
    """:func:`ortgeo.annex.pdf.write_pdf`, imported when first called (fpdf, pypdf and
    matplotlib's PDF backend: once the helper process runs, beside it)."""
    from ortgeo.annex.pdf import write_pdf as write

    return write(*args, **kwargs)


def _write_html(scene: Scene, tiles: bool, tile_source: Basemap | None, path: Path) -> None:
    from ortgeo.maps.html import save_html, scene_map  # folium: in the helper process only

    save_html(scene_map(scene, tiles, tile_source), path)


def write_annex(
    output: str | Path,
    date: DateLike = None,
    catalog: Catalog | None = None,
    ban: str | Path | None = None,
    communes: str | Path | None = None,
    dpi: float = 300,
    size: str = "a4",
    basemap: str | Path | Basemap | None = None,
    tiles: bool = True,
    band_m: float | None = None,
    context: str | None = "unesco",
    streets: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    cadastre: str | Path | list[str | Path] | None = None,
    workers: int | None = None,
) -> AnnexResult:
    """Write the whole Annex 3 folder: three maps (HTML + PNG), the lists, annexe3.pdf, LISEZMOI.

    Parameters
    ----------
    output : str or Path
        Folder to write into (created if needed). Nothing appears in it unless
        everything was written.
    date : str or date, optional
        Date of the perimeters; default: **the sectors the avenant defines**.
    catalog : Catalog, optional
        Perimeter catalogue (default: the bundled, indicative one).
    ban : str or Path, optional
        BAN source: an export ``adresses-62.csv(.gz)`` or an ``ortgeo ban index`` file;
        the addresses of every commune a sector reaches are read. Without it, no address
        list; LISEZMOI.txt says how to get one.
    communes : str or Path, optional
        Commune polygons to outline instead of the bundled ones.
    dpi, size
        Print maps resolution and paper (``"a4"`` or ``"a3"``, landscape).
    basemap : str, Path or Basemap, optional
        A background: XYZ tiles (a provider of the xyzservices registry such as
        ``OpenStreetMap.Mapnik`` or ``GeoportailFrance.plan``, or a URL template), shown
        on the HTML maps and fetched, cached and credited on the print maps; or a GeoTIFF
        (print maps only). Default: none, everything works offline.
    tiles : bool
        Offer online backgrounds (off by default) in the HTML layer control.
    band_m : float, optional
        Width of the « à vérifier » band of the address list (default: each layer's accuracy).
    context : "unesco" or None
        Official context layers (the UNESCO Bassin minier), on every map, HTML and print
        alike (``None``: on none).
    streets : str or Path, optional
        A road layer with names (IGN BD TOPO ``troncon_de_route`` or any line layer).
    progress : callable, optional
        Called with one French line per step (``ortgeo annex`` prints them on stderr).
    cadastre : path or list of paths, optional
        Etalab cadastre files (parcels, buildings) drawn as the background of every map,
        offline: the annex at parcel level.
    workers : int, optional
        Processes writing the files: ``None`` (default) two when this process may use two
        CPUs and can fork, else one; ``1`` everything in this process. The files are the
        same either way.

    Returns
    -------
    AnnexResult
        The folder and the files written.

    Examples
    --------
    >>> import tempfile
    >>> res = write_annex(tempfile.mkdtemp(), dpi=30)
    >>> sorted(p.name for p in res.files)  # doctest: +NORMALIZE_WHITESPACE
    ['LISEZMOI.txt', 'annexe3.pdf', 'carte_generale.html', 'carte_generale.png',
     'situation.html', 'situation.png', 'zoom_extension.html', 'zoom_extension.png']
    """
    check_print_size(size, dpi)
    folder = check_output_folder(output)
    step = progress or (lambda _line: None)
    tile_source = html_basemap(basemap)  # an unknown provider fails here, before any work
    paper_basemap = basemap if basemap is None or is_raster(basemap) else tile_source
    cat = catalog if catalog is not None else _catalog()
    state = annex_state(date, cat)
    if ban is not None:
        step(f"Lecture des adresses : {Path(ban).name}")
    ban_df = load_ban(ban, state.address_communes) if ban is not None else None
    street_layer = read_streets(streets) if streets is not None else None
    if cadastre is not None:
        step("Lecture du cadastre")
    parcels = read_cadastre(cadastre) if cadastre is not None else None
    described: dict[str, str] = {}
    names: list[str] = []
    scenes = []
    map_figures = []
    scene = None
    # leaving the block waits for the helper process (its error is raised there, before
    # anything is moved into place) or, on an error here, stops it
    with atomic_folder(folder) as tmp, Beside(workers) as helper:
        for number, kind in enumerate(MAP_KINDS, start=1):
            step(f"Carte {number}/{len(MAP_KINDS)} « {MAP_TITLES[kind]} » : HTML et impression")
            scene = build_scene(kind, date, cat, communes=communes, context=context,
                                streets=street_layer[0] if street_layer else None,
                                cadastre=parcels)  # fmt: skip
            if street_layer:
                scene = dataclasses.replace(scene, streets_label=f"Voirie ({street_layer[1]})")
            scenes.append(scene)
            map_figures.append(scene_figure(scene, size=size, dpi=dpi, basemap=paper_basemap))
            stem = FILE_STEMS[kind]
            names += [f"{stem}.html", f"{stem}.png"]
            described[f"{stem}.html"] = (
                f"« {MAP_TITLES[kind]} », carte interactive : s'ouvre dans un navigateur, "
                "fonctionne hors ligne (fonds de carte en ligne activables dans « Couches ») ; "
                "cliquer un périmètre donne sa base légale, ses dates et sa précision."
            )
            described[f"{stem}.png"] = (
                f"la même carte pour l'impression ({size.upper()} paysage, {dpi:g} dpi), "
                "en Lambert-93."
            )
        # The map files in two shares of about equal work, the figures being drawn: with
        # two CPUs a forked process writes the HTML maps and every PNG but the first while
        # this one writes the first PNG, the lists and the PDF (which then adds the page
        # numbers to the figures: the PNGs have none, as before).
        stems = [FILE_STEMS[kind] for kind in MAP_KINDS]
        helper.start([
            *(functools.partial(_write_html, sc, tiles, tile_source, tmp / f"{st}.html")
              for sc, st in zip(scenes, stems, strict=True)),
            *(functools.partial(save_figure, fig, tmp / f"{st}.png")
              for fig, st in zip(map_figures[1:], stems[1:], strict=True)),
        ])  # fmt: skip
        save_figure(map_figures[0], tmp / f"{stems[0]}.png")
        assert scene is not None
        ban_label = None
        n_addresses = None
        parts = None
        missing = ""
        if ban_df is not None:
            step("Listes des adresses par secteur")
            ban_label = ban_source(Path(ban), ban_df)  # type: ignore[arg-type]
            lists, detail = address_lists(ban_df, date, cat, band_m=band_m)
            n_addresses = len(detail)
            parts = texts.list_parts(lists, state)
            write_csv(lists, tmp / LIST_CSV, excel=True)
            write_csv(detail, tmp / DETAIL_CSV, excel=True)
            (tmp / LIST_HTML).write_text(
                texts.list_html(lists, state, scene.cartouche, ban_label), encoding="utf-8"
            )
            names += [LIST_CSV, LIST_HTML, DETAIL_CSV]
            found = set(ban_df["code_insee"].astype(str))
            outlines = commune_outlines().set_index("code")["nom"]
            missing = ", ".join(
                f"{outlines.get(c, c)} ({c})" for c in state.address_communes if c not in found
            )
            described[LIST_CSV] = (
                "liste des adresses : secteurs d'intervention de l'ORT, puis, à part, les autres "
                "dispositifs « pour information » ; par voie, « voie entière » ou les numéros "
                "impairs et pairs, les parcelles quand la source les donne ; les adresses « à "
                "vérifier » une par une avec leur distance à la limite ; séparateur « ; », "
                "UTF-8 (Excel)."
            )
            described[LIST_HTML] = "la même liste, mise en page pour l'impression (A4)."
            described[DETAIL_CSV] = (
                f"les {n_addresses} adresses lues dans la source (communes "
                f"{', '.join(state.address_communes)}), une par ligne, avec pour chaque secteur "
                "leur statut (dedans, dehors, limite) et la distance signée à la limite en "
                "mètres (positive dedans)."
            )
        step(f"Document à joindre : {PDF}")
        header = [LIST_TITLE, f"{texts.what_is_drawn(state)} Adresses : {ban_label or 'aucune'}."]
        pages = write_pdf(
            tmp / PDF, map_figures, parts, header,
            cartouche_lines(scene, basemap is not None), scene.watermark, size,
        )  # fmt: skip
        names.append(PDF)
        described[PDF] = (
            f"l'annexe à joindre : les {len(map_figures)} cartes et la liste des adresses en "
            f"{pages} pages numérotées ({size.upper()}), polices incorporées."
        )
        described[README] = "ce fichier."
        (tmp / README).write_text(
            texts.readme(state, described, ban_label, scene.notices, scene.sources, missing),
            encoding="utf-8",
        )
        names.append(README)
    files = [folder / name for name in names]
    return AnnexResult(
        folder, files, state.date, state.data_status, n_addresses, state.avenant, pages
    )

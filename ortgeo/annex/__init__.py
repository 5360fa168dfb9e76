"""Annex 3 of the convention in one folder: the maps (HTML + print), the address lists, the PDF.

Annex 3 is « Cartographie des périmètres des secteurs d'intervention et liste des adresses
incluses dans les secteurs d'intervention ». By default it shows **the sectors the avenant
defines**; :func:`write_annex` writes, all or nothing:

``situation``, ``carte_generale``, ``zoom_extension`` (``.html`` / ``.png``)
    the three maps, interactive (self-contained, offline) and for print;
``adresses_par_secteur.csv`` / ``.html``, ``adresses_detail.csv``
    with a BAN source: the lists (:mod:`ortgeo.annex.lists`);
``annexe3.pdf``
    the maps and the list as numbered pages (:mod:`ortgeo.annex.pdf`);
``LISEZMOI.txt``
    what each file is, the acts, status, sources and warnings (:mod:`ortgeo.annex.texts`).

Modules by job: ``numbers`` (house-number ranges), ``ban`` (reading and citing the
addresses), ``lists``, ``texts`` (French texts from ``templates/``), ``pdf``, ``folder``.
"""

from ortgeo.annex.ban import load_ban
from ortgeo.annex.folder import AnnexResult, write_annex
from ortgeo.annex.lists import Sector, address_lists, sectors
from ortgeo.annex.numbers import format_numbers, number_runs

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

"""``ortgeo cadastre download``: the Etalab cadastre parcels of a commune."""

from __future__ import annotations

import click

from ortgeo.cli.i18n import _
from ortgeo.cli.options import friendly, writes

__all__ = ["cadastre"]


@click.group()
def cadastre() -> None:
    """Cadastral parcels: download a commune's Etalab cadastre file."""


@cadastre.command("download")
@click.argument("insee", nargs=-1, required=True)
@click.option("-o", "--output", "dest", type=click.Path(file_okay=False), default=None,
              help="Folder to write into (default: the ortgeo cache folder).")  # fmt: skip
@click.option("--url", default=None,
              help="URL template with {dep} and {insee} (default: cadastre.data.gouv.fr, "
                   "or $ORTGEO_CADASTRE_URL).")  # fmt: skip
@friendly
@writes(folders={"dest": "-o"})
def cadastre_download(insee: tuple[str, ...], dest: str | None, url: str | None) -> None:
    """Download cadastre-INSEE-parcelles.json.gz of each commune (e.g. 62498 for Lens)."""
    from ortgeo.parcels import download_cadastre

    for code in insee:
        path = download_cadastre(code, dest, url=url, progress=True)
        size = f"{path.stat().st_size / 1e6:.1f}"
        click.echo(_("Downloaded {path} ({size} MB).").format(path=path, size=size))
    click.echo(_("Next: ortgeo check --parcel IDU (or ortgeo batch --parcel-col COLUMN)."))

"""``ortgeo ban download|index``: the offline BAN index."""

from __future__ import annotations

from pathlib import Path

import click

from ortgeo.cli.i18n import _
from ortgeo.cli.options import friendly, writes
from ortgeo.output import check_output_folder

__all__ = ["ban"]


@click.group()
def ban() -> None:
    """Offline BAN addresses: download the département export, build the local index."""


@ban.command("download")
@click.argument("departement", default="62")
@click.option("-o", "--output", "dest", type=click.Path(file_okay=False), default=None,
              help="Folder to write into (default: the ortgeo cache folder).")  # fmt: skip
@click.option("--url", default=None,
              help="URL or template with {dep} (default: adresse.data.gouv.fr).")  # fmt: skip
@friendly
@writes(folders={"dest": "-o"})
def ban_download(departement: str, dest: str | None, url: str | None) -> None:
    """Download the BAN export of a département (adresses-62.csv.gz for Pas-de-Calais)."""
    from ortgeo.geocoders.ban_export import download_ban_export

    path = download_ban_export(departement, dest, url=url, progress=True)
    size = f"{path.stat().st_size / 1e6:.1f}"
    click.echo(_("Downloaded {path} ({size} MB).").format(path=path, size=size))
    click.echo(_("Next: ortgeo ban index {path}").format(path=path))


@ban.command("index")
@click.argument("csv_path", type=click.Path(dir_okay=False))
@click.option("-o", "--output", default=None, type=click.Path(dir_okay=False),
              help="Index file (default: in the cache folder, found by get_geocoder).")  # fmt: skip
@click.option("--citycode", multiple=True, metavar="INSEE",
              help="Keep only this commune, e.g. 62498 for Lens (repeatable).")  # fmt: skip
@friendly
@writes({"output": "-o"}, inputs=("csv_path",))
def ban_index(csv_path: str, output: str | None, citycode: tuple[str, ...]) -> None:
    """Build the offline geocoding index from a BAN export (adresses-XX.csv.gz), a BAL file
    (1.x or 1.4) or a BANO CSV; the format is detected and reported."""
    from ortgeo.geocoders.ban_local import BanIndex, build_ban_index
    from ortgeo.geocoders.cache import default_index_path
    from ortgeo.geocoders.formats import FORMATS

    if output is not None:  # checked before minutes of indexing (@writes)
        target = Path(output)
    else:
        target = default_index_path()
        check_output_folder(target.parent)
    path = build_ban_index(csv_path, target, citycodes=list(citycode) or None, progress=True)
    index = BanIndex(path)
    stats = index.stats()
    fmt = index.meta.get("format", "ban")
    click.echo(
        _(
            "Read {name} as {format} ({code}). Indexed {addresses} addresses, {streets} streets, "
            "{communes} commune(s) into {path} ({size} MB)."
        ).format(
            name=Path(csv_path).name,
            format=FORMATS.get(fmt, fmt),
            code=fmt,
            addresses=f"{stats['addresses']:,}",
            streets=f"{stats['streets']:,}",
            communes=stats["communes"],
            path=path,
            size=f"{stats['bytes'] / 1e6:.1f}",
        )
    )

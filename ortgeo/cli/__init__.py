"""The ``ortgeo`` command line (click): one module per command, loaded on first use.

User mistakes end with a one-line message on stderr and exit status 2, never a traceback.
``ortgeo --help`` imports no command module: each command's one-line help is in
:data:`COMMANDS`, so start-up stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from ortgeo.cli.i18n import _, install, translate_command

__all__ = ["COMMANDS", "main"]

install()  # click's own words (Usage:, Options:…) from the catalog too

#: name → (module, attribute, one-line help). A command's module is imported on first use.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "perimeters": ("ortgeo.cli.perimeters", "perimeters",
                   "List and export the perimeter layers in force."),
    "check": ("ortgeo.cli.check", "check",
              "Is this address or place in an ORT sector on this date? Answer and notes."),
    "fiche": ("ortgeo.cli.fiche", "fiche",
              "The fiche de situation of one address, point or parcel: one A4 page (PDF, HTML)."),
    "batch": ("ortgeo.cli.batch", "batch",
              "Check every address of a file; every row kept, in order, with its verdict."),
    "commune": ("ortgeo.cli.commune", "commune",
                "A commune's ORT status (ACV, PVD, signed since) and Denormandie on a date."),
    "communes": ("ortgeo.cli.communes", "communes",
                 "The ANCT table of ORT communes: download the current one (update), info."),
    "ban": ("ortgeo.cli.ban", "ban",
            "Offline BAN addresses: download an export, build the local index."),
    "cadastre": ("ortgeo.cli.cadastre", "cadastre",
                 "Cadastral parcels: download a commune's Etalab cadastre file."),
    "annex": ("ortgeo.cli.annex", "annex",
              "Annex 3 of the convention: maps (HTML + print), address lists, LISEZMOI."),
    "map": ("ortgeo.cli.map", "map_command",
            "One Annex 3 map, as HTML or for print (PNG/PDF/SVG)."),
    "serve": ("ortgeo.cli.serve", "serve",
              "The lookup page and the JSON API (/api/v1), on uvicorn."),
    "locate": ("ortgeo.cli.locate", "locate_command",
               "A file of points (CSV, Parquet, BAN export) in every sector, in chunks."),
    "stats": ("ortgeo.cli.stats", "stats",
              "Points per sector, territory, status and commune: CSV and chart."),
}  # fmt: skip


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when one is run (or its help asked)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS:
            module, attr, _ = COMMANDS[cmd_name]
            command: click.Command = getattr(importlib.import_module(module), attr)
            return translate_command(command)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, _(COMMANDS[name][2])) for name in self.list_commands(ctx)
                if name in COMMANDS]  # fmt: skip
        if rows:
            with formatter.section(_("Commands")):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup)
@click.version_option(package_name="ortgeo")
def main(**_kw: Any) -> None:
    """ortgeo: is this address in an ORT sector of Lens, on which date, how sure are we, and why?

    In French when the locale is French (LANG=fr_FR.UTF-8), else in English.
    """


translate_command(main)


if __name__ == "__main__":  # pragma: no cover
    main()

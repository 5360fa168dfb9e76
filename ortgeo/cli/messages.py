"""Message ids the command line translates that are not written in it (the catalog's
extractor reads the ``N_()`` here like any ``_()``).

:data:`ERRORS`: the templates of the library's most frequent errors, whose English text
stays the API's; :func:`ortgeo.cli.i18n.error_text` matches an error's text against them
and prints the French. :data:`CLICK`: click's own words.
"""

from __future__ import annotations

__all__ = ["CLICK", "ERRORS", "N_"]


def N_(message: str) -> str:  # noqa: N802 (the gettext convention)
    """Mark ``message`` for the catalog without translating it here (gettext's ``N_``).

    Examples
    --------
    >>> N_("Error")
    'Error'
    """
    return message


#: Library errors: ``{name}`` stands for any text, kept as it is in the French.
ERRORS: tuple[str, ...] = (
    N_("Invalid date {value}: expected an ISO date YYYY-MM-DD, for example 2024-06-01."),
    N_("Unknown geocoder kind {kind}: use one of {kinds}."),
    N_("No offline BAN index: build one with `ortgeo ban download 62` then "
       "`ortgeo ban index adresses-62.csv.gz`, or set ORTGEO_BAN_INDEX."),
    N_("The BAN geocoder at {url} cannot be reached after {n} attempt(s) ({error}). Check "
       "the network or the URL.{hint}"),
    N_("The BAN geocoder at {url} timed out after {n} attempt(s) ({error}). Check the "
       "network or the URL.{hint}"),
    N_("Parcel reference {ref} is not readable: give the 14-character IDU (INSEE 5 + prefix "
       "3 + section 2 + number 4, e.g. 62498000AB0123) or 'AB 123' / 'section AB n° 123' "
       "with the commune (--citycode)."),
    N_("Parcel reference {ref} has no commune: give the IDU (e.g. 62498000AB0123) or the "
       "commune's INSEE code (--citycode 62498)."),
    N_("Commune code {code} is not an INSEE code (5 characters, e.g. 62498)."),
    N_("Cadastre file not found: {path}. Check the path."),
    N_("No cadastre file for commune(s) {codes}: run `ortgeo cadastre download {args}`, or "
       "pass the file with --cadastre FILE."),
    N_("Cannot write {name}: use a name ending in {wanted}."),
    N_("Cannot write {path}: it is the input file. Choose another output name."),
    N_("Cannot write {path}: it is a folder. Give a file name."),
    N_("Cannot write {path}: the file is read-only."),
    N_("{what}: folder {folder} does not exist. Create it first."),
    N_("A fiche is written as {formats}, not {suffix}."),
)  # fmt: skip

#: click's words, in its own message ids.
CLICK: tuple[str, ...] = (
    N_("Usage:"), N_("Options"), N_("Commands"), N_("Show this message and exit."),
    N_("Show the version and exit."), N_("Error: {message}"),
    N_("Try '{command} {option}' for help."), N_("Missing argument"), N_("Missing option"),
    N_("Invalid value for {param_hint}: {message}"), N_("No such option {name!r}."),
    N_("No such command {name!r}."), N_("default: {default}"), N_("required"), N_("Aborted!"),
    N_("%(prog)s, version %(version)s"), N_("env var: {var}"),
    N_("{value!r} is not one of {choices}."), N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."), N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a directory."), N_("file"), N_("path"), N_("directory"),
    N_("Missing command."), N_("Invalid value: {message}"),
)  # fmt: skip

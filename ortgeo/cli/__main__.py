"""``python -m ortgeo.cli``."""

from ortgeo.cli import main

main()

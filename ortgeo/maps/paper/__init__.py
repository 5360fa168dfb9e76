"""The print maps, one module per job (see :mod:`ortgeo.maps.png`, which assembles a page)."""

"""Reading tables of addresses: now :mod:`ortgeo.io.tables` (names kept here for callers).

Examples
--------
>>> from ortgeo.table import load_table
>>> load_table is __import__("ortgeo.io.tables", fromlist=["load_table"]).load_table
True
"""

from __future__ import annotations

from ortgeo.io.tables import (
    PROBLEM_COLUMN,
    Table,
    cell_text,
    column,
    describe_columns,
    header_looks_like_data,
    load_table,
    read_table,
    row_reason,
)

__all__ = [
    "PROBLEM_COLUMN",
    "Table",
    "cell_text",
    "column",
    "describe_columns",
    "header_looks_like_data",
    "load_table",
    "read_table",
    "row_reason",
]

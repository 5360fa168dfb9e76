"""The catalogue TOML file (format 2; format 1 read with a warning) → :class:`Catalog`.

``[catalog]``
    name, version, crs, notes;
``[territory]`` (or ``[[territory]]`` for several)
    who carries an ORT (the CALL), the communes that signed it, the acts that apply to all
    its sectors (the "chapeau" convention);
``[[act]]``
    id, kind, title, date and how precisely it is known (``exact``, ``not-before``,
    ``approximate``), ``verified`` (false: a date reported, not checked), articles;
``[[sector]]``
    an ORT intervention sector: id, name as the act writes it, territory, communes
    (``communes_possible``: may reach into them), whether it includes a centre-ville, acts,
    validity with precisions, ``review_after``, accuracy, geometry ``file`` (``layer`` of a
    multi-layer file, ``crs`` of a file without one) and provenance (``status``
    ``indicatif`` / ``fourni`` / ``officiel`` with ``plan_act``, ``supplier``,
    ``supplied_on``; ``source``; ``synthetic``);
``[[dispositif]]``
    another dispositif (the OPAH-RU): owner, communes drawn, ``communes_all``, contact;
``[[coverage]]``
    what the catalogue holds where and when: topic (``ort`` or a dispositif id), communes,
    extent (``complete``, ``partial``, ``possible``); without it, the layers imply it;
``[annex]``
    title and act of the Annex 3 maps.
"""

from __future__ import annotations

import dataclasses
import tomllib
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ortgeo import validate
from ortgeo.catalog._catalog import Catalog
from ortgeo.catalog.fields import (
    DISPOSITIF_KEYS,
    act_record,
    coverage_record,
    layer_fields,
    territory_record,
)
from ortgeo.catalog.geometry import file_sha256, read_geometry
from ortgeo.errors import PerimeterFileError
from ortgeo.model import KINDS, ORT_SECTOR, Act, Layer

__all__ = ["read_toml"]

_TOP = ("format", "catalog", "territory", "annex", "act", "sector", "dispositif", "coverage")
_V1_KEYS = ("id", "file", "crs", "kind", "title", "legal_basis", "act_date", "valid_from",
            "valid_to", "status", "accuracy_m", "source", "notes")  # fmt: skip
_CATALOG_KEYS = ("name", "version", "crs", "notes")


def _tables(data: Mapping[str, Any], table: str, name: str) -> list[dict[str, Any]]:
    entries = data.get(table, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise PerimeterFileError(
            f"{name}: '{table}' must be an array of tables, one [[{table}]] each."
        )
    return entries


def _layer(
    folder: Path, entry: Mapping[str, Any], where: str, acts: Mapping[str, Act], kind: str,
    territory: str,
) -> Layer:  # fmt: skip
    """One sector or dispositif with its geometry and the file's fingerprint."""
    layer_id = validate.text(entry.get("id"), "id", where, required=True)
    where = f"{where} {layer_id!r}"
    fields = layer_fields(entry, where, acts, kind=kind)
    file = folder / validate.text(entry.get("file"), "file", where, required=True)
    geometry = read_geometry(file, layer=entry.get("layer") or None,
                             crs=entry.get("crs") or None, where=where)  # fmt: skip
    fields["provenance"] = dataclasses.replace(
        fields["provenance"], file=file.name, sha256=file_sha256(file)
    )
    terr = validate.text(entry.get("territory"), "territory", where) or territory
    return Layer(id=layer_id, geometry=geometry, territory=terr, **fields)


def read_toml(path: str | Path) -> Catalog:
    """Read a catalogue TOML file (format 2, or 1 with a warning); files are relative to it.

    Examples
    --------
    >>> from ortgeo.catalog import bundled_path
    >>> cat = read_toml(bundled_path() / "catalog.toml")
    >>> cat.territory.id, [a.id for a in cat.territory.acts]
    ('call', ['convention-chapeau-2023'])
    """
    path = Path(path)
    if not path.is_file():
        raise PerimeterFileError(f"Catalogue file not found: {path}.")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PerimeterFileError(f"{path.name} is not valid TOML: {exc}.") from None
    if "layer" in data and "sector" not in data:
        return _read_v1(data, path)
    name = path.name
    validate.check_keys(data, _TOP, name)
    if data.get("format") != 2:
        raise PerimeterFileError(
            f"{name}: format = 2 is missing (or another format is given); "
            "see data/perimeters/catalog.toml for the format."
        )
    meta = data.get("catalog", {})
    validate.check_keys(meta, _CATALOG_KEYS, f"{name} [catalog]")
    acts = [act_record(e, f"{name}, act") for e in _tables(data, "act", name)]
    by_id = {act.id: act for act in acts}
    if len(by_id) != len(acts):
        raise PerimeterFileError(f"{name}: duplicate act ids.")
    raw_terr = data.get("territory", {})
    terr_entries = raw_terr if isinstance(raw_terr, list) else [raw_terr] if raw_terr else []
    territories = [territory_record(t, f"{name} [territory]", by_id) for t in terr_entries]
    default_terr = territories[0].id if len(territories) == 1 else ""
    if not data.get("sector"):
        raise PerimeterFileError(f"{name} lists no [[sector]].")
    layers: list[Layer] = []
    for table, kind in (("sector", ORT_SECTOR), ("dispositif", None)):
        for entry in _tables(data, table, name):
            where = f"{name}, {table}"
            this_kind = kind or validate.choice(
                entry.get("kind", "dispositif"), "kind", KINDS[1:], f"{where} {entry.get('id')!r}"
            )
            layers.append(_layer(path.parent, entry, where, by_id, this_kind, default_terr))
    known_terr = {t.id for t in territories}
    for x in layers:
        if x.territory and known_terr and x.territory not in known_terr:
            raise PerimeterFileError(
                f"{name}: layer {x.id!r} names territory {x.territory!r}, not one of "
                f"{', '.join(sorted(known_terr))}."
            )
    kinds = {x.id: x.kind for x in layers}
    coverage = [coverage_record(e, f"{name}, coverage", kinds)
                for e in _tables(data, "coverage", name)]  # fmt: skip
    annex = data.get("annex", {})
    validate.check_keys(annex, ("title", "act"), f"{name} [annex]")
    if annex.get("act") and annex["act"] not in by_id:
        raise PerimeterFileError(f"{name} [annex]: act {annex['act']!r} is not an act id.")
    return Catalog(
        layers, name=meta.get("name", ""), source=path, acts=acts, territories=territories,
        annex=annex, coverage=coverage or None, version=str(meta.get("version", "")),
        sha256=file_sha256(path),
    )  # fmt: skip


def _read_v1(data: Mapping[str, Any], path: Path) -> Catalog:
    entries = _tables(data, "layer", path.name)
    if not entries:
        raise PerimeterFileError(f"{path.name} lists no [[layer]].")
    warnings.warn(
        f"{path.name} is a version-1 catalogue ([[layer]] tables): it is read with kinds "
        "ort/ort-extension as ORT sectors and each legal_basis as an act of unknown kind. "
        "Upgrade it to format 2 (format = 2, [[act]], [[sector]], [[dispositif]]; see "
        "data/perimeters/catalog.toml) to record the acts, communes and date precisions.",
        UserWarning,
        stacklevel=3,
    )
    layers, acts = [], []
    for entry in entries:
        where = path.name
        validate.check_keys(entry, _V1_KEYS, where)
        layer_id = validate.text(entry.get("id"), "id", where, required=True)
        where = f"{where}, layer {layer_id!r}"
        old_kind = validate.choice(
            entry.get("kind"), "kind", ("ort", "ort-extension", "opah-ru"), where
        )
        legal = validate.text(entry.get("legal_basis"), "legal_basis", where, required=True)
        act = Act(id=f"{layer_id}-acte", kind="autre", title=legal, short=legal,
                  date=validate.date_value(entry.get("act_date"), "act_date", where))  # fmt: skip
        v2 = {k: entry[k] for k in entry if k in DISPOSITIF_KEYS and k not in ("kind", "file")}
        v2["name"] = validate.text(entry.get("title"), "title", where, required=True)
        v2["acts"] = [act.id]
        v2.pop("crs", None)
        kind = "opah-ru" if old_kind == "opah-ru" else ORT_SECTOR
        if kind == ORT_SECTOR:
            v2 = {k: v for k, v in v2.items() if k not in ("owner", "contact", "drawn_part")}
        entry2 = {**v2, "id": layer_id, "file": entry.get("file"), "crs": entry.get("crs")}
        layers.append(_layer(path.parent, entry2, path.name, {act.id: act}, kind, ""))
        acts.append(act)
    ordered = [x for x in layers if x.is_ort_sector] + [x for x in layers if not x.is_ort_sector]
    return Catalog(ordered, name=data.get("catalog", {}).get("name", ""), source=path,
                   acts=acts, sha256=file_sha256(path))  # fmt: skip

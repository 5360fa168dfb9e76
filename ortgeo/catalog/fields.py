"""The fields of a catalogue, checked once for both serialisations and for ``replace``.

A catalogue TOML file, a national sector table and :meth:`Catalog.replace` give the same
records (:mod:`ortgeo.model`) through these functions, so they accept the same values and
refuse the same mistakes, with the same messages.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

from ortgeo import validate
from ortgeo.errors import OrtgeoError, PerimeterFileError
from ortgeo.model import (
    ACT_KINDS,
    ALL_COMMUNES,
    DATA_STATUSES,
    DATE_PRECISIONS,
    EXTENTS,
    ORT_SECTOR,
    ORT_TOPIC,
    Act,
    Contact,
    CoverageEntry,
    Provenance,
    Territory,
)

__all__ = [
    "ACT_KEYS",
    "COVERAGE_KEYS",
    "DISPOSITIF_KEYS",
    "SECTOR_KEYS",
    "TERRITORY_KEYS",
    "act_record",
    "codes",
    "coverage_record",
    "layer_fields",
    "territory_record",
]

ACT_KEYS = ("id", "kind", "title", "short", "date", "date_precision", "articles", "notes",
            "verified")  # fmt: skip
_PROVENANCE_KEYS = ("status", "source", "supplier", "supplied_on", "plan_act", "synthetic")
_COMMON_KEYS = (
    "id", "name", "title", "legend", "file", "layer", "crs", "territory", "communes",
    "communes_possible", "acts", "valid_from", "valid_from_precision", "valid_from_basis",
    "valid_to", "valid_to_precision", "review_after", "accuracy_m", "notes", *_PROVENANCE_KEYS,
)  # fmt: skip
SECTOR_KEYS = (*_COMMON_KEYS, "includes_centre_ville")
DISPOSITIF_KEYS = (*_COMMON_KEYS, "kind", "owner", "contact", "communes_all", "drawn_part")
TERRITORY_KEYS = ("id", "name", "kind", "ort_communes", "pilot", "notes", "acts", "ort_name",
                  "contacts")  # fmt: skip
CONTACT_KEYS = ("role", "organisation", "address", "act")
COVERAGE_KEYS = ("topic", "communes", "extent", "layers", "valid_from", "valid_from_precision",
                 "valid_to", "valid_to_precision", "notes")  # fmt: skip


def codes(
    entry: Mapping[str, Any], key: str, where: str, *, wildcard: bool = False
) -> tuple[str, ...]:
    """A list of INSEE codes (``"*"`` for every commune where ``wildcard``)."""
    raw = entry.get(key, [])
    if not isinstance(raw, list | tuple):
        raise PerimeterFileError(f'{where}: {key} must be a list of INSEE codes, e.g. ["62498"].')
    if wildcard and list(raw) == [ALL_COMMUNES]:
        return (ALL_COMMUNES,)
    try:
        return tuple(validate.insee_code(c, where) for c in raw)
    except OrtgeoError as exc:
        raise PerimeterFileError(str(exc)) from None


def _ids(entry: Mapping[str, Any], key: str, where: str) -> list[str]:
    raw = entry.get(key, [])
    if not isinstance(raw, list | tuple) or not all(isinstance(a, str) for a in raw):
        raise PerimeterFileError(f"{where}: {key} must be a list of {key.rstrip('s')} ids.")
    return list(raw)


def _tristate(entry: Mapping[str, Any], key: str, where: str) -> bool | None:
    raw = entry.get(key, "unknown")
    if isinstance(raw, bool):
        return raw
    if raw is None or raw in ("unknown", "inconnu", "") or raw != raw:
        return None
    if raw in ("true", "oui", 1):
        return True
    if raw in ("false", "non", 0):
        return False
    raise PerimeterFileError(f'{where}: {key} must be true, false or "unknown" (got {raw!r}).')


def _flag(entry: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
    raw = entry.get(key, default)
    if raw is None or raw != raw:
        return default
    if isinstance(raw, bool):
        return raw
    if raw in ("true", 1):
        return True
    if raw in ("false", 0):
        return False
    raise PerimeterFileError(f"{where}: {key} must be true or false (got {raw!r}).")


def _precision(entry: Mapping[str, Any], key: str, where: str, allowed: tuple[str, ...]) -> str:
    raw = entry.get(key) or "exact"
    return validate.choice(raw, key, allowed, where)


def act_record(entry: Mapping[str, Any], where: str) -> Act:
    """An :class:`~ortgeo.model.Act` from an ``[[act]]`` table.

    Examples
    --------
    >>> act_record({"id": "a", "title": "Avenant", "date": "2023-12-06",
    ...             "date_precision": "not-before"}, "test").date_precision
    'not-before'
    """
    act_id = validate.text(entry.get("id"), "id", where, required=True)
    where = f"{where} {act_id!r}"
    validate.check_keys(entry, ACT_KEYS, where)
    articles = entry.get("articles", [])
    if not isinstance(articles, list) or not all(isinstance(a, str) for a in articles):
        raise PerimeterFileError(f"{where}: articles must be a list of texts.")
    return Act(
        id=act_id,
        kind=validate.choice(entry.get("kind", "autre"), "kind", ACT_KINDS, where),
        title=validate.text(entry.get("title"), "title", where, required=True),
        short=validate.text(entry.get("short"), "short", where),
        date=validate.date_value(entry.get("date"), "date", where),
        date_precision=_precision(entry, "date_precision", where, DATE_PRECISIONS),
        articles=tuple(articles),
        notes=validate.text(entry.get("notes"), "notes", where),
        verified=_flag(entry, "verified", where, True),
    )


def _acts_of(entry: Mapping[str, Any], where: str, acts: Mapping[str, Act]) -> tuple[Act, ...]:
    ids = _ids(entry, "acts", where)
    unknown = [a for a in ids if a not in acts]
    if unknown:
        raise PerimeterFileError(
            f"{where}: unknown act(s) {', '.join(map(repr, unknown))}; "
            f"acts defined in the catalogue: {', '.join(acts) or 'none'}."
        )
    return tuple(acts[a] for a in ids)


def territory_record(entry: Mapping[str, Any], where: str, acts: Mapping[str, Act]) -> Territory:
    """A :class:`~ortgeo.model.Territory` from a ``[territory]`` table."""
    validate.check_keys(entry, TERRITORY_KEYS, where)
    return Territory(
        id=validate.text(entry.get("id"), "id", where),
        name=validate.text(entry.get("name"), "name", where),
        kind=validate.text(entry.get("kind"), "kind", where),
        ort_communes=codes(entry, "ort_communes", where),
        pilot=validate.text(entry.get("pilot"), "pilot", where),
        notes=validate.text(entry.get("notes"), "notes", where),
        acts=_acts_of(entry, where, acts),
        ort_name=validate.text(entry.get("ort_name"), "ort_name", where),
        contacts=tuple(
            contact_record(c, f"{where} contact", acts)
            for c in _tables_of(entry, "contacts", where)
        ),
    )


def _tables_of(entry: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
    raw = entry.get(key, [])
    if not isinstance(raw, list | tuple) or not all(isinstance(c, Mapping) for c in raw):
        raise PerimeterFileError(f"{where}: {key} must be a list of tables.")
    return list(raw)


def contact_record(entry: Mapping[str, Any], where: str, acts: Mapping[str, Act]) -> Contact:
    """A :class:`~ortgeo.model.Contact` (role, organisation, address, the act naming it)."""
    validate.check_keys(entry, CONTACT_KEYS, where)
    act = validate.text(entry.get("act"), "act", where)
    if act and act not in acts:
        raise PerimeterFileError(f"{where}: act {act!r} is not an act id.")
    return Contact(
        role=validate.text(entry.get("role"), "role", where, required=True),
        organisation=validate.text(entry.get("organisation"), "organisation", where, required=True),
        address=validate.text(entry.get("address"), "address", where),
        act=act,
    )


def provenance(entry: Mapping[str, Any], where: str, acts: Mapping[str, Act]) -> Provenance:
    """The :class:`~ortgeo.model.Provenance` of a layer (no file yet: see the readers).

    ``officiel`` needs the act whose annexed plan the file is (``plan_act``), who supplied
    it (``supplier``) and when (``supplied_on``): a file is official because of where it
    comes from, not because it was loaded.
    """
    status = validate.choice(entry.get("status"), "status", DATA_STATUSES, where)
    plan_act = validate.text(entry.get("plan_act"), "plan_act", where)
    if plan_act and plan_act not in acts:
        raise PerimeterFileError(f"{where}: plan_act {plan_act!r} is not an act id.")
    supplier = validate.text(entry.get("supplier"), "supplier", where)
    supplied_on = validate.date_value(entry.get("supplied_on"), "supplied_on", where)
    if status == "officiel" and not (plan_act and supplier and supplied_on):
        missing = [k for k, v in (("plan_act", plan_act), ("supplier", supplier),
                                  ("supplied_on", supplied_on)) if not v]  # fmt: skip
        raise PerimeterFileError(
            f"{where}: status 'officiel' needs {', '.join(missing)}: the act whose annexed plan "
            "this is, who supplied the file and when. Without them use status 'fourni'."
        )
    return Provenance(
        status=status, source=validate.text(entry.get("source"), "source", where),
        supplier=supplier, supplied_on=supplied_on, act=plan_act,
        synthetic=_flag(entry, "synthetic", where, False),
    )  # fmt: skip


def layer_fields(
    entry: Mapping[str, Any], where: str, acts: Mapping[str, Act], *, kind: str
) -> dict[str, Any]:
    """Validated :class:`~ortgeo.model.Layer` fields (all but id, geometry, territory).

    Shared by catalogue files, sector tables and :meth:`Catalog.replace`, so all accept the
    same values.
    """
    validate.check_keys(entry, SECTOR_KEYS if kind == ORT_SECTOR else DISPOSITIF_KEYS, where)
    valid_from = validate.date_value(entry.get("valid_from"), "valid_from", where, required=True)
    valid_to = validate.date_value(entry.get("valid_to"), "valid_to", where)
    assert valid_from is not None
    if valid_to is not None and valid_to < valid_from:
        raise PerimeterFileError(
            f"{where}: valid_to {valid_to.isoformat()} is before valid_from "
            f"{valid_from.isoformat()}; the layer would never be in force."
        )
    basis = validate.text(entry.get("valid_from_basis"), "valid_from_basis", where)
    if basis and basis not in acts:
        raise PerimeterFileError(f"{where}: valid_from_basis {basis!r} is not an act id.")
    name = validate.text(entry.get("name"), "name", where, required=True)
    fields: dict[str, Any] = {
        "kind": kind,
        "name": name,
        "title": validate.text(entry.get("title"), "title", where) or name,
        "legend": validate.text(entry.get("legend"), "legend", where) or name,
        "communes": codes(entry, "communes", where),
        "communes_possible": codes(entry, "communes_possible", where),
        "acts": _acts_of(entry, where, acts),
        "valid_from": valid_from,
        "valid_from_precision": _precision(entry, "valid_from_precision", where, DATE_PRECISIONS),
        "valid_from_basis": basis,
        "valid_to": valid_to,
        "valid_to_precision": _precision(
            entry, "valid_to_precision", where, ("exact", "approximate")
        ),
        "review_after": validate.date_value(entry.get("review_after"), "review_after", where),
        "accuracy_m": validate.metres(entry.get("accuracy_m"), "accuracy_m", where),
        "notes": validate.text(entry.get("notes"), "notes", where),
        "provenance": provenance(entry, where, acts),
    }
    if kind == ORT_SECTOR:
        fields["includes_centre_ville"] = _tristate(entry, "includes_centre_ville", where)
    else:
        fields["owner"] = validate.text(entry.get("owner"), "owner", where)
        fields["contact"] = validate.text(entry.get("contact"), "contact", where)
        fields["communes_all"] = codes(entry, "communes_all", where) or fields["communes"]
        fields["drawn_part"] = validate.text(entry.get("drawn_part"), "drawn_part", where)
    return fields


def coverage_record(
    entry: Mapping[str, Any], where: str, layer_ids: Mapping[str, str]
) -> CoverageEntry:
    """A :class:`~ortgeo.model.CoverageEntry` from a ``[[coverage]]`` table.

    ``layer_ids`` maps every layer id of the catalogue to its kind: a topic is ``ort`` or
    the id of a dispositif; the layers named must exist (and be of that topic).
    """
    validate.check_keys(entry, COVERAGE_KEYS, where)
    topic = validate.text(entry.get("topic"), "topic", where, required=True)
    if topic != ORT_TOPIC and layer_ids.get(topic, ORT_SECTOR) == ORT_SECTOR:
        dispositifs = [i for i, kind in layer_ids.items() if kind != ORT_SECTOR]
        raise PerimeterFileError(
            f"{where}: topic {topic!r} must be {ORT_TOPIC!r} or a dispositif id "
            f"({', '.join(dispositifs) or 'none'})."
        )
    layers = _ids(entry, "layers", where)
    unknown = [x for x in layers if x not in layer_ids]
    if unknown:
        raise PerimeterFileError(f"{where}: unknown layer(s) {', '.join(map(repr, unknown))}.")
    communes = codes(entry, "communes", where, wildcard=True)
    if not communes:
        raise PerimeterFileError(f'{where}: communes is required (INSEE codes, or ["*"]).')
    valid_from = validate.date_value(entry.get("valid_from"), "valid_from", where)
    valid_to = validate.date_value(entry.get("valid_to"), "valid_to", where)
    if valid_from and valid_to and valid_to < valid_from:
        raise PerimeterFileError(f"{where}: valid_to is before valid_from.")
    return CoverageEntry(
        topic=topic,
        communes=communes,
        extent=validate.choice(entry.get("extent"), "extent", EXTENTS[1:], where),
        layers=tuple(layers),
        valid_from=valid_from,
        valid_from_precision=_precision(entry, "valid_from_precision", where, DATE_PRECISIONS),
        valid_to=valid_to,
        valid_to_precision=_precision(entry, "valid_to_precision", where, ("exact", "approximate")),
        notes=validate.text(entry.get("notes"), "notes", where),
    )


def iso(day: _dt.date | None) -> str:
    """A date as ISO text, ``""`` when open."""
    return day.isoformat() if day else ""

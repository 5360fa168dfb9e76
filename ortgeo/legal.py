"""Commune-level answers and the dated legal facts behind the notes of a verdict.

Whether the Denormandie tax reduction concerns a commune depends on the commune and the
date, never on an ORT sector: in 2019 the centre (set by the ministerial arrêté of 26 March
2019) of the communes on the official list and of those that had signed an ORT convention;
from 1 January 2020 the whole territory of those communes (art. 199 novovicies CGI), for
acquisitions until its deadline as the law stands (loi n° 2024-322, art. 42). The ORT status
of a commune comes from the ANCT table in use (:func:`ortgeo.communes.ort_rows`), whose date
every answer prints; a commune code is checked against the official code list (COG).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
from typing import Any

from ortgeo.communes import check_commune, commune_name, ort_rows, ort_table
from ortgeo.dates import DateLike, parse_date, parse_optional_date
from ortgeo.texts import note
from ortgeo.validate import insee_code

__all__ = [
    "DENORMANDIE_DEADLINE",
    "DENORMANDIE_START",
    "DENORMANDIE_WHOLE_COMMUNE",
    "CommuneStatus",
    "commune_status",
]

#: First acquisitions concerned (loi de finances pour 2019).
DENORMANDIE_START = _dt.date(2019, 1, 1)
#: From this date the whole territory of the communes concerned, not only their centre.
DENORMANDIE_WHOLE_COMMUNE = _dt.date(2020, 1, 1)
#: Last acquisitions concerned, as the law stands (loi n° 2024-322 du 9 avril 2024, art. 42);
#: a later finance law may move it.
DENORMANDIE_DEADLINE = _dt.date(2027, 12, 31)


@dataclasses.dataclass(frozen=True)
class CommuneStatus:
    """A commune's ORT and programme status, from the ANCT follow-up table."""

    insee: str
    name: str
    known: bool
    programme: str = ""
    acv: bool = False
    pvd: bool = False
    ort: str = "inconnu"
    ort_signed_on: _dt.date | None = None
    epci: str = ""
    #: The date of the ANCT table the status was read from (printed with every status).
    updated: _dt.date | None = None
    remark: str = ""
    #: The date the commune's own row was last updated in that table.
    row_updated: _dt.date | None = None
    #: How the ORT came: ``"arrete"`` (a prefectoral order turned the ACV convention into an
    #: ORT convention), ``"convention"``, or ``""`` when not signed or not said.
    ort_by: str = ""

    def ort_signed(self, on: DateLike = None) -> bool:
        """Whether the commune had signed an ORT convention on ``on`` (default today)."""
        day = parse_date(on)
        return self.ort == "signee" and self.ort_signed_on is not None and self.ort_signed_on <= day

    def denormandie(self, on: DateLike = None) -> dict[str, str]:
        """The Denormandie note for a property in this commune on ``on``.

        Returns ``{"code": "denormandie", "applies": ..., "text": ...}`` where
        ``applies`` is ``"non"`` (not yet in force), ``"pas-encore"`` (the commune signs
        its ORT convention later), ``"centre"`` (2019: the centre of
        the communes on the official list *and* of those that had signed an ORT convention,
        art. 199 novovicies IV bis as of the loi de finances pour 2019), ``"commune"`` (the
        whole commune, under conditions) or ``"a-verifier"`` (after the deadline of the law
        as it stands, or a commune the ANCT table does not list: the table may be older
        than a signature). It never says "does not apply" from a follow-up table alone.

        Examples
        --------
        >>> lens = commune_status("62498")
        >>> [lens.denormandie(d)["applies"] for d in ("2018-06-01", "2019-06-01", "2024-06-01",
        ...                                            "2028-01-01")]
        ['non', 'centre', 'commune', 'a-verifier']
        >>> commune_status("17347").denormandie("2019-12-20")["applies"]  # ORT signed 2019-07-15
        'centre'
        """
        day = parse_date(on)
        listed = self.known and (self.acv or self.ort_signed(day))
        later = self.known and self.ort_signed_on is not None and self.ort_signed_on > day
        if day < DENORMANDIE_START:
            applies = "non"
        elif not listed and later and day <= DENORMANDIE_DEADLINE:
            applies = "pas-encore"  # the commune signs later: not yet on that day
        elif day > DENORMANDIE_DEADLINE or not listed:
            applies = "a-verifier"  # past the deadline, or not listed in a table that may be old
        elif day < DENORMANDIE_WHOLE_COMMUNE:
            applies = "centre"  # 2019: the centre of listed communes and of ORT signatories
        else:
            applies = "commune"
        text = note("denormandie", applies=applies, commune=self, day=day,
                    start=DENORMANDIE_START, whole=DENORMANDIE_WHOLE_COMMUNE,
                    deadline=DENORMANDIE_DEADLINE)  # fmt: skip
        return {"code": "denormandie", "applies": applies, "text": text}

    def to_dict(self, on: DateLike = None) -> dict[str, Any]:
        """JSON-ready dict (English keys), with the Denormandie answer on ``on``.

        Examples
        --------
        >>> d = commune_status("62510").to_dict("2024-06-01")
        >>> d["name"], d["acv"], d["ort_signed_on"], d["denormandie"]["applies"]
        ('Liévin', True, '2019-08-04', 'commune')
        """
        day = parse_date(on)
        return {
            "insee": self.insee, "name": self.name, "known": self.known,
            "programme": self.programme, "acv": self.acv, "pvd": self.pvd,
            "ort": self.ort,
            "ort_signed_on": self.ort_signed_on.isoformat() if self.ort_signed_on else None,
            "ort_signed": self.ort_signed(day), "epci": self.epci,
            "ort_by": self.ort_by or None,
            "table_updated": self.updated.isoformat() if self.updated else None,
            "row_updated": self.row_updated.isoformat() if self.row_updated else None,
            "date": day.isoformat(),
            "denormandie": self.denormandie(day),
        }  # fmt: skip

    def explain(self, on: DateLike = None) -> str:
        """French summary for ``ortgeo commune``.

        Examples
        --------
        >>> print(commune_status("62186").explain("2024-06-01").splitlines()[0])
        Bully-les-Mines (62186) — CA de Lens - Liévin
        """
        day = parse_date(on)
        return note("commune", lines=True, commune=self, day=day,
                    denormandie=self.denormandie(day)["text"])  # fmt: skip


def commune_status(insee: str, date: DateLike = None) -> CommuneStatus:
    """The ORT and programme status of a French commune (``date`` is only validated here).

    Parameters
    ----------
    insee : str
        The commune's INSEE code, e.g. ``"62498"`` for Lens.

    Examples
    --------
    >>> s = commune_status("62498")
    >>> s.name, s.programme, s.ort, s.ort_signed_on
    ('Lens', 'acv', 'signee', datetime.date(2019, 8, 4))
    >>> commune_status("62523").known  # Loison-sous-Lens is not in the ANCT table
    False
    """
    code = insee_code(insee, "commune")
    parse_date(date)
    table = ort_table()
    if code not in ort_rows():  # a code of the ANCT table is looked up as the table has it
        code = check_commune(code).commune  # unknown codes refused; an arrondissement: its commune
    return _commune_status(code, table.table_date)


@functools.lru_cache(maxsize=4096)
def _commune_status(code: str, table_date: _dt.date | None) -> CommuneStatus:
    """The status of a commune code in the ANCT table of ``table_date`` (cached per table)."""
    row = ort_rows().get(code)  # cached, read-only here; the table is read as text
    if row is None:
        return CommuneStatus(insee=code, name=commune_name(code), known=False,
                             updated=table_date)  # fmt: skip
    return CommuneStatus(
        insee=code, name=commune_name(code) or row["nom"], known=True,
        programme=row["programme"], acv=row["acv"] == "True", pvd=row["pvd"] == "True",
        ort=row["ort"], ort_signed_on=parse_optional_date(row["ort_signee_le"]),
        epci=row["epci"], updated=table_date, remark=row["remarque"],
        row_updated=parse_optional_date(row["actualise_le"]), ort_by=row.get("ort_by", ""),
    )  # fmt: skip

"""What a fiche says, built once from an answer and laid out twice (PDF, HTML).

:func:`fiche_content` reads the JSON answer (``Verdict.to_dict()``, or
``ParcelVerdict.to_dict()`` for a parcel) — the same the API returns, so the command line
and the service print the same fiche — and returns a :class:`Fiche`: a list of
:class:`Block` (a kind and its French text, from ``templates/fiche.txt.j2``) and the map
extract. The PDF (:mod:`ortgeo.fiche.pdf`) and the HTML (:mod:`ortgeo.fiche.html`) only
lay the blocks out.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from typing import Any

from ortgeo.texts import macro

__all__ = ["Block", "Fiche", "fiche_content", "permalink"]

#: The kinds of block, in the words of the layouts.
KINDS = ("title", "subtitle", "disclaimer", "banner-synthetic", "banner-indicatif", "heading",
         "strong", "text", "small", "mono", "map", "caption", "link")  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Block:
    """One block of a fiche: its kind (:data:`KINDS`), its French text, a link target."""

    kind: str
    text: str
    href: str = ""


@dataclasses.dataclass(frozen=True)
class Fiche:
    """A fiche de situation: its blocks, in reading order, and the map extract (PNG).

    Attributes
    ----------
    blocks : tuple of Block
        Title, disclaimer, banner, place, answer, sectors and their acts, map, contacts,
        data fingerprint, date of the check, permalink.
    map_png : bytes
        The map extract (``b""``: none); the ``map`` block says where it goes.
    map_size_mm : (float, float)
        Its printed size, at which its scale bar is true.
    status : str
        The answer's status (``dedans``, ``indetermine``…).
    day : datetime.date
        The date the answer is about.
    """

    blocks: tuple[Block, ...]
    map_png: bytes
    map_size_mm: tuple[float, float]
    status: str
    day: _dt.date

    @property
    def title(self) -> str:
        """The fiche's title."""
        return self.blocks[0].text

    def text(self) -> str:
        """The fiche as plain text, one block a line (what a test or a log reads).

        Examples
        --------
        >>> import ortgeo
        >>> f = fiche_content(ortgeo.check_point(2.833889, 50.429167, "2024-06-01").to_dict())
        >>> "pas un certificat" in f.text() and "INCLUS" in f.text()
        True
        """
        return "\n".join(b.text for b in self.blocks if b.text)


def _m(macro_name: str, /, **context: Any) -> str:
    return macro("fiche.txt.j2", macro_name, **context)


def permalink(base: str, query: dict[str, str], day: _dt.date | str) -> str:
    """The address of an answer on the service at ``base``: the same question on the same
    date (``address``, or ``lon``/``lat`` or ``x``/``y``), ``/fiche`` for its fiche.

    Examples
    --------
    >>> permalink("https://ortgeo.example/ort", {"lon": "2.83", "lat": "50.43"}, "2024-06-01")
    'https://ortgeo.example/ort/?lon=2.83&lat=50.43&date=2024-06-01'
    """
    from urllib.parse import urlencode

    keep = {k: v for k, v in query.items() if k != "date" and v}
    keep["date"] = day if isinstance(day, str) else day.isoformat()
    return f"{base.rstrip('/')}/?{urlencode(keep)}"


def _contact_act(contact: dict[str, Any], acts: dict[str, str]) -> str:
    return acts.get(str(contact.get("act") or ""), "")


def fiche_content(
    answer: dict[str, Any],
    *,
    map_png: bytes = b"",
    map_size_mm: tuple[float, float] = (180.0, 82.0),
    background: str = "",
    checked_at: _dt.datetime | None = None,
    permalink: str = "",
    redo: str = "",
    no_parcel: str = "",
    acts: dict[str, str] | None = None,
    version: str = "",
) -> Fiche:
    """The blocks of a fiche from a JSON answer.

    Parameters
    ----------
    answer : dict
        ``Verdict.to_dict()`` or ``ParcelVerdict.to_dict()`` (with ``parcel``).
    map_png : bytes
        The map extract (:func:`ortgeo.maps.extract.extract_figure`), ``b""`` for none.
    map_size_mm : (float, float)
        The extract's printed size.
    background : str
        What the map is drawn on (tiles credit, cadastre), ``""``: nothing (offline).
    checked_at : datetime, optional
        When the check was made (default now).
    permalink : str
        The permalink, its address in full (the service's); ``""``: print ``redo``.
    redo : str
        The command that redoes the check, printed when there is no permalink.
    no_parcel : str
        The cadastre file searched when no parcel holds the point (``""``: none searched).
    acts : dict, optional
        Act id → its short French name, to cite the act that names each contact.
    version : str
        ortgeo's version (default: the installed one).

    Examples
    --------
    >>> import ortgeo
    >>> f = fiche_content(ortgeo.check_point(2.833889, 50.429167, "2024-06-01").to_dict())
    >>> [b.kind for b in f.blocks][:4]
    ['title', 'subtitle', 'disclaimer', 'banner-indicatif']
    """
    if not version:
        from ortgeo import __version__ as version
    day = _dt.date.fromisoformat(answer["date"])
    at = checked_at or _dt.datetime.now()
    blocks = [Block("title", _m("title")), Block("subtitle", answer.get("ort_name") or ""),
              Block("disclaimer", _m("disclaimer"))]  # fmt: skip
    banner = answer.get("banner") or {}
    if banner.get("text"):
        kind = "banner-synthetic" if banner.get("synthetic") else "banner-indicatif"
        blocks.append(Block(kind, banner["text"]))

    blocks.append(Block("heading", _m("heading", name="place", day=day)))
    geocode = answer.get("geocode")
    if geocode:
        blocks.append(Block("text", _m("asked", query=geocode["query"])))
        blocks.append(Block("text", _m("found", g=geocode)))
    parcel = answer.get("parcel")
    if parcel:
        label = macro("notes.txt.j2", "parcel_label", ref=parcel)
        blocks.append(Block("text", _m("parcel", idu=parcel["idu"], label=label,
                                       cadastre=parcel.get("cadastre"),
                                       area=parcel.get("area_m2"))))  # fmt: skip
    elif no_parcel:
        blocks.append(Block("text", _m("no_parcel", cadastre=no_parcel)))
    point = answer.get("point") or {}
    if point.get("lon") is not None:
        blocks.append(Block("text", _m("point", p=point)))
    commune = answer.get("commune")
    if commune:
        blocks.append(Block("text", _m("commune", line=commune.get("line") or commune["name"])))

    blocks.append(Block("heading", _m("heading", name="answer", day=day)))
    blocks.append(Block("strong", answer.get("summary") or answer["status"]))

    layers = answer.get("layers") or []
    sectors = [r for r in layers if r.get("kind") == "ort-sector" and r.get("concerns", True)]
    others = [r for r in layers if r.get("kind") != "ort-sector" and r.get("concerns", True)]
    blocks.append(Block("heading", _m("heading", name="acts", day=day)))
    for row in sectors:
        blocks.append(Block("text", _m("sector", row=row)))
        blocks.append(Block("small", _m("acts", row=row)))
    if not sectors:
        blocks.append(Block("text", _m("no_sector")))
    waiting = [x["name"] for x in answer.get("not_in_force") or [] if x.get("kind") == "ort-sector"]
    if waiting:
        blocks.append(Block("small", _m("not_in_force", names=waiting)))
    if others:
        blocks.append(Block("heading", _m("heading", name="others", day=day)))
        blocks += [Block("text", _m("sector", row=row)) for row in others]
    blocks.append(Block("small", _m("notes_elsewhere")))

    if map_png:
        blocks.append(Block("heading", _m("heading", name="map", day=day)))
        blocks.append(Block("map", _m("map_alt", day=day)))
        blocks.append(Block("caption", _m("map_caption", day=day,
                                          indicatif=bool(banner.get("indicatif")),
                                          background=background)))  # fmt: skip

    blocks.append(Block("heading", _m("heading", name="contacts", day=day)))
    contacts = answer.get("contacts") or []
    for c in contacts:
        blocks.append(Block("text", _m("contact", c=c, act=_contact_act(c, acts or {}))))
    if not contacts:
        blocks.append(Block("text", _m("no_contact")))

    fp = answer.get("fingerprint")
    if fp:
        first, *files = macro("notes.txt.j2", "fingerprint", lines=True, fp=fp).splitlines()
        blocks.append(Block("heading", first.partition(" : ")[0]))
        blocks.append(Block("mono", first.partition(" : ")[2]))
        blocks += [Block("mono", line) for line in files]
    blocks.append(Block("text", _m("checked", at=at, day=day, version=version)))
    if permalink:
        blocks.append(Block("link", _m("permalink", url=permalink), href=permalink))
    elif redo:
        blocks.append(Block("mono", _m("redo", command=redo)))
    return Fiche(tuple(blocks), map_png, map_size_mm, str(answer["status"]), day)

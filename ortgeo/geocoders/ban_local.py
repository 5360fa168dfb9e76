"""Offline geocoding on a local index of the BAN export.

:func:`build_ban_index` (:mod:`~ortgeo.geocoders.ban_build`) turns ``adresses-62.csv.gz``
into one SQLite file (:mod:`~ortgeo.geocoders.ban_store`: communes, streets with a
representative point and normalised names, house numbers, name tokens).
:class:`BanLocalGeocoder` holds the streets in memory (:mod:`~ortgeo.geocoders.ban_match`)
and answers queries: number and suffix parsed, street fuzzy-matched inside the commune when
it is known (citycode, postcode or city name), then the exact number looked up, scored by
:mod:`~ortgeo.geocoders.ban_scores`. A street that does not exist is reported
``not-found``, never replaced by a far-fetched guess.
"""

from __future__ import annotations

import bisect
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ortgeo.crs import to_l93_xy
from ortgeo.geocoders.ban_match import Scope, StreetTable
from ortgeo.geocoders.ban_scores import (
    ACCEPT,
    AMBIGUOUS,
    CANDIDATE_MIN,
    NUMBER_MISSING,
    NUMBER_MISSING_FUZZY,
    find_number,
)
from ortgeo.geocoders.ban_store import INDEX_VERSION, SYNTHETIC_SOURCE, BanIndex, Numbers
from ortgeo.geocoders.base import Geocoder
from ortgeo.geocoders.clean import ocr_readings
from ortgeo.geocoders.normalize import normalize
from ortgeo.geocoders.parse import ParsedAddress, parse_address
from ortgeo.geocoders.result import GeocodeResult, format_label

if TYPE_CHECKING:
    import pandas as pd

    from ortgeo.geocoders.ban_build import build_ban_index

_NO_NUMBERS: Numbers = {}
#: A score from which an answer is not worth another reading of the line.
EXACT = 0.97
#: How much better than the line as written an OCR reading must score to be kept.
OCR_MARGIN = 0.05
#: The least score of an answer found by swapping ``rn`` and ``m`` (an exact street name).
OCR_EXACT = 0.95

__all__ = [
    "INDEX_VERSION",
    "SYNTHETIC_SOURCE",
    "BanIndex",
    "BanLocalGeocoder",
    "build_ban_index",
]


def __getattr__(name: str) -> Any:
    if name == "build_ban_index":  # on first use: building needs pandas, a look-up does not
        from ortgeo.geocoders.ban_build import build_ban_index

        return build_ban_index
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class BanLocalGeocoder(Geocoder):
    """Geocoder on an offline BAN index (fast: streets held in memory).

    Parameters
    ----------
    index : BanIndex, str or Path
        The index (see :func:`build_ban_index`).

    Examples
    --------
    >>> from ortgeo.testing import synthetic_ban_index
    >>> g = BanLocalGeocoder(synthetic_ban_index(n_rows=400))
    >>> r = g.geocode("3 r. de la gare, 62300 LENS")
    >>> r.status, r.match_type, r.label
    ('ok', 'housenumber', '3 Rue de la Gare 62300 Lens')
    >>> g.geocode("12 rue des Lilas 62300 Lens").status
    'not-found'
    """

    name = "ban-local"

    def __init__(self, index: BanIndex | str | Path) -> None:
        self.index = index if isinstance(index, BanIndex) else BanIndex(index)
        self._streets = StreetTable(self.index)
        self._numbers: dict[str, dict[int, Numbers]] = {}
        self._street_ids: dict[str, dict[str, int]] = {}  # citycode → BAN street id → sid
        self._reverse_arrays: (
            tuple[np.ndarray, np.ndarray, np.ndarray, list[tuple[int, str]]] | None
        ) = None
        self._suggest_words: tuple[list[str], dict[str, set[int]]] | None = None

    def __repr__(self) -> str:
        return f"BanLocalGeocoder({self.index!r})"

    forkable = True

    def _after_fork(self) -> None:
        self.index.reopen()
        self._streets._after_fork()

    # ---------------------------------------------------------------- commune scope
    def _numbers_of(self, citycode: str) -> dict[int, Numbers]:
        """House numbers of a commune (read once): sid → {(numero, rep): (id, lon, lat, x, y)}."""
        numbers = self._numbers.get(citycode)
        if numbers is None:
            numbers = self._numbers[citycode] = self.index.house_numbers(citycode)
        return numbers

    def find_streets(self, name: str, citycode: str | None = None, limit: int = 5) -> pd.DataFrame:
        """Streets whose name is closest to ``name`` (fuzzy), with a ``score`` column.

        Examples
        --------
        >>> from ortgeo.testing import synthetic_ban_index
        >>> g = BanLocalGeocoder(synthetic_ban_index(n_rows=300))
        >>> g.find_streets("bd basly", limit=1)["name"].tolist()
        ['Boulevard Émile Basly']
        """
        scope = (citycode,) if citycode else None
        matches = self._streets.match(normalize(name), scope)[:limit]
        df = self.index.streets().set_index("sid").loc[[sid for sid, _ in matches]].reset_index()
        df["score"] = [score for _, score in matches]
        return df

    def street_points(self, citycode: str, street_id: str) -> tuple[np.ndarray, np.ndarray] | None:
        """WGS84 positions (``lon``, ``lat`` arrays) of every numbered address of a street
        (its BAN id, e.g. a ``street`` match's ``id``), None when it has none; read from
        the open index, once per commune.

        Examples
        --------
        >>> from ortgeo.testing import synthetic_ban_index
        >>> g = BanLocalGeocoder(synthetic_ban_index(n_rows=300))
        >>> r = g.geocode("rue de la gare, lens", type="street")
        >>> lon, lat = g.street_points(r.citycode, r.id)
        >>> len(lon) > 10
        True
        """
        sids = self._street_ids.get(citycode)
        if sids is None:
            st = self._streets
            st.load((citycode,) if citycode in st.communes else ())
            commune = st.communes.get(citycode)
            sids = self._street_ids[citycode] = (
                {st.voie[sid]: sid for sid in commune.sids} if commune else {}
            )
        sid = sids.get(street_id)
        numbers = self._numbers_of(citycode).get(sid, _NO_NUMBERS) if sid is not None else None
        if not numbers:
            return None
        points = list(numbers.values())
        return np.array([p[1] for p in points]), np.array([p[2] for p in points])

    # ---------------------------------------------------------------- results
    def _result(
        self, query: str, sid: int, score: float, number: int | None, suffix: str, want: str | None
    ) -> GeocodeResult:
        return GeocodeResult._from_fields(self._fields(query, sid, score, number, suffix, want))

    def _fields(
        self, query: str, sid: int, score: float, number: int | None, suffix: str, want: str | None
    ) -> dict[str, Any]:
        """The fields of the result for street ``sid`` (number looked up), as a dict."""
        st = self._streets
        commune = st.communes[st.city[sid]]
        street, postcode = st.name[sid], st.postcode[sid]
        if number is not None and want != "street":
            numbers = self._numbers_of(commune.citycode).get(sid, _NO_NUMBERS)
            hit, factor, note = find_number(numbers, number, suffix)
            if hit is not None:
                (aid, lon, lat, x, y), rep = hit
                return {
                    "query": query, "status": "ok", "street": street, "postcode": postcode,
                    "citycode": commune.citycode, "city": commune.name, "provider": self.name,
                    "label": format_label(number, rep, street, postcode, commune.name),
                    "score": round(score * factor, 4), "match_type": "housenumber",
                    "housenumber": f"{number}{rep}", "id": aid,
                    "lon": lon, "lat": lat, "x": x, "y": y, "note": note,
                }  # fmt: skip
            score *= NUMBER_MISSING if score >= 0.95 else NUMBER_MISSING_FUZZY
            note = (
                f"housenumber {number}{suffix} not found in {street}: "
                "positioned at the street's representative point"
            )
        else:
            note = None
        lon, lat, x, y = st.pos[sid]
        return {
            "query": query, "status": "ok", "street": street, "postcode": postcode,
            "citycode": commune.citycode, "city": commune.name, "provider": self.name,
            "label": format_label(None, "", street, postcode, commune.name),
            "score": round(score, 4), "match_type": "street", "id": st.voie[sid],
            "lon": lon, "lat": lat, "x": x, "y": y, "note": note,
        }  # fmt: skip

    def _municipality(self, query: str, citycode: str, score: float) -> GeocodeResult:
        st = self._streets
        c = st.communes[citycode]
        return GeocodeResult(
            query=query, status="ok", label=c.name, score=score, match_type="municipality",
            postcode=c.postcodes[0], citycode=c.citycode, city=c.name, id=c.citycode,
            lon=c.lon, lat=c.lat, provider=self.name,
        )  # fmt: skip

    def _geocode(
        self, text: str, citycode: str | None, postcode: str | None, type: str | None, limit: int
    ) -> GeocodeResult:
        """The line as written; when it is not found exactly and an OCR may have confused
        letters and digits in it, its other readings (:func:`ocr_readings`) too, the best
        kept. A reading must do clearly better than the line as written, stay in the
        communes the line names, and, for ``rn``/``m`` swaps (tried only when the street is
        not found), match a street name exactly: an OCR reading never adds a typo's guess."""
        result, scope = self._search(text, parse_address(text), citycode, postcode, type, limit)
        if result.ok and result.score >= EXACT:
            return result
        tries = [(reading, OCR_MARGIN) for reading in ocr_readings(text)]
        if not result.ok and (result.note or "").startswith("no street like"):
            tries += [(reading, OCR_EXACT) for reading in ocr_readings(text, letters=True)]
        for reading, needed in tries:
            other, _ = self._search(text, parse_address(reading), citycode, postcode, type, limit)
            if (
                other.ok
                and other.score >= max(result.score + OCR_MARGIN, needed)
                and (scope is None or other.citycode in scope)
            ):
                result = other.replace(note="; ".join(
                    n for n in (other.note, f"read as {reading!r} (OCR)") if n))  # fmt: skip
                if result.score >= EXACT:
                    break
        return result

    def _search(
        self,
        text: str,
        parsed: ParsedAddress,
        citycode: str | None,
        postcode: str | None,
        type: str | None,
        limit: int,
    ) -> tuple[GeocodeResult, Scope]:
        """Find the commune scope, match the street, then the number; the answer and the
        communes searched (None: all)."""
        st = self._streets
        pc = postcode or parsed.postcode
        city = parsed.city
        if city is not None and not st.city_scope(city) and pc:
            city = None  # "Lens Cedex", a locality: the postcode decides
        named: tuple[str, ...] = ()
        if city is None:  # "LENS - 12 rue X", "12 rue X Résidence Y Loison 62218"
            named = st.find_city(parsed.lead) or st.find_city(parsed.tail)
        scope, why, factor, scope_note = st.scope(citycode, pc, city, named)
        if scope == () or (scope is None and parsed.city and not pc):
            why = why or f"'{parsed.city}' is not a commune of the index"
            return GeocodeResult(text, "not-found", provider=self.name, note=why), scope
        norm = normalize(parsed.street)
        attempts: list[tuple[str, tuple[str, ...] | None]] = []
        stripped = st.strip_city(norm)
        if stripped is not None:
            codes = stripped[1] if scope is None else tuple(c for c in stripped[1] if c in scope)
            if codes and (stripped[0] or parsed.housenumber is None):
                attempts.append((stripped[0], codes))
        attempts.append((norm, scope))
        if parsed.tail:  # the street may go on where a residence seemed to start
            attempts.append((normalize(f"{parsed.street} {parsed.tail}"), scope))
        best: list[tuple[int, float]] = []
        for street_norm, street_scope in attempts:
            if not street_norm:  # only a commune name
                if type in (None, "municipality") and street_scope and len(street_scope) == 1:
                    return self._municipality(text, street_scope[0], 1.0), scope
                continue
            if type == "municipality":
                continue
            matches = st.match(street_norm, street_scope)
            if matches and (not best or matches[0][1] > best[0][1]):
                best = matches
            if best and best[0][1] >= 0.9:
                break
        if type == "municipality" and scope and len(scope) == 1 and not norm:
            return self._municipality(text, scope[0], 1.0), scope
        if not best or best[0][1] < ACCEPT or type == "locality":
            where = ""
            if scope:
                where = " in " + ", ".join(st.communes[c].name for c in scope)
            return GeocodeResult(
                text, "not-found", provider=self.name,
                note=f"no street like {parsed.street!r}{where}" if parsed.street else "empty query",
            ), scope  # fmt: skip
        # best first: an alternative below CANDIDATE_MIN (and all after it) is never listed
        shown = [
            (sid, score)
            for i, (sid, score) in enumerate(best[: max(1, min(limit, 5)) + 1])
            if i == 0 or score >= CANDIDATE_MIN
        ]
        # fields first, each result built once
        fields = [
            self._fields(text, sid, score, parsed.housenumber, parsed.suffix, type)
            for sid, score in shown
        ]
        first = fields[0]
        if type == "housenumber" and first["match_type"] != "housenumber":
            return GeocodeResult(text, "not-found", provider=self.name, note=first["note"]), scope
        listed = [(i, f) for i, f in enumerate(fields[1:], 1) if f["score"] >= CANDIDATE_MIN]
        score, note = first["score"], first["note"]
        if factor != 1.0:
            score = round(score * factor, 4)
            note = "; ".join(n for n in (note, scope_note) if n)
        twins = [
            i for i, f in listed
            if f["citycode"] != first["citycode"] and st.core[best[0][0]] == st.core[best[i][0]]
            and f["score"] >= first["score"] - 0.02
        ]  # fmt: skip
        if not twins:  # the same street, as good, further down the list (many communes)?
            twin_sid = self._twin_further(best, len(shown), first, parsed)
            if twin_sid is not None:
                fields.append(self._fields(text, twin_sid, best[0][1], parsed.housenumber,
                                           parsed.suffix, type))  # fmt: skip
                listed.insert(0, (len(fields) - 1, fields[-1]))
                twins = [len(fields) - 1]
        if twins:  # same street, as good, elsewhere: never a coin toss (nor for the twins)
            score = round(min(score, AMBIGUOUS), 4)
            twin = fields[twins[0]]
            note = (
                f"ambiguous: {first['street']} exists in {first['city']} and "
                f"{twin['city']}; give the city or the postcode"
            )
            for i in twins:
                fields[i] = {**fields[i], "score": round(min(fields[i]["score"], AMBIGUOUS), 4),
                             "note": note}  # fmt: skip
            listed = [(i, fields[i]) for i, _ in listed]
        others = tuple(GeocodeResult._from_fields(f) for _, f in listed)
        return GeocodeResult._from_fields({
            **first, "score": score, "note": note, "candidates": others[: min(limit, 5)],
            "score_next": others[0].score if others else None,
        }), scope  # fmt: skip

    def _twin_further(
        self,
        best: list[tuple[int, float]],
        shown: int,
        first: dict[str, Any],
        parsed: ParsedAddress,
    ) -> int | None:
        """A street of another commune, with the name of the best and as good, that lies
        beyond the alternatives listed (a name many communes share) and has the number
        asked (or any street so, when the number is not asked): the best is then a coin
        toss."""
        st = self._streets
        top, core = best[0][1], st.core[best[0][0]]
        tied = [
            sid for sid, score in best[shown:]
            if score >= top - 0.02 and st.core[sid] == core and st.city[sid] != first["citycode"]
        ]  # fmt: skip
        if not tied:
            return None
        if parsed.housenumber is None or first["match_type"] != "housenumber":
            return tied[0]
        rep = first["housenumber"][len(str(parsed.housenumber)) :]
        found = self.index.streets_with_number(tied, parsed.housenumber, rep)
        return found[0] if found else None

    def reverse(self, lon: float, lat: float) -> GeocodeResult:
        """The numbered address nearest to a WGS84 point.

        ``score`` falls from 1 (on the point) to 0.5 at 50 m; ``note`` gives the distance.
        """
        if self._reverse_arrays is None:
            self._streets.load(None)  # the nearest address may be in any commune
            rows = self.index._db.execute("SELECT x, y, sid, numero, rep FROM addresses")
            data = rows.fetchall()
            self._reverse_arrays = (
                np.array([r[0] for r in data]), np.array([r[1] for r in data]),
                np.array([r[2] for r in data]), [(r[3], r[4]) for r in data],
            )  # fmt: skip
        xs, ys, sids, numbers = self._reverse_arrays
        x, y = to_l93_xy(np.array([lon], dtype=float), np.array([lat], dtype=float))
        d2 = (xs - x[0]) ** 2 + (ys - y[0]) ** 2
        i = int(np.argmin(d2))
        dist = float(np.sqrt(d2[i]))
        number, rep = numbers[i]
        res = self._result(f"{lon},{lat}", int(sids[i]), 1.0, number, rep, None)
        return res.replace(score=round(1.0 / (1.0 + dist / 50.0), 4), note=f"{dist:.0f} m away")

    def suggest(self, text: str, *, limit: int = 5) -> list[GeocodeResult]:
        """Addresses whose street (and commune) words start like the words typed.

        Every word typed but the last must be a word of the street, its commune or its
        postcode; the last may be the start of one. A leading house number is looked up
        on each street found (the street itself is suggested when it lacks the number).
        Longer streets come first.

        Examples
        --------
        >>> from ortgeo.testing import synthetic_ban_index
        >>> g = BanLocalGeocoder(synthetic_ban_index(n_rows=400))
        >>> [r.label for r in g.suggest("3 rue de la ga", limit=1)]
        ['3 Rue de la Gare 62300 Lens']
        """
        st = self._streets
        parsed = parse_address(text)
        words = normalize(text).split()
        if words and parsed.housenumber is not None and words[0][:1].isdigit():
            words = words[1:]
        if not words:
            return []
        if self._suggest_words is None:
            st.load(None)  # every street
            by_word: dict[str, set[int]] = {}
            for sid, norm in enumerate(st.norm):  # the streets table's, in sid order
                commune = st.communes[st.city[sid]]
                for word in {*norm.split(), *normalize(commune.name).split(), st.postcode[sid]}:
                    by_word.setdefault(word, set()).add(sid)
            self._suggest_words = (sorted(by_word), by_word)
        vocabulary, by_word = self._suggest_words
        last = words[-1]
        start = bisect.bisect_left(vocabulary, last)
        sids: set[int] = set()
        for word in vocabulary[start:]:
            if not word.startswith(last):
                break
            sids |= by_word[word]
        for word in words[:-1]:
            sids &= by_word.get(word, set())
        best = sorted(sids, key=lambda sid: (-st.n[sid], st.name[sid]))[: max(1, limit)]
        return [
            self._result(text, sid, 1.0, parsed.housenumber, parsed.suffix, None) for sid in best
        ]

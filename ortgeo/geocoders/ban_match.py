"""Street matching of the offline BAN geocoder: the streets held in memory, the communes a
query names (citycode, postcode, city), and the streets closest to a street text.

:class:`StreetTable` loads the ``streets`` and ``communes`` of a
:class:`~ortgeo.geocoders.ban_store.BanIndex` once; :meth:`StreetTable.match` finds the
candidates (a rapidfuzz prefilter inside the commune scope plus the streets sharing a word)
and scores them with :func:`~ortgeo.geocoders.ban_scores.street_similarity`.
"""

from __future__ import annotations

import dataclasses
import functools

from rapidfuzz import fuzz, process

from ortgeo.geocoders.ban_scores import POSTCODE_MISMATCH, street_similarity
from ortgeo.geocoders.ban_store import BanIndex
from ortgeo.geocoders.normalize import normalize, split_street

__all__ = ["Commune", "Scope", "StreetTable"]

_PREFILTER = 50  # rapidfuzz ratio (0-100) to keep a street as a candidate
_PREFILTER_LIMIT = 8

#: Communes to search (INSEE codes; ``None``: all of the index, ``()``: none).
Scope = tuple[str, ...] | None


@dataclasses.dataclass
class Commune:
    """A commune of the index with its streets (ids and identifying cores)."""

    citycode: str
    name: str
    postcodes: tuple[str, ...]
    lon: float
    lat: float
    sids: list[int]
    cores: list[str]


class StreetTable:
    """The streets and communes of an index, in memory, and the street matching.

    Parameters
    ----------
    index : BanIndex
        The index to load.

    Examples
    --------
    >>> from ortgeo.testing import synthetic_ban_index
    >>> table = StreetTable(BanIndex(synthetic_ban_index(n_rows=300)))
    >>> sid, score = table.match("boulevard basly", None)[0]
    >>> table.name[sid], score
    ('Boulevard Émile Basly', 0.9)
    """

    def __init__(self, index: BanIndex) -> None:
        st = index.streets()
        self.name: list[str] = st["name"].tolist()
        self.kind: list[str] = st["kind"].tolist()
        self.core: list[str] = st["core"].tolist()
        self.city: list[str] = st["citycode"].tolist()
        self.postcode: list[str] = st["postcode"].tolist()
        self.voie: list[str] = st["voie_id"].tolist()
        self.n: list[int] = st["n_numbers"].tolist()
        self.pos: list[tuple[float, float, float, float]] = list(
            zip(st["lon"], st["lat"], st["x"], st["y"], strict=True)
        )
        self.communes: dict[str, Commune] = {}
        for row in index.communes().itertuples(index=False):
            self.communes[str(row.citycode)] = Commune(
                str(row.citycode), str(row.name), tuple(str(row.postcodes).split(",")),
                float(row.lon), float(row.lat), [], [],  # type: ignore[arg-type]
            )  # fmt: skip
        for sid, (code, core) in enumerate(zip(self.city, self.core, strict=True)):
            self.communes[code].sids.append(sid)
            self.communes[code].cores.append(core)
        self.by_postcode: dict[str, list[str]] = {}
        self.by_city_norm: dict[str, list[str]] = {}
        for c in self.communes.values():
            for pc in c.postcodes:
                self.by_postcode.setdefault(pc, []).append(c.citycode)
            self.by_city_norm.setdefault(normalize(c.name), []).append(c.citycode)
        self.city_norms = list(self.by_city_norm)
        self._max_city_words = max((len(n.split()) for n in self.city_norms), default=0)
        self.tokens: dict[str, list[int]] = {}
        self.city_tokens: dict[tuple[str, str], list[int]] = {}  # (word, citycode) → sids
        for sid, core in enumerate(self.core):
            for tok in set(core.split()):
                self.tokens.setdefault(tok, []).append(sid)
                self.city_tokens.setdefault((tok, self.city[sid]), []).append(sid)
        self.match = functools.lru_cache(maxsize=50_000)(self._match)
        self.city_scope = functools.lru_cache(maxsize=10_000)(self._city_scope)

    # ---------------------------------------------------------------- commune scope
    def _city_scope(self, city: str) -> list[str]:
        """Communes named ``city``: exactly, by a close spelling, or by their first words
        (``"Eleu"`` for Éleu-dit-Leauwette) when only one commune starts so."""
        norm = normalize(city)
        if not norm:
            return []
        if norm in self.by_city_norm:
            return self.by_city_norm[norm]
        best = process.extractOne(norm, self.city_norms, scorer=fuzz.ratio, score_cutoff=85)
        if best:
            return self.by_city_norm[best[0]]
        starts = [n for n in self.city_norms if n.startswith(norm + " ") and len(norm) >= 4]
        return self.by_city_norm[starts[0]] if len(starts) == 1 else []

    def scope(
        self, citycode: str | None, postcode: str | None, city: str | None
    ) -> tuple[Scope, str | None, float, str | None]:
        """Communes to search (None: all), why the answer is "none", a score factor and a
        note when the postcode and the city disagree.

        A named city that exists narrows the search to it, even when its postcode is shared
        (Lens and Éleu-dit-Leauwette share 62300); a postcode that is not the city's lowers
        the score and says so.
        """
        if citycode:
            if citycode not in self.communes:
                return (), f"commune {citycode} is not in the index", 1.0, None
            return (citycode,), None, 1.0, None
        by_pc = set(self.by_postcode.get(postcode, ())) if postcode else set()
        by_city = set(self.city_scope(city)) if city else set()
        if by_city and by_pc:
            both = by_city & by_pc
            if both:
                return tuple(sorted(both)), None, 1.0, None
            names = ", ".join(self.communes[c].name for c in sorted(by_city))
            note = f"postcode {postcode} is not the one of {names}: searched in {names}"
            return tuple(sorted(by_city)), None, POSTCODE_MISMATCH, note
        if by_city or by_pc:
            return tuple(sorted(by_city or by_pc)), None, 1.0, None
        if postcode:
            return (), f"postcode {postcode} is not one of the index", 1.0, None
        return None, None, 1.0, None

    def strip_city(self, norm: str) -> tuple[str, tuple[str, ...]] | None:
        """``"rue de la gare lens"`` → ``("rue de la gare", ("62498",))`` (longest name)."""
        words = norm.split()
        for k in range(min(self._max_city_words, len(words)), 0, -1):
            tail = " ".join(words[-k:])
            if tail in self.by_city_norm:
                return " ".join(words[:-k]), tuple(self.by_city_norm[tail])
        return None

    # ---------------------------------------------------------------- street matching
    def candidates(self, core: str, scope: Scope) -> set[int]:
        """Streets worth scoring: the closest cores in the scope and those sharing a word."""
        cores: list[str]
        sids: list[int] | range
        if scope is None:
            cores, sids = self.core, range(len(self.core))
        elif len(scope) == 1:
            c = self.communes[scope[0]]
            cores, sids = c.cores, c.sids
        else:
            sids = [s for code in scope for s in self.communes[code].sids]
            cores = [self.core[s] for s in sids]
        found = process.extract(
            core, cores, scorer=fuzz.ratio, limit=_PREFILTER_LIMIT, score_cutoff=_PREFILTER
        )
        out = {sids[i] for _, _, i in found}
        for tok in core.split():
            if len(tok) < 3:
                continue
            if scope is None:
                out.update(self.tokens.get(tok, ()))
            else:
                for code in scope:
                    out.update(self.city_tokens.get((tok, code), ()))
        return out

    def _match(self, norm: str, scope: Scope) -> list[tuple[int, float]]:
        """Streets matching a normalised street text, best first, with scores in [0, 1]."""
        kind, core = split_street(norm)
        if not core:
            return []
        q_tokens = core.split()
        scored = [
            (sid, street_similarity(kind, core, q_tokens, self.kind[sid], self.core[sid]))
            for sid in self.candidates(core, scope)
        ]
        # ties: the longer street (more numbers) first, then by id for determinism
        scored.sort(key=lambda t: (-t[1], -self.n[t[0]], t[0]))
        return scored

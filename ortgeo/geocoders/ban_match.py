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
import math
import threading

from rapidfuzz import fuzz, process

from ortgeo.geocoders.ban_scores import (
    CANDIDATE_MIN,
    CONNECTOR_MISMATCH,
    POSTCODE_MISMATCH,
    connector_conflict,
    street_similarity,
)
from ortgeo.geocoders.ban_store import BanIndex
from ortgeo.geocoders.normalize import normalize, place_key, split_street
from ortgeo.geocoders.parse import strip_departement
from ortgeo.geocoders.vocabulary import STOP_WORDS

__all__ = ["Commune", "Scope", "StreetTable"]

_PREFILTER = 50  # rapidfuzz ratio (0-100) to keep a street as a candidate
_PREFILTER_LIMIT = 8
_KEEP = 8  # streets a match returns at least (more when names tie)
SAME_CORE = 0.99  # the same words as a street, but not its small words ("rue Paris")

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


def _departement(citycode: str) -> str:
    """The first two digits of the postcodes of a commune's département (Corsica: 20)."""
    return "20" if citycode[:2] in ("2A", "2B") else citycode[:2]


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
        # the streets are read commune by commune, when a search first needs one (one
        # address in one commune reads a few dozen streets, not the whole index), or all
        # at once for a search in every commune; the lists are indexed by sid
        self._index = index
        self._lock = threading.Lock()
        self._loaded: set[str] = set()
        self._all = False
        size = index.street_count()
        nan = math.nan
        self.name: list[str] = [""] * size
        self.norm: list[str] = [""] * size
        self.kind: list[str] = [""] * size
        self.core: list[str] = [""] * size
        self.city: list[str] = [""] * size
        self.postcode: list[str] = [""] * size
        self.voie: list[str] = [""] * size
        self.n: list[int] = [0] * size
        self.pos: list[tuple[float, float, float, float]] = [(nan, nan, nan, nan)] * size
        self.communes: dict[str, Commune] = {}
        for code, name, postcodes, lon, lat in index.commune_rows():
            self.communes[str(code)] = Commune(
                str(code), str(name), tuple(str(postcodes).split(",")), float(lon), float(lat),
                [], [],
            )  # fmt: skip
        self.by_postcode: dict[str, list[str]] = {}
        self.by_city_norm: dict[str, list[str]] = {}
        self.by_city_key: dict[str, list[str]] = {}  # name without its small words
        prefixes: dict[str, set[str]] = {}  # the first words of a name
        for c in self.communes.values():
            for pc in c.postcodes:
                self.by_postcode.setdefault(pc, []).append(c.citycode)
            norm = normalize(c.name)
            self.by_city_norm.setdefault(norm, []).append(c.citycode)
            self.by_city_key.setdefault(place_key(norm), []).append(c.citycode)
            words = norm.split()
            for k in range(1, len(words)):
                if words[k - 1] not in STOP_WORDS and len(words[k - 1]) >= 3:
                    prefixes.setdefault(" ".join(words[:k]), set()).add(c.citycode)
        #: "loison" → Loison-sous-Lens: the first words of exactly one commune's name
        #: (and not another commune's whole name)
        self.by_city_prefix: dict[str, list[str]] = {
            key: sorted(codes) for key, codes in prefixes.items()
            if len(codes) == 1 and key not in self.by_city_norm and len(key) >= 4
        }  # fmt: skip
        self.city_norms = list(self.by_city_norm)
        self._max_city_words = max((len(n.split()) for n in self.city_norms), default=0)
        # the last word of every name a commune may be written as (a quick test first)
        self._city_last_words = {
            key.split()[-1] for names in (self.by_city_norm, self.by_city_prefix)
            for key in names
        } | {key.split()[-1] for key in self.by_city_key if key}  # fmt: skip
        # the words of the street cores, by commune and over the whole index: built on
        # first use (one address in one commune needs only that commune's)
        self._city_tokens: dict[str, dict[str, list[int]]] = {}
        self.match = functools.lru_cache(maxsize=50_000)(self._match)
        self.city_scope = functools.lru_cache(maxsize=10_000)(self._city_scope)

    def load(self, citycodes: Scope) -> None:
        """Read the streets of these communes (``None``: of every commune), once.

        Examples
        --------
        >>> from ortgeo.testing import synthetic_ban_index
        >>> table = StreetTable(BanIndex(synthetic_ban_index(n_rows=300, n_communes=3)))
        >>> table.communes["62498"].sids
        []
        >>> table.load(("62498",))
        >>> len(table.communes["62498"].sids) > 0, table.name[table.communes["62498"].sids[0]]
        (True, 'Place Jean Jaurès')
        """
        if self._all or (citycodes is not None and self._loaded.issuperset(citycodes)):
            return
        with self._lock:
            todo = None if citycodes is None else sorted(set(citycodes) - self._loaded)
            if self._all or todo == []:
                return
            rows = self._index.street_rows(todo)
            sids = rows["sid"]
            for attr, col in (("name", "name"), ("norm", "norm"), ("kind", "kind"),
                              ("core", "core"), ("city", "citycode"), ("postcode", "postcode"),
                              ("voie", "voie_id"), ("n", "n_numbers")):  # fmt: skip
                values = getattr(self, attr)
                for sid, value in zip(sids, rows[col], strict=True):
                    values[sid] = value
            for sid, *pos in zip(sids, rows["lon"], rows["lat"], rows["x"], rows["y"],
                                 strict=True):  # fmt: skip
                self.pos[sid] = tuple(pos)
            by_commune: dict[str, tuple[list[int], list[str]]] = {
                code: ([], []) for code in (todo if todo is not None else self.communes)
            }
            for sid, code, core in zip(sids, rows["citycode"], rows["core"], strict=True):
                by_commune[code][0].append(sid)  # in sid order, as the table
                by_commune[code][1].append(core)
            for code, (commune_sids, cores) in by_commune.items():
                commune = self.communes.get(code)
                if commune is not None:  # shown whole, once filled (threads)
                    commune.sids, commune.cores = commune_sids, cores
            self._loaded.update(by_commune)
            self._all = todo is None

    def _after_fork(self) -> None:
        self._lock = threading.Lock()  # never one held by a thread of the parent

    def city_tokens(self, citycode: str) -> dict[str, list[int]]:
        """The streets of a commune by the words of their cores (word → sids, in order).

        Examples
        --------
        >>> from ortgeo.testing import synthetic_ban_index
        >>> table = StreetTable(BanIndex(synthetic_ban_index(n_rows=300)))
        >>> [table.name[sid] for sid in table.city_tokens("62498")["gare"]]
        ['Rue de la Gare']
        """
        tokens = self._city_tokens.get(citycode)
        if tokens is None:  # filled, then shown (threads never see half of it)
            self.load((citycode,))
            tokens = {}
            c = self.communes[citycode]
            for sid, core in zip(c.sids, c.cores, strict=True):
                for tok in set(core.split()):
                    tokens.setdefault(tok, []).append(sid)
            self._city_tokens[citycode] = tokens
        return tokens

    # the index as a whole, by distinct street name (the same name in many communes is
    # scored once): name → its streets, and the names of each word
    @functools.cached_property
    def norm_sids(self) -> dict[str, list[int]]:
        """Each distinct normalised street name → its streets (sids, in order)."""
        self.load(None)
        out: dict[str, list[int]] = {}
        for sid, norm in enumerate(self.norm):
            out.setdefault(norm, []).append(sid)
        return out

    @functools.cached_property
    def _norms(self) -> list[str]:
        return list(self.norm_sids)

    @functools.cached_property
    def _norm_cores(self) -> list[str]:
        return [self.core[sids[0]] for sids in self.norm_sids.values()]

    @functools.cached_property
    def token_norms(self) -> dict[str, list[int]]:
        """Each word of a core → the distinct names (positions in ``_norms``) having it."""
        out: dict[str, list[int]] = {}
        for i, core in enumerate(self._norm_cores):
            for tok in set(core.split()):
                out.setdefault(tok, []).append(i)
        return out

    # ---------------------------------------------------------------- commune scope
    def _city_scope(self, city: str) -> list[str]:
        """Communes named ``city``: exactly, without their small words (``Loison s/s
        Lens``, ``Éleu Leauwette``), by their first words when only one commune starts so
        (``Loison``, ``Eleu``), or by a close spelling (``Lievin``, ``Lenss``)."""
        norm = normalize(strip_departement(city))
        if not norm:
            return []
        found = self._city_named(norm)
        if found:
            return found
        best = process.extractOne(norm, self.city_norms, scorer=fuzz.ratio, score_cutoff=85)
        return self.by_city_norm[best[0]] if best else []

    def _city_named(self, norm: str) -> list[str]:
        """Communes whose name is ``norm`` (normalised): exactly, without its small words,
        or as the first words of one commune's name."""
        return (
            self.by_city_norm.get(norm)
            or self.by_city_key.get(place_key(norm))
            or self.by_city_prefix.get(norm)
            or []
        )

    def find_city(self, text: str | None) -> tuple[str, ...]:
        """Communes named by ``text`` as a whole, or by its last words (``"Cité des Fleurs
        Vireux-Wallerand"``); ``()`` when none.

        Examples
        --------
        >>> from ortgeo.testing import synthetic_ban_index
        >>> table = StreetTable(BanIndex(synthetic_ban_index(n_rows=300, extra_citycodes=["62523"],
        ...                                                  n_communes=2)))
        >>> table.find_city("Loison s/s Lens"), table.find_city("Résidence X Loison")
        (('62523',), ('62523',))
        """
        if not text:
            return ()
        whole = self.city_scope(text)
        if whole:
            return tuple(whole)
        stripped = self.strip_city(normalize(strip_departement(text)))
        return stripped[1] if stripped is not None else ()

    def scope(
        self,
        citycode: str | None,
        postcode: str | None,
        city: str | None,
        named: tuple[str, ...] = (),
    ) -> tuple[Scope, str | None, float, str | None]:
        """Communes to search (None: all), why the answer is "none", a score factor and a
        note when the postcode and the city disagree.

        A named city that exists (``city``, or the communes ``named`` elsewhere in the
        line) narrows the search to it, even when its postcode is shared (Lens and
        Éleu-dit-Leauwette share 62300); a postcode of another commune lowers the score and
        says so. A postcode that is no commune's (a CEDEX code) leaves the city to decide,
        unless it is of another département.
        """
        if citycode:
            if citycode not in self.communes:
                return (), f"commune {citycode} is not in the index", 1.0, None
            return (citycode,), None, 1.0, None
        by_pc = set(self.by_postcode.get(postcode, ())) if postcode else set()
        by_city = set(self.city_scope(city)) if city else set(named)
        if by_city and postcode:
            both = by_city & by_pc
            if both:
                return tuple(sorted(both)), None, 1.0, None
            codes = tuple(sorted(by_city))
            if not by_pc and any(_departement(c) == postcode[:2] for c in codes):
                return codes, None, 1.0, None  # a CEDEX code of the commune
            names = ", ".join(self.communes[c].name for c in codes)
            note = f"postcode {postcode} is not the one of {names}: searched in {names}"
            return codes, None, POSTCODE_MISMATCH, note
        if by_city or by_pc:
            return tuple(sorted(by_city or by_pc)), None, 1.0, None
        if postcode:
            return (), f"postcode {postcode} is not one of the index", 1.0, None
        return None, None, 1.0, None

    def strip_city(self, norm: str) -> tuple[str, tuple[str, ...]] | None:
        """``"rue de la gare lens"`` → ``("rue de la gare", ("62498",))``: the longest
        commune name (or short form, see :meth:`_city_named`) ending the text."""
        words = norm.split()
        if not words or words[-1] not in self._city_last_words:
            return None
        for k in range(min(self._max_city_words, len(words)), 0, -1):
            found = self._city_named(" ".join(words[-k:]))
            if found:
                return " ".join(words[:-k]), tuple(found)
        return None

    # ---------------------------------------------------------------- street matching
    def candidates(self, core: str, scope: Scope) -> list[list[int]]:
        """Streets worth scoring, grouped by name: the closest cores in the scope and those
        sharing a word (the whole index: by distinct name, each with all its streets)."""
        if scope is None:
            found = process.extract(core, self._norm_cores, scorer=fuzz.ratio,
                                    limit=_PREFILTER_LIMIT, score_cutoff=_PREFILTER)  # fmt: skip
            names = {i for _, _, i in found}
            for tok in core.split():
                if len(tok) >= 3:
                    names.update(self.token_norms.get(tok, ()))
            return [self.norm_sids[self._norms[i]] for i in names]
        cores: list[str]
        sids: list[int]
        if len(scope) == 1:
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
            if len(tok) >= 3:
                for code in scope:
                    out.update(self.city_tokens(code).get(tok, ()))
        groups: dict[str, list[int]] = {}
        for sid in out:
            groups.setdefault(self.norm[sid], []).append(sid)
        return list(groups.values())

    def _match(self, norm: str, scope: Scope) -> list[tuple[int, float]]:
        """Streets matching a normalised street text, best first, with scores in [0, 1]:
        the best few (every street of a name, and of the names that tie with the last one
        kept), those below :data:`CANDIDATE_MIN` only when nothing reaches it."""
        kind, core = split_street(norm)
        if not core:
            return []
        self.load(scope)
        q_tokens = core.split()
        groups: list[tuple[float, list[int]]] = []
        for sids in self.candidates(core, scope):
            first = sids[0]
            sim = street_similarity(kind, core, q_tokens, self.kind[first], self.core[first])
            if CANDIDATE_MIN <= sim < 1.0 and connector_conflict(norm, self.norm[first]):
                sim = round(sim * CONNECTOR_MISMATCH, 4)
            elif sim >= 1.0 and norm != self.norm[first]:
                sim = SAME_CORE  # "rue Sous Ligneul" is closer to itself than to "rue de Ligneul"
            groups.append((sim, sids))
        groups.sort(key=lambda g: -g[0])
        # the best names, with every street of a name and of a name as good (ties), until
        # _KEEP streets: what a caller ever lists
        scored: list[tuple[int, float]] = []
        for i, (sim, sids) in enumerate(groups):
            if scored and (
                sim < CANDIDATE_MIN or (len(scored) >= _KEEP and sim < groups[i - 1][0])
            ):
                break
            scored.extend((sid, sim) for sid in sids)
        # ties: the longer street (more numbers) first, then by id for determinism
        scored.sort(key=lambda t: (-t[1], -self.n[t[0]], t[0]))
        return scored

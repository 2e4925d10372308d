"""Administrative-division lookup over cpca's adcode table (pure; the table loads once, lazily).

cpca ships ``resources/adcodes.csv``: one row per province / prefecture / county with a 12-digit
adcode.  The hierarchy follows from the code: ``PP0000`` is a province, ``PPCC00`` a prefecture
(city level), anything else a county-level unit whose city is ``PPCC00`` and province ``PP0000``.
Placeholder rows (``市辖区``, ``县``, ``省直辖县级行政区划``) are not places: a county under one of
them belongs to the province directly (municipalities: the city is the municipality itself).

Nothing here reads a file at import time; the first call builds :class:`Gazetteer` and
``functools.cache`` keeps it for the life of the process.
"""

from __future__ import annotations

import csv
import importlib.util
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: Rows that stand for a grouping, not a place.
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
#: County-level names shorter than this ("藤县", "淇县", "郊区", "芒市") are *short*: they also occur
#: inside ordinary words ("主义县", "城区学校"), so a short name counts only where it stands on its own:
#: at the start of the text, after a non-CJK character, or right after another place name
#: ("马鞍山市和县", "锦州义县").
_MIN_NAME_LEN = 3
_MUNICIPALITIES = frozenset({"11", "12", "31", "50"})
_PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")
_CITY_SUFFIXES = ("地区", "市")


@dataclass(frozen=True, slots=True)
class Division:
    code: str  # 6 digits
    name: str

    @property
    def rank(self) -> int:
        """0 province, 1 city (prefecture level), 2 county level."""
        if self.code.endswith("0000"):
            return 0
        if self.code.endswith("00"):
            return 1
        return 2


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    text: str
    codes: tuple[str, ...]
    is_alias: bool


@dataclass(frozen=True, slots=True)
class Resolution:
    province: str | None = None
    city: str | None = None
    county: str | None = None
    code: str | None = None  # the most specific division resolved (6 digits)
    rank: int | None = None  # its rank: 0 province, 1 city, 2 county


class Gazetteer:
    def __init__(self, rows: list[tuple[str, str]]):
        self.by_code: dict[str, Division] = {}
        self.short: set[str] = set()  # short county-level names (see _MIN_NAME_LEN)
        names: dict[str, list[str]] = defaultdict(list)
        aliases: dict[str, list[str]] = defaultdict(list)
        for adcode, name in rows:
            code = adcode[:6]
            if name in _PLACEHOLDERS:
                continue
            div = Division(code, name)
            self.by_code[code] = div
            names[name].append(code)
            if len(name) < _MIN_NAME_LEN and div.rank == 2:
                self.short.add(name)
            alias = _alias(name, div.rank)
            if alias and alias != name:
                aliases[alias].append(code)
        self.names = {k: tuple(v) for k, v in names.items()}
        self.short -= {k for k, v in names.items() if any(self.by_code[c].rank < 2 for c in v)}
        # An alias never shadows a full name ("吉林" is an alias, "吉林市"/"吉林省" are names).
        self.aliases = {k: tuple(v) for k, v in aliases.items() if k not in self.names}
        index: dict[str, list[tuple[str, bool]]] = defaultdict(list)
        for name in self.names:
            index[name[:2]].append((name, False))
        for alias in self.aliases:
            index[alias[:2]].append((alias, True))
        for entries in index.values():
            entries.sort(key=lambda e: (-len(e[0]), e[1]))
        self.index = dict(index)
        self.lengths = sorted({len(k) for k in self.names} | {len(k) for k in self.aliases}, reverse=True)

    # --- hierarchy ---------------------------------------------------------------------------

    def province_of(self, code: str) -> Division | None:
        return self.by_code.get(code[:2] + "0000")

    def city_of(self, code: str) -> Division | None:
        """The prefecture-level unit of a county (or the city itself); municipalities: themselves."""
        div = self.by_code.get(code)
        if div is None or div.rank == 0:
            return None
        if code[:2] in _MUNICIPALITIES:
            return self.province_of(code)
        return self.by_code.get(code[:4] + "00")

    def ancestors(self, code: str) -> list[Division]:
        out = []
        for div in (self.province_of(code), self.city_of(code)):
            if div is not None and div.code != code and div not in out:
                out.append(div)
        return out

    # --- matching ----------------------------------------------------------------------------

    def lookup(self, text: str, pos: int) -> tuple[str, tuple[str, ...], bool] | None:
        """The longest name or alias starting at ``pos``."""
        entries = self.index.get(text[pos : pos + 2])
        if not entries:
            return None
        for name, is_alias in entries:
            if text.startswith(name, pos):
                codes = self.aliases[name] if is_alias else self.names[name]
                return name, codes, is_alias
        return None

    def scan(self, text: str, aliases: bool = True) -> list[Mention]:
        """Every non-overlapping mention, leftmost-longest; linear in ``len(text)``."""
        out: list[Mention] = []
        i, n = 0, len(text)
        index = self.index
        last_end = 0  # end of the last name or alias seen (a short name may follow one)
        while i < n - 1:
            if text[i : i + 2] in index:
                hit = self.lookup(text, i)
                if hit is not None and hit[0] in self.short and not self._stands_alone(text, i, last_end):
                    hit = None
                if hit is not None:
                    last_end = i + len(hit[0])
                if hit is not None and (aliases or not hit[2]):
                    name, codes, is_alias = hit
                    out.append(Mention(i, i + len(name), name, codes, is_alias))
                    i += len(name)
                    continue
            i += 1
        return out

    def _stands_alone(self, text: str, start: int, after_name: int | None = None) -> bool:
        """Whether a short name at ``start`` is a place name there, not part of a word: at the start,
        after a non-CJK character, or right after another place name."""
        if start == 0 or not _is_cjk(text[start - 1]):
            return True
        if after_name is not None:
            return after_name == start
        for length in self.lengths:  # a name or alias ending at ``start``
            piece = text[max(0, start - length) : start]
            if (
                len(piece) == length
                and piece not in self.short
                and (piece in self.names or piece in self.aliases)
            ):
                return True
        return False

    def ending_at(self, text: str, end: int, aliases: bool = True) -> Mention | None:
        """The longest name (or alias) that ends exactly at ``end``."""
        for length in self.lengths:
            start = end - length
            if start < 0:
                continue
            piece = text[start:end]
            codes = self.names.get(piece)
            if codes and piece in self.short and not self._stands_alone(text, start):
                codes = None
            if codes:
                return Mention(start, end, piece, codes, False)
            if aliases:
                codes = self.aliases.get(piece)
                if codes:
                    return Mention(start, end, piece, codes, True)
        return None

    def chain_ending_at(self, text: str, end: int) -> list[Mention]:
        """Consecutive mentions ending at ``end`` ("杭州市滨江区" -> [杭州市, 滨江区])."""
        chain: list[Mention] = []
        while len(chain) < 3:
            m = self.ending_at(text, end, aliases=not chain)
            if m is None:
                break
            chain.insert(0, m)
            end = m.start
        return chain

    def mentions_of(self, div: Division, context: str) -> int:
        """How often the context names ``div`` (full name, plus its alias for provinces/cities)."""
        alias = _alias(div.name, div.rank)
        if alias and alias in self.aliases:
            return context.count(alias)  # every full-name occurrence contains the alias too
        return context.count(div.name)

    # --- resolution --------------------------------------------------------------------------

    def resolve(self, mentions: list[Mention], context: str = "") -> Resolution:
        """The most specific division the mentions agree on; ambiguous levels stay None.

        Mentions in ``mentions`` (usually those of the organ's name) vouch for each other;
        ``context`` (the report text) breaks remaining ties by counting ancestor names.
        """
        if not mentions:
            return Resolution()
        candidates: list[str] = []
        for m in mentions:
            candidates.extend(m.codes)
        mentioned = set(candidates)
        deepest = max(self.by_code[c].rank for c in candidates)
        best: list[tuple[int, int, str]] = []
        for code in dict.fromkeys(c for c in candidates if self.by_code[c].rank == deepest):
            ancestors = self.ancestors(code)
            vouched = sum(1 for a in ancestors if a.code in mentioned)
            # A mention that is neither this code nor one of its ancestors contradicts it.
            clash = any(
                not any(c == code or c in {a.code for a in ancestors} for c in m.codes) for m in mentions
            )
            if clash and not vouched:
                continue
            support = sum(self.mentions_of(a, context) for a in ancestors) if context else 0
            best.append((vouched, support, code))
        if not best:
            return Resolution()
        best.sort(reverse=True)
        top = [b for b in best if b[:2] == best[0][:2]]
        if len(top) == 1:
            return self._resolution(top[0][2])
        return self._common(sorted(b[2] for b in top))

    def _resolution(self, code: str) -> Resolution:
        div = self.by_code[code]
        province = self.province_of(code)
        city = self.city_of(code)
        return Resolution(
            province=province.name if province else None,
            city=city.name if city else None,
            county=div.name if div.rank == 2 else None,
            code=code,
            rank=div.rank,
        )

    def _common(self, codes: list[str]) -> Resolution:
        """What several equally likely divisions share (same name, so the county name is known)."""
        divs = [self.by_code[c] for c in codes]
        names = {d.name for d in divs}
        provinces = {self.province_of(c) for c in codes}
        cities = {self.city_of(c) for c in codes}
        province = provinces.pop() if len(provinces) == 1 else None
        city = cities.pop() if len(cities) == 1 else None
        rank = divs[0].rank
        return Resolution(
            province=province.name if province else None,
            city=city.name if city and rank >= 1 else None,
            county=divs[0].name if rank == 2 and len(names) == 1 else None,
            code=None,
            rank=rank,
        )


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _alias(name: str, rank: int) -> str | None:
    """The short form people write ("浙江", "杭州", "大兴安岭"); counties get none."""
    suffixes = _PROVINCE_SUFFIXES if rank == 0 else _CITY_SUFFIXES if rank == 1 else ()
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


def _adcodes_path() -> Path:
    spec = importlib.util.find_spec("cpca")  # locate the package without importing it (and pandas)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("cpca is not installed: it provides the administrative-division table")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


@cache
def gazetteer() -> Gazetteer:
    with _adcodes_path().open(encoding="utf-8", newline="") as fh:
        rows = [(r["adcode"], r["name"].strip()) for r in csv.DictReader(fh)]
    return Gazetteer(rows)


def resolve_name(text: str, context: str = "") -> Resolution:
    """Resolve the places named in ``text`` (e.g. an organ), using ``context`` for ties."""
    gaz = gazetteer()
    return gaz.resolve(gaz.scan(text), context)

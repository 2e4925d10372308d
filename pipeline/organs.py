"""organ_key: one stable key per issuing body across years, whatever name variant a report prints.

The key is the resolved place plus the body's name with the place stripped off and the aliases
real reports use folded together:

    淮安市洪泽区人民政府 (江苏省, 淮安市, 洪泽区)  ->  江苏省/淮安市/洪泽区/政府
    洪泽区人民政府       (江苏省, 淮安市, 洪泽区)  ->  江苏省/淮安市/洪泽区/政府

`organ` is already in simplified characters (traditional reports are converted first), so
traditional forms of a name meet here as their simplified spelling.
"""

from __future__ import annotations

import re

#: Name variants of one body, folded to one spelling (applied in order, after the place is stripped).
ALIASES: tuple[tuple[str, str], ...] = (
    ("人民政府", "政府"),  # 洪泽区人民政府 = 洪泽区政府
    ("办公厅", "办公室"),  # 省政府办公厅 = 省政府办公室 (provinces say 厅, the rest 室)
    ("管理委员会", "管委会"),  # 平潭综合实验区管理委员会 = 平潭综合实验区管委会
    ("委员会", "委"),  # 发展和改革委员会 = 发展和改革委
    ("街道办事处", "街道"),  # 中仓街道办事处 = 中仓街道
)

#: Suffixes whose removal gives the short name of a place (淮安市 -> 淮安), longest first.
_PLACE_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "地区", "省", "市", "区", "县", "盟", "旗")

_SPACE = re.compile(r"\s+")


def _short(place: str) -> str | None:
    for suffix in _PLACE_SUFFIXES:
        if place.endswith(suffix) and len(place) - len(suffix) >= 2:
            return place[: -len(suffix)]
    return None


def _strip_places(name: str, places: list[str]) -> str:
    """Drop leading place names (full or short, in any combination: 江苏省淮安市洪泽区…, 淮安洪泽区…)."""
    forms = sorted({f for p in places for f in (p, _short(p)) if f}, key=len, reverse=True)
    stripped = True
    while stripped:
        stripped = False
        for form in forms:
            if name.startswith(form) and len(name) > len(form):
                name, stripped = name[len(form) :], True
                break
    return name


def organ_key(organ: str | None, province: str | None, city: str | None, county: str | None) -> str | None:
    """`province/city/county/body` (empty where the place is unknown); None when no organ was read."""
    if not organ:
        return None
    places = [p for p in (province, city, county) if p]
    body = _strip_places(_SPACE.sub("", organ), places)
    for variant, canonical in ALIASES:
        body = body.replace(variant, canonical)
    return "/".join([province or "", city or "", county or "", body])

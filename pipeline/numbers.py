"""Numbers as report prose writes them: Arabic and Chinese numerals, 万/亿, 余/多/近/约, money in 元/万元.

Pure helpers. `QUANTITY_PATTERN` is regex text (named groups prefixed ``q_``) that the narrative
scanner embeds in its single token pattern; `quantity_from_match` turns such a match into a
`Quantity`. `find_quantities` and `parse_number` are the same logic for standalone use and tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- Chinese numerals ------------------------------------------------------------------------------

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,  # white circle, used for 零 in dates (二○一二年)
    "一": 1,
    "二": 2,
    "两": 2,  # 两件 = 2
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
CN_NUMERAL_CHARS = "".join(_CN_DIGITS) + "".join(_CN_SMALL_UNITS) + "".join(_CN_BIG_UNITS)


def parse_chinese_int(text: str) -> int | None:
    """`二十三` -> 23, `一百零五` -> 105, `一万二千` -> 12000, `二○一二` -> 2012 (digit by digit).

    None when the text holds anything but numeral characters, or only unit characters (`万`).
    """
    if not text or any(c not in CN_NUMERAL_CHARS for c in text):
        return None
    if not any(c in _CN_SMALL_UNITS or c in _CN_BIG_UNITS for c in text):
        value = 0
        for c in text:  # 二○一二 -> 2012; 三 -> 3
            value = value * 10 + _CN_DIGITS[c]
        return value
    if not any(c in _CN_DIGITS for c in text) and text[0] != "十":
        return None  # 万, 百千: a unit without a digit is not a count
    return _cn_value(text)


def _cn_value(text: str) -> int:
    for big in ("亿", "万"):  # split at the largest unit: 一亿二千万 = 1 * 亿 + 二千万
        head, sep, tail = text.rpartition(big)
        if sep:
            return (_cn_value(head) if head else 1) * _CN_BIG_UNITS[big] + (_cn_value(tail) if tail else 0)
    section = digit = 0
    for c in text:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        else:
            section += (digit or 1) * _CN_SMALL_UNITS[c]  # 十二: the leading 一 is implied
            digit = 0
    return section + digit


def parse_arabic(text: str) -> float | None:
    """`1,353` -> 1353, `22.5` -> 22.5; None for anything else."""
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


# --- quantities (a number with its multiplier, approximation and unit) ---------------------------

#: Units a metric can be counted in (requests, items, cases).
COUNT_UNITS = frozenset({"件", "件次", "条", "宗", "例", "起"})
MONEY_UNITS = frozenset({"元"})
PERCENT_UNITS = frozenset({"%", "‰"})
#: A number followed by these is a date or a document number, not a quantity.
DATE_UNITS = frozenset({"年", "月", "日", "号"})

_UNITS = (
    "件次|件|条|宗|例|起|元|%|‰|人次|次|个|项|场|期|篇|家|名|人|份|本|批|处|类|种|位|天|小时|分钟"
    "|户|所|台|套|册|年|月|日|号"
)
QUANTITY_UNITS = _UNITS  # regex text: every unit a quantity may carry
_CN_UNIT_AHEAD = "件|条|宗|例|起|元|人次|次|个|项"

#: Regex text for one quantity. Groups: q_pre (近/约…), q_ar or q_cn (the numeral), q_mult (万/亿),
#: q_post (余/多), q_mult2 (万 after 多: 200多万), q_unit. The unit may follow after spaces or one
#: line break (hard-wrapped PDF text: `不予公开答复 2\n件`).
QUANTITY_PATTERN = (
    r"(?P<q_pre>将近|大约|超过|近|约|逾)?"
    r"(?:(?<![\d.A-Za-z])(?P<q_ar>\d{1,3}(?:,\d{3})+(?=[万亿余多]?(?:件|条|元))|\d+(?:\.\d+)?)(?![\d])"
    rf"|(?<![第{CN_NUMERAL_CHARS}])(?P<q_cn>[{CN_NUMERAL_CHARS}]+)(?=[余多]?[万亿]?(?:{_CN_UNIT_AHEAD}))(?!件事|条龙|条街|条路|条心))"
    r"(?P<q_mult>[ \t]*[万亿])?"
    r"(?P<q_post>余|多)?"
    r"(?P<q_mult2>[万亿])?"
    rf"(?:[ \t]*\n?[ \t]*(?P<q_unit>{_UNITS}))?"
)
#: Regex character-class text of every character a quantity can start with (q_pre, a digit, a numeral):
#: a lookahead on it lets a search skip most positions before the alternatives run.
QUANTITY_FIRST = rf"\d将大超近约逾{CN_NUMERAL_CHARS}"
QUANTITY = re.compile(f"(?=[{QUANTITY_FIRST}])(?:{QUANTITY_PATTERN})")

_MULTIPLIER = {"万": 10_000, "亿": 100_000_000}


@dataclass(frozen=True, slots=True)
class Quantity:
    value: float
    kind: str  # count / money / percent / date / other (another unit) / bare (no unit)
    unit: str  # as written after the number, e.g. 件, 元, %, '' (multipliers not included)
    is_approximate: bool
    start: int  # offsets of the numeral and its 万/亿 multiplier
    end: int


def unit_kind(unit: str) -> str:
    if not unit:
        return "bare"
    if unit in COUNT_UNITS:
        return "count"
    if unit in MONEY_UNITS:
        return "money"
    if unit in PERCENT_UNITS:
        return "percent"
    if unit in DATE_UNITS:
        return "date"
    return "other"


def quantity_from_match(m: re.Match[str]) -> Quantity | None:
    """The `Quantity` of a match of `QUANTITY_PATTERN` (also embedded in a larger pattern)."""
    if m.group("q_ar") is not None:
        base = parse_arabic(m.group("q_ar"))
        start, end = m.span("q_ar")
    else:
        base = parse_chinese_int(m.group("q_cn"))
        start, end = m.span("q_cn")
    if base is None:
        return None
    value = base
    for group in ("q_mult", "q_mult2"):
        mult = m.group(group)
        if mult:
            value *= _MULTIPLIER[mult.strip()]
            if group == "q_mult":
                end = m.end(group)
    unit = m.group("q_unit") or ""
    approx = bool(m.group("q_pre") or m.group("q_post"))
    return Quantity(float(value), unit_kind(unit), unit, approx, start, end)


def find_quantities(text: str) -> list[Quantity]:
    """Every quantity in `text`, in order (dates and bare numbers included, with their kind)."""
    out = []
    for m in QUANTITY.finditer(text):
        q = quantity_from_match(m)
        if q is not None:
            out.append(q)
    return out


_STANDALONE = re.compile(
    r"(?:将近|大约|超过|近|约|逾)?"
    rf"(?P<num>\d[\d,]*(?:\.\d+)?|[{CN_NUMERAL_CHARS}]+?)\s*(?P<mult>[万亿])?(?:余|多)?(?P<mult2>[万亿])?"
    rf"\s*(?:{_UNITS})?"
)


def parse_number(text: str) -> float | None:
    """One number as written: `14万` -> 140000, `二十三` -> 23, `1,353` -> 1353, `22.5万元` -> 225000 (yuan)."""
    m = _STANDALONE.fullmatch(text.strip())
    if m is None:
        return None
    num = m.group("num")
    value = parse_arabic(num) if num[0].isdigit() else parse_chinese_int(num)
    if value is None:
        return None
    for group in ("mult", "mult2"):
        if m.group(group):
            value *= _MULTIPLIER[m.group(group)]
    return float(value)


# --- regex helper -----------------------------------------------------------------------------------

_QUANTIFIER = re.compile(r"[?*+]\??|\{(\d*)(?:,\d*)?\}\??")
#: (first characters or None when not simply known, whether it can match empty, where it ends)
_Firsts = tuple[frozenset[str] | None, bool, int]


def first_chars(pattern: str) -> frozenset[str] | None:
    """Every character a match of `pattern` can start with; None when that is not simply known.

    Reads the pattern text itself (literals, escaped punctuation, small character classes, groups,
    alternation, quantifiers); where the start depends on anything else (\\d, ., a lookaround, an
    inline flag, a match of the empty string) the answer is None."""
    try:
        chars, nullable, end = _firsts_alternation(pattern, 0)
    except (IndexError, ValueError):
        return None  # a pattern this reader does not follow
    return chars if end == len(pattern) and not nullable else None


def _firsts_alternation(rx: str, i: int) -> _Firsts:
    """Branches from `i` to the closing ')' or the end of the pattern."""
    chars: set[str] | None = set()
    nullable = False
    while True:
        branch, branch_nullable, i = _firsts_sequence(rx, i)
        chars = None if chars is None or branch is None else chars | branch
        nullable = nullable or branch_nullable
        if i < len(rx) and rx[i] == "|":
            i += 1
            continue
        return (None if chars is None else frozenset(chars)), nullable, i


def _firsts_sequence(rx: str, i: int) -> _Firsts:
    """One branch: the first characters of its items up to the first one that cannot match empty."""
    chars: set[str] | None = set()
    contributing = True  # every item so far can match empty: this one's first characters count
    while i < len(rx) and rx[i] not in "|)":
        own, nullable, i = _firsts_item(rx, i)
        q = _QUANTIFIER.match(rx, i)
        if q is not None:
            i = q.end()
            nullable = nullable or q.group(0)[0] in "?*" or q.group(1) in ("", "0")
        if contributing:
            chars = None if chars is None or own is None else chars | own
            contributing = nullable
    return (None if chars is None else frozenset(chars)), contributing, i


def _firsts_item(rx: str, i: int) -> _Firsts:
    c = rx[i]
    if c == "(":
        known = True
        if rx.startswith("(?:", i):
            i += 3
        elif rx.startswith("(?P<", i):
            i = rx.index(">", i) + 1
        elif rx.startswith(("(?=", "(?!"), i):
            i, known = i + 3, False
        elif rx.startswith(("(?<=", "(?<!"), i):
            i, known = i + 4, False
        elif rx.startswith("(?", i):
            raise ValueError("inline flags or another extension")
        else:
            i += 1
        chars, nullable, i = _firsts_alternation(rx, i)
        if rx[i] != ")":
            raise ValueError("unbalanced group")
        return (chars if known else None), nullable or not known, i + 1
    if c == "[":
        return _firsts_class(rx, i + 1)
    if c == "\\":
        nxt = rx[i + 1]
        if nxt.isalnum():  # \\d, \\s, \\b, \\1 …
            return None, nxt in "bBAZ", i + 2
        return frozenset(nxt), False, i + 2
    if c in "^$":
        return None, True, i + 1
    if c == ".":
        return None, False, i + 1
    return frozenset(c), False, i + 1


def _firsts_class(rx: str, i: int) -> _Firsts:
    """A character class's members (from just after '[')."""
    negated = rx[i] == "^"
    i += negated
    members: set[str] = set()
    known = not negated
    first = True
    while rx[i] != "]" or first:
        first = False
        c = rx[i]
        if c == "\\":
            i += 1
            c = rx[i]
            known = known and not c.isalnum()
        if rx[i + 1] == "-" and rx[i + 2] != "]":  # a range c-d
            high = rx[i + 2]
            if high == "\\":
                i += 1
                high = rx[i + 2]
                known = known and not high.isalnum()
            known = known and 0 <= ord(high) - ord(c) < 256
            members.update(map(chr, range(ord(c), ord(high) + 1)) if known else ())
            i += 3
        else:
            members.add(c)
            i += 1
    return (frozenset(members) if known else None), False, i + 1

"""Standard tables of the 2019 and 2021 formats: 表二 (第二十条), 表三 (requests), 表四 (review, litigation).

Pure functions over the normalized text. Rows are found by their OFFICIAL LABELS (domain guide §2),
never by counting pipes, so every flattening a scrape produces reads the same way:

- pipe rows with empty cells and multi-row headers (`label | 29 | 1 | 0 | … | 30 | ||`);
- markdown rows (`| label | 1 | 0 |`), shredded markdown whose value rows float away from their
  labels (aligned back by the official row order between labelled rows);
- one cell per line (`规章 |` / `0 |` / `0 |`), including rows that drop their empty cells;
- HTML tables rendered one `<tr>` per line (rowspan/colspan not expanded);
- labels broken by line wraps, cells glued together (`规章000`, `230 000023`): glued digits are split
  only where the digits (no leading zeros) and the row identity allow exactly one split;
- 表四's 15 numbers on one row under a 2–3 row header, or three separate 5-number blocks.

A number becomes a fact only when its row and column are certain; anything else is a `Finding`
(check names: table3_ambiguous_sparse_row, table3_ambiguous_glued_digits, table3_row_shape,
table3_unplaced_row, table3_group_subtotal_mismatch, table2_ambiguous_glued_digits, table2_row_shape,
table4_ambiguous_glued_digits, table4_row_shape, table4_unplaced_block). Every cell read becomes a
`TableCell`; cells of a row that cannot be placed get column `unplaced`. Derived values (group
totals, 法人 sum, litigation = direct + after review, a blank 总计 from its six columns) carry
`is_derived=True`. Every step is linear in the text (a literal first-stage label scan, capped rows,
bounded digit splitting).
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from pipeline import formats
from pipeline.formats import Row
from pipeline.numbers import first_chars
from pipeline.records import Fact, Finding, NormalizedDoc, TableCell
from pipeline.sections import VALUE, VALUES, Segmentation


@dataclass(slots=True)
class TableExtraction:
    facts: list[Fact] = field(default_factory=list)
    cells: list[TableCell] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


# --- vocabulary (all from pipeline.formats) ------------------------------------------------------------

COLUMNS: tuple[str, ...] = tuple(key for key, _ in formats.TABLE3_COLUMNS)  # natural_person … total
APPLICANTS = COLUMNS[:6]
LEGAL_COLUMNS = COLUMNS[1:6]
RESULTS: tuple[str, ...] = tuple(key for key, _ in formats.TABLE4_RESULTS)  # upheld … total
T4_BLOCKS: tuple[str, ...] = tuple(code for code, _ in formats.TABLE4_BLOCKS)

_EVIDENCE_MAX = 300
_MAX_SPLIT_DIGITS = 40  # glued digit runs longer than this are never split
_MAX_SPLIT_NODES = 200_000  # search budget of one glued-digit split
_MAX_ROW_OPTIONS = 12  # a glued 表三 row with more row-wise splits than this is not decided jointly
_MAX_JOINT_COMBINATIONS = 50_000  # joint search budget over those rows; beyond it they stay unread

_QUOTE = r"[“”\"'‘’「」『』]?"
_OPTIONAL_PUNCT = {"/": r"[/、]?", "“": _QUOTE, "”": _QUOTE}


def _fz(label: str) -> str:
    """A literal label that survives line wraps: optional whitespace between its characters (quotes
    and the slash of `增/减` optional too)."""
    return r"\s*".join(_OPTIONAL_PUNCT.get(c) or re.escape(c) for c in label)


_ORDINAL = re.compile(
    r"(?P<cn>[一二三四五六七八九十]+)、|（(?P<paren>[一二三四五六七八九十]+)）|(?P<digit>\d+)\."
)


def _ordinal(number: str, required: bool) -> str:
    """The printed ordinal of a row (`一、`, `（一）`, `1.`) as a pattern: optional unless `required`.
    A digit ordinal is one exact digit, so a glued value before it never loses its last digit."""
    m = _ORDINAL.fullmatch(number)
    if m is None:
        return ""
    if m["cn"]:
        pattern = rf"{m['cn']}\s*[、.,]\s*"
    elif m["paren"]:
        n = m["paren"]
        pattern = rf"(?:\(\s*{n}\s*\)|{n}\s*、)\s*" if required else rf"\(\s*{n}\s*\)\s*"
    else:
        pattern = rf"{m['digit']}\s*[.、,]\s*"
    return pattern if required else f"(?:{pattern})?"


_NOT_CJK_NEXT = r"(?![\u4e00-\u9fff])"


def _label_patterns(row: Row) -> list[str]:
    """Patterns of a row's label and its variants. The core identifies the row; the rest of the
    official label is optional (a parenthetical note, or a tail like `、行政机关不再处理…`). A label of
    two characters or fewer (`总计`, `其他`) counts only with its ordinal."""
    short = len(row.identifying) <= 2
    prefix = _ordinal(row.number, required=short)
    out = []
    for label in (row.label, *row.variants):
        core = row.identifying if label == row.label else label
        pattern = _fz(core)
        rest = label[len(core) :]
        if rest.startswith("（"):
            pattern += r"(?:\s*\([^()]{0,60}\))?"
        elif rest:
            pattern += r"(?:\s*[、,;]?\s*" + _fz(rest.lstrip("、")) + ")?"
        if short and row.kind == "data" and row.group:
            pattern += _NOT_CJK_NEXT
        out.append((prefix, pattern))
    return out


@dataclass(frozen=True, slots=True)
class _Spec:
    key: str  # metric code (rows), group code (groups), or a table-2 key
    kind: str  # row / group / other_row (2019 single row or 2021 group) / t2item / t2head / t2mark / t2info
    pattern: str  # optional prefix + core label
    anchor: str  # the core's first (≤3) characters: the fast first-stage scan looks for these
    extra: str = ""  # table-2 era of a header


_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")


def _spec(key: str, kind: str, prefix: str, core: str, extra: str = "") -> _Spec:
    """A label: `prefix` is optional text before the core; the anchor is the core's first 3 characters."""
    lead = re.match(r"(?:[\u4e00-\u9fff](?:\\s\*)?){1,3}", core)
    anchor = "".join(_CJK_CHAR.findall(lead.group(0))) if lead else ""
    if not anchor:
        raise ValueError(f"label without a literal start: {core!r}")
    return _Spec(key, kind, prefix + core, anchor, extra)


def _t3_kind(row: Row) -> str:
    if row.code == "apply.outcome.other" and row.group is None:
        return "other_row"  # 2019: one data row; 2021: the label of three sub-rows
    return "row" if row.kind == "data" else "group"


def _t3_specs() -> list[_Spec]:
    specs, seen = [], set()
    for row in formats.TABLE3_ROWS:
        if row.code in seen:
            continue
        seen.add(row.code)
        specs += [_spec(row.code, _t3_kind(row), prefix, core) for prefix, core in _label_patterns(row)]
    return specs


T3_SPECS = _t3_specs()

#: Official data rows of 表三, top to bottom (group labels excluded), and the groups' sub-rows.
T3_ROWS_2019 = list(formats.table3_data_rows("std2019"))
T3_ROWS_2021 = list(formats.table3_data_rows("std2021"))
_T3_GROUPS = {group: list(rows) for group, rows in formats.table3_groups("std2021").items()}

#: 表二: items, column headers (-> measure), and the column sets of each era when no header is readable.
_UNIT_PAREN = r"(?:\s*\(\s*(?:单\s*位\s*[:：]?\s*)?(?P<{name}>万\s*元|元)\s*\))?"


def _t2_header(i: int, measure: str, label: str) -> str:
    core = label.split("（", 1)[0]
    return _fz(core) + (_UNIT_PAREN.format(name=f"u{i}") if measure == "amount" else "")


_T2_HEADERS = [
    (measure, era[3:], _t2_header(i, measure, label))
    for i, (measure, era, label) in enumerate(formats.TABLE2_HEADERS)
]
_T2_DEFAULT = {era[3:]: columns for era, columns in formats.TABLE2_COLUMNS.items()}
_T2_ITEM_LABELS = {key: label for key, (label, *_) in formats.TABLE2_ITEMS.items()}
_T2_ITEM_VARIANTS = {key: variants for key, (*_, variants) in formats.TABLE2_ITEMS.items()}
_T2_MARKER_PARTS = formats.TABLE2_MARKER.split("（{n}）")


class _LabelSet:
    """Official labels of one table: a fast literal first stage, then only the labels sharing the anchor."""

    _BACK = 8  # longest optional prefix before a label's core: `(一) `, `1. `, `行政\n`

    def __init__(self, specs: list[_Spec]) -> None:
        self.names = {f"L{i}": spec for i, spec in enumerate(specs)}
        by_anchor: dict[str, list[str]] = {}
        for name, spec in self.names.items():
            by_anchor.setdefault(spec.anchor, []).append(name)
        self.patterns = {
            anchor: re.compile("|".join(f"(?P<{n}>{self.names[n].pattern})" for n in names))
            for anchor, names in by_anchor.items()
        }
        # The characters a match of each anchor's pattern can start with (None: any): positions
        # starting otherwise are passed without trying the pattern.
        self.firsts = {anchor: first_chars(pattern.pattern) for anchor, pattern in self.patterns.items()}
        # No groups in the first stage: a plain alternation of literals lets `re` skip ahead by first char.
        self.anchor = re.compile("|".join(_fz(a) for a in sorted(by_anchor, key=len, reverse=True)))

    def scan(self, text: str, start: int, end: int):
        """Labels in [start, end), left to right, non-overlapping (a generator: stop early freely)."""
        pos = last_end = start
        while True:
            hit = self.anchor.search(text, pos, end)
            if hit is None:
                return
            h = hit.start()
            anchor = "".join(hit.group(0).split())
            pattern = self.patterns[anchor]
            firsts = self.firsts[anchor]
            found = None
            for p in range(max(last_end, h - self._BACK), h + 1):
                if firsts is not None and text[p] not in firsts:
                    continue
                m = pattern.match(text, p, end)
                if m is not None and m.end() > h and m.lastgroup is not None:
                    found = m
                    break
            if found is None:
                pos = h + 1
                continue
            yield _Label(self.names[found.lastgroup], found.start(), found.end(), found)
            pos = last_end = found.end()


_T3_LABELS = _LabelSet(T3_SPECS)
#: The cores of the rows that start 表三 (`_table3_start` looks for these labels only).
_T3_FIRST_ROWS = re.compile("|".join(_fz(row.label) for row in formats.TABLE3_ROWS[:2]))
_T2_SPECS = (
    [
        _spec(
            "marker",
            "t2mark",
            "",
            # the item number may be lost in a scrape (`第二十条第` alone, corpus d01)
            _fz(_T2_MARKER_PARTS[0])
            + r"(?:\s*\(\s*[一二三四五六七八九十]{1,2}\s*\)\s*"
            + _fz(_T2_MARKER_PARTS[1])
            + ")?",
        )
    ]
    + [_spec("info", "t2info", "", _fz(formats.TABLE2_INFO))]
    + [_spec(m, "t2head", "", p, era) for m, era, p in _T2_HEADERS]
    + [
        _spec(key, "t2item", "", _fz(label))
        for key, main in _T2_ITEM_LABELS.items()
        for label in (*_T2_ITEM_VARIANTS.get(key, ()), main)
    ]
)
_T2_LABELS = _LabelSet(_T2_SPECS)
_T2_MARKER = re.compile(_T2_SPECS[0].pattern)
_T3_MARKER = re.compile(_fz("勾稽关系") + "|" + _fz(formats.TABLE3_HEADER))  # the corner note, the header
_T3_SUBTOTAL = re.compile(_fz(formats.TABLE3_LEGAL_SUBTOTAL))
_T3_FIRST_LEGAL = dict(formats.TABLE3_COLUMNS)["commercial"]

# --- cells -------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"[+\-]?\d+(?:\.\d+)?")
#: A number with thousands separators (`1,029`, `21,029,891`; full-width commas are folded before).
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_MONEY = re.compile(r"(?P<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|[+\-]?\d+(?:\.\d+)?)\s*(?P<u>万元|元)")
_NA = frozenset({"/", "\\", "-", "--", "—", "——", "–", "无", "不适用", "×"})
_BLANK = frozenset({"", "&nbsp;", "nbsp;", "&nbsp"})
_MD_SEP = re.compile(r":?-{3,}:?")
_TOKEN = re.compile(r"\S+")
_DIGITS_HEAD = re.compile(r"[+\-]?\d+(?:\.\d+)?")
#: A character right after a number that makes the number prose (`30件`, `12,`), not a table cell.
_PROSE_AFTER = frozenset("件条个项次人家元万亿%‰余多年月日号天份页期名位宗起例笔批,。;:、!?)（(")
_MAX_CELLS = 32  # no standard table row has more cells; longer runs are cut (and then fail the shape check)
_DAMAGED_ROW = re.compile(
    rf"^[ \t|]*(?P<ordinal>\d)\s*[.、]\s*[\u4e00-\u9fff“”\"]{{2,30}}[ \t|]+"
    rf"(?P<values>{VALUE}(?:[ \t|]+{VALUE})+)[ \t|]*$",
    re.MULTILINE,
)


@dataclass(slots=True)
class _Cell:
    raw: str
    kind: str  # number / blank / na / text
    value: float | None
    start: int
    end: int
    unit: str | None = None  # 元 / 万元 on money cells
    digits: str | None = None  # the raw digit string when it may be glued (no pipes around it)


def _classify(raw: str, start: int, money: bool) -> _Cell:
    text = raw.strip()
    offset = start + (len(raw) - len(raw.lstrip()))
    end = offset + len(text)
    if text.isdecimal():  # the common cell, `\d+` (a decimal digit is what `\d` matches)
        return _Cell(text, "number", float(text), offset, end, digits=text)
    if text in _BLANK or _MD_SEP.fullmatch(text):
        return _Cell(text, "blank", None, offset, end)
    if text in _NA:
        return _Cell(text, "na", None, offset, end)
    if _NUMBER.fullmatch(text):
        return _Cell(text, "number", float(text), offset, end, digits=text)
    if _GROUPED.fullmatch(text):  # separators delimit the digits: never split further
        return _Cell(text, "number", float(text.replace(",", "")), offset, end)
    if money:
        m = _MONEY.fullmatch(text)
        if m:
            return _Cell(text, "number", float(m.group("n").replace(",", "")), offset, end, unit=m.group("u"))
    return _Cell(text, "text", None, offset, end)


class _Prose(Exception):
    """The span is a sentence (`…数量30件`), not table cells."""


def _pipe_pieces(segment: str, start: int) -> list[tuple[str, int]]:
    """`a | b | c |||` -> pieces with offsets; a trailing run of pipes becomes at most a few blanks."""
    core = segment.rstrip(" \t|")
    trailing = segment.count("|", len(core))
    pieces = []
    pos = start
    for piece in core.split("|", _MAX_CELLS + 1):
        pieces.append((piece, pos))
        pos += len(piece) + 1
    if core:
        end = start + len(core)
        pieces += [("", end)] * min(max(trailing - 1, 0), 8)
    return pieces


def _inline_cells(text: str, start: int, stop: int, money: bool) -> tuple[list[_Cell], str]:
    """Cells on the label's own line, from `start` to `stop` (exclusive). Returns (cells, layout).

    layout: 'pipe' (cells split on `|`; the first piece is the label cell's tail and is dropped)
    or 'space' (cells separated by whitespace or glued, the text stops at the first non-cell token).
    """
    segment = text[start:stop]
    if "|" in segment:
        cells = []
        for i, (piece, pos) in enumerate(_pipe_pieces(segment, start)):
            cell = _classify(piece, pos, money)
            if i == 0 and cell.kind != "number":
                continue  # the rest of the label's own cell (e.g. a wrapped note)
            cell.digits = None  # pipes delimit the cells: never split further
            cells.append(cell)
        return cells, "pipe"
    cells = []
    for m in _TOKEN.finditer(segment):
        if len(cells) > _MAX_CELLS:
            break
        tok = m.group(0)
        tstart = start + m.start()
        cell = _classify(tok, tstart, money)
        if cell.kind in ("number", "na"):
            cells.append(cell)
            continue
        if cell.kind == "blank":
            continue
        head = _DIGITS_HEAD.match(tok)
        if head:
            rest = tok[head.end() :]
            if money and rest.startswith(("万元", "元")):
                unit = "万元" if rest.startswith("万元") else "元"
                cells.append(
                    _Cell(
                        tok[: head.end()] + unit,
                        "number",
                        float(head.group(0)),
                        tstart,
                        tstart + head.end(),
                        unit,
                    )
                )
                rest = rest[len(unit) :]
                if not rest:
                    continue
            elif rest[:1] in _PROSE_AFTER:
                raise _Prose
            else:
                cells.append(_classify(head.group(0), tstart, money))
        elif tok[:1] in _PROSE_AFTER and cells:
            raise _Prose
        break
    return cells, "space"


def _line_cells(text: str, start: int, stop: int, money: bool) -> list[_Cell]:
    """One cell per line after the label's line: `0 |` lines; filler lines of pipes are skipped."""
    cells = []
    pos = start
    while pos < stop:
        nl = text.find("\n", pos, stop)
        line_end = stop if nl < 0 else nl
        line = text[pos:line_end]
        content = line.replace("|", " ")
        stripped = content.strip()
        if stripped and not _MD_SEP.fullmatch(stripped) and stripped not in _BLANK:
            if len(stripped.split()) != 1:
                break
            cell = _classify(content, pos, money)
            if cell.kind not in ("number", "na"):
                break
            cells.append(cell)
            if len(cells) > _MAX_CELLS:
                break
        pos = line_end + 1
    return cells


# --- glued digits --------------------------------------------------------------------------------------


def _valid_part(s: str) -> bool:
    return s == "0" or not s.startswith("0")


def _split_glued(tokens: list[str], n: int, check, limit: int = 2) -> list[list[tuple[int, int, int]]]:
    """All ways to cut whitespace tokens of digits into `n` cells without leading zeros.

    Returns up to `limit` solutions (two tell unique from ambiguous) as (token, start, end) triples;
    `check(values)` filters complete splits. An exhausted search budget counts as `limit` solutions.
    """
    if sum(len(t) for t in tokens) > _MAX_SPLIT_DIGITS or not all(t.isdigit() for t in tokens):
        return [[]] * limit
    remaining_digits = [0] * (len(tokens) + 1)
    for i in range(len(tokens) - 1, -1, -1):
        remaining_digits[i] = remaining_digits[i + 1] + len(tokens[i])
    solutions: list[list[tuple[int, int, int]]] = []
    budget = [_MAX_SPLIT_NODES]
    parts: list[tuple[int, int, int]] = []

    def rec(ti: int, pos: int) -> bool:  # False = stop searching
        budget[0] -= 1
        if budget[0] <= 0:
            solutions.extend([[]] * limit)
            return False
        if ti == len(tokens):
            if len(parts) == n and check([int(tokens[t][a:b]) for t, a, b in parts]):
                solutions.append(list(parts))
                return len(solutions) < limit
            return True
        token = tokens[ti]
        left = n - len(parts)
        digits_left = remaining_digits[ti] - pos
        tokens_left = len(tokens) - ti
        if left < tokens_left or left > digits_left:
            return True
        for end in range(pos + 1, len(token) + 1):
            piece = token[pos:end]
            if not _valid_part(piece):
                break
            parts.append((ti, pos, end))
            ok = rec(ti + 1, 0) if end == len(token) else rec(ti, end)
            parts.pop()
            if not ok:
                return False
        return True

    rec(0, 0)
    return solutions


def _row_identity(values: list[int]) -> bool:  # I3: 总计 = the six applicant columns
    return values[-1] == sum(values[:-1])


def _t4_identity(values: list[int]) -> bool:  # I4, per block
    return all(values[b + 4] == sum(values[b : b + 4]) for b in (0, 5, 10))


def _glued_options(cells: list[_Cell], n: int, check, limit: int = 2) -> list[list[_Cell]]:
    """The ways (at most `limit`) to split whitespace/glued digit tokens into `n` cells."""
    tokens = [c.digits or "" for c in cells]
    options = []
    for solution in _split_glued(tokens, n, check, limit):
        if not solution:  # the budget ran out, or the tokens cannot be split at all
            return [[]] * limit
        out = []
        for t, a, b in solution:
            raw = tokens[t][a:b]
            out.append(_Cell(raw, "number", float(int(raw)), cells[t].start + a, cells[t].start + b))
        options.append(out)
    return options


def _glued_cells(cells: list[_Cell], n: int, check) -> tuple[list[_Cell] | None, bool]:
    """Split whitespace/glued digit tokens into `n` cells. Returns (cells or None, ambiguous)."""
    options = _glued_options(cells, n, check)
    return (options[0] if len(options) == 1 else None), len(options) > 1


def _needs_split(cells: list[_Cell], n: int) -> bool:
    if not cells or any(c.digits is None for c in cells):
        return False
    if not all(c.digits.isdigit() for c in cells):
        return False
    bad_zero = any(not _valid_part(c.digits) for c in cells)
    return (len(cells) < n and sum(len(c.digits) for c in cells) >= n) or bad_zero


# --- label scanning ------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Label:
    spec: _Spec
    start: int
    end: int
    match: re.Match[str] | None = None


def _line_end(text: str, pos: int, stop: int) -> int:
    nl = text.find("\n", pos, stop)
    return stop if nl < 0 else nl


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


@dataclass(slots=True)
class _Row:
    """Cells read for one labelled row (or an orphan value row), before column placement."""

    label: _Label | None
    cells: list[_Cell]
    layout: str  # pipe / space / lines
    start: int
    end: int
    prose: bool = False
    ordinal: str | None = None  # the printed ordinal of an orphan whose label is damaged (`2.`)

    @property
    def has_values(self) -> bool:
        return any(c.kind in ("number", "na") for c in self.cells)


def _read_row(seg: Segmentation, label: _Label, stop: int, per_line: bool, money: bool) -> _Row:
    row = _read_inline_row(seg.text, label, stop, money)
    return _read_row_lines(seg, row, stop, money) if per_line else row


def _read_inline_row(text: str, label: _Label, stop: int, money: bool) -> _Row:
    """The row as read from the label's own line (`_read_row` with per_line=False)."""
    end_of_line = _line_end(text, label.end, stop)
    try:
        cells, layout = _inline_cells(text, label.end, end_of_line, money)
    except _Prose:
        return _Row(label, [], "space", label.start, end_of_line, prose=True)
    if any(c.kind in ("number", "na") for c in cells):
        return _Row(label, cells, layout, label.start, max(c.end for c in cells))
    return _Row(label, [], layout, label.start, end_of_line)


def _value_line(seg: Segmentation, pos: int, stop: int, least: int) -> tuple[int, int] | None:
    """(start, end) of the first non-blank line from `pos` on when the segmentation found it a row of
    at least `least` value cells, ending before `stop`."""
    i = seg.filled(seg.line(pos))
    if i is None or seg.kinds[i] != VALUES or seg.end(i) > stop or seg.cells(i) < least:
        return None
    return seg.starts[i], seg.end(i)


def _next_value_line(seg: Segmentation, inline: _Row, stop: int, single: bool = False) -> _Row | None:
    """A label line without values followed by a line of ≥2 value cells (≥1 when `single`, ≥1 number)
    and nothing else (a PDF text layer or a wrapped label prints the values under the label): that
    line is the row."""
    if inline.prose or inline.cells or inline.end >= stop:
        return None
    text = seg.text
    line = _value_line(seg, inline.end + 1, stop, 1 if single else 2)
    if line is None or not _NUMBER.search(text, *line):
        return None
    pos, end = line
    cells = _orphan_cells(text, pos, end)
    if len(cells) == 1 and _value_line(seg, end + 1, stop, 1) is not None:
        return None  # one cell per line, not a row under its label
    layout = "pipe" if "|" in text[pos:end] else "space"
    if layout == "pipe":
        for cell in cells:
            cell.digits = None  # pipes delimit the cells: never split further
    return _Row(inline.label, cells, layout, inline.start, end)


def _read_row_lines(seg: Segmentation, inline: _Row, stop: int, money: bool) -> _Row:
    """`_read_row` with per_line=True, given the inline reading: the value line under an empty label
    line, or one cell per line after it."""
    under = _next_value_line(seg, inline, stop)
    if under is not None:
        return under
    if inline.prose or inline.cells:
        return inline
    end_of_line = inline.end
    if end_of_line < stop:
        cells = _line_cells(seg.text, end_of_line + 1, stop, money)
        if cells:
            return _Row(inline.label, cells, "lines", inline.start, cells[-1].end)
    return _Row(inline.label, [], inline.layout, inline.start, end_of_line)


def _orphan_rows(seg: Segmentation, start: int, end: int, labelled: set[int]) -> list[_Row]:
    """Lines of ≥2 value cells (≥1 number) and nothing else: value rows shredded from their labels;
    and value rows whose label no official label matches (glyphs lost in a PDF text layer:
    `2.其他法律行政止公开 0 0 …`), kept with their ordinal. `labelled`: starts of labels read.

    Cells are read lazily (`_orphan_cells`) since only rows the alignment places are ever needed.
    """
    text = seg.text
    rows = [
        _Row(None, [], "pipe", seg.starts[i], seg.end(i))
        for i in seg.of_kind(VALUES, start, end)
        if seg.cells(i) >= 2 and _NUMBER.search(text, seg.starts[i], seg.end(i))
    ]
    for m in _DAMAGED_ROW.finditer(text, start, end):
        if not labelled.intersection(range(m.start(), m.start("values"))):
            rows.append(_Row(None, [], "pipe", m.start("values"), m.end(), ordinal=m["ordinal"] + "."))
    return sorted(rows, key=lambda r: r.start)


def _orphan_cells(text: str, start: int, end: int) -> list[_Cell]:
    line = text[start:end]
    if "|" in line:
        cells = [_classify(piece, pos, False) for piece, pos in _pipe_pieces(line, start)]
    else:
        cells = [_classify(m.group(0), start + m.start(), False) for m in _TOKEN.finditer(line)]
    while cells and cells[-1].kind == "blank":
        cells.pop()
    while cells and cells[0].kind == "blank":
        cells.pop(0)
    return cells


def _load(text: str, row: _Row) -> _Row:
    if row.label is None and not row.cells:
        row.cells = _orphan_cells(text, row.start, row.end)
    return row


# --- the extractor -------------------------------------------------------------------------------------


class _Out:
    def __init__(self, doc: NormalizedDoc, seg: Segmentation) -> None:
        self.text = doc.text
        self.seg = seg
        self.result = TableExtraction()
        self._spans = sorted(doc.mojibake_spans)
        self._span_starts = [s for s, _ in self._spans]
        self._seen: set[tuple[str, str]] = set()

    def garbled(self, start: int, end: int) -> bool:
        """True when [start, end) overlaps a mojibake span (spans are disjoint and sorted)."""
        i = bisect.bisect_left(self._span_starts, end) - 1
        return i >= 0 and self._spans[i][1] > start

    def evidence(self, start: int, end: int) -> str:
        snippet = " ".join(self.text[start:end].split())
        return snippet[:_EVIDENCE_MAX]

    def cell(self, table: str, row: str, column: str, cell: _Cell, value: float | None = None) -> None:
        if value is None and cell.kind == "number":
            value = cell.value
        self.result.cells.append(
            TableCell(table, row, column, cell.raw, cell.kind, value, cell.start, cell.end)
        )

    def unplaced(self, table: str, row: str, cells: list[_Cell], glued: bool = False) -> None:
        """Cells that were read but cannot be given a column (column `unplaced`; glued runs as text)."""
        for cell in cells:
            if glued and cell.kind == "number":
                self.result.cells.append(
                    TableCell(table, row, "unplaced", cell.raw, "text", None, cell.start, cell.end)
                )
            else:
                self.cell(table, row, "unplaced", cell)

    def fact(
        self,
        metric: str,
        value: float,
        evidence: str,
        start: int,
        end: int,
        breakdown: str = "total",
        derived: bool = False,
        unit: str = "count",
    ) -> None:
        key = (metric, breakdown)
        if key in self._seen:
            return
        self._seen.add(key)
        self.result.facts.append(
            Fact(
                metric=metric,
                value=value,
                evidence=evidence,
                char_start=start,
                char_end=end,
                breakdown=breakdown,
                is_derived=derived,
                unit=unit,
                source="table",
            )
        )

    def finding(self, check: str, detail: str, observed: float | None = None) -> None:
        self.result.findings.append(Finding(check_name=check, detail=detail[:300], observed=observed))


def extract_tables(doc: NormalizedDoc, seg: Segmentation, era: str) -> TableExtraction:
    """Facts, cells and findings of 表二, 表三 and 表四 wherever their official labels occur (value
    rows without a label: the segmentation's `values` lines)."""
    out = _Out(doc, seg)
    text = doc.text
    t2_marker = _T2_MARKER.search(text)
    t3_start = _table3_start(seg, 0)
    t2_last = 0
    if t2_marker is not None:
        t2_end = t3_start
        if t2_end is not None and t2_end < t2_marker.start():  # a prose mention, or 表三 printed first
            t2_end = _table3_start(seg, t2_marker.start())
        t2_last = _extract_table2(
            out, text, t2_marker.start(), t2_end if t2_end is not None else len(text), era
        )
    t3_end = _extract_table3(out, text, t3_start, era, floor=t2_last)
    _extract_table4(out, text, t3_end if t3_end is not None else (t3_start or 0))
    if era == "narrative":
        _extract_stats(out, text)
    return out.result


# --- 表三 ------------------------------------------------------------------------------------------------


def _table3_start(seg: Segmentation, after: int) -> int | None:
    """Where 表三 begins: the corner note / 申请人情况 header just above its first row with values
    (`一、本年新收…` or `二、上年结转…`), else the first such header (a table whose rows all lost
    their labels)."""
    text = seg.text
    first_row = None
    # Without the core of either first row anywhere, no label of one can be found (only these count).
    labels = _T3_LABELS.scan(text, after, len(text)) if _T3_FIRST_ROWS.search(text, after) else ()
    for label in labels:
        spec, m = label.spec, label.match
        if spec.key not in ("apply.new", "apply.carried_over"):
            continue
        bound = min(len(text), m.end() + 2000)
        row = _read_row(seg, label, _line_end(text, m.end(), bound), per_line=False, money=False)
        if row.prose:
            continue
        if not row.has_values:
            nxt = _line_end(text, m.end(), bound)
            row = _read_row(seg, label, min(len(text), nxt + 200), per_line=True, money=False)
        if row.has_values:
            first_row = m.start()
            break
    if first_row is None:
        marker = _T3_MARKER.search(text, after)
        return marker.start() if marker is not None else None
    # the header nearest the first row (an earlier `申请人情况` may be prose)
    start = first_row
    for marker in _T3_MARKER.finditer(text, max(after, first_row - 3000), first_row):
        start = marker.start()
    return start


@dataclass(slots=True)
class _Placed:
    row: str
    cells: dict[str, _Cell]  # column -> cell (number / blank / na / text)
    start: int
    end: int
    derived_total: float | None = None  # 总计 printed blank, six applicant numbers printed (I3)
    subtotal: _Cell | None = None  # an 法人或其他组织 小计 column, when the table has one


def _extract_table3(out: _Out, text: str, start: int | None, era: str, floor: int = 0) -> int | None:
    """Rows of 表三 between `start` and 表四; returns where 表三 ends. Label-less value rows are looked
    for only after `floor` (the end of 表二), so 表二's rows never fill 表三's gaps."""
    if start is None:
        return None
    t4 = _find_table4(text, start)
    end = t4[0] if t4 else len(text)
    labels = list(_T3_LABELS.scan(text, start, end))
    if not labels:
        return end
    has_2021 = any(lab.spec.key.startswith("apply.outcome.other.") for lab in labels)
    # Layout of the whole table: any row with ≥2 values on its label's line means row layout,
    # so labels standing alone are not followed by one-cell lines.
    starts = [lab.start for lab in labels] + [end]
    rows = []
    for i, lab in enumerate(labels):
        rows.append(_read_row(out.seg, lab, starts[i + 1], per_line=False, money=False))
    # A table whose data-row labels mostly stand alone prints each row's values on the line under its
    # label (a PDF text layer). Where most rows carry their values inline, a value line under a bare
    # label is a shredded row, placed by the official row order instead.
    data = [r for r in rows if r.label.spec.kind == "row" and not r.prose]
    if sum(1 for r in data if not r.cells) > len(data) / 2:
        rows = [_next_value_line(out.seg, r, starts[i + 1], single=True) or r for i, r in enumerate(rows)]
    taken = {r.end for r in rows if r.label is not None and r.cells}
    labelled = {lab.start for lab in labels}
    orphans = [o for o in _orphan_rows(out.seg, max(start, floor), end, labelled) if o.end not in taken]
    row_layout = bool(orphans) or any(len([c for c in r.cells if c.kind != "blank"]) >= 2 for r in rows)
    if not row_layout:
        rows = [_read_row_lines(out.seg, row, starts[i + 1], money=False) for i, row in enumerate(rows)]
    n_cols = 7
    subtotal_at = None
    header_end = labels[0].start
    sub = _T3_SUBTOTAL.search(text, start, header_end)
    if sub:
        commercial = text.find(_T3_FIRST_LEGAL, start, header_end)
        subtotal_at = 1 if commercial < 0 or sub.start() < commercial else 6
        n_cols = 8
    if not has_2021:
        has_2021 = era == "std2021" and not any(
            r.label and r.label.spec.kind == "other_row" and r.has_values for r in rows
        )
    order = T3_ROWS_2021 if has_2021 else T3_ROWS_2019
    index = {code: i for i, code in enumerate(order)}

    placed: dict[str, _Placed] = {}
    pending: list[tuple[str, _Row, list[_Cell]]] = []  # rows waiting for identity checks
    glued: list[tuple[str, _Row, list[list[_Cell]]]] = []  # glued rows with several row-wise splits
    subtotals: dict[str, _Placed] = {}

    def place(code: str, row: _Row) -> None:
        if code in placed or code in subtotals:
            return
        result = _place_t3(out, code, row, n_cols, subtotal_at, pending, glued)
        if result is None:
            return
        if code in _T3_GROUPS:
            subtotals[code] = result
        else:
            placed[code] = result

    # Events in text order: labelled rows with values (anchors) and orphan value rows.
    events: list[tuple[int, str, _Row]] = []
    for row in rows:
        if row.prose or not row.has_values:
            continue
        spec = row.label.spec
        if spec.kind == "group" or (spec.kind == "other_row" and has_2021):
            if spec.key in _T3_GROUPS:
                events.append((row.start, "group", row))
            continue
        events.append((row.start, "anchor", row))
    for row in orphans:
        events.append((row.start, "orphan", row))
    events.sort(key=lambda e: e[0])

    buffer: list[_Row] = []
    next_index = 0
    seen_anchor = False
    for _, kind, row in events:
        if kind == "orphan":
            buffer.append(row)
            continue
        code = row.label.spec.key
        if kind == "group":
            place(code, row)
            continue
        i = index.get(code)
        if i is None:
            continue
        if buffer:
            gap = [c for c in order[next_index:i] if c not in placed]
            if (
                len(gap) == len(buffer)
                and (seen_anchor or _T3_MARKER.search(text, start, buffer[0].start))
                and _ordinals_fit(gap, buffer)
            ):
                for gcode, orow in zip(gap, buffer, strict=True):
                    place(gcode, _load(text, orow))
            else:
                _unplaced(out, _load(text, buffer[0]), len(buffer), order[next_index:i])
            buffer = []
        place(code, row)
        seen_anchor = True
        next_index = max(next_index, i + 1)
    if buffer:
        gap = [c for c in order[next_index:] if c not in placed]
        if (
            seen_anchor
            and next_index < len(order)
            and len(gap) == len(buffer)
            and t4 is not None
            and _ordinals_fit(gap, buffer)
        ):
            for gcode, orow in zip(gap, buffer, strict=True):
                place(gcode, _load(text, orow))
        elif next_index < len(order):
            _unplaced(out, _load(text, buffer[0]), len(buffer), order[next_index:])

    _resolve_glued(out, placed, subtotals, glued, order)
    _resolve_pending(out, placed, pending, order)
    _emit_t3(out, placed, subtotals, has_2021)
    _emit_applicants(out, placed)
    return end


_ORDINALS = {row.code: row.number for row in formats.TABLE3_ROWS}


def _ordinals_fit(gap: list[str], buffer: list[_Row]) -> bool:
    """A damaged-label row goes only where the official row has its printed ordinal."""
    return all(
        r.ordinal is None or _ORDINALS.get(code) == r.ordinal for code, r in zip(gap, buffer, strict=True)
    )


def _unplaced(out: _Out, first_row: _Row, n_rows: int, gap: list[str]) -> None:
    """One finding per run of label-less value rows that the official row order cannot place."""
    first = " ".join(c.raw for c in first_row.cells)[:80]
    out.finding(
        "table3_unplaced_row",
        f"表三: {n_rows} value row(s) without a label for {len(gap)} open row(s) "
        f"({', '.join(gap[:3])}{'…' if len(gap) > 3 else ''}); first: [{first}]",
    )


def _place_t3(
    out: _Out, code: str, row: _Row, n_cols: int, subtotal_at: int | None, pending: list, glued: list
) -> _Placed | None:
    """Put one row's cells into columns: positional when the row is complete, else the sparse rules."""
    cells = list(row.cells)
    evidence_row = f"{code}: {out.evidence(row.start, row.end)}"
    for c in cells:
        if c.kind == "number" and out.garbled(c.start, c.end):
            c.kind, c.value = "text", None
    filled = [c for c in cells if c.kind != "blank"]
    tail = out.text[row.end :]
    if row.layout in ("pipe", "lines") and len(filled) < n_cols and not tail.strip() and cells:
        # the text ends inside the row, without the last cell's closing `|` (a cut-off scrape): the
        # last number read is not its 总计
        out.finding("table3_truncated_row", f"{evidence_row}: the text ends after {len(filled)} cells")
        out.unplaced("table3", code, cells)
        return None
    widths = {7, n_cols}
    if row.layout == "pipe":
        # Trailing filler cells (`| ||`) and a label cell split over two cells are not columns.
        while len(cells) > n_cols and cells[-1].kind in ("blank", "text"):
            cells.pop()
        while len(cells) > n_cols and cells[0].kind in ("blank", "text"):
            cells.pop(0)
        filled = [c for c in cells if c.kind != "blank"]
        only_trailing_blanks = all(c.kind != "blank" for c in cells[: len(filled)])
        if len(cells) in widths and (
            cells[-1].kind != "blank" or len(filled) == len(cells) - 1 or not only_trailing_blanks
        ):
            return _positional(code, cells, row, subtotal_at)
        if len(cells) > n_cols:
            out.finding("table3_row_shape", f"{evidence_row} has {len(cells)} cells for {n_cols} columns")
            out.unplaced("table3", code, cells)
            return None
        return _sparse(out, code, filled, row, pending, evidence_row)
    if row.layout == "space":
        if len(cells) in widths and not _needs_split(cells, len(cells)):
            return _positional(code, cells, row, subtotal_at)
        if _needs_split(cells, 7):
            options = _glued_options(cells, 7, _row_identity, _MAX_ROW_OPTIONS + 1)
            if len(options) == 1:
                return _positional(code, options[0], row, None)
            if 1 < len(options) <= _MAX_ROW_OPTIONS and all(options):
                glued.append((code, row, options))  # decided with the column identities (I1, I2)
                return None
            ambiguous = len(options) > 1
            if ambiguous or len(cells) == 1 or any(not _valid_part(c.digits or "") for c in cells):
                how = "more than one way" if ambiguous else "no way"
                out.finding("table3_ambiguous_glued_digits", f"{evidence_row}: glued digits split {how}")
                out.unplaced("table3", code, cells, glued=True)
                return None
        if len(cells) > n_cols:
            out.finding("table3_row_shape", f"{evidence_row} has {len(cells)} values for {n_cols} columns")
            out.unplaced("table3", code, cells)
            return None
        return _sparse(out, code, cells, row, pending, evidence_row)
    # one cell per line: the scrape dropped empty cells, so fewer values means a sparse row
    values = [c for c in cells if c.kind != "blank"]
    if len(values) in widths:
        return _positional(code, values, row, subtotal_at)
    if len(values) > n_cols:
        out.finding("table3_row_shape", f"{evidence_row} has {len(values)} values for {n_cols} columns")
        out.unplaced("table3", code, values)
        return None
    return _sparse(out, code, values, row, pending, evidence_row)


def _positional(code: str, cells: list[_Cell], row: _Row, subtotal_at: int | None) -> _Placed:
    subtotal = None
    if subtotal_at is not None and len(cells) == 8:
        subtotal = cells[subtotal_at]
        cells = cells[:subtotal_at] + cells[subtotal_at + 1 :]
    placed = _Placed(code, dict(zip(COLUMNS, cells, strict=True)), row.start, row.end, subtotal=subtotal)
    total = placed.cells["total"]
    parts = [placed.cells[c] for c in APPLICANTS]
    if total.kind == "blank" and all(c.kind == "number" for c in parts):
        placed.derived_total = sum(c.value for c in parts)
    return placed


def _sparse(
    out: _Out, code: str, values: list[_Cell], row: _Row, pending: list, evidence: str
) -> _Placed | None:
    """A row that lost its empty cells: place values only where one reading is consistent."""
    if not values:
        return None
    if any(c.kind != "number" for c in values):
        out.finding("table3_ambiguous_sparse_row", f"{evidence}: sparse row with non-numeric cells")
        out.unplaced("table3", code, values)
        return None
    nums = [c.value for c in values]
    placed = _Placed(code, {}, row.start, row.end)
    if len(values) == 1:
        if nums[0] == 0:  # a lone 0: whichever column it is, the row is zero
            placed.cells["total"] = values[0]
            return placed
        pending.append((code, row, values))
        return None
    if len(values) == 2 and nums[0] == nums[1]:  # N, N: 自然人 N and 总计 N, every other column empty
        placed.cells["natural_person"] = values[0]
        placed.cells["total"] = values[1]
        return placed
    if len(values) == len(APPLICANTS) and nums[-1] != sum(nums[:-1]):
        # six values, the last not the sum of the rest: only the blank 总计 can have been dropped
        placed.cells.update(zip(APPLICANTS, values, strict=True))
        placed.derived_total = sum(nums)
        return placed
    if len(values) >= 3 and nums[-1] == sum(nums[:-1]):
        placed.cells["total"] = values[-1]
        out.unplaced("table3", code, values[:-1])
        out.finding(
            "table3_ambiguous_sparse_row",
            f"{evidence}: {len(values) - 1} applicant values for 6 columns; only 总计 placed",
        )
        return placed
    out.finding("table3_ambiguous_sparse_row", f"{evidence}: values {nums} fit no single column reading")
    out.unplaced("table3", code, values)
    return None


def _total_of(placed: dict[str, _Placed], code: str) -> float | None:
    p = placed.get(code)
    if p is None:
        return None
    cell = p.cells.get("total")
    if cell is not None and cell.kind == "number":
        return cell.value
    return p.derived_total


def _column_values(placed: dict[str, _Placed], code: str) -> list[float | None]:
    p = placed.get(code)
    cells = [p.cells.get(column) if p else None for column in COLUMNS]
    return [c.value if c is not None and c.kind == "number" else None for c in cells]


def _resolve_glued(
    out: _Out, placed: dict[str, _Placed], subtotals: dict[str, _Placed], glued: list, order: list[str]
) -> None:
    """Glued rows that their own row sum cannot split are split jointly: the one combination of
    row splits under which I1 (新收 + 结转 = 总计 + 结转下年度) and I2 (总计 = Σ outcome rows) hold in
    every column where all their terms are read. Several combinations, or none, or a search beyond
    `_MAX_JOINT_COMBINATIONS`: no fact, a finding naming the row's candidate splits."""
    if not glued:
        return
    leaves = [c for c in order if c.startswith("apply.outcome.")]
    (intake, outflow) = formats.TABLE3_BALANCE
    identities = [(["apply.total_handled"], leaves), (list(intake), list(outflow))]
    codes = [code for code, _, _ in glued]
    options = [opts for _, _, opts in glued]
    rows = subtotals | placed  # 2019 prints （六）其他处理 as one row, kept with the group labels
    fixed = {c: _column_values(rows, c) for identity in identities for side in identity for c in side}
    relevant = [ident for ident in identities if set(codes) & set(ident[0] + ident[1])]
    n_combinations = 1
    for opts in options:
        n_combinations *= len(opts)
    solutions = []
    if relevant and n_combinations <= _MAX_JOINT_COMBINATIONS:
        for combo in itertools.product(*options):
            values = dict(fixed) | {
                c: [cell.value for cell in cells] for c, cells in zip(codes, combo, strict=True)
            }
            checked = False
            ok = True
            for lhs, rhs in relevant:
                for col in range(len(COLUMNS)):
                    terms = [values[c][col] for c in lhs + rhs]
                    if any(t is None for t in terms):
                        continue
                    checked = True
                    if sum(terms[: len(lhs)]) != sum(terms[len(lhs) :]):
                        ok = False
                        break
                if not ok:
                    break
            if ok and checked:
                solutions.append(combo)
                if len(solutions) > 1:
                    break
    if len(solutions) == 1:
        for (code, row, _), cells in zip(glued, solutions[0], strict=True):
            placed[code] = _positional(code, cells, row, None)
        return
    for code, row, opts in glued:
        readings = " / ".join("|".join(c.raw for c in cells) for cells in opts[:4])
        out.finding(
            "table3_ambiguous_glued_digits",
            f"{code}: {out.evidence(row.start, row.end)}: glued digits split more than one way ({readings})",
        )
        out.unplaced("table3", code, row.cells, glued=True)


def _resolve_pending(out: _Out, placed: dict[str, _Placed], pending: list, order: list[str]) -> None:
    """A lone nonzero value is 总计 only when I1 or I2 (totals column) require exactly that value."""
    leaves = [c for c in order if c.startswith("apply.outcome.")]
    for code, row, values in pending:
        value = values[0].value
        expected = None
        if code in leaves:
            others = [_total_of(placed, c) for c in leaves if c != code]
            handled = _total_of(placed, "apply.total_handled")
            if handled is not None and all(v is not None for v in others):
                expected = handled - sum(others)
        ident = ["apply.new", "apply.carried_over", "apply.total_handled", "apply.carried_forward"]
        if expected is None and code in ident:
            vals = {c: _total_of(placed, c) for c in ident if c != code}
            if all(v is not None for v in vals.values()):
                if code in ("apply.new", "apply.carried_over"):
                    other_in = vals.get("apply.carried_over", vals.get("apply.new"))
                    expected = vals["apply.total_handled"] + vals["apply.carried_forward"] - other_in
                else:
                    other_out = vals.get("apply.carried_forward", vals.get("apply.total_handled"))
                    expected = vals["apply.new"] + vals["apply.carried_over"] - other_out
        if expected is not None and expected == value:
            placed[code] = _Placed(code, {"total": values[0]}, row.start, row.end)
        else:
            out.finding(
                "table3_ambiguous_sparse_row",
                f"{code}: {out.evidence(row.start, row.end)}: one value {value:g} for 7 columns",
                observed=value,
            )
            out.unplaced("table3", code, values)


def _emit_t3(out: _Out, placed: dict[str, _Placed], subtotals: dict[str, _Placed], has_2021: bool) -> None:
    for code, p in placed.items():
        _emit_row(out, code, p)
    # Group totals = the sum of their sub-rows, per column (the contract's definition; 2019 prints
    # 其他处理 as one row). A printed subtotal row is kept as cells, used only where sub-rows are
    # incomplete, and reported when it disagrees with the sum.
    for group, subs in _T3_GROUPS.items():
        if group == "apply.outcome.other" and not has_2021:
            continue
        rows = [placed.get(s) for s in subs]
        if any(r is None for r in rows):
            continue
        lo, hi = min(r.start for r in rows), max(r.end for r in rows)
        printed = subtotals.get(group)
        ev = None
        for column in COLUMNS:
            values = []
            for r in rows:
                cell = r.cells.get(column)
                if cell is not None and cell.kind == "number":
                    values.append(cell.value)
                elif column == "total" and r.derived_total is not None:
                    values.append(r.derived_total)
                else:
                    break
            else:
                total = sum(values)
                cell = printed.cells.get(column) if printed else None
                if cell is not None and cell.kind == "number" and cell.value != total:
                    out.result.findings.append(
                        Finding(
                            check_name="table3_group_subtotal_mismatch",
                            detail=f"{group} [{column}] printed {cell.raw}, its sub-rows sum to {total:g}",
                            expected=total,
                            observed=cell.value,
                            source_inconsistent=True,
                        )
                    )
                if ev is None:  # the same for every column
                    ev = f"sum of {len(rows)} sub-rows: {out.evidence(lo, hi)}"
                out.fact(group, total, ev, lo, hi, breakdown=column, derived=True)
    for code, p in subtotals.items():
        _emit_row(out, code, p)


def _emit_row(out: _Out, code: str, p: _Placed) -> None:
    evidence = out.evidence(p.start, p.end)
    for column, cell in p.cells.items():
        out.cell("table3", code, column, cell)
        if cell.kind == "number":
            out.fact(code, cell.value, evidence, cell.start, cell.end, breakdown=column)
    if p.subtotal is not None:
        out.cell("table3", code, "legal_subtotal", p.subtotal)
    if p.derived_total is not None:
        out.fact(code, p.derived_total, evidence, p.start, p.end, derived=True)


def _emit_applicants(out: _Out, placed: dict[str, _Placed]) -> None:
    """apply.applicant.*: 自然人 and the five 法人或其他组织 columns of 本年新收."""
    new = placed.get("apply.new")
    if new is not None:
        evidence = out.evidence(new.start, new.end)
        natural = new.cells.get("natural_person")
        if natural is not None and natural.kind == "number":
            out.fact("apply.applicant.natural_person", natural.value, evidence, natural.start, natural.end)
        legal = [new.cells.get(c) for c in LEGAL_COLUMNS]
        for column, cell in zip(LEGAL_COLUMNS, legal, strict=True):
            if cell is not None and cell.kind == "number":
                out.fact(
                    "apply.applicant.legal_person",
                    cell.value,
                    evidence,
                    cell.start,
                    cell.end,
                    breakdown=column,
                )
        if all(c is not None and c.kind == "number" for c in legal):
            out.fact(
                "apply.applicant.legal_person",
                sum(c.value for c in legal),
                evidence,
                legal[0].start,
                legal[-1].end,
                derived=True,
            )


# --- 表二 ------------------------------------------------------------------------------------------------


def _money(value: float, unit: str | None) -> tuple[float, str, str]:
    """(value, measure, unit) of an amount cell: 万元 -> yuan, 元 -> yuan, no unit -> unknown."""
    if unit == "万元":
        try:
            yuan = float(Decimal(repr(value)) * 10000)
        except InvalidOperation:  # pragma: no cover - repr of a float is always a decimal
            yuan = value * 10000
        return yuan, "amount_yuan", "yuan"
    if unit == "元":
        return value, "amount_yuan", "yuan"
    return value, "amount_unknown_unit", "unknown"


def _extract_table2(out: _Out, text: str, start: int, end: int, era: str) -> int:
    """第二十条 rows between `start` and `end`; returns the end of the last label read (0: none)."""
    marker = _T2_MARKER.search(text, start, end)
    if marker is None:
        return 0
    # The region stops a few thousand characters after the last 第二十条 marker.
    last_marker = marker.start()
    for m in _T2_MARKER.finditer(text, marker.start(), end):
        last_marker = m.start()
    region_end = min(end, last_marker + 3000)
    labels = list(_T2_LABELS.scan(text, marker.start(), region_end))
    if not labels:
        return 0
    last_end = 0
    starts = [lab.start for lab in labels] + [region_end]
    heads = {lab.spec.extra for lab in labels if lab.spec.kind == "t2head"}
    region_era = "2021" if "2021" in heads else "2019" if "2019" in heads else None
    if region_era is None:
        region_era = "2021" if era == "std2021" else "2019"
    rows = [
        _read_row(out.seg, lab, starts[i + 1], per_line=False, money=True)
        if lab.spec.kind == "t2item"
        else None
        for i, lab in enumerate(labels)
    ]
    per_line = not any(r is not None and len([c for c in r.cells if c.kind != "blank"]) >= 2 for r in rows)
    header: list[tuple[str, str | None, str]] = []
    last_was_item = False
    for i, lab in enumerate(labels):
        kind = lab.spec.kind
        if kind in ("t2mark", "t2info"):
            header, last_was_item = [], False
            continue
        if kind == "t2head":
            if last_was_item:
                header, last_was_item = [], False
            unit = None
            if lab.match is not None:
                groups = lab.match.groupdict()
                unit = next((v for k, v in groups.items() if k[0] == "u" and v), None)  # the amount unit
            header.append((lab.spec.key, unit.replace(" ", "") if unit else None, lab.spec.extra))
            continue
        last_was_item = True
        row = rows[i]
        if per_line:
            row = _read_row_lines(out.seg, row, starts[i + 1], money=True)
        if row.prose or not row.has_values:
            continue
        _place_t2(out, lab.spec.key, row, header, region_era)
        last_end = max(last_end, row.end)
    return last_end


def _header_eras(header: list[tuple[str, str | None, str]]) -> set[str]:
    return {e for _, _, e in header}


def _place_t2(out: _Out, item: str, row: _Row, header: list[tuple[str, str | None, str]], era: str) -> None:
    cells = list(row.cells)
    for c in cells:
        if c.kind == "number" and out.garbled(c.start, c.end):
            c.kind, c.value = "text", None
    if row.layout == "pipe":
        while cells and cells[-1].kind == "blank":
            cells.pop()
    elif row.layout == "lines":
        cells = [c for c in cells if c.kind != "blank"]
    evidence = f"article20.{item}: {out.evidence(row.start, row.end)}"
    defaults = {e: _T2_DEFAULT[e][item] for e in (era, "2021" if era == "2019" else "2019")}
    header_cols = tuple(m for m, _, _ in header)
    # A header is trusted only when it is a complete column set (a wrapped `本年新 | 本年新` is not).
    if header_cols and len(header_cols) in {len(c) for c in defaults.values()}:
        columns = header_cols
    else:
        header_cols = ()
        eras = _header_eras(header)
        columns = (
            defaults["2021"] if eras == {"2021"} else defaults["2019"] if eras == {"2019"} else defaults[era]
        )
    if row.layout == "space" and _needs_split(cells, len(columns)):
        split, ambiguous = _glued_cells(cells, len(columns), lambda v: True)
        if split is None:
            how = "more than one way" if ambiguous else "no way"
            out.finding("table2_ambiguous_glued_digits", f"{evidence}: glued digits split {how}")
            out.unplaced("table2", f"article20.{item}", cells, glued=True)
            return
        cells = split
    elif len(cells) != len(columns):
        alternative = [c for c in defaults.values() if len(c) == len(cells)]
        if header_cols or not alternative:
            out.finding("table2_row_shape", f"{evidence}: {len(cells)} values for columns {list(columns)}")
            out.unplaced("table2", f"article20.{item}", cells)
            return
        columns = alternative[0]
    units = {m: u for m, u, _ in header} if header_cols else {}
    row_evidence = out.evidence(row.start, row.end)
    for measure, cell in zip(columns, cells, strict=True):
        metric_row = f"article20.{item}"
        unit = "count"
        value = cell.value
        metric_measure = measure
        if measure == "amount":
            if cell.kind == "number":
                value, metric_measure, unit = _money(cell.value, cell.unit or units.get("amount"))
            else:
                metric_measure = "amount_yuan"
        out.cell("table2", metric_row, metric_measure, cell, value if cell.kind == "number" else None)
        if cell.kind != "number":
            continue
        metric = f"{metric_row}.{metric_measure}"
        out.fact(metric, value, row_evidence, cell.start, cell.end, unit=unit)
        if item == "normative_docs" and (
            (measure == "published") or (measure == "made" and "published" not in columns)
        ):
            out.fact("proactive.normative_docs", value, row_evidence, cell.start, cell.end)


# --- 表四 ------------------------------------------------------------------------------------------------

_T4_LABELS = dict(formats.TABLE4_BLOCKS)
_T4_RESULT_LABELS = dict(formats.TABLE4_RESULTS)
_T4_START = re.compile(_fz(_T4_LABELS["review"]))
#: A run of header text: only characters of 表四's labels (and 情况), whitespace and cell punctuation.
_T4_HEAD_CHARS = "".join(
    sorted(
        set(
            "".join(_T4_LABELS.values())
            + "".join(_T4_RESULT_LABELS.values())
            + formats.TABLE4_LITIGATION
            + "情况"
        )
    )
)
_T4_HEAD_RUN = re.compile(rf"[{_T4_HEAD_CHARS}\s|#:()、\-]+")
#: A block's title, latest in the header wins; 未经复议直接起诉 is matched by its tail (wrapped headers).
_T4_TITLES = (
    ("litigation.direct", re.compile(_fz(_T4_LABELS["litigation.direct"][-4:]))),
    ("litigation.after_review", re.compile(_fz(_T4_LABELS["litigation.after_review"]))),
    ("review", re.compile(_fz(_T4_LABELS["review"]))),
)
_T4_CELL = re.compile(r"[ \t\r\f\v\n|]*([^\s|]+)")


def _head_ok(head: str) -> bool:
    compact = "".join(head.split())
    return _T4_RESULT_LABELS["upheld"][-2:] in compact and _T4_RESULT_LABELS["total"] in compact


def _number_run(text: str, pos: int, end: int) -> tuple[list[_Cell], int]:
    """Value cells (numbers, NA, markdown separators skipped) from `pos` until the first other token."""
    cells = []
    while pos < end:
        m = _T4_CELL.match(text, pos, end)
        if m is None:
            break
        tok = m.group(1)
        cell = _classify(tok, m.start(1), False)
        if cell.kind == "blank":
            pos = m.end()
            continue
        if cell.kind not in ("number", "na"):
            break
        cells.append(cell)
        pos = m.end()
        if len(cells) > _MAX_CELLS:
            break
    return cells, pos


def _t4_positional(text: str, cells: list[_Cell]) -> list[_Cell]:
    """A one-line pipe row keeps its blank cells in place (`0 | | 1 |`); other runs are taken as read."""
    if len(cells) in (5, 15) or not cells:
        return cells
    start = _line_start(text, cells[0].start)
    end = _line_end(text, cells[-1].end, len(text))
    if text.find("\n", cells[0].start, cells[-1].end) >= 0 or "|" not in text[start:end]:
        return cells
    row = _orphan_cells(text, start, end)
    if len(row) in (5, 15) and all(c.kind in ("number", "na", "blank") for c in row):
        return row
    return cells


def _find_table4(text: str, start: int) -> tuple[int, int] | None:
    """(start of the header, end of its header run) of the first 表四 header after `start`."""
    pos = start
    while True:
        m = _T4_START.search(text, pos)
        if m is None:
            return None
        head = _T4_HEAD_RUN.match(text, m.start())
        head_end = head.end() if head else m.end()
        if head and _head_ok(head.group(0)):
            return m.start(), head_end
        pos = max(head_end, m.end())


def _block_title(head: str) -> str | None:
    best, where = None, -1
    for block, pattern in _T4_TITLES:
        for m in pattern.finditer(head):
            if m.start() > where:
                best, where = block, m.start()
    return best


def _extract_table4(out: _Out, text: str, start: int) -> None:
    found = _find_table4(text, start)
    if found is None:
        return
    head_start, pos = found
    blocks: dict[str, tuple[list[_Cell], int, int]] = {}
    head_text = text[head_start:pos]
    for _ in range(3):
        cells, run_end = _number_run(text, pos, len(text))
        values = _t4_positional(text, cells)
        if (
            len(values) < 15
            and values
            and all(c.kind == "number" for c in values)
            and _needs_split(values, 15)
        ):
            split, ambiguous = _glued_cells(values, 15, _t4_identity)
            if split is not None:
                values = split
            elif ambiguous:
                out.finding("table4_ambiguous_glued_digits", f"表四: {out.evidence(pos, run_end)}")
                return
        row_start = values[0].start if values else pos
        if len(values) == 15:
            for b, block in enumerate(T4_BLOCKS):
                blocks.setdefault(block, (values[b * 5 : b * 5 + 5], row_start, run_end))
            break
        if len(values) == 5:
            title = _block_title(head_text)
            if title is None or title in blocks:
                out.finding(
                    "table4_unplaced_block", f"表四 block without a title: {out.evidence(pos, run_end)}"
                )
                break
            blocks[title] = (values, row_start, run_end)
            nxt = _T4_HEAD_RUN.match(text, run_end)
            if nxt is None or not _head_ok(nxt.group(0)) or len(blocks) == 3:
                break
            head_text, pos = nxt.group(0), nxt.end()
            continue
        if values:
            out.finding(
                "table4_row_shape",
                f"表四: {len(values)} values where 15 (or 5 per block) are expected: {out.evidence(pos, run_end)}",
            )
            out.unplaced("table4", "unplaced", values)
        break
    totals: dict[str, dict[str, _Cell]] = {}
    for block, (cells, row_start, row_end) in blocks.items():
        evidence = out.evidence(row_start, row_end)
        totals[block] = {}
        for result, cell in zip(RESULTS, cells, strict=True):
            if cell.kind == "number" and out.garbled(cell.start, cell.end):
                cell.kind, cell.value = "text", None
            out.cell("table4", block, result, cell)
            if cell.kind == "number":
                out.fact(f"{block}.{result}", cell.value, evidence, cell.start, cell.end)
                totals[block][result] = cell
    direct, after = totals.get("litigation.direct"), totals.get("litigation.after_review")
    if direct is None or after is None:
        return
    for result in RESULTS:
        a, b = direct.get(result), after.get(result)
        if a is None or b is None:
            continue
        lo, hi = min(a.start, b.start), max(a.end, b.end)
        ev = f"未经复议直接起诉 {a.raw} + 复议后起诉 {b.raw}: {out.evidence(_line_start(text, lo), hi)}"
        out.fact(f"litigation.{result}", a.value + b.value, ev, lo, hi, derived=True)


# --- the pre-2019 statistics table (统计表) ------------------------------------------------------------

_STATS_SPECS = [
    _spec(row.code, "stat", prefix, core)
    for row in formats.STATS_ROWS
    for prefix, core in _label_patterns(row)
]
_STATS_LABELS = _LabelSet(_STATS_SPECS)
_STATS_ROWS = {row.code: row for row in formats.STATS_ROWS}
_STATS_MARK = re.compile("|".join(_fz(h) for h in (*formats.STATS_HEADER, formats.STATS_CUMULATIVE)))

_STATS_CUMULATIVE = re.compile(_fz(formats.STATS_CUMULATIVE))
#: After a row label: its unit cell (条/件 …), then the row's values, nothing else.
_STATS_VALUES = re.compile(
    r"[\s|]*(?:(?:" + "|".join(formats.STATS_UNITS) + r")[\s|]+|(?:" + "|".join(formats.STATS_UNITS) + r"))?"
    r"(?P<values>\d+(?:[ \t|]+\d+)?)(?![\d.])"
)
_STATS_MIN_ROWS = 3  # fewer labelled rows with values is prose that happens to use a row's words
_STATS_MAX_COMBINATIONS = 100_000  # joint search budget; at the cap every glued row stays unread


def _stats_readings(digits: list[str], cumulative: bool) -> list[tuple[int, ...]]:
    """The (this year[, cumulative]) readings of one row's digit tokens: two tokens are two cells, one
    token under a 历年累计 header is two glued cells (no leading zeros, cumulative ≥ this year)."""
    if not cumulative:
        return [(int(digits[0]),)] if len(digits) == 1 and _valid_part(digits[0]) else []
    if len(digits) == 2:
        return [(int(digits[0]), int(digits[1]))] if all(map(_valid_part, digits)) else []
    token = digits[0]
    return [
        (int(token[:i]), int(token[i:]))
        for i in range(1, len(token))
        if _valid_part(token[:i]) and _valid_part(token[i:]) and int(token[i:]) >= int(token[:i])
    ]


def _stats_consistent(choice: dict[str, tuple[int, ...]]) -> bool:
    """Every printed child row sums to at most its parent row, in every column."""
    sums: dict[str, list[int]] = {}
    for code, values in choice.items():
        group = _STATS_ROWS[code].group
        if group in choice:
            acc = sums.setdefault(group, [0] * len(values))
            for i, v in enumerate(values):
                acc[i] += v
    return all(all(a <= b for a, b in zip(acc, choice[g], strict=True)) for g, acc in sums.items())


def _stats_value_rows(text: str):
    """(label, values match) of every statistics-table row label followed by its values."""
    mark = _STATS_MARK.search(text)  # the header, when the scrape kept it
    labels = list(_STATS_LABELS.scan(text, mark.start() if mark else 0, len(text)))
    for i, label in enumerate(labels):
        stop = labels[i + 1].start if i + 1 < len(labels) else min(len(text), label.end + 40)
        m = _STATS_VALUES.match(text, label.end, stop)
        if m is not None:
            yield label, m


def has_statistics_table(text: str) -> bool:
    """True when the text prints a pre-2019 statistics table (enough labelled rows with values)."""
    return len({label.spec.key for label, _ in _stats_value_rows(text)}) >= _STATS_MIN_ROWS


def _extract_stats(out: _Out, text: str) -> None:
    """Rows of the statistics table appended to pre-2019 reports: `主动公开信息数 | 条 | 425 | 1516`.

    Under a 历年累计 header only the first value is the year's; glued pairs (`条4251516`) are split
    jointly so that every child row sums to at most its parent in both columns. A unique reading gives
    facts; several give a finding naming them, and no fact."""
    cumulative = _STATS_CUMULATIVE.search(text) is not None
    rows: dict[str, tuple[list[tuple[int, ...]], int, int, re.Match[str]]] = {}
    for label, m in _stats_value_rows(text):
        if label.spec.key in rows or out.garbled(m.start("values"), m.end("values")):
            continue
        digits = re.split(r"[ \t|]+", m.group("values"))
        readings = _stats_readings(digits, cumulative)
        if readings:
            rows[label.spec.key] = (readings, label.start, m.end(), m)
    if len(rows) < _STATS_MIN_ROWS:
        return
    codes = list(rows)
    n = 1
    for code in codes:
        n *= len(rows[code][0])
    solutions: list[dict[str, tuple[int, ...]]] = []
    if n <= _STATS_MAX_COMBINATIONS:
        for combo in itertools.product(*(rows[c][0] for c in codes)):
            choice = dict(zip(codes, combo, strict=True))
            if _stats_consistent(choice):
                solutions.append(choice)
                if len(solutions) > 1:
                    break
    for code in codes:
        readings, start, end, m = rows[code]
        values = {s[code] for s in solutions}
        evidence = out.evidence(start, end)
        v0, v1 = m.start("values"), m.end("values")
        if len(values) != 1:
            why = "the budget ran out" if n > _STATS_MAX_COMBINATIONS else f"readings {sorted(readings)}"
            out.finding("stats_ambiguous_glued_digits", f"{code}: {evidence}: {why}")
            out.result.cells.append(
                TableCell("stats", code, "unplaced", m.group("values"), "text", None, v0, v1)
            )
            continue
        value = values.pop()
        for column, v in zip(("this_year", "cumulative"), value, strict=False):
            out.result.cells.append(TableCell("stats", code, column, str(v), "number", float(v), v0, v1))
        out.fact(code, float(value[0]), evidence, v0, v1)

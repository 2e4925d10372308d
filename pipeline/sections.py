"""One segmentation pass over a normalized report: every line typed once, and the heading hierarchy.

`segment(text)` gives each line one kind, and every later stage (metadata, tables, narrative) reads
those kinds instead of deciding again:

- ``blank``: nothing but whitespace;
- ``values``: a table row of value cells only (``| 1 | 0 |``, ``3 |``, ``0 0 0``, ``|``): numbers,
  not-applicable marks (``/``, ``—``, ``无``), markdown separators, empty cells;
- ``row``: another table row: a line holding ``|`` (a label or header row), a numbered line naming a
  row of the standard tables (``一、本年新收政府信息公开申请数量``, ``(三)不`` / ``予公开`` wrapped,
  ``(四)无2.没有现成信息需要另`` glued; the labels come from pipeline.formats), or a numbered line
  whose value cells follow on the next line;
- ``heading``: a section heading at the start of the line (its level and section are in `sections`);
- ``chrome``: page furniture of the scraped page above the report: a short line in the head holding
  a page-header field (``索引号:``, ``发布机构:``, ``发布日期:``) or a breadcrumb (``当前位置``);
- ``prose``: everything else. A very long line whose few ``|`` are sentence ends (a whole report
  flattened onto one line around a table) is prose too.

Heading levels: 1 = ``一、`` (or ``第一部分``), 2 = ``(一)``, 3 = ``1.`` / ``1、``, 4 = ``一是``.  A section
runs from its heading to the next heading of the same or a higher level (or the end of the text).
Text before the first heading, when there is any, is a preamble section (level 1, kind ``other``,
empty heading), so the sections of a document cover it from its first character (markdown marks
aside).  Headings normally start a line (after optional indentation or markdown ``#``).  Reports
flattened to one line ("...。一、总体情况2019年,...") get level-1/2 headings after a sentence end too,
but only in numbering order, so enumerations in running text stay text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import accumulate, chain

from pipeline import formats
from pipeline.records import Section

BLANK, VALUES, ROW, HEADING, CHROME, PROSE = "blank", "values", "row", "heading", "chrome", "prose"
TABLE_KINDS = frozenset({VALUES, ROW})

# --- table rows ------------------------------------------------------------------------------

#: One value cell: a number (also with thousands separators), a markdown separator, a
#: not-applicable mark, or an HTML blank.
VALUE = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|[+\-]?\d+(?:\.\d+)?|:?-+:?|[/\\—–×]+|无|不适用|&nbsp;)"
_VALUES_ROW = re.compile(rf"[ \t|]*(?:{VALUE}(?:[ \t|]+{VALUE})*)?[ \t|]*")
_VALUE_FIRST = frozenset("0123456789+-:/\\—–×无不& \t")
#: A line longer than this whose '|' are fewer than one per _SPARSE_PIPES characters is running text
#: (a whole report on one line around a flattened table): there '|' only ends sentences.
_LONG_LINE = 300
_SPARSE_PIPES = 40


def _line_kind(line: str) -> str:
    """The kind a line's own characters give (headings, labels and chrome are settled after)."""
    if "|" in line:
        if _VALUES_ROW.fullmatch(line):
            return VALUES
        return PROSE if len(line) > _LONG_LINE and line.count("|") * _SPARSE_PIPES < len(line) else ROW
    if not line or line.isspace():
        return BLANK
    if line[0] in _VALUE_FIRST and _VALUES_ROW.fullmatch(line):
        return VALUES
    return PROSE


def _leading_cjk(label: str) -> str:
    return re.match(r"[\u4e00-\u9fff]*", label).group(0)


#: Row labels of 表三 (pipeline.formats): their first four characters, and a label of two
#: characters (总计, 其他) only as a whole word. A numbered line starting so is a table row.
_TABLE_ROW_LABEL = "|".join(
    dict.fromkeys(
        re.escape(_leading_cjk(row.identifying)[:4])
        + ("" if len(row.identifying) > 2 else r"(?![\u4e00-\u9fff])")
        for row in formats.TABLE3_ROWS
        if _leading_cjk(row.identifying)
    )
)
_TABLE_ROW_START = re.compile(_TABLE_ROW_LABEL)
#: A numbered sub-row glued into a label ("(四)无2.没有现成信息需要另").
_GLUED_ROW_LABEL = re.compile(rf"\d[.、](?:{_TABLE_ROW_LABEL})")

# --- page chrome -----------------------------------------------------------------------------

#: The head of the text, where a scraped page prints its title and page-header fields.
HEAD_CHARS = 4000
#: Page-header fields naming the publisher, and dating the publication (in order of preference).
ORGAN_FIELDS = ("发布机构", "发文机关", "发布单位", "来源单位", "信息来源", "来源", "单位")
DATE_FIELDS = (("发布日期", "公开日期", "发布时间", "公开时间", "发文日期"), ("成文日期", "印发日期"))
_OTHER_FIELDS = ("索引号", "文号", "主题分类", "公开方式", "栏目", "点击数", "浏览次数", "访问量")
_FIELDS = (*ORGAN_FIELDS, *chain(*DATE_FIELDS), *_OTHER_FIELDS)
_BREADCRUMBS = ("当前位置", "所在位置", "现在的位置")
_CHROME = re.compile(
    # the lookahead on the first characters lets a search skip ordinary text
    f"(?=[{''.join(sorted({w[0] for w in (*_FIELDS, *_BREADCRUMBS)}))}])"
    f"(?:(?:{'|'.join(_FIELDS)})[ \t]*[:|]"
    f"|(?:{'|'.join(chain(*DATE_FIELDS))})[ \t]*(?:19|20)\\d\\d"  # 发布日期2019-03-11
    f"|{'|'.join(_BREADCRUMBS)})"
)
_CHROME_MAX = 200  # a longer line is the report itself, whatever it starts with

# --- headings --------------------------------------------------------------------------------

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_NUM = "[一二三四五六七八九十]{1,3}"

#: One alternative per level; the prefix allows indentation and markdown heading / emphasis marks.
_HEADING_BODY = (
    r"[ \t]*+(?:#{1,6}[ \t]*+|\*\*[ \t]*+)?"
    r"(?:"
    rf"(?P<l1>第(?P<p1>{_NUM})部分[ \t、.,:]*|(?P<n1>{_NUM})[ \t]*[、.,][、,]?)"
    rf"|(?P<l2>\([ \t]*(?P<n2>{_NUM})[ \t]*\))"
    r"|(?P<l3>(?P<n3>\d{1,2})[ \t]*[.、](?![\d.]))"
    rf"|(?P<l4>(?P<n4>{_NUM})是(?=[^\n]))"
    r")"
)
#: A heading starts a line or follows a sentence end (`inline`). The character before it is part of
#: the match (a heading never contains one), so a search skips straight to line and sentence ends;
#: a heading at the very start of the text is `_HEADING_AT_START`'s.
_HEADING = re.compile(r"(?P<lead>[\n。!?])" + _HEADING_BODY)
_HEADING_AT_START = re.compile(r"(?P<lead>(?!))?" + _HEADING_BODY)

_HEADING_END = re.compile(r"[。;:!?]")
_INLINE_END = re.compile(r"[。;:!?,]")
_MAX_HEADING = 40
_LOOKAHEAD = 400
# --- kinds -----------------------------------------------------------------------------------

#: (kind, pattern) in priority order: a review heading often also says 申请 ("因…申请行政复议").
_KIND_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("review_litigation", re.compile(r"行政复议|行政诉讼|复议|诉讼")),
    ("fees", re.compile(r"收费|减免|费用|信息处理费")),
    (
        "problems",
        re.compile(r"问题|不足|改进|整改|工作(?:思路|计划|打算|重点|要求|安排|展望|设想)|下一步|努力方向"),
    ),
    ("requests", re.compile(r"依申请|收到和处理|政府信息公开申请|公开申请|申请公开")),
    ("proactive", re.compile(r"主动公开")),
    ("overview", re.compile(r"概述|概况|总体情况|整体情况|基本情况|总体要求|工作情况$")),
    ("other", re.compile(r"其他需要报告|其他事项|需要说明|附表|附件")),
)
#: Parent kinds whose children may take a kind of their own (containers, not topics).
_CONTAINER_KINDS = frozenset({"overview", "other"})
#: Deep headings (levels 3-4) re-classify only when they read like a section title.
_PROBLEMS_TITLE = re.compile(r"^\S{0,6}(?:主要问题|存在的问题|存在问题|改进情况|改进措施|整改措施)")
_TITLE_LIKE = re.compile(r"(?:情况|方面|事项)$")


def classify_heading(heading: str) -> str | None:
    """The kind a heading's own words name, or None."""
    for kind, pattern in _KIND_RULES:
        if pattern.search(heading):
            return kind
    return None


def _cn_number(numeral: str) -> int:
    """一..九十九 as an int (十一 = 11, 二十 = 20)."""
    if "十" not in numeral:
        return _CN_DIGITS.get(numeral[-1], 0)
    tens, _, units = numeral.partition("十")
    return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(units, 0) if units else 0)


# --- the pass --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segmentation:
    """A document's lines, each with its kind, and its sections; line `i` is text[starts[i]:end(i)]."""

    text: str
    starts: list[int]
    kinds: list[str]
    sections: list[Section]

    def line(self, pos: int) -> int:
        """Index of the line holding `pos` (a line's '\\n' belongs to it)."""
        return bisect_right(self.starts, pos) - 1

    def end(self, i: int) -> int:
        """Where line `i` ends: its '\\n', or the end of the text."""
        return self.starts[i + 1] - 1 if i + 1 < len(self.starts) else len(self.text)

    def filled(self, i: int, blanks: int | None = None) -> int | None:
        """The first line from `i` on that is not blank (passing at most `blanks` blank lines), or None."""
        kinds, last = self.kinds, len(self.kinds) if blanks is None else min(len(self.kinds), i + blanks + 1)
        while i < last and kinds[i] == BLANK:
            i += 1
        return i if i < last else None

    def cells(self, i: int) -> int:
        """Value cells of a `values` line (0 for any other line)."""
        if self.kinds[i] != VALUES:
            return 0
        return len(self.text[self.starts[i] : self.end(i)].replace("|", " ").split())

    def past_rows(self, pos: int) -> int:
        """From a line start, past the table rows and chrome lines that follow (where prose may go on)."""
        i = self.line(pos)
        while i < len(self.kinds) and (self.kinds[i] in TABLE_KINDS or self.kinds[i] == CHROME):
            i += 1
        return self.starts[i] if i < len(self.starts) else len(self.text)

    def of_kind(self, kind: str, start: int, end: int) -> list[int]:
        """Indices of the lines of `kind` that start within [start, end)."""
        kinds = self.kinds
        lines = range(bisect_left(self.starts, start), bisect_left(self.starts, end))
        return [i for i in lines if kinds[i] == kind]


def segment(text: str) -> Segmentation:
    """Type every line of `text` and find its sections (linear time)."""
    lines = text.split("\n")
    starts = list(accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
    kinds = [_line_kind(line) for line in lines]
    seg = Segmentation(text, starts, kinds, [])
    heads = _headings(seg)
    for i in range(seg.line(HEAD_CHARS) + 1):
        line = lines[i]
        if kinds[i] in (PROSE, ROW) and len(line) <= _CHROME_MAX and _CHROME.search(line):
            kinds[i] = CHROME
    seg.sections.extend(_sections(text, heads))
    return seg


def _headings(seg: Segmentation) -> list[tuple[int, int, str]]:
    """(start, level, heading) of every heading; numbered lines that are table rows become rows."""
    text, kinds = seg.text, seg.kinds
    heads: list[tuple[int, int, str]] = []
    last_l1 = last_l2 = 0
    first = _HEADING_AT_START.match(text)
    for m in chain((first,) if first else (), _HEADING.finditer(text, first.end() if first else 0)):
        level = 1 if m["l1"] else 2 if m["l2"] else 3 if m["l3"] else 4
        inline = m["lead"] is not None and m["lead"] != "\n"
        if inline and level > 2:
            continue
        start = m.start(f"l{level}")
        i = seg.line(start)
        if kinds[i] in TABLE_KINDS:
            continue
        end = min(seg.end(i), start + _LOOKAHEAD)
        if inline:
            number = _cn_number(m[f"n{level}"] or m["p1"])
            # A flattened report: accept only the next number of its level (or a restart at 1).
            if level == 1 and number not in (last_l1 + 1, 1):
                continue
            if level == 2 and number not in (last_l2 + 1, 1):
                continue
            end = _inline_end(text, m.end(), end)
        if text.find("|", start, end) >= 0:  # a cell border in its text: a flattened table row
            continue
        heading = _heading_text(text, start, m.end(f"l{level}"), end)
        label = heading[m.end(f"l{level}") - start :].lstrip()
        if not label:
            continue
        if _is_table_label(label, text, end) or (not inline and _cells_follow(seg, i, end)):
            if not inline:
                kinds[i] = ROW
            continue
        if level == 1:
            last_l1, last_l2 = _cn_number(m["n1"] or m["p1"]), 0
        elif level == 2:
            last_l2 = _cn_number(m["n2"])
        if not inline:
            kinds[i] = HEADING
        heads.append((start, level, heading))
    return heads


def _cells_follow(seg: Segmentation, i: int, end: int) -> bool:
    """The next non-blank line (past at most two blank ones) is value cells between '|' ("|",
    "| 3 |", "3 |"): line `i` is a row label. A header row ("| 信息内容 | 本年制发件数 |") does not
    count: a heading may precede a table."""
    if end != seg.end(i):  # a line longer than the look-ahead
        return False
    nxt = seg.filled(i + 1, blanks=2)
    return (
        nxt is not None
        and seg.kinds[nxt] == VALUES
        and seg.text.find("|", seg.starts[nxt], seg.end(nxt)) >= 0
    )


def _is_table_label(label: str, text: str, line_end: int) -> bool:
    """A row label of the standard tables, also when wrapped ("(三)不" / "予公开") or glued."""
    if _TABLE_ROW_START.match(label) or _GLUED_ROW_LABEL.search(label):
        return True
    if len(label) <= 3:  # a wrapped cell: read on into the next line
        nxt = text.find("\n", line_end + 1, line_end + 1 + _LOOKAHEAD)
        joined = label + text[line_end + 1 : nxt if nxt >= 0 else line_end + 1 + _LOOKAHEAD].strip()
        return bool(_TABLE_ROW_START.match(joined))
    return False


def _heading_text(text: str, start: int, label_start: int, line_end: int) -> str:
    """The heading up to the end of its first sentence (a heading often runs on into its text)."""
    end = min(line_end, start + 120)
    m = _HEADING_END.search(text, label_start, end)
    return text[start : m.start() if m else end].strip().rstrip("*# \t")[:_MAX_HEADING]


def _inline_end(text: str, pos: int, line_end: int) -> int:
    """In a flattened line, a heading's text ends at the first sentence end after it."""
    m = _INLINE_END.search(text, pos, min(line_end, pos + 120))
    return m.start() if m else min(line_end, pos + _MAX_HEADING)


def _sections(text: str, heads: list[tuple[int, int, str]]) -> list[Section]:
    """The document's sections in text order (ordinal = position in the list), preamble first."""
    sections: list[Section] = []
    if not heads or text[: heads[0][0]].strip(" \t\r\n#*>"):
        first = heads[0][0] if heads else len(text)
        sections.append(Section(0, 1, "other", "", 0, first))
    # char_end: the next heading of the same or a higher level (a stack gives linear time).
    ends = [len(text)] * len(heads)
    stack: list[int] = []
    for i, (start, level, _) in enumerate(heads):
        while stack and heads[stack[-1]][1] >= level:
            ends[stack.pop()] = start
        stack.append(i)
    parents: list[tuple[int, str]] = []  # (level, kind) of the open ancestors
    for i, (start, level, heading) in enumerate(heads):
        while parents and parents[-1][0] >= level:
            parents.pop()
        parent_kind = parents[-1][1] if parents else None
        kind = _kind(heading, level, parent_kind)
        parents.append((level, kind))
        sections.append(Section(len(sections), level, kind, heading, start, ends[i]))
    return sections


def _kind(heading: str, level: int, parent_kind: str | None) -> str:
    own = classify_heading(heading)
    if parent_kind is None:
        return own or "other"
    if own is None or own == parent_kind:
        return parent_kind
    if parent_kind not in _CONTAINER_KINDS:
        # Topical parents keep their children, except a plainly titled problems part
        # (a report whose 四、 heading was lost puts "(一)主要问题" under 三、).
        return own if own == "problems" and level <= 2 and _PROBLEMS_TITLE.search(heading) else parent_kind
    if level >= 3 and not (_TITLE_LIKE.search(heading) or len(heading) <= 12):
        return parent_kind
    return own

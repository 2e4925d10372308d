"""Heading hierarchy and section kinds of a normalized report (pure, linear time).

Levels: 1 = ``一、`` (or ``第一部分``), 2 = ``(一)``, 3 = ``1.`` / ``1、``, 4 = ``一是``.  A section runs from its
heading to the next heading of the same or a higher level (or the end of the text).  Text before
the first heading, when there is any, is a preamble section (level 1, kind ``other``, empty
heading), so the sections of a document cover it from its first character (markdown marks aside).

Headings normally start a line (after optional indentation or markdown ``#``).  Reports
flattened to one line ("...。一、总体情况2019年,...") get level-1/2 headings after a sentence
end too, but only in numbering order, so enumerations in running text stay text.

Table rows are never headings: a line holding ``|``, a line followed by pipe cells, or a line
naming a row of the standard tables (``一、本年新收政府信息公开申请数量``, ``(一)予以公开``,
``1.属于国家秘密``...).
"""

from __future__ import annotations

import re
from itertools import chain

from pipeline import formats
from pipeline.records import Section

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

#: Row labels of 表三 (their first CJK characters, pipeline.formats): a "heading" starting so is a table row.
_TABLE_ROW_LABEL = re.compile(
    "|".join(
        dict.fromkeys(
            re.escape(re.match(r"[\u4e00-\u9fff]+", row.identifying).group(0)[:4])
            for row in formats.TABLE3_ROWS
            if len(row.identifying) > 2
        )
    )
    + "|总计|其他\\s*$"
)

#: A numbered sub-row glued into a label ("(四)无2.没有现成信息需要另").
_GLUED_ROW_LABEL = re.compile(r"\d[.、](?:" + _TABLE_ROW_LABEL.pattern.replace("|其他\\s*$", "") + ")")

#: A line of table cells holding values or nothing ("|", "3 |", "| 1 | 0 |").
_VALUE_CELL = re.compile(r"^[ \t]*+\|?(?:[ \t]*+[\d.,%/\-—]*+[ \t]*+\|)++[ \t]*+$")

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


def _line_end(text: str, pos: int) -> int:
    """End of the line at ``pos``, looking at most _LOOKAHEAD characters ahead (linear overall)."""
    limit = min(len(text), pos + _LOOKAHEAD)
    end = text.find("\n", pos, limit)
    return limit if end < 0 else end


def _next_line_is_cell(text: str, line_end: int) -> bool:
    """The next non-blank line is a value cell ("|", "| 3 |", "3 |"): the current line is a row label.

    A header row ("| 信息内容 | 本年制发件数 |") does not count: a heading may precede a table.
    """
    pos = line_end
    for _ in range(3):  # skip at most a couple of blank lines
        if pos >= len(text) or text[pos] != "\n":
            return False
        nxt = _line_end(text, pos + 1)
        line = text[pos + 1 : nxt].strip()
        if line:
            return _VALUE_CELL.match(line) is not None
        pos = nxt
    return False


def _is_table_label(label: str, text: str, line_end: int) -> bool:
    """A row label of the standard tables, also when wrapped ("(三)不" / "予公开") or glued."""
    if _TABLE_ROW_LABEL.match(label) or _GLUED_ROW_LABEL.search(label):
        return True
    if len(label) <= 3:  # a wrapped cell: read on into the next line
        joined = label + text[line_end + 1 : _line_end(text, line_end + 1)].strip()
        return bool(_TABLE_ROW_LABEL.match(joined))
    return False


def _heading_text(text: str, start: int, label_start: int, line_end: int) -> str:
    """The heading up to the end of its first sentence (a heading often runs on into its text)."""
    end = min(line_end, start + 120)
    m = _HEADING_END.search(text, label_start, end)
    return text[start : m.start() if m else end].strip().rstrip("*# \t")[:_MAX_HEADING]


def split_sections(text: str) -> list[Section]:
    """The document's sections in text order (ordinal = position in the list), preamble first."""
    heads: list[tuple[int, int, str]] = []  # (start, level, heading)
    last_l1 = last_l2 = 0
    first = _HEADING_AT_START.match(text)
    for m in chain((first,) if first else (), _HEADING.finditer(text, first.end() if first else 0)):
        level = 1 if m["l1"] else 2 if m["l2"] else 3 if m["l3"] else 4
        start = m.start(f"l{level}")
        line_end = _line_end(text, start)
        inline = m["lead"] is not None and m["lead"] != "\n"
        if inline:
            if level > 2:
                continue
            number = _cn_number(m[f"n{level}"] or m["p1"])
            # A flattened report: accept only the next number of its level (or a restart at 1).
            if level == 1 and number not in (last_l1 + 1, 1):
                continue
            if level == 2 and number not in (last_l2 + 1, 1):
                continue
            line_end = _inline_end(text, m.end(), line_end)
        if text.find("|", start, line_end) >= 0:  # a table row
            continue
        heading = _heading_text(text, start, m.end(f"l{level}"), line_end)
        label = heading[m.end(f"l{level}") - start :].lstrip()
        if not label or _is_table_label(label, text, line_end):
            continue
        if not inline and _next_line_is_cell(text, line_end):
            continue
        if level == 1:
            last_l1, last_l2 = _cn_number(m["n1"] or m["p1"]), 0
        elif level == 2:
            last_l2 = _cn_number(m["n2"])
        heads.append((start, level, heading))

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


def _inline_end(text: str, pos: int, line_end: int) -> int:
    """In a flattened line, a heading's text ends at the first sentence end after it."""
    m = _INLINE_END.search(text, pos, min(line_end, pos + 120))
    return m.start() if m else min(line_end, pos + _MAX_HEADING)


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

"""Report metadata: organ, place, year, period, publication date, format era (pure functions).

Everything reads the normalized text.  Sources of the issuing body, most trusted first: the
title (a title line, dated or not, or the preamble naming its report: ``特编制…2023年政府信息公开
工作年度报告``), the page's metadata header (``发布机构``), the compiling-body sentence
(``由…编制`` / ``区政府办公室编制本报告``), the signature block, the contact sentence
(``请与…联系``), and last the subject of the overview's first sentence.  A title naming only a
place or township takes the fuller name another source gives (``张义镇人民政府`` ->
``凉州区张义镇人民政府``); a government office named as compiler stands for its government
unless the text speaks for the office (``我办``, ``本单位``) more than for the place (``全县``).
Names scraped mirrors replaced with spam (digits, latin letters, gambling words) are never
taken, nor anything from a URL, nor words that name no body (``年度``, ``本级``).  Places come from the organ's name,
resolved against cpca's administrative-division table (:mod:`pipeline.places`); a name the
table cannot place unambiguously leaves the field None.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from pipeline import formats
from pipeline.places import Gazetteer, Mention, Resolution, gazetteer
from pipeline.records import ReportMetadata, Section
from pipeline.sections import CHROME, DATE_FIELDS, HEAD_CHARS, HEADING, ORGAN_FIELDS, PROSE, Segmentation

_TAIL_CHARS = 400  # signature block

# --- organ names ------------------------------------------------------------------------------

#: How an organ's name ends (longest first where one is a suffix of another).
_ORGAN_END = (
    r"(?:人民政府办公室|人民政府办公厅|政府办公室|政府办公厅|人民政府|政府|行政公署|行署|管理委员会|管委会"
    r"|委员会|办公室|办公厅|办事处|工委|管委|局|委|办|厅|署|院|部|中心|所|站|队|馆|室|镇|乡|街道)"
)
_ORGAN_END_RE = re.compile(_ORGAN_END + "$")
#: Scraped-mirror spam inside a name: no real organ has digits, latin letters or these words.
_SPAM = re.compile(
    r"[0-9A-Za-z]|网址|官网|博彩|彩票|棋牌|真人|赌|投注|下注|开户|威廉希尔|皇冠|葡京|太阳城|百家乐|老虎机"
    r"|娱乐|体育(?:直播|备用|官网|平台|投注|app|APP)|直播|手机版|色情|成人"
)
#: The report's own voice, never a name.
_SELF_REFERENCE = re.compile(
    r"^(?:我|本|该|全|各)(?:局|办|委|厅|单位|机关|部门|中心|市|县|区|镇|乡|街道|院|级)"
)
#: An office that compiles its government's report ("连云港市人民政府办公室" -> the government).
_GOVERNING = r"(?:人民政府|政府|管理委员会|管委会|行政公署|行署)"  # the body a place's office serves
_GOVERNING_RE = re.compile(_GOVERNING + "$")
_GOVERNMENT_OFFICE = re.compile(
    r"^(?P<gov>.+?" + _GOVERNING + ")"
    r"(?:政务公开(?:工作)?(?:领导小组)?|政府信息公开(?:工作)?(?:领导小组)?|信息公开|党政|综合)?"
    r"(?:办公室|办公厅)$"
)
#: Units inside a department that compile its report or answer for it ("…自然资源局综合一科").
_DEPARTMENT_UNITS = (
    "办公室",
    "综合[一二三四五六七八九十]?[科处股]",  # 综合科, 综合一科, 综合处, 综合股
    "政务公开[科股办]",
)
#: The office of a department, or a place's open-government office, compiles the body's report.
_DEPARTMENT_OFFICE = re.compile(
    r"^(?P<body>.+?(?:局|委员会|委|厅|署|中心))(?:" + "|".join(_DEPARTMENT_UNITS) + ")$"
)
_OPEN_GOVERNMENT_OFFICE = re.compile(
    r"^(?P<place>.+?[省市县区旗州])(?:政务公开|政府信息公开|信息公开)(?:工作)?(?:领导小组)?办公室$"
)
_PLACE_CHARS = "省市区县旗盟州镇乡"
_TOWNSHIP = re.compile(r"(?:镇|乡|街道|苏木)(?:人民政府|政府|办事处)?$")
_GOVERNMENT = re.compile(r"(?:人民政府|政府|行政公署|行署)(?:办公室|办公厅)?$")
_ZONE = re.compile(r"(?:管理委员会|管委会|工委|管委)$")

#: Words that introduce the report by its name ("特编制…", "现将…予以公开", "编制了《…》").
_NAMING_VERB = r"(?:编制|公布|现将|发布|印发)"
#: Title: "[ORG]2018年[ORG]政府信息公开工作年度报告" (the organ before or after the year).
_TITLE = re.compile(
    r"^(?P<pre>[^,。;:]{0,40}?)(?<!\d)(?P<year>(?:19|20)\d{2})年度?(?P<post>[^\d,。;:]{0,40}?)"
    r"(?P<gov>政府)?(?:信息公开|政务公开)(?:工作)?[^。;]{0,8}?(?P<end>报告|年报|情况)"
)
#: A title that states no year, alone on one of the first lines ("驼峰路街道办事处政府信息公开工作年度报告").
_UNDATED_TITLE = re.compile(
    r"^(?P<pre>[^\d,。;:]{2,40}?)(?P<gov>政府)?(?:信息公开|政务公开)(?:工作)?年度报告$"
)
_UNDATED_TITLE_LINES = 5  # an undated title only among the first cells, not a column name further down
_TITLE_LINES = 60  # title lines are looked for among the first lines of the head
#: The report named inside a sentence ("特编制…2023年政府信息公开工作年度报告", "现将富县人民政府2024年…").
_TITLE_LEAD = re.compile(_NAMING_VERB + r"(?:了|完成)?的?")
_TITLE_LEAD_CHARS = 1500  # the preamble that states what the report is
#: What a title's year is followed by before the name ("2015年年度宁国市…", "2016年度本级…").
_YEAR_WORD = re.compile(r"^(?:年度|年|度)+")
_TITLE_PREFIX = re.compile(r"^(?:#+|\*+|标题|名称|题目|文章标题)[::|]*")
_TITLE_PREFIX_FIRST = "#*标名题文"  # what a _TITLE_PREFIX match starts with
#: A page-header field naming the publisher (on a chrome line: pipeline.sections).
_HEADER_ORGAN = re.compile(
    f"(?:{'|'.join(ORGAN_FIELDS)})" r"[ \t]*(?:[::][ \t]*\|?|\|)[ \t]*(?P<org>[^|\s,。;:]{2,40})"
)
_HEADER_STOP = re.compile(r"(?:作者|时间|发布|点击|浏览|字号|日期|来源|访问|分类|索引|文号)")
#: Compiling-body sentence.
_COMPILED_BY = re.compile(
    r"(?<![自理经缘])由(?P<a>[^,。;:、\s《》|]{1,40}?"
    + _ORGAN_END
    + r")(?=根据|依据|按照|负责|牵头|组织|汇总|编制|编写|制作)"
    r"|(?:^|[,。;:\s])(?!由)(?P<b>[^,。;:、\s《》|]{1,40}?" + _ORGAN_END + r")(?:负责|牵头|组织|汇总)?编制",
    re.M,
)
_REPORT_BY = re.compile(r"^.*?报告(?:是)?由")
_NAME_LEAD = re.compile(r"^(?:【[^】]*】|\([一二三四五六七八九十\d]{1,3}\))+")  # "【连网】", "(一)"
_NAME_TRAIL = re.compile(r"(?:关于|的)$")
_BREADCRUMB = re.compile(r"[>›»/\\·]|首页|当前位置")
_COVERING_NOTICE = re.compile(r"关于(?:印发|公布|发布)?")
_SENTENCE_MARK = re.compile(r"[。,;:]")
#: 呼玛县政府(办公室) -> 呼玛县人民政府(办公室); "市政府研究室" stays as written.
_BARE_GOVERNMENT = re.compile(rf"(?<=[{_PLACE_CHARS}])(?<!人民)政府(?=(?:办公室|办公厅)?$)")
_GOVERNMENT_WORD = re.compile(r"(?:人民政府|政府|行政公署|行署)$")
#: Subject of the overview's first sentence ("2019年,县城南区工委、管委高度重视…").
_SUBJECT = re.compile(
    r"(?:^|\n)[ \t]*(?:19|20)\d{2}年度?,?(?P<org>[^\d,。;:\s《》()|]{2,20}?)"
    r"(?=高度重视|认真|深入贯彻|坚持|按照|严格|紧紧围绕|始终|全面|积极|继续|进一步|持续|不断|扎实|切实)"
)
#: The contact sentence ("如有疑问,请与阿巴嘎旗自然资源局办公室联系(电话:…)").
_CONTACT = re.compile(r"请与(?P<org>[^,。;:、\s《》()()|]{2,40}?)联系")
#: How a body speaks of itself; a government office that does so more than of its place ("全县", "我县")
#: reports on itself, else it compiled its government's report.
_UNIT_VOICE = ("我办", "本办", "我厅", "本单位", "我单位", "本机关")

# --- dates ------------------------------------------------------------------------------------

#: A date: 2019年3月28日, 2019-03-11, or with 年/月 dropped (201711日, 20171231日).
_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:"
    r"年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})(?!\d)\s*日?"
    r"|[-/.](?P<m2>\d{1,2})[-/.](?P<d2>\d{1,2})(?!\d)"
    r"|年?(?P<md>\d{2,4})\s*日"
    r")"
)
#: A month and day with the year left out ("至12月31日").
_MONTH_DAY = re.compile(r"(?<!\d)(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")
_PERIOD_ANCHOR = re.compile(
    r"统计(?:期限|时限|周期|时间|区间|范围|期)|数据(?:统计)?(?:期限|时限|周期|区间)|所列数据|统计数据"
)
_PERIOD_LEAD = re.compile(r"^[\s为是自从::,期间均以]*")  # "…统计期限为 / 自 / 是"
_RANGE_JOIN = re.compile(r"^\s*(?:起|开始)?\s*(?:至|到|-|~|—|–)\s*$")
#: "1-11月": statistics for January to November.
_PARTIAL_YEAR = re.compile(r"(?:^|(?<=[\n。,;:年]))\s*1\s*月?\s*(?:-|至|到|~)\s*(?P<n>1[01]|[2-9])\s*月份?")
#: A date in Chinese numerals, as signature lines write it ("二〇一九年三月二十八日").
_CN_DATE = re.compile(
    r"(?P<y>[〇○零O0一二三四五六七八九]{4})\s*年\s*(?P<m>[一二三四五六七八九十]{1,2})\s*月"
    r"\s*(?P<d>[一二三四五六七八九十]{1,3})\s*日"
)
_CN_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "○": 0, "O": 0, "0": 0}
_CLOSING_PAREN = re.compile(r"[))\s]+$")
_OPENING_PAREN = re.compile(r"[((\s]+$")
#: Page-header fields dating the publication, in order of preference (on chrome lines).
_HEADER_DATES = tuple(re.compile(f"(?:{'|'.join(fields)})" r"\s*[::]?\s*\|?\s*") for fields in DATE_FIELDS)
#: A self-reference to the report ("编制了2021年政府信息公开年度报告", "2009年度政府信息公开年度报告").
_REPORT_YEAR = re.compile(
    _NAMING_VERB + r"(?:了|的|完成)?[^。,;\d]{0,14}?(?<!\d)(?P<y>(?:19|20)\d{2})\s*年度?[^。,;\d]{0,20}?"
    r"(?:政府信息公开|政务公开)[^。;]{0,8}?(?:报告|年报)"
)
#: The state of things at the year's end ("截止2023年12月31日我局…发布…").
_YEAR_END = re.compile(r"截[至止]到?(?P<y>(?:19|20)\d{2})\s*年\s*(?:12\s*月\s*31\s*日|底|末)")
_ANY_YEAR = re.compile(r"(?<![\d〔\[(/-])(?P<y>(?:19|20)\d{2})\s*年(?!\d)(?P<after>.{0,6})")
_FUTURE_PLAN = re.compile(
    r"^度?(?:工作)?(?:思路|计划|打算|要点|重点|安排|目标|展望|设想)|^度?,?(?:我|全)\S{0,3}将"
)

# --- format era -------------------------------------------------------------------------------

_NOISE = re.compile(r"[\s|]+")


def _labels_through_noise(*labels: str) -> re.Pattern[str]:
    """Labels as they read once whitespace and table borders are dropped: any run of those may
    fall between two characters (searching the text so equals searching its compacted copy)."""
    return re.compile("|".join(r"[\s|]*".join(map(re.escape, label)) for label in labels))


def _header_cores(era: str) -> list[str]:
    return [label.split("（")[0] for _, e, label in formats.TABLE2_HEADERS if e == era]


def _nfkc(label: str) -> str:
    return unicodedata.normalize("NFKC", label)


_ROWS = {row.code: row for row in formats.TABLE3_ROWS}
#: Labels only the 2021 format prints (表二 headers, the split 其他处理 rows), only the 2019 one prints
#: (its 表二 headers that no 2021 header contains, item （九）), and either prints (pipeline.formats).
_STD2021 = _labels_through_noise(
    *_header_cores("std2021"),
    # the two new 其他处理 rows, without their 申请人 (a wrapped label often splits it off)
    *[row.identifying.removeprefix("申请人") for row in formats.table3_rows("std2021") if row.group][-3:-1],
)
_STD2019 = _labels_through_noise(
    *(h for h in _header_cores("std2019") if not any(h in h21 for h21 in _header_cores("std2021"))),
    _nfkc(formats.TABLE2_MARKER.format(n="九")),
)
_STD_ANY = _labels_through_noise(
    _ROWS["apply.new"].label.removeprefix("本年"),
    _ROWS["apply.carried_over"].label,
    _ROWS["apply.carried_forward"].label,
    formats.TABLE3_TITLE,
    _nfkc(formats.TABLE2_MARKER.format(n="一")),
)


# =============================================================================================
# dates


def _valid(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _split_month_day(digits: str, prefer_end: bool) -> tuple[int, int] | None:
    """Month and day run together after a dropped 月: "11" -> 1/1, "1231" -> 12/31, "131" -> 1/31."""
    options = []
    if len(digits) == 2:
        options = [(int(digits[0]), int(digits[1]))]
    elif len(digits) == 3:
        options = [(int(digits[0]), int(digits[1:])), (int(digits[:2]), int(digits[2]))]
    elif len(digits) == 4:
        options = [(int(digits[:2]), int(digits[2:]))]
    options = [(m, d) for m, d in options if 1 <= m <= 12 and 1 <= d <= 31]
    if len(options) > 1:  # "113": 1/13 or 11/3 -> the one that starts or ends a month
        for m, d in options:
            if (d == calendar.monthrange(2001, m)[1]) if prefer_end else d == 1:
                return m, d
    return options[0] if options else None


def _date_of(m: re.Match[str], prefer_end: bool = False) -> date | None:
    y = int(m["y"])
    if m["m"]:
        return _valid(y, int(m["m"]), int(m["d"]))
    if m["m2"]:
        return _valid(y, int(m["m2"]), int(m["d2"]))
    md = _split_month_day(m["md"], prefer_end)
    return _valid(y, *md) if md else None


def parse_date(s: str, prefer_end: bool = False) -> date | None:
    """The first date in ``s`` (full, ISO-like, or with 年/月 dropped), or None."""
    m = _DATE.search(s)
    return _date_of(m, prefer_end) if m else None


def _cn_int(numeral: str) -> int:
    if "十" not in numeral:
        return _CN_DIGIT.get(numeral, 0)
    tens, _, units = numeral.partition("十")
    return (_CN_DIGIT.get(tens, 0) if tens else 1) * 10 + (_CN_DIGIT.get(units, 0) if units else 0)


def _cn_date(m: re.Match[str]) -> date | None:
    year = int("".join(str(_CN_DIGIT.get(c, 0)) for c in m["y"]))
    return _valid(year, _cn_int(m["m"]), _cn_int(m["d"]))


def _date_ending_line(line: str) -> tuple[date, str] | None:
    """A line that ends with a date ("2019年3月28日", "(二〇一九年三月)"): the date and the text before it."""
    line = _CLOSING_PAREN.sub("", line.strip())
    for pattern, convert in ((_DATE, _date_of), (_CN_DATE, _cn_date)):
        last = [m for m in pattern.finditer(line, max(0, len(line) - 24)) if m.end() == len(line)]
        if last:
            when = convert(last[-1])
            if when is not None:
                return when, _OPENING_PAREN.sub("", line[: last[-1].start()])
    return None


def parse_period(window: str) -> tuple[date, date] | None:
    """A range "2018年1月1日(起)至(2018年)12月31日(止)" at the start of ``window``."""
    first = _DATE.search(window)
    if first is None or first.start() > 12:
        return None
    start = _date_of(first)
    if start is None:
        return None
    rest = window[first.end() :]
    second = _DATE.search(rest)
    end = None
    if second is not None and _RANGE_JOIN.match(rest[: second.start()]):
        end = _date_of(second, prefer_end=True)
    else:
        md = _MONTH_DAY.search(rest)
        if md is not None and _RANGE_JOIN.match(rest[: md.start()]):
            end = _valid(start.year, int(md["m"]), int(md["d"]))
    if end is None or end < start:
        return None
    return start, end


def _stated_period(text: str) -> tuple[date, date] | None:
    for m in _PERIOD_ANCHOR.finditer(text, 0, min(len(text), 20000)):
        window = text[m.end() : m.end() + 60]
        # skip the linking words: 为 / 是 / 自 / 从 / : / 期间
        window = _PERIOD_LEAD.sub("", window)
        period = parse_period(window)
        if period:
            return period
    return None


def _partial_year(text: str, sections: list[Section]) -> int | None:
    """The "1-11月" stated in a statistics section (or the preamble): the last month covered."""
    for sec in sections:
        if sec.heading and sec.kind not in ("proactive", "requests", "review_litigation"):
            continue
        m = _PARTIAL_YEAR.search(text, sec.char_start, sec.char_end)
        if m:
            return int(m["n"])
    return None


# =============================================================================================
# organ


@dataclass(slots=True)
class _TitleOrgan:
    name: str
    place_only: bool  # the title names just the place ("2018年呼玛县政府信息公开…")


def _clean_name(raw: str) -> str | None:
    name = raw.strip().strip("【】[]“”\"'《》<>·.、 \t")
    name = _NAME_LEAD.sub("", name)
    name = _NAME_TRAIL.sub("", name)
    if len(name) < 2:
        return None
    return name


def _strip_spam(name: str) -> str | None:
    """Drop a spam run in front of a real name; None when nothing plausible is left."""
    ends = [m.end() for m in _SPAM.finditer(name)]
    if not ends:
        return name
    rest = name[ends[-1] :]
    if len(rest) >= 3 and _ORGAN_END_RE.search(rest) and not _SPAM.search(rest):
        return rest
    return None


def _usable(name: str | None) -> str | None:
    if not name:
        return None
    name = _strip_spam(name)
    if not name or _SELF_REFERENCE.match(name) or "http" in name or "www" in name:
        return None
    return name


def _title_lines(seg: Segmentation) -> list[tuple[str, str]]:
    """Candidate title cells of the head's first lines, each with its line's kind (pipeline.sections):
    spaces dropped, a wrapped title re-joined."""
    text = seg.text
    last = min(_TITLE_LINES, seg.line(HEAD_CHARS) + 1)
    raw = [text[seg.starts[i] : min(seg.end(i), HEAD_CHARS)] for i in range(last)]
    out = []
    for i, line in enumerate(raw):
        for cell in line.split("|"):
            cell = "".join(cell.split())  # = _NOISE.sub("", cell): str.split() splits where `\s` matches
            if cell and cell[0] in _TITLE_PREFIX_FIRST:
                cell = _TITLE_PREFIX.sub("", cell)
            if not cell:
                continue
            # "2024年上海市科委政府信息公开工作" / "年度报告": the title goes on in the next line
            if "报告" not in cell and ("信息公开" in cell or "政务公开" in cell) and i + 1 < len(raw):
                nxt = _NOISE.sub("", raw[i + 1])
                if len(nxt) <= 12 and "报告" in nxt:
                    cell += nxt
            out.append((cell[:200], seg.kinds[i]))
    return out


def _title_organ(pre: str, post: str, gov: bool) -> tuple[str | None, bool]:
    """The name a title gives (before or after its year) and whether it is a place only."""
    pre = _BREADCRUMB.split(pre)[-1]
    parts = _COVERING_NOTICE.split(pre)
    pre = parts[-1] or parts[0]
    post = _YEAR_WORD.sub("", post)
    if gov and post.endswith("人民"):  # "2018年呼玛县人民政府信息公开…": the 政府 belongs to the name
        post += "政府"
    elif gov and not post and pre.endswith("人民"):  # "某县人民政府信息公开工作年度报告"
        pre += "政府"
    raw = _clean_name(post) or _clean_name(pre)
    if raw is None or _SPAM.search(raw) or not _usable(raw) or raw[0] in "全各":
        return None, False
    if not _ORGAN_END_RE.search(raw) and raw[-1] not in _PLACE_CHARS:
        return None, False  # neither a body nor a place ("关于做好2020年…", "2017年没有公民…的…")
    place_only = not _ORGAN_END_RE.search(raw) or bool(_TOWNSHIP.search(raw))
    return raw, place_only


def _title_of(line: str, undated: bool) -> tuple[str | None, bool, int | None] | None:
    """(name, place only, year) when ``line`` is a report title; an undated one only if it names a body."""
    m = _TITLE.match(line)
    if m and not (m["end"] == "情况" and len(line) > 40):  # "…工作情况" only as a short title line
        return (*_title_organ(m["pre"] or "", m["post"] or "", bool(m["gov"])), int(m["year"]))
    m = _UNDATED_TITLE.match(line) if undated else None
    if m:
        name, place_only = _title_organ(m["pre"], "", bool(m["gov"]))
        if name and _ORGAN_END_RE.search(name):
            return name, place_only, None
    return None


def _title_sentences(head: str) -> list[str]:
    """Where the preamble names the report it introduces, spaces dropped."""
    out = []
    for m in _TITLE_LEAD.finditer(head, 0, _TITLE_LEAD_CHARS):
        out.append("".join(head[m.end() : m.end() + 120].split()))
    return out


def _title(seg: Segmentation, head: str) -> tuple[_TitleOrgan | None, int | None, list[str]]:
    """The title's organ and year, and the names later titles give (the same body, often in full)."""
    lines = _title_lines(seg)
    # a section heading is never a title line ("二、2018年政府信息公开情况")
    candidates = [
        (line, i, i < _UNDATED_TITLE_LINES) for i, (line, kind) in enumerate(lines) if kind != HEADING
    ]
    candidates += [(sentence, None, False) for sentence in _title_sentences(head)]
    first: _TitleOrgan | None = None
    year: int | None = None
    others: list[str] = []
    for line, i, undated in candidates:
        found = _title_of(line, undated)
        if found is None:
            continue
        name, place_only, title_year = found
        if name is None and year is None and i is not None:
            # "XX县人民政府" on its own line just above or below the first title
            around = [ln for ln, kind in lines[max(0, i - 1) : i] if kind == PROSE] + [
                ln for ln, _ in lines[i + 1 : i + 3]
            ]
            name = next((n for n in map(_byline, around) if n), None)
            place_only = False
        year = year or title_year
        if name and first is None:
            first = _TitleOrgan(name, place_only)
        elif name:
            others.append(name)
    return first, year, others


def _byline(line: str) -> str | None:
    """A short line that is nothing but an organ's name."""
    if len(line) > 30 or _SENTENCE_MARK.search(line) or any(c.isdigit() for c in line):
        return None
    name = _usable(_clean_name(line))
    return name if name and _ORGAN_END_RE.search(name) else None


def _header_fields(seg: Segmentation, field: re.Pattern[str]):
    """Matches of a page-header field on the chrome lines above the report, in text order."""
    for i in seg.of_kind(CHROME, 0, HEAD_CHARS):
        yield from field.finditer(seg.text, seg.starts[i], seg.end(i))


def _header_organ(seg: Segmentation) -> str | None:
    for m in _header_fields(seg, _HEADER_ORGAN):
        org = _HEADER_STOP.split(m["org"], maxsplit=1)[0]
        org = _usable(_clean_name(org))
        if org and _ORGAN_END_RE.search(org):
            return org
    return None


def _compiled_by(text: str) -> str | None:
    limit = min(len(text), 6000)
    pos = text.find("编制", 0, limit)
    start = 0
    while pos >= 0:  # only around each "编制": the pattern is costly to try everywhere
        for m in _COMPILED_BY.finditer(text, max(start, pos - 160), pos + 2):
            org = _usable(_clean_name(_REPORT_BY.sub("", m["a"] or m["b"])))
            if org:
                return org
        start = pos + 2
        pos = text.find("编制", start, limit)
    return None


def _signature(text: str) -> tuple[str | None, date | None]:
    """The signing body and date at the end ("哈尔滨市人民政府政务公开办公室" / "2019年3月28日")."""
    lines = [ln.strip() for ln in text[-_TAIL_CHARS:].split("\n") if ln.strip()][-6:]
    for i in range(len(lines) - 1, -1, -1):
        dated = _date_ending_line(lines[i])
        if dated is None:
            continue
        when, before = dated
        if before and len(before) > 40:
            return None, None  # a sentence that ends in a date is no signature
        candidate = before or (lines[i - 1] if i > 0 else "")
        org = None
        if candidate and len(candidate) <= 40 and not _SENTENCE_MARK.search(candidate):
            org = _usable(_clean_name(candidate))
            if org and not _ORGAN_END_RE.search(org):
                org = None
        return org, when
    return None, None


def _subject(text: str, sections: list[Section]) -> str | None:
    for sec in sections:
        if sec.kind != "overview":
            continue
        m = _SUBJECT.search(text, sec.char_start, min(sec.char_end, sec.char_start + 400))
        if m:
            org = _usable(_clean_name(m["org"]))
            if org and _ORGAN_END_RE.search(org):
                return org
        break
    return None


def _government_of(place: str) -> str:
    """The government of a named place, as the canonical name of its report's organ."""
    if place.endswith("地区"):
        return place + "行政公署"
    return place + "人民政府"


def _canonical(name: str, keep_office: bool) -> str:
    """A compiling office -> its department or government; then 呼玛县政府 -> 呼玛县人民政府."""
    if m := _DEPARTMENT_OFFICE.match(name):
        name = m["body"]
    elif m := _OPEN_GOVERNMENT_OFFICE.match(name):
        name = _government_of(m["place"])
    elif not keep_office and (m := _GOVERNMENT_OFFICE.match(name)):
        name = m["gov"]
    return _BARE_GOVERNMENT.sub("人民政府", name)


#: Words a level character starts without standing for a place ("市场监督管理局", "区域…").
_NOT_RELATIVE = re.compile(r"^(?:市场|市政(?!府)|区域|县域|市级|区级|县级|省级|州级|乡村|镇村)")


def _is_relative(name: str) -> bool:
    """A level word standing in for the place's name ("区政府办公室", "市科委"): a relative name."""
    return len(name) >= 2 and name[0] in _PLACE_CHARS and not _NOT_RELATIVE.match(name)


def _placeless(name: str, gaz: Gazetteer) -> bool:
    """A bare department name ("自然资源和规划局": a mirror ate its place), or one the table cannot place."""
    if _GOVERNMENT.search(name) or _TOWNSHIP.search(name) or _ZONE.search(name):
        return False
    return not gaz.scan(name, aliases=False)


def _probe(name: str) -> str:
    """What other mentions of the body repeat after its place ("自然资源和规划局" -> "自然资源和规划")."""
    m = _GOVERNMENT_OFFICE.match(name)
    if m:
        name = m["gov"]
    name = _GOVERNMENT_WORD.sub("", name)
    if _TOWNSHIP.search(name) or _ZONE.search(name):
        return name  # "两城镇": keep the level word, it is part of the name
    return _ORGAN_END_RE.sub("", name) or name


def _place_before(text: str, probe: str, level_char: str | None, gaz: Gazetteer) -> list[Mention] | None:
    """The place chain most often written right before ``probe`` ("杭州市滨江区" + "人民政府")."""
    counts: dict[str, int] = {}
    chains: dict[str, list[Mention]] = {}
    pos = text.find(probe)
    seen = 0
    while pos >= 0 and seen < 200:
        seen += 1
        chain = gaz.chain_ending_at(text, pos + 1 if level_char else pos)
        if chain and (level_char is None or chain[-1].text.endswith(level_char)):
            key = chain[-1].text
            counts[key] = counts.get(key, 0) + 1
            if sum(len(c.text) for c in chain) > sum(len(c.text) for c in chains.get(key, [])):
                chains[key] = chain
        pos = text.find(probe, pos + len(probe))
    if not counts:
        return None
    best = max(counts.values())
    top = [k for k, v in counts.items() if v == best]
    return chains[top[0]] if len(top) == 1 else None


def _anchor(name: str, text: str, gaz: Gazetteer) -> tuple[list[Mention], str] | None:
    """Where the text puts a name that carries no place of its own: (place chain, completed name)."""
    if _is_relative(name):
        level_char, rest = name[0], name[1:]
        core = _probe(rest)
        if core in ("", "人民", rest) and _GOVERNMENT.search(rest):
            probes = [level_char + "人民政府", level_char + "政府"]
        else:
            probes = [level_char + core]
        for probe in probes:
            chain = _place_before(text, probe, level_char, gaz)
            if chain:
                return chain, _chain_name(chain, gaz) + rest
    if _placeless(name, gaz) or _TOWNSHIP.search(name):
        core = _probe(name)
        if len(core) >= 2:
            chain = _place_before(text, core, None, gaz)
            if chain:
                return chain, _chain_name(chain, gaz) + name
    return None


def _chain_name(chain: list[Mention], gaz: Gazetteer) -> str:
    """The chain as a name prefix; an alias becomes the full name ("淮安" -> "淮安市")."""
    parts = []
    for m in chain:
        parts.append(gaz.by_code[m.codes[0]].name if m.is_alias and len(m.codes) == 1 else m.text)
    return "".join(parts)


def _complete(name: str, text: str, gaz: Gazetteer) -> str | None:
    """A candidate organ with its place filled in; None when it names no body of its own."""
    if not (_is_relative(name) or _placeless(name, gaz)):
        return name
    anchored = _anchor(name, text, gaz)
    if anchored is not None:
        return anchored[1]
    if _is_relative(name) and _GOVERNMENT.search(name):
        return None  # "区政府办公室" alone names nobody
    return name  # a department as written ("县城南区工委、管委", "市科委")


def _contact(head: str) -> str | None:
    for m in _CONTACT.finditer(head):
        org = _usable(_clean_name(m["org"]))
        if org and (_ORGAN_END_RE.search(org) or _DEPARTMENT_OFFICE.match(org)):
            return org
    return None


def _keeps_office(name: str, text: str) -> bool:
    """Whether a government office named as the compiler ("伊宁县人民政府办公室") is the reporting body."""
    m = _GOVERNMENT_OFFICE.match(name)
    if m is None:
        return True
    level_char = _GOVERNING_RE.sub("", m["gov"])[-1:]
    place_voice = (text.count("全" + level_char) + text.count("我" + level_char)) if level_char else 0
    return sum(text.count(w) for w in _UNIT_VOICE) > place_voice


def _extends(place: str, other: str, gaz: Gazetteer) -> bool:
    """``other`` is ``place`` with its higher places in front ("凉州区" + "张义镇人民政府") or a suffix after."""
    if other.startswith(place):
        return other != place
    i = other.find(place)
    rest = other[i + len(place) :]
    if i <= 0 or (rest and not _ORGAN_END_RE.fullmatch(rest)):
        return False
    chain = gaz.chain_ending_at(other, i)
    return bool(chain) and chain[0].start == 0


def _organ(seg: Segmentation, head: str, signed_by: str | None) -> tuple[str | None, int | None]:
    """The issuing body and the title's year."""
    gaz = gazetteer()
    text, sections = seg.text, seg.sections
    title, title_year, title_others = _title(seg, head)
    others = [o for o in (_header_organ(seg), _compiled_by(text), signed_by, _contact(head)) if o]

    if title is not None and not title.place_only:
        name = _canonical(title.name, keep_office=True)
        anchored = _anchor(name, text, gaz) if _is_relative(name) else None  # "市政府研究室" -> 孝感市…
        return (anchored[1] if anchored else name), title_year

    if title is not None:  # a place (or zone) only: refine with the other sources
        place = title.name
        for other in [*title_others, *others]:
            if _extends(place, other, gaz):
                return _canonical(other, _keeps_office(other, text)), title_year
            if _is_relative(other) and place.endswith(other[0]):
                full = place + other[1:]
                return _canonical(full, _keeps_office(full, text)), title_year
        if _TOWNSHIP.search(place) or gaz.ending_at(place, len(place)) is None:
            return place, title_year  # a township or zone: as written
        return _government_of(place), title_year

    for org in others:
        name = _complete(_canonical(org, _keeps_office(org, text)), text, gaz)
        if name:
            return name, title_year
    subject = _subject(text, sections)  # the body at work in the overview: as written
    return (_complete(_canonical(subject, keep_office=True), text, gaz) if subject else None), title_year


# =============================================================================================
# place and level


def _place(organ: str | None, text: str) -> Resolution:
    """Where the organ sits: its own place names, else where the text puts it."""
    if not organ:
        return Resolution()
    gaz = gazetteer()
    mentions = gaz.scan(organ, aliases=False)
    if not mentions:
        anchored = _anchor(organ, text, gaz)
        if anchored is not None:
            mentions = anchored[0]
        elif _placeless(organ, gaz):  # "淮安自然资源和规划局": a short form leading a department's name
            mentions = [m for m in gaz.scan(organ)[:1] if m.start == 0]
    return gaz.resolve(mentions, text[:20000])


def _admin_level(organ: str | None, place: Resolution) -> str:
    if not organ:
        return "unknown"
    if _TOWNSHIP.search(organ):
        return "township"
    if _GOVERNMENT.search(organ):
        if place.rank == 0:
            return "province"
        if place.rank == 1:
            return "city"
        if place.rank == 2:
            return "district" if (place.county or "").endswith("区") else "county"
        head = _GOVERNMENT.sub("", organ)
        return {"省": "province", "区": "district", "县": "county", "旗": "county"}.get(head[-1:], "unknown")
    if _ZONE.search(organ):
        return "unknown"
    return "department"


# =============================================================================================
# year and era


def _report_year(text: str, title_year: int | None, period: tuple[date, date] | None) -> int | None:
    if title_year:
        return title_year
    m = _REPORT_YEAR.search(text, 0, min(len(text), 3000))
    if m:
        return int(m["y"])
    if period:
        start, end = period
        return start.year if (start.month, start.day) == (1, 1) else end.year
    m = _YEAR_END.search(text, 0, min(len(text), 3000))
    if m:
        return int(m["y"])
    counts: dict[int, int] = {}
    for m in _ANY_YEAR.finditer(text, 0, min(len(text), 30000)):
        if _FUTURE_PLAN.match(m["after"]):
            continue
        y = int(m["y"])
        counts[y] = counts.get(y, 0) + 1
    if not counts:
        return None
    return max(counts, key=lambda y: (counts[y], -y))


def format_era(text: str, year: int | None) -> str:
    """std2021 / std2019 by the tables' own labels; the year decides only for label-less tables."""
    if _STD2021.search(text):
        return "std2021"
    if _STD2019.search(text):
        return "std2019"
    if _STD_ANY.search(text) and (year is None or year >= 2019):
        return "std2021" if year is not None and year >= 2021 else "std2019"
    if year is not None and year >= 2019 and sum(part in text for part in formats.STD_OVERVIEW_PARTS) >= 2:
        return "std2021" if year >= 2021 else "std2019"  # the standard outline, cut before the tables
    return "narrative"


# =============================================================================================


def _published(seg: Segmentation, signed_on: date | None, report_year: int | None) -> date | None:
    """The header's publication date, else the signature's; only dates a report can bear."""
    found: list[date | None] = []
    for field in _HEADER_DATES:
        for m in _header_fields(seg, field):
            d = _DATE.match(seg.text, m.end())
            if d:
                found.append(_date_of(d))
    found.append(signed_on)
    for when in found:
        if when is not None and (report_year is None or report_year <= when.year <= report_year + 3):
            return when
    return None


def extract_metadata(seg: Segmentation) -> ReportMetadata:
    """Metadata of one document from its segmentation (its text, line kinds and sections)."""
    text, sections = seg.text, seg.sections
    head = text[:HEAD_CHARS]
    signed_by, signed_on = _signature(text)
    organ, title_year = _organ(seg, head, signed_by)
    period = _stated_period(text)
    year = _report_year(text, title_year, period)
    if period is None and year is not None:
        last_month = _partial_year(text, sections)
        end_month = last_month or 12
        period = (date(year, 1, 1), date(year, end_month, calendar.monthrange(year, end_month)[1]))
    place = _place(organ, text)
    return ReportMetadata(
        organ=organ,
        province=place.province,
        city=place.city,
        county=place.county,
        admin_level=_admin_level(organ, place),
        report_year=year,
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        published_on=_published(seg, signed_on, year),
        format_era=format_era(text, year),
    )

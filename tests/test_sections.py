"""Heading hierarchy and section kinds (pipeline.sections)."""

import time

import pytest
from conftest import SEEDS

from pipeline.ingest import decode_document
from pipeline.normalize import normalize
from pipeline.sections import classify_heading, segment


def seed_text(prefix: str) -> str:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return normalize(decode_document(path.read_bytes(), path.name).text).text


def top(sections):
    return [(s.heading, s.kind) for s in sections if s.level == 1 and s.heading]


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("一、概述", "overview"),
        ("一、总体情况", "overview"),
        ("一、政府信息公开工作整体情况", "overview"),
        ("二、主动公开政府信息情况", "proactive"),
        ("三、依申请公开政府信息情况", "requests"),
        ("三、收到和处理政府信息公开申请情况", "requests"),
        ("(二)依申请公开情况", "requests"),
        ("四、因政府信息公开申请行政复议、提起行政诉讼的情况", "review_litigation"),
        ("四、政府信息公开行政复议、行政诉讼情况", "review_litigation"),
        ("(三)行政复议和行政诉讼情况", "review_litigation"),
        ("五、政府信息公开的收费及减免情况", "fees"),
        ("五、存在的主要问题及改进情况", "problems"),
        ("四、2019年工作思路", "problems"),
        ("六、其他需要报告的事项", "other"),
        ("二、重点领域信息公开情况", None),
    ],
)
def test_heading_words_of_both_eras(heading, kind):
    assert classify_heading(heading) == kind


def test_levels_spans_and_preamble():
    text = (
        "某县2019年政府信息公开工作年度报告\n"
        "一、总体情况\n"
        "(一)主动公开\n"
        "1.网站公开\n"
        "一是及时发布。\n"
        "2.公报公开\n"
        "(二)依申请公开\n"
        "二、主动公开政府信息情况\n"
        "正文。\n"
    )
    secs = segment(text).sections
    assert [(s.ordinal, s.level, s.heading) for s in secs] == [
        (0, 1, ""),
        (1, 1, "一、总体情况"),
        (2, 2, "(一)主动公开"),
        (3, 3, "1.网站公开"),
        (4, 4, "一是及时发布"),
        (5, 3, "2.公报公开"),
        (6, 2, "(二)依申请公开"),
        (7, 1, "二、主动公开政府信息情况"),
    ]
    by_heading = {s.heading: s for s in secs}
    assert secs[0].char_start == 0 and secs[0].char_end == text.index("一、总体")
    # a section runs to the next heading of the same or a higher level
    assert by_heading["一、总体情况"].char_end == text.index("二、主动")
    assert by_heading["(一)主动公开"].char_end == text.index("(二)依申请")
    assert by_heading["1.网站公开"].char_end == text.index("2.公报")
    assert by_heading["一是及时发布"].char_end == text.index("2.公报")
    assert by_heading["二、主动公开政府信息情况"].char_end == len(text)
    for s in secs[1:]:
        assert text[s.char_start :].startswith(s.heading)
    # children take their own kind inside the overview container
    assert by_heading["(一)主动公开"].kind == "proactive"
    assert by_heading["1.网站公开"].kind == "proactive"
    assert by_heading["(二)依申请公开"].kind == "requests"


def test_no_heading_gives_one_section():
    secs = segment("没有标题的正文。").sections
    assert [(s.level, s.kind, s.char_start, s.char_end) for s in secs] == [(1, "other", 0, 8)]


def test_table_rows_are_not_headings():
    text = (
        "三、收到和处理政府信息公开申请情况\n"
        "一、本年新收政府信息公开申请数量 | 29 | 1 | 30 |\n"
        "三、本年度办理结果 | (一)予以公开 | 11 | 1 | 12 |\n"
        "(二)部分公开(区分处理的,只计这一情形,不计其他情形) | 5 | 5 |\n"
        "(七)总计\n|\n32\n|\n"  # one cell per line
        "一、本年新收政府信息公开申请数量230 000023\n"  # glued cells
        "(三)不\n予公开\n"  # a wrapped label
        "(四)无2.没有现成信息需要另\n"
        "| 1.属于国家秘密 | 0 |\n"
        "四、政府信息公开行政复议、行政诉讼情况\n"
    )
    headings = [s.heading for s in segment(text).sections if s.heading]
    assert headings == ["三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"]


def test_every_line_is_typed_once():
    text = (
        "当前位置: 首页 > 政府信息公开年报\n"
        "发布机构: 某县人民政府 | 发布日期: 2020-01-10\n"
        "某县2019年政府信息公开工作年度报告\n"
        "\n"
        "一、总体情况\n"
        "本年度主动公开政府信息100条。\n"
        "| 信息内容 | 本年新制作数量 |\n"
        "| 规章 | 0 |\n"
        "| 1 | 0 | 0 |\n"
        "0 0 0\n"
        "(七)总计\n"
        "|\n"
        "(一)予以公开\n" + "全文在一行:" + "公开信息|" * 2 + "正文" * 200 + "\n"
    )
    seg = segment(text)
    assert seg.kinds == [
        "chrome", "chrome", "prose", "blank", "heading", "prose", "row", "row", "values", "values",
        "row", "values", "row", "prose", "blank",
    ]  # fmt: skip
    assert [seg.text[seg.starts[i] : seg.end(i)] for i in range(3)] == text.split("\n")[:3]
    assert [seg.cells(i) for i in (8, 9, 11)] == [3, 3, 0]
    assert seg.past_rows(seg.starts[6]) == seg.starts[13]  # table rows and their labels are passed over
    assert [s.heading for s in seg.sections] == ["", "一、总体情况"]


def test_heading_before_a_markdown_table_is_kept():
    text = "## 二、主动公开政府信息情况\n| 信息内容 | 本年制发件数 |\n|---|---|\n| 规章 | 0 |\n"
    assert [s.heading for s in segment(text).sections] == ["二、主动公开政府信息情况"]


def test_not_headings_decimals_and_years():
    text = "一、总体情况\n2.5万余条信息已公开。\n2018年,全市公开。\n1-10月,召开会议。\n"
    assert [s.heading for s in segment(text).sections] == ["一、总体情况"]


def test_part_headings():
    text = "第一部分 总体情况\n正文。\n第二部分:主动公开政府信息情况\n正文。\n"
    assert [(s.level, s.kind) for s in segment(text).sections] == [(1, "overview"), (1, "proactive")]


def test_markdown_and_indented_headings():
    text = "# 标题\n\n## 一、总体情况\n\n### (一) 系统化推进主动公开。\n正文\n    二、主动公开政府信息情况\n"
    secs = segment(text).sections
    assert [(s.level, s.heading, s.kind) for s in secs if s.heading] == [
        (1, "一、总体情况", "overview"),
        (2, "(一) 系统化推进主动公开", "proactive"),
        (1, "二、主动公开政府信息情况", "proactive"),
    ]


def test_flattened_report_gets_headings_in_numbering_order():
    text = (
        "本报告由区管委会办公室编制。一、总体情况2019年,我区公开信息。(一)基本情况今年公开2599条。"
        "主要有:一、不是标题。二、主动公开政府信息情况第二十条。三、收到和处理政府信息公开申请情况"
        "一、本年新收政府信息公开申请数量230 000023"
    )
    secs = segment(text).sections
    assert [(s.level, s.kind, s.heading[:6]) for s in secs] == [
        (1, "other", ""),
        (1, "overview", "一、总体情况"),
        (2, "overview", "(一)基本情"),
        (1, "proactive", "二、主动公开"),
        (1, "requests", "三、收到和处"),
    ]


def test_children_keep_a_topical_parents_kind():
    text = (
        "五、政府信息公开工作存在的主要问题及改进情况\n"
        "(一)主动公开工作机制方面。正文。\n"
        "(二)依申请公开方面。正文。\n"
        "三、政府信息公开行政复议、行政诉讼情况\n"
        "(一)主要问题\n"  # a report whose 四、 was lost
    )
    kinds = [(s.heading, s.kind) for s in segment(text).sections]
    assert kinds == [
        ("五、政府信息公开工作存在的主要问题及改进情况", "problems"),
        ("(一)主动公开工作机制方面", "problems"),
        ("(二)依申请公开方面", "problems"),
        ("三、政府信息公开行政复议、行政诉讼情况", "review_litigation"),
        ("(一)主要问题", "problems"),
    ]


def test_seed_000_sections():
    secs = segment(seed_text("000")).sections
    assert top(secs) == [
        ("一、概述", "overview"),
        ("二、政府信息公开情况", "other"),
        ("三、存在的主要问题", "problems"),
        ("四、2019年工作思路", "problems"),
    ]
    level2 = {s.heading: s.kind for s in secs if s.level == 2}
    assert level2["(一)主动公开情况"] == "proactive"
    assert level2["(二)依申请公开情况"] == "requests"
    assert level2["(三)因政府信息公开申请行政复议、提起行政诉讼的情况"] == "review_litigation"
    assert level2["(四)人大代表建议和政协委员提案办理情况"] == "other"
    assert level2["(五)政府信息公开相关费用情况"] == "fees"
    # deep work items under the overview stay overview ("1.进一步规范依申请公开受理工作")
    assert {s.kind for s in secs if s.level == 3 and s.char_end <= secs[1].char_end} == {"overview"}


def test_seed_001_sections():
    secs = segment(seed_text("001")).sections
    assert top(secs) == [
        ("一、政府信息公开工作概述", "overview"),
        ("二、2018年政府信息公开情况", "other"),
        ("三、重点领域信息公开情况", "other"),
        ("四、2018年信息公开工作不足及2019年工作重点", "problems"),
    ]
    level4 = {s.heading: s.kind for s in secs if s.level == 4}
    assert level4["一是主动公开政府信息情况"] == "proactive"
    assert level4["二是依申请公开政府信息情况"] == "requests"


def test_seed_002_sections():
    secs = segment(seed_text("002")).sections
    assert top(secs) == [
        ("一、概述", "overview"),
        ("二、主动公开政府信息情况", "proactive"),
        ("三、依申请公开政府信息情况", "requests"),
        ("四、因政府信息公开申请行政复议、提起行政诉讼情况", "review_litigation"),
        ("五、政府信息公开的收费及减免情况", "fees"),
        ("六、存在的主要问题", "problems"),
        ("七、改进措施", "problems"),
    ]
    # the metadata header and title before 一、 form the preamble
    assert secs[0].heading == "" and secs[0].char_start == 0


def test_seed_003_sections_nested_under_one_heading():
    secs = segment(seed_text("003")).sections
    assert top(secs) == [
        ("一、政府信息公开工作整体情况", "overview"),
        ("二、重点领域信息公开情况", "other"),
        ("三、存在的问题", "problems"),
        ("四、2015年工作要求", "problems"),
    ]
    level2 = [(s.heading, s.kind) for s in secs if s.level == 2][:3]
    assert level2 == [
        ("(一)主动公开情况", "proactive"),
        ("(二)依申请公开情况", "requests"),
        ("(三)行政复议和行政诉讼情况", "review_litigation"),
    ]


def test_seed_004_sections_skip_table_rows():
    secs = segment(seed_text("004")).sections
    assert top(secs) == [
        ("一、总体情况", "overview"),
        ("二、主动公开政府信息情况", "proactive"),
        ("三、收到和处理政府信息公开申请情况", "requests"),
        ("四、政府信息公开行政复议、行政诉讼情况", "review_litigation"),
        ("五、政府信息公开工作存在的主要问题及改进情况", "problems"),
        ("六、其他需要报告的事项", "other"),
    ]
    assert not any("本年" in s.heading or "予以公开" in s.heading for s in secs)
    problems = [s for s in secs if s.level == 2 and s.kind == "problems"]
    assert [s.heading for s in problems][:1] == ["(一)主动公开工作机制方面"]


def test_linear_time_on_large_and_hostile_input():
    hostile = [
        " " * 2_000_000,
        "一、\n" * 300_000,
        "。一、主动公开" * 100_000,
        "(" * 1_000_000,
        "| 1 |\n" * 200_000,
    ]
    for text in hostile:
        started = time.perf_counter()
        secs = segment(text).sections
        assert secs[0].char_start == 0
        assert time.perf_counter() - started < 5

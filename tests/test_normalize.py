"""Each normalization step on real snippets from the seeds and corpus."""

import pytest

from pipeline.normalize import (
    collapse_label_spaces,
    detect_script,
    find_mojibake,
    fold_width,
    normalize,
    strip_chrome,
    strip_pinyin,
    to_simplified,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("網(wǎng)絡(luò)申請267件", "網絡申請267件"),  # seed 001, tone marks
        ("文(wen)章(zhang)", "文章"),  # toneless
        ("公(gong)(gong)(gong)(gong)開(kai)(kai)", "公開"),  # repeated
        ("政(zheng)(zheng)府(fu)(fu)", "政府"),
        ("(一)概述", "(一)概述"),  # enumerator untouched
        ("《条例》(以下简称《条例》)", "《条例》(以下简称《条例》)"),
        ("说明(注:数据截至年底)", "说明(注:数据截至年底)"),
        ("网站(www.lyg.gov.cn)下载", "网站(www.lyg.gov.cn)下载"),  # URL, and not after CJK pinyin
        ("网站(http)下载", "网站(http)下载"),  # 'http' is not a pinyin syllable
    ],
)
def test_strip_pinyin(raw, expected):
    assert strip_pinyin(raw) == expected


def test_fold_width_digits_percent_and_dashes():
    assert fold_width("１２３件，占２５％") == "123件,占25%"
    assert fold_width("解读率达100℅") == "解读率达100%"  # seed 002
    assert fold_width("1—11月") == "1-11月"  # seed 003 em dash range
    assert fold_width("电话:0527—83593059") == "电话:0527-83593059"
    assert fold_width("（一）主动公开") == "(一)主动公开"


def test_collapse_label_spaces():
    assert collapse_label_spaces("結果 維持 | 其他結 果 |") == "結果維持 | 其他結果 |"  # seed 004
    assert collapse_label_spaces("年 度 报 告") == "年度报告"  # seed 002
    assert collapse_label_spaces("共 12 件") == "共 12 件"  # spaces next to digits stay


def test_strip_chrome_keeps_metadata_header():
    text = "字号: 大 中 小\n索引号: | 000000000-2019-03728 | 发布机构: | 地区行署办公室 |\n正文\n扫一扫在手机打开当前页\n打印本页 关闭窗口"
    assert strip_chrome(text).split("\n") == [
        "索引号: | 000000000-2019-03728 | 发布机构: | 地区行署办公室 |",
        "正文",
    ]


def test_script_detection_and_conversion():
    assert (
        detect_script("本年度報告由連雲港市人民政府辦公室根據《條例》要求編制,報告中所列數據的統計期限")
        == "traditional"
    )
    assert detect_script("本年度报告由哈尔滨市人民政府政务公开办公室编制") == "simplified"
    assert to_simplified("結轉下年度繼續辦理") == "结转下年度继续办理"
    assert to_simplified("北京市政府資訊公開") == "北京市政府信息公开"  # Big5 gateway wording (corpus h03)


def test_mojibake_spans_from_seed_004():
    text = "執行“六穩”、“六?!闭撸瑑灮癄I商環境。高度重視工作?;鶎诱展_標準目錄"
    spans = find_mojibake(text)
    assert [text[s:e] for s, e in spans] == ["?!闭撸瑑灮癄I商環境", "?;鶎诱展_標準目錄"]
    # a lone question mark at a line end is a one-character span: harmless, the number before it stays readable
    assert find_mojibake("申请人情况?") == ((5, 6),)
    doc = normalize("收到申请12件?")
    start = doc.text.index("12")
    assert doc.mojibake_spans == ((7, 8),) and not doc.in_mojibake(start, start + 2)


def test_normalize_records_steps_and_offsets():
    doc = normalize("字号: 大 中 小\n連網(wǎng)收到申請１２件,“六?!闭撸")
    assert doc.script == "traditional"
    assert doc.text.startswith("连网收到申请12件")
    assert {"strip_chrome", "fold_width", "strip_pinyin", "to_simplified", "find_mojibake"} <= set(doc.steps)
    start = doc.text.index("12")
    assert doc.text[start : start + 2] == "12" and not doc.in_mojibake(start, start + 2)
    s, e = doc.mojibake_spans[0]
    assert doc.in_mojibake(s, e)


def test_page_number_lines_are_dropped():
    text = (
        "一、本年新收政府信息公开申请数量\n3 0 0 0 0 0 3\n— 4 —\n第 5 页 共 9 页\n6/9\n二、上年结转 - 3 - 件"
    )
    doc = normalize(text)
    assert doc.text == "一、本年新收政府信息公开申请数量\n3 0 0 0 0 0 3\n二、上年结转 - 3 - 件"
    assert "strip_page_numbers" in doc.steps

"""Number parsing: Arabic and Chinese numerals, 万/亿, 余/多/近/约, money and the kinds of units."""

import pytest

from pipeline.numbers import find_quantities, first_chars, parse_arabic, parse_chinese_int, parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("三", 3),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十三", 23),
        ("一百零五", 105),
        ("三千四百", 3400),
        ("一万二千", 12000),
        ("十二万", 120000),
        ("一亿二千万", 120_000_000),
        ("两", 2),
        ("二○一二", 2012),  # year written digit by digit with ○
        ("〇", 0),
    ],
)
def test_parse_chinese_int(text, value):
    assert parse_chinese_int(text) == value


@pytest.mark.parametrize("text", ["万", "百千", "", "三a"])
def test_parse_chinese_int_rejects_non_numbers(text):
    assert parse_chinese_int(text) is None


def test_parse_arabic():
    assert parse_arabic("1,353") == 1353
    assert parse_arabic("22.5") == 22.5
    assert parse_arabic("x") is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("14万", 140_000),
        ("二十三", 23),
        ("1,353", 1353),
        ("22.5万元", 225_000),  # money in yuan
        ("380元", 380),
        ("1.2亿元", 120_000_000),
        ("14万余条", 140_000),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == value


def test_parse_number_rejects_text():
    assert parse_number("政府信息") is None


def one(text):
    (q,) = find_quantities(text)
    return q


@pytest.mark.parametrize(
    ("text", "value", "kind", "approx"),
    [
        ("14万余条", 140_000, "count", True),  # seed 001
        ("4000余条", 4000, "count", True),
        ("近90万人次", 900_000, "other", True),  # people, not a count metric
        ("约900条", 900, "count", True),
        ("200多万条", 2_000_000, "count", True),
        ("21503条", 21503, "count", False),
        ("40件(次)", 40, "count", False),
        ("二十三件", 23, "count", False),
        ("两件", 2, "count", False),
        ("22.5万元", 225_000, "money", False),
        ("7.5%", 7.5, "percent", False),
        ("2018年", 2018, "date", False),
        ("25号", 25, "date", False),  # document number 哈政办发〔2018〕25号
        ("165100", 165100, "bare", False),  # postcode: no unit
        ("393 件", 393, "count", False),  # PDF text puts spaces around numbers
        ("2\n件", 2, "count", False),  # and wraps lines between a number and its unit
    ],
)
def test_quantity_kinds(text, value, kind, approx):
    q = one(text)
    assert (q.value, q.kind, q.is_approximate) == (value, kind, approx)


def test_quantity_offsets_cover_the_numeral_and_multiplier():
    text = "主动公开政府信息14万余条"
    q = one(text)
    assert text[q.start : q.end] == "14万"
    q = one("近90万人次")
    assert (q.start, q.end) == (1, 4)


@pytest.mark.parametrize(
    "text",
    [
        "三件事",  # 一件事一次办: not a count
        "一条龙服务",
        "第一条",  # ordinals
        "第二十条第(一)项",  # the 十 of 二十 must not start a number
        "一是加强领导",  # no unit
        "十九大",
    ],
)
def test_chinese_numerals_need_a_count_unit(text):
    assert find_quantities(text) == []


def test_phone_number_parts_are_bare_numbers():
    assert [q.kind for q in find_quantities("电话:0457-3500412")] == ["bare", "bare"]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("予以公开", "予"),
        (r"(?:\(\s*七\s*\)|七\s*、)\s*总计", "(七"),
        (r"(?:一\s*[、.,]\s*)?本年新收", "一本"),
        (r"(?:属于)?已(?:经)?主动公开|属于主动公开范围", "属已"),
        (r"[1-3]\s*[.、]", "123"),
        (r"(?<!各)类", None),  # a lookbehind first: not simply known
        (r"\d+件", None),
        (r"(?:各|全)?", None),  # may match the empty string
        (r"(?i:a)b", None),
        (r"(?P<x>ab)|c", "ac"),
        (r"a?b", "ab"),
        (r"a{0,2}b", "ab"),
        (r"a{2}b", "a"),
        (r"\.x", "."),
        (r"[^a]b", None),  # a negated class: any other character
        (r"[a\-z]", "-az"),  # an escaped dash is no range
        (r"[-a]", "-a"),
        (r"(?=a)a", None),  # a lookahead first
        (r".a", None),
        (r"主动(?=[^,]{0,30}?公开)", "主"),  # a lookahead after the first literal does not matter
    ],
)
def test_first_chars(pattern, expected):
    chars = first_chars(pattern)
    assert (None if chars is None else "".join(sorted(chars))) == (
        None if expected is None else "".join(sorted(expected))
    )

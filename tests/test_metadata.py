"""Report metadata (pipeline.metadata) and place resolution (pipeline.places)."""

import subprocess
import sys
from datetime import date

import pytest
from conftest import ROOT, gold_for, seed_paths

from pipeline import places
from pipeline.ingest import decode_document
from pipeline.metadata import extract_metadata, format_era, parse_date, parse_period
from pipeline.normalize import normalize
from pipeline.sections import segment


def meta(text: str):
    return extract_metadata(segment(text))


# --- dates and periods ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "start", "end"),
    [
        ("2018年1月1日至2018年12月31日", date(2018, 1, 1), date(2018, 12, 31)),
        ("2018年1月1日至12月31日", date(2018, 1, 1), date(2018, 12, 31)),
        ("2019年1月1日起至2019年12月31日止", date(2019, 1, 1), date(2019, 12, 31)),
        ("2 0 2 4 年 1 月 1 日至 12 月 31 日", None, None),  # digits split by spaces: not a date
        ("2024 年 1 月 1 日至 12 月 31 日", date(2024, 1, 1), date(2024, 12, 31)),
        ("201711日至20171231日止", date(2017, 1, 1), date(2017, 12, 31)),  # 年/月 dropped
        ("2019-01-01至2019-12-31", date(2019, 1, 1), date(2019, 12, 31)),
        ("2019年12月31日至2019年1月1日", None, None),  # backwards
    ],
)
def test_parse_period(phrase, start, end):
    assert parse_period(phrase) == ((start, end) if start else None)


@pytest.mark.parametrize(
    ("s", "expected"),
    [
        ("2019年3月28日", date(2019, 3, 28)),
        ("2019-03-11", date(2019, 3, 11)),
        ("201711日", date(2017, 1, 1)),
        ("20171231日", date(2017, 12, 31)),
        ("2019年2月30日", None),
    ],
)
def test_parse_date(s, expected):
    assert parse_date(s) == expected


def test_damaged_dates_pick_month_start_or_end():
    assert parse_date("2017131日", prefer_end=True) == date(2017, 1, 31)
    assert parse_date("2017111日") == date(2017, 11, 1)  # 1/11 or 11/1: a start prefers day 1


@pytest.mark.parametrize(
    ("sentence", "start", "end"),
    [
        ("本报告所列数据的统计期限为2018年1月1日至12月31日。", date(2018, 1, 1), date(2018, 12, 31)),
        ("本报告中所列数据的统计期限自201711日至20171231日止。", date(2017, 1, 1), date(2017, 12, 31)),
        (
            "本年度报告所列数据的统计时限为2023年1月1日至2023年12月31日。",
            date(2023, 1, 1),
            date(2023, 12, 31),
        ),
        (
            "本年度报告中所列数据的统计周期\n为 2024 年 1 月 1 日至 12 月 31 日。",
            date(2024, 1, 1),
            date(2024, 12, 31),
        ),
    ],
)
def test_stated_period(sentence, start, end):
    m = meta("2018年某县政府信息公开工作年度报告\n" + sentence)
    assert (m.period_start, m.period_end) == (start, end)


def test_partial_year_period_from_1_11_month_phrase():
    text = (
        "廊坊市2014年政府信息公开工作进展情况\n"
        "一、政府信息公开工作整体情况\n"
        "(二)依申请公开情况\n"
        "1-11月,全市共受理政府信息公开申请69件。\n"
        "二、重点领域信息公开情况\n"
        "1-10月,召开多项专场招聘活动。\n"
    )
    m = meta(text)
    assert (m.report_year, m.period_start, m.period_end) == (2014, date(2014, 1, 1), date(2014, 11, 30))


def test_month_range_outside_statistics_sections_is_not_the_period():
    text = "某市2014年政府信息公开工作年度报告\n一、重点领域信息公开情况\n1-10月,召开多项专场招聘活动。\n"
    assert meta(text).period_end == date(2014, 12, 31)


def test_default_period_is_the_report_year():
    m = meta("2020年某县政府信息公开工作年度报告\n一、总体情况\n正文。\n")
    assert (m.report_year, m.period_start, m.period_end) == (2020, date(2020, 1, 1), date(2020, 12, 31))


def test_plan_and_publish_years_are_not_the_report_year():
    text = (
        "一、概述\n2018年,全市政务公开工作全面推进。\n2018年全市公开信息1000条。\n"
        "四、2019年工作思路\n2019年工作思路如下。2019年,我市将继续推进。2019年,全市将加强培训。\n"
        "某市人民政府办公室\n2019年3月28日"
    )
    m = meta(text)
    assert m.report_year == 2018
    assert m.published_on == date(2019, 3, 28)


def test_compiling_sentence_year_beats_a_wrong_period():
    text = (
        "根据要求,某市自然资源和规划局编制了2021年政府信息公开年度报告。"
        "本报告中所列数据的统计期限自2020年1月1日起至2020年12月31日止。\n"
    )
    m = meta(text)
    assert m.report_year == 2021
    assert (m.period_start, m.period_end) == (date(2020, 1, 1), date(2020, 12, 31))  # as stated


def test_year_from_a_year_end_statement():
    text = (  # d40: no title, no period, only dated statements
        "一、总体情况\n(一)主动公开信息情况。本年度我局门户网站围绕市委、市政府的中心工作,不断充实政务公开内容。"
        "截止2023年12月31日我局通过官方网站发布政务类信息34条,概况类信息150条。\n"
    )
    m = meta(text)
    assert (m.report_year, m.period_start, m.period_end) == (2023, date(2023, 1, 1), date(2023, 12, 31))


def test_published_on_sources():
    header = (
        "索引号: | 000-2019-03728 | 发布机构: | 地区行署办公室 |\n发布日期: | 2019-03-11 | 废止日期: | |\n"
    )
    body = "2018年呼玛县政府信息公开工作年度报告\n正文。\n"
    assert meta(header + body).published_on == date(2019, 3, 11)
    # the signature when the header has none; Chinese numerals too
    assert meta(body + "呼玛县人民政府\n2019年3月28日\n").published_on == date(2019, 3, 28)
    assert meta(body + "呼玛县人民政府\n二〇一九年三月二十八日\n").published_on == date(2019, 3, 28)
    # a month without a day, a crawl time, or nothing: no date
    assert meta(body + "呼玛县政务公开领导小组办公室\n(2019年3月)\n").published_on is None
    assert meta("采集时间:2025-12-30\n" + body).published_on is None
    assert meta(body).published_on is None


def test_published_on_prefers_publication_over_writing_date():
    head = "成文日期: 2021-09-26 发布日期: 2021-09-29\n2021年某县政府信息公开工作年度报告\n"
    assert meta(head).published_on == date(2021, 9, 29)


# --- organ ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "organ"),
    [
        # title line, organ after the year ("…县政府信息公开": the 政府 is the county's)
        ("2018年呼玛县政府信息公开工作年度报告\n正文。", "呼玛县人民政府"),
        # title line, organ before the year, metadata prefix and a suffix after the title
        ("标题:沭阳县发展和改革局2023年政府信息公开年度报告-沭阳县发改局\n", "沭阳县发展和改革局"),
        ("# 沐阳县人民政府 2025 年政府信息公开工作年度报告\n", "沐阳县人民政府"),
        ("2024 年上海市科委政府信息公开工作\n年度报告\n", "上海市科委"),
        # a township title stays as written
        (
            "海城市西四镇2025年政府信息公开工作年度报告\n时间:2026-01-26来源:海城市西四镇作者:\n",
            "海城市西四镇",
        ),
        # a zone title completed by the header or the compiling sentence
        (
            "标题: 平潭综合实验区2011年政府信息公开工作年度报告\n发布机构: 平潭综合实验区管委会办公室\n",
            "平潭综合实验区管委会",
        ),
        (
            "平潭综合实验区2019年政府信息公开工作年度报告根据要求,区管委会办公室编制完成了本报告。",
            "平潭综合实验区管委会",
        ),
        # the metadata header
        ("发布机构: | 宁国市商务局 | 发布日期: | 2020-01-10 |\n一、总体情况\n", "宁国市商务局"),
        # compiling-body sentences: an office compiles its government's report
        ("本年度报告由连云港市人民政府办公室根据《条例》要求编制,统计期限为2018年。", "连云港市人民政府"),
        ("本报告是根据《条例》要求,由两城镇人民政府党政办公室编制。", "两城镇人民政府"),
        ("本报告由呼玛县政府政务公开办公室编制。", "呼玛县人民政府"),
        ("本报告由呼玛县政府办公室编制。\n我办公开信息。我办办理申请。", "呼玛县人民政府办公室"),
        ("本报告是根据《条例》要求,由北京市信访办编制的2009年度政府信息公开年度报告。", "北京市信访办"),
        # the signature block
        ("一、概述\n正文。\n哈尔滨市人民政府政务公开办公室\n2019年3月28日", "哈尔滨市人民政府"),
        # the overview's subject, last
        ("一、总体情况\n2019年,县城南区工委、管委高度重视政府信息公开工作。", "县城南区工委、管委"),
    ],
)
def test_organ_sources(text, organ):
    assert meta(text).organ == organ


@pytest.mark.parametrize(
    ("text", "organ"),
    [
        # an organ line next to a title that names none
        ("2019年政府信息公开工作年度报告\n呼玛县人民政府\n(2020年1月)\n", "呼玛县人民政府"),
        ("2018年政府信息公开工作\n年度报告\n呼玛县政务公开领导小组办公室\n", "呼玛县人民政府"),
        # a department's office compiles the department's report
        ("本报告由哈尔滨市教育局办公室编制。", "哈尔滨市教育局"),
        ("本报告由哈尔滨市市场监督管理局编制。", "哈尔滨市市场监督管理局"),  # 市场 is no relative 市
        ("本报告由市场监督管理局编制。哈尔滨市市场监督管理局地址…", "哈尔滨市市场监督管理局"),
        ("本报告由中国(上海)自由贸易试验区管委会编制。", "中国(上海)自由贸易试验区管委会"),
        ("商务部2019年政府信息公开工作年度报告", "商务部"),
        # breadcrumbs and covering notices around the title
        ("首页>政务公开>年度报告>呼玛县2019年政府信息公开工作年度报告", "呼玛县人民政府"),
        ("某市人民政府办公室关于印发呼玛县2019年政府信息公开工作年度报告的通知", "呼玛县人民政府"),
        ("2019年浙江省人民政府信息公开工作年度报告", "浙江省人民政府"),
        ("2019年全县政府信息公开工作情况", None),
    ],
)
def test_organ_variants(text, organ):
    assert meta(text).organ == organ


#: Real sentences of the corpus (shortened) and the organ they state.
_CORPUS_ORGANS = [
    # the preamble names the report it introduces (no title line)
    (
        "根据《中华人民共和国政府信息公开条例》要求,特编制湛江市人民政府地方志办公室"
        "2023年政府信息公开工作年度报告。本报告包括总体情况…",
        "湛江市人民政府地方志办公室",
    ),
    (
        "根据《中华人民共和国政府信息公开条例》(以下简称《条例》有关要求,"
        "现将富县人民政府2024年政府信息公开工作年度报告予以公开。",
        "富县人民政府",
    ),
    ("根据《条例》规定,现公布奉新县人民政府办公室2022年政府信息公开工作年度报告。", "奉新县人民政府办公室"),
    (
        "根据《条例》和上级相关文件要求,我局组织编制了《苍溪县自然资源局2024年政府信息公开工作年度报告》"
        "(以下简称《年度报告》)。",
        "苍溪县自然资源局",
    ),
    # a place named in the preamble; its government's office in the contact sentence, the text speaks for 我县
    (
        "根据《条例》要求,现公布桐梓县2022年政府信息公开工作年度报告。公众如需进一步咨询了解相关信息,"
        "请与桐梓县人民政府办公室联系(地址:桐梓县人民政府办公室,邮编:563200)。\n一、总体情况\n"
        "2022年,我县坚持以习近平新时代中国特色社会主义思想为指导。全县26家行政机关…我县共收到申请21件。",
        "桐梓县人民政府",
    ),
    # a title without a year
    ("驼峰路街道办事处政府信息公开工作年度报告\n\n一、总体情况\n", "驼峰路街道办事处"),
    # "年度" after the year is no name: the name before the year
    (
        "宁国市青龙乡人民政府2015年年度政府信息公开工作年度报告\n发布时间:2016-03-31 00:00\n",
        "宁国市青龙乡人民政府",
    ),
    # a township title completed with its district by the header or a second title
    (
        "2008年张义镇人民政府信息公开工作年度报告\n信息来源: 凉州区张义镇人民政府发布日期: 2009-01-06 浏览次数: 次\n",
        "凉州区张义镇人民政府",
    ),
    (
        "2016年龙归镇政府信息公开年度报告\n武江区龙归镇人民政府2016年政府信息公开年度报告本年报是按照"
        "《中华人民共和国政府信息公开条例》要求,特向社会公布2016年度本级政府信息公开年度报告。",
        "武江区龙归镇人民政府",
    ),
    # a relative title completed with the prefecture the text puts before it
    (
        "市政府研究室2019年政府信息公开\n工作年度报告\n一、总体情况\n"
        "经信息汇总梳理,2019年孝感市政府研究室主动公开信息16条。",
        "孝感市政府研究室",
    ),
    # the contact sentence: a department's office or unit answers for the department
    (
        "本报告中所列数据统计期限为2023年1月1日至2023年12月31日。如对本年度报告有疑问,"
        "请与阿巴嘎旗自然资源局办公室联系(电话:0479-2022416)。",
        "阿巴嘎旗自然资源局",
    ),
    (
        "如对报告内容有疑问,请与青岛西海岸新区自然资源局综合一科联系(地址:青岛西海岸新区长江东路443号)。",
        "青岛西海岸新区自然资源局",
    ),
    # a government office that speaks of itself (本单位), not of its county, reports on itself
    (
        "根据《条例》要求,由伊宁县人民政府办公室编制。\n三、依申请公开政府信息情况\n"
        "本单位2014年度没有收到要求公开信息的申请。",
        "伊宁县人民政府办公室",
    ),
    # the overview's subject is the body at work: as written
    (
        "本报告根据《条例》编制。\n一、总体情况\n2020年,湖南省人民政府办公厅认真落实条例和国、省有关政务公开的决策部署。",
        "湖南省人民政府办公厅",
    ),
    # strings in a title's place that name no body
    (
        "根据市政务服务和大数据管理局转发的《湖北省人民政府办公厅关于做好2020年政府信息公开年度报告编制和发布"
        "工作的通知》有关要求,现将我局2020年度政府信息公开情况报告如下。",
        None,
    ),
    ("一、概述\n2017年没有公民、法人和其他组织的政府信息公开收费和减免情况。", None),
    ("特向社会公布2016年度本级政府信息公开年度报告。", None),
]


@pytest.mark.parametrize(("text", "organ"), _CORPUS_ORGANS)
def test_organ_stated_in_corpus_sentences(text, organ):
    assert meta(text).organ == organ


def test_short_place_names_do_not_place_a_township():
    m = meta("中山路街道办事处2021年政府信息公开工作年度报告")
    assert (m.organ, m.province, m.city, m.admin_level) == ("中山路街道办事处", None, None, "township")
    m = meta("中山路街道办事处2021年政府信息公开工作年度报告\n地址:南京市鼓楼区中山路街道办事处")
    assert (m.province, m.city, m.county) == ("江苏省", "南京市", "鼓楼区")


def test_title_outranks_header():
    text = "索引号: | 1 | 发布机构: | 地区行署办公室 |\n2018年呼玛县政府信息公开工作年度报告\n"
    assert meta(text).organ == "呼玛县人民政府"


def test_relative_office_name_takes_its_place_from_the_text():
    text = (
        "根据要求,区政府办公室编制本报告。\n一、总体情况\n"
        "我办制发规范性文件。我办公开信息。我办办理申请。我区推进工作。\n"
        "公布了杭州市滨江区人民政府2020年行政规范性文件。《滨江区政务公开工作制度》。\n"
    )
    m = meta(text)
    assert (m.organ, m.province, m.city, m.county, m.admin_level) == (
        "杭州市滨江区人民政府办公室",
        "浙江省",
        "杭州市",
        "滨江区",
        "district",
    )


def test_relative_government_name_alone_is_no_organ():
    assert meta("根据要求,区政府办公室编制本报告。\n一、总体情况\n正文。").organ is None


def test_spam_is_never_an_organ_or_place():
    text = (
        "根据要求,365体育直播,365体育备用网址自然资源和规划局编制了2021年政府信息公开年度报告。\n"
        "一、总体情况\n优化调整“淮安自然资源和规划”微信公众号栏目设置。\n"
    )
    m = meta(text)
    assert (m.organ, m.province, m.city, m.admin_level) == (
        "淮安市自然资源和规划局",
        "江苏省",
        "淮安市",
        "department",
    )

    spam_title = "威廉希尔体育2021年政府信息公开工作年度报告\n(五)编印《www.688365.com公报》\n"
    m = meta(spam_title)
    assert (m.organ, m.province, m.city, m.report_year) == (None, None, None, 2021)
    assert meta("发布机构: www.688365.com\n来源: http://www.huaihua.gov.cn\n").organ is None


def test_no_named_body_gives_none():
    text = "一、总体情况\n2019年我局政府信息公开工作运行良好。全年我局主动公开信息25条。\n"
    m = meta(text)
    assert (m.organ, m.province, m.admin_level) == (None, None, "unknown")


# --- places -----------------------------------------------------------------------------------


def test_gazetteer_loads_lazily_and_once():
    code = (
        "import pipeline.metadata, pipeline.places as p;"
        "assert p.gazetteer.cache_info().currsize == 0;"  # nothing read at import
        "assert p.gazetteer() is p.gazetteer();"
        "print(p.gazetteer.cache_info().misses)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "1"


@pytest.mark.parametrize(
    ("name", "province", "city", "county"),
    [
        ("呼玛县人民政府", "黑龙江省", "大兴安岭地区", "呼玛县"),
        ("哈尔滨市人民政府", "黑龙江省", "哈尔滨市", None),
        ("杭州市滨江区人民政府办公室", "浙江省", "杭州市", "滨江区"),
        ("北京市东城区人民政府", "北京市", "北京市", "东城区"),
        ("上海市科委", "上海市", None, None),
        ("仙桃市人民政府", "湖北省", None, "仙桃市"),  # directly under the province
        ("朝阳区人民政府", None, None, "朝阳区"),  # Beijing or Changchun: do not guess
        ("北京市朝阳区人民政府", "北京市", "北京市", "朝阳区"),
        ("沐阳县人民政府", None, None, None),  # OCR damage: no such county
    ],
)
def test_resolve_name(name, province, city, county):
    r = places.resolve_name(name)
    assert (r.province, r.city, r.county) == (province, city, county)


@pytest.mark.parametrize(
    ("name", "province", "city", "county"),
    [  # one character plus 县: a name of its own where it starts the name or follows another place
        ("藤县人民政府", "广西壮族自治区", "梧州市", "藤县"),
        ("鹤壁市淇县人民政府", "河南省", "鹤壁市", "淇县"),
        ("成县人民政府办公室", "甘肃省", "陇南市", "成县"),
        ("阳泉盂县人民政府", "山西省", "阳泉市", "盂县"),
        ("赣县人民政府", "江西省", "赣州市", "赣县"),
        ("马鞍山市和县教育局", "安徽省", "马鞍山市", "和县"),
        ("芒市人民政府", "云南省", "德宏傣族景颇族自治州", "芒市"),
        ("平和县人民政府", "福建省", "漳州市", "平和县"),  # the longer name wins
    ],
)
def test_short_county_names(name, province, city, county):
    r = places.resolve_name(name)
    assert (r.province, r.city, r.county) == (province, city, county)


@pytest.mark.parametrize("name", ["加强社会主义县域治理领导小组", "建设和县域经济工作办公室", "河南县级机关"])
def test_short_county_name_inside_a_word_is_no_place(name):
    assert places.resolve_name(name).county is None


def test_generic_short_district_resolved_by_context():
    r = places.resolve_name("郊区财政局", context="地址:安徽省铜陵市郊区人民路276号")
    assert (r.province, r.city, r.county) == ("安徽省", "铜陵市", "郊区")
    r = places.resolve_name("郊区财政局")
    assert (r.province, r.city, r.county) == (None, None, "郊区")  # four 郊区: do not guess


@pytest.mark.parametrize(
    ("title", "organ", "county", "level"),
    [
        ("2025年义县人民政府政府信息公开工作年度报告", "义县人民政府", "义县", "county"),
        ("2019年淇县政府信息公开工作年度报告", "淇县人民政府", "淇县", "county"),
        ("2012年南县人民政府办公室政府信息公开工作年度报告", "南县人民政府办公室", "南县", "county"),
        (
            "矿区人民政府2020年政府信息公开工作年度报告\n地址:山西省阳泉市矿区解放路135号",
            "矿区人民政府",
            "矿区",
            "district",
        ),
    ],
)
def test_short_county_in_report_metadata(title, organ, county, level):
    m = meta(title)
    assert (m.organ, m.county, m.admin_level) == (organ, county, level)


def test_ambiguous_county_resolved_by_context():
    r = places.resolve_name("朝阳区人民政府", context="长春市朝阳区…吉林省…长春")
    assert (r.province, r.city, r.county) == ("吉林省", "长春市", "朝阳区")
    r = places.resolve_name("朝阳区人民政府", context="北京市朝阳区")
    assert (r.province, r.city, r.county) == ("北京市", "北京市", "朝阳区")


@pytest.mark.parametrize(
    ("organ_text", "level"),
    [
        ("2019年黑龙江省政府信息公开工作年度报告", "province"),
        ("2019年哈尔滨市政府信息公开工作年度报告", "city"),
        ("2019年呼玛县政府信息公开工作年度报告", "county"),
        ("2019年北京市东城区政府信息公开工作年度报告", "district"),
        ("两城镇人民政府2019年政府信息公开工作年度报告", "township"),
        ("沭阳县发展和改革局2019年政府信息公开工作年度报告", "department"),
        ("杭州市滨江区人民政府办公室2019年政府信息公开工作年度报告", "district"),
    ],
)
def test_admin_level(organ_text, level):
    assert meta(organ_text).admin_level == level


# --- format era -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "year", "era"),
    [
        ("信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |", 2019, "std2021"),
        ("信息内容本年制发件数本年废止件数现行有效件数\n规章000", 2025, "std2021"),
        (
            "(六)其他处理 | 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 |",
            2022,
            "std2021",
        ),
        ("信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |", 2020, "std2019"),
        ("信息内容 | 本年新 制作数量 | 本年新 公开数量 |", 2023, "std2019"),  # structure beats the year
        ("一、本年新收政府信息公开申请数量 | 3 | 3 |", 2021, "std2021"),  # table 3 only: by year
        ("一、本年新收政府信息公开申请数量 | 3 | 3 |", 2020, "std2019"),
        ("2019年,全市共收到政府信息公开申请442件。", 2019, "narrative"),
        ("全年主动公开政府信息306166条。", 2018, "narrative"),
        # d26: the standard 总体情况 outline, cut before the tables: the year decides
        ("(三)政府信息管理情况 … (四)政府信息公开平台建设情况 … (五)监督保障机制", 2024, "std2021"),
        ("(三)政府信息管理情况 … (四)政府信息公开平台建设情况", 2020, "std2019"),
        ("(三)政府信息管理情况 … (四)政府信息公开平台建设情况", 2016, "narrative"),
    ],
)
def test_format_era(text, year, era):
    assert format_era(text, year) == era


# --- seeds against their gold -----------------------------------------------------------------

_FIELDS = ("organ", "province", "city", "county", "admin_level", "report_year", "period_start", "period_end")


@pytest.mark.parametrize("seed", seed_paths(), ids=lambda p: p.name[:3])
def test_seed_metadata_matches_gold(seed):
    gold = gold_for(seed)
    text = normalize(decode_document(seed.read_bytes(), seed.name).text).text
    m = extract_metadata(segment(text))
    got = {f: getattr(m, f) for f in _FIELDS}
    got = {k: v.isoformat() if isinstance(v, date) else v for k, v in got.items()}
    assert got == {f: gold[f] for f in _FIELDS}
    assert m.format_era == gold["era"]
    if "published_on" in gold:
        assert m.published_on == date.fromisoformat(gold["published_on"])


def test_seed_values_spelled_out():
    """The gold values, written here too, so a gold edit cannot silently relax the test."""
    expected = {
        "000": ("哈尔滨市人民政府", "city", 2018, date(2018, 12, 31), None, "narrative"),
        "001": ("连云港市人民政府", "city", 2018, date(2018, 12, 31), None, "narrative"),
        "002": ("呼玛县人民政府", "county", 2018, date(2018, 12, 31), date(2019, 3, 11), "narrative"),
        "003": ("廊坊市人民政府", "city", 2014, date(2014, 11, 30), None, "narrative"),
        "004": ("杭州市滨江区人民政府办公室", "district", 2020, date(2020, 12, 31), None, "std2019"),
    }
    for seed in seed_paths():
        text = normalize(decode_document(seed.read_bytes(), seed.name).text).text
        m = extract_metadata(segment(text))
        organ, level, year, end, published, era = expected[seed.name[:3]]
        assert (m.organ, m.admin_level, m.report_year, m.period_end, m.format_era) == (
            organ,
            level,
            year,
            end,
            era,
        )
        if published:
            assert m.published_on == published

"""Narrative facts: the wordings of real reports (seeds, corpus) and the numbers that must stay out."""

from dataclasses import replace

import pytest

from pipeline.narrative import extract_narrative
from pipeline.normalize import normalize
from pipeline.records import NormalizedDoc, Section
from pipeline.sections import segment


def segmented(doc: NormalizedDoc, sections: list[Section] | None = None):
    """The document's segmentation; `sections` replace the ones it found (the narrative takes them as hints)."""
    seg = segment(doc.text)
    return seg if sections is None else replace(seg, sections=sections)


def read(text: str, era: str = "narrative", raw: bool = False) -> dict[tuple[str, str], object]:
    """Facts by (metric, breakdown); `raw` keeps the text as given (Chinese punctuation survives)."""
    doc = NormalizedDoc(text=text, script="simplified") if raw else normalize(text)
    placeholder = [Section(0, 1, "other", "", 0, len(doc.text))]  # what sections.py gave at first
    facts = extract_narrative(doc, segmented(doc, placeholder), era)
    keys = [(f.metric, f.breakdown) for f in facts]
    assert len(keys) == len(set(keys)), "at most one fact per (metric, breakdown)"
    for f in facts:
        assert f.source == "narrative"
        assert 0 <= f.char_start < f.char_end <= len(doc.text)
        assert f.evidence and f.evidence in doc.text.replace("\n", "")
    return {(f.metric, f.breakdown): f for f in facts}


def values(text: str, era: str = "narrative", raw: bool = False) -> dict[str, float]:
    """Headline values only (breakdown 'total')."""
    return {m: f.value for (m, b), f in read(text, era, raw).items() if b == "total"}


# --- requests --------------------------------------------------------------------------------------


def test_accepted_requests_with_on_time_and_extended():  # seed 000
    text = "(二)依申请公开情况\n在全部受理的1353件申请中,按照规定按时办结1331件,情况复杂延期办结22件。"
    assert values(text) == {
        "apply.new": 1353,
        "apply.handled_on_time": 1331,
        "apply.handled_extended": 22,
    }


def test_received_requests_and_channels():  # seed 001
    text = "2018年,全市共收到政府信息公开申请442件,同比增长31.2%。其中当面申请20件,网络申请267件,信函申请155件,已全部办结。"
    assert values(text) == {
        "apply.new": 442,
        "apply.channel.in_person": 20,
        "apply.channel.online": 267,
        "apply.channel.letter": 155,
    }


def test_online_requests_count_as_new_and_online():  # seed 002
    assert values("据统计,2018年共受理网上依申请公开事项5件,同意公开事项5件。") == {
        "apply.new": 5,
        "apply.channel.online": 5,
        "apply.outcome.granted": 5,
    }


def test_outcomes_seed_001_wording():
    text = (
        "属于已主动公开范围46件,同意公开答复203件,同意部分公开答复13件,不同意公开答复32件(涉及国家秘密1件;"
        "涉及商业秘密1件;涉及个人隐私1件;不是《条例》所指政府信息22件;法律规定的其他情形7件),"
        "不属于本行政机关公开82件,申请信息不存在40件,告知作出更改补充14件,告知通过其他途径办理12件。"
    )
    assert values(text) == {
        "apply.outcome.already_public": 46,
        "apply.outcome.granted": 203,
        "apply.outcome.partial": 13,
        "apply.outcome.denied": 32,
        "apply.outcome.denied.state_secret": 1,
        "apply.outcome.denied.commercial_secret": 1,
        "apply.outcome.denied.privacy": 1,
        "apply.outcome.denied.not_gov_info": 22,
        "apply.outcome.denied.other_legal": 7,
        "apply.outcome.not_own_agency": 82,
        "apply.outcome.nonexistent": 40,
        "apply.outcome.ask_amend": 14,
        "apply.outcome.redirect": 12,
    }


def test_outcomes_seed_000_wording():
    text = (
        "在答复内容上,属于已主动公开范围的107件,同意全部公开的684件,同意部分公开的53件,依法依规不予公开的120件,"
        "不属于本行政机关业务范畴的209件,申请信息不存在的84件,因申请内容不明确而告知作出更改补充的42件,"
        "建议通过咨询、信访、举报等其他途径办理的54件。"
    )
    assert values(text) == {
        "apply.outcome.already_public": 107,
        "apply.outcome.granted": 684,
        "apply.outcome.partial": 53,
        "apply.outcome.denied": 120,
        "apply.outcome.not_own_agency": 209,
        "apply.outcome.nonexistent": 84,
        "apply.outcome.ask_amend": 42,
        "apply.outcome.redirect": 54,
    }


def test_shorthand_outcomes_and_an_outcome_without_a_code():  # seed 003: 告知15件 has no code
    text = (
        "1-11月,全市共受理政府信息公开申请69件,答复69件,同意公开39件,部分公开6件,不予公开1件,"
        "申请内容不明确件数1件,信息不存在数7件,告知15件。"
    )
    assert values(text) == {
        "apply.new": 69,
        "apply.total_handled": 69,
        "apply.outcome.granted": 39,
        "apply.outcome.partial": 6,
        "apply.outcome.denied": 1,
        "apply.outcome.ask_amend": 1,
        "apply.outcome.nonexistent": 7,
    }


def test_std_prose_with_carry_over_and_hard_wrapped_lines():  # corpus h50 (PDF text)
    text = (
        "四、政府信息公开申请情况\n"
        "全年收到政府信息公开申请 34 件,上年结转政府信息公开\n"
        "申请 2 件,所有申请均已按要求办理完成。所有办结的信息公开\n"
        "申请中同意公开答复 9 件,部分公开答复 0 件,不予公开答复 2\n"
        "件,无法提供的 10 件,不予处理 0 件,其他处理 14 件,转下一\n"
        "年度办理答复的有 1 件。"
    )
    assert values(text, era="std2021") == {
        "apply.new": 34,
        "apply.carried_over": 2,
        "apply.outcome.granted": 9,
        "apply.outcome.partial": 0,
        "apply.outcome.denied": 2,
        "apply.outcome.unable": 10,
        "apply.outcome.not_processed": 0,
        "apply.outcome.other": 14,
        "apply.carried_forward": 1,
    }


def test_accepted_total_that_includes_carried_over_is_not_new():  # corpus k04 trap: 749 = 713 + 36
    text = "全县全年共受理政府信息公开申请 749 件,其中自然人申请 741 件,法人或其他组织申请 8 件;共办理 718 件,结转下一年 31 件。"
    for era in ("std2021", "narrative"):
        assert values(text, era=era) == {"apply.total_handled": 718, "apply.carried_forward": 31}


def test_requests_counted_with_carried_over_are_not_new():
    assert values("全年共收到政府信息公开申请50件(含上年结转3件)。") == {"apply.carried_over": 3}
    assert values("公民、法人和其他组织共提出政府信息公开申请12件。") == {"apply.new": 12}


def test_no_requests_received():  # corpus h29, h31
    assert values("年内,我镇未收到公民、法人或其他组织通过任何形式提出的政府信息公开申请。") == {
        "apply.new": 0
    }
    assert values("2011年全区未收到有关政府信息公开的申请,未收到有关政府信息公开行政复议申请。") == {
        "apply.new": 0,
        "review.total": 0,
    }


def test_chinese_numerals():
    assert values("本年度收到政府信息公开申请三件,因政府信息公开引起行政复议两件。") == {
        "apply.new": 3,
        "review.total": 2,
    }


# --- review and litigation -------------------------------------------------------------------------


def test_review_and_litigation_with_chinese_commas():  # seed 001, punctuation as in HTML-derived text
    text = "2018年，全市因依申请公开引起的行政复议6件，行政诉讼6件，行政复议和行政诉讼累计同比下降93.2%。"
    assert values(text, raw=True) == {"review.total": 6, "litigation.total": 6}


def test_review_and_litigation_results():  # seed 003
    text = "2014年,全市各级行政机关因政府信息公开发生的行政复议8件,维持4件,责令履行4件;行政诉讼5件,3件驳回诉求,2件正在审理中。"
    assert values(text) == {
        "review.total": 8,
        "review.upheld": 4,
        "review.corrected": 4,
        "litigation.total": 5,
        "litigation.upheld": 3,
        "litigation.pending": 2,
    }


def test_review_by_level_and_results_in_the_next_sentence():  # seed 000
    text = (
        "全年在依申请公开受理工作中引发行政复议40件(次),其中,市本级 14件、区级政府15件、县(市)级政府11件。"
        "经市级复议机关裁决维持具体行政行为的20件,被依法纠错的11件,其他情形的9件。"
        "全年依申请公开受理工作中引发行政诉讼86件。经审判机关裁决维持具体行政行为或者驳回原告诉讼请求的69件,被依法纠错的8件。"
    )
    facts = read(text)
    assert {k: f.value for k, f in facts.items()} == {
        ("review.total", "total"): 40,
        ("review.total", "level:municipal"): 14,
        ("review.total", "level:district"): 15,
        ("review.total", "level:county"): 11,
        ("review.upheld", "total"): 20,
        ("review.corrected", "total"): 11,
        ("review.other", "total"): 9,
        ("litigation.total", "total"): 86,
        ("litigation.upheld", "total"): 69,
        ("litigation.corrected", "total"): 8,
    }


def test_number_before_its_noun():  # corpus h50
    text = "2024 年市科委有 1 件涉及政府信息公开工作的行政复议,该行政复议件未被复议审查机关纠错。涉及的行政诉讼数为0 件。"
    assert values(text) == {"review.total": 1, "litigation.total": 0}


@pytest.mark.parametrize(
    "text",
    [
        "本年度没有因政府信息公开申请行政复议、提起行政诉讼的情况发生。",  # seed 002
        "2015年我区未收到有关政府信息公开行政复议、提起行政诉讼的申请。",
        "本年度未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。",
    ],
)
def test_no_review_no_litigation(text):
    assert values(text) == {"review.total": 0, "litigation.total": 0}


# --- fees ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "在受理依申请公开信息的过程中,涉及检索、复制、邮寄等费用,均由受理部门承担,全市依申请公开信息未向申请人收取任何费用。",
        "均依法依规予以答复和处理,并无任何收费事项。",  # seed 003
        "2023年度,县发展和改革局政府信息公开未发生收费情况。",  # corpus k01
        "本年度未收取信息处理费。",
        "2018年,我市依申请公开政府信息没有向申请人收取任何费用。",  # seed 001
    ],
)
def test_no_fees_charged(text):
    fact = read(text)[("fees.collected_yuan", "total")]
    assert (fact.value, fact.unit) == (0, "yuan")


def test_fee_amount_and_special_budget():
    facts = read(
        "全县行政机关在办理2025年度信息公开申请中收取信息处理费共计400元。"
        "政府信息公开专项经费(不包括用于政府公报编辑管理及政府网站建设维护等方面的经费)22.5万元,"
        "其中市本级17.5万元,各区、县(市)人民政府5万元。"
    )
    assert {k: (f.value, f.unit) for k, f in facts.items()} == {
        ("fees.collected_yuan", "total"): (400, "yuan"),
        ("fees.special_budget_yuan", "total"): (225_000, "yuan"),
        ("fees.special_budget_yuan", "level:municipal"): (175_000, "yuan"),
    }  # 各区、县 names two levels: no split for the 5万元


@pytest.mark.parametrize(
    ("text", "fee"),
    [
        ("2012年,我局依申请提供政府信息共收取检索、复制、邮寄等成本费用120元,无减免情况。", 120),
        ("本年度共收取检索、复制、邮寄等成本费用150元。", 150),  # the 2008 条例's own fee words
        ("2013年收取检索、复制费用30元。", 30),
        ("向申请人收取政府信息公开的检索、复制、邮寄等费用合计1,200元。", 1200),
        ("收取检索、复制、邮寄等成本费用,共计350.5元,减免费用20元。", 350.5),  # amount in its own clause
        ("依据《政府信息公开信息处理费管理办法》,本机关本年度收取信息处理费共计400元。", 400),
        ("本年度发出收费通知的件数和总金额以及实际收取的总金额均为0元。", 0),
    ],
)
def test_fee_wordings(text, fee):
    assert values(text) == {"fees.collected_yuan": fee}


def test_fee_in_the_fees_section():
    text = "一、概述\n略。\n五、政府信息公开的收费及减免情况\n全年共收费50元,减免0元。\n"
    doc = normalize(text)
    facts = extract_narrative(doc, segment(doc.text), "narrative")
    assert {f.metric: f.value for f in facts} == {"fees.collected_yuan": 50}
    placeholder = [Section(0, 1, "other", "", 0, len(doc.text))]  # outside that section: no context
    assert extract_narrative(doc, segmented(doc, placeholder), "narrative") == []


@pytest.mark.parametrize(
    "text",
    [
        "2013年用于宣传、政策公告、设立和更新公开栏等产生的政府信息公开费用1万元。",  # spending, not fees
        "行政事业性收费 4068.208",
        "政府集中采购13575394432.52元",
        "其中办理下岗失业人员减免税共计91件,共计减免金额219062.78元。",
    ],
)
def test_other_money_is_not_a_fee(text):
    assert values(text) == {}


# --- proactive disclosure ---------------------------------------------------------------------------


def test_proactive_total_levels_and_the_same_item_note():  # seed 000
    facts = read(
        "全年主动公开各类政府信息306166条(不同渠道和方式公开相同信息计1条)。其中,市本级主动公开政府信息94199条,"
        "占信息公开总量的30.8%;各区级政府及部门主动公开政府信息196215条;各县(市)级政府及部门主动公开政府信息15752条。"
    )
    assert {k: f.value for k, f in facts.items()} == {
        ("proactive.total", "total"): 306166,
        ("proactive.total", "level:municipal"): 94199,
        ("proactive.total", "level:district"): 196215,
        ("proactive.total", "level:county"): 15752,
    }


def test_proactive_approximate_total_and_channels():  # seed 001
    facts = read(
        "2018年,全市主动公开政府信息14万余条(注:不同渠道和方式公开相同信息计1条),同比增长9.6%。"
        "通过不同渠道和方式公开政府信息14万余条,其中通过政府公报公开173条,通过政府网站公开7万余条,"
        "通过政务微博公开6000余条,通过政务微信公开14000余条,通过其他方式公开4万余条。"
    )
    assert {k: (f.value, f.is_approximate) for k, f in facts.items()} == {
        ("proactive.total", "total"): (140_000, True),
        ("proactive.total", "channel:gazette"): (173, False),
        ("proactive.total", "channel:website"): (70_000, True),
        ("proactive.total", "channel:weibo"): (6000, True),
        ("proactive.total", "channel:wechat"): (14000, True),
        ("proactive.total", "channel:other"): (40_000, True),
    }


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("全年我局主动公开信息25条。", 25),  # corpus h02
        (
            "2023年,我局严格审签程序。全年共审核发布各类公开政府信息249条,其中:发布行政公文和政策解读信息9条;",
            249,
        ),
        ("全年公开政府信息74条,有力地促进了各项重点工作的开展。", 74),  # corpus h09, no 主动
        ("今年,我区政府信息公开单位共公布政府信息2599条,(其中其他应主动公开政府信息856条)", 2599),  # h42
        ("主动通过“中国?廊坊”政府门户网站政府信息公开平台发布各类政府信息21503条。", 21503),  # seed 003
    ],
)
def test_proactive_total_wordings(text, value):
    assert values(text, era="std2019")["proactive.total"] == value


def test_a_kind_of_information_is_not_the_total():
    text = (
        "2015年,我区累计在平潭政府采购信息网上主动公开政府采购项目信息188条。"
        "主动公开保障房相关信息30余条。公开社会公益事业领域政府信息2万余条。"
        "在廊坊市政府信息公开平台公开政府信息29条。"  # no whole-year wording: a running tally
    )
    assert values(text) == {}


def test_running_totals_since_earlier_years_are_not_this_years():
    text = "2008年以来,累计主动公开政府信息9000条。截至目前累计主动公开政府信息9500条。全年累计主动公开政府信息800条。"
    assert values(text) == {"proactive.total": 800}
    assert values("本年度,我市累计主动公开政府信息15551条,做到应公开尽公开。") == {"proactive.total": 15551}


def test_normative_documents():
    assert values(
        "今年,呼玛县在政府网站主动公开各类政府信息4419条(相同信息计1条),其中公开规范性文件17件。"
    ) == {
        "proactive.total": 4419,
        "proactive.normative_docs": 17,
    }  # seed 002
    overview = "2018年共公开政府常务会议决议事项21次,以政府或政府办公厅名义制发的规范性文件81件。"
    assert values(overview) == {}  # seed 000: issued documents in the overview, not disclosed ones
    assert values("本年度,我办制发10件规范性文件。", era="std2019") == {"proactive.normative_docs": 10}


def test_statistics_table_takes_the_year_column():  # corpus h31: 2011年度 then 历年累计
    text = (
        "2011年制作、获取政府信息总数1873条,其中主动公开政府信息425条,作为依申请公开信息数46条,不予公开信息数1402。"
        "附件1:统计表指标名称计量单位 2011 年度历年累计主动公开信息数条 425 1516 其中:1.网站公开条 418 1509 "
        "受理依申请公开信息总数条 0 0 其中:1.当面申请数条 0 0 对申请的答复数条 0 0 其中:1.同意公开答复数条 0 0 "
        "3.否决公开答复数条 0 0 行政复议数条 0 0 行政诉讼数条 0 0 行政申诉数条 0 0"
    )
    facts = read(text)
    assert {k: f.value for k, f in facts.items()} == {
        ("proactive.total", "total"): 425,
        ("proactive.total", "channel:website"): 418,
        ("apply.new", "total"): 0,
        ("apply.channel.in_person", "total"): 0,
        ("apply.total_handled", "total"): 0,
        ("apply.outcome.granted", "total"): 0,
        ("apply.outcome.denied", "total"): 0,
        ("review.total", "total"): 0,
        ("litigation.total", "total"): 0,
    }


def test_catalogued_items_are_not_requests():  # corpus h31 / 平潭 2012
    assert values("其中主动公开政府信息2026条,作为依申请公开信息数46条,不予公开信息数1854条。") == {
        "proactive.total": 2026
    }


# --- provenance --------------------------------------------------------------------------------------


def test_offsets_and_evidence():
    doc = normalize(
        "一、概述\n本年度工作顺利。\n(二)依申请公开情况\n全市共收到政府信息公开申请442件,同比增长31.2%。\n"
    )
    (fact,) = extract_narrative(doc, segmented(doc, []), "narrative")
    assert doc.text[fact.char_start : fact.char_end] == "442"
    assert fact.evidence == "全市共收到政府信息公开申请442件,同比增长31.2%。"


def test_first_statement_wins():
    text = "全年主动公开政府信息100条。全年主动公开政府信息200条。"
    fact = read(text)[("proactive.total", "total")]
    assert fact.value == 100


def test_works_with_real_section_kinds_too():
    text = "三、依申请公开情况\n在全部受理的12件申请中,按时办结12件。"
    doc = normalize(text)
    sections = [Section(0, 1, "requests", "三、依申请公开情况", 0, len(doc.text))]
    assert {f.metric: f.value for f in extract_narrative(doc, segmented(doc, sections), "narrative")} == {
        "apply.new": 12,
        "apply.handled_on_time": 12,
        "apply.total_handled": 12,  # all answered on time: the on-time count is the total handled too
    }


# --- numbers that never become facts ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "如对本报告有任何疑问,请联系(地址:北京市东城区正义路2号;邮编:100744;联系电话:65193753;传真:0591-23165255)。",
        "依据《关于推进公共资源配置领域政府信息公开的实施意见》(哈政办发〔2018〕25号)精神,本报告统计期限为2018年1月1日至2018年12月31日。",
        "依申请公开答复率100%,占信息公开申请总数的7.5%。",
        "新版市政府门户网站获副省级城市第9位,省会城市第12位。本报告共3页。",
        "2018年度哈尔滨市人大会议和闭会期间,市人大代表共提出建议643件,其中,城建环保类292件。共转交政协提案626件。",
        "建立窗口服务大厅,开设窗口24个,共受理申请136437件。",  # administrative applications, not disclosure requests
        "2018年,“一号答”专席受理诉求61284件。全年受理网络问政182件。截至目前共收到15564件咨询投诉件。",
        "全年发布矿业权出让、政府采购、国有产权交易等信息4000余条。",
        "第二十条第(一)项信息内容本年新制作数量本年新公开数量对外公开总数量规章000规范性文件898989",
    ],
)
def test_not_metrics(text):
    assert values(text) == {}


def test_table_rows_are_not_prose():
    text = (
        "公开渠道和领域 | 政府网站 | 通过其他方式公开 | 规范性文件 | 依申请公开 |\n"
        "数量 | 4419 | 1830 | 17 | 5 |\n"
        "一、本年新收政府信息公开申请数量 | 26 | | | | | | 26 |\n"
        "规范性文件 |\n"
        "17条 |\n"
    )
    assert values(text, era="std2019") == {}


def test_nothing_from_mojibake():
    doc = normalize("本年度主动公开政府信息?鶎诱12条。")
    assert doc.mojibake_spans
    assert extract_narrative(doc, segmented(doc, []), "narrative") == []
    # a '?' inside mojibake does not end the sentence the number is in (seed 003)
    assert values("主动通过“中国?廊坊”政府门户网站政府信息公开平台发布各类政府信息21503条。") == {
        "proactive.total": 21503
    }


def test_feature_prefilter_changes_no_match():
    import re

    from pipeline import narrative

    plain = re.compile("|".join(f"(?P<{name}>{rx})" for name, rx in narrative._FEATURES))
    sample = (
        "在答复内容上,属于已主动公开范围的107件,建议通过咨询、信访、举报等其他途径办理的54件,经审判机关裁决维持具体行政行为"
        "或者驳回原告诉讼请求的69件,市本级14件,县(市、区)政府,12345热线,公民、法人或其他组织,收取检索、复制费用"
    )
    for i in range(len(sample)):
        label = sample[i : i + 40]
        expected: dict[str, int] = {}
        for m in plain.finditer(label):
            expected[m.lastgroup] = m.start()
        assert narrative._features(label) == expected


def test_large_input_is_linear():
    import time

    chunk = "全年主动公开政府信息25条,其中文件3件(注1)。维持1件,电话:0457-3500412。\n" * 20_000  # ~1.2 MB
    start = time.perf_counter()
    doc = NormalizedDoc(text=chunk, script="simplified")
    facts = extract_narrative(doc, segmented(doc, []), "narrative")
    assert time.perf_counter() - start < 10
    assert {f.metric for f in facts} == {"proactive.total"}

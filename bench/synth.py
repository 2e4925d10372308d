"""Synthetic 政府信息公开工作年度报告 with ground truth, for benchmarks and regression tests.

    python -m bench.synth --n N --out DIR [--seed S]

writes DIR/raw/<name>.txt|.html (the report bytes) and DIR/gold/<name>.json (its gold, in the
format of ../shared/gold/*.json). `generate(n, seed)` yields the same (name, bytes, gold) triples
without touching the disk; document i depends only on (seed, i), so any prefix or slice of a run
is reproducible on its own.

What the documents look like (all wording is taken from real reports, see ../shared/seeds):
- eras: ~40% narrative (2008-2018 prose), ~30% std2019 (2019-2020, 国办公开办函〔2019〕60号
  tables), ~30% std2021 (2021-2025, 〔2021〕30号 tables with the three 其他处理 sub-rows);
- table flattenings: pipe rows with trailing empty cells (seed 004), markdown pipes, one cell per
  line (`cell |`, corpus h02) or cell/`|` alternating lines (h09), sparse rows that drop blank
  法人 cells, and HTML pages (<table><tr><td>, rowspan/colspan headers);
- damage: ~20% traditional script (a small built-in character map with some simplified
  leftovers), pinyin after characters in some traditional documents (網(wǎng)), garbled
  mojibake runs after a '?' (only inside filler prose), page chrome, metadata header rows,
  ASCII punctuation, CRLF line ends, spam title lines; encodings UTF-8 (some with BOM), GB18030
  (HTML pages then declare gbk/gb2312), Big5 (traditional only), UTF-16 with a byte-order mark;
- places are real (cpca's adcodes.csv), organs are '<city>人民政府', '<county>人民政府',
  '<city><department>' and so on, so metadata can be checked;
- ~3% of documents carry ONE deliberate source inconsistency (a printed total off by one); the
  identities it breaks are listed in gold["inconsistent"]:
    std tables  I1:<col>  本年新收 + 上年结转 = (七)总计 + 结转下年度  (col: natural_person,
                          commercial, research, public_interest, legal_service, other, total)
                I2:<col>  (七)总计 = sum of the outcome rows
                I3:<row>  row 总计 = sum of the six applicant columns
                I4:<blk>  表四 block 总计 = 维持 + 纠正 + 其他 + 尚未审结 (review, direct, after_review)
    narrative   O1       收到申请 N件 = sum of the channels (当面/网络/信函/…)
                O5       行政复议 N件 = 维持 + 纠错 + 其他

Gold facts follow the project's conventions: table group totals (denied / unable /
not_processed / other) are sums of their printed sub-rows, litigation.* = 未经复议直接起诉 +
复议后起诉, apply.applicant.legal_person = the five 法人 columns of the 本年新收 row (omitted
when those cells are blank), proactive.normative_docs = the 规范性文件 row's 本年新公开数量
(2019) / 本年制发件数 (2021) or the narrative count, fees.collected_yuan = 0 when the text says
nothing was charged. Only what the text states is listed; N万余条 counts are in `approx`.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import queue
import random
import sys
import threading
import time
from collections.abc import Iterator
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from pipeline import formats

# ------------------------------------------------------------------------------------------------
# Mix (shares of all documents unless said otherwise)
# ------------------------------------------------------------------------------------------------

ERA_WEIGHTS = (("narrative", 0.40), ("std2019", 0.30), ("std2021", 0.30))
P_TRADITIONAL = 0.20
P_PINYIN = 0.35  # of traditional documents that are not Big5
P_BIG5 = 0.10  # of traditional documents (~2% overall)
P_GB18030 = 0.05
P_UTF16 = 0.01
P_UTF8_BOM = 0.03
P_HTML_STD = 0.20
P_HTML_NARRATIVE = 0.15
P_INCONSISTENT = 0.035  # some narrative documents have no identity to break: ~3% end up inconsistent
P_MOJIBAKE = 0.06
P_META_HEADER = 0.35
P_CRLF = 0.10
P_ASCII_PUNCT = 0.30
#: table flattenings of text documents with tables
TEXT_LAYOUTS = (("pipe", 0.45), ("markdown", 0.12), ("cells", 0.25), ("cells_bar", 0.18))
#: mean document size is about this many bytes (UTF-8)
SIZE_MIN, SIZE_MODE, SIZE_MAX = 9_000, 15_000, 48_000

# ------------------------------------------------------------------------------------------------
# Places (cpca's administrative divisions)
# ------------------------------------------------------------------------------------------------

_MUNICIPALITIES = {"11", "12", "31", "50", "71", "81", "82"}
_NOT_A_CITY = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}

_FALLBACK_PLACES = (
    (
        "黑龙江省",
        (("哈尔滨市", ("道里区", "南岗区", "呼兰区", "依兰县")), ("大兴安岭地区", ("呼玛县", "塔河县"))),
    ),
    ("江苏省", (("连云港市", ("海州区", "东海县", "灌云县")), ("淮安市", ("洪泽区", "涟水县")))),
    ("浙江省", (("杭州市", ("滨江区", "萧山区", "桐庐县", "建德市")),)),
    ("河北省", (("廊坊市", ("安次区", "广阳区", "固安县", "霸州市")),)),
)


@cache
def _places() -> tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...]:
    """((province, ((city, (county, ...)), ...)), ...) from cpca's adcodes.csv, sorted by code."""
    spec = find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        return _FALLBACK_PLACES
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
    if not path.exists():
        return _FALLBACK_PLACES
    with path.open(encoding="utf-8") as f:
        codes = sorted((row["adcode"], row["name"]) for row in csv.DictReader(f))
    names = dict(codes)
    tree: dict[str, dict[str, list[str]]] = {}
    for code, name in codes:
        if code[:2] in _MUNICIPALITIES or code[6:] != "000000":
            continue
        prov = names.get(code[:2] + "0" * 10)
        if prov is None:
            continue
        if code[2:] == "0" * 10:
            tree.setdefault(prov, {})
        elif code[4:] == "0" * 8:
            if name not in _NOT_A_CITY:
                tree.setdefault(prov, {}).setdefault(name, [])
        else:
            city = names.get(code[:4] + "0" * 8)
            if city is None or city in _NOT_A_CITY or name == "市辖区":
                continue
            tree.setdefault(prov, {}).setdefault(city, []).append(name)
    out = tuple(
        (prov, tuple((city, tuple(counties)) for city, counties in cities.items()))
        for prov, cities in tree.items()
        if cities
    )
    return out or _FALLBACK_PLACES


DEPTS_OLD = (
    "发展和改革委员会", "教育局", "科学技术局", "公安局", "民政局", "司法局", "财政局",
    "人力资源和社会保障局", "国土资源局", "环境保护局", "住房和城乡建设局", "交通运输局", "水务局",
    "农业局", "商务局", "文化广电新闻出版局", "卫生和计划生育委员会", "审计局", "工商行政管理局",
    "质量技术监督局", "安全生产监督管理局", "食品药品监督管理局", "统计局", "林业局", "物价局",
)  # fmt: skip
DEPTS_NEW = (
    "发展和改革委员会", "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局", "司法局", "财政局",
    "人力资源和社会保障局", "自然资源和规划局", "生态环境局", "住房和城乡建设局", "交通运输局",
    "水利局", "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会", "退役军人事务局", "应急管理局",
    "审计局", "市场监督管理局", "统计局", "医疗保障局", "城市管理局", "行政审批局", "数据资源管理局",
)  # fmt: skip


def _self_ref(name: str) -> tuple[str, str]:
    """(我X, 全X) for a place or organ name."""
    if name.endswith(("委员会", "委")):
        return "我委", "本机关"
    if name.endswith("局"):
        return "我局", "本机关"
    if name.endswith("办公室"):
        return "我办", "本机关"
    if name.endswith("自治区"):
        return "我区", "全区"
    if name.endswith("省"):
        return "我省", "全省"
    if name.endswith("自治州"):
        return "我州", "全州"
    if name.endswith("地区"):
        return "本地区", "全地区"
    if name.endswith("盟"):
        return "我盟", "全盟"
    if name.endswith("旗"):
        return "我旗", "全旗"
    if name.endswith("县"):
        return "我县", "全县"
    if name.endswith("区"):
        return "我区", "全区"
    return "我市", "全市"


def _pick_organ(rng: random.Random, era: str, year: int) -> dict:
    places = _places()
    prov, cities = places[rng.randrange(len(places))]
    city, counties = cities[rng.randrange(len(cities))]
    r = rng.random()
    county = None
    if r < 0.05:
        kind = "province"
    elif r < 0.30 or not counties:
        kind = "city"
    elif r < 0.65:
        kind = "county"
    else:
        kind = "department"
    if kind in ("county", "department") and counties and (kind == "county" or rng.random() < 0.4):
        county = counties[rng.randrange(len(counties))]
    if kind == "province":
        organ = f"{prov}人民政府"
        office = f"{prov}人民政府办公厅"
        level, city_out, county_out = "province", None, None
        self_ref, scope = _self_ref(prov)
        size = "province"
    elif kind == "city":
        gov = "行政公署" if city.endswith(("地区", "盟")) else "人民政府"
        organ = f"{city}{gov}"
        office = f"{city}{gov}办公室"
        level, city_out, county_out = "city", city, None
        self_ref, scope = _self_ref(city)
        size = "city"
    elif kind == "county":
        v = rng.random()
        if v < 0.70:
            organ = f"{county}人民政府"
        elif v < 0.85:
            organ = f"{city}{county}人民政府"
        else:
            organ = f"{county}人民政府办公室"
        office = f"{county}人民政府办公室"
        level = "district" if county.endswith("区") else "county"
        city_out, county_out = city, county
        self_ref, scope = _self_ref(organ if organ.endswith("办公室") else county)
        size = "county"
    else:
        depts = DEPTS_OLD if year <= 2018 else DEPTS_NEW
        dept = depts[rng.randrange(len(depts))]
        if county is not None:
            dept = dept.replace("委员会", "局")  # county bureaus: 发展和改革局, 卫生健康局
            organ = f"{county}{dept}"
            city_out, county_out = city, county
        else:
            organ = f"{city}{dept}"
            city_out, county_out = city, None
        office = organ
        level = "department"
        self_ref, scope = _self_ref(dept)
        size = "department"
    return {
        "organ": organ,
        "province": prov,
        "city": city_out,
        "county": county_out,
        "admin_level": level,
        "address": f"{prov}{city if kind != 'province' else ''}{county or ''}",
        "office": office,
        "self": self_ref,
        "scope": scope,
        "size": size,
    }


# ------------------------------------------------------------------------------------------------
# Filler prose: a bank of realistic sentences, turned into paragraphs once at import
# ------------------------------------------------------------------------------------------------

_SLOTS = {
    "AREA": (
        "优化营商环境", "乡村振兴", "民生保障", "生态环境保护", "教育医疗", "就业创业", "住房保障",
        "安全生产", "食品药品安全", "脱贫攻坚", "社会救助", "公共文化服务", "城市建设管理",
        "重大建设项目", "公共资源配置", "财政预决算", "减税降费", "稳就业保民生",
    ),
    "WAY": ("图文解读", "视频解读", "新闻发布会", "在线访谈", "政策问答", "一图读懂", "专家解读", "H5动画"),
    "PLATFORM": ("政府门户网站", "政务微博", "政务微信", "政务服务网", "政府公报", "新闻媒体", "公开栏", "政务新媒体"),
    "LEAD": (
        "高度重视", "认真贯彻", "全面落实", "扎实推进", "持续深化", "着力加强", "进一步规范", "不断完善",
    ),
    "GOAL": (
        "政府公信力和执行力", "政务公开质量和实效", "群众获得感和满意度",
    ),
}  # fmt: skip

# One list per topic. {S}=我市/我局…, {C}=全市/本机关…, {Y}=report year, {Y1}=next year,
# {n:a-b}=a number drawn when the bank is built, {AREA}/{WAY}/…=a phrase from _SLOTS.
_BANK = {
    "overview": (
        "{Y}年，{S}深入贯彻落实党中央、国务院关于全面推进政务公开工作的决策部署，坚持以公开为常态、不公开为例外，不断提升{GOAL}。",
        "{S}认真贯彻落实《中华人民共和国政府信息公开条例》，紧紧围绕中心工作，大力推进决策、执行、管理、服务、结果公开。",
        "在上级政务公开主管部门的有力指导下，{S}以群众需求为导向，持续深化{AREA}等重点领域信息公开，切实保障人民群众的知情权、参与权、表达权和监督权。",
        "{S}将政务公开工作纳入年度重点工作任务，主要负责同志多次听取工作汇报，研究解决工作中遇到的困难和问题。",
        "通过加强组织领导、完善制度机制、拓展公开渠道、强化监督考核，政务公开工作的制度化、标准化、规范化水平进一步提升。",
        "全年召开政务公开专题工作会议{n:2-8}次，印发年度工作要点和任务分工方案，明确责任单位和完成时限。",
        "{S}成立了由主要负责同志任组长、分管负责同志任副组长、各科室负责人为成员的政务公开工作领导小组，配备专兼职工作人员{n:2-9}名。",
        "坚持把政务公开作为建设法治政府、廉洁政府和服务型政府的重要抓手，推动政务公开与政务服务、政务管理深度融合。",
        "按照“谁制作、谁公开，谁保存、谁公开”的原则，进一步厘清公开责任，形成了主要领导亲自抓、分管领导具体抓、工作人员抓落实的工作格局。",
        "对照年度政务公开工作要点，逐项细化分解任务，建立工作台账，实行清单化管理、项目化推进。",
        "{S}{LEAD}政府信息公开工作，把政务公开贯穿政务运行全过程，权力运行到哪里，公开就推进到哪里。",
        "围绕{AREA}、{AREA}等群众关注的热点，及时准确发布权威信息，有力促进了各项重点工作的开展。",
        "政务公开工作在推动政府职能转变、优化营商环境、提升治理能力等方面发挥了积极作用，取得了较好成效。",
    ),
    "proactive": (
        "严格落实公开属性源头认定机制，公文在拟制阶段即明确公开属性，对不予公开的说明理由，做到应公开尽公开。",
        "围绕{AREA}、{AREA}等重点工作，及时公开相关政策文件、实施方案和进展情况。",
        "坚持政策文件与解读材料同步组织、同步审签、同步发布，全年发布政策解读材料{n:5-80}篇，其中{WAY}等形式解读{n:2-30}篇。",
        "及时公开财政预决算、“三公”经费、政府采购、重大建设项目等信息，主动接受社会监督。",
        "在{PLATFORM}开设{AREA}等专题专栏{n:3-15}个，集中发布相关政策和工作动态。",
        "对涉及群众切身利益的重大决策事项，通过{PLATFORM}公开征求意见，全年开展意见征集{n:3-40}次，并及时公开意见采纳情况。",
        "推进“双随机、一公开”监管，及时公开随机抽查事项清单、检查结果和查处情况。",
        "规范行政权力运行信息公开，动态调整权责清单，及时公开行政许可、行政处罚等执法信息。",
        "主动回应社会关切，对涉及本地区的重要舆情和热点问题，第一时间发布权威信息，正面引导舆论。",
        "召开新闻发布会{n:2-30}场，主要负责同志出席新闻发布会{n:1-6}次，介绍重大政策举措和重点工作进展。",
        "严格执行行政规范性文件统一登记、统一编号、统一印发制度，规范性文件全部在政府门户网站公开发布。",
        "积极推进基层政务公开标准化规范化建设，梳理编制{n:20-26}个领域政务公开事项标准目录。",
        "丰富政策解读形式，综合运用{WAY}、{WAY}等方式，增强政策解读的针对性和可读性。",
        "及时发布{AREA}领域的政策措施和办事指南，让企业和群众看得到、听得懂、办得成。",
    ),
    "apply": (
        "进一步规范依申请公开办理程序，严格按照受理、审查、处理、答复等环节办理，确保答复内容准确、程序合法、形式规范。",
        "建立依申请公开会商机制，对疑难复杂申请由办公室牵头，会同业务科室和法律顾问共同研究答复意见。",
        "畅通当面、信函、网络等申请渠道，在政府网站公布依申请公开申请表及办理流程，方便公众申请获取政府信息。",
        "加强与申请人的沟通联系，准确把握申请人的真实需求，主动提供帮助，有效减少行政争议的发生。",
        "严格执行法定答复时限，对需要延期答复的及时告知申请人，依申请公开答复均在法定期限内完成。",
        "认真落实政府信息公开申请答复文书规范，统一答复格式，告知申请人救济途径。",
        "对依申请公开中反映出的共性问题进行梳理分析，将公众申请较为集中的政府信息转为主动公开。",
    ),
    "manage": (
        "严格落实政府信息公开保密审查制度，坚持“先审查、后公开”和“一事一审”原则，全年未发生泄密事件。",
        "动态更新政府信息公开指南和政府信息公开目录，及时调整公开事项、公开主体和公开方式。",
        "组织开展规范性文件清理工作，对不符合上位法规定和不适应经济社会发展要求的文件予以废止或修改，并向社会公布清理结果。",
        "加强政府信息发布审核，严格执行信息发布“三审”制度，确保发布信息准确、权威、规范。",
        "建立健全政府信息公开工作考核、社会评议和责任追究制度，将政务公开工作纳入年度绩效考核。",
        "对已公开的政府信息定期开展自查，及时清理过期失效信息，维护政府信息的准确性和时效性。",
        "{LEAD}政务公开制度建设，先后制定信息发布协调、保密审查、依申请公开办理等制度{n:3-9}项。",
    ),
    "platform": (
        "充分发挥政府门户网站第一平台作用，优化栏目设置，完善站内检索功能，提升信息查找的便捷性。",
        "按照政府信息公开专栏统一规范要求，设置政府信息公开指南、政府信息公开制度、法定主动公开内容、政府信息公开工作年度报告等栏目。",
        "用好政务微博、政务微信等新媒体平台，全年通过政务新媒体发布信息{n:200-3000}余条，阅读量{n:5-200}万人次。",
        "在政务服务中心、图书馆、档案馆设立政府信息公开查阅点{n:2-9}个，配备电脑、触摸屏等设施，方便群众查阅。",
        "推进政府公报电子化，在门户网站设立政府公报专栏，全年编印政府公报{n:4-24}期。",
        "加强政府网站安全防护，落实网站信息内容安全和运行维护责任，全年网站安全平稳运行。",
        "完善政民互动功能，畅通领导信箱、咨询投诉、意见征集等渠道，全年办理网民留言{n:50-3000}条，办结率100%。",
        "推进政府网站集约化建设，统一技术平台，实现信息资源共享和数据互联互通。",
        "依托{PLATFORM}和{PLATFORM}，构建多渠道、广覆盖的信息发布体系，扩大政府信息的传播面和影响力。",
    ),
    "supervise": (
        "组织开展政务公开业务培训{n:2-12}次，培训各级政务公开工作人员{n:50-800}人次，进一步提升工作人员业务能力。",
        "开展政务公开工作检查，通过网上巡查、实地检查等方式，对发现的问题及时督促整改。",
        "邀请人大代表、政协委员和群众代表对政务公开工作进行评议，广泛听取意见建议。",
        "将政务公开工作纳入绩效考核体系，权重占比{n:2-5}%，考核结果作为评先评优的重要依据。",
        "按季度开展政府网站和政务新媒体检查，对存在的问题进行通报，限期整改到位。",
        "本年度未发生因政务公开工作不力而被责任追究的情况。",
        "积极配合第三方评估机构开展政务公开评估，对评估中发现的问题逐项整改，举一反三。",
    ),
    "keyarea": (
        "推进财政预决算公开，{C}{n:20-150}个部门在统一平台公开了部门预决算和“三公”经费预决算。",
        "深化重大建设项目批准和实施领域信息公开，及时公开项目审批、招标投标、施工进展等信息。",
        "推进公共资源配置领域信息公开，依托公共资源交易平台公开交易公告、成交结果等信息{n:300-5000}余条。",
        "加强社会公益事业建设领域信息公开，重点公开社会救助、教育、医疗卫生、环境保护等信息。",
        "推进环境保护信息公开，实时发布空气质量监测数据，及时公开建设项目环境影响评价审批结果。",
        "做好食品药品安全信息公开，及时发布抽检结果和风险提示信息。",
        "推进人大代表建议和政协提案办理结果公开，全年办理人大代表建议{n:10-300}件、政协提案{n:10-300}件，按期办复率100%。",
        "公开安全生产事故调查处理信息，强化警示教育作用。",
        "围绕{AREA}，及时公开相关政策、资金分配和项目实施情况，接受社会监督。",
    ),
    "problems": (
        "一是部分单位对政务公开工作的重要性认识不足，主动公开的意识有待进一步增强。",
        "二是政策解读的形式还不够丰富，解读的针对性和实效性有待提高。",
        "三是政务公开工作人员多为兼职，人员流动较为频繁，业务能力有待进一步提升。",
        "部分栏目信息更新不够及时，公开内容的完整性和准确性仍需加强。",
        "依申请公开答复的规范化水平有待提高，答复文书的说理性还需加强。",
        "基层政务公开标准化规范化建设还存在薄弱环节，公开事项目录的动态调整机制有待完善。",
        "政民互动的深度和广度还不够，公众参与政策制定的渠道有待进一步拓宽。",
    ),
    "improve": (
        "{Y1}年，{S}将继续深入贯彻落实《中华人民共和国政府信息公开条例》，不断提升政务公开工作水平。",
        "一是加强组织领导，进一步压实工作责任，推动政务公开各项任务落到实处。",
        "二是深化重点领域信息公开，围绕群众关切，持续扩大公开范围，细化公开内容。",
        "三是加强政策解读回应，丰富解读形式，提升解读质量，增强政策的知晓度和执行力。",
        "四是强化业务培训，通过集中培训、以会代训等方式，着力提高工作人员业务素质。",
        "五是加强监督考核，完善考核评估机制，确保政务公开工作取得实效。",
        "进一步规范依申请公开工作，严格依法依规答复，切实保障申请人的合法权益。",
        "持续加强政府网站和政务新媒体建设管理，推动政务公开平台规范化、集约化发展。",
    ),
}
_LEADS = {
    "overview": (
        "加强组织领导，健全工作机制。",
        "明确工作重点，压实工作责任。",
        "强化统筹协调，形成工作合力。",
    ),
    "proactive": (
        "突出公开重点，深化主动公开。",
        "加强政策解读，回应社会关切。",
        "聚焦重点领域，扩大公开范围。",
    ),
    "apply": ("规范依申请公开，依法保障合理需求。", "完善办理机制，提升答复质量。"),
    "manage": ("健全制度体系，规范信息管理。", "强化审查把关，确保信息安全。"),
    "platform": ("优化公开平台，拓宽公开渠道。", "加强网站建设，提升服务水平。"),
    "supervise": ("强化监督考核，推动工作落实。", "加强教育培训，提升业务能力。"),
    "keyarea": ("推进重点领域信息公开。", "深化重点领域公开，回应群众期盼。"),
    "problems": (),
    "improve": (),
}


def _fill(template: str, rng: random.Random) -> str:
    out = []
    i = 0
    while True:
        j = template.find("{", i)
        if j < 0:
            out.append(template[i:])
            return "".join(out)
        out.append(template[i:j])
        k = template.index("}", j)
        key = template[j + 1 : k]
        if key.startswith("n:"):
            lo, hi = key[2:].split("-")
            out.append(str(rng.randint(int(lo), int(hi))))
        elif key in _SLOTS:
            out.append(rng.choice(_SLOTS[key]))
        else:
            out.append("{" + key + "}")  # per-document placeholder, replaced later
        i = k + 1


@cache
def _paragraph_bank(script: str = "simplified") -> dict[str, tuple[tuple[str, int, bool], ...]]:
    """topic -> ((paragraph, length, has placeholders), ...): 300 per topic, built once, deterministically.

    script: a key of _SCRIPTS ('simplified', 'traditional', 'leftover', 'pinyin0' ...).
    """
    if script != "simplified":
        table = _conv_table(script)
        return {
            topic: tuple((text.translate(table), n, ph) for text, n, ph in paras)
            for topic, paras in _paragraph_bank().items()
        }
    rng = random.Random(20261122)
    bank = {}
    for topic, sentences in _BANK.items():
        paras = []
        for _ in range(300):
            k = rng.randint(4, min(9, len(sentences)))
            picked = rng.sample(range(len(sentences)), k)
            body = "".join(_fill(sentences[i], rng) for i in picked)
            leads = _LEADS[topic]
            if leads and rng.random() < 0.45:
                body = rng.choice(leads) + body
            paras.append((body, len(body), "{" in body))
        bank[topic] = tuple(paras)
    return bank


# ------------------------------------------------------------------------------------------------
# Script: a small simplified -> traditional map (the characters the templates use), pinyin
# ------------------------------------------------------------------------------------------------

# Pairs of (simplified, traditional) characters, aligned one to one. Machine-converted reports keep
# some simplified forms (關于, 并, 規范: seed 004); _LEFTOVERS are skipped in some documents.
_S2T_SIMP = (
    "开务请进强实动发规复项时对读办设领会确点为众业机网员责结内关导组况还审权报处问题体议评围条环训过决续严执够监标统织与单将态调绕质认栏国丰门应贯专见数负较检运职识护彻书广录华节协谁坚"
    "费纳据资断预区个转编属针层细诉扩优说县计频户积极现参宽听经减总约继长维压难联构电晓闻当号头济获紧举畅热级阅采舆财随则备讼挥绩络径响营杂产牵顾图沟帮争医疗药稳馆类无变许罚购账汇纠废卫"
    "党厘亲间论询双综尽价万风险洁气测签让场绍记传邮拟阶适满视术访盖咨补档脑触乡没简称载话兴税创筹脱秘贫画页扫额从这线谈厅达阳缴东码错宁农宾驳尔辑担闭畴别种龙贵陕银壮学隐萨乌临军乐苏抚铜"
    "玛亚暂盐义温划荆红黄连汉饶顺丽沧刚辽岛肃库瑶寻桥赣陇胜坝潍滨庆锡泾张贺厢阴娱楼吕卢岗静棱厦游辉聂荣仪历萧陆钟咸灵瓯凤钦礼马兰泸钢峡伦镇芦涡鹤齐远鸭麦泽输边鲜鲁锦扬晋岭盘娄枣庄鹰迁莱"
    "芜来铁凉吴毕岩着于并范后准余"
)
_S2T_TRAD = (
    "開務請進強實動發規復項時對讀辦設領會確點為眾業機網員責結內關導組況還審權報處問題體議評圍條環訓過決續嚴執夠監標統織與單將態調繞質認欄國豐門應貫專見數負較檢運職識護徹書廣錄華節協誰堅"
    "費納據資斷預區個轉編屬針層細訴擴優說縣計頻戶積極現參寬聽經減總約繼長維壓難聯構電曉聞當號頭濟獲緊舉暢熱級閱採輿財隨則備訟揮績絡徑響營雜產牽顧圖溝幫爭醫療藥穩館類無變許罰購賬匯糾廢衛"
    "黨釐親間論詢雙綜盡價萬風險潔氣測簽讓場紹記傳郵擬階適滿視術訪蓋諮補檔腦觸鄉沒簡稱載話興稅創籌脫祕貧畫頁掃額從這線談廳達陽繳東碼錯寧農賓駁爾輯擔閉疇別種龍貴陝銀壯學隱薩烏臨軍樂蘇撫銅"
    "瑪亞暫鹽義溫劃荊紅黃連漢饒順麗滄剛遼島肅庫瑤尋橋贛隴勝壩濰濱慶錫涇張賀廂陰娛樓呂盧崗靜稜廈遊輝聶榮儀歷蕭陸鍾鹹靈甌鳳欽禮馬蘭瀘鋼峽倫鎮蘆渦鶴齊遠鴨麥澤輸邊鮮魯錦揚晉嶺盤婁棗莊鷹遷萊"
    "蕪來鐵涼吳畢巖著於並範後準餘"
)
_LEFTOVERS = "于并范后"


def _s2t_table(leftovers: bool) -> dict[int, str]:
    table = {}
    for s, t in zip(_S2T_SIMP, _S2T_TRAD, strict=True):
        if s != t and not (leftovers and s in _LEFTOVERS):
            table[ord(s)] = t
    return table


_S2T_FULL = _s2t_table(False)
_S2T_LEFT = _s2t_table(True)

#: pinyin with tone marks for traditional characters (as annotated on seed 001's page)
_PINYIN = {
    "網": "wǎng", "絡": "luò", "務": "wù", "關": "guān", "結": "jié", "規": "guī", "據": "jù", "數": "shù",
    "導": "dǎo", "單": "dān", "項": "xiàng", "處": "chǔ", "報": "bào", "門": "mén", "統": "tǒng",
    "計": "jì", "設": "shè", "議": "yì", "訴": "sù", "總": "zǒng", "轉": "zhuǎn", "權": "quán",
    "應": "yīng", "實": "shí", "際": "jì", "點": "diǎn", "專": "zhuān", "國": "guó", "進": "jìn",
    "體": "tǐ", "質": "zhì", "發": "fā", "會": "huì", "開": "kāi", "請": "qǐng", "辦": "bàn",
    "類": "lèi", "復": "fù", "時": "shí", "為": "wèi", "構": "gòu", "機": "jī", "資": "zī",
}  # fmt: skip
_TONELESS = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ", "aaaaeeeeiiiioooouuuuvvvv")


#: script variants: the base character map, and for pinyin variants (seed of the annotated subset, toneless,
#: repeated). Pinyin variants are fixed so their filler banks can be built once.
_SCRIPTS = {
    "simplified": (None, None),
    "traditional": ("full", None),
    "leftover": ("left", None),
    "pinyin0": ("full", (0, False, False)),
    "pinyin1": ("left", (1, False, False)),
    "pinyin2": ("full", (2, True, False)),
    "pinyin3": ("left", (3, True, True)),
}


@cache
def _conv_table(script: str) -> dict[int, str] | None:
    """simplified text -> the script variant's text (None: unchanged)."""
    base, pin = _SCRIPTS[script]
    if base is None:
        return None
    table = dict(_S2T_FULL if base == "full" else _S2T_LEFT)
    if pin is not None:
        seed, toneless, repeat = pin
        rng = random.Random(seed)
        keys = list(_PINYIN)
        chosen = rng.sample(keys, rng.randint(10, len(keys)))
        annotate = {}
        for ch in chosen:
            py = _PINYIN[ch].translate(_TONELESS) if toneless else _PINYIN[ch]
            annotate[ch] = f"{ch}({py})({py})" if repeat else f"{ch}({py})"
        table = {k: annotate.get(v, v) for k, v in table.items()}
    return table


_ASCII_PUNCT = (("，", ","), ("：", ":"), ("；", ";"), ("（", "("), ("）", ")"))


def _big5_safe(o: dict) -> bool:
    """Whether the organ's names survive Big5 after the character map (~90% of places do)."""
    try:
        (o["organ"] + o["address"] + o["office"]).translate(_S2T_FULL).encode("big5")
    except UnicodeEncodeError:
        return False
    return True


def _mojibake(segment: str) -> str:
    """'?' + what the UTF-8 bytes of `segment` look like when read as GBK (seed 004's damage)."""
    garbled = segment.encode("utf-8").decode("gbk", errors="replace").replace("\ufffd", "?")
    garbled = "".join(c for c in garbled if not c.isdigit() and c not in " \n\r|")
    return "?" + garbled[: max(3, len(segment) + 2)]


# ------------------------------------------------------------------------------------------------
# Numbers
# ------------------------------------------------------------------------------------------------


def _split(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """`total` split into len(weights) non-negative ints, roughly proportional, summing exactly.

    Zero weights get 0; the last positive weight takes the remainder.
    """
    out = [0] * len(weights)
    idx = [i for i, w in enumerate(weights) if w > 0] or [0]
    rem = total
    wrem = sum(weights[i] for i in idx) or 1.0
    for i in idx[:-1]:
        if rem <= 0:
            break
        w = weights[i]
        x = min(int(rem * w / wrem * (0.6 + 0.8 * rng.random()) + rng.random()), rem)
        out[i] = x
        rem -= x
        wrem -= w
    out[idx[-1]] += rem
    return out


_SIZE_MU = {"province": 6.3, "city": 5.3, "county": 3.0, "department": 1.6}
_PROACTIVE_MU = {"province": 10.8, "city": 9.8, "county": 7.8, "department": 5.6}


def _lognormal_int(rng: random.Random, mu: float, sigma: float, zero_share: float = 0.0) -> int:
    if zero_share and rng.random() < zero_share:
        return 0
    return int(math.exp(rng.gauss(mu, sigma)))


# ------------------------------------------------------------------------------------------------
# Tables: 2019 / 2021 standard formats (domain.md §2a/§2b) as rows of cells
# ------------------------------------------------------------------------------------------------

_ROW = {row.code: row.printed for row in formats.TABLE3_ROWS}
_COL = dict(formats.TABLE3_COLUMNS)
_T2_ITEM = {key: label for key, (label, *_) in formats.TABLE2_ITEMS.items()}
_T2_HEAD = {(era, measure): label for measure, era, label in formats.TABLE2_HEADERS}
_T4_BLOCK = dict(formats.TABLE4_BLOCKS)


def _subrow_labels(group: str, era: str = "std2019") -> tuple[str, ...]:
    return tuple(row.printed for row in formats.table3_rows(era) if row.group == group)


def _item_title(n: str) -> str:
    return formats.TABLE2_MARKER.format(n=n)


COLS = tuple(key for key, _ in formats.TABLE3_COLUMNS)
_T3_HEADER = formats.TABLE3_NOTE
_DENIED_LABELS = _subrow_labels("apply.outcome.denied")
_UNABLE_LABELS = _subrow_labels("apply.outcome.unable")
_NOTPROC_LABELS = _subrow_labels("apply.outcome.not_processed")
_OTHER_LABELS_2021 = _subrow_labels("apply.outcome.other", "std2021")


def _t3_rows(era: str) -> list[tuple[str, tuple[str, ...], str]]:
    """(row key, label cells, group) for every data row of 表三, in order."""
    rows = [
        ("new", (_ROW["apply.new"],), ""),
        ("carried", (_ROW["apply.carried_over"],), ""),
        ("granted", (_ROW["apply.results"], _ROW["apply.outcome.granted"]), "granted"),
        ("partial", (_ROW["apply.outcome.partial"],), "partial"),
    ]
    for group, head, labels in (
        ("denied", _ROW["apply.outcome.denied"], _DENIED_LABELS),
        ("unable", _ROW["apply.outcome.unable"], _UNABLE_LABELS),
        ("not_processed", _ROW["apply.outcome.not_processed"], _NOTPROC_LABELS),
    ):
        for i, label in enumerate(labels):
            rows.append((f"{group}{i + 1}", (head, label) if i == 0 else (label,), group))
    if era == "std2019":
        rows.append(("other1", (_ROW["apply.outcome.other"],), "other"))
    else:
        for i, label in enumerate(_OTHER_LABELS_2021):
            rows.append(
                (f"other{i + 1}", (_ROW["apply.outcome.other"], label) if i == 0 else (label,), "other")
            )
    rows.append(("handled", (_ROW["apply.total_handled"],), ""))
    rows.append(("forward", (_ROW["apply.carried_forward"],), ""))
    return rows


@cache
def _t3_layout(era: str) -> tuple[tuple[tuple[str, tuple[str, ...], str], ...], tuple[int, ...]]:
    rows = tuple(_t3_rows(era))
    outcome_idx = tuple(i for i, r in enumerate(rows) if r[2])
    return rows, outcome_idx


_OUTCOME_WEIGHTS = {
    "granted": 34.0, "partial": 6.0,
    "denied1": 0.2, "denied2": 1.0, "denied3": 0.4, "denied4": 1.6, "denied5": 1.2, "denied6": 1.6,
    "denied7": 0.4, "denied8": 1.4,
    "unable1": 18.0, "unable2": 3.0, "unable3": 2.5,
    "not_processed1": 4.0, "not_processed2": 3.0, "not_processed3": 0.4, "not_processed4": 0.8,
    "not_processed5": 1.2,
    "other1": 6.0, "other2": 0.3, "other3": 4.0,
}  # fmt: skip


def _table3_values(rng: random.Random, era: str, size: str, legal_share: float) -> dict[str, list[int]]:
    """Row key -> 7 values (six applicant columns + 总计); every identity holds."""
    rows, outcome_idx = _t3_layout(era)
    rand = rng.random
    mu = _SIZE_MU[size]
    new_total = _lognormal_int(rng, mu, 1.1, zero_share={"department": 0.35, "county": 0.12}.get(size, 0.0))
    if legal_share == 0:
        new = [new_total, 0, 0, 0, 0, 0]
    else:
        new = _split(
            rng, new_total, [1.0 - legal_share, *(legal_share * w for w in (0.6, 0.04, 0.06, 0.12, 0.18))]
        )
    carried_total = int(new_total * rand() * 0.12) if rand() < 0.6 else 0
    carried = _split(rng, carried_total, [max(v, 0.01) for v in new]) if carried_total else [0] * 6
    # which sub-rows are in use in this document
    keys = [rows[i][0] for i in outcome_idx]
    weights = [
        _OUTCOME_WEIGHTS.get(key, 0.0) if key in ("granted", "unable1") or rand() >= 0.45 else 0.0
        for key in keys
    ]
    zeros = [0] * len(keys)
    fwd = [0] * 6
    handled = [0] * 6
    cols = []
    for c in range(6):
        avail = new[c] + carried[c]
        if avail:
            f = int(avail * rand() * 0.1) if rand() < 0.5 else 0
            fwd[c] = f
            handled[c] = avail - f
            cols.append(_split(rng, avail - f, weights))
        else:
            cols.append(zeros)
    values = {}
    for key, vals in (("new", new), ("carried", carried), ("handled", handled), ("forward", fwd)):
        values[key] = [*vals, sum(vals)]
    for key, row in zip(keys, zip(*cols, strict=True), strict=True):
        values[key] = [*row, sum(row)]
    return values


def _table4_values(rng: random.Random, size: str) -> list[int]:
    """15 numbers: review, direct litigation, litigation after review; each 4 results + total."""
    mu = {"province": 2.6, "city": 1.6, "county": 0.3, "department": -0.5}[size]
    out = []
    for share in (1.0, 0.8, 0.25):
        total = _lognormal_int(rng, mu + math.log(share), 1.0, zero_share=0.45)
        parts = _split(rng, total, [5.0, 1.2, 1.0, 1.8])
        out += parts + [total]
    return out


def _table3_check(printed: dict[str, list[int | None]], era: str) -> list[str]:
    """Identity names the printed 表三 breaks (None = blank cell, read as 0)."""
    rows, outcome_idx = _t3_layout(era)

    def v(key, c):
        x = printed[key][c]
        return x or 0

    broken = []
    for c, col in enumerate(COLS):
        if v("new", c) + v("carried", c) != v("handled", c) + v("forward", c):
            broken.append(f"I1:{col}")
    for c, col in enumerate(COLS):
        if v("handled", c) != sum(v(rows[i][0], c) for i in outcome_idx):
            broken.append(f"I2:{col}")
    for key, _, _ in rows:
        if v(key, 6) != sum(v(key, c) for c in range(6)):
            broken.append(f"I3:{key}")
    return broken


def _table4_check(vals: list[int]) -> list[str]:
    broken = []
    for b, name in enumerate(("review", "direct", "after_review")):
        blk = vals[5 * b : 5 * b + 5]
        if sum(blk[:4]) != blk[4]:
            broken.append(f"I4:{name}")
    return broken


class Table:
    """Rows of cells for the text flattenings (None = blank cell, '' = structural empty) and HTML."""

    __slots__ = ("rows", "html")

    def __init__(self, rows: list[list[str | None]], html: str) -> None:
        self.rows = rows
        self.html = html


def _td(text: str | None, rs: int = 1, cs: int = 1) -> str:
    attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
    return f"<td{attrs}>{text if text else '&nbsp;'}</td>"


def _html_table(rows_html: list[str]) -> str:
    return (
        '<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:100%">'
        + "".join(f"<tr>{r}</tr>" for r in rows_html)
        + "</table>"
    )


def _maybe_space(rng: random.Random, label: str, p: float) -> str:
    """Wrapped header cells come out with a space inside ('本年新 制作数量', '結果 維持')."""
    if len(label) < 4 or rng.random() >= p:
        return label
    k = rng.randint(2, len(label) - 2)
    return label[:k] + " " + label[k:]


def _fmt_signed(rng: random.Random, x: int) -> str:
    if x > 0 and rng.random() < 0.5:
        return f"+{x}"
    return str(x)


def _table2(rng: random.Random, era: str, size: str, sp: float, html: bool) -> tuple[list[Table], int]:
    """表二 as one Table per 第二十条 item; returns (tables, the normative-docs gold value)."""
    scale = {"province": 40, "city": 15, "county": 6, "department": 2}[size]
    rules_ok = size in ("province", "city")
    na_rules = not rules_ok and rng.random() < 0.25
    tables = []
    if era == "std2019":
        heads = (
            formats.TABLE2_INFO,
            *(_T2_HEAD["std2019", m] for m in ("made", "published", "total_public")),
        )
        rule_made = rng.randint(0, 6) if rules_ok else 0
        norm_made = rng.randint(0, scale)
        norm_pub = norm_made if rng.random() < 0.8 else rng.randint(0, norm_made)
        norm_total = norm_pub + rng.randint(0, scale * 8)
        rule_cells = (
            ["/"] * 3 if na_rules else [str(rule_made), str(rule_made), str(rule_made + rng.randint(0, 60))]
        )
        items = [
            (
                _item_title("一"),
                heads,
                [
                    [_T2_ITEM["rules"], *rule_cells],
                    [_T2_ITEM["normative_docs"], str(norm_made), str(norm_pub), str(norm_total)],
                ],
            ),
        ]
        gold_norm = norm_pub
        h5 = (formats.TABLE2_INFO, *(_T2_HEAD["std2019", m] for m in ("prev_items", "change", "decisions")))
        rows5 = []
        for label in (_T2_ITEM["licensing"], _T2_ITEM["other_services"]):
            prev = _lognormal_int(rng, math.log(scale * 10), 0.8, zero_share=0.3)
            chg = rng.randint(-min(prev, 20), 20) if prev else 0
            dec = _lognormal_int(rng, math.log(scale * 200), 1.2, zero_share=0.3) if prev else 0
            rows5.append([label, str(prev), _fmt_signed(rng, chg), str(dec)])
        items.append((_item_title("五"), h5, rows5))
        rows6 = []
        for label in (_T2_ITEM["punishment"], _T2_ITEM["coercion"]):
            prev = _lognormal_int(rng, math.log(scale * 20), 0.8, zero_share=0.3)
            chg = rng.randint(-min(prev, 30), 30) if prev else 0
            dec = _lognormal_int(rng, math.log(scale * 50), 1.3, zero_share=0.3) if prev else 0
            rows6.append([label, str(prev), _fmt_signed(rng, chg), str(dec)])
        items.append((_item_title("六"), h5, rows6))
        prev = _lognormal_int(rng, math.log(scale * 3), 0.8, zero_share=0.5)
        chg = rng.randint(-min(prev, 5), 3) if prev else 0
        items.append(
            (
                _item_title("八"),
                (formats.TABLE2_INFO, _T2_HEAD["std2019", "prev_items"], _T2_HEAD["std2019", "change"], ""),
                [[_T2_ITEM["admin_fees"], str(prev), _fmt_signed(rng, chg), ""]],
            )
        )
        projects = _lognormal_int(rng, math.log(scale * 8), 1.0, zero_share=0.3)
        amount = projects * rng.randint(20_000, 900_000)
        a = rng.random()
        if a < 0.45:
            amount_s = str(amount)
        elif a < 0.7:
            amount_s = f"{amount}元"
        else:
            amount_s = f"{amount / 10000:.4f}".rstrip("0").rstrip(".") + "万元"
        items.append(
            (
                _item_title("九"),
                (formats.TABLE2_INFO, _T2_HEAD["std2019", "projects"], _T2_HEAD["std2019", "amount"], ""),
                [[_T2_ITEM["procurement"], str(projects), amount_s if projects else "0", ""]],
            )
        )
    else:
        heads = (formats.TABLE2_INFO, *(_T2_HEAD["std2021", m] for m in ("made", "repealed", "in_force")))
        rule_made = rng.randint(0, 5) if rules_ok else 0
        norm_made = rng.randint(0, scale)
        norm_rep = rng.randint(0, max(1, norm_made // 2)) if rng.random() < 0.5 else 0
        norm_valid = norm_made + rng.randint(0, scale * 6)
        rule_cells = (
            ["/"] * 3
            if na_rules
            else [
                str(rule_made),
                str(rng.randint(0, 2) if rule_made else 0),
                str(rule_made + rng.randint(0, 80) if rules_ok else 0),
            ]
        )
        items = [
            (
                _item_title("一"),
                heads,
                [
                    [_T2_ITEM["rules"], *rule_cells],
                    [formats.TABLE2_NORMATIVE_2021, str(norm_made), str(norm_rep), str(norm_valid)],
                ],
            ),
        ]
        gold_norm = norm_made
        dec = (formats.TABLE2_INFO, _T2_HEAD["std2021", "decisions"], "", "")
        items.append(
            (
                _item_title("五"),
                dec,
                [
                    [
                        _T2_ITEM["licensing"],
                        str(_lognormal_int(rng, math.log(scale * 200), 1.2, zero_share=0.25)),
                        "",
                        "",
                    ]
                ],
            )
        )
        items.append(
            (
                _item_title("六"),
                dec,
                [
                    [
                        _T2_ITEM["punishment"],
                        str(_lognormal_int(rng, math.log(scale * 50), 1.3, zero_share=0.3)),
                        "",
                        "",
                    ],
                    [
                        _T2_ITEM["coercion"],
                        str(_lognormal_int(rng, math.log(scale * 5), 1.3, zero_share=0.5)),
                        "",
                        "",
                    ],
                ],
            )
        )
        fee = 0.0 if rng.random() < 0.6 else round(rng.uniform(0.5, 300) * scale / 10, 2)
        fee_s = "0" if fee == 0 else f"{fee:.2f}".rstrip("0").rstrip(".")
        items.append(
            (
                _item_title("八"),
                (formats.TABLE2_INFO, _T2_HEAD["std2021", "amount"], "", ""),
                [[_T2_ITEM["admin_fees"], fee_s, "", ""]],
            )
        )
    for title, head, body in items:
        head_cells = [_maybe_space(rng, h, sp) if h else "" for h in head]
        rows = [[title, "", "", ""], head_cells, *body]
        markup = ""
        if html:
            width = sum(1 for h in head if h)
            hrows = [_td(title, cs=width), "".join(_td(h) for h in head if h)]
            hrows += ["".join(_td(c) for c in r[:width]) for r in body]
            markup = _html_table(hrows)
        tables.append(Table(rows, markup))
    return tables, gold_norm


@cache
def _t3_static(era: str) -> tuple[list[tuple[str, list[str], list[str], str]], list[str]]:
    """Per data row (key, label cells, trailing empties, HTML label cells) and the HTML header rows."""
    rows_def, _ = _t3_layout(era)
    group_span: dict[str, int] = {}
    for _, _, group in rows_def:
        if group:
            group_span[group] = group_span.get(group, 0) + 1
    n_results = sum(group_span.values()) + 1  # 三、本年度办理结果 spans down to （七）总计
    out = []
    for key, labels, group in rows_def:
        if key in ("new", "carried", "forward"):
            lab = _td(labels[0], cs=3)
        elif key == "handled":
            lab = _td(labels[0], cs=2)
        elif key == "granted":
            lab = _td(labels[0], rs=n_results) + _td(labels[1], cs=2)
        elif key == "partial" or (group == "other" and era == "std2019"):
            lab = _td(labels[0], cs=2)
        elif len(labels) == 2:
            lab = _td(labels[0], rs=group_span[group]) + _td(labels[1])
        else:
            lab = _td(labels[0])
        out.append((key, list(labels), [""] * (3 - len(labels)), lab))
    head = [
        _td(_T3_HEADER, rs=3, cs=3) + _td(formats.TABLE3_HEADER, cs=7),
        _td(_COL["natural_person"], rs=2) + _td(formats.TABLE3_LEGAL_GROUP, cs=5) + _td(_COL["total"], rs=2),
        "".join(_td(_COL[c]) for c in COLS[1:6]),
    ]
    return out, head


def _table3(
    rng: random.Random, era: str, printed: dict[str, list[int | None]], sp: float, html: bool
) -> Table:
    static, head_html = _t3_static(era)
    orgs = tuple(_COL[c] for c in COLS[1:6])
    rows: list[list[str | None]] = [
        [_T3_HEADER, formats.TABLE3_HEADER, "", "", "", "", "", "", "", ""],
        [_COL["natural_person"], formats.TABLE3_LEGAL_GROUP, _COL["total"], "", "", "", "", "", "", ""],
        [*((_maybe_space(rng, h, sp) for h in orgs) if sp else orgs), "", "", "", ""],
    ]
    markup = list(head_html) if html else []
    for key, labels, trailing, lab in static:
        vals = printed[key]
        cells = [None if v is None else str(v) for v in vals] if None in vals else list(map(str, vals))
        rows.append(labels + cells + trailing)
        if html:
            markup.append(lab + "".join(_td(c) for c in cells))
    return Table(rows, _html_table(markup) if html else "")


def _table4(rng: random.Random, vals: list[int], sp: float, html: bool) -> Table:
    results = tuple(label for _, label in formats.TABLE4_RESULTS)
    r2 = [_maybe_space(rng, h, sp) for h in results]
    r3 = [_maybe_space(rng, h, sp) for h in results * 2]
    rows: list[list[str | None]] = [
        [_T4_BLOCK["review"], formats.TABLE4_LITIGATION, *([""] * 13)],
        [*r2, _T4_BLOCK["litigation.direct"], _T4_BLOCK["litigation.after_review"], *([""] * 8)],
        [*r3, *([""] * 5)],
        [str(v) for v in vals],
    ]
    if not html:
        return Table(rows, "")
    markup = [
        _td(_T4_BLOCK["review"], cs=5) + _td(formats.TABLE4_LITIGATION, cs=10),
        "".join(_td(h, rs=2) for h in results)
        + _td(_T4_BLOCK["litigation.direct"], cs=5)
        + _td(_T4_BLOCK["litigation.after_review"], cs=5),
        "".join(_td(h) for h in results * 2),
        "".join(_td(str(v)) for v in vals),
    ]
    return Table(rows, _html_table(markup))


# ------------------------------------------------------------------------------------------------
# Rendering
# ------------------------------------------------------------------------------------------------


_ROW_MEMO: dict[tuple, str] = {}
_ROW_MEMO_MAX = 40_000


def _render_row(row: list[str | None], layout: str, sparse: bool) -> str:
    """One table row as text (several lines for the one-cell-per-line layouts)."""
    j = len(row)
    while j and not row[j - 1]:
        j -= 1
    core = row[:j] if j < len(row) else row
    k = len(row) - j
    if j and "" not in core and None not in core:  # non-empty cells, then structural empties
        if layout == "pipe":
            return " | ".join(core) + (" | " + "|" * k if k else " |")  # type: ignore[arg-type]
        if layout == "markdown":
            return "| " + " | ".join(core) + " |"  # type: ignore[arg-type]
        if layout == "cells":  # corpus h02: 'cell |' lines, then one bar per empty cell plus one
            return " |\n".join(core) + " |\n" + "|" * (k + 1)  # type: ignore[arg-type]
        return "\n|\n".join(core) + "\n|"  # type: ignore[arg-type]  # cells_bar, corpus h09
    if layout == "pipe":  # seed 004: 'cell | ' for a value, '|' for an empty cell
        parts = []
        for c in row:
            if c is None:
                if not sparse:
                    parts.append("|")
            elif c:
                parts.append(c + " | ")
            else:
                parts.append("|")
        return "".join(parts).rstrip()
    if layout == "markdown":
        return "| " + " | ".join(c or "" for c in core if not (sparse and c is None)) + " |"
    lines = []
    if layout == "cells":  # blank cells are dropped: h02 keeps only a count of bars at the row end
        empties = 0
        for c in row:
            if c:
                lines.append(c + " |")
            else:
                empties += 1
        lines.append("|" * (empties + 1))
    else:
        for c in row:
            if c:
                lines.append(c)
                lines.append("|")
    return "\n".join(lines)


def _render_rows(
    rows: list[list[str | None]], layout: str, sparse: bool, conv: dict[int, str] | None, script: str
) -> str:
    """A table's rows in the document's flattening and script (rows repeat a lot: memoized)."""
    memo = _ROW_MEMO
    lines = []
    for row in rows:
        key = (layout, sparse, script, *row)
        line = memo.get(key)
        if line is None:
            line = _render_row(row, layout, sparse)
            if conv is not None:
                line = line.translate(conv)
            if len(memo) < _ROW_MEMO_MAX:
                memo[key] = line
        lines.append(line)
    if layout == "markdown" and lines:
        lines.insert(1, "|" + "---|" * (lines[0].count(" | ") + 1))
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------
# Document assembly
# ------------------------------------------------------------------------------------------------


def _choice_w(rng: random.Random, pairs: tuple[tuple[str, float], ...]) -> str:
    r = rng.random() * sum(w for _, w in pairs)
    for name, w in pairs:
        r -= w
        if r < 0:
            return name
    return pairs[-1][0]


def _filler(
    rng: random.Random, topic: str, budget_chars: int, script: str, subst: tuple[tuple[str, str], ...]
) -> list[str]:
    """Paragraphs of one topic adding up to about `budget_chars` characters, in the final script."""
    bank = _paragraph_bank(script)[topic]
    out = []
    used = 0
    n = len(bank)
    rand = rng.random
    while used < budget_chars:
        text, length, ph = bank[int(rand() * n)]
        if ph:
            for key, value in subst:
                text = text.replace(key, value)
        out.append(text)
        used += length
    return out


def _approx_count(rng: random.Random, value: int) -> tuple[str, int] | None:
    """'14万余' (140000) or '6000余' (6000), or None when the value is too small to round."""
    if value >= 20000:
        if rng.random() < 0.6:
            w = value // 10000
            return f"{w}万余", w * 10000
        t = value // 1000
        if t % 10 == 0:
            return f"{t // 10}万余", t * 1000
        return f"{t / 10:.1f}万余", t * 1000
    if value >= 1000:
        h = value // 1000 * 1000
        return f"{h}余", h
    return None


def _pct(part: int, total: int) -> str:
    return f"{part * 100 / total:.1f}%" if total else "0%"


class _Doc:
    """One report as blocks: (kind, text) with kind title / h / p / f (filler, already in the final
    script) / meta / chrome_top / chrome_bottom, or ('table', Table); plus the facts for the gold."""

    def __init__(self, script: str, want_html: bool, subst: tuple[tuple[str, str], ...]) -> None:
        self.script = script  # bank variant for filler paragraphs, a key of _SCRIPTS
        self.want_html = want_html
        self.subst = subst  # filler placeholders -> values in the final script
        self.blocks: list[tuple[str, object]] = []
        self.facts: dict[str, float] = {}
        self.approx: list[str] = []
        self.inconsistent: list[str] = []

    def h(self, text: str) -> None:
        self.blocks.append(("h", text))

    def p(self, text: str) -> None:
        self.blocks.append(("p", text))

    def fill(self, rng: random.Random, topic: str, budget_chars: int) -> None:
        for text in _filler(rng, topic, budget_chars, self.script, self.subst):
            self.blocks.append(("f", text))


_STD_SECTIONS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)
_STD_SUBS = (
    ("（一）主动公开", "proactive"),
    ("（二）依申请公开", "apply"),
    ("（三）政府信息管理", "manage"),
    ("（四）平台建设", "platform"),
    ("（五）监督保障", "supervise"),
)
_CN_NUM = "一二三四五六七八九十"


def _narrative_body(
    rng: random.Random, doc: _Doc, o: dict, year: int, partial_year: bool, budget: int
) -> None:
    S, C = o["self"], o["scope"]
    size = o["size"]
    inconsistent = rng.random() < P_INCONSISTENT
    broken_kind = rng.choice(("channel", "review")) if inconsistent else None
    period = "1—11月，" if partial_year else f"{year}年，"
    weights = {"overview": 0.45, "proactive": 0.15, "apply": 0.1, "problems": 0.15, "improve": 0.15}

    # 一、概述
    sec = 0

    def heading(title: str) -> None:
        nonlocal sec
        doc.h(f"{_CN_NUM[sec]}、{title}")
        sec += 1

    heading("概述")
    doc.fill(rng, "overview", int(budget * weights["overview"] * 0.6))
    doc.fill(rng, "keyarea", int(budget * weights["overview"] * 0.4))

    # 二、主动公开
    heading("主动公开政府信息情况")
    total = _lognormal_int(rng, _PROACTIVE_MU[size], 0.7) + 3
    approx = _approx_count(rng, total) if rng.random() < 0.25 else None
    norm = rng.randint(0, {"province": 120, "city": 60, "county": 25, "department": 8}[size])
    parts = []
    if approx:
        parts.append(f"{period}{C}共主动公开政府信息{approx[0]}条（不同渠道和方式公开相同信息计1条）")
        doc.facts["proactive.total"] = approx[1]
        doc.approx.append("proactive.total")
    else:
        v = rng.random()
        if v < 0.4:
            parts.append(f"{period}{C}共主动公开政府信息{total}条（不同渠道和方式公开相同信息计1条）")
        elif v < 0.7:
            parts.append(f"全年主动公开各类政府信息{total}条")
        else:
            parts.append(f"{period}{S}在政府网站主动公开各类政府信息{total}条（相同信息计1条）")
        doc.facts["proactive.total"] = total
    if rng.random() < 0.35:
        parts.append(f"其中公开规范性文件{norm}件")
        doc.facts["proactive.normative_docs"] = norm
    doc.p("，".join(parts) + f"，同比增长{rng.randint(1, 40)}.{rng.randint(0, 9)}%。")
    if rng.random() < 0.4:
        base = doc.facts["proactive.total"]
        ch = _split(rng, int(base), [2.0, 3.0, 1.0, 1.0])
        doc.p(
            f"通过不同渠道和方式公开政府信息，其中通过政府网站公开{ch[0]}条，通过政务微博公开{ch[1]}条，"
            f"通过政务微信公开{ch[2]}条，通过其他方式公开{ch[3]}条。"
        )
    doc.fill(rng, "proactive", int(budget * weights["proactive"]))

    # 三、依申请公开
    heading("依申请公开政府信息情况")
    doc.fill(rng, "apply", int(budget * weights["apply"] * 0.5))
    n = _lognormal_int(rng, _SIZE_MU[size], 1.0, zero_share={"department": 0.3, "county": 0.1}.get(size, 0.0))
    f = doc.facts
    if n == 0:
        template = "D"
    else:
        template = _choice_w(rng, (("A", 0.4), ("B", 0.3), ("C", 0.2), ("E", 0.1 if n < 30 else 0.0)))
    if template == "D":
        doc.p(
            rng.choice(
                (
                    f"{year}年，{S}未收到政府信息公开申请。",
                    f"本年度{S}没有收到政府信息公开申请。",
                    f"{year}年度，{C}未收到政府信息公开申请，无依申请公开办理情况。",
                )
            )
        )
        f["apply.new"] = 0
    elif template == "E":
        doc.p(f"据统计，{year}年共受理网上依申请公开事项{n}件，同意公开事项{n}件。")
        f["apply.new"] = n
        f["apply.channel.online"] = n
        f["apply.outcome.granted"] = n
    else:
        # outcomes (narrative-era categories), summing to n
        keys = (
            "already_public",
            "granted",
            "partial",
            "denied",
            "not_own_agency",
            "nonexistent",
            "ask_amend",
            "redirect",
        )
        ow = [1.5, 8.0, 0.8, 1.2, 2.2, 1.0, 0.5, 0.6]
        ow = [w if k == "granted" or rng.random() < 0.75 else 0.0 for k, w in zip(keys, ow, strict=True)]
        out = dict(zip(keys, _split(rng, n, ow), strict=True))
        chan_keys = ["in_person", "online", "letter", "fax", "email"]
        cw = [1.0, 5.0, 3.0, 0.4, 0.6]
        use = [k for k in chan_keys if k in ("in_person", "online") or rng.random() < 0.6]
        chans = dict(zip(use, _split(rng, n, [cw[chan_keys.index(k)] for k in use]), strict=True))
        chan_label = {
            "in_person": "当面申请",
            "online": "网络申请",
            "letter": "信函申请",
            "fax": "传真申请",
            "email": "电子邮件申请",
        }
        printed_chans = dict(chans)
        if broken_kind == "channel" and template in ("A", "B"):
            k = rng.choice(use)
            printed_chans[k] = chans[k] + 1 if chans[k] == 0 or rng.random() < 0.5 else chans[k] - 1
            doc.inconsistent.append("O1")
        if template == "A":
            chan_text = rng.choice(("，", "、")).join(f"{chan_label[k]}{printed_chans[k]}件" for k in use)
            den = out["denied"]
            sub = _split(rng, den, [0.3, 0.3, 0.5, 2.0, 1.0]) if den else []
            den_text = f"不同意公开答复{den}件"
            if den and rng.random() < 0.7:
                den_text += (
                    f"（涉及国家秘密{sub[0]}件；涉及商业秘密{sub[1]}件；涉及个人隐私{sub[2]}件；"
                    f"不是《条例》所指政府信息{sub[3]}件；法律规定的其他情形{sub[4]}件）"
                )
            doc.p(
                f"{period}{C}共收到政府信息公开申请{n}件，同比增长{rng.randint(1, 60)}.{rng.randint(0, 9)}%。"
                f"其中{chan_text}，已全部办结。属于已主动公开范围{out['already_public']}件，"
                f"同意公开答复{out['granted']}件，同意部分公开答复{out['partial']}件，{den_text}，"
                f"不属于本行政机关公开{out['not_own_agency']}件，申请信息不存在{out['nonexistent']}件，"
                f"告知作出更改补充{out['ask_amend']}件，告知通过其他途径办理{out['redirect']}件。"
            )
            f["apply.new"] = n
            for k in use:
                f[f"apply.channel.{k}"] = printed_chans[k]
            for k in keys:
                f[f"apply.outcome.{k}"] = out[k]
        elif template == "B":
            ext = int(n * rng.random() * 0.05)
            doc.p(
                f"在全部受理的{n}件申请中，按照规定按时办结{n - ext}件，情况复杂延期办结{ext}件。在答复内容上，"
                f"属于已主动公开范围的{out['already_public']}件，同意全部公开的{out['granted']}件，"
                f"同意部分公开的{out['partial']}件，依法依规不予公开的{out['denied']}件，"
                f"不属于本行政机关业务范畴的{out['not_own_agency']}件，申请信息不存在的{out['nonexistent']}件，"
                f"因申请内容不明确而告知作出更改补充的{out['ask_amend']}件，"
                f"建议通过咨询、信访、举报等其他途径办理的{out['redirect']}件。"
            )
            chan_text = "，".join(
                f"{chan_label[k]}{printed_chans[k]}件，占信息公开申请总数的{_pct(chans[k], n)}" for k in use
            )
            doc.p(f"{n}件公开申请分别以{len(use)}种不同方式提出，其中，{chan_text}。")
            f["apply.new"] = n
            for k in use:
                f[f"apply.channel.{k}"] = printed_chans[k]
            for k in keys:
                f[f"apply.outcome.{k}"] = out[k]
        else:  # C: seed 003 shorthand, 受理 = 答复
            ck = ("granted", "partial", "denied", "ask_amend", "nonexistent", "not_own_agency")
            cw2 = [8.0, 1.0, 0.8, 0.5, 1.0, 1.5]
            cw2 = [w if k == "granted" or rng.random() < 0.7 else 0.0 for k, w in zip(ck, cw2, strict=True)]
            co = dict(zip(ck, _split(rng, n, cw2), strict=True))
            doc.p(
                f"{period}{C}共受理政府信息公开申请{n}件，答复{n}件，同意公开{co['granted']}件，部分公开{co['partial']}件，"
                f"不予公开{co['denied']}件，申请内容不明确件数{co['ask_amend']}件，信息不存在数{co['nonexistent']}件，"
                f"不属于本行政机关公开{co['not_own_agency']}件。均依法依规予以答复和处理。"
            )
            f["apply.new"] = n
            f["apply.total_handled"] = n
            for k in ck:
                f[f"apply.outcome.{k}"] = co[k]
    doc.fill(rng, "apply", int(budget * weights["apply"] * 0.5))

    # 四、行政复议和行政诉讼
    heading("因政府信息公开申请行政复议、提起行政诉讼的情况")
    t4 = _table4_values(rng, size)
    r_parts = t4[0:3]  # upheld, corrected, other (narrative era has no 尚未审结 for review)
    r_total = sum(r_parts)
    l_parts = [t4[5] + t4[10], t4[6] + t4[11], t4[7] + t4[12], t4[8] + t4[13]]
    rv = rng.random()
    if r_total == 0 and sum(l_parts) == 0 or rv < 0.15:
        doc.p(
            rng.choice(
                (
                    "本年度没有因政府信息公开申请行政复议、提起行政诉讼的情况发生。",
                    f"{year}年，{C}未发生因政府信息公开申请提起行政复议和行政诉讼的情况。",
                )
            )
        )
        f["review.total"] = 0
        f["litigation.total"] = 0
    elif rv < 0.6:
        lu, lc, lo = l_parts[0], l_parts[1], l_parts[2] + l_parts[3]
        printed_r = r_total
        if broken_kind == "review":
            printed_r = r_total + 1 if r_total == 0 or rng.random() < 0.5 else r_total - 1
            doc.inconsistent.append("O5")
        doc.p(
            f"全年在依申请公开受理工作中引发行政复议{printed_r}件，经复议机关裁决维持具体行政行为的{r_parts[0]}件，"
            f"被依法纠错的{r_parts[1]}件，其他情形的{r_parts[2]}件。"
        )
        doc.p(
            f"全年依申请公开受理工作中引发行政诉讼{lu + lc + lo}件，经审判机关裁决维持具体行政行为或者驳回原告诉讼请求的{lu}件，"
            f"被依法纠错的{lc}件，其他情形的{lo}件。"
        )
        f.update(
            {
                "review.total": printed_r,
                "review.upheld": r_parts[0],
                "review.corrected": r_parts[1],
                "review.other": r_parts[2],
                "litigation.total": lu + lc + lo,
                "litigation.upheld": lu,
                "litigation.corrected": lc,
                "litigation.other": lo,
            }
        )
    elif rv < 0.8:
        ru, rc = r_parts[0] + r_parts[2], r_parts[1]
        lu, lp = l_parts[0] + l_parts[1] + l_parts[2], l_parts[3]
        printed_r = ru + rc
        if broken_kind == "review":
            printed_r += 1
            doc.inconsistent.append("O5")
        doc.p(
            f"{year}年，{C}各级行政机关因政府信息公开发生的行政复议{printed_r}件，维持{ru}件，责令履行{rc}件；"
            f"行政诉讼{lu + lp}件，{lu}件驳回诉求，{lp}件正在审理中。"
        )
        f.update(
            {
                "review.total": printed_r,
                "review.upheld": ru,
                "review.corrected": rc,
                "litigation.total": lu + lp,
                "litigation.upheld": lu,
                "litigation.pending": lp,
            }
        )
    else:
        doc.p(
            f"{year}年，{C}因依申请公开引起的行政复议{r_total}件，行政诉讼{sum(l_parts)}件，"
            f"行政复议和行政诉讼累计同比下降{rng.randint(1, 90)}.{rng.randint(0, 9)}%。"
        )
        f["review.total"] = r_total
        f["litigation.total"] = sum(l_parts)

    # 五、收费
    heading("政府信息公开的收费及减免情况")
    fv = rng.random()
    if fv < 0.8:
        doc.p(
            rng.choice(
                (
                    f"{year}年，{S}依申请公开政府信息没有向申请人收取任何费用。",
                    "在受理依申请公开信息的过程中，涉及检索、复制、邮寄等费用，均由受理部门承担，未向申请人收取任何费用。",
                    f"本着便民利民的原则，{C}在办理依申请公开事项中均未收取任何费用。",
                )
            )
        )
        f["fees.collected_yuan"] = 0
    elif fv < 0.88:
        fee = rng.randint(2, 80) * 10
        doc.p(
            rng.choice(  # real wordings: the fee is named with or without the request it was charged for
                (
                    f"{year}年，{S}依申请提供政府信息共收取检索、复制、邮寄等成本费用{fee}元，无减免情况。",
                    f"本年度共收取检索、复制、邮寄等成本费用{fee}元。",
                    f"{year}年收取检索、复制费用{fee}元，无减免情况。",
                    f"{year}年，{C}收取检索、复制、邮寄等成本费用，共计{fee}元。",
                    f"全年共收费{fee}元，无减免情况。",
                )
            )
        )
        f["fees.collected_yuan"] = fee
    else:
        doc.p("政府信息公开的收费及减免情况暂无。")
    if rng.random() < 0.3:
        a = rng.randint(20, 400) / 10
        doc.p(f"政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）{a:g}万元。")

    # 六、问题与改进
    heading(rng.choice(("存在的主要问题及改进措施", "政府信息公开工作存在的主要问题及改进措施")))
    doc.fill(rng, "problems", int(budget * weights["problems"]))
    doc.fill(rng, "improve", int(budget * weights["improve"]))
    if rng.random() < 0.4:
        heading("其他需要报告的事项")
        doc.p("本年度无其他需要报告的事项。")


def _std_body(rng: random.Random, doc: _Doc, o: dict, era: str, year: int, budget: int) -> bool:
    """Sections 一 to 六 of a 2019/2021 report; returns whether the 法人 columns are printed blank."""
    S = o["self"]
    size = o["size"]
    sp = 0.15 if rng.random() < 0.5 else 0.0  # spaces inside wrapped header cells
    legal_share = (
        0.0 if rng.random() < {"department": 0.55, "county": 0.4}.get(size, 0.12) else rng.uniform(0.02, 0.25)
    )
    values = _table3_values(rng, era, size, legal_share)
    t4 = _table4_values(rng, size)
    all_legal_zero = all(sum(vals[1:6]) == 0 for vals in values.values())
    blank_legal = all_legal_zero and rng.random() < 0.5
    printed: dict[str, list[int | None]] = {}
    for key, vals in values.items():
        row: list[int | None] = list(vals)
        if blank_legal:
            for c in range(1, 6):
                row[c] = None
            if row[0] == 0:
                row[0] = None
        printed[key] = row
    t4_printed = list(t4)
    broken: list[str] = []
    if rng.random() < P_INCONSISTENT:
        # a blank-legal (sparse) row whose total disagrees with its one value would be ambiguous
        kind = "t4" if blank_legal else rng.choice(("handled", "new", "t4"))
        if kind == "t4":
            b = rng.randrange(3)
            x = t4_printed[5 * b + 4]
            t4_printed[5 * b + 4] = x + 1 if x == 0 or rng.random() < 0.5 else x - 1
        else:
            x = printed[kind][6] or 0
            printed[kind][6] = x + 1 if x == 0 or rng.random() < 0.5 else x - 1
        broken = _table3_check(printed, era) + _table4_check(t4_printed)

    f = doc.facts

    def tot(key: str) -> int:
        return printed[key][6] or 0

    rows_def, _ = _t3_layout(era)
    gsum = {g: 0 for g in ("denied", "unable", "not_processed", "other")}
    for key, _, group in rows_def:
        if group in gsum:
            gsum[group] += tot(key)

    # 一、总体情况
    doc.h(_STD_SECTIONS[0])
    doc.fill(rng, "overview", int(budget * 0.12))
    sub_budget = budget * 0.55 / len(_STD_SUBS)
    for title, topic in _STD_SUBS:
        doc.h(title + rng.choice(("", "方面")) if topic != "apply" else title + "方面")
        if topic == "proactive" and rng.random() < 0.5:
            total = _lognormal_int(rng, _PROACTIVE_MU[size], 0.7) + 3
            doc.p(
                rng.choice(
                    (
                        f"{year}年，{S}通过政府门户网站主动公开政府信息{total}条，",
                        f"全年主动公开政府信息{total}条，",
                        f"本年度，{S}累计主动公开政府信息{total}条，",
                    )
                )
                + "做到应公开尽公开。"
            )
            f["proactive.total"] = total
        if topic == "apply" and rng.random() < 0.4:
            doc.p(
                f"本年度，{S}新收政府信息公开申请{tot('new')}件，上年结转政府信息公开申请{tot('carried')}件。"
                f"其中，予以公开{tot('granted')}件，部分公开{tot('partial')}件，不予公开{gsum['denied']}件，"
                f"无法提供{gsum['unable']}件，不予处理{gsum['not_processed']}件，其他处理{gsum['other']}件，"
                f"结转下年度继续办理{tot('forward')}件。"
            )
        doc.fill(rng, topic, int(sub_budget))

    # 二、表二
    doc.h(_STD_SECTIONS[1])
    t2, norm = _table2(rng, era, size, sp, doc.want_html)
    for t in t2:
        doc.blocks.append(("table", t))
    f["proactive.normative_docs"] = norm

    # 三、表三
    doc.h(_STD_SECTIONS[2])
    doc.blocks.append(("table", _table3(rng, era, printed, sp, doc.want_html)))
    f["apply.new"] = tot("new")
    f["apply.carried_over"] = tot("carried")
    f["apply.total_handled"] = tot("handled")
    f["apply.carried_forward"] = tot("forward")
    if printed["new"][0] is not None:
        f["apply.applicant.natural_person"] = printed["new"][0]
    if not blank_legal:
        f["apply.applicant.legal_person"] = sum(printed["new"][1:6])  # type: ignore[arg-type]
    f["apply.outcome.granted"] = tot("granted")
    f["apply.outcome.partial"] = tot("partial")
    for g, v in gsum.items():
        f[f"apply.outcome.{g}"] = v

    # 四、表四
    doc.h(_STD_SECTIONS[3])
    doc.blocks.append(("table", _table4(rng, t4_printed, sp, doc.want_html)))
    for i, k in enumerate(("upheld", "corrected", "other", "pending", "total")):
        f[f"review.{k}"] = t4_printed[i]
        f[f"litigation.{k}"] = t4_printed[5 + i] + t4_printed[10 + i]

    # 五、问题和改进
    doc.h(_STD_SECTIONS[4])
    doc.fill(rng, "problems", int(budget * 0.15))
    doc.fill(rng, "improve", int(budget * 0.18))

    # 六、其他
    doc.h(_STD_SECTIONS[5])
    v = rng.random()
    if era == "std2021" and v < 0.6:
        doc.p(
            rng.choice(
                (
                    "本年度未收取信息处理费。",
                    f"依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），{S}本年度未收取信息处理费。",
                    "本年度发出收费通知的件数和总金额以及实际收取的总金额均为0元。",
                )
            )
        )
        f["fees.collected_yuan"] = 0
    elif era == "std2021" and v < 0.66:
        fee = rng.randint(1, 40) * 100
        doc.p(
            rng.choice(
                (
                    f"依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），{S}本年度共收取信息处理费{fee}元。",
                    f"{S}本年度收取信息处理费共计{fee}元。",
                )
            )
        )
        f["fees.collected_yuan"] = fee
    elif era == "std2019" and v < 0.3:
        doc.p(f"{S}依申请提供政府信息，未收取任何费用。本年度没有其他需要报告的事项。")
        f["fees.collected_yuan"] = 0
    else:
        doc.p(rng.choice(("本年度没有其他需要报告的事项。", "无。", f"{S}无其他需要报告的事项。")))
    doc.inconsistent.extend(broken)
    return blank_legal


def _website(rng: random.Random) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return "www." + "".join(rng.choice(letters) for _ in range(rng.randint(2, 6))) + ".gov.cn"


def _intro(rng: random.Random, o: dict, era: str, year: int, period_end_md: str) -> str:
    organ, office = o["organ"], o["office"]
    site = _website(rng)
    period = (
        rng.choice(
            (
                f"本年度报告中所列数据的统计期限自{year}年1月1日起至{year}年{period_end_md}止。",
                f"本报告中所列数据统计期限为{year}年1月1日至{period_end_md}。",
                f"本年度报告所列数据的统计期限为{year}年1月1日至{year}年{period_end_md}。",
            )
        )
        if rng.random() < 0.88 or period_end_md != "12月31日"
        else ""
    )
    contact = (
        f"如对本报告有任何疑问，请与{office}联系（地址：{o['address']}{rng.choice(('人民路', '中山路', '建设路', '解放路', '迎宾路', '政府路'))}"
        f"{rng.randint(1, 300)}号；邮编：{rng.randint(100000, 869999)}；电话：0{rng.randint(310, 999)}-{rng.randint(2000000, 8999999)}）。"
    )
    if era == "narrative":
        return (
            f"本年度报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，由{office}编制。"
            "全文包括概述、主动公开政府信息情况、依申请公开政府信息情况、因政府信息公开申请行政复议和提起行政诉讼情况、"
            f"政府信息公开的收费及减免情况、存在的主要问题及改进措施等。{period}"
            f"本年度报告电子版可在{organ}门户网站（{site}）查阅或下载。{contact}"
        )
    notice = (
        "《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的通知》（国办公开办函〔2019〕60号）"
        if era == "std2019"
        else "《中华人民共和国政府信息公开工作年度报告格式》（国办公开办函〔2021〕30号）"
    )
    return (
        f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定和{notice}要求，"
        + (
            f"{office}编制本报告。"
            if office == organ
            else f"{office}编制了{organ}{year}年政府信息公开工作年度报告。"
        )
        + "本报告包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议、行政诉讼情况、"
        f"存在的主要问题及改进情况、其他需要报告的事项等六个部分。{period}"
        f"本年度报告电子版可从{organ}门户网站（http://{site}/）下载。{contact}"
    )


def _render_text(doc: _Doc, layout: str, sparse: bool, conv: dict[int, str] | None) -> str:
    """Plain text; every block but the (already converted) filler goes through `conv`."""
    out = []
    for kind, val in doc.blocks:
        if kind == "f":
            out.append(val)  # type: ignore[arg-type]
        elif kind == "table":
            out.append(_render_rows(val.rows, layout, sparse, conv, doc.script))  # type: ignore[union-attr]
        else:
            out.append(val.translate(conv) if conv is not None else val)  # type: ignore[union-attr]
    return "\n".join(out)


def _render_html(doc: _Doc, charset: str, title: str, office: str, conv: dict[int, str] | None) -> str:
    body = []
    for kind, val in doc.blocks:
        if kind == "f":
            body.append(f'<p style="text-indent:2em">{val}</p>')
            continue
        if kind == "table":
            html = val.html  # type: ignore[union-attr]
        elif kind == "title":
            html = f'<h1 class="title">{val}</h1>'
        elif kind == "h":
            html = f'<p style="text-indent:2em"><strong>{val}</strong></p>'
        elif kind == "meta":
            cells = "".join(
                "<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>"
                for row in val  # type: ignore[union-attr]
            )
            html = f'<table class="xxgk-meta">{cells}</table>'
        elif kind == "chrome_top":
            html = f'<div class="fontsize">{val}</div>'
        elif kind == "chrome_bottom":
            html = f'<div class="qrcode">{val}</div>'
        else:
            html = f'<p style="text-indent:2em">{val}</p>'
        body.append(html.translate(conv) if conv is not None else html)
    nav = "首页 &gt; 政务公开 &gt; 政府信息公开年报"
    footer = f"主办单位：{office}"
    if conv is not None:
        title, nav, footer = title.translate(conv), nav.translate(conv), footer.translate(conv)
    meta = (
        f'<meta charset="{charset}">'
        if charset.startswith("utf")
        else f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    )
    return (
        f"<!DOCTYPE html>\n<html>\n<head>\n{meta}\n<title>{title}</title>\n"
        '<script type="text/javascript">var _hmt = _hmt || []; function setFont(s){document.body.style.fontSize=s;}</script>\n'
        "<style>td{border:1px solid #000;text-align:center}</style>\n</head>\n<body>\n"
        f'<div class="nav">{nav}</div>\n<div class="article">\n'
        + "\n".join(body)
        + f'\n</div>\n<div class="footer">{footer}</div>\n</body>\n</html>\n'
    )


_SPAM_LINES = ("澳门新葡京娱乐城-官方网站", "威廉希尔体育官网首页", "太阳城娱乐官方网站")


def _one(seed: int, i: int) -> tuple[str, bytes, dict]:
    rng = random.Random(seed * 1_000_003 + i)
    era = _choice_w(rng, ERA_WEIGHTS)
    if era == "narrative":
        year = rng.randint(2008, 2018)
    else:
        year = rng.randint(2019, 2020) if era == "std2019" else rng.randint(2021, 2025)
    o = _pick_organ(rng, era, year)
    traditional = rng.random() < P_TRADITIONAL
    big5 = traditional and rng.random() < P_BIG5 / 0.9 and _big5_safe(o)
    pinyin = traditional and not big5 and rng.random() < P_PINYIN
    if pinyin:
        script = f"pinyin{int(rng.random() * 4)}"
    elif traditional:
        script = "traditional" if big5 or rng.random() < 0.5 else "leftover"
    else:
        script = "simplified"
    conv = _conv_table(script)
    is_html = rng.random() < (P_HTML_NARRATIVE if era == "narrative" else P_HTML_STD)
    layout = "html" if is_html else ("prose" if era == "narrative" else _choice_w(rng, TEXT_LAYOUTS))
    e = rng.random()
    if big5:
        encoding = "big5"
    elif e < P_UTF16:
        encoding = "utf-16" if rng.random() < 0.75 else "utf-16-be"  # always with a byte-order mark
    elif e < P_UTF16 + P_GB18030:
        encoding = "gb18030"
    elif e < P_UTF16 + P_GB18030 + P_UTF8_BOM:
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8"
    partial_year = era == "narrative" and rng.random() < 0.03
    period_end_md = "11月30日" if partial_year else "12月31日"
    target = rng.triangular(SIZE_MIN, SIZE_MAX, SIZE_MODE)
    budget = max(int((target - (7000 if era != "narrative" else 2500)) / 3), 600)

    subst = tuple(
        (key, value.translate(conv) if conv is not None else value)
        for key, value in (
            ("{S}", o["self"]),
            ("{C}", o["scope"]),
            ("{Y1}", str(year + 1)),
            ("{Y}", str(year)),
        )
    )
    doc = _Doc(script, is_html, subst)
    # page furniture and metadata header
    if rng.random() < 0.02:
        doc.blocks.append(("p", rng.choice(_SPAM_LINES)))
    if rng.random() < 0.3:
        chrome = "字号: 大 中 小" if rng.random() < 0.6 else "【字号：大 中 小】【打印本页】【关闭窗口】"
        doc.blocks.append(("chrome_top", chrome))
    pub_date = None
    if rng.random() < P_META_HEADER:
        m = rng.randint(1, 3)
        d = rng.randint(1, 28)
        pub_date = f"{year + 1}-{m:02d}-{d:02d}"
        shown = pub_date if rng.random() < 0.8 else f"{year + 1}年{m:02d}月{d:02d}日"
        index_no = f"{rng.randint(0, 99999999):08d}{rng.randint(0, 9)}-{year + 1}-{rng.randint(1, 9999):05d}"
        if rng.random() < 0.7:
            meta_rows: tuple[tuple[str, ...], ...] = (
                ("索引号:", index_no, "发布机构:", o["office"]),
                ("发布日期:", shown, "废止日期:", ""),
                ("文 号:", "", "主题分类:", "政务公开"),
            )
        else:
            meta_rows = (("索引号", index_no, "发布机构", o["office"], "发布日期", shown),)
        if is_html:
            doc.blocks.append(("meta", meta_rows))
        else:
            for row in meta_rows:
                doc.blocks.append(("p", "".join(c + " | " if c else "|" for c in row).rstrip()))
    title = rng.choice(
        (
            f"{o['organ']}{year}年政府信息公开工作年度报告",
            f"{year}年{o['organ']}政府信息公开工作年度报告",
            f"{o['organ']}{year}年度政府信息公开工作年度报告",
        )
    )
    if rng.random() < 0.05:
        title = title.replace("年度报告", "年 度 报 告")
    doc.blocks.append(("title", title))
    doc.blocks.append(("p", _intro(rng, o, era, year, period_end_md)))
    if era == "narrative":
        _narrative_body(rng, doc, o, year, partial_year, budget)
        blank_legal = False
    else:
        blank_legal = _std_body(rng, doc, o, era, year, budget)
    # signature
    if rng.random() < 0.7:
        sig_date = pub_date or f"{year + 1}-{rng.randint(1, 3):02d}-{rng.randint(1, 28):02d}"
        y, m_, d_ = sig_date.split("-")
        doc.blocks.append(("p", o["office"]))
        doc.blocks.append(("p", f"{y}年{int(m_)}月{int(d_)}日"))
    if rng.random() < 0.3:
        doc.blocks.append(("chrome_bottom", "扫一扫在手机打开当前页"))

    # mojibake runs, inside filler paragraphs only (never near a gold number)
    n_moji = 0
    if rng.random() < P_MOJIBAKE and not big5:
        fill_idx = [k for k, (kind, _) in enumerate(doc.blocks) if kind == "f"]
        for k in rng.sample(fill_idx, min(len(fill_idx), rng.randint(1, 3))):
            text = doc.blocks[k][1]
            assert isinstance(text, str)
            a = rng.randrange(5, max(6, len(text) - 12))
            b = a + rng.randint(3, 7)
            window = text[a - 4 : b + 16]  # what a reader may take for part of the garbled run
            if "{" in window or any(c.isdigit() for c in window):
                continue
            doc.blocks[k] = ("f", text[:a] + _mojibake(text[a:b]) + text[b:])
            n_moji += 1

    sparse = blank_legal and (layout in ("cells", "cells_bar") or rng.random() < 0.6)
    if layout == "html":
        charset = {"gb18030": rng.choice(("gbk", "gb2312", "GBK")), "big5": "big5", "utf-8-sig": "utf-8"}
        text = _render_html(doc, charset.get(encoding, encoding), title, o["office"], conv)
    else:
        text = _render_text(doc, layout if layout != "prose" else "pipe", sparse, conv)
    if rng.random() < P_ASCII_PUNCT:
        for full, half in _ASCII_PUNCT:
            text = text.replace(full, half)
    if not is_html and rng.random() < P_CRLF:
        text = text.replace("\n", "\r\n")
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:  # a Big5 document with a character Big5 lacks
        encoding = "utf-8"
        data = text.replace("charset=big5", "charset=utf-8").encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    name = f"{i:07d}_{rng.getrandbits(64):016x}" + (".html" if is_html else ".txt")

    gold: dict = {
        "file": name,
        "organ": o["organ"],
        "province": o["province"],
        "city": o["city"],
        "county": o["county"],
        "admin_level": o["admin_level"],
        "report_year": year,
        "period_start": f"{year}-01-01",
        "period_end": f"{year}-11-30" if partial_year else f"{year}-12-31",
    }
    if pub_date:
        gold["published_on"] = pub_date
    gold.update(
        {
            "era": era,
            "script": "traditional" if traditional else "simplified",
            "facts": doc.facts,
            "approx": doc.approx,
            "ambiguous": [],
            "inconsistent": doc.inconsistent,
            "synth": {
                "encoding": encoding,
                "layout": layout,
                "sparse": sparse,
                "blank_legal": blank_legal,
                "pinyin": pinyin,
                "mojibake_runs": n_moji,
                "bytes": len(data),
            },
        }
    )
    return name, data, gold


def generate(n: int, seed: int = 0, start: int = 0) -> Iterator[tuple[str, bytes, dict]]:
    """Yield (file name, document bytes, gold dict) for documents start .. start+n-1 of `seed`."""
    for i in range(start, start + n):
        yield _one(seed, i)


# ------------------------------------------------------------------------------------------------
# Gold-level identities (used by the tests; the generator builds documents that satisfy them)
# ------------------------------------------------------------------------------------------------


def gold_violations(gold: dict) -> list[str]:
    """Identities the gold facts break: a clean document gives []."""
    f = gold["facts"]
    bad = []

    def has(*keys):
        return all(k in f for k in keys)

    if gold["era"] != "narrative":
        if has("apply.new", "apply.carried_over", "apply.total_handled", "apply.carried_forward") and (
            f["apply.new"] + f["apply.carried_over"] != f["apply.total_handled"] + f["apply.carried_forward"]
        ):
            bad.append("new+carried_over=total_handled+carried_forward")
        outs = [
            f"apply.outcome.{k}" for k in ("granted", "partial", "denied", "unable", "not_processed", "other")
        ]
        if has("apply.total_handled", *outs) and f["apply.total_handled"] != sum(f[k] for k in outs):
            bad.append("total_handled=sum(outcomes)")
        if has("apply.applicant.natural_person", "apply.applicant.legal_person", "apply.new") and (
            f["apply.applicant.natural_person"] + f["apply.applicant.legal_person"] != f["apply.new"]
        ):
            bad.append("natural+legal=new")
    else:
        chans = [k for k in f if k.startswith("apply.channel.")]
        if chans and "apply.new" in f and sum(f[k] for k in chans) != f["apply.new"]:
            bad.append("new=sum(channels)")
        outs = [k for k in f if k.startswith("apply.outcome.")]
        if outs and "apply.new" in f and sum(f[k] for k in outs) != f["apply.new"]:
            bad.append("new=sum(outcomes)")
        if "apply.total_handled" in f and f["apply.total_handled"] != f.get("apply.new"):
            bad.append("total_handled=new")
    for proc in ("review", "litigation"):
        parts = [f"{proc}.{k}" for k in ("upheld", "corrected", "other", "pending") if f"{proc}.{k}" in f]
        if parts and f"{proc}.total" in f and f[f"{proc}.total"] != sum(f[k] for k in parts):
            bad.append(f"{proc}.total=sum(results)")
    return bad


# ------------------------------------------------------------------------------------------------
# CLI
# ------------------------------------------------------------------------------------------------


def gold_json(gold: dict) -> str:
    """The gold as JSON, one top-level key (and one fact) per line: readable and quick to write."""
    dump = json.dumps
    lines = []
    for key, value in gold.items():
        if key == "facts":
            facts = ",\n".join(f'  "{m}": {v}' for m, v in value.items())
            lines.append(f' "facts": {{\n{facts}\n }}' if value else ' "facts": {}')
        else:
            lines.append(f' "{key}": {dump(value, ensure_ascii=False)}')
    return "{\n" + ",\n".join(lines) + "\n}\n"


def _write_all(jobs: queue.Queue, errors: list[BaseException]) -> None:
    """Writer thread: file writes release the GIL, so disk time overlaps with generation."""
    while True:
        job = jobs.get()
        if job is None:
            return
        if errors:
            continue
        try:
            for path, payload in job:
                with open(path, "wb") as f:
                    f.write(payload)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write N synthetic reports with gold: DIR/raw and DIR/gold.")
    parser.add_argument("--n", type=int, required=True, help="number of documents")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    raw_dir = args.out / "raw"
    gold_dir = args.out / "gold"
    raw_dir.mkdir(parents=True, exist_ok=True)
    gold_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    total_bytes = 0
    jobs: queue.Queue = queue.Queue(maxsize=256)
    errors: list[BaseException] = []
    writer = threading.Thread(target=_write_all, args=(jobs, errors), daemon=True)
    writer.start()
    try:
        for k, (name, data, gold) in enumerate(generate(args.n, args.seed), 1):
            stem = name.rsplit(".", 1)[0]
            jobs.put(((raw_dir / name, data), (gold_dir / f"{stem}.json", gold_json(gold).encode("utf-8"))))
            total_bytes += len(data)
            if errors:
                break
            if k % 1000 == 0:
                rate = k / (time.perf_counter() - started)
                print(
                    f"synth: {k}/{args.n} documents, {total_bytes / 1e6:.1f} MB, {rate:.0f} docs/s",
                    file=sys.stderr,
                )
    finally:
        jobs.put(None)
        writer.join()
    if errors:
        print(f"synth: cannot write to {args.out}: {errors[0]}", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - started
    print(
        f"synth: wrote {args.n} documents ({total_bytes / 1e6:.1f} MB, "
        f"{total_bytes / max(args.n, 1) / 1000:.1f} KB/doc) to {args.out} in {elapsed:.1f}s "
        f"({args.n / max(elapsed, 1e-9):.0f} docs/s)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

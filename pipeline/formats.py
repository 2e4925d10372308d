"""The official statistics formats of the annual report, declared once (domain guide §2).

Every reader, check, generator and the metric dictionary takes the labels, the row order, the
columns and the sums from here; no other module writes an official label again.

- 表二 (第二十条 items) of the 2019 trial format and of the 2021 revision;
- 表三 (requests received and handled): 25 (2019) or 27 (2021) rows × 7 applicant columns;
- 表四 (review and litigation): three blocks × five results;
- the pre-2019 statistics table (统计表) many narrative reports append, with a 本年度 and often a
  历年累计 column.

A `Row` is one printed row: its metric code, its printed ordinal (`一、`, `（一）`, `1.`), its full
official label, the `core` that identifies it (the rest of the label is optional when reading, since
scrapes cut long labels), and known variants. Group rows (（三）不予公开 …) print no values in the
standard tables: their totals are the sums of their sub-rows.
"""

from __future__ import annotations

from dataclasses import dataclass

STD_ERAS = ("std2019", "std2021")


@dataclass(frozen=True, slots=True)
class Row:
    code: str  # metric code (a data row), group code (a group label row) or heading key
    label: str  # the full official label, without its ordinal
    number: str = ""  # the printed ordinal: 一、 / （一） / 1.
    core: str = ""  # the shortest text that identifies the row (default: the whole label)
    kind: str = "data"  # data / group (a label whose total is the sum of its sub-rows) / heading
    group: str | None = None  # the group whose sum this row is part of
    eras: tuple[str, ...] = STD_ERAS
    variants: tuple[str, ...] = ()  # other spellings real reports print

    @property
    def key(self) -> str:
        """The last part of the code (`apply.outcome.unable.not_held` -> `not_held`)."""
        return self.code.rsplit(".", 1)[-1]

    @property
    def printed(self) -> str:
        return self.number + self.label

    @property
    def identifying(self) -> str:
        return self.core or self.label


def _subrows(group: str, labels: dict[str, str], eras: tuple[str, ...] = STD_ERAS) -> list[Row]:
    return [
        Row(f"{group}.{key}", label, f"{i}.", group=group, eras=eras)
        for i, (key, label) in enumerate(labels.items(), start=1)
    ]


#: Parts of the 总体情况 section the standard formats ask for (2019 and 2021): an excerpt cut before
#: the tables is told from a pre-2019 report by them.
STD_OVERVIEW_PARTS = ("政府信息管理", "平台建设", "监督保障")


# --- 表三 ---------------------------------------------------------------------------------------------

#: The section that holds 表三 (三、收到和处理政府信息公开申请情况).
TABLE3_TITLE = "收到和处理政府信息公开申请情况"
#: The corner cell of 表三, which states the table's own identity I1.
TABLE3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
TABLE3_HEADER = "申请人情况"
#: Applicant columns in printed order: (key, label); the five between are 法人或其他组织.
TABLE3_COLUMNS: tuple[tuple[str, str], ...] = (
    ("natural_person", "自然人"),
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("public_interest", "社会公益组织"),
    ("legal_service", "法律服务机构"),
    ("other", "其他"),
    ("total", "总计"),
)
TABLE3_LEGAL_GROUP = "法人或其他组织"
TABLE3_LEGAL_SUBTOTAL = "小计"  # an 8th column some reports print after the five 法人 columns

DENIED_REASONS = {
    "state_secret": "属于国家秘密",
    "law_forbidden": "其他法律行政法规禁止公开",
    "three_safety": "危及“三安全一稳定”",
    "third_party": "保护第三方合法权益",
    "internal_affairs": "属于三类内部事务信息",
    "process_info": "属于四类过程性信息",
    "enforcement_file": "属于行政执法案卷",
    "admin_query": "属于行政查询事项",
}
UNABLE_REASONS = {
    "not_held": "本机关不掌握相关政府信息",
    "needs_creation": "没有现成信息需要另行制作",
    "unclear": "补正后申请内容仍不明确",
}
NOT_PROCESSED_REASONS = {
    "complaint": "信访举报投诉类申请",
    "repeat": "重复申请",
    "publication": "要求提供公开出版物",
    "massive": "无正当理由大量反复申请",
    "confirm": "要求行政机关确认或重新出具已获取信息",
}
#: 2021 only: （六）其他处理 split into three sub-rows; the first two end in a tail scrapes often cut.
NO_LONGER_PROCESSED = "、行政机关不再处理其政府信息公开申请"
OTHER_REASONS = {
    "overdue_amend": "申请人无正当理由逾期不补正",
    "overdue_fee": "申请人逾期未按收费通知要求缴纳费用",
    "other": "其他",
}

TABLE3_ROWS: tuple[Row, ...] = (
    Row("apply.new", "本年新收政府信息公开申请数量", "一、"),
    Row("apply.carried_over", "上年结转政府信息公开申请数量", "二、"),
    Row("apply.results", "本年度办理结果", "三、", kind="heading"),
    Row("apply.outcome.granted", "予以公开", "（一）"),
    Row(
        "apply.outcome.partial",
        "部分公开（区分处理的，只计这一情形，不计其他情形）",
        "（二）",
        core="部分公开",
    ),
    Row("apply.outcome.denied", "不予公开", "（三）", kind="group"),
    *_subrows("apply.outcome.denied", DENIED_REASONS),
    Row("apply.outcome.unable", "无法提供", "（四）", kind="group"),
    *_subrows("apply.outcome.unable", UNABLE_REASONS),
    Row("apply.outcome.not_processed", "不予处理", "（五）", kind="group"),
    *_subrows("apply.outcome.not_processed", NOT_PROCESSED_REASONS),
    Row("apply.outcome.other", "其他处理", "（六）", eras=("std2019",)),
    Row("apply.outcome.other", "其他处理", "（六）", kind="group", eras=("std2021",)),
    *(
        Row(
            f"apply.outcome.other.{key}",
            label + (NO_LONGER_PROCESSED if key != "other" else ""),
            f"{i}.",
            core=label,
            group="apply.outcome.other",
            eras=("std2021",),
        )
        for i, (key, label) in enumerate(OTHER_REASONS.items(), start=1)
    ),
    Row("apply.total_handled", "总计", "（七）"),
    Row("apply.carried_forward", "结转下年度继续办理", "四、"),
)


def table3_rows(era: str) -> tuple[Row, ...]:
    """The printed rows of 表三 in one era (`std2019` / `std2021`), top to bottom."""
    return tuple(r for r in TABLE3_ROWS if era in r.eras)


def table3_data_rows(era: str) -> tuple[str, ...]:
    """Codes of the rows that carry values, top to bottom (group and heading labels excluded)."""
    return tuple(r.code for r in table3_rows(era) if r.kind == "data")


def table3_groups(era: str) -> dict[str, tuple[str, ...]]:
    """Group code -> its sub-row codes (a group's total is their sum)."""
    groups: dict[str, list[str]] = {}
    for row in table3_rows(era):
        if row.group:
            groups.setdefault(row.group, []).append(row.code)
    return {g: tuple(rows) for g, rows in groups.items()}


#: The outcome categories whose sum is （七）总计 (I2), and the intake balance (I1):
#: 本年新收 + 上年结转 = 总计 + 结转下年度继续办理, per column.
TABLE3_OUTCOMES = (
    "apply.outcome.granted",
    "apply.outcome.partial",
    "apply.outcome.denied",
    "apply.outcome.unable",
    "apply.outcome.not_processed",
    "apply.outcome.other",
)
TABLE3_BALANCE = (("apply.new", "apply.carried_over"), ("apply.total_handled", "apply.carried_forward"))


# --- 表四 ---------------------------------------------------------------------------------------------

TABLE4_BLOCKS: tuple[tuple[str, str], ...] = (
    ("review", "行政复议"),
    ("litigation.direct", "未经复议直接起诉"),
    ("litigation.after_review", "复议后起诉"),
)
TABLE4_LITIGATION = "行政诉讼"  # the header over the two litigation blocks; litigation.* = their sum
TABLE4_RESULTS: tuple[tuple[str, str], ...] = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)


# --- 表二 (第二十条) -------------------------------------------------------------------------------------

TABLE2_MARKER = "第二十条第（{n}）项"
TABLE2_INFO = "信息内容"
#: item -> (label, 第二十条 item number, eras that print it, variants real reports print)
TABLE2_ITEMS: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {
    "rules": ("规章", "一", STD_ERAS, ()),
    # 2021: 行政规范性文件; Taiwan-vocabulary conversions print 文件 as 档案 (規範性檔案)
    "normative_docs": ("规范性文件", "一", STD_ERAS, ("行政规范性文件", "规范性档案")),
    "licensing": ("行政许可", "五", STD_ERAS, ()),
    "other_services": ("其他对外管理服务事项", "五", ("std2019",), ()),
    "punishment": ("行政处罚", "六", STD_ERAS, ()),
    "coercion": ("行政强制", "六", STD_ERAS, ()),
    "admin_fees": ("行政事业性收费", "八", STD_ERAS, ()),
    "procurement": ("政府集中采购", "九", ("std2019",), ()),
}
TABLE2_NORMATIVE_2021 = TABLE2_ITEMS["normative_docs"][3][0]
#: Column headers: (measure, era, label). `amount` headers may carry a unit: （单位：万元）.
TABLE2_HEADERS: tuple[tuple[str, str, str], ...] = (
    ("made", "std2019", "本年新制作数量"),
    ("published", "std2019", "本年新公开数量"),
    ("total_public", "std2019", "对外公开总数量"),
    ("prev_items", "std2019", "上一年项目数量"),
    ("change", "std2019", "本年增/减"),
    ("projects", "std2019", "采购项目数量"),
    ("amount", "std2019", "采购总金额"),
    ("made", "std2021", "本年制发件数"),
    ("repealed", "std2021", "本年废止件数"),
    ("in_force", "std2021", "现行有效件数"),
    ("decisions", "std2021", "本年处理决定数量"),
    ("decisions", "std2019", "处理决定数量"),
    ("amount", "std2021", "本年收费金额（单位：万元）"),
)
#: The columns of each item per era, in printed order (used when no header is readable).
TABLE2_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "std2019": {
        "rules": ("made", "published", "total_public"),
        "normative_docs": ("made", "published", "total_public"),
        "licensing": ("prev_items", "change", "decisions"),
        "other_services": ("prev_items", "change", "decisions"),
        "punishment": ("prev_items", "change", "decisions"),
        "coercion": ("prev_items", "change", "decisions"),
        "admin_fees": ("prev_items", "change"),
        "procurement": ("projects", "amount"),
    },
    "std2021": {
        "rules": ("made", "repealed", "in_force"),
        "normative_docs": ("made", "repealed", "in_force"),
        "licensing": ("decisions",),
        "other_services": ("decisions",),
        "punishment": ("decisions",),
        "coercion": ("decisions",),
        "admin_fees": ("amount",),
        "procurement": ("projects", "amount"),
    },
}


# --- the pre-2019 statistics table --------------------------------------------------------------------

#: 指标名称 | 计量单位 | 本年度 | 历年累计 (corpus h31; 莆田 2009 asked for 历年累计 as well).
STATS_HEADER = ("指标名称", "计量单位")
STATS_CUMULATIVE = "历年累计"
#: Rows of the statistics table: a parent row's value is the sum of its children (O1, O3).
STATS_ROWS: tuple[Row, ...] = (
    Row("proactive.total", "主动公开信息数", variants=("主动公开政府信息数",)),
    Row("proactive.channel.website", "网站公开", "1.", group="proactive.total"),
    Row("proactive.channel.gazette", "政府公报公开", "2.", group="proactive.total"),
    Row("apply.new", "受理依申请公开信息总数", variants=("受理政府信息公开申请总数", "受理申请总数")),
    Row("apply.channel.in_person", "当面申请数", "1.", group="apply.new"),
    Row("apply.channel.fax", "传真申请数", "2.", group="apply.new"),
    Row("apply.channel.email", "电子邮件申请数", "3.", group="apply.new"),
    Row("apply.channel.online", "网上申请数", "4.", group="apply.new", variants=("网络申请数",)),
    Row("apply.channel.letter", "信函申请数", "5.", group="apply.new"),
    Row("apply.channel.other", "其它形式申请数", "6.", group="apply.new", variants=("其他形式申请数",)),
    Row("apply.total_handled", "对申请的答复数", variants=("对申请的答复总数", "答复总数")),
    Row("apply.outcome.granted", "同意公开答复数", "1.", group="apply.total_handled"),
    Row("apply.outcome.partial", "同意部分公开答复数", "2.", group="apply.total_handled"),
    Row(
        "apply.outcome.denied",
        "否决公开答复数",
        "3.",
        group="apply.total_handled",
        variants=("不同意公开答复数",),
    ),
    Row("review.total", "行政复议数"),
    Row("litigation.total", "行政诉讼数"),
    Row("appeal.total", "行政申诉数"),
)
#: Units the 计量单位 column prints.
STATS_UNITS = ("条", "件", "个", "项", "次", "元", "万元")

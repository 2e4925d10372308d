"""The metric vocabulary: one row per code, the tree the identity checks walk (source of `dim_metric`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Metric:
    code: str
    label_zh: str
    label_en: str
    unit: str = "count"  # count / yuan
    era: str = "all"  # all / narrative / std (2019 and 2021 tables) / std2019 / std2021
    parent: str | None = None
    parent_is_sum: bool = False  # the parent equals the sum of its children with this flag
    subject: str = "requests"  # which fact table holds it
    required: bool = False  # listed in the outside contract's vocabulary


def _m(
    code, zh, en, *, parent=None, is_sum=False, subject="requests", era="all", unit="count", required=False
):
    return Metric(code, zh, en, unit, era, parent, is_sum, subject, required)


DENIED_REASONS = {
    "state_secret": ("属于国家秘密", "state secret"),
    "law_forbidden": ("其他法律行政法规禁止公开", "forbidden by other laws and regulations"),
    "three_safety": ("危及“三安全一稳定”", "endangers security and stability"),
    "third_party": ("保护第三方合法权益", "protects third-party rights"),
    "internal_affairs": ("属于三类内部事务信息", "internal affairs information"),
    "process_info": ("属于四类过程性信息", "process information"),
    "enforcement_file": ("属于行政执法案卷", "administrative enforcement file"),
    "admin_query": ("属于行政查询事项", "administrative query matter"),
    # narrative-era sub-reasons
    "commercial_secret": ("涉及商业秘密", "commercial secret"),
    "privacy": ("涉及个人隐私", "personal privacy"),
    "not_gov_info": ("不是《条例》所指政府信息", "not government information under the Regulations"),
    "other_legal": ("法律法规规定的其他情形", "other statutory grounds"),
}
UNABLE_REASONS = {
    "not_held": ("本机关不掌握相关政府信息", "not held by this agency"),
    "needs_creation": ("没有现成信息需要另行制作", "would need to be created"),
    "unclear": ("补正后申请内容仍不明确", "still unclear after amendment"),
}
NOT_PROCESSED_REASONS = {
    "complaint": ("信访举报投诉类申请", "petition or complaint"),
    "repeat": ("重复申请", "repeated request"),
    "publication": ("要求提供公开出版物", "asks for a publication"),
    "massive": ("无正当理由大量反复申请", "massive repeated requests"),
    "confirm": ("要求行政机关确认或重新出具已获取信息", "asks to confirm or reissue obtained information"),
}
OTHER_REASONS = {
    "overdue_amend": ("申请人无正当理由逾期不补正", "applicant did not amend in time"),
    "overdue_fee": ("申请人逾期未按收费通知要求缴纳费用", "applicant did not pay the fee in time"),
    "other": ("其他", "other"),
}
APPLICANT_COLUMNS = {
    "natural_person": ("自然人", "natural persons"),
    "commercial": ("商业企业", "commercial enterprises"),
    "research": ("科研机构", "research institutions"),
    "public_interest": ("社会公益组织", "public-interest organisations"),
    "legal_service": ("法律服务机构", "legal service providers"),
    "other": ("其他", "other legal persons"),
    "total": ("总计", "total"),
}
CHANNELS = {
    "in_person": ("当面申请", "in person"),
    "online": ("网络申请", "online"),
    "letter": ("信函申请", "by letter"),
    "fax": ("传真申请", "by fax"),
    "email": ("电子邮件申请", "by e-mail"),
    "phone": ("电话申请", "by phone"),
    "other": ("其他形式申请", "other channels"),
}
PROCEEDING_RESULTS = {
    "upheld": ("结果维持", "upheld"),
    "corrected": ("结果纠正", "corrected"),
    "other": ("其他结果", "other result"),
    "pending": ("尚未审结", "pending"),
    "total": ("总计", "total"),
}
ARTICLE20_ITEMS = {
    "rules": ("规章", "regulations (规章)"),
    "normative_docs": ("规范性文件", "normative documents"),
    "licensing": ("行政许可", "administrative licensing"),
    "other_services": ("其他对外管理服务事项", "other external management services"),
    "punishment": ("行政处罚", "administrative penalties"),
    "coercion": ("行政强制", "administrative coercion"),
    "admin_fees": ("行政事业性收费", "administrative fees"),
    "procurement": ("政府集中采购", "centralized government procurement"),
}
ARTICLE20_MEASURES = {
    "made": ("本年新制作数量 / 本年制发件数", "made this year", "count"),
    "published": ("本年新公开数量", "newly published this year", "count"),
    "total_public": ("对外公开总数量", "total published", "count"),
    "repealed": ("本年废止件数", "repealed this year", "count"),
    "in_force": ("现行有效件数", "in force", "count"),
    "prev_items": ("上一年项目数量", "items last year", "count"),
    "change": ("本年增/减", "change this year", "count"),
    "decisions": ("处理决定数量 / 本年处理决定数量", "decisions", "count"),
    "amount_yuan": ("采购总金额 / 本年收费金额", "amount (yuan)", "yuan"),
    "amount_unknown_unit": ("采购总金额（未注明单位）", "amount, unit not stated", "unknown"),
    "projects": ("采购项目数量", "procurement projects", "count"),
}


def _vocabulary() -> list[Metric]:
    out = [
        _m(
            "proactive.total",
            "主动公开政府信息总条数",
            "proactively disclosed items",
            subject="proactive",
            required=True,
        ),
        _m(
            "proactive.normative_docs",
            "主动公开规范性文件数",
            "normative documents disclosed",
            subject="proactive",
            required=True,
            parent="proactive.total",
        ),
        _m("apply.new", "本年新收政府信息公开申请数量", "new requests received", required=True),
        _m(
            "apply.carried_over",
            "上年结转政府信息公开申请数量",
            "requests carried over from last year",
            required=True,
        ),
        _m(
            "apply.total_handled", "本年度办理结果总计", "requests handled (total of outcomes)", required=True
        ),
        _m(
            "apply.carried_forward",
            "结转下年度继续办理",
            "requests carried forward to next year",
            required=True,
        ),
        _m(
            "apply.applicant.natural_person",
            "自然人申请",
            "requests from natural persons",
            parent="apply.new",
            is_sum=True,
            required=True,
        ),
        _m(
            "apply.applicant.legal_person",
            "法人或其他组织申请",
            "requests from legal persons and organisations",
            parent="apply.new",
            is_sum=True,
            required=True,
        ),
    ]
    for key, (zh, en) in CHANNELS.items():
        out.append(
            _m(
                f"apply.channel.{key}",
                zh,
                f"requests received {en}",
                parent="apply.new",
                is_sum=True,
                era="narrative",
                required=True,
            )
        )
    outcomes = {
        "granted": ("予以公开（同意公开）", "granted in full"),
        "partial": ("部分公开", "granted in part"),
        "denied": ("不予公开", "denied"),
        "unable": ("无法提供", "unable to provide"),
        "not_processed": ("不予处理", "not processed"),
        "other": ("其他处理", "other handling"),
        "already_public": ("属于已主动公开范围", "already proactively public"),
        "not_own_agency": ("不属于本行政机关公开", "not this agency's information"),
        "nonexistent": ("申请信息不存在", "information does not exist"),
        "ask_amend": ("告知作出更改补充", "asked to amend the request"),
        "redirect": ("告知通过其他途径办理", "redirected to other channels"),
    }
    for key, (zh, en) in outcomes.items():
        out.append(
            _m(f"apply.outcome.{key}", zh, en, parent="apply.total_handled", is_sum=True, required=True)
        )
    for group, reasons in (
        ("denied", DENIED_REASONS),
        ("unable", UNABLE_REASONS),
        ("not_processed", NOT_PROCESSED_REASONS),
        ("other", OTHER_REASONS),
    ):
        for key, (zh, en) in reasons.items():
            out.append(
                _m(
                    f"apply.outcome.{group}.{key}",
                    zh,
                    f"{group.replace('_', ' ')}: {en}",
                    parent=f"apply.outcome.{group}",
                    is_sum=True,
                )
            )
    out += [
        _m(
            "apply.handled_on_time",
            "按时办结",
            "handled on time",
            parent="apply.total_handled",
            is_sum=True,
            era="narrative",
        ),
        _m(
            "apply.handled_extended",
            "延期办结",
            "handled after extension",
            parent="apply.total_handled",
            is_sum=True,
            era="narrative",
        ),
    ]
    for proceeding, zh_p, en_p in (
        ("review", "行政复议", "administrative review"),
        ("litigation", "行政诉讼", "administrative litigation"),
        ("litigation.direct", "行政诉讼·未经复议直接起诉", "litigation filed directly"),
        ("litigation.after_review", "行政诉讼·复议后起诉", "litigation filed after review"),
    ):
        for key, (zh, en) in PROCEEDING_RESULTS.items():
            code = f"{proceeding}.{key}"
            parent = None if key == "total" else f"{proceeding}.total"
            out.append(
                _m(
                    code,
                    f"{zh_p}{zh}",
                    f"{en_p}: {en}",
                    parent=parent,
                    is_sum=key != "total",
                    subject="review_litigation",
                    required=proceeding in ("review", "litigation"),
                )
            )
    out += [
        _m(
            "fees.collected_yuan",
            "收取的费用（元）",
            "fees collected (yuan)",
            unit="yuan",
            subject="fees",
            required=True,
        ),
        _m(
            "fees.special_budget_yuan",
            "政府信息公开专项经费（元）",
            "dedicated disclosure budget (yuan)",
            unit="yuan",
            subject="fees",
            era="narrative",
        ),
    ]
    for item, (zh_i, en_i) in ARTICLE20_ITEMS.items():
        for measure, (zh_m, en_m, unit) in ARTICLE20_MEASURES.items():
            out.append(
                _m(
                    f"article20.{item}.{measure}",
                    f"第二十条 {zh_i} {zh_m}",
                    f"Article 20 {en_i}: {en_m}",
                    unit=unit,
                    subject="article20",
                    era="std",
                )
            )
    return out


VOCABULARY: tuple[Metric, ...] = tuple(_vocabulary())
BY_CODE: dict[str, Metric] = {m.code: m for m in VOCABULARY}
REQUIRED_CODES: frozenset[str] = frozenset(m.code for m in VOCABULARY if m.required)


def subject_of(code: str) -> str:
    """The fact table a metric belongs to (unknown codes go by their prefix)."""
    metric = BY_CODE.get(code)
    if metric:
        return metric.subject
    prefix = code.split(".", 1)[0]
    return {
        "proactive": "proactive",
        "review": "review_litigation",
        "litigation": "review_litigation",
        "fees": "fees",
        "article20": "article20",
    }.get(prefix, "requests")

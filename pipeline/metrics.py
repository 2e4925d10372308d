"""The metric vocabulary: one row per code, the tree the identity checks walk (source of `dim_metric`)."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline import formats


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


#: English labels of the official rows; the Chinese labels come from pipeline.formats.
_DENIED_EN = {
    "state_secret": "state secret",
    "law_forbidden": "forbidden by other laws and regulations",
    "three_safety": "endangers security and stability",
    "third_party": "protects third-party rights",
    "internal_affairs": "internal affairs information",
    "process_info": "process information",
    "enforcement_file": "administrative enforcement file",
    "admin_query": "administrative query matter",
}
DENIED_REASONS = {k: (formats.DENIED_REASONS[k], en) for k, en in _DENIED_EN.items()} | {
    # narrative-era sub-reasons (pre-2019 wordings, not table rows)
    "commercial_secret": ("涉及商业秘密", "commercial secret"),
    "privacy": ("涉及个人隐私", "personal privacy"),
    "not_gov_info": ("不是《条例》所指政府信息", "not government information under the Regulations"),
    "other_legal": ("法律法规规定的其他情形", "other statutory grounds"),
}
_UNABLE_EN = {
    "not_held": "not held by this agency",
    "needs_creation": "would need to be created",
    "unclear": "still unclear after amendment",
}
UNABLE_REASONS = {k: (formats.UNABLE_REASONS[k], en) for k, en in _UNABLE_EN.items()}
_NOT_PROCESSED_EN = {
    "complaint": "petition or complaint",
    "repeat": "repeated request",
    "publication": "asks for a publication",
    "massive": "massive repeated requests",
    "confirm": "asks to confirm or reissue obtained information",
}
NOT_PROCESSED_REASONS = {k: (formats.NOT_PROCESSED_REASONS[k], en) for k, en in _NOT_PROCESSED_EN.items()}
_OTHER_EN = {
    "overdue_amend": "applicant did not amend in time",
    "overdue_fee": "applicant did not pay the fee in time",
    "other": "other",
}
OTHER_REASONS = {k: (formats.OTHER_REASONS[k], en) for k, en in _OTHER_EN.items()}
_APPLICANT_EN = {
    "natural_person": "natural persons",
    "commercial": "commercial enterprises",
    "research": "research institutions",
    "public_interest": "public-interest organisations",
    "legal_service": "legal service providers",
    "other": "other legal persons",
    "total": "total",
}
APPLICANT_COLUMNS = {k: (zh, _APPLICANT_EN[k]) for k, zh in formats.TABLE3_COLUMNS}
CHANNELS = {
    "in_person": ("当面申请", "in person"),
    "online": ("网络申请", "online"),
    "letter": ("信函申请", "by letter"),
    "fax": ("传真申请", "by fax"),
    "email": ("电子邮件申请", "by e-mail"),
    "phone": ("电话申请", "by phone"),
    "other": ("其他形式申请", "other channels"),
}
_RESULT_EN = {"upheld": "upheld", "corrected": "corrected", "other": "other result", "pending": "pending"}
PROCEEDING_RESULTS = {k: (zh, _RESULT_EN.get(k, k)) for k, zh in formats.TABLE4_RESULTS}
_ARTICLE20_EN = {
    "rules": "regulations (规章)",
    "normative_docs": "normative documents",
    "licensing": "administrative licensing",
    "other_services": "other external management services",
    "punishment": "administrative penalties",
    "coercion": "administrative coercion",
    "admin_fees": "administrative fees",
    "procurement": "centralized government procurement",
}
ARTICLE20_ITEMS = {k: (label, _ARTICLE20_EN[k]) for k, (label, *_) in formats.TABLE2_ITEMS.items()}


def _header_labels(measure: str) -> str:
    return " / ".join(dict.fromkeys(label for m, _, label in formats.TABLE2_HEADERS if m == measure))


_MEASURES_EN = {
    "made": ("made this year", "count"),
    "published": ("newly published this year", "count"),
    "total_public": ("total published", "count"),
    "repealed": ("repealed this year", "count"),
    "in_force": ("in force", "count"),
    "prev_items": ("items last year", "count"),
    "change": ("change this year", "count"),
    "decisions": ("decisions", "count"),
    "projects": ("procurement projects", "count"),
}
ARTICLE20_MEASURES = {m: (_header_labels(m), en, unit) for m, (en, unit) in _MEASURES_EN.items()} | {
    "amount_yuan": (_header_labels("amount"), "amount (yuan)", "yuan"),
    "amount_unknown_unit": (
        _header_labels("amount").split(" / ")[0] + "（未注明单位）",
        "amount, unit not stated",
        "unknown",
    ),
}


_T3 = {row.code: row.label for row in formats.TABLE3_ROWS}


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
        _m("apply.new", _T3["apply.new"], "new requests received", required=True),
        _m(
            "apply.carried_over",
            _T3["apply.carried_over"],
            "requests carried over from last year",
            required=True,
        ),
        _m(
            "apply.total_handled", "本年度办理结果总计", "requests handled (total of outcomes)", required=True
        ),
        _m(
            "apply.carried_forward",
            _T3["apply.carried_forward"],
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
    stats = {row.code: row.label for row in formats.STATS_ROWS}
    out += [
        _m(
            code,
            stats[code],
            en,
            parent="proactive.total",
            is_sum=True,
            subject="proactive",
            era="narrative",
        )
        for code, en in (
            ("proactive.channel.website", "disclosed on the website"),
            ("proactive.channel.gazette", "disclosed in the government gazette"),
        )
    ]
    out.append(
        _m(
            "appeal.total",
            stats["appeal.total"],
            "administrative appeals (申诉)",
            subject="review_litigation",
        )
    )
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


#: The report sections the extractors read, one fact table and one staged section table each.
SUBJECTS: dict[str, str] = {
    "proactive": "主动公开: proactive disclosure counts (表二 and prose), by channel or level",
    "requests": "依申请公开: requests received, carried over and answered, by applicant type (表三 and prose)",
    "review_litigation": "行政复议 and 行政诉讼: reviews and suits about disclosure, by result (表四 and prose)",
    "fees": "收费: fees charged for disclosure and their waivers",
    "article20": "第二十条: the 2019 standard's items (规章, 规范性文件, 许可, 处罚 …) by measure (表二)",
}


def section_table(subject: str) -> str:
    """The staged table (and Dagster asset) holding what the extractors read for `subject`."""
    return f"section_{subject}"


SECTION_TABLES: tuple[str, ...] = tuple(map(section_table, SUBJECTS))


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

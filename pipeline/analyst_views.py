"""Analyst views over the contract views: headline numbers, one body across years, rankings,
refusal reasons and roll-ups. Created (in this order) by warehouse.ensure_schema; every column
carries a comment. Pure SQL definitions, no Dagster.
"""

from __future__ import annotations

#: headline metric (breakdown 'total') -> v_requests column
HEADLINES = {
    "apply.new": "apply_new",
    "apply.carried_over": "apply_carried_over",
    "apply.total_handled": "apply_total_handled",
    "apply.outcome.granted": "apply_granted",
    "apply.outcome.partial": "apply_partial",
    "apply.outcome.denied": "apply_denied",
    "apply.outcome.unable": "apply_unable",
    "apply.outcome.not_processed": "apply_not_processed",
    "apply.carried_forward": "apply_carried_forward",
    "review.total": "review_total",
    "review.corrected": "review_corrected",
    "litigation.total": "litigation_total",
    "litigation.corrected": "litigation_corrected",
    "fees.collected_yuan": "fees_collected_yuan",
}
_HEADLINE_COMMENTS = {
    "apply_new": "本年新收申请 (requests received)",
    "apply_carried_over": "上年结转 (carried over from last year)",
    "apply_total_handled": "办理结果总计 (requests handled)",
    "apply_granted": "予以公开 (granted in full)",
    "apply_partial": "部分公开 (granted in part)",
    "apply_denied": "不予公开 (denied)",
    "apply_unable": "无法提供 (unable to provide)",
    "apply_not_processed": "不予处理 (not processed)",
    "apply_carried_forward": "结转下年度 (carried forward)",
    "review_total": "行政复议总计 (administrative reviews)",
    "review_corrected": "行政复议结果纠正 (reviews that corrected the agency)",
    "litigation_total": "行政诉讼总计 (lawsuits)",
    "litigation_corrected": "行政诉讼结果纠正 (lawsuits that corrected the agency)",
    "fees_collected_yuan": "收取的费用 (fees collected, yuan)",
}
#: headline columns compared year over year in v_year_over_year
YOY_COLUMNS = ("apply_new", "apply_total_handled", "apply_granted", "apply_partial", "apply_denied",
               "review_total", "litigation_total")  # fmt: skip

_PLACE_COMMENTS = {
    "report_id": "Joins v_reports",
    "source_file": "As in v_reports",
    "organ": "Issuing body as printed (simplified)",
    "organ_key": "The body across years and name variants (v_reports.organ_key)",
    "province": "Province",
    "city": "Prefecture-level city",
    "county": "County-level division",
    "admin_level": "province / city / county / district / department / township / unknown",
    "report_year": "Year the report covers",
    "format_era": "narrative / std2019 / std2021",
}

_REQUESTS_SQL = f"""
WITH heads AS (
    SELECT report_id, {", ".join(f"max(value) FILTER (metric = '{m}') AS {c}" for m, c in HEADLINES.items())},
           count(*) AS headline_facts
    FROM v_facts WHERE breakdown = 'total' GROUP BY report_id
)
SELECT r.report_id, r.source_file, r.organ, r.province, r.city, r.county, r.report_year, r.format_era,
       {", ".join(f"h.{c}" for c in HEADLINES.values())},
       (h.apply_granted + h.apply_partial) / nullif(coalesce(h.apply_total_handled, h.apply_new), 0)
         AS substantive_disclosure_rate,
       h.review_corrected / nullif(h.review_total, 0) AS review_correction_rate,
       r.organ_key, r.admin_level, r.period_start, r.period_end, r.published_on,
       coalesce(h.headline_facts, 0) AS headline_facts
FROM reports r LEFT JOIN heads h USING (report_id)
WHERE r.status = 'parsed'"""

_BODY_YEARS_SQL = """
SELECT * EXCLUDE (pick) FROM (
    SELECT *, count(*) OVER w AS reports_in_year,
           row_number() OVER (w ORDER BY period_end - period_start DESC, headline_facts DESC,
                                         published_on DESC NULLS LAST, report_id) AS pick
    FROM v_requests WHERE organ_key IS NOT NULL AND report_year IS NOT NULL
    WINDOW w AS (PARTITION BY organ_key, report_year)
) WHERE pick = 1"""

#: the fingerprints a copied report shares with its original (pipeline/copies.py), per parsed report
_FINGERPRINTS_SQL = """
    SELECT r.report_id, r.numbers_fingerprint, t.text_fingerprint
    FROM reports r LEFT JOIN report_texts t USING (report_id) WHERE r.status = 'parsed'"""

_YOY_SQL = f"""
WITH fp AS ({_FINGERPRINTS_SQL})
SELECT cur.organ_key, cur.report_year, cur.organ, cur.province, cur.city, cur.county, cur.admin_level,
       cur.report_id, prev.report_id AS previous_report_id,
       {", ".join(f"cur.{c}, prev.{c} AS previous_{c}, cur.{c} - prev.{c} AS {c}_change" for c in YOY_COLUMNS)},
       cur.substantive_disclosure_rate, prev.substantive_disclosure_rate AS previous_substantive_disclosure_rate,
       cur.substantive_disclosure_rate - prev.substantive_disclosure_rate AS substantive_disclosure_rate_change,
       coalesce(f.numbers_fingerprint = pf.numbers_fingerprint, false) AS same_numbers,
       coalesce(f.text_fingerprint = pf.text_fingerprint, false) AS same_text,
       coalesce(f.numbers_fingerprint = pf.numbers_fingerprint OR f.text_fingerprint = pf.text_fingerprint, false)
         AS possibly_copied
FROM v_body_years cur
JOIN v_body_years prev ON prev.organ_key = cur.organ_key AND prev.report_year = cur.report_year - 1
LEFT JOIN fp f ON f.report_id = cur.report_id
LEFT JOIN fp pf ON pf.report_id = prev.report_id"""

_RANKINGS_SQL = """
WITH g AS (
    SELECT report_year, province, admin_level, count(*) AS reports,
           sum(apply_new) AS requests_received,
           sum(apply_granted + apply_partial) AS granted_or_partial,
           sum(coalesce(apply_total_handled, apply_new)) FILTER (apply_granted + apply_partial IS NOT NULL) AS handled,
           sum(review_total) AS review_total, sum(review_corrected) AS review_corrected,
           sum(litigation_total) AS litigation_total, sum(litigation_corrected) AS litigation_corrected
    FROM v_body_years GROUP BY ALL
)
SELECT *, granted_or_partial / nullif(handled, 0) AS substantive_disclosure_rate,
       review_corrected / nullif(review_total, 0) AS review_correction_rate,
       rank() OVER (PARTITION BY report_year, admin_level ORDER BY granted_or_partial / nullif(handled, 0) DESC NULLS LAST)
         AS rate_rank_in_year_and_level
FROM g"""

_REFUSALS_SQL = """
SELECT f.report_id, b.organ_key, b.organ, b.province, b.admin_level, b.report_year,
       split_part(f.metric, '.', 3) AS outcome, f.metric, m.label_zh AS reason_zh, m.label_en AS reason_en,
       f.value, f.value / nullif(coalesce(b.apply_total_handled, b.apply_new), 0) AS share_of_handled
FROM v_facts f
JOIN v_body_years b USING (report_id)
JOIN dim_metric m ON m.code = f.metric
WHERE f.breakdown = 'total' AND m.parent_code IN ('apply.outcome.denied', 'apply.outcome.unable', 'apply.outcome.not_processed')"""

_ROLLUP_SQL = """
WITH gov AS (  -- a place's own government (its report is the place's figure)
    SELECT *, CASE WHEN county IS NOT NULL THEN 'county' WHEN city IS NOT NULL THEN 'city' ELSE 'province' END AS place_level
    FROM v_body_years WHERE split_part(organ_key, '/', 4) = '政府' AND province IS NOT NULL
), pairs AS (
    SELECT p.organ_key AS parent_key, p.organ AS parent_organ, p.place_level AS parent_level, p.report_year,
           p.apply_new AS parent_apply_new, p.review_total AS parent_review_total, c.organ_key AS child_key,
           c.apply_new AS child_apply_new, c.review_total AS child_review_total
    FROM gov p JOIN gov c ON c.report_year = p.report_year AND c.province = p.province
     AND ((p.place_level = 'province' AND c.place_level = 'city')
          OR (p.place_level = 'city' AND c.place_level = 'county' AND c.city = p.city))
)
SELECT parent_key, parent_organ, parent_level, report_year, count(*) AS children_reporting,
       any_value(parent_apply_new) AS parent_apply_new, sum(child_apply_new) AS children_apply_new,
       any_value(parent_review_total) AS parent_review_total, sum(child_review_total) AS children_review_total
FROM pairs GROUP BY ALL"""

_REQUESTS_COMMENTS = {
    **{c: _PLACE_COMMENTS[c] for c in ("report_id", "source_file", "organ", "province", "city", "county")},
    "report_year": _PLACE_COMMENTS["report_year"],
    "format_era": _PLACE_COMMENTS["format_era"],
    **_HEADLINE_COMMENTS,
    "substantive_disclosure_rate": "实质公开率 = (予以公开 + 部分公开) / 办理总数; 办理总数 = apply.total_handled, else apply.new where the report states no total",
    "review_correction_rate": "复议纠错率 = 行政复议结果纠正 / 行政复议总计",
    "organ_key": _PLACE_COMMENTS["organ_key"],
    "admin_level": _PLACE_COMMENTS["admin_level"],
    "period_start": "Statistics period start",
    "period_end": "Statistics period end",
    "published_on": "Publication date when stated",
    "headline_facts": "Number of headline (breakdown 'total') facts the report states",
}

#: view -> (comment, SQL, column comments); created in this order (later views read earlier ones)
ANALYST_VIEWS: dict[str, tuple[str, str, dict[str, str]]] = {
    "v_requests": (
        "One row per parsed report with its headline request, review, litigation and fee numbers (breakdown 'total').",
        _REQUESTS_SQL,
        _REQUESTS_COMMENTS,
    ),
    "v_rates_by_year_province": (
        "Disclosure and correction rates by report year and province, summed over the reports that state every term.",
        """SELECT report_year, province, count(*) AS reports,
                  sum(apply_granted + apply_partial) AS granted_or_partial,
                  sum(coalesce(apply_total_handled, apply_new)) FILTER (apply_granted + apply_partial IS NOT NULL) AS handled,
                  sum(apply_granted + apply_partial) / nullif(sum(coalesce(apply_total_handled, apply_new)) FILTER (apply_granted + apply_partial IS NOT NULL), 0)
                    AS substantive_disclosure_rate,
                  sum(review_corrected) FILTER (review_total IS NOT NULL) AS review_corrected,
                  sum(review_total) FILTER (review_corrected IS NOT NULL) AS review_total,
                  sum(review_corrected) FILTER (review_total IS NOT NULL) / nullif(sum(review_total) FILTER (review_corrected IS NOT NULL), 0)
                    AS review_correction_rate
           FROM v_requests GROUP BY ALL""",
        {
            "report_year": "Year the reports cover",
            "province": "Province (NULL: not resolved)",
            "reports": "Parsed reports in the group",
            "granted_or_partial": "Σ (予以公开 + 部分公开) over reports stating both",
            "handled": "Σ 办理总数 over the same reports",
            "substantive_disclosure_rate": "实质公开率 = granted_or_partial / handled",
            "review_corrected": "Σ 行政复议结果纠正 over reports stating both terms",
            "review_total": "Σ 行政复议总计 over the same reports",
            "review_correction_rate": "复议纠错率 = review_corrected / review_total",
        },
    ),
    "v_body_years": (
        "One row per body (organ_key) and report year: of several parsed reports of one body-year, the one "
        "covering the longest period, then stating the most headline numbers, then published last, then the "
        "smallest report_id.",
        _BODY_YEARS_SQL,
        {
            **_REQUESTS_COMMENTS,
            "reports_in_year": "Parsed reports of this body for this year (1 unless it published several)",
        },
    ),
    "v_year_over_year": (
        "Each body-year next to the same body's previous year (v_body_years): headline numbers, their change, "
        "and flags for a report that repeats last year's numbers or text (a copied report).",
        _YOY_SQL,
        {
            **{
                c: _PLACE_COMMENTS[c]
                for c in ("organ_key", "report_year", "organ", "province", "city", "county", "admin_level")
            },
            "report_id": "This year's report",
            "previous_report_id": "The same body's report of the previous year",
            **{
                name: text
                for c in YOY_COLUMNS
                for name, text in (
                    (c, f"{_HEADLINE_COMMENTS[c]} this year"),
                    (f"previous_{c}", f"{_HEADLINE_COMMENTS[c]} the previous year"),
                    (f"{c}_change", f"{c} - previous_{c}"),
                )
            },
            "substantive_disclosure_rate": "实质公开率 this year",
            "previous_substantive_disclosure_rate": "实质公开率 the previous year",
            "substantive_disclosure_rate_change": "substantive_disclosure_rate - previous_substantive_disclosure_rate",
            "same_numbers": "reports.numbers_fingerprint equals last year's: every fact (metric, breakdown, value) repeats, with at least 5 facts and one non-zero",
            "same_text": "report_texts.text_fingerprint equals last year's: the same text once digits, numerals, 年月日 and whitespace are removed",
            "possibly_copied": "same_numbers or same_text: the report probably repeats last year's",
        },
    ),
    "v_carry_over": (
        "Year over year per body (organ_key): this year's 上年结转 against last year's 结转下年度 (they should match).",
        """SELECT cur.organ_key, cur.organ, cur.report_year, cur.report_id, cur.apply_carried_over AS carried_over,
                  prev.report_id AS previous_report_id, prev.apply_carried_forward AS previous_carried_forward,
                  cur.apply_carried_over = prev.apply_carried_forward AS matches
           FROM v_body_years cur
           JOIN v_body_years prev ON prev.organ_key = cur.organ_key AND prev.report_year = cur.report_year - 1""",
        {
            "organ_key": _PLACE_COMMENTS["organ_key"],
            "organ": "Issuing body as printed in the later report",
            "report_year": "Year of the later report",
            "report_id": "The later report",
            "carried_over": "上年结转 stated in the later report",
            "previous_report_id": "The earlier report of the same body",
            "previous_carried_forward": "结转下年度继续办理 stated in the earlier report",
            "matches": "carried_over = previous_carried_forward (NULL when either is not stated)",
        },
    ),
    "v_rankings": (
        "Rates with the counts behind them per report year, province and admin level (one report per body-year), "
        "ranked within year and level by 实质公开率.",
        _RANKINGS_SQL,
        {
            "report_year": "Year the reports cover",
            "province": "Province (NULL: not resolved)",
            "admin_level": _PLACE_COMMENTS["admin_level"],
            "reports": "Body-years in the group",
            "requests_received": "Σ 本年新收申请",
            "granted_or_partial": "Σ (予以公开 + 部分公开) over reports stating both",
            "handled": "Σ 办理总数 over the same reports",
            "review_total": "Σ 行政复议总计",
            "review_corrected": "Σ 行政复议结果纠正",
            "litigation_total": "Σ 行政诉讼总计",
            "litigation_corrected": "Σ 行政诉讼结果纠正",
            "substantive_disclosure_rate": "实质公开率 = granted_or_partial / handled",
            "review_correction_rate": "复议纠错率 = review_corrected / review_total",
            "rate_rank_in_year_and_level": "1 = highest 实质公开率 among the groups of this year and admin level",
        },
    ),
    "v_refusal_reasons": (
        "Refusal reasons, one row per report (one per body-year) and sub-reason of 不予公开, 无法提供 and 不予处理.",
        _REFUSALS_SQL,
        {
            "report_id": _PLACE_COMMENTS["report_id"],
            "organ_key": _PLACE_COMMENTS["organ_key"],
            "organ": _PLACE_COMMENTS["organ"],
            "province": _PLACE_COMMENTS["province"],
            "admin_level": _PLACE_COMMENTS["admin_level"],
            "report_year": _PLACE_COMMENTS["report_year"],
            "outcome": "denied (不予公开) / unable (无法提供) / not_processed (不予处理)",
            "metric": "Metric code of the sub-reason (dim_metric.code)",
            "reason_zh": "Sub-reason as the standard table prints it",
            "reason_en": "Sub-reason in English",
            "value": "Requests answered with this reason",
            "share_of_handled": "value / 办理总数 (apply_total_handled, else apply_new)",
        },
    ),
    "v_rollup": (
        "Where a place's government and the governments of the places under it report for one year: the parent's "
        "figure next to the children's sum (informative: the children need not all report, nor the parent sum them).",
        _ROLLUP_SQL,
        {
            "parent_key": "organ_key of the parent government",
            "parent_organ": "Parent government as printed",
            "parent_level": "province / city / county: the parent's place level",
            "report_year": _PLACE_COMMENTS["report_year"],
            "children_reporting": "Child governments (one level down) with a report this year",
            "parent_apply_new": "本年新收申请 of the parent government itself",
            "children_apply_new": "Σ 本年新收申请 of the children",
            "parent_review_total": "行政复议总计 of the parent government",
            "children_review_total": "Σ 行政复议总计 of the children",
        },
    ),
}

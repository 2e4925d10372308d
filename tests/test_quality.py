"""Identity and range checks (expectations/ + pipeline.identities + assets/gx.py + the quality assets).

Small warehouses are built by hand with pipeline.warehouse.ensure_schema and INSERTs. The numbers
are named constants so the arithmetic each identity tests is visible: a consistent warehouse passes
everything, and each mutation fails exactly the check it should.
"""

import subprocess
import sys
from datetime import date

import dagster as dg
import duckdb
import pandas as pd
import pytest

from assets.defs.quality.assets import evaluate_all, quality_findings
from assets.defs.quality.checks import (
    DOMAIN_CHECKS,
    IDENTITY_CHECKS,
    RANGE_CHECKS,
    fact_domain_checks,
    identity_checks,
    report_range_checks,
)
from assets.resources import WarehouseResource, XxgkSettings
from pipeline import identities
from pipeline import warehouse as wh
from pipeline.metrics import BY_CODE, NOT_PROCESSED_REASONS, UNABLE_REASONS, subject_of
from pipeline.publish import working_path  # the checks run on the working database; nothing here publishes

# ---------------------------------------------------------------------------------------------
# 表三 of a consistent std2019 report, per applicant column:
#   自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他   (总计 = their sum)
COLUMNS = ("natural_person", "commercial", "research", "public_interest", "legal_service", "other")
ZERO = (0, 0, 0, 0, 0, 0)
NEW = (30, 2, 0, 0, 0, 1)  # 本年新收: 总计 33
CARRIED_OVER_2019 = (2, 0, 0, 0, 0, 0)  # 上年结转: 总计 2
GRANTED = (12, 1, 0, 0, 0, 0)  # 予以公开: 13
PARTIAL = (5, 0, 0, 0, 0, 0)  # 部分公开: 5
DENIED_STATE_SECRET = (1, 0, 0, 0, 0, 0)  # 不予公开 1.属于国家秘密 (the other seven reasons: 0)
UNABLE_NOT_HELD = (6, 0, 0, 0, 0, 0)  # 无法提供 1.本机关不掌握
UNABLE_NEEDS_CREATION = (1, 0, 0, 0, 0, 0)  # 无法提供 2.需要另行制作
NOT_PROCESSED_COMPLAINT = (2, 0, 0, 0, 0, 0)  # 不予处理 1.信访举报投诉类
OTHER = (1, 1, 0, 0, 0, 1)  # （六）其他处理: one printed row in the 2019 format
# the eight 不予公开 reasons of the standard table
STD_DENIED_REASONS = (
    "state_secret", "law_forbidden", "three_safety", "third_party",
    "internal_affairs", "process_info", "enforcement_file", "admin_query",
)  # fmt: skip


def add(*rows):
    return tuple(sum(values) for values in zip(*rows, strict=True))


def sub(a, b):
    return tuple(x - y for x, y in zip(a, b, strict=True))


# group totals, derived by the extractor from their printed sub-rows
DENIED = DENIED_STATE_SECRET
UNABLE = add(UNABLE_NOT_HELD, UNABLE_NEEDS_CREATION)  # (7, 0, …)
NOT_PROCESSED = NOT_PROCESSED_COMPLAINT
TOTAL_HANDLED = add(GRANTED, PARTIAL, DENIED, UNABLE, NOT_PROCESSED, OTHER)  # (28, 2, 0, 0, 0, 1): 31
assert TOTAL_HANDLED == (28, 2, 0, 0, 0, 1)


def carried_forward(carried_over):
    """I1 rearranged: 结转下年度 = 本年新收 + 上年结转 - 办理结果总计."""
    return sub(add(NEW, carried_over), TOTAL_HANDLED)


CARRIED_FORWARD_2019 = carried_forward(CARRIED_OVER_2019)  # (4, 0, 0, 0, 0, 0)
CARRIED_OVER_2020 = CARRIED_FORWARD_2019  # I5: next year's 上年结转
CARRIED_FORWARD_2020 = carried_forward(CARRIED_OVER_2020)  # (6, 0, 0, 0, 0, 0)
assert CARRIED_FORWARD_2019 == (4, 0, 0, 0, 0, 0)

# 表四: 结果维持, 结果纠正, 其他结果, 尚未审结 (总计 = their sum)
REVIEW = (1, 1, 0, 1)  # 行政复议 总计 3
LITIGATION_DIRECT = (0, 0, 0, 1)  # 未经复议直接起诉 总计 1
LITIGATION_AFTER_REVIEW = (1, 0, 0, 0)  # 复议后起诉 总计 1
RESULTS = ("upheld", "corrected", "other", "pending")

# A narrative (pre-2019) report: seed 000's numbers (哈尔滨市 2018)
N_NEW = 1353
N_CHANNELS = {"in_person": 102, "fax": 46, "online": 723, "letter": 482}
N_ON_TIME, N_EXTENDED = 1331, 22
N_OUTCOMES = {
    "already_public": 107,
    "granted": 684,
    "partial": 53,
    "denied": 120,
    "not_own_agency": 209,
    "nonexistent": 84,
    "ask_amend": 42,
    "redirect": 54,
}
N_DENIED_REASONS = {"state_secret": 10, "commercial_secret": 20, "privacy": 30, "not_gov_info": 60}
N_REVIEW, N_REVIEW_RESULTS, N_REVIEW_LEVELS = 40, (20, 11, 9), (14, 15, 11)
N_LITIGATION, N_LITIGATION_RESULTS, N_LITIGATION_LEVELS = 86, (69, 8, 9), (20, 41, 25)
N_PROACTIVE, N_PROACTIVE_LEVELS = 306166, (94199, 196215, 15752)
LEVELS = ("level:municipal", "level:district", "level:county")
assert sum(N_CHANNELS.values()) == N_NEW == N_ON_TIME + N_EXTENDED == sum(N_OUTCOMES.values())
assert sum(N_DENIED_REASONS.values()) == N_OUTCOMES["denied"]
assert sum(N_REVIEW_RESULTS) == sum(N_REVIEW_LEVELS) == N_REVIEW
assert sum(N_LITIGATION_RESULTS) == sum(N_LITIGATION_LEVELS) == N_LITIGATION
assert sum(N_PROACTIVE_LEVELS) == N_PROACTIVE

STD_2019, STD_2020, NARRATIVE = "std0000000002019", "std0000000002020", "nar0000000002018"
ORGAN = "某某区人民政府办公室"

# ---------------------------------------------------------------------------------------------


def _fact(report_id, metric, value, breakdown="total", *, derived=False, approx=False, source="table"):
    unit = BY_CODE[metric].unit if metric in BY_CODE else "count"
    return (report_id, metric, breakdown, float(value), unit, approx, derived, f"{metric} {value}", source)


def table3_facts(report_id, carried_over, carried_forward_):
    printed = {
        "apply.new": NEW,
        "apply.carried_over": carried_over,
        "apply.outcome.granted": GRANTED,
        "apply.outcome.partial": PARTIAL,
        **{f"apply.outcome.denied.{k}": ZERO for k in STD_DENIED_REASONS},
        "apply.outcome.denied.state_secret": DENIED_STATE_SECRET,
        **{f"apply.outcome.unable.{k}": ZERO for k in UNABLE_REASONS},
        "apply.outcome.unable.not_held": UNABLE_NOT_HELD,
        "apply.outcome.unable.needs_creation": UNABLE_NEEDS_CREATION,
        **{f"apply.outcome.not_processed.{k}": ZERO for k in NOT_PROCESSED_REASONS},
        "apply.outcome.not_processed.complaint": NOT_PROCESSED_COMPLAINT,
        "apply.outcome.other": OTHER,
        "apply.total_handled": TOTAL_HANDLED,
        "apply.carried_forward": carried_forward_,
    }  # 23 printed rows
    derived = {
        "apply.outcome.denied": DENIED,
        "apply.outcome.unable": UNABLE,
        "apply.outcome.not_processed": NOT_PROCESSED,
    }
    rows = []
    for table, is_derived in ((printed, False), (derived, True)):
        for metric, values in table.items():
            for column, value in zip(COLUMNS, values, strict=True):
                rows.append(_fact(report_id, metric, value, column, derived=is_derived))
            rows.append(_fact(report_id, metric, sum(values), "total", derived=is_derived))
    return rows


def table4_facts(report_id):
    rows = []
    for block, values in (
        ("review", REVIEW),
        ("litigation.direct", LITIGATION_DIRECT),
        ("litigation.after_review", LITIGATION_AFTER_REVIEW),
    ):
        rows += [_fact(report_id, f"{block}.{r}", v) for r, v in zip(RESULTS, values, strict=True)]
        rows.append(_fact(report_id, f"{block}.total", sum(values)))
    litigation = add(LITIGATION_DIRECT, LITIGATION_AFTER_REVIEW)
    rows += [
        _fact(report_id, f"litigation.{r}", v, derived=True) for r, v in zip(RESULTS, litigation, strict=True)
    ]
    rows.append(_fact(report_id, "litigation.total", sum(litigation), derived=True))
    return rows


def narrative_facts(report_id):
    n = "narrative"
    rows = [_fact(report_id, "apply.new", N_NEW, source=n)]
    rows += [_fact(report_id, f"apply.channel.{k}", v, source=n) for k, v in N_CHANNELS.items()]
    rows += [
        _fact(report_id, "apply.handled_on_time", N_ON_TIME, source=n),
        _fact(report_id, "apply.handled_extended", N_EXTENDED, source=n),
    ]
    rows += [_fact(report_id, f"apply.outcome.{k}", v, source=n) for k, v in N_OUTCOMES.items()]
    rows += [_fact(report_id, f"apply.outcome.denied.{k}", v, source=n) for k, v in N_DENIED_REASONS.items()]
    for proceeding, total, results, levels in (
        ("review", N_REVIEW, N_REVIEW_RESULTS, N_REVIEW_LEVELS),
        ("litigation", N_LITIGATION, N_LITIGATION_RESULTS, N_LITIGATION_LEVELS),
    ):
        rows.append(_fact(report_id, f"{proceeding}.total", total, source=n))
        rows += [
            _fact(report_id, f"{proceeding}.{r}", v, source=n)
            for r, v in zip(RESULTS[:3], results, strict=True)
        ]
        rows += [
            _fact(report_id, f"{proceeding}.total", v, lv, source=n)
            for lv, v in zip(LEVELS, levels, strict=True)
        ]
    rows.append(_fact(report_id, "proactive.total", N_PROACTIVE, source=n))
    rows += [
        _fact(report_id, "proactive.total", v, lv, source=n)
        for lv, v in zip(LEVELS, N_PROACTIVE_LEVELS, strict=True)
    ]
    rows.append(_fact(report_id, "proactive.normative_docs", 81, source=n))
    rows.append(_fact(report_id, "fees.collected_yuan", 0, source=n))
    return rows


def insert_report(conn, report_id, year, era, *, organ=ORGAN, published="", period=None):
    start, end = period or (date(year, 1, 1), date(year, 12, 31))
    conn.execute(
        """INSERT INTO reports (report_id, source_file, organ, province, city, county, admin_level, report_year,
                                period_start, period_end, published_on, format_era, status, status_reason)
           VALUES (?, ?, ?, '浙江省', '杭州市', '某某区', 'district', ?, ?, ?, ?, ?, 'parsed', '')""",
        [
            report_id,
            f"{report_id}.txt",
            organ,
            year,
            start,
            end,
            date.fromisoformat(published) if published else None,
            era,
        ],
    )


def insert_facts(conn, rows):
    for row in rows:
        table = wh.SUBJECT_TABLE[subject_of(row[1])]
        conn.execute(
            f"""INSERT INTO {table} (report_id, metric, breakdown, value, unit, is_approximate, is_derived, evidence, source)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            list(row),
        )


def build(conn):
    """Three consistent reports: two std2019 years of one body, one narrative report."""
    wh.ensure_schema(conn)
    insert_report(conn, STD_2019, 2019, "std2019", published="2020-01-31")
    insert_report(conn, STD_2020, 2020, "std2019", published="2021-01-28")
    insert_report(conn, NARRATIVE, 2018, "narrative", organ="哈尔滨市人民政府")
    insert_facts(
        conn, table3_facts(STD_2019, CARRIED_OVER_2019, CARRIED_FORWARD_2019) + table4_facts(STD_2019)
    )
    insert_facts(
        conn, table3_facts(STD_2020, CARRIED_OVER_2020, CARRIED_FORWARD_2020) + table4_facts(STD_2020)
    )
    insert_facts(conn, narrative_facts(NARRATIVE))
    return conn


@pytest.fixture
def conn():
    with duckdb.connect(":memory:") as c:
        yield build(c)


def run_checks(conn):
    """Every suite over the warehouse: (outcomes, findings as a list of dicts)."""
    outcomes = evaluate_all(conn)
    rows = [r for o in outcomes for r in o.findings.to_dict("records")]
    return outcomes, rows


def failed(rows):
    return {(r["check_name"], r["report_id"], r["key"]) for r in rows}


def set_value(conn, table, report_id, metric, breakdown, delta):
    conn.execute(
        f"UPDATE {table} SET value = value + ? WHERE report_id = ? AND metric = ? AND breakdown = ?",
        [delta, report_id, metric, breakdown],
    )


# ---------------------------------------------------------------------------------------------


def test_consistent_reports_pass_every_identity_and_every_identity_is_assessed(conn):
    outcomes, rows = run_checks(conn)
    assert rows == []
    assert all(o.success for o in outcomes)
    assessed = {
        check: s["assessable"]
        for o in outcomes
        for check, s in o.stats.items()
        if o.name in identities.IDENTITY_SUITES
    }
    assert all(assessed[check] > 0 for check in IDENTITY_CHECKS), assessed
    # 7 columns for I1 and I2, 23 printed rows for I3 (of the 2019 report)
    by_report = conn.execute(
        "SELECT check_name, count(*) FROM identity_rows_table3_identities WHERE report_id = ? AND assessable GROUP BY ALL",
        [STD_2019],
    ).fetchall()
    assert dict(by_report) == {
        "table3_intake_equals_outcome": 7,
        "table3_outcomes_sum_to_total": 7,
        "table3_row_total_equals_columns": 23,
    }


def test_one_cell_plus_one_fails_intake_identity_with_an_actionable_detail(conn):
    # 本年新收 自然人 and its 总计 both +1: the row still adds up, the official identity does not
    set_value(conn, "fact_requests", STD_2019, "apply.new", "natural_person", +1)
    set_value(conn, "fact_requests", STD_2019, "apply.new", "total", +1)
    _, rows = run_checks(conn)
    assert failed(rows) == {
        ("table3_intake_equals_outcome", STD_2019, "natural_person"),
        ("table3_intake_equals_outcome", STD_2019, "total"),
    }
    person = next(r for r in rows if r["key"] == "natural_person")
    # 31 + 2 = 33 observed; 28 + 4 = 32 expected
    assert (person["observed"], person["expected"]) == (
        NEW[0] + 1 + CARRIED_OVER_2019[0],
        TOTAL_HANDLED[0] + 4,
    )
    assert person["severity"] == "error"
    assert person["source_inconsistent"] is True
    assert person["detail"] == "表三 自然人: 本年新收 31 + 上年结转 2 ≠ 办理结果总计 28 + 结转下年度 4 (差 1)"


def test_one_cell_plus_one_breaks_its_row_and_its_column(conn):
    set_value(conn, "fact_requests", STD_2019, "apply.outcome.granted", "commercial", +1)
    _, rows = run_checks(conn)
    assert failed(rows) == {
        ("table3_outcomes_sum_to_total", STD_2019, "commercial"),
        ("table3_row_total_equals_columns", STD_2019, "apply.outcome.granted"),
    }
    row = next(r for r in rows if r["check_name"] == "table3_row_total_equals_columns")
    assert row["detail"].startswith("表三 予以公开: 总计 13 ≠ 自然人 12 + 商业企业 2 + ")


def test_table4_block_total(conn):
    set_value(conn, "fact_review_litigation", STD_2020, "review.total", "total", +1)
    _, rows = run_checks(conn)
    assert failed(rows) == {("table4_block_total", STD_2020, "review")}
    assert (
        rows[0]["detail"]
        == "表四 行政复议: 总计 4 ≠ 结果维持 1 + 结果纠正 1 + 其他结果 0 + 尚未审结 1 (差 1)"
    )


def test_printed_litigation_must_equal_direct_plus_after_review(conn):
    conn.execute(
        "UPDATE fact_review_litigation SET is_derived = false, value = value + 1 WHERE report_id = ? AND metric = 'litigation.upheld'",
        [STD_2019],
    )
    _, rows = run_checks(conn)
    assert failed(rows) == {("table4_litigation_equals_direct_plus_after_review", STD_2019, "upheld")}


def test_carry_over_must_match_last_years_carry_forward(conn):
    # 2019: 本年新收 and 结转下年度 +1 in 自然人 and 总计: 2019 still adds up, 2020's 上年结转 no longer matches
    for metric in ("apply.new", "apply.carried_forward"):
        for column in ("natural_person", "total"):
            set_value(conn, "fact_requests", STD_2019, metric, column, +1)
    _, rows = run_checks(conn)
    assert failed(rows) == {
        ("carry_over_matches_last_year", STD_2020, "natural_person"),
        ("carry_over_matches_last_year", STD_2020, "total"),
    }
    assert {r["severity"] for r in rows} == {"warning"}
    total = next(r for r in rows if r["key"] == "total")
    assert (total["observed"], total["expected"]) == (sum(CARRIED_OVER_2020), sum(CARRIED_FORWARD_2019) + 1)


@pytest.mark.parametrize(
    ("metric", "breakdown", "check"),
    [
        ("apply.channel.online", "total", "narrative_channels_sum_to_new"),  # O1: 4 channels stated
        ("apply.handled_extended", "total", "narrative_on_time_plus_extended"),  # O2
        ("apply.outcome.redirect", "total", "narrative_outcomes_sum_to_total"),  # O3: all eight stated
        ("apply.outcome.denied.privacy", "total", "narrative_denied_reasons_sum"),  # O4
        ("review.upheld", "total", "narrative_proceeding_results_sum"),  # O5
        ("litigation.total", "level:county", "narrative_proceeding_levels_sum"),  # O6
        ("proactive.total", "level:district", "narrative_proactive_levels_sum"),  # O7
    ],
)
def test_narrative_sums(conn, metric, breakdown, check):
    table = wh.SUBJECT_TABLE[subject_of(metric)]
    set_value(conn, table, NARRATIVE, metric, breakdown, +1)
    _, rows = run_checks(conn)
    assert {r["check_name"] for r in rows} == {check}
    assert {r["severity"] for r in rows} == {"warning"}
    assert all(r["source_inconsistent"] for r in rows)


def test_partial_outcome_list_is_an_inequality_not_an_error():
    """Seed 003: 受理69件, 同意公开39 + 部分公开6 + 不予公开1 + 申请内容不明确1 + 信息不存在7 = 54, plus an uncoded 告知15件."""
    with duckdb.connect(":memory:") as c:
        wh.ensure_schema(c)
        insert_report(c, "seed003", 2014, "narrative", period=(date(2014, 1, 1), date(2014, 11, 30)))
        n = "narrative"
        outcomes = {"granted": 39, "partial": 6, "denied": 1, "ask_amend": 1, "nonexistent": 7}
        facts = [
            _fact("seed003", "apply.new", 69, source=n),
            _fact("seed003", "apply.total_handled", 69, source=n),
        ]
        facts += [_fact("seed003", f"apply.outcome.{k}", v, source=n) for k, v in outcomes.items()]
        insert_facts(c, facts)
        outcomes_run, rows = run_checks(c)
        assert rows == []
        relation = c.execute(
            "SELECT relation, lhs, rhs FROM identity_rows_narrative_identities WHERE check_name = 'narrative_outcomes_sum_to_total'"
        ).fetchall()
        assert relation == [(">=", 69.0, 54.0)]
        # the parts may never exceed the whole, even when the list is partial
        c.execute("UPDATE fact_requests SET value = 60 WHERE metric = 'apply.outcome.granted'")
        _, rows = run_checks(c)
        assert failed(rows) == {("narrative_outcomes_sum_to_total", "seed003", "total")}
        assert rows[0]["detail"].endswith("(各项之和超过总数)")


def test_approximate_terms_give_inequalities_only():
    """Seed 001: 主动公开 14万余条 is a lower bound."""
    with duckdb.connect(":memory:") as c:
        wh.ensure_schema(c)
        insert_report(c, "approx", 2018, "narrative")
        n = "narrative"
        levels = {"level:municipal": 90000, "level:district": 60000}  # exact and complete: 150000
        facts = [_fact("approx", "proactive.total", 140000, approx=True, source=n)]
        facts += [_fact("approx", "proactive.total", v, lv, source=n) for lv, v in levels.items()]
        insert_facts(c, facts)
        _, rows = run_checks(c)
        assert rows == []  # 14万余 <= 150000
        c.execute("UPDATE fact_proactive SET value = 40000 WHERE breakdown = 'level:district'")  # now 130000
        _, rows = run_checks(c)
        assert failed(rows) == {("narrative_proactive_levels_sum", "approx", "proactive")}
        assert rows[0]["source_inconsistent"] is False  # an approximate term is never clean
        # approximate parts: the whole must be at least their sum; no equality is asked
        c.execute("UPDATE fact_proactive SET is_approximate = (breakdown <> 'total')")
        _, rows = run_checks(c)
        assert rows == []


def test_blank_cell_makes_the_identity_not_assessable(conn):
    # 结转下年度 自然人 printed blank: no fact, one blank cell. Read as 0 it would break I1 and I3.
    conn.execute(
        "DELETE FROM fact_requests WHERE report_id = ? AND metric = 'apply.carried_forward' AND breakdown = 'natural_person'",
        [STD_2019],
    )
    conn.execute(
        """INSERT INTO table_cells (report_id, table_name, row_key, column_key, raw, cell_kind)
           VALUES (?, 'table3', 'apply.carried_forward', 'natural_person', '', 'blank')""",
        [STD_2019],
    )
    # a blank sub-row cell under a derived group total: 不予公开 商业企业 is then unknown as well
    conn.execute(
        "UPDATE fact_requests SET value = 99 WHERE report_id = ? AND metric = 'apply.outcome.denied.admin_query' AND breakdown = 'commercial'",
        [STD_2019],
    )
    conn.execute(
        """INSERT INTO table_cells (report_id, table_name, row_key, column_key, raw, cell_kind)
           VALUES (?, 'table3', 'apply.outcome.denied.admin_query', 'commercial', '/', 'na')""",
        [STD_2019],
    )
    outcomes, rows = run_checks(conn)
    assert [r for r in rows if r["report_id"] == STD_2019 and r["check_name"].startswith("table3")] == []
    not_assessable = set(
        conn.execute(
            "SELECT check_name, breakdown FROM identity_rows_table3_identities WHERE report_id = ? AND NOT assessable",
            [STD_2019],
        ).fetchall()
    )
    assert not_assessable == {
        ("table3_intake_equals_outcome", "natural_person"),
        ("table3_row_total_equals_columns", "apply.carried_forward"),
        ("table3_row_total_equals_columns", "apply.outcome.denied.admin_query"),
        ("table3_outcomes_sum_to_total", "commercial"),
    }
    # the cross-year identity reads 2019's blank 结转下年度 too: not assessable, no finding
    assert not [r for r in rows if r["check_name"] == "carry_over_matches_last_year"]


@pytest.mark.parametrize(
    ("mutation", "expected"),
    [
        (  # a year no report can have
            "UPDATE reports SET report_year = 2035, period_start = DATE '2035-01-01', period_end = DATE '2035-12-31' WHERE report_id = 'nar0000000002018'",
            {("report_year_in_range", NARRATIVE, None)},
        ),
        (  # std2021 tables in a 2018 report
            "UPDATE reports SET format_era = 'std2021' WHERE report_id = 'nar0000000002018'",
            {("format_era_matches_year", NARRATIVE, None)},
        ),
        (
            "UPDATE reports SET period_end = DATE '2020-03-31' WHERE report_id = 'nar0000000002018'",
            {("period_within_report_year", NARRATIVE, None)},
        ),
        (
            "UPDATE reports SET published_on = DATE '2019-12-01' WHERE report_id = 'std0000000002019'",
            {("published_after_period_end", STD_2019, None)},
        ),
        (  # a fact stated twice
            "INSERT INTO fact_proactive SELECT * FROM fact_proactive WHERE metric = 'proactive.normative_docs'",
            {("facts_unique", NARRATIVE, "fact_proactive")},
        ),
        (
            "UPDATE fact_fees SET value = -5 WHERE metric = 'fees.collected_yuan'",
            {("values_non_negative", NARRATIVE, "fact_fees")},
        ),
        (
            "UPDATE fact_proactive SET value = 81.5 WHERE metric = 'proactive.normative_docs'",
            {("counts_are_integers", NARRATIVE, "fact_proactive")},
        ),
        (
            "UPDATE fact_proactive SET metric = 'proactive.bogus' WHERE metric = 'proactive.normative_docs'",
            {("metric_in_vocabulary", NARRATIVE, "fact_proactive")},
        ),
    ],
)
def test_ranges_and_domains(conn, mutation, expected):
    conn.execute(mutation)
    _, rows = run_checks(conn)
    assert failed(rows) == expected


def test_range_findings_read_well(conn):
    conn.execute(
        "UPDATE reports SET report_year = 2035, period_start = NULL, period_end = NULL WHERE report_id = ?",
        [NARRATIVE],
    )
    _, rows = run_checks(conn)
    (row,) = rows
    assert (row["observed"], row["expected"], row["severity"]) == (2035.0, float(date.today().year), "error")
    assert row["detail"] == f"report_year 2035 is outside 2008–{date.today().year}"


def test_duplicate_terms_are_not_assessable_not_double_counted(conn):
    conn.execute(
        "INSERT INTO fact_requests SELECT * FROM fact_requests WHERE report_id = ? AND metric = 'apply.new'",
        [STD_2019],
    )
    _, rows = run_checks(conn)
    assert {r["check_name"] for r in rows} == {"facts_unique"}


def test_quarantined_reports_are_ignored(conn):
    conn.execute(
        "UPDATE reports SET status = 'quarantined', report_year = 2035 WHERE report_id = ?", [NARRATIVE]
    )
    set_value(conn, "fact_requests", NARRATIVE, "apply.channel.online", "total", +1)
    _, rows = run_checks(conn)
    assert rows == []


def test_replace_identity_findings_keeps_extraction_rows_and_is_idempotent(conn):
    conn.execute(
        "INSERT INTO quality_findings VALUES (?, 'table3_row_shape', NULL, NULL, 'warning', false, 'x', 'extraction')",
        [STD_2019],
    )
    set_value(conn, "fact_review_litigation", STD_2020, "review.total", "total", +1)
    for _ in range(2):
        _, rows = run_checks(conn)
        assert identities.replace_identity_findings(conn, pd.DataFrame(rows)) == 1
    got = conn.execute("SELECT check_name, origin FROM v_quality_findings ORDER BY ALL").fetchall()
    assert got == [("table3_row_shape", "extraction"), ("table4_block_total", "identity")]


# ---------------------------------------------------------------------------------------------
# Suites, wiring and imports


def test_suites_round_trip_through_great_expectations():
    import great_expectations as gx

    for name in identities.SUITES:
        data = identities.suite_json(name)
        suite = gx.ExpectationSuite(name=data["name"], expectations=data["expectations"], meta=data["meta"])
        back = suite.to_json_dict()
        back.pop("id", None)
        assert back == data, name
        assert all(e["severity"] in ("critical", "warning") for e in data["expectations"])
        assert all(e["meta"]["check_name"] for e in data["expectations"])


def test_every_suite_check_is_an_asset_check():
    in_suites = {c for name in identities.SUITES for c in identities.suite_checks(name)}
    wired = set(IDENTITY_CHECKS) | set(RANGE_CHECKS) | set(DOMAIN_CHECKS)
    assert in_suites == wired


def test_pipeline_and_definitions_never_import_great_expectations():
    code = (
        "import sys; import pipeline.identities; assert 'dagster' not in sys.modules;"
        "from assets.definitions import defs; defs();"
        "assert 'great_expectations' not in sys.modules, 'GX imported at load'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------------------------------
# Dagster: the asset and its checks in-process

EXTERNAL = [
    dg.AssetSpec(k)
    for k in (
        "reports",
        "fact_requests",
        "fact_review_litigation",
        "fact_proactive",
        "fact_fees",
        "fact_article20",
    )
]


def materialize(path, instance=None, checks_only=False):
    selection = dg.AssetSelection.all_asset_checks()
    return dg.materialize(
        [*EXTERNAL, quality_findings, identity_checks, report_range_checks, fact_domain_checks],
        selection=selection if checks_only else dg.AssetSelection.assets(quality_findings) | selection,
        resources={"warehouse": WarehouseResource(path=str(path)), "settings": XxgkSettings()},
        instance=instance or dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def test_asset_and_checks_in_dagster(tmp_path):
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as c:
        build(c)
        set_value(c, "fact_requests", STD_2019, "apply.new", "natural_person", +1)  # breaks I1 and I3
    result = materialize(path)
    assert result.success
    evaluations = {
        (e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()
    }
    # the fixture has no article-20 facts: those four checks assessed nothing and are skipped
    assert len(evaluations) == len(IDENTITY_CHECKS) + len(RANGE_CHECKS) + 4 * len(DOMAIN_CHECKS)
    assert not {key for key in evaluations if key[0] == "fact_article20"}
    failing = {key for key, e in evaluations.items() if not e.passed}
    assert failing == {
        ("fact_requests", "table3_intake_equals_outcome"),
        ("fact_requests", "table3_row_total_equals_columns"),
    }
    intake = evaluations[("fact_requests", "table3_intake_equals_outcome")]
    assert intake.severity == dg.AssetCheckSeverity.WARN
    assert intake.metadata["report_ids"].value == [STD_2019]
    assert intake.metadata["diffs"].value == [
        {
            "report_id": STD_2019,
            "observed": 33.0,
            "expected": 32.0,
            "detail": "表三 自然人: 本年新收 31 + 上年结转 2 ≠ 办理结果总计 28 + 结转下年度 4 (差 1)",
        }
    ]
    with duckdb.connect(str(working_path(path)), read_only=True) as c:
        stored = c.execute(
            "SELECT check_name, report_id, severity FROM v_quality_findings ORDER BY ALL"
        ).fetchall()
    assert stored == [
        ("table3_intake_equals_outcome", STD_2019, "error"),
        ("table3_row_total_equals_columns", STD_2019, "error"),
    ]
    from assets.gx import data_docs_index

    assert data_docs_index(path).exists()


def test_a_failing_structural_check_is_an_error_that_still_reaches_the_findings(tmp_path):
    """No check blocks: the contract lets a run fail only when it cannot proceed."""
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as c:
        build(c)
        c.execute(
            "INSERT INTO fact_requests SELECT * FROM fact_requests WHERE report_id = ? AND metric = 'apply.new'",
            [STD_2019],
        )
    result = materialize(path)
    assert result.success
    duplicate = next(
        e for e in result.get_asset_check_evaluations() if e.check_name == "facts_unique" and not e.passed
    )
    assert duplicate.asset_key.to_user_string() == "fact_requests"
    assert duplicate.severity == dg.AssetCheckSeverity.ERROR
    with duckdb.connect(str(working_path(path)), read_only=True) as c:
        names = {r[0] for r in c.execute("SELECT check_name FROM v_quality_findings").fetchall()}
    assert "facts_unique" in names


def test_checks_report_the_stored_findings_without_validating_again(tmp_path, monkeypatch):
    """The checks read what quality_findings stored and assessed: run alone later (from the UI),
    they validate nothing and say the same."""
    from assets import gx as gx_helper

    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as c:
        build(c)
        set_value(c, "fact_requests", STD_2019, "apply.new", "natural_person", +1)
    validated = []
    run_suite = gx_helper.run_suite
    monkeypatch.setattr(
        gx_helper,
        "run_suite",
        lambda df, suite, **kw: validated.append(suite.name) or run_suite(df, suite, **kw),
    )

    def outcome(result):
        return {
            (e.asset_key.to_user_string(), e.check_name): (e.passed, e.metadata["report_ids"].value)
            for e in result.get_asset_check_evaluations()
        }

    instance = dg.DagsterInstance.ephemeral()
    together = materialize(path, instance)  # quality_findings, then the checks
    assert sorted(validated) == sorted(identities.SUITES)  # each suite validated once
    validated.clear()
    checks_only = materialize(path, instance, checks_only=True)
    assert validated == []
    assert outcome(checks_only) == outcome(together)
    assert sum(not passed for passed, _ in outcome(together).values()) == 2


def quality_metadata(result):
    return result.asset_materializations_for_node("quality_findings")[0].metadata


def _load(conn, run_id, started, report_ids):
    """What a load leaves behind: its ingest_runs row, its run_id on the reports it wrote, the load step."""
    conn.execute(
        "INSERT INTO ingest_runs (run_id, started_at, status) VALUES (?, ?, 'succeeded')", [run_id, started]
    )
    conn.execute("UPDATE reports SET run_id = ? WHERE report_id IN (SELECT unnest(?))", [run_id, report_ids])
    wh.record_step(conn, wh.LOAD_STEP, run_id)


def test_a_rerun_validates_only_what_its_load_changed_and_stores_what_a_full_pass_would(tmp_path):
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as c:
        build(c)
        set_value(c, "fact_requests", STD_2019, "apply.new", "natural_person", +1)  # breaks I1 and I3
        _load(c, "load-1", "2026-01-01 00:00:00", [STD_2019, STD_2020, NARRATIVE])
    instance = dg.DagsterInstance.ephemeral()
    assert quality_metadata(materialize(path, instance))["reports_validated"].value == 3
    # the next load rewrites two reports: the 2019 error is corrected, the narrative report gets one
    with duckdb.connect(str(working_path(path))) as c:
        set_value(c, "fact_requests", STD_2019, "apply.new", "natural_person", -1)
        set_value(c, "fact_requests", NARRATIVE, "apply.outcome.granted", "total", +5)
        _load(c, "load-2", "2026-01-02 00:00:00", [STD_2019, NARRATIVE])
    second = materialize(path, instance)
    metadata = quality_metadata(second)
    assert metadata["validated"].value == "2 reports loaded since the last assessment"
    with duckdb.connect(str(working_path(path))) as c:
        stored = c.execute(
            "SELECT report_id, check_name, detail FROM quality_findings WHERE origin = 'identity' ORDER BY ALL"
        ).fetchall()
        full = sorted(  # what validating every report again would store
            (r["report_id"], r["check_name"], r["detail"])
            for outcome in evaluate_all(c)
            for r in outcome.findings.to_dict("records")
        )
    assert stored == full
    assert [row[:2] for row in stored] == [(NARRATIVE, "narrative_outcomes_sum_to_total")]
    assert metadata["identity_findings"].value == 1
    assert {(e.check_name, e.passed) for e in second.get_asset_check_evaluations()} >= {
        ("narrative_outcomes_sum_to_total", False),
        ("table3_intake_equals_outcome", True),
    }


def test_a_rerun_reassesses_the_carry_over_of_reports_it_did_not_load(tmp_path):
    """Only last year's report is loaded again, yet this year's carry-over finding follows it."""
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as c:
        build(c)
        _load(c, "load-1", "2026-01-01 00:00:00", [STD_2019, STD_2020, NARRATIVE])
    instance = dg.DagsterInstance.ephemeral()
    materialize(path, instance)
    with duckdb.connect(str(working_path(path))) as c:
        set_value(c, "fact_requests", STD_2019, "apply.carried_forward", "natural_person", +1)
        _load(c, "load-2", "2026-01-02 00:00:00", [STD_2019])
    assert quality_metadata(materialize(path, instance))["reports_validated"].value == 1
    with duckdb.connect(str(working_path(path))) as c:
        stored = c.execute(
            "SELECT report_id, check_name FROM quality_findings WHERE origin = 'identity' ORDER BY ALL"
        ).fetchall()
    assert (STD_2020, "carry_over_matches_last_year") in stored
    assert (STD_2019, "table3_intake_equals_outcome") in stored

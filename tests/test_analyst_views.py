"""organ_key, one row per body-year, year over year (with copied reports), carry-over, rankings,
refusal reasons and roll-ups."""

import re
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import SEEDS

from assets.cli import materialize_all
from assets.resources import WarehouseResource, XxgkSettings
from pipeline.organs import organ_key
from pipeline.warehouse import ensure_schema

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "raw"
HONGZE = "江苏省/淮安市/洪泽区/政府"


@pytest.mark.parametrize(
    ("organ", "place", "key"),
    [
        ("洪泽区人民政府", ("江苏省", "淮安市", "洪泽区"), HONGZE),
        ("淮安市洪泽区人民政府", ("江苏省", "淮安市", "洪泽区"), HONGZE),
        ("江苏省淮安市洪泽区政府", ("江苏省", "淮安市", "洪泽区"), HONGZE),
        ("淮安洪泽区人民政府", ("江苏省", "淮安市", "洪泽区"), HONGZE),
        ("浙江省人民政府办公厅", ("浙江省", None, None), "浙江省///政府办公室"),
        ("浙江省政府办公室", ("浙江省", None, None), "浙江省///政府办公室"),
        ("平潭综合实验区管理委员会", (None, None, None), "///平潭综合实验区管委会"),
        ("中仓街道办事处", (None, None, None), "///中仓街道"),
        ("沭阳县发展和改革委员会", ("江苏省", "宿迁市", "沭阳县"), "江苏省/宿迁市/沭阳县/发展和改革委"),
    ],
)
def test_organ_key_folds_the_name_variants_of_one_body(organ, place, key):
    assert organ_key(organ, *place) == key


def test_organ_key_keeps_different_bodies_and_places_apart():
    assert organ_key("洪泽区人民政府", "江苏省", "淮安市", "洪泽区") != organ_key(
        "洪泽区发展和改革局", "江苏省", "淮安市", "洪泽区"
    )
    assert organ_key("市政府办公室", "湖北省", "孝感市", None) != organ_key(
        "市政府办公室", "湖北省", "武汉市", None
    )
    assert organ_key(None, "江苏省", None, None) is None


def _run(raw: Path, path: Path) -> duckdb.DuckDBPyConnection:
    assert materialize_all(
        XxgkSettings(raw_dir=str(raw), workers=1), WarehouseResource(path=str(path)), "WARNING"
    ).success
    return duckdb.connect(str(path), read_only=True)


@pytest.fixture(scope="module")
def hongze(tmp_path_factory):
    """The corpus's k02 (洪泽区人民政府, 2023) and k03 (淮安市洪泽区人民政府, 2024)."""
    raw = tmp_path_factory.mktemp("raw")
    for name in ("k02.pdf", "k03.pdf"):
        shutil.copy(CORPUS / name, raw / name)
    with _run(raw, tmp_path_factory.mktemp("wh") / "x.duckdb") as conn:
        yield conn


def test_k02_and_k03_are_one_body_in_two_years(hongze):
    rows = hongze.execute(
        "SELECT source_file, organ, organ_key, report_year FROM v_reports ORDER BY 1"
    ).fetchall()
    assert rows == [
        ("k02.pdf", "洪泽区人民政府", HONGZE, 2023),
        ("k03.pdf", "淮安市洪泽区人民政府", HONGZE, 2024),
    ]


def test_year_over_year_shows_the_changes_of_k03_against_k02(hongze):
    row = hongze.execute(
        """SELECT organ_key, report_year, apply_new, previous_apply_new, apply_new_change,
                  review_total, previous_review_total, review_total_change, possibly_copied
           FROM v_year_over_year"""
    ).fetchall()
    assert row == [(HONGZE, 2024, 95.0, 21.0, 74.0, 2.0, 0.0, 2.0, False)]
    carry = hongze.execute(
        "SELECT organ_key, report_year, carried_over, previous_carried_forward, matches FROM v_carry_over"
    ).fetchall()
    assert carry == [(HONGZE, 2024, 0.0, 0.0, True)]


def test_refusal_reasons_are_the_sub_rows_of_the_three_outcomes(hongze):
    rows = hongze.execute(
        "SELECT outcome, sum(value) FROM v_refusal_reasons WHERE report_year = 2024 GROUP BY 1 ORDER BY 1"
    ).fetchall()
    # k03's 不予公开 sub-rows sum to the gold's apply.outcome.denied = 3
    assert dict(rows) == {"denied": 3.0, "not_processed": 1.0, "unable": 32.0}
    assert hongze.execute(
        "SELECT reason_zh, value FROM v_refusal_reasons WHERE report_year = 2024 AND outcome = 'denied' AND value > 0 ORDER BY 1"
    ).fetchall() == [("危及“三安全一稳定”", 1.0), ("属于四类过程性信息", 1.0), ("属于行政执法案卷", 1.0)]


def test_a_report_that_repeats_last_years_numbers_is_flagged(tmp_path):
    seed = (SEEDS / "002_cff968de04f93286.txt").read_bytes()  # 呼玛县人民政府, 2018
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "2018.txt").write_bytes(seed)
    # the 2019 report copied from 2018's: every year moved on by one, every number kept
    (raw / "2019.txt").write_bytes(re.sub(rb"20(1\d)", lambda m: b"20%d" % (int(m[1]) + 1), seed))
    with _run(raw, tmp_path / "x.duckdb") as conn:
        rows = conn.execute(
            "SELECT organ, report_year, apply_new_change, same_numbers, same_text, possibly_copied FROM v_year_over_year"
        ).fetchall()
    assert rows == [("呼玛县人民政府", 2019, 0.0, True, True, True)]


def _body_year_fixture() -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse: 淮安市 (city government), two of its districts, one district twice in 2024."""
    conn = duckdb.connect()
    ensure_schema(conn)
    reports = [  # report_id, organ, county, period_end, apply_new
        ("city", "淮安市人民政府", None, "2024-12-31", 300),
        ("hz", "洪泽区人民政府", "洪泽区", "2024-12-31", 95),
        ("hz-part", "淮安市洪泽区人民政府", "洪泽区", "2024-11-30", 80),
        ("qjp", "清江浦区人民政府", "清江浦区", "2024-12-31", 120),
    ]
    for report_id, organ, county, period_end, apply_new in reports:
        conn.execute(
            """INSERT INTO reports (report_id, source_file, organ, province, city, county, organ_key, admin_level,
                                    report_year, period_start, period_end, status, status_reason)
               VALUES (?, ?, ?, '江苏省', '淮安市', ?, ?, ?, 2024, DATE '2024-01-01', ?, 'parsed', '')""",
            [report_id, f"{report_id}.txt", organ, county, organ_key(organ, "江苏省", "淮安市", county),
             "district" if county else "city", period_end],
        )  # fmt: skip
        conn.execute(
            "INSERT INTO fact_requests (report_id, metric, breakdown, value) VALUES (?, 'apply.new', 'total', ?)",
            [report_id, apply_new],
        )
    return conn


def test_one_row_per_body_year_keeps_the_report_covering_the_longest_period():
    conn = _body_year_fixture()
    rows = conn.execute(
        "SELECT organ_key, report_id, reports_in_year FROM v_body_years ORDER BY organ_key"
    ).fetchall()
    assert rows == [
        ("江苏省/淮安市//政府", "city", 1),
        (HONGZE, "hz", 2),  # the 1-11月 report loses to the whole-year one
        ("江苏省/淮安市/清江浦区/政府", "qjp", 1),
    ]


def test_rollup_puts_the_parent_next_to_the_sum_of_its_children():
    conn = _body_year_fixture()
    assert conn.execute(
        "SELECT parent_key, parent_level, children_reporting, parent_apply_new, children_apply_new FROM v_rollup"
    ).fetchall() == [("江苏省/淮安市//政府", "city", 2, 300.0, 95.0 + 120.0)]


def test_rankings_carry_the_counts_behind_each_rate():
    conn = _body_year_fixture()
    for report_id, granted, handled in (("city", 150, 300), ("hz", 50, 95), ("qjp", 30, 120)):
        conn.executemany(
            "INSERT INTO fact_requests (report_id, metric, breakdown, value) VALUES (?, ?, 'total', ?)",
            [(report_id, "apply.outcome.granted", granted), (report_id, "apply.outcome.partial", 0),
             (report_id, "apply.total_handled", handled)],
        )  # fmt: skip
    rows = conn.execute(
        """SELECT admin_level, reports, granted_or_partial, handled, round(substantive_disclosure_rate, 4),
                  rate_rank_in_year_and_level
           FROM v_rankings ORDER BY admin_level"""
    ).fetchall()
    assert rows == [("city", 1, 150.0, 300.0, 0.5, 1), ("district", 2, 80.0, 215.0, round(80 / 215, 4), 1)]


def test_fingerprints_ignore_what_a_copy_changes_and_see_what_it_keeps():
    from pipeline.copies import numbers_fingerprint, text_fingerprint
    from pipeline.records import Fact

    assert text_fingerprint("2023年共收到申请12件。") == text_fingerprint("二〇二四年 共收到申请 15件。")
    assert text_fingerprint("共收到申请12件。") != text_fingerprint("共办结申请12件。")
    facts = [Fact(f"apply.m{i}", float(i), "", 0, 0) for i in range(5)]
    assert numbers_fingerprint(facts) == numbers_fingerprint(reversed(facts))
    assert numbers_fingerprint(facts) != numbers_fingerprint([*facts[:4], Fact("apply.m4", 5.0, "", 0, 0)])
    assert numbers_fingerprint(facts[:4]) is None  # too few to tell
    assert numbers_fingerprint([Fact(f"apply.m{i}", 0.0, "", 0, 0) for i in range(6)]) is None  # all zero

"""The extraction chain: table facts outrank prose, impossible years are dropped with a finding."""

from pipeline.extract import merge_facts
from pipeline.process import process_document
from pipeline.records import Fact


def test_table_fact_outranks_the_same_narrative_fact():
    table = [Fact("apply.new", 30, "一、本年新收… | 29 | 1 | … | 30 |", 10, 12, source="table")]
    prose = [
        Fact("apply.new", 31, "新收依申请公开31件", 50, 52),
        Fact("proactive.total", 249, "全年共发布政府信息249条", 60, 63),
    ]
    merged = merge_facts(table, prose)
    assert [(f.metric, f.value, f.source) for f in merged] == [
        ("apply.new", 30, "table"),
        ("proactive.total", 249, "narrative"),
    ]


def test_impossible_report_year_is_left_empty_with_a_finding():
    result = process_document("2035年政府信息公开工作年度报告\n本年度共收到申请5件。".encode(), "x.txt")
    meta = result.extraction.metadata
    assert meta.report_year is None and meta.period_start is None
    assert [f.check_name for f in result.extraction.findings] == ["report_year_unreadable"]

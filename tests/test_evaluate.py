"""The evaluator's per-era / per-table breakdown, on the seeds and their gold (skipped where ../shared is absent)."""

import io
from pathlib import Path

import pytest

from bench.evaluate import evaluate, table_of, tables_present
from pipeline.normalize import normalize

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEEDS = SHARED / "seeds"
GOLD = SHARED / "gold"

needs_shared = pytest.mark.skipif(not (SEEDS.is_dir() and GOLD.is_dir()), reason="../shared not present")


@needs_shared
def test_seed_breakdown_per_era_and_table():
    out = io.StringIO()
    summary = evaluate([(SEEDS, GOLD)], out=out)
    text = out.getvalue()
    assert "precision=1.000 recall=1.000 F1=1.000" in text  # the summary line other tools grep is unchanged
    got = {scope: (c["docs"], c["tp"], c["fp"], c["fn"]) for scope, c in summary["breakdown"].items()}
    assert got == {
        "era narrative": (4, 63, 0, 0),
        "era std2019": (1, 23, 0, 0),
        "table 表二": (1, 1, 0, 0),  # seed 004: 规范性文件
        "table 表三": (1, 12, 0, 0),
        "table 表四": (1, 10, 0, 0),
        "table narrative": (4, 63, 0, 0),
        "group seeds": (5, 86, 0, 0),
        "seeds 表二": (1, 1, 0, 0),
        "seeds 表三": (1, 12, 0, 0),
        "seeds 表四": (1, 10, 0, 0),
        "seeds narrative": (4, 63, 0, 0),  # seed 004 states all its facts in tables
        "overall": (5, 86, 0, 0),
    }
    table = text[text.index("scope ") :].splitlines()
    assert table[-1].split() == ["overall", "5", "86", "0", "0", "1.000", "1.000", "1.000"]
    assert any(line.split()[:2] == ["table", "表三"] for line in table)


def test_table_presence_and_scope():
    std = "一、本年新收政府信息公开申请数量 3 0 0 0 0 0 3\n未经复议直接起诉 复议后起诉\n第二十条第(一)项\n"
    assert tables_present(std, "std2021") == {"表二", "表三", "表四"}
    assert tables_present("我局全年未收到政府信息公开申请。", "std2021") == frozenset()
    prose = "2021年新收政府信息公开申请数量317件,上年结转政府信息公开申请数量3件。"  # h21: prose, no table
    assert tables_present(prose, "std2021") == frozenset()
    assert tables_present("一、本年新收政府信息公开申请数量452010351", "std2021") == {"表三"}  # glued cells
    stat = "主动公开信息数 条 425 1516 受理依申请公开信息总数 条 0 0 行政复议数 条 0 0"
    assert tables_present(normalize(stat).text, "narrative") == {"统计表"}
    present = frozenset({"表二", "表三"})
    assert table_of("apply.new", "std2019", present) == "表三"
    assert table_of("review.total", "std2019", present) == "narrative"  # no 表四 in the text
    assert table_of("proactive.normative_docs", "std2021", present) == "表二"
    assert table_of("proactive.total", "std2021", present) == "narrative"
    assert table_of("apply.new", "narrative", frozenset({"统计表"})) == "统计表"

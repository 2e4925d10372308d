"""The synthetic report generator: reproducible, the promised mix, gold that agrees with the text."""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache

import pytest

from bench import synth

N_MIX = 1200


@cache
def _docs(n: int = N_MIX, seed: int = 7) -> list[tuple[str, bytes, dict]]:
    return list(synth.generate(n, seed))


def _text(data: bytes, gold: dict) -> str:
    encoding = gold["synth"]["encoding"]
    if encoding == "utf-16-be":
        return data[2:].decode("utf-16-be")
    return data.decode(encoding)


_PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}\)")


def test_same_seed_same_bytes() -> None:
    first = list(synth.generate(40, 3))
    again = list(synth.generate(40, 3))
    assert [(n, d) for n, d, _ in first] == [(n, d) for n, d, _ in again]
    assert [g for _, _, g in first] == [g for _, _, g in again]
    # any slice is reproducible on its own
    assert [d for _, d, _ in synth.generate(5, 3, start=20)] == [d for _, d, _ in first[20:25]]
    other = [d for _, d, _ in synth.generate(40, 4)]
    assert other != [d for _, d, _ in first]


def test_gold_format() -> None:
    keys = [
        "file",
        "organ",
        "province",
        "city",
        "county",
        "admin_level",
        "report_year",
        "period_start",
        "period_end",
    ]
    for name, data, gold in _docs()[:300]:
        assert gold["file"] == name
        assert list(gold)[: len(keys)] == keys
        assert name.endswith(".html" if gold["synth"]["layout"] == "html" else ".txt")
        assert gold["era"] in ("narrative", "std2019", "std2021")
        assert gold["script"] in ("simplified", "traditional")
        assert gold["admin_level"] in ("province", "city", "county", "district", "department")
        year = gold["report_year"]
        assert (2008 <= year <= 2018) == (gold["era"] == "narrative")
        assert (year >= 2021) == (gold["era"] == "std2021")
        assert gold["period_start"] == f"{year}-01-01"
        assert gold["ambiguous"] == []
        assert set(gold["approx"]) <= set(gold["facts"])
        assert all(isinstance(v, int) and v >= 0 for v in gold["facts"].values())
        assert "apply.new" in gold["facts"]
        json.dumps(gold, ensure_ascii=False)
        assert gold["synth"]["bytes"] == len(data)


def test_mix() -> None:
    docs = _docs()
    n = len(docs)
    eras = Counter(g["era"] for _, _, g in docs)
    assert 0.34 < eras["narrative"] / n < 0.46
    assert 0.24 < eras["std2019"] / n < 0.36
    assert 0.24 < eras["std2021"] / n < 0.36
    assert 0.15 < sum(g["script"] == "traditional" for _, _, g in docs) / n < 0.25
    std = [g for _, _, g in docs if g["era"] != "narrative"]
    layouts = Counter(g["synth"]["layout"] for g in std)
    assert set(layouts) == {"pipe", "markdown", "cells", "cells_bar", "html"}
    assert 0.12 < layouts["html"] / len(std) < 0.28
    assert any(g["synth"]["sparse"] for g in std)
    assert any(g["synth"]["sparse"] and g["synth"]["layout"] == "pipe" for g in std)
    encodings = Counter(g["synth"]["encoding"] for _, _, g in docs)
    assert encodings["utf-8"] / n > 0.8
    assert 0.02 < encodings["gb18030"] / n < 0.09
    assert encodings["big5"] > 0 and encodings["utf-16"] + encodings["utf-16-be"] > 0
    assert any(g["synth"]["pinyin"] for _, _, g in docs)
    assert any(g["synth"]["mojibake_runs"] for _, _, g in docs)
    assert any(
        "gbk" in d[:400].decode("ascii", "ignore").lower()
        for _, d, g in docs
        if g["synth"]["layout"] == "html"
    )
    assert 0.01 < sum(bool(g["inconsistent"]) for _, _, g in docs) / n < 0.06
    assert any(g["approx"] for _, _, g in docs)
    assert 15_000 < sum(len(d) for _, d, _ in docs) / n < 40_000


def test_gold_identities_hold_unless_marked_inconsistent() -> None:
    for _, _, gold in _docs():
        broken = synth.gold_violations(gold)
        if gold["inconsistent"]:
            assert broken, gold["file"]
        else:
            assert broken == [], (gold["file"], broken)


def test_table_identities_are_checked_on_what_is_printed() -> None:
    rng = synth.random.Random(1)
    for era in ("std2019", "std2021"):
        for size in ("province", "city", "county", "department"):
            values = synth._table3_values(rng, era, size, 0.1)
            assert synth._table3_check(values, era) == []
            values["handled"][6] += 1
            assert "I1:total" in synth._table3_check(values, era)
            assert "I2:total" in synth._table3_check(values, era)
    t4 = synth._table4_values(rng, "city")
    assert synth._table4_check(t4) == []
    t4[4] += 1
    assert synth._table4_check(t4) == ["I4:review"]


def test_stated_numbers_appear_in_the_text() -> None:
    """Every gold value the report prints as such is in the text (group sums are derived, not printed)."""
    derived = {
        "apply.applicant.legal_person",
        "apply.outcome.denied",
        "apply.outcome.unable",
        "apply.outcome.not_processed",
        "apply.outcome.other",
    }
    for _, data, gold in _docs()[:400]:
        text = _text(data, gold)
        numbers = set(re.findall(r"\d+", text))
        for metric, value in gold["facts"].items():
            if metric in gold["approx"] or metric in derived:
                continue
            if gold["era"] != "narrative" and metric.startswith("litigation."):
                continue
            if value == 0 and (gold["era"] == "narrative" or metric == "fees.collected_yuan"):
                continue  # stated in words: 未收到申请, 没有…行政复议, 未收取任何费用
            assert str(value) in numbers, (gold["file"], metric, value)
        if gold["approx"]:
            assert "余" in text or "餘" in text


def test_text_names_the_organ_and_the_year() -> None:
    try:
        import opencc_pyo3
    except ImportError:  # pragma: no cover
        pytest.skip("opencc-pyo3 not installed")
    t2s = opencc_pyo3.OpenCC("t2s").convert
    for _, data, gold in _docs()[:400]:
        text = _PINYIN.sub("", _text(data, gold))
        if gold["script"] == "traditional":
            text = t2s(text)
        assert gold["organ"] in text, gold["file"]
        assert f"{gold['report_year']}年" in text
        for place in ("province", "city", "county"):
            if gold[place]:
                assert gold[place] in text, (gold["file"], place)
        if "published_on" in gold:
            y, m, d = gold["published_on"].split("-")
            assert gold["published_on"] in text or f"{y}年{m}月{d}日" in text


def test_traditional_documents_look_traditional() -> None:
    for _, data, gold in _docs()[:400]:
        raw = _text(data, gold)
        text = _PINYIN.sub("", raw)
        if gold["script"] == "traditional":
            assert "報告" in text
            assert text.count("开") == 0
        else:
            assert "报告" in text
        if gold["synth"]["pinyin"]:
            assert _PINYIN.search(raw)
        if gold["synth"]["encoding"] == "big5":
            assert gold["script"] == "traditional"


def test_mojibake_stays_out_of_numbers() -> None:
    seen = 0
    for _, data, gold in _docs():
        if not gold["synth"]["mojibake_runs"]:
            continue
        text = _text(data, gold)
        runs = re.findall(r"\?[^\s，。；：,;:\n|]{0,12}", text)
        assert runs
        seen += 1
        for run in runs:
            assert not re.search(r"\d", run), run
    assert seen


def test_cli_writes_raw_and_gold(tmp_path) -> None:
    assert synth.main(["--n", "25", "--out", str(tmp_path), "--seed", "5"]) == 0
    raw = sorted(p.name for p in (tmp_path / "raw").iterdir())
    gold = sorted((tmp_path / "gold").glob("*.json"))
    assert len(raw) == len(gold) == 25
    expected = [name for name, _, _ in synth.generate(25, 5)]
    assert raw == sorted(expected)
    first = json.loads(gold[0].read_text(encoding="utf-8"))
    assert first["file"] in raw
    assert (tmp_path / "raw" / first["file"]).read_bytes() == next(iter(synth.generate(1, 5)))[1]

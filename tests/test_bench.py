"""bench/benchmark.py helpers and report formatting (no timing assertions: benchmarks run via `make bench`)."""

from __future__ import annotations

import os
import re

from bench import benchmark as bench


def _run(label: str, seconds: float, **steps: float) -> bench.Run:
    return bench.Run(
        label, seconds, 0, seconds * 1.5, max_rss_mb=400.0, tree_rss_mb=700.0, tree_pss_mb=450.0, steps=steps
    )


def _results(n: int = 10_000, single: bench.Run | None = None) -> bench.Results:
    return bench.Results(
        n=n, floor_s=0.5, reference_s=10.0, reference_cpu_s=18.0, first=_run("first run", 50.0, parse_reports=30.0),
        nochange=_run("no-change rerun", 12.0), changed=_run("1%-changed rerun", 20.0), n_changed=100,
        warehouse_mb=123.4, stages={"decode": 1.0, "normalize": 2.0, "extract": 6.0, "load": 1.0},
        stage_docs=1000, f1={"f1": 0.99, "precision": 0.995, "recall": 0.985, "metadata_mismatches": 3},
        f1_docs=2000, single=single, workers=2, load_start=(1.0, 2.0, 3.0),
    )  # fmt: skip


def test_parse_duration_reads_dagster_formats() -> None:
    assert bench.parse_duration("0.83ms") == 0.00083
    assert bench.parse_duration("533ms") == 0.533
    assert bench.parse_duration("5.6s") == 5.6
    assert bench.parse_duration("4m52s") == 292.0
    assert bench.parse_duration("1h4m") == 3840.0


def test_step_durations_from_debug_log() -> None:
    log = (
        '2026-11-22 - dagster - DEBUG - job - 1 - raw_reports - STEP_SUCCESS - Finished execution of step "raw_reports" in 195ms.\n'
        "2026-11-22 - dagster - INFO - job - 1 - parse_reports - parse: 100/100 documents\n"
        '2026-11-22 - dagster - DEBUG - job - 1 - parse_reports - STEP_SUCCESS - Finished execution of step "parse_reports" in 1m2s.\n'
    )
    assert bench.step_durations(log) == {"raw_reports": 0.195, "parse_reports": 62.0}


def test_step_at_finds_the_running_step() -> None:
    log = (
        "2026-11-22 02:43:54 +0000 - dagster - DEBUG - job - 1 - 29 - raw_reports - STEP_START - "
        'Started execution of step "raw_reports".\n'
        "2026-11-22 02:43:55 +0000 - dagster - DEBUG - job - 1 - 29 - parse_reports - STEP_START - "
        'Started execution of step "parse_reports".\n'
    )
    start = 1_795_315_434.0  # 2026-11-22 02:43:54 UTC
    assert bench.step_at(log, start - 5) == "start-up"
    assert bench.step_at(log, start + 0.5) == "raw_reports"
    assert bench.step_at(log, start + 60) == "parse_reports"


def test_reference_text_strips_pinyin_and_counts_matches(tmp_path) -> None:
    regexes = [re.compile(p) for p in bench.REFERENCE_PATTERNS]
    data = "收到申请12件，網(wǎng)上申请3件。".encode()
    assert bench.reference_text(data, lambda s: s, regexes) == 4  # 12件, 3件, 申请12, 申请3
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    assert bench._floor_chunk([str(path)]) == len(data.decode())


def test_process_tree_helpers_see_this_process() -> None:
    assert os.getpid() in bench.descendants(os.getpid())
    rss, pss = bench.rss_pss_kb(os.getpid())
    assert rss > 1000 and 0 < pss <= rss  # a Python process with pytest loaded holds well over 1 MB
    assert bench.rss_pss_kb(2**22 + 12345) == (0, 0)  # no such process (pid_max is at most 2**22)


def test_targets_and_report() -> None:
    results = _results()
    verdicts = {name.strip(): passed for name, passed, _ in bench.targets(results)}
    assert verdicts["full run ≤ 8× reference"] is True  # 50 s / 10 s = 5×
    assert verdicts["stretch: ≤ 4× reference"] is False
    assert verdicts["no-change rerun ≤ 15 s"] is True
    assert verdicts["peak memory ≤ 1.5 GB"] is True
    assert verdicts["2 workers ≥ 1.6× over 1"] is None
    text = bench.report(results)
    assert "PASS  full run ≤ 8× reference" in text and "FAIL    stretch" in text
    assert "first 2000 of 10000 documents" in text
    scaled = bench.targets(_results(100_000, single=_run("1-worker run", 90.0, parse_reports=57.0)))
    assert [(name, passed) for name, passed, _ in scaled][2:] == [
        ("no-change rerun ≤ 60 s", True),
        ("peak memory ≤ 2 GB", True),
        ("2 workers ≥ 1.6× over 1", True),  # 57 s / 30 s = 1.9×
    ]


def test_record_writes_header_once(tmp_path) -> None:
    path = tmp_path / "docs" / "benchmarks.md"
    bench.record(_results(), path)
    bench.record(_results(), path)
    lines = path.read_text(encoding="utf-8").splitlines()
    table = [line for line in lines if line.startswith("|")]
    assert len(table) == 4  # header, separator, two rows
    header = [c.strip() for c in table[0].strip("|").split("|")]
    assert header == [name for name, _ in bench.COLUMNS]
    row = [c.strip() for c in table[2].strip("|").split("|")]
    assert (
        len(row) == len(header)
        and row[2] == "10,000"
        and row[6] == "5.0"
        and row[7] == "4.2"
        and row[12] == "0.990"
    )

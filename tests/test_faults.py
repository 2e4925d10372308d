"""Faults: no partial document, no silent loss, clear errors under crashes, locks, disk limits and hostile input."""

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import duckdb
import pytest
from conftest import ROOT, SEEDS

from pipeline import batch, publish
from pipeline.process import process_document

CLI = [sys.executable, "-m", "assets.cli", "run", "--workers", "1", "--log-level", "WARNING"]


def cli(raw, warehouse, timeout=120, **kwargs):
    env = {**os.environ, "XXGK_RAW_DIR": str(raw), "XXGK_WAREHOUSE": str(warehouse)}
    return subprocess.run(CLI, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, **kwargs)


def rows(warehouse, sql):
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def raw(tmp_path):
    folder = tmp_path / "raw"
    shutil.copytree(SEEDS, folder)
    return folder


def test_locked_warehouse_fails_fast_with_one_line(raw, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    working = publish.working_path(warehouse)  # what a run writes (a session on the snapshot blocks nothing)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(working)!r}); print('ready', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        started = time.monotonic()
        result = cli(raw, warehouse, timeout=60)
        elapsed = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 2
    message = result.stderr.strip().splitlines()
    assert (
        len(message) == 1
        and str(working) in message[0]
        and "locked" in message[0]
        and "another run" in message[0]
    )
    assert elapsed < 30


def test_unwritable_warehouse_location_is_a_clear_error(raw, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    result = cli(raw, blocker / "w.duckdb")
    assert result.returncode == 2
    assert "cannot open warehouse" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_no_change_run_skips_dagster_and_a_copy_takes_over_from_its_deleted_original(raw, tmp_path):
    shutil.copy(next(raw.glob("*.txt")), raw / "zz-copy.txt")
    warehouse = tmp_path / "w.duckdb"
    assert cli(raw, warehouse).returncode == 0
    again = cli(raw, warehouse)
    assert again.returncode == 0 and again.stdout.startswith(
        f"nothing changed under {raw} since the last run"
    )
    original = rows(warehouse, "SELECT status_reason FROM reports WHERE source_file = 'zz-copy.txt'")[0][0]
    (raw / original.removeprefix("duplicate of ").removesuffix(" (identical content)")).unlink()
    # the copy itself is unchanged, but its original is gone: the run reads it again
    third = cli(raw, warehouse)
    assert third.returncode == 0 and "nothing changed" not in third.stdout
    assert rows(warehouse, "SELECT status FROM reports WHERE source_file = 'zz-copy.txt'") == [("parsed",)]


def test_a_bad_duckdb_memory_limit_is_a_clear_error(raw, tmp_path, monkeypatch):
    monkeypatch.setenv("XXGK_DUCKDB_MEMORY", "lots")
    result = cli(raw, tmp_path / "w.duckdb")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "xxgk: invalid DuckDB memory limit 'lots' (XXGK_DUCKDB_MEMORY): Parser Error: Memory must have a number (e.g. 1GB)"
    ]


def test_the_pipeline_caps_duckdb_memory(tmp_path, monkeypatch):
    from assets.resources import WarehouseResource

    with WarehouseResource(path=str(tmp_path / "w.duckdb")).connect() as conn:
        assert conn.execute("SELECT current_setting('memory_limit')").fetchone()[0] == "953.6 MiB"  # 1GB
    monkeypatch.setenv("XXGK_DUCKDB_MEMORY", "512MB")
    with WarehouseResource(path=str(tmp_path / "w.duckdb")).connect(read_only=True) as conn:
        assert conn.execute("SELECT current_setting('memory_limit')").fetchone()[0] == "488.2 MiB"


_CRASH_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from pipeline import warehouse as wh
    from assets.cli import main

    real = wh.replace_documents

    class Pausing:
        def __init__(self, conn):
            self.conn = conn
        def execute(self, sql, *args):
            out = self.conn.execute(sql, *args)
            if sql.startswith("DELETE FROM reports"):
                print("deleted-old-rows", flush=True)
                time.sleep(120)
            return out
        def __getattr__(self, name):
            return getattr(self.conn, name)

    wh.replace_documents = lambda conn, staged, gone: real(Pausing(conn), staged, gone)
    sys.exit(main(["run", "--workers", "1", "--log-level", "WARNING"]))
    """
)


def test_kill_during_load_leaves_old_rows_and_next_run_finishes(raw, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    assert cli(raw, warehouse).returncode == 0
    before = rows(warehouse, "SELECT * FROM v_reports ORDER BY ALL")
    facts_before = rows(warehouse, "SELECT * FROM v_facts ORDER BY ALL")

    edited = raw / "002_cff968de04f93286.txt"
    edited.write_bytes(edited.read_bytes() + "\n附:本报告电子版可在网站下载。".encode())
    (raw / "000_029e3df508ad443e.txt").unlink()
    env = {**os.environ, "XXGK_RAW_DIR": str(raw), "XXGK_WAREHOUSE": str(warehouse)}
    victim = subprocess.Popen(
        [sys.executable, "-c", _CRASH_SCRIPT], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        for line in victim.stdout:
            if line.strip() == "deleted-old-rows":
                break
        victim.send_signal(signal.SIGKILL)
    finally:
        victim.wait(timeout=30)
    assert victim.returncode == -signal.SIGKILL

    assert rows(warehouse, "SELECT * FROM v_reports ORDER BY ALL") == before  # old rows, never a mix
    assert rows(warehouse, "SELECT * FROM v_facts ORDER BY ALL") == facts_before

    assert cli(raw, warehouse).returncode == 0
    after = {r[0] for r in rows(warehouse, "SELECT source_file FROM v_reports")}
    assert "000_029e3df508ad443e.txt" not in after and len(after) == 4
    statuses = [r[0] for r in rows(warehouse, "SELECT status FROM ingest_runs ORDER BY started_at, status")]
    assert statuses.count("failed") == 1 and statuses.count("succeeded") == 2


def test_file_size_limit_stops_a_disk_filling_write(raw, tmp_path):
    """RLIMIT_FSIZE makes writes fail with EFBIG, as on a full disk: the previous warehouse stays intact."""
    import resource

    warehouse = tmp_path / "w.duckdb"
    assert cli(raw, warehouse).returncode == 0
    before = rows(warehouse, "SELECT * FROM v_facts ORDER BY ALL")
    for i in range(300):
        shutil.copy(SEEDS / "000_029e3df508ad443e.txt", raw / f"extra-{i}.txt")
        with open(raw / f"extra-{i}.txt", "ab") as fh:
            fh.write(f"\n附件{i}".encode())
    limit = warehouse.stat().st_size

    def cap():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = cli(raw, warehouse, preexec_fn=cap)
    assert result.returncode != 0
    assert result.stderr.strip(), "a failure must say something"
    assert rows(warehouse, "SELECT * FROM v_facts ORDER BY ALL") == before
    assert cli(raw, warehouse).returncode == 0  # with room again, the next run finishes the work


def test_unreadable_inputs_are_quarantined_with_reasons(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SEEDS / "002_cff968de04f93286.txt", raw / "ok.txt")
    (raw / "loop.txt").symlink_to(raw / "loop.txt")
    (raw / "looking-like-a-file.txt").mkdir()
    (raw / "looking-like-a-file.txt" / "inner.txt").write_bytes(b"")
    (raw / "sub").mkdir()
    (raw / "sub" / "up").symlink_to(raw, target_is_directory=True)  # a folder loop
    os.mkfifo(raw / "pipe.txt")
    entries = {e.source_file: e for e in batch.scan(raw)}
    assert "ok.txt" in entries and "looking-like-a-file.txt/inner.txt" in entries
    assert entries["loop.txt"].unreadable and entries["pipe.txt"].unreadable
    results = {e.source_file: batch.process_entry(e, max_bytes=10_000_000) for e in entries.values()}
    assert results["ok.txt"].status == "parsed"
    assert results["loop.txt"].status == "quarantined" and "unreadable" in results["loop.txt"].status_reason
    assert results["pipe.txt"].status_reason.startswith("not a regular file")

    vanished = batch.FileEntry("gone.txt", str(raw / "gone.txt"), 10, 0)
    assert batch.process_entry(vanished, 1000).status_reason == "file vanished between listing and reading"

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("builtins.open", denied)
    result = batch.process_entry(entries["ok.txt"], 10_000_000)
    assert result.status == "quarantined" and result.status_reason == "unreadable: Permission denied"


def test_huge_file_is_quarantined_unread(tmp_path):
    huge = tmp_path / "huge.txt"
    with open(huge, "wb") as fh:  # sparse: 500 MB on paper, nothing on disk
        fh.truncate(500 * 1024 * 1024)
    entry = batch.scan(tmp_path)[0]
    result = batch.process_entry(entry, max_bytes=20 * 1024 * 1024)
    assert result.status == "quarantined" and result.status_reason.startswith("file too large: 524.3 MB")


@pytest.mark.parametrize(
    "content",
    [
        "政府信息公开工作年度报告\n" + "|" * 1_000_000,
        "政府信息公开工作年度报告\n" + " | ".join(str(i) for i in range(100_000)),
        "政府信息公开工作年度报告 " + "共收到申请12件，".join("" for _ in range(20_000)) + "。" * 10,
        "<html><body>" + "<div>" * 50_000 + "政府信息公开工作年度报告" + "</div>" * 50_000 + "</body></html>",
        "政府信息公开工作年度报告\x00\x00" + "一、本年新收政府信息公开申请数量 | 3 |\n" * 20_000,
    ],
    ids=["million-pipes", "100k-numbers", "repeated-sentences", "deep-html", "nul-and-many-rows"],
)
def test_hostile_content_is_bounded(content):
    started = time.monotonic()
    result = process_document(
        content.encode(), "hostile.html" if content.startswith("<html") else "hostile.txt", time_budget=30
    )
    assert time.monotonic() - started < 30
    assert result.status in {"parsed", "quarantined"}


def test_time_budget_quarantines_a_slow_document():
    data = (SEEDS / "000_029e3df508ad443e.txt").read_bytes() * 50
    result = process_document(data, "slow.txt", time_budget=0.001)
    assert result.status == "quarantined" and "time budget" in result.status_reason


def test_no_absolute_paths_reach_the_warehouse(raw, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    (raw / "empty.txt").write_bytes(b"")
    (raw / "名字 with 'quote'; and\nnewline.txt").write_bytes(
        (SEEDS / "003_eb83874eac59da99.txt").read_bytes() + b"\n"
    )
    assert cli(raw, warehouse).returncode == 0
    names = {r[0] for r in rows(warehouse, "SELECT source_file FROM v_reports")}
    assert "名字 with 'quote'; and\nnewline.txt" in names
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        for table, column in conn.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal AND data_type = 'VARCHAR'"
        ).fetchall():
            hits = conn.execute(
                f'SELECT count(*) FROM "{table}" WHERE "{column}" LIKE ?', [f"%{tmp_path}%"]
            ).fetchone()[0]
            assert hits == 0, f"{table}.{column} holds a machine path"


def test_make_dev_binds_loopback_only():
    makefile = (ROOT / "Makefile").read_text()
    dev = makefile[makefile.index("\ndev:") :].split("\n\n")[0]
    assert "-h 127.0.0.1" in dev

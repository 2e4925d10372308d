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

from assets.resources import usable_cores
from pipeline import batch, publish
from pipeline import warehouse as wh
from pipeline.process import process_document

CLI = [sys.executable, "-m", "assets.cli", "run", "--workers", "1", "--log-level", "WARNING"]


def cli(raw, warehouse, timeout=120, **kwargs):
    env = {**os.environ, "XXGK_RAW_DIR": str(raw), "XXGK_WAREHOUSE": str(warehouse)}
    return subprocess.run(CLI, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, **kwargs)


def rows(warehouse, sql):
    """What the runs committed: the working database (the published snapshot lags a failed run)."""
    working = publish.working_path(warehouse)
    with duckdb.connect(str(working if working.exists() else warehouse), read_only=True) as conn:
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


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "XXGK_TIME_BUDGET",
            "nan",
            "XXGK_TIME_BUDGET must be a number of seconds above 0 and at most 86400, got 'nan'",
        ),
        (
            "XXGK_TIME_BUDGET",
            "inf",
            "XXGK_TIME_BUDGET must be a number of seconds above 0 and at most 86400, got 'inf'",
        ),
        (
            "XXGK_TIME_BUDGET",
            "-1",
            "XXGK_TIME_BUDGET must be a number of seconds above 0 and at most 86400, got '-1'",
        ),
        (
            "XXGK_MAX_BYTES",
            "-1",
            "XXGK_MAX_BYTES must be a whole number of bytes from 1 to 1000000000, got '-1'",
        ),
        (
            "XXGK_MAX_BYTES",
            "1e6",
            "XXGK_MAX_BYTES must be a whole number of bytes from 1 to 1000000000, got '1e6'",
        ),
        ("XXGK_WORKERS", "abc", "XXGK_WORKERS must be a whole number of processes from 0 to 1024, got 'abc'"),
        ("XXGK_WORKERS", "-2", "XXGK_WORKERS must be a whole number of processes from 0 to 1024, got '-2'"),
        (
            "XXGK_OCR_THREADS",
            "all",
            f"XXGK_OCR_THREADS must be a whole number of threads (-1: every core) from -1 to {4 * usable_cores()}, got 'all'",
        ),
        (
            "XXGK_DUCKDB_MEMORY",
            "1KB",
            "XXGK_DUCKDB_MEMORY must be a size like 1GB or 512MB, from 64MB to this machine's",
        ),
        (
            "XXGK_DUCKDB_MEMORY",
            "lots",
            "XXGK_DUCKDB_MEMORY must be a size like 1GB or 512MB, from 64MB to this machine's",
        ),
    ],
)
def test_a_bad_setting_is_one_line_naming_it_and_exit_2(
    raw, tmp_path, monkeypatch, capsys, variable, value, message
):
    from assets.cli import main

    monkeypatch.setenv("XXGK_RAW_DIR", str(raw))
    monkeypatch.setenv("XXGK_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv(variable, value)
    assert main(["run"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"xxgk: {message}"), lines
    assert not (tmp_path / "w.duckdb").exists()  # refused before anything was written


def test_a_warehouse_path_with_a_question_mark_is_refused_in_one_line(raw, tmp_path):
    result = cli(raw, tmp_path / "q?x" / "w.duckdb")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"xxgk: warehouse path {tmp_path}/q?x/w.duckdb contains '?', which DuckDB cannot use (XXGK_WAREHOUSE)"
    ]


def test_workers_are_capped_at_the_usable_cores(monkeypatch):
    from assets.resources import XxgkSettings, usable_cores

    monkeypatch.setenv("XXGK_WORKERS", "16")
    assert XxgkSettings().worker_count() == min(16, usable_cores())
    assert XxgkSettings(workers=1).worker_count() == 1
    monkeypatch.setenv("XXGK_WORKERS", "0")
    assert XxgkSettings().worker_count() == usable_cores()


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_damaged_warehouse_file_is_one_line_and_exit_2(raw, tmp_path, damage):
    """Garbage where a first run finds the warehouse, or a truncated working database (the file a
    run reads and writes): one line naming the file, exit 2."""
    warehouse = tmp_path / "w.duckdb"
    damaged = warehouse
    if damage == "garbage":
        warehouse.write_bytes(b"this is not a database\n" * 1000)
    else:
        assert cli(raw, warehouse).returncode == 0
        damaged = tmp_path / "w.working.duckdb"
        data = damaged.read_bytes()
        damaged.write_bytes(data[: len(data) // 3])
        (tmp_path / "w.working.duckdb.wal").unlink(missing_ok=True)
    result = cli(raw, warehouse)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("xxgk: cannot open warehouse "), lines
    assert str(damaged) in lines[0] or str(warehouse) in lines[0]
    assert "move the file away to rebuild it" in lines[0]


def test_a_damaged_published_snapshot_is_replaced_by_the_next_run(raw, tmp_path):
    """Analysts' snapshot truncated (the run never reads it): the next run publishes a whole one."""
    warehouse = tmp_path / "w.duckdb"
    assert cli(raw, warehouse).returncode == 0
    before = rows(warehouse, "SELECT source_file, status FROM v_reports ORDER BY 1")
    warehouse.write_bytes(warehouse.read_bytes()[:4096])
    assert cli(raw, warehouse).returncode == 0  # nothing changed: the run publishes all the same
    assert rows(warehouse, "SELECT source_file, status FROM v_reports ORDER BY 1") == before
    assert before


def test_a_warehouse_on_a_read_only_filesystem_is_one_line_and_exit_2(raw, tmp_path, monkeypatch, capsys):
    import errno

    from assets.cli import main

    monkeypatch.setenv("XXGK_RAW_DIR", str(raw))
    monkeypatch.setenv("XXGK_WAREHOUSE", str(tmp_path / "w.duckdb"))
    real_open = os.open

    def read_only_fs(path, flags, *args):
        if flags & (os.O_RDWR | os.O_WRONLY | os.O_CREAT):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", read_only_fs)
    assert main(["run"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        f"xxgk: cannot open warehouse {tmp_path}/w.duckdb: cannot create w.duckdb.run.lock: Read-only file system"
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

    wh.replace_documents = lambda conn, *args: real(Pausing(conn), *args)
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

    monkeypatch.setattr(os, "open", denied)
    result = batch.process_entry(entries["ok.txt"], 10_000_000)
    assert result.status == "quarantined" and result.status_reason == "unreadable: Permission denied"
    assert result.n_bytes == batch.UNKNOWN_SIZE  # so the next run tries again


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


# --- one run at a time ---------------------------------------------------------------------------

_HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from pipeline.warehouse import run_lock
    with run_lock(sys.argv[1]):
        print("holding", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


def _hold_run_lock(warehouse, seconds):
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(warehouse), str(seconds)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "holding"
    return holder


def test_a_second_run_says_so_in_one_line_or_waits_and_a_killed_holder_leaves_no_lock(raw, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    holder = _hold_run_lock(warehouse, 60)
    try:
        refused = cli(raw, warehouse)
        assert refused.returncode == 2
        assert refused.stderr.strip().splitlines() == [
            f"xxgk: another xxgk run (pid {holder.pid}) is using warehouse {warehouse}; "
            "wait for it to finish, or run with --wait"
        ]
        assert not warehouse.exists()  # nothing planned, nothing written
    finally:
        holder.kill()  # kill -9: the kernel drops the lock with the process
        holder.wait()
    assert cli(raw, warehouse).returncode == 0

    holder = _hold_run_lock(warehouse, 3)
    env = {**os.environ, "XXGK_RAW_DIR": str(raw), "XXGK_WAREHOUSE": str(warehouse)}
    waited = subprocess.run([*CLI, "--wait"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert holder.wait() == 0  # the holder finished its 3 s before the waiting run went on
    assert waited.returncode == 0 and waited.stdout.startswith("nothing changed")


def test_a_dagster_run_takes_the_run_lock_too(tmp_path):
    from assets.cli import materialize_all
    from assets.resources import WarehouseResource, XxgkSettings

    warehouse = tmp_path / "w.duckdb"
    holder = _hold_run_lock(warehouse, 60)
    try:
        result = materialize_all(
            XxgkSettings(raw_dir=str(SEEDS), workers=1), WarehouseResource(path=str(warehouse))
        )
    finally:
        holder.kill()
        holder.wait()
    assert not result.success
    errors = "".join(str(e.event_specific_data) for e in result.all_events if e.is_failure)
    assert f"another xxgk run (pid {holder.pid}) is using warehouse {warehouse}" in errors
    assert not warehouse.exists()


def test_runs_stage_apart_and_what_a_dead_run_staged_is_never_loaded(raw, tmp_path):
    import pyarrow as pa

    warehouse = tmp_path / "w.duckdb"
    staging = tmp_path / "w.staging"
    # what a dead run (or an orphaned worker) left: the old shared layout and another run's folder
    for folder in (staging / "00-0f", staging / "dead-run"):
        stage = batch.Stage(folder)
        stage.reset()
        stage.write_reports(0, [{"report_id": "f" * 16, "source_file": "foreign.txt", "status": "parsed",
                                 "n_bytes": 1, "mtime_ns": 1, "extractor_version": "x", "run_id": "dead"}])  # fmt: skip
        stage.write(0, {"normalized_text": pa.table({"report_id": ["f" * 16], "source_file": ["foreign.txt"],
                                                     "text": ["x"], "text_fingerprint": ["x"]},
                                                    schema=batch.STAGED_SCHEMAS["normalized_text"])})  # fmt: skip
    assert cli(raw, warehouse).returncode == 0
    assert rows(warehouse, "SELECT count(*) FROM reports WHERE source_file = 'foreign.txt'") == [(0,)]
    assert rows(warehouse, "SELECT count(*) FROM report_texts WHERE report_id = 'ffffffffffffffff'") == [(0,)]
    assert list(staging.iterdir()) == []  # swept, and the run's own folder removed after its load


def test_a_glob_character_in_the_staging_path_matches_only_itself(tmp_path):
    import pyarrow as pa

    stages = {name: batch.Stage(tmp_path / name / "w.staging" / "run") for name in ("wh1", "wh[1]", "a*b?")}
    for name, stage in stages.items():
        stage.reset()
        stage.write_reports(0, [{"report_id": name, "source_file": name, "status": "parsed"}])
    with duckdb.connect() as conn:
        for name, stage in stages.items():
            assert conn.execute(
                "SELECT report_id FROM read_parquet(?)", [stage.glob("reports")]
            ).fetchall() == [(name,)]
    del pa


def test_an_interrupt_right_after_commit_keeps_the_commit_and_its_run_record(tmp_path):
    from pipeline import warehouse as wh

    class InterruptAfterCommit:
        def __init__(self, conn):
            self.conn = conn

        def execute(self, sql, *args):
            out = self.conn.execute(sql, *args)
            if sql == "COMMIT":
                raise KeyboardInterrupt  # SIGTERM handled between COMMIT and the next statement
            return out

        def __getattr__(self, name):
            return getattr(self.conn, name)

    stage = batch.Stage(tmp_path / "stage")
    stage.reset()
    entries = batch.scan(SEEDS)
    results = [batch.process_entry(e, 20_000_000) for e in entries]
    stage.write(0, batch.to_arrow(results, {e.source_file: e.mtime_ns for e in entries}, "r1"))
    staged = {name: stage.glob(name) for name in batch.STAGED_TABLES if stage.has(name)}
    with wh.connect(tmp_path / "w.duckdb") as conn:
        wh.ensure_schema(conn)
        with pytest.raises(KeyboardInterrupt):
            wh.replace_documents(
                InterruptAfterCommit(conn), staged, [], {"run_id": "r1", "status": "running"}
            )
        assert wh.run_status(conn, "r1") == "succeeded"
        assert wh.current_load(conn) == "r1"
        assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 5


# --- hostile paths --------------------------------------------------------------------------------


def test_scan_does_not_follow_links_out_of_the_raw_folder_nor_list_the_warehouse_outputs(tmp_path):
    raw = tmp_path / "raw"
    (raw / "sub").mkdir(parents=True)
    shutil.copy(SEEDS / "002_cff968de04f93286.txt", raw / "ok.txt")
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("政府信息公开")
    (raw / "out.txt").symlink_to(outside)
    (raw / "up").symlink_to(tmp_path, target_is_directory=True)  # up -> ..
    (raw / "sub" / "in.txt").symlink_to(raw / "ok.txt")  # inside: followed
    (raw / "wh").mkdir()
    (raw / "wh" / "w.duckdb").write_bytes(b"db")
    (raw / "wh" / "w.staging" / "run").mkdir(parents=True)
    (raw / "wh" / "w.staging" / "run" / "plan.json").write_text("{}")
    entries = {
        e.source_file: e for e in batch.scan(raw, exclude=[raw / "wh" / "w.duckdb", raw / "wh" / "w.staging"])
    }
    assert sorted(entries) == ["ok.txt", "out.txt", "sub/in.txt", "up"]
    reason = "symbolic link to outside the raw folder (not followed)"
    assert entries["out.txt"].unreadable == entries["up"].unreadable == reason
    assert not entries["sub/in.txt"].unreadable


def test_a_fifo_swapped_in_after_listing_is_quarantined_not_waited_on(tmp_path):
    import threading

    path = tmp_path / "report.txt"
    shutil.copy(SEEDS / "002_cff968de04f93286.txt", path)
    (entry,) = batch.scan(tmp_path)
    path.unlink()
    os.mkfifo(path)  # nobody will ever write to it
    results = []
    reader = threading.Thread(
        target=lambda: results.append(batch.process_entry(entry, 20_000_000)), daemon=True
    )
    reader.start()
    reader.join(10)
    assert not reader.is_alive(), "the reader blocked on a FIFO"
    assert results[0].status_reason == "not a regular file (fifo)"
    assert results[0].n_bytes == entry.n_bytes  # the listed size: unchanged next time, not read again


def test_hostile_paths_one_run_then_nothing_changed(raw, tmp_path, monkeypatch):
    """Links out of the raw folder, the warehouse inside it, a FIFO, a too-large file and a GBK file name."""
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(SEEDS / "003_eb83874eac59da99.txt", outside / "foreign.txt")
    (raw / "up").symlink_to(tmp_path, target_is_directory=True)
    (raw / "foreign.txt").symlink_to(outside / "foreign.txt")
    os.mkfifo(raw / "pipe.txt")
    with open(raw / "huge.txt", "wb") as fh:
        fh.truncate(30_000_000)  # sparse, over the 20 MB default
    gbk_name = os.fsencode(raw) + b"/" + "报告".encode("gbk") + b".txt"
    with open(gbk_name, "wb") as fh:
        fh.write((SEEDS / "001_3a58e5e5c460d840.txt").read_bytes() + b"\n")
    warehouse = (
        raw / "wh" / "w.duckdb"
    )  # the warehouse, its staging, Parquet and Data Docs inside the raw folder
    first = cli(raw, warehouse)
    assert first.returncode == 0, first.stderr
    reports = dict(rows(warehouse, "SELECT source_file, status || ': ' || status_reason FROM v_reports"))
    link = "quarantined: symbolic link to outside the raw folder (not followed)"
    assert reports.pop("up") == reports.pop("foreign.txt") == link
    assert reports.pop("pipe.txt") == "quarantined: not a regular file (fifo)"
    assert reports.pop("huge.txt").startswith("quarantined: file too large: 30.0 MB exceeds the 20.97")
    assert reports.pop("\\xb1\\xa8\\xb8\\xe6.txt") == "parsed: "
    assert sorted(reports) == sorted(p.name for p in SEEDS.glob("*.txt"))  # nothing of wh/ was read
    assert rows(warehouse, "SELECT n_bytes FROM reports WHERE source_file = 'huge.txt'") == [(30_000_000,)]
    again = cli(raw, warehouse)
    assert again.returncode == 0 and again.stdout.startswith("nothing changed"), again.stdout + again.stderr


# --- steps are completed, not assumed ------------------------------------------------------------


def test_a_failed_quality_step_is_redone_by_the_next_plain_run(raw, tmp_path, monkeypatch):
    from assets.cli import materialize_all
    from assets.resources import WarehouseResource, XxgkSettings
    from pipeline import identities

    warehouse = tmp_path / "w.duckdb"

    def broken(*args):
        raise RuntimeError("disk trouble while writing findings")

    monkeypatch.setattr(identities, "replace_identity_findings", broken)
    settings, resource = XxgkSettings(raw_dir=str(raw), workers=1), WarehouseResource(path=str(warehouse))
    failed = materialize_all(settings, resource, "WARNING")
    assert not failed.success
    assert not warehouse.exists()
    # the exports and the snapshot read the findings: none of them ran
    assert rows(warehouse, "SELECT step FROM step_completions ORDER BY step") == [("load",)]
    monkeypatch.undo()
    rerun = cli(raw, warehouse)  # no file changed, yet the quality step did not complete
    assert rerun.returncode == 0 and "nothing changed" not in rerun.stdout
    steps = rows(warehouse, "SELECT step, load_run_id FROM step_completions ORDER BY step")
    assert [s for s, _ in steps] == ["load", *sorted(wh.DERIVED_STEPS)]
    assert len({load for _, load in steps}) == 1
    assert cli(raw, warehouse).stdout.startswith("nothing changed")


# --- workers die with their run ------------------------------------------------------------------

_ORPHAN_SCRIPT = textwrap.dedent(
    """
    import multiprocessing, os, time
    from concurrent.futures import ProcessPoolExecutor
    from pipeline import batch

    if __name__ == "__main__":
        pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=batch.die_with_parent, initargs=(os.getpid(),))
        pids = {f.result() for f in [pool.submit(os.getpid) for _ in range(8)]}
        print(" ".join(map(str, sorted(pids))), flush=True)
        pool.submit(time.sleep, 300)
        time.sleep(300)
    """
)


def test_parse_workers_die_when_their_parent_is_killed():
    import psutil

    parent = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN_SCRIPT], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    workers = [psutil.Process(int(pid)) for pid in parent.stdout.readline().split()]
    assert workers and all(w.ppid() == parent.pid for w in workers)
    parent.kill()
    parent.wait()
    gone, alive = psutil.wait_procs(workers, timeout=10)
    assert alive == []


# --- interrupts and chaos: kill -9, SIGTERM, SIGINT and overlapping runs on a synthetic corpus ----

#: Big enough that the parse takes seconds on two workers, small enough for CI.
CHAOS_DOCS = 400


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """`full`: every document; `raw`: nine in ten of them; `held`: the tenth held back."""
    from bench import synth

    root = tmp_path_factory.mktemp("chaos")
    folders = {name: root / name for name in ("full", "raw", "held")}
    for folder in folders.values():
        folder.mkdir()
    for i, (name, data, _gold) in enumerate(synth.generate(CHAOS_DOCS, seed=14)):
        (folders["full"] / name).write_bytes(data)
        (folders["held" if i % 10 == 0 else "raw"] / name).write_bytes(data)
    return folders


class Running:
    """A CLI run in its own session, its stderr collected line by line (so waiting on a line never blocks it)."""

    def __init__(self, raw, warehouse, *flags, log_level="INFO"):
        import threading

        env = {**os.environ, "XXGK_RAW_DIR": str(raw), "XXGK_WAREHOUSE": str(warehouse)}
        command = [
            sys.executable,
            "-m",
            "assets.cli",
            "run",
            "--workers",
            "2",
            "--log-level",
            log_level,
            *flags,
        ]
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True,
        )  # fmt: skip
        self.lines: list[str] = []
        self._reader = threading.Thread(target=lambda: self.lines.extend(self.proc.stderr), daemon=True)
        self._reader.start()

    def wait_for(self, text: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in list(self.lines)):
            assert self.proc.poll() is None, f"the run ended before {text!r}: {self.lines[-5:]}"
            assert time.monotonic() < deadline, f"no {text!r} within {timeout} s"
            time.sleep(0.05)

    def wait_for_workers(self, timeout: float = 180):
        """The run's processes once its parse workers are up."""
        import psutil

        deadline = time.monotonic() + timeout
        while len(children := psutil.Process(self.proc.pid).children(recursive=True)) < 2:
            assert self.proc.poll() is None and time.monotonic() < deadline, "no parse workers started"
            time.sleep(0.05)
        return children

    def finish(self, timeout: float = 300) -> tuple[int, str, list[str]]:
        stdout = self.proc.stdout.read()  # stderr is the reader thread's
        self.proc.wait(timeout)
        self._reader.join(10)
        return self.proc.returncode, stdout, [line.rstrip("\n") for line in self.lines]


def assert_no_process_left(processes) -> None:
    import psutil

    _, alive = psutil.wait_procs(processes, timeout=15)
    assert alive == [], f"left behind: {alive}"


def snapshot(warehouse):
    """What a run leaves for analysts: the contract views and the Parquet export (run ids and copies' mtimes aside)."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        state = {view: conn.execute(f"SELECT * FROM {view} ORDER BY ALL").fetchall()
                 for view in ("v_reports", "v_facts", "v_quality_findings")}  # fmt: skip
        for part in sorted((warehouse.parent / "parquet").glob("*.parquet")):
            if part.stem != "ingest_runs":
                state[part.name] = conn.execute(
                    "SELECT COLUMNS(lambda c: c NOT IN ('run_id', 'mtime_ns')) FROM read_parquet(?) ORDER BY ALL",
                    [str(part)],
                ).fetchall()
    return state


def test_kills_and_overlapping_runs_each_followed_by_a_plain_rerun_leave_the_clean_warehouse(
    corpus, tmp_path
):
    base = tmp_path / "base" / "w.duckdb"
    assert cli(corpus["full"], base, timeout=300).returncode == 0
    expected = snapshot(base)
    assert len(expected["v_reports"]) == CHAOS_DOCS and len(expected["v_facts"]) > 10 * CHAOS_DOCS

    raw = tmp_path / "raw"
    shutil.copytree(corpus["raw"], raw)
    warehouse = tmp_path / "chaos" / "w.duckdb"

    # 1. kill -9 during the parse: no worker survives it
    victim = Running(raw, warehouse)
    processes = victim.wait_for_workers()
    time.sleep(1)
    victim.proc.kill()
    assert victim.finish()[0] == -signal.SIGKILL
    assert_no_process_left(processes)

    # 2. the plain rerun, while a second run started mid-parse is refused and a third waits its turn
    rerun = Running(raw, warehouse)
    rerun.wait_for_workers()
    second = cli(raw, warehouse)
    assert second.returncode == 2 and "another xxgk run" in second.stderr
    assert len(second.stderr.strip().splitlines()) == 1
    third = Running(raw, warehouse, "--wait")
    assert rerun.finish()[0] == 0
    code, stdout, lines = third.finish()
    assert code == 0 and stdout.startswith("nothing changed"), lines[-3:]

    # 3. new files, and kill -9 during the quality step (their load has committed)
    for held in corpus["held"].iterdir():
        shutil.copy(held, raw / held.name)
    victim = Running(raw, warehouse, log_level="DEBUG")
    victim.wait_for('Started execution of step "quality_findings"')
    processes = __import__("psutil").Process(victim.proc.pid).children(recursive=True)
    victim.proc.kill()
    victim.finish()
    assert_no_process_left(processes)

    # 4. one plain rerun redoes what did not complete
    code, stdout, lines = Running(raw, warehouse).finish()
    assert code == 0 and "nothing changed" not in stdout, lines[-5:]
    assert snapshot(warehouse) == expected
    assert not any((warehouse.parent / "w.staging").iterdir())


def test_sigterm_during_the_parse_and_sigint_during_the_quality_step_stop_with_one_line(corpus, tmp_path):
    warehouse = tmp_path / "w.duckdb"

    run = Running(corpus["full"], warehouse)
    processes = run.wait_for_workers()
    run.proc.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    code, stdout, lines = run.finish()
    assert time.monotonic() - signalled < 15
    assert code == 128 + signal.SIGTERM
    assert lines[-1] == "xxgk: interrupted by SIGTERM; nothing of this run committed"
    assert not any("Traceback" in line or "Interrupted" in line for line in lines), lines
    assert_no_process_left(processes)
    assert rows(warehouse, "SELECT count(*) FROM reports") == [(0,)]

    run = Running(corpus["full"], warehouse, log_level="DEBUG")
    run.wait_for('Started execution of step "quality_findings"')
    run.proc.send_signal(signal.SIGINT)
    code, stdout, lines = run.finish()
    assert code == 128 + signal.SIGINT
    assert lines[-1].startswith("xxgk: interrupted by SIGINT; every document load committed; not done: "), (
        lines[-1]
    )
    assert "quality_findings" in lines[-1]
    assert not any("Traceback" in line or "Interrupted" in line for line in lines), lines
    assert rows(warehouse, "SELECT status, files_new FROM ingest_runs") == [("succeeded", CHAOS_DOCS)]
    assert rows(warehouse, "SELECT count(*) FROM reports") == [(CHAOS_DOCS,)]

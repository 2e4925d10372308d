"""Shards, the raw-folder sensor, the nightly schedule, sharded runs, instance limits, the Dask path."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from conftest import ROOT, SEEDS

from assets.cli import materialize_all
from assets.definitions import defs
from assets.defs.partitions import RANGE_END_TAG, RANGE_START_TAG, all_shards_tags, range_tags, shards
from assets.defs.schedules import INGEST_TAG, nightly_reingest
from assets.defs.sensors import raw_dir_sensor
from assets.resources import WarehouseResource, XxgkSettings
from pipeline import batch

SHARDS = shards.get_partition_keys()
#: the seeds' shards with 16 shards: 04, 0f (two files), 0d, 02
EDITED, OTHER = "002_cff968de04f93286.txt", "000_029e3df508ad443e.txt"


# --- the pure shard helpers ------------------------------------------------------------------------


def test_a_file_keeps_its_shard_across_processes_and_versions():
    # Pinned: a different hash would silently re-shard every warehouse (harmless, but a full re-plan).
    assert [batch.shard_of(p.name) for p in sorted(SEEDS.glob("*.txt"))] == ["04", "0f", "0f", "0d", "02"]
    assert batch.shard_of("sub dir/报告.txt", 64) == batch.shard_of("sub dir/报告.txt", 64)
    assert SHARDS == [f"{i:02x}" for i in range(16)] == batch.shard_keys()


def test_shards_are_even_enough_to_bound_every_run():
    counts = {k: 0 for k in SHARDS}
    for i in range(16_000):
        counts[batch.shard_of(f"省/市/{i}.txt")] += 1
    assert min(counts.values()) > 900 and max(counts.values()) < 1100  # 1000 each, give or take 10%


@pytest.mark.parametrize(
    ("changed", "ranges"),
    [
        ([], []),
        (["03"], [("03", "03")]),
        (["00", "01", "02", "05", "0f", "0e"], [("00", "02"), ("05", "05"), ("0e", "0f")]),
        (SHARDS, [("00", "0f")]),  # everything changed: one run
    ],
)
def test_changed_shards_group_into_the_fewest_contiguous_runs(changed, ranges):
    assert batch.contiguous_ranges(changed, SHARDS) == ranges


def test_fingerprints_cover_every_shard_and_ignore_listing_order(tmp_path):
    shutil.copytree(SEEDS, tmp_path / "raw")
    entries = batch.scan(tmp_path / "raw")
    digests = batch.shard_fingerprints(entries)
    assert set(digests) == set(SHARDS)  # empty shards too: emptying a shard is a change
    assert batch.shard_fingerprints(reversed(entries)) == digests
    assert batch.shard_fingerprints(entries, version="9.9.9") != digests  # a new extractor re-reads all


# --- the sensor ------------------------------------------------------------------------------------


def tick(raw: Path, cursor: str | None):
    context = dg.build_sensor_context(cursor=cursor, resources={"settings": XxgkSettings(raw_dir=str(raw))})
    return raw_dir_sensor(context)


def requested_ranges(result) -> list[tuple[str, str]]:
    return [
        (r.partition_key, r.partition_key)
        if r.partition_key
        else (r.tags[RANGE_START_TAG], r.tags[RANGE_END_TAG])
        for r in result.run_requests
    ]


@pytest.fixture
def raw(tmp_path) -> Path:
    folder = tmp_path / "raw"
    shutil.copytree(SEEDS, folder)
    return folder


def test_first_tick_requests_one_run_over_every_shard(raw):
    result = tick(raw, None)
    assert requested_ranges(result) == [("00", "0f")]
    assert result.run_requests[0].run_key.startswith("00-0f:")


def test_nothing_changed_nothing_requested(raw):
    first = tick(raw, None)
    again = tick(raw, first.cursor)
    assert isinstance(again, dg.SkipReason)


def test_an_added_file_requests_only_its_shard(raw):
    cursor = tick(raw, None).cursor
    (raw / "new").mkdir()
    shutil.copy(SEEDS / OTHER, raw / "new" / "copy.txt")
    result = tick(raw, cursor)
    shard = batch.shard_of("new/copy.txt")
    assert requested_ranges(result) == [(shard, shard)]
    assert isinstance(tick(raw, result.cursor), dg.SkipReason)  # the same state never triggers twice


def test_a_changed_file_requests_only_its_shard(raw):
    cursor = tick(raw, None).cursor
    with open(raw / EDITED, "ab") as fh:
        fh.write("\n附件：无。".encode())
    result = tick(raw, cursor)
    assert requested_ranges(result) == [("0f", "0f")]


def test_a_deleted_file_requests_its_shard_even_when_the_shard_becomes_empty(raw):
    cursor = tick(raw, None).cursor
    (raw / OTHER).unlink()  # the only seed in shard 04
    result = tick(raw, cursor)
    assert requested_ranges(result) == [("04", "04")]


def test_changes_in_several_shards_become_one_run_per_contiguous_range(raw):
    cursor = tick(raw, None).cursor
    (raw / "003_eb83874eac59da99.txt").unlink()  # shard 0d
    with open(raw / EDITED, "ab") as fh:  # shard 0f
        fh.write(b"\n")
    (raw / "000_029e3df508ad443e.txt").unlink()  # shard 04
    result = tick(raw, cursor)
    assert requested_ranges(result) == [("04", "04"), ("0d", "0d"), ("0f", "0f")]


def test_run_key_is_the_state_so_a_lost_cursor_replays_the_same_key(raw):
    cursor = tick(raw, None).cursor
    with open(raw / EDITED, "ab") as fh:
        fh.write(b"\n")
    once, twice = tick(raw, cursor), tick(raw, cursor)
    assert [r.run_key for r in once.run_requests] == [r.run_key for r in twice.run_requests]
    # Dagster drops a run request whose run_key this sensor already used: no second run.


def test_the_cursor_stays_small_whatever_the_number_of_files(raw):
    for i in range(300):
        (raw / f"extra_{i:03d}.txt").write_text("x" * i)
    cursor = tick(raw, None).cursor
    assert len(cursor) < 1500 and "extra_" not in cursor
    assert set(json.loads(cursor)["shards"]) == set(SHARDS)


def test_a_missing_raw_folder_is_a_skip_not_an_error(tmp_path):
    assert isinstance(tick(tmp_path / "nowhere", None), dg.SkipReason)


# --- the schedule and the job ---------------------------------------------------------------------


def test_nightly_schedule_runs_every_shard_at_two_in_china():
    assert nightly_reingest.cron_schedule == "0 2 * * *"
    assert nightly_reingest.execution_timezone == "Asia/Shanghai"
    assert nightly_reingest.job_name == "ingest"
    [request] = nightly_reingest.evaluate_tick(dg.build_schedule_context()).run_requests
    assert request.partition_key_range == dg.PartitionKeyRange("00", "0f")


def test_ingest_job_targets_every_ingest_asset_and_carries_the_run_limit_tag():
    job = defs().resolve_job_def("ingest")
    keys = {k.to_user_string() for k in job.asset_layer.executable_asset_keys}
    assert {"raw_reports", "normalized_reports", "section_requests", "reports", "fact_requests"} <= keys
    assert job.tags[INGEST_TAG] == "true"
    assert job.partitions_def == shards


def test_every_duckdb_step_is_in_the_single_slot_warehouse_pool():
    pools = {key.to_user_string(): a.node_def.pool for a in defs().assets for key in a.keys}
    assert pools["raw_reports"] == pools["reports"] == pools["fact_requests"] == "warehouse"
    config = yaml.safe_load((ROOT / "dagster_instance.yaml").read_text())
    with dg.instance_for_test(overrides=config) as instance:
        limits = instance.get_concurrency_config()
        assert limits.pool_config.default_pool_limit == 1
        assert limits.run_queue_config.tag_concurrency_limits == [{"key": INGEST_TAG, "limit": 1}]


# --- runs over shards -------------------------------------------------------------------------------


def test_make_run_is_one_run_over_every_shard_and_every_asset(tmp_path):
    result = materialize_all(
        XxgkSettings(raw_dir=str(SEEDS), workers=1),
        WarehouseResource(path=str(tmp_path / "w.duckdb")),
        "WARNING",
    )
    assert result.success
    materialized = {}
    for event in result.get_asset_materialization_events():
        key = event.asset_key.to_user_string()
        materialized.setdefault(key, set()).add(event.partition)
    every_asset = {k.to_user_string(): a.partitions_def for a in defs().assets for k in a.keys}
    assert set(materialized) == set(every_asset)
    for key, partitions_def in every_asset.items():
        # partitioned assets: all sixteen shards in this one run; unpartitioned ones (exports,
        # quality) downstream of them: once
        assert materialized[key] == (set(SHARDS) if partitions_def == shards else {None}), key
    assert any(p is None for p in every_asset.values())  # the mix is really exercised


def run_ingest(raw: Path, warehouse: Path, **launch):
    """The `ingest` job as the sensor or the schedule would launch it (partition key or range tags)."""
    resources = {
        "settings": XxgkSettings(raw_dir=str(raw), workers=1),
        "warehouse": WarehouseResource(path=str(warehouse)),
    }
    result = (
        defs()
        .resolve_job_def("ingest")
        .execute_in_process(resources=resources, instance=dg.DagsterInstance.ephemeral(), **launch)
    )
    assert result.success
    return result


def rows(warehouse: Path) -> dict[str, tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return {
            r[0]: r[1:] for r in conn.execute("SELECT source_file, run_id, n_bytes FROM reports").fetchall()
        }


def test_a_shard_run_reads_replaces_and_deletes_only_its_shard(raw, tmp_path, monkeypatch):
    warehouse = tmp_path / "w.duckdb"
    run_ingest(raw, warehouse, tags=all_shards_tags())
    before = rows(warehouse)
    assert len(before) == 5

    with open(raw / EDITED, "ab") as fh:  # shard 0f: changed
        fh.write("\n本年度报告电子版可在网站下载。".encode())
    (raw / "003_eb83874eac59da99.txt").unlink()  # shard 0d: deleted, but not this run's shard
    shutil.copy(SEEDS / OTHER, raw / "elsewhere.txt")  # another shard: added, not this run's either
    assert batch.shard_of("elsewhere.txt") != "0f"

    read = []
    process_entry = batch.process_entry
    monkeypatch.setattr(
        batch, "process_entry", lambda e, *a: read.append(e.source_file) or process_entry(e, *a)
    )
    result = run_ingest(raw, warehouse, partition_key="0f")

    assert read == [EDITED]  # the other file of shard 0f is unchanged: listed, never read
    after = rows(warehouse)
    assert after[EDITED][0] == result.run_id != before[EDITED][0]
    assert {k: v for k, v in after.items() if k != EDITED} == {k: v for k, v in before.items() if k != EDITED}
    assert "elsewhere.txt" not in after and "003_eb83874eac59da99.txt" in after
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        seen, changed, deleted = conn.execute(
            "SELECT files_seen, files_changed, files_deleted FROM ingest_runs WHERE run_id = ?",
            [result.run_id],
        ).fetchone()
    assert (seen, changed, deleted) == (2, 1, 0)

    # the sensor then sends the remaining shards; a range run over them catches up
    read.clear()
    run_ingest(raw, warehouse, tags=range_tags("00", "0e"))
    assert read == ["elsewhere.txt"]
    final = rows(warehouse)
    assert "003_eb83874eac59da99.txt" not in final and "elsewhere.txt" in final


def test_sensor_requests_launch_as_runs_of_the_ingest_job(raw, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    first = tick(raw, None)
    [request] = first.run_requests
    run_ingest(raw, warehouse, tags=dict(request.tags))
    (raw / OTHER).unlink()
    [request] = tick(raw, first.cursor).run_requests
    run_ingest(raw, warehouse, partition_key=request.partition_key, tags=dict(request.tags))
    assert OTHER not in rows(warehouse) and len(rows(warehouse)) == 4


# --- scale-out: the parse stage under Dask ----------------------------------------------------------


def _staged(stage: batch.Stage) -> dict[str, pa.Table]:
    return {
        name: pq.read_table(stage.root / name).sort_by([("source_file", "ascending")])
        for name in batch.STAGED_TABLES
        if stage.has(name)
    }


def test_parse_stage_runs_unchanged_on_a_dask_cluster(tmp_path):
    import distributed  # dev dependency (pyproject.toml); imported here so the other tests need no Dask

    entries = batch.scan(SEEDS)
    mtimes = {e.source_file: e.mtime_ns for e in entries}
    local = batch.to_arrow([batch.process_entry(e, 20_000_000) for e in entries], mtimes, "r")
    stages = {name: batch.Stage(tmp_path / name) for name in ("in_process", "dask")}
    for stage in stages.values():
        stage.reset()
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        # 1. the plain function over plain entries, the way any Dask user maps work
        futures = client.map(batch.process_entry, entries, max_bytes=20_000_000)
        mapped = batch.to_arrow(client.gather(futures), mtimes, "r")
        # 2. the same chunked staging the Dagster asset runs, on Dask's concurrent.futures executor
        staged_rows = list(
            batch.stage_all(
                entries, stages["dask"], run_id="r", workers=0, max_bytes=20_000_000, chunk=2,
                executor=client.get_executor(),
            )
        )  # fmt: skip
    in_process_rows = list(
        batch.stage_all(entries, stages["in_process"], run_id="r", workers=1, max_bytes=20_000_000, chunk=2)
    )
    for name, table in local.items():
        assert mapped[name].equals(table), name
    assert staged_rows == in_process_rows == local["reports"].to_pylist()
    dask, in_process = _staged(stages["dask"]), _staged(stages["in_process"])
    assert dask.keys() == in_process.keys() == set(batch.STAGED_TABLES) - {"reports", "findings"}
    for name, table in in_process.items():
        assert dask[name].equals(table), name
        assert table.num_rows == local[name].num_rows, name
    assert local["reports"].num_rows == 5 and local["section_requests"].num_rows > 0


def test_worker_pool_survives_a_parent_that_already_converted_traditional_text(tmp_path):
    # Regression: with fork(), workers inherited opencc_pyo3's Rust thread pool without its
    # threads and hung forever in their first long conversion. Run in a subprocess with a timeout.
    for i in range(4):
        for seed in SEEDS.glob("*.txt"):
            shutil.copy(seed, tmp_path / f"{i}_{seed.name}")
    code = f"""
from pipeline import batch
from pipeline.normalize import to_simplified
to_simplified(open({str(SEEDS / "001_3a58e5e5c460d840.txt")!r}, encoding="utf-8").read() * 300)
entries = batch.scan({str(tmp_path)!r})
stage = batch.Stage({str(tmp_path / "stage")!r})
stage.reset()
rows = list(batch.stage_all(entries, stage, run_id="r", workers=2, max_bytes=20_000_000, chunk=4))
assert [r["status"] for r in rows] == ["parsed"] * 20, [r["status_reason"] for r in rows]
"""
    subprocess.run([sys.executable, "-c", code], check=True, timeout=180, cwd=ROOT)


def test_every_job_runs_in_one_process_so_the_run_lock_spans_the_run():
    from pipeline import warehouse as wh

    definitions = defs()
    for job in (definitions.resolve_job_def("ingest"), definitions.resolve_implicit_global_asset_job_def()):
        assert job.executor_def is dg.in_process_executor, job.name
    # the steps whose completion the warehouse records are real assets
    keys = {k.to_user_string() for a in definitions.assets for k in a.keys}
    assert set(wh.DERIVED_STEPS) <= keys


def test_xxgk_run_records_into_the_project_instance(env, tmp_path, monkeypatch):
    """`xxgk run` shows in the UI: its run, the section tables' row counts, and the no-change rerun."""
    from assets.cli import main, project_instance
    from pipeline import warehouse as wh

    # an instance of its own: the session's holds the runs of other tests
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))

    assert main(["run"]) == 0
    instance = project_instance()
    [run] = instance.get_runs()
    assert (run.job_name, run.status) == ("ingest", dg.DagsterRunStatus.SUCCESS)
    with wh.connect(env / "wh" / "xxgk.duckdb", read_only=True) as conn:
        requests = wh.row_counts(conn, ["fact_requests"])["fact_requests"]
    event = instance.get_latest_materialization_event(dg.AssetKey("section_requests"))
    assert event.asset_materialization.metadata["dagster/row_count"].value == requests > 0
    assert main(["run"]) == 0  # nothing changed: no run, one observation of raw_reports
    assert len(instance.get_runs()) == 1
    observed = instance.fetch_observations(dg.AssetKey("raw_reports"), limit=1).records
    assert observed[0].asset_observation.metadata["files_seen"].value == 5


def _launch(args: list[str], home: Path, warehouse: Path) -> subprocess.CompletedProcess:
    """A documented launch command, from the project folder, against the instance in `home`."""
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "XXGK_RAW_DIR": str(SEEDS),
        "XXGK_WAREHOUSE": str(warehouse),
        "XXGK_WORKERS": "1",
    }
    done = subprocess.run(
        [str(Path(sys.executable).with_name(args[0])), *args[1:]],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _finished_runs(home: Path, wait_s: float = 0) -> list[dg.DagsterRun]:
    """The runs of the instance in `home`, waiting up to wait_s for every one to end."""
    deadline = time.monotonic() + wait_s
    with dg.DagsterInstance.from_config(str(home)) as instance:
        while True:
            runs = instance.get_runs()
            if all(r.is_finished for r in runs) or time.monotonic() > deadline:
                return runs
            time.sleep(1)


def test_every_documented_launch_records_its_run_in_the_instance(tmp_path):
    """README's launches: one shard and a range with `dg launch`, the whole job through
    `dagster job launch` (here on an instance that starts runs at once instead of queueing them)."""
    home, warehouse = tmp_path / "home", tmp_path / "wh" / "xxgk.duckdb"
    home.mkdir()
    instance_yaml = yaml.safe_load((ROOT / "dagster_instance.yaml").read_text())
    (home / "dagster.yaml").write_text(yaml.safe_dump(instance_yaml))

    one = _launch(["dg", "launch", "--job", "ingest", "--partition", "0f"], home, warehouse)
    assert one.stderr.count(" - DEBUG - ") == 0  # runs log at INFO
    [run] = _finished_runs(home)
    assert (run.status, run.tags["dagster/partition"]) == (dg.DagsterRunStatus.SUCCESS, "0f")
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert conn.sql("SELECT count(*) FROM reports").fetchall() == [(2,)]  # the two seeds of shard 0f

    _launch(["dg", "launch", "--job", "ingest", "--partition-range", "00...0f"], home, warehouse)
    ranged = _finished_runs(home)[0]  # newest first
    assert ranged.status == dg.DagsterRunStatus.SUCCESS
    assert (ranged.tags[RANGE_START_TAG], ranged.tags[RANGE_END_TAG]) == ("00", "0f")

    coordinator = {"module": "dagster._core.run_coordinator", "class": "DefaultRunCoordinator"}
    (home / "dagster.yaml").write_text(yaml.safe_dump({**instance_yaml, "run_coordinator": coordinator}))
    tags = json.dumps({RANGE_START_TAG: "00", RANGE_END_TAG: "0f"})
    whole = ["dagster", "job", "launch", "-w", "workspace.yaml", "-j", "ingest", "--tags", tags]
    _launch(whole, home, warehouse)
    runs = _finished_runs(home, wait_s=300)
    assert [r.status for r in runs] == [dg.DagsterRunStatus.SUCCESS] * 3
    assert runs[0].tags[RANGE_START_TAG] == "00"

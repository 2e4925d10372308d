"""raw files -> normalized text -> per-section tables -> warehouse fact tables, shard by shard.

Every ingest asset is partitioned by shard (assets/defs/partitions.py). A run over one shard or
a range of shards lists the whole raw folder but keeps only its shards' files, compares them with
its shards' rows in the warehouse, stages into a folder of its own (named by its run id), and
replaces or deletes rows of its shards only. The run holds the warehouse's run lock throughout
(WarehouseResource), so whatever else lies in the staging root was left by a dead run.
"""

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import dagster as dg

from assets.defs.partitions import shards
from assets.progress import Progress
from assets.resources import WarehouseResource, XxgkSettings
from pipeline import batch
from pipeline import warehouse as wh
from pipeline.records import EXTRACTOR_VERSION

#: Report rows per staged Parquet part (the workers stage every other table themselves).
PART_SIZE = 10_000

SECTION_TABLES = (
    "section_proactive",
    "section_requests",
    "section_review_litigation",
    "section_fees",
    "section_article20",
)
WAREHOUSE_TABLES = (
    "reports", "report_sections", "report_texts", "table_cells",
    "fact_proactive", "fact_requests", "fact_review_litigation", "fact_fees", "fact_article20",
)  # fmt: skip


def _plan_file(stage: Path) -> Path:
    return stage / "plan.json"


def _run_shards(context: dg.AssetExecutionContext) -> list[str]:
    """The shards this run covers (one partition key, or every key of a partition range)."""
    return sorted(context.partition_keys)


def _stage_root(
    context: dg.AssetExecutionContext, settings: XxgkSettings, warehouse: WarehouseResource
) -> Path:
    """This run's staging folder: no other run ever reads or writes it."""
    return settings.staging_root(warehouse.file()) / context.run.run_id


def _sweep_dead_runs(root: Path, keep: str) -> None:
    """Delete what dead runs staged (the caller holds the run lock, so every other run is dead)."""
    if root.is_dir():
        for child in root.iterdir():
            if child.name != keep:
                shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)


def _in_run(run_shards: list[str]) -> Callable[[str], bool]:
    """Whether a source_file belongs to this run's shards (always true for a run over every shard)."""
    if len(run_shards) == batch.N_SHARDS:
        return lambda source_file: True
    wanted = set(run_shards)
    return lambda source_file: batch.shard_of(source_file) in wanted


@dg.asset(
    group_name="ingest",
    kinds={"python"},
    partitions_def=shards,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="warehouse",  # it only reads DuckDB, but a reader cannot open the file while another process writes
)
def raw_reports(
    context: dg.AssetExecutionContext, settings: XxgkSettings, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Every file of this run's shards under XXGK_RAW_DIR, with its fingerprint, and what changed since the last load."""
    settings.validate()
    run_shards = _run_shards(context)
    mine = _in_run(run_shards)
    listing = settings.list_raw(warehouse.file())
    entries = [e for e in listing if mine(e.source_file)]
    with warehouse.connect(read_only=True) as conn:
        # only this run's shards: a file gone from another shard is that shard's run to delete
        known = {name: row for name, row in wh.known_files(conn).items() if mine(name)}
        plan = batch.plan(entries, known)
        leaving = {e.source_file for e in plan.to_process} | set(plan.deleted)
        orphans = {name for name in wh.orphaned_duplicates(conn, leaving) if mine(name)} - leaving
        if orphans:  # duplicates of a file that is gone or changed: read them again
            plan = batch.plan(entries, known, reread=orphans)
        taken = {}
        if plan.to_process:  # duplicates are looked up across every shard, not only this run's
            taken = dict(
                conn.execute("SELECT report_id, source_file FROM reports WHERE status = 'parsed'").fetchall()
            )
    replaced = {e.source_file for e in plan.to_process} | set(plan.deleted)
    stage = _stage_root(context, settings, warehouse)
    _sweep_dead_runs(stage.parent, keep=stage.name)
    batch.Stage(stage).reset()
    _plan_file(stage).write_text(
        json.dumps(
            {
                "shards": run_shards,
                "run_started": time.time(),
                "files_seen": len(entries),
                "new": plan.new,
                "changed": plan.changed,
                "unchanged": len(plan.unchanged),
                "deleted": plan.deleted,
                "to_process": [
                    [e.source_file, e.path, e.n_bytes, e.mtime_ns, e.unreadable] for e in plan.to_process
                ],
                "taken": {rid: src for rid, src in taken.items() if src not in replaced},
            },  # ASCII escapes keep paths that are not valid UTF-8 (lone surrogates) intact
        ),
        encoding="utf-8",
    )
    context.log.info(
        f"shards {run_shards[0]}..{run_shards[-1]}: {len(entries)} of {len(listing)} files: {plan.new} new, "
        f"{plan.changed} changed, {len(plan.unchanged)} unchanged, {len(plan.deleted)} deleted"
    )
    return dg.MaterializeResult(
        metadata={
            "shards": f"{run_shards[0]}..{run_shards[-1]}",
            "files_seen": len(entries),
            "new": plan.new,
            "changed": plan.changed,
            "unchanged": len(plan.unchanged),
            "deleted": len(plan.deleted),
            "raw_dir": dg.MetadataValue.path(str(settings.raw_root())),
        }
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            "normalized_reports",
            deps=["raw_reports"],
            group_name="normalize",
            kinds={"parquet"},
            description="Decoded, normalized text of every new or changed document (offsets point into it).",
        ),
        *[
            dg.AssetSpec(
                name,
                deps=["normalized_reports"],
                group_name="section_tables",
                kinds={"parquet"},
                description=f"What the extractors read for {name.removeprefix('section_')}, row by row, with evidence and offsets.",
            )
            for name in SECTION_TABLES
        ],
    ],  # fmt: skip
    partitions_def=shards,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def parse_reports(context: dg.AssetExecutionContext, settings: XxgkSettings, warehouse: WarehouseResource):
    """Decode, normalize and extract every planned document across worker processes, staged as Parquet parts."""
    stage_root = _stage_root(context, settings, warehouse)
    plan = json.loads(_plan_file(stage_root).read_text(encoding="utf-8"))
    entries = [batch.FileEntry(*row) for row in plan["to_process"]]
    stage = batch.Stage(stage_root)
    progress = Progress(context.log, "parse", len(entries), bar=settings.progress_bar)
    counts = {"parsed": 0, "quarantined": 0}
    rows = batch.dedupe(
        batch.stage_all(
            entries,
            stage,
            run_id=context.run.run_id,
            workers=settings.worker_count(),
            max_bytes=settings.byte_limit(),
            time_budget=settings.seconds_per_document(),
            on_progress=progress,
        ),
        plan["taken"],
    )
    part: list[dict] = []
    n_parts = 0
    for row in rows:
        part.append(row)
        counts[row["status"]] += 1
        if len(part) >= PART_SIZE:
            stage.write_reports(n_parts, part)
            n_parts, part = n_parts + 1, []
    stage.write_reports(n_parts, part)
    progress.close()
    facts = stage.count("facts")
    context.log.info(f"parsed {counts['parsed']}, quarantined {counts['quarantined']}, {facts} facts staged")
    yield dg.MaterializeResult(
        asset_key="normalized_reports",
        metadata={"documents_parsed": counts["parsed"], "documents_quarantined": counts["quarantined"]},
    )
    for name in SECTION_TABLES:
        yield dg.MaterializeResult(asset_key=name, metadata={"staged_facts_all_subjects": facts})


@dg.multi_asset(
    specs=[
        dg.AssetSpec(name, deps=list(SECTION_TABLES), group_name="warehouse", kinds={"duckdb"})
        for name in WAREHOUSE_TABLES
    ],
    partitions_def=shards,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="warehouse",  # DuckDB has one writer at a time: dagster.yaml sets the pool limit to 1
)
def warehouse_tables(context: dg.AssetExecutionContext, settings: XxgkSettings, warehouse: WarehouseResource):
    """Replace the rows of every changed or deleted document of this run's shards in one DuckDB transaction."""
    stage_root = _stage_root(context, settings, warehouse)
    plan = json.loads(_plan_file(stage_root).read_text(encoding="utf-8"))
    stage = batch.Stage(stage_root)
    staged = {name: stage.glob(name) for name in batch.STAGED_TABLES if stage.has(name)}
    run = {
        "run_id": context.run.run_id,
        "started_at": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(plan["run_started"])),
        "status": "running",
        "files_seen": plan["files_seen"],
        "files_new": plan["new"],
        "files_changed": plan["changed"],
        "files_deleted": len(plan["deleted"]),
        "files_unchanged": plan["unchanged"],
        "extractor_version": EXTRACTOR_VERSION,
        "seconds": round(time.time() - plan["run_started"], 3),
    }
    with warehouse.connect() as conn:
        wh.fail_unfinished_runs(conn)
        wh.record_run(conn, run)
        try:
            if staged or plan["deleted"] or wh.current_load(conn) is None:
                facts = wh.replace_documents(conn, staged, plan["deleted"], run)
                wh.set_run_seconds(conn, run["run_id"], round(time.time() - plan["run_started"], 3))
            else:  # nothing staged, nothing deleted: skip the transaction (its DELETEs scan every table)
                facts = 0
                wh.record_run(conn, {**run, "status": "succeeded", "finished_at": wh.utc_now(), "facts_written": 0,
                                     "files_quarantined": 0})  # fmt: skip
        except BaseException as exc:
            if wh.run_status(conn, run["run_id"]) != "succeeded":  # an interrupt may land after COMMIT
                wh.record_run(
                    conn, {**run, "status": "failed", "detail": (str(exc) or type(exc).__name__)[:500]}
                )
            raise
        counts = dict(conn.execute(
            "SELECT 'reports', count(*) FROM reports UNION ALL SELECT 'facts', count(*) FROM v_facts"
        ).fetchall())  # fmt: skip
    stage.remove()
    context.log.info(f"warehouse {warehouse.file()}: {counts['reports']} reports, {counts['facts']} facts")
    for name in WAREHOUSE_TABLES:
        yield dg.MaterializeResult(
            asset_key=name,
            metadata={"facts_written_this_run": facts, "reports_in_warehouse": counts["reports"]},
        )

"""raw files -> normalized text -> per-section tables -> warehouse fact tables."""

import json
import time
from pathlib import Path

import dagster as dg

from assets.progress import Progress
from assets.resources import WarehouseResource, XxgkSettings
from pipeline import batch
from pipeline import warehouse as wh
from pipeline.records import EXTRACTOR_VERSION

#: Documents per staged Parquet part (bounds memory: one part's results are held at a time).
PART_SIZE = 1000

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


@dg.asset(group_name="ingest", kinds={"python"})
def raw_reports(
    context: dg.AssetExecutionContext, settings: XxgkSettings, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Every file under XXGK_RAW_DIR with its fingerprint, and what changed since the warehouse was loaded."""
    entries = batch.scan(settings.raw_root())
    with warehouse.connect(read_only=True) as conn:
        known = wh.known_files(conn)
        taken = dict(
            conn.execute("SELECT report_id, source_file FROM reports WHERE status = 'parsed'").fetchall()
        )
    plan = batch.plan(entries, known)
    replaced = {e.source_file for e in plan.to_process} | set(plan.deleted)
    stage = settings.staging_root(warehouse.file())
    batch.Stage(stage).reset()
    _plan_file(stage).write_text(
        json.dumps(
            {
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
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    context.log.info(
        f"{len(entries)} files: {plan.new} new, {plan.changed} changed, {len(plan.unchanged)} unchanged, {len(plan.deleted)} deleted"
    )
    return dg.MaterializeResult(
        metadata={
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
)
def parse_reports(context: dg.AssetExecutionContext, settings: XxgkSettings, warehouse: WarehouseResource):
    """Decode, normalize and extract every planned document across worker processes, staged as Parquet parts."""
    stage_root = settings.staging_root(warehouse.file())
    plan = json.loads(_plan_file(stage_root).read_text(encoding="utf-8"))
    entries = [batch.FileEntry(*row) for row in plan["to_process"]]
    mtimes = {e.source_file: e.mtime_ns for e in entries}
    stage = batch.Stage(stage_root)
    progress = Progress(context.log, "parse", len(entries), bar=settings.progress_bar)
    counts = {"parsed": 0, "quarantined": 0, "facts": 0}
    results = batch.dedupe(
        batch.process_all(
            entries,
            workers=settings.worker_count(),
            max_bytes=settings.byte_limit(),
            time_budget=settings.seconds_per_document(),
            on_progress=progress,
        ),
        plan["taken"],
    )
    part: list = []
    n_parts = 0
    for result in results:
        part.append(result)
        counts[result.status] += 1
        if len(part) >= PART_SIZE:
            counts["facts"] += _stage_part(stage, n_parts, part, mtimes, context.run_id)
            n_parts, part = n_parts + 1, []
    if part:
        counts["facts"] += _stage_part(stage, n_parts, part, mtimes, context.run_id)
    progress.close()
    context.log.info(
        f"parsed {counts['parsed']}, quarantined {counts['quarantined']}, {counts['facts']} facts staged"
    )
    yield dg.MaterializeResult(
        asset_key="normalized_reports",
        metadata={"documents_parsed": counts["parsed"], "documents_quarantined": counts["quarantined"]},
    )
    for name in SECTION_TABLES:
        yield dg.MaterializeResult(asset_key=name, metadata={"staged_facts_all_subjects": counts["facts"]})


def _stage_part(stage: batch.Stage, index: int, results: list, mtimes: dict[str, int], run_id: str) -> int:
    tables = batch.to_arrow(results, mtimes, run_id)
    stage.write(index, tables)
    return tables["facts"].num_rows


@dg.multi_asset(
    specs=[
        dg.AssetSpec(name, deps=list(SECTION_TABLES), group_name="warehouse", kinds={"duckdb"})
        for name in WAREHOUSE_TABLES
    ],
    pool="warehouse",
)
def warehouse_tables(context: dg.AssetExecutionContext, settings: XxgkSettings, warehouse: WarehouseResource):
    """Replace the rows of every changed or deleted document in one DuckDB transaction."""
    stage_root = settings.staging_root(warehouse.file())
    plan = json.loads(_plan_file(stage_root).read_text(encoding="utf-8"))
    stage = batch.Stage(stage_root)
    staged = {name: stage.glob(name) for name in batch.STAGED_TABLES if stage.has(name)}
    run = {
        "run_id": context.run_id,
        "started_at": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(plan["run_started"])),
        "status": "running",
        "files_seen": plan["files_seen"],
        "files_new": plan["new"],
        "files_changed": plan["changed"],
        "files_deleted": len(plan["deleted"]),
        "files_unchanged": plan["unchanged"],
        "extractor_version": EXTRACTOR_VERSION,
    }
    with warehouse.connect() as conn:
        conn.execute(
            "UPDATE ingest_runs SET status = 'failed', detail = 'interrupted before its load committed' WHERE status = 'running'"
        )
        wh.record_run(conn, run)
        try:
            facts = wh.replace_documents(conn, staged, plan["deleted"])
        except Exception as exc:
            wh.record_run(conn, {**run, "status": "failed", "detail": str(exc)[:500]})
            raise
        quarantined = 0
        if "reports" in staged:
            quarantined = conn.execute(
                "SELECT count(*) FROM read_parquet(?) WHERE status = 'quarantined'", [staged["reports"]]
            ).fetchone()[0]
        wh.record_run(
            conn,
            {
                **run,
                "status": "succeeded",
                "finished_at": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
                "files_quarantined": quarantined,
                "facts_written": facts,
                "seconds": round(time.time() - plan["run_started"], 3),
            },
        )
        counts = dict(conn.execute(
            "SELECT 'reports', count(*) FROM reports UNION ALL SELECT 'facts', count(*) FROM v_facts"
        ).fetchall())  # fmt: skip
    context.log.info(f"warehouse {warehouse.file()}: {counts['reports']} reports, {counts['facts']} facts")
    for name in WAREHOUSE_TABLES:
        yield dg.MaterializeResult(
            asset_key=name,
            metadata={"facts_written_this_run": facts, "reports_in_warehouse": counts["reports"]},
        )

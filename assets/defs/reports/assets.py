"""raw files -> normalized text -> per-section tables -> warehouse fact tables, shard by shard.

Every ingest asset is partitioned by shard (assets/defs/partitions.py). A run over one shard or
a range of shards lists the whole raw folder but keeps only its shards' files, compares them with
its shards' rows in the warehouse, stages into a folder of its own (named by its run id), and
replaces or deletes rows of its shards only. The run holds the warehouse's run lock throughout
(WarehouseResource), so whatever else lies in the staging root was left by a dead run.
"""

import shutil
from collections.abc import Callable
from pathlib import Path

import dagster as dg

from assets import gx as gx_helper
from assets.defs.partitions import shards
from assets.metadata import arrow_columns, column_schema, table_metadata
from assets.progress import Progress
from assets.resources import WarehouseResource, XxgkSettings
from pipeline import batch
from pipeline import warehouse as wh
from pipeline.metrics import SECTION_TABLES, SUBJECTS

#: Report rows per staged Parquet part (the workers stage every other table themselves).
PART_SIZE = 10_000

#: The warehouse tables the load replaces rows of (the fact tables are one per section).
WAREHOUSE_TABLES = ("reports", "report_sections", "report_texts", "table_cells", *wh.SUBJECT_TABLE.values())


def _run_shards(context: dg.AssetExecutionContext) -> list[str]:
    """The shards this run covers (one partition key, or every key of a partition range)."""
    return sorted(context.partition_keys)


def _stage(
    context: dg.AssetExecutionContext, settings: XxgkSettings, warehouse: WarehouseResource
) -> batch.Stage:
    """This run's staging folder: no other run ever reads or writes it."""
    return batch.Stage(settings.staging_root(warehouse.file()) / context.run.run_id)


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


def _staged_schema(name: str) -> dg.TableSchema:
    return column_schema(arrow_columns(batch.STAGED_SCHEMAS[name], wh.column_descriptions()))


def _staged_metadata(stage: batch.Stage, name: str) -> dict:
    return table_metadata(
        stage.count(name), stage.head(name), staged=dg.MetadataValue.path(str(stage.root / name))
    )


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
        plan = batch.plan_run(conn, entries, run_shards, mine)
    stage = _stage(context, settings, warehouse)
    _sweep_dead_runs(stage.root.parent, keep=stage.root.name)
    stage.reset()
    stage.write_plan(plan)
    context.log.info(
        f"shards {run_shards[0]}..{run_shards[-1]}: {len(entries)} of {len(listing)} files: {plan.new} new, "
        f"{plan.changed} changed, {plan.unchanged} unchanged, {len(plan.deleted)} deleted"
    )
    return dg.MaterializeResult(
        metadata={
            "shards": f"{run_shards[0]}..{run_shards[-1]}",
            "files_seen": len(entries),
            "new": plan.new,
            "changed": plan.changed,
            "unchanged": plan.unchanged,
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
            description="Decoded, normalized text of every new or changed document of the run (offsets point into it).",
            metadata={"dagster/column_schema": _staged_schema("normalized_text")},
        ),
        *[
            dg.AssetSpec(
                name,
                deps=["normalized_reports"],
                group_name="section_tables",
                kinds={"parquet"},
                description=f"{SUBJECTS[subject]}. Every number the extractors read in that section of a new or "
                "changed document, one row each, with the sentence or table row it came from and its offsets.",
                metadata={"dagster/column_schema": _staged_schema(name)},
            )
            for subject, name in zip(SUBJECTS, SECTION_TABLES, strict=True)
        ],
    ],  # fmt: skip
    partitions_def=shards,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def parse_reports(context: dg.AssetExecutionContext, settings: XxgkSettings, warehouse: WarehouseResource):
    """Decode, normalize and extract every planned document across worker processes, staged as Parquet parts."""
    stage = _stage(context, settings, warehouse)
    plan = stage.read_plan()
    progress = Progress(context.log, "parse", len(plan.to_process), bar=settings.progress_bar)
    if plan.to_process and settings.worker_count() > 1:
        gx_helper.warm_up()  # for quality_findings, while the workers parse
    counts = {"parsed": 0, "quarantined": 0}
    rows = batch.dedupe(
        batch.stage_all(
            plan.to_process,
            stage,
            run_id=context.run.run_id,
            workers=settings.worker_count(),
            max_bytes=settings.byte_limit(),
            time_budget=settings.seconds_per_document(),
            on_progress=progress,
        ),
        plan.taken,
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
    facts = sum(stage.count(name) for name in SECTION_TABLES)
    context.log.info(f"parsed {counts['parsed']}, quarantined {counts['quarantined']}, {facts} facts staged")
    yield dg.MaterializeResult(
        asset_key="normalized_reports",
        metadata={
            **_staged_metadata(stage, "normalized_text"),
            "documents_parsed": counts["parsed"],
            "documents_quarantined": counts["quarantined"],
        },
    )
    for name in SECTION_TABLES:
        yield dg.MaterializeResult(asset_key=name, metadata=_staged_metadata(stage, name))


def _warehouse_spec(name: str) -> dg.AssetSpec:
    description, columns = wh.all_tables()[name]
    return dg.AssetSpec(
        name,
        deps=list(SECTION_TABLES),
        group_name="warehouse",
        kinds={"duckdb"},
        description=description,
        metadata={"dagster/column_schema": column_schema(columns), "dagster/table_name": name},
    )


@dg.multi_asset(
    specs=[_warehouse_spec(name) for name in WAREHOUSE_TABLES],
    partitions_def=shards,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="warehouse",  # DuckDB has one writer at a time: dagster_instance.yaml sets the pool limit to 1
)
def warehouse_tables(context: dg.AssetExecutionContext, settings: XxgkSettings, warehouse: WarehouseResource):
    """Replace the rows of every changed or deleted document of this run's shards in one DuckDB transaction."""
    stage = _stage(context, settings, warehouse)
    plan = stage.read_plan()
    staged = {name: stage.glob(name) for name in batch.STAGED_TABLES if stage.has(name)}
    run = plan.run_row(context.run.run_id)
    with warehouse.connect() as conn:
        facts = wh.load_run(conn, run, staged, plan.deleted, started=plan.started)
        counts = wh.row_counts(conn, WAREHOUSE_TABLES)
        samples = {name: wh.head(conn, name) for name in WAREHOUSE_TABLES}
    stage.remove()
    context.log.info(f"warehouse {warehouse.file()}: {counts['reports']} reports, {facts} facts written")
    for name in WAREHOUSE_TABLES:
        yield dg.MaterializeResult(
            asset_key=name, metadata=table_metadata(counts[name], samples[name], facts_written_this_run=facts)
        )

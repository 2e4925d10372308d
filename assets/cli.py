"""`xxgk run`: materialize every asset headlessly and print a summary a person can read."""

from __future__ import annotations

import argparse
import os
import sys
import time


def _summary(warehouse_path, seconds: float) -> str:
    from assets.gx import data_docs_index
    from pipeline.overview import overview_path
    from pipeline.warehouse import connect, export_folder

    with connect(warehouse_path, read_only=True) as conn:
        parsed, quarantined = conn.execute(
            "SELECT count(*) FILTER (status = 'parsed'), count(*) FILTER (status = 'quarantined') FROM v_reports"
        ).fetchone()
        facts = conn.execute("SELECT count(*) FROM v_facts").fetchone()[0]
        findings = conn.execute("SELECT count(*) FROM v_quality_findings").fetchone()[0]
        reasons = conn.execute(
            "SELECT source_file, status_reason FROM v_reports WHERE status = 'quarantined' ORDER BY source_file LIMIT 10"
        ).fetchall()
    lines = [
        f"warehouse: {warehouse_path}",
        f"documents parsed: {parsed}   quarantined: {quarantined}   facts: {facts}   quality findings: {findings}",
    ]
    lines += [f"  quarantined {name}: {reason}" for name, reason in reasons]
    lines += [
        f"parquet: {export_folder(warehouse_path, 'parquet')}",
        f"csv: {export_folder(warehouse_path, 'csv')}",
        f"overview: {overview_path(warehouse_path)}",
    ]
    docs = data_docs_index(warehouse_path)
    if docs.exists():
        lines.append(f"data docs: {docs}")
    lines.append(f"time: {seconds:.1f} s")
    return "\n".join(lines)


def materialize_all(settings, warehouse, log_level: str = "INFO"):
    """Materialize every asset (and run every asset check) in ONE in-process run; returns the Dagster result.

    The ingest assets are partitioned by shard: the run covers the range of every shard (the
    tags a single-run backfill carries), and the unpartitioned assets downstream run once.
    """
    import dagster as dg

    from assets.definitions import defs
    from assets.defs.partitions import all_shards_tags

    job = defs().resolve_implicit_global_asset_job_def()
    return job.execute_in_process(
        resources={"settings": settings, "warehouse": warehouse},
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        instance=dg.DagsterInstance.ephemeral(),
        tags=all_shards_tags(),
        raise_on_error=False,
    )


def _unchanged(settings, warehouse) -> int | None:
    """The number of files when nothing changed since the last successful run, else None.

    The nightly no-change run then costs a folder listing: no Dagster run, no parsing, and the
    checks' results still describe the (unchanged) warehouse.
    """
    from pipeline import batch
    from pipeline import warehouse as wh

    if not warehouse.file().exists():
        return None
    with warehouse.connect(read_only=True) as conn:
        known = wh.known_files(conn)
        last = conn.execute("SELECT status FROM ingest_runs ORDER BY started_at DESC LIMIT 1").fetchall()
        orphans = wh.orphaned_duplicates(conn)
    if not last or last[0][0] != "succeeded" or orphans:
        return None
    entries = batch.scan(settings.raw_root())
    plan = batch.plan(entries, known)
    return None if plan.to_process or plan.deleted else len(entries)


def _record_unchanged(warehouse, files: int, seconds: float) -> None:
    from pipeline import warehouse as wh
    from pipeline.records import EXTRACTOR_VERSION

    now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    run = {"run_id": f"unchanged-{now.replace(' ', 'T')}-{os.getpid()}", "started_at": now, "finished_at": now,
           "status": "succeeded", "files_seen": files, "files_new": 0, "files_changed": 0, "files_deleted": 0,
           "files_unchanged": files, "files_quarantined": 0, "facts_written": 0, "seconds": round(seconds, 3),
           "extractor_version": EXTRACTOR_VERSION, "detail": "nothing changed: no asset materialized"}  # fmt: skip
    with warehouse.connect() as conn:
        wh.record_run(conn, run)
    warehouse.publish()  # the snapshot analysts open shows this run too


def run(args: argparse.Namespace) -> int:
    from assets.resources import WarehouseResource, XxgkSettings
    from pipeline.warehouse import WarehouseLocked

    started = time.monotonic()
    warehouse = WarehouseResource()
    settings = XxgkSettings(workers=args.workers, progress_bar=sys.stderr.isatty())
    try:  # fail fast, in one line, when another process holds the write lock
        warehouse.connect().close()
    except WarehouseLocked as exc:
        print(f"xxgk: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"xxgk: cannot open warehouse {warehouse.file()}: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"xxgk: {exc}", file=sys.stderr)
        return 2
    if not settings.raw_root().is_dir():
        print(f"xxgk: raw folder {settings.raw_root()} does not exist (set XXGK_RAW_DIR)", file=sys.stderr)
        return 2
    unchanged = None if args.force else _unchanged(settings, warehouse)
    if unchanged is not None:
        _record_unchanged(warehouse, unchanged, time.monotonic() - started)
        print(f"nothing changed under {settings.raw_root()} since the last run ({unchanged} files)")
        print(_summary(warehouse.file(), time.monotonic() - started))
        return 0
    result = materialize_all(settings, warehouse, args.log_level)
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                error = event.step_failure_data.error
                cause = error.cause or error
                print(
                    f"xxgk: step {event.step_key} failed: {cause.message.strip().splitlines()[-1]}",
                    file=sys.stderr,
                )
        return 1
    print(_summary(warehouse.file(), time.monotonic() - started))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="xxgk", description="xxgk-warehouse command line")
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="materialize every asset on XXGK_RAW_DIR into XXGK_WAREHOUSE")
    run_parser.add_argument("--workers", type=int, default=int(os.environ.get("XXGK_WORKERS") or 0))
    run_parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    run_parser.add_argument("--force", action="store_true", help="run every asset even when no file changed")
    args = parser.parse_args(argv)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())

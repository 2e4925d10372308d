"""`xxgk run`: materialize every asset headlessly and print a summary a person can read."""

from __future__ import annotations

import argparse
import os
import sys
import time


def _summary(warehouse_path, seconds: float) -> str:
    from pipeline.warehouse import connect

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
    if not settings.raw_root().is_dir():
        print(f"xxgk: raw folder {settings.raw_root()} does not exist (set XXGK_RAW_DIR)", file=sys.stderr)
        return 2
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
    args = parser.parse_args(argv)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())

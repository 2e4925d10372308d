"""`xxgk run`: materialize every asset headlessly and print a summary a person can read."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


def _summary(warehouse_path, seconds: float) -> str:
    from assets.gx import data_docs_index
    from pipeline.overview import overview_path
    from pipeline.warehouse import connect, export_folder, run_summary

    with connect(warehouse_path, read_only=True) as conn:
        done = run_summary(conn)
    lines = [
        f"warehouse: {warehouse_path}",
        f"documents parsed: {done['parsed']}   quarantined: {done['quarantined']}   facts: {done['facts']}   "
        f"quality findings: {done['findings']}",
    ]
    lines += [f"  quarantined {name}: {reason}" for name, reason in done["reasons"]]
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


def materialize_all(settings, warehouse, log_level: str = "INFO", instance=None):
    """Materialize every asset (and run every asset check) in ONE in-process run of the `ingest` job.

    The run, its materializations and check results go to `instance` (the project's, so the UI
    shows them; None: a throwaway one). The ingest assets are partitioned by shard: the run covers the range of every
    shard (the tags a single-run backfill carries), and the unpartitioned assets downstream run once.
    """
    import dagster as dg

    from assets.definitions import defs
    from assets.defs.partitions import all_shards_tags
    from assets.defs.schedules import INGEST_JOB

    return (
        defs()
        .resolve_job_def(INGEST_JOB)
        .execute_in_process(
            resources={"settings": settings, "warehouse": warehouse},
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
            instance=instance or dg.DagsterInstance.ephemeral(),
            tags=all_shards_tags(),
            raise_on_error=False,
        )
    )


def _unchanged(settings, warehouse) -> int | None:
    """The number of files when nothing changed since the last successful run, else None.

    The nightly no-change run then costs a folder listing: no Dagster run, no parsing, and the
    checks' results still describe the (unchanged) warehouse. A step that did not complete for
    the current load (quality findings, export: killed, interrupted) makes it a full run.
    """
    from pipeline import batch
    from pipeline import warehouse as wh

    if not warehouse.file().exists():
        return None
    with warehouse.connect(read_only=True) as conn:
        known = wh.known_files(conn)
        last = wh.last_run_status(conn)
        orphans = wh.orphaned_duplicates(conn)
        pending = wh.pending_steps(conn, wh.DERIVED_STEPS)
    if last != "succeeded" or orphans or pending:
        return None
    entries = settings.list_raw(warehouse.file())
    plan = batch.plan(entries, known)
    return None if plan.to_process or plan.deleted else len(entries)


def _record_unchanged(warehouse, instance, files: int, seconds: float) -> None:
    """Record the no-change run in the warehouse and, as an observation of raw_reports, in the instance."""
    import dagster as dg

    from pipeline import warehouse as wh

    run_id = f"unchanged-{wh.utc_now().replace(' ', 'T')}-{os.getpid()}"
    with warehouse.connect() as conn:
        wh.record_unchanged_run(conn, run_id, files, seconds)
    warehouse.publish()  # the snapshot analysts open shows this run too
    instance.report_runless_asset_event(
        dg.AssetObservation(
            "raw_reports",
            description="xxgk run: nothing new, changed or deleted; no asset materialized",
            metadata={"files_seen": files, "ingest_run_id": run_id, "seconds": round(seconds, 3)},
        )
    )


class _Signals:
    """SIGINT/SIGTERM during a run: which one came first (read from the wakeup pipe, whoever handles it).

    Dagster turns either signal into an interrupt of the running step; the pipe tells which one
    it was, and while one is pending, stderr drops the framework's interrupt report.
    """

    def __init__(self, read_fd: int):
        self._fd = read_fd
        self.received: int | None = None

    def pending(self) -> int | None:
        if self.received is None:
            try:
                data = os.read(self._fd, 64)
            except BlockingIOError:
                data = b""
            for signum in data:
                if signum in (signal.SIGINT, signal.SIGTERM):
                    self.received = signum
                    break
        return self.received


class _QuietAfterSignal:
    """sys.stderr while Dagster runs: passes everything through until a signal arrives, then nothing."""

    def __init__(self, stream, signals: _Signals):
        self._stream, self._signals = stream, signals

    def write(self, text: str) -> int:
        return len(text) if self._signals.pending() else self._stream.write(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


@contextmanager
def _interruptible() -> Iterator[tuple[_Signals, object]]:
    """SIGTERM acts like SIGINT (an interrupt), and every signal is noted in a wakeup pipe.

    Yields the signals and the real stderr, for the one line that follows an interrupt.
    """
    read_fd, write_fd = os.pipe()
    for fd in (read_fd, write_fd):
        os.set_blocking(fd, False)
    signals = _Signals(read_fd)
    previous_wakeup = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    previous = {s: signal.signal(s, _interrupt) for s in (signal.SIGINT, signal.SIGTERM)}
    stderr, sys.stderr = sys.stderr, _QuietAfterSignal(sys.stderr, signals)
    try:
        yield signals, stderr
    finally:
        sys.stderr = stderr
        for s, handler in previous.items():
            signal.signal(s, handler)
        signal.set_wakeup_fd(previous_wakeup)
        os.close(read_fd)
        os.close(write_fd)


def _current_load(warehouse) -> str | None:
    from pipeline import warehouse as wh

    with warehouse.connect(read_only=True) as conn:
        return wh.current_load(conn)


def _interrupted_line(warehouse, signum: int, load_before: str | None) -> str:
    """What committed, in one line, after an interrupt."""
    from pipeline import warehouse as wh

    name = signal.Signals(signum).name
    try:
        with warehouse.connect(read_only=True) as conn:
            load, pending = wh.current_load(conn), wh.pending_steps(conn, wh.DERIVED_STEPS)
    except wh.WarehouseError as exc:
        return f"xxgk: interrupted by {name}; {exc}"
    if load == load_before:
        return f"xxgk: interrupted by {name}; nothing of this run committed"
    if pending:
        return (
            f"xxgk: interrupted by {name}; every document load committed; not done: {', '.join(pending)} "
            "(the next run redoes them)"
        )
    return f"xxgk: interrupted by {name}; the run had committed everything"


def _step_failures(result) -> list[str]:
    lines = []
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            cause = error.cause or error
            lines.append(f"xxgk: step {event.step_key} failed: {cause.message.strip().splitlines()[-1]}")
    return lines


def run(args: argparse.Namespace) -> int:
    """`xxgk run`; every refusal is one line on stderr and exit 2, an interrupt exits 128 + the signal."""
    from assets.resources import SettingError, WarehouseResource, XxgkSettings
    from pipeline.warehouse import WarehouseError, run_lock

    started = time.monotonic()
    warehouse = WarehouseResource(wait_for_run=args.wait)
    settings = XxgkSettings(workers=args.workers or 0, progress_bar=sys.stderr.isatty())
    try:
        settings.validate()
        warehouse.duckdb_memory()
    except SettingError as exc:
        print(f"xxgk: {exc}", file=sys.stderr)
        return 2
    if not settings.raw_root().is_dir():
        print(f"xxgk: raw folder {settings.raw_root()} does not exist (set XXGK_RAW_DIR)", file=sys.stderr)
        return 2
    with _interruptible() as (signals, stderr):
        try:
            with run_lock(warehouse.file(), wait=args.wait):  # held until the summary is printed
                return _run_locked(args, settings, warehouse, signals, stderr, started)
        except WarehouseError as exc:
            print(f"xxgk: {exc}", file=stderr)
            return 2
        except KeyboardInterrupt:  # while waiting for the lock: nothing was done
            print(
                f"xxgk: interrupted by {signal.Signals(signals.pending() or signal.SIGINT).name}", file=stderr
            )
            return 128 + (signals.pending() or signal.SIGINT)


def _run_locked(args, settings, warehouse, signals: _Signals, stderr, started: float) -> int:
    from dagster import DagsterExecutionInterruptedError

    from pipeline.warehouse import check_intact

    check_intact(warehouse.working_file(), warehouse.duckdb_memory())  # fail fast, in one line
    load_before = _current_load(warehouse)
    result = unchanged = None
    instance = project_instance()
    try:
        unchanged = None if args.force else _unchanged(settings, warehouse)
        if unchanged is None:
            result = materialize_all(settings, warehouse, args.log_level, instance)
        else:
            _record_unchanged(warehouse, instance, unchanged, time.monotonic() - started)
    except (KeyboardInterrupt, DagsterExecutionInterruptedError):
        signals.received = signals.pending() or signal.SIGINT
    if signals.pending() is not None:
        print(_interrupted_line(warehouse, signals.received, load_before), file=stderr)
        return 128 + signals.received
    if result is None:
        print(f"nothing changed under {settings.raw_root()} since the last run ({unchanged} files)")
    elif not result.success:
        for line in _step_failures(result):
            print(line, file=stderr)
        return 1
    print(_summary(warehouse.file(), time.monotonic() - started))
    return 0


def project_instance():
    """The Dagster instance the UI shows: $DAGSTER_HOME, else the project's .dagster_home (as `make dev`)."""
    import dagster as dg

    from assets.resources import dagster_home

    return dg.DagsterInstance.from_config(str(dagster_home()))


def _workers(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--workers must be a whole number, got {value!r}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="xxgk", description="xxgk-warehouse command line")
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="materialize every asset on XXGK_RAW_DIR into XXGK_WAREHOUSE")
    run_parser.add_argument(
        "--workers", type=_workers, default=None, help="parser processes (default XXGK_WORKERS)"
    )
    run_parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    run_parser.add_argument("--force", action="store_true", help="run every asset even when no file changed")
    run_parser.add_argument("--wait", action="store_true", help="wait for a running run instead of exiting")
    args = parser.parse_args(argv)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())

"""Settings and the warehouse as Dagster resources (values resolved at run time, never at import).

Every setting is validated where it is read: a bad value raises SettingError with one line that
names the variable, which the CLI prints (exit 2) and a Dagster run reports as its step's error.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from pipeline import batch, publish, warehouse
from pipeline.ingest import MAX_BYTES
from pipeline.process import DEFAULT_TIME_BUDGET

#: The repository root (assets/ lives in it): dagster_instance.yaml and the default .dagster_home.
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def dagster_home() -> Path:
    """$DAGSTER_HOME, else the project's .dagster_home, with dagster_instance.yaml as its dagster.yaml.

    The project's own home always gets the current settings; another home only when it has none.
    """
    default = PROJECT_ROOT / ".dagster_home"
    home = Path(os.environ.get("DAGSTER_HOME") or default)
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if home.resolve() == default.resolve() or not config.exists():
        shutil.copyfile(PROJECT_ROOT / "dagster_instance.yaml", config)
    return home


class SettingError(ValueError):
    """A setting out of range or malformed; the message names the variable."""


def usable_cores() -> int:
    """Cores this process may run on (the affinity mask, not the machine's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


#: Largest accepted XXGK_MAX_BYTES: a worker holds a whole document (and its text) in memory.
MAX_BYTES_CAP = 1_000_000_000
#: Largest accepted XXGK_TIME_BUDGET: one day.
TIME_BUDGET_CAP = 86_400.0
#: Smallest accepted XXGK_DUCKDB_MEMORY: below it even the seed load runs out of memory.
MIN_DUCKDB_MEMORY = 64_000_000

_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)?\s*", re.IGNORECASE)
_UNITS = {
    "b": 1,
    "kb": 1e3,
    "mb": 1e6,
    "gb": 1e9,
    "tb": 1e12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}


def _whole(variable: str, value: str | int, low: int, high: int, meaning: str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise SettingError(f"{variable} must be {meaning} from {low} to {high}, got {str(value)!r}")
    return number


def memory_bytes(value: str) -> int:
    """Bytes of a DuckDB size such as 1GB, 512MiB or 1000000 (SettingError otherwise)."""
    match = _SIZE.fullmatch(value)
    total = _physical_memory()
    if match:
        number = float(match[1]) * _UNITS[(match[2] or "b").lower()]
        if MIN_DUCKDB_MEMORY <= number <= total:
            return int(number)
    raise SettingError(
        f"XXGK_DUCKDB_MEMORY must be a size like 1GB or 512MB, from 64MB to this machine's "
        f"{total / 1e9:.1f}GB, got {value!r}"
    )


def _physical_memory() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


class XxgkSettings(dg.ConfigurableResource):
    """Where the raw reports are and how hard to work. Empty fields fall back to the XXGK_* variables."""

    raw_dir: str = ""
    staging_dir: str = ""
    workers: int = 0  # 0 = XXGK_WORKERS or every core
    max_bytes: int = 0  # 0 = XXGK_MAX_BYTES or 20 MB
    time_budget: float = 0.0  # seconds per document; 0 = XXGK_TIME_BUDGET or 60
    progress_bar: bool = False  # a terminal progress bar (the CLI turns it on when stderr is a TTY)

    def raw_root(self) -> Path:
        return Path(self.raw_dir or os.environ.get("XXGK_RAW_DIR") or "data/raw")

    def staging_root(self, warehouse_path: Path) -> Path:
        """Where this warehouse's runs stage, one subfolder per run.

        Only this warehouse's runs use it (a shared XXGK_STAGING_DIR gets one subfolder per
        warehouse), so the holder of the run lock may delete whatever a dead run left there.
        """
        explicit = self.staging_dir or os.environ.get("XXGK_STAGING_DIR")
        if not explicit:
            return warehouse_path.with_name(warehouse_path.stem + ".staging")
        digest = hashlib.blake2b(str(warehouse_path.absolute()).encode(), digest_size=6).hexdigest()
        return Path(explicit) / f"{warehouse_path.stem}-{digest}"

    def worker_count(self) -> int:
        """Parser processes: XXGK_WORKERS (0 or unset = every core), never more than the usable cores."""
        cores = usable_cores()
        value = self.workers or os.environ.get("XXGK_WORKERS") or 0
        return min(_whole("XXGK_WORKERS", value, 0, 1024, "a whole number of processes"), cores) or cores

    def ocr_threads(self) -> int:
        """onnxruntime threads per parse worker for OCR (XXGK_OCR_THREADS; -1 = every core)."""
        value = os.environ.get("XXGK_OCR_THREADS") or -1
        return _whole(
            "XXGK_OCR_THREADS", value, -1, 4 * usable_cores(), "a whole number of threads (-1: every core)"
        )

    def byte_limit(self) -> int:
        value = self.max_bytes or os.environ.get("XXGK_MAX_BYTES") or MAX_BYTES
        return _whole("XXGK_MAX_BYTES", value, 1, MAX_BYTES_CAP, "a whole number of bytes")

    def seconds_per_document(self) -> float:
        value = self.time_budget or os.environ.get("XXGK_TIME_BUDGET") or DEFAULT_TIME_BUDGET
        try:
            seconds = float(str(value).strip())
        except ValueError:
            seconds = math.nan
        if not 0 < seconds <= TIME_BUDGET_CAP:  # also refuses nan; inf is above the cap
            raise SettingError(
                f"XXGK_TIME_BUDGET must be a number of seconds above 0 and at most {TIME_BUDGET_CAP:g}, got {str(value)!r}"
            )
        return seconds

    def validate(self) -> None:
        """Read every setting once, so a bad one fails before any work (SettingError)."""
        self.worker_count()
        self.byte_limit()
        self.seconds_per_document()
        self.ocr_threads()

    def list_raw(self, warehouse_file: Path) -> list[batch.FileEntry]:
        """The raw folder's files, without the warehouse's own outputs should they live inside it."""
        return batch.scan(self.raw_root(), exclude=self.own_outputs(warehouse_file))

    def own_outputs(self, warehouse_file: Path) -> list[Path]:
        """What a run writes: never read back as input."""
        from assets.gx import data_docs_dir
        from pipeline.overview import overview_path

        working = publish.working_path(warehouse_file)
        return [
            *(
                database.with_name(database.name + suffix)
                for database in (warehouse_file, working)
                for suffix in ("", ".wal", ".tmp", ".run.lock")
            ),
            self.staging_root(warehouse_file),
            *(warehouse.export_folder(warehouse_file, fmt) for fmt in ("parquet", "csv")),
            overview_path(warehouse_file),
            data_docs_dir(warehouse_file),
        ]


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file (XXGK_WAREHOUSE, default data/warehouse/xxgk.duckdb).

    A run that uses it holds the warehouse's run lock from its first step to its last: one run
    at a time, whoever starts it (CLI, schedule, sensor, UI). The jobs run in one process
    (in-process executor), so the lock is taken once per run.
    """

    path: str = ""
    memory_limit: str = ""  # "" = XXGK_DUCKDB_MEMORY or 1GB
    wait_for_run: bool = False  # wait for a running run to finish instead of failing

    def file(self) -> Path:
        """The published snapshot analysts open."""
        return Path(self.path or os.environ.get("XXGK_WAREHOUSE") or "data/warehouse/xxgk.duckdb")

    def working_file(self) -> Path:
        """The database the run reads and writes (seeded from the snapshot when missing)."""
        try:
            return publish.prepare_working(warehouse.check_path(self.file()))
        except duckdb.Error as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise warehouse.WarehouseError(
                f"cannot open warehouse {self.file()}: {first} (move the file away to rebuild it, or fix XXGK_WAREHOUSE)"
            ) from exc

    def publish(self) -> None:
        """Replace the snapshot analysts open with the working database, atomically."""
        publish.publish(self.working_file(), self.file())

    def duckdb_memory(self) -> str:
        value = self.memory_limit or os.environ.get("XXGK_DUCKDB_MEMORY") or warehouse.DEFAULT_MEMORY_LIMIT
        memory_bytes(value)
        return value

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[WarehouseResource]:
        with warehouse.run_lock(self.file(), wait=self.wait_for_run):
            if context.instance is not None and context.run_id:
                _claim_instance(context.instance, context.run_id, self.file())
            yield self

    def connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """A connection to the working database with the schema in place (read-only connections never
        create anything)."""
        working = self.working_file()
        if read_only and not working.exists():
            conn = duckdb.connect(":memory:")
            warehouse.ensure_schema(conn)
            return conn
        conn = warehouse.connect(working, read_only=read_only, memory_limit=self.duckdb_memory())
        if not read_only:
            warehouse.ensure_schema(conn)
        return conn


#: Run tag naming the warehouse file a run writes (set once the run holds the warehouse's lock).
WAREHOUSE_TAG = "xxgk/warehouse"


def _claim_instance(instance: dg.DagsterInstance, run_id: str, warehouse_file: Path) -> None:
    """Fail the dead runs of this warehouse in the instance, then tag this run as its writer.

    Called by the holder of the warehouse's run lock: any other run tagged with the same file
    and still marked as running was killed (kill -9, power loss) and never reported its end. Its
    pool slots ("warehouse") would stay claimed forever and block every later run's steps.
    """
    path = str(warehouse_file.absolute())
    dead = instance.get_runs(
        dg.RunsFilter(
            statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING], tags={WAREHOUSE_TAG: path}
        )
    )
    for run in dead:
        if run.run_id != run_id:
            instance.report_run_failed(run, "its process died; found by the next run of the same warehouse")
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
    instance.add_run_tags(run_id, {WAREHOUSE_TAG: path})

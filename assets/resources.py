"""Settings and the warehouse as Dagster resources (values resolved at run time, never at import)."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import duckdb

from pipeline import publish, warehouse
from pipeline.ingest import MAX_BYTES
from pipeline.process import DEFAULT_TIME_BUDGET


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
        explicit = self.staging_dir or os.environ.get("XXGK_STAGING_DIR")
        return Path(explicit) if explicit else warehouse_path.with_name(warehouse_path.stem + ".staging")

    def worker_count(self) -> int:
        return self.workers or int(os.environ.get("XXGK_WORKERS") or 0) or os.cpu_count() or 1

    def byte_limit(self) -> int:
        return self.max_bytes or int(os.environ.get("XXGK_MAX_BYTES") or 0) or MAX_BYTES

    def seconds_per_document(self) -> float:
        return self.time_budget or float(os.environ.get("XXGK_TIME_BUDGET") or 0) or DEFAULT_TIME_BUDGET


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file (XXGK_WAREHOUSE, default data/warehouse/xxgk.duckdb)."""

    path: str = ""
    memory_limit: str = ""  # "" = XXGK_DUCKDB_MEMORY or 1GB

    def file(self) -> Path:
        """The published snapshot analysts open."""
        return Path(self.path or os.environ.get("XXGK_WAREHOUSE") or "data/warehouse/xxgk.duckdb")

    def working_file(self) -> Path:
        """The database the run reads and writes (seeded from the snapshot when missing)."""
        return publish.prepare_working(self.file())

    def publish(self) -> None:
        """Replace the snapshot analysts open with the working database, atomically."""
        publish.publish(self.working_file(), self.file())

    def duckdb_memory(self) -> str:
        return self.memory_limit or os.environ.get("XXGK_DUCKDB_MEMORY") or warehouse.DEFAULT_MEMORY_LIMIT

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

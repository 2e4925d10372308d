"""The working database a run writes, and the snapshot analysts open.

A run writes `<stem>.working.duckdb` beside the warehouse and then publishes it as the warehouse
file by copy-and-rename: a reader holding the old snapshot keeps reading it (its inode lives on
until it closes), a new connection sees the new one, and no reader ever holds a lock the run needs.

Both files use DuckDB storage format STORAGE_VERSION, which the pinned Python client writes and
the newest released DuckDB CLI (1.5.x) and drivers read; the 2.0 default format (v2.0.0+) they cannot.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

#: Storage format of every file the pipeline creates (duckdb-cli 1.5.6 reads up to v1.5.0).
STORAGE_VERSION = "v1.5.0"


def working_path(published: Path) -> Path:
    """The database a run writes: `<stem>.working.duckdb` beside the published warehouse."""
    return published.with_name(f"{published.stem}.working.duckdb")


def storage_version(conn: duckdb.DuckDBPyConnection) -> str:
    """Storage format of the connection's database file, e.g. 'v1.5.0+'."""
    return conn.execute(
        "SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()[0]


def rewrite_storage(path: Path) -> bool:
    """Rewrite `path` in STORAGE_VERSION when it has another format; True when it did.

    COPY FROM DATABASE keeps every table and row; `schema_info` is emptied so that the next
    writer re-applies the comments and views the copy does not carry.
    """
    with duckdb.connect(str(path), read_only=True) as conn:
        if storage_version(conn).rstrip("+") == STORAGE_VERSION:
            return False
    tmp = path.with_name(path.name + ".rewrite")
    tmp.unlink(missing_ok=True)
    with duckdb.connect() as conn:
        conn.execute("ATTACH ? AS old (READ_ONLY)", [str(path)])
        conn.execute(f"ATTACH ? AS new (STORAGE_VERSION '{STORAGE_VERSION}')", [str(tmp)])
        conn.execute("COPY FROM DATABASE old TO new")
        if conn.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'new' AND table_name = 'schema_info'"
        ).fetchone()[0]:
            conn.execute("DELETE FROM new.schema_info")
    tmp.replace(path)
    return True


def prepare_working(published: Path) -> Path:
    """The working database, seeded from the published warehouse when it is missing (first run after
    an upgrade, or a deleted working file), in STORAGE_VERSION."""
    working = working_path(published)
    if not working.exists() and published.exists():
        if published.with_name(published.name + ".wal").exists():
            duckdb.connect(str(published)).close()  # a file written in place before: fold in its WAL
        _copy_then_rename(published, working)
        rewrite_storage(working)  # a warehouse written before in the 2.0 format
    return working


def publish(working: Path, published: Path) -> None:
    """Checkpoint the working database and atomically replace the published snapshot with a copy.

    Call with no other connection to `working` open (the run's single-writer pool guarantees it).
    """
    with duckdb.connect(str(working)) as conn:
        conn.execute("CHECKPOINT")  # everything in the main file: the WAL is not copied
    published.with_name(published.name + ".wal").unlink(
        missing_ok=True
    )  # never pair a snapshot with a stale WAL
    _copy_then_rename(working, published)


def _copy_then_rename(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.publishing")
    try:
        shutil.copyfile(source, tmp)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)

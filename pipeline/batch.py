"""Batch work over a raw folder: scan, plan what changed, process in parallel, stage as Parquet.

Pure Python + pyarrow: no Dagster. The Dagster assets call these functions, and so can any
other executor (a process pool here, Dask/Ray workers on a cluster: `process_entry` is a
plain picklable function over a file path).
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from itertools import chain, repeat
from operator import attrgetter
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline import warehouse
from pipeline.copies import numbers_fingerprint, text_fingerprint
from pipeline.metrics import SECTION_TABLES, SUBJECTS, section_table, subject_of
from pipeline.organs import organ_key
from pipeline.process import DEFAULT_TIME_BUDGET, DocumentResult, process_document, quarantined
from pipeline.records import EXTRACTOR_VERSION

#: Staged tables, one folder of Parquet parts each; the warehouse load reads them back.
#: What a run stages, one folder of Parquet parts each; the facts go one table per section.
STAGED_TABLES = ("reports", "normalized_text", "sections", *SECTION_TABLES, "cells", "findings")

#: Shards of the raw folder. A file's shard is a stable hash of its source_file (not stored
#: anywhere), so changing the count needs no migration: the next run over all shards re-plans.
N_SHARDS = 16


#: n_bytes of a file that could not be read this time (permissions, I/O error): the plan never
#: takes it for unchanged, so the next run tries again even though its size and mtime did not change.
UNKNOWN_SIZE = -1


@dataclass(frozen=True, slots=True)
class FileEntry:
    source_file: str  # relative, '/' separated
    path: str
    n_bytes: int
    mtime_ns: int
    unreadable: str = ""  # reason when the entry cannot be read at all


def source_name(relative: str) -> str:
    """A relative path as stored: a name that is not valid UTF-8 keeps its bytes as visible escapes (\\xb1)."""
    return relative.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _not_regular(mode: int) -> str:
    """Why a non-regular file is not read (opening a FIFO would block the reader forever)."""
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    return f"not a regular file ({'fifo' if stat.S_ISFIFO(mode) else 'socket or device'})"


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def scan(raw_dir: str | Path, exclude: Iterable[str | Path] = ()) -> list[FileEntry]:
    """Every file below raw_dir (recursively, any name), sorted; unreadable entries carry a reason.

    Symbolic links are followed only while they stay inside raw_dir: a link out of it (`up -> ..`)
    would pull in whatever lies there, so it is listed as quarantined, not followed. Paths in
    `exclude` (the warehouse's own outputs when they live under raw_dir) are skipped unlisted.
    """
    root = Path(raw_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"raw folder {root} does not exist or is not a folder (set XXGK_RAW_DIR)")
    real_root = os.path.realpath(root)
    excluded = {os.path.realpath(p) for p in exclude}
    entries: list[FileEntry] = []
    seen_dirs: set[tuple[int, int]] = set()

    def walk(folder: Path, real_folder: str) -> None:
        try:
            st = folder.stat()
        except OSError:
            return
        if (st.st_dev, st.st_ino) in seen_dirs:  # symlink loop
            return
        seen_dirs.add((st.st_dev, st.st_ino))
        try:
            children = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            rel = source_name(folder.relative_to(root).as_posix())
            entries.append(FileEntry(rel, str(folder), UNKNOWN_SIZE, 0, f"unreadable folder: {exc.strerror}"))
            return
        for child in children:
            rel = source_name(Path(child.path).relative_to(root).as_posix())
            real = os.path.join(real_folder, child.name)
            try:
                if child.is_symlink():
                    real = os.path.realpath(child.path)
                    if not _inside(real, real_root):
                        mtime = child.stat(follow_symlinks=False).st_mtime_ns
                        reason = "symbolic link to outside the raw folder (not followed)"
                        entries.append(FileEntry(rel, child.path, 0, mtime, reason))
                        continue
                if real in excluded:
                    continue
                if child.is_dir():
                    walk(Path(child.path), real)
                    continue
                st = child.stat()
            except OSError as exc:  # a link loop stays one; anything else may pass: read again next run
                size = 0 if exc.errno == errno.ELOOP else UNKNOWN_SIZE
                entries.append(FileEntry(rel, child.path, size, 0, f"unreadable: {exc.strerror or exc}"))
                continue
            if child.name in {".DS_Store", ".gitkeep"}:
                continue
            if not stat.S_ISREG(st.st_mode):
                entries.append(
                    FileEntry(rel, child.path, st.st_size, st.st_mtime_ns, _not_regular(st.st_mode))
                )
                continue
            entries.append(FileEntry(rel, child.path, st.st_size, st.st_mtime_ns))

    walk(root, real_root)
    return entries


def shard_keys(n_shards: int = N_SHARDS) -> list[str]:
    """The shard names in order: '00', '01', ... (two hex digits, so up to 256 shards)."""
    if not 1 <= n_shards <= 256:
        raise ValueError(f"n_shards must be 1..256, got {n_shards}")
    return [f"{i:02x}" for i in range(n_shards)]


def shard_of(source_file: str, n_shards: int = N_SHARDS) -> str:
    """The shard of a file: BLAKE2b of its '/'-separated relative path, modulo n_shards.

    Stable across processes, machines and Python versions (unlike hash()), and independent of
    the file's content, so an edited file stays in its shard and a deleted one is looked for there.
    """
    digest = hashlib.blake2b(source_file.encode("utf-8", "surrogateescape"), digest_size=8).digest()
    return f"{int.from_bytes(digest, 'big') % n_shards:02x}"


def shard_fingerprints(
    entries: Iterable[FileEntry], n_shards: int = N_SHARDS, version: str = EXTRACTOR_VERSION
) -> dict[str, str]:
    """shard -> digest of (source_file, size, mtime_ns, unreadable) of every file in it, plus the extractor version.

    Every shard gets a digest, empty ones too, so a shard whose last file was deleted changes
    digest like any other. Two listings of the same files give the same digests whatever their order.
    """
    rows: dict[str, list[str]] = {key: [] for key in shard_keys(n_shards)}
    for e in entries:
        rows[shard_of(e.source_file, n_shards)].append(
            f"{e.source_file}\0{e.n_bytes}\0{e.mtime_ns}\0{e.unreadable}"
        )
    digests = {}
    for key, lines in rows.items():
        h = hashlib.blake2b(f"{version}\n".encode(), digest_size=16)
        for line in sorted(lines):
            h.update(line.encode("utf-8", "surrogateescape") + b"\n")
        digests[key] = h.hexdigest()
    return digests


def contiguous_ranges(keys: Iterable[str], order: list[str]) -> list[tuple[str, str]]:
    """Group keys into the fewest (first, last) runs of neighbours in `order`: 00,01,02,05 -> (00,02), (05,05)."""
    wanted = set(keys)
    ranges: list[tuple[str, str]] = []
    start = prev = None
    for key in order:
        if key in wanted:
            if start is None:
                start = key
            prev = key
        elif start is not None:
            ranges.append((start, prev))
            start = None
    if start is not None:
        ranges.append((start, prev))
    return ranges


@dataclass(slots=True)
class Plan:
    to_process: list[FileEntry] = field(default_factory=list)
    new: int = 0
    changed: int = 0
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


def plan(
    entries: list[FileEntry],
    known: dict[str, tuple[int, int, str, str]],
    version: str = EXTRACTOR_VERSION,
    reread: Iterable[str] = (),
) -> Plan:
    """Split the listing into new / changed / unchanged / deleted against what the warehouse holds.

    A file whose size and mtime match and whose row came from this extractor version is not
    even read; anything else is re-read, and so are the files named in `reread` (duplicates whose
    original is gone). Reading is what costs, so the content hash decides nothing here.
    """
    reread = set(reread)
    result = Plan()
    listed = set()
    for entry in entries:
        listed.add(entry.source_file)
        prior = known.get(entry.source_file)
        if prior is None:
            result.new += 1
            result.to_process.append(entry)
        elif (
            prior[0] == entry.n_bytes
            and prior[1] == entry.mtime_ns
            and prior[3] == version
            and entry.n_bytes != UNKNOWN_SIZE
            and entry.source_file not in reread
        ):
            result.unchanged.append(entry.source_file)
        else:
            result.changed += 1
            result.to_process.append(entry)
    result.deleted = sorted(set(known) - listed)
    return result


class _NotRegular(OSError):
    pass


def _read_regular(path: str, limit: int) -> bytes:
    """Up to `limit` bytes of a regular file. Opened non-blocking and checked after opening, so a FIFO
    or device swapped in after the listing is refused instead of waited on."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _NotRegular(_not_regular(mode))
        chunks, left = [], limit
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def process_entry(
    entry: FileEntry, max_bytes: int, time_budget: float = DEFAULT_TIME_BUDGET
) -> DocumentResult:
    """Read one file and run the whole per-document pipeline; never raises.

    A file quarantined unread keeps its listed size (and the stage its mtime), so the next run
    sees it unchanged and does not read it again.
    """
    if entry.unreadable:
        return quarantined(entry.source_file, entry.unreadable, n_bytes=entry.n_bytes)
    if entry.n_bytes > max_bytes:
        return quarantined(
            entry.source_file,
            f"file too large: {entry.n_bytes / 1e6:.1f} MB exceeds the {max_bytes / 1e6:g} MB limit (XXGK_MAX_BYTES)",
            n_bytes=entry.n_bytes,
        )
    try:
        data = _read_regular(entry.path, max_bytes + 1)
    except FileNotFoundError:
        return quarantined(
            entry.source_file, "file vanished between listing and reading", n_bytes=UNKNOWN_SIZE
        )
    except _NotRegular as exc:
        return quarantined(entry.source_file, str(exc), n_bytes=entry.n_bytes)
    except OSError as exc:
        return quarantined(entry.source_file, f"unreadable: {exc.strerror or exc}", n_bytes=UNKNOWN_SIZE)
    if len(data) > max_bytes:
        return quarantined(
            entry.source_file,
            f"file too large: grew beyond the {max_bytes / 1e6:g} MB limit while being read",
            n_bytes=UNKNOWN_SIZE,
        )
    return process_document(data, entry.source_file, time_budget)


@dataclass(slots=True)
class RunPlan:
    """What one run does: decided by its first step, kept in its stage, read by the steps after it."""

    shards: list[str]
    started: float  # time.time() when the run began
    files_seen: int
    new: int
    changed: int
    unchanged: int
    deleted: list[str]
    to_process: list[FileEntry]
    taken: dict[str, str]  # report_id -> source_file of parsed reports staying in place (duplicate lookup)

    def run_row(self, run_id: str) -> dict:
        """The ingest_runs row of this run while it is running."""
        return warehouse.run_row(
            run_id, time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(self.started)),
            files_seen=self.files_seen, files_new=self.new, files_changed=self.changed,
            files_deleted=len(self.deleted), files_unchanged=self.unchanged,
            seconds=round(time.time() - self.started, 3),
        )  # fmt: skip


def plan_run(conn, entries: list[FileEntry], shards: list[str], in_run: Callable[[str], bool]) -> RunPlan:
    """Plan a run over `shards` (`entries` already filtered by `in_run`) against the warehouse's rows."""
    started = time.time()
    # only this run's shards: a file gone from another shard is that shard's run to delete
    known = {name: row for name, row in warehouse.known_files(conn).items() if in_run(name)}
    found = plan(entries, known)
    leaving = {e.source_file for e in found.to_process} | set(found.deleted)
    orphans = {name for name in warehouse.orphaned_duplicates(conn, leaving) if in_run(name)} - leaving
    if orphans:  # duplicates of a file that is gone or changed: read them again
        found = plan(entries, known, reread=orphans)
    replaced = {e.source_file for e in found.to_process} | set(found.deleted)
    # duplicates are looked up across every shard, not only this run's
    taken = warehouse.parsed_sources(conn) if found.to_process else {}
    return RunPlan(
        shards, started, len(entries), found.new, found.changed, len(found.unchanged), found.deleted,
        found.to_process, {rid: src for rid, src in taken.items() if src not in replaced},
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class ChunkTask:
    """One unit of parse work: process `entries` and stage their rows as part `index` under `stage_root`."""

    index: int
    entries: list[FileEntry]
    stage_root: str
    run_id: str
    max_bytes: int
    time_budget: float = DEFAULT_TIME_BUDGET


def stage_chunk(task: ChunkTask) -> list[dict]:
    """Worker side: process a chunk, write its text/sections/facts/cells/findings Parquet parts, return its report rows.

    Only the report rows (one small dict per file) travel back to the caller, which checks them
    for duplicates and stages them; the bulky rows never cross a process boundary.
    """
    results = [process_entry(e, task.max_bytes, task.time_budget) for e in task.entries]
    tables = to_arrow(results, {e.source_file: e.mtime_ns for e in task.entries}, task.run_id)
    Stage(task.stage_root).write(task.index, {k: v for k, v in tables.items() if k != "reports"})
    return tables["reports"].to_pylist()


def chunk_size(total: int, workers: int, largest: int = 250) -> int:
    """Documents per task: a few tasks per worker for balance, at most `largest` (bounds a worker's memory)."""
    return max(1, min(largest, -(-total // (max(workers, 1) * 4))))


def stage_all(
    entries: list[FileEntry],
    stage: Stage,
    *,
    run_id: str,
    workers: int,
    max_bytes: int,
    time_budget: float = DEFAULT_TIME_BUDGET,
    chunk: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    executor: Executor | None = None,
) -> Iterator[dict]:
    """Process and stage entries across `workers` processes (1 = in this process); yield report rows in input order.

    `executor` replaces the local process pool with any `concurrent.futures.Executor` whose
    `map` keeps input order, e.g. a Dask cluster's `Client.get_executor()` (`workers` is then
    ignored; the stage folder must be on storage every worker can write). The local pool starts
    fresh interpreters, so a script calling this with workers > 1 needs the usual
    `if __name__ == "__main__":` guard.
    """
    total = len(entries)
    size = chunk or chunk_size(total, workers)
    tasks = [
        ChunkTask(i, entries[start : start + size], str(stage.root), run_id, max_bytes, time_budget)
        for i, start in enumerate(range(0, total, size))
    ]

    def gather(chunk_rows: Iterable[list[dict]]) -> Iterator[dict]:
        done = 0
        for rows in chunk_rows:
            done += len(rows)
            if on_progress:
                on_progress(done, total)
            yield from rows

    if executor is not None:
        yield from gather(executor.map(stage_chunk, tasks))
    elif workers <= 1 or len(tasks) <= 1:
        yield from gather(map(stage_chunk, tasks))
    else:
        # Fresh interpreters, not fork(): a forked child inherits the parent's Rust thread pools
        # (opencc_pyo3) without their threads, and hangs for good in its first conversion if this
        # process converted anything before. Costs ~0.5 s per worker.
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        )
        try:
            with _interrupts_deferred():  # starting workers; an interrupt now would leave a half-started one
                results = pool.map(stage_chunk, tasks)
            yield from gather(results)
        except BaseException:  # an interrupt or a failed chunk: stop the workers now, not after the queue
            _kill_workers(pool)
            raise
        pool.shutdown()


@contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM back while the block runs; they are delivered (and raise) right after it.

    The mask alone is not enough: once the pool has threads, the kernel hands the signal to one of
    them and CPython still runs the Python handler in this thread, mid-block. So the handlers only
    note the signal while the block runs, and the first one noted is delivered after it."""
    deferred = (signal.SIGINT, signal.SIGTERM)
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread receives signals in Python
        return
    noted: list[int] = []
    handlers = {signum: signal.signal(signum, lambda n, _frame: noted.append(n)) for signum in deferred}
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, set(deferred))  # inherited by the started workers
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        if noted:
            handler = handlers[noted[0]]
            if callable(handler):
                handler(noted[0], None)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(noted[0])


def die_with_parent(parent: int) -> None:
    """Worker initializer: the kernel kills this worker when its parent dies, kill -9 included (Linux).

    Ctrl-C reaches every process of the terminal's group: the worker ignores it and the parent,
    which got it too, stops the pool.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})  # blocked by the parent while it started us
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    # Python 3.14 has pool.kill_workers(); before it the worker processes are only reachable here.
    for process in list((pool._processes or {}).values()):
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


#: A duplicate's report row, like any quarantined file's, has no extracted metadata.
_NOT_EXTRACTED = {
    **dict.fromkeys(("encoding", "script", "organ", "province", "city", "county", "organ_key", "admin_level", "report_year",
                     "period_start", "period_end", "published_on", "format_era")),
    "normalization_steps": "",
    "mojibake_spans": 0,
    "ocr_pages": "",
}  # fmt: skip


def dedupe(rows: Iterable[dict], taken: dict[str, str]) -> Iterator[dict]:
    """Quarantine a parsed file whose bytes equal an already parsed file's (report_id -> source_file in `taken`).

    The duplicate's staged text, sections and facts stay in the stage; the load skips the rows
    of every file staged as not parsed.
    """
    for row in rows:
        if row["status"] == "parsed":
            first = taken.setdefault(row["report_id"], row["source_file"])
            if first != row["source_file"]:
                row = {**row, **_NOT_EXTRACTED, "status": "quarantined",
                       "status_reason": f"duplicate of {first} (identical content)"}  # fmt: skip
        yield row


# --- staging ------------------------------------------------------------------------------------------


def _d(value):
    return value.isoformat() if value is not None else None


def to_arrow(results: list[DocumentResult], mtimes: dict[str, int], run_id: str) -> dict[str, pa.Table]:
    """The staged tables of `results`, built a column at a time (a C-level map per column).

    Every staged row carries its source_file, so the load can skip the rows of a file staged as
    quarantined (a duplicate) even though they share the report_id of the file it duplicates.
    """
    reports = [
        (r.report_id, r.source_file, r.content_sha256, r.n_bytes, mtimes.get(r.source_file, 0), r.encoding,
         r.script, *(_metadata(r.extraction.metadata) if r.extraction else (None,) * 11), r.status,
         r.status_reason, ",".join(r.normalized.steps) if r.normalized else "",
         len(r.normalized.mojibake_spans) if r.normalized else 0, ",".join(map(str, r.ocr_pages)),
         r.extractor_version, run_id,
         numbers_fingerprint(r.extraction.facts) if r.extraction else None)
        for r in results
    ]  # fmt: skip
    schema = STAGED_SCHEMAS["reports"]
    columns = zip(*reports, strict=True) if reports else [()] * len(schema)
    tables = {
        "reports": pa.table(
            [pa.array(c, f.type) for c, f in zip(columns, schema, strict=True)], schema=schema
        )
    }
    parsed = [r for r in results if r.extraction]
    for name, (children, getters) in _CHILD_COLUMNS.items():
        groups = [children(r) for r in parsed]
        items = list(chain.from_iterable(groups))
        counts = [len(g) for g in groups]
        data = {  # a document's value repeated once per row of it
            column: list(chain.from_iterable(map(repeat, map(attrgetter(column), parsed), counts)))
            for column in ("report_id", "source_file", "extractor_version")
            if column in _CHILD_SCHEMAS[name].names
        }
        data.update((column, list(map(get, items))) for column, get in getters.items())
        if name == "facts":
            data["subject"] = list(map(subject_of, data["metric"]))
        elif name == "findings":
            data["origin"] = ["extraction"] * len(items)
        tables[name] = pa.table([data[c] for c in _CHILD_SCHEMAS[name].names], schema=_CHILD_SCHEMAS[name])
    facts = tables.pop("facts")
    for subject in SUBJECTS:
        tables[section_table(subject)] = facts.filter(pc.equal(facts["subject"], subject)).drop_columns(
            "subject"
        )
    return tables


def _metadata(meta) -> tuple:
    return (meta.organ, meta.province, meta.city, meta.county,
            organ_key(meta.organ, meta.province, meta.city, meta.county), meta.admin_level, meta.report_year,
            _d(meta.period_start), _d(meta.period_end), _d(meta.published_on), meta.format_era)  # fmt: skip


def _attrs(**columns: str) -> dict[str, Callable]:
    return {column: attrgetter(attr) for column, attr in columns.items()}


#: staged table -> (its rows of a parsed document, column -> getter on a row); report_id,
#: source_file and extractor_version come from the document, facts.subject and findings.origin are derived.
_CHILD_COLUMNS: dict[str, tuple[Callable[[DocumentResult], list], dict[str, Callable]]] = {
    "normalized_text": (
        lambda r: [r.normalized],
        {**_attrs(text="text"), "text_fingerprint": lambda n: text_fingerprint(n.text)},
    ),
    "sections": (
        attrgetter("extraction.sections"),
        _attrs(ordinal="ordinal", level="level", kind="kind", heading="heading", char_start="char_start",
               char_end="char_end"),
    ),
    "facts": (
        attrgetter("extraction.facts"),
        _attrs(metric="metric", breakdown="breakdown", value="value", unit="unit", is_approximate="is_approximate",
               is_derived="is_derived", evidence="evidence", char_start="char_start", char_end="char_end",
               source="source"),
    ),
    "cells": (
        attrgetter("extraction.cells"),
        _attrs(table_name="table", row_key="row", column_key="column", raw="raw", cell_kind="kind", value="value",
               char_start="char_start", char_end="char_end"),
    ),
    "findings": (
        attrgetter("extraction.findings"),
        _attrs(check_name="check_name", expected="expected", observed="observed", severity="severity",
               source_inconsistent="source_inconsistent", detail="detail"),
    ),
}  # fmt: skip


_S, _I, _L, _F, _B = pa.string(), pa.int32(), pa.int64(), pa.float64(), pa.bool_()
_KEY = [("report_id", _S), ("source_file", _S)]
_CHILD_SCHEMAS = {
    "reports": pa.schema(
        [*_KEY, ("content_sha256", _S), ("n_bytes", _L), ("mtime_ns", _L), ("encoding", _S), ("script", _S),
         ("organ", _S), ("province", _S), ("city", _S), ("county", _S), ("organ_key", _S), ("admin_level", _S), ("report_year", _I),
         ("period_start", _S), ("period_end", _S), ("published_on", _S), ("format_era", _S), ("status", _S),
         ("status_reason", _S), ("normalization_steps", _S), ("mojibake_spans", _I), ("ocr_pages", _S), ("extractor_version", _S),
         ("run_id", _S), ("numbers_fingerprint", _S)]
    ),
    "normalized_text": pa.schema([*_KEY, ("text", pa.large_string()), ("text_fingerprint", _S)]),
    "sections": pa.schema(
        [*_KEY, ("ordinal", _I), ("level", _I), ("kind", _S), ("heading", _S), ("char_start", _I), ("char_end", _I)]
    ),
    "facts": pa.schema(
        [*_KEY, ("metric", _S), ("breakdown", _S), ("value", _F), ("unit", _S), ("is_approximate", _B),
         ("is_derived", _B), ("evidence", _S), ("char_start", _I), ("char_end", _I), ("source", _S),
         ("extractor_version", _S), ("subject", _S)]
    ),
    "cells": pa.schema(
        [*_KEY, ("table_name", _S), ("row_key", _S), ("column_key", _S), ("raw", _S), ("cell_kind", _S),
         ("value", _F), ("char_start", _I), ("char_end", _I)]
    ),
    "findings": pa.schema(
        [*_KEY, ("check_name", _S), ("expected", _F), ("observed", _F), ("severity", _S),
         ("source_inconsistent", _B), ("detail", _S), ("origin", _S)]
    ),
}  # fmt: skip
_SECTION_SCHEMA = _CHILD_SCHEMAS["facts"].remove(_CHILD_SCHEMAS["facts"].get_field_index("subject"))
#: Every staged table's schema (a section table: the facts of one subject).
STAGED_SCHEMAS = {name: _CHILD_SCHEMAS.get(name, _SECTION_SCHEMA) for name in STAGED_TABLES}


_GLOB_CHARS = re.compile(r"([\[\]*?])")


class Stage:
    """A staging folder of Parquet parts, one subfolder per staged table."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def reset(self) -> None:
        if self.root.exists():
            shutil.rmtree(self.root)
        for name in STAGED_TABLES:
            (self.root / name).mkdir(parents=True, exist_ok=True)

    def write(self, part: int, tables: dict[str, pa.Table]) -> None:
        """Write each non-empty table as `<root>/<name>/part-<part>.parquet`."""
        for name, table in tables.items():
            if table.num_rows:
                pq.write_table(table, self.root / name / f"part-{part:05d}.parquet", compression="zstd")

    def write_reports(self, part: int, rows: list[dict]) -> None:
        self.write(part, {"reports": pa.Table.from_pylist(rows, schema=STAGED_SCHEMAS["reports"])})

    def count(self, name: str) -> int:
        """Rows staged in `name` (from the Parquet footers, without reading the data)."""
        return sum(pq.read_metadata(p).num_rows for p in (self.root / name).glob("*.parquet"))

    def glob(self, name: str) -> str:
        """The DuckDB glob of `name`'s parts; glob characters in the folder's path match only themselves."""
        return _GLOB_CHARS.sub(r"[\1]", str(self.root / name)) + "/*.parquet"

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def write_plan(self, run_plan: RunPlan) -> None:
        # ASCII escapes keep paths that are not valid UTF-8 (lone surrogates) intact
        (self.root / "plan.json").write_text(json.dumps(asdict(run_plan)), encoding="utf-8")

    def read_plan(self) -> RunPlan:
        data = json.loads((self.root / "plan.json").read_text(encoding="utf-8"))
        return RunPlan(**{**data, "to_process": [FileEntry(**e) for e in data["to_process"]]})

    def head(self, name: str, limit: int = 5) -> pa.Table:
        """The first `limit` staged rows of `name` (empty when nothing was staged)."""
        parts = sorted((self.root / name).glob("*.parquet"))
        if not parts:
            return STAGED_SCHEMAS[name].empty_table()
        return pq.ParquetFile(parts[0]).read_row_group(0).slice(0, limit)

    def has(self, name: str) -> bool:
        return any((self.root / name).glob("*.parquet"))

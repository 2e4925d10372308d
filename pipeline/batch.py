"""Batch work over a raw folder: scan, plan what changed, process in parallel, stage as Parquet.

Pure Python + pyarrow: no Dagster. The Dagster assets call these functions, and so can any
other executor (a process pool here, Dask/Ray workers on a cluster: `process_entry` is a
plain picklable function over a file path).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import stat
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.metrics import subject_of
from pipeline.process import DEFAULT_TIME_BUDGET, DocumentResult, process_document, quarantined
from pipeline.records import EXTRACTOR_VERSION

#: Staged tables, one folder of Parquet parts each; the warehouse load reads them back.
STAGED_TABLES = ("reports", "normalized_text", "sections", "facts", "cells", "findings")

#: Shards of the raw folder. A file's shard is a stable hash of its source_file (not stored
#: anywhere), so changing the count needs no migration: the next run over all shards re-plans.
N_SHARDS = 16


@dataclass(frozen=True, slots=True)
class FileEntry:
    source_file: str  # relative, '/' separated
    path: str
    n_bytes: int
    mtime_ns: int
    unreadable: str = ""  # reason when the entry cannot be read at all


def scan(raw_dir: str | Path) -> list[FileEntry]:
    """Every file below raw_dir (recursively, any name), sorted; unreadable entries carry a reason."""
    root = Path(raw_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"raw folder {root} does not exist or is not a folder (set XXGK_RAW_DIR)")
    entries: list[FileEntry] = []
    seen_dirs: set[tuple[int, int]] = set()

    def walk(folder: Path) -> None:
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
            rel = folder.relative_to(root).as_posix()
            entries.append(FileEntry(rel, str(folder), 0, 0, f"unreadable folder: {exc.strerror}"))
            return
        for child in children:
            rel = Path(child.path).relative_to(root).as_posix()
            try:
                if child.is_dir():
                    walk(Path(child.path))
                    continue
                st = child.stat()
            except OSError as exc:
                entries.append(FileEntry(rel, child.path, 0, 0, f"unreadable: {exc.strerror or exc}"))
                continue
            if child.name in {".DS_Store", ".gitkeep"}:
                continue
            if not stat.S_ISREG(st.st_mode):  # a FIFO would block the reader forever
                kind = "fifo" if stat.S_ISFIFO(st.st_mode) else "socket or device"
                entries.append(FileEntry(rel, child.path, 0, st.st_mtime_ns, f"not a regular file ({kind})"))
                continue
            entries.append(FileEntry(rel, child.path, st.st_size, st.st_mtime_ns))

    walk(root)
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
    entries: list[FileEntry], known: dict[str, tuple[int, int, str, str]], version: str = EXTRACTOR_VERSION
) -> Plan:
    """Split the listing into new / changed / unchanged / deleted against what the warehouse holds.

    A file whose size and mtime match and whose row came from this extractor version is not
    even read; anything else is re-read (and re-parsed: the content hash decides nothing here
    because reading is what costs; parsing is skipped later if the bytes are identical).
    """
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
            and not entry.unreadable
        ):
            result.unchanged.append(entry.source_file)
        else:
            result.changed += 1
            result.to_process.append(entry)
    result.deleted = sorted(set(known) - listed)
    return result


def process_entry(
    entry: FileEntry, max_bytes: int, time_budget: float = DEFAULT_TIME_BUDGET
) -> DocumentResult:
    """Read one file and run the whole per-document pipeline; never raises."""
    if entry.unreadable:
        return quarantined(entry.source_file, entry.unreadable)
    if entry.n_bytes > max_bytes:
        return quarantined(
            entry.source_file,
            f"file too large: {entry.n_bytes / 1e6:.1f} MB exceeds the {max_bytes / 1e6:.0f} MB limit (XXGK_MAX_BYTES)",
        )
    try:
        with open(entry.path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        return quarantined(entry.source_file, "file vanished between listing and reading")
    except IsADirectoryError:
        return quarantined(entry.source_file, "is a folder, not a file")
    except OSError as exc:
        return quarantined(entry.source_file, f"unreadable: {exc.strerror or exc}")
    if len(data) > max_bytes:
        return quarantined(
            entry.source_file,
            f"file too large: grew beyond the {max_bytes / 1e6:.0f} MB limit while being read",
        )
    return process_document(data, entry.source_file, time_budget)


def _process_chunk(args: tuple[list[FileEntry], int, float]) -> list[DocumentResult]:
    entries, max_bytes, time_budget = args
    return [process_entry(e, max_bytes, time_budget) for e in entries]


def process_all(
    entries: list[FileEntry],
    *,
    workers: int,
    max_bytes: int,
    time_budget: float = DEFAULT_TIME_BUDGET,
    chunk: int = 16,
    on_progress: Callable[[int, int], None] | None = None,
    executor: Executor | None = None,
) -> Iterator[DocumentResult]:
    """Process entries across `workers` processes (1 = in this process), yielding results in input order.

    `executor` replaces the local process pool with any `concurrent.futures.Executor` whose
    `map` keeps input order, e.g. a Dask cluster's `Client.get_executor()`; `workers` is then ignored.
    The local pool starts fresh interpreters, so a script calling this with workers > 1 needs the
    usual `if __name__ == "__main__":` guard.
    """
    total = len(entries)
    args = [(entries[i : i + chunk], max_bytes, time_budget) for i in range(0, total, chunk)]

    def gather(chunk_results: Iterable[list[DocumentResult]]) -> Iterator[DocumentResult]:
        done = 0
        for results in chunk_results:
            done += len(results)
            if on_progress:
                on_progress(done, total)
            yield from results

    if executor is not None:
        yield from gather(executor.map(_process_chunk, args))
    elif workers <= 1 or total <= chunk:
        yield from gather(map(_process_chunk, args))
    else:
        # Fresh interpreters, not fork(): a forked child inherits the parent's Rust thread pools
        # (opencc_pyo3 converts long texts in parallel) without their threads, and hangs for good
        # in its first conversion if this process converted anything before. Costs ~1 s per run.
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        ) as pool:
            yield from gather(pool.map(_process_chunk, args))


def dedupe(results: Iterable[DocumentResult], taken: dict[str, str]) -> Iterator[DocumentResult]:
    """Quarantine a parsed file whose bytes equal an already parsed file's (report_id -> source_file in `taken`)."""
    for result in results:
        if result.status == "parsed":
            first = taken.setdefault(result.report_id, result.source_file)
            if first != result.source_file:
                result = quarantined(result.source_file, f"duplicate of {first} (identical content)")
                result.report_id = next(k for k, v in taken.items() if v == first)
        yield result


# --- staging ------------------------------------------------------------------------------------------


def _d(value):
    return value.isoformat() if value is not None else None


def to_arrow(results: list[DocumentResult], mtimes: dict[str, int], run_id: str) -> dict[str, pa.Table]:
    """Column lists built in Python, converted to Arrow once (fast bulk load later)."""
    rep: dict[str, list] = {k: [] for k in _REPORT_COLUMNS}
    txt: dict[str, list] = {"report_id": [], "text": []}
    sec: dict[str, list] = {
        k: [] for k in ("report_id", "ordinal", "level", "kind", "heading", "char_start", "char_end")
    }
    fac: dict[str, list] = {k: [] for k in _FACT_COLUMNS}
    cel: dict[str, list] = {
        k: []
        for k in (
            "report_id",
            "table_name",
            "row_key",
            "column_key",
            "raw",
            "cell_kind",
            "value",
            "char_start",
            "char_end",
        )
    }
    fnd: dict[str, list] = {k: [] for k in _FINDING_SCHEMA.names}
    for r in results:
        ext = r.extraction
        meta = ext.metadata if ext else None
        row = {
            "report_id": r.report_id,
            "source_file": r.source_file,
            "content_sha256": r.content_sha256,
            "n_bytes": r.n_bytes,
            "mtime_ns": mtimes.get(r.source_file, 0),
            "encoding": r.encoding,
            "script": r.script,
            "organ": meta.organ if meta else None,
            "province": meta.province if meta else None,
            "city": meta.city if meta else None,
            "county": meta.county if meta else None,
            "admin_level": meta.admin_level if meta else None,
            "report_year": meta.report_year if meta else None,
            "period_start": _d(meta.period_start) if meta else None,
            "period_end": _d(meta.period_end) if meta else None,
            "published_on": _d(meta.published_on) if meta else None,
            "format_era": meta.format_era if meta else None,
            "status": r.status,
            "status_reason": r.status_reason,
            "normalization_steps": ",".join(r.normalized.steps) if r.normalized else "",
            "mojibake_spans": len(r.normalized.mojibake_spans) if r.normalized else 0,
            "extractor_version": r.extractor_version,
            "run_id": run_id,
        }
        for k, v in row.items():
            rep[k].append(v)
        if not ext:
            continue
        txt["report_id"].append(r.report_id)
        txt["text"].append(r.normalized.text)
        for s in ext.sections:
            for k, v in (("report_id", r.report_id), ("ordinal", s.ordinal), ("level", s.level), ("kind", s.kind),
                         ("heading", s.heading), ("char_start", s.char_start), ("char_end", s.char_end)):  # fmt: skip
                sec[k].append(v)
        for f in ext.facts:
            values = (r.report_id, f.metric, f.breakdown, float(f.value), f.unit, f.is_approximate, f.is_derived,
                      f.evidence, f.char_start, f.char_end, f.source, r.extractor_version, subject_of(f.metric))  # fmt: skip
            for k, v in zip(_FACT_COLUMNS, values, strict=True):
                fac[k].append(v)
        for c in ext.cells:
            values = (r.report_id, c.table, c.row, c.column, c.raw, c.kind, c.value, c.char_start, c.char_end)
            for k, v in zip(cel, values, strict=True):
                cel[k].append(v)
        for q in ext.findings:
            values = (
                r.report_id,
                q.check_name,
                q.expected,
                q.observed,
                q.severity,
                q.source_inconsistent,
                q.detail,
                "extraction",
            )
            for k, v in zip(fnd, values, strict=True):
                fnd[k].append(v)
    return {
        "reports": pa.table(rep, schema=_REPORT_SCHEMA),
        "normalized_text": pa.table(
            txt, schema=pa.schema([("report_id", pa.string()), ("text", pa.large_string())])
        ),
        "sections": pa.table(sec, schema=_SECTION_SCHEMA),
        "facts": pa.table(fac, schema=_FACT_SCHEMA),
        "cells": pa.table(cel, schema=_CELL_SCHEMA),
        "findings": pa.table(fnd, schema=_FINDING_SCHEMA),
    }


_S, _I, _L, _F, _B = pa.string(), pa.int32(), pa.int64(), pa.float64(), pa.bool_()
_REPORT_SCHEMA = pa.schema(
    [("report_id", _S), ("source_file", _S), ("content_sha256", _S), ("n_bytes", _L), ("mtime_ns", _L), ("encoding", _S),
     ("script", _S), ("organ", _S), ("province", _S), ("city", _S), ("county", _S), ("admin_level", _S), ("report_year", _I),
     ("period_start", _S), ("period_end", _S), ("published_on", _S), ("format_era", _S), ("status", _S), ("status_reason", _S),
     ("normalization_steps", _S), ("mojibake_spans", _I), ("extractor_version", _S), ("run_id", _S)]
)  # fmt: skip
_REPORT_COLUMNS = tuple(_REPORT_SCHEMA.names)
_SECTION_SCHEMA = pa.schema(
    [
        ("report_id", _S),
        ("ordinal", _I),
        ("level", _I),
        ("kind", _S),
        ("heading", _S),
        ("char_start", _I),
        ("char_end", _I),
    ]
)
_FACT_SCHEMA = pa.schema(
    [("report_id", _S), ("metric", _S), ("breakdown", _S), ("value", _F), ("unit", _S), ("is_approximate", _B),
     ("is_derived", _B), ("evidence", _S), ("char_start", _I), ("char_end", _I), ("source", _S),
     ("extractor_version", _S), ("subject", _S)]
)  # fmt: skip
_FACT_COLUMNS = tuple(_FACT_SCHEMA.names)
_CELL_SCHEMA = pa.schema(
    [("report_id", _S), ("table_name", _S), ("row_key", _S), ("column_key", _S), ("raw", _S), ("cell_kind", _S),
     ("value", _F), ("char_start", _I), ("char_end", _I)]
)  # fmt: skip
_FINDING_SCHEMA = pa.schema(
    [("report_id", _S), ("check_name", _S), ("expected", _F), ("observed", _F), ("severity", _S),
     ("source_inconsistent", _B), ("detail", _S), ("origin", _S)]
)  # fmt: skip


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
        for name, table in tables.items():
            pq.write_table(table, self.root / name / f"part-{part:05d}.parquet", compression="zstd")

    def glob(self, name: str) -> str:
        return str(self.root / name / "*.parquet")

    def has(self, name: str) -> bool:
        return any((self.root / name).glob("*.parquet"))

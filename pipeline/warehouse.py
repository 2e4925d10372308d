"""The DuckDB warehouse: schema, comments, contract views, and the all-or-nothing document load.

Pure DuckDB (no Dagster). Every statement binds values as parameters or goes through Arrow;
no text from the outside world is ever formatted into SQL.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import astuple
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from pipeline.analyst_views import ANALYST_VIEWS
from pipeline.metrics import SUBJECTS, VOCABULARY, section_table
from pipeline.publish import STORAGE_VERSION
from pipeline.records import EXTRACTOR_VERSION

if TYPE_CHECKING:
    import pandas as pd

#: table -> (table comment, [(column, type, comment)])
TABLES: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "reports": (
        "One row per source file: metadata of the report, or why it was quarantined.",
        [
            ("report_id", "VARCHAR", "Stable id: first 16 hex digits of the SHA-256 of the file's bytes"),
            ("source_file", "VARCHAR", "Path relative to XXGK_RAW_DIR, '/' separated"),
            ("content_sha256", "VARCHAR", "SHA-256 of the file's bytes"),
            ("n_bytes", "BIGINT", "File size in bytes"),
            (
                "mtime_ns",
                "BIGINT",
                "File modification time (ns) when last read; lets unchanged files skip re-reading",
            ),
            ("encoding", "VARCHAR", "Detected encoding (utf-8, gb18030, big5, utf-16)"),
            ("script", "VARCHAR", "simplified / traditional, as received (before conversion)"),
            ("organ", "VARCHAR", "Issuing body (发布机构), simplified characters"),
            ("province", "VARCHAR", "Province (省级) of the issuing body"),
            ("city", "VARCHAR", "Prefecture-level city (地级) of the issuing body"),
            ("county", "VARCHAR", "County-level division (县级) of the issuing body"),
            (
                "organ_key",
                "VARCHAR",
                "One key per body across years and name variants: province/city/county/body, the body's name "
                "without its place and with aliases folded (人民政府 = 政府, 办公厅 = 办公室); see pipeline/organs.py",
            ),
            (
                "admin_level",
                "VARCHAR",
                "province / city / county / district / department / township / unknown",
            ),
            ("report_year", "INTEGER", "The year the report covers"),
            ("period_start", "DATE", "Start of the statistics period (default 1 January of report_year)"),
            ("period_end", "DATE", "End of the statistics period (e.g. 30 November for a 1-11月 report)"),
            ("published_on", "DATE", "Publication date stated in the text (发布日期 or signature date)"),
            ("format_era", "VARCHAR", "narrative (pre-2019 prose) / std2019 / std2021 (standard tables)"),
            ("status", "VARCHAR", "parsed / quarantined"),
            ("status_reason", "VARCHAR", "Why the file was quarantined; empty when parsed"),
            ("normalization_steps", "VARCHAR", "Normalization rules that changed the text, in order"),
            (
                "mojibake_spans",
                "INTEGER",
                "Number of garbled text spans flagged (no numbers are read from them)",
            ),
            (
                "ocr_pages",
                "VARCHAR",
                "Pages (1-based, comma-separated) whose text was read by OCR from a scan or image; "
                "empty when every page had a text layer. Facts of those pages point into the OCR text",
            ),
            ("extractor_version", "VARCHAR", "Version of the extraction code that produced this row"),
            ("run_id", "VARCHAR", "ingest_runs.run_id of the run that last wrote this row"),
            (
                "numbers_fingerprint",
                "VARCHAR",
                "Hash of the sorted (metric, breakdown, value) facts: equal for a report repeating another's numbers; "
                "NULL with fewer than 5 facts or only zeros (pipeline/copies.py)",
            ),
        ],
    ),
    "report_sections": (
        "Heading hierarchy of each parsed report, with the kind of each section.",
        [
            ("report_id", "VARCHAR", "Joins reports.report_id"),
            ("ordinal", "INTEGER", "Order of the heading in the text"),
            ("level", "INTEGER", "1 = 一、 2 = (一) 3 = 1. 4 = 一是"),
            (
                "kind",
                "VARCHAR",
                "overview / proactive / requests / review_litigation / fees / problems / other",
            ),
            ("heading", "VARCHAR", "Heading text"),
            ("char_start", "INTEGER", "Start offset in the normalized text"),
            ("char_end", "INTEGER", "End offset in the normalized text"),
        ],
    ),
    "table_cells": (
        "Every cell read from a standard table, including blank and not-applicable ones.",
        [
            ("report_id", "VARCHAR", "Joins reports.report_id"),
            ("table_name", "VARCHAR", "table2 (第二十条) / table3 (申请) / table4 (复议诉讼)"),
            ("row_key", "VARCHAR", "Metric code of the row"),
            ("column_key", "VARCHAR", "Breakdown of the column (applicant type, result)"),
            ("raw", "VARCHAR", "Cell text as printed"),
            ("cell_kind", "VARCHAR", "number / blank / na / text"),
            ("value", "DOUBLE", "Numeric value when cell_kind = number"),
            ("char_start", "INTEGER", "Start offset in the normalized text"),
            ("char_end", "INTEGER", "End offset in the normalized text"),
        ],
    ),
    "quality_findings": (
        "One row per failed check: extraction problems and identity failures.",
        [
            ("report_id", "VARCHAR", "Joins reports.report_id; NULL for a run-level check"),
            ("check_name", "VARCHAR", "Stable name of the check, e.g. table3_intake_equals_outcome"),
            ("expected", "DOUBLE", "Value the identity or range requires (NULL when not numeric)"),
            ("observed", "DOUBLE", "Value found"),
            ("severity", "VARCHAR", "error / warning"),
            (
                "source_inconsistent",
                "BOOLEAN",
                "Every term was read cleanly, yet the report's own numbers disagree",
            ),
            ("detail", "VARCHAR", "One line a person can act on"),
            ("origin", "VARCHAR", "extraction (found while parsing) / identity (found by the checks)"),
        ],
    ),
    "report_texts": (
        "Normalized text of each parsed report: every offset in the other tables points into it.",
        [
            ("report_id", "VARCHAR", "Joins reports.report_id"),
            ("text", "VARCHAR", "Normalized text (simplified, width-folded, pinyin and page chrome removed)"),
            (
                "text_fingerprint",
                "VARCHAR",
                "Hash of the text without digits, numerals, 年月日 and whitespace: equal for a copied report (pipeline/copies.py)",
            ),
        ],
    ),
    "ingest_runs": (
        "One row per pipeline run: what it saw and did.",
        [
            ("run_id", "VARCHAR", "Run identifier"),
            ("started_at", "TIMESTAMP", "When the run started (UTC)"),
            ("finished_at", "TIMESTAMP", "When the load committed (UTC); NULL if it failed"),
            ("status", "VARCHAR", "running / succeeded / failed"),
            ("files_seen", "INTEGER", "Files found under the raw folder"),
            ("files_new", "INTEGER", "Files not seen before"),
            ("files_changed", "INTEGER", "Files whose content or extractor version changed"),
            ("files_deleted", "INTEGER", "Files gone since the last run (their rows were removed)"),
            ("files_unchanged", "INTEGER", "Files skipped because nothing changed"),
            ("files_quarantined", "INTEGER", "Processed files that were quarantined"),
            ("facts_written", "INTEGER", "Fact rows written by this run"),
            ("seconds", "DOUBLE", "Wall time of the run"),
            ("extractor_version", "VARCHAR", "Version of the extraction code"),
            ("detail", "VARCHAR", "Error message when the run failed"),
        ],
    ),
    "dim_metric": (
        "The metric vocabulary: labels, units, and the parent/children tree the identity checks walk.",
        [
            ("code", "VARCHAR", "Metric code used in the fact tables"),
            ("label_zh", "VARCHAR", "Chinese label as in the reports"),
            ("label_en", "VARCHAR", "English meaning"),
            ("unit", "VARCHAR", "count / yuan / unknown"),
            ("era", "VARCHAR", "all / narrative / std / std2019 / std2021"),
            ("parent_code", "VARCHAR", "Parent metric code"),
            ("parent_is_sum", "BOOLEAN", "The parent equals the sum of its children"),
            ("subject", "VARCHAR", "Fact table holding the metric"),
            ("is_contract", "BOOLEAN", "Listed in the outside contract's required vocabulary"),
        ],
    ),
}

#: Run bookkeeping, not data: in the schema but not in the Parquet export (which it describes).
BOOKKEEPING_TABLES: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "step_completions": (
        "Which load each step's output describes: a step behind the latest load is redone by the next run.",
        [
            ("step", "VARCHAR", "load / quality_findings / warehouse_parquet"),
            ("load_run_id", "VARCHAR", "ingest_runs.run_id of the load the step's output was computed from"),
            ("finished_at", "TIMESTAMP", "When the step completed (UTC)"),
            (
                "fingerprint",
                "VARCHAR",
                "Digest of the definitions the step applied (quality_findings: suites, SQL, parameters)",
            ),
        ],
    ),
}

_FACT_COMMON = [
    ("report_id", "VARCHAR", "Joins reports.report_id"),
    ("metric", "VARCHAR", "Metric code (dim_metric.code)"),
    ("breakdown", "VARCHAR", "'total' or the split (applicant type, level:…, channel:…)"),
    ("value", "DOUBLE", "The number in the metric's unit"),
    ("unit", "VARCHAR", "count / yuan / unknown"),
    ("is_approximate", "BOOLEAN", "The text said 余/多/近/约: a bound, not an exact count"),
    ("is_derived", "BOOLEAN", "Computed (sum of printed sub-rows or blocks), not printed as such"),
    ("evidence", "VARCHAR", "Normalized sentence or table row the number came from"),
    ("char_start", "INTEGER", "Start offset of the evidence number in the normalized text"),
    ("char_end", "INTEGER", "End offset of the evidence number in the normalized text"),
    ("source", "VARCHAR", "narrative (prose) / table (standard table)"),
    ("extractor_version", "VARCHAR", "Version of the extraction code"),
]

#: fact table -> (comment, typed columns as (name, type, comment, SQL expression over the staged facts))
FACT_TABLES: dict[str, tuple[str, list[tuple[str, str, str, str]]]] = {
    "fact_proactive": (
        "Proactive disclosure (主动公开) counts, by channel or level where the text splits them.",
        [
            ("measure", "VARCHAR", "What is counted: total / normative_docs", "split_part(metric, '.', 2)"),
            (
                "channel_or_level",
                "VARCHAR",
                "channel:… or level:… split; NULL for the headline",
                "CASE WHEN breakdown = 'total' THEN NULL ELSE breakdown END",
            ),
        ],
    ),
    "fact_requests": (
        "Disclosure requests (依申请公开): the 表三 matrix (row metric x applicant column); narrative counts in the same shape.",
        [
            ("row_metric", "VARCHAR", "Row of 表三 (or narrative measure) as a metric code", "metric"),
            (
                "applicant",
                "VARCHAR",
                "Applicant column: natural_person / commercial / research / public_interest / legal_service / other / total, or a channel/level split",
                "breakdown",
            ),
        ],
    ),
    "fact_review_litigation": (
        "Administrative review (行政复议) and litigation (行政诉讼) about disclosure, by result.",
        [
            (
                "proceeding",
                "VARCHAR",
                "review / litigation (direct + after review) / litigation_direct / litigation_after_review",
                "CASE WHEN metric LIKE 'litigation.direct.%' THEN 'litigation_direct' WHEN metric LIKE 'litigation.after_review.%' THEN 'litigation_after_review' ELSE split_part(metric, '.', 1) END",
            ),
            (
                "result",
                "VARCHAR",
                "upheld / corrected / other / pending / total",
                "split_part(metric, '.', -1)",
            ),
        ],
    ),
    "fact_fees": (
        "Fees collected for disclosure and related budgets, in yuan.",
        [("measure", "VARCHAR", "collected_yuan / special_budget_yuan", "split_part(metric, '.', 2)")],
    ),
    "fact_article20": (
        "第二十条 items of the standard 表二 (rules, normative documents, licensing, penalties, fees, procurement).",
        [
            (
                "item",
                "VARCHAR",
                "rules / normative_docs / licensing / other_services / punishment / coercion / admin_fees / procurement",
                "split_part(metric, '.', 2)",
            ),
            (
                "measure",
                "VARCHAR",
                "made / published / total_public / repealed / in_force / prev_items / change / decisions / projects / amount_yuan / amount_unknown_unit",
                "split_part(metric, '.', 3)",
            ),
        ],
    ),
}
SUBJECT_TABLE = {subject: f"fact_{subject}" for subject in SUBJECTS}

VIEWS: dict[str, tuple[str, str, dict[str, str]]] = {
    "v_reports": (
        "Contract view: one row per source document.",
        """SELECT report_id, source_file, organ, province, city, county, admin_level, report_year,
                  period_start, period_end, published_on, format_era, script, status, status_reason, organ_key
           FROM reports""",
        {
            "report_id": "Stable id derived from the document's content",
            "source_file": "Path relative to XXGK_RAW_DIR, '/' separated",
            "organ": "Issuing body, simplified characters",
            "province": "Province, full name; NULL where not applicable",
            "city": "Prefecture-level city, full name; NULL where not applicable",
            "county": "County-level division, full name; NULL where not applicable",
            "admin_level": "province / city / county / district / department / township / unknown",
            "report_year": "The year the report covers",
            "period_start": "Statistics period start as stated (default: 1 January)",
            "period_end": "Statistics period end as stated (default: 31 December)",
            "published_on": "Publication date when the text states one, else NULL",
            "format_era": "narrative / std2019 / std2021",
            "script": "simplified / traditional (as received)",
            "status": "parsed / quarantined",
            "status_reason": "Why quarantined (empty when parsed)",
            "organ_key": "One key per body across years and name variants (province/city/county/body); NULL when no organ was read",
        },
    ),
    "v_facts": (
        "Contract view: one row per extracted number, the union of the fact tables.",
        " UNION ALL ".join(
            f"""SELECT f.report_id, r.source_file, f.metric, f.breakdown, f.value, f.is_approximate, f.evidence,
                       f.is_derived, f.unit, f.char_start, f.char_end, '{table}' AS fact_table,
                       r.organ, r.organ_key, r.report_year
                FROM {table} f JOIN reports r ON r.report_id = f.report_id AND r.status = 'parsed'"""
            for table in FACT_TABLES
        ),
        {
            "report_id": "Joins v_reports",
            "source_file": "As in v_reports",
            "metric": "Metric code (dim_metric.code)",
            "breakdown": "'total' for the headline value, otherwise the split",
            "value": "The number, in the metric's unit (counts, yuan)",
            "is_approximate": "The text said 余/多/近/约 (a bound, not an exact count)",
            "evidence": "The normalized sentence or table row the number came from",
            "is_derived": "Sum of printed parts (e.g. 表三 group totals, litigation = direct + after review)",
            "unit": "count / yuan / unknown",
            "char_start": "Start offset of the number in the normalized text",
            "char_end": "End offset of the number in the normalized text",
            "fact_table": "Fact table the row comes from",
            "organ": "Issuing body (as in v_reports)",
            "organ_key": "The body across years (as in v_reports)",
            "report_year": "Year the report covers (as in v_reports)",
        },
    ),
    "v_quality_findings": (
        "Contract view: one row per failed check.",
        """SELECT report_id, check_name, expected, observed, severity, source_inconsistent, detail, origin
           FROM quality_findings""",
        {
            "report_id": "Joins v_reports (NULL for a run-level check)",
            "check_name": "Stable name of the check",
            "expected": "Value the identity or range requires (NULL when not numeric)",
            "observed": "Value found",
            "severity": "error / warning",
            "source_inconsistent": "Every term was read cleanly, yet the report's own numbers disagree",
            "detail": "One line a person can act on",
            "origin": "extraction / identity",
        },
    ),
}


def all_views() -> dict[str, tuple[str, str, dict[str, str]]]:
    """Contract views, then the analyst views (pipeline/analyst_views.py), in creation order."""
    return {**VIEWS, **ANALYST_VIEWS}


class WarehouseError(RuntimeError):
    """The warehouse file cannot be used; the message is one line naming the file and what to do."""


class WarehouseLocked(WarehouseError):
    """Another process holds the DuckDB write lock."""


class RunInProgress(WarehouseError):
    """Another run holds the warehouse's run lock."""


def run_lock_file(path: str | Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".run.lock")


@contextmanager
def run_lock(path: str | Path, wait: bool = False) -> Iterator[None]:
    """Hold the warehouse's run lock: one run at a time, from planning to its last step.

    An flock on `<warehouse>.run.lock`, so the kernel releases it when the holder dies (kill -9
    leaves no stale lock). Re-entrant within a process: the file names the holder's pid, and a
    lock that is held and names this process is this process's own.
    """
    lock = run_lock_file(path)
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise WarehouseError(
            f"cannot open warehouse {path}: cannot create {lock.name}: {exc.strerror or exc}"
        ) from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
            if holder == str(os.getpid()):
                yield
                return
            if not wait:
                raise RunInProgress(
                    f"another xxgk run (pid {holder or '?'}) is using warehouse {path}; "
                    "wait for it to finish, or run with --wait"
                ) from None
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)


#: DuckDB's own memory cap for the pipeline's connections (its default is 80% of the machine);
#: beyond it the load and the export spill to <warehouse>.tmp instead of growing.
DEFAULT_MEMORY_LIMIT = "1GB"


def check_path(path: str | Path) -> Path:
    """The path, unless DuckDB cannot use it: it reads what follows '?' as URL parameters (and
    misplaces the WAL)."""
    path = Path(path)
    if "?" in str(path):
        raise WarehouseError(f"warehouse path {path} contains '?', which DuckDB cannot use (XXGK_WAREHOUSE)")
    return path


def connect(
    path: str | Path, read_only: bool = False, memory_limit: str = DEFAULT_MEMORY_LIMIT
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; a held lock or an unusable file becomes one clear WarehouseError, never a hang."""
    path = check_path(path)
    if not read_only:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WarehouseError(f"cannot open warehouse {path}: {exc.strerror or exc}") from exc
    try:
        config = {"memory_limit": memory_limit}
        if not read_only:  # applies to a file this connection creates: one every current client reads
            config["storage_compatibility_version"] = STORAGE_VERSION
        conn = duckdb.connect(str(path), read_only=read_only, config=config)
    except (duckdb.ParserException, duckdb.InvalidInputException) as exc:
        raise WarehouseError(
            f"invalid DuckDB memory limit {memory_limit!r} (XXGK_DUCKDB_MEMORY): {exc}"
        ) from exc
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "lock" in first.lower():
            raise WarehouseLocked(
                f"warehouse {path} is locked by another process (another run, or a read-write "
                "session on the working file); wait for it or close it, then run again"
            ) from exc
        raise WarehouseError(
            f"cannot open warehouse {path}: {first} (move the file away to rebuild it, or fix XXGK_WAREHOUSE)"
        ) from exc
    conn.execute("SET enable_progress_bar = false")  # long queries draw no bars into run logs
    return conn


def check_intact(path: str | Path, memory_limit: str = DEFAULT_MEMORY_LIMIT) -> None:
    """Raise WarehouseError when the file cannot serve a run: locked, unopenable, or damaged where planning reads.

    A truncated or overwritten file may open fine and fail only when a missing block is read, so
    the columns a run plans from are read here, before any work.
    """
    path = Path(path)
    with connect(path, memory_limit=memory_limit) as conn:
        ensure_schema(conn)
        try:
            conn.execute(
                "SELECT count(*), sum(length(source_file) + n_bytes + mtime_ns + length(extractor_version)) "
                "FROM reports"
            ).fetchall()
            conn.execute("SELECT count(*), max(started_at), min(status) FROM ingest_runs").fetchall()
        except duckdb.Error as exc:
            first = str(exc).strip().splitlines()[0]
            raise WarehouseError(
                f"cannot open warehouse {path}: {first} (move the file away to rebuild it, or fix XXGK_WAREHOUSE)"
            ) from exc


def _comment(conn: duckdb.DuckDBPyConnection, kind: str, name: str, text: str) -> None:
    # COMMENT ON takes no parameters; names are our own identifiers and the text is quoted here.
    conn.execute(f"COMMENT ON {kind} {name} IS '{text.replace(chr(39), chr(39) * 2)}'")


def _schema_fingerprint() -> str:
    """Digest of every definition ensure_schema applies: tables, comments, views, the vocabulary."""
    parts = repr(
        (TABLES, BOOKKEEPING_TABLES, FACT_TABLES, _FACT_COMMON, all_views(), [astuple(m) for m in VOCABULARY])
    )
    return hashlib.sha256(parts.encode()).hexdigest()[:16]


def all_tables() -> dict[str, tuple[str, list[tuple[str, str, str]]]]:
    """Every warehouse table: name -> (description, [(column, type, description)])."""
    tables = {**TABLES, **BOOKKEEPING_TABLES}
    for table, (comment, typed) in FACT_TABLES.items():
        tables[table] = (comment, [*_FACT_COMMON, *[(n, t, c) for n, t, c, _ in typed]])
    return tables


def column_descriptions() -> dict[str, str]:
    """Column name -> its description, over every warehouse table (the first table naming it wins)."""
    described: dict[str, str] = {}
    for _, columns in all_tables().values():
        for name, _, text in columns:
            described.setdefault(name, text)
    return described


def ensure_schema(conn: duckdb.DuckDBPyConnection) -> None:
    """Create tables and views with a comment on every table, view and column; a no-op when current.

    A table whose columns differ from the definition is dropped and recreated, and then every
    document table is emptied: the warehouse is derived data, and an emptied `reports` table
    makes the next run re-parse every file (rows left in the other tables would be doubled).
    """
    fingerprint = _schema_fingerprint()
    conn.execute("CREATE TABLE IF NOT EXISTS schema_info (fingerprint VARCHAR)")
    if conn.execute("SELECT count(*) FROM schema_info WHERE fingerprint = ?", [fingerprint]).fetchone()[0]:
        return
    _comment(conn, "TABLE", "schema_info", "Digest of the schema definition this warehouse was built with.")
    _comment(conn, "COLUMN", "schema_info.fingerprint", "Digest of tables, comments, views and dim_metric")
    recreated = False
    for table, (comment, columns) in all_tables().items():
        existing = [
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [table]
            ).fetchall()
        ]
        if existing and existing != [name for name, _, _ in columns]:
            conn.execute(f"DROP TABLE {table}")
            recreated = True
        cols = ", ".join(f"{name} {ctype}" for name, ctype, _ in columns)
        conn.execute(f"CREATE TABLE IF NOT EXISTS {table} ({cols})")
        _comment(conn, "TABLE", table, comment)
        for name, _, text in columns:
            _comment(conn, "COLUMN", f"{table}.{name}", text)
    if recreated:
        for table in all_tables():
            if table not in ("ingest_runs", "dim_metric"):
                conn.execute(f"DELETE FROM {table}")
    conn.execute("DELETE FROM dim_metric")
    conn.executemany(
        "INSERT INTO dim_metric VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (m.code, m.label_zh, m.label_en, m.unit, m.era, m.parent, m.parent_is_sum, m.subject, m.required)
            for m in VOCABULARY
        ],
    )
    for view, (comment, sql, columns) in all_views().items():
        conn.execute(f"CREATE OR REPLACE VIEW {view} AS {sql}")
        _comment(conn, "VIEW", view, comment)
        for name, text in columns.items():
            _comment(conn, "COLUMN", f"{view}.{name}", text)
    conn.execute("DELETE FROM schema_info")
    conn.execute("INSERT INTO schema_info VALUES (?)", [fingerprint])


def known_files(conn: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int, str, str]]:
    """source_file -> (n_bytes, mtime_ns, content_sha256, extractor_version) of what the warehouse holds."""
    rows = conn.execute(
        "SELECT source_file, n_bytes, mtime_ns, content_sha256, extractor_version FROM reports"
    ).fetchall()
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}


def orphaned_duplicates(conn: duckdb.DuckDBPyConnection, leaving: Iterable[str] = ()) -> set[str]:
    """Files quarantined as a duplicate whose original no longer has a parsed row once the files in
    `leaving` (being replaced or deleted) are gone: they must be read again, or their facts are lost."""
    conn.register("_leaving", pa.table({"source_file": pa.array(sorted(set(leaving)), pa.string())}))
    try:
        rows = conn.execute(
            """SELECT d.source_file FROM reports d
               WHERE d.status = 'quarantined' AND starts_with(d.status_reason, 'duplicate of ')
                 AND NOT EXISTS (SELECT 1 FROM reports o
                                 WHERE o.report_id = d.report_id AND o.status = 'parsed'
                                   AND o.source_file NOT IN (SELECT source_file FROM _leaving))"""
        ).fetchall()
    finally:
        conn.unregister("_leaving")
    return {r[0] for r in rows}


#: staged table -> warehouse table it loads into (facts fan out to the fact tables by subject)
_LOADS = {
    "reports": "reports",
    "normalized_text": "report_texts",
    "sections": "report_sections",
    "cells": "table_cells",
    "findings": "quality_findings",
}


def replace_documents(
    conn: duckdb.DuckDBPyConnection,
    staged: dict[str, str],
    remove_files: Iterable[str],
    run: dict | None = None,
) -> int:
    """In ONE transaction: drop the rows of every file being replaced or deleted, insert the staged rows.

    `staged` maps a staged table name to a Parquet glob (missing names load nothing). `run`, when
    given, is recorded in ingest_runs as succeeded (with the facts written) and as the current load
    in step_completions in the same transaction, so the record says exactly what committed. A crash
    anywhere before COMMIT leaves every document exactly as it was (DuckDB's WAL). Returns the
    number of fact rows inserted.
    """
    conn.execute("BEGIN TRANSACTION")
    try:
        conn.execute("CREATE OR REPLACE TEMP TABLE _gone (source_file VARCHAR)")
        conn.register(
            "_gone_arrow", pa.table({"source_file": pa.array(sorted(set(remove_files)), pa.string())})
        )
        conn.execute("INSERT INTO _gone SELECT source_file FROM _gone_arrow")
        conn.unregister("_gone_arrow")
        if "reports" in staged:
            conn.execute("INSERT INTO _gone SELECT source_file FROM read_parquet(?)", [staged["reports"]])
        conn.execute(
            "CREATE OR REPLACE TEMP TABLE _gone_ids AS SELECT DISTINCT report_id FROM reports "
            "WHERE status = 'parsed' AND source_file IN (SELECT source_file FROM _gone)"
        )
        for table in ("report_sections", "report_texts", "table_cells", "quality_findings", *FACT_TABLES):
            conn.execute(f"DELETE FROM {table} WHERE report_id IN (SELECT report_id FROM _gone_ids)")
        conn.execute("DELETE FROM reports WHERE source_file IN (SELECT source_file FROM _gone)")
        # a file staged as quarantined (a duplicate) may still have staged text and facts: skip them
        conn.execute("CREATE OR REPLACE TEMP TABLE _skip (source_file VARCHAR)")
        if "reports" in staged:
            conn.execute(
                "INSERT INTO _skip SELECT source_file FROM read_parquet(?) WHERE status <> 'parsed'",
                [staged["reports"]],
            )
        kept = "source_file NOT IN (SELECT source_file FROM _skip)"
        for name, target in _LOADS.items():
            if name in staged:
                columns = ", ".join(c for c, _, _ in TABLES[target][1])
                conn.execute(
                    f"INSERT INTO {target} ({columns}) SELECT {columns} FROM read_parquet(?) "
                    f"WHERE {'true' if name == 'reports' else kept}",
                    [staged[name]],
                )
        facts_written = 0
        common = ", ".join(c for c, _, _ in _FACT_COMMON)
        for subject, table in SUBJECT_TABLE.items():
            section = section_table(subject)
            if section in staged:
                typed = FACT_TABLES[table][1]
                names = ", ".join(n for n, _, _, _ in typed)
                exprs = ", ".join(e for _, _, _, e in typed)
                conn.execute(
                    f"INSERT INTO {table} ({common}, {names}) SELECT {common}, {exprs} FROM read_parquet(?) "
                    f"WHERE {kept}",
                    [staged[section]],
                )
                facts_written += conn.execute(
                    f"SELECT count(*) FROM read_parquet(?) WHERE {kept}", [staged[section]]
                ).fetchone()[0]
        if run is not None:
            quarantined = 0
            if "reports" in staged:
                quarantined = conn.execute(
                    "SELECT count(*) FROM read_parquet(?) WHERE status = 'quarantined'", [staged["reports"]]
                ).fetchone()[0]
            finished = utc_now()
            record_run(conn, {**run, "status": "succeeded", "finished_at": finished,
                              "files_quarantined": quarantined, "facts_written": facts_written})  # fmt: skip
            record_step(conn, LOAD_STEP, run["run_id"], finished)
        conn.execute("COMMIT")
    except BaseException:
        # An interrupt may land just after COMMIT returned: then there is nothing to roll back.
        with suppress(duckdb.TransactionException):
            conn.execute("ROLLBACK")
        raise
    return facts_written


def load_run(
    conn: duckdb.DuckDBPyConnection, run: dict, staged: dict[str, str], deleted: list[str], started: float
) -> int:
    """Record `run` and load what it staged (see replace_documents); a failure is recorded as such.

    Nothing staged and nothing deleted skips the transaction (its DELETEs scan every table).
    Returns the fact rows written.
    """
    fail_unfinished_runs(conn)
    record_run(conn, run)
    try:
        if staged or deleted or current_load(conn) is None:
            facts = replace_documents(conn, staged, deleted, run)
            set_run_seconds(conn, run["run_id"], round(time.time() - started, 3))
            return facts
        record_run(conn, {**run, "status": "succeeded", "finished_at": utc_now(), "facts_written": 0,
                          "files_quarantined": 0})  # fmt: skip
        return 0
    except BaseException as exc:
        if run_status(conn, run["run_id"]) != "succeeded":  # an interrupt may land after COMMIT
            record_run(conn, {**run, "status": "failed", "detail": (str(exc) or type(exc).__name__)[:500]})
        raise


def utc_now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())


def record_run(conn: duckdb.DuckDBPyConnection, run: dict) -> None:
    """Insert or update the ingest_runs row of `run['run_id']`."""
    columns = [c for c, _, _ in TABLES["ingest_runs"][1]]
    conn.execute("DELETE FROM ingest_runs WHERE run_id = ?", [run["run_id"]])
    conn.execute(
        f"INSERT INTO ingest_runs ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
        [run.get(c) for c in columns],
    )


def run_row(run_id: str, started_at: str, **counts) -> dict:
    """An ingest_runs row of a run still running (files_* counts, seconds so far)."""
    return {"run_id": run_id, "started_at": started_at, "status": "running",
            "extractor_version": EXTRACTOR_VERSION, **counts}  # fmt: skip


def record_unchanged_run(conn: duckdb.DuckDBPyConnection, run_id: str, files: int, seconds: float) -> None:
    """Record a run that found nothing new, changed or deleted (no asset ran)."""
    now = utc_now()
    row = run_row(run_id, now, files_seen=files, files_new=0, files_changed=0, files_deleted=0,
                  files_unchanged=files, seconds=round(seconds, 3))  # fmt: skip
    record_run(conn, {**row, "status": "succeeded", "finished_at": now, "files_quarantined": 0,
                      "facts_written": 0, "detail": "nothing changed: no asset materialized"})  # fmt: skip


def last_run_status(conn: duckdb.DuckDBPyConnection) -> str | None:
    rows = conn.execute("SELECT status FROM ingest_runs ORDER BY started_at DESC LIMIT 1").fetchall()
    return rows[0][0] if rows else None


def parsed_sources(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """report_id -> source_file of every parsed report."""
    return dict(conn.execute("SELECT report_id, source_file FROM reports WHERE status = 'parsed'").fetchall())


def row_counts(conn: duckdb.DuckDBPyConnection, relations: Iterable[str]) -> dict[str, int]:
    """Rows of each table or view in `relations`."""
    return {name: conn.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0] for name in relations}


def head(conn: duckdb.DuckDBPyConnection, relation: str, limit: int = 5) -> pa.Table:
    """The first `limit` rows of a table or view (for previews)."""
    return conn.sql(f"SELECT * FROM {relation} LIMIT {int(limit)}").to_arrow_table()


def run_summary(conn: duckdb.DuckDBPyConnection, reasons: int = 10) -> dict:
    """What a person wants after a run: documents, facts, findings, the first quarantine reasons."""
    parsed, quarantined = conn.execute(
        "SELECT count(*) FILTER (status = 'parsed'), count(*) FILTER (status = 'quarantined') FROM v_reports"
    ).fetchone()
    facts, findings = row_counts(conn, ["v_facts", "v_quality_findings"]).values()
    return {
        "parsed": parsed,
        "quarantined": quarantined,
        "facts": facts,
        "findings": findings,
        "reasons": conn.execute(
            "SELECT source_file, status_reason FROM v_reports WHERE status = 'quarantined' "
            f"ORDER BY source_file LIMIT {int(reasons)}"
        ).fetchall(),
    }


def set_run_seconds(conn: duckdb.DuckDBPyConnection, run_id: str, seconds: float) -> None:
    conn.execute("UPDATE ingest_runs SET seconds = ? WHERE run_id = ?", [seconds, run_id])


def run_status(conn: duckdb.DuckDBPyConnection, run_id: str) -> str | None:
    row = conn.execute("SELECT status FROM ingest_runs WHERE run_id = ?", [run_id]).fetchone()
    return row[0] if row else None


def fail_unfinished_runs(conn: duckdb.DuckDBPyConnection) -> None:
    """Mark runs still 'running' as failed: called by the holder of the run lock, so they are dead."""
    conn.execute(
        "UPDATE ingest_runs SET status = 'failed', detail = 'interrupted before its load committed' "
        "WHERE status = 'running'"
    )


#: The step_completions row of the load: its load_run_id names the data every other step must describe.
LOAD_STEP = "load"
#: The steps (assets) computed from the loaded data; a run redoes any of them not done for the current load.
DERIVED_STEPS = (
    "quality_findings",
    "warehouse_parquet",
    "warehouse_csv",
    "warehouse_overview",
    "warehouse_snapshot",
)


def record_step(
    conn: duckdb.DuckDBPyConnection,
    step: str,
    load_run_id: str,
    finished_at: str | None = None,
    fingerprint: str | None = None,
) -> None:
    """Record that `step` completed for the data of load `load_run_id` (under `fingerprint`)."""
    conn.execute("DELETE FROM step_completions WHERE step = ?", [step])
    conn.execute(
        "INSERT INTO step_completions VALUES (?, ?, ?, ?)",
        [step, load_run_id, finished_at or utc_now(), fingerprint],
    )


def reports_loaded_since(conn: duckdb.DuckDBPyConnection, step: str, fingerprint: str) -> list[str] | None:
    """The parsed reports written by loads later than the one `step` last completed for, under the
    same fingerprint: what the step has not seen. None when it must redo everything (never
    completed, completed under another fingerprint, or its load is no longer recorded).

    Run start times have one-second resolution: a load started in the same second counts as later
    (a superset is harmless; a miss is not).
    """
    rows = conn.execute(
        "SELECT s.load_run_id, s.fingerprint, r.started_at FROM step_completions s "
        "LEFT JOIN ingest_runs r ON r.run_id = s.load_run_id WHERE s.step = ?",
        [step],
    ).fetchall()
    if not rows or rows[0][1] != fingerprint or rows[0][2] is None:
        return None
    load, _, started = rows[0]
    later = conn.execute(
        "SELECT report_id FROM reports WHERE status = 'parsed' AND run_id IN "
        "(SELECT run_id FROM ingest_runs WHERE started_at >= ? AND run_id <> ?) ORDER BY report_id",
        [started, load],
    ).fetchall()
    return [r[0] for r in later]


def findings_of(conn: duckdb.DuckDBPyConnection, checks: Iterable[str]) -> pd.DataFrame:
    """The stored quality findings of `checks` (identities.FINDING_COLUMNS), by report and detail."""
    return conn.execute(
        "SELECT report_id, check_name, expected, observed, severity, source_inconsistent, detail, origin "
        "FROM quality_findings WHERE check_name IN (SELECT unnest(?)) ORDER BY report_id, check_name, detail",
        [list(checks)],
    ).df()


def identity_finding_summary(conn: duckdb.DuckDBPyConnection) -> dict:
    """The origin='identity' findings the warehouse holds: totals and a count per "check (severity)"."""
    rows = conn.execute(
        "SELECT check_name, severity, count(*), count(*) FILTER (WHERE source_inconsistent) "
        "FROM quality_findings WHERE origin = 'identity' GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    return {
        "findings": sum(r[2] for r in rows),
        "errors": sum(r[2] for r in rows if r[1] == "error"),
        "warnings": sum(r[2] for r in rows if r[1] == "warning"),
        "source_inconsistent": sum(r[3] for r in rows),
        "by_check": {f"{check} ({severity})": n for check, severity, n, _ in rows},
    }


def extraction_findings(conn: duckdb.DuckDBPyConnection) -> int:
    """How many findings the extractors recorded (every origin but 'identity')."""
    return conn.execute(
        "SELECT count(*) FROM quality_findings WHERE origin IS DISTINCT FROM 'identity'"
    ).fetchall()[0][0]


def current_load(conn: duckdb.DuckDBPyConnection) -> str | None:
    """run_id of the latest committed load (None for a warehouse never loaded)."""
    row = conn.execute("SELECT load_run_id FROM step_completions WHERE step = ?", [LOAD_STEP]).fetchone()
    return row[0] if row else None


def pending_steps(conn: duckdb.DuckDBPyConnection, steps: Iterable[str]) -> list[str]:
    """The steps among `steps` whose last completion describes an older load than the current one (or none)."""
    done = dict(conn.execute("SELECT step, load_run_id FROM step_completions").fetchall())
    load = done.get(LOAD_STEP)
    return [step for step in steps if load is None or done.get(step) != load]


#: COPY options per export format: bounded Parquet row groups (122,880 rows of report text, the
#: default, would not fit the memory cap); CSV with a header, in UTF-8 with a BOM so Excel reads it.
_EXPORT_OPTIONS = {
    "parquet": "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE_BYTES '64MB'",
    "csv": "FORMAT csv, HEADER true, DELIMITER ','",
}


def export_folder(warehouse_file: Path, fmt: str) -> Path:
    """`<warehouse name>.<fmt>/` beside the warehouse, so two warehouses in one folder never collide."""
    return warehouse_file.with_name(f"{warehouse_file.stem}.{fmt}")


def exported_relations(kind: str) -> list[str]:
    """The relations an export holds: 'tables' (every warehouse table) or 'views' (every analyst view)."""
    return [*TABLES, *FACT_TABLES] if kind == "tables" else list(all_views())


def export(
    conn: duckdb.DuckDBPyConnection,
    folder: str | Path,
    relations: list[str],
    fmt: str,
    parquet: Path | None = None,
) -> list[Path]:
    """Write each relation to `<folder>/<relation>.<fmt>` (parquet or csv), each file replaced atomically.

    With `parquet` (a folder this function wrote), each relation is read from its Parquet copy
    there instead of being computed again.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    # Row order in the files carries no meaning; letting DuckDB drop it keeps the COPY within the
    # memory cap (at 100k reports, report text overflowed 1 GB after an incremental load).
    conn.execute("SET preserve_insertion_order = false")
    try:
        for relation in relations:
            target = folder / f"{relation}.{fmt}"
            tmp = target.with_name(target.name + ".tmp")
            # COPY takes no parameters: the path is ours (derived from the warehouse path), quotes doubled.
            literal = str(tmp).replace("'", "''")
            source = (
                relation
                if parquet is None
                else "read_parquet('{}')".format(str(parquet / f"{relation}.parquet").replace("'", "''"))
            )
            if fmt == "csv":
                tmp.write_bytes(b"\xef\xbb\xbf")  # the BOM; COPY appends to nothing, so write it first
                conn.execute(f"COPY (SELECT * FROM {source}) TO '{literal}.body' ({_EXPORT_OPTIONS[fmt]})")
                with open(tmp, "ab") as out, open(f"{tmp}.body", "rb") as body:
                    shutil.copyfileobj(body, out)
                Path(f"{tmp}.body").unlink()
            else:
                conn.execute(f"COPY (SELECT * FROM {source}) TO '{literal}' ({_EXPORT_OPTIONS[fmt]})")
            tmp.replace(target)
            written.append(target)
    finally:
        conn.execute("RESET preserve_insertion_order")
    return written


def data_dictionary(conn: duckdb.DuckDBPyConnection) -> str:
    """Markdown data dictionary generated from the catalog comments and dim_metric."""
    lines = ["# Data dictionary", "", "Generated from the warehouse (`make docs`); do not edit by hand.", ""]
    for name, kind, comment in conn.execute(
        "SELECT table_name, 'table', comment FROM duckdb_tables() WHERE NOT internal AND NOT temporary "
        "UNION ALL SELECT view_name, 'view', comment FROM duckdb_views() WHERE NOT internal AND NOT temporary "
        "ORDER BY 2, 1"
    ).fetchall():
        lines += [
            f"## {name} ({kind})",
            "",
            comment or "",
            "",
            "| column | type | meaning |",
            "|---|---|---|",
        ]
        for column, ctype, text in conn.execute(
            "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
            [name],
        ).fetchall():
            lines.append(f"| {column} | {ctype} | {text or ''} |")
        lines.append("")
    lines += [
        "## Metrics (dim_metric)",
        "",
        "| code | 中文 | meaning | unit | era | parent | parent is sum |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in conn.execute(
        "SELECT code, label_zh, label_en, unit, era, coalesce(parent_code, ''), parent_is_sum FROM dim_metric ORDER BY code"
    ).fetchall():
        lines.append("| " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # python -m pipeline.warehouse > docs/data_dictionary.md
    with duckdb.connect() as _conn:
        ensure_schema(_conn)
        print(data_dictionary(_conn), end="")

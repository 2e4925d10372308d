"""Identity and range checks over the warehouse, and the quality_findings rows they produce.

Pure DuckDB + pandas: no Dagster, no Great Expectations (assets/gx.py validates the frames built
here; this module turns the failures it reports back into findings).

The checks live as data under expectations/:
- identities/*.sql: DuckDB queries. identities/prelude.sql builds TEMP tables of usable terms;
  each *_identities.sql returns one row per report and column / row / block with
  (lhs, rhs, diff, relation, assessable, clean, terms); report_ranges.sql and fact_domains.sql return
  one row of measurements per report (and fact table).
- <suite>.json: a Great Expectations 1.x suite (suite.to_json_dict()) bounding the columns of the
  frame its SQL produces; each expectation names its check in meta.check_name and has a severity.

Identity suites are validated on a per-report frame (one row per report, one column per identity:
the report's worst diff), so GX sees 100k rows for 100k reports, not millions; the failing
reports' detail rows are then read back from the per-row table. Measure suites are validated on
their frame as is.
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from pipeline import formats

#: Where the suites and their SQL live (the repository's expectations/ folder).
EXPECTATIONS_DIR = Path(__file__).resolve().parents[1] / "expectations"

#: Suites whose SQL yields identity rows (validated per report after a pivot).
IDENTITY_SUITES = ("table3_identities", "table4_identities", "narrative_identities", "cross_year_identities")
#: Suites whose SQL yields measurements validated as they are.
MEASURE_SUITES = ("report_ranges", "fact_domains")
SUITES = IDENTITY_SUITES + MEASURE_SUITES
#: Suites assessed over the whole warehouse on every run: a report's findings there depend on
#: other reports (last year's report of the same body). The others assess only identity_scope.
WHOLE_WAREHOUSE_SUITES = ("cross_year_identities",)

#: GX expectation severity -> quality_findings.severity
SEVERITY = {"critical": "error", "warning": "warning", "info": "warning"}

#: Columns of quality_findings, in table order.
FINDING_COLUMNS = (
    "report_id",
    "check_name",
    "expected",
    "observed",
    "severity",
    "source_inconsistent",
    "detail",
    "origin",
)
_FINDING_SCHEMA = pa.schema(
    [
        ("report_id", pa.string()),
        ("check_name", pa.string()),
        ("expected", pa.float64()),
        ("observed", pa.float64()),
        ("severity", pa.string()),
        ("source_inconsistent", pa.bool_()),
        ("detail", pa.string()),
        ("origin", pa.string()),
    ]
)

#: How a failing identity row reads in a detail line (the relation that should have held, negated).
_BROKEN = {"=": "≠", ">=": "<", "<=": ">"}
_WHY = {">=": "各项之和超过总数", "<=": "约数总数超过各项之和"}
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
_BOUND = "__bound"


@dataclass(frozen=True)
class Failure:
    """One failed expectation, without GX objects: which frame rows broke which bound."""

    check_name: str
    column: str
    severity: str  # critical / warning / info (the suite's word)
    rows: tuple[int, ...]  # positions in the validated frame
    min_value: float | None = None
    max_value: float | None = None
    meta: dict = field(default_factory=dict)


def _name(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a suite or check name: {name!r}")
    return name


@cache
def load_sql(name: str) -> str:
    """The text of expectations/identities/<name>.sql."""
    return (EXPECTATIONS_DIR / "identities" / f"{_name(name)}.sql").read_text(encoding="utf-8")


@cache
def _suite_text(name: str) -> str:
    return (EXPECTATIONS_DIR / f"{_name(name)}.json").read_text(encoding="utf-8")


def suite_json(name: str) -> dict:
    """The suite expectations/<name>.json as plain JSON (a fresh copy each call)."""
    return json.loads(_suite_text(name))


def suite_checks(name: str) -> list[str]:
    """Check names of a suite, in the order they first appear."""
    seen: dict[str, None] = {}
    for expectation in suite_json(name)["expectations"]:
        seen.setdefault(expectation["meta"]["check_name"], None)
    return list(seen)


def _format_tables() -> dict[str, pd.DataFrame]:
    """The official tables' columns, blocks and identity terms (pipeline.formats) as TEMP tables
    `format_*`, so the identity SQL states no label or formula of its own."""
    results = [formats.TABLE4_RESULTS[-1], *formats.TABLE4_RESULTS[:-1]]  # 总计 first: the lhs
    intake, outflow = formats.TABLE3_BALANCE
    terms = {
        "table3_intake_equals_outcome": [("lhs", m) for m in intake] + [("rhs", m) for m in outflow],
        "table3_outcomes_sum_to_total": [("lhs", "apply.total_handled")]
        + [("rhs", m) for m in formats.TABLE3_OUTCOMES],
    }
    roles = [
        (check, metric, side, i, len(sides))
        for check, sides in terms.items()
        for i, (side, metric) in enumerate(sides)
    ]
    blocks = [formats.TABLE4_BLOCKS[0], ("litigation", formats.TABLE4_LITIGATION), *formats.TABLE4_BLOCKS[1:]]
    return {
        "format_table3_columns": pd.DataFrame(
            [(k, label, i) for i, (k, label) in enumerate(formats.TABLE3_COLUMNS, start=1)],
            columns=["breakdown", "label", "ord"],
        ),
        "format_table3_roles": pd.DataFrame(
            roles, columns=["check_name", "metric", "side", "ord", "n_terms"]
        ),
        "format_table4_results": pd.DataFrame(
            [(k, label, i) for i, (k, label) in enumerate(results)], columns=["result", "label", "ord"]
        ),
        "format_table4_blocks": pd.DataFrame(
            [(k, label, max(i - 1, 0)) for i, (k, label) in enumerate(blocks)],
            columns=["block", "label", "ord"],
        ),
    }


def _sql_literal(value) -> str:
    return (
        str(int(value)) if isinstance(value, numbers.Integral) else "'" + str(value).replace("'", "''") + "'"
    )


def prepare(conn: duckdb.DuckDBPyConnection, scope: Iterable[str] | None = None) -> None:
    """Build the TEMP tables every identity query reads (idempotent; fine on a read-only connection).

    `scope`: the report_ids to assess (TEMP table identity_scope); None = every parsed report.
    """
    for name, frame in _format_tables().items():  # literals of our own constants, not outside input
        rows = ", ".join(
            "(" + ", ".join(_sql_literal(v) for v in row) + ")" for row in frame.itertuples(index=False)
        )
        conn.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM (VALUES {rows}) t({', '.join(frame.columns)})"
        )
    if scope is None:
        conn.execute(
            "CREATE OR REPLACE TEMP TABLE identity_scope AS SELECT report_id FROM reports WHERE status = 'parsed'"
        )
    else:
        conn.register("_scope", pa.table({"report_id": pa.array(sorted(set(scope)), pa.string())}))
        conn.execute("CREATE OR REPLACE TEMP TABLE identity_scope AS SELECT report_id FROM _scope")
        conn.unregister("_scope")
    conn.execute(load_sql("prelude"))


def scope_size(conn: duckdb.DuckDBPyConnection) -> int:
    """How many reports the prepared identity_scope holds."""
    return conn.execute("SELECT count(*) FROM identity_scope").fetchall()[0][0]


def fingerprint(parameters: dict) -> str:
    """Digest of what decides the findings besides the data: the suites, their SQL, the official
    formats and the run parameters. Findings computed under another digest are all redone."""
    files = sorted(EXPECTATIONS_DIR.rglob("*.json")) + sorted(EXPECTATIONS_DIR.rglob("*.sql"))
    digest = hashlib.sha256(
        repr(
            (sorted(parameters.items()), {k: v.values.tolist() for k, v in _format_tables().items()})
        ).encode()
    )
    for path in files:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def _rows_table(name: str) -> str:
    return f"identity_rows_{_name(name)}"


def identity_rows(conn: duckdb.DuckDBPyConnection, name: str) -> str:
    """Run an identity suite's SQL into a TEMP table (after prepare); returns the table's name."""
    if name not in IDENTITY_SUITES:
        raise ValueError(f"{name} is not an identity suite")
    table = _rows_table(name)
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {load_sql(name)}")
    return table


def _frame_columns(name: str) -> list[str]:
    columns: dict[str, None] = {}
    for expectation in suite_json(name)["expectations"]:
        columns.setdefault(_name(expectation["kwargs"]["column"]), None)
    return list(columns)


def frame(conn: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    """The frame the suite validates over identity_scope (call prepare first).

    Identity suites: one row per report with at least one assessable identity row; column <check>
    holds the report's worst signed diff over its '=' rows, <check>__bound the smallest slack of its
    one-sided rows ('>=': lhs - rhs, '<=': rhs - lhs). NULL where nothing was assessable.
    """
    if name in MEASURE_SUITES:
        return conn.execute(load_sql(name)).df()
    table = identity_rows(conn, name)
    selects, params = [], []
    for column in _frame_columns(name):
        check = column.removesuffix(_BOUND)
        if column.endswith(_BOUND):
            selects.append(
                "min(CASE relation WHEN '>=' THEN diff ELSE -diff END) "
                f"FILTER (WHERE check_name = ? AND relation IN ('>=', '<=')) AS {column}"
            )
        else:
            selects.append(
                f"arg_max(diff, abs(diff)) FILTER (WHERE check_name = ? AND relation = '=') AS {column}"
            )
        params.append(check)
    sql = (
        f"SELECT report_id, {', '.join(selects)} FROM {table} WHERE assessable "
        "GROUP BY report_id ORDER BY report_id"
    )
    return conn.execute(sql, params).df()


def identity_stats(conn: duckdb.DuckDBPyConnection, name: str) -> dict[str, dict[str, int]]:
    """check_name -> rows, assessable rows, not-assessable rows, reports assessed (after frame())."""
    out = {
        check: {"rows": 0, "assessable": 0, "not_assessable": 0, "reports_assessed": 0}
        for check in suite_checks(name)
    }
    if name not in IDENTITY_SUITES:
        return out
    for check, rows, assessable, reports in conn.execute(
        f"""SELECT check_name, count(*), count(*) FILTER (WHERE assessable),
                   count(DISTINCT report_id) FILTER (WHERE assessable)
            FROM {_rows_table(name)} GROUP BY check_name"""
    ).fetchall():
        out[check] = {
            "rows": rows,
            "assessable": assessable,
            "not_assessable": rows - assessable,
            "reports_assessed": reports,
        }
    return out


def _violates(value: float, low: float | None, high: float | None) -> bool:
    return (low is not None and value < low) or (high is not None and value > high)


def _number(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "?"
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:g}"


def _identity_findings(
    conn: duckdb.DuckDBPyConnection, name: str, data: pd.DataFrame, failures: list[Failure]
) -> list[dict]:
    table = _rows_table(name)
    out = []
    for failure in failures:
        report_ids = sorted({str(data["report_id"].iloc[i]) for i in failure.rows})
        if not report_ids:
            continue
        bound = failure.column.endswith(_BOUND)
        conn.register("_failing_reports", pa.table({"report_id": pa.array(report_ids, pa.string())}))
        try:
            rows = conn.execute(
                f"""SELECT report_id, breakdown, scope, relation, clean, lhs, rhs, diff, lhs_terms, rhs_terms
                    FROM {table}
                    WHERE check_name = ? AND assessable
                      AND {"relation IN ('>=', '<=')" if bound else "relation = '='"}
                      AND report_id IN (SELECT report_id FROM _failing_reports)
                    ORDER BY report_id, breakdown""",
                [failure.check_name],
            ).fetchall()
        finally:
            conn.unregister("_failing_reports")
        for report_id, breakdown, scope, relation, clean, lhs, rhs, diff, lhs_terms, rhs_terms in rows:
            measured = (diff if relation == ">=" else -diff) if bound else diff
            if not _violates(measured, failure.min_value, failure.max_value):
                continue
            why = f"差 {_number(diff)}" if relation == "=" else _WHY[relation]
            out.append(
                {
                    "report_id": report_id,
                    "check_name": failure.check_name,
                    "expected": rhs,
                    "observed": lhs,
                    "severity": SEVERITY[failure.severity],
                    "source_inconsistent": bool(clean),
                    "detail": f"{scope}: {lhs_terms or _number(lhs)} {_BROKEN[relation]} "
                    f"{rhs_terms or _number(rhs)} ({why})",
                    "origin": "identity",
                    "key": breakdown,
                }
            )
    return out


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def _measure_findings(data: pd.DataFrame, failures: list[Failure], parameters: dict) -> list[dict]:
    out = []
    for failure in failures:
        template = failure.meta.get("detail") or f"{failure.column} = {{{failure.column}}}"
        observed_column = failure.meta.get("observed_column") or failure.column
        expected_column = failure.meta.get("expected_column")
        for i in failure.rows:
            row = data.iloc[i]
            values = _Blank({k: _text(v) for k, v in row.items()})
            values.update({k: str(v) for k, v in parameters.items()})
            observed = _as_float(row.get(observed_column))
            if expected_column:
                expected = _as_float(row.get(expected_column))
            elif observed is None:
                expected = None
            elif failure.min_value is not None and observed < failure.min_value:
                expected = failure.min_value
            else:
                expected = failure.max_value
            out.append(
                {
                    "report_id": str(row["report_id"]),
                    "check_name": failure.check_name,
                    "expected": expected,
                    "observed": observed,
                    "severity": SEVERITY[failure.severity],
                    "source_inconsistent": False,
                    "detail": template.format_map(values),
                    "origin": "identity",
                    "key": str(row["fact_table"]) if "fact_table" in row.index else None,
                }
            )
    return out


def _text(value) -> str:
    if value is None or value is pd.NA:
        return "?"
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return _number(value)
    return str(value)


def _as_float(value) -> float | None:
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def findings(
    conn: duckdb.DuckDBPyConnection,
    name: str,
    data: pd.DataFrame,
    failures: list[Failure],
    parameters: dict | None = None,
) -> pd.DataFrame:
    """quality_findings rows (origin 'identity') for the failures GX reported on `data` = frame(conn, name).

    Identity suites give one finding per failing row (report and column / row / block): expected =
    rhs, observed = lhs, source_inconsistent = every term was clean. Measure suites give one finding
    per failing frame row: observed = the measurement, expected = the bound it broke.
    Besides FINDING_COLUMNS the frame has `key`: the identity row's breakdown (column, row, block)
    or the fact table of a fact_domains row; it is not stored.
    """
    if name in IDENTITY_SUITES:
        rows = _identity_findings(conn, name, data, failures)
    else:
        rows = _measure_findings(data, failures, parameters or {})
    for row in rows:
        row["detail"] = " ".join(str(row["detail"]).split())
    out = pd.DataFrame(rows, columns=[*FINDING_COLUMNS, "key"])
    return out.sort_values(["report_id", "check_name", "detail"], kind="stable").reset_index(drop=True)


def replace_identity_findings(
    conn: duckdb.DuckDBPyConnection, rows: pd.DataFrame, scoped: bool = False
) -> int:
    """In ONE transaction: drop the origin='identity' findings `rows` replace, insert `rows`.

    scoped=False: every identity finding is replaced. scoped=True (rows assessed identity_scope,
    see prepare): the findings of those reports and of the WHOLE_WAREHOUSE_SUITES. Returns the count.
    """
    subset = rows[list(FINDING_COLUMNS)].astype(object)
    records = subset.where(subset.notna(), None).to_dict("records")
    table = pa.Table.from_pylist(records, schema=_FINDING_SCHEMA)
    columns = ", ".join(FINDING_COLUMNS)
    conn.execute("BEGIN TRANSACTION")
    try:
        if scoped:
            whole = [check for suite in WHOLE_WAREHOUSE_SUITES for check in suite_checks(suite)]
            conn.execute(
                "DELETE FROM quality_findings WHERE origin = 'identity' AND (check_name IN "
                "(SELECT unnest(?)) OR report_id IN (SELECT report_id FROM identity_scope))",
                [whole],
            )
        else:
            conn.execute("DELETE FROM quality_findings WHERE origin = 'identity'")
        conn.register("_identity_findings", table)
        conn.execute(f"INSERT INTO quality_findings ({columns}) SELECT {columns} FROM _identity_findings")
        conn.unregister("_identity_findings")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return table.num_rows

"""quality_findings: every identity and range check over the whole warehouse, as findings and Data Docs."""

import time
from dataclasses import dataclass
from datetime import date

import dagster as dg
import duckdb
import pandas as pd

from assets import gx as gx_helper
from assets.resources import WarehouseResource
from pipeline import identities
from pipeline import warehouse as wh

#: The warehouse assets the checks read (written by the reports group's warehouse_tables).
FACT_ASSETS = ("fact_requests", "fact_review_litigation", "fact_proactive", "fact_fees", "fact_article20")


def run_parameters() -> dict:
    """Values for the suites' {"$PARAMETER": …} bounds, resolved at run time."""
    return {"current_year": date.today().year}


@dataclass
class SuiteOutcome:
    name: str
    frame: pd.DataFrame  # what GX validated
    findings: pd.DataFrame  # identities.FINDING_COLUMNS + key
    stats: dict[str, dict[str, int]]  # identity suites: rows / assessable / not_assessable per check
    success: bool


def evaluate_suite(
    conn: duckdb.DuckDBPyConnection, name: str, *, keep: bool = False, parameters: dict | None = None
) -> SuiteOutcome:
    """SQL -> frame -> GX suite -> findings (identity suites need identities.prepare(conn) first)."""
    parameters = parameters or run_parameters()
    data = identities.frame(conn, name)
    result = gx_helper.run_suite(data, gx_helper.load_suite(name), parameters=parameters, keep=keep)
    found = identities.findings(conn, name, data, gx_helper.failures(result), parameters)
    return SuiteOutcome(name, data, found, identities.identity_stats(conn, name), bool(result.success))


def evaluate_all(conn: duckdb.DuckDBPyConnection, *, keep: bool = False) -> list[SuiteOutcome]:
    identities.prepare(conn)
    parameters = run_parameters()
    return [evaluate_suite(conn, name, keep=keep, parameters=parameters) for name in identities.SUITES]


#: run_id -> the suite outcomes quality_findings computed in this process. The asset checks run
#: after it in the same run (additional_deps) and read the warehouse as it left it, so they reuse
#: these instead of validating every suite a second time. Holds the latest run only.
_OUTCOMES_OF_RUN: dict[str, dict[str, SuiteOutcome]] = {}


def suite_outcomes(
    run_id: str, warehouse: WarehouseResource, names: tuple[str, ...]
) -> dict[str, SuiteOutcome]:
    """The outcomes of `names` for this run: quality_findings' when it ran in this process, else evaluated now."""
    done = _OUTCOMES_OF_RUN.get(run_id, {})
    if all(name in done for name in names):
        return {name: done[name] for name in names}
    with warehouse.connect(read_only=True) as conn:
        identities.prepare(conn)
        parameters = run_parameters()
        return {name: evaluate_suite(conn, name, parameters=parameters) for name in names}


def markdown_table(rows: pd.DataFrame, limit: int = 20) -> str:
    """The first `limit` findings as a Markdown table (report_id, key, expected, observed, detail)."""
    if rows.empty:
        return "no findings"

    def cell(value) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).replace("|", "\\|")

    lines = ["| report_id | key | expected | observed | severity | detail |", "|---|---|---|---|---|---|"]
    for row in rows.head(limit).itertuples(index=False):
        lines.append(
            "| "
            + " | ".join(
                cell(v)
                for v in (row.report_id, row.key, row.expected, row.observed, row.severity, row.detail)
            )
            + " |"
        )
    if len(rows) > limit:
        lines.append(f"\n… and {len(rows) - limit} more")
    return "\n".join(lines)


@dg.asset(
    deps=[
        "fact_requests",
        "fact_review_litigation",
        "fact_proactive",
        "fact_fees",
        "fact_article20",
        "reports",
    ],
    group_name="quality",
    pool="warehouse",
    backfill_policy=dg.BackfillPolicy.single_run(),
    kinds={"duckdb"},
)
def quality_findings(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Identity and range findings (origin 'identity') for every parsed report, replaced in one transaction; Data Docs beside the warehouse."""
    started = time.monotonic()
    gx_helper.forget_results()
    with warehouse.connect() as conn:
        outcomes = evaluate_all(conn, keep=True)
        found = pd.concat([o.findings for o in outcomes], ignore_index=True)
        written = identities.replace_identity_findings(conn, found)
        extraction = conn.execute(
            "SELECT count(*) FROM quality_findings WHERE origin IS DISTINCT FROM 'identity'"
        ).fetchone()[0]
    _OUTCOMES_OF_RUN.clear()
    _OUTCOMES_OF_RUN[context.run.run_id] = {o.name: o for o in outcomes}
    index = gx_helper.build_data_docs(gx_helper.data_docs_dir(warehouse.file()))
    gx_helper.forget_results()
    with warehouse.connect() as conn:  # findings and Data Docs now describe the current load
        wh.record_step(conn, "quality_findings", wh.current_load(conn))
    seconds = time.monotonic() - started
    by_check = found.groupby(["check_name", "severity"]).size().reset_index(name="n") if len(found) else found
    summary = (
        {f"{r.check_name} ({r.severity})": int(r.n) for r in by_check.itertuples(index=False)}
        if len(found)
        else {}
    )
    context.log.info(
        f"{written} identity findings ({int((found['severity'] == 'error').sum())} errors) over "
        f"{len(identities.SUITES)} suites in {seconds:.1f} s; Data Docs: {index}"
    )
    return dg.MaterializeResult(
        metadata={
            "identity_findings": dg.MetadataValue.int(written),
            "errors": dg.MetadataValue.int(int((found["severity"] == "error").sum())),
            "warnings": dg.MetadataValue.int(int((found["severity"] == "warning").sum())),
            "source_inconsistent": dg.MetadataValue.int(int(found["source_inconsistent"].sum())),
            "extraction_findings": dg.MetadataValue.int(int(extraction)),
            "by_check": dg.MetadataValue.json(summary),
            "suites_failed": dg.MetadataValue.json([o.name for o in outcomes if not o.success]),
            "preview": dg.MetadataValue.md(markdown_table(found)),
            "data_docs": dg.MetadataValue.path(str(index)),
            "seconds": dg.MetadataValue.float(round(seconds, 3)),
        }
    )

"""quality_findings: the identity and range checks over what each load changed, as findings and Data Docs."""

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


def evaluate_all(
    conn: duckdb.DuckDBPyConnection,
    *,
    keep: bool = False,
    scope: list[str] | None = None,
    parameters: dict | None = None,
) -> list[SuiteOutcome]:
    """Every suite over `scope` (report_ids; None = every parsed report), see identities.prepare."""
    identities.prepare(conn, scope)
    parameters = parameters or run_parameters()
    return [evaluate_suite(conn, name, keep=keep, parameters=parameters) for name in identities.SUITES]


def assessed(outcomes: list[SuiteOutcome]) -> dict:
    """What a run's validation covered, per check, for the asset checks to say passed or skipped.

    {"identity": {check: {assessed_rows, not_assessable_rows, reports_assessed}},
     "report_ranges": reports checked, "fact_domains": {fact table: reports checked}}
    """
    out: dict = {"identity": {}, "report_ranges": 0, "fact_domains": {}}
    for outcome in outcomes:
        if outcome.name in identities.IDENTITY_SUITES:
            for check, stats in outcome.stats.items():
                out["identity"][check] = {
                    "assessed_rows": stats["assessable"],
                    "not_assessable_rows": stats["not_assessable"],
                    "reports_assessed": stats["reports_assessed"],
                }
        elif outcome.name == "report_ranges":
            out["report_ranges"] = len(outcome.frame)
        else:
            tables = outcome.frame["fact_table"] if len(outcome.frame) else pd.Series(dtype=str)
            out["fact_domains"] = {asset: int((tables == asset).sum()) for asset in FACT_ASSETS}
    return out


def markdown_table(rows: pd.DataFrame, limit: int = 20) -> str:
    """The first `limit` findings as a Markdown table (report_id, expected, observed, severity, detail)."""
    if rows.empty:
        return "no findings"

    def cell(value) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).replace("|", "\\|")

    lines = ["| report_id | expected | observed | severity | detail |", "|---|---|---|---|---|"]
    for row in rows.head(limit).itertuples(index=False):
        values = (row.report_id, row.expected, row.observed, row.severity, row.detail)
        lines.append("| " + " | ".join(cell(v) for v in values) + " |")
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
    """Identity and range findings (origin 'identity'): the reports loaded since the last assessment
    are validated (all of them when the suites or their parameters changed), the cross-year identity
    over the whole warehouse; their findings replaced in one transaction; Data Docs of the validation
    beside the warehouse."""
    started = time.monotonic()
    parameters = run_parameters()
    digest = identities.fingerprint(parameters)
    gx_helper.forget_results()
    with warehouse.connect() as conn:
        scope = wh.reports_loaded_since(conn, "quality_findings", digest)
        outcomes = evaluate_all(conn, keep=True, scope=scope, parameters=parameters)
        found = pd.concat([o.findings for o in outcomes], ignore_index=True)
        written = identities.replace_identity_findings(conn, found, scoped=scope is not None)
        stored = wh.identity_finding_summary(conn)
        extraction = wh.extraction_findings(conn)
        validated = identities.scope_size(conn)
    index = gx_helper.build_data_docs(gx_helper.data_docs_dir(warehouse.file()))
    gx_helper.forget_results()
    with warehouse.connect() as conn:  # findings and Data Docs now describe the current load
        wh.record_step(conn, "quality_findings", wh.current_load(conn), fingerprint=digest)
    seconds = time.monotonic() - started
    scope_text = (
        f"every report ({validated})"
        if scope is None
        else f"{validated} reports loaded since the last assessment"
    )
    context.log.info(
        f"validated {scope_text} ({len(identities.SUITES)} suites, {written} findings) in {seconds:.1f} s; "
        f"the warehouse holds {stored['findings']} identity findings ({stored['errors']} errors); "
        f"Data Docs: {index}"
    )
    return dg.MaterializeResult(
        metadata={
            "identity_findings": dg.MetadataValue.int(stored["findings"]),
            "errors": dg.MetadataValue.int(stored["errors"]),
            "warnings": dg.MetadataValue.int(stored["warnings"]),
            "source_inconsistent": dg.MetadataValue.int(stored["source_inconsistent"]),
            "extraction_findings": dg.MetadataValue.int(int(extraction)),
            "by_check": dg.MetadataValue.json(stored["by_check"]),
            "validated": dg.MetadataValue.text(scope_text),
            "reports_validated": dg.MetadataValue.int(validated),
            "findings_this_run": dg.MetadataValue.int(written),
            "assessed": dg.MetadataValue.json(assessed(outcomes)),
            "suites_failed": dg.MetadataValue.json([o.name for o in outcomes if not o.success]),
            "preview": dg.MetadataValue.md(markdown_table(found)),
            "data_docs": dg.MetadataValue.path(str(index)),
            "seconds": dg.MetadataValue.float(round(seconds, 3)),
        }
    )

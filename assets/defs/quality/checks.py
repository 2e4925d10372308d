"""Asset checks on the warehouse assets, one per property, from the suites in expectations/.

Structural checks (a duplicate fact, an unknown metric code, a negative or fractional count, an
impossible report year) fail with ERROR severity; identity checks only warn: real reports contain
arithmetic errors, which are data, not a broken pipeline. None of them blocks: the outside
contract lets a run exit non-zero only when it cannot proceed, and every failure must still reach
quality_findings (which a blocked run would skip).

The checks validate nothing themselves: quality_findings keeps the warehouse's findings current
(it validates what each load changed), and each check reports the stored findings of its property
over the whole warehouse, with the offending report_ids and their diffs. What the latest
validation assessed comes from quality_findings' materialization ("assessed"): a check with no
finding that assessed no row is not reported, so the UI shows it skipped rather than passed.
"""

from collections.abc import Iterator

import dagster as dg
import pandas as pd

from assets.defs.quality.assets import FACT_ASSETS, markdown_table
from assets.resources import WarehouseResource
from pipeline import identities
from pipeline import warehouse as wh

#: identity check -> the asset whose facts it tests
IDENTITY_CHECKS = {
    "table3_intake_equals_outcome": "fact_requests",
    "table3_outcomes_sum_to_total": "fact_requests",
    "table3_row_total_equals_columns": "fact_requests",
    "table4_block_total": "fact_review_litigation",
    "table4_litigation_equals_direct_plus_after_review": "fact_review_litigation",
    "narrative_channels_sum_to_new": "fact_requests",
    "narrative_on_time_plus_extended": "fact_requests",
    "narrative_outcomes_sum_to_total": "fact_requests",
    "narrative_denied_reasons_sum": "fact_requests",
    "narrative_proceeding_results_sum": "fact_review_litigation",
    "narrative_proceeding_levels_sum": "fact_review_litigation",
    "narrative_proactive_levels_sum": "fact_proactive",
    "carry_over_matches_last_year": "fact_requests",
}
#: report_ranges checks, run on the reports table
RANGE_CHECKS = (
    "report_year_in_range",
    "period_within_report_year",
    "format_era_matches_year",
    "published_after_period_end",
)
#: fact_domains checks, run on every fact table
DOMAIN_CHECKS = ("facts_unique", "metric_in_vocabulary", "values_non_negative", "counts_are_integers")


def _descriptions(suites) -> dict[str, str]:
    out: dict[str, list[str]] = {}
    for suite in suites:
        for expectation in identities.suite_json(suite)["expectations"]:
            meta = expectation["meta"]
            text = meta.get("description", "")
            if meta.get("relation") == ">= / <=":
                continue
            out.setdefault(meta["check_name"], [])
            if text and text not in out[meta["check_name"]]:
                out[meta["check_name"]].append(text)
    return {check: "; ".join(texts) for check, texts in out.items()}


_DESCRIBED = _descriptions(identities.SUITES)
#: Run after quality_findings, whose stored findings and "assessed" metadata they report.
_AFTER = ["quality_findings"]


def _assessed(context: dg.AssetCheckExecutionContext) -> dict:
    """The "assessed" metadata of the latest quality_findings materialization ({} if none)."""
    event = context.instance.get_latest_materialization_event(dg.AssetKey("quality_findings"))
    if event is None or event.asset_materialization is None:
        return {}
    value = event.asset_materialization.metadata.get("assessed")
    return value.value if value is not None else {}


def _stored(warehouse: WarehouseResource, checks) -> pd.DataFrame:
    with warehouse.connect(read_only=True) as conn:
        return wh.findings_of(conn, checks)


def _result(
    asset: str,
    check: str,
    rows: pd.DataFrame,
    *,
    warn_only: bool,
    extra: dict,
) -> dg.AssetCheckResult:
    """One check result: passed when no finding; ERROR when a finding is critical, unless warn_only."""
    errors = int((rows["severity"] == "error").sum())
    severity = dg.AssetCheckSeverity.WARN if warn_only or not errors else dg.AssetCheckSeverity.ERROR
    report_ids = sorted(rows["report_id"].dropna().unique().tolist())
    return dg.AssetCheckResult(
        asset_key=asset,
        check_name=check,
        passed=rows.empty,
        severity=severity,
        metadata={
            "failed_rows": dg.MetadataValue.int(len(rows)),
            "failed_reports": dg.MetadataValue.int(len(report_ids)),
            "report_ids": dg.MetadataValue.json(report_ids[:100]),
            "offenders": dg.MetadataValue.md(markdown_table(rows)),
            **extra,
        },
    )


def _reported(
    context: dg.AssetCheckExecutionContext, asset: str, check: str, rows: pd.DataFrame, assessed: int
) -> bool:
    """Whether to yield the check: selected in this run, and it has findings or assessed something."""
    if dg.AssetCheckKey(dg.AssetKey(asset), check) not in context.selected_asset_check_keys:
        return False
    if rows.empty and not assessed:
        context.log.info(f"{check}: no finding and nothing assessable in the latest validation: skipped")
        return False
    return True


@dg.multi_asset_check(
    name="identity_checks",
    specs=[
        dg.AssetCheckSpec(check, asset=asset, description=_DESCRIBED.get(check), additional_deps=_AFTER)
        for check, asset in IDENTITY_CHECKS.items()
    ],
    pool="warehouse",
    can_subset=True,
)
def identity_checks(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.AssetCheckResult]:
    """表三 / 表四 / narrative / cross-year identities per report (WARN: the report's own arithmetic)."""
    stats_of = _assessed(context).get("identity", {})
    stored = _stored(warehouse, IDENTITY_CHECKS)
    for check, asset in IDENTITY_CHECKS.items():
        stats = stats_of.get(check, {})
        rows = stored[stored["check_name"] == check]
        if not _reported(context, asset, check, rows, stats.get("assessed_rows", 0)):
            continue
        if len(rows):
            context.log.warning(f"{check}: {len(rows)} failing rows, e.g. {rows['detail'].iloc[0]}")
        yield _result(
            asset,
            check,
            rows,
            warn_only=True,
            extra={
                "assessed_rows": dg.MetadataValue.int(stats.get("assessed_rows", 0)),
                "not_assessable_rows": dg.MetadataValue.int(stats.get("not_assessable_rows", 0)),
                "reports_assessed": dg.MetadataValue.int(stats.get("reports_assessed", 0)),
                "diffs": dg.MetadataValue.json(
                    [
                        {
                            "report_id": r.report_id,
                            "observed": r.observed,
                            "expected": r.expected,
                            "detail": r.detail,
                        }  # fmt: skip
                        for r in rows.head(50).itertuples(index=False)
                    ]
                ),
            },
        )


@dg.multi_asset_check(
    name="report_range_checks",
    specs=[
        dg.AssetCheckSpec(check, asset="reports", description=_DESCRIBED.get(check), additional_deps=_AFTER)
        for check in RANGE_CHECKS
    ],
    pool="warehouse",
    can_subset=True,
)
def report_range_checks(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.AssetCheckResult]:
    """Years, periods, publication dates and format eras of the parsed reports."""
    checked = _assessed(context).get("report_ranges", 0)
    stored = _stored(warehouse, RANGE_CHECKS)
    for check in RANGE_CHECKS:
        rows = stored[stored["check_name"] == check]
        if _reported(context, "reports", check, rows, checked):
            yield _result(
                "reports", check, rows, warn_only=False,
                extra={"reports_checked": dg.MetadataValue.int(checked)},
            )  # fmt: skip


@dg.multi_asset_check(
    name="fact_domain_checks",
    specs=[
        dg.AssetCheckSpec(check, asset=asset, description=_DESCRIBED.get(check), additional_deps=_AFTER)
        for asset in FACT_ASSETS
        for check in DOMAIN_CHECKS
    ],
    pool="warehouse",
    can_subset=True,
)
def fact_domain_checks(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.AssetCheckResult]:
    """No duplicate facts, known metric codes, non-negative values, whole counts: per fact table."""
    checked_of = _assessed(context).get("fact_domains", {})
    stored = _stored(warehouse, DOMAIN_CHECKS)
    for asset in FACT_ASSETS:
        # a fact_domains finding's detail starts with its fact table (the suite's detail template)
        of_asset = stored[stored["detail"].str.startswith(f"{asset}:")]
        for check in DOMAIN_CHECKS:
            rows = of_asset[of_asset["check_name"] == check]
            if _reported(context, asset, check, rows, checked_of.get(asset, 0)):
                yield _result(
                    asset, check, rows, warn_only=False,
                    extra={"reports_checked": dg.MetadataValue.int(checked_of.get(asset, 0))},
                )  # fmt: skip

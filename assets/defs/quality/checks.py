"""Asset checks on the warehouse assets, one per property, from the suites in expectations/.

Structural checks (a duplicate fact, an unknown metric code, a negative or fractional count, an
impossible report year) fail with ERROR severity; identity checks only warn: real reports contain
arithmetic errors, which are data, not a broken pipeline. None of them blocks: the outside
contract lets a run exit non-zero only when it cannot proceed, and every failure must still reach
quality_findings (which a blocked run would skip). Each result carries the offending report_ids and
their diffs; the quality_findings asset stores the same findings in the warehouse. The checks run
after it and, in the same process (`xxgk run` executes in-process), reuse its suite outcomes
instead of validating every suite twice; anywhere else they validate the suites themselves.
"""

from collections.abc import Iterator

import dagster as dg
import pandas as pd

from assets.defs.quality.assets import FACT_ASSETS, SuiteOutcome, markdown_table, suite_outcomes
from assets.resources import WarehouseResource
from pipeline import identities

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
#: Run after quality_findings, whose suite outcomes they reuse when it ran in the same process.
_AFTER = ["quality_findings"]


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


def _of(outcome: SuiteOutcome, check: str) -> pd.DataFrame:
    return outcome.findings[outcome.findings["check_name"] == check]


@dg.multi_asset_check(
    name="identity_checks",
    specs=[
        dg.AssetCheckSpec(check, asset=asset, description=_DESCRIBED.get(check), additional_deps=_AFTER)
        for check, asset in IDENTITY_CHECKS.items()
    ],
    pool="warehouse",
)
def identity_checks(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.AssetCheckResult]:
    """表三 / 表四 / narrative / cross-year identities per report (WARN: the report's own arithmetic)."""
    outcomes = suite_outcomes(context.run.run_id, warehouse, identities.IDENTITY_SUITES).values()
    for outcome in outcomes:
        for check in identities.suite_checks(outcome.name):
            stats = outcome.stats.get(check, {})
            rows = _of(outcome, check)
            if len(rows):
                context.log.warning(f"{check}: {len(rows)} failing rows, e.g. {rows['detail'].iloc[0]}")
            yield _result(
                IDENTITY_CHECKS[check],
                check,
                rows,
                warn_only=True,
                extra={
                    "assessed_rows": dg.MetadataValue.int(stats.get("assessable", 0)),
                    "not_assessable_rows": dg.MetadataValue.int(stats.get("not_assessable", 0)),
                    "reports_assessed": dg.MetadataValue.int(stats.get("reports_assessed", 0)),
                    "diffs": dg.MetadataValue.json(
                        [
                            {
                                "report_id": r.report_id,
                                "key": r.key,
                                "observed": r.observed,
                                "expected": r.expected,
                            }
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
)
def report_range_checks(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.AssetCheckResult]:
    """Years, periods, publication dates and format eras of the parsed reports."""
    outcome = suite_outcomes(context.run.run_id, warehouse, ("report_ranges",))["report_ranges"]
    for check in RANGE_CHECKS:
        yield _result(
            "reports",
            check,
            _of(outcome, check),
            warn_only=False,
            extra={"reports_checked": dg.MetadataValue.int(len(outcome.frame))},
        )


@dg.multi_asset_check(
    name="fact_domain_checks",
    specs=[
        dg.AssetCheckSpec(check, asset=asset, description=_DESCRIBED.get(check), additional_deps=_AFTER)
        for asset in FACT_ASSETS
        for check in DOMAIN_CHECKS
    ],
    pool="warehouse",
)
def fact_domain_checks(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.AssetCheckResult]:
    """No duplicate facts, known metric codes, non-negative values, whole counts: per fact table."""
    outcome = suite_outcomes(context.run.run_id, warehouse, ("fact_domains",))["fact_domains"]
    for asset in FACT_ASSETS:
        checked = int((outcome.frame["fact_table"] == asset).sum()) if len(outcome.frame) else 0
        for check in DOMAIN_CHECKS:
            rows = _of(outcome, check)
            yield _result(
                asset,
                check,
                rows[rows["key"] == asset],
                warn_only=False,
                extra={"reports_checked": dg.MetadataValue.int(checked)},
            )

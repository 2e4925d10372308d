"""Exports beside the warehouse (Parquet, CSV, the overview page) and the published snapshot."""

import dagster as dg

from assets.resources import WarehouseResource
from pipeline import overview
from pipeline import warehouse as wh

#: Every asset that writes the working database before the exports read it.
_WRITTEN = ["reports", "report_sections", "table_cells", "fact_proactive", "fact_requests",
            "fact_review_litigation", "fact_fees", "fact_article20", "quality_findings"]  # fmt: skip


def _completed(warehouse: WarehouseResource, step: str) -> None:
    """Record that `step` now describes the current load (a killed step is redone by the next run)."""
    with warehouse.connect() as conn:
        wh.record_step(conn, step, wh.current_load(conn))


@dg.asset(
    group_name="export",
    kinds={"parquet"},
    deps=_WRITTEN,
    pool="warehouse",
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def warehouse_parquet(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Every warehouse table and analyst view as `<warehouse name>.parquet/<name>.parquet`."""
    folder = wh.export_folder(warehouse.file(), "parquet")
    with warehouse.connect(read_only=True) as conn:
        written = wh.export(
            conn, folder, [*wh.exported_relations("tables"), *wh.exported_relations("views")], "parquet"
        )
    _completed(warehouse, "warehouse_parquet")
    context.log.info(f"exported {len(written)} tables and views to {folder}")
    return dg.MaterializeResult(
        metadata={"files": len(written), "folder": dg.MetadataValue.path(str(folder))}
    )


@dg.asset(
    group_name="export",
    kinds={"csv"},
    deps=[warehouse_parquet],
    pool="warehouse",
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def warehouse_csv(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Every analyst view as `<warehouse name>.csv/<view>.csv` (UTF-8 with BOM, so Excel reads the Chinese)."""
    folder = wh.export_folder(warehouse.file(), "csv")
    with warehouse.connect(read_only=True) as conn:
        # from the Parquet copies: each view is computed once per run
        parquet = wh.export_folder(warehouse.file(), "parquet")
        written = wh.export(conn, folder, wh.exported_relations("views"), "csv", parquet=parquet)
    _completed(warehouse, "warehouse_csv")
    context.log.info(f"exported {len(written)} views to {folder}")
    return dg.MaterializeResult(
        metadata={"files": len(written), "folder": dg.MetadataValue.path(str(folder))}
    )


@dg.asset(
    group_name="export",
    kinds={"html"},
    deps=_WRITTEN,
    pool="warehouse",
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def warehouse_overview(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """`<warehouse name>.overview.html`: headline counts, charts (inline SVG) and findings on one offline page."""
    with warehouse.connect(read_only=True) as conn:
        page = overview.write_overview(conn, overview.overview_path(warehouse.file()))
    _completed(warehouse, "warehouse_overview")
    context.log.info(f"overview: {page}")
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(page))})


@dg.asset(
    group_name="export",
    kinds={"duckdb"},
    deps=[*_WRITTEN, warehouse_parquet, warehouse_csv, warehouse_overview],
    pool="warehouse",
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def warehouse_snapshot(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """The working database published as the warehouse file analysts open (copy, then atomic rename)."""
    warehouse.publish()
    _completed(warehouse, "warehouse_snapshot")  # in the working database, which the next run plans from
    size = warehouse.file().stat().st_size
    context.log.info(f"published {warehouse.file()} ({size / 1e6:.1f} MB)")
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(warehouse.file())), "bytes": size}
    )

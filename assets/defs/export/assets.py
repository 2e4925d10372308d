"""Parquet copies of every warehouse table, for tools that do not speak DuckDB."""

import dagster as dg

from assets.resources import WarehouseResource
from pipeline import warehouse as wh


@dg.asset(
    group_name="export",
    kinds={"parquet"},
    deps=["reports", "report_sections", "table_cells", "fact_proactive", "fact_requests",
          "fact_review_litigation", "fact_fees", "fact_article20"],
    pool="warehouse",
)  # fmt: skip
def warehouse_parquet(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Every warehouse table as `<warehouse folder>/parquet/<table>.parquet`."""
    folder = warehouse.file().parent / "parquet"
    with warehouse.connect(read_only=True) as conn:
        written = wh.export_parquet(conn, folder)
    with warehouse.connect() as conn:  # the export now describes the current load
        wh.record_step(conn, "warehouse_parquet", wh.current_load(conn))
    context.log.info(f"exported {len(written)} tables to {folder.name}/")
    return dg.MaterializeResult(
        metadata={"tables": len(written), "folder": dg.MetadataValue.path(folder.name)}
    )

"""What an asset shows about itself in the UI: its column schema, its row count, a preview of its rows."""

import dagster as dg
import pyarrow as pa

#: Characters of a cell shown in a preview (evidence sentences and report texts run long).
CELL_WIDTH = 60


def column_schema(columns: list[tuple[str, str, str]]) -> dg.TableSchema:
    """`dagster/column_schema` of [(name, type, description)]."""
    return dg.TableSchema(
        columns=[dg.TableColumn(name, kind, description=text) for name, kind, text in columns]
    )


def arrow_columns(schema: pa.Schema, descriptions: dict[str, str]) -> list[tuple[str, str, str]]:
    """[(name, type, description)] of an Arrow schema, described from `descriptions` by column name."""
    return [(f.name, str(f.type), descriptions.get(f.name, "")) for f in schema]


def _cell(value) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\n", " ").replace("|", "\\|")
    return text if len(text) <= CELL_WIDTH else text[: CELL_WIDTH - 1] + "…"


def preview(table: pa.Table, limit: int = 5) -> dg.MetadataValue:
    """The first `limit` rows as a Markdown table."""
    if not table.num_rows:
        return dg.MetadataValue.md("no rows")
    rows = table.slice(0, limit).to_pylist()
    lines = ["| " + " | ".join(table.column_names) + " |", "|" + "---|" * table.num_columns]
    lines += ["| " + " | ".join(_cell(row[c]) for c in table.column_names) + " |" for row in rows]
    return dg.MetadataValue.md("\n".join(lines))


def table_metadata(rows: int, sample: pa.Table, **extra) -> dict:
    """Row count and preview, the metadata every table asset reports when it materializes."""
    return {"dagster/row_count": dg.MetadataValue.int(rows), "preview": preview(sample), **extra}

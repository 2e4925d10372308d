"""Every SQL block in the README's "Querying" section runs on the seeds warehouse and gives the answer printed below it."""

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS

from assets.cli import materialize_all
from assets.resources import WarehouseResource, XxgkSettings

_BLOCK = re.compile(r"```sql\n(?P<sql>.*?)```\n\n(?P<table>(?:\|[^\n]*\|\n)+)", re.S)


def render(conn, sql: str) -> str:
    """A query's result as the README prints it: a markdown table, NULL for missing values."""
    cursor = conn.execute(sql)
    header = [d[0] for d in cursor.description]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in cursor.fetchall():
        cells = ["NULL" if v is None else (f"{v:g}" if isinstance(v, float) else str(v)) for v in row]
        lines.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def readme_queries() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Querying") :]
    section = section[: section.index("\n## ", 1)]
    return [(m["sql"], m["table"]) for m in _BLOCK.finditer(section)]


#: The DuckDB CLI of the dev extra (`duckdb-cli`, the newest release on the package index).
DUCKDB_CLI = Path(sys.executable).with_name("duckdb")


@pytest.fixture(scope="module")
def seeds_warehouse(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("readme") / "xxgk.duckdb"
    assert materialize_all(
        XxgkSettings(raw_dir=str(SEEDS), workers=1), WarehouseResource(path=str(path)), "WARNING"
    ).success
    return path


@pytest.fixture(scope="module")
def seeds_conn(seeds_warehouse):
    with WarehouseResource(path=str(seeds_warehouse)).connect(read_only=True) as conn:
        yield conn


def cli(path: Path, sql: str) -> list[list[str]]:
    """Rows (header first) of `sql` run by the real DuckDB CLI binary on `path`, read-only."""
    out = subprocess.run(
        [str(DUCKDB_CLI), "-readonly", "-csv", "-nullvalue", "NULL", str(path), sql],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return list(csv.reader(io.StringIO(out.stdout)))


def _cell(text: str):
    """A value comparable across printers: numbers as floats, everything else as text."""
    try:
        return float(text)
    except ValueError:
        return text


def markdown_rows(table: str) -> list[list[str]]:
    lines = table.strip().splitlines()
    return [[c.strip() for c in line.strip("|").split(" | ")] for line in [lines[0], *lines[2:]]]


def test_readme_has_at_least_six_questions():
    assert len(readme_queries()) >= 6


@pytest.mark.parametrize("index", range(len(readme_queries())))
def test_readme_query_gives_the_printed_answer(seeds_conn, index):
    sql, answer = readme_queries()[index]
    assert render(seeds_conn, sql) == answer


def test_the_cli_is_the_newest_release_line():
    version = subprocess.run(
        [str(DUCKDB_CLI), "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert version.startswith("v1.5."), version


@pytest.mark.parametrize("index", range(len(readme_queries())))
def test_the_duckdb_cli_gives_the_printed_answer(seeds_warehouse, index):
    sql, answer = readme_queries()[index]
    expected = [[_cell(c) for c in row] for row in markdown_rows(answer)]
    assert [[_cell(c) for c in row] for row in cli(seeds_warehouse, sql)] == expected


def test_the_readme_command_line_opens_the_published_warehouse(seeds_warehouse):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r'^duckdb -readonly data/warehouse/xxgk\.duckdb "(?P<sql>[^"]+)"$', text, re.M)
    rows = cli(seeds_warehouse, command["sql"])
    assert rows[0] == ["organ", "report_year", "status"]
    assert len(rows) == 1 + 5 and {r[2] for r in rows[1:]} == {"parsed"}


def test_the_warehouse_is_written_in_a_format_the_cli_reads(seeds_warehouse):
    from pipeline.publish import STORAGE_VERSION

    assert cli(
        seeds_warehouse, "SELECT tags['storage_version'] AS v FROM duckdb_databases() WHERE NOT internal"
    ) == [
        ["v"],
        [STORAGE_VERSION + "+"],
    ]


def test_the_readme_python_example_gives_each_headline_number_once(seeds_warehouse):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(?P<code>import duckdb\n.*?)```", text, re.S)["code"]
    sql = re.search(r'con\.sql\("""(?P<sql>.*?)"""\)', block, re.S)["sql"]
    rows = cli(seeds_warehouse, sql)
    assert rows[0] == ["organ", "report_year", "metric", "value", "evidence"]
    keys = [tuple(r[:3]) for r in rows[1:]]
    assert len(keys) == len(set(keys)) > 20  # one row per report and metric, not one per applicant column

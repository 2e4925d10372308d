"""Every SQL block in the README's "Querying" section runs on the seeds warehouse and gives the answer printed below it."""

import re

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


@pytest.fixture(scope="module")
def seeds_conn(tmp_path_factory):
    path = tmp_path_factory.mktemp("readme") / "xxgk.duckdb"
    warehouse = WarehouseResource(path=str(path))
    assert materialize_all(XxgkSettings(raw_dir=str(SEEDS), workers=1), warehouse, "WARNING").success
    with warehouse.connect(read_only=True) as conn:
        yield conn


def test_readme_has_at_least_six_questions():
    assert len(readme_queries()) >= 6


@pytest.mark.parametrize("index", range(len(readme_queries())))
def test_readme_query_gives_the_printed_answer(seeds_conn, index):
    sql, answer = readme_queries()[index]
    assert render(seeds_conn, sql) == answer

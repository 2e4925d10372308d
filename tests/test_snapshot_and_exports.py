"""Readers never block a run (working database + published snapshot), the storage format every
client reads, the exports beside the warehouse and the overview page."""

import re
import shutil
import subprocess
import sys

import duckdb
import pytest
from conftest import SEEDS

from assets import cli
from assets.cli import materialize_all
from assets.resources import WarehouseResource, XxgkSettings
from pipeline import publish
from pipeline.overview import CHARTS, overview_path
from pipeline.warehouse import ensure_schema, export_folder, exported_relations

_PARSED = "SELECT count(*) FROM v_reports WHERE status = 'parsed'"

#: A notebook in another process: opens the warehouse read-only, then answers one query per input line.
_READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute(sys.argv[2]).fetchone()[0], flush=True)
for _ in sys.stdin:
    print(con.execute(sys.argv[2]).fetchone()[0], flush=True)
"""


def test_a_reader_held_open_across_a_run_neither_blocks_it_nor_breaks(tmp_path, monkeypatch, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    for seed in seeds[:4]:
        shutil.copy(seed, raw / seed.name)
    path = tmp_path / "wh" / "xxgk.duckdb"
    monkeypatch.setenv("XXGK_RAW_DIR", str(raw))
    monkeypatch.setenv("XXGK_WAREHOUSE", str(path))
    monkeypatch.setenv("XXGK_WORKERS", "1")
    assert cli.main(["run", "--log-level", "ERROR"]) == 0
    reader = subprocess.Popen(
        [sys.executable, "-c", _READER, str(path), _PARSED],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "4"
        shutil.copy(seeds[4], raw / seeds[4].name)
        capsys.readouterr()
        assert cli.main(["run", "--log-level", "ERROR"]) == 0  # the reader holds the old snapshot open
        assert "documents parsed: 5" in capsys.readouterr().out
        reader.stdin.write("again\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "4"  # the open reader keeps its snapshot, unbroken
        with duckdb.connect(str(path), read_only=True) as conn:  # a new connection sees the new run
            assert conn.execute(_PARSED).fetchone()[0] == 5
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)
    assert reader.returncode == 0


def test_a_warehouse_written_in_the_20_format_is_rewritten_for_every_client(tmp_path):
    published = tmp_path / "xxgk.duckdb"
    with duckdb.connect(
        str(published)
    ) as conn:  # what the pipeline wrote before: DuckDB 2.0's default format
        ensure_schema(conn)
        conn.execute("INSERT INTO reports (report_id, source_file, status) VALUES ('r1', 'a.txt', 'parsed')")
        assert publish.storage_version(conn) != publish.STORAGE_VERSION + "+"
    working = publish.prepare_working(published)
    assert working == tmp_path / "xxgk.working.duckdb"
    with duckdb.connect(str(working), read_only=True) as conn:
        assert publish.storage_version(conn) == publish.STORAGE_VERSION + "+"
        assert conn.execute("SELECT report_id, source_file FROM reports").fetchall() == [("r1", "a.txt")]
        assert conn.execute("SELECT count(*) FROM schema_info").fetchone()[0] == 0  # comments are re-applied
    publish.publish(working, published)
    with duckdb.connect(str(published), read_only=True) as conn:
        assert publish.storage_version(conn) == publish.STORAGE_VERSION + "+"
    assert not list(tmp_path.glob("*.publishing"))


@pytest.fixture(scope="module")
def seeds_warehouse(tmp_path_factory):
    path = tmp_path_factory.mktemp("exports") / "seeds.duckdb"
    assert materialize_all(
        XxgkSettings(raw_dir=str(SEEDS), workers=1), WarehouseResource(path=str(path)), "WARNING"
    ).success
    return path


def test_every_view_is_exported_as_csv_with_a_bom(seeds_warehouse):
    folder = seeds_warehouse.with_name("seeds.csv")
    assert export_folder(seeds_warehouse, "csv") == folder
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{v}.csv" for v in exported_relations("views"))
    with duckdb.connect(str(seeds_warehouse), read_only=True) as conn:
        for view in exported_relations("views"):
            data = (folder / f"{view}.csv").read_bytes()
            assert data.startswith(b"\xef\xbb\xbf"), view
            header = data[3:].decode("utf-8").splitlines()[0]
            columns = [d[0] for d in conn.execute(f"SELECT * FROM {view} LIMIT 0").description]
            assert header == ",".join(columns), view
            exported = conn.execute(
                "SELECT count(*) FROM read_csv(?, header = true)", [str(folder / f"{view}.csv")]
            )
            assert exported.fetchone()[0] == conn.execute(f"SELECT count(*) FROM {view}").fetchone()[0], view
    reports = (folder / "v_reports.csv").read_text(encoding="utf-8-sig")
    assert "哈尔滨市人民政府" in reports


def test_the_overview_is_self_contained_and_has_every_chart(seeds_warehouse):
    page = overview_path(seeds_warehouse).read_text(encoding="utf-8")
    assert overview_path(seeds_warehouse).name == "seeds.overview.html"
    for chart in CHARTS:
        assert re.search(rf'<svg id="{chart}"[^>]*>.*?</svg>', page, re.S), chart
    # nothing fetched at view time: no scripts, stylesheets, images, fonts or frames from anywhere
    assert not re.search(r"<(script|link|img|iframe|object|embed)\b", page, re.I)
    assert not re.search(r"""(src|href)\s*=\s*["']?[^"'#\s>]""", page, re.I)  # only #fragment links
    assert not re.search(r"""url\(\s*["']?[^"'#\s)]|@import""", page, re.I)  # url(#clip) stays in the page
    assert 'clip-path="url(#' in page  # (the pattern above does see SVG's own references)
    assert "<b>5</b>reports parsed" in page


def test_the_summary_prints_where_the_exports_are(seeds_warehouse):
    summary = cli._summary(seeds_warehouse, 1.0)
    assert f"parquet: {seeds_warehouse.with_name('seeds.parquet')}" in summary
    assert f"csv: {seeds_warehouse.with_name('seeds.csv')}" in summary
    assert f"overview: {seeds_warehouse.with_name('seeds.overview.html')}" in summary


def test_a_schema_change_empties_every_document_table_so_nothing_is_doubled(tmp_path):
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as conn:
        ensure_schema(conn)
        conn.execute("INSERT INTO reports (report_id, source_file, status) VALUES ('r1', 'a.txt', 'parsed')")
        conn.execute(
            "INSERT INTO fact_fees (report_id, metric, breakdown, value) VALUES ('r1', 'fees.collected_yuan', 'total', 0)"
        )
        conn.execute("INSERT INTO ingest_runs (run_id, status) VALUES ('run-1', 'succeeded')")
        conn.execute("ALTER TABLE reports DROP COLUMN organ_key")  # a warehouse built before organ_key
        conn.execute("DELETE FROM schema_info")
        ensure_schema(conn)
        assert conn.execute(
            "SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM fact_fees)"
        ).fetchone() == (0, 0)
        assert conn.execute("SELECT run_id FROM ingest_runs").fetchall() == [("run-1",)]  # history kept

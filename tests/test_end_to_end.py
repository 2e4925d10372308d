"""Materialize every asset in-process from the seeds into a temporary warehouse."""

import shutil

import duckdb
import pytest
from conftest import SEEDS

from assets.cli import materialize_all
from assets.resources import WarehouseResource, XxgkSettings


def run(raw_dir, warehouse_path):
    result = materialize_all(
        XxgkSettings(raw_dir=str(raw_dir), workers=1), WarehouseResource(path=str(warehouse_path)), "WARNING"
    )
    assert result.success
    return result


def snapshot(path) -> dict:
    with duckdb.connect(str(path), read_only=True) as conn:
        return {
            view: conn.execute(f"SELECT * FROM {view} ORDER BY ALL").fetchall()
            for view in ("v_reports", "v_facts", "v_quality_findings")
        }


@pytest.fixture(scope="module")
def seeds_warehouse(tmp_path_factory):
    path = tmp_path_factory.mktemp("wh") / "xxgk.duckdb"
    run(SEEDS, path)
    return path


def test_seeds_are_all_parsed_with_their_script(seeds_warehouse):
    with duckdb.connect(str(seeds_warehouse), read_only=True) as conn:
        rows = conn.execute(
            "SELECT source_file, status, status_reason, script FROM v_reports ORDER BY source_file"
        ).fetchall()
    assert [r[1] for r in rows] == ["parsed"] * 5
    assert all(r[2] == "" for r in rows)
    scripts = {r[0][:3]: r[3] for r in rows}
    assert scripts == {
        "000": "simplified",
        "001": "traditional",
        "002": "simplified",
        "003": "simplified",
        "004": "traditional",
    }


def test_contract_views_have_exactly_the_contract_columns_first(seeds_warehouse):
    expected = {
        "v_reports": ["report_id", "source_file", "organ", "province", "city", "county", "admin_level", "report_year",
                      "period_start", "period_end", "published_on", "format_era", "script", "status", "status_reason"],
        "v_facts": ["report_id", "source_file", "metric", "breakdown", "value", "is_approximate", "evidence"],
        "v_quality_findings": ["report_id", "check_name", "expected", "observed", "severity", "source_inconsistent", "detail"],
    }  # fmt: skip
    with duckdb.connect(str(seeds_warehouse), read_only=True) as conn:
        for view, columns in expected.items():
            got = [r[0] for r in conn.execute(f"DESCRIBE {view}").fetchall()]
            assert got[: len(columns)] == columns


def test_rerun_is_idempotent_and_edits_touch_only_their_document(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(SEEDS, raw)
    path = tmp_path / "w.duckdb"
    run(raw, path)
    first = snapshot(path)
    run(raw, path)
    assert snapshot(path) == first

    edited = raw / "002_cff968de04f93286.txt"
    edited.write_bytes(edited.read_bytes() + "\n本年度报告电子版可在网站下载。".encode())
    run(raw, path)
    after = snapshot(path)
    changed = {r[1] for r in set(after["v_reports"]) ^ set(first["v_reports"])}
    assert changed == {"002_cff968de04f93286.txt"}
    untouched = [r for r in after["v_facts"] if r[1] != "002_cff968de04f93286.txt"]
    assert untouched == [r for r in first["v_facts"] if r[1] != "002_cff968de04f93286.txt"]

    (raw / "003_eb83874eac59da99.txt").unlink()
    run(raw, path)
    gone = snapshot(path)
    assert "003_eb83874eac59da99.txt" not in {r[1] for r in gone["v_reports"]}
    assert "003_eb83874eac59da99.txt" not in {r[1] for r in gone["v_facts"]}
    assert len(gone["v_reports"]) == 4


def test_hostile_folder_is_quarantined_and_the_run_goes_on(tmp_path):
    raw = tmp_path / "raw"
    (raw / "sub dir").mkdir(parents=True)
    shutil.copy(SEEDS / "002_cff968de04f93286.txt", raw / "sub dir" / "报告 'a'; DROP TABLE reports;--.txt")
    shutil.copy(SEEDS / "002_cff968de04f93286.txt", raw / "zz-copy.txt")
    (raw / "empty.txt").write_bytes(b"")
    (raw / "scan.pdf").write_bytes(b"%PDF-1.4 binary")
    (raw / "noise.bin").write_bytes(bytes(range(256)) * 10)
    path = tmp_path / "w.duckdb"
    run(raw, path)
    with duckdb.connect(str(path), read_only=True) as conn:
        rows = dict(
            conn.execute("SELECT source_file, status || ':' || status_reason FROM v_reports").fetchall()
        )
    assert rows["sub dir/报告 'a'; DROP TABLE reports;--.txt"] == "parsed:"
    assert rows["zz-copy.txt"].startswith("quarantined:duplicate of sub dir/")
    assert rows["empty.txt"] == "quarantined:empty file"
    assert rows["scan.pdf"].startswith("quarantined:PDF document")
    assert rows["noise.bin"].startswith("quarantined:")


def test_a_duplicate_takes_over_when_its_original_goes(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    seed = SEEDS / "002_cff968de04f93286.txt"
    for name in ("a.txt", "b.txt", "c.txt"):
        shutil.copy(seed, raw / name)
    path = tmp_path / "w.duckdb"

    def status() -> dict:
        with duckdb.connect(str(path), read_only=True) as conn:
            return dict(
                conn.execute(
                    "SELECT r.source_file, r.status || ':' || r.status_reason || ':' || "
                    "(SELECT count(*) FROM v_facts f WHERE f.report_id = r.report_id) FROM v_reports r"
                ).fetchall()
            )

    run(raw, path)
    first = status()
    facts = first["a.txt"].split(":")[-1]
    assert first["a.txt"] == f"parsed::{facts}" and int(facts) > 0
    assert first["b.txt"].startswith("quarantined:duplicate of a.txt") and first["c.txt"].startswith(
        "quarantined:duplicate of a.txt"
    )
    run(raw, path)  # duplicates are stable: nothing is re-read, nothing changes
    assert status() == first

    (raw / "a.txt").unlink()  # the original goes: the next copy is parsed in its place, facts and all
    run(raw, path)
    second = status()
    assert set(second) == {"b.txt", "c.txt"}
    assert second["b.txt"] == f"parsed::{facts}" and second["c.txt"].startswith(
        "quarantined:duplicate of b.txt"
    )

    with open(raw / "b.txt", "ab") as fh:  # the original changes: the copy no longer duplicates it
        fh.write("\n本报告电子版可在网站下载。".encode())
    run(raw, path)
    third = status()
    assert third["b.txt"].startswith("parsed::") and third["c.txt"] == f"parsed::{facts}"


def test_a_new_extractor_version_replans_every_file(seeds_warehouse):
    from pipeline import batch
    from pipeline.records import EXTRACTOR_VERSION
    from pipeline.warehouse import known_files

    with duckdb.connect(str(seeds_warehouse), read_only=True) as conn:
        known = known_files(conn)
    entries = batch.scan(SEEDS)
    same = batch.plan(entries, known, EXTRACTOR_VERSION)
    assert not same.to_process and len(same.unchanged) == 5
    bumped = batch.plan(entries, known, EXTRACTOR_VERSION + ".next")
    assert bumped.changed == 5 and not bumped.unchanged


def test_every_table_and_view_column_is_documented(seeds_warehouse):
    with duckdb.connect(str(seeds_warehouse), read_only=True) as conn:
        undocumented = conn.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal AND coalesce(comment, '') = ''"
        ).fetchall()
        tables = conn.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT internal AND coalesce(comment, '') = '' "
            "UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal AND coalesce(comment, '') = ''"
        ).fetchall()
    assert undocumented == [] and tables == []


def test_data_dictionary_in_docs_is_current():
    from conftest import ROOT

    from pipeline.warehouse import data_dictionary, ensure_schema

    with duckdb.connect() as conn:
        ensure_schema(conn)
        assert (ROOT / "docs" / "data_dictionary.md").read_text(encoding="utf-8") == data_dictionary(conn)


def test_every_table_and_view_is_exported_to_parquet_whole(seeds_warehouse):
    from pipeline.warehouse import exported_relations

    folder = seeds_warehouse.with_name("xxgk.parquet")
    with duckdb.connect(str(seeds_warehouse), read_only=True) as conn:
        for table in (*exported_relations("tables"), *exported_relations("views")):
            exported = conn.execute(
                f"SELECT * FROM read_parquet('{folder / table}.parquet') ORDER BY ALL"
            ).fetchall()
            assert exported == conn.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall(), table

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "raw"


def seed_paths() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


def gold_for(seed: Path) -> dict:
    """The seed's hand-checked gold (a copy of ../shared/gold kept with the tests)."""
    return json.loads((ROOT / "tests" / "gold" / f"{seed.stem}.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True, scope="session")
def dagster_home(tmp_path_factory):
    """Every `xxgk run` and Dagster CLI the tests start records into a throwaway instance, never
    the project's .dagster_home."""
    home = tmp_path_factory.mktemp("dagster_home")
    previous = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(home)
    yield home
    if previous is None:
        os.environ.pop("DAGSTER_HOME", None)
    else:
        os.environ["DAGSTER_HOME"] = previous


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A temporary warehouse and staging folder; raw dir = the seeds unless a test changes it."""
    monkeypatch.setenv("XXGK_WAREHOUSE", str(tmp_path / "wh" / "xxgk.duckdb"))
    monkeypatch.setenv("XXGK_RAW_DIR", str(SEEDS))
    monkeypatch.setenv("XXGK_WORKERS", "1")
    return tmp_path

"""Thin Great Expectations 1.x helper: suites from expectations/*.json, validated as pandas batches.

great_expectations is imported lazily, inside the functions (it costs seconds to import), so
neither Definitions loading nor pipeline/ ever pays for it. One ephemeral context per process,
cached: no gx/ folder, no analytics, no progress bars. DuckDB query results are validated as
pandas batches, never through the GX SQL datasource (see docs: the duckdb-engine path fails).
"""

import functools
import hashlib
import json
import os
import shutil
import threading
from pathlib import Path

import pandas as pd

from pipeline import identities

_DATASOURCE = "xxgk"
_DOCS_SUFFIX = ".data_docs"
#: suite name -> (signature of the suite JSON, ValidationDefinition)
_DEFINITIONS: dict[str, tuple[str, object]] = {}


def data_docs_dir(warehouse_path: str | Path) -> Path:
    """The Data Docs folder next to the warehouse: <warehouse stem>.data_docs/."""
    path = Path(warehouse_path)
    return path.with_name(path.stem + _DOCS_SUFFIX)


def data_docs_index(warehouse_path: str | Path) -> Path:
    """index.html of the warehouse's Data Docs (exists once the quality_findings asset has run)."""
    return data_docs_dir(warehouse_path) / "index.html"


def _gx():
    """The great_expectations module, imported on first use with its analytics off."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations

    return great_expectations


_CONTEXT_LOCK = threading.Lock()


def _context():
    """The process's ephemeral GX context (built once; a second caller waits for the first)."""
    with _CONTEXT_LOCK:
        return _new_context()


def warm_up() -> threading.Thread:
    """Import GX and build the context in a background thread: seconds of work that overlap
    whatever this process waits on meanwhile (documents parsing in worker processes)."""
    thread = threading.Thread(target=_context, name="gx-warm-up", daemon=True)
    thread.start()
    return thread


@functools.cache
def _new_context():
    gx = _gx()
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    # No temporary docs site: Data Docs go only where build_data_docs() is told.
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False)
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.data_sources.add_pandas(_DATASOURCE)
    return context


def load_suite(name: str):
    """expectations/<name>.json -> gx.ExpectationSuite (not yet added to any context)."""
    gx = _gx()

    data = identities.suite_json(name)
    return gx.ExpectationSuite(
        name=data["name"], expectations=data["expectations"], meta=data.get("meta"), notes=data.get("notes")
    )


def _validation_definition(suite):
    gx = _gx()

    context = _context()
    signature = json.dumps(suite.to_json_dict(), sort_keys=True, default=str)
    cached = _DEFINITIONS.get(suite.name)
    if cached and cached[0] == signature:
        return cached[1]
    datasource = context.data_sources.get(_DATASOURCE)
    if cached:  # the suite changed within this process: replace it, keep its data asset
        context.validation_definitions.delete(suite.name)
        context.suites.delete(suite.name)
        batch = datasource.get_asset(suite.name).get_batch_definition("whole")
    else:
        batch = datasource.add_dataframe_asset(suite.name).add_batch_definition_whole_dataframe("whole")
    suite = context.suites.add(gx.ExpectationSuite(**_suite_kwargs(suite)))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite.name, data=batch, suite=suite)
    )
    _DEFINITIONS[suite.name] = (signature, definition)
    return definition


def _suite_kwargs(suite) -> dict:
    data = suite.to_json_dict()
    return {
        "name": data["name"],
        "expectations": data["expectations"],
        "meta": data.get("meta"),
        "notes": data.get("notes"),
    }


def run_suite(df: pd.DataFrame, suite, parameters: dict | None = None, keep: bool = False):
    """Validate `df` as one whole-dataframe batch; returns the ExpectationSuiteValidationResult.

    result_format COMPLETE, so every failing row's index is in result["unexpected_index_list"].
    `parameters` fill {"$PARAMETER": …} values (e.g. current_year). keep=True leaves the result in
    the context's store for the next build_data_docs(); otherwise it is dropped at once.
    """
    definition = _validation_definition(suite)
    frame = df.reset_index(drop=True)
    result = definition.run(
        batch_parameters={"dataframe": frame},
        expectation_parameters=dict(parameters or {}),
        result_format="COMPLETE",
    )
    for item in result.results:
        info = item.exception_info or {}
        if info.get("raised_exception"):
            raise RuntimeError(
                f"suite {suite.name}: expectation {item.expectation_config.type} on "
                f"{item.expectation_config.kwargs.get('column')} raised: {info.get('exception_message')}"
            )
    if not keep:
        forget_results()
    return result


def failures(result) -> list[identities.Failure]:
    """The failed expectations of a validation result, as GX-free Failure records."""
    out = []
    for item in result.results:
        if item.success:
            continue
        config = item.expectation_config
        kwargs = config.kwargs
        severity = getattr(config.severity, "value", config.severity) or "critical"
        out.append(
            identities.Failure(
                check_name=config.meta["check_name"],
                column=kwargs["column"],
                severity=str(severity),
                rows=tuple(int(i) for i in item.result.get("unexpected_index_list") or ()),
                min_value=_bound(kwargs.get("min_value")),
                max_value=_bound(kwargs.get("max_value")),
                meta=dict(config.meta or {}),
            )
        )
    return out


def _bound(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def forget_results() -> None:
    """Drop every validation result the context holds (results are kept only for Data Docs)."""
    store = _context().validation_results_store
    for key in store.list_keys():
        store.remove_key(key)


def build_data_docs(folder: str | Path) -> Path:
    """Rebuild Data Docs in `folder` (a *.data_docs folder) from the results kept since forget_results().

    Shows every suite in the context and every kept validation result; returns index.html.
    """
    folder = Path(folder).resolve()
    if not folder.name.endswith(_DOCS_SUFFIX):
        raise ValueError(f"Data Docs folder must end with {_DOCS_SUFFIX}: {folder}")
    context = _context()
    site = "xxgk_" + hashlib.sha1(str(folder).encode()).hexdigest()[:12]
    if site not in (context.get_config().data_docs_sites or {}):
        context.add_data_docs_site(
            site_name=site,
            site_config={
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(folder)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    if folder.exists():
        shutil.rmtree(folder)
    context.build_data_docs(site_names=[site])
    return folder / "index.html"

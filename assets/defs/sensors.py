"""Watch XXGK_RAW_DIR: request a run for the shards in which files were added, changed or removed.

The cursor holds one digest per shard (`batch.shard_fingerprints`: the sorted (source_file,
size, mtime_ns) of the shard's files plus the extractor version), about 1 KB whatever the size
of the corpus. Per-file fingerprints would make the cursor tens of MB at 500k files, written on
every tick, and they are not needed: the run itself compares each file with the warehouse
(`batch.plan`) and reads only new or changed ones. The sensor only has to know which shards to
send. Runs cover contiguous ranges of changed shards (all shards changed = one run), and each run
key is the range plus the digest of its shards' state, so the same state never triggers twice.
The flip side: a shard put back exactly as it was before an earlier run (same names, sizes and
mtimes, e.g. restored with `cp -p`) sends nothing; the nightly run over all shards catches it.
"""

import hashlib
import json

import dagster as dg

from assets.defs.partitions import range_tags, shards
from assets.defs.schedules import ingest_job
from assets.resources import XxgkSettings
from pipeline import batch

CURSOR_FORMAT = 1


def _previous(cursor: str | None) -> dict[str, str]:
    """Shard digests of the last tick; empty (everything counts as changed) for a missing or foreign cursor."""
    if not cursor:
        return {}
    try:
        state = json.loads(cursor)
    except ValueError:
        return {}
    if not isinstance(state, dict) or state.get("format") != CURSOR_FORMAT:
        return {}
    return state.get("shards", {})


def run_key(first: str, last: str, digests: dict[str, str]) -> str:
    """`<first>-<last>:<digest of those shards' digests>`: a range in the same state has the same key."""
    keys = shards.get_partition_keys()
    in_range = keys[keys.index(first) : keys.index(last) + 1]
    state = hashlib.blake2b("".join(digests[k] for k in in_range).encode(), digest_size=12).hexdigest()
    return f"{first}-{last}:{state}"


@dg.sensor(
    job=ingest_job,
    minimum_interval_seconds=300,  # listing 500k files takes seconds; every five minutes is plenty
    description="A run for each contiguous range of shards whose files were added, changed or removed.",
)
def raw_dir_sensor(
    context: dg.SensorEvaluationContext, settings: XxgkSettings
) -> dg.SensorResult | dg.SkipReason:
    root = settings.raw_root()
    if not root.is_dir():
        return dg.SkipReason(f"raw folder {root} does not exist (set XXGK_RAW_DIR)")
    keys = shards.get_partition_keys()
    current = batch.shard_fingerprints(batch.scan(root), len(keys))
    previous = _previous(context.cursor)
    changed = [k for k in keys if previous.get(k) != current[k]]
    if not changed:
        return dg.SkipReason(f"no file added, changed or removed under {root}")
    requests = []
    for first, last in batch.contiguous_ranges(changed, keys):
        key = run_key(first, last, current)
        if first == last:
            requests.append(dg.RunRequest(run_key=key, partition_key=first))
        else:
            requests.append(dg.RunRequest(run_key=key, tags=range_tags(first, last)))
    context.log.info(f"{len(changed)} shard(s) changed: {', '.join(changed)}")
    return dg.SensorResult(
        run_requests=requests, cursor=json.dumps({"format": CURSOR_FORMAT, "shards": current})
    )


@dg.definitions
def sensors() -> dg.Definitions:
    return dg.Definitions(sensors=[raw_dir_sensor])

"""Shards of the raw folder: the partitions of every ingest asset.

One partition per document does not fit a national corpus (500k reports; Dagster advises at
most ~100,000 partitions per asset), so a file belongs to one of `batch.N_SHARDS` shards by a
stable hash of its source_file (`pipeline.batch.shard_of`). A run covers one shard or a
contiguous range of shards; a backfill of everything is one run (single-run backfill policy).
"""

import dagster as dg

from pipeline import batch

#: '00' .. '0f'
shards = dg.StaticPartitionsDefinition(batch.shard_keys(batch.N_SHARDS))

#: Run tags that make one run cover the shards first..last (how Dagster tags a single-run backfill).
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def range_tags(first: str, last: str) -> dict[str, str]:
    return {RANGE_START_TAG: first, RANGE_END_TAG: last}


def all_shards_tags() -> dict[str, str]:
    """Tags for one run over every shard (`xxgk run`, the nightly schedule)."""
    keys = shards.get_partition_keys()
    return range_tags(keys[0], keys[-1])

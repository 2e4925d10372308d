"""Report metadata: organ, place, year, period, publication date, format era (placeholder)."""

from __future__ import annotations

from pipeline.records import ReportMetadata, Section


def extract_metadata(text: str, sections: list[Section]) -> ReportMetadata:
    return ReportMetadata()

"""Facts from narrative prose (placeholder)."""

from __future__ import annotations

from pipeline.records import Fact, NormalizedDoc, Section


def extract_narrative(doc: NormalizedDoc, sections: list[Section], era: str) -> list[Fact]:
    return []

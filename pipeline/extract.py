"""One normalized document -> metadata, sections, facts, table cells, findings."""

from __future__ import annotations

from pipeline.metadata import extract_metadata
from pipeline.narrative import extract_narrative
from pipeline.records import Extraction, Fact, NormalizedDoc
from pipeline.sections import split_sections
from pipeline.tables import extract_tables


def merge_facts(table_facts: list[Fact], narrative_facts: list[Fact]) -> list[Fact]:
    """Table cells outrank prose: a narrative number is kept only where no table states that cell."""
    seen = {(f.metric, f.breakdown) for f in table_facts}
    merged = list(table_facts)
    for fact in narrative_facts:
        key = (fact.metric, fact.breakdown)
        if key not in seen:
            seen.add(key)
            merged.append(fact)
    return merged


def extract(doc: NormalizedDoc) -> Extraction:
    sections = split_sections(doc.text)
    metadata = extract_metadata(doc.text, sections)
    tables = extract_tables(doc, sections, era=metadata.format_era)
    narrative = extract_narrative(doc, sections, era=metadata.format_era)
    return Extraction(
        metadata=metadata,
        sections=sections,
        facts=merge_facts(tables.facts, narrative),
        cells=tables.cells,
        findings=tables.findings,
    )

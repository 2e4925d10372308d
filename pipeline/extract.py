"""One normalized document -> metadata, sections, facts, table cells, findings."""

from __future__ import annotations

from datetime import date

from pipeline.metadata import extract_metadata
from pipeline.narrative import extract_narrative
from pipeline.records import Extraction, Fact, Finding, NormalizedDoc, ReportMetadata
from pipeline.sections import segment
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


#: Annual reports exist from the 2008 regulation on; a year outside [2008, this year] is a misread.
FIRST_REPORT_YEAR = 2008


def _plausible_year(metadata: ReportMetadata) -> list[Finding]:
    """Drop an impossible report year (and its default period) rather than store it."""
    year = metadata.report_year
    if year is None or FIRST_REPORT_YEAR <= year <= date.today().year:
        return []
    metadata.report_year = metadata.period_start = metadata.period_end = None
    return [
        Finding(
            check_name="report_year_unreadable",
            detail=f"the text gives report year {year}, outside {FIRST_REPORT_YEAR}..{date.today().year}: left empty",
            observed=float(year),
        )
    ]


def extract(doc: NormalizedDoc) -> Extraction:
    seg = segment(doc.text)  # every line typed once; metadata, tables and narrative read it
    metadata = extract_metadata(seg)
    year_findings = _plausible_year(metadata)
    tables = extract_tables(doc, seg, era=metadata.format_era)
    narrative = extract_narrative(doc, seg, era=metadata.format_era)
    return Extraction(
        metadata=metadata,
        sections=seg.sections,
        facts=merge_facts(tables.facts, narrative),
        cells=tables.cells,
        findings=year_findings + tables.findings,
    )

"""Standard tables of the 2019 and 2021 formats (placeholder)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.records import Fact, Finding, NormalizedDoc, Section, TableCell


@dataclass(slots=True)
class TableExtraction:
    facts: list[Fact] = field(default_factory=list)
    cells: list[TableCell] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def extract_tables(doc: NormalizedDoc, sections: list[Section], era: str) -> TableExtraction:
    return TableExtraction()

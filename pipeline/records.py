"""Plain records passed between pipeline stages (no Dagster, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

#: Bumped whenever extraction output can change; a new version re-parses every document.
EXTRACTOR_VERSION = "0.1.0"


@dataclass(frozen=True, slots=True)
class NormalizedDoc:
    """A report's text after normalization; every offset later stages emit points into ``text``."""

    text: str
    script: str  # "simplified" | "traditional": as received, before conversion
    mojibake_spans: tuple[tuple[int, int], ...] = ()
    steps: tuple[str, ...] = ()  # the normalization rules that changed something, in order

    def in_mojibake(self, start: int, end: int) -> bool:
        """True when [start, end) overlaps a garbled span (numbers there are never extracted)."""
        return any(s < end and start < e for s, e in self.mojibake_spans)


@dataclass(frozen=True, slots=True)
class Section:
    ordinal: int
    level: int  # 1 = 一、 ; 2 = （一） ; 3 = 1. / 1、 ; 4 = 一是
    kind: str  # overview / proactive / requests / review_litigation / fees / problems / other
    heading: str
    char_start: int
    char_end: int


@dataclass(frozen=True, slots=True)
class Fact:
    """One number the text states (or a clearly marked derived sum), with its evidence."""

    metric: str
    value: float
    evidence: str
    char_start: int  # offsets of the number (or table row) in the normalized text
    char_end: int
    breakdown: str = "total"
    is_approximate: bool = False
    is_derived: bool = False
    unit: str = "count"  # count / yuan / unknown
    source: str = "narrative"  # narrative / table


@dataclass(frozen=True, slots=True)
class TableCell:
    """A cell of a standard table, kept even when blank or not applicable."""

    table: str  # table2 / table3 / table4
    row: str  # metric-like row key
    column: str  # breakdown-like column key
    raw: str
    kind: str  # number / blank / na / text
    value: float | None
    char_start: int
    char_end: int


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem found while extracting one document (e.g. an ambiguous sparse row)."""

    check_name: str
    detail: str
    severity: str = "warning"
    expected: float | None = None
    observed: float | None = None
    source_inconsistent: bool = False


@dataclass(slots=True)
class ReportMetadata:
    organ: str | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    admin_level: str = "unknown"
    report_year: int | None = None
    period_start: date | None = None
    period_end: date | None = None
    published_on: date | None = None
    format_era: str = "narrative"


@dataclass(slots=True)
class Extraction:
    """Everything extracted from one normalized document."""

    metadata: ReportMetadata
    sections: list[Section] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    cells: list[TableCell] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

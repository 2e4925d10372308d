"""The whole per-document path, bytes -> DocumentResult, as one pure function any executor can run."""

from __future__ import annotations

import hashlib
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

from pipeline.extract import extract
from pipeline.ingest import Quarantine, content_id, decode_document
from pipeline.normalize import normalize
from pipeline.ocr import MIN_NUMBER_SCORE, SECONDS_PER_PAGE
from pipeline.records import EXTRACTOR_VERSION, Extraction, Finding, NormalizedDoc

#: Seconds one document may take from decoding to facts before it is quarantined.
DEFAULT_TIME_BUDGET = 60.0


@dataclass(slots=True)
class DocumentResult:
    report_id: str
    source_file: str
    content_sha256: str
    n_bytes: int
    status: str  # parsed / quarantined
    status_reason: str = ""
    encoding: str | None = None
    script: str | None = None
    normalized: NormalizedDoc | None = None
    extraction: Extraction | None = None
    extractor_version: str = EXTRACTOR_VERSION
    warnings: list[str] = field(default_factory=list)
    ocr_pages: tuple[int, ...] = ()  # 1-based pages whose text is OCR output (empty: none)


class _OverBudget(Exception):
    pass


@contextmanager
def _time_budget(seconds: float):
    """Interrupt the block after `seconds` (main thread of a process only; elsewhere unbounded)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def _raise(signum, frame):
        raise _OverBudget

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def quarantined(
    source_file: str, reason: str, data: bytes = b"", n_bytes: int | None = None
) -> DocumentResult:
    """A document that could not be parsed; its id still comes from its content (or its name if unread).

    `n_bytes` overrides len(data) for a file quarantined unread (its listed size).
    """
    return DocumentResult(
        report_id=content_id(data or b"unreadable:" + source_file.encode("utf-8", "surrogateescape")),
        source_file=source_file,
        content_sha256=hashlib.sha256(data).hexdigest(),
        n_bytes=len(data) if n_bytes is None else n_bytes,
        status="quarantined",
        status_reason=reason,
    )


def process_document(
    data: bytes, source_file: str, time_budget: float = DEFAULT_TIME_BUDGET
) -> DocumentResult:
    """Decode, normalize and extract one file; never raises for bad input."""
    try:
        with _time_budget(time_budget):
            decoded = decode_document(data, source_file)
            doc = normalize(decoded.text)
            extraction = extract(doc)
            if decoded.low_confidence_numbers:
                extraction.findings.append(
                    Finding(
                        "ocr_low_confidence",
                        f"{decoded.low_confidence_numbers} OCR box(es) with digits recognized below a score of "
                        f"{MIN_NUMBER_SCORE:g} on pages {','.join(map(str, decoded.ocr_pages))}: "
                        "their numbers were not read",
                        observed=float(decoded.low_confidence_numbers),
                    )
                )
    except Quarantine as exc:
        return quarantined(source_file, str(exc), data)
    except _OverBudget:
        return quarantined(
            source_file,
            f"processing exceeded the per-document time budget of {time_budget:g} s"
            f" (plus {SECONDS_PER_PAGE:g} s per OCR'd page)",
            data,
        )
    except RecursionError:
        return quarantined(source_file, "document structure too deeply nested to parse", data)
    except Exception as exc:  # noqa: BLE001 - a parser bug must cost one document, not the run
        return quarantined(source_file, f"internal extraction error: {type(exc).__name__}: {exc}"[:300], data)
    return DocumentResult(
        report_id=content_id(data),
        source_file=source_file,
        content_sha256=hashlib.sha256(data).hexdigest(),
        n_bytes=len(data),
        status="parsed",
        encoding=decoded.encoding,
        script=doc.script,
        normalized=doc,
        extraction=extraction,
        ocr_pages=decoded.ocr_pages,
    )

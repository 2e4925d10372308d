"""PDF -> report text: the PDF's own text layer (PDFium via pypdfium2), OCR for scanned pages.

Most annual reports are also published as PDFs exported from WPS or Word; their text layer reads
line by line, with the tables as one row per line (`1.属于国家秘密 1 0 0 0 0 0 1`), which the
table parser reads like any other flattening. A page without a usable text layer that holds an
image (a scan) is rendered and OCR'd (`pipeline/ocr.py`), its table rows rebuilt from the boxes'
geometry into the same one-row-per-line shape. At most `ocr.MAX_OCR_PAGES` pages of a document
are OCR'd; a document needing more is quarantined.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline import ocr
from pipeline.normalize import strip_page_numbers


class UnreadablePdf(Exception):
    """Raised with a one-line reason when a PDF yields no report text."""


#: Fewer visible characters per page than this means there is no usable text layer.
_MIN_CHARS_PER_PAGE = 20
#: Scanned pages are rendered at this resolution for OCR (dots per inch).
OCR_DPI = 200


@dataclass(frozen=True, slots=True)
class ReadText:
    """A document's text and, when OCR read some of it, which pages (1-based) and how many numbers it could not."""

    text: str
    ocr_pages: tuple[int, ...] = ()
    low_confidence_numbers: int = 0


def _visible(text: str) -> int:
    return len("".join(text.split()))


def _has_image(page) -> bool:
    import pypdfium2.raw as pdfium_c

    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))


def read_pdf(data: bytes) -> ReadText:
    """Every page's text layer, or its OCR for a scanned page; pages joined by newlines, page-number lines dropped."""
    import pypdfium2  # imported on the first PDF: most runs never need it

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        reason = "is password-protected" if "password" in str(exc).lower() else f"is unreadable: {exc}"
        raise UnreadablePdf(f"PDF document {reason}") from exc
    try:
        pages: list[str] = []
        scans: list[int] = []
        for index in range(len(document)):
            page = document[index]
            try:
                text_page = page.get_textpage()
                try:
                    text = text_page.get_text_range()
                finally:
                    text_page.close()
                if _visible(text) < _MIN_CHARS_PER_PAGE and _has_image(page):
                    scans.append(index)
                pages.append(text)
            finally:
                page.close()
        if len(scans) > ocr.MAX_OCR_PAGES:
            raise UnreadablePdf(
                f"scanned PDF: {len(scans)} pages without a text layer, more than the OCR page budget "
                f"of {ocr.MAX_OCR_PAGES}"
            )
        low = 0
        read: list[int] = []
        for index in scans:
            page = document[index]
            try:
                image = page.render(scale=OCR_DPI / 72).to_pil()
            finally:
                page.close()
            try:
                result = ocr.ocr_image(image)
            except ocr.OcrUnavailable as exc:
                raise UnreadablePdf(f"scanned PDF and {exc}") from exc
            if result.text:
                pages[index] = result.text
                read.append(index + 1)
                low += result.low_confidence_numbers
    finally:
        document.close()
    text = strip_page_numbers("\n".join(pages).replace("\r\n", "\n").replace("\r", "\n"))
    if _visible(text) < _MIN_CHARS_PER_PAGE * max(len(pages), 1):
        if scans:
            reason = f"scanned PDF ({len(pages)} pages): OCR found no text on its {len(scans)} page images"
        else:
            reason = f"PDF without a text layer or page images ({len(pages)} pages): nothing to read"
        raise UnreadablePdf(reason)
    return ReadText(text, tuple(read), low)


def pdf_to_text(data: bytes) -> str:
    """The document's text (see `read_pdf`)."""
    return read_pdf(data).text

"""PDF -> report text, from the PDF's own text layer (PDFium via pypdfium2; no OCR).

Most annual reports are also published as PDFs exported from WPS or Word; their text layer reads
line by line, with the tables as one row per line (`1.属于国家秘密 1 0 0 0 0 0 1`), which the
table parser reads like any other flattening. A scanned PDF has no text layer and is quarantined.
"""

from __future__ import annotations

from pipeline.normalize import strip_page_numbers


class UnreadablePdf(Exception):
    """Raised with a one-line reason when a PDF yields no report text."""


#: Fewer visible characters per page than this means there is no usable text layer.
_MIN_CHARS_PER_PAGE = 20


def pdf_to_text(data: bytes) -> str:
    """The text layer of every page, pages joined by newlines, page-number lines dropped."""
    import pypdfium2  # imported on the first PDF: most runs never need it

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        reason = "is password-protected" if "password" in str(exc).lower() else f"is unreadable: {exc}"
        raise UnreadablePdf(f"PDF document {reason}") from exc
    try:
        pages = []
        for index in range(len(document)):
            page = document[index]
            try:
                text_page = page.get_textpage()
                try:
                    pages.append(text_page.get_text_range())
                finally:
                    text_page.close()
            finally:
                page.close()
    finally:
        document.close()
    text = strip_page_numbers("\n".join(pages).replace("\r\n", "\n").replace("\r", "\n"))
    if len("".join(text.split())) < _MIN_CHARS_PER_PAGE * max(len(pages), 1):
        raise UnreadablePdf(
            f"PDF without a text layer ({len(pages)} pages, a scan?): OCR it or publish the text, then run again"
        )
    return text

"""PDF input: the text layer is read (pypdfium2), page numbers dropped; scanned pages are OCR'd."""

import io
import re
from pathlib import Path

import pytest

from pipeline import ocr
from pipeline.ingest import Quarantine, decode_document
from pipeline.process import process_document

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def text_pdf(pages: list[list[str]]) -> bytes:
    """A minimal PDF whose text layer holds `pages` (lines of text), set in Adobe's predefined STSong-Light."""
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "",  # the page tree, filled in below
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts "
        "[<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> >>] >>",
    ]
    kids = []
    for lines in pages:
        shown = "".join(f"<{line.encode('utf-16-be').hex()}> Tj T* " for line in lines)
        stream = f"BT /F1 12 Tf 14 TL 40 800 Td {shown}ET"
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        objects.append(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {len(objects)} 0 R >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


REPORT = [
    ["某某县人民政府", "2023年政府信息公开工作年度报告", "一、总体情况", "2023年，本机关共收到政府信息公开申请12件。", "- 1 -"],
    ["（二）依申请公开情况", "本年度共收到行政复议申请2件。", "- 2 -"],
]  # fmt: skip


def test_text_layer_of_every_page_is_read_without_page_numbers():
    decoded = decode_document(text_pdf(REPORT), "report.pdf")
    assert decoded.encoding == "pdf" and not decoded.is_html
    lines = [line for line in decoded.text.splitlines() if line]
    assert lines == [line for page in REPORT for line in page if not line.startswith("- ")]


def test_a_text_pdf_yields_facts_with_evidence():
    result = process_document(text_pdf(REPORT), "report.pdf")
    assert result.status == "parsed" and result.extraction.metadata.report_year == 2023
    facts = {f.metric: f for f in result.extraction.facts}
    assert facts["apply.new"].value == 12 and "12件" in facts["apply.new"].evidence


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (text_pdf([[], []]), "PDF without a text layer or page images (2 pages)"),
        (b"%PDF-1.4 binary", "PDF document is unreadable"),
        (
            text_pdf([["今天天气很好，我们去公园散步，然后回家吃饭。"]]),
            "not a government information-disclosure report",
        ),
    ],
    ids=["scan", "broken", "not_a_report"],
)
def test_pdfs_without_report_text_are_quarantined(data, reason):
    with pytest.raises(Quarantine, match=re.escape(reason)):
        decode_document(data, "x.pdf")


def image_pdf(images, dpi=150) -> bytes:
    """An image-only PDF (a scan), one page per PIL image."""
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return out.getvalue()


def blank_pages(n):
    from PIL import Image

    return [Image.new("L", (400, 560), 255) for _ in range(n)]


def test_a_scan_over_the_ocr_page_budget_is_quarantined_unread(monkeypatch):
    monkeypatch.setattr(ocr, "MAX_OCR_PAGES", 2)
    monkeypatch.setattr(ocr, "ocr_image", lambda image: pytest.fail("OCR'd a page over the budget"))
    with pytest.raises(
        Quarantine,
        match=re.escape("scanned PDF: 3 pages without a text layer, more than the OCR page budget of 2"),
    ):
        decode_document(image_pdf(blank_pages(3)), "scan.pdf")


def test_a_scan_of_blank_pages_is_quarantined():
    with pytest.raises(
        Quarantine, match=re.escape("scanned PDF (1 pages): OCR found no text on its 1 page images")
    ):
        decode_document(image_pdf(blank_pages(1)), "scan.pdf")


@pytest.mark.skipif(not (CORPUS / "raw" / "k02.pdf").exists(), reason="corpus not available")
def test_only_the_scanned_page_of_a_mixed_pdf_is_ocrd():
    import pypdfium2

    k02 = pypdfium2.PdfDocument((CORPUS / "raw" / "k02.pdf").read_bytes())
    scan = pypdfium2.PdfDocument(image_pdf([k02[2].render(scale=150 / 72).to_pil().convert("L")]))
    mixed = pypdfium2.PdfDocument(text_pdf(REPORT[:1]))
    mixed.import_pages(scan)
    out = io.BytesIO()
    mixed.save(out)
    result = process_document(out.getvalue(), "mixed.pdf")
    assert result.status == "parsed" and result.ocr_pages == (2,)
    facts = {f.metric: f for f in result.extraction.facts if f.breakdown == "total"}
    assert facts["apply.new"].value == 21 and facts["apply.new"].source == "table"  # the scanned 表三 wins
    assert result.normalized.text.startswith("某某县人民政府\n2023年政府信息公开工作年度报告")
    assert "一、本年新收政府信息公开申请数量 21 0 0 0 0 0 21" in result.normalized.text

"""PDF input: the text layer is read (pypdfium2), page numbers dropped; PDFs without one are quarantined."""

import re

import pytest

from pipeline.ingest import Quarantine, decode_document
from pipeline.process import process_document


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
        (text_pdf([[], []]), "PDF without a text layer (2 pages, a scan?)"),
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

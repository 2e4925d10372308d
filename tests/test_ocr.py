"""OCR of scans and images: layout rebuilt from box geometry, low-confidence numbers withheld, no downloads.

The layout tests use hand-made boxes (no model). The OCR tests read corpus k02 (skipped where
../shared is absent), rendered as a scan: pages rasterized, rotated a little, with noise and blur.
"""

import io
import json
import math
from pathlib import Path

import pytest

from pipeline import ocr
from pipeline.ingest import Quarantine, decode_document
from pipeline.process import process_document

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not (CORPUS / "raw" / "k02.pdf").exists(), reason="corpus not available")


def box(text, x0, y0, x1, y1, score=0.99, angle=0.0):
    """A box rotated by `angle` (radians) about the page origin."""
    c, s = math.cos(angle), math.sin(angle)
    pts = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    return ocr.Box(text, score, tuple((x * c - y * s, x * s + y * c) for x, y in pts))


def row(y, label, values, angle=0.0, h=30):
    boxes = [box(label, 160, y, 500, y + h, angle=angle)]
    boxes += [box(v, 660 + 60 * i, y + 2, 690 + 60 * i, y + h + 2, angle=angle) for i, v in enumerate(values)]
    return boxes


def test_rows_are_rebuilt_from_boxes_even_on_a_skewed_page():
    angle = math.radians(1.5)  # 1.5° over 1,000 px moves a row's right end by 26 px: about a line height
    boxes = row(100, "一、本年新收政府信息公开申请数量", "2100000", angle) + row(
        150, "二、上年结转政府信息公开申请数量", "0000000", angle
    )
    boxes.reverse()  # recognition order does not matter
    assert ocr.layout(boxes).text.splitlines() == [
        "一、本年新收政府信息公开申请数量 2 1 0 0 0 0 0",
        "二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0",
    ]


def test_wrapped_labels_vertical_labels_and_stacked_boxes():
    boxes = [
        box("（二）部分公开（区分处理的，只计这一情形，不", 222, 1145, 642, 1171),
        *[box("4", 667 + 60 * i, 1156, 690 + 60 * i, 1187) for i in range(2)],
        box("计其他情形）", 213, 1173, 324, 1200),
        box("三、本年度办理结果", 174, 1130, 204, 1400),  # one tall box: printed top to bottom
        box("商业", 714, 908, 769, 942),
        box("企业", 715, 933, 768, 970),  # right under 商业, overlapping its line's band: a line of its own
    ]
    lines = ocr.layout(boxes).text.splitlines()
    assert lines == [
        "商业",
        "企业",
        "三、本年度办理结果",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形） 4 4",
    ]


def test_a_number_read_with_low_confidence_is_withheld():
    boxes = row(100, "（一）予以公开", ["5", "0"]) + [box("8", 780, 102, 810, 132, score=0.41)]
    page = ocr.layout(boxes)
    assert page.text == f"（一）予以公开 5 0 {ocr.UNREADABLE}" and page.low_confidence_numbers == 1


def test_images_that_cannot_be_read_are_quarantined_with_their_kind():
    with pytest.raises(Quarantine, match="PNG image that cannot be read"):
        decode_document(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "x.png")


# --- with the models -----------------------------------------------------------------------------------


def scanned(page_images, dpi):
    """Pages as an image-only PDF (what a scanner writes)."""
    out = io.BytesIO()
    page_images[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=page_images[1:])
    return out.getvalue()


def photo(image, seed=0, angle=1.0):
    """A scan or photo of `image`: rotated a little, uneven light, sensor noise, a little blur."""
    import numpy as np
    from PIL import Image, ImageFilter

    rng = np.random.default_rng(seed)
    gray = image.convert("L").rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)
    a = np.asarray(gray, dtype=np.float32)
    light = np.linspace(0.85, 1.0, a.shape[1])[None, :]  # a shadow across the page
    a = a * light + rng.normal(0, 10, a.shape)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.5))


def k02_pages(dpi):
    import pypdfium2

    document = pypdfium2.PdfDocument((CORPUS / "raw" / "k02.pdf").read_bytes())
    return [document[i].render(scale=dpi / 72).to_pil() for i in range(len(document))]


def test_the_engine_uses_the_bundled_models_and_never_downloads(monkeypatch):
    from rapidocr.utils import download_file

    def refuse(*args, **kwargs):
        raise AssertionError("rapidocr tried to download a file")

    monkeypatch.setattr(download_file.DownloadFile, "run", classmethod(refuse))
    monkeypatch.setattr("requests.get", refuse)
    ocr.engine.cache_clear()
    try:
        assert ocr.engine() is ocr.engine()  # built once per process
        from PIL import Image

        assert ocr.recognize(Image.new("RGB", (200, 60), "white")) == []
    finally:
        ocr.engine.cache_clear()


@needs_corpus
def test_a_photo_of_table_three_yields_its_cells():
    from PIL import Image

    pages = k02_pages(150)
    w, h = pages[2].size
    top = pages[2].crop((0, int(0.40 * h), w, h))  # 表三 starts on page 3 (its heading at 41%) ...
    bottom = pages[3].crop((0, 0, w, int(0.36 * h)))  # ... and ends on page 4 (表四's heading at 37%)
    table = Image.new("RGB", (w, top.height + bottom.height), "white")
    table.paste(top, (0, 0))
    table.paste(bottom, (0, top.height))
    out = io.BytesIO()
    photo(table, seed=3, angle=-1.2).save(out, "PNG")
    result = process_document(out.getvalue(), "表三.png")
    assert result.status == "parsed", result.status_reason
    assert result.encoding == "png" and result.ocr_pages == (1,)
    gold = json.loads((CORPUS / "gold" / "k02.json").read_text(encoding="utf-8"))["facts"]
    facts = {f.metric: f.value for f in result.extraction.facts if f.breakdown == "total"}
    apply = {m: v for m, v in gold.items() if m.startswith("apply.")}
    assert {m: facts.get(m) for m in apply} == apply

    def table3(extraction):
        return {(c.row, c.column): c.value for c in extraction.cells if c.table == "table3"}

    text_layer = process_document((CORPUS / "raw" / "k02.pdf").read_bytes(), "k02.pdf")
    assert table3(result.extraction) == table3(text_layer.extraction)  # every cell, as the text layer has it
    assert len(table3(result.extraction)) > 150


@needs_corpus
def test_an_image_only_pdf_of_k02_yields_its_facts_end_to_end(tmp_path):
    import duckdb

    from assets.cli import materialize_all
    from assets.resources import WarehouseResource, XxgkSettings

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "k02-scan.pdf").write_bytes(scanned([photo(p, seed=i) for i, p in enumerate(k02_pages(150))], 150))
    warehouse = tmp_path / "w.duckdb"  # ~60-90 s on 2 busy cores: five pages OCR'd, then the whole run
    result = materialize_all(
        XxgkSettings(raw_dir=str(raw), workers=1), WarehouseResource(path=str(warehouse)), "WARNING"
    )
    assert result.success
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        status, ocr_pages = conn.execute("SELECT status || status_reason, ocr_pages FROM reports").fetchone()
        facts = dict(conn.execute("SELECT metric, value FROM v_facts WHERE breakdown = 'total'").fetchall())
    assert (status, ocr_pages) == ("parsed", "1,2,3,4,5")
    gold = json.loads((CORPUS / "gold" / "k02.json").read_text(encoding="utf-8"))["facts"]
    found = {m: v for m, v in gold.items() if m in facts}
    assert all(facts[m] == v for m, v in found.items()), {m: (facts[m], v) for m, v in found.items()}
    assert len(found) >= 0.95 * len(gold), sorted(set(gold) - set(found))

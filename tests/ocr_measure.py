"""OCR accuracy and speed on scans made from PDFs: `python tests/ocr_measure.py [DPI ...]` (default 150 300).

Each corpus PDF (k02, k03) is rasterized to an image-only PDF as a scanner would write it (each
page rotated by up to ±1°, Gaussian noise, salt specks, exposure change, blur), run through
`process_document` and scored against its gold with `bench.evaluate.score_document`. Prints
per scan the misses and wrong values, seconds per page and characters per second, then P/R/F1
per resolution. Not part of the test suite (it OCRs whole documents: minutes on 2 cores).
"""

import io
import json
import sys
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
DOCS = ("k02", "k03")


def scan(data: bytes, dpi: int, seed: int = 0) -> bytes:
    import numpy as np
    import pypdfium2
    from PIL import Image, ImageFilter

    rng = np.random.default_rng(seed)
    document = pypdfium2.PdfDocument(data)
    images = []
    for index in range(len(document)):
        page = document[index].render(scale=dpi / 72).to_pil().convert("L")
        page = page.rotate(float(rng.uniform(-1.0, 1.0)), resample=Image.BICUBIC, fillcolor=255)
        a = np.asarray(page, dtype=np.float32) + rng.normal(0, 12, (page.height, page.width))
        a = a * rng.uniform(0.9, 1.0) + rng.uniform(0, 15)
        a[rng.random(a.shape) < 0.001] = 0
        images.append(
            Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.6))
        )
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return out.getvalue()


def main(dpis: list[int]) -> None:
    from bench.evaluate import score_document
    from pipeline.process import process_document

    for dpi in dpis:
        tp = fp = fn = 0
        for name in DOCS:
            gold = json.loads((CORPUS / "gold" / f"{name}.json").read_text(encoding="utf-8"))
            data = scan((CORPUS / "raw" / gold["file"]).read_bytes(), dpi)
            started = time.perf_counter()
            result = process_document(data, gold["file"], time_budget=0)
            seconds = time.perf_counter() - started
            score = score_document(result, gold)
            tp += score.tp
            fp += len(score.extras) + len(score.wrong)
            fn += len(score.misses) + len(score.wrong)
            chars = len(result.normalized.text) if result.normalized else 0
            pages = max(len(result.ocr_pages), 1)
            print(f"{name} {dpi} dpi: {result.status} pages={result.ocr_pages} tp={score.tp} "
                  f"miss={score.misses} wrong={score.wrong} extra={score.extras} "
                  f"{seconds / pages:.1f} s/page {chars / seconds:.0f} chars/s")  # fmt: skip
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        print(f"{dpi} dpi: P={p:.3f} R={r:.3f} F1={2 * p * r / (p + r):.3f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [150, 300])

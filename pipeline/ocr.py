"""Images -> report text: offline OCR (rapidocr's bundled PP-OCR models on onnxruntime, CPU, no network).

A scanned page is a picture of a table. Reading order alone shreds it, so the recognized boxes
keep their geometry and the page is rebuilt line by line: the page's skew is taken from the boxes'
own baselines, boxes are grouped into lines by their (deskewed) vertical centre, a box never joins
a line that already holds a box above or below it, and each line is ordered by x with its cells
joined by spaces — the same shape as a PDF text layer (`1.属于国家秘密 1 0 0 0 0 0 1`), which the
table readers already read. A vertical label (one tall box, `三、本年度办理结果`) is a line of its
own.

A box holding digits whose recognition score is below `MIN_NUMBER_SCORE` is read a second time
from its crop with specks filtered out; if still below, its digits are replaced by U+FFFD: normalization flags such runs as mojibake spans and no number is ever read from them;
the caller turns the count into a finding.

The engine (about 1 s and ~150 MB to load) is built once per process, on the first image, from the
model files inside the rapidocr wheel: paths are given explicitly, so rapidocr never looks for
(or downloads) models anywhere else.
"""

from __future__ import annotations

import math
import os
import re
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: A recognized box with digits below this score yields no number (its digits become U+FFFD).
MIN_NUMBER_SCORE = 0.80
#: Pages OCR'd per document at most; a document needing more is quarantined.
MAX_OCR_PAGES = 30
#: Seconds each OCR'd page adds to the document's time budget (a page takes 3-15 s on 2 busy cores).
SECONDS_PER_PAGE = 30.0
#: Images are OCR'd at most this large on their longer side (px); larger ones are scaled down.
MAX_SIDE = 2400

_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(r"[\d.,，。]+")
UNREADABLE = "\ufffd"


class OcrUnavailable(Exception):
    """rapidocr / onnxruntime is not installed (it is a dependency; only a broken install lacks it)."""


@dataclass(frozen=True, slots=True)
class Box:
    text: str
    score: float
    points: tuple[tuple[float, float], ...]  # the quadrilateral, clockwise from top-left

    @property
    def x0(self) -> float:
        return min(p[0] for p in self.points)

    @property
    def x1(self) -> float:
        return max(p[0] for p in self.points)

    @property
    def y0(self) -> float:
        return min(p[1] for p in self.points)

    @property
    def y1(self) -> float:
        return max(p[1] for p in self.points)


@dataclass(frozen=True, slots=True)
class PageText:
    text: str
    low_confidence_numbers: int  # boxes whose digits were replaced by U+FFFD
    n_boxes: int


def _model_dir() -> Path:
    import rapidocr

    return Path(rapidocr.__file__).parent / "models"


@cache
def engine():
    """The process's one OCR engine, built on first use from the wheel's bundled models."""
    try:
        from rapidocr import RapidOCR
    except ImportError as exc:  # pragma: no cover - only a broken install
        raise OcrUnavailable(f"OCR needs rapidocr and onnxruntime: {exc}") from exc
    models = _model_dir()
    threads = int(os.environ.get("XXGK_OCR_THREADS", "-1"))
    params = {
        "Global.log_level": "error",
        "Global.use_cls": False,  # scans are upright; the 180° classifier only costs time
        "Det.model_path": str(models / "PP-OCRv6_det_small.onnx"),
        "Rec.model_path": str(models / "PP-OCRv6_rec_small.onnx"),
        "Cls.model_path": str(models / "ch_ppocr_mobile_v2.0_cls_mobile.onnx"),
        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
    }
    for key in ("Det.model_path", "Rec.model_path"):
        if not Path(params[key]).is_file():  # pragma: no cover - a wheel without its models
            raise OcrUnavailable(f"rapidocr's bundled model is missing: {params[key]}")
    return RapidOCR(params=params)


def recognize(image) -> list[Box]:
    """OCR one image (PIL image or RGB numpy array) into boxes."""
    import numpy as np
    from PIL import Image

    if isinstance(image, Image.Image):
        if max(image.size) > MAX_SIDE:
            image = image.copy()
            image.thumbnail((MAX_SIDE, MAX_SIDE))
        image = np.asarray(image.convert("RGB"))
    out = engine()(image, use_det=True, use_cls=False, use_rec=True)  # explicit: a call's flags persist
    if out.boxes is None or out.txts is None:
        return []
    boxes = [
        Box(text=str(t), score=float(s), points=tuple((float(x), float(y)) for x, y in b))
        for b, t, s in zip(out.boxes, out.txts, out.scores, strict=True)
        if str(t).strip()
    ]
    return [
        _second_look(image, b) if b.score < MIN_NUMBER_SCORE and _DIGIT.search(b.text) else b for b in boxes
    ]


def _second_look(image, box: Box) -> Box:
    """A doubtful number read again from its crop with specks filtered out (a 3x3 median); kept if now sure."""
    import numpy as np
    from PIL import Image, ImageFilter

    pad = 4
    height, width = image.shape[:2]
    x0, y0 = max(int(box.x0) - pad, 0), max(int(box.y0) - pad, 0)
    x1, y1 = min(int(box.x1) + pad, width), min(int(box.y1) + pad, height)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return box
    crop = Image.fromarray(image[y0:y1, x0:x1]).filter(ImageFilter.MedianFilter(3))
    out = engine()(np.asarray(crop), use_det=False, use_cls=False, use_rec=True)
    if not out.txts:
        return box
    text, score = str(out.txts[0]), float(out.scores[0])
    if score >= MIN_NUMBER_SCORE and _DIGIT.search(text):
        return Box(text=text, score=score, points=box.points)
    return box


def _skew(boxes: list[Box]) -> float:
    """The page's rotation (radians): the median slope of the top edges of wide boxes."""
    slopes = []
    for b in boxes:
        (ax, ay), (bx, by) = b.points[0], b.points[1]
        if bx - ax > 3 * (b.y1 - b.y0) and bx > ax:
            slopes.append(math.atan2(by - ay, bx - ax))
    return statistics.median(slopes) if slopes else 0.0


def layout(boxes: list[Box]) -> PageText:
    """Rebuild the page's lines from its boxes (see the module docstring)."""
    if not boxes:
        return PageText("", 0, 0)
    angle = _skew(boxes)
    cos, sin = math.cos(-angle), math.sin(-angle)

    def upright(b: Box) -> tuple[float, float, float, float]:
        xs, ys = zip(*((x * cos - y * sin, x * sin + y * cos) for x, y in b.points), strict=True)
        return min(xs), min(ys), max(xs), max(ys)

    placed = []
    for b in boxes:
        x0, y0, x1, y1 = upright(b)
        placed.append((b, x0, y0, x1, y1))
    h = statistics.median(
        [y1 - y0 for _, x0, y0, x1, y1 in placed if x1 - x0 >= y1 - y0] or [p[4] - p[2] for p in placed]
    )
    tolerance = 0.5 * h
    lines: list[dict] = []  # {"cy", "top", "items": [(x0, x1, box)]}
    for b, x0, y0, x1, y1 in sorted(placed, key=lambda p: (p[2] + p[4]) / 2):
        cy = (y0 + y1) / 2
        if (y1 - y0) > 2.5 * (x1 - x0) and len(b.text) >= 2 and (y1 - y0) > 2 * h:
            lines.append({"cy": y0 + h / 2, "top": y0, "items": [(x0, x1, b)], "vertical": True})
            continue
        target = None
        for line in reversed(lines[-8:]):
            if line.get("vertical") or abs(cy - line["cy"]) > tolerance:
                continue
            if any(min(x1, e) - max(x0, s) > 0.3 * min(x1 - x0, e - s) for s, e, _ in line["items"]):
                continue  # a box of this line is above or below it: the same column, another line
            target = line
            break
        if target is None:
            lines.append({"cy": cy, "top": y0, "items": [(x0, x1, b)]})
        else:
            n = len(target["items"])
            target["cy"] = (target["cy"] * n + cy) / (n + 1)
            target["items"].append((x0, x1, b))
    lines.sort(key=lambda line: line["cy"])
    lines = _join_wrapped_cells(lines, h)
    out, low = [], 0
    for line in lines:
        cells = []
        for _, _, b in sorted(line["items"], key=lambda item: item[0]):
            text = b.text.strip()
            if b.score < MIN_NUMBER_SCORE and _DIGIT.search(text):
                text = _DIGIT.sub(UNREADABLE, text)
                low += 1
            cells.append(text)
        out.append(" ".join(cells))
    return PageText("\n".join(out), low, len(boxes))


def _join_wrapped_cells(lines: list[dict], h: float) -> list[dict]:
    """A table cell wrapped onto a second line (`（二）部分公开（…不` / `计其他情形）`) becomes one cell again.

    A line of one box without digits, right above or below a row of several cells, whose box starts
    where one of that row's text cells starts (within a line height) with less than 0.6 line height
    between them, is joined to that cell.
    """
    for i, line in enumerate(lines):
        if line.get("vertical") or len(line["items"]) != 1 or _DIGIT.search(line["items"][0][2].text):
            continue
        s0, e0, box = line["items"][0]
        for j, below in ((i - 1, False), (i + 1, True)):
            if not 0 <= j < len(lines) or lines[j].get("vertical") or len(lines[j]["items"]) < 2:
                continue
            row = lines[j]["items"]
            for k, (s, e, cell) in enumerate(row):
                gap = (cell.y0 - box.y1) if below else (box.y0 - cell.y1)
                if abs(s - s0) < h and gap < 0.6 * h and not _NUMBER.fullmatch(cell.text.strip()):
                    text = (
                        box.text.strip() + cell.text.strip()
                        if below
                        else cell.text.strip() + box.text.strip()
                    )
                    row[k] = (s, e, Box(text, min(cell.score, box.score), cell.points))
                    line["items"] = []
                    break
            if not line["items"]:
                break
    return [line for line in lines if line["items"]]


def ocr_image(image) -> PageText:
    """OCR one page; first grants it `SECONDS_PER_PAGE` more of the document's running time budget."""
    extend_time_budget(SECONDS_PER_PAGE)
    return layout(recognize(image))


def extend_time_budget(seconds: float) -> None:
    """Push back the running per-document deadline (pipeline.process's ITIMER_REAL), if there is one."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    remaining, _ = signal.getitimer(signal.ITIMER_REAL)
    if remaining > 0:
        signal.setitimer(signal.ITIMER_REAL, remaining + seconds)


#: Magic bytes of the image files that are OCR'd.
IMAGE_MAGIC = (
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)


def image_kind(data: bytes) -> str | None:
    return next((kind for magic, kind in IMAGE_MAGIC if data.startswith(magic)), None)


def image_frames(data: bytes) -> tuple[int, Iterator]:
    """(number of pages, the pages as RGB PIL images) of an image file; raises ValueError if unreadable."""
    import io

    from PIL import Image, ImageSequence, UnidentifiedImageError

    errors = (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError)
    try:
        image = Image.open(io.BytesIO(data))
        n = getattr(image, "n_frames", 1)
        image.load()
    except errors as exc:
        raise ValueError(str(exc) or type(exc).__name__) from exc

    def frames():
        try:
            for frame in ImageSequence.Iterator(image):
                yield frame.convert("RGB")
        except errors as exc:
            raise ValueError(str(exc) or type(exc).__name__) from exc

    return n, frames()

"""Bytes -> text: reject what is not a report, detect the encoding, read HTML, PDF text layers and scans (OCR)."""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from functools import cache

from pipeline import ocr
from pipeline.html import html_to_text, sniff_html_charset
from pipeline.pdf import UnreadablePdf, read_pdf

#: Default cap on one document's size; larger files are quarantined unread.
MAX_BYTES = 20 * 1024 * 1024


class Quarantine(Exception):
    """Raised with a one-line reason when a file cannot become a report text."""


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: str
    is_html: bool
    ocr_pages: tuple[int, ...] = ()  # 1-based pages whose text is OCR output
    low_confidence_numbers: int = 0  # OCR boxes whose digits were unreadable (replaced by U+FFFD)


def content_id(data: bytes) -> str:
    """Stable report_id: the first 16 hex digits of the content's SHA-256."""
    return hashlib.sha256(data).hexdigest()[:16]


_MAGIC = (
    (b"GIF8", "GIF image, not a text report"),
    (b"PK\x03\x04", "ZIP archive or Office document (docx/xlsx), not a text report"),
    (b"\xd0\xcf\x11\xe0", "legacy Office document (doc/xls), not a text report"),
    (b"\x1f\x8b", "gzip archive, not a text report"),
    (b"Rar!", "RAR archive, not a text report"),
    (b"7z\xbc\xaf", "7z archive, not a text report"),
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HTML_SNIFF = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|meta|table|div|p|span)\b", re.IGNORECASE)


@cache
def _common_hanzi() -> frozenset[str]:
    """GB2312 level-1 (3,755) and Big5 level-1 (5,401) characters: the ones real text is made of."""
    chars = set()
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            chars.update(bytes((hi, lo)).decode("gb2312", "ignore"))
    for hi in range(0xA4, 0xC7):
        for lo in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            chars.update(bytes((hi, lo)).decode("big5", "ignore"))
    return frozenset(chars)


def _common_share(text: str) -> float:
    hanzi = [
        c for c in text if "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" or "\ue000" <= c <= "\uf8ff"
    ]
    if not hanzi:
        return 0.0
    common = _common_hanzi()
    return sum(1 for c in hanzi if c in common) / len(hanzi)


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: NULs in every other byte of a text made of BMP characters."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def detect_encoding(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return (text, encoding). Strict cascade; GB18030 vs Big5 decided by the common-character share.

    Big5 bytes decode as GB18030 without error (as garbage), so a successful decode proves
    nothing: each candidate is scored by how much of it is everyday hanzi.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(name), name.replace("-le", "").replace("-be", "")
            except UnicodeDecodeError as exc:
                raise Quarantine(f"undecodable {name} text after its byte-order mark ({exc.reason})") from exc
    utf16 = _looks_utf16(data)
    if utf16:
        try:
            return data.decode(utf16), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        # A file cut mid-character at its very end is still UTF-8.
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return data[: exc.start].decode("utf-8"), "utf-8"
    candidates = []
    # UTF-16 without a BOM and without ASCII (no NUL bytes to spot) is scored like the rest.
    names = (
        ("gb18030", "big5hkscs", "utf-16-le", "utf-16-be") if len(data) % 2 == 0 else ("gb18030", "big5hkscs")
    )
    for name in names:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        bonus = 0.02 if declared and _codec_family(declared) == name else 0.0
        candidates.append((_common_share(text) + bonus, name, text))
    if not candidates:
        raise Quarantine("undecodable text: not valid UTF-8, UTF-16, GB18030 or Big5")
    score, name, text = max(candidates)
    if score < 0.5:
        raise Quarantine(
            f"undecodable text: best guess {name} yields mostly rare characters (binary or unknown encoding)"
        )
    return text, {"big5hkscs": "big5", "utf-16-le": "utf-16", "utf-16-be": "utf-16"}.get(name, name)


def _codec_family(declared: str) -> str:
    d = declared.lower().replace("_", "-")
    if d in {"gbk", "gb2312", "gb18030", "x-gbk", "cp936", "euc-cn"}:
        return "gb18030"
    if d in {"big5", "big5-hkscs", "cp950", "x-x-big5"}:
        return "big5hkscs"
    return d


_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f\ue000-\uf8ff]")


def _control_share(text: str) -> float:
    """Share of control and private-use characters: high for binary data decoded as text."""
    sample = text[:20000]
    return len(_CONTROL.findall(sample)) / len(sample) if sample else 0.0


_REPORT_WORDS = re.compile(r"信息公开|資訊公開|信息公開|政务公开|政務公開|依申请|依申請|主动公开|主動公開")


def _decode_text(data: bytes, name: str) -> tuple[str, str, bool]:
    """A text or HTML file's bytes -> (visible text, encoding, is_html)."""
    head = data[:2048]
    is_html = name.lower().endswith((".html", ".htm", ".shtml", ".xhtml")) or bool(_HTML_SNIFF.search(head))
    declared = sniff_html_charset(data[:4096]) if is_html else None
    text, encoding = detect_encoding(data, declared)
    if _control_share(text) > 0.05:
        raise Quarantine(
            f"binary content: {_control_share(text):.0%} control characters after decoding as {encoding}"
        )
    return (html_to_text(text) if is_html else text), encoding, is_html


def decode_document(data: bytes, name: str = "") -> DecodedText:
    """Turn one file's bytes into report text, or raise Quarantine with the reason."""
    if not data.strip():
        raise Quarantine("empty file" if not data else "whitespace-only file")
    for magic, reason in _MAGIC:
        if data.startswith(magic):
            raise Quarantine(reason)
    ocr_pages: tuple[int, ...] = ()
    low = 0
    kind = ocr.image_kind(data)
    if data.startswith(b"%PDF"):
        try:
            read = read_pdf(data)
        except UnreadablePdf as exc:
            raise Quarantine(str(exc)) from exc
        text, encoding, is_html = read.text, "pdf", False
        ocr_pages, low = read.ocr_pages, read.low_confidence_numbers
    elif kind is not None:
        text, ocr_pages, low = _ocr_image_file(data, kind)
        encoding, is_html = kind.lower(), False
    else:
        text, encoding, is_html = _decode_text(data, name)
    if not text.strip():
        raise Quarantine("no visible text")
    if not _REPORT_WORDS.search(text):
        raise Quarantine("not a government information-disclosure report (no 信息公开 / 政务公开 wording)")
    return DecodedText(
        text=text, encoding=encoding, is_html=is_html, ocr_pages=ocr_pages, low_confidence_numbers=low
    )


def _ocr_image_file(data: bytes, kind: str) -> tuple[str, tuple[int, ...], int]:
    """A PNG / JPEG / TIFF (a photo or scan of the report) -> (OCR text, its pages, unreadable numbers)."""
    try:
        n, frames = ocr.image_frames(data)
    except ValueError as exc:
        raise Quarantine(f"{kind} image that cannot be read: {exc}"[:300]) from exc
    if n > ocr.MAX_OCR_PAGES:
        raise Quarantine(f"{kind} image of {n} pages, more than the OCR page budget of {ocr.MAX_OCR_PAGES}")
    texts, pages, low = [], [], 0
    try:
        for number, frame in enumerate(frames, 1):
            page = ocr.ocr_image(frame)
            texts.append(page.text)
            low += page.low_confidence_numbers
            if page.text:
                pages.append(number)
    except ValueError as exc:
        raise Quarantine(f"{kind} image that cannot be read: {exc}"[:300]) from exc
    except ocr.OcrUnavailable as exc:
        raise Quarantine(f"{kind} image and {exc}") from exc
    if not pages:
        raise Quarantine(f"{kind} image in which OCR found no text")
    return "\n".join(texts), tuple(pages), low

"""Decoding and quarantine: re-encoded seeds give the UTF-8 original's normalized text; bad input never crashes."""

import html

import pytest
from conftest import seed_paths

from pipeline.html import html_to_text
from pipeline.ingest import Quarantine, decode_document, detect_encoding
from pipeline.normalize import normalize, to_simplified
from pipeline.process import process_document

SEEDS = seed_paths()


def _normalized(data: bytes, name: str) -> str:
    return normalize(decode_document(data, name).text).text


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-16-le", "utf-8-sig"])
def test_reencoded_seed_gives_same_normalized_text(seed, encoding):
    original = seed.read_bytes()
    text = original.decode("utf-8", errors="ignore")
    assert _normalized(text.encode(encoding), seed.name) == _normalized(original, seed.name)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_big5_gateway_copy_is_detected_as_big5(seed):
    """A Big5 gateway serves traditional text; GB18030 would decode the bytes too, as garbage."""
    traditional = seed.read_bytes().decode("utf-8", errors="ignore")
    from opencc_pyo3 import OpenCC

    traditional = OpenCC("s2t").convert(traditional)
    data = traditional.encode("big5hkscs", errors="ignore")
    data.decode("gb18030")  # the trap: this succeeds silently
    text, encoding = detect_encoding(data)
    assert encoding == "big5"
    assert to_simplified(text) == to_simplified(data.decode("big5hkscs"))


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_html_page_with_declared_charset_gives_same_text(seed):
    text = seed.read_bytes().decode("utf-8", errors="ignore")
    body = "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n"))
    page = f"<html><head><meta charset=gbk><title>t</title><script>var x = '信息公开';</script></head><body><div class=nav>首页</div>{body}</body></html>"
    assert _normalized(page.encode("gb18030"), "r.html") == _normalized(seed.read_bytes(), seed.name)


def test_html_table_rows_become_pipe_rows():
    page = "<table><tr><td>规章</td><td>0</td><td>&nbsp;</td><td>1<span>2</span></td></tr></table>"
    assert html_to_text(page) == "规章 | 0 |  | 12 |"


def test_lying_charset_declaration_is_overruled_by_valid_utf8():
    page = '<html><head><meta charset="gbk"></head><body><p>政府信息公开工作年度报告</p></body></html>'
    decoded = decode_document(page.encode("utf-8"), "lie.html")
    assert decoded.encoding == "utf-8" and decoded.text == "政府信息公开工作年度报告"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\t \r\n", "whitespace-only file"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
        (bytes(range(256)) * 40, "undecodable"),
        ("今天天气很好，我们去公园散步。".encode(), "not a government information-disclosure report"),
        ("政府信息公开".encode()[:-1] + b"\xff\xfe\xfd" * 50, "undecodable"),
    ],
)
def test_bad_input_is_quarantined_with_a_reason(data, reason):
    with pytest.raises(Quarantine, match=reason):
        decode_document(data, "bad.txt")
    result = process_document(data, "bad.txt")
    assert result.status == "quarantined" and reason in result.status_reason


def test_nul_bytes_and_truncated_utf8_still_parse():
    text = "政府信息公开工作年度报告\x00\n共收到申请5件".encode() + "。".encode()[:2]
    result = process_document(text, "nul.txt")
    assert result.status == "parsed"
    assert "\x00" not in result.normalized.text

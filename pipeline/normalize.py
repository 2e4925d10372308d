"""Text normalization: each step is a small pure function over a string.

Order matters: chrome lines go first (they are whole lines), then width folding (so
pinyin parentheses are ASCII), pinyin stripping, script conversion, label spacing, and
finally mojibake detection on the text every later offset refers to.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from pipeline.records import NormalizedDoc

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Ext A, Unified Ideographs, Compatibility Ideographs

# --- page chrome --------------------------------------------------------------------------

#: Whole lines that are web-page furniture, never report content.
_CHROME_LINE = re.compile(
    r"^[ \t]*(?:"
    r"字号[ \t]*[:：]?[ \t]*[【\[]?[ \t]*大[ \t]*[】\]]?[ \t]*[【\[]?[ \t]*中[ \t]*[】\]]?[ \t]*[【\[]?[ \t]*小[ \t]*[】\]]?.*"
    r"|扫一扫在手机(?:上)?打开当前页.*"
    r"|(?:[【\[]?[ \t]*(?:打印本页|关闭窗口|打印|关闭|返回顶部|收藏|分享到)[ \t]*[】\]]?[ \t]*)+"
    r"|(?:上一篇|下一篇)[ \t]*[:：].*"
    r")[ \t]*$",
)

#: Gambling / porn SEO words that hijacked mirrors put in title lines.
_SPAM_WORDS = re.compile(
    r"威廉希尔|博彩|彩票|娱乐城|真人娱乐|百家乐|葡京|太阳城|棋牌|赌场|老虎机|体育投注|色情|成人影院|av|AV"
)


#: Words every dropped line holds (one of them): a text without any keeps all its lines.
_CHROME_WORDS = re.compile(
    r"字号|扫一扫在手机|打印|关闭|返回顶部|收藏|分享到|上一篇|下一篇|" + _SPAM_WORDS.pattern
)


def strip_chrome(text: str) -> str:
    """Drop page-furniture lines and short spam title lines; keep the 索引号/发布机构 header."""
    if _CHROME_WORDS.search(text) is None:
        return text
    kept = []
    for line in text.split("\n"):
        if _CHROME_LINE.match(line) or (
            len(line) < 60 and _SPAM_WORDS.search(line) and "信息公开" not in line
        ):
            continue
        kept.append(line)
    return "\n".join(kept)


#: Page footers and headers that are only a page number: `- 3 -`, `— 3 —`, `第3页`, `3/5` (PDF text
#: layers and texts copied from them; inside a table such a line would read as a row of values).
PAGE_NUMBER_LINE = re.compile(
    r"^[ \t]*(?:[-—–－][ \t]*\d{1,4}[ \t]*[-—–－]|第[ \t]*\d{1,4}[ \t]*页(?:[ \t]*共[ \t]*\d{1,4}[ \t]*页)?|\d{1,4}[ \t]*/[ \t]*\d{1,4})[ \t]*$\n?",
    re.MULTILINE,
)


def strip_page_numbers(text: str) -> str:
    return PAGE_NUMBER_LINE.sub("", text)


# --- width and number punctuation ----------------------------------------------------------

#: Replaced before NFKC (str.replace per pair is far faster than str.translate with a dict).
_PRE_NFKC = (
    ("\u2105", "%"),  # ℅ care-of sign, used for % in seed 002 (NFKC would give "c/o")
    ("\u3000", " "),  # ideographic space
    ("\u00a0", " "),  # no-break space
    ("\u2212", "-"),  # minus sign
)
_DASH = re.compile(r"[\u2010-\u2015\u2e3a\u2e3b\u301c~]")
_DASH_BETWEEN_DIGITS = re.compile(
    r"(\d)\s*[\u2010-\u2015\u2e3a\u2e3b\u301c~]+\s*(?=\d)"
)  # 1—11月, 0527—83593
#: Whitespace runs that folding changes: a lone space stays as it is, so it is never matched.
_SPACE_RUN = re.compile(r"[\t\r\f\v][ \t\r\f\v]*| [ \t\r\f\v]+")


_COMBINING_MARK = re.compile("[\u0300-\u036f]")
_COMMON_FULL_WIDTH = "，（）：；！？％"


@dataclass(frozen=True, slots=True)
class _Nfkc:
    runs: re.Pattern[str]  # runs of characters NFKC would change, plus letters carrying combining marks
    changed_runs: re.Pattern[str]  # the same without the combining-mark alternative
    not_ascii: re.Pattern[str]  # a changed character whose NFKC form is not plain ASCII
    ascii_form: dict[str, str]  # changed character -> its NFKC form, where that is plain ASCII
    rare: re.Pattern[str]  # a combining mark or a changed character other than _COMMON_FULL_WIDTH


@cache
def _nfkc() -> _Nfkc:
    """What NFKC changes, per character (built once).

    Normalizing only the runs of changed characters gives NFKC's result at a fraction of the cost
    on Chinese text, where nearly every character is already in normal form.
    """
    changed = {}
    for c in map(chr, range(0x80, 0x10000)):
        if not 0xD800 <= ord(c) <= 0xDFFF:
            folded = unicodedata.normalize("NFKC", c)
            if folded != c:
                changed[c] = folded
    cls = "".join(map(re.escape, changed))
    other = "".join(re.escape(c) for c, f in changed.items() if not f.isascii())
    assert all(changed[c].isascii() for c in _COMMON_FULL_WIDTH)
    rare = "".join(re.escape(c) for c in changed if c not in _COMMON_FULL_WIDTH)
    return _Nfkc(
        runs=re.compile(f"[{cls}]+|.[\u0300-\u036f]+"),
        changed_runs=re.compile(f"[{cls}]+"),
        not_ascii=re.compile(f"[{other}]"),
        ascii_form={c: f for c, f in changed.items() if f.isascii()},
        rare=re.compile(f"[\u0300-\u036f{rare}]"),
    )


def _nfkc_match(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", match.group())


def _nfkc_changed(text: str) -> str:
    """NFKC of each run of characters it changes (the rest of the text is already normal).

    Common case: no combining marks and only characters whose NFKC form is plain ASCII (full-width
    punctuation and digits). Such forms never combine with a neighbour, so a run's NFKC is the
    concatenation of its characters' forms: one `str.replace` per distinct character does it.
    """
    nfkc = _nfkc()
    if nfkc.rare.search(text) is None:  # only the usual ones (one scan answers the three questions)
        for c in _COMMON_FULL_WIDTH:
            if c in text:
                text = text.replace(c, nfkc.ascii_form[c])
        return text
    if _COMBINING_MARK.search(text) is None and nfkc.not_ascii.search(text) is None:
        for c in _COMMON_FULL_WIDTH:  # the usual ones first: a membership test is nearly free
            if c in text:
                text = text.replace(c, nfkc.ascii_form[c])
        if nfkc.changed_runs.search(text) is not None:
            for c in set("".join(nfkc.changed_runs.findall(text))):
                text = text.replace(c, nfkc.ascii_form[c])
        return text
    return nfkc.runs.sub(_nfkc_match, text)


def fold_width(text: str) -> str:
    """NFKC (full-width digits, letters, parentheses, ％) plus the dashes and spaces numbers need."""
    for char, replacement in _PRE_NFKC:
        if char in text:
            text = text.replace(char, replacement)
    if not unicodedata.is_normalized("NFKC", text):
        text = _nfkc_changed(text)
    if _DASH.search(text) is not None:
        text = _DASH_BETWEEN_DIGITS.sub(r"\1-", text)
    if any(map(text.__contains__, ("\t", "\r", "\f", "\v", "  "))):  # where _SPACE_RUN can match
        text = _SPACE_RUN.sub(" ", text)
    return text


# --- pinyin annotations ------------------------------------------------------------------------

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_SYLLABLE = re.compile(
    rf"(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?[aeiouv{_TONED}][aeiouv{_TONED}]*(?:ng|n|r)?",
)
#: `(syllable)` groups right after a CJK character (the literal '(' first lets a search skip ahead).
_PINYIN_GROUP = re.compile(rf"\((?<=[{CJK}]\()[a-z{_TONED}]{{1,6}}\)(?:\([a-z{_TONED}]{{1,6}}\))*")


def _strip_pinyin_group(match: re.Match[str]) -> str:
    syllables = re.findall(rf"\(([a-z{_TONED}]{{1,6}})\)", match.group(0))
    return "" if all(_SYLLABLE.fullmatch(s) for s in syllables) else match.group(0)


def strip_pinyin(text: str) -> str:
    """Remove `網(wǎng)`, `文(wen)`, `公(gong)(gong)`: pinyin right after a CJK character only."""
    return _PINYIN_GROUP.sub(_strip_pinyin_group, text)


# --- script --------------------------------------------------------------------------------------


@cache
def _converter() -> Callable[[str], str]:
    """Traditional->simplified: the fast Rust build when installed, else the card's pure-Python OpenCC."""
    try:
        # Its Rust thread pool splits long texts across cores; with one worker process per core
        # the threads only contend (measured: 1,000 synthetic reports took 19% longer on one worker
        # and 28% longer on two). Set before the pool starts, i.e. before the first conversion.
        os.environ.setdefault("RAYON_NUM_THREADS", "1")
        import opencc_pyo3

        return opencc_pyo3.OpenCC("t2s").convert
    except ImportError:  # pragma: no cover - exercised only where opencc-pyo3 is absent
        import opencc

        return opencc.OpenCC("t2s").convert


@cache
def _traditional_only() -> frozenset[str]:
    """Characters that exist only in traditional writing (t2s changes them)."""
    convert = _converter()
    chars = [chr(c) for c in range(0x4E00, 0xA000)]
    converted = convert("".join(chars))
    if len(converted) != len(chars):  # multi-char mappings shift positions; fall back per char
        return frozenset(c for c in chars if convert(c) != c)
    return frozenset(c for c, s in zip(chars, converted, strict=True) if c != s)


_CJK_RUN = re.compile(f"[{CJK}]+")


@cache
def _traditional_pattern() -> re.Pattern[str]:
    return re.compile("[" + "".join(sorted(_traditional_only())) + "]")


def detect_script(text: str) -> str:
    """'traditional' when a clear share of CJK characters are traditional-only forms."""
    sample = text[:20000]
    n_trad = len(_traditional_pattern().findall(sample))  # traditional-only characters are all CJK
    if n_trad < 3:
        return "simplified"
    if n_trad >= 0.06 * len(sample):  # its share of the CJK characters is larger still
        return "traditional"
    n_cjk = sum(map(len, _CJK_RUN.findall(sample)))
    return "traditional" if n_trad / n_cjk >= 0.05 else "simplified"


#: Taiwan/Big5-gateway wordings that OpenCC's t2s keeps but the report labels never use.
_REGIONAL_WORDS = (("资讯", "信息"), ("程式", "程序"), ("网路", "网络"))


def to_simplified(text: str) -> str:
    text = _converter()(text)
    for variant, standard in _REGIONAL_WORDS:
        text = text.replace(variant, standard)
    return text


# --- label spacing ---------------------------------------------------------------------------------

_SPACE_BETWEEN_CJK = re.compile(rf" (?<=[{CJK}] ) *(?=[{CJK}])")  # the literal space first: fast to find
_TRAILING_SPACE = re.compile(r" +$", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{3,}")


def collapse_label_spaces(text: str) -> str:
    """`結果 維持` -> `結果維持`, `年 度 报 告` -> `年度报告`; trims line ends and blank runs."""
    text = _SPACE_BETWEEN_CJK.sub("", text)
    if " \n" in text or text.endswith(" "):  # where ` +$` can match
        text = _TRAILING_SPACE.sub("", text)
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip("\n ")


# --- mojibake ----------------------------------------------------------------------------------------

#: A '?' (or U+FFFD) glued to CJK text on its left, followed by a run that is not ordinary prose.
#: (The literal '?' comes first, its left neighbour checked after it, so a search can skip ahead.)
_MOJIBAKE = re.compile(rf"(?:\?(?<=[{CJK}“”‘’\"]\?)\?*[;!]?|\ufffd\ufffd*)[^\s，。；：,;:\n|]{{0,12}}")


def find_mojibake(text: str) -> tuple[tuple[int, int], ...]:
    """Spans of unrepairable garbling (`“六?!闭撸瑑灮癄I商`, `管理??紤]到`, U+FFFD runs)."""
    return tuple((m.start(), m.end()) for m in _MOJIBAKE.finditer(text))


# --- the whole chain -------------------------------------------------------------------------------

_STEPS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("strip_chrome", strip_chrome),
    ("strip_page_numbers", strip_page_numbers),
    ("fold_width", fold_width),
    ("strip_pinyin", strip_pinyin),
)


def normalize(text: str) -> NormalizedDoc:
    """Run every step; record which ones changed the text (an ftfy-style explanation)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    applied = []
    for name, step in _STEPS:
        changed = step(text)
        if changed != text:
            applied.append(name)
        text = changed
    script = detect_script(text)
    if script == "traditional":
        text = to_simplified(text)
        applied.append("to_simplified")
    spaced = collapse_label_spaces(text)
    if spaced != text:
        applied.append("collapse_label_spaces")
    spans = find_mojibake(spaced)
    if spans:
        applied.append("find_mojibake")
    return NormalizedDoc(text=spaced, script=script, mojibake_spans=spans, steps=tuple(applied))

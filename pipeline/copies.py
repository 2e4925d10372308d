"""Fingerprints a copied report shares with its original: of its text, and of its numbers.

A body that copies last year's report changes the year and a few numbers: the fingerprint drops
every digit, Chinese numeral, 年/月/日 and all whitespace before hashing, so such a copy gets the same
fingerprint (v_year_over_year.same_text). Computed once per document while parsing, because hashing
the whole corpus's text in SQL on every export would cost a minute at 100k reports.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

_IGNORED = re.compile(r"[0-9〇零一二三四五六七八九十百千万年月日\s]+")


def text_fingerprint(text: str) -> str:
    """First 16 hex digits of the SHA-256 of `text` without digits, numerals, dates and whitespace."""
    return hashlib.sha256(_IGNORED.sub("", text).encode("utf-8")).hexdigest()[:16]


#: Fewer facts than this, or only zeros, say too little to call two reports copies of each other.
MIN_FACTS = 5


def numbers_fingerprint(facts: Iterable) -> str | None:
    """Hash of a report's sorted (metric, breakdown, value) facts; None when fewer than MIN_FACTS or all zero."""
    items = sorted((f.metric, f.breakdown, f.value) for f in facts)
    if len(items) < MIN_FACTS or not any(value for _, _, value in items):
        return None
    return hashlib.sha256(repr(items).encode("utf-8")).hexdigest()[:16]

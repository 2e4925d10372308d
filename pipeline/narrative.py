"""Facts from narrative prose: one number-anchored pass, each number classified by the words around it.

The scanner walks the normalized text once with a single token pattern (sentence and clause
delimiters, negations, quantities). For every count or money quantity it takes the clause text
before the number (the *label*: back to the previous delimiter or the previous quantity,
parenthetical asides removed), finds the label's keyword *features* with one more precompiled
pattern, and maps them to a metric. A sentence keeps a *topic* (the last metric family it spoke
about), so `行政复议8件,维持4件` reads 维持 as review.upheld and `其中,市本级14件` as a level split.
When the label says nothing, the words right after the number are tried (`3件驳回诉求`).

The wordings are data (data/narrative_rules.json, each rule with the real sentences it was made
for; tests/cases/narrative_cases.json holds every batch-2 wording and look-alike as a case): the
feature lexicon; the *zero rules* that say which items a zero statement sets (a negation such as
`没有因政府信息公开申请行政复议、提起行政诉讼的情况`, or `…依申请办理事项为零`: only the items the
statement names, so `未收到法人或其他组织的申请` is not apply.new = 0); the extra unit words a
metric family is counted in (`行政复议0次`); *implied-all* clauses that give the count just stated
to one item (`…315件,均通过政务网渠道提交`, `行政复议1件,结果维持`); and the sum words that close
a list of published counts (`总计2401条`). The era is the one extraction decided (`era`); which lines
are prose, headings, table rows or page chrome is the segmentation's (pipeline.sections): the scan
passes over table rows and chrome, and joins only prose lines that a hard wrap broke.

Precision over recall: a number becomes a fact only when its own clause (or the sentence's topic)
ties it to a metric; table rows, page chrome, mojibake, dates, percentages, phone numbers and
document numbers never do. Per (metric, breakdown) the strongest reading wins, the first on ties.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, repeat
from pathlib import Path

from pipeline.numbers import (
    CN_NUMERAL_CHARS,
    COUNT_UNITS,
    MONEY_UNITS,
    QUANTITY_FIRST,
    QUANTITY_PATTERN,
    QUANTITY_UNITS,
    Quantity,
    find_quantities,
    first_chars,
    quantity_from_match,
)
from pipeline.records import Fact, NormalizedDoc
from pipeline.sections import PROSE, Segmentation

# --- rules ---------------------------------------------------------------------------------------------
#
# The wordings live in data/narrative_rules.json, each rule with the real sentences it was made for
# (tests/cases/narrative_cases.json runs those sentences and the look-alikes that must stay out).
#
# features: one alternation, one named group per feature; order matters where phrases overlap (the
# regex engine takes the first alternative that matches at the leftmost position). Phrases whose inner
# words must not count on their own consume them (`建议通过咨询、信访…其他途径` hides 咨询/信访);
# spanning detectors (`主动…公开…信息`) consume only their first word via a lookahead, so the words
# inside stay visible to the other features.

RULES_PATH = Path(__file__).with_name("data") / "narrative_rules.json"
_RULES = json.loads(RULES_PATH.read_text(encoding="utf-8"))
_FEATURES = tuple((f["name"], f["pattern"]) for f in _RULES["features"])


def _literal_chars(rx: str) -> frozenset[str]:
    return frozenset(c for c in rx if c.isalnum() and c.isascii() or c >= "\u3400")


#: Every alternative above starts with a literal character of its own text (`first_chars` knows
#: which), so a match can only start at one of those characters, and only the alternatives that can
#: start with it can match there. Scanning a label tries, at each such character, just those
#: alternatives (in the same order, so the same one wins with the same end as the whole alternation).
_FEATURE_CHARS = [(name, rx, first_chars(rx) or _literal_chars(rx)) for name, rx in _FEATURES]
_FEATURE_FIRST = frozenset().union(*(chars for _, _, chars in _FEATURE_CHARS))
_FEATURE_NAMED: dict[str, re.Pattern[str]] = {}


def _feature_pattern(first: str) -> re.Pattern[str]:
    pattern = _FEATURE_NAMED.get(first)
    if pattern is None:
        pattern = re.compile("|".join(f"(?P<{n}>{rx})" for n, rx, chars in _FEATURE_CHARS if first in chars))
        _FEATURE_NAMED[first] = pattern
    return pattern


_READ = _RULES["readings"]
_OUTCOME_METRIC: dict[str, str] = _READ["outcomes"]
_OUTCOMES = tuple(_OUTCOME_METRIC)
#: Sub-reason feature -> (group outcome feature, metric). Denial reasons need a denial context.
_REASONS = {name: tuple(group_metric) for name, group_metric in _READ["reasons"].items()}
_REASON_GROUPS = frozenset(group for group, _ in _REASONS.values())
_RESULT_KEY: dict[str, str] = _READ["results"]
_RESULTS = tuple(_RESULT_KEY)
#: Features whose count is one metric whatever else the label says (结转下年度, 按时办结).
_DIRECT: dict[str, str] = _READ["direct"]
_APPLY_CHANNELS: dict[str, str] = _READ["apply_channels"]
_PROACTIVE_CHANNELS: dict[str, str] = _READ["proactive_channels"]
#: Channels that make a proactive count a split even when it says 主动公开 (the website is where
#: whole totals are usually published: 在政府网站主动公开各类政府信息4419条).
_PROACTIVE_SPLIT_CHANNELS = {
    k: v for k, v in _PROACTIVE_CHANNELS.items() if k not in _READ["whole_total_channels"]
}
_LEVELS: dict[str, str] = _READ["levels"]
#: Topic -> the total a bare level or channel clause (`其中,市本级14件`) splits.
_TOPIC_TOTAL: dict[str, str] = _READ["topic_totals"]
#: Features that make a clause more than a bare level/channel split.
_SPLIT_OK = (
    frozenset(_LEVELS) | frozenset(_PROACTIVE_CHANNELS) | {"lv_multi", "disclosed", "generic_party", "verb"}
)
#: Features a number-first clause (`3件驳回诉求`) may not use: totals need their label before the number.
_NOT_AFTER = frozenset(_LEVELS) | frozenset(_PROACTIVE_CHANNELS) | {"proactive", "disclosed", "lv_multi"}

# --- scanning ---------------------------------------------------------------------------------------------

_ZERO = _RULES["zero"]
#: A negation word before what it negates (`未收到`, `没有因`); `不` only before a fee (`不收取`).
_NEG_ALTERNATIVES = [f"{w}(?={'|'.join(_ZERO['after_negation'])})" for w in _ZERO["negations"]]
_NEG_ALTERNATIVES.append(f"不(?={'|'.join(_ZERO['not_before_fee'])})")
_NEG_PATTERN = f"(?P<neg>{'|'.join(_NEG_ALTERNATIVES)})"
#: `…依申请办理事项为零`, `…为0`: a zero stated without a unit (not 为零件, 为0.5, 为0%). The token is
#: the numeral itself, its lead-in (为) a lookbehind: numerals already start tokens, 为 (common) need not.
_IS_ZERO = (
    "(?:"
    + "|".join(
        f"(?<={re.escape(w[:-1])}){re.escape(w[-1])}" if len(w) > 1 else re.escape(w)
        for w in _ZERO["is_zero"]
    )
    + ")(?![\\d.件条宗例起元%‰])"
)
_DELIMS = "。;；!！?？,，:：()（）|\n"
#: The first character of every token (delimiter, negation, zero word, quantity): a lookahead on it
#: lets the search skip ordinary text without trying the alternatives at each position.
_NEG_FIRST = "".join(sorted({w[0] for w in [*_ZERO["negations"], "不"]} | {w[-1] for w in _ZERO["is_zero"]}))
_TOKEN_FIRST = _DELIMS + _NEG_FIRST + QUANTITY_FIRST
_TOKEN = re.compile(
    f"(?=[{_TOKEN_FIRST}])(?:(?P<delim>[{_DELIMS}])|{_NEG_PATTERN}|(?P<zero>{_IS_ZERO})|{QUANTITY_PATTERN})"
)
#: `未发生一起…`: 'not a single one', a zero and never the count 1.
_NOT_A_SINGLE = _ZERO["not_a_single"]
_NOT_A_SINGLE_AFTER_NEG = re.compile(
    f"(?:{'|'.join(_NOT_A_SINGLE['verbs'])})?过?(?:{'|'.join(_NOT_A_SINGLE['numbers'])})"
)
_NOT_A_SINGLE_AT = re.compile(f"(?:{'|'.join(_ZERO['negations'])}){_NOT_A_SINGLE_AFTER_NEG.pattern}")


@dataclass(frozen=True, slots=True)
class _ZeroRule:
    """Which items a zero statement sets to 0: only those it names (`items`: feature -> metric)."""

    name: str
    items: dict[str, str]
    veto: frozenset[str]
    unit: str = "count"
    within: int | None = None  # the item must be named within this many characters of the clause start
    after: tuple[str, ...] = ()  # a negation must negate one of these words (`未收到`, `无申请`)
    not_after: tuple[str, ...] = ()
    context: str | None = None  # "fee": the sentence is about disclosure fees; "requests": about requests
    topic: str | None = None
    continues: str | None = None  # the next clause continues the list (`无…行政复议,提起行政诉讼情况`)


def _expand(names) -> list[str]:
    """Feature names, `@table` standing for the features a readings table maps (`@outcomes`)."""
    return [n for name in names for n in (_READ[name[1:]] if name.startswith("@") else (name,))]


_ZERO_RULES = tuple(
    _ZeroRule(
        name=r["name"],
        items=r["items"],
        veto=frozenset(_expand(r.get("veto", ()))),
        unit=r.get("unit", "count"),
        within=r.get("within"),
        after=tuple(r.get("after", ())),
        not_after=tuple(r.get("not_after", ())),
        context=r.get("context"),
        topic=r.get("topic"),
        continues=r.get("continues"),
    )
    for r in _RULES["zero_rules"]
)
_LIST_GOES_ON = re.compile(f"[,，](?:{'|'.join(r.continues for r in _ZERO_RULES if r.continues)})")
#: Unit word -> the metric families counted in it beyond the usual count units (`行政复议0次`).
_EXTRA_UNITS = {unit: frozenset(families) for unit, families in _RULES["units"]["extra"].items()}


@dataclass(frozen=True, slots=True)
class _ImpliedAll:
    """A clause with no number saying all of the count just stated are one item (`…315件,均通过政务网渠道提交`)."""

    name: str
    of: frozenset[str]
    starts: tuple[str, ...]
    items: dict[str, str]  # feature -> metric ({of} stands for the count's family: review, litigation)


_IMPLIED_ALL = tuple(
    _ImpliedAll(r["name"], frozenset(r["of"]), tuple(r["starts"]), r["items"]) for r in _RULES["implied_all"]
)
_IMPLIED_OF = frozenset().union(*(r.of for r in _IMPLIED_ALL))
_IMPLIED_STARTS = tuple(sorted({w for r in _IMPLIED_ALL for w in r.starts}))
_SUM = _RULES["sum_words"]
_SUM_LABEL = re.compile(f"(?:{'|'.join(_SUM['words'])})(?:为|是)?")
_SUM_NEEDS = frozenset(_SUM["sentence_needs"])
_SUM_VETO = frozenset(_SUM["sentence_veto"])
_EXTENSION = re.compile(r"延期|延长")

_SENTENCE_END = frozenset("。!！?？|")  # a '|' left in a long line is a table cell border
_SEMICOLON = frozenset(";；")
_CLAUSE_MARKS = frozenset(",，:：")  # end a clause only
_OPEN = frozenset("(（")
_CLOSE = frozenset(")）")
_FINAL_PUNCT = frozenset("。!！?？;；:：")
_WS = re.compile(r"\s+")
_POST = re.compile(r"[^,，、:：;；。!！?？()（）\d]{0,20}")
_CLAUSE_REST = re.compile(r"[^,，;；。!！?？\n]{0,60}")
_TIME_WORD = re.compile(r"全年|当年|本年|今年|年内|年度|\d{4}\s*年(?!以来)")
_SINCE = re.compile(r"以来|历年")
_RUNNING_OPENING = re.compile(r"截[至止]目前|迄今|至今")
_INCLUDES_CARRIED = re.compile(r"\s*[(（](?:含|包括|其中)[^)）]{0,20}结转")
_REQUEST_HEADING = re.compile(r"依申请|公开申请|申请公开")
#: Words that make a fee the disclosure's own (检索、复制、邮寄等成本费用: the fees the 2008 条例 allowed).
_FEE_CONTEXT = re.compile(
    r"申请|信息公开|政府信息|信息处理费|任何费用|任何收费|收费事项|收费情况|收费通知|条例|检索|复制|邮寄|成本费"
)
#: A clause that only states the amount of a fee named earlier in the sentence (`…成本费用,共计150元`).
_AMOUNT_ONLY = re.compile(r"(?:共计|合计|总计|累计|共|计|总额|金额|费用|为|约|达)*")
_PHONE_LABEL = re.compile(r"(?:电话|邮编|传真|手机|号码|编码|代码|邮政编码|QQ)[:：]?\s*$")
_STAT_ROW_LABEL = re.compile(r"(?:数|公开)(?:条|件)\s+$")

_LABEL_MAX = 80  # characters of label looked at: keeps every number's work bounded
_EVIDENCE_MAX = 200


@lru_cache(maxsize=8192)
def _features(label: str) -> dict[str, int]:
    """Feature name -> position of its rightmost occurrence in the label (shared: never modify it).

    Labels recur across a batch (`全年主动公开政府信息`), hence the cache."""
    found: dict[str, int] = {}
    i, n = 0, len(label)
    while i < n:
        if label[i] in _FEATURE_FIRST:
            m = _feature_pattern(label[i]).match(label, i)
            if m is not None:
                found[m.lastgroup] = i
                i = m.end()
                continue
        i += 1
    return found


def _one(found: dict[str, int], table: dict[str, str]) -> str | None:
    """The single value `table` maps the found features to; None when none or several differ."""
    values = {table[name] for name in found if name in table}
    return values.pop() if len(values) == 1 else None


def _rightmost(found: dict[str, int], names) -> str | None:
    best = None
    for name in names:
        if name in found and (best is None or found[name] > found[best]):
            best = name
    return best


class _Context:
    """What classifying one number may ask about its surroundings (the costlier answers on demand)."""

    __slots__ = (
        "topic", "std", "in_paren", "money", "stat_row", "label", "value", "_scan", "_sent_start", "_start", "_end",
    )  # fmt: skip

    def __init__(
        self, scan: _Scanner, money: bool, stat_row: bool, label: str, start: int, end: int, value: float
    ):
        self.topic = scan.topic
        self.std = scan.std
        self.in_paren = bool(scan.stack)
        self.money = money
        self.stat_row = stat_row  # a statistics-table row: its header may say 历年累计 for the other column
        self.label = label
        self.value = value
        self._scan = scan
        self._sent_start = scan.sent_start
        self._start = start
        self._end = end

    def time_word(self) -> bool:
        """The sentence dates the count (全年, 2018年): a whole-year total, not a running tally."""
        return (
            _TIME_WORD.search(self._scan.text, max(self._sent_start, self._start - 200), self._start)
            is not None
        )

    def cumulative(self) -> bool:
        """A running total since some past year (2008年以来累计, 历年累计), not this year's count.

        A statistics row is exempt: its header reads 本年度 | 历年累计 and the year column comes first."""
        if self.stat_row:
            return False
        lo = max(self._sent_start, self._start - 200)
        return _SINCE.search(self._scan.text, lo, self._start) is not None or not self.time_word()

    def fee_context(self) -> bool:
        """The money is charged for disclosure: the sentence says so, or it is in the fees section."""
        text = self._scan.text
        if _FEE_CONTEXT.search(text, max(self._sent_start, self._start - 200), self._end + 20) is not None:
            return True
        return self._scan.section_kind(self._start) == "fees"

    def fee_named_before(self) -> bool:
        """The clause states only an amount, and the sentence named a fee before it (`收取…费用,共计N元`)."""
        if not _AMOUNT_ONLY.fullmatch(self.label):
            return False
        found = _features(_clean(self._scan.text[self._sent_start : self._scan.clause_start]))
        return "fee" in found and "fee_veto" not in found and "budget" not in found

    def counts_carried_over(self, accepted: bool) -> bool:
        """The count may include last year's requests: `申请749件(含上年结转36件)`; for 受理, any
        mention of carry-over in the sentence (k04: 受理749件 … 结转下一年31件, 749 = 713 + 36)."""
        text = self._scan.text
        if _INCLUDES_CARRIED.match(text, self._end):
            return True
        if not accepted:
            return False
        stop = text.find("。", self._end, self._end + 200)
        return text.find("结转", self._sent_start, stop if stop >= 0 else self._end + 200) >= 0

    def about_requests(self) -> bool:
        return self._scan.about_requests(self.label, self._start)

    def in_requests_section(self) -> bool:
        return self._scan.section_kind(self._start) == "requests"

    def extension_in_sentence(self) -> bool:
        """The sentence also counts extended answers (`按时办结1331件,延期办结22件`)."""
        text = self._scan.text
        stop = text.find("。", self._end, self._end + 200)
        return _EXTENSION.search(text, self._sent_start, stop if stop >= 0 else self._end + 200) is not None

    def running_sentence(self) -> bool:
        """The sentence opens with a running-total phrase (`截至目前,已主动公开…`)."""
        return _RUNNING_OPENING.search(self._scan.text, self._sent_start, self._start) is not None

    def sentence_discloses(self) -> bool:
        """An earlier clause of the sentence speaks of proactive disclosure."""
        return "proactive" in _features(_clean(self._scan.text[self._sent_start : self._scan.clause_start]))

    def sums_proactive(self) -> bool:
        """`…发布信息514条,总计2401条`: a bare sum word after counts of published information."""
        if not _SUM_LABEL.fullmatch(self.label):
            return False
        found = _features(_clean(self._scan.text[self._sent_start : self._start]))
        return not _SUM_VETO.intersection(found) and bool(_SUM_NEEDS.intersection(found))


def _level(found: dict[str, int]) -> str | None:
    return None if "lv_multi" in found else _one(found, _LEVELS)


def _classify(found: dict[str, int], ctx: _Context) -> tuple[list[tuple[str, str, int]], str | None]:
    """Metrics (metric, breakdown, strength) a label's features give, and the topic it leaves."""
    topic = ctx.topic
    if "block" in found:
        return [], "blocked"
    if ctx.money:
        if "budget" in found:
            return [("fees.special_budget_yuan", _level(found) or "total", 3)], "budget"
        if "fee" in found and "fee_veto" not in found and ctx.fee_context():
            return [("fees.collected_yuan", "total", 3)], "fees"
        if not found and ctx.fee_named_before() and ctx.fee_context():
            return [("fees.collected_yuan", "total", 3)], "fees"
        level = _level(found)
        if topic == "budget" and level and len(found) == 1:
            return [("fees.special_budget_yuan", level, 3)], topic
        return [], topic

    result = _rightmost(found, _RESULTS)
    if result:
        proc = _rightmost(found, ("review", "litigation"))
        proc = proc or (topic if topic in ("review", "litigation") else None)
        if proc:
            return [(f"{proc}.{_RESULT_KEY[result]}", "total", 3)], proc
        return [], topic

    reason = _rightmost(found, _REASONS)
    if reason:
        group, metric = _REASONS[reason]
        if group in found or topic == group or not reason.startswith("r_"):
            return [(metric, "total", 3)], topic
        return [], topic

    outcome = _rightmost(found, _OUTCOMES)
    if outcome:
        if found.get("items", -1) > found[outcome]:
            return [], topic  # 不予公开信息数1854条: catalogued items, not answers to requests
        if sum(name in found for name in _OUTCOMES) > 1:
            return [], "apply"  # 予以公开及部分公开的有6件: a combined category is neither
        return [(_OUTCOME_METRIC[outcome], "total", 3)], outcome if outcome in _REASON_GROUPS else "apply"
    for name, metric in _DIRECT.items():
        if name in found:
            out = [(metric, "total", 3)]
            if name == "on_time" and not ctx.extension_in_sentence():  # all answered on time: 按时办结2件
                out.append(("apply.total_handled", "total", 2))
            return out, "apply"

    if (
        "review" in found and "litigation" in found
    ):  # `行政复议、行政诉讼0条` names both; a sum splits into neither
        both = [("review.total", "total", 3), ("litigation.total", "total", 3)]
        return (both if ctx.value == 0 else []), "proceedings"
    proc = "review" if "review" in found else "litigation" if "litigation" in found else None
    if proc:
        return [(f"{proc}.total", _level(found) or "total", 3)], proc

    applying = "application" in found
    new_of_topic = "intake_new" in found and topic in ("apply", "apply_mixed")  # `其中新收到14件`
    if (applying or new_of_topic) and (
        "intake_new" in found or "intake_recv" in found or "intake_accept" in found
    ):
        if not new_of_topic and not ctx.about_requests():
            return [], "blocked"
        accepted = "intake_new" not in found and "intake_recv" not in found
        # 0 received in all is 0 new, whatever the total includes
        if ctx.value and ctx.counts_carried_over(accepted):
            # 受理 in a standard-format report often counts new + carried over (k04: 749 = 713 + 36)
            return [], "apply_mixed"
        out = [("apply.new", _level(found) or "total", 3)]
        channel = _one(found, _APPLY_CHANNELS)
        if channel:
            out.append((f"apply.channel.{channel}", "total", 3))
        return out, "apply"
    about_requests = applying or topic in ("apply", "apply_mixed")
    if "handled" in found and (about_requests or ctx.in_requests_section()):  # 目前依法办结122件
        return [("apply.total_handled", "total", 3)], topic if topic == "apply_mixed" else "apply"
    channel = _one(found, _APPLY_CHANNELS)
    if channel and about_requests and "proactive" not in found and "disclosed" not in found:
        return [(f"apply.channel.{channel}", "total", 3)], topic
    applicant = _one(found, {"natural": "natural_person", "legal": "legal_person"})
    if applicant and about_requests and topic != "apply_mixed" and "generic_party" not in found:
        return [(f"apply.applicant.{applicant}", "total", 3)], topic

    if "normative" in found:
        if "subset" in found or (ctx.in_paren and topic != "proactive"):  # `共455条(规范性文件84条,…)`
            return [], topic
        if (
            "proactive" in found
            or "disclosed" in found
            or "verb" in found
            or topic == "proactive"
            or (ctx.std and "made" in found)
            or ctx.sentence_discloses()  # `主动公开…等政府信息,其中,行政规范性文件10件`
        ):
            return [("proactive.normative_docs", "total", 3)], topic
        return [], topic
    if "proactive" in found or "disclosed" in found:
        if (
            ctx.in_paren
            or "subset" in found
            or (("running" in found or ctx.running_sentence()) and ctx.cumulative())
        ):
            return [], "proactive"
        strength = 3 if "proactive" in found else 1 if ctx.time_word() else 0
        if not strength:
            return [], "proactive"
        level = _level(found)
        channel = _one(found, _PROACTIVE_SPLIT_CHANNELS)
        breakdown = level or (f"channel:{channel}" if channel else "total")
        return [("proactive.total", breakdown, strength)], "proactive"

    if not found and ctx.sums_proactive():
        return [(_SUM["metric"], "total", 3)], "proactive"
    # a bare split of the sentence's topic: `其中,市本级14件`, `通过政府公报公开173条`
    if topic in _TOPIC_TOTAL and found and all(name in _SPLIT_OK for name in found):
        level = _level(found)
        if level:
            return [(_TOPIC_TOTAL[topic], level, 3)], topic
        if topic == "proactive" and ("verb" in found or "disclosed" in found):  # 通过政府公报公开173条
            channel = _one(found, _PROACTIVE_CHANNELS)
            if channel:
                return [("proactive.total", f"channel:{channel}", 3)], topic
    return [], topic


@dataclass(slots=True)
class _Draft:
    """A fact under construction: its evidence sentence ends where the scan closes it."""

    metric: str
    breakdown: str
    value: float
    approx: bool
    unit: str
    start: int
    end: int
    ev_start: int
    ev_end: int = -1


def extract_narrative(doc: NormalizedDoc, seg: Segmentation, era: str) -> list[Fact]:
    """Contract metrics stated in prose: one fact per (metric, breakdown), offsets into `doc.text`."""
    std = era.startswith("std")
    scanner = _Scanner(doc, seg, std)
    scanner.run()
    return scanner.facts()


class _Scanner:
    """One left-to-right pass over the text; the state is the current sentence, clause and topic."""

    def __init__(self, doc: NormalizedDoc, seg: Segmentation, std: bool):
        self.text = doc.text
        self.seg = seg
        sections = seg.sections
        self.std = std
        self.garbled = sorted(doc.mojibake_spans)
        self.garbled_starts = [s for s, _ in self.garbled]
        self.sections = sorted(sections, key=lambda s: (s.char_start, -s.char_end))
        self.section_starts = [s.char_start for s in self.sections]
        # a section heading starts a new topic even where the text runs on without a full stop (h31)
        self.boundaries = sorted({s.char_start for s in sections if 0 < s.char_start < len(self.text)})
        self.best: dict[tuple[str, str], tuple[int, _Draft]] = {}
        self.open_drafts: list[_Draft] = []
        # scan state
        self.sent_start = self.ev_start = self.clause_start = self.cut = 0
        self.topic: str | None = None
        self.last_total: tuple[str, float] | None = (
            None  # the sentence's latest count `_IMPLIED_ALL` may refer to
        )
        self.stack: list[tuple[int, int, str | None, list[tuple[int, int]]]] = []  # outer clause per '('
        self.excluded: list[tuple[int, int]] = []  # parenthetical spans inside the current clause

    # --- the pass -------------------------------------------------------------------------------

    def run(self) -> None:
        text, n = self.text, len(self.text)
        pos = self.seg.past_rows(0)
        self._reset(pos)
        self.boundary = 0  # index of the next section boundary
        self.eol = -1  # end of the line `_skip` last looked at
        spans = _FactSpans(text)
        search = _TOKEN.search
        boundaries, n_boundaries = self.boundaries, len(self.boundaries)
        tried = -1  # the fresh position a skip was last tried from
        while pos < n:
            if pos == self.sent_start and pos != tried:
                tried = pos
                pos = self._skip(pos, spans)
                if pos >= n:
                    break
            m = search(text, pos)
            if m is None:
                break
            start, pos = m.span()
            if self.boundary < n_boundaries and start >= boundaries[self.boundary]:
                self._boundary(start)
            kind = m.lastgroup
            if kind == "delim":
                ch = text[start]
                if self.last_total is not None and text.startswith(_IMPLIED_STARTS, self.clause_start):
                    self._implied_all(start)
                if ch in _CLAUSE_MARKS:  # the common case of `_delimiter`, inline
                    if not (self.garbled and _in_spans(self.garbled, self.garbled_starts, start, pos)):
                        self.clause_start = self.cut = pos
                        self.excluded = []
                else:
                    pos = self._delimiter(ch, start, pos)
            elif kind == "neg":
                self._negation(m.start(), m.end())
            elif kind == "zero":
                self._zeros(_clean(self._label(start)), None, start, pos)
            elif m.group("q_ar") is not None or m.group("q_cn") is not None:
                q = quantity_from_match(m)
                if q is not None and q.kind != "date":  # dates do not end the label of the next number
                    self._number(q, m.start(), m.end())
                    self.cut = m.end()
        if self.last_total is not None and text.startswith(_IMPLIED_STARTS, self.clause_start):
            self._implied_all(n)  # the text ends inside that clause
        self._close_evidence(n)

    def _boundary(self, at: int) -> None:
        """A token at `at`: a section heading passed since the last token starts a new sentence."""
        boundaries = self.boundaries
        if self.boundary < len(boundaries) and at >= boundaries[self.boundary]:
            start = boundaries[self.boundary]
            self.boundary = bisect.bisect_right(boundaries, at)
            if start > self.sent_start:
                self._reset(start)

    def _skip(self, pos: int, spans: _FactSpans) -> int:
        """From a fresh sentence at `pos`, pass over text that cannot yield a fact; return where to go on.

        Only negations and count/money quantities make facts, and a sentence without one leaves no
        trace once the next sentence starts: so a whole line without one is passed when its line
        break ends the sentence, else the text up to the last sentence end before the next one.
        The state after the skip is exactly what reading every token would have left."""
        text = self.text
        nxt = spans.next_from(pos, len(text))
        if pos > self.eol:  # the end of the line holding `pos` (found once per line: linear time)
            self.eol = text.find("\n", pos)
            if self.eol < 0:
                self.eol = len(text)
        eol = self.eol
        if nxt > eol and eol < len(text) and eol not in spans.joined and not _is_soft_newline(self.seg, eol):
            self._boundary(eol)
            return self._delimiter("\n", eol, eol + 1)
        limit = min(nxt, eol)
        while True:
            k = max(map(text.rfind, _SENTENCE_END, repeat(pos), repeat(limit)))
            if k < 0:
                return pos
            if not (self.garbled and _in_spans(self.garbled, self.garbled_starts, k, k + 1)):
                self._boundary(k)
                self._reset(k + 1)
                return k + 1
            limit = k

    def _reset(self, at: int) -> None:
        """A new sentence: new topic, new evidence."""
        self._close_evidence(at)
        self.sent_start = self.ev_start = self.clause_start = self.cut = at
        self.topic = None
        self.last_total = None
        self.excluded = []
        self.stack.clear()

    def _delimiter(self, ch: str, i: int, end: int) -> int:
        """Update the sentence/clause state; return where scanning resumes."""
        if self.garbled and _in_spans(self.garbled, self.garbled_starts, i, i + 1):
            return end  # a '?' or ';' inside mojibake (`中国?廊坊`) ends nothing
        if ch == "\n":
            if _is_soft_newline(self.seg, i):
                return end
            resume = self.seg.past_rows(end)
            self._reset(resume)
            return resume
        if ch in _SENTENCE_END:
            self._reset(end)
        elif ch in _OPEN:
            self.stack.append((self.clause_start, self.cut, self.topic, self.excluded))
            self.clause_start = self.cut = end
            self.excluded = []
        elif ch in _CLOSE:
            if self.stack:
                paren_open = self.clause_start - 1
                self.clause_start, self.cut, self.topic, self.excluded = self.stack.pop()
                self.excluded.append((paren_open, end))
            else:
                self.clause_start = self.cut = end
                self.excluded = []
        else:  # , : ; (a semicolon ends the evidence sentence, not the topic)
            if ch in _SEMICOLON and not self.stack:
                self._close_evidence(end)
                self.ev_start = end
            self.clause_start = self.cut = end
            self.excluded = []
        return end

    def _number(self, q: Quantity, start: int, end: int) -> None:
        """Classify one quantity by its label (and, failing that, by the words after it)."""
        text = self.text
        if q.kind == "bare":
            # a statistics row `主动公开信息数条 425 1516`: the unit precedes the (first, year) column
            if _STAT_ROW_LABEL.search(text, max(self.cut, start - 4), start) is None:
                return
            unit_kind = "count"
        elif q.unit in _EXTRA_UNITS:
            unit_kind = "count"
        else:
            unit_kind = q.kind
        if unit_kind not in ("count", "money") or (unit_kind == "count" and q.value != int(q.value)):
            return
        if self.garbled and _in_spans(self.garbled, self.garbled_starts, q.start, q.end):
            return
        if (start and text.startswith(("第", "-"), start - 1)) or text.startswith("-", q.end):
            return  # ordinals, ranges, phone-number parts
        if q.value == 1 and _is_not_a_single(text, start, end):
            return  # 未发生一起: the negation reads it as a zero
        label_raw = self._label(start)
        if _PHONE_LABEL.search(label_raw):
            return
        label = _clean(label_raw)
        ctx = _Context(self, unit_kind == "money", q.kind == "bare", label, start, end, q.value)
        metrics, self.topic = _classify(_features(label), ctx)
        if not metrics and unit_kind == "count":
            post = _post_label(self.seg, end)
            if post:  # `3件驳回诉求`, `1件涉及…的行政复议`
                ctx.label = label + post
                found = {k: v for k, v in _features(ctx.label).items() if k not in _NOT_AFTER}
                if not self.std:
                    found.pop("normative", None)
                metrics, self.topic = _classify(found, ctx)
        if q.unit in _EXTRA_UNITS:
            metrics = [m for m in metrics if m[0].partition(".")[0] in _EXTRA_UNITS[q.unit]]
        unit = "yuan" if unit_kind == "money" else "count"
        for metric, breakdown, strength in metrics:
            if metric in _IMPLIED_OF and breakdown == "total":
                self.last_total = (metric, q.value)
            self._offer(
                strength,
                _Draft(metric, breakdown, q.value, q.is_approximate, unit, q.start, q.end, self.ev_start),
            )

    def _label(self, end: int) -> str:
        """The clause text before a number, without parenthetical asides, at most _LABEL_MAX characters."""
        start = max(self.clause_start, self.cut, end - _LABEL_MAX)
        parts = []
        for s, e in self.excluded:
            if e <= start or s >= end:
                continue
            if s > start:
                parts.append(self.text[start:s])
            start = max(start, e)
        parts.append(self.text[start:end])
        return "".join(parts)

    def _negation(self, start: int, end: int) -> None:
        """Zeros from negated statements: no requests, no review/litigation, no fees."""
        text = self.text
        rest = _CLAUSE_REST.match(text, end).group(0)
        comma = end + len(rest)
        if _LIST_GOES_ON.match(text, comma):  # `无因…行政复议,提起行政诉讼情况发生`: the comma lists on
            rest += text[comma] + _CLAUSE_REST.match(text, comma + 1).group(0)
        single = _NOT_A_SINGLE_AFTER_NEG.match(rest)
        if any(
            q.kind in ("count", "money") for q in find_quantities(rest[single.end() :] if single else rest)
        ):
            return  # the clause states a number after all
        self._zeros(_clean(text[start:end] + rest), text[end : end + 8], start, end)

    def _zeros(self, clause: str, negated: str | None, start: int, end: int) -> None:
        """A zero statement (a negation, or `…为零`): the first zero rule it satisfies sets the items it names."""
        found = _features(clause)
        for rule in _ZERO_RULES:
            metrics = [
                metric
                for name, metric in rule.items.items()
                if name in found and (rule.within is None or found[name] <= rule.within)
            ]
            if not metrics or any(name in found for name in rule.veto):
                continue
            if negated is not None and (
                (rule.after and not negated.startswith(rule.after))
                or negated.startswith(rule.not_after or "\0")
            ):
                continue
            if rule.context == "fee" and not _FEE_CONTEXT.search(
                self.text, max(self.sent_start, start - 200), end + len(clause)
            ):
                continue
            if rule.context == "requests" and not self.about_requests(clause, start):
                continue
            if rule.topic:
                self.topic = rule.topic
            for metric in metrics:
                self._offer(2, _Draft(metric, "total", 0.0, False, rule.unit, start, end, self.ev_start))
            return

    def _implied_all(self, at: int) -> None:
        """At the end of a clause with no number: `均通过政务网渠道提交` -> the count just stated is all online."""
        if self.cut > self.clause_start:
            return  # the clause has a number of its own
        clause = _clean(self._label(at))
        found = _features(clause)
        metric, value = self.last_total
        family = metric.partition(".")[0]
        for rule in _IMPLIED_ALL:
            if metric in rule.of and clause.startswith(rule.starts):
                item = _one(found, rule.items)
                if item is not None:
                    draft = _Draft(
                        item.format(of=family),
                        "total",
                        value,
                        False,
                        "count",
                        self.clause_start,
                        at,
                        self.ev_start,
                    )
                    self._offer(3, draft)
                return

    # --- context lookups --------------------------------------------------------------------------

    def section_kind(self, pos: int) -> str | None:
        """Kind of the innermost section holding `pos` (sections are only hints)."""
        i = bisect.bisect_right(self.section_starts, pos) - 1
        while i >= 0:
            if self.sections[i].char_start <= pos < self.sections[i].char_end:
                return self.sections[i].kind
            i -= 1
        return None

    def about_requests(self, label: str, pos: int) -> bool:
        """Requests for government information, not any 申请 (窗口共受理申请136437件)."""
        if "公开" in label or "依申请" in label or self.section_kind(pos) == "requests":
            return True
        return _REQUEST_HEADING.search(self.text, max(0, self.sent_start - 40), self.sent_start) is not None

    # --- results ----------------------------------------------------------------------------------

    def _offer(self, strength: int, draft: _Draft) -> None:
        """Keep the strongest reading per (metric, breakdown); the first one on ties."""
        key = (draft.metric, draft.breakdown)
        held = self.best.get(key)
        if held is None or held[0] < strength:
            self.best[key] = (strength, draft)
            self.open_drafts.append(draft)

    def _close_evidence(self, end: int) -> None:
        for draft in self.open_drafts:
            if draft.ev_end < 0:
                draft.ev_end = end
        self.open_drafts.clear()

    def facts(self) -> list[Fact]:
        text = self.text
        facts = [
            Fact(
                metric=d.metric,
                value=d.value,
                evidence=_evidence(
                    text, d.ev_start, d.ev_end if d.ev_end >= 0 else len(text), d.start, d.end
                ),
                char_start=d.start,
                char_end=d.end,
                breakdown=d.breakdown,
                is_approximate=d.approx,
                unit=d.unit,
                source="narrative",
            )
            for _, d in self.best.values()
        ]
        facts.sort(key=lambda f: (f.char_start, f.metric, f.breakdown))
        return facts


# --- text helpers -------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    return _WS.sub("", text)


def _is_not_a_single(text: str, start: int, end: int) -> bool:
    """`未发生一起`: the quantity token [start, end) is the 一起 of a negation."""
    m = _NOT_A_SINGLE_AT.search(text, max(0, start - 8), end)
    return m is not None and m.end() == end


def _in_spans(spans: list[tuple[int, int]], starts: list[int], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of the sorted, disjoint spans."""
    i = bisect.bisect_left(starts, end) - 1
    return i >= 0 and spans[i][1] > start


def _is_soft_newline(seg: Segmentation, i: int) -> bool:
    """The line break at `i` is inside a sentence (hard-wrapped PDF text): two prose lines, the first
    long and without a final punctuation mark (not the end of a paragraph, heading or table)."""
    n = seg.line(i)
    if n + 1 >= len(seg.kinds) or seg.kinds[n] != PROSE or seg.kinds[n + 1] != PROSE:
        return False
    line = seg.text[seg.starts[n] : i].rstrip()
    return len(line) >= 15 and line[-1] not in _FINAL_PUNCT


#: Cheap, generous finders of the tokens that can make a fact (see `_FactSpans`); each starts with a
#: literal character, which lets a search skip ahead. Negations and zero words: as in `_TOKEN`.
_NEG_CANDIDATE = re.compile("|".join(_NEG_ALTERNATIVES))  # faster without a first-character lookahead
_ZERO_CANDIDATE = re.compile("|".join(map(re.escape, _ZERO["is_zero"])))  # literal: a search skips ahead
#: A count or money unit right after a numeral (or a multiplier, 余/多, or a space or line break), or
#: 条/件 after 数 / 开 with a space next (`主动公开信息数条 425`: a statistics row's bare number follows).
_FACT_UNITS = sorted(COUNT_UNITS | MONEY_UNITS | set(_EXTRA_UNITS), key=len, reverse=True)
_UNIT_FIRST = "".join(sorted({u[0] for u in _FACT_UNITS}))
_UNIT_CANDIDATE = re.compile(
    rf"[{_UNIT_FIRST}](?:(?<=[\d{CN_NUMERAL_CHARS}万亿余多\s].)|(?<=[数开][条件])(?=\s))"
)
_NUMBER_TAIL = frozenset("0123456789., \t\n万亿余多" + CN_NUMERAL_CHARS)  # a number and what joins its unit
_UNIT_AFTER_BREAK = re.compile(rf"\n(?=[ \t]*(?:{QUANTITY_UNITS}))")
_BEFORE_UNIT = frozenset("万亿余多" + CN_NUMERAL_CHARS)


class _FactSpans:
    """Where a token that can make a fact may be, generously: the scanner passes over everything else.

    Facts come only from negations and from numbers with a count or money unit (or a statistics
    row's bare number). Each such token starts inside one of `spans`; a number's line break
    (`2\n件`) is in `joined`. Over-reporting only makes the scanner read more tokens one by one."""

    __slots__ = ("starts", "reach", "joined")

    def __init__(self, text: str) -> None:
        spans = [(m.start(), m.end()) for rx in (_NEG_CANDIDATE, _ZERO_CANDIDATE) for m in rx.finditer(text)]
        for m in _UNIT_CANDIDATE.finditer(text):
            unit = m.start()
            if text[unit - 1] in "数开" and text[unit] in "条件" and text[unit + 1 : unit + 2].isspace():
                end = unit + 1
                while end < len(text) and text[end].isspace():
                    end += 1
                spans.append((unit - 2, end + 1))  # the bare number starts where the spaces end
            start = unit
            while start > 0 and (text[start - 1] in _NUMBER_TAIL or text[start - 1].isdecimal()):
                start -= 1
            if start < unit:
                spans.append((max(0, start - 2), unit + 2))  # 2: 将近/大约/超过 before; 件次 after
        spans.sort()
        self.starts = [s for s, _ in spans]
        self.reach = list(accumulate((e for _, e in spans), max))  # furthest end so far
        self.joined: set[int] = set()
        for m in _UNIT_AFTER_BREAK.finditer(text):
            before = m.start() - 1
            while before >= 0 and text[before] in " \t":
                before -= 1
            if before >= 0 and (text[before] in _BEFORE_UNIT or text[before].isdecimal()):
                self.joined.add(m.start())

    def next_from(self, pos: int, n: int) -> int:
        """The first position at or after `pos` that may lie in a fact-making token (`n`: none)."""
        i = bisect.bisect_left(self.starts, pos)
        if i and self.reach[i - 1] > pos:
            return pos
        return self.starts[i] if i < len(self.starts) else n


def _post_label(seg: Segmentation, at: int) -> str:
    """Words right after a number's unit, up to the next delimiter (`3件驳回诉求`)."""
    words = _POST.match(seg.text, at).group(0)
    newline = words.find("\n")
    if newline >= 0 and not _is_soft_newline(seg, at + newline):
        words = words[:newline]
    return _clean(words)


def _evidence(text: str, start: int, end: int, num_start: int, num_end: int) -> str:
    """The sentence, hard-wrap breaks removed; a window around the number when it is long."""
    if end - start > _EVIDENCE_MAX:
        start = max(start, num_start - 120)
        end = min(end, max(num_end + 80, start + _EVIDENCE_MAX))
    return _WS.sub(" ", text[start:end].replace("\n", "")).strip()

"""Narrative wordings as data (like ftfy's test cases): tests/cases/narrative_cases.json, one case a line.

Each case is a real sentence (source: the corpus file it comes from) and the headline facts it must
yield, `{}` for a look-alike that must yield none. `ambiguous` metrics are not checked either way;
`xfail` marks a known failure (strict: a case that starts passing must lose its mark). A new wording
is one more line of data. The rule file's own examples are checked against the rules that cite them.
"""

import json
import re
from pathlib import Path

import pytest

from pipeline import narrative
from pipeline.narrative import extract_narrative
from pipeline.normalize import normalize
from pipeline.sections import segment

CASES = json.loads((Path(__file__).parent / "cases" / "narrative_cases.json").read_text(encoding="utf-8"))
RULES = json.loads(narrative.RULES_PATH.read_text(encoding="utf-8"))


def headline(text: str, era: str = "narrative") -> tuple[dict[str, float], str]:
    """Headline facts (breakdown 'total') of `text` read as the pipeline reads it, and the normalized text."""
    doc = normalize(text)
    facts = extract_narrative(doc, segment(doc.text), era)
    flat = doc.text.replace("\n", "")
    for f in facts:  # provenance: every fact keeps its evidence sentence and offsets into the text
        assert f.evidence and f.evidence in flat and 0 <= f.char_start < f.char_end <= len(doc.text)
    return {f.metric: f.value for f in facts if f.breakdown == "total"}, doc.text


def _param(i: int, case: dict):
    marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if "xfail" in case else []
    return pytest.param(case, id=f"{i:03d}-{case['source']}", marks=marks)


@pytest.mark.parametrize("case", [_param(i, c) for i, c in enumerate(CASES)])
def test_case(case):
    got, _ = headline(case["text"], case.get("era", "narrative"))
    ambiguous = set(case.get("ambiguous", ()))
    assert {m: v for m, v in got.items() if m not in ambiguous} == case["expect"]


def test_cases_are_well_formed():
    keys = {"source", "text", "expect", "era", "ambiguous", "note", "xfail"}
    assert all(set(c) <= keys and isinstance(c["expect"], dict) for c in CASES)
    assert len({(c["source"], c["text"]) for c in CASES}) == len(CASES), "no duplicate cases"


_TAG = re.compile(r"\s*\((?:d\d\d|seed \d+|h\d\d)[^)]*\)\s*$")


def _rule_examples():
    """(rule name, example sentence, metrics the rule sets, whether the example must set one of them)."""
    for rule in RULES["zero_rules"]:
        yield rule["name"], rule["items"].values(), rule["examples"]
    for rule in RULES["implied_all"]:
        metrics = {m.format(of=of.partition(".")[0]) for m in rule["items"].values() for of in rule["of"]}
        yield rule["name"], metrics, rule["examples"]
    yield "sum_words", [RULES["sum_words"]["metric"]], RULES["sum_words"]["examples"]


@pytest.mark.parametrize(
    ("name", "metrics", "example"),
    [(name, tuple(metrics), ex) for name, metrics, examples in _rule_examples() for ex in examples],
)
def test_rule_examples(name, metrics, example):
    negative = example.startswith("NOT:")
    sentence = _TAG.sub("", example.removeprefix("NOT:").strip()).replace("…", "")
    got, _ = headline(sentence)
    hit = any(m in got for m in metrics)
    assert hit != negative, f"{name}: {sentence} -> {got}"


def test_rules_name_only_known_features():
    features = [f["name"] for f in RULES["features"]]
    assert len(features) == len(set(features))
    read = RULES["readings"]
    named = [*read["outcomes"], *read["reasons"], *read["results"], *read["direct"], *read["levels"]]
    named += [*read["apply_channels"], *read["proactive_channels"], *(g for g, _ in read["reasons"].values())]
    for rule in RULES["zero_rules"]:
        named += [*rule["items"], *(v for v in rule.get("veto", ()) if not v.startswith("@"))]
        assert all(v[1:] in read for v in rule.get("veto", ()) if v.startswith("@"))
    for rule in RULES["implied_all"]:
        named += rule["items"]
    named += RULES["sum_words"]["sentence_needs"] + RULES["sum_words"]["sentence_veto"]
    assert set(named) <= set(features), set(named) - set(features)

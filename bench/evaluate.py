"""Score the pipeline against gold JSON files: `python -m bench.evaluate RAW_DIR GOLD_DIR [...]`.

Per document it prints misses, wrong values, extras (facts under a required code the gold
does not list; `ambiguous` metrics are not scored either way) and metadata mismatches;
then overall precision / recall / F1 over facts, and a table of the same figures per format era,
per table (表二 / 表三 / 表四 / 统计表 / narrative) and per corpus group.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import tables
from pipeline.metrics import REQUIRED_CODES
from pipeline.process import DocumentResult, process_document

_META_FIELDS = (
    "organ",
    "province",
    "city",
    "county",
    "admin_level",
    "report_year",
    "period_start",
    "period_end",
    "published_on",
    "format_era",
    "script",
)


@dataclass
class DocScore:
    name: str
    tp: int = 0
    misses: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    approx: list[str] = field(default_factory=list)
    metadata: list[str] = field(default_factory=list)
    status: str = "parsed"
    era: str = "?"
    group: str = "?"
    present: frozenset[str] = frozenset()  # the tables the text contains (see `tables_present`)
    #: (metric, outcome) per scored fact: tp / fn (missed) / fp (extra) / wrong (counts as both fp and fn)
    events: list[tuple[str, str]] = field(default_factory=list)


TABLES = ("表二", "表三", "表四", "统计表", "narrative")
STANDARD_ERAS = ("std2019", "std2021")
#: Metrics a pre-2019 statistics table's rows carry (主动公开信息数…, 受理…申请数 and channels, 答复数…,
#: 行政复议数 / 行政诉讼数, 收费).
_STAT_TABLE_SUBJECTS = ("proactive.", "apply.", "review.", "litigation.", "fees.")
#: A 表三 first row with a cell after it (not prose: `上年结转政府信息公开申请数量3件` states a count).
_T3_ROW = re.compile(rf"(?:{tables._T3_FIRST_ROWS.pattern})[\s|]*\d+(?![\d.]*\s*[件条个项次])")


def tables_present(text: str, era: str) -> frozenset[str]:
    """The tables a document's normalized text contains, found by the official labels pipeline.tables reads."""
    found = set()
    if era in STANDARD_ERAS:
        if tables._T2_MARKER.search(text) or any(
            lab.spec.kind == "t2head" for lab in tables._T2_LABELS.scan(text, 0, len(text))
        ):
            found.add("表二")
        if _T3_ROW.search(text) or tables._T3_MARKER.search(text):
            found.add("表三")
        titles = dict(tables._T4_TITLES)
        if titles["litigation.direct"].search(text) and titles["litigation.after_review"].search(text):
            found.add("表四")
    elif tables.has_statistics_table(text):
        found.add("统计表")
    return frozenset(found)


def table_of(metric: str, era: str, present: frozenset[str]) -> str:
    """Which table a metric of a document is scored under (narrative when the text has no such table)."""
    if era in STANDARD_ERAS:
        if "表二" in present and (metric == "proactive.normative_docs" or metric.startswith("article20.")):
            return "表二"
        if "表三" in present and metric.startswith("apply."):
            return "表三"
        if "表四" in present and metric.startswith(("review.", "litigation.")):
            return "表四"
    elif "统计表" in present and metric.startswith(_STAT_TABLE_SUBJECTS):
        return "统计表"
    return "narrative"


def corpus_group(raw_dir: Path, name: str) -> str:
    """seeds / h+k (the first 13 corpus files) / d01–d40 (batch 2); other folders by their name."""
    if re.fullmatch(r"d\d\d\.\w+", name):
        return "d01–d40"
    if re.fullmatch(r"[hk]\d\d\.\w+", name):
        return "h+k"
    return "seeds" if raw_dir.name == "seeds" else raw_dir.name


def predicted_metadata(result: DocumentResult) -> dict:
    if result.extraction is None:
        return {}
    meta = result.extraction.metadata
    values = {f: getattr(meta, f, None) for f in _META_FIELDS if f != "script"}
    values["script"] = result.script
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}


def score_document(result: DocumentResult, gold: dict) -> DocScore:
    score = DocScore(
        name=gold["file"], status=result.status, era=gold.get("format_era") or gold.get("era") or "?"
    )
    ambiguous = {a["metric"] if isinstance(a, dict) else a for a in gold.get("ambiguous", [])}
    predicted = {}
    if result.extraction is not None:
        predicted = {f.metric: f for f in result.extraction.facts if f.breakdown == "total"}
    for metric, value in gold["facts"].items():
        if metric in ambiguous:
            continue
        fact = predicted.get(metric)
        if fact is None:
            score.misses.append(f"{metric}={value:g}")
            score.events.append((metric, "fn"))
        elif abs(fact.value - value) > 1e-6:
            score.wrong.append(f"{metric}: got {fact.value:g}, gold {value:g}  «{fact.evidence[:60]}»")
            score.events.append((metric, "wrong"))
        else:
            score.tp += 1
            score.events.append((metric, "tp"))
            if fact.is_approximate != (metric in gold.get("approx", [])):
                score.approx.append(f"{metric}: is_approximate={fact.is_approximate}")
    for metric, fact in predicted.items():
        if metric in REQUIRED_CODES and metric not in gold["facts"] and metric not in ambiguous:
            score.extras.append(f"{metric}={fact.value:g}  «{fact.evidence[:60]}»")
            score.events.append((metric, "fp"))
    if result.normalized is not None:
        score.present = tables_present(result.normalized.text, score.era)
    got = predicted_metadata(result)
    expected = dict(gold)
    expected.setdefault("format_era", gold.get("era"))
    for name in _META_FIELDS:
        if name not in expected:
            continue
        if name == "organ" and expected.get("organ_named") is False:
            continue
        if got.get(name) != expected[name]:
            score.metadata.append(f"{name}: got {got.get(name)!r}, gold {expected[name]!r}")
    return score


def evaluate(pairs: list[tuple[Path, Path]], out=sys.stdout) -> dict:
    scores = []
    for raw_dir, gold_dir in pairs:
        for gold_path in sorted(gold_dir.glob("*.json")):
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            raw_path = raw_dir / gold["file"]
            if not raw_path.exists():
                print(f"!! {gold['file']}: no raw file in {raw_dir}", file=out)
                continue
            result = process_document(raw_path.read_bytes(), gold["file"])
            score = score_document(result, gold)
            score.group = corpus_group(raw_dir, gold["file"])
            scores.append(score)
    tp = sum(s.tp for s in scores)
    fn = sum(len(s.misses) + len(s.wrong) for s in scores)
    fp = sum(len(s.extras) + len(s.wrong) for s in scores)
    for s in scores:
        flag = "ok" if not (s.misses or s.wrong or s.extras or s.metadata) else "!!"
        print(
            f"{flag} {s.name} [{s.status}] tp={s.tp} miss={len(s.misses)} wrong={len(s.wrong)} extra={len(s.extras)} meta={len(s.metadata)}",
            file=out,
        )
        for label, items in (
            ("miss", s.misses),
            ("wrong", s.wrong),
            ("extra", s.extras),
            ("approx", s.approx),
            ("meta", s.metadata),
        ):
            for item in items:
                print(f"     {label:6} {item}", file=out)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    meta_errors = sum(len(s.metadata) for s in scores)
    print(f"documents={len(scores)} tp={tp} fp={fp} fn={fn} metadata_mismatches={meta_errors}", file=out)
    print(f"precision={precision:.3f} recall={recall:.3f} F1={f1:.3f}", file=out)
    breakdown = breakdown_counts(scores)
    print_breakdown(breakdown, out)
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "metadata_mismatches": meta_errors,
        "documents": len(scores),
        "breakdown": breakdown,
    }


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def breakdown_counts(scores: list[DocScore]) -> dict[str, dict[str, float]]:
    """{scope: {tp, fp, fn, docs, precision, recall, f1}} for each era, table, group, group × table, all."""
    counts: dict[str, dict[str, int]] = {}
    docs: dict[str, set[str]] = {}

    def add(scope: str, doc: str, outcome: str | None) -> None:
        c = counts.setdefault(scope, {"tp": 0, "fp": 0, "fn": 0})
        docs.setdefault(scope, set()).add(doc)
        if outcome in ("tp", "fp", "fn"):
            c[outcome] += 1
        elif outcome == "wrong":
            c["fp"] += 1
            c["fn"] += 1

    for s in scores:
        for scope in (f"era {s.era}", f"group {s.group}", "overall"):
            add(scope, s.name, None)
        for metric, outcome in s.events:
            table = table_of(metric, s.era, s.present)
            for scope in (
                f"era {s.era}",
                f"table {table}",
                f"group {s.group}",
                f"{s.group} {table}",
                "overall",
            ):
                add(scope, s.name, outcome)
    result = {}
    for scope, c in counts.items():
        p, r, f = _prf(c["tp"], c["fp"], c["fn"])
        result[scope] = {**c, "docs": len(docs[scope]), "precision": p, "recall": r, "f1": f}
    return result


def _scope_order(scope: str) -> tuple:
    kind, _, name = scope.partition(" ")
    eras = ("narrative", *STANDARD_ERAS)
    groups = ("seeds", "h+k", "d01–d40")
    if kind == "era":
        return (0, eras.index(name) if name in eras else 9, name)
    if kind == "table":
        return (1, TABLES.index(name) if name in TABLES else 9, name)
    if kind == "group":
        return (2, groups.index(name) if name in groups else 9, name)
    if kind == "overall":
        return (4, 0, "")
    g = groups.index(kind) if kind in groups else 9
    return (3, g, TABLES.index(name) if name in TABLES else 9, kind)


def _pad(text: str, width: int) -> str:
    """Left-justify to a display width (CJK characters take two columns)."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - shown)


def print_breakdown(breakdown: dict[str, dict[str, float]], out=sys.stdout) -> None:
    """The per-era / per-table / per-group figures as one aligned table (no `precision=` in it)."""
    print("scope                 docs    tp    fp    fn      P      R     F1", file=out)
    for scope in sorted(breakdown, key=_scope_order):
        c = breakdown[scope]
        print(
            f"{_pad(scope, 20)} {c['docs']:>5} {c['tp']:>5} {c['fp']:>5} {c['fn']:>5}"
            f" {c['precision']:6.3f} {c['recall']:6.3f} {c['f1']:6.3f}",
            file=out,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="+", help="pairs of RAW_DIR GOLD_DIR")
    args = parser.parse_args(argv)
    if len(args.dirs) % 2:
        parser.error("give RAW_DIR GOLD_DIR pairs")
    pairs = [(Path(a), Path(b)) for a, b in zip(args.dirs[::2], args.dirs[1::2], strict=True)]
    evaluate(pairs)
    return 0


if __name__ == "__main__":
    sys.exit(main())

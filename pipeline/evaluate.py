"""Score the pipeline against gold JSON files: `python -m pipeline.evaluate RAW_DIR GOLD_DIR [...]`.

Per document it prints misses, wrong values, extras (facts under a required code the gold
does not list; `ambiguous` metrics are not scored either way) and metadata mismatches;
then overall precision / recall / F1 over facts.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

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


def predicted_metadata(result: DocumentResult) -> dict:
    if result.extraction is None:
        return {}
    meta = result.extraction.metadata
    values = {f: getattr(meta, f, None) for f in _META_FIELDS if f != "script"}
    values["script"] = result.script
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}


def score_document(result: DocumentResult, gold: dict) -> DocScore:
    score = DocScore(name=gold["file"], status=result.status)
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
        elif abs(fact.value - value) > 1e-6:
            score.wrong.append(f"{metric}: got {fact.value:g}, gold {value:g}  «{fact.evidence[:60]}»")
        else:
            score.tp += 1
            if fact.is_approximate != (metric in gold.get("approx", [])):
                score.approx.append(f"{metric}: is_approximate={fact.is_approximate}")
    for metric, fact in predicted.items():
        if metric in REQUIRED_CODES and metric not in gold["facts"] and metric not in ambiguous:
            score.extras.append(f"{metric}={fact.value:g}  «{fact.evidence[:60]}»")
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
            scores.append(score_document(result, gold))
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
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "metadata_mismatches": meta_errors,
        "documents": len(scores),
    }


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

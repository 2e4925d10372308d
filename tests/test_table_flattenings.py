"""The flattening matrix (issue #15 item 3): every real standard table, re-rendered the ways scrapes flatten it.

For each real report with a standard table (seeds and ../shared/corpus), the table grid the pipeline reads
from the original text (`extraction.cells`, blank and NA cells kept) is restricted to the rows whose facts
match the gold, rendered with the official labels and headers in each flattening below, put into a minimal
report and run through `process_document`. The gold table facts (breakdown 'total') must come out with the
gold values; a rendering listed as ambiguous in the case data must give no wrong value and a finding.

The cases and their expectations are data: tests/cases/flattenings.json. Script mode prints the matrix:

    PYTHONPATH=. .venv/bin/python tests/test_table_flattenings.py [DOC ...] [--show DOC FLATTENING]
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # script mode
    sys.path.insert(0, str(ROOT))

from bench.evaluate import table_of, tables_present  # noqa: E402
from pipeline.html import html_to_text  # noqa: E402
from pipeline.metrics import (  # noqa: E402
    APPLICANT_COLUMNS,
    ARTICLE20_ITEMS,
    DENIED_REASONS,
    NOT_PROCESSED_REASONS,
    OTHER_REASONS,
    PROCEEDING_RESULTS,
    UNABLE_REASONS,
)
from pipeline.process import process_document  # noqa: E402

SHARED = ROOT.parent / "shared"
CASES = json.loads((ROOT / "tests" / "cases" / "flattenings.json").read_text(encoding="utf-8"))
SOURCES = {
    "seeds": (SHARED / "seeds", SHARED / "gold"),
    "corpus": (SHARED / "corpus" / "raw", SHARED / "corpus" / "gold"),
}

# --- the official layout (labels from pipeline.metrics where they are the printed ones) ----------------

_CN = "一二三四五六七八九十"
_T3_HEAD_ROWS = [
    ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"],
    ["自然人", "法人或其他组织", "总计"],
    [
        APPLICANT_COLUMNS[k][0]
        for k in ("commercial", "research", "public_interest", "legal_service", "other")
    ],
]
_T3_COLUMNS = list(APPLICANT_COLUMNS)  # natural_person … other, total
_T3_TOP = {  # row -> printed label (with its ordinal)
    "apply.new": "一、本年新收政府信息公开申请数量",
    "apply.carried_over": "二、上年结转政府信息公开申请数量",
    "apply.outcome.granted": "（一）予以公开",
    "apply.outcome.partial": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "apply.total_handled": "（七）总计",
    "apply.carried_forward": "四、结转下年度继续办理",
}
_T3_GROUPS = [  # group metric, printed group label, sub-row labels
    ("apply.outcome.denied", "（三）不予公开", DENIED_REASONS, 8),
    ("apply.outcome.unable", "（四）无法提供", UNABLE_REASONS, 3),
    ("apply.outcome.not_processed", "（五）不予处理", NOT_PROCESSED_REASONS, 5),
    ("apply.outcome.other", "（六）其他处理", OTHER_REASONS, 3),
]
_T3_RESULTS = "三、本年度办理结果"
_OTHER_2021_TAIL = "、行政机关不再处理其政府信息公开申请"

_T2_ITEMS = [  # ordinal of 第二十条, items
    ("一", ("rules", "normative_docs")),
    ("五", ("licensing", "other_services")),
    ("六", ("punishment", "coercion")),
    ("八", ("admin_fees",)),
    ("九", ("procurement",)),
]
_T2_HEADERS = {
    "made": {"2019": "本年新制作数量", "2021": "本年制发件数"},
    "published": "本年新公开数量",
    "total_public": "对外公开总数量",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "prev_items": "上一年项目数量",
    "change": "本年增/减",
    "decisions": {"2019": "处理决定数量", "2021": "本年处理决定数量"},
    "projects": "采购项目数量",
    "amount": {"2019": "采购总金额", "2021": "本年收费金额（单位：万元）"},
}

_T4_BLOCKS = ("review", "litigation.direct", "litigation.after_review")
_T4_RESULTS = [label for label, _ in PROCEEDING_RESULTS.values()]
_T4_HEAD_ROWS = [
    ["行政复议", "行政诉讼"],
    [*_T4_RESULTS, "未经复议直接起诉", "复议后起诉"],
    _T4_RESULTS * 2,
]


@dataclass
class Table:
    """One printed table: header rows, then data rows; each row a list of cells ('' = a blank cell)."""

    name: str  # 表二 / 表三 / 表四
    header: list[list[str]]
    rows: list[list[str]]
    n_label: list[int]  # per data row: how many leading cells are labels
    n_values: int = 0  # value cells per full row (markdown widths)
    groups: list[int] | None = None  # for 表二: data-row indices that start a new 第二十条 item


def _raw(cell) -> str:
    return "" if cell.kind == "blank" else cell.raw


def _era_key(era: str) -> str:
    return "2021" if era == "std2021" else "2019"


def build_tables(cells, era: str, keep_t3: set[str], keep_t4: bool) -> list[Table]:
    """The tables to print from the pipeline's cell grid: 表三 rows in `keep_t3`, 表四 when `keep_t4`."""
    grid: dict[str, dict[str, dict[str, object]]] = {}
    for c in cells:
        grid.setdefault(c.table, {}).setdefault(c.row, {})[c.column] = c
    out = []
    t2 = grid.get("table2", {})
    if t2:
        header: list[list[str]] = []
        rows: list[list[str]] = []
        labels: list[int] = []
        starts: list[int] = []
        for ordinal, items in _T2_ITEMS:
            present = [k for k in items if f"article20.{k}" in t2]
            if not present:
                continue
            starts.append(len(rows))
            columns = list(t2[f"article20.{present[0]}"])
            heads = []
            for col in columns:
                head = _T2_HEADERS.get(col.removesuffix("_unknown_unit").removesuffix("_yuan"), col)
                heads.append(head[_era_key(era)] if isinstance(head, dict) else head)
            rows.append([f"第二十条第（{ordinal}）项"])
            labels.append(1)
            rows.append(["信息内容", *heads])
            labels.append(len(heads) + 1)
            for k in present:
                name = ARTICLE20_ITEMS[k][0]
                if k == "normative_docs" and era == "std2021":
                    name = "行政" + name
                row = t2[f"article20.{k}"]
                rows.append([name, *(_raw(row[col]) if col in row else "" for col in columns)])
                labels.append(1)
        out.append(Table("表二", header, rows, labels, n_values=3, groups=starts))
    t3 = grid.get("table3", {})
    if t3 and keep_t3:
        rows, labels = [], []
        results_printed = False

        def add(key: str, label_cells: list[str]) -> None:
            row = t3[key]
            rows.append([*label_cells, *(_raw(row[c]) if c in row else "" for c in _T3_COLUMNS)])
            labels.append(len(label_cells))

        for key in ("apply.new", "apply.carried_over", "apply.outcome.granted", "apply.outcome.partial"):
            if key in keep_t3 and key in t3:
                prefix = []
                if key.startswith("apply.outcome") and not results_printed:
                    prefix, results_printed = [_T3_RESULTS], True
                add(key, [*prefix, _T3_TOP[key]])
        for group, glabel, reasons, _n in _T3_GROUPS:
            if group == "apply.outcome.other" and (era != "std2021" or group in t3):  # one printed row
                if group in keep_t3 and group in t3:
                    prefix = [] if results_printed else [_T3_RESULTS]
                    results_printed = True
                    add(group, [*prefix, glabel])
                continue
            first = True
            for i, (reason, (label, _en)) in enumerate(reasons.items(), start=1):
                key = f"{group}.{reason}"
                if key not in t3 or key not in keep_t3:
                    continue
                if group == "apply.outcome.other" and reason != "other":
                    label += _OTHER_2021_TAIL
                prefix = []
                if not results_printed:
                    prefix, results_printed = [_T3_RESULTS], True
                if first:
                    prefix.append(glabel)
                    first = False
                add(key, [*prefix, f"{i}.{label}"])
        for key in ("apply.total_handled", "apply.carried_forward"):
            if key in keep_t3 and key in t3:
                add(key, [_T3_TOP[key]])
        if rows:
            out.append(Table("表三", [list(r) for r in _T3_HEAD_ROWS], rows, labels, n_values=7))
    t4 = grid.get("table4", {})
    if t4 and keep_t4 and all(b in t4 for b in _T4_BLOCKS):
        values = [_raw(t4[b][r]) if r in t4[b] else "" for b in _T4_BLOCKS for r in PROCEEDING_RESULTS]
        out.append(Table("表四", [list(r) for r in _T4_HEAD_ROWS], [values], [0], n_values=15))
    return out


# --- flattenings --------------------------------------------------------------------------------------


def _all_rows(t: Table) -> list[list[str]]:
    return [*t.header, *t.rows]


def _nonblank(row: list[str]) -> list[str]:
    return [c for c in row if c != ""]


def flat_pipe(t: Table) -> str:
    return "\n".join(" | ".join(row) + " |" for row in _all_rows(t))


def flat_markdown(t: Table) -> str:
    rows = _all_rows(t)
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * max(len(rows[0]), 2)]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)


def flat_cell_lines(t: Table) -> str:
    return "\n".join(c for row in _all_rows(t) for c in _nonblank(row))


def flat_cell_paragraphs(t: Table) -> str:
    return "\n\n".join(c for row in _all_rows(t) for c in _nonblank(row))


def flat_one_line(t: Table) -> str:
    return " ".join(c for row in _all_rows(t) for c in _nonblank(row))


def flat_glued(t: Table) -> str:
    return "\n".join("".join(_nonblank(row)) for row in _all_rows(t))


def flat_pdf_lines(t: Table) -> str:
    """PDF text layer: header words on their lines, each row's labels on one line, its values on the next."""
    lines = [" ".join(_nonblank(row)) for row in t.header]
    for row, n in zip(t.rows, t.n_label, strict=True):
        labels, values = row[:n], _nonblank(row[n:])
        if labels:
            lines.append(" ".join(labels))
        if values:
            lines.append(" ".join(values))
    return "\n".join(lines)


def flat_pdf_pages(t: Table) -> str:
    """The PDF text layer with a page break in the middle of the table: footer `— 4 —`, then the rest."""
    lines = flat_pdf_lines(t).split("\n")
    middle = len(lines) // 2
    return "\n".join([*lines[:middle], "— 4 —", "", *lines[middle:]])


def flat_shredded(t: Table) -> str:
    """PDF-to-markdown: header text wrapped into broken lines, a fragment header row, then markdown rows."""
    head = "".join(c for row in t.header for c in row)
    lines = [head[i : i + 12] for i in range(0, len(head), 12)]
    width = t.n_values + 2
    fragments = [c[-2:] for c in t.header[-1]] if t.header else []
    fragments += [""] * (width - len(fragments))
    lines.append("| " + " | ".join(fragments) + " |")
    lines.append("|" + "---|" * width)
    lines += ["| " + " | ".join(row) + " |" for row in t.rows]
    return "\n".join(lines)


def flat_html(t: Table) -> str:
    def tr(row: list[str], tag: str = "td") -> str:
        return "<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in row) + "</tr>"

    html = "<table>" + "".join(tr(r, "th") for r in t.header) + "".join(tr(r) for r in t.rows) + "</table>"
    return html_to_text(f"<html><body>{html}</body></html>")


FLATTENINGS = {
    "pipe": flat_pipe,
    "markdown": flat_markdown,
    "cell_lines": flat_cell_lines,
    "cell_paragraphs": flat_cell_paragraphs,
    "one_line": flat_one_line,
    "glued": flat_glued,
    "pdf_lines": flat_pdf_lines,
    "pdf_pages": flat_pdf_pages,
    "shredded_md": flat_shredded,
    "html": flat_html,
}
assert set(FLATTENINGS) == set(CASES["flattenings"])

_SECTIONS = {
    "表二": "二、主动公开政府信息情况",
    "表三": "三、收到和处理政府信息公开申请情况",
    "表四": "四、政府信息公开行政复议、行政诉讼情况",
}


def render_report(organ: str, year: int, tables: list[Table], flattening: str) -> str:
    flat = FLATTENINGS[flattening]
    parts = [
        f"{organ}{year}年政府信息公开工作年度报告",
        "一、总体情况",
        f"{year}年，本机关认真贯彻落实《条例》。",
    ]
    by_name = {t.name: t for t in tables}
    for name, heading in _SECTIONS.items():
        parts.append(heading)
        if name in by_name:
            parts.append(flat(by_name[name]))
    parts += ["五、存在的主要问题及改进情况", "信息公开工作仍有不足。", "六、其他需要报告的事项", "无。"]
    return "\n".join(parts) + "\n"


# --- the cases ------------------------------------------------------------------------------------------


@dataclass
class Source:
    name: str
    gold: dict
    era: str
    tables: list[Table]
    expected: dict[str, float]  # gold table facts the original's reading gets right


@cache
def load_source(name: str) -> Source | None:
    where = CASES["documents"][name]
    raw_dir, gold_dir = SOURCES[where]
    gold_path = gold_dir / f"{name.rsplit('.', 1)[0]}.json"
    if not gold_path.exists():
        return None
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    era = gold.get("format_era") or gold.get("era")
    result = process_document((raw_dir / gold["file"]).read_bytes(), gold["file"])
    present = tables_present(result.normalized.text, era)
    ambiguous = {a["metric"] if isinstance(a, dict) else a for a in gold.get("ambiguous", [])}
    got = {f.metric: f.value for f in result.extraction.facts if f.breakdown == "total"}
    expected = {
        m: v
        for m, v in gold["facts"].items()
        if table_of(m, era, present) in _SECTIONS and m not in ambiguous and got.get(m) == v
    }
    # 表三 rows whose facts match the gold: a row of a gold metric read right, or every sub-row of a gold
    # group read right; the applicant split of the 本年新收 row is part of that row.
    keep_t3 = {m for m in expected if m.startswith("apply.")}
    for group, *_ in _T3_GROUPS:
        if group in keep_t3:
            keep_t3 |= {c.row for c in result.extraction.cells if c.row.startswith(group + ".")}
    if not ({"apply.applicant.natural_person", "apply.applicant.legal_person"} & set(expected)) and (
        "apply.new" not in expected
    ):
        keep_t3.discard("apply.new")
    keep_t4 = any(m.startswith(("review.", "litigation.")) for m in expected)
    tables = build_tables(result.extraction.cells, era, keep_t3, keep_t4)
    rendered_t3 = {c.row for c in result.extraction.cells if c.table == "table3"} & keep_t3
    expected = {
        m: v
        for m, v in expected.items()
        if not m.startswith("apply.")
        or m in rendered_t3
        or (m.startswith("apply.applicant.") and "apply.new" in rendered_t3)
        or any(r.startswith(m + ".") for r in rendered_t3)
    }
    if not any(t.name == "表四" for t in tables):
        expected = {m: v for m, v in expected.items() if not m.startswith(("review.", "litigation."))}
    if not any(t.name == "表二" for t in tables):
        expected.pop("proactive.normative_docs", None)
    return Source(name, gold, era, tables, expected)


def render_case(name: str, flattening: str) -> str:
    src = load_source(name)
    organ = src.gold.get("organ") or "某县人民政府办公室"
    return render_report(organ, src.gold["report_year"], src.tables, flattening)


def run_case(name: str, flattening: str) -> tuple[list[str], list[str], int]:
    """(missing metrics, wrong values, findings) of one rendering; metrics the case data calls ambiguous
    there are never counted missing (they may be absent, but not wrong)."""
    src = load_source(name)
    text = render_case(name, flattening)
    result = process_document(text.encode("utf-8"), f"{name}.{flattening}.txt")
    if result.extraction is None:
        return [f"quarantined: {result.status_reason}"], [], 0
    got = {f.metric: f.value for f in result.extraction.facts if f.breakdown == "total"}
    ambiguous = _AMBIGUOUS.get(_key(name, flattening), {}).get("metrics", [])
    missing = [f"{m}={v:g}" for m, v in src.expected.items() if m not in got and m not in ambiguous]
    wrong = [f"{m}: got {got[m]:g}, gold {v:g}" for m, v in src.expected.items() if m in got and got[m] != v]
    return missing, wrong, len(result.extraction.findings)


def _key(doc: str, flattening: str) -> str:
    return f"{doc}/{flattening}"


_XFAIL = {_key(x["doc"], x["flattening"]): x["reason"] for x in CASES["xfail"]}
#: renderings whose glue no identity can undo, for some metrics: those must be absent or right, and a
#: finding must say so; the other metrics must still come out.
_AMBIGUOUS = {_key(x["doc"], x["flattening"]): x for x in CASES["ambiguous"]}


def _params():
    for doc in CASES["documents"]:
        for flattening in CASES["flattenings"]:
            key = _key(doc, flattening)
            marks = []
            if key in _XFAIL:
                marks.append(pytest.mark.xfail(strict=True, reason=_XFAIL[key]))
            yield pytest.param(doc, flattening, id=key, marks=marks)


needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared not present")


@needs_shared
@pytest.mark.parametrize(("doc", "flattening"), list(_params()))
def test_flattening(doc, flattening):
    src = load_source(doc)
    if src is None:
        pytest.skip(f"no gold for {doc}")
    assert src.expected, f"{doc}: no table fact read right from the original (remove it from the cases)"
    missing, wrong, findings = run_case(doc, flattening)
    assert not wrong, wrong
    if _key(doc, flattening) in _AMBIGUOUS:
        assert findings, "an ambiguous rendering must say so in a finding"
    assert not missing, missing


@needs_shared
def test_case_data_names_real_cases():
    keys = {_key(d, f) for d in CASES["documents"] for f in CASES["flattenings"]}
    assert set(_XFAIL) <= keys and set(_AMBIGUOUS) <= keys


# --- script mode -------------------------------------------------------------------------------------------


def matrix(docs: list[str] | None = None, out=sys.stdout) -> dict[str, tuple[list[str], list[str], int]]:
    """Print document × flattening: ok / ok+amb (its ambiguous metrics withheld, with a finding) / FAIL /
    WRONG, then what each failure misses."""
    docs = docs or list(CASES["documents"])
    flats = list(CASES["flattenings"])
    results = {}
    print("doc       " + " ".join(f"{f[:10]:>10}" for f in flats), file=out)
    for doc in docs:
        if load_source(doc) is None:
            continue
        cells = []
        for f in flats:
            missing, wrong, findings = results.setdefault(_key(doc, f), run_case(doc, f))
            amb = _key(doc, f) in _AMBIGUOUS
            ok = not wrong and not missing and (findings or not amb)
            mark = ("ok+amb" if amb else "ok") if ok else ("WRONG" if wrong else "FAIL")
            if _key(doc, f) in _XFAIL:
                mark += "*"
            cells.append(f"{mark:>10}")
        print(f"{doc[:9]:<9} " + " ".join(cells), file=out)
    print("(* = listed as xfail in tests/cases/flattenings.json)", file=out)
    for key, (missing, wrong, findings) in results.items():
        if missing or wrong or (key in _AMBIGUOUS and not findings):
            print(f"{key}: findings={findings}", file=out)
            for w in wrong:
                print(f"    wrong   {w}", file=out)
            if missing:
                print(f"    missing {', '.join(missing)}", file=out)
    return results


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--show"]:
        print(render_case(args[1], args[2]))
    else:
        matrix(args or None)

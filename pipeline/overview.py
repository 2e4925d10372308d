"""`<warehouse name>.overview.html`: one self-contained page (inline SVG charts, inline CSS, no
scripts, nothing fetched) that a person opens to see what the warehouse holds.

Pure: reads the analyst views through a DuckDB connection, draws with matplotlib's object API
(no pyplot state, no GUI backend), returns the page as a string.
"""

from __future__ import annotations

import html
import io
import re
import warnings
from pathlib import Path

import duckdb
from matplotlib import rc_context
from matplotlib.figure import Figure

#: Chart ids, in page order (the test checks each is on the page).
CHARTS = ("requests_by_year", "rates_by_province", "refusal_reasons", "review_litigation")

#: First report year of each standard-table format (国办公开办函〔2019〕60号, then the 2021 revision).
FORMAT_CHANGES = {2019: "2019 standard tables", 2021: "2021 revised tables"}

_OUTCOMES = (("apply_granted", "予以公开 granted"), ("apply_partial", "部分公开 partial"),
             ("apply_denied", "不予公开 denied"), ("apply_unable", "无法提供 unable"),
             ("apply_not_processed", "不予处理 not processed"))  # fmt: skip

#: Text stays text in the SVG (the browser draws it with its own CJK fonts); the fonts listed
#: here only size it while laying out, the first one installed wins.
_RC = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "DejaVu Sans"],
}


def overview_path(warehouse_file: Path) -> Path:
    return warehouse_file.with_name(f"{warehouse_file.stem}.overview.html")


def _svg(fig: Figure, chart_id: str) -> str:
    buffer = io.StringIO()
    with warnings.catch_warnings():  # a glyph missing from the layout font is drawn by the browser anyway
        warnings.simplefilter("ignore")
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and DOCTYPE (a URL the page need not name)
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    return svg.replace("<svg ", f'<svg id="{chart_id}" role="img" ', 1)


def _figure(height: float = 3.6) -> tuple[Figure, object]:
    fig = Figure(figsize=(9, height), layout="constrained")
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _empty(ax, what: str) -> None:
    ax.text(0.5, 0.5, f"no {what} in the warehouse", ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()


def requests_by_year(conn: duckdb.DuckDBPyConnection) -> str:
    cols = ", ".join(f"sum({c})" for c, _ in _OUTCOMES)
    rows = conn.execute(
        f"SELECT report_year, sum(apply_new), {cols} FROM v_body_years GROUP BY 1 ORDER BY 1"
    ).fetchall()
    fig, ax = _figure()
    ax.set_title("Requests received and their outcomes by report year (one report per body-year)")
    if not rows:
        _empty(ax, "requests")
        return _svg(fig, "requests_by_year")
    years = [r[0] for r in rows]
    bottom = [0.0] * len(rows)
    for i, (_, label) in enumerate(_OUTCOMES):
        values = [r[2 + i] or 0 for r in rows]
        ax.bar(years, values, bottom=bottom, label=label, width=0.7)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    # a year whose reports state no 本年新收 breaks the line instead of dropping it to 0
    ax.plot(years, [float("nan") if r[1] is None else r[1] for r in rows], "k.-", label="本年新收 received")
    shown = [(y, label) for y, label in FORMAT_CHANGES.items() if years[0] < y <= years[-1]]
    for i, (year, label) in enumerate(shown):  # labels one above the other, only inside the data's years
        ax.axvline(year - 0.5, color="grey", linestyle="--", linewidth=1)
        ax.text(year - 0.4, ax.get_ylim()[1] * (0.97 - 0.08 * i), label, fontsize=8, color="grey", va="top")
    ax.set_xticks(years, [str(y) for y in years], rotation=45)
    ax.set_ylabel("requests")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1, 1))
    return _svg(fig, "requests_by_year")


def rates_by_province(conn: duckdb.DuckDBPyConnection) -> str:
    rows = conn.execute(
        """SELECT coalesce(province, '(place not resolved)'), sum(granted_or_partial) / nullif(sum(handled), 0),
                  sum(handled), sum(reports)
           FROM v_rankings GROUP BY 1 HAVING sum(handled) > 0 ORDER BY 2"""
    ).fetchall()
    fig, ax = _figure(max(2.4, 0.32 * len(rows) + 1))
    ax.set_title("实质公开率 (granted + partial) / handled, by province, all years")
    if not rows:
        _empty(ax, "rates")
        return _svg(fig, "rates_by_province")
    bars = ax.barh([r[0] for r in rows], [r[1] for r in rows], color="#4c72b0")
    ax.bar_label(
        bars,
        [f"{r[1]:.0%}  ({int(r[2])} handled, {r[3]} report{'s' if r[3] > 1 else ''})" for r in rows],
        fontsize=8,
        padding=3,
    )
    ax.set_xlim(0, 1.35)
    ax.set_xlabel("share of handled requests")
    return _svg(fig, "rates_by_province")


def refusal_reasons(conn: duckdb.DuckDBPyConnection) -> str:
    rows = conn.execute(
        """SELECT outcome, reason_zh, sum(value) FROM v_refusal_reasons GROUP BY 1, 2
           HAVING sum(value) > 0 ORDER BY 3"""
    ).fetchall()
    fig, ax = _figure(max(2.4, 0.3 * len(rows) + 1))
    ax.set_title("Refusal reasons: 不予公开 / 无法提供 / 不予处理 sub-reasons, all years")
    if not rows:
        _empty(ax, "refusal reasons")
        return _svg(fig, "refusal_reasons")
    colours = {"denied": "#c44e52", "unable": "#dd8452", "not_processed": "#8172b3"}
    bars = ax.barh(
        [f"{r[1]} ({r[0]})" for r in rows], [r[2] for r in rows], color=[colours[r[0]] for r in rows]
    )
    ax.bar_label(bars, [f"{r[2]:g}" for r in rows], fontsize=8, padding=3)
    ax.set_xlabel("requests")
    return _svg(fig, "refusal_reasons")


def review_litigation(conn: duckdb.DuckDBPyConnection) -> str:
    rows = conn.execute(
        """SELECT report_year, sum(review_total), sum(review_corrected), sum(litigation_total),
                  sum(litigation_corrected)
           FROM v_body_years GROUP BY 1 HAVING sum(review_total) IS NOT NULL OR sum(litigation_total) IS NOT NULL
           ORDER BY 1"""
    ).fetchall()
    fig, ax = _figure()
    ax.set_title("Administrative review (行政复议) and litigation (行政诉讼): total and corrected, by year")
    if not rows:
        _empty(ax, "review or litigation figures")
        return _svg(fig, "review_litigation")
    labels = ("复议 review", "复议纠正 review corrected", "诉讼 litigation", "诉讼纠正 litigation corrected")
    width = 0.2
    for i, label in enumerate(labels):
        ax.bar([r[0] + (i - 1.5) * width for r in rows], [r[1 + i] or 0 for r in rows], width, label=label)
    ax.set_xticks([r[0] for r in rows], [str(r[0]) for r in rows], rotation=45)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1, 1))
    return _svg(fig, "review_litigation")


_DRAW = (requests_by_year, rates_by_province, refusal_reasons, review_litigation)


def _table(header: list[str], rows: list[tuple]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape('' if v is None else f'{v:g}' if isinstance(v, float) else str(v))}</td>"
            for v in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body or '<tr><td colspan=99>none</td></tr>'}</tbody></table>"


_CSS = """body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2em auto;
max-width:1200px;color:#222}h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd}
.cards{display:flex;gap:1em;flex-wrap:wrap}.card{background:#f4f6fa;padding:.8em 1.2em;border-radius:6px}
.card b{display:block;font-size:1.6em}table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
td,th{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}th{background:#f4f6fa}
svg{width:100%;height:auto}"""


def build_overview(conn: duckdb.DuckDBPyConnection, title: str) -> str:
    """The overview page of the warehouse behind `conn`."""
    parsed, quarantined, bodies, years = conn.execute(
        """SELECT count(*) FILTER (status = 'parsed'), count(*) FILTER (status = 'quarantined'),
                  count(DISTINCT organ_key), min(report_year) || '–' || max(report_year) FROM v_reports"""
    ).fetchone()
    facts, findings = conn.execute(
        "SELECT (SELECT count(*) FROM v_facts), (SELECT count(*) FROM v_quality_findings)"
    ).fetchone()
    cards = [("reports parsed", parsed), ("quarantined", quarantined), ("bodies", bodies),
             ("report years", years or "–"), ("numbers extracted", facts), ("quality findings", findings)]  # fmt: skip
    findings_rows = conn.execute(
        """SELECT r.source_file, r.organ, r.report_year, q.check_name, q.severity, q.expected, q.observed,
                  q.source_inconsistent, q.detail
           FROM v_quality_findings q LEFT JOIN v_reports r USING (report_id)
           ORDER BY q.severity = 'error' DESC, q.source_inconsistent DESC, abs(q.observed - q.expected) DESC NULLS LAST,
                    r.source_file, q.check_name
           LIMIT 50"""
    ).fetchall()
    copied = conn.execute(
        """SELECT organ, report_year, report_id, previous_report_id, same_numbers, same_text
           FROM v_year_over_year WHERE possibly_copied ORDER BY organ, report_year LIMIT 50"""
    ).fetchall()
    quarantine_rows = conn.execute(
        "SELECT source_file, status_reason FROM v_reports WHERE status = 'quarantined' ORDER BY source_file LIMIT 100"
    ).fetchall()
    with rc_context(_RC):
        charts = {name: draw(conn) for name, draw in zip(CHARTS, _DRAW, strict=True)}
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        '<div class="cards">'
        + "".join(f"<div class=card><b>{html.escape(str(v))}</b>{k}</div>" for k, v in cards)
        + "</div>",
        "<h2>Requests and outcomes by year</h2>",
        "<p>Dashed lines: the 2019 standard tables and their 2021 revision (narrative reports before 2019 "
        "state fewer outcomes).</p>",
        charts["requests_by_year"],
        "<h2>Rates by province</h2>",
        charts["rates_by_province"],
        "<h2>Refusal reasons</h2>",
        charts["refusal_reasons"],
        "<h2>Administrative review and litigation</h2>",
        charts["review_litigation"],
        "<h2>Quality findings that matter</h2>",
        "<p>Errors first, then reports whose own numbers disagree, then the largest differences (first 50; "
        "all in <code>v_quality_findings</code>).</p>",
        _table(
            [
                "file",
                "organ",
                "year",
                "check",
                "severity",
                "expected",
                "observed",
                "report itself wrong",
                "detail",
            ],
            findings_rows,
        ),  # fmt: skip
        "<h2>Possibly copied reports</h2>",
        "<p>Reports that repeat the same body's previous-year numbers or text (<code>v_year_over_year</code>).</p>",
        _table(["organ", "year", "report", "previous report", "same numbers", "same text"], copied),
        "<h2>Quarantined files</h2>",
        _table(["file", "reason"], quarantine_rows),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def write_overview(conn: duckdb.DuckDBPyConnection, target: Path) -> Path:
    """Write the page to `target` atomically (a reader never sees half a page)."""
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(build_overview(conn, f"xxgk warehouse overview: {target.name.removesuffix('.overview.html')}"),
                   encoding="utf-8")  # fmt: skip
    tmp.replace(target)
    return target

-- Shared by every identity query (run once per connection, before the other files).
-- Read-only: it creates TEMP macros and tables only, so it also runs on a read-only connection.
--
-- identity_facts (a view): every fact of a parsed report, as a term an identity may use.
--   pool       'table'     = read from a standard table of a std2019 / std2021 report;
--              'narrative' = everything else (prose, and any table of a narrative-era report).
--   usable     no blank / NA / text cell behind the term (for a derived total: behind any of its
--              parts). A term that is not usable, missing, or stated twice makes its identity NOT
--              ASSESSABLE (each query counts its terms): it is never read as 0.
--   clean      usable and not approximate (a derived total is the sum of printed cells; an
--              extractor marks it approximate when a part is). When every term of a failing
--              identity is clean, the report's own numbers disagree
--              (quality_findings.source_inconsistent).
-- Each identity query aggregates once over the facts it needs; detail text (lhs_terms, rhs_terms)
-- is built only for rows whose two sides differ, so 100k reports stay fast.

SET enable_progress_bar = false;

CREATE OR REPLACE TEMP MACRO xxgk_num(v) AS
    CASE WHEN v IS NULL THEN '?'
         WHEN v = trunc(v) AND abs(v) < 1e15 THEN CAST(CAST(v AS BIGINT) AS VARCHAR)
         ELSE CAST(round(v, 4) AS VARCHAR) END;

-- "label value" for a detail line: '?' when the term is missing, '余' after an approximate value.
CREATE OR REPLACE TEMP MACRO xxgk_term(label, v, approx) AS
    label || ' ' || xxgk_num(v) || CASE WHEN approx THEN '余' ELSE '' END;

-- Short labels for detail lines (the full labels are dim_metric.label_zh).
CREATE OR REPLACE TEMP TABLE identity_labels AS
SELECT * FROM (VALUES
    ('apply.new', '本年新收'),
    ('apply.carried_over', '上年结转'),
    ('apply.total_handled', '办理结果总计'),
    ('apply.carried_forward', '结转下年度'),
    ('apply.handled_on_time', '按时办结'),
    ('apply.handled_extended', '延期办结'),
    ('apply.outcome.granted', '予以公开'),
    ('apply.outcome.partial', '部分公开'),
    ('apply.outcome.denied', '不予公开'),
    ('apply.outcome.unable', '无法提供'),
    ('apply.outcome.not_processed', '不予处理'),
    ('apply.outcome.other', '其他处理'),
    ('apply.outcome.already_public', '已主动公开'),
    ('apply.outcome.not_own_agency', '非本机关信息'),
    ('apply.outcome.nonexistent', '信息不存在'),
    ('apply.outcome.ask_amend', '告知更改补充'),
    ('apply.outcome.redirect', '告知其他途径'),
    ('proactive.total', '主动公开'),
    ('review.total', '行政复议总计'),
    ('litigation.total', '行政诉讼总计')
) t(code, short);

-- Every metric code with its label for detail lines: the short label above, else dim_metric.label_zh.
CREATE OR REPLACE TEMP TABLE identity_metric_labels AS
SELECT d.code, coalesce(l.short, d.label_zh, d.code) AS label
FROM dim_metric d LEFT JOIN identity_labels l ON l.code = d.code;

-- Column and split labels: 表三's applicant columns (format_table3_columns, from pipeline.formats),
-- then the levels of narrative splits.
CREATE OR REPLACE TEMP TABLE identity_breakdowns AS
SELECT breakdown, label, ord FROM format_table3_columns
UNION ALL
SELECT * FROM (VALUES
    ('level:province', '省级', 11),
    ('level:city', '市级', 12),
    ('level:municipal', '市本级', 12),
    ('level:district', '区级', 13),
    ('level:county', '县级', 14),
    ('level:township', '乡镇级', 15)
) t(breakdown, label, ord);

-- Parsed reports and their format era.
CREATE OR REPLACE TEMP TABLE identity_reports AS
SELECT report_id, format_era FROM reports WHERE status = 'parsed';

-- whole -> part: the sum tree of dim_metric, plus litigation.X = 未经复议直接起诉 X + 复议后起诉 X.
CREATE OR REPLACE TEMP TABLE identity_parts AS
SELECT parent_code AS whole, code AS part FROM dim_metric WHERE parent_is_sum AND parent_code IS NOT NULL
UNION ALL
SELECT 'litigation.' || x.result, b.block || '.' || x.result
FROM format_table4_results x, format_table4_blocks b WHERE b.block LIKE 'litigation.%';

-- Terms with no number behind them: table cells that are blank / NA / text, and every total
-- derived from such a cell. A cell names its term either as (row_key, column_key) =
-- (metric, breakdown), e.g. ('apply.new', 'natural_person'), or as row_key.column_key = metric with
-- breakdown 'total', e.g. ('review', 'upheld') for review.upheld.
CREATE OR REPLACE TEMP TABLE identity_bad_terms AS
WITH cells AS (
    SELECT report_id, row_key AS metric, column_key AS breakdown
    FROM table_cells WHERE cell_kind IN ('blank', 'na', 'text')
    UNION ALL
    SELECT report_id, row_key || '.' || column_key, 'total'
    FROM table_cells WHERE cell_kind IN ('blank', 'na', 'text')
)
SELECT DISTINCT report_id, metric, breakdown FROM (
    SELECT * FROM cells
    UNION ALL
    SELECT c.report_id, p.whole, c.breakdown FROM cells c JOIN identity_parts p ON p.part = c.metric
);

CREATE OR REPLACE TEMP VIEW identity_facts AS
SELECT f.report_id, f.metric, f.breakdown, f.value,
       coalesce(f.is_approximate, false) AS is_approximate,
       coalesce(f.is_derived, false) AS is_derived,
       CASE WHEN coalesce(f.source, 'table') = 'table' AND r.format_era IN ('std2019', 'std2021')
            THEN 'table' ELSE 'narrative' END AS pool,
       b.report_id IS NULL AS usable,
       b.report_id IS NULL AND NOT coalesce(f.is_approximate, false) AS clean
FROM (
    SELECT report_id, metric, breakdown, value, is_approximate, is_derived, source FROM fact_requests
    UNION ALL SELECT report_id, metric, breakdown, value, is_approximate, is_derived, source FROM fact_review_litigation
    UNION ALL SELECT report_id, metric, breakdown, value, is_approximate, is_derived, source FROM fact_proactive
) f
JOIN identity_reports r ON r.report_id = f.report_id
LEFT JOIN identity_bad_terms b ON b.report_id = f.report_id AND b.metric = f.metric AND b.breakdown = f.breakdown;

-- The facts of the reports this run assesses (identity_scope, filled by identities.prepare: every
-- parsed report, or those loaded since the last assessment). The per-report identities read these;
-- the cross-year identity pairs reports of different runs, so it reads identity_facts.
CREATE OR REPLACE TEMP VIEW identity_scoped_facts AS
SELECT * FROM identity_facts WHERE report_id IN (SELECT report_id FROM identity_scope);

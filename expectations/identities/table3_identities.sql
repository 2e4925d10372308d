-- 表三 收到和处理政府信息公开申请情况 (standard tables, pool 'table'): one row per report and
-- applicant column (I1, I2) or per report and printed row (I3). Every term is required: a missing,
-- blank or NA term, or one stated twice, makes the row not assessable (assessable = false,
-- relation / lhs / rhs / diff NULL).
--   I1 table3_intake_equals_outcome    本年新收 + 上年结转 = 办理结果总计 + 结转下年度   (per column)
--   I2 table3_outcomes_sum_to_total    办理结果总计 = 予以公开 + 部分公开 + 不予公开 + 无法提供
--                                      + 不予处理 + 其他处理                              (per column)
--      (the group totals 不予公开 … 其他处理 are the sums of their printed sub-rows)
--   I3 table3_row_total_equals_columns 总计 = 自然人 + 商业企业 + 科研机构 + 社会公益组织
--                                      + 法律服务机构 + 其他                              (per row)
-- Output (the common shape of every identity query): report_id, check_name, breakdown (column,
-- row or block), scope, relation ('=' / '>=' / '<=' that lhs must bear to rhs; NULL when not
-- assessable), assessable, clean (every term clean), lhs, rhs, diff = lhs - rhs, and lhs_terms /
-- rhs_terms ("label value + …", only where the two sides differ).
WITH t3 AS MATERIALIZED (
    SELECT report_id, metric, breakdown, value, is_approximate, is_derived, usable, clean
    FROM identity_scoped_facts
    WHERE pool = 'table' AND metric LIKE 'apply.%'
      AND breakdown IN (SELECT breakdown FROM format_table3_columns)
),
-- the terms of I1 and I2 (pipeline.formats; ord numbers the terms of one identity from 0)
roles AS (SELECT check_name, metric, side, ord, n_terms FROM format_table3_roles),
columns AS (
    SELECT breakdown, label, ord - 1 AS ord FROM identity_breakdowns WHERE ord <= 7
),
per_column AS (
    SELECT t.report_id, r.check_name, t.breakdown,
           count(*) = any_value(r.n_terms) AND bit_or(1 << r.ord) = (1 << any_value(r.n_terms)) - 1
               AND bool_and(t.usable AND NOT t.is_approximate) AS assessable,
           bool_and(t.clean) AS clean,
           sum(t.value) FILTER (WHERE r.side = 'lhs') AS lhs,
           sum(t.value) FILTER (WHERE r.side = 'rhs') AS rhs
    FROM t3 t JOIN roles r ON r.metric = t.metric
    GROUP BY t.report_id, r.check_name, t.breakdown
),
-- printed rows (apply.applicant.* describe the column headers, not a row)
per_row AS (
    SELECT t.report_id, 'table3_row_total_equals_columns' AS check_name, t.metric AS breakdown,
           count(*) = 7 AND bit_or(1 << c.ord) = 127 AND bool_and(t.usable AND NOT t.is_approximate) AS assessable,
           bool_and(t.clean) AS clean,
           sum(t.value) FILTER (WHERE t.breakdown = 'total') AS lhs,
           sum(t.value) FILTER (WHERE t.breakdown <> 'total') AS rhs
    FROM t3 t JOIN columns c ON c.breakdown = t.breakdown
    WHERE NOT t.is_derived AND t.metric NOT LIKE 'apply.applicant.%'
    GROUP BY t.report_id, t.metric
    HAVING count(*) FILTER (WHERE t.breakdown <> 'total') > 0
),
judged AS (
    SELECT report_id, check_name, breakdown,
           CASE WHEN assessable THEN '=' END AS relation, assessable, clean,
           CASE WHEN assessable THEN lhs END AS lhs,
           CASE WHEN assessable THEN rhs END AS rhs,
           CASE WHEN assessable THEN round(lhs - rhs, 6) END AS diff
    FROM per_column
    UNION ALL
    SELECT report_id, check_name, breakdown,
           CASE WHEN assessable THEN '=' END, assessable, clean,
           CASE WHEN assessable THEN lhs END,
           CASE WHEN assessable THEN rhs END,
           CASE WHEN assessable THEN round(lhs - rhs, 6) END
    FROM per_row
),
differing AS MATERIALIZED (
    SELECT report_id, check_name, breakdown FROM judged WHERE diff <> 0
),
-- the facts of the reports with a differing row only (keeps the text joins small)
t3_differing AS MATERIALIZED (
    SELECT * FROM t3 WHERE report_id IN (SELECT report_id FROM differing)
),
texts AS (
    SELECT d.report_id, d.check_name, d.breakdown,
           string_agg(xxgk_term(ml.label, t.value, t.is_approximate), ' + ' ORDER BY r.ord) FILTER (WHERE r.side = 'lhs') AS lhs_terms,
           string_agg(xxgk_term(ml.label, t.value, t.is_approximate), ' + ' ORDER BY r.ord) FILTER (WHERE r.side = 'rhs') AS rhs_terms
    FROM differing d
    JOIN roles r ON r.check_name = d.check_name
    JOIN t3_differing t ON t.report_id = d.report_id AND t.metric = r.metric AND t.breakdown = d.breakdown
    JOIN identity_metric_labels ml ON ml.code = r.metric
    GROUP BY ALL
    UNION ALL
    SELECT d.report_id, d.check_name, d.breakdown,
           string_agg(xxgk_term(c.label, t.value, t.is_approximate), ' + ' ORDER BY c.ord) FILTER (WHERE c.breakdown = 'total'),
           string_agg(xxgk_term(c.label, t.value, t.is_approximate), ' + ' ORDER BY c.ord) FILTER (WHERE c.breakdown <> 'total')
    FROM differing d
    JOIN t3_differing t ON t.report_id = d.report_id AND t.metric = d.breakdown
    JOIN columns c ON c.breakdown = t.breakdown
    WHERE d.check_name = 'table3_row_total_equals_columns'
    GROUP BY ALL
)
SELECT j.report_id, j.check_name, j.breakdown,
       '表三 ' || CASE WHEN j.check_name = 'table3_row_total_equals_columns'
                      THEN coalesce(ml.label, j.breakdown) ELSE coalesce(c.label, j.breakdown) END AS scope,
       j.relation, j.assessable, j.clean, j.lhs, j.rhs, j.diff, x.lhs_terms, x.rhs_terms
FROM judged j
LEFT JOIN texts x ON x.report_id = j.report_id AND x.check_name = j.check_name AND x.breakdown = j.breakdown
LEFT JOIN columns c ON c.breakdown = j.breakdown
LEFT JOIN identity_metric_labels ml ON ml.code = j.breakdown

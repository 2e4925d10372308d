-- 表四 政府信息公开行政复议、行政诉讼情况 (standard tables, pool 'table'): one row per report and
-- block (I4) or per report and result (litigation). Every term is required: a missing, blank or
-- NA term, or one stated twice, makes the row not assessable.
--   I4 table4_block_total  for 行政复议 / 未经复议直接起诉 / 复议后起诉:
--                          总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结
--   table4_litigation_equals_direct_plus_after_review  for each result X:
--                          行政诉讼 X = 未经复议直接起诉 X + 复议后起诉 X
-- Output: the common shape of every identity query (see table3_identities.sql).
WITH t4 AS MATERIALIZED (
    SELECT report_id, metric, value, is_approximate, usable, clean
    FROM identity_scoped_facts
    WHERE pool = 'table' AND breakdown = 'total' AND (metric LIKE 'review.%' OR metric LIKE 'litigation.%')
),
results AS (SELECT result, label, ord FROM format_table4_results),  -- pipeline.formats, 总计 first
blocks AS (SELECT block, label, ord FROM format_table4_blocks),
-- (check, key) -> its terms; ord numbers the terms of one identity from 0
roles AS (
    SELECT 'table4_block_total' AS check_name, b.block AS key, '表四 ' || b.label AS scope,
           b.block || '.' || x.result AS metric, CASE WHEN x.ord = 0 THEN 'lhs' ELSE 'rhs' END AS side,
           x.ord, 5 AS n_terms, x.label AS term_label
    FROM blocks b CROSS JOIN results x WHERE b.block <> 'litigation'
    UNION ALL
    SELECT 'table4_litigation_equals_direct_plus_after_review', x.result, '表四 行政诉讼 ' || x.label,
           b.block || '.' || x.result, CASE WHEN b.ord = 0 THEN 'lhs' ELSE 'rhs' END,
           b.ord, 3, b.label
    FROM blocks b CROSS JOIN results x WHERE b.block LIKE 'litigation%'
),
judged AS MATERIALIZED (
    SELECT t.report_id, r.check_name, r.key AS breakdown, any_value(r.scope) AS scope,
           count(*) = any_value(r.n_terms) AND bit_or(1 << r.ord) = (1 << any_value(r.n_terms)) - 1
               AND bool_and(t.usable AND NOT t.is_approximate) AS assessable,
           bool_and(t.clean) AS clean,
           sum(t.value) FILTER (WHERE r.side = 'lhs') AS lhs,
           sum(t.value) FILTER (WHERE r.side = 'rhs') AS rhs
    FROM t4 t JOIN roles r ON r.metric = t.metric
    GROUP BY t.report_id, r.check_name, r.key
),
-- the facts of the reports with a differing row only (keeps the text join small)
t4_differing AS MATERIALIZED (
    SELECT * FROM t4 WHERE report_id IN (SELECT report_id FROM judged WHERE assessable AND lhs <> rhs)
),
texts AS (
    SELECT j.report_id, j.check_name, j.breakdown,
           string_agg(xxgk_term(r.term_label, t.value, t.is_approximate), ' + ' ORDER BY r.ord) FILTER (WHERE r.side = 'lhs') AS lhs_terms,
           string_agg(xxgk_term(r.term_label, t.value, t.is_approximate), ' + ' ORDER BY r.ord) FILTER (WHERE r.side = 'rhs') AS rhs_terms
    FROM judged j
    JOIN roles r ON r.check_name = j.check_name AND r.key = j.breakdown
    JOIN t4_differing t ON t.report_id = j.report_id AND t.metric = r.metric
    WHERE j.assessable AND j.lhs <> j.rhs
    GROUP BY ALL
)
SELECT j.report_id, j.check_name, j.breakdown, j.scope,
       CASE WHEN j.assessable THEN '=' END AS relation, j.assessable, j.clean,
       CASE WHEN j.assessable THEN j.lhs END AS lhs,
       CASE WHEN j.assessable THEN j.rhs END AS rhs,
       CASE WHEN j.assessable THEN round(j.lhs - j.rhs, 6) END AS diff,
       x.lhs_terms, x.rhs_terms
FROM judged j
LEFT JOIN texts x ON x.report_id = j.report_id AND x.check_name = j.check_name AND x.breakdown = j.breakdown

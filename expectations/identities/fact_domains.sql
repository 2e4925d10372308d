-- Domains of the facts: one row per parsed report in identity_scope and fact table, with the measurements the
-- fact_domains suite bounds.
--   max_facts_per_key   most facts sharing one (metric, breakdown) in the report    (must be 1)
--   unknown_metrics     facts whose metric code is not in dim_metric               (must be 0)
--   min_value           smallest value, except the signed 本年增/减 (*.change)     (must be >= 0)
--   max_fraction        largest |value - round(value)| over exact counts           (must be 0)
-- The text columns (duplicate_key, unknown_metric, min_value_key, fraction_key) name an offending
-- fact; they are filled only for rows that break a bound, so a large warehouse stays fast.
SET enable_progress_bar = false;

WITH f AS NOT MATERIALIZED (
    SELECT v.report_id, v.fact_table, v.metric, v.breakdown, v.value,
           coalesce(v.is_approximate, false) AS is_approximate,
           coalesce(d.unit, v.unit) AS unit, d.code IS NULL AS unknown
    FROM v_facts v
    LEFT JOIN dim_metric d ON d.code = v.metric
    WHERE v.report_id IN (SELECT report_id FROM identity_scope)
),
-- one pass, grouped by report (small groups): distinct keys counted on a 64-bit hash of
-- (metric, breakdown); a report whose count differs is confirmed exactly below
measured AS MATERIALIZED (
    SELECT report_id, fact_table,
           count(*) - list_unique(list(hash(metric, breakdown))) AS hashed_duplicates,
           CAST(count(*) FILTER (WHERE unknown) AS DOUBLE) AS unknown_metrics,
           min(value) FILTER (WHERE metric NOT LIKE '%.change') AS min_value,
           max(abs(value - round(value))) FILTER (WHERE unit = 'count' AND NOT is_approximate) AS max_fraction
    FROM f GROUP BY report_id, fact_table
),
suspect AS MATERIALIZED (
    SELECT report_id FROM measured
    WHERE hashed_duplicates > 0 OR unknown_metrics > 0 OR min_value < 0 OR max_fraction > 0
),
dup AS (
    SELECT report_id, fact_table, max(n) AS n, arg_max(metric || ' / ' || breakdown, n) AS duplicate_key
    FROM (
        SELECT report_id, fact_table, metric, breakdown, count(*) AS n
        FROM f WHERE report_id IN (SELECT report_id FROM suspect)
        GROUP BY ALL HAVING count(*) > 1
    )
    GROUP BY ALL
),
offending AS (
    SELECT f.report_id, f.fact_table,
           min(f.metric) FILTER (WHERE f.unknown) AS unknown_metric,
           arg_min(f.metric || ' / ' || f.breakdown, f.value) FILTER (WHERE f.metric NOT LIKE '%.change') AS min_value_key,
           arg_max(f.metric || ' / ' || f.breakdown || ' = ' || CAST(f.value AS VARCHAR), abs(f.value - round(f.value)))
               FILTER (WHERE f.unit = 'count' AND NOT f.is_approximate) AS fraction_key
    FROM f
    WHERE f.report_id IN (SELECT report_id FROM suspect)
    GROUP BY f.report_id, f.fact_table
)
SELECT m.report_id, m.fact_table,
       CAST(coalesce(dup.n, 1) AS DOUBLE) AS max_facts_per_key,
       dup.duplicate_key,
       m.unknown_metrics, o.unknown_metric,
       m.min_value, o.min_value_key,
       m.max_fraction, o.fraction_key
FROM measured m
LEFT JOIN dup ON dup.report_id = m.report_id AND dup.fact_table = m.fact_table
LEFT JOIN offending o ON o.report_id = m.report_id AND o.fact_table = m.fact_table
ORDER BY m.report_id, m.fact_table

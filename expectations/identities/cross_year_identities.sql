-- I5 carry_over_matches_last_year: this year's 上年结转 = last year's 结转下年度 for the same
-- issuing body (same organ, province, city and county; only when exactly one parsed report of that
-- body exists in each of the two years), per applicant column both reports state. A table fact is
-- preferred over a prose fact for the same key. Only the later report gets a finding.
-- Output: the common shape of every identity query (see table3_identities.sql).
WITH r AS (
    SELECT report_id, organ, province, city, county, report_year
    FROM reports
    WHERE status = 'parsed' AND organ IS NOT NULL AND organ <> '' AND report_year IS NOT NULL
    QUALIFY count(*) OVER (PARTITION BY organ, province, city, county, report_year) = 1
),
pairs AS (
    SELECT cur.report_id, prev.report_id AS prev_id, prev.report_year AS prev_year
    FROM r cur
    JOIN r prev
        ON prev.organ = cur.organ
       AND prev.province IS NOT DISTINCT FROM cur.province
       AND prev.city IS NOT DISTINCT FROM cur.city
       AND prev.county IS NOT DISTINCT FROM cur.county
       AND prev.report_year = cur.report_year - 1
),
carry AS (  -- one term per key: the table's if both a table and a prose fact exist; twice -> unusable
    SELECT report_id, metric, breakdown,
           CASE WHEN n_table > 0 THEN table_value ELSE prose_value END AS value,
           CASE WHEN n_table > 0 THEN table_approximate ELSE prose_approximate END AS is_approximate,
           CASE WHEN n_table > 0 THEN n_table = 1 AND table_usable ELSE n_prose = 1 AND prose_usable END AS usable,
           CASE WHEN n_table > 0 THEN n_table = 1 AND table_clean ELSE n_prose = 1 AND prose_clean END AS clean
    FROM (
        SELECT report_id, metric, breakdown,
               count(*) FILTER (WHERE pool = 'table') AS n_table,
               min(value) FILTER (WHERE pool = 'table') AS table_value,
               bool_or(is_approximate) FILTER (WHERE pool = 'table') AS table_approximate,
               bool_and(usable) FILTER (WHERE pool = 'table') AS table_usable,
               bool_and(clean) FILTER (WHERE pool = 'table') AS table_clean,
               count(*) FILTER (WHERE pool = 'narrative') AS n_prose,
               min(value) FILTER (WHERE pool = 'narrative') AS prose_value,
               bool_or(is_approximate) FILTER (WHERE pool = 'narrative') AS prose_approximate,
               bool_and(usable) FILTER (WHERE pool = 'narrative') AS prose_usable,
               bool_and(clean) FILTER (WHERE pool = 'narrative') AS prose_clean
        FROM identity_facts
        WHERE metric IN ('apply.carried_over', 'apply.carried_forward')
        GROUP BY report_id, metric, breakdown
    )
),
joined AS (
    SELECT p.report_id, p.prev_id, p.prev_year, c.breakdown,
           c.value AS this_value, c.is_approximate AS this_approximate, c.clean AND coalesce(f.clean, false) AS clean,
           f.value AS last_value, f.is_approximate AS last_approximate,
           coalesce(c.usable AND f.usable AND NOT c.is_approximate AND NOT f.is_approximate, false) AS assessable
    FROM pairs p
    JOIN carry c ON c.report_id = p.report_id AND c.metric = 'apply.carried_over'
    LEFT JOIN carry f ON f.report_id = p.prev_id AND f.metric = 'apply.carried_forward' AND f.breakdown = c.breakdown
)
SELECT j.report_id, 'carry_over_matches_last_year' AS check_name, j.breakdown,
       '跨年 ' || coalesce(b.label, j.breakdown) AS scope,
       CASE WHEN assessable THEN '=' END AS relation,
       assessable, clean,
       CASE WHEN assessable THEN this_value END AS lhs,
       CASE WHEN assessable THEN last_value END AS rhs,
       CASE WHEN assessable THEN round(this_value - last_value, 6) END AS diff,
       xxgk_term('本年上年结转', this_value, this_approximate) AS lhs_terms,
       xxgk_term(prev_year || '年报告 ' || prev_id || ' 结转下年度', last_value, last_approximate) AS rhs_terms
FROM joined j
LEFT JOIN identity_breakdowns b ON b.breakdown = j.breakdown

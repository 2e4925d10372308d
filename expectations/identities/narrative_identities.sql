-- Sum identities stated in prose (pool 'narrative': every fact of a narrative-era report, and the
-- prose facts of a standard report). One row per report and identity (and proceeding).
--   O1 narrative_channels_sum_to_new       本年新收 = Σ 申请渠道 (当面、网络、信函、传真 …)
--   O2 narrative_on_time_plus_extended     办理结果总计 (else 本年新收) = 按时办结 + 延期办结
--   O3 narrative_outcomes_sum_to_total     办理结果总计 (else 本年新收) = Σ 答复结果
--   O4 narrative_denied_reasons_sum        不予公开 = Σ 不予公开理由
--   O5 narrative_proceeding_results_sum    行政复议 / 行政诉讼 总数 = 维持 + 纠错 + 其他 + 尚未审结
--   O6 narrative_proceeding_levels_sum     行政复议 / 行政诉讼 总数 = Σ 各层级 (breakdown level:*)
--   O7 narrative_proactive_levels_sum      主动公开总数 = Σ 各层级 (breakdown level:*)
-- Prose often lists only some parts ("其中网上申请3件"), so equality is assessed only when the parts
-- plausibly cover the whole: O3 when all eight narrative outcomes (已主动公开, 同意公开, 同意部分公开,
-- 不同意公开, 非本机关, 信息不存在, 告知更改补充, 告知其他途径) are stated; the others when at least
-- two parts are stated. Otherwise the parts may never EXCEED the whole.
--   relation '='   whole exact, parts exact and complete:           whole = Σ parts
--   relation '>='  whole exact, parts partial or approximate (余):  whole >= Σ parts
--   relation '<='  whole approximate (a lower bound), parts exact and complete: whole <= Σ parts
--   otherwise (or a term not usable): not assessable.
-- A whole or a part stated twice makes the row not assessable. The detail text is built only for
-- rows that break their relation.
-- Output: the common shape of every identity query (see table3_identities.sql).
WITH n AS MATERIALIZED (  -- one row per stated key; n_facts > 1 = stated twice
    SELECT report_id, metric, breakdown, count(*) AS n_facts, min(value) AS value,
           bool_or(is_approximate) AS is_approximate, bool_and(usable) AND count(*) = 1 AS usable,
           bool_and(clean) AND count(*) = 1 AS clean
    FROM identity_scoped_facts
    WHERE pool = 'narrative' AND (breakdown = 'total' OR breakdown LIKE 'level:%')
      AND (metric LIKE 'apply.%' OR metric LIKE 'review.%' OR metric LIKE 'litigation.%' OR metric = 'proactive.total')
    GROUP BY report_id, metric, breakdown
),
proceedings(p, label) AS (VALUES ('review', '行政复议'), ('litigation', '行政诉讼')),
wholes AS (
    SELECT 'narrative_channels_sum_to_new' AS check_name, 'total' AS key, '叙述 申请渠道' AS scope, n.*
    FROM n WHERE metric = 'apply.new' AND breakdown = 'total'
    UNION ALL
    SELECT c.check_name, 'total', c.scope, n.*
    FROM n CROSS JOIN (VALUES ('narrative_on_time_plus_extended', '叙述 办结时限'),
                              ('narrative_outcomes_sum_to_total', '叙述 答复结果')) c(check_name, scope)
    WHERE n.breakdown = 'total' AND (
        n.metric = 'apply.total_handled'
        OR (n.metric = 'apply.new' AND n.report_id NOT IN (
            SELECT report_id FROM n WHERE metric = 'apply.total_handled' AND breakdown = 'total')))
    UNION ALL
    SELECT 'narrative_denied_reasons_sum', 'total', '叙述 不予公开理由', n.*
    FROM n WHERE metric = 'apply.outcome.denied' AND breakdown = 'total'
    UNION ALL
    SELECT 'narrative_proceeding_results_sum', p.p, '叙述 ' || p.label || ' 结果', n.*
    FROM n JOIN proceedings p ON n.metric = p.p || '.total' WHERE breakdown = 'total'
    UNION ALL
    SELECT 'narrative_proceeding_levels_sum', p.p, '叙述 ' || p.label || ' 层级', n.*
    FROM n JOIN proceedings p ON n.metric = p.p || '.total' WHERE breakdown = 'total'
    UNION ALL
    SELECT 'narrative_proactive_levels_sum', 'proactive', '叙述 主动公开 层级', n.*
    FROM n WHERE metric = 'proactive.total' AND breakdown = 'total'
),
parts AS MATERIALIZED (
    SELECT 'narrative_channels_sum_to_new' AS check_name, 'total' AS key, n.*
    FROM n WHERE metric LIKE 'apply.channel.%' AND breakdown = 'total'
    UNION ALL
    SELECT 'narrative_on_time_plus_extended', 'total', n.*
    FROM n WHERE metric IN ('apply.handled_on_time', 'apply.handled_extended') AND breakdown = 'total'
    UNION ALL
    SELECT 'narrative_outcomes_sum_to_total', 'total', n.*
    FROM n WHERE breakdown = 'total' AND metric IN (
        'apply.outcome.granted', 'apply.outcome.partial', 'apply.outcome.denied', 'apply.outcome.unable',
        'apply.outcome.not_processed', 'apply.outcome.other', 'apply.outcome.already_public',
        'apply.outcome.not_own_agency', 'apply.outcome.nonexistent', 'apply.outcome.ask_amend',
        'apply.outcome.redirect')
    UNION ALL
    SELECT 'narrative_denied_reasons_sum', 'total', n.*
    FROM n WHERE metric LIKE 'apply.outcome.denied.%' AND breakdown = 'total'
    UNION ALL
    SELECT 'narrative_proceeding_results_sum', p.p, n.*
    FROM n JOIN proceedings p
        ON n.metric IN (p.p || '.upheld', p.p || '.corrected', p.p || '.other', p.p || '.pending')
    WHERE breakdown = 'total'
    UNION ALL
    SELECT 'narrative_proceeding_levels_sum', p.p, n.*
    FROM n JOIN proceedings p ON n.metric = p.p || '.total' WHERE breakdown LIKE 'level:%'
    UNION ALL
    SELECT 'narrative_proactive_levels_sum', 'proactive', n.*
    FROM n WHERE metric = 'proactive.total' AND breakdown LIKE 'level:%'
),
summed AS (
    SELECT report_id, check_name, key,
           count(*) AS n_parts,
           count(*) FILTER (WHERE metric IN (
               'apply.outcome.already_public', 'apply.outcome.granted', 'apply.outcome.partial',
               'apply.outcome.denied', 'apply.outcome.not_own_agency', 'apply.outcome.nonexistent',
               'apply.outcome.ask_amend', 'apply.outcome.redirect')) AS n_narrative_outcomes,
           sum(value) AS parts_sum,
           bool_and(usable) AS parts_usable,
           bool_or(is_approximate) AS parts_approximate,
           bool_and(clean) AS parts_clean
    FROM parts
    GROUP BY report_id, check_name, key
),
judged AS (
    SELECT w.report_id, w.check_name, w.key AS breakdown, w.scope, w.metric AS whole_metric,
           w.value AS lhs, s.parts_sum AS rhs, w.usable AND s.parts_usable AS usable,
           w.is_approximate AS whole_approximate, s.parts_approximate,
           CASE WHEN w.check_name = 'narrative_outcomes_sum_to_total' THEN s.n_narrative_outcomes = 8
                ELSE s.n_parts >= 2 END AS complete,
           w.clean AND s.parts_clean AS clean
    FROM wholes w
    JOIN summed s ON s.report_id = w.report_id AND s.check_name = w.check_name AND s.key = w.key
),
related AS MATERIALIZED (
    SELECT *,
           CASE WHEN NOT usable THEN NULL
                WHEN NOT whole_approximate AND complete AND NOT parts_approximate THEN '='
                WHEN NOT whole_approximate THEN '>='
                WHEN complete AND NOT parts_approximate THEN '<='
           END AS relation
    FROM judged
),
broken AS MATERIALIZED (  -- rows whose relation does not hold exactly: the only ones given text
    SELECT report_id, check_name, breakdown, whole_metric FROM related
    WHERE (relation = '=' AND lhs <> rhs) OR (relation = '>=' AND lhs < rhs) OR (relation = '<=' AND lhs > rhs)
),
texts AS (
    SELECT b.report_id, b.check_name, b.breakdown,
           xxgk_term(coalesce(wl.label, b.whole_metric), any_value(w.value), any_value(w.is_approximate)) AS lhs_terms,
           string_agg(xxgk_term(CASE WHEN p.breakdown = 'total' THEN coalesce(pl.label, p.metric)
                                     ELSE coalesce(bl.label, p.breakdown) END, p.value, p.is_approximate),
                      ' + ' ORDER BY p.metric, p.breakdown) AS rhs_terms
    FROM broken b
    JOIN n w ON w.report_id = b.report_id AND w.metric = b.whole_metric AND w.breakdown = 'total'
    JOIN parts p ON p.report_id = b.report_id AND p.check_name = b.check_name AND p.key = b.breakdown
    LEFT JOIN identity_metric_labels wl ON wl.code = b.whole_metric
    LEFT JOIN identity_metric_labels pl ON pl.code = p.metric
    LEFT JOIN identity_breakdowns bl ON bl.breakdown = p.breakdown
    GROUP BY b.report_id, b.check_name, b.breakdown, b.whole_metric, wl.label
)
SELECT r.report_id, r.check_name, r.breakdown, r.scope, r.relation,
       r.relation IS NOT NULL AS assessable, r.clean,
       CASE WHEN r.relation IS NOT NULL THEN r.lhs END AS lhs,
       CASE WHEN r.relation IS NOT NULL THEN r.rhs END AS rhs,
       CASE WHEN r.relation IS NOT NULL THEN round(r.lhs - r.rhs, 6) END AS diff,
       t.lhs_terms, t.rhs_terms
FROM related r
LEFT JOIN texts t ON t.report_id = r.report_id AND t.check_name = r.check_name AND t.breakdown = r.breakdown

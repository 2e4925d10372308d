-- Year ranges of every parsed report in identity_scope: one row per report, with the measurements the
-- report_ranges suite bounds (NULL when the report does not state the date, so not assessable).
--   report_year                       the year the report covers
--   period_start_year_offset          year(period_start) - report_year   (must be 0)
--   period_end_year_offset            year(period_end) - report_year     (must be 0)
--   period_days                       period_end - period_start in days  (must be >= 0)
--   publish_lag_days                  published_on - period_end in days  (1 … 731: after the period,
--                                     within two years; period_end defaults to 31 December)
--   format_era                        narrative / std2019 (from 2019) / std2021 (from 2021)
-- Text columns (source_file, dates) only feed the detail lines.
SELECT report_id, source_file,
       CAST(report_year AS DOUBLE) AS report_year,
       format_era,
       CAST(year(period_start) - report_year AS DOUBLE) AS period_start_year_offset,
       CAST(year(period_end) - report_year AS DOUBLE) AS period_end_year_offset,
       CAST(date_diff('day', period_start, period_end) AS DOUBLE) AS period_days,
       CAST(date_diff('day', coalesce(period_end, make_date(report_year, 12, 31)), published_on) AS DOUBLE)
           AS publish_lag_days,
       CAST(period_start AS VARCHAR) AS period_start,
       CAST(period_end AS VARCHAR) AS period_end,
       CAST(published_on AS VARCHAR) AS published_on
FROM reports
WHERE status = 'parsed' AND report_id IN (SELECT report_id FROM identity_scope)
ORDER BY report_id

-- causeway results schema, version 7: views for the BI tools a CX team already uses
-- (Metabase, Grafana, Power BI over PostgreSQL). docs/bi-views.md has example queries.
--
-- They report on the current rule set, the one of the latest successful run (older
-- rule sets' rows stay in the tables). Like every view here, they qualify each
-- function and operator they call (see 0005): a reader's search_path cannot change
-- what they run.

-- Each rule set's symptoms and the cause areas they implicate, with the weights and
-- severities the run used (written by `causeway run` for its rule set).
CREATE TABLE ruleset_causes (
    ruleset_id   integer NOT NULL,
    symptom_id   text NOT NULL,
    symptom_name text NOT NULL,
    severity     integer NOT NULL,
    area_id      text NOT NULL,
    area_name    text NOT NULL,
    weight       double precision NOT NULL,
    PRIMARY KEY (ruleset_id, symptom_id, area_id)
);
COMMENT ON TABLE ruleset_causes IS
    'per rule set: each symptom, its severity, and the cause areas it implicates with their weights';

CREATE VIEW current_ruleset AS
SELECT rs.id AS ruleset_id, rs.hash AS ruleset_hash, r.id AS run_id, r.finished_at
  FROM runs r
  JOIN rulesets rs ON rs.hash OPERATOR(pg_catalog.=) r.ruleset_hash
 WHERE r.status OPERATOR(pg_catalog.=) 'ok'
 ORDER BY r.id DESC
 LIMIT 1;
COMMENT ON VIEW current_ruleset IS 'the rule set of the latest successful run: what the bi_ views show';

-- The weekly series: per cause area, area x site, symptom, symptom x site (and the
-- configured dimensions), one row per series and week.
CREATE VIEW bi_weekly AS
SELECT w.series, w.area_id, w.symptom_id, w.site, w.week,
       pg_catalog.to_char(w.week, 'IYYY-"W"IW') AS iso_week,
       w.complaints, w.attributed, w.weighted, w.exposure,
       CASE WHEN w.exposure OPERATOR(pg_catalog.>) CAST(0 AS double precision)
            THEN w.attributed OPERATOR(pg_catalog.*) CAST(1000 AS double precision)
                 OPERATOR(pg_catalog./) w.exposure
       END AS attributed_per_1000
  FROM weekly w
  JOIN current_ruleset cur ON w.ruleset_id OPERATOR(pg_catalog.=) cur.ruleset_id;
COMMENT ON VIEW bi_weekly IS
    'weekly series of the current rule set: complaints, attributed (sum of cause weights), '
    'weighted (x severity), exposure and attributed per 1000 exposure';

-- Every stored ranking with every score component; `latest` marks the newest week.
CREATE VIEW bi_ranking AS
SELECT r.target_week, pg_catalog.to_char(r.target_week, 'IYYY-"W"IW') AS iso_week,
       r.kind, r.rank, r.area_id, r.area_name, r.site, r.status, r.since_week,
       r.slope_pct, r.strength, r.score, r.volume, r.rate, r.trend_factor, r.driver_factor,
       r.severity_floor, r.max_severity, r.baseline, r.recent, r.excess, r.change,
       r.previous_week, r.owner, r.remediation,
       r.target_week OPERATOR(pg_catalog.=) (SELECT pg_catalog.max(l.target_week) FROM rankings l)
           AS latest
  FROM rankings r;
COMMENT ON VIEW bi_ranking IS
    'each stored week''s ranking: rank, status, score = max(volume x trend_factor, severity_floor) '
    'and every component';

-- Each complaint's symptoms (with the byte span of the evidence, never its text) and
-- the cause areas each symptom implicates, under the current rule set.
CREATE VIEW bi_complaint_causes AS
SELECT c.complaint_id, c.received_at, c.week, pg_catalog.to_char(c.week, 'IYYY-"W"IW') AS iso_week,
       c.channel, c.site, c.product, c.segment,
       m.symptom_id, rc.symptom_name, rc.severity, m.span_start, m.span_end,
       rc.area_id, rc.area_name, rc.weight
  FROM classified c
  JOIN current_ruleset cur ON c.ruleset_id OPERATOR(pg_catalog.=) cur.ruleset_id
 CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(c.symptoms), pg_catalog.unnest(c.span_starts),
                               pg_catalog.unnest(c.span_ends))
       AS m (symptom_id, span_start, span_end)
  LEFT JOIN ruleset_causes rc ON rc.ruleset_id OPERATOR(pg_catalog.=) c.ruleset_id
                             AND rc.symptom_id OPERATOR(pg_catalog.=) m.symptom_id;
COMMENT ON VIEW bi_complaint_causes IS
    'one row per complaint x symptom x cause area of the current rule set (ids and offsets only)';

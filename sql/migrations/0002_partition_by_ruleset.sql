-- causeway results schema, version 2: one row per complaint, its evidence inline,
-- partitioned by rule set.
--
-- Why (measured with `make bench`, 1 M complaints): version 1 wrote two rows per
-- complaint into two tables, the second through a spooled second COPY, and every
-- row updated B-tree indexes at a random place (complaint ids arrive in source
-- order, not index order). That was most of the run.
--
-- * The evidence (symptom ids and their spans in the body) is now arrays on the
--   complaint's classified row: one COPY, one row. `matches` is a view that
--   unnests them, for analysts and for compatibility.
-- * Snippets are no longer stored per match: the few example snippets a ranking
--   shows are cut from the source body when the ranking is made. The results
--   schema keeps offsets, not a second copy of every complaint's text, so erasing
--   a complaint in the source erases it here too (except where it is a stored
--   ranking's example).
-- * classified is partitioned by rule set (classified_r<id>). A run for a rule set
--   with no partition yet (the first run, or an edited rule file re-classifying the
--   look-back window) creates it, loads it without indexes and attaches it in the
--   same transaction; attaching builds the indexes once, by sorting. Later runs of
--   that rule set add their rows to the attached partition. Dropping a retired rule
--   set's results is dropping its partition.
--
-- Version 1 rows move into per-rule-set partitions with their evidence; only the
-- stored snippets (derived text) are dropped.
--
-- Every call is qualified (pg_catalog.unnest, OPERATOR(pg_catalog.||), ...): with
-- pg_catalog searched first a same-signature shadow loses, but a function with a
-- closer signature (unnest(text[]) against pg_catalog.unnest(anyarray)) planted in
-- the schema would still win. (Qualified since migration 0005; databases migrated
-- earlier get the view replaced there.)

ALTER TABLE classified RENAME TO classified_v1;
ALTER TABLE matches RENAME TO matches_v1;
ALTER INDEX classified_pkey RENAME TO classified_v1_pkey;
ALTER INDEX classified_week RENAME TO classified_v1_week;
ALTER INDEX matches_pkey RENAME TO matches_v1_pkey;

-- One row per complaint and rule set; complaint ids are text so any source id type
-- works. symptoms[i] fired with evidence body[span_starts[i], span_ends[i]) (bytes).
CREATE TABLE classified (
    ruleset_id    integer NOT NULL,
    complaint_id  text NOT NULL,
    received_at   timestamptz NOT NULL,
    week          date NOT NULL,          -- ISO Monday in the configured time zone
    channel       text,
    site          text,
    product       text,
    segment       text,
    run_id        bigint NOT NULL,
    symptom_count integer NOT NULL,
    symptoms      text[] NOT NULL,
    span_starts   integer[] NOT NULL,
    span_ends     integer[] NOT NULL,
    PRIMARY KEY (ruleset_id, complaint_id)
) PARTITION BY LIST (ruleset_id);
CREATE INDEX classified_week ON classified (ruleset_id, week);

-- The evidence, one row per symptom that fired.
CREATE VIEW matches AS
SELECT c.ruleset_id, c.complaint_id, e.symptom_id, e.span_start, e.span_end
  FROM classified c
 CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(c.symptoms), pg_catalog.unnest(c.span_starts),
                               pg_catalog.unnest(c.span_ends))
       AS e (symptom_id, span_start, span_end);

DO $$
DECLARE
    r integer;
BEGIN
    FOR r IN SELECT DISTINCT ruleset_id FROM classified_v1 ORDER BY 1 LOOP
        EXECUTE pg_catalog.format('CREATE TABLE %I PARTITION OF classified FOR VALUES IN (%s)',
                                  'classified_r' OPERATOR(pg_catalog.||) r, r);
    END LOOP;
END
$$;

INSERT INTO classified
SELECT c.ruleset_id, c.complaint_id, c.received_at, c.week, c.channel, c.site, c.product,
       c.segment, c.run_id, c.symptom_count,
       coalesce(m.symptoms, '{}'), coalesce(m.span_starts, '{}'), coalesce(m.span_ends, '{}')
  FROM classified_v1 c
  LEFT JOIN (SELECT ruleset_id, complaint_id,
                    pg_catalog.array_agg(symptom_id ORDER BY symptom_id) AS symptoms,
                    pg_catalog.array_agg(span_start ORDER BY symptom_id) AS span_starts,
                    pg_catalog.array_agg(span_end ORDER BY symptom_id) AS span_ends
               FROM matches_v1
              GROUP BY ruleset_id, complaint_id) m
       ON m.ruleset_id OPERATOR(pg_catalog.=) c.ruleset_id
      AND m.complaint_id OPERATOR(pg_catalog.=) c.complaint_id;
DROP TABLE matches_v1;
DROP TABLE classified_v1;

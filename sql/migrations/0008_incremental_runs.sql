-- causeway results schema, version 8: a weekly run costs what its new complaints cost
-- (issue 15), and source data problems are counted (issue 17, items 8 and 9).
-- (Version 7 is another branch's; the integrator may renumber this file.)
--
-- * rulesets gains the rule set's high-water mark: `watermark` is the start of the
--   oldest transaction open just before the last committed run of that rule set took
--   its snapshot of the source (or an hour before it, for a role that cannot see other
--   sessions), `covered_from` the earliest received_at its runs have classified from.
--   With the source's `updated_at` column mapped (causeway(1), INCREMENTAL RUNS), a run
--   reads only the rows changed since the mark instead of anti-joining the whole
--   look-back window. Both stay NULL for a
--   source without updated_at, and for rule sets classified before this version: their
--   next run reads the look-back window as before and sets the mark.
-- * rulesets also keeps the rule set's compiled matcher (`compiled`, Vectorscan's
--   serialized databases; `compiled_by` names the causeway build and Vectorscan version
--   it fits): a run that has complaints to classify loads it instead of compiling the
--   rules again (0.25 s of every run for the default rules). Only causeway's role
--   writes this schema (runs refuse a schema others may CREATE in).
-- * classified gains `updated_at`, the source row's updated_at when it was classified
--   (NULL without the mapping): a row whose updated_at moved was edited, and is
--   classified again (its old counts are taken out of weekly first).
-- * examples: the newest complaint per rule set, week, site ('' = every site) and
--   symptom, with its evidence span, kept up to date by every run, so a ranking finds
--   its example complaints without re-reading the recent weeks of classified. Ties on
--   received_at go to the smaller complaint id in byte order (COLLATE "C").
-- * runs gains the source problems the run counted and skipped (issue 17, item 8) and
--   how many edited complaints it classified again.

ALTER TABLE rulesets
    ADD COLUMN watermark timestamptz,
    ADD COLUMN covered_from timestamptz,
    ADD COLUMN compiled bytea,
    ADD COLUMN compiled_by text;

ALTER TABLE classified ADD COLUMN updated_at timestamptz;

ALTER TABLE runs
    ADD COLUMN null_ids bigint NOT NULL DEFAULT 0,
    ADD COLUMN null_received_at bigint NOT NULL DEFAULT 0,
    ADD COLUMN duplicate_ids bigint NOT NULL DEFAULT 0,
    ADD COLUMN future_rows bigint NOT NULL DEFAULT 0,
    ADD COLUMN reclassified bigint NOT NULL DEFAULT 0;

CREATE TABLE examples (
    ruleset_id   integer NOT NULL,
    week         date NOT NULL,
    site         text NOT NULL,           -- '' = the newest of every site
    symptom_id   text NOT NULL,
    complaint_id text NOT NULL,
    received_at  timestamptz NOT NULL,
    span_start   integer NOT NULL,
    span_end     integer NOT NULL,
    PRIMARY KEY (ruleset_id, week, symptom_id, site)
);

-- Existing results: the newest complaint of every cell, as the ranking used to find it.
INSERT INTO examples
SELECT DISTINCT ON (c.ruleset_id, c.week, e.symptom_id, s.site)
       c.ruleset_id, c.week, s.site, e.symptom_id, c.complaint_id, c.received_at,
       e.span_start, e.span_end
  FROM classified c
 CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(c.symptoms), pg_catalog.unnest(c.span_starts),
                               pg_catalog.unnest(c.span_ends)) AS e (symptom_id, span_start, span_end)
 CROSS JOIN LATERAL (VALUES (''::text), (COALESCE(c.site, ''))) AS s (site)
 WHERE c.symptom_count OPERATOR(pg_catalog.>) 0
 ORDER BY c.ruleset_id, c.week, e.symptom_id, s.site, c.received_at DESC,
          c.complaint_id COLLATE "C";

-- causeway results schema, version 5: every object qualifies what it calls.
--
-- Why: migration 0002 created the `matches` view with an unqualified unnest(...)
-- while search_path was "<schema>, pg_catalog". A role allowed to CREATE in the
-- results schema (or a results schema in an old database's `public`) could plant
-- <schema>.unnest(text[]): the view was bound to it at creation or on a later
-- re-creation, and every SELECT from the view ran that role's code as the reader,
-- superuser included. Function resolution prefers a closer signature to schema
-- order, so putting pg_catalog first alone does not stop that: the calls must be
-- qualified.
--
-- Applied, like every migration since this version, with search_path set to the
-- results schema alone, which PostgreSQL searches after pg_catalog; causeway
-- refuses a results schema others may CREATE in unless --allow-shared-schema.
-- Functions the schema's owner has here get search_path = pg_catalog, <schema>
-- from `causeway db migrate` itself (src/schema.c), whichever migration made them.

-- The evidence, one row per symptom that fired (as in 0002, with the calls qualified).
CREATE OR REPLACE VIEW matches AS
SELECT c.ruleset_id, c.complaint_id, e.symptom_id, e.span_start, e.span_end
  FROM classified c
 CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(c.symptoms), pg_catalog.unnest(c.span_starts),
                               pg_catalog.unnest(c.span_ends))
       AS e (symptom_id, span_start, span_end);

-- causeway results schema, version 9: rankings keep no complaint text.
--
-- Why: rankings.examples stored each example's snippet, the matched evidence with up
-- to 80 bytes of the body either side. The results schema is readable by dashboards
-- and analysts, and a complaint erased from the source (a data-subject request) stayed
-- readable there. From this version each example is {complaint_id, symptom_id,
-- span_start, span_end}: byte offsets of the evidence in the body, as `classified`
-- keeps them, and causeway cuts the snippet from the source when it shows a ranking
-- (src/evidence.c), so an erased complaint shows its id only.
--
-- (Numbered 9, not 7: other pending migrations take 7 and 8.)
--
-- Existing rows lose their snippets. Their offsets are recovered from `classified`
-- where the rule set's classification of that complaint is still there; otherwise the
-- example keeps its ids only.

UPDATE rankings r
   SET examples = (
       SELECT COALESCE(pg_catalog.jsonb_agg(
                  pg_catalog.jsonb_build_object('complaint_id', x.v->>'complaint_id',
                                                'symptom_id', x.v->>'symptom_id')
                  OPERATOR(pg_catalog.||) COALESCE((
                      SELECT pg_catalog.jsonb_build_object('span_start', m.span_start,
                                                           'span_end', m.span_end)
                        FROM matches m
                        JOIN rulesets rs ON rs.id OPERATOR(pg_catalog.=) m.ruleset_id
                       WHERE rs.hash OPERATOR(pg_catalog.=) r.ruleset_hash
                         AND m.complaint_id OPERATOR(pg_catalog.=) (x.v->>'complaint_id')
                         AND m.symptom_id OPERATOR(pg_catalog.=) (x.v->>'symptom_id')
                       LIMIT 1), '{}'::jsonb)
                  ORDER BY x.n), '[]'::jsonb)
         FROM pg_catalog.jsonb_array_elements(r.examples) WITH ORDINALITY x(v, n))
 WHERE pg_catalog.jsonb_path_exists(r.examples, '$[*].snippet');

COMMENT ON COLUMN rankings.examples IS
    'example complaints: [{complaint_id, symptom_id, span_start, span_end}], no text (0009)';

-- A JSON Schema subset validator in PL/pgSQL (type, const, enum, required,
-- properties, items, minimum, maximum), for test_report: the real PostgreSQL
-- checks causeway's JSON output against docs/ranking.schema.json.
CREATE FUNCTION pg_temp.cw_validate(s jsonb, d jsonb, path text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    types jsonb := CASE jsonb_typeof(s->'type') WHEN 'array' THEN s->'type'
                        WHEN 'string' THEN jsonb_build_array(s->'type') ELSE NULL END;
    actual text := jsonb_typeof(d);
    k text;
    i int;
BEGIN
    IF types IS NOT NULL AND NOT (types ? actual
        OR (types ? 'integer' AND actual = 'number' AND d::text::numeric = trunc(d::text::numeric))) THEN
        RETURN NEXT path || ': ' || actual || ' is not ' || types::text;
        RETURN;
    END IF;
    IF s ? 'const' AND d <> s->'const' THEN RETURN NEXT path || ': not ' || (s->>'const'); END IF;
    IF s ? 'enum' AND NOT (s->'enum') @> jsonb_build_array(d) THEN
        RETURN NEXT path || ': ' || d::text || ' not in ' || (s->'enum')::text;
    END IF;
    IF actual = 'number' AND s ? 'minimum' AND d::text::numeric < (s->>'minimum')::numeric THEN
        RETURN NEXT path || ': below minimum';
    END IF;
    IF actual = 'number' AND s ? 'maximum' AND d::text::numeric > (s->>'maximum')::numeric THEN
        RETURN NEXT path || ': above maximum';
    END IF;
    IF actual = 'object' THEN
        FOR k IN SELECT jsonb_array_elements_text(coalesce(s->'required', '[]')) LOOP
            IF NOT d ? k THEN RETURN NEXT path || ': missing ' || k; END IF;
        END LOOP;
        FOR k IN SELECT jsonb_object_keys(coalesce(s->'properties', '{}')) LOOP
            IF d ? k THEN
                RETURN QUERY SELECT pg_temp.cw_validate(s->'properties'->k, d->k, path || '.' || k);
            END IF;
        END LOOP;
    END IF;
    IF actual = 'array' AND s ? 'items' THEN
        FOR i IN 0 .. jsonb_array_length(d) - 1 LOOP
            RETURN QUERY SELECT pg_temp.cw_validate(s->'items', d->i, path || '[' || i || ']');
        END LOOP;
    END IF;
END $$;

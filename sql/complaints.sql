-- Reference source tables for the demo and the tests. causeway does not own them:
-- a deployment points the configuration at its own table or view.
CREATE TABLE IF NOT EXISTS public.complaints (
    id bigint PRIMARY KEY,
    received_at timestamptz NOT NULL,
    channel text,
    site text,
    product text,
    segment text,
    body text
);
CREATE INDEX IF NOT EXISTS complaints_received_at_idx ON public.complaints (received_at);

-- When the row was inserted or last changed. Mapped as source.columns.updated_at, it
-- lets a run read only what changed since the last one, late arrivals and edits
-- included (causeway(1), INCREMENTAL RUNS). The database sets it, not the writer.
ALTER TABLE public.complaints ADD COLUMN IF NOT EXISTS updated_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX IF NOT EXISTS complaints_updated_at_idx ON public.complaints (updated_at);
CREATE OR REPLACE FUNCTION public.complaints_touch() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog AS $$
BEGIN
    NEW.updated_at := pg_catalog.now();
    RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER complaints_touch BEFORE UPDATE ON public.complaints
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION public.complaints_touch();

-- Orders (or contacts) per site and week: turns complaint counts into rates.
CREATE TABLE IF NOT EXISTS public.exposure (
    week date,
    site text,
    volume double precision,
    PRIMARY KEY (week, site)
);

-- complaints.sql: the reference complaint source causeway reads by default.
-- Idempotent: safe to run again on an existing database.
CREATE TABLE IF NOT EXISTS public.complaints (
    id bigint PRIMARY KEY,
    received_at timestamptz NOT NULL,
    channel text,
    site text,
    product text,
    segment text,
    body text
);
CREATE INDEX IF NOT EXISTS complaints_received_at ON public.complaints (received_at);

-- Weekly exposure (e.g. orders shipped) per site, the denominator of complaint rates.
CREATE TABLE IF NOT EXISTS public.exposure (
    week date NOT NULL,
    site text NOT NULL,
    volume double precision,
    PRIMARY KEY (week, site)
);

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

-- Orders (or contacts) per site and week: turns complaint counts into rates.
CREATE TABLE IF NOT EXISTS public.exposure (
    week date,
    site text,
    volume double precision,
    PRIMARY KEY (week, site)
);

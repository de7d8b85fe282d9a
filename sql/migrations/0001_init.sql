-- 0001_init: the results schema. Runs with search_path = <results schema>, pg_catalog,
-- so every table lands in the results schema. Results are keyed by the rule-set hash:
-- two rule sets never mix. Absent keys are '' (not NULL) so they can be in primary keys.

CREATE TABLE runs (
    id bigserial PRIMARY KEY,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    status text NOT NULL DEFAULT 'running',
    ruleset_hash text,
    target_from date,
    target_to date,
    classified bigint,
    matched bigint,
    weeks int,
    version text
);

CREATE TABLE rulesets (
    hash text PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    source text,
    symptom_count int,
    area_count int
);

CREATE TABLE classified (
    ruleset_hash text NOT NULL,
    complaint_id text NOT NULL, -- text so any source id type works
    received_at timestamptz,
    week date,
    channel text,
    site text,
    product text,
    segment text,
    run_id bigint,
    symptom_count int,
    PRIMARY KEY (ruleset_hash, complaint_id)
);
CREATE INDEX classified_ruleset_week ON classified (ruleset_hash, week);

CREATE TABLE matches (
    ruleset_hash text NOT NULL,
    complaint_id text NOT NULL,
    symptom_id text NOT NULL,
    span_start int,
    span_end int,
    snippet text,
    PRIMARY KEY (ruleset_hash, complaint_id, symptom_id)
);
CREATE INDEX matches_ruleset_symptom ON matches (ruleset_hash, symptom_id);

CREATE TABLE weekly (
    ruleset_hash text NOT NULL,
    series text NOT NULL CHECK (series IN ('area', 'area_site', 'symptom')),
    area_id text NOT NULL DEFAULT '',
    site text NOT NULL DEFAULT '',
    symptom_id text NOT NULL DEFAULT '',
    week date NOT NULL,
    complaints int NOT NULL DEFAULT 0,
    attributed double precision NOT NULL DEFAULT 0,
    weighted double precision NOT NULL DEFAULT 0,
    exposure double precision,
    PRIMARY KEY (ruleset_hash, series, area_id, site, symptom_id, week)
);

CREATE TABLE rankings (
    target_week date NOT NULL,
    kind text NOT NULL CHECK (kind IN ('area', 'area_site')),
    area_id text NOT NULL,
    site text NOT NULL DEFAULT '',
    rank int,
    score double precision,
    volume double precision,
    rate double precision,
    trend_factor double precision,
    severity_floor double precision,
    status text,
    since_week date,
    slope_pct double precision,
    strength double precision,
    baseline double precision,
    recent double precision,
    max_severity int,
    area_name text,
    owner text,
    remediation text,
    top_symptoms jsonb,
    top_sites jsonb,
    examples jsonb,
    series jsonb,
    series_from date,
    baseline_from date,
    run_id bigint,
    ruleset_hash text,
    PRIMARY KEY (target_week, kind, area_id, site)
);

-- A recorded remediation re-sets the frozen baseline of its area (and site, or '' = all).
CREATE TABLE remediations (
    area_id text NOT NULL,
    site text NOT NULL DEFAULT '',
    recorded_on date NOT NULL,
    note text,
    PRIMARY KEY (area_id, site, recorded_on)
);

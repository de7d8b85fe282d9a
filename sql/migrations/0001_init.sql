-- causeway results schema, version 1.
-- Applied by `causeway db init|migrate` with search_path set to the results
-- schema (pg_catalog is searched before it), so the tables' names are not
-- qualified. Nothing here calls a function. Results are keyed by the rule set
-- (rulesets.id, a small key for the sha256 hash that identifies it): complaints
-- classified under two rule sets never mix.

CREATE TABLE runs (
    id           bigserial PRIMARY KEY,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz,
    status       text NOT NULL,
    ruleset_hash text NOT NULL,
    target_from  date NOT NULL,
    target_to    date NOT NULL,
    classified   bigint,
    matched      bigint,
    weeks        integer,
    version      text NOT NULL
);

CREATE TABLE rulesets (
    id            serial PRIMARY KEY,
    hash          text NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL,
    source        text NOT NULL,
    symptom_count integer NOT NULL,
    area_count    integer NOT NULL
);

-- One row per complaint and rule set; complaint ids are text so any source id type works.
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
    PRIMARY KEY (ruleset_id, complaint_id)
);
CREATE INDEX classified_week ON classified (ruleset_id, week);

-- The evidence: which symptom fired, where in the body, and a short snippet.
CREATE TABLE matches (
    ruleset_id   integer NOT NULL,
    complaint_id text NOT NULL,
    symptom_id   text NOT NULL,
    span_start   integer NOT NULL,
    span_end     integer NOT NULL,
    snippet      text NOT NULL,
    PRIMARY KEY (ruleset_id, complaint_id, symptom_id)
);

-- Weekly series: 'area', 'area_site', 'symptom', 'symptom_site'; '' where a key does not apply.
CREATE TABLE weekly (
    ruleset_id   integer NOT NULL,
    series       text NOT NULL,
    area_id      text NOT NULL,
    site         text NOT NULL,
    symptom_id   text NOT NULL,
    week         date NOT NULL,
    complaints   integer NOT NULL,
    attributed   double precision NOT NULL,
    weighted     double precision NOT NULL,
    exposure     double precision,
    PRIMARY KEY (ruleset_id, series, area_id, site, symptom_id, week)
);

-- The ranking of each target week, with every score component.
CREATE TABLE rankings (
    target_week    date NOT NULL,
    kind           text NOT NULL,         -- 'area' or 'area_site'
    area_id        text NOT NULL,
    site           text NOT NULL,
    rank           integer NOT NULL,
    score          double precision NOT NULL,
    volume         double precision NOT NULL,
    rate           double precision,
    trend_factor   double precision NOT NULL,
    severity_floor double precision NOT NULL,
    status         text NOT NULL,
    since_week     date,
    slope_pct      double precision,
    strength       double precision,
    baseline       double precision,
    recent         double precision,
    max_severity   integer NOT NULL,
    area_name      text NOT NULL,
    owner          text NOT NULL,
    remediation    text NOT NULL,
    top_symptoms   jsonb NOT NULL,
    top_sites      jsonb NOT NULL,
    examples       jsonb NOT NULL,
    series         jsonb NOT NULL,
    series_from    date NOT NULL,
    baseline_from  date NOT NULL,
    run_id         bigint NOT NULL,
    ruleset_hash   text NOT NULL,
    PRIMARY KEY (target_week, kind, area_id, site)
);

-- A remediation recorded here re-sets the frozen baseline of its cause area
-- (site '' = every site) from the following week.
CREATE TABLE remediations (
    area_id     text NOT NULL,
    site        text NOT NULL DEFAULT '',
    recorded_on date NOT NULL,
    note        text NOT NULL DEFAULT '',
    PRIMARY KEY (area_id, site, recorded_on)
);

-- causeway results schema, version 4: drivers and week-over-week states (issue 13).
-- (Version 3 is another branch's; the integrator may renumber this file.)
--
-- * weekly gains series per symptom x further dimension ('symptom_channel',
--   'symptom_product', 'symptom_segment', named by the configuration's
--   `dimensions:`); their dimension value is in the `site` column, as a site is for
--   'symptom_site'. No column changes: existing readers of weekly are unaffected.
-- * Each ranked item names its drivers: the symptom, symptom x site (and symptom x
--   dimension) series whose rise explains it, with their own status, onset, slope,
--   excess complaints per week over baseline and share of the item's excess.
-- * Each item and driver carries its state against the previous stored week:
--   new, worsening, ongoing, easing, resolved ('' when flagged in neither).
-- Columns are only added, with defaults, so rankings stored before this version
-- read back as items without drivers and without a state.

ALTER TABLE rankings
    ADD COLUMN change        text NOT NULL DEFAULT '',
    ADD COLUMN excess        double precision,
    ADD COLUMN driver_factor double precision NOT NULL DEFAULT 1,
    ADD COLUMN drivers       jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN previous_week date;

COMMENT ON COLUMN rankings.change IS
    'state against previous_week: new, worsening, ongoing, easing, resolved, or empty';
COMMENT ON COLUMN rankings.excess IS
    'recent complaints per week above what the frozen baseline expects';
COMMENT ON COLUMN rankings.driver_factor IS
    'the rising drivers'' projected level over the item''s expected level (1: none); '
    'trend_factor is the larger of this and the item''s own trend';
COMMENT ON COLUMN rankings.drivers IS
    'array of {kind, symptom_id, value, status, since_week, change, slope_pct, excess, '
    'share, baseline, recent, series}';
COMMENT ON COLUMN rankings.previous_week IS
    'the stored week the states compare with; NULL when none was stored';
COMMENT ON COLUMN weekly.site IS
    'the site, or for symptom_channel / symptom_product / symptom_segment series the '
    'value of that dimension; empty where no site applies';

-- 0013: why each baby waits for a group, as of its organisation's last
-- planning run: one row per baby the run could not place, replaced by each
-- run. The plan page counts and lists them in SQL instead of decoding the
-- run's list (thousands of babies in an organisation of national size) on
-- every view; plan_runs.unplaced stays as the run's history.
CREATE TABLE waiting_babies (
    baby_id         TEXT PRIMARY KEY REFERENCES babies (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    run_id          TEXT NOT NULL REFERENCES plan_runs (id),
    reason          TEXT NOT NULL
);
CREATE INDEX waiting_babies_organisation ON waiting_babies (organisation_id, reason);
-- The babies of each organisation's latest run who are still on record.
{{WAITING_BACKFILL}}

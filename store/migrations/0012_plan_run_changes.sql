-- 0012: what a planning run changed (new groups, babies placed, sessions
-- moved, groups below the minimum), for the coordinator's summary.
ALTER TABLE plan_runs ADD COLUMN changes TEXT NOT NULL DEFAULT '{}';

-- 0019: each planning run keeps its quality figures (planner.Quality) for
-- the plan page: interpreter sessions, single-language groups, the share
-- of sessions on the group's usual weekday, time, room and pair, the mean
-- age offset and the facilitators' load.
ALTER TABLE plan_runs ADD COLUMN quality TEXT;

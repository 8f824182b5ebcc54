-- 0018: provisional groups, formed by due date from expected babies so that
-- recruitment can start in the pregnancy group; no sessions until enough
-- members are born, when the group becomes a regular one.
ALTER TABLE co_groups ADD COLUMN provisional BOOLEAN NOT NULL DEFAULT FALSE;

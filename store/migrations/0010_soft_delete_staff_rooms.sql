-- 0010: a facilitator or room that held sessions is kept, marked deleted, when
-- it is deleted: past sessions still name it, and the planner's history of a
-- running group must still resolve. Deleted ones are invisible to the API and
-- never planned.
ALTER TABLE facilitators ADD COLUMN deleted_at {{TIMESTAMP}};
ALTER TABLE rooms ADD COLUMN deleted_at {{TIMESTAMP}};

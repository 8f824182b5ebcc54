-- 0011: relocations. A late joiner attends its group from a later session
-- (from_session); a baby can leave CO with a reason code and a date; a group
-- can end (merged into another, or dissolved) and keeps its history; and a
-- move to a location of another organisation is a handover that the
-- receiving organisation accepts.
ALTER TABLE group_members ADD COLUMN from_session INTEGER NOT NULL DEFAULT 1;

ALTER TABLE babies ADD COLUMN left_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE babies ADD COLUMN left_on {{DATE}};

-- A group's name is what people call it: location, birth month, language.
ALTER TABLE co_groups ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE co_groups ADD COLUMN ended_on {{DATE}};
ALTER TABLE co_groups ADD COLUMN merged_into TEXT NOT NULL DEFAULT '';

-- A baby on its way to another organisation has no ref there until that
-- organisation accepts it and gives one: the sender must not learn whether
-- its ref is taken on the other side.
DROP INDEX babies_organisation_ref;
CREATE UNIQUE INDEX babies_organisation_ref ON babies (organisation_id, ref) WHERE ref <> '';

-- The sender keeps that it handed a record over (its own ref, to whom, when);
-- the receiver sees the arrival until it accepts. baby_id is cleared when
-- the receiver deletes the record.
CREATE TABLE handovers (
    id                   TEXT PRIMARY KEY,
    baby_id              TEXT REFERENCES babies (id) ON DELETE SET NULL,
    from_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    to_organisation_id   TEXT NOT NULL REFERENCES organisations (id),
    from_location_id     TEXT NOT NULL,
    to_location_id       TEXT NOT NULL,
    moved_on             {{DATE}} NOT NULL,
    sender_ref           TEXT NOT NULL,
    status               TEXT NOT NULL,
    created_at           {{TIMESTAMP}} NOT NULL,
    created_by           TEXT NOT NULL DEFAULT '',
    accepted_at          {{TIMESTAMP}},
    accepted_by          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX handovers_receiver ON handovers (to_organisation_id, status, moved_on);
CREATE INDEX handovers_sender ON handovers (from_organisation_id, moved_on);
CREATE INDEX handovers_baby ON handovers (baby_id);

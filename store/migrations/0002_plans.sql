-- 0002: CO groups, their members and sessions, and the record of each planning run.

CREATE TABLE co_groups (
    id                    TEXT PRIMARY KEY,
    organisation_id       TEXT NOT NULL REFERENCES organisations (id),
    location_id           TEXT NOT NULL REFERENCES locations (id),
    room_id               TEXT NOT NULL DEFAULT '',
    lead_facilitator_id   TEXT NOT NULL DEFAULT '',
    second_facilitator_id TEXT NOT NULL DEFAULT '',
    created_at            {{TIMESTAMP}} NOT NULL,
    updated_at            {{TIMESTAMP}} NOT NULL
);
CREATE INDEX co_groups_organisation ON co_groups (organisation_id, location_id);

-- Membership keeps history: a baby who moves away gets left_on, so the group's
-- past sessions stay with the group it attended.
CREATE TABLE group_members (
    group_id  TEXT NOT NULL REFERENCES co_groups (id) ON DELETE CASCADE,
    baby_id   TEXT NOT NULL REFERENCES babies (id) ON DELETE CASCADE,
    joined_on {{DATE}} NOT NULL,
    left_on   {{DATE}},
    PRIMARY KEY (group_id, baby_id)
);
CREATE INDEX group_members_baby ON group_members (baby_id);

CREATE TABLE sessions (
    id                    TEXT PRIMARY KEY,
    group_id              TEXT NOT NULL REFERENCES co_groups (id) ON DELETE CASCADE,
    organisation_id       TEXT NOT NULL,
    location_id           TEXT NOT NULL,
    number                INTEGER NOT NULL,
    starts_at             {{TIMESTAMP}} NOT NULL,
    ends_at               {{TIMESTAMP}} NOT NULL,
    room_id               TEXT NOT NULL,
    lead_facilitator_id   TEXT NOT NULL,
    second_facilitator_id TEXT NOT NULL,
    interpreter_languages TEXT NOT NULL DEFAULT '[]',
    families              INTEGER NOT NULL DEFAULT 0,
    status                TEXT NOT NULL,
    sequence              INTEGER NOT NULL DEFAULT 0,
    changed_at            {{TIMESTAMP}} NOT NULL,
    created_at            {{TIMESTAMP}} NOT NULL,
    updated_at            {{TIMESTAMP}} NOT NULL
);
CREATE UNIQUE INDEX sessions_group_number ON sessions (group_id, number);
CREATE INDEX sessions_organisation_start ON sessions (organisation_id, starts_at);
CREATE INDEX sessions_location_start ON sessions (location_id, starts_at);
CREATE INDEX sessions_room_start ON sessions (room_id, starts_at);
CREATE INDEX sessions_lead ON sessions (lead_facilitator_id, starts_at);
CREATE INDEX sessions_second ON sessions (second_facilitator_id, starts_at);

CREATE TABLE plan_runs (
    id                 TEXT PRIMARY KEY,
    organisation_id    TEXT NOT NULL REFERENCES organisations (id),
    at                 {{TIMESTAMP}} NOT NULL,
    token_id           TEXT NOT NULL,
    babies             INTEGER NOT NULL,
    placed             INTEGER NOT NULL,
    groups_count       INTEGER NOT NULL,
    sessions_count     INTEGER NOT NULL,
    unplaced           TEXT NOT NULL DEFAULT '[]',
    unplanned_sessions TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX plan_runs_organisation ON plan_runs (organisation_id, at);

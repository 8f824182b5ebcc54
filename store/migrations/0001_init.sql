-- 0001: organisations, locations, rooms, facilitators, babies, moves, access and audit.
-- {{TIMESTAMP}}, {{DATE}} and {{SERIAL}} are replaced per database (see migrate.go).

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE organisations (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    contact_email TEXT NOT NULL DEFAULT '',
    created_at    {{TIMESTAMP}} NOT NULL,
    updated_at    {{TIMESTAMP}} NOT NULL
);
CREATE UNIQUE INDEX organisations_name ON organisations (name);

CREATE TABLE locations (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL,
    municipality    TEXT NOT NULL DEFAULT '',
    short_stay      BOOLEAN NOT NULL DEFAULT FALSE,
    catchment       TEXT NOT NULL DEFAULT '[]',
    created_at      {{TIMESTAMP}} NOT NULL,
    updated_at      {{TIMESTAMP}} NOT NULL
);
CREATE INDEX locations_organisation ON locations (organisation_id);

CREATE TABLE rooms (
    id            TEXT PRIMARY KEY,
    location_id   TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    capacity      INTEGER NOT NULL,
    has_exam_room BOOLEAN NOT NULL DEFAULT FALSE,
    opening_hours TEXT NOT NULL DEFAULT '[]',
    closures      TEXT NOT NULL DEFAULT '[]',
    created_at    {{TIMESTAMP}} NOT NULL,
    updated_at    {{TIMESTAMP}} NOT NULL
);
CREATE INDEX rooms_location ON rooms (location_id);

CREATE TABLE facilitators (
    id                    TEXT PRIMARY KEY,
    organisation_id       TEXT NOT NULL REFERENCES organisations (id),
    display_name          TEXT NOT NULL,
    email                 TEXT NOT NULL DEFAULT '',
    role                  TEXT NOT NULL,
    co_trained            BOOLEAN NOT NULL DEFAULT FALSE,
    availability          TEXT NOT NULL DEFAULT '[]',
    absences              TEXT NOT NULL DEFAULT '[]',
    max_sessions_per_week INTEGER NOT NULL,
    languages             TEXT NOT NULL DEFAULT '[]',
    created_at            {{TIMESTAMP}} NOT NULL,
    updated_at            {{TIMESTAMP}} NOT NULL
);
CREATE INDEX facilitators_organisation ON facilitators (organisation_id);

-- A baby is a pseudonymous ref, a birth (or due) date, a location and a language.
-- There is deliberately no column for a name, an address or a BSN.
CREATE TABLE babies (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    location_id     TEXT NOT NULL REFERENCES locations (id),
    ref             TEXT NOT NULL,
    birth_date      {{DATE}},
    expected_date   {{DATE}},
    language        TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,
    created_at      {{TIMESTAMP}} NOT NULL,
    updated_at      {{TIMESTAMP}} NOT NULL
);
CREATE UNIQUE INDEX babies_organisation_ref ON babies (organisation_id, ref);
CREATE INDEX babies_location ON babies (location_id);

CREATE TABLE moves (
    id               TEXT PRIMARY KEY,
    baby_id          TEXT NOT NULL REFERENCES babies (id) ON DELETE CASCADE,
    from_location_id TEXT NOT NULL,
    to_location_id   TEXT NOT NULL,
    date             {{DATE}} NOT NULL,
    created_at       {{TIMESTAMP}} NOT NULL,
    created_by       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX moves_baby ON moves (baby_id, date);

CREATE TABLE tokens (
    id              TEXT PRIMARY KEY,
    hash            TEXT NOT NULL UNIQUE,
    role            TEXT NOT NULL,
    organisation_id TEXT NOT NULL DEFAULT '',
    facilitator_id  TEXT NOT NULL DEFAULT '',
    location_id     TEXT NOT NULL DEFAULT '',
    label           TEXT NOT NULL DEFAULT '',
    created_at      {{TIMESTAMP}} NOT NULL,
    revoked_at      {{TIMESTAMP}}
);

CREATE TABLE login_codes (
    hash       TEXT PRIMARY KEY,
    token_id   TEXT NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
    expires_at {{TIMESTAMP}} NOT NULL,
    used_at    {{TIMESTAMP}}
);

CREATE TABLE web_sessions (
    hash       TEXT PRIMARY KEY,
    token_id   TEXT NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
    created_at {{TIMESTAMP}} NOT NULL,
    expires_at {{TIMESTAMP}} NOT NULL
);

-- Append-only access log (NEN 7513): who did what to which record, and how it ended.
CREATE TABLE audit_log (
    id              {{SERIAL}},
    at              {{TIMESTAMP}} NOT NULL,
    token_id        TEXT NOT NULL,
    role            TEXT NOT NULL,
    organisation_id TEXT NOT NULL DEFAULT '',
    action          TEXT NOT NULL,
    entity          TEXT NOT NULL,
    record_id       TEXT NOT NULL DEFAULT '',
    outcome         TEXT NOT NULL,
    detail          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_organisation ON audit_log (organisation_id, id);
CREATE INDEX audit_log_record ON audit_log (record_id);

-- 0017: a COA contact person tells JGZ about a pregnancy or a birth at the
-- location: the kind, the due or birth date and the language, no name. The
-- coordinator turns it into a baby record (baby_id) in one click.
CREATE TABLE birth_notices (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    location_id     TEXT NOT NULL REFERENCES locations (id),
    kind            TEXT NOT NULL,
    date            {{DATE}} NOT NULL,
    language        TEXT NOT NULL DEFAULT '',
    created_by      TEXT NOT NULL,
    created_at      {{TIMESTAMP}} NOT NULL,
    baby_id         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX birth_notices_organisation ON birth_notices (organisation_id, baby_id);

-- 0003: calendar feeds with their last rendered bytes, and the record of cron
-- job runs that makes each slot run once across replicas.

CREATE TABLE feeds (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    subject_id      TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    created_by      TEXT NOT NULL DEFAULT '',
    created_at      {{TIMESTAMP}} NOT NULL,
    body            TEXT NOT NULL DEFAULT '',
    etag            TEXT NOT NULL DEFAULT '',
    last_modified   {{TIMESTAMP}},
    published_at    {{TIMESTAMP}}
);
CREATE INDEX feeds_subject ON feeds (kind, subject_id);
CREATE INDEX feeds_organisation ON feeds (organisation_id);

CREATE TABLE job_runs (
    job        TEXT NOT NULL,
    slot       {{TIMESTAMP}} NOT NULL,
    replica    TEXT NOT NULL DEFAULT '',
    started_at {{TIMESTAMP}} NOT NULL,
    detail     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (job, slot)
);

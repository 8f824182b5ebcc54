-- 0005: the interest survey (interessepeiling) and the mail outbox.

CREATE TABLE surveys (
    id         TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    opens_on   {{DATE}} NOT NULL,
    deadline   {{DATE}} NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    created_at {{TIMESTAMP}} NOT NULL
);

CREATE TABLE survey_invitations (
    id              TEXT PRIMARY KEY,
    survey_id       TEXT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    invited_on      {{DATE}},
    created_at      {{TIMESTAMP}} NOT NULL
);
CREATE UNIQUE INDEX survey_invitations_unique ON survey_invitations (survey_id, organisation_id);

-- The answers are the supply side of capacity planning.
CREATE TABLE survey_responses (
    survey_id            TEXT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    organisation_id      TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    interested           TEXT NOT NULL,
    location_ids         TEXT NOT NULL DEFAULT '[]',
    start_quarter        TEXT NOT NULL DEFAULT '',
    trained_facilitators INTEGER NOT NULL DEFAULT 0,
    to_train             INTEGER NOT NULL DEFAULT 0,
    contact_name         TEXT NOT NULL DEFAULT '',
    contact_email        TEXT NOT NULL DEFAULT '',
    remarks              TEXT NOT NULL DEFAULT '',
    answered_at          {{TIMESTAMP}} NOT NULL,
    updated_at           {{TIMESTAMP}} NOT NULL,
    PRIMARY KEY (survey_id, organisation_id)
);

-- Transactional outbox: a message is written in the same transaction as the
-- decision to send it; senders claim, send and mark rows.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    dedupe_key      TEXT NOT NULL UNIQUE,
    to_address      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL DEFAULT '',
    message_id      TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at {{TIMESTAMP}} NOT NULL,
    claimed_at      {{TIMESTAMP}},
    claimed_by      TEXT NOT NULL DEFAULT '',
    last_error      TEXT NOT NULL DEFAULT '',
    sent_at         {{TIMESTAMP}},
    created_at      {{TIMESTAMP}} NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

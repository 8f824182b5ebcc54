-- 0015: people, not tokens. A user is a person who signs in (by an e-mail
-- link or single sign-on) with a role and the scope it needs; page sessions,
-- sign-in links and personal API tokens belong to a user, and the access log
-- names the user and the client address beside the token or session used
-- (NEN 7513: who, what, when, which client, from where).
CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    email           TEXT NOT NULL UNIQUE,
    role            TEXT NOT NULL,
    organisation_id TEXT NOT NULL DEFAULT '',
    facilitator_id  TEXT NOT NULL DEFAULT '',
    location_id     TEXT NOT NULL DEFAULT '',
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    invited_by      TEXT NOT NULL DEFAULT '',
    created_at      {{TIMESTAMP}} NOT NULL,
    disabled_at     {{TIMESTAMP}}
);
CREATE INDEX users_organisation ON users (organisation_id, name);

-- A one-time sign-in link: an invitation, or a link asked for on /login.
-- Only the SHA-256 of its secret is kept.
CREATE TABLE signin_links (
    hash       TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,
    created_at {{TIMESTAMP}} NOT NULL,
    expires_at {{TIMESTAMP}} NOT NULL,
    used_at    {{TIMESTAMP}}
);
CREATE INDEX signin_links_user ON signin_links (user_id, created_at);

-- Requests for a sign-in link per address (its hash, known or not), for the
-- limit of five an hour.
CREATE TABLE signin_requests (
    email_hash TEXT NOT NULL,
    at         {{TIMESTAMP}} NOT NULL
);
CREATE INDEX signin_requests_email ON signin_requests (email_hash, at);

-- A person's page session: it ends after 12 hours without a request, when
-- the person ends it (from "my sessions" or by logging out) or when the user
-- is disabled.
CREATE TABLE user_sessions (
    id           TEXT PRIMARY KEY,
    hash         TEXT NOT NULL UNIQUE,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    method       TEXT NOT NULL,
    client       TEXT NOT NULL DEFAULT '',
    created_at   {{TIMESTAMP}} NOT NULL,
    last_seen_at {{TIMESTAMP}} NOT NULL,
    expires_at   {{TIMESTAMP}} NOT NULL
);
CREATE INDEX user_sessions_user ON user_sessions (user_id);

ALTER TABLE tokens ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN expires_at {{TIMESTAMP}};
CREATE INDEX tokens_user ON tokens (user_id);

ALTER TABLE audit_log ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN client TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_log_user ON audit_log (user_id, id);

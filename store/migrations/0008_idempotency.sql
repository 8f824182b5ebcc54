-- 0008: answers to POSTs with an Idempotency-Key, so a client that retries
-- after a lost answer gets the first answer instead of a second write.
CREATE TABLE idempotency_keys (
    token_id     TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL DEFAULT '',
    created_at   {{TIMESTAMP}} NOT NULL,
    PRIMARY KEY (token_id, key)
);

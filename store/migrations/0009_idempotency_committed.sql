-- 0009: a claim records, in the same transaction as the write it guards, that
-- the write committed, so that a retry never runs a committed write again,
-- even when its answer could not be recorded yet. baby_id names the baby an
-- answer is about, so that the answer goes when the baby's record does.
ALTER TABLE idempotency_keys ADD COLUMN committed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE idempotency_keys ADD COLUMN baby_id TEXT NOT NULL DEFAULT '';
CREATE INDEX idempotency_keys_baby ON idempotency_keys (baby_id);

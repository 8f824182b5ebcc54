-- 0014: when a claim was taken, by the machine's clock. Whether a claim is
-- abandoned (its request died) is a matter of seconds really passing, not of
-- the service's domain clock, which a demo or a test may hold still: with
-- created_at alone, a frozen clock kept an abandoned claim from ever being
-- taken over. created_at stays the domain time that the 24-hour expiry uses.
ALTER TABLE idempotency_keys ADD COLUMN claimed_at {{TIMESTAMP}};

-- 0016: after the plan. Attendance per family per held session; for a
-- present family the JGZ contact moment the session stands for, which goes
-- to the child's file; per organisation, the mapping of sessions to contact
-- moments (NULL: the default of planner.DefaultContactMoments).
CREATE TABLE attendance (
    session_id      TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    baby_id         TEXT NOT NULL REFERENCES babies (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL,
    status          TEXT NOT NULL,
    recorded_by     TEXT NOT NULL,
    recorded_at     {{TIMESTAMP}} NOT NULL,
    PRIMARY KEY (session_id, baby_id)
);
CREATE INDEX attendance_baby ON attendance (baby_id);
CREATE INDEX attendance_organisation ON attendance (organisation_id, status);

CREATE TABLE contact_moments (
    session_id      TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    baby_id         TEXT NOT NULL REFERENCES babies (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL,
    date            {{DATE}} NOT NULL,
    type            TEXT NOT NULL,
    number          INTEGER NOT NULL,
    facilitator_ids TEXT NOT NULL DEFAULT '[]',
    recorded_at     {{TIMESTAMP}} NOT NULL,
    PRIMARY KEY (session_id, baby_id)
);
CREATE INDEX contact_moments_organisation ON contact_moments (organisation_id, date);

ALTER TABLE organisations ADD COLUMN contact_map TEXT;

-- When the invitations of a session were last opened for printing, and at
-- which version of the session: a moved or cancelled session since then
-- needs a reprint.
CREATE TABLE invitation_prints (
    session_id TEXT NOT NULL PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    sequence   INTEGER NOT NULL,
    printed_at {{TIMESTAMP}} NOT NULL
);

-- 0004: bookings of rooms by location staff that are not CO (a fire drill, a
-- renovation, another use); the planner keeps sessions out of them.

CREATE TABLE room_blocks (
    id          TEXT PRIMARY KEY,
    room_id     TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    location_id TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    starts_at   {{TIMESTAMP}} NOT NULL,
    ends_at     {{TIMESTAMP}} NOT NULL,
    weekly      BOOLEAN NOT NULL DEFAULT FALSE,
    until       {{DATE}},
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  {{TIMESTAMP}} NOT NULL
);
CREATE INDEX room_blocks_room ON room_blocks (room_id, starts_at);
CREATE INDEX room_blocks_location ON room_blocks (location_id, starts_at);

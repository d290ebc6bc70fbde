-- When a municipality's people are reminded of a deadline: days before (negative), on (0) and
-- after (positive, overdue, also to the municipality's officers).
CREATE TABLE reminder_settings (
    municipality_id TEXT PRIMARY KEY NOT NULL REFERENCES municipalities (id),
    offsets TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- A personal calendar feed link, stored as a hash; regenerating it stops the old link.
ALTER TABLE users ADD COLUMN calendar_token_hash TEXT;
CREATE UNIQUE INDEX users_calendar_token ON users (calendar_token_hash);

-- A network's contact address receives directory messages only once someone there confirmed
-- it through a link sent to it (only the link token's hash is kept), and at most so many a day.
ALTER TABLE networks ADD COLUMN contact_confirmed_at TIMESTAMP;
ALTER TABLE networks ADD COLUMN contact_confirmation_hash TEXT;
ALTER TABLE networks ADD COLUMN contact_confirmation_expires_at TIMESTAMP;
ALTER TABLE networks ADD COLUMN directory_messages_on DATE;
ALTER TABLE networks ADD COLUMN directory_messages_sent INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX networks_contact_confirmation_hash ON networks (contact_confirmation_hash);

DROP INDEX networks_contact_confirmation_hash;
ALTER TABLE networks DROP COLUMN directory_messages_sent;
ALTER TABLE networks DROP COLUMN directory_messages_on;
ALTER TABLE networks DROP COLUMN contact_confirmation_expires_at;
ALTER TABLE networks DROP COLUMN contact_confirmation_hash;
ALTER TABLE networks DROP COLUMN contact_confirmed_at;

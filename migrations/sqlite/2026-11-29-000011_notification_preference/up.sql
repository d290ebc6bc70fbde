-- Reminders one by one, or bundled in one email a day.
ALTER TABLE users ADD COLUMN notification_preference TEXT NOT NULL DEFAULT 'immediate';

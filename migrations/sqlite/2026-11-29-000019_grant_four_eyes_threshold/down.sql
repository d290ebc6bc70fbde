ALTER TABLE grants DROP COLUMN four_eyes_threshold_cents;

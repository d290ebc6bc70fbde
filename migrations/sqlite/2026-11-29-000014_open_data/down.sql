ALTER TABLE municipalities DROP COLUMN open_data_prefix;
ALTER TABLE municipalities DROP COLUMN open_data_public;

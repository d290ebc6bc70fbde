-- 360Giving open data: whether anyone may fetch the municipality's awarded grants, and the
-- publisher prefix of their identifiers (NULL: the documented default).
ALTER TABLE municipalities ADD COLUMN open_data_public BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE municipalities ADD COLUMN open_data_prefix TEXT;

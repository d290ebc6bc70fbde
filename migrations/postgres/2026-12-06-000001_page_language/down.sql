ALTER TABLE users DROP COLUMN page_language;

-- The language a person reads the pages in, on every device (a code the translation files
-- have; NULL: follow the email language and the browser). Emails keep `locale`.
ALTER TABLE users ADD COLUMN page_language TEXT;

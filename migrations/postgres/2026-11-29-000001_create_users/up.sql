-- People who sign in: officers, network volunteers and platform admins.
-- Emails are stored lower-cased by the application, so UNIQUE is case-insensitive.
CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
    email TEXT NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) <= 254),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    locale TEXT NOT NULL DEFAULT 'nl' CHECK (locale IN ('nl', 'en')),
    password_hash TEXT NOT NULL,
    is_platform_admin BOOLEAN NOT NULL DEFAULT FALSE,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);

-- A browser's sign-in: an opaque cookie whose SHA-256 is kept here, tied to a session, so that
-- signing out, a password change or a reset ends it like any other session.
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX web_sessions_session ON web_sessions (session_id);

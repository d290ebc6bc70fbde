-- Service accounts: how other systems (finance, case management, a website) call the API
-- without borrowing a person's login. Each account has a row in `users` with the same id, so
-- everything it does is attributed to it wherever a person would be named; that row is
-- disabled, so nobody can sign in as it.
CREATE TABLE service_accounts (
    id TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    municipality_id TEXT NOT NULL REFERENCES municipalities (id),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- Space-separated, e.g. 'grants:read payments:write'.
    scopes TEXT NOT NULL,
    expires_at TIMESTAMP,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_by TEXT NOT NULL REFERENCES users (id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX service_accounts_municipality ON service_accounts (municipality_id, id);

-- API tokens of a service account: shown once, stored only as a SHA-256 hash.
CREATE TABLE service_account_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    service_account_id TEXT NOT NULL REFERENCES service_accounts (id),
    token_hash TEXT NOT NULL UNIQUE,
    -- The first characters of the token, to recognise it in a list.
    hint TEXT NOT NULL,
    label TEXT NOT NULL CHECK (length(label) <= 200),
    expires_at TIMESTAMP,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX service_account_tokens_account ON service_account_tokens (service_account_id, id);

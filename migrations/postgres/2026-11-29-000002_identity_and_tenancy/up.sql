-- Tenancy: municipalities, informal networks, the links between them, who belongs where,
-- sign-in sessions, invitations and the audit trail.

CREATE TABLE municipalities (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    cbs_code TEXT UNIQUE CHECK (cbs_code IS NULL OR length(cbs_code) = 6),
    time_zone TEXT NOT NULL DEFAULT 'Europe/Amsterdam',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE networks (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind TEXT NOT NULL CHECK (kind IN ('self_organisation', 'volunteer_initiative', 'citizens_initiative',
        'social_enterprise', 'religious_community', 'cultural_community', 'other')),
    description TEXT NOT NULL DEFAULT '',
    legal_form TEXT NOT NULL CHECK (legal_form IN ('none', 'association', 'foundation', 'cooperative', 'other')),
    kvk_number TEXT CHECK (kvk_number IS NULL OR length(kvk_number) = 8),
    intermediary_name TEXT,
    intermediary_kvk_number TEXT CHECK (intermediary_kvk_number IS NULL OR length(intermediary_kvk_number) = 8),
    contact_email TEXT NOT NULL,
    listed_publicly BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX networks_name ON networks (name);

-- Themes and neighbourhoods of a network, one row per value, so filters use an index.
CREATE TABLE network_tags (
    network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    tag_type TEXT NOT NULL CHECK (tag_type IN ('theme', 'neighbourhood')),
    value TEXT NOT NULL CHECK (length(value) BETWEEN 1 AND 100),
    position INTEGER NOT NULL,
    PRIMARY KEY (network_id, tag_type, value)
);
CREATE INDEX network_tags_value ON network_tags (tag_type, value);

CREATE TABLE municipality_networks (
    municipality_id TEXT NOT NULL REFERENCES municipalities (id),
    network_id TEXT NOT NULL REFERENCES networks (id),
    status TEXT NOT NULL CHECK (status IN ('requested', 'active')),
    requested_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    PRIMARY KEY (municipality_id, network_id)
);
CREATE INDEX municipality_networks_network ON municipality_networks (network_id);

CREATE TABLE municipality_memberships (
    municipality_id TEXT NOT NULL REFERENCES municipalities (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL CHECK (role IN ('municipal_admin', 'officer', 'finance', 'auditor')),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (municipality_id, user_id)
);
CREATE INDEX municipality_memberships_user ON municipality_memberships (user_id);

CREATE TABLE network_memberships (
    network_id TEXT NOT NULL REFERENCES networks (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL CHECK (role IN ('coordinator', 'treasurer', 'member')),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (network_id, user_id)
);
CREATE INDEX network_memberships_user ON network_memberships (user_id);

-- A sign-in: one per login, ended by logout or by reuse of a rotated refresh token.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Refresh tokens, stored as SHA-256 hashes; each is used once.
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

CREATE TABLE invitations (
    id TEXT PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    municipality_id TEXT REFERENCES municipalities (id),
    network_id TEXT REFERENCES networks (id),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    invited_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP,
    accepted_by TEXT REFERENCES users (id),
    CHECK ((municipality_id IS NULL) <> (network_id IS NULL))
);

-- Append-only: the API has no way to change or delete an event.
CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    municipality_id TEXT REFERENCES municipalities (id),
    network_id TEXT REFERENCES networks (id),
    actor_user_id TEXT REFERENCES users (id),
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    request_id TEXT,
    changes TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_events_municipality ON audit_events (municipality_id, id);
CREATE INDEX audit_events_network ON audit_events (network_id, id);
CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id);

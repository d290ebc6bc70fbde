-- Partner organisations, shared visions and collaboration agreements with their versions,
-- signatures, commitments and check-ins.

CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    municipality_id TEXT NOT NULL REFERENCES municipalities (id),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind TEXT NOT NULL CHECK (kind IN ('welfare', 'care', 'housing', 'education', 'other')),
    kvk_number TEXT CHECK (kvk_number IS NULL OR length(kvk_number) = 8),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX organisations_municipality ON organisations (municipality_id, id);

-- People who act for a partner organisation (endorse, sign).
CREATE TABLE organisation_memberships (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL CHECK (role IN ('contact')),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (organisation_id, user_id)
);
CREATE INDEX organisation_memberships_user ON organisation_memberships (user_id);

-- Who takes part in a vision or an agreement.
CREATE TABLE record_parties (
    record_type TEXT NOT NULL CHECK (record_type IN ('vision', 'agreement')),
    record_id TEXT NOT NULL,
    party_type TEXT NOT NULL CHECK (party_type IN ('municipality', 'network', 'organisation')),
    party_id TEXT NOT NULL,
    PRIMARY KEY (record_type, record_id, party_type, party_id)
);
CREATE INDEX record_parties_party ON record_parties (party_type, party_id, record_type);

CREATE TABLE visions (
    id TEXT PRIMARY KEY NOT NULL,
    municipality_id TEXT NOT NULL REFERENCES municipalities (id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'proposed', 'endorsed', 'archived')),
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    statement TEXT NOT NULL,
    goals TEXT NOT NULL,
    themes TEXT NOT NULL,
    revision INTEGER NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX visions_municipality ON visions (municipality_id, id);

CREATE TABLE vision_revisions (
    vision_id TEXT NOT NULL REFERENCES visions (id),
    revision INTEGER NOT NULL,
    content TEXT NOT NULL,
    edited_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (vision_id, revision)
);

CREATE TABLE vision_endorsements (
    vision_id TEXT NOT NULL REFERENCES visions (id),
    party_type TEXT NOT NULL,
    party_id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    endorsed_by TEXT NOT NULL REFERENCES users (id),
    endorsed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (vision_id, party_type, party_id)
);

CREATE TABLE agreements (
    id TEXT PRIMARY KEY NOT NULL,
    municipality_id TEXT NOT NULL REFERENCES municipalities (id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'proposed', 'signed', 'active', 'suspended',
        'completed', 'terminated', 'expired')),
    status_reason TEXT,
    -- The version in force (before the first signing: the one being negotiated).
    current_version INTEGER NOT NULL,
    -- An amendment being negotiated while the current version stays in force.
    pending_version INTEGER,
    -- Copied from the current version, for the date-driven job and the reminders.
    starts_on DATE NOT NULL,
    ends_on DATE,
    next_review_on DATE,
    version BIGINT NOT NULL DEFAULT 1,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX agreements_municipality ON agreements (municipality_id, id);
CREATE INDEX agreements_status ON agreements (status);

-- The content of each version as canonical JSON and its SHA-256; parties sign the hash.
CREATE TABLE agreement_versions (
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    number INTEGER NOT NULL CHECK (number >= 1),
    status TEXT NOT NULL CHECK (status IN ('draft', 'proposed', 'signed')),
    content TEXT NOT NULL,
    content_hash TEXT NOT NULL CHECK (length(content_hash) = 64),
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    signed_at TIMESTAMP,
    PRIMARY KEY (agreement_id, number)
);

CREATE TABLE agreement_signatures (
    agreement_id TEXT NOT NULL,
    version_number INTEGER NOT NULL,
    party_type TEXT NOT NULL,
    party_id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    signed_by TEXT NOT NULL REFERENCES users (id),
    signed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (agreement_id, version_number, party_type, party_id),
    FOREIGN KEY (agreement_id, version_number) REFERENCES agreement_versions (agreement_id, number)
);

-- Commitments of the version in force, with their own status.
CREATE TABLE commitments (
    id TEXT PRIMARY KEY NOT NULL,
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    municipality_id TEXT NOT NULL REFERENCES municipalities (id),
    key TEXT NOT NULL,
    party_type TEXT NOT NULL CHECK (party_type IN ('municipality', 'network', 'organisation')),
    party_id TEXT NOT NULL,
    description TEXT NOT NULL,
    due_on DATE,
    status TEXT NOT NULL CHECK (status IN ('open', 'done', 'missed', 'waived')),
    note TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (agreement_id, key)
);
CREATE INDEX commitments_municipality_due ON commitments (municipality_id, status, due_on);
CREATE INDEX commitments_party ON commitments (party_type, party_id, status);

CREATE TABLE check_ins (
    id TEXT PRIMARY KEY NOT NULL,
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    municipality_id TEXT NOT NULL REFERENCES municipalities (id),
    held_on DATE NOT NULL,
    participants TEXT NOT NULL,
    notes TEXT NOT NULL,
    agreed_actions TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX check_ins_agreement ON check_ins (agreement_id, id);

-- A signed version never changes, whatever the application does.
CREATE FUNCTION agreement_versions_signed_are_final() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a signed agreement version never changes';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER agreement_versions_signed_are_final
BEFORE UPDATE OR DELETE ON agreement_versions
FOR EACH ROW WHEN (OLD.status = 'signed')
EXECUTE FUNCTION agreement_versions_signed_are_final();

-- Invitations can now also be to a partner organisation.
ALTER TABLE invitations ADD COLUMN organisation_id TEXT REFERENCES organisations (id);
ALTER TABLE invitations DROP CONSTRAINT invitations_check;
ALTER TABLE invitations ADD CONSTRAINT invitations_check
    CHECK (num_nonnulls(municipality_id, network_id, organisation_id) = 1);

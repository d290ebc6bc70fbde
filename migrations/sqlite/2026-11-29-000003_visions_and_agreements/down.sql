ALTER TABLE invitations RENAME TO invitations_with_organisations;
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
INSERT INTO invitations (id, token_hash, municipality_id, network_id, email, name, role, invited_by,
                         created_at, expires_at, accepted_at, accepted_by)
SELECT id, token_hash, municipality_id, network_id, email, name, role, invited_by,
       created_at, expires_at, accepted_at, accepted_by
  FROM invitations_with_organisations WHERE organisation_id IS NULL;
DROP TABLE invitations_with_organisations;

DROP TRIGGER agreement_versions_signed_stay;
DROP TRIGGER agreement_versions_signed_are_final;
DROP TABLE check_ins;
DROP TABLE commitments;
DROP TABLE agreement_signatures;
DROP TABLE agreement_versions;
DROP TABLE agreements;
DROP TABLE vision_endorsements;
DROP TABLE vision_revisions;
DROP TABLE visions;
DROP TABLE record_parties;
DROP TABLE organisation_memberships;
DROP TABLE organisations;

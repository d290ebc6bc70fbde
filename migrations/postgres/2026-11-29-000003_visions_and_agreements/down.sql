DELETE FROM invitations WHERE organisation_id IS NOT NULL;
ALTER TABLE invitations DROP CONSTRAINT invitations_check;
ALTER TABLE invitations DROP COLUMN organisation_id;
ALTER TABLE invitations ADD CONSTRAINT invitations_check CHECK ((municipality_id IS NULL) <> (network_id IS NULL));

DROP TRIGGER agreement_versions_signed_are_final ON agreement_versions;
DROP FUNCTION agreement_versions_signed_are_final();
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

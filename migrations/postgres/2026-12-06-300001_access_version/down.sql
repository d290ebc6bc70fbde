DROP TRIGGER organisation_memberships_access ON organisation_memberships;
DROP TRIGGER network_memberships_access ON network_memberships;
DROP TRIGGER municipality_memberships_access ON municipality_memberships;
DROP FUNCTION bump_access_version();
ALTER TABLE users DROP COLUMN access_version;

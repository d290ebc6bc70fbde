-- What a person may do changes with their memberships. Each change to one bumps the person's
-- access version in the same transaction, so a server may keep a caller's memberships between
-- requests and still see a removed role on the next one (it reads the version with the session).
ALTER TABLE users ADD COLUMN access_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION bump_access_version() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE users SET access_version = access_version + 1 WHERE id = OLD.user_id;
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.user_id IS DISTINCT FROM OLD.user_id) THEN
        UPDATE users SET access_version = access_version + 1 WHERE id = NEW.user_id;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER municipality_memberships_access AFTER INSERT OR UPDATE OR DELETE ON municipality_memberships
    FOR EACH ROW EXECUTE FUNCTION bump_access_version();
CREATE TRIGGER network_memberships_access AFTER INSERT OR UPDATE OR DELETE ON network_memberships
    FOR EACH ROW EXECUTE FUNCTION bump_access_version();
CREATE TRIGGER organisation_memberships_access AFTER INSERT OR UPDATE OR DELETE ON organisation_memberships
    FOR EACH ROW EXECUTE FUNCTION bump_access_version();

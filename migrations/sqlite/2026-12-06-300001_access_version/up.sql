-- What a person may do changes with their memberships. Each change to one bumps the person's
-- access version in the same transaction, so a server may keep a caller's memberships between
-- requests and still see a removed role on the next one (it reads the version with the session).
ALTER TABLE users ADD COLUMN access_version BIGINT NOT NULL DEFAULT 0;

CREATE TRIGGER municipality_memberships_access_insert AFTER INSERT ON municipality_memberships BEGIN
    UPDATE users SET access_version = access_version + 1 WHERE id = NEW.user_id;
END;
CREATE TRIGGER municipality_memberships_access_update AFTER UPDATE ON municipality_memberships BEGIN
    UPDATE users SET access_version = access_version + 1 WHERE id IN (OLD.user_id, NEW.user_id);
END;
CREATE TRIGGER municipality_memberships_access_delete AFTER DELETE ON municipality_memberships BEGIN
    UPDATE users SET access_version = access_version + 1 WHERE id = OLD.user_id;
END;

CREATE TRIGGER network_memberships_access_insert AFTER INSERT ON network_memberships BEGIN
    UPDATE users SET access_version = access_version + 1 WHERE id = NEW.user_id;
END;
CREATE TRIGGER network_memberships_access_update AFTER UPDATE ON network_memberships BEGIN
    UPDATE users SET access_version = access_version + 1 WHERE id IN (OLD.user_id, NEW.user_id);
END;
CREATE TRIGGER network_memberships_access_delete AFTER DELETE ON network_memberships BEGIN
    UPDATE users SET access_version = access_version + 1 WHERE id = OLD.user_id;
END;

CREATE TRIGGER organisation_memberships_access_insert AFTER INSERT ON organisation_memberships BEGIN
    UPDATE users SET access_version = access_version + 1 WHERE id = NEW.user_id;
END;
CREATE TRIGGER organisation_memberships_access_update AFTER UPDATE ON organisation_memberships BEGIN
    UPDATE users SET access_version = access_version + 1 WHERE id IN (OLD.user_id, NEW.user_id);
END;
CREATE TRIGGER organisation_memberships_access_delete AFTER DELETE ON organisation_memberships BEGIN
    UPDATE users SET access_version = access_version + 1 WHERE id = OLD.user_id;
END;

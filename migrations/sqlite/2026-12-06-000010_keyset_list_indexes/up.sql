-- Lists read a page per municipality or network the caller reaches, filtered by status or
-- fund, in id order after a cursor: each index leads with what the list filters on and ends
-- with the id, so a page costs the same at a thousand grants or a million.
DROP INDEX grants_municipality_status;
CREATE INDEX grants_municipality ON grants (municipality_id, id);
CREATE INDEX grants_municipality_status ON grants (municipality_id, status, id);
CREATE INDEX grants_network_status ON grants (network_id, status, id);
CREATE INDEX grants_fund_status ON grants (fund_id, status, id);
-- The audit trail's events about a network alone (no municipality), in id order.
CREATE INDEX audit_events_without_municipality ON audit_events (id) WHERE municipality_id IS NULL;

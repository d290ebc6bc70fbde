DROP INDEX audit_events_without_municipality;
DROP INDEX grants_fund_status;
DROP INDEX grants_network_status;
DROP INDEX grants_municipality_status;
DROP INDEX grants_municipality;
CREATE INDEX grants_municipality_status ON grants (municipality_id, status);

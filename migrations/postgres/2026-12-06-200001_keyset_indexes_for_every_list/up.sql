-- Every list reads a page per municipality the caller reaches, with or without a status
-- filter, in id order after a cursor: these indexes lead with the municipality (and status)
-- and end with the id, as the grants' do.
CREATE INDEX agreements_municipality_status ON agreements (municipality_id, status, id);
CREATE INDEX visions_municipality_status ON visions (municipality_id, status, id);
CREATE INDEX commitments_municipality ON commitments (municipality_id, id);
CREATE INDEX commitments_municipality_status ON commitments (municipality_id, status, id);
CREATE INDEX outbox_municipality_status ON outbox (municipality_id, status, id);

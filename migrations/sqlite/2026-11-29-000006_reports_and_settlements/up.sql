-- Spending reports with their receipts, and the settlement of a grant with refunds.

CREATE TABLE spending_reports (
    id TEXT PRIMARY KEY NOT NULL,
    grant_id TEXT NOT NULL REFERENCES grants (id),
    municipality_id TEXT NOT NULL REFERENCES municipalities (id),
    kind TEXT NOT NULL CHECK (kind IN ('interim', 'final')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'accepted')),
    status_reason TEXT,
    narrative TEXT NOT NULL,
    people_reached INTEGER CHECK (people_reached IS NULL OR people_reached >= 0),
    expenses TEXT NOT NULL,
    submitted_by TEXT REFERENCES users (id),
    submitted_at TIMESTAMP,
    accepted_by TEXT REFERENCES users (id),
    accepted_at TIMESTAMP,
    version BIGINT NOT NULL DEFAULT 1,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX spending_reports_grant ON spending_reports (grant_id, id);

-- Receipt files are stored by their SHA-256 under the data folder; this is what we know of them.
CREATE TABLE receipts (
    id TEXT PRIMARY KEY NOT NULL,
    report_id TEXT NOT NULL REFERENCES spending_reports (id),
    municipality_id TEXT NOT NULL REFERENCES municipalities (id),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    media_type TEXT NOT NULL CHECK (media_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size_bytes BIGINT NOT NULL CHECK (size_bytes > 0),
    file_name TEXT NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX receipts_report ON receipts (report_id, id);

-- The final amount of a grant; refund due = paid - settled when positive.
CREATE TABLE grant_settlements (
    grant_id TEXT PRIMARY KEY NOT NULL REFERENCES grants (id),
    municipality_id TEXT NOT NULL REFERENCES municipalities (id),
    settled_cents BIGINT NOT NULL CHECK (settled_cents >= 0),
    refund_due_cents BIGINT NOT NULL CHECK (refund_due_cents >= 0),
    refunded_cents BIGINT NOT NULL DEFAULT 0 CHECK (refunded_cents >= 0),
    note TEXT,
    settled_by TEXT NOT NULL REFERENCES users (id),
    settled_at TIMESTAMP NOT NULL,
    -- Rule 3: never refund more than is due.
    CHECK (refunded_cents <= refund_due_cents)
);

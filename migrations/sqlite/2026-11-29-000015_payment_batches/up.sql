-- SEPA payment batches: a fund's debtor account, batches of scheduled tranches exported as one
-- pain.001 credit transfer file, and the batch items. A tranche is in at most one open batch:
-- the partial unique index holds it under any concurrency.

ALTER TABLE funds ADD COLUMN debtor_name TEXT;
ALTER TABLE funds ADD COLUMN debtor_iban TEXT;
ALTER TABLE funds ADD COLUMN debtor_bic TEXT;

CREATE TABLE payment_batches (
    id TEXT PRIMARY KEY NOT NULL,
    municipality_id TEXT NOT NULL REFERENCES municipalities (id),
    fund_id TEXT NOT NULL REFERENCES funds (id),
    status TEXT NOT NULL CHECK (status IN ('open', 'confirmed', 'cancelled')),
    message_id TEXT NOT NULL UNIQUE CHECK (length(message_id) BETWEEN 1 AND 35),
    due_before DATE NOT NULL,
    requested_execution_date DATE NOT NULL,
    -- The debtor account as it was when the batch was made: the file never changes.
    debtor_name TEXT NOT NULL,
    debtor_iban TEXT NOT NULL,
    debtor_bic TEXT,
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    transaction_count BIGINT NOT NULL CHECK (transaction_count > 0),
    total_cents BIGINT NOT NULL CHECK (total_cents > 0),
    paid_on DATE,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    closed_by TEXT REFERENCES users (id),
    closed_at TIMESTAMP,
    version BIGINT NOT NULL DEFAULT 1,
    CHECK ((status = 'confirmed') = (paid_on IS NOT NULL))
);
CREATE INDEX payment_batches_fund ON payment_batches (fund_id, id);

CREATE TABLE payment_batch_items (
    batch_id TEXT NOT NULL REFERENCES payment_batches (id),
    tranche_id TEXT NOT NULL REFERENCES tranches (id),
    grant_id TEXT NOT NULL REFERENCES grants (id),
    municipality_id TEXT NOT NULL REFERENCES municipalities (id),
    -- open while the batch is; then paid, skipped (paid or cancelled meanwhile) or released.
    status TEXT NOT NULL CHECK (status IN ('open', 'paid', 'skipped', 'released')),
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    end_to_end_id TEXT NOT NULL CHECK (length(end_to_end_id) BETWEEN 1 AND 35),
    creditor_name TEXT NOT NULL,
    creditor_iban TEXT NOT NULL,
    remittance TEXT NOT NULL,
    PRIMARY KEY (batch_id, tranche_id)
);
CREATE UNIQUE INDEX payment_batch_items_one_open ON payment_batch_items (tranche_id) WHERE status = 'open';

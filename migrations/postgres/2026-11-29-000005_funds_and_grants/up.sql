-- Micro-grants: funds with their budget, grant applications and awards, tranches, and the
-- ledger every change of money is written to. Counters carry CHECK constraints as the last
-- line of defence for the funding rules; balances are derived from the ledger.

CREATE TABLE funds (
    id TEXT PRIMARY KEY NOT NULL,
    municipality_id TEXT NOT NULL REFERENCES municipalities (id),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description TEXT NOT NULL,
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    budget_cents BIGINT NOT NULL CHECK (budget_cents > 0),
    committed_cents BIGINT NOT NULL DEFAULT 0,
    paid_cents BIGINT NOT NULL DEFAULT 0 CHECK (paid_cents >= 0),
    refunded_cents BIGINT NOT NULL DEFAULT 0 CHECK (refunded_cents >= 0),
    opens_on DATE NOT NULL,
    closes_on DATE,
    max_grant_cents BIGINT NOT NULL CHECK (max_grant_cents > 0),
    four_eyes_threshold_cents BIGINT NOT NULL CHECK (four_eyes_threshold_cents > 0),
    decision_weeks INTEGER NOT NULL CHECK (decision_weeks BETWEEN 1 AND 52),
    reporting_tiers TEXT NOT NULL,
    report_due_days INTEGER NOT NULL CHECK (report_due_days BETWEEN 0 AND 365),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    -- Rule 1: a fund never commits more than its budget.
    CHECK (committed_cents >= 0 AND committed_cents <= budget_cents),
    CHECK (closes_on IS NULL OR closes_on >= opens_on)
);
CREATE INDEX funds_municipality ON funds (municipality_id, id);

CREATE TABLE grants (
    id TEXT PRIMARY KEY NOT NULL,
    municipality_id TEXT NOT NULL REFERENCES municipalities (id),
    fund_id TEXT NOT NULL REFERENCES funds (id),
    network_id TEXT NOT NULL REFERENCES networks (id),
    agreement_id TEXT REFERENCES agreements (id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'in_review', 'info_requested', 'approved',
        'rejected', 'withdrawn', 'active', 'reporting', 'settled', 'closed', 'cancelled')),
    status_reason TEXT,
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    purpose TEXT NOT NULL,
    requested_cents BIGINT NOT NULL CHECK (requested_cents > 0),
    approved_cents BIGINT CHECK (approved_cents IS NULL OR approved_cents > 0),
    -- Tranches scheduled and not yet paid, and paid.
    scheduled_cents BIGINT NOT NULL DEFAULT 0 CHECK (scheduled_cents >= 0),
    paid_cents BIGINT NOT NULL DEFAULT 0 CHECK (paid_cents >= 0),
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    budget_lines TEXT NOT NULL,
    payee_iban TEXT NOT NULL,
    payee_name TEXT NOT NULL,
    info_question TEXT,
    submitted_by TEXT REFERENCES users (id),
    submitted_at TIMESTAMP,
    decision_due_on DATE,
    first_approval_by TEXT REFERENCES users (id),
    first_approval_cents BIGINT,
    approved_by TEXT REFERENCES users (id),
    approved_at TIMESTAMP,
    version BIGINT NOT NULL DEFAULT 1,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (ends_on >= starts_on),
    -- Rule 2: a grant never pays (or schedules) more than it was awarded.
    CHECK (scheduled_cents + paid_cents <= COALESCE(approved_cents, 0))
);
CREATE INDEX grants_fund ON grants (fund_id, id);
CREATE INDEX grants_network ON grants (network_id, id);
CREATE INDEX grants_municipality_status ON grants (municipality_id, status);

CREATE TABLE tranches (
    id TEXT PRIMARY KEY NOT NULL,
    grant_id TEXT NOT NULL REFERENCES grants (id),
    municipality_id TEXT NOT NULL REFERENCES municipalities (id),
    due_on DATE NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'paid', 'cancelled')),
    paid_on DATE,
    payment_reference TEXT,
    paid_by TEXT REFERENCES users (id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX tranches_grant ON tranches (grant_id, id);

-- Every change of money, append-only.
CREATE TABLE ledger_entries (
    id TEXT PRIMARY KEY NOT NULL,
    municipality_id TEXT NOT NULL REFERENCES municipalities (id),
    fund_id TEXT NOT NULL REFERENCES funds (id),
    grant_id TEXT NOT NULL REFERENCES grants (id),
    tranche_id TEXT REFERENCES tranches (id),
    kind TEXT NOT NULL CHECK (kind IN ('commit', 'release', 'payment', 'refund')),
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    actor_user_id TEXT REFERENCES users (id),
    request_id TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ledger_entries_fund ON ledger_entries (fund_id, id);
CREATE INDEX ledger_entries_grant ON ledger_entries (grant_id, id);

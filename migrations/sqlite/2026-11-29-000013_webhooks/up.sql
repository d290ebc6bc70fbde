-- Webhook subscriptions: another system of a municipality asks to be told of events.
CREATE TABLE webhook_subscriptions (
    id TEXT PRIMARY KEY NOT NULL,
    municipality_id TEXT NOT NULL REFERENCES municipalities (id),
    url TEXT NOT NULL CHECK (length(url) <= 2000),
    -- Space-separated, e.g. 'grant.approved tranche.paid'.
    event_types TEXT NOT NULL,
    description TEXT NOT NULL CHECK (length(description) <= 500),
    -- The signing secret (whsec_...): needed in clear to sign; shown to people only once.
    secret TEXT NOT NULL,
    -- After a rotation the old secret signs too, for a day, so receivers can switch over.
    previous_secret TEXT,
    previous_secret_until TIMESTAMP,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    -- A worker delivering this subscription's queue, in order, holds it until then.
    delivering_until TIMESTAMP,
    created_by TEXT NOT NULL REFERENCES users (id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_subscriptions_municipality ON webhook_subscriptions (municipality_id, id);

-- The webhook outbox: one message per event and subscription, written in the transaction of
-- the change, delivered in order of creation per subscription.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id),
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    -- Makes an event that is noticed more than once (e.g. overdue) one message.
    dedupe_key TEXT NOT NULL,
    -- The exact body sent, so every attempt signs the same bytes.
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_status_code INTEGER,
    last_error TEXT,
    delivered_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (subscription_id, dedupe_key)
);
CREATE INDEX webhook_deliveries_queue ON webhook_deliveries (subscription_id, status, id);

-- Every attempt, with what the receiver answered.
CREATE TABLE webhook_attempts (
    id TEXT PRIMARY KEY NOT NULL,
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id),
    attempted_at TIMESTAMP NOT NULL,
    status_code INTEGER,
    error TEXT,
    duration_ms BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

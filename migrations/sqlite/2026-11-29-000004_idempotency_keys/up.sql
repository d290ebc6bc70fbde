-- Responses to POSTs sent with an Idempotency-Key, replayed when the same caller retries.
CREATE TABLE idempotency_keys (
    caller TEXT NOT NULL,
    key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('in_flight', 'done')),
    response_status INTEGER,
    response_headers TEXT,
    response_body BLOB,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

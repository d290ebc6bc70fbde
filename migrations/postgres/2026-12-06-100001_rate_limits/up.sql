-- Rate limit windows shared by every instance on this database: one fixed window per key,
-- `<limit>:<account hash | client address | token id>` (never a secret in clear), counted by
-- one atomic upsert; rows whose window ended are swept now and then.
-- Unlogged: a crash or a failover forgets the counts, which only lets a few more attempts
-- through; in return a count costs no write-ahead log.
CREATE UNLOGGED TABLE rate_limits (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    window_ends_at TIMESTAMP NOT NULL
);
CREATE INDEX rate_limits_window_ends ON rate_limits (window_ends_at);

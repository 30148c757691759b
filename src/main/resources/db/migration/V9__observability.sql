-- Observability: complete log records (host, client, sizes, upstream time, trace id), a hash chain
-- that makes tampering evident, alert deduplication counts and the channels alerts are delivered to.
-- Portable SQL: the same migration runs on the embedded H2 database and on PostgreSQL.

ALTER TABLE log_records ADD COLUMN host_id VARCHAR(64);
ALTER TABLE log_records ADD COLUMN client_name VARCHAR(128);
ALTER TABLE log_records ADD COLUMN client_version VARCHAR(64);
ALTER TABLE log_records ADD COLUMN arguments_bytes INTEGER;
ALTER TABLE log_records ADD COLUMN upstream_ms DOUBLE PRECISION;
ALTER TABLE log_records ADD COLUMN trace_id VARCHAR(32);
-- HMAC-SHA256 (key derived from the master key) over the previous record's hash and this record's
-- canonical fields; null for records written while the chain was switched off.
ALTER TABLE log_records ADD COLUMN chain_prev VARCHAR(64);
ALTER TABLE log_records ADD COLUMN chain_hash VARCHAR(64);

CREATE INDEX log_records_user_time ON log_records(user_id, time);
CREATE INDEX log_records_server_time ON log_records(server_id, time);

-- Repeats of an open alert raise its count instead of adding a row.
ALTER TABLE alerts ADD COLUMN occurrences INTEGER DEFAULT 1 NOT NULL;
ALTER TABLE alerts ADD COLUMN last_seen TIMESTAMP WITH TIME ZONE;

CREATE TABLE alert_channels (
    id            VARCHAR(64)  PRIMARY KEY,
    name          VARCHAR(128) NOT NULL UNIQUE,
    type          VARCHAR(16)  NOT NULL,
    -- webhook and Slack URLs carry their secret in the path: sealed with the master key.
    url_sealed    TEXT,
    smtp          TEXT,
    alert_types   TEXT,
    min_severity  VARCHAR(16),
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    last_sent_at  TIMESTAMP WITH TIME ZONE,
    last_error    VARCHAR(1024)
);

-- The newest hash of the chain, locked while a batch is chained and inserted, so several writers
-- (replicas sharing the database) extend one chain in id order.
CREATE TABLE log_chain_head (
    id    INTEGER     PRIMARY KEY,
    hash  VARCHAR(64) NOT NULL
);
INSERT INTO log_chain_head (id, hash) VALUES (1, '0000000000000000000000000000000000000000000000000000000000000000');

-- Protocol 2025 client sessions, so a replica that receives a session id it did not issue (its
-- replica died, or restarted) carries the session on. The key is the SHA-256 of the session id:
-- the database never holds an id a client could present. state is sealed (SecretBox, bound to the
-- row): the client's initialize parameters and, per server, the upstream session to re-attach to.
-- last_seen is written at most once a minute; rows idle past the session timeout are removed.
CREATE TABLE mcp_sessions (
    id_hash          VARCHAR(64)  PRIMARY KEY,
    connection_id    VARCHAR(64)  NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    gateway_id       VARCHAR(64)  NOT NULL,
    protocol_version VARCHAR(32)  NOT NULL,
    upstream_count   INT          NOT NULL,
    state            TEXT         NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    last_seen        TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX mcp_sessions_last_seen ON mcp_sessions (last_seen);

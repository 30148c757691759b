-- How Gatehouse authenticates to an upstream server beyond its configured headers: a pre-registered
-- OAuth client (for authorization servers without dynamic registration; the secret sealed with the
-- master key) and the header a pasted key goes in (X-API-Key, "Authorization: Token {token}", ...).
-- Portable SQL for H2 and PostgreSQL.

CREATE TABLE server_credentials (
    server_id               VARCHAR(64)   PRIMARY KEY REFERENCES servers(id) ON DELETE CASCADE,
    oauth_client_id         VARCHAR(2048),
    oauth_client_secret     TEXT,
    oauth_scopes            VARCHAR(4000),
    oauth_authorization_url VARCHAR(2048),
    oauth_token_url         VARCHAR(2048),
    key_header              VARCHAR(128),
    key_format              VARCHAR(256),
    updated_at              TIMESTAMP WITH TIME ZONE NOT NULL
);

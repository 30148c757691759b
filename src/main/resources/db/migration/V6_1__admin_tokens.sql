-- Admin tokens get an identity of their own (so they can be listed and revoked), a keyed hash
-- (HMAC with a key derived from the master key), a last-use time, a revocation time, and an
-- optional user the token acts as (per-user admin-API tokens, limited by that user's roles).
-- Tokens stored before this migration keep their plain SHA-256 hash (hash_kind 'sha256') until
-- their first use, when they are re-hashed with the key.
-- (copied aside rather than renamed: PostgreSQL keeps a renamed table's primary-key index name)
CREATE TABLE admin_tokens_v1 AS SELECT token_hash, name, created_at FROM admin_tokens;
DROP TABLE admin_tokens;

CREATE TABLE admin_tokens (
    id            VARCHAR(64)  PRIMARY KEY,
    name          VARCHAR(128) NOT NULL,
    token_hash    VARCHAR(64)  NOT NULL UNIQUE,
    hash_kind     VARCHAR(16)  NOT NULL,
    bootstrap     BOOLEAN      NOT NULL,
    user_id       VARCHAR(64)  REFERENCES users (id) ON DELETE CASCADE,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    last_used_at  TIMESTAMP WITH TIME ZONE,
    revoked_at    TIMESTAMP WITH TIME ZONE
);

CREATE INDEX admin_tokens_user ON admin_tokens (user_id);

INSERT INTO admin_tokens (id, name, token_hash, hash_kind, bootstrap, user_id, created_at, last_used_at, revoked_at)
SELECT 'adt_' || SUBSTRING(token_hash, 1, 16), name, token_hash, 'sha256', name LIKE 'bootstrap%', NULL, created_at, NULL, NULL
FROM admin_tokens_v1;

DROP TABLE admin_tokens_v1;

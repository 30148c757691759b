-- Refresh tokens replaced by rotation, kept (as keyed hashes) until they would have expired: one
-- presented again means it was copied, so the whole grant is revoked.
CREATE TABLE oauth2_retired_refresh_token (
    token_hash       VARCHAR(100) NOT NULL PRIMARY KEY,
    authorization_id VARCHAR(100) NOT NULL,
    expires_at       TIMESTAMP WITH TIME ZONE
);
CREATE INDEX oauth2_retired_refresh_token_authorization ON oauth2_retired_refresh_token(authorization_id);

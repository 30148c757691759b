-- OpenID Connect providers for sign-in, the link from a provider's subject to a user, SCIM bearer
-- tokens (hashes only), and the SCIM attributes of users and groups (teams).
-- Portable SQL for H2 and PostgreSQL.

CREATE TABLE sso_providers (
    id                   VARCHAR(64)   PRIMARY KEY,
    name                 VARCHAR(64)   NOT NULL UNIQUE,
    issuer               VARCHAR(2000) NOT NULL,
    client_id            VARCHAR(500)  NOT NULL,
    client_secret_sealed TEXT          NOT NULL,
    email_domains        VARCHAR(4000) NOT NULL,
    groups_claim         VARCHAR(128),
    created_at           TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE sso_links (
    provider_id  VARCHAR(64)  NOT NULL REFERENCES sso_providers(id) ON DELETE CASCADE,
    subject      VARCHAR(255) NOT NULL,
    user_id      VARCHAR(64)  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (provider_id, subject)
);

CREATE TABLE scim_tokens (
    id            VARCHAR(64)  PRIMARY KEY,
    name          VARCHAR(128) NOT NULL,
    token_hash    VARCHAR(64)  NOT NULL UNIQUE,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    last_used_at  TIMESTAMP WITH TIME ZONE
);

ALTER TABLE users ADD COLUMN external_id VARCHAR(256);
ALTER TABLE users ADD COLUMN display_name VARCHAR(256);
ALTER TABLE users ADD COLUMN given_name VARCHAR(256);
ALTER TABLE users ADD COLUMN family_name VARCHAR(256);
ALTER TABLE users ADD COLUMN updated_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE teams ADD COLUMN external_id VARCHAR(256);
ALTER TABLE teams ADD COLUMN updated_at TIMESTAMP WITH TIME ZONE;

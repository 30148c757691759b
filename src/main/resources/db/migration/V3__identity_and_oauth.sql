-- People, teams and which teams hold a gateway; the OAuth 2.1 authorization server's state
-- (registered clients, authorizations, signing keys, revoked access tokens); per-server identities.
-- Portable SQL for H2 and PostgreSQL. Spring's own schema uses BLOB columns, which PostgreSQL lacks:
-- its JDBC services read the column types at start-up and work with VARCHAR as well.

CREATE TABLE users (
    id              VARCHAR(64)  PRIMARY KEY,
    username        VARCHAR(128) NOT NULL UNIQUE,
    email           VARCHAR(320),
    password_hash   VARCHAR(255),
    enabled         BOOLEAN      NOT NULL,
    failed_logins   INTEGER      NOT NULL,
    locked_until    TIMESTAMP WITH TIME ZONE,
    source          VARCHAR(16)  NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE teams (
    id          VARCHAR(64)  PRIMARY KEY,
    name        VARCHAR(128) NOT NULL UNIQUE,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE team_members (
    team_id     VARCHAR(64)  NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id     VARCHAR(64)  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (team_id, user_id)
);

CREATE TABLE gateway_teams (
    gateway_id  VARCHAR(64)  NOT NULL REFERENCES gateways(id) ON DELETE CASCADE,
    team_id     VARCHAR(64)  NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (gateway_id, team_id)
);

-- One interactive connection per registered client, user and gateway.
CREATE UNIQUE INDEX connections_interactive ON connections(host_id, user_id, gateway_id);

-- Spring Authorization Server tables (names and columns as Spring expects them).
CREATE TABLE oauth2_registered_client (
    id                            VARCHAR(100)  NOT NULL PRIMARY KEY,
    client_id                     VARCHAR(100)  NOT NULL UNIQUE,
    client_id_issued_at           TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
    client_secret                 VARCHAR(200),
    client_secret_expires_at      TIMESTAMP WITH TIME ZONE,
    client_name                   VARCHAR(200)  NOT NULL,
    client_authentication_methods VARCHAR(1000) NOT NULL,
    authorization_grant_types     VARCHAR(1000) NOT NULL,
    redirect_uris                 VARCHAR(4000),
    post_logout_redirect_uris     VARCHAR(1000),
    scopes                        VARCHAR(1000) NOT NULL,
    client_settings               VARCHAR(2000) NOT NULL,
    token_settings                VARCHAR(2000) NOT NULL
);

CREATE TABLE oauth2_authorization (
    id                            VARCHAR(100)  NOT NULL PRIMARY KEY,
    registered_client_id          VARCHAR(100)  NOT NULL,
    principal_name                VARCHAR(200)  NOT NULL,
    authorization_grant_type      VARCHAR(100)  NOT NULL,
    authorized_scopes             VARCHAR(1000),
    attributes                    VARCHAR(100000),
    state                         VARCHAR(500),
    authorization_code_value      VARCHAR(4000),
    authorization_code_issued_at  TIMESTAMP WITH TIME ZONE,
    authorization_code_expires_at TIMESTAMP WITH TIME ZONE,
    authorization_code_metadata   VARCHAR(10000),
    access_token_value            VARCHAR(10000),
    access_token_issued_at        TIMESTAMP WITH TIME ZONE,
    access_token_expires_at       TIMESTAMP WITH TIME ZONE,
    access_token_metadata         VARCHAR(20000),
    access_token_type             VARCHAR(100),
    access_token_scopes           VARCHAR(1000),
    oidc_id_token_value           VARCHAR(10000),
    oidc_id_token_issued_at       TIMESTAMP WITH TIME ZONE,
    oidc_id_token_expires_at      TIMESTAMP WITH TIME ZONE,
    oidc_id_token_metadata        VARCHAR(20000),
    refresh_token_value           VARCHAR(4000),
    refresh_token_issued_at       TIMESTAMP WITH TIME ZONE,
    refresh_token_expires_at      TIMESTAMP WITH TIME ZONE,
    refresh_token_metadata        VARCHAR(10000),
    user_code_value               VARCHAR(4000),
    user_code_issued_at           TIMESTAMP WITH TIME ZONE,
    user_code_expires_at          TIMESTAMP WITH TIME ZONE,
    user_code_metadata            VARCHAR(10000),
    device_code_value             VARCHAR(4000),
    device_code_issued_at         TIMESTAMP WITH TIME ZONE,
    device_code_expires_at        TIMESTAMP WITH TIME ZONE,
    device_code_metadata          VARCHAR(10000)
);
CREATE INDEX oauth2_authorization_client ON oauth2_authorization(registered_client_id);
CREATE INDEX oauth2_authorization_principal ON oauth2_authorization(principal_name);
CREATE INDEX oauth2_authorization_state ON oauth2_authorization(state);

CREATE TABLE oauth2_authorization_consent (
    registered_client_id VARCHAR(100)  NOT NULL,
    principal_name       VARCHAR(200)  NOT NULL,
    authorities          VARCHAR(1000) NOT NULL,
    PRIMARY KEY (registered_client_id, principal_name)
);

-- The token-signing key pair; the private key sealed with the master key (never in clear here).
CREATE TABLE signing_keys (
    kid             VARCHAR(64)  PRIMARY KEY,
    private_sealed  TEXT         NOT NULL,
    public_pem      TEXT         NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Access tokens revoked before they expire (by id); the data plane keeps this list in memory.
CREATE TABLE revoked_tokens (
    jti         VARCHAR(100) PRIMARY KEY,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

-- A credential for one upstream server: a user's own (personal) or an assignment's (shared).
CREATE TABLE identities (
    id              VARCHAR(64)  PRIMARY KEY,
    server_id       VARCHAR(64)  NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
    user_id         VARCHAR(64)  REFERENCES users(id) ON DELETE CASCADE,
    gateway_id      VARCHAR(64),
    kind            VARCHAR(16)  NOT NULL,
    secret_sealed   TEXT         NOT NULL,
    state           VARCHAR(32)  NOT NULL,
    error           VARCHAR(1024),
    expires_at      TIMESTAMP WITH TIME ZONE,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX identities_user_server ON identities(user_id, server_id);

-- Team memberships that a single sign-on provider's groups claim made: only these are removed
-- again when the group disappears from the claim (memberships an administrator made stay).
CREATE TABLE sso_memberships (
    provider_id  VARCHAR(64)  NOT NULL REFERENCES sso_providers(id) ON DELETE CASCADE,
    team_id      VARCHAR(64)  NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id      VARCHAR(64)  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (provider_id, team_id, user_id)
);

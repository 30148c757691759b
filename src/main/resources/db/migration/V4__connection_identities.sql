-- Identities owned by an API-token connection (given when the connection is created) beside those
-- owned by a user (personal) or by an assignment (shared: gateway_id set, user_id NULL).
ALTER TABLE identities ADD COLUMN connection_id VARCHAR(64);
ALTER TABLE identities ADD CONSTRAINT identities_connection_fk FOREIGN KEY (connection_id) REFERENCES connections(id) ON DELETE CASCADE;
CREATE INDEX identities_connection_server ON identities(connection_id, server_id);
CREATE INDEX identities_gateway_server ON identities(gateway_id, server_id);

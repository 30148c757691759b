-- Content rules per gateway. The definition (engine, patterns, entities, action, URLs...) is JSON
-- sealed with the master key: patterns and webhook URLs can be sensitive. position keeps the
-- order rules were created in, which is the order they are evaluated.
CREATE TABLE content_rules (
    id                VARCHAR(64)  PRIMARY KEY,
    gateway_id        VARCHAR(64)  NOT NULL REFERENCES gateways(id) ON DELETE CASCADE,
    name              VARCHAR(200) NOT NULL,
    position          BIGINT       NOT NULL,
    definition_sealed TEXT         NOT NULL,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    UNIQUE (gateway_id, name)
);
CREATE INDEX content_rules_gateway ON content_rules (gateway_id, position);

-- A gateway's own rate limits (admin API: PATCH /gateways/{id} with rateLimit). Absent row: the
-- gatehouse.rate-limit.* settings apply. 0 switches a scope off for that gateway; burst 0 = the
-- per-minute number.
CREATE TABLE gateway_rate_limits (
    gateway_id                VARCHAR(64) PRIMARY KEY REFERENCES gateways(id) ON DELETE CASCADE,
    per_connection_per_minute INTEGER     NOT NULL,
    per_user_per_minute       INTEGER     NOT NULL,
    burst                     INTEGER     NOT NULL,
    updated_at                TIMESTAMP WITH TIME ZONE NOT NULL
);

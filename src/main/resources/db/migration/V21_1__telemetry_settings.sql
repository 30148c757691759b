-- OpenTelemetry export set through the admin API; while the row exists it replaces the OTEL_*
-- settings of the environment. One row (id 1). Headers (often an API key) are sealed.
CREATE TABLE telemetry_settings (
    id            INT           PRIMARY KEY,
    endpoint      VARCHAR(2000) NOT NULL,
    protocol      VARCHAR(32)   NOT NULL,
    headers       VARCHAR(20000),
    service_name  VARCHAR(200)  NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL
);

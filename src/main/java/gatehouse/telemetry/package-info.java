/**
 * Telemetry out of Gatehouse: Prometheus metrics at {@code /metrics} (MCP calls, errors, latency
 * histograms, tokens, rule hits, upstream state, sessions) counted from the log records, who may
 * scrape them, and OpenTelemetry export (OTLP traces and log records) switched on by the standard
 * {@code OTEL_*} variables.
 */
package gatehouse.telemetry;

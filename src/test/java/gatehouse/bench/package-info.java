/**
 * The benchmark harness (run by {@code bin/bench}, never by the test suite): a fast upstream MCP
 * server, a constant-rate load generator that measures direct and through-Gatehouse calls in
 * alternation, and the scenarios whose ratios go into {@code docs/benchmarks.md}.
 */
package gatehouse.bench;

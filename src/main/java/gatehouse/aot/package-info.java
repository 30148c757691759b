/**
 * The training run behind {@code bin/aot}: starts the extracted application with
 * {@code -XX:AOTCacheOutput}, sends it the traffic a gateway serves (admin API, both MCP protocol
 * generations through a small upstream of its own, the sign-in page, metrics) and ends it with
 * SIGTERM, so the JDK writes an AOT cache holding the classes, linked call sites and method
 * profiles of that traffic. Nothing here is a Spring bean; it runs in a JVM of its own.
 */
package gatehouse.aot;

/**
 * Abuse limits for the data plane: how many requests a connection, a person and a gateway may send
 * in a window. Pure token-bucket arithmetic over a clock the caller passes in, no I/O, so the
 * pipeline's rate-limit step and the tests ask the same rules.
 */
package gatehouse.policy.limits;

/**
 * Who may do what: permissions, scopes and grants for the control plane, and which of a gateway's
 * tools a caller may use on the data plane. Pure decisions over immutable inputs, no I/O, so the
 * admin API and the pipeline ask the same rules and tests can check them alone.
 */
package gatehouse.policy.access;

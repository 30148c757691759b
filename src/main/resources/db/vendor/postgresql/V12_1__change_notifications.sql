-- Replicas learn of configuration changes at once: a committed change to a configuration table
-- sends NOTIFY gatehouse_changes (delivered at commit, dropped on rollback); ChangeBus listens.
CREATE OR REPLACE FUNCTION gatehouse_notify_change() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('gatehouse_changes', TG_TABLE_NAME);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['servers', 'gateways', 'assignments', 'hosts', 'connections', 'users', 'teams', 'team_members',
                             'gateway_teams', 'revoked_tokens', 'identities', 'gateway_provisioning', 'features', 'roles', 'role_grants']
    LOOP
        IF to_regclass(t) IS NOT NULL THEN
            EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
                           'FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_notify_change()', t || '_changed', t);
        END IF;
    END LOOP;
END;
$$;

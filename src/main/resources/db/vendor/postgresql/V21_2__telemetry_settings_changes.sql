-- Replicas apply a telemetry change made on another one at once (ChangeBus; see V12_1).
CREATE TRIGGER telemetry_settings_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON telemetry_settings
    FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_notify_change();
